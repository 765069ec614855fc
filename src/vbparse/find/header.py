"""The header: type, number and symbol, place and date, title, issuer.

Header lines arrive interleaved (two columns on one line, separated by runs of spaces or tabs),
as a broken markdown table (one cell per line between `|` lines), or one column after the
other. Splitting every line into cells at wide gaps and classifying each cell makes the three
shapes one case.
"""
from __future__ import annotations

import regex

from ..lexicon import cues, orgs, type_by_code
from ..layout import cells
from ..model import Header
from ..pipeline import component
from ..resolve.dates import iso
from ..resolve.keys import SYMBOL_PART, reference_key
from ..resolve.names import is_committee, name_case, split_locality, starts_with_locality
from ..text import fold

# Not anchored at the end: two columns may share the line ("Số: 104/KH-CĐYT  Thái Bình, ngày ...").
_NUMBER = regex.compile(
    rf"^Số\s*[:.]?\s*(?P<num>\d[\d.]*[a-z]?)?\s*(?P<sep>[/-])?\s*"
    rf"(?P<sym>(?:\d{{4}}\s*/\s*)?{SYMBOL_PART}(?:\s*[-/]\s*{SYMBOL_PART})*)?"
)
_MOTTO_IN = regex.compile(
    r"cong\s+hoa\s+xa\s+hoi\s+chu\s+nghia\s+viet\s+nam|dang\s+cong\s+san\s+viet\s+nam"
    r"|doc\s+lap\s*[-–—]\s*tu\s+do\s*[-–—]\s*hanh\s+phuc"
)
_DASH = regex.compile(r"\s*-\s*")
# Place and date: find "ngày ... tháng ... năm" first (cheap, literal), then read the place
# backwards from the comma before it ("Thành phố Hồ Chí Minh, ngày 21 tháng 11 năm 2025").
_DATE_TAIL = regex.compile(
    r"ngày\s*(?P<d>\d{1,2})?[\s.…_]*tháng\s*(?P<m>\d{1,2})?[\s.…_]*năm\s*(?P<y>\d{4})?"
    r"|(?:ngày\s+)?(?P<d2>\d{1,2})\s*(?P<sep>[/.-])\s*(?P<m2>\d{1,2})\s*(?P=sep)\s*(?P<y2>\d{4})"  # "Hà Nội, ngày 15/3/2024"
)
_PLACE_BEFORE = regex.compile(
    r"(?P<place>(?:(?:\p{Lu}[\p{L}.]*|phố|xã|huyện|tỉnh|thị|trấn|quận|phường|thành)\s+){0,6}\p{Lu}[\p{L}.]*)\s*,\s*$"
)
_MOTTOS = tuple(_DASH.sub(" - ", " ".join(fold(m).replace("–", "-").split())) for m in cues()["motto"])
_STANDING = {"ban thuong truc", "ban thuong vu", "ban chap hanh"}
_YEAR_SLASH = regex.compile(r"\d{4}/")
_SO = regex.compile(r"^Số\s*[:.]?(?:\s|$|\d)")
_SO_BLANK = regex.compile(r"Số\s*[:.]?\s*\d*\s*")
_YEAR_WORD = regex.compile(r"\bnăm\s+\d{4}")
_NON_LETTERS = regex.compile(r"[^\p{L}]")
_SYM_SPLIT = regex.compile(r"[-/]")
_SEP = regex.compile(r"^[-_=—–.\s*]*$")
_VV = regex.compile(r"^(?:V/v|Về việc)\s*[:.]?\s*(?P<t>.+)$")


def _is_motto(cell: str) -> bool:
    f = " ".join(fold(cell).replace("–", "-").replace("—", "-").split())
    f = _DASH.sub(" - ", f)
    return len(f) >= 5 and any(f in m for m in _MOTTOS)


def _without_motto(cs: list[str]) -> list[str]:
    """Columns two spaces apart stay one cell ("LĐLĐ TỈNH THÁI BÌNH  CỘNG HÒA XÃ HỘI ..."): cut the
    motto out so the issuer part stands alone (the fold keeps offsets, so cuts line up)."""
    out = []
    for c in cs:
        m = _MOTTO_IN.search(fold(c)) if len(c) > 12 else None
        if m is None or (m.start() == 0 and m.end() >= len(c.rstrip(" *"))):
            out.append(c)
        else:
            out.extend(x for x in (c[: m.start()].strip(), c[m.end():].strip()) if x)
    return out


def parse_number(cell: str) -> tuple[str | None, str | None, str | None] | None:
    """'Số: 23 /KH- CĐYT' -> ('23', 'KH-CĐYT', 'admin'); blank number -> (None, symbol, ...)."""
    m = _NUMBER.match(cell)
    if not m:
        return None
    num, sep, sym = m.group("num"), m.group("sep"), m.group("sym")
    if num and not sep and not sym:
        return num, None, None
    if not sym:
        return num, None, None
    sym = "".join(sym.split()).strip("/-")
    grammar = "party" if sep == "-" else ("normative" if _YEAR_SLASH.match(sym) else "admin")
    return num, sym, grammar


