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

import regex

# Whitespace and markup that carries no words: runs of it become one space (or nothing when
# it has no whitespace in it, e.g. "**1**." -> "1.").
_NOISE = regex.compile(
    r"""
    (?: [ \t\r\n\f\v\u00a0\u2028\u2029\u200b]     # whitespace, incl. NBSP and zero-width
      | \*+ | _{2,} | (?<![\w/])\#{1,6}(?=\s)     # markdown emphasis and heading marks
      | \|                                        # table cell walls of converted headers
      | (?<=\n)[ \t]*(?:-\s*)?(?:Trang\s+)?\d{1,3}(?:\s*/\s*\d{1,3})?(?:\s*-)?[ \t]*(?=\n)  # page numbers
    )+
    """,
    regex.X,
)
_QUOTES = {"“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'", "‛": "'"}
_QUOTE_RE = regex.compile("[" + "".join(_QUOTES) + "]")
# A syllable repeated across a page break: "thi\n\nthi đua" (two or more newlines between).
_REPEAT = regex.compile(r"\b(\p{L}+)[ \t]*\n(?:[ \t]*\n)+[ \t]*\1\b")


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

    def source_of(self, cstart: int, cend: int) -> str:
        s, e = self.to_source(cstart, cend)
        return self.text[s:e]


def build_view(text: str) -> TextView:
    cstarts: list[int] = []
    sstarts: list[int] = []
    send: list[int] = []
    verbatim: list[bool] = []
    out: list[str] = []
    clen = 0

    def copy(a: int, b: int) -> None:
        nonlocal clen
        if b <= a:
            return
        cstarts.append(clen)
        sstarts.append(a)
        send.append(b)
        verbatim.append(True)
        out.append(text[a:b])
        clen += b - a

    def replace(a: int, b: int, rep: str) -> None:
        nonlocal clen
        if not rep:
            return
        cstarts.append(clen)
        sstarts.append(a)
        send.append(b)
        verbatim.append(False)
        out.append(rep)
        clen += len(rep)

    # Regions of the source to replace: words repeated across a page break, then noise runs.
    # Overlapping regions merge, so the map stays monotonic.
    regions: list[list] = [[m.end(1), m.end(), " "] for m in _REPEAT.finditer(text)]
    for m in _NOISE.finditer(text):
        chunk = m.group()
        # digits here can only be a page-number line (the pattern anchors them between newlines)
        spacey = any(ch.isspace() or ch == "|" or ch.isdigit() for ch in chunk)
        regions.append([m.start(), m.end(), " " if spacey else ""])
    regions.sort()
    merged: list[list] = []
    for r in regions:
        if merged and r[0] < merged[-1][1]:
            last = merged[-1]
            last[1] = max(last[1], r[1])
            last[2] = " " if (last[2] or r[2]) else ""
        else:
            merged.append(r)
    pos = 0
    for a, b, rep in merged:
        _emit(text, pos, a, copy, replace)
        if rep and not (out and out[-1].endswith(" ")):
            replace(a, b, rep)
        pos = b
    _emit(text, pos, len(text), copy, replace)
    return TextView(text, "".join(out), cstarts, sstarts, verbatim, send)


def _emit(text: str, a: int, b: int, copy, replace) -> None:
    """Copy text[a:b] verbatim except curly quotes, which become straight ones."""
    if b <= a:
        return
    pos = a
    for m in _QUOTE_RE.finditer(text, a, b):
        copy(pos, m.start())
        replace(m.start(), m.end(), _QUOTES[m.group()])
        pos = m.end()
    copy(pos, b)


_FOLD = str.maketrans({"đ": "d", "Đ": "D"})


def fold(s: str) -> str:
    """Lowercase, strip diacritics (đ -> d too): the key for tolerant comparisons."""
    import unicodedata

    s = unicodedata.normalize("NFD", s.translate(_FOLD))
    return "".join(ch for ch in s if not unicodedata.combining(ch)).lower()


def squash(s: str) -> str:
    """Markup removed, quotes unified, whitespace runs folded: text as a reader sees it."""
    return build_view(s).clean.strip()
