"""Training and evaluation of the movement classifier (`vbparse train`).

Data (corpora/classifier/, see its GUIDELINES.md):
  sections-*.txt   hand-labelled sections grouped into plans: "=== ID | title" starts a plan,
                   "--- label|label" (or "--- none") starts a section, the lines below are its text
  whole/*.txt      whole short plans (document-level examples only)
  docs.tsv         doc, split (train/test: the fixed held-out split), labels (document level)
  CORPUS.json      corpus name, version and date (the date recorded in the model: no wall clock)
Weak examples (training only, never evaluated): the taxonomy's names, variants and descriptions
(src/vbparse/data/movements.tsv).

The model: the span features of features.py, one L2-regularised logistic regression per label
(one-vs-rest), stored as plain arrays (model.py). A section is tagged with every label whose
probability reaches the threshold; a document's probabilities mix its whole-text score with its
best section score.
"""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .features import SpanVectorizer, rough_sections

C = 10.0  # inverse regularisation, chosen by cross-validation (docs/classifier.md)
CLASS_WEIGHT = "balanced"
MIN_DF = 1
THRESHOLDS = [round(x, 2) for x in np.arange(0.20, 0.81, 0.05)]
DOC_WEIGHTS = [0.0, 0.25, 0.5, 0.75, 1.0]
FOLDS = 5


@dataclass
class Example:
    id: str
    doc: str
    text: str
    labels: tuple[str, ...]
    split: str = "train"


@dataclass
class DocExample:
    id: str
    title: str
    text: str
    sections: list[tuple[int, int]]
    labels: tuple[str, ...]
    split: str
    origin: str
    section_ids: list[str] = field(default_factory=list)


@dataclass
class Corpus:
    labels: list[str]
    sections: list[Example]
    docs: list[DocExample]
    weak: list[Example]
    meta: dict
    files: list[Path]


def repo_root() -> Path:
    return Path(__file__).resolve().parents[3]


def taxonomy(path: Path | None = None) -> list[dict]:
    p = path or Path(__file__).resolve().parents[1] / "data" / "movements.tsv"
    rows, header = [], None
    for line in p.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if header is None:
            header = cols
            continue
        rows.append(dict(zip(header, cols + [""] * (len(header) - len(cols)))))
    return rows


def _split_labels(s: str) -> tuple[str, ...]:
    s = s.strip()
    if not s or s == "none":
        return ()
    return tuple(sorted({x.strip() for x in s.split("|") if x.strip()}))


def parse_blocks(text: str, source: str) -> list[tuple[str, str, list[tuple[tuple[str, ...], str]]]]:
    """[(doc id, title, [(labels, section text), ...]), ...] from the block format."""
    plans: list = []
    cur = None
    sec_lines: list[str] | None = None
    sec_labels: tuple[str, ...] = ()

    def close_section():
        nonlocal sec_lines
        if cur is not None and sec_lines is not None:
            body = "\n".join(sec_lines).strip("\n")
            if not body.strip():
                raise ValueError(f"{source}: empty section in {cur[0]}")
            cur[2].append((sec_labels, body))
        sec_lines = None

    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("=== "):
            close_section()
            head = [x.strip() for x in line[4:].split("|")]
            cur = (head[0], head[1] if len(head) > 1 else "", [])
            plans.append(cur)
        elif line.startswith("--- "):
            if cur is None:
                raise ValueError(f"{source}:{n}: section before any plan")
            close_section()
            sec_labels = _split_labels(line[4:])
            sec_lines = []
        elif sec_lines is not None:
            sec_lines.append(line)
        elif line.strip() and not line.startswith("#"):
            raise ValueError(f"{source}:{n}: text outside a section")
    close_section()
    return plans


def shared_corpus() -> Path:
    """The shared dev corpus (real documents we may read but not copy): beside the project."""
    import os

    return Path(os.environ.get("VBPARSE_SHARED_CORPUS", repo_root().resolve().parent / "shared" / "corpus"))