def compose_issuer(units: list[str]) -> str | None:
    """Issuer lines (upper case, parent body first) -> one body name in normal case."""
    merged: list[str] = []
    for u in units:
        if merged and (starts_with_locality(u) or merged[-1].endswith(("VÀ", "-", ","))
                       or (len(u.split()) <= 2 and not _opens_body(u))):
            merged[-1] = merged[-1] + " " + u
        else:
            merged.append(u)
    if not merged:
        return None
    body = name_case(merged[-1])
    if len(merged) == 1:
        return body
    parent = name_case(merged[-2])
    if is_committee(body):
        # "ĐẢNG BỘ TỈNH QUẢNG NAM / TỈNH ỦY" -> "Tỉnh ủy Quảng Nam"; a named one stays as it is
        if len(body.split()) > 2:
            return body
        _, loc = split_locality(parent)
        return f"{body} {loc.split(' ', 1)[1]}" if loc and " " in loc else body
    if fold(body) in _STANDING:  # "Ban Thường trực" of the body above it
        return f"{body} {parent}"
    for item in orgs().get("suffix", ()):
        key, _, suffix = item.partition("=")
        if fold(parent).endswith(fold(key)) and not fold(body).endswith(fold(suffix)):
            return f"{body} {suffix}"
    if any(fold(p) in fold(parent) for p in orgs().get("party", ())) and split_locality(body)[1] is None:
        # a Party committee's department keeps the committee's whole name
        return f"{body} {parent}"
    _, loc = split_locality(parent)
    if loc and len(loc.split()) >= 2 and split_locality(body)[1] is None:
        return f"{body} {loc}"  # the parent's place, when it names one: "... tỉnh Thái Bình"
    return body


def _opens_body(u: str) -> bool:
    f = fold(u)
    return any(f.startswith(fold(o)) for o in orgs().get("org", ()) if len(o) > 2)


@component("header")
def find_header(ctx) -> None:
    lay, view, text = ctx.layout, ctx.view, ctx.text
    h = Header()
    a, b = lay.header
    lines = [(i, lay.lines[i]) for i in range(a, b)]
    issuer_units: list[str] = []
    number_cell = None
    in_vv = False
    for idx, cell in ((i, c) for i, ln in lines for c in _without_motto(cells(ln.raw)) if c):
        if _SEP.match(cell) or _is_motto(cell):
            continue
        if number_cell is None and _SO.match(cell):
            number_cell = cell
            continue
        if number_cell is not None and cell[:1] in "/0123456789" and _SO_BLANK.fullmatch(number_cell):
            # a blank number leaves a wide gap ("Số:      /KH-CĐCS"); a converter may wrap after "Số:"
            number_cell += " " + cell
            continue
        if "ngày" in cell or "tháng" in cell or _YEAR_WORD.search(cell):
            continue
        if _VV.match(cell):
            h.title = _VV.match(cell).group("t")
            in_vv = True
            continue
        if in_vv and cell[:1].islower():
            h.title += " " + cell  # the V/v line wraps
            continue
        in_vv = False
        letters = _NON_LETTERS.sub("", cell)
        if letters and letters.isupper() and number_cell is None and len(cell) < 90:
            issuer_units.append(cell)
    if number_cell:
        parsed = parse_number(number_cell)
        if parsed:
            h.number, h.symbol, grammar = parsed
            h.key = reference_key(h.number, h.symbol, grammar) if h.number else None
    # place and date: on the cleaned header region, so a date wrapped over two lines still reads
    if b > a:
        ca = view.to_clean(lay.lines[a].start)
        cb = view.to_clean(lay.lines[b - 1].end)
        region = view.clean[ca:cb]
        for m in _DATE_TAIL.finditer(region):
            pm = _PLACE_BEFORE.search(region, max(0, m.start() - 70), m.start())
            if pm is None:
                continue
            h.place = _place(pm.group("place"))
            d, mo, y = (m["d"], m["m"], m["y"]) if m["d2"] is None else (m["d2"], m["m2"], m["y2"])
            if d and mo and y:
                h.issued = iso(int(y), int(mo), int(d))
            ctx.year = int(y) if y else None
            ctx.scratch["issued_span"] = view.to_source(ca + pm.start(), ca + m.end())
            break
    h.issuer = compose_issuer(issuer_units)
    if lay.title_text:
        h.title = lay.title_text
    code = lay.title_type
    if code is None and h.symbol:
        first = _SYM_SPLIT.split(h.symbol.split("/")[-1] if _YEAR_SLASH.match(h.symbol) else h.symbol)[0]
        if first in type_by_code():
            code = type_by_code()[first].code
    if code is None and h.symbol and lay.title_line is None:
        code = "CV"  # a numbered letter with no type word (and usually a V/v line) is a công văn
    if code:
        h.doc_type = code
        dt = type_by_code().get(code)
        h.doc_type_name = dt.name if dt else None
    ctx.doc.header = h
    if ctx.year is None and h.issued:
        ctx.year = int(h.issued[:4])


def _place(p: str) -> str:
    # upper-case header fragments (the motto, a body line) may precede the place in the cleaned
    # header; places are written in normal case ("Thái Bình", "TP. Hồ Chí Minh")
    words = p.split()
    while len(words) > 1 and words[0].isupper() and words[0] not in ("TP.", "TP"):
        words = words[1:]
    return " ".join(words)
