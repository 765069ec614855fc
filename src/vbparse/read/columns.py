"""Two-column zones on a PDF page: the header (issuer | motto, "Số:" | place-date) and the
closing block ("Nơi nhận" | signature) are read column by column, not across.

A zone starts at a line cut in two by a gutter (a gap much wider than the line's other gaps)
and grows up and down over lines whose pieces keep to one side of that gutter; a page-centred
line (the title) or a wide vertical gap ends it. Inside a column, a line its cell wrapped is
joined to the next ("LIÊN ĐOÀN LAO ĐỘNG TỈNH | THÁI BÌNH").
"""
from __future__ import annotations

from .blocks import MOTTO_LINE, NUMBER_LINE, RULE_LINE, Block, Lines, header_blocks, is_header_text
from .pdfgeom import Frame, Line, Word, join_runs

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