def resolve_line_refs(text: str, source_name: str) -> str | None:
    """Replace "@lines 15 17 19:80" bodies by those lines of the plan's source file (the plan's
    "=== ... | source=shared/corpus/plans/X.txt" header); None when the sources are not here."""
    import unicodedata

    out, lines = [], None
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("=== "):
            src = next((x.strip()[len("source="):] for x in line.split("|") if x.strip().startswith("source=")), None)
            lines = None
            if src:
                rel = Path(src).relative_to("shared/corpus") if src.startswith("shared/corpus") else Path(src)
                path = shared_corpus() / rel
                if not path.exists():
                    return None
                lines = unicodedata.normalize("NFC", path.read_text(encoding="utf-8")).split("\n")
            out.append(line)
        elif line.startswith("@lines "):
            if lines is None:
                raise ValueError(f"{source_name}:{n}: @lines in a plan without source=")
            for ref in line[len("@lines "):].split():
                k, _, cut = ref.partition(":")
                row = lines[int(k) - 1]
                out.append(row[: int(cut)] if cut else row)
        else:
            out.append(line)
    return "\n".join(out)


def load_corpus(root: Path | None = None) -> Corpus:
    root = Path(root) if root is not None else repo_root() / "corpora" / "classifier"
    tax = taxonomy()
    labels = [r["id"] for r in tax]
    known = set(labels)
    files = sorted(root.glob("sections-*.txt"))
    if not files:
        raise FileNotFoundError(f"no sections-*.txt in {root}")
    docs_tsv = root / "docs.tsv"
    splits: dict[str, tuple[str, tuple[str, ...] | None]] = {}
    for line in docs_tsv.read_text(encoding="utf-8").splitlines()[1:]:
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        splits[cols[0]] = (cols[1], _split_labels(cols[2]) if len(cols) > 2 and cols[2] != "=" else None)
    sections: list[Example] = []
    docs: list[DocExample] = []
    seen: set[str] = set()
    skipped = []
    for f in files:
        text = f.read_text(encoding="utf-8")
        if "\n@lines " in text:
            text = resolve_line_refs(text, f.name)
            if text is None:
                skipped.append(f.name)
                continue
        for doc_id, title, secs in parse_blocks(text, f.name):
            if doc_id in seen:
                raise ValueError(f"{f.name}: plan id {doc_id} repeated")
            seen.add(doc_id)
            if doc_id not in splits:
                raise ValueError(f"{doc_id} has no row in docs.tsv (run corpora/classifier/tools/split.py)")
            split, doc_labels = splits[doc_id]
            parts, spans, ids = [title], [], []
            pos = len(title) + 1
            union: set[str] = set()
            for k, (labs, body) in enumerate(secs, 1):
                bad = set(labs) - known
                if bad:
                    raise ValueError(f"{doc_id}: unknown label(s) {sorted(bad)}")
                sid = f"{doc_id}.{k}"
                sections.append(Example(sid, doc_id, body, labs, split))
                union.update(labs)
                spans.append((pos, pos + len(body)))
                ids.append(sid)
                parts.append(body)
                pos += len(body) + 1
            docs.append(DocExample(doc_id, title, "\n".join(parts), spans,
                                   doc_labels if doc_labels is not None else tuple(sorted(union)),
                                   split, f.name, ids))
    for f in sorted((root / "whole").glob("*.txt")):
        doc_id = f.stem
        if doc_id not in splits or splits[doc_id][1] is None:
            raise ValueError(f"whole plan {doc_id} needs a docs.tsv row with its labels")
        text = f.read_text(encoding="utf-8")
        docs.append(DocExample(doc_id, "", text, rough_sections(text), splits[doc_id][1],
                               splits[doc_id][0], "whole"))
        files.append(f)
    weak: list[Example] = []
    for r in tax:
        texts = [r["name"], *[v for v in r.get("variants", "").split("|") if v]]
        if r.get("description"):
            texts.append(r["description"])
        cues = [c for c in r.get("cues", "").split("|") if c]
        if cues:
            texts.append(", ".join(cues))
        for k, t in enumerate(dict.fromkeys(texts)):
            weak.append(Example(f"weak:{r['id']}:{k}", f"weak:{r['id']}", t, (r["id"],), "weak"))
    if skipped:
        import sys

        print(f"vbparse train: skipped {', '.join(skipped)}: the shared dev corpus it points into is not "
              f"at {shared_corpus()} (set VBPARSE_SHARED_CORPUS); the model will differ from models/",
              file=sys.stderr)
    meta_path = root / "CORPUS.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    files = [*files, docs_tsv, *( [meta_path] if meta_path.exists() else [])]
    return Corpus(labels, sections, docs, weak, meta, files)


