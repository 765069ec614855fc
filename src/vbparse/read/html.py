"""HTML (a plan saved from a portal) -> the plan's text only.

1. Decode: the declared charset, else strict UTF-8, else the legacy-encoding detector of txt.py
   (old portals served TCVN3/VNI pages; BeautifulSoup would guess windows-1252 and keep mojibake).
2. Boilerplate out: scripts, styles, forms, nav/aside/footer and ARIA landmarks that are not main.
3. Main content: from <body>, step down into the child holding most of the non-link text while
   it keeps >= 70% of it: portal wrappers, menus and "related documents" lists fall away.
4. Block elements become paragraphs (<br> splits lines), <b>/<strong>/<h1-6>/font-weight bold
   runs are kept, tables become "a | b | c" rows except the header table (two columns put back
   like the DOCX one) and borderless two-column layout tables (read column by column).
"""
from __future__ import annotations

import re
import unicodedata

from ..errors import InputError
from . import Extracted
from .blocks import Lines, extension_warning, Run, Sink, Table, header_blocks, is_header_text, render
from .fonts import decode_run, legacy_encoding

DROP = {"script", "style", "noscript", "template", "svg", "iframe", "head", "form", "button", "select",
        "input", "textarea", "nav", "aside", "footer", "object", "embed", "canvas", "map"}
DROP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search"}
BLOCK = {"p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul",
         "ol", "dl", "dt", "dd", "blockquote", "pre", "address", "figure", "figcaption", "center", "body",
         "table", "tr", "hr", "fieldset", "details", "summary"}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.I)
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)", re.I)
_CENTER_STYLE = re.compile(r"text-align\s*:\s*center", re.I)
_WS = re.compile(r"\s+")
_FONT_STYLE = re.compile(r"font-family\s*:\s*['\"]?([^;'\",]+)", re.I)


def _decode(data: bytes, path) -> tuple[str, str, list[str]]:
    m = _CHARSET.search(data[:4096])
    if m:
        name = m.group(1).decode("ascii", "replace").lower()
        try:
            return data.decode(name, errors="replace"), name, []
        except LookupError:
            pass
    from .txt import decode_bytes

    return decode_bytes(data, path)


def _attr(tag, name: str) -> str:
    v = tag.get(name) if hasattr(tag, "get") else None
    return " ".join(v) if isinstance(v, list) else (v or "")


def _text_len(el) -> tuple[int, int]:
    """(all text, text inside links) in characters, whitespace ignored."""
    total = len("".join(el.get_text().split()))
    links = sum(len("".join(a.get_text().split())) for a in el.find_all("a"))
    return total, links


WRAPPERS = {"div", "section", "article", "main", "center", "td"}  # what a portal nests content in


def _main(body):
    cur = body
    while True:
        best, best_score = None, 0
        for child in cur.find_all(recursive=False):
            if child.name not in WRAPPERS:  # a paragraph or a table is content, not a wrapper
                continue
            t, links = _text_len(child)
            score = t - 2 * links
            if score > best_score:
                best, best_score = child, score
        t, links = _text_len(cur)
        if best is None or best_score < 0.7 * (t - 2 * links):
            return cur
        cur = best


