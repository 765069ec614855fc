#!/usr/bin/env python3
"""Build the parity fixture set: the same plans as .txt, .docx and .pdf (plus the hard variants).

    python corpora/tools/make_parity.py --out /tmp/parity [--no-soffice] [--no-scan]

Why the outputs are generated at test time (tests/test_read_parity.py calls `main()` into a
temporary directory) instead of being committed: they are derived from corpora/plans/, which
other people keep editing, so committed copies would go stale silently; the full set weighs
~850 KB of binaries (each .docx carries python-docx's 36 KB template, each PDF four DejaVu
subsets), more than the repository should carry for data it can rebuild in ~5 s. What is
committed is the input: this script and corpora/parity/src/ (plans written for this set).
The two variants that need system tools (LibreOffice, pdftoppm) are skipped with a message
when the tool is missing, and the tests skip the matching cases.

Per plan stem (sources: corpora/plans/<stem>.txt, or corpora/parity/src/<stem>.txt for plans
written for this set):
  <stem>.txt         the clean text (header lines, one paragraph per line, blank lines
                     between paragraphs, table rows "a | b | c"): what the readers must match
  <stem>.docx        python-docx: two-column header table, bold headings, real Word
                     auto-numbering (numbering.xml) where the plan's markers allow it, tables,
                     page-number field and running text in the header/footer parts
  <stem>.pdf         reportlab + DejaVuSerif: two-column header, bold headings, page numbers,
                     running footer, ruled tables
  <stem>.html        the plan inside a portal page (menu, breadcrumb, related list, footer)
Variants on one plan each:
  <stem>.lo.pdf      the .docx converted by LibreOffice headless (needs soffice)
  <stem>.scan.pdf    the .pdf rendered by pdftoppm at 300 dpi and rebuilt image-only (OCR path)
  <stem>.tcvn3.docx  runs in .VnTime/.VnTimeH fonts holding TCVN3-encoded text
  and one plan's .pdf is written with NFD (decomposed) strings, as some producers do.
"""
from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parents[2]
PLANS = ROOT / "corpora" / "plans"
OWN = ROOT / "corpora" / "parity" / "src"

# (stem, options). Chosen to cover: page-break artefacts in the source (cdyt), a one-line
# two-column header and a side-by-side closing block (ldld, sgd), tab-separated columns and a
# zero-filled number (phuochung), and an assignment table (own plan in parity/src).
SETS = [
    ("a-cd-cdyt-thaibinh-2021-tuyen-truyen-thi-dua", {"scan": True, "header_rows": 1}),
    ("a-cd-ldld-thaibinh-2021-tuyen-truyen-thi-dua", {"lo": True}),
    ("a-sgd-thaibinh-2022-thi-dua-nam-hoc", {"tcvn3": True, "autonum": False}),
    ("b-ubnd-phuochung-2021-phong-chong-covid", {"nfd": True}),
    ("x-cd-thbinhminh-2025-thang-cong-nhan", {}),
]

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
MOTTO = regex.compile(r"^(CỘNG HÒA|CỘNG HOÀ|Độc lập|ĐỘC LẬP|ĐẢNG CỘNG SẢN)")
NUMBER = regex.compile(r"^Số\s*:")
PLACE_DATE = regex.compile(r",\s*ngày\b.*\bnăm\b")
TYPE_WORD = regex.compile(r"^\s*(KẾ HOẠCH|CHƯƠNG TRÌNH|HƯỚNG DẪN|THÔNG BÁO|QUYẾT ĐỊNH)\s*$")
MARKER = regex.compile(r"^(?P<m>(?P<roman>[IVXLC]+\.)|(?P<arabic>\d{1,2}\.)|(?P<letter>[a-zđ][\).]))\s+(?P<rest>\S.*)$")
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


@dataclass
class Para:
    text: str  # full text, marker included
    marker: str | None = None
    level: int | None = None  # 0 roman, 1 arabic, 2 letter (auto-numbering levels)
    bold: bool = False
    table: list[list[str]] | None = None


@dataclass
class Plan:
    stem: str
    issuer: list[str] = field(default_factory=list)
    motto: list[str] = field(default_factory=list)
    number: str = ""
    place_date: str = ""
    title: list[str] = field(default_factory=list)
    body: list[Para] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    signature: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- source text -> Plan

def _segments(line: str) -> list[str]:
    return [s.strip() for s in regex.split(r"\t+|\s{3,}", line) if s.strip()]