# -- fitting -------------------------------------------------------------------------------------

def label_matrix(examples, labels: list[str]) -> np.ndarray:
    idx = {lab: i for i, lab in enumerate(labels)}
    Y = np.zeros((len(examples), len(labels)), dtype=np.int8)
    for r, ex in enumerate(examples):
        for lab in ex.labels:
            Y[r, idx[lab]] = 1
    return Y


def fit_ovr(X, Y: np.ndarray, c: float = C, class_weight=CLASS_WEIGHT, model: str = "lr"):
    """One binary model per label. Returns (coef (L, F), intercept (L,))."""
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # one BLAS thread: no contention, same arithmetic on every run
        return _fit_ovr(X, Y, c, class_weight, model, LogisticRegression)


def _fit_ovr(X, Y, c, class_weight, model, LogisticRegression):
    L = Y.shape[1]
    coef = np.zeros((L, X.shape[1]))
    bias = np.full(L, -8.0)
    for j in range(L):
        y = Y[:, j]
        if y.min() == y.max():  # no positive (or no negative) example in this fold
            bias[j] = 8.0 if y.min() == 1 else -8.0
            continue
        if model == "lr":
            clf = LogisticRegression(C=c, class_weight=class_weight, solver="lbfgs", max_iter=5000, tol=1e-6)
            clf.fit(X, y)
            coef[j], bias[j] = clf.coef_[0], clf.intercept_[0]
        else:
            raise ValueError(model)
    return coef, bias


def fit_texts(texts: list[str], Y: np.ndarray, c: float = C, class_weight=CLASS_WEIGHT, min_df: int = MIN_DF):
    vec = SpanVectorizer(min_df=min_df)
    X = vec.fit_transform(texts)
    coef, bias = fit_ovr(X, Y, c, class_weight)
    return vec, coef, bias


