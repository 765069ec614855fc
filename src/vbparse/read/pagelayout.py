"""Positioned words (from pdfplumber or Tesseract) -> reading-order blocks.

Why geometry and not pdfplumber's extract_text(): the two-column header comes out of
extract_text() as "LIÊN ĐOÀN LAO ĐỘNG TỈNH Số: 129/KH-LĐLĐ" (packages.md §3b), page numbers and
running footers land inside sentences, and every wrapped line stays a line. Here:
  1. words -> lines (same baseline), tables (ruled cells) kept apart;
  2. running headers/footers and page numbers dropped (top/bottom lines repeated over pages);
  3. two-column zones (header; "Nơi nhận" beside the signature) found from a wide gutter and
     read column by column; the header is put back as issuer, motto, "Số:", place-date;
  4. the other lines become paragraphs (vertical gap, indent, list marker, short last line,
     bold change) that continue across page breaks; centred lines stay lines (the title).
All thresholds are in units of the body font size, so they hold for 11-14 pt documents.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from statistics import median

from .blocks import MOTTO_LINE, NUMBER_LINE, RULE_LINE, Block, Lines, Para, Run, Table, header_blocks, is_header_text, starts_item

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

    @property
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


# ------------------------------------------------------------------ two-column zones

def segments(ln: Line, size: float) -> list[list[Word]]:
    """Split a line at gaps wide enough to be a column gutter: wider than 1.5 em, or 0.8 em
    where the font changes across the gap (header columns typed with tabs), and always wider
    than 2.5 times the line's narrowest gap, so a loose justified line stays whole."""
    gaps = [b.x0 - a.x1 for a, b in zip(ln.words, ln.words[1:])]
    floor = 2.5 * min(gaps) if len(gaps) > 1 else 0.0
    segs = [[ln.words[0]]]
    for g, a, w in zip(gaps, ln.words, ln.words[1:]):
        style_change = a.bold != w.bold or a.italic != w.italic or abs(a.size - w.size) > 0.5
        if g > floor and (g > 1.5 * size or (style_change and g > 0.8 * size)):
            segs.append([w])
        else:
            segs[-1].append(w)
    return segs


def wraps(prev: Line, nxt: Line, right: float, size: float) -> bool:
    """Would nxt's first word have fitted after prev within `right`? If not, prev was wrapped
    (the exact test for ragged text; justified lines pass trivially)."""
    w = nxt.words[0]
    return prev.x1 + 0.3 * size + (w.x1 - w.x0) > right - 0.3 * size


def _seed(ln: Line, fr: Frame) -> tuple[float, float] | None:
    segs = segments(ln, fr.size)
    if len(segs) != 2:
        return None
    lo, hi = segs[0][-1].x1, segs[1][0].x0
    spans_body = segs[0][0].x0 <= fr.left + fr.size and segs[1][-1].x1 >= fr.right - fr.size
    if spans_body and len(ln.words) < 4 and hi - lo < 5 * fr.size:
        return None  # too few words to tell a loose justified line from two columns
    return lo, hi


def _fits(ln: Line, gutter: tuple[float, float], fr: Frame) -> bool:
    lo, hi = gutter
    tol = 0.5 * fr.size
    for seg in segments(ln, fr.size):
        x0, x1 = seg[0].x0, seg[-1].x1
        if x1 <= hi + tol or x0 >= lo - tol:
            mid = (x0 + x1) / 2
            if x0 < fr.center < x1 and abs(mid - fr.center) < 1.5 * fr.size:
                return False  # a page-centred line (the title), whatever the gutter says
            continue
        return False
    return True


def find_zones(lines: list[Line], fr: Frame) -> list[tuple[int, int, tuple[float, float]]]:
    """(start, end_exclusive, gutter) of each two-column run of lines on one page."""
    zones = []
    i = 0
    while i < len(lines):
        gutter = _seed(lines[i], fr)
        if gutter is None:
            i += 1
            continue
        start, end = i, i + 1
        while start > (zones[-1][1] if zones else 0):
            prev = lines[start - 1]
            if not _fits(prev, gutter, fr) or lines[start].top - prev.bottom > fr.gap + 1.5 * fr.size:
                break
            if start >= 2 and fr.full(lines[start - 2]) and lines[start - 2].x0 <= fr.left + fr.size:
                break  # prev is the short last line of a body paragraph, not a column line
            start -= 1
        while end < len(lines):
            nxt = lines[end]
            if not _fits(nxt, gutter, fr) or nxt.top - lines[end - 1].bottom > fr.gap + 1.5 * fr.size:
                break
            g = _seed(nxt, fr)
            if g:
                gutter = (max(gutter[0], g[0]), min(gutter[1], g[1])) if g[0] < gutter[1] else gutter
            end += 1
        zones.append((start, end, gutter))
        i = end
    return zones


def split_columns(lines: list[Line], gutter: tuple[float, float], fr: Frame) -> tuple[list[Line], list[Line]]:
    left: list[Line] = []
    right: list[Line] = []
    for ln in lines:
        for seg in segments(ln, fr.size):
            target = left if seg[-1].x1 <= gutter[1] + 0.5 * fr.size else right
            target.append(Line(list(seg), ln.page))
    return left, right