def parse_source(stem: str, text: str) -> Plan:
    lines = text.splitlines()
    plan = Plan(stem)
    t = next(i for i, ln in enumerate(lines) if TYPE_WORD.match(ln))
    for ln in lines[:t]:
        for seg in _segments(ln):
            if MOTTO.match(seg):
                plan.motto.append(seg)
            elif NUMBER.match(seg):
                plan.number = seg
            elif PLACE_DATE.search(seg):
                plan.place_date = seg
            elif not regex.fullmatch(r"[-_=–—\s]+", seg):
                plan.issuer.append(seg)
    i = t
    while i < len(lines) and lines[i].strip():
        plan.title.append(lines[i].strip())
        i += 1
    close = next(j for j in range(i, len(lines)) if lines[j].lstrip().startswith("Nơi nhận"))
    plan.body = _body(lines[i:close])
    for ln in lines[close:]:
        segs = _segments(ln)
        if not segs:
            continue
        if len(segs) == 2:  # "- item;<tab>CHỦ TỊCH" side by side in the source
            plan.recipients.append(segs[0])
            plan.signature.append(segs[1])
        elif segs[0].startswith(("Nơi nhận", "-")) and not plan.signature:
            plan.recipients.append(segs[0])
        elif ln[:1] in " \t" and plan.recipients and not segs[0].startswith("-"):
            plan.signature.append(segs[0])  # right column only (indented)
        elif segs[0].startswith("-"):
            plan.recipients.append(segs[0])
        else:
            plan.signature.append(segs[0])
    return plan


def _is_running_header(ln: str) -> bool:
    letters = [c for c in ln if c.isalpha()]
    return len(letters) > 10 and sum(c.isupper() for c in letters) / len(letters) > 0.8


def _body(lines: list[str]) -> list[Para]:
    """Source body lines -> paragraphs: drop fake page breaks (number + running header), join
    lines a converter wrapped (a line starting in lower case after one without end punctuation),
    drop a syllable the page break repeated ("thi // thi đua")."""
    paras: list[str] = []
    join_next = False
    k = 0
    while k < len(lines):
        ln = lines[k].strip()
        k += 1
        if not ln:
            continue
        if regex.fullmatch(r"\d{1,3}", ln) and k < len(lines) and _is_running_header(lines[k]):
            k += 1
            join_next = True
            continue
        wrapped = paras and not regex.search(r"[.;:!?,]$|/\.$", paras[-1]) and ln[:1].islower()
        if paras and (join_next or wrapped) and not MARKER.match(ln) and not ln.startswith(("-", "+")):
            last = paras[-1].split()[-1]
            first, _, rest = ln.partition(" ")
            if join_next and first == last:
                ln = rest
            paras[-1] = paras[-1] + " " + ln
        else:
            paras.append(ln)
        join_next = False
    out: list[Para] = []
    for p in paras:
        if " | " in p:
            cells = [c.strip() for c in p.split(" | ")]
            if out and out[-1].table is not None:
                out[-1].table.append(cells)
            else:
                out.append(Para(text="", table=[cells]))
            continue
        m = MARKER.match(p)
        if not m:
            out.append(Para(p))
            continue
        level = 0 if m["roman"] else 1 if m["arabic"] else 2
        rest = m["rest"]
        heading = level == 0 or (level == 1 and len(rest) < 90 and not rest.endswith("."))
        out.append(Para(p, marker=m["m"], level=level, bold=heading))
    return out


