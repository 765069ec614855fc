"""The section tree: I. -> 1. -> 1.1. -> a), ids as marker paths (II.2.a), headings, spans.

A marker is only a section when it continues a sequence (II after I, b after a, 3 after 2, or
the first of a new list under a new parent): a wrapped line that happens to start with "1." in
the middle of a paragraph does not. Bullets (-, +, •) are body text, never sections.
"""
from __future__ import annotations

from bisect import bisect_right

import regex

from ..layout import BULLET, MARKER
from ..model import Section
from ..pipeline import component

_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10,
          "XI": 11, "XII": 12, "XIII": 13, "XIV": 14, "XV": 15}
_LETTERS = "abcdđeghiklmnopqrstuvxy"
_RANK = {"roman": 0, "arabic": 1, "dec": 2, "letter": 9}
_HEADING_COLON = regex.compile(r"^(?P<h>[^:.;]{2,90}?)\s*:(?:\s|$)")
_SENTENCE_END = regex.compile(r"[.;,]\s*$")
_PUNCT = regex.compile(r"[.)/-]")
_LETTER = regex.compile(r"\p{L}")


def _value(kind: str, tok: str) -> int:
    if kind == "roman":
        return _ROMAN.get(tok, 0)
    if kind == "letter":
        return _LETTERS.index(tok) + 1 if tok in _LETTERS else 0
    return int(tok.split(".")[-1])


def _next_ok(kind: str, prev: int | None, val: int) -> bool:
    if prev is None:
        return val == 1 or kind == "arabic"  # arabic lists sometimes continue across parents
    if kind == "letter":
        return val == prev + 1 or (val == prev + 2 and _LETTERS[prev] == "đ")  # d -> e skipping đ
    return val == prev + 1


@component("sections")
def find_sections(ctx) -> None:
    lay, text = ctx.layout, ctx.text
    body_a, body_b = lay.body
    out: list[Section] = []
    stack: list[tuple[int, Section, str]] = []  # (rank, section, decimal prefix)
    last_child: dict[str | None, int] = {}  # parent id -> last sibling value, per kind
    last_arabic = 0
    for li, m in lay.markers:
        ln = lay.lines[li]
        if ln.start < body_a or ln.start >= body_b:
            continue
        kind = next(k for k in ("roman", "dec", "arabic", "letter") if m.group(k))
        tok = "".join(m.group(kind).split())
        rank = _RANK[kind] + (tok.count(".") - 1 if kind == "dec" else 0)
        # find the parent: pop deeper-or-equal ranks
        st = list(stack)
        while st and st[-1][0] >= rank:
            st.pop()
        parent = st[-1][1] if st else None
        pid = parent.id if parent else None
        val = _value(kind, tok)
        prev = last_child.get((pid, kind))
        if not _next_ok(kind, prev, val):
            if not (kind == "arabic" and prev is None and val == last_arabic + 1):
                continue
        if kind == "letter" and not st and out:
            continue  # a letter with no numbered parent mid-document is body text ("a. " in prose)
        marker = _marker_text(m, kind, tok)
        if kind == "dec":
            own = tok.split(".")[-1]
            prefix = ".".join(tok.split(".")[:-1])
            if parent is not None and parent.marker.rstrip(".)") == prefix.split(".")[-1]:
                sid = f"{pid}.{own}"
            else:
                sid = f"{pid}.{tok}" if pid else tok
        else:
            sid = f"{pid}.{tok}" if pid else tok
        heading = _heading(lay, li, m, kind)
        sec = Section(id=sid, marker=marker, level=(parent.level + 1) if parent else 1, heading=heading,
                      parent=pid, start=ln.start + m.start(kind), end=body_b, kind=kind)
        out.append(sec)
        last_child[(pid, kind)] = val
        if kind == "arabic":
            last_arabic = val
        stack = st + [(rank, sec, tok)]
    # ends: the next section at the same or a higher level, else the end of the body
    for i, sec in enumerate(out):
        end = body_b
        for nxt in out[i + 1:]:
            if nxt.level <= sec.level:
                end = nxt.start
                break
        while end > sec.start + 1 and text[end - 1] in " \t\r\n*|":
            end -= 1
        sec.end = max(end, sec.start + len(sec.marker))
    ctx.doc.sections = out


