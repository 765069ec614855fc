"""PDF -> text through pdfplumber's word positions (layout in pagelayout.py), OCR when a page
has no text layer.

Per page we take words with their font (bold -> heading hint; .VnTime/VNI -> legacy decoding)
and ruled tables (cells -> "a | b | c" rows), then rebuild reading order for the whole
document at once, because running headers are found by comparing pages and paragraphs run
across page breaks. Bounded: `max_pages` (default 500) and `time_budget` seconds (default 120)
stop early with a warning; OCR is capped by `ocr_max_pages` (default 30), `ocr_timeout` per page
(60 s) and `ocr_budget` in all (300 s).
"""
from __future__ import annotations

import functools
import io
import time
import unicodedata

from ..errors import InputError
from . import Extracted
from .blocks import extension_warning, render
from .fonts import decode_run, is_bold, is_italic, legacy_encoding
from .pagelayout import assemble
from .pdfgeom import Page, TableItem, Word, drop_running, frame, line_text, make_lines


@functools.lru_cache(maxsize=65536)
def _decode(text: str, enc: str | None) -> str:
    # NFC here, per word: pdfplumber keeps NFD as the producer wrote it, and every pattern
    # downstream ("Số:", "ngày") is written in NFC.
    return unicodedata.normalize("NFC", decode_run(text, enc))


def _open(data: bytes, path, password):
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        pdf = pdfplumber.open(io.BytesIO(data), password=password or "")
        n = len(pdf.pages)
    except PdfminerException as e:
        inner = e.args[0] if e.args else e
        name = type(inner).__name__
        if name == "PDFPasswordIncorrect":
            if password:
                raise InputError(path, "encrypted PDF: the password given is wrong") from None
            raise InputError(path, "encrypted PDF: give its password with --password (or password= in parse())") from None
        if name in ("PSEOF", "PDFSyntaxError", "PDFNoValidXRef", "PSSyntaxError"):
            raise InputError(path, f"damaged or truncated PDF ({inner or name})") from None
        raise InputError(path, f"cannot read this PDF ({name}: {inner})") from None
    except Exception as e:  # pdfminer raises many plain errors on garbage: all mean "bad file"
        raise InputError(path, f"damaged PDF ({type(e).__name__}: {e})") from None
    if n == 0:
        pdf.close()
        raise InputError(path, "PDF has no pages")
    return pdf


def _words(page, encodings: set[str]) -> list[Word]:
    out = []
    for w in page.extract_words(extra_attrs=["fontname", "size"], keep_blank_chars=False, use_text_flow=False):
        font = w.get("fontname") or ""
        enc = legacy_encoding(font.split("+", 1)[-1])
        if enc:
            encodings.add(enc.split("-")[0])
        out.append(Word(_decode(w["text"], enc), w["x0"], w["x1"], w["top"], w["bottom"], float(w.get("size") or 10),
                        is_bold(font), is_italic(font)))
    return out


def _tables(page, words: list[Word], pno: int) -> tuple[list[TableItem], list[Word]]:
    """Ruled tables -> rows of cell text; returns the words left over. A "table" whose rows
    hold text in one cell only is highlighted or boxed text (shading rectangles make a grid
    too): its words stay in the flow."""
    items: list[TableItem] = []
    taken: set[int] = set()
    for t in page.find_tables():
        rows, used = [], set()
        for r in t.rows:
            cells = []
            for c in r.cells:
                if c is None:
                    continue  # merged into the cell on its left
                x0, top, x1, bottom = c
                inside = [i for i, w in enumerate(words) if i not in taken and
                          x0 <= (w.x0 + w.x1) / 2 <= x1 and top <= (w.top + w.bottom) / 2 <= bottom]
                used.update(inside)
                cells.append(line_text(make_lines([words[i] for i in inside], pno)) if inside else "")
            if any(cells):
                rows.append(cells)
        multi = sum(1 for r in rows if sum(1 for c in r if c) >= 2)
        if len(rows) >= 2 and multi * 2 >= len(rows):
            taken |= used
            items.append(TableItem(rows, t.bbox[1], pno))
    return items, [w for i, w in enumerate(words) if i not in taken]


def extract(data: bytes, path: str | None, **opts) -> Extracted:
    password = opts.get("password")
    max_pages = int(opts.get("max_pages", 500))
    budget = float(opts.get("time_budget", 120.0))
    warnings: list[str] = extension_warning(path, "pdf")
    encodings: set[str] = set()
    t0 = time.monotonic()
    pdf = _open(data, path, password)
    pages: list[Page] = []
    blank: list[int] = []
    with pdf:
        total = len(pdf.pages)
        for pno, page in enumerate(pdf.pages):
            if pno >= max_pages or time.monotonic() - t0 > budget:
                warnings.append(f"read only the first {pno} of {total} pages (page/time limit)")
                break
            try:
                words = _words(page, encodings)
                tables, words = _tables(page, words, pno) if words else ([], words)
            except Exception as e:  # one broken content stream should not lose the document
                warnings.append(f"page {pno + 1} unreadable ({type(e).__name__}); skipped")
                words, tables = [], []
            p = Page(float(page.width), float(page.height), make_lines(words, pno), tables)
            pages.append(p)
            # No text but pictures (a scan) or many curves (text converted to outlines): OCR it.
            if not words and not tables and (page.images or len(page.curves) > 50):
                blank.append(pno)
            page.flush_cache()  # pdfplumber keeps every parsed object otherwise: memory grows per page
    if blank:
        _ocr(data, path, password, pages, blank, warnings, opts)
    if not any(p.lines or p.tables for p in pages):
        raise InputError(path, "PDF has no text layer and OCR found no text" if blank else "PDF has no text (blank pages)")
    if encodings:
        warnings.append(f"legacy font encoding converted ({', '.join(sorted(encodings))}); check the text (vbparse text FILE)")
    drop_running(pages)
    text, bold = render(assemble(pages, frame(pages)))
    return Extracted(text=text, format="pdf", sha256="", encoding=None, pages=total, warnings=warnings, bold=bold)


def _ocr(data, path, password, pages: list[Page], blank: list[int], warnings: list[str], opts) -> None:
    from . import ocr

    has_text = any(p.lines for p in pages)
    if not ocr.available():
        if has_text:  # a few scanned pages inside a text PDF: keep the text, say what is missing
            warnings.append(f"{len(blank)} page(s) without a text layer not read: Tesseract OCR is not installed")
            return
        ocr.require(path)  # raises InputError saying how to enable OCR
    limit = int(opts.get("ocr_max_pages", 30))
    todo = blank[:limit]
    if len(blank) > limit:
        warnings.append(f"OCR limited to {limit} of {len(blank)} scanned pages (ocr_max_pages)")
    words, conf, warns = ocr.ocr_pages(data, todo, path, password=password, timeout=float(opts.get("ocr_timeout", 60)),
                                       budget=float(opts.get("ocr_budget", 300)))
    warnings.extend(warns)
    for n, ws in words.items():
        pages[n].lines = make_lines(ws, n)
    figure = f"; mean confidence {conf:.0f}%" if conf is not None else ""
    warnings.append(f"text from OCR (tesseract vie) on {len(words)} of {len(pages)} page(s){figure}: expect misread diacritics")
