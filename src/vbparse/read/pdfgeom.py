"""Geometry of a PDF page for the layout code: words, lines on a baseline, pages, the body
frame (margins, font size, usual line gap), and the running headers/footers to drop.

Words come from pdfplumber (pdf.py) or from Tesseract's boxes (ocr.py); everything after this
module works on both alike. Thresholds are in units of the body font size.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from statistics import median

from .blocks import Run

PAGE_NUMBER = re.compile(r"^[-–]?\s*(?:Trang\s*)?\d{1,4}(?:\s*/\s*\d{1,4})?\s*[-–]?$", re.I)


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool = False
    italic: bool = False
    glue: bool = True  # may join a touching neighbour without a space (False for OCR boxes)


@dataclass
class Line:
    words: list[Word]
    page: int

    def __post_init__(self) -> None:
        self.words.sort(key=lambda w: w.x0)
        self.x0 = min(w.x0 for w in self.words)
        self.x1 = max(w.x1 for w in self.words)
        self.top = min(w.top for w in self.words)
        self.bottom = max(w.bottom for w in self.words)
        self.size = median(w.size for w in self.words)

    @cached_property
    def text(self) -> str:
        return "".join(t for t, _ in self.runs()).rstrip()

    @property
    def bold(self) -> bool:
        # Most characters, not all: Word/LibreOffice often set a heading's "2." label regular.
        n = sum(len(w.text) for w in self.words)
        return sum(len(w.text) for w in self.words if w.bold) * 2 > n

    @property
    def style(self) -> tuple[bool, bool]:
        n = sum(len(w.text) for w in self.words)
        return self.bold, sum(len(w.text) for w in self.words if w.italic) * 2 > n

    def runs(self) -> list[Run]:
        """Words with the space that follows each. Touching words get none: pdfplumber splits a
        word where the font changes ("1" in the label font + "." in the text font)."""
        out: list[Run] = []
        for w, nxt in zip(self.words, self.words[1:] + [None]):
            touching = nxt is not None and w.glue and nxt.x0 - w.x1 < 0.12 * min(w.size, nxt.size)
            out.append((w.text if touching else w.text + " ", w.bold))
        return out


@dataclass
class TableItem:
    rows: list[list[str]]
    top: float
    page: int


@dataclass
class Page:
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    tables: list[TableItem] = field(default_factory=list)


def make_lines(words: list[Word], page: int) -> list[Line]:
    """Group words sharing a baseline: same vertical middle within 0.45 of the font size."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: ((w.top + w.bottom) / 2, w.x0)):
        mid = (w.top + w.bottom) / 2
        if lines:
            first = lines[-1][0]
            if abs(mid - (first.top + first.bottom) / 2) < 0.45 * min(first.size, w.size):
                lines[-1].append(w)
                continue
        lines.append([w])
    return [Line(ws, page) for ws in lines]


def line_text(lines: list[Line]) -> str:
    """Join wrapped lines: a space, or nothing after a symbol broken at its hyphen ("QĐ-|UBND")."""
    out = ""
    for ln in lines:
        t = ln.text
        out = t if not out else out + ("" if _hyphen_break(out) else " ") + t
    return out


def _hyphen_break(text: str) -> bool:
    last = text.rsplit(" ", 1)[-1]
    return len(last) > 1 and last.endswith("-") and last[-2].isalnum()


def join_runs(lines: list[Line]) -> list[Run]:
    runs: list[Run] = []
    for ln in lines:
        if runs and _hyphen_break(runs[-1][0].rstrip()):
            runs[-1] = (runs[-1][0].rstrip(), runs[-1][1])
        runs.extend(ln.runs())
    return runs


# ------------------------------------------------------------------ running headers/footers

def _norm(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower()).strip()


def drop_running(pages: list[Page]) -> int:
    """Remove page numbers and text repeated at the top/bottom of pages; return how many lines."""
    cands: list[tuple[Page, Line]] = []
    for p in pages:
        ls = sorted(p.lines, key=lambda ln: ln.top)
        edge = ls[:2] + ls[-2:] if len(ls) > 4 else ls
        for ln in edge:
            if ln.top < 0.14 * p.height or ln.bottom > 0.86 * p.height:
                cands.append((p, ln))
    seen: dict[str, set[int]] = {}
    for p, ln in cands:
        seen.setdefault(_norm(ln.text), set()).add(id(p))
    need = 2 if len(pages) <= 3 else max(2, int(0.4 * len(pages)))
    dropped = 0
    for p, ln in cands:
        if PAGE_NUMBER.match(ln.text) or len(seen[_norm(ln.text)]) >= need:
            if ln in p.lines:
                p.lines.remove(ln)
                dropped += 1
    return dropped


# ------------------------------------------------------------------ geometry of the body

@dataclass
class Frame:
    left: float
    right: float
    size: float
    gap: float  # usual space between two lines of one paragraph

    @property
    def center(self) -> float:
        return (self.left + self.right) / 2

    def full(self, ln: Line) -> bool:
        return ln.x1 >= self.right - 2.5 * self.size

    def centered(self, ln: Line) -> bool:
        lm, rm = ln.x0 - self.left, self.right - ln.x1
        return lm > 0.8 * self.size and rm > 0.8 * self.size and abs(lm - rm) < max(2 * self.size, 0.08 * (self.right - self.left))


def frame(pages: list[Page]) -> Frame:
    lines = [ln for p in pages for ln in p.lines]
    if not lines:
        return Frame(0, 1, 12, 3)
    x0s = sorted(ln.x0 for ln in lines)
    x1s = sorted(ln.x1 for ln in lines)
    size = median(w.size for ln in lines for w in ln.words)
    gaps = []
    for p in pages:
        ls = sorted(p.lines, key=lambda ln: ln.top)
        gaps += [b.top - a.bottom for a, b in zip(ls, ls[1:]) if 0 <= b.top - a.bottom < 3 * size]
    return Frame(x0s[len(x0s) // 10], x1s[(len(x1s) * 9) // 10], size, median(gaps) if gaps else 0.3 * size)


def wraps(prev: Line, nxt: Line, right: float, size: float) -> bool:
    """Would nxt's first word have fitted after prev within `right`? If not, prev was wrapped
    (the exact test for ragged text; justified lines pass trivially)."""
    w = nxt.words[0]
    return prev.x1 + 0.3 * size + (w.x1 - w.x0) > right - 0.3 * size
