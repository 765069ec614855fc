"""The NFC source text, a cleaned view of it for matching, and the offset map between them.

Finders match on `clean` (markup gone, quotes unified, whitespace runs, page numbers and page
breaks folded to one space, a word repeated across a page break dropped) and report spans in
`text`, the NFC source, through `to_source()`. Like eyecite's SpanUpdater, the map is a list
of pieces: each clean piece is either a verbatim copy of a source range (offsets shift
linearly) or a replacement (its characters all map onto the replaced source range).
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

import re

import regex

# Whitespace and markup that carries no words: runs of it become one space (or nothing when
# it has no whitespace in it, e.g. "**1**." -> "1.").
# Within a line: runs of tabs, NBSPs, double spaces and markdown marks. `re`, not `regex`: no
# Unicode properties are needed, and it only runs on the few lines that contain such marks.
_LINE_NOISE = re.compile(r"(?:[\t\r\f\v\u00a0\u2028\u2029\u200b*|]|__|(?<![\w/])#(?=[#\s])|  )[ \t\r\f\v\u00a0\u2028\u2029\u200b*|_#]*")
_NEEDS_CLEANING = re.compile(r"[\t*|#\u00a0\r\u200b\f\v\u2028\u2029]|  |__")
_PAGE_NUMBER = re.compile(r"(?:-\s*)?(?:Trang\s+)?\d{1,3}(?:\s*/\s*\d{1,3})?(?:\s*-)?")
_EMPTY_CHARS = " \t\r\f\v*|_#-\u00a0\u200b"
_QUOTES = {"“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'", "‛": "'"}


@dataclass
class TextView:
    text: str
    clean: str
    _cstarts: list[int]
    _sstarts: list[int]
    _verbatim: list[bool]
    _send: list[int]

    def to_source(self, cstart: int, cend: int) -> tuple[int, int]:
        """Clean [cstart, cend) -> source [start, end), trimmed to non-space source characters."""
        if cend <= cstart:
            s = self._map_start(cstart)
            return s, s
        start, end = self._map_start(cstart), self._map_end(cend)
        text = self.text
        while start < end and text[start] in " \t\r\n*|":
            start += 1
        while end > start and text[end - 1] in " \t\r\n*|":
            end -= 1
        return start, end

    def _map_start(self, c: int) -> int:
        i = bisect_right(self._cstarts, c) - 1
        if i < 0:
            return 0
        if self._verbatim[i]:
            return self._sstarts[i] + (c - self._cstarts[i])
        return self._sstarts[i] if c == self._cstarts[i] else self._send[i]

    def _map_end(self, c: int) -> int:
        # End of the source range of the clean character at c-1.
        i = bisect_right(self._cstarts, c - 1) - 1
        if i < 0:
            return 0
        if self._verbatim[i]:
            return self._sstarts[i] + (c - self._cstarts[i])
        return self._send[i]

    def to_clean(self, src_offset: int) -> int:
        """Smallest clean offset whose source position is >= src_offset (the map is monotonic)."""
        i = bisect_right(self._sstarts, src_offset) - 1
        if i >= 0 and src_offset < self._send[i]:
            if self._verbatim[i]:
                return self._cstarts[i] + (src_offset - self._sstarts[i])
            return self._cstarts[i]
        j = i + 1
        return self._cstarts[j] if j < len(self._cstarts) else len(self.clean)


def build_view(text: str) -> TextView:
    """Build the clean view line by line: most lines are already clean and are copied whole."""
    qtext = text
    for q, rep in _QUOTES.items():  # curly -> straight quotes, char for char: offsets hold
        if q in qtext:
            qtext = qtext.replace(q, rep)
    cstarts: list[int] = []
    sstarts: list[int] = []
    send: list[int] = []
    verbatim: list[bool] = []
    out: list[str] = []
    clen = 0
    pos = 0
    prev_end = -1  # source end of the last emitted content; -1 before any
    prev_word = ""  # last word of the previous content line
    broken = False  # a blank line or page number lies between the previous content and here
    for line in qtext.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if not line.strip(_EMPTY_CHARS):
            broken = broken or prev_end >= 0
            continue
        a = start + (len(line) - len(line.lstrip(" \t\u00a0*|#_")))
        b = start + len(line.rstrip(" \t\u00a0*|_\r"))
        if b <= a:
            broken = broken or prev_end >= 0
            continue
        body = qtext[a:b]
        if len(body) < 14 and (broken or prev_end < 0) and _PAGE_NUMBER.fullmatch(body):
            broken = True  # a page number alone on its line, between blank lines
            continue
        if broken and prev_word:
            # a word repeated across a page break ("thi\n\nthi đua"): drop the second copy
            k = 0
            while k < len(body) and body[k].isalpha():
                k += 1
            if k and body[:k] == prev_word and (k == len(body) or not body[k].isalnum()):
                a += k
                while a < b and qtext[a] == " ":
                    a += 1
                body = qtext[a:b]
                if not body:
                    continue
        if prev_end >= 0:  # the line break(s) before this line become one space
            cstarts.append(clen); sstarts.append(prev_end); send.append(a); verbatim.append(False)
            out.append(" "); clen += 1
        if _NEEDS_CLEANING.search(body):
            p = a
            for m in _LINE_NOISE.finditer(qtext, a, b):
                ma, mb = m.span()
                if ma > p:
                    cstarts.append(clen); sstarts.append(p); send.append(ma); verbatim.append(True)
                    out.append(qtext[p:ma]); clen += ma - p
                chunk = qtext[ma:mb]
                # pure emphasis between letters vanishes ("**1**." -> "1."); whitespace becomes one space
                if chunk.strip("*_#") and (not out or not out[-1].endswith(" ")):
                    cstarts.append(clen); sstarts.append(ma); send.append(mb); verbatim.append(False)
                    out.append(" "); clen += 1
                p = mb
            if b > p:
                cstarts.append(clen); sstarts.append(p); send.append(b); verbatim.append(True)
                out.append(qtext[p:b]); clen += b - p
        else:
            cstarts.append(clen); sstarts.append(a); send.append(b); verbatim.append(True)
            out.append(body); clen += b - a
        prev_end = b
        k = len(body)
        while k > 0 and body[k - 1].isalpha():
            k -= 1
        prev_word = body[k:]
        broken = False
    return TextView(text, "".join(out), cstarts, sstarts, verbatim, send)


def _fold_table() -> dict[int, str]:
    import unicodedata

    table = {ord("đ"): "d", ord("Đ"): "D"}
    for cp in list(range(0x00C0, 0x0250)) + list(range(0x1E00, 0x1F00)):
        base = "".join(c for c in unicodedata.normalize("NFD", chr(cp)) if not unicodedata.combining(c))
        if base and base != chr(cp) and len(base) == 1:
            table[cp] = base
    for cp in range(0x0300, 0x0370):  # stray combining marks (NFD input) vanish
        table[cp] = None
    return table


_FOLD_TABLE = _fold_table()


def fold(s: str) -> str:
    """Lowercase, strip diacritics (đ -> d too): the key for tolerant comparisons.

    A precomputed table, not NFD + filter: this runs on every cell and name the finders compare.
    On NFC input each character maps to one character, so folded offsets equal source offsets."""
    return s.translate(_FOLD_TABLE).lower()
