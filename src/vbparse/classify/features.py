"""Features of the movement classifier: syllable unigrams and bigrams, TF-IDF weighted.

One definition serves training and inference, so the two cannot drift apart:

- text is lower-cased and old-style tone placement is fixed (hoà -> hòa: the same length, so
  offsets into the source text stay valid);
- tokens are `\\w+` runs (Vietnamese syllables, numbers, symbol parts: "05-CT/TW" -> 05 ct tw);
- a *break* sits before the first token of a span and after sentence punctuation (. ; : ! ? ( ));
- each token gives the feature `u:<syllable>` and, unless a break precedes it, `b:<prev> <syllable>`;
- a span's vector is x_f = count_f * idf_f / sqrt(sum over the span's feature occurrences of idf^2).

That norm is the L2 norm when every feature occurs once, and it is a sum over token positions,
so the score of any span (a section, the front matter, the whole document) is a difference of
prefix sums: the model scores all sections of a plan in a handful of numpy operations, without
looping over sections and without running a word segmenter (see model.py).
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter

# Old-style tone placement -> new style (NFC, same length): hoà -> hòa, thuỷ -> thủy, khoẻ -> khỏe.
_TONES = {"\u0300": "grave", "\u0301": "acute", "\u0309": "hook", "\u0303": "tilde", "\u0323": "dot"}
_OLD_TONE: dict[str, str] = {}
for _base_pair in ("oa", "oe", "uy"):
    a, b = _base_pair
    for _mark in _TONES:
        old = a + unicodedata.normalize("NFC", b + _mark)
        new = unicodedata.normalize("NFC", a + _mark) + b
        if len(old) == len(new) == 2:
            _OLD_TONE[old] = new
# only at the end of a syllable: "hoàn" and "khuyến" are already right
_OLD_TONE_RE = re.compile(r"(?<!q)(" + "|".join(sorted(_OLD_TONE)) + r")(?!\w)")  # not "quý"

TOKEN_RE = re.compile(r"\w+|[.;:!?()]")
BREAKS = frozenset(".;:!?()")


def normalize(text: str) -> str:
    """NFC, lower case, new-style tone placement. Keeps the length when the input is NFC."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    low = text.lower()
    if len(low) != len(text):  # a character whose lower case is longer (rare: İ)
        low = "".join(ch.lower()[:1] or ch for ch in text)
    return _OLD_TONE_RE.sub(lambda m: _OLD_TONE[m.group(1)], low)


def raw_tokens(normalized: str) -> list[str]:
    """Syllables and break punctuation of an already normalized span, in order."""
    return TOKEN_RE.findall(normalized)


def feature_occurrences(text: str) -> list[str]:
    """Every feature occurrence of one span (training side; model.py does the same with arrays)."""
    out: list[str] = []
    prev: str | None = None
    for tok in raw_tokens(normalize(text)):
        if tok in BREAKS:
            prev = None
            continue
        out.append("u:" + tok)
        if prev is not None:
            out.append("b:" + prev + " " + tok)
        prev = tok
    return out


def syllables(text: str) -> list[str]:
    return [t for t in raw_tokens(normalize(text)) if t not in BREAKS]


class SpanVectorizer:
    """scikit-learn style vectorizer implementing the span features above (fit on training texts)."""

    def __init__(self, min_df: int = 2, max_features: int | None = None):
        self.min_df = min_df
        self.max_features = max_features

    def fit(self, texts: list[str]) -> "SpanVectorizer":
        import numpy as np

        df: Counter = Counter()
        syl: set[str] = set()
        for t in texts:
            occ = feature_occurrences(t)
            df.update(set(occ))
            syl.update(f[2:] for f in occ if f.startswith("u:"))
        feats = sorted(f for f, c in df.items() if c >= self.min_df)
        if self.max_features and len(feats) > self.max_features:
            feats = sorted(sorted(feats, key=lambda f: (-df[f], f))[: self.max_features])
        self.vocabulary_ = {f: i for i, f in enumerate(feats)}
        n = len(texts)
        self.idf_ = np.array([np.log((1 + n) / (1 + df[f])) + 1.0 for f in feats], dtype=np.float64)
        # every syllable seen in training: bigram keys are built from syllable ids at inference
        self.syllables_ = sorted(syl)
        return self

    def transform(self, texts: list[str]):
        import numpy as np
        from scipy import sparse

        rows, cols, vals = [], [], []
        voc, idf = self.vocabulary_, self.idf_
        for r, t in enumerate(texts):
            counts = Counter(voc[f] for f in feature_occurrences(t) if f in voc)
            if not counts:
                continue
            norm = np.sqrt(sum(c * idf[j] ** 2 for j, c in counts.items()))
            for j, c in sorted(counts.items()):
                rows.append(r)
                cols.append(j)
                vals.append(c * idf[j] / norm)
        return sparse.csr_matrix((vals, (rows, cols)), shape=(len(texts), len(voc)), dtype=np.float64)

    def fit_transform(self, texts: list[str]):
        return self.fit(texts).transform(texts)


# --------------------------------------------------------------------------------------------
# Alternative feature set compared in docs/classifier.md (not used at inference): words from
# underthesea's segmenter (Apache-2.0 from 9.3 on), joined with "_", as uni- and bigrams.

def underthesea_words(text: str) -> str:
    from underthesea import word_tokenize

    out = []
    for line in normalize(text).splitlines():
        line = line.strip()
        if line:
            out.append(" ".join(w.replace(" ", "_") for w in word_tokenize(line)))
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Rough top-level section split, for texts that come without parsed sections (spaCy component,
# whole-plan training examples). The parser's own sections are used whenever they exist.
_MARKER = re.compile(r"(?m)^[ \t*#]*(?:[IVX]{1,5}\.|\d{1,2}(?:\.\d{1,2})*\.?|[a-zđ]\))[ \t*]")


def rough_sections(text: str) -> list[tuple[int, int]]:
    starts = [m.start() for m in _MARKER.finditer(text)]
    end = len(text)
    return [(s, starts[i + 1] if i + 1 < len(starts) else end) for i, s in enumerate(starts)]
