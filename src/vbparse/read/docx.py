"""DOCX -> text: body paragraphs and tables in order, Word auto-numbering written back into the
text, the two-column header table put back in reading order, bold runs kept as heading hints,
legacy-font runs (.VnTime, VNI-Times) decoded. Headers, footers, footnotes and deleted
(tracked) text are left out: they are running matter, not the plan.

python-docx opens the package (it follows the relationships to the real parts); the walk
itself is over lxml elements because python-docx's Paragraph.text drops numbering, text boxes
and field results, and hides which font a run inherits.
"""
from __future__ import annotations

import io
import re
import unicodedata
import zipfile

from ..errors import InputError
from . import Extracted
from .blocks import NUMBER_LINE, Block, extension_warning, Lines, Run, Sink, Table, header_blocks, is_header_text, render, split_breaks
from .docx_styles import W, Numbering, Styles, _val, font_name, on
from .fonts import decode_run, legacy_encoding

MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
MAX_XML = 100 * 1024 * 1024  # uncompressed document.xml: a zip bomb guard


def _check_zip(data: bytes, path) -> None:
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        names = set(z.namelist())
    except zipfile.BadZipFile:
        raise InputError(path, "damaged or truncated .docx (not a readable zip archive)") from None
    if "word/document.xml" not in names and not any(n.endswith("/document.xml") for n in names):
        kind = ("an Excel workbook" if "xl/workbook.xml" in names else
                "a PowerPoint file" if "ppt/presentation.xml" in names else
                "an OpenDocument file (save it as .docx)" if "mimetype" in names and "content.xml" in names else
                "a zip archive")
        raise InputError(path, f"{kind}, not a Word document (no word/document.xml)")
    big = sum(i.file_size for i in z.infolist() if i.filename.endswith(".xml"))
    if big > MAX_XML:
        raise InputError(path, f"Word XML expands to {big // 2**20} MB: refusing (zip bomb?)")