def load(stem: str) -> Plan:
    src = PLANS / f"{stem}.txt"
    if not src.exists():
        src = OWN / f"{stem}.txt"
    return parse_source(stem, src.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- Plan -> clean text

def to_text(plan: Plan) -> str:
    """The text every reader should give back: the contract of vbparse.read's outputs."""
    head = plan.issuer + plan.motto + [plan.number, plan.place_date]
    blocks = ["\n".join(x for x in head if x), "\n".join(plan.title)]
    for p in plan.body:
        blocks.append("\n".join(" | ".join(r) for r in p.table) if p.table else p.text)
    blocks += ["\n".join(plan.recipients), "\n".join(plan.signature)]
    return "\n\n".join(blocks) + "\n"


# ---------------------------------------------------------------- auto-numbering plan

def numbering_fits(plan: Plan) -> tuple[bool, str]:
    """Would Word's counters (I. -> 1. -> a) with restarts) print exactly the plan's markers?
    Returns (fits, letter suffix). Word's lowerLetter runs a..z; Vietnamese plans skip no
    letters in practice before 'h', so a plan with more than 8 letter items is left literal."""
    counters = [0, 0, 0]
    suffix = ")"
    for p in plan.body:
        if p.level is None:
            continue
        counters[p.level] += 1
        for deeper in range(p.level + 1, 3):
            counters[deeper] = 0
        n = counters[p.level]
        if p.level == 0:
            want = f"{ROMAN[n - 1]}."
        elif p.level == 1:
            want = f"{n}."
        else:
            if n > 8:
                return False, suffix
            suffix = p.marker[-1]
            want = f"{'abcdefgh'[n - 1]}{suffix}"
        if want != p.marker:
            return False, suffix
    return True, suffix


# ---------------------------------------------------------------- DOCX

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _add_numbering(doc, letter_suffix: str) -> int:
    """Append a 3-level abstractNum (I. / 1. / a)) and a num to numbering.xml; return numId."""
    from docx.oxml import parse_xml

    numbering = doc.part.numbering_part.element
    abs_id, num_id = 90, 90
    lvls = [("upperRoman", "%1."), ("decimal", "%2."), ("lowerLetter", f"%3{letter_suffix}")]
    xml = f'<w:abstractNum xmlns:w="{W}" w:abstractNumId="{abs_id}"><w:multiLevelType w:val="multilevel"/>'
    for i, (fmt, text) in enumerate(lvls):
        xml += (f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
                f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/><w:suff w:val="space"/></w:lvl>')
    xml += "</w:abstractNum>"
    absnum = parse_xml(xml)
    last_abs = numbering.findall(_w("abstractNum"))
    if last_abs:
        last_abs[-1].addnext(absnum)
    else:
        numbering.insert(0, absnum)
    numbering.append(parse_xml(f'<w:num xmlns:w="{W}" w:numId="{num_id}"><w:abstractNumId w:val="{abs_id}"/></w:num>'))
    return num_id


def _set_num(paragraph, num_id: int, ilvl: int) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    numpr = OxmlElement("w:numPr")
    lvl = OxmlElement("w:ilvl")
    lvl.set(qn("w:val"), str(ilvl))
    nid = OxmlElement("w:numId")
    nid.set(qn("w:val"), str(num_id))
    numpr.append(lvl)
    numpr.append(nid)
    ppr.insert(0, numpr)


def _page_field(paragraph) -> None:
    """A PAGE field, as Word writes one, so the header part holds a live page number."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        r = paragraph.add_run()._r
        if kind:
            fc = OxmlElement("w:fldChar")
            fc.set(qn("w:fldCharType"), kind)
            r.append(fc)
        elif text == " PAGE ":
            it = OxmlElement("w:instrText")
            it.text = text
            r.append(it)
        else:
            t = OxmlElement("w:t")
            t.text = text
            r.append(t)


class RunWriter:
    """Adds runs; the TCVN3 variant re-encodes text and picks .VnTime/.VnTimeH per character."""

    def __init__(self, tcvn3: bool = False):
        self.tcvn3 = tcvn3
        if tcvn3:
            from viparse.normalize import tcvn3 as t3

            # Unicode letter -> TCVN3 surface character (inverse of viparse's table).
            self.enc = {dst: src for src, dst in t3._ENTRIES}

    def add(self, paragraph, text: str, bold=False, italic=False, size=None):
        if not self.tcvn3:
            r = paragraph.add_run(text)
            r.bold, r.italic = bold or None, italic or None
            if size:
                from docx.shared import Pt

                r.font.size = Pt(size)
            return
        for font, chunk in self._chunks(text):
            r = paragraph.add_run(chunk)
            r.bold, r.italic = bold or None, italic or None
            r.font.name = font
            rpr = r._r.get_or_add_rPr()
            rpr.rFonts.set(_w("cs"), font)

    def _chunks(self, text: str):
        """Split into (font, TCVN3 text) runs. An upper-case accented letter has no TCVN3 code:
        it goes in the 'H' font with the lower-case code, as typists of the 1990s did."""
        out: list[tuple[str, str]] = []
        for ch in text:
            if ch in self.enc:
                font, code = ".VnTime", self.enc[ch]
            elif ch.isupper() and ch.lower() in self.enc:
                font, code = ".VnTimeH", self.enc[ch.lower()]
            else:
                font, code = ".VnTime", ch
            if out and out[-1][0] == font:
                out[-1] = (font, out[-1][1] + code)
            else:
                out.append((font, code))
        return out


def write_docx(plan: Plan, path: Path, *, autonum: bool = True, header_rows: int = 2, tcvn3: bool = False) -> None:
    import docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = docx.Document()
    normal = doc.styles["Normal"]
    normal.font.name = "DejaVu Serif"  # has Vietnamese glyphs where LibreOffice renders it
    normal.font.size = Pt(12)
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)
    sec.left_margin, sec.right_margin, sec.top_margin, sec.bottom_margin = Cm(3), Cm(2), Cm(2), Cm(2)
    w = RunWriter(tcvn3)

    # Running parts: a page-number field in the header, the plan's short name in the footer.
    hp = sec.header.paragraphs[0]
    hp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(hp)
    fp = sec.footer.paragraphs[0]
    w.add(fp, f"{plan.issuer[-1]} - {plan.title[0]}", size=9)

    def para(text, *, bold=False, italic=False, center=False, container=None, indent=True):
        p = (container or doc).add_paragraph()
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif container is None:
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            if indent:
                p.paragraph_format.first_line_indent = Cm(1)
        p.paragraph_format.space_after = Pt(3)
        w.add(p, text, bold=bold, italic=italic)
        return p

    # Two-column header table without borders (python-docx's default table style has none).
    left = plan.issuer + [plan.number]
    right = plan.motto + [plan.place_date]
    table = doc.add_table(rows=header_rows, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    cells = [table.cell(0, 0), table.cell(0, 1)]
    if header_rows == 2:
        cells += [table.cell(1, 0), table.cell(1, 1)]
        groups = [plan.issuer, plan.motto, [plan.number], [plan.place_date]]
    else:
        groups = [left, right]
    for cell, lines in zip(cells, groups):
        cell._tc.remove(cell.paragraphs[0]._p)
        for ln in lines:
            is_date = ln == plan.place_date
            para(ln, container=cell, center=True, bold=ln in plan.motto or ln == plan.issuer[-1], italic=is_date)

    para("")
    for k, t in enumerate(plan.title):
        para(t, bold=True, center=True)
    num_id = None
    fits, suffix = numbering_fits(plan)
    if autonum and fits:
        num_id = _add_numbering(doc, suffix)
    for p in plan.body:
        if p.table:
            t = doc.add_table(rows=len(p.table), cols=len(p.table[0]))
            t.style = doc.styles["Table Grid"]
            for r, row in enumerate(p.table):
                for c, val in enumerate(row):
                    cell = t.cell(r, c)
                    cell.paragraphs[0].text = ""
                    w.add(cell.paragraphs[0], val, bold=r == 0)
            continue
        if num_id is not None and p.level is not None:
            text = p.text[len(p.marker):].lstrip()
            q = para(text, bold=p.bold, indent=False)
            _set_num(q, num_id, p.level)
        else:
            para(p.text, bold=p.bold, indent=p.marker is None and not p.text.startswith("-"))

    # Closing block: recipients left, signature right, in a borderless table as Word users do.
    close = doc.add_table(rows=1, cols=2)
    lc, rc = close.cell(0, 0), close.cell(0, 1)
    for cell in (lc, rc):
        cell._tc.remove(cell.paragraphs[0]._p)
    for k, ln in enumerate(plan.recipients):
        para(ln, container=lc, bold=k == 0, italic=k == 0)
    for ln in plan.signature:
        para(ln, container=rc, center=True, bold=not ln.startswith("("), italic=ln.startswith("("))
    # Fixed metadata so the bytes do not change from run to run.
    import datetime as _dt

    cp = doc.core_properties
    cp.author, cp.title = "vbparse parity fixtures", plan.title[-1]
    cp.created = cp.modified = _dt.datetime(2025, 1, 1)
    cp.last_modified_by, cp.revision = "vbparse", 1
    buf = io.BytesIO()
    doc.save(buf)
    path.write_bytes(_stable_zip(buf.getvalue()))


def _stable_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps: python-docx stamps 'now' into every member."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


# ---------------------------------------------------------------- PDF (reportlab)

def _fonts() -> None:
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "DejaVuSerif" in pdfmetrics.getRegisteredFontNames():
        return
    for name, file in (("DejaVuSerif", "DejaVuSerif.ttf"), ("DejaVuSerif-Bold", "DejaVuSerif-Bold.ttf"),
                       ("DejaVuSerif-Italic", "DejaVuSerif-Italic.ttf"),
                       ("DejaVuSerif-BoldItalic", "DejaVuSerif-BoldItalic.ttf")):
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))
    addMapping("DejaVuSerif", 0, 0, "DejaVuSerif")
    addMapping("DejaVuSerif", 1, 0, "DejaVuSerif-Bold")
    addMapping("DejaVuSerif", 0, 1, "DejaVuSerif-Italic")
    addMapping("DejaVuSerif", 1, 1, "DejaVuSerif-BoldItalic")


def write_pdf(plan: Plan, path: Path, *, nfd: bool = False) -> None:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _fonts()
    form = "NFD" if nfd else "NFC"

    def s(text: str) -> str:
        return escape(unicodedata.normalize(form, text))

    base = ParagraphStyle("b", fontName="DejaVuSerif", fontSize=12, leading=16, alignment=TA_JUSTIFY,
                          spaceAfter=4, firstLineIndent=1 * cm)
    flush = ParagraphStyle("f", parent=base, firstLineIndent=0)
    center = ParagraphStyle("c", parent=base, alignment=TA_CENTER, firstLineIndent=0, spaceAfter=0)
    small = ParagraphStyle("s", parent=center, fontSize=11, leading=14)
    cell = ParagraphStyle("t", parent=base, fontSize=10.5, leading=13, alignment=TA_LEFT, firstLineIndent=0, spaceAfter=0)
    footer = f"{plan.issuer[-1]} - {plan.title[0]}"

    def on_page(canvas, doc):
        canvas.saveState()
        canvas.setFont("DejaVuSerif", 10)
        if doc.page > 1:  # ND 30/2020: page numbers centred at the top from page 2
            canvas.drawCentredString(A4[0] / 2, A4[1] - 1.2 * cm, str(doc.page))
        canvas.setFont("DejaVuSerif-Italic", 8)
        canvas.drawString(3 * cm, 1.2 * cm, unicodedata.normalize(form, footer))
        canvas.restoreState()

    story = []
    left = "<br/>".join([s(x) for x in plan.issuer[:-1]] + [f"<b>{s(plan.issuer[-1])}</b>", s(plan.number)])
    right = "<br/>".join([f"<b>{s(x)}</b>" for x in plan.motto] + [f"<i>{s(plan.place_date)}</i>"])
    head = Table([[Paragraph(left, small), Paragraph(right, small)]], colWidths=[7 * cm, 9 * cm])
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [head, Spacer(1, 0.6 * cm)]
    story += [Paragraph(f"<b>{s(t)}</b>", center) for t in plan.title] + [Spacer(1, 0.4 * cm)]
    for p in plan.body:
        if p.table:
            rows = [[Paragraph(f"<b>{s(c)}</b>" if r == 0 else s(c), cell) for c in row] for r, row in enumerate(p.table)]
            t = Table(rows, colWidths=[7 * cm, 4.5 * cm, 4.5 * cm], repeatRows=1)
            t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story += [t, Spacer(1, 0.3 * cm)]
            continue
        text = s(p.text)
        style = flush if p.marker and p.level == 0 else base
        story.append(Paragraph(f"<b>{text}</b>" if p.bold else text, style))
    rec = "<br/>".join(f"<b><i>{s(x)}</i></b>" if k == 0 else s(x) for k, x in enumerate(plan.recipients))
    sig = "<br/>".join(f"<i>{s(x)}</i>" if x.startswith("(") else f"<b>{s(x)}</b>" for x in plan.signature)
    close = Table([[Paragraph(rec, cell), Paragraph(sig, small)]], colWidths=[8 * cm, 8 * cm])
    close.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [Spacer(1, 0.4 * cm), close]
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=3 * cm, rightMargin=2 * cm, topMargin=2 * cm,
                            bottomMargin=2 * cm, title=plan.title[-1], author="vbparse parity fixtures",
                            invariant=1)
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)


# ---------------------------------------------------------------- HTML (a portal page)

def write_html(plan: Plan, path: Path) -> None:
    """The plan as a provincial portal shows it: menu, breadcrumb, the document in a content
    div with a borderless header table, a related-documents list and a footer around it."""
    from html import escape as e

    def lines(xs, bold=False):
        return "<br>\n".join(f"<b>{e(x)}</b>" if bold else e(x) for x in xs)

    body = []
    for p in plan.body:
        if p.table:
            rows = "".join("<tr>" + "".join(f"<t{'h' if r == 0 else 'd'}>{e(c)}</t{'h' if r == 0 else 'd'}>" for c in row) + "</tr>\n"
                           for r, row in enumerate(p.table))
            body.append(f'<table border="1" cellspacing="0">\n{rows}</table>')
        elif p.bold:
            body.append(f"<p><strong>{e(p.text)}</strong></p>")
        else:
            body.append(f'<p style="text-align: justify">{e(p.text)}</p>')
    doc = f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{e(plan.title[-1])}</title>
<script>var _gaq = _gaq || []; _gaq.push(['_trackPageview']);</script>
<style>.menu li {{ display: inline; }}</style></head>
<body>
<div id="header"><a href="/">Cổng thông tin điện tử</a></div>
<nav><ul class="menu"><li><a href="/gioi-thieu">Giới thiệu</a></li><li><a href="/tin-tuc">Tin tức - Sự kiện</a></li>
<li><a href="/van-ban">Văn bản chỉ đạo điều hành</a></li><li><a href="/lien-he">Liên hệ</a></li></ul></nav>
<div class="breadcrumb"><a href="/">Trang chủ</a> &gt; <a href="/van-ban">Văn bản</a></div>
<div class="main"><div class="content-detail" id="noidung">
<table width="100%">
<tr><td align="center">{lines(plan.issuer[:-1])}<br>\n<b>{e(plan.issuer[-1])}</b><br>\n{e(plan.number)}</td>
<td align="center">{lines(plan.motto, True)}<br>\n<i>{e(plan.place_date)}</i></td></tr>
</table>
<p align="center">{lines(plan.title, True)}</p>
{chr(10).join(body)}
<table width="100%"><tr><td>{lines(plan.recipients)}</td>
<td align="center">{lines(plan.signature, True)}</td></tr></table>
</div>
<div class="related"><h3>Văn bản liên quan</h3><ul><li><a href="/vb/1">Kế hoạch năm trước</a></li><li><a href="/vb/2">Thông báo kết quả</a></li></ul></div>
</div>
<footer><p>Bản quyền thuộc Cổng thông tin điện tử. Địa chỉ: số 1, đường Lê Lợi.</p></footer>
<script>document.write('');</script>
</body></html>
"""
    path.write_text(doc, encoding="utf-8")


# ---------------------------------------------------------------- variants

def soffice_pdf(docx_path: Path, out_pdf: Path) -> bool:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        print("soffice not found (apt-get install libreoffice-writer-nogui): .lo.pdf skipped", file=sys.stderr)
        return False
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, HOME=tmp)
        subprocess.run([exe, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--norestore",
                        "--convert-to", "pdf", "--outdir", tmp, str(docx_path)],
                       check=True, env=env, timeout=180, capture_output=True)
        shutil.move(Path(tmp) / (docx_path.stem + ".pdf"), out_pdf)
    return True


def scan_pdf(pdf: Path, out_pdf: Path, dpi: int = 300) -> bool:
    """Render with pdftoppm, threshold to 1 bit (what office scanners send) and rebuild an
    image-only PDF with Pillow: no text layer left, so the reader must OCR it."""
    from PIL import Image

    if not shutil.which("pdftoppm"):
        print("pdftoppm not found (apt-get install poppler-utils): .scan.pdf skipped", file=sys.stderr)
        return False
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), f"{tmp}/p"], check=True, timeout=300)
        pages = [Image.open(p).point(lambda v: 255 if v > 160 else 0).convert("1") for p in sorted(Path(tmp).glob("p*.png"))]
        pages[0].save(out_pdf, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, required=True, help="where to write (e.g. /tmp/parity)")
    ap.add_argument("--no-soffice", action="store_true")
    ap.add_argument("--no-scan", action="store_true")
    args = ap.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for stem, opt in SETS:
        plan = load(stem)
        (out / f"{stem}.txt").write_text(to_text(plan), encoding="utf-8")
        write_docx(plan, out / f"{stem}.docx", autonum=opt.get("autonum", True), header_rows=opt.get("header_rows", 2))
        write_pdf(plan, out / f"{stem}.pdf", nfd=opt.get("nfd", False))
        write_html(plan, out / f"{stem}.html")
        if opt.get("tcvn3"):
            write_docx(plan, out / f"{stem}.tcvn3.docx", autonum=False, tcvn3=True)
        if opt.get("lo") and not args.no_soffice:
            soffice_pdf(out / f"{stem}.docx", out / f"{stem}.lo.pdf")
        if opt.get("scan") and not args.no_scan:
            scan_pdf(out / f"{stem}.pdf", out / f"{stem}.scan.pdf")
        print(f"{stem}: ok", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