def export_arrays(vec: SpanVectorizer, coef: np.ndarray, bias: np.ndarray) -> tuple[dict, list[str]]:
    syl = vec.syllables_
    sid = {s: i for i, s in enumerate(syl)}
    S = len(syl)
    F = len(vec.vocabulary_)
    uni = np.full(S + 1, -1, dtype=np.int32)
    bk, bi = [], []
    for f, j in vec.vocabulary_.items():
        if f.startswith("u:"):
            uni[sid[f[2:]]] = j
        else:
            a, b = f[2:].split(" ")
            bk.append(sid[a] * S + sid[b])
            bi.append(j)
    order = np.argsort(np.array(bk, dtype=np.int64), kind="stable")
    bkeys = np.array(bk, dtype=np.int64)[order]
    bidx = np.array(bi, dtype=np.int32)[order]
    W = np.zeros((F + 1, coef.shape[0]), dtype=np.float32)
    W[:F] = np.round(coef.T * vec.idf_[:, None], 6)
    q = np.zeros(F + 1, dtype=np.float32)
    q[:F] = np.round(vec.idf_ ** 2, 6)
    arrays = {"uni": uni, "bkeys": bkeys, "bidx": bidx, "W": W, "q": q,
              "bias": np.round(bias, 6).astype(np.float32)}
    return arrays, syl


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """An .npz np.load reads, byte-identical for identical arrays (fixed zip timestamps)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name in sorted(arrays):
            b = io.BytesIO()
            np.save(b, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, b.getvalue())
    path.write_bytes(buf.getvalue())


# -- evaluation ----------------------------------------------------------------------------------

def prf(Y: np.ndarray, P: np.ndarray, labels: list[str]) -> dict:
    """Micro/macro F1 and per-label P/R/F1/support for 0/1 matrices (macro over labels with support)."""
    tp = (Y & P).sum(axis=0).astype(float)
    fp = ((1 - Y) & P).sum(axis=0).astype(float)
    fn = (Y & (1 - P)).sum(axis=0).astype(float)
    per = {}
    f1s = []
    for j, lab in enumerate(labels):
        p = tp[j] / (tp[j] + fp[j]) if tp[j] + fp[j] else 0.0
        r = tp[j] / (tp[j] + fn[j]) if tp[j] + fn[j] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        sup = int(Y[:, j].sum())
        per[lab] = {"p": p, "r": r, "f1": f, "support": sup}
        if sup:
            f1s.append(f)
    TP, FP, FN = tp.sum(), fp.sum(), fn.sum()
    mp = TP / (TP + FP) if TP + FP else 0.0
    mr = TP / (TP + FN) if TP + FN else 0.0
    micro = 2 * mp * mr / (mp + mr) if mp + mr else 0.0
    # rows without any label: share predicted empty (the "none" class)
    empty = Y.sum(axis=1) == 0
    none_acc = float((P[empty].sum(axis=1) == 0).mean()) if empty.any() else float("nan")
    return {"micro_f1": micro, "micro_p": mp, "micro_r": mr, "macro_f1": float(np.mean(f1s)) if f1s else 0.0,
            "none_acc": none_acc, "per_label": per, "n": int(len(Y))}


class _ArrayModel:
    """A fitted vectorizer+weights used for evaluation, scoring like model.py (checked by tests)."""

    def __init__(self, vec, coef, bias, labels):
        from .model import FORMAT, MovementModel

        arrays, syl = export_arrays(vec, coef, bias)
        self.m = MovementModel({"format": FORMAT, "labels": labels, "threshold": 0.5, "syllables": syl}, arrays)

    def section_probs(self, texts: list[str]) -> np.ndarray:
        # all texts in one call: join with blank lines and score the spans
        parts, spans, pos = [], [], 0
        for t in texts:
            parts.append(t)
            spans.append((pos, pos + len(t)))
            pos += len(t) + 2
        return self.m.score_spans("\n\n".join(parts), spans)

    def doc_parts(self, d: DocExample) -> tuple[np.ndarray, np.ndarray]:
        secs = d.sections
        front = [(0, secs[0][0])] if secs and secs[0][0] > 0 else []
        probs = self.m.score_spans(d.text, [(0, len(d.text))] + secs + front)
        return probs[0], probs[1:]


def _groups_folds(docs: list[str], k: int) -> dict[str, int]:
    """Deterministic fold of each doc id: docs sorted by a hash, dealt round-robin."""
    order = sorted(set(docs), key=lambda d: hashlib.sha256(d.encode()).hexdigest())
    return {d: i % k for i, d in enumerate(order)}


def _doc_probs(model: _ArrayModel, docs: list[DocExample]):
    wh, mx = [], []
    for d in docs:
        w, parts = model.doc_parts(d)
        wh.append(w)
        mx.append(parts.max(axis=0) if len(parts) else w)
    return np.array(wh), np.array(mx)


def cross_validate(corpus: Corpus, c: float = C, class_weight=CLASS_WEIGHT, use_weak: bool = True,
                   min_df: int = MIN_DF) -> dict:
    """Out-of-fold probabilities for train-split sections and docs (folds grouped by plan)."""
    labels = corpus.labels
    train_secs = [s for s in corpus.sections if s.split == "train"]
    train_docs = [d for d in corpus.docs if d.split == "train"]
    fold = _groups_folds([s.doc for s in train_secs] + [d.id for d in train_docs], FOLDS)
    L = len(labels)
    sec_p = np.zeros((len(train_secs), L))
    doc_w = np.zeros((len(train_docs), L))
    doc_m = np.zeros((len(train_docs), L))
    for k in range(FOLDS):
        tr = [s for s in train_secs if fold[s.doc] != k] + (corpus.weak if use_weak else [])
        m = _fit_model(tr, labels, c, class_weight, min_df)
        si = [i for i, s in enumerate(train_secs) if fold[s.doc] == k]
        if si:
            sec_p[si] = m.section_probs([train_secs[i].text for i in si])
        di = [i for i, d in enumerate(train_docs) if fold[d.id] == k]
        if di:
            w, x = _doc_probs(m, [train_docs[i] for i in di])
            doc_w[di], doc_m[di] = w, x
    return {"sec_y": label_matrix(train_secs, labels), "sec_p": sec_p,
            "doc_y": label_matrix(train_docs, labels), "doc_w": doc_w, "doc_m": doc_m}


def _fit_model(examples: list[Example], labels, c=C, class_weight=CLASS_WEIGHT, min_df=MIN_DF) -> _ArrayModel:
    vec, coef, bias = fit_texts([e.text for e in examples], label_matrix(examples, labels), c, class_weight, min_df)
    return _ArrayModel(vec, coef, bias, labels)


def choose(cv: dict, labels: list[str]) -> tuple[float, float]:
    """(threshold, doc whole-text weight) maximising mean CV micro-F1 of sections and docs."""
    best = None
    for t in THRESHOLDS:
        sec = prf(cv["sec_y"], (cv["sec_p"] >= t).astype(np.int8), labels)["micro_f1"]
        for a in DOC_WEIGHTS:
            dp = a * cv["doc_w"] + (1 - a) * cv["doc_m"]
            doc = prf(cv["doc_y"], (dp >= t).astype(np.int8), labels)["micro_f1"]
            score = (sec + doc) / 2
            key = (round(score, 6), -abs(t - 0.5), a)
            if best is None or key > best[0]:
                best = (key, t, a)
    return best[1], best[2]


def evaluate(corpus: Corpus, c: float = C, class_weight=CLASS_WEIGHT, use_weak: bool = True,
             min_df: int = MIN_DF, threshold: float | None = None, doc_weight: float | None = None) -> dict:
    labels = corpus.labels
    cv = cross_validate(corpus, c, class_weight, use_weak, min_df)
    t, a = choose(cv, labels)
    if threshold is not None:
        t = threshold
    if doc_weight is not None:
        a = doc_weight
    res = {"threshold": t, "doc_whole_weight": a}
    res["cv_sections"] = prf(cv["sec_y"], (cv["sec_p"] >= t).astype(np.int8), labels)
    res["cv_docs"] = prf(cv["doc_y"], ((a * cv["doc_w"] + (1 - a) * cv["doc_m"]) >= t).astype(np.int8), labels)
    train = [s for s in corpus.sections if s.split == "train"] + (corpus.weak if use_weak else [])
    m = _fit_model(train, labels, c, class_weight, min_df)
    test_secs = [s for s in corpus.sections if s.split == "test"]
    test_docs = [d for d in corpus.docs if d.split == "test"]
    sp = m.section_probs([s.text for s in test_secs])
    res["test_sections"] = prf(label_matrix(test_secs, labels), (sp >= t).astype(np.int8), labels)
    w, x = _doc_probs(m, test_docs)
    res["test_docs"] = prf(label_matrix(test_docs, labels), ((a * w + (1 - a) * x) >= t).astype(np.int8), labels)
    res["counts"] = {
        "sections_train": sum(s.split == "train" for s in corpus.sections),
        "sections_test": len(test_secs),
        "docs_train": sum(d.split == "train" for d in corpus.docs),
        "docs_test": len(test_docs),
        "weak": len(corpus.weak) if use_weak else 0,
    }
    return res


# -- the command's work --------------------------------------------------------------------------

def corpus_digest(files: list[Path]) -> str:
    h = hashlib.sha256()
    root = repo_root()
    for f in sorted(files):
        try:
            name = str(f.resolve().relative_to(root))
        except ValueError:
            name = f.name
        h.update(name.encode() + b"\0" + f.read_bytes() + b"\0")
    h.update((Path(__file__).parents[1] / "data" / "movements.tsv").read_bytes())
    return h.hexdigest()


def train(corpus_root: Path | None = None, out_dir: Path | None = None, report: bool = False) -> dict:
    """Fit on every hand-labelled section (train and test split) + weak examples; write models/.

    The threshold and the document mix come from cross-validation on the train split; the
    evaluation numbers (report=True) come from a model fitted on the train split only.
    """
    from .model import FORMAT, NAME

    corpus = load_corpus(corpus_root)
    labels = corpus.labels
    ev = evaluate(corpus)
    t, a = ev["threshold"], ev["doc_whole_weight"]
    final = [s for s in corpus.sections] + corpus.weak
    vec, coef, bias = fit_texts([e.text for e in final], label_matrix(final, labels))
    arrays, syl = export_arrays(vec, coef, bias)
    out = Path(out_dir) if out_dir is not None else repo_root() / "models"
    out.mkdir(parents=True, exist_ok=True)
    summary = {k: {m: round(ev[k][m], 4) for m in ("micro_f1", "macro_f1", "micro_p", "micro_r")}
               for k in ("cv_sections", "cv_docs", "test_sections", "test_docs")}
    meta = {
        "format": FORMAT,
        "name": NAME,
        "labels": labels,
        "threshold": t,
        "doc_whole_weight": a,
        "features": "syllable unigrams+bigrams, idf, occurrence-L2 norm (vbparse.classify.features)",
        "model": f"one-vs-rest logistic regression, C={C}, class_weight={CLASS_WEIGHT}",
        "training": {
            "corpus": corpus.meta,
            "corpus_sha256": corpus_digest(corpus.files),
            "date": corpus.meta.get("date"),
            "sections": len(corpus.sections),
            "docs": len(corpus.docs),
            "weak_examples": len(corpus.weak),
            "features": len(vec.vocabulary_),
            "syllables": len(syl),
            "evaluation": summary,
        },
        "syllables": syl,
    }
    npz = out / f"{NAME}.npz"
    write_npz(npz, arrays)
    (out / f"{NAME}.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                      encoding="utf-8")
    ev["files"] = [str(npz), str(out / f"{NAME}.json")]
    ev["size_bytes"] = npz.stat().st_size + (out / f"{NAME}.json").stat().st_size
    return ev


def format_report(ev: dict, per_label: bool = True) -> str:
    lines = []
    c = ev["counts"]
    lines.append(f"data: {c['sections_train']} train + {c['sections_test']} held-out sections, "
                 f"{c['docs_train']} train + {c['docs_test']} held-out documents, {c['weak']} weak examples (train only)")
    lines.append(f"threshold {ev['threshold']:.2f}; document score = {ev['doc_whole_weight']:.2f} x whole text + "
                 f"{1 - ev['doc_whole_weight']:.2f} x best section")
    lines.append("")
    lines.append(f"{'':28s} {'micro-F1':>9s} {'macro-F1':>9s} {'micro-P':>8s} {'micro-R':>8s} {'none-acc':>9s} {'n':>5s}")
    names = {"cv_sections": "sections, 5-fold CV (train)", "test_sections": "sections, held-out",
             "cv_docs": "documents, 5-fold CV (train)", "test_docs": "documents, held-out"}
    for k in ("cv_sections", "test_sections", "cv_docs", "test_docs"):
        r = ev[k]
        lines.append(f"{names[k]:28s} {r['micro_f1']:9.3f} {r['macro_f1']:9.3f} {r['micro_p']:8.3f} {r['micro_r']:8.3f} "
                     f"{r['none_acc']:9.3f} {r['n']:5d}")
    if per_label:
        lines.append("")
        lines.append(f"{'label (F1 / support)':30s} {'sec CV':>12s} {'sec held-out':>13s} {'doc CV':>12s} {'doc held-out':>13s}")
        for lab in ev["cv_sections"]["per_label"]:
            cells = []
            for k in ("cv_sections", "test_sections", "cv_docs", "test_docs"):
                pl = ev[k]["per_label"][lab]
                cells.append(f"{pl['f1']:.2f} /{pl['support']:3d}")
            lines.append(f"{lab:30s} {cells[0]:>12s} {cells[1]:>13s} {cells[2]:>12s} {cells[3]:>13s}")
    return "\n".join(lines)


# -- comparison of feature sets and models (docs/classifier.md; `vbparse train --compare`) -------

def _syllable_analyzer(text: str) -> list[str]:
    from .features import feature_occurrences

    return feature_occurrences(text)


def _configs() -> dict:
    """name -> (description, fit(texts, Y) -> predict(texts) -> probs)."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer

    from .features import underthesea_words

    def sk_lr(make_vec, prep=None, class_weight=CLASS_WEIGHT):
        def fit(texts, Y):
            vecs = make_vec()
            X = sparse.hstack([v.fit_transform([prep(t) if prep else t for t in texts]) for v in vecs]).tocsr()
            coef, bias = fit_ovr(X, Y, C, class_weight)

            def predict(tt):
                Xt = sparse.hstack([v.transform([prep(t) if prep else t for t in tt]) for v in vecs]).tocsr()
                return 1 / (1 + np.exp(-(Xt @ coef.T + bias)))
            return predict
        return fit

    def span_lr(class_weight=CLASS_WEIGHT):
        def fit(texts, Y):
            vec, coef, bias = fit_texts(texts, Y, C, class_weight)
            m = _ArrayModel(vec, coef, bias, [str(i) for i in range(Y.shape[1])])
            return m.section_probs
        return fit

    def span_svm():
        def fit(texts, Y):
            from sklearn.calibration import CalibratedClassifierCV
            from sklearn.svm import LinearSVC

            vec = SpanVectorizer(min_df=MIN_DF)
            X = vec.fit_transform(texts)
            models = []
            for j in range(Y.shape[1]):
                y = Y[:, j]
                if y.sum() < 3:
                    models.append(None)
                    continue
                clf = CalibratedClassifierCV(LinearSVC(C=1.0, class_weight="balanced", max_iter=20000),
                                             method="sigmoid", cv=3)
                models.append(clf.fit(X, y))

            def predict(tt):
                Xt = vec.transform(tt)
                out = np.zeros((len(tt), Y.shape[1]))
                for j, m in enumerate(models):
                    if m is not None:
                        out[:, j] = m.predict_proba(Xt)[:, 1]
                return out
            return predict
        return fit

    syl_tfidf = lambda: [TfidfVectorizer(analyzer=_syllable_analyzer, sublinear_tf=True)]  # noqa: E731
    syl_char = lambda: [TfidfVectorizer(analyzer=_syllable_analyzer, sublinear_tf=True),  # noqa: E731
                        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2,
                                        preprocessor=lambda s: __import__("vbparse.classify.features", fromlist=["normalize"]).normalize(s))]
    words = lambda: [TfidfVectorizer(token_pattern=r"\S+", ngram_range=(1, 2), sublinear_tf=True, lowercase=False)]  # noqa: E731
    return {
        "span-lr": ("syllable uni+bigrams, occurrence-L2 TF-IDF, LR (shipped)", span_lr(), True),
        "span-lr-noweak": ("same, without the weak taxonomy examples", span_lr(), False),
        "span-lr-unbalanced": ("same, without class weights", span_lr(None), True),
        "syl-tfidf-lr": ("syllable uni+bigrams, sklearn TF-IDF (sublinear tf, L2), LR", sk_lr(syl_tfidf), True),
        "syl+char-lr": ("syllable uni+bigrams + char_wb 2-5-grams, LR", sk_lr(syl_char), True),
        "uts-words-lr": ("underthesea word_tokenize words, uni+bigrams TF-IDF, LR", sk_lr(words, underthesea_words), True),
        "span-svm-cal": ("syllable uni+bigrams, LinearSVC + sigmoid calibration (3-fold)", span_svm(), True),
    }


