"""The trained movement classifier at inference time: plain arrays, numpy only.

Files (written by `vbparse train`, see train.py):
  models/movements.npz   arrays: uni (S+1,) unigram feature of each syllable id (-1: none),
                         bkeys (B,) sorted bigram keys prev*S+cur, bidx (B,) their features,
                         W (F+1, L) idf-scaled weights (last row zero), q (F+1,) idf^2, bias (L,)
  models/movements.json  format version, labels, threshold, syllable list, training metadata

No pickle anywhere: the npz is read with allow_pickle=False and the rest is JSON.

A plan is scored in one pass: its text is cut at every section boundary, split on whitespace
chunk by chunk, each token mapped to a code with one dict lookup (memoised), bigrams found in a
dense table, and every span's score is a difference of prefix sums (features.py explains why
that is exact). No word segmenter, no scikit-learn, no loop over sections at inference.
"""
from __future__ import annotations

import json
import os
import time
import unicodedata
from itertools import repeat
from pathlib import Path

import numpy as np

from ..model import Document, Tag
from .features import normalize, old_tone, rough_sections, split_token

FORMAT = 1  # bump when the file layout or the feature definition changes
NAME = "movements"
_MEMO_MAX = 200_000
_DENSE_MAX = 8_000_000  # cells of the dense bigram table (int16: 16 MB at most)
_MISS = -(1 << 40)  # not in the memo yet
_DEFAULT_DIR = Path(__file__).resolve().parents[3] / "models"


