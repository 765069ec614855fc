"""Lines and blocks: where the header, the title, the preamble, the body and the closing are.

A plan reads top to bottom as header -> title (type word + trích yếu) -> preamble (căn cứ) ->
numbered body -> closing (Nơi nhận, signature). Web pages may put boilerplate and a metadata
table before the header; the document's own title line anchors everything, and the header is
the block of header-like lines just above it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import regex

from .lexicon import alternation, cues, doc_types



class Line:
    """One source line; `text` (markup removed, whitespace folded) is computed on first use,
    since most body lines are only ever asked whether they are blank or start with a marker."""

    __slots__ = ("start", "end", "raw", "_text")

    def __init__(self, start: int, end: int, raw: str):
        self.start, self.end, self.raw, self._text = start, end, raw, None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = _squash(self.raw)
        return self._text

    @property
    def blank(self) -> bool:
        return not self.raw.strip(_BLANK_CHARS)


@dataclass
class Layout:
    lines: list[Line]
    text: str = ""
    header: tuple[int, int] = (0, 0)  # line indexes [a, b)
    title_line: int | None = None  # index of the type-word line ("KẾ HOẠCH")
    title_type: str | None = None  # doc type code from the title line
    title_lines: tuple[int, int] | None = None  # trích yếu line range [a, b)
    title_text: str | None = None
    preamble: tuple[int, int] = (0, 0)  # char range
    body: tuple[int, int] = (0, 0)  # char range: first section marker .. closing
    closing: int = 0  # char offset where "Nơi nhận"/signature starts
    markers: list = field(default_factory=list)  # (line index, regex match) of candidate section markers
    bold: list = field(default_factory=list)

    def line_at(self, offset: int) -> int:
        lo, hi = 0, len(self.lines)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.lines[mid].end < offset:
                lo = mid + 1
            else:
                hi = mid
        return min(lo, len(self.lines) - 1)


_MARKUP_TABLE = str.maketrans({"*": " ", "|": " ", "#": " ", "_": " "})


_BLANK_CHARS = " \t\r\f\v*|#_\u00a0\u200b"


def _squash(s: str) -> str:
    if "*" in s or "|" in s or "#" in s or "_" in s:
        s = s.translate(_MARKUP_TABLE)
    return " ".join(s.split())


# Section markers at a line start; markdown emphasis may wrap the number ("**1**. **Mục đích**").
MARKER = regex.compile(
    r"""^[ \t>*_#|]*
    (?:
        (?P<roman>(?:X{0,3})(?:IX|IV|V?I{0,3}))(?<=[IVX])[*_]*\s*(?:[.)-]|/(?=\s))
      | (?P<dec>\d{1,2}(?:\s?\.\s?\d{1,2}){1,3})[*_]*\.?
      | (?P<arabic>\d{1,2})[*_]*\s*(?:[.)]|[-/](?=\s))
      | (?P<letter>[a-zđ])[*_]*\s*(?:[).]|/(?=\s))
    )
    (?=[\s*_:]|$)""",
    regex.X,
)
BULLET = regex.compile(r"^[ \t*]*[-+•–—·▪◦○●]\s")


@lru_cache(maxsize=None)
def _title_re() -> regex.Pattern:
    words = [w for dt in doc_types() for w in dt.titles]
    return regex.compile(r"^(?P<type>" + alternation(words) + r")(?![\p{L}])\s*:?\s*(?P<rest>.*)$")


_HEADER_LIKE = regex.compile(
    r"""^(?:
        [-_=—.\s]*$                                   # separators and blanks
      | Số\s*[:.]?\s                                 # number line
      | Số\s*[:.]?\s*$
      | .*\bngày\b                                    # place, date (may wrap: "Đắk Lắk, ngày 18")
      | tháng\b.*\bnăm\b
      | V/v\b | Về\s+việc\b
      | [^\p{Ll}]*$                                   # upper-case lines: issuer, motto
      | (?:(?:\p{Lu}\p{L}*|phố|xã|huyện|tỉnh|thị|trấn|quận|phường)[\s,]*){1,8}$  # a wrapped place
      | .*\bnăm\s+\d{4}\s*$
      | Độc\s+lập
      | Kính\s+gửi
    )""",
    regex.X,
)
_RULE = regex.compile(r"[-_=—.\s]+")
_BOILER = regex.compile(r"Số hiệu|Loại văn bản|Ngày ban hành|Người ký|Tình trạng|Nơi ban hành|THƯ VIỆN PHÁP LUẬT|Đang tải", regex.I)
_PREAMBLE_STOP = regex.compile(r"^(?:QUYẾT ĐỊNH\s*:|Điều\s+1\b|NGHỊ QUYẾT\s*:|CHỈ THỊ\s*:)")
_CLOSING = regex.compile(r"^(?:Nơi\s+nhận|NƠI\s+NHẬN)\b")
_CLOSING_ANY = regex.compile(r"(?m)^[ \t>*_#|]*(?:Nơi\s+nhận|NƠI\s+NHẬN)\b")
# the national or Party motto, possibly wrapped ("CỘNG HÒA XÃ\nHỘI CHỦ NGHĨA"): where the real header is
# (capitals only: "Đảng Cộng sản Việt Nam" in running text is not the motto)
_MOTTO_ANY = regex.compile(r"CỘNG\s+HÒA\s+XÃ|ĐẢNG\s+CỘNG\s+SẢN|Độc\s+lập\s*[-–—]\s*Tự\s+do|ĐỘC\s+LẬP\s*[-–—]\s*TỰ\s+DO")
_MARKER_START = frozenset("0123456789IVX" + "abcdđeghiklmnopqrstuvxy")


def _maybe_marker(raw: str) -> bool:
    """Cheap test before the marker regex: most lines cannot open with "I.", "1.", "1.1", "a)"."""
    s = raw.lstrip(" \t>*_#|")
    if not s or s[0] not in _MARKER_START:
        return False
    return s[0] in "0123456789IVX" or (len(s) > 1 and s[1] in ").*/ _")
# The authority that opens a signature block ("TM.", "KT.", "T/M"); the signer finder reads it too.
AUTHORITY = r"(?:TM|KT|TL|TUQ|Q|T/M|K/T|T\.M)\.?\s+"
_AUTH = regex.compile(r"^" + AUTHORITY + r"\p{Lu}")
_CUE_START = regex.compile(r"^(?:Căn\s+cứ|Thực\s+hiện|Triển\s+khai|Theo|Tiếp\s+tục|Nhằm|Để)\b")


_CELL_SPLIT = regex.compile(r"\t+|\s{3,}|\s*\|\s*")


def cells(raw: str) -> list[str]:
    """A header or closing line cut into its columns: interleaved text leaves tabs or wide runs of
    spaces between them, converted tables leave `|`. Emphasis marks are dropped; empty cells kept."""
    raw = raw.replace("*", " ").replace("#", " ")
    return [" ".join(c.split()) for c in _CELL_SPLIT.split(raw)]


def lines_of(text: str) -> list[Line]:
    out = []
    pos = 0
    for raw in text.split("\n"):
        end = pos + len(raw)
        out.append(Line(pos, end, raw))
        pos = end + 1
    return out


def segment(text: str, view=None, bold=None) -> Layout:
    lines = lines_of(text)
    lay = Layout(lines=lines, text=text, bold=sorted(bold or []))
    n = len(lines)
    title_re = _title_re()

    # 1. title: the first upper-case type-word line after the national motto (web pages may
    #    carry their own "THÔNG BÁO" before the document starts), else the first one at all
    mm = _MOTTO_ANY.search(text, 0, lines[min(n, 400) - 1].end)
    first_motto = lay.line_at(mm.start()) if mm else None
    scan_from = max(0, first_motto - 12) if first_motto is not None else 0
    # with a motto, the title follows it closely; a công văn has none (its V/v is in the header)
    scan_to = min(n, first_motto + 40) if first_motto is not None else min(n, 400)
    for i in range(scan_from, scan_to):
        ln = lines[i]
        if not ln.text or _BOILER.search(ln.text):
            continue
        m = title_re.match(ln.text)
        if m and (not m.group("rest") or len(m.group("rest").split()) <= 30):
            # the Party template puts the type word inside the number line: skip "Số: ..."
            lay.title_line = i
            for dt in doc_types():
                if m.group("type").replace("\n", " ") in dt.titles:
                    lay.title_type = dt.code
                    break
            break

    # 2. header: header-like lines just above the title (or the top block when there is none)
    if lay.title_line is not None:
        anchor = lay.title_line
    elif first_motto is not None:
        anchor = _first_body_line(lines, first_motto + 1)
    else:
        anchor = _first_body_line(lines)
    # walk up from the motto when there is one: the lines between it and the title (V/v, a
    # wrapped place-date) belong to the header even when they read like prose
    a = first_motto if first_motto is not None and first_motto < anchor else anchor
    while a > 0 and anchor - a < 60:
        t = lines[a - 1].text
        if _BOILER.search(t) or (t and not _HEADER_LIKE.match(t)):
            break
        a -= 1
    lay.header = (a, anchor)

    # 3. trích yếu: the paragraph after the type line (blank lines before it allowed)
    pos_after_title = lines[anchor].start if anchor < n else len(text)
    if lay.title_line is not None:
        i = lay.title_line
        rest = title_re.match(lines[i].text).group("rest")
        parts: list[str] = [rest] if rest else []
        j = i + 1
        start_j = j if rest else None
        if not rest:
            while j < n and (lines[j].blank or _RULE.fullmatch(lines[j].raw or "")):
                j += 1
            start_j = j
        while j < n:
            t = lines[j].text
            if not t:
                # a wrapped title may continue after a blank line in a lower-case fragment
                k = j + 1
                while k < n and lines[k].blank:
                    k += 1
                if k < n and parts and _is_title_continuation(lines[k].text):
                    j = k
                    continue
                break
            # a trích yếu may itself open with "Thực hiện"/"Triển khai": cue words only end it later
            if _RULE.fullmatch(t) or (parts and _CUE_START.match(t)) or MARKER.match(lines[j].raw) \
                    or _BOILER.search(t) or (parts and _PREAMBLE_STOP.match(t)):
                break
            if parts and len(" ".join(parts).split()) > 60:
                break
            parts.append(t)
            j += 1
        if parts:
            lay.title_text = " ".join(" ".join(parts).split())
            lay.title_lines = (start_j, j)
        pos_after_title = lines[j].start if j < n else len(text)

    # 4. closing: the last "Nơi nhận" line after the header, found from the end of the text
    closing = len(text)
    floor = lines[anchor].start if anchor < n else 0
    last = None
    for last in _CLOSING_ANY.finditer(text, floor):
        pass
    if last is not None:
        closing = lines[lay.line_at(last.start() + len(last.group()) - 1)].start
    lay.closing = closing

    # 5. candidate section markers between title and closing
    first_marker = None
    for i in range(max(anchor, 0), n):
        ln = lines[i]
        if ln.start >= closing:
            break
        if ln.start < pos_after_title:
            continue
        m = MARKER.match(ln.raw) if _maybe_marker(ln.raw) else None
        if m:
            lay.markers.append((i, m))
            if first_marker is None and (m.group("roman") or m.group("arabic") or m.group("dec")):
                first_marker = ln.start
    # the preamble ends at the first top-level marker, or at "QUYẾT ĐỊNH:" / "Điều 1" in decisions
    pre_end = first_marker if first_marker is not None else closing
    for i in range(max(anchor, 0), n):
        ln = lines[i]
        if ln.start < pos_after_title:
            continue
        if ln.start >= pre_end:
            break
        if _PREAMBLE_STOP.match(ln.text):
            pre_end = ln.start
            break
    lay.preamble = (pos_after_title, pre_end)
    lay.body = (pre_end, closing)
    if first_marker is None:
        _attached_plan(lay, title_re)
    if closing == len(text) or closing < pre_end:
        # no "Nơi nhận": the signature block, if any, closes the body
        for i in range(n - 1, anchor, -1):
            if lines[i].start < pre_end:
                break
            if _AUTH.match(lines[i].text):
                lay.closing = lines[i].start
                lay.body = (pre_end, lines[i].start)
                break
    return lay


def _attached_plan(lay: Layout, title_re) -> None:
    """A decision that issues a plan ("Ban hành kèm theo Quyết định số ...") carries the plan after
    its own closing: the plan's outline is the body, while the signature stays the decision's."""
    lines = lay.lines
    start = lay.line_at(lay.closing) if lay.closing < len(lay.text) else len(lines)
    for i in range(start, len(lines)):
        if title_re.match(lines[i].text) and lines[i].text.isupper():
            end = len(lay.text)
            for j in range(i + 1, len(lines)):
                if _CLOSING.match(lines[j].text):
                    end = lines[j].start
                    break
            for j in range(i + 1, len(lines)):
                if lines[j].start >= end:
                    break
                m = MARKER.match(lines[j].raw)
                if m:
                    lay.markers.append((j, m))
            first = next((lines[j].start for j, m in lay.markers if lines[j].start > lines[i].start
                          and (m.group("roman") or m.group("arabic"))), None)
            if first is not None:
                lay.body = (first, end)
            return


def _is_title_continuation(t: str) -> bool:
    return bool(t) and t[0].islower() and len(t.split()) <= 15


def _first_body_line(lines: list[Line], start: int = 0) -> int:
    """Without a title line, the header (if any) ends where prose, "Kính gửi" or the outline begins."""
    for i in range(start, min(len(lines), start + 80)):
        t = lines[i].text
        if t and (_CUE_START.match(t) or MARKER.match(lines[i].raw) or t.startswith("Kính gửi")
                  or (len(t.split()) > 14 and "ngày" not in t and not t.startswith(("V/v", "Về việc")))):
            return i
    return start