def _eval_config(corpus: Corpus, fit, use_weak: bool) -> dict:
    labels = corpus.labels
    train_secs = [s for s in corpus.sections if s.split == "train"]
    train_docs = [d for d in corpus.docs if d.split == "train"]
    fold = _groups_folds([s.doc for s in train_secs] + [d.id for d in train_docs], FOLDS)
    weak = corpus.weak if use_weak else []

    def doc_probs(predict, docs):
        wh, mx = [], []
        for d in docs:
            front = [(0, d.sections[0][0])] if d.sections and d.sections[0][0] > 0 else []
            spans = [(0, len(d.text))] + d.sections + front
            p = predict([d.text[a:b] for a, b in spans])
            wh.append(p[0])
            mx.append(p[1:].max(axis=0) if len(p) > 1 else p[0])
        return np.array(wh), np.array(mx)

    L = len(labels)
    cv = {"sec_y": label_matrix(train_secs, labels), "sec_p": np.zeros((len(train_secs), L)),
          "doc_y": label_matrix(train_docs, labels), "doc_w": np.zeros((len(train_docs), L)),
          "doc_m": np.zeros((len(train_docs), L))}
    for k in range(FOLDS):
        tr = [s for s in train_secs if fold[s.doc] != k] + weak
        predict = fit([e.text for e in tr], label_matrix(tr, labels))
        si = [i for i, s in enumerate(train_secs) if fold[s.doc] == k]
        cv["sec_p"][si] = predict([train_secs[i].text for i in si])
        di = [i for i, d in enumerate(train_docs) if fold[d.id] == k]
        w, x = doc_probs(predict, [train_docs[i] for i in di])
        cv["doc_w"][di], cv["doc_m"][di] = w, x
    t, a = choose(cv, labels)
    tr = train_secs + weak
    predict = fit([e.text for e in tr], label_matrix(tr, labels))
    test_secs = [s for s in corpus.sections if s.split == "test"]
    test_docs = [d for d in corpus.docs if d.split == "test"]
    sp = predict([s.text for s in test_secs])
    w, x = doc_probs(predict, test_docs)
    return {
        "threshold": t, "doc_whole_weight": a,
        "cv_sections": prf(cv["sec_y"], (cv["sec_p"] >= t).astype(np.int8), labels),
        "cv_docs": prf(cv["doc_y"], ((a * cv["doc_w"] + (1 - a) * cv["doc_m"]) >= t).astype(np.int8), labels),
        "test_sections": prf(label_matrix(test_secs, labels), (sp >= t).astype(np.int8), labels),
        "test_docs": prf(label_matrix(test_docs, labels), ((a * w + (1 - a) * x) >= t).astype(np.int8), labels),
    }