class _Walker:
    def __init__(self, styles: Styles, numbering: Numbering):
        self.styles = styles
        self.numbering = numbering
        self.encodings: set[str] = set()

    # ---------------------------------------------------------------- paragraphs
    def paragraph(self, p) -> tuple[list[Run], bool, list[list[Run]]]:
        """-> (runs with label, centred?, text-box paragraphs found inside)."""
        ppr = p.find(W + "pPr")
        pstyle = _val(ppr.find(W + "pStyle")) if ppr is not None else None
        runs: list[Run] = []
        boxes: list[list[Run]] = []
        self._field = 0
        self._inline(p, pstyle, runs, boxes)
        label = self._label(ppr)
        if label and any(t.strip() for t, _ in runs):
            bold = bool(runs) and runs[0][1]
            runs.insert(0, (label, bold))
        jc = _val(self.styles.para_prop(ppr, "jc"))
        return runs, jc == "center", boxes

    def _label(self, ppr) -> str | None:
        numpr = self.styles.para_prop(ppr, "numPr")
        if numpr is None:
            return None
        ilvl = int(_val(numpr.find(W + "ilvl"), "0") or 0)
        num_id = _val(numpr.find(W + "numId"))
        if num_id is None and ppr is not None and ppr.find(W + "numPr") is not None:
            # numPr with only ilvl on the paragraph: the numId comes from the style
            snum = self.styles.para_prop(None if ppr is None else _strip_numpr(ppr), "numPr")
            num_id = _val(snum.find(W + "numId")) if snum is not None else None
        return self.numbering.label(num_id, ilvl)

    def _inline(self, el, pstyle, runs: list[Run], boxes: list[list[Run]]) -> None:
        for c in el:
            tag = c.tag
            if tag == W + "r":
                self._run(c, pstyle, runs, boxes)
            elif tag in (W + "hyperlink", W + "ins", W + "smartTag", W + "fldSimple", W + "customXml",
                         W + "sdt", W + "sdtContent", W + "moveTo", W + "dir", W + "bdo"):
                self._inline(c, pstyle, runs, boxes)
            elif tag == MC + "AlternateContent":
                choice = c.find(MC + "Choice")
                if choice is not None:
                    self._inline(choice, pstyle, runs, boxes)

    def _run(self, r, pstyle, runs: list[Run], boxes: list[list[Run]]) -> None:
        rpr = r.find(W + "rPr")
        if rpr is not None and on(rpr.find(W + "vanish")):
            return  # hidden text
        bold = bool(on(self.styles.run_prop(rpr, pstyle, "b")))
        enc = legacy_encoding(font_name(self.styles.run_prop(rpr, pstyle, "rFonts")))
        caps = bool(on(self.styles.run_prop(rpr, pstyle, "caps")))
        buf = []
        for c in r:
            tag = c.tag
            if tag == W + "fldChar":
                kind = c.get(W + "fldCharType")
                self._field = 1 if kind == "begin" else 2 if kind == "separate" else 0
            elif self._field == 1:
                continue  # field instructions (PAGE, HYPERLINK ...), not text
            elif tag == W + "t":
                buf.append(c.text or "")
            elif tag in (W + "tab", W + "ptab"):
                buf.append("\t")
            elif tag in (W + "br", W + "cr"):
                buf.append("\n")
            elif tag == W + "noBreakHyphen":
                buf.append("-")
            elif tag == W + "sym":
                buf.append(chr(int(c.get(W + "char", "20"), 16)))
            elif tag in (W + "drawing", W + "pict", MC + "AlternateContent"):
                self._boxes(c, boxes)
        text = "".join(buf)
        if enc:
            self.encodings.add(enc.split("-")[0])
            text = decode_run(text, enc)
        if caps:
            text = text.upper()
        # NFC now: Vietnamese keyboards in "Unicode tổ hợp" mode type decomposed text, and
        # the header and marker patterns below are written in NFC.
        text = unicodedata.normalize("NFC", text)
        if text:
            runs.append((text, bold))

    def _boxes(self, el, boxes: list[list[Run]]) -> None:
        """Text boxes (often the motto or 'Số:' in real files); Fallback copies skipped."""
        for tx in el.iter(W + "txbxContent"):
            if any(a.tag == MC + "Fallback" for a in tx.iterancestors()):
                continue
            for p in tx.iter(W + "p"):
                runs, _, _ = self.paragraph(p)
                if runs:
                    boxes.append(runs)

    # ---------------------------------------------------------------- tables
    def cell_lines(self, tc) -> list[list[Run]]:
        lines: list[list[Run]] = []
        for c in tc:
            if c.tag == W + "p":
                runs, _, boxes = self.paragraph(c)
                lines += split_breaks(runs) + boxes
            elif c.tag == W + "tbl":
                for row in self.rows(c):
                    lines.append([(" | ".join(row), False)])
            elif c.tag == W + "sdt":
                content = c.find(W + "sdtContent")
                if content is not None:
                    lines += self.cell_lines(content)
        return [ln for ln in lines if "".join(t for t, _ in ln).strip()]

    def rows(self, tbl) -> list[list[str]]:
        """Cell texts per row; a vertically merged cell repeats its text in the rows it spans,
        so every row of an assignment table keeps its 'responsible' column."""
        out: list[list[str]] = []
        above: dict[int, str] = {}
        for tr in tbl.iter(W + "tr"):
            if tr.getparent() is not tbl:
                continue  # rows of nested tables
            row, col = [], 0
            for tc in tr.findall(W + "tc"):
                tcpr = tc.find(W + "tcPr")
                span = int(_val(tcpr.find(W + "gridSpan"), "1") or 1) if tcpr is not None else 1
                vm = tcpr.find(W + "vMerge") if tcpr is not None else None
                if vm is not None and _val(vm) != "restart":
                    text = above.get(col, "")
                else:
                    text = " ".join("".join(t for t, _ in ln).strip() for ln in self.cell_lines(tc))
                above[col] = text
                row.append(text)
                col += span
            out.append(row)
        return out


def _strip_numpr(ppr):
    from copy import deepcopy

    c = deepcopy(ppr)
    for n in c.findall(W + "numPr"):
        c.remove(n)
    return c