def model_dir() -> Path:
    """$VBPARSE_MODELS, else the repository's models/ folder."""
    env = os.environ.get("VBPARSE_MODELS")
    return Path(env) if env else _DEFAULT_DIR


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
        for s_, i in list(self.index.items()):  # old-style tone spellings read as the new ones
            old = old_tone(s_)
            if old is not None and old not in self.index:
                self.index[old] = i
        # whitespace token -> packed code ((sid + 3) << 2) | break-before | break-after << 1,
        # sid >= 0 a known syllable, -1 an unknown word, -2/-3 punctuation only (with/without a
        # sentence break; both break bigrams). Known syllables are there from the start; other
        # tokens are run through features.split_token once and remembered.
        self._memo: dict[str, int] = {t: (i + 3) << 2 for t, i in self.index.items()}
        self._none = W.shape[0] - 1  # the all-zero row
        # unigram feature of syllable id + 3 (0-2: punctuation, unknown word): the zero row if none
        u = uni[:S].astype(np.int64)
        self.uni3 = np.concatenate([[self._none] * 3, np.where(u >= 0, u, self._none)]).astype(np.int64)
        self.bkeys = np.append(bkeys.astype(np.int64), np.iinfo(np.int64).max)
        self.bidx = np.append(bidx.astype(np.int64), self._none)
        # bigram (prev, cur) -> feature as a dense table when small enough (S^2 cells), else the
        # sorted keys are searched
        self._btab = None
        if S * S <= _DENSE_MAX and W.shape[0] <= np.iinfo(np.int32).max:
            dt = np.int16 if W.shape[0] <= np.iinfo(np.int16).max else np.int32
            self._btab = np.full(S * S, self._none, dtype=dt)
            self._btab[bkeys.astype(np.int64)] = bidx
        self.Wq = np.ascontiguousarray(np.column_stack([W, q]), dtype=np.float32)  # weights | idf^2
        self.bias = bias.astype(np.float64)

    # -- scoring ---------------------------------------------------------------------------
    def score_spans(self, text: str, spans: list[tuple[int, int]]) -> np.ndarray:
        """Probabilities (len(spans), L) for character spans of `text`."""
        L = len(self.labels)
        if not spans:
            return np.zeros((0, L))
        norm = normalize(text)
        if len(norm) != len(text):  # not NFC (readers give NFC): offsets would shift; span by span
            parts = [unicodedata.normalize("NFC", text[a:b]) for a, b in spans]
            return np.vstack([self.score_spans(p, [(0, len(p))]) for p in parts])
        n = len(text)
        spans = [(min(max(a, 0), n), min(max(b, 0), n)) for a, b in spans]
        bounds = sorted({0, n, *(a for a, _ in spans), *(b for _, b in spans)})
        nb = len(bounds)
        # every whitespace token of every chunk, mapped in one C-level pass
        toks: list[str] = []
        tok_at = [0]
        lo, hi = min(a for a, _ in spans), max(b for _, b in spans)
        for i in range(len(bounds) - 1):
            if lo <= bounds[i] and bounds[i + 1] <= hi:  # text outside every span is not read
                toks.extend(norm[bounds[i]:bounds[i + 1]].split())
            tok_at.append(len(toks))
        codes = np.fromiter(map(self._memo.get, toks, repeat(_MISS, len(toks))), dtype=np.int64, count=len(toks))
        miss = np.flatnonzero(codes == _MISS)
        if len(miss):
            codes[miss] = [self._learn(toks[i]) for i in miss.tolist()]
        sid = (codes >> 2) - 3  # >= 0 known syllable, -1 unknown word, -2/-3 punctuation only
        nw = len(sid)
        at = np.array(tok_at, dtype=np.int64)  # token index of each bound
        brk = (codes & 1).astype(bool)  # break before a token: its own leading punctuation,
        brk[1:] |= (codes[:-1] & 2).astype(bool)  # the previous token's trailing punctuation,
        brk[at[at < nw]] = True  # or a bound (punctuation-only tokens break by having no syllable)
        # features of each token: its unigram, and the bigram with the token before (if any)
        uf = self.uni3[sid + 3]
        X = self.Wq.take(uf, axis=0)  # (tokens, L + 1): weights and idf^2; bigrams added below
        if nw > 1:
            vi = np.flatnonzero(~brk[1:] & (sid[1:] >= 0) & (sid[:-1] >= 0))
            if len(vi):
                keys = sid[vi] * self.S + sid[vi + 1]
                if self._btab is not None:  # dense table: one gather
                    f = self._btab[keys]
                    hit = f != self._none
                    at_w, feat = vi[hit] + 1, f[hit].astype(np.int64)
                else:
                    order = np.argsort(keys, kind="stable")  # sorted needles: cache-friendly search
                    pos = np.empty_like(order)
                    pos[order] = np.searchsorted(self.bkeys, keys[order])  # bkeys ends with a sentinel
                    hit = self.bkeys[pos] == keys
                    at_w, feat = vi[hit] + 1, self.bidx[pos[hit]]  # one bigram per token at most
                X[at_w] += self.Wq.take(feat, axis=0)
        # sums between consecutive bounds, then prefix sums over bounds: a span is a difference
        nonempty = at[1:] > at[:-1]
        chunk = np.zeros((nb - 1, L + 1))
        if nonempty.any():
            chunk[nonempty] = np.add.reduceat(X, at[:-1][nonempty], axis=0)
        C = np.zeros((nb, L + 1))
        np.cumsum(chunk, axis=0, out=C[1:])
        sp = np.array(spans, dtype=np.int64)
        bd = np.array(bounds, dtype=np.int64)
        wa = np.searchsorted(bd, sp[:, 0])
        wb = np.searchsorted(bd, sp[:, 1])
        D = C[wb] - C[wa]
        z = D[:, :L] / np.sqrt(np.maximum(D[:, L:], 1e-12)) + self.bias
        return 1.0 / (1.0 + np.exp(-z))

    def _learn(self, tok: str) -> int:
        """Code of a token not yet in the memo, with features.split_token as in training."""
        code = self._memo.get(tok)
        if code is None:
            core, bb, ba = split_token(tok)
            sid = (-2 if bb else -3) if core is None else self.index.get(core, -1)
            code = ((sid + 3) << 2) | int(bb) | (int(ba) << 1)
            if len(self._memo) < _MEMO_MAX:
                self._memo[tok] = code
        return code

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
        need_whole = self.doc_weight > 0 or not sections
        spans = ([(0, len(text))] if need_whole else []) + list(sections) + ([front] if front else [])
        probs = self.score_spans(text, spans)
        k = 1 if need_whole else 0
        sec = probs[k:k + len(sections)]
        parts = probs[k:]
        if not need_whole:
            return parts.max(axis=0), sec
        return self.combine_doc(probs[0], parts), sec

    def labels_of(self, row: np.ndarray) -> list[dict]:
        return self._label_lists(row[None, :])[0]

    def _label_lists(self, probs: np.ndarray) -> list[list[dict]]:
        """For each row, the labels with probability >= threshold, best first."""
        rows, cols = np.nonzero(probs >= self.threshold)
        vals = probs[rows, cols]
        order = np.lexsort((cols, -vals, rows))
        out: list[list[dict]] = [[] for _ in range(len(probs))]
        labels = self.labels
        for r, c, v in zip(rows[order].tolist(), cols[order].tolist(), vals[order].tolist()):
            out[r].append({"label": labels[c], "score": round(v, 3)})
        return out

    def tag(self, doc: Document) -> list[Tag]:
        d, sec = self.predict_text(doc.text, [(s.start, s.end) for s in doc.sections])
        lists = self._label_lists(np.vstack([d[None, :], sec]) if len(sec) else d[None, :])
        tags = [Tag(section=None, labels=lists[0], source="model")]
        tags.extend(Tag(section=s.id, labels=lab, source="model") for s, lab in zip(doc.sections, lists[1:]))
        return tags

    def cats(self, text: str) -> dict[str, float]:
        d, _ = self.predict_text(text)
        return {lab: float(p) for lab, p in zip(self.labels, d)}