def _marker_text(m, kind: str, tok: str) -> str:
    raw = m.group(0)
    punct = _PUNCT.search(raw[m.end(kind) - m.start(0):])
    if kind == "dec":
        return tok + ("." if raw.rstrip("*_ ").endswith(".") else "")
    return tok + (punct.group() if punct else ".")


def _heading(lay, li: int, m, kind: str) -> str | None:
    """Heading after a marker: bold text, a short phrase before ':', or a short unpunctuated line."""
    lines = lay.lines
    raw = lines[li].raw
    after_raw = raw[m.end():]
    # 1. bold (markdown): inside ** opened before the marker, or opened right after it
    before = raw[: m.start(kind)]
    bold_text = None
    if before.count("**") % 2 == 1:
        bold_text = _bold_run(lines, li, m.end())
    elif after_raw.lstrip().startswith("**"):
        start = m.end() + after_raw.index("**") + 2
        bold_text = _bold_run(lines, li, start)
    elif lay.bold and _in_bold(lay.bold, lines[li].start + m.end() + 1):
        bold_text = _bold_span_text(lay, lines[li].start + m.end() + 1)
    if bold_text is not None:
        h = " ".join(bold_text.replace("*", " ").split()).rstrip(":").strip()
        if h and h not in (".", ")"):
            return h.rstrip(":. ").strip() or None
    # 2. the paragraph after the marker
    first = " ".join(after_raw.replace("*", " ").split()).lstrip(".) ")
    para = first
    j = li + 1
    continued = False
    while j < len(lines) and not lines[j].blank and len(para.split()) < 80:
        if MARKER.match(lines[j].raw) or BULLET.match(lines[j].raw):
            break
        nxt = lines[j].text
        # a short complete line followed by a capitalised line: heading then body, no blank between
        if not continued and first and not _SENTENCE_END.search(first) and len(first.split()) <= 14 \
                and nxt[:1].isupper() and not (kind == "roman" and nxt.isupper()):
            break
        para = para + " " + nxt
        continued = True
        j += 1
    para = para.strip().strip(":").strip()
    if not para or not _LETTER.search(para):
        return None
    cm = _HEADING_COLON.match(para)
    if cm and len(cm.group("h").split()) <= 12:
        return cm.group("h").strip()
    if kind == "roman":
        return para.rstrip(":").strip() if len(para.split()) <= 30 else first.rstrip(":").strip() or None
    if not _SENTENCE_END.search(para) and len(para.split()) <= 60:
        return para.rstrip(":").strip()
    return None


def _bold_run(lines, li: int, col: int) -> str:
    """Text from line li, column col up to the closing ** (possibly on a later line)."""
    parts = []
    raw = lines[li].raw[col:]
    j = li
    while True:
        k = raw.find("**")
        if k >= 0:
            parts.append(raw[:k])
            break
        parts.append(raw)
        j += 1
        if j >= len(lines) or lines[j].blank or j - li > 3:
            break
        raw = lines[j].raw
    return " ".join(parts)


def _in_bold(spans, offset: int) -> bool:
    i = bisect_right(spans, (offset, 10**12)) - 1
    return i >= 0 and spans[i][0] <= offset < spans[i][1]


def _bold_span_text(lay, offset: int) -> str | None:
    i = bisect_right(lay.bold, (offset, 10**12)) - 1
    return lay.text[offset:lay.bold[i][1]]


def section_at(sections: list[Section], offset: int) -> str | None:
    """Id of the innermost section whose span holds offset."""
    best = None
    for s in sections:
        if s.start > offset:
            break
        if s.start <= offset < max(s.end, s.start + 1):
            best = s.id
    return best