def compare(corpus: Corpus | None = None, names: list[str] | None = None, log=print) -> list[tuple[str, str, dict]]:
    import time

    corpus = corpus or load_corpus()
    out = []
    for name, (desc, fit, weak) in _configs().items():
        if names and name not in names:
            continue
        t0 = time.perf_counter()
        r = _eval_config(corpus, fit, weak)
        r["seconds"] = time.perf_counter() - t0
        out.append((name, desc, r))
        log(format_compare_row(name, r))
    return out


def format_compare_row(name: str, r: dict) -> str:
    cells = " ".join(f"{r[k][m]:.3f}" for k in ("cv_sections", "test_sections", "cv_docs", "test_docs")
                     for m in ("micro_f1", "macro_f1"))
    return f"{name:20s} t={r['threshold']:.2f} a={r['doc_whole_weight']:.2f} {cells} ({r['seconds']:.0f}s)"


def heldout(corpus: Corpus | None = None, threshold: float = 0.5, doc_weight: float = 0.25) -> dict:
    """Held-out scores only (no cross-validation): fit on the train split, score the test split."""
    corpus = corpus or load_corpus()
    labels = corpus.labels
    m = _fit_model([s for s in corpus.sections if s.split == "train"] + corpus.weak, labels)
    test_secs = [s for s in corpus.sections if s.split == "test"]
    test_docs = [d for d in corpus.docs if d.split == "test"]
    sp = m.section_probs([s.text for s in test_secs])
    w, x = _doc_probs(m, test_docs)
    return {"test_sections": prf(label_matrix(test_secs, labels), (sp >= threshold).astype(np.int8), labels),
            "test_docs": prf(label_matrix(test_docs, labels),
                             ((doc_weight * w + (1 - doc_weight) * x) >= threshold).astype(np.int8), labels)}