def _bordered(tbl, styles: Styles) -> bool:
    """Visible borders in the table or its style: a data table, not a layout grid."""
    def has(borders) -> bool:
        return borders is not None and any(_val(b, "nil") not in ("nil", "none") for b in borders)

    tblpr = tbl.find(W + "tblPr")
    if tblpr is not None and tblpr.find(W + "tblBorders") is not None:
        return has(tblpr.find(W + "tblBorders"))
    sid = _val(tblpr.find(W + "tblStyle")) if tblpr is not None else None
    for st in styles.chain(sid):
        b = st.find(f"{W}tblPr/{W}tblBorders")
        if b is not None:
            return has(b)
    return False


def _columns(walker: _Walker, tbl) -> tuple[list[list[Run]], list[list[Run]]]:
    """A layout table read column by column: left cells top to bottom, then the right ones."""
    left: list[list[Run]] = []
    right: list[list[Run]] = []
    for tr in tbl.findall(W + "tr"):
        tcs = tr.findall(W + "tc")
        for i, tc in enumerate(tcs):
            (left if i < max(1, len(tcs) // 2) else right).extend(walker.cell_lines(tc))
    return left, right


def _body_blocks(body, walker: _Walker, styles: Styles) -> list[Block]:
    sink = Sink()
    seen_text = False
    header_done = False
    add_para = sink.para

    def walk(container) -> None:
        nonlocal seen_text, header_done
        # Leading paragraphs (runs, centred), held back until we know if they are a header.
        pre: list[tuple[list[Run], bool]] = []
        for el in container:
            if el.tag == W + "p":
                runs, is_centre, boxes = walker.paragraph(el)
                if not header_done and not seen_text and len(pre) < 12 and not _title_like(runs):
                    pre.append((runs, is_centre))
                    pre.extend((b, False) for b in boxes)
                    continue
                if pre:
                    release(pre)
                    pre = []
                add_para(runs, is_centre)
                for b in boxes:
                    add_para(b, False)
                if any(t.strip() for t, _ in runs):
                    seen_text = True
            elif el.tag == W + "tbl":
                if pre:
                    release(pre)
                    pre = []
                sink.flush()
                rows = walker.rows(el)
                ncols = max((len(r) for r in rows), default=0)
                flat = " ".join(" ".join(r) for r in rows)
                if not header_done and not seen_text and ncols >= 2 and is_header_text_any(rows):
                    header_done = True
                    sink.add(*header_blocks(*_columns(walker, el)))
                elif ncols >= 2 and not _bordered(el, styles) and ncols <= 3 and flat.strip():
                    left, right = _columns(walker, el)
                    sink.add(Lines(left), Lines(right))
                else:
                    sink.add(Table(rows))
                seen_text = seen_text or bool(flat.strip())
            elif el.tag in (W + "sdt", W + "customXml"):
                content = el.find(W + "sdtContent") if el.tag == W + "sdt" else el
                if content is not None:
                    walk(content)
        if pre:
            release(pre)
        sink.flush()

    def release(pre: list[tuple[list[Run], bool]]) -> None:
        """Leading paragraphs: a header typed with tabs ("ISSUER<tab>CỘNG HÒA ...") is split
        into its two columns; anything else goes out as ordinary paragraphs."""
        nonlocal header_done, seen_text
        cols = [_tab_columns(r) for r, _ in pre]
        if any(c[2] for c in cols) and any(is_header_text(_plain(x)) for lft, rgt, _ in cols for x in lft + rgt):
            header_done = True
            left = [x for lft, _, _ in cols for x in lft]
            right = [x for _, rgt, _ in cols for x in rgt]
            sink.add(*header_blocks(left, right))
        else:
            for r, centre in pre:
                add_para(r, centre)
        seen_text = seen_text or any(_plain(r) for r, _ in pre)

    walk(body)
    return sink.blocks


_SEP = re.compile(r"\t[\t ]*| {3,}")
_TITLE = re.compile(r"^(?:KẾ HOẠCH|BÁO CÁO|KẾT LUẬN|HƯỚNG DẪN|QUYẾT ĐỊNH|CHỈ THỊ|THÔNG BÁO|NGHỊ QUYẾT|CHƯƠNG TRÌNH|TỜ TRÌNH|CÔNG VĂN|QUY CHẾ|QUY ĐỊNH|ĐỀ ÁN|PHƯƠNG ÁN)\b")


def _plain(runs: list[Run]) -> str:
    return "".join(t for t, _ in runs).strip()


def _title_like(runs: list[Run]) -> bool:
    text = _plain(runs)
    return bool(_TITLE.match(text)) and not _SEP.search(text)


def _tab_columns(runs: list[Run]) -> tuple[list[list[Run]], list[list[Run]], bool]:
    """One header paragraph -> (left lines, right lines, had a column separator)."""
    left: list[list[Run]] = []
    right: list[list[Run]] = []
    sep = False
    for line in split_breaks(runs):
        text = "".join(t for t, _ in line)
        if not text.strip():
            continue
        pieces = [p for p in _SEP.split(text)]
        lead = not pieces[0].strip()
        pieces = [p.strip() for p in pieces if p.strip()]
        bold = any(b for _, b in line)
        if len(pieces) >= 2:
            sep = True
            left.append([(pieces[0], bold)])
            right.append([(" ".join(pieces[1:]), bold)])
        elif lead and _SEP.match(text) and not NUMBER_LINE.match(pieces[0]):
            # Indented alone: the right column, except "Số:", which a first (centre) tab stop
            # puts under the issuer; tab stops themselves are not worth resolving for that.
            sep = True
            right.append([(pieces[0], bold)])
        else:
            left.append(line)
    return left, right, sep


def is_header_text_any(rows: list[list[str]]) -> bool:
    return any(is_header_text(line.strip()) for row in rows for cell in row for line in re.split(r"\s{2,}|\n", cell))


def _pages(data: bytes, text: str) -> int | None:
    """Word's own page count from docProps/app.xml, trusted only when that file's character
    count matches the text: tools that copy a template (python-docx) leave stale statistics."""
    try:
        app = zipfile.ZipFile(io.BytesIO(data)).read("docProps/app.xml").decode("utf-8", "replace")
    except KeyError:
        return None
    pages = re.search(r"<(?:\w+:)?Pages>(\d+)<", app)
    chars = re.search(r"<(?:\w+:)?CharactersWithSpaces>(\d+)<", app) or re.search(r"<(?:\w+:)?Characters>(\d+)<", app)
    if not pages or not chars or int(pages.group(1)) <= 0:
        return None
    n = len(text)
    return int(pages.group(1)) if 0.5 * n <= int(chars.group(1)) <= 1.5 * n else None


def extract(data: bytes, path: str | None, **opts) -> Extracted:
    _check_zip(data, path)
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except ValueError as e:  # wrong content type: .docm/.dotx/.xlsx renamed
        raise InputError(path, f"not a Word document ({str(e).splitlines()[0][:120]})") from None
    except Exception as e:  # lxml/zip errors inside the package
        raise InputError(path, f"damaged Word document ({type(e).__name__}: {str(e)[:120]})") from None
    part = document.part
    try:
        styles = Styles(part.styles.element)
    except Exception:  # no or broken styles part: direct formatting still works
        styles = Styles(None)
    try:
        numbering_el = part.numbering_part.element
    except Exception:
        numbering_el = None
    walker = _Walker(styles, Numbering(numbering_el, styles))
    blocks = _body_blocks(document.element.body, walker, styles)
    text, bold = render(blocks)
    # A .doc converted by doc.py comes here with its own name: no mismatch to report.
    warnings = [] if opts.get("_converted") else extension_warning(path, "docx")
    if walker.encodings:
        warnings.append(f"legacy font encoding converted ({', '.join(sorted(walker.encodings))}); check the text (vbparse text FILE)")
    return Extracted(text=text, format="docx", sha256="", encoding=None, pages=_pages(data, text), warnings=warnings, bold=bold)