# -- loading (once, cached) ------------------------------------------------------------------
_CACHE: dict[str, tuple[tuple, MovementModel]] = {}
_LAST: dict[str, tuple[float, MovementModel]] = {}  # directory key -> (checked at, model)
_RECHECK_S = 2.0  # how often a cached model's files are stat()ed for changes


def load_model(directory: Path | None = None) -> MovementModel:
    """The model in `directory` (default model_dir()). FileNotFoundError when absent, ValueError
    when unreadable or of another format. Loaded once and cached; the files are checked for
    changes at most every few seconds, so a retrained model is picked up by a running process."""
    key = str(directory) if directory is not None else (os.environ.get("VBPARSE_MODELS") or "")
    now = time.monotonic()
    last = _LAST.get(key)
    if last is not None and now - last[0] < _RECHECK_S:
        return last[1]
    npz, js = model_paths(Path(directory) if directory is not None else (Path(key) if key else _DEFAULT_DIR))
    try:
        st1, st2 = npz.stat(), js.stat()
    except FileNotFoundError:
        _LAST.pop(key, None)
        raise FileNotFoundError(f"no movement model at {npz.parent} (run `vbparse train`)") from None
    stamp = (st1.st_mtime_ns, st1.st_size, st2.st_mtime_ns, st2.st_size)
    path_key = str(npz.absolute())
    hit = _CACHE.get(path_key)
    if hit and hit[0] == stamp:
        _LAST[key] = (now, hit[1])
        return hit[1]
    try:
        meta = json.loads(js.read_text(encoding="utf-8"))
        with np.load(npz, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except (OSError, ValueError, json.JSONDecodeError) as e:
        raise ValueError(f"cannot read movement model: {e}") from None
    model = MovementModel(meta, arrays)
    _CACHE[path_key] = (stamp, model)
    _LAST[key] = (now, model)
    return model


def clear_cache() -> None:
    _CACHE.clear()
    _LAST.clear()


def tag_document(doc: Document) -> list[Tag]:
    """Tags for the document (section None) and for each of its sections, source "model"."""
    return load_model().tag(doc)

