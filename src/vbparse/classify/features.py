"""Features of the movement classifier: syllable unigrams and bigrams, TF-IDF weighted.

One definition serves training and inference, so the two cannot drift apart:

- text is NFC and lower-cased; each syllable's old-style tone placement is fixed (hoà -> hòa);
- tokens are whitespace-separated words stripped of leading/trailing punctuation (Vietnamese
  syllables, numbers, symbols: "05-CT/TW" -> 05-ct/tw, "“Lao" -> lao);
- a *break* sits before the first token of a span, at sentence punctuation (. ; : ! ? ( ) …)
  before or after a token, and at a token that is punctuation only ("-", "+", "…");
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

# Old-style tone placement -> new style, per syllable: hoà -> hòa, thuỷ -> thủy, khoẻ -> khỏe
# (not after "q": "quý" is right). Applied to tokens, never to the text, so offsets never move;
# at inference model.py adds the old spellings of known syllables as aliases instead.
_TONE_MARKS = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
NEW_OF_OLD: dict[str, str] = {}
for _pair in ("oa", "oe", "uy"):
    for _mark in _TONE_MARKS:
        _old = _pair[0] + unicodedata.normalize("NFC", _pair[1] + _mark)
        _new = unicodedata.normalize("NFC", _pair[0] + _mark) + _pair[1]
        NEW_OF_OLD[_old] = _new
OLD_OF_NEW = {v: k for k, v in NEW_OF_OLD.items()}

TOKEN_RE = re.compile(r"\w+|[.;:!?()]")  # used by the alternative feature sets only
BREAKS = frozenset(".;:!?()…")
_EDGES = re.compile(r"(\W*)(.*?)(\W*)", re.S)


def split_token(w: str) -> tuple[str | None, bool, bool]:
    """A whitespace token -> (core, break before, break after). The core is the token without
    leading/trailing punctuation ("“lao" -> "lao", "2021);" -> "2021", "05-ct/tw" stays whole);
    None when the token is punctuation only, then `break before` says whether it breaks."""
    lead, core, trail = _EDGES.fullmatch(w).groups()
    bb = any(c in BREAKS for c in lead)
    if not core:
        return None, bb, bb
    return fix_tone(core), bb, any(c in BREAKS for c in trail)


def fix_tone(tok: str) -> str:
    tail = tok[-2:]
    if tail in NEW_OF_OLD and not tok[-3:-2] == "q":
        return tok[:-2] + NEW_OF_OLD[tail]
    return tok


def old_tone(tok: str) -> str | None:
    """The old-style spelling of a new-style syllable, or None (inverse of fix_tone)."""
    tail = tok[-2:]
    if tail in OLD_OF_NEW and not tok[-3:-2] == "q":
        return tok[:-2] + OLD_OF_NEW[tail]
    return None


def normalize(text: str) -> str:
    """NFC and lower case (same length as the input when that is NFC)."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    low = text.lower()
    if len(low) != len(text):  # a character whose lower case is longer (rare: İ)
        low = "".join(ch.lower()[:1] or ch for ch in text)
    return low


def feature_occurrences(text: str) -> list[str]:
    """Every feature occurrence of one span (training side; model.py does the same with arrays)."""
    out: list[str] = []
    prev: str | None = None
    for w in normalize(text).split():
        core, bb, ba = split_token(w)
        if core is None or bb:  # punctuation on its own ("-", "...", "+") also breaks
            prev = None
        if core is None:
            continue
        out.append("u:" + core)
        if prev is not None:
            out.append("b:" + prev + " " + core)
        prev = None if ba else core
    return out


def syllables(text: str) -> list[str]:
    return [f[2:] for f in feature_occurrences(text) if f.startswith("u:")]


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