class _Walker:
    def __init__(self, keep_breaks: bool = False, fonts: bool = True) -> None:
        self.sink = Sink(keep_breaks)
        self.fonts = fonts  # False when the whole page was already decoded from a legacy encoding
        self.runs: list[Run] = []
        self.centred = False
        self.header_done = False
        self.seen_text = False
        self.encodings: set[str] = set()

    def end_block(self) -> None:
        if any(t.strip() for t, _ in self.runs):
            self.sink.para(self.runs, self.centred)
            self.seen_text = True
        self.runs = []

    def walk(self, el, bold=False, enc=None, centred=False) -> None:
        from bs4 import NavigableString, Tag
        from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

        for node in el.children:
            if isinstance(node, (Comment, Declaration, Doctype, ProcessingInstruction)):
                continue
            if isinstance(node, NavigableString):
                # Source line breaks are spaces in HTML; only <br> breaks a line.
                text = _WS.sub(" ", str(node)) if node.parent.name != "pre" else str(node)
                text = unicodedata.normalize("NFC", decode_run(text, enc) if enc else text)
                if text:
                    if not self.runs:
                        self.centred = centred
                    self.runs.append((text, bold))
                continue
            if not isinstance(node, Tag):
                continue
            name = node.name
            if name == "br":
                self.runs.append(("\n", bold))
                continue
            if name == "table":
                self.end_block()
                self.table(node, bold, enc)
                continue
            style = _attr(node, "style")
            b = bold or name in ("b", "strong", "h1", "h2", "h3", "h4", "h5", "h6", "th") or bool(_BOLD_STYLE.search(style))
            face = _attr(node, "face") or (_FONT_STYLE.search(style).group(1).strip() if _FONT_STYLE.search(style) else "")
            e = legacy_encoding(face) if face and self.fonts else enc
            if face and e:
                self.encodings.add(e.split("-")[0])
            # text-align is inherited in CSS, so is our "centred"
            c = centred or name == "center" or _attr(node, "align").lower() == "center" or bool(_CENTER_STYLE.search(style))
            if name in BLOCK:
                self.end_block()
                self.walk(node, b, e, c)
                self.end_block()
            else:
                self.walk(node, b, e, c)

    def cell_lines(self, td, bold, enc) -> list[list[Run]]:
        sub = _Walker(keep_breaks=True, fonts=self.fonts)
        sub.walk(td, bold, enc)
        sub.end_block()
        sub.sink.flush()
        self.encodings |= sub.encodings
        lines: list[list[Run]] = []
        for blk in sub.sink.blocks:
            if isinstance(blk, Lines):
                lines += blk.lines
            elif isinstance(blk, Table):
                lines += [[(" | ".join(r), False)] for r in blk.rows]
            else:
                lines.append(blk.runs)
        return [ln for ln in lines if "".join(t for t, _ in ln).strip()]

    def table(self, tbl, bold, enc) -> None:
        rows = [tr for tr in tbl.find_all("tr") if tr.find_parent("table") is tbl]
        grid = [[c for c in tr.find_all(["td", "th"], recursive=False)] for tr in rows]
        cells = [[self.cell_lines(c, bold, enc) for c in r] for r in grid]
        text_rows = [[" ".join("".join(t for t, _ in ln).strip() for ln in c) for c in r] for r in cells]
        ncols = max((len(r) for r in grid), default=0)
        if not any(any(c.strip() for c in r) for r in text_rows):
            return
        bordered = _attr(tbl, "border") not in ("", "0") or "border" in _attr(tbl, "style").lower()
        if ncols >= 2 and ncols <= 3 and not bordered:
            left = [ln for r in cells for c in r[: max(1, len(r) // 2)] for ln in c]
            right = [ln for r in cells for c in r[max(1, len(r) // 2):] for ln in c]
            if not self.header_done and not self.seen_text and any(is_header_text("".join(t for t, _ in ln).strip()) for ln in left + right):
                self.header_done = True
                self.sink.add(*header_blocks(left, right))
            else:
                self.sink.add(Lines(left), Lines(right))
        else:
            self.sink.add(Table(text_rows))
        self.seen_text = True


def extract(data: bytes, path: str | None, **opts) -> Extracted:
    from bs4 import BeautifulSoup

    text, enc, warnings = _decode(data, path)
    warnings = extension_warning(path, "html") + warnings
    try:
        soup = BeautifulSoup(text, "lxml")
    except Exception as e:  # lxml refuses only pathological input
        raise InputError(path, f"cannot parse this HTML ({type(e).__name__})") from None
    for t in soup.find_all(DROP):
        t.decompose()
    for t in soup.find_all(attrs={"role": True}):
        if t.decomposed:
            continue
        if _attr(t, "role").lower() in DROP_ROLES:
            t.decompose()
    for t in soup.find_all(attrs={"hidden": True}):
        if not t.decomposed:
            t.decompose()
    body = soup.body or soup
    # A page decoded from TCVN3/VNI bytes as a whole must not be decoded again per font face.
    walker = _Walker(fonts=enc.split("+")[-1] not in ("tcvn3", "vni", "viscii", "cp1258"))
    walker.walk(_main(body))
    walker.end_block()
    walker.sink.flush()
    out, bold = render(walker.sink.blocks)
    if walker.encodings:
        warnings.append(f"legacy font encoding converted ({', '.join(sorted(walker.encodings))}); check the text (vbparse text FILE)")
    return Extracted(text=out, format="html", sha256="", encoding=enc, pages=None, warnings=warnings, bold=bold)