def join_wrapped(col: list[Line], cell: tuple[float, float], size: float) -> list[list[Line]]:
    """Column lines -> logical lines: a line its cell wrapped continues on the next line of the
    same style unless it ends an item ("LIÊN ĐOÀN LAO ĐỘNG TỈNH | THÁI BÌNH" is one line)."""
    width = cell[1] - cell[0]
    out: list[list[Line]] = []
    for ln in col:
        if RULE_LINE.match(ln.text):
            continue
        if out:
            prev = out[-1][-1]
            # Cells centre their lines: the wrap test uses the width the pair would need.
            need = (prev.x1 - prev.x0) + 0.3 * size + (ln.words[0].x1 - ln.words[0].x0)
            wrapped = need > 0.9 * width or ln.text[:1].islower()
            ends = prev.text.rstrip()[-1:] in ";:."
            new_item = ln.text.startswith(("-", "+", "•")) or NUMBER_LINE.match(ln.text) or MOTTO_LINE.match(ln.text)
            # A wrapped line is at least as wide as its remainder; two short header lines are not.
            wider = prev.x1 - prev.x0 >= ln.x1 - ln.x0
            if prev.style == ln.style and wrapped and wider and not ends and not new_item:
                out[-1].append(ln)
                continue
        out.append([ln])
    return out


def zone_blocks(lines: list[Line], gutter: tuple[float, float], fr: Frame, header: bool) -> list[Block]:
    left, right = split_columns(lines, gutter, fr)
    lo = min([fr.left] + [ln.x0 for ln in lines])
    hi = max([fr.right] + [ln.x1 for ln in lines])
    mid = (gutter[0] + gutter[1]) / 2
    lcol = [join_runs(g) for g in join_wrapped(left, (lo, mid), fr.size)]
    rcol = [join_runs(g) for g in join_wrapped(right, (mid, hi), fr.size)]
    if not header:
        return [Lines(lcol), Lines(rcol)]
    return header_blocks(lcol, rcol)


def is_header_zone(lines: list[Line]) -> bool:
    return any(is_header_text(t) for ln in lines for t in [ln.text] + [" ".join(w.text for w in s) for s in segments(ln, ln.size)])


# ------------------------------------------------------------------ paragraphs

def _continues(prev: Line, ln: Line, para: list[Line], fr: Frame) -> bool:
    if ln.page == prev.page and ln.top - prev.bottom > fr.gap + 0.6 * fr.size:
        return False
    if starts_item(ln.text):
        return False
    # No rule on bold changes: inline bold (a cited resolution) runs over whole lines.
    if not (fr.full(prev) or wraps(prev, ln, fr.right, fr.size) or ln.text[:1].islower()):
        return False  # the short last line of a paragraph
    if ln.x0 > prev.x0 + 0.6 * fr.size:
        first = para[0]
        hanging = starts_item(first.text) and len(first.words) > 1 and abs(ln.x0 - first.words[1].x0) < 0.6 * fr.size
        if not hanging:
            return False  # first-line indent of a new paragraph
    return True


def _symmetric(ln: Line, fr: Frame) -> bool:
    """A wide centred line (a title line nearly as wide as the page): equal, non-zero margins."""
    lm, rm = ln.x0 - fr.left, fr.right - ln.x1
    return lm > 0.2 * fr.size and rm > 0.2 * fr.size and abs(lm - rm) < 1.5 * fr.size


def assemble(pages: list[Page], fr: Frame) -> list[Block]:
    """Pages (lines, tables) -> blocks in reading order; paragraphs run across page breaks."""
    blocks: list[Block] = []
    para: list[Line] = []
    centred = False
    header_done = False

    def flush() -> None:
        nonlocal para
        if para:
            # Lines sharing a left edge are an indented left-aligned block, not a centred title.
            aligned = len(para) > 1 and all(abs(a.x0 - b.x0) < 0.3 * fr.size for a, b in zip(para, para[1:]))
            blocks.append(Lines([ln.runs() for ln in para]) if centred and not aligned else Para(join_runs(para)))
        para = []

    for pno, page in enumerate(pages):
        lines = sorted(page.lines, key=lambda ln: ln.top)
        zones = {s: (e, g) for s, e, g in find_zones(lines, fr)}
        items: list[tuple[float, object]] = []
        i = 0
        while i < len(lines):
            if i in zones:
                e, g = zones[i]
                items.append((lines[i].top, ("zone", lines[i:e], g)))
                i = e
            else:
                items.append((lines[i].top, lines[i]))
                i += 1
        items += [(t.top, t) for t in page.tables]
        items.sort(key=lambda it: it[0])
        for k, (_, item) in enumerate(items):
            if isinstance(item, tuple):
                flush()
                zl, g = item[1], item[2]
                header = not header_done and pno == 0 and is_header_zone(zl)
                header_done = header_done or header
                blocks.extend(zone_blocks(zl, g, fr, header))
                continue
            if isinstance(item, TableItem):
                flush()
                prev = blocks[-1] if blocks else None
                if isinstance(prev, Table) and k == 0 and pno > 0:  # the table goes on over the page break
                    repeated = item.rows and prev.rows and item.rows[0] == prev.rows[0]
                    prev.rows.extend(item.rows[1:] if repeated else item.rows)
                else:
                    blocks.append(Table([list(r) for r in item.rows]))
                continue
            ln = item
            c = fr.centered(ln)
            near = para and ln.page == para[-1].page and ln.top - para[-1].bottom < fr.gap + 1.5 * fr.size
            if para and centred and near and (c or (_symmetric(ln, fr) and ln.bold == para[-1].bold)):
                para.append(ln)
            elif para and not centred and not c and _continues(para[-1], ln, para, fr):
                para.append(ln)
            else:
                flush()
                para, centred = [ln], c
    flush()
    return blocks
