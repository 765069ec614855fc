"""The trained movement classifier at inference time: plain arrays, numpy only.

Files (written by `vbparse train`, see train.py):
  models/movements.npz   arrays: uni (S+1,) unigram feature of each syllable id (-1: none),
                         bkeys (B,) sorted bigram keys prev*S+cur, bidx (B,) their features,
                         W (F+1, L) idf-scaled weights (last row zero), q (F+1,) idf^2, bias (L,)
  models/movements.json  format version, labels, threshold, syllable list, training metadata

No pickle anywhere: the npz is read with allow_pickle=False and the rest is JSON.

A plan is scored in one pass: its text is cut at every section boundary, tokenized chunk by
chunk (C regex), mapped to feature ids with one dict lookup per token, and every span's score
is a difference of prefix sums (features.py explains why that is exact). No word segmenter, no
scikit-learn, no per-section loop over features at inference.
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np

from ..model import Document, Tag
from .features import BREAKS, TOKEN_RE, normalize, rough_sections

FORMAT = 1  # bump when the file layout or the feature definition changes
NAME = "movements"
_PUNCT = -2


def model_dir() -> Path:
    """$VBPARSE_MODELS, else the repository's models/ folder."""
    env = os.environ.get("VBPARSE_MODELS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "models"


def model_paths(directory: Path | None = None) -> tuple[Path, Path]:
    d = Path(directory) if directory is not None else model_dir()
    return d / f"{NAME}.npz", d / f"{NAME}.json"


class MovementModel:
    def __init__(self, meta: dict, arrays: dict[str, np.ndarray]):
        if meta.get("format") != FORMAT:
            raise ValueError(f"model format {meta.get('format')!r}, this vbparse reads format {FORMAT}")
        try:
            self.labels: list[str] = list(meta["labels"])
            self.threshold: float = float(meta["threshold"])
            syl: list[str] = meta["syllables"]
            self.doc_weight: float = float(meta.get("doc_whole_weight", 0.5))
            uni, bkeys, bidx = arrays["uni"], arrays["bkeys"], arrays["bidx"]
            W, q, bias = arrays["W"], arrays["q"], arrays["bias"]
        except KeyError as e:
            raise ValueError(f"model file lacks {e}") from None
        S, L = len(syl), len(self.labels)
        if uni.shape != (S + 1,) or W.ndim != 2 or W.shape[1] != L or q.shape != (W.shape[0],) \
                or bias.shape != (L,) or bkeys.shape != bidx.shape:
            raise ValueError("model arrays do not fit together")
        self.meta = meta
        self.S = S
        self.index: dict[str, int] = {s: i for i, s in enumerate(syl)}
        for p in BREAKS:
            self.index[p] = _PUNCT
        self.uni = uni.astype(np.int64)
        self.bkeys = bkeys.astype(np.int64)
        self.bidx = bidx.astype(np.int64)
        self.W = W.astype(np.float64)
        self.q = q.astype(np.float64)
        self.bias = bias.astype(np.float64)
        self._none = W.shape[0] - 1  # the all-zero row

    # -- scoring ---------------------------------------------------------------------------
    def score_spans(self, text: str, spans: list[tuple[int, int]]) -> np.ndarray:
        """Probabilities (len(spans), L) for character spans of `text`."""
        L = len(self.labels)
        if not spans:
            return np.zeros((0, L))
        norm = normalize(text)
        if len(norm) != len(text):  # not NFC: offsets would shift; score span by span
            return np.vstack([self.score_spans(text[a:b], [(0, b - a)]) for a, b in spans])
        n = len(text)
        bounds = sorted({0, n, *(min(max(a, 0), n) for a, _ in spans), *(min(max(b, 0), n) for _, b in spans)})
        toks: list[str] = []
        raw_at: list[int] = []  # raw-token index at each bound
        for i in range(len(bounds) - 1):
            raw_at.append(len(toks))
            toks.extend(TOKEN_RE.findall(norm, bounds[i], bounds[i + 1]))
        raw_at.append(len(toks))
        get = self.index.get
        ids = np.array([get(t, -1) for t in toks], dtype=np.int64)
        is_p = ids == _PUNCT
        brk = np.zeros(len(ids), dtype=bool)
        starts = np.array(raw_at[:-1], dtype=np.int64)
        brk[starts[starts < len(ids)]] = True
        brk[1:] |= is_p[:-1]
        words = ~is_p
        wid, wbrk = ids[words], brk[words]
        # unigram features (-1 -> the zero row)
        uf = self.uni[np.where(wid >= 0, wid, self.S)]
        uf = np.where(uf >= 0, uf, self._none)
        # bigram features
        prev = np.empty_like(wid)
        if len(wid):
            prev[0] = -1
            prev[1:] = wid[:-1]
        valid = (~wbrk) & (wid >= 0) & (prev >= 0)
        keys = prev * self.S + wid
        if len(self.bkeys):
            pos = np.minimum(np.searchsorted(self.bkeys, keys), len(self.bkeys) - 1)
            hit = valid & (self.bkeys[pos] == keys)
            bf = np.where(hit, self.bidx[pos], self._none)
        else:
            bf = np.full(len(wid), self._none)
        P = np.zeros((len(wid) + 1, L))
        np.cumsum(self.W[uf] + self.W[bf], axis=0, out=P[1:])
        Q = np.zeros(len(wid) + 1)
        np.cumsum(self.q[uf] + self.q[bf], out=Q[1:])
        cw = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum(words, out=cw[1:])
        at = {b: int(cw[raw_at[k]]) for k, b in enumerate(bounds)}
        a_idx = np.array([at[min(max(a, 0), n)] for a, _ in spans])
        b_idx = np.array([at[min(max(b, 0), n)] for _, b in spans])
        num = P[b_idx] - P[a_idx]
        den = np.sqrt(np.maximum(Q[b_idx] - Q[a_idx], 1e-12))
        z = num / den[:, None] + self.bias
        return 1.0 / (1.0 + np.exp(-z))

    def combine_doc(self, whole: np.ndarray, sections: np.ndarray) -> np.ndarray:
        """Document probabilities from the whole-text score and the best section score."""
        if len(sections) == 0:
            return whole
        a = self.doc_weight
        return a * whole + (1 - a) * sections.max(axis=0)

    def predict_text(self, text: str, sections: list[tuple[int, int]] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(document probabilities (L,), section probabilities (len(sections), L))."""
        if sections is None:
            sections = rough_sections(text)
        front = (0, sections[0][0]) if sections and sections[0][0] > 0 else None
        spans = [(0, len(text))] + list(sections) + ([front] if front else [])
        probs = self.score_spans(text, spans)
        whole, sec = probs[0], probs[1:1 + len(sections)]
        parts = probs[1:] if front else sec
        return self.combine_doc(whole, parts), sec

    def labels_of(self, row: np.ndarray) -> list[dict]:
        out = [(float(p), lab) for lab, p in zip(self.labels, row) if p >= self.threshold]
        out.sort(key=lambda x: (-x[0], x[1]))
        return [{"label": lab, "score": round(p, 3)} for p, lab in out]

    def tag(self, doc: Document) -> list[Tag]:
        spans = [(s.start, s.end) for s in doc.sections]
        d, sec = self.predict_text(doc.text, spans)
        tags = [Tag(section=None, labels=self.labels_of(d), source="model")]
        for s, row in zip(doc.sections, sec):
            tags.append(Tag(section=s.id, labels=self.labels_of(row), source="model"))
        return tags

    def cats(self, text: str) -> dict[str, float]:
        d, _ = self.predict_text(text)
        return {lab: float(p) for lab, p in zip(self.labels, d)}


# -- loading (once, cached) ------------------------------------------------------------------
_CACHE: dict[str, tuple[tuple, MovementModel]] = {}


def load_model(directory: Path | None = None) -> MovementModel:
    """The model in `directory` (default model_dir()). FileNotFoundError when absent, ValueError
    when unreadable or of another format. Cached until the files change."""
    npz, js = model_paths(directory)
    if not npz.exists() or not js.exists():
        raise FileNotFoundError(f"no movement model at {npz.parent} (run `vbparse train`)")
    st1, st2 = npz.stat(), js.stat()
    stamp = (st1.st_mtime_ns, st1.st_size, st2.st_mtime_ns, st2.st_size)
    key = str(npz.resolve())
    hit = _CACHE.get(key)
    if hit and hit[0] == stamp:
        return hit[1]
    try:
        meta = json.loads(js.read_text(encoding="utf-8"))
        with np.load(npz, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except (OSError, ValueError, json.JSONDecodeError) as e:
        raise ValueError(f"cannot read movement model: {e}") from None
    model = MovementModel(meta, arrays)
    _CACHE[key] = (stamp, model)
    return model


def tag_document(doc: Document) -> list[Tag]:
    """Tags for the document (section None) and for each of its sections, source "model"."""
    return load_model().tag(doc)


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))
