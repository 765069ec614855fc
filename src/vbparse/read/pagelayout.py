"""Positioned words (from pdfplumber or Tesseract) -> reading-order blocks.

Why geometry and not pdfplumber's extract_text(): the two-column header comes out of
extract_text() as "LIÊN ĐOÀN LAO ĐỘNG TỈNH Số: 129/KH-LĐLĐ" (packages.md §3b), page numbers and
running footers land inside sentences, and every wrapped line stays a line. Here:
  1. words -> lines (same baseline), tables (ruled cells) kept apart;
  2. running headers/footers and page numbers dropped (top/bottom lines repeated over pages);
  3. two-column zones (header; "Nơi nhận" beside the signature) found from a wide gutter and
     read column by column; the header is put back as issuer, motto, "Số:", place-date;
  4. the other lines become paragraphs (vertical gap, indent, list marker, short last line)
     that continue across page breaks; centred lines stay lines (the title).
All thresholds are in units of the body font size, so they hold for 11-14 pt documents.
"""
from __future__ import annotations

from .blocks import Block, Lines, Para, Table, starts_item
from .columns import find_zones, is_header_zone, zone_blocks
from .pdfgeom import Frame, Line, Page, TableItem, join_runs, wraps

__all__ = ["assemble"]


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
    if (ln.x0 > fr.left + 0.6 * fr.size and abs(ln.x0 - prev.x0) < 0.3 * fr.size
            and prev.text[-1:] in ".;:!?" and ln.text[:1].isupper()):
        return False  # two indented first lines: one-line paragraphs, not a wrapped one
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
        aligned = len(para) > 1 and all(abs(a.x0 - b.x0) < 0.3 * fr.size for a, b in zip(para, para[1:]))
        if centred and not aligned:
            blocks.append(Lines([ln.runs() for ln in para]))
        elif para:
            # Lines sharing a left edge are an indented left-aligned block, not a centred
            # title: cut it into paragraphs like any other lines.
            cur = [para[0]]
            for ln in para[1:]:
                if _continues(cur[-1], ln, cur, fr):
                    cur.append(ln)
                else:
                    blocks.append(Para(join_runs(cur)))
                    cur = [ln]
            blocks.append(Para(join_runs(cur)))
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
