"""Every mention of a calendar date, in every written form, resolved to ISO.

Full dates (12/7/2021, 02-7-2021, "ngày 15 tháng 12 năm 2017"), day-months after a cue word
("trước ngày 15/10"), months and quarters with a year ("tháng 6/2024", "quý III năm 2024").
Periods ("từ ngày 01/7 đến ngày 31/12/2021") give both ends, the first taking the second's year.
"""
from __future__ import annotations

import regex

from ..model import DateMention
from ..pipeline import component
from ..resolve.dates import ROMAN_QUARTER, complete_year, end_of_month, end_of_quarter, iso

_Y = r"(?:1[89]|20)\d{2}"  # 1890: anniversaries reach back to Hồ Chí Minh's birth
# Two scans, each opening with something rare (a digit; "tháng"/"quý"), so the regex engine
# skips prose fast. Day-month dates need a cue before them ("trước ngày 15/10"), checked after.
NUM_RE = regex.compile(
    rf"""(?<![\d/.])(?P<d>\d{{1,2}})(?:
        \s*(?P<fs>[/.-])\s*(?P<fm>\d{{1,2}})\s*(?P=fs)\s*(?P<fy>{_Y})(?![\d/])
      | \s+(?i:tháng)\s+(?P<vm>\d{{1,2}})(?![\d/])(?:\s*,?\s*(?i:năm)\s+(?P<vy>{_Y})(?!\d))?
      | \s*/\s*(?P<pm>\d{{1,2}})(?![\d/]|\s*/\s*\d))""",
    regex.X,
)
MQ_RE = regex.compile(
    rf"(?P<w>(?i:tháng|quý))\s+(?P<n>IV|I{{1,3}}|\d{{1,2}})\s*(?:/|-|(?i:năm))\s*(?P<y>{_Y})(?!\d)"
)
_PARTIAL_CUE = regex.compile(
    r"(?:(?<![\p{L}])(?:ngày|từ|đến|trước|sau|hết|tới|và|hạn|dịp)\s{1,3}"
    r"|\d{1,2}\s*/\s*\d{1,2}(?:\s*/\s*\d{4})?\s*[,;]\s{1,3})$",
    regex.I,
)
_NGAY_BEFORE = regex.compile(r"ngày\s{1,3}$", regex.I)
_PERIOD_GAP = regex.compile(r"^\s*(?:đến|tới|-|–|—)\s*(?:hết\s+)?(?:ngày\s+)?$", regex.I)
_PERIOD_OPEN = regex.compile(r"(?:từ|\()\s*(?:ngày\s+)?$", regex.I)


class Hit:
    """A date match in the clean view, before year completion."""

    __slots__ = ("cs", "ce", "kind", "y", "m", "d", "q")

    def __init__(self, cs, ce, kind, y, m, d, q=None):
        self.cs, self.ce, self.kind, self.y, self.m, self.d, self.q = cs, ce, kind, y, m, d, q


def scan(clean: str, start: int = 0, end: int | None = None) -> list[Hit]:
    end = len(clean) if end is None else end
    hits = []
    for m in NUM_RE.finditer(clean, start, end):
        a = m.start()
        if m["fy"]:
            hits.append(Hit(a, m.end(), "full", int(m["fy"]), int(m["fm"]), int(m["d"])))
        elif m["vm"]:
            year = int(m["vy"]) if m["vy"] else None
            if year is None and not _NGAY_BEFORE.search(clean, max(0, a - 8), a):
                continue  # "6 tháng 12" without "ngày" or a year is not a date
            hits.append(Hit(a, m.end(), "full" if year else "partial", year, int(m["vm"]), int(m["d"])))
        else:
            # "1/2 ngày" is half a day: a day-month needs a cue, or to stand alone in brackets
            bracketed = clean[a - 1:a] == "(" and clean[m.end():m.end() + 1] == ")" and not clean[a - 3:a - 1].strip().isdigit()
            if bracketed or _PARTIAL_CUE.search(clean, max(0, a - 16), a):
                hits.append(Hit(a, m.end(), "partial", None, int(m["pm"]), int(m["d"])))
    taken = [(h.cs, h.ce) for h in hits]
    for m in MQ_RE.finditer(clean, start, end):
        a = m.start()
        if a > 0 and clean[a - 1].isalpha() or any(x <= a < y for x, y in taken):
            continue  # inside "ngày 18 tháng 11 năm 2025", or part of a longer word
        n, year = m["n"].upper(), int(m["y"])
        if m["w"].lower() == "quý":
            if n in ROMAN_QUARTER:
                hits.append(Hit(a, m.end(), "quarter", year, None, None, ROMAN_QUARTER[n]))
        elif n.isdigit():
            hits.append(Hit(a, m.end(), "month", year, int(n), None))
    hits.sort(key=lambda h: h.cs)
    return hits


def date_scan(ctx) -> list[Hit]:
    """All date matches of the cleaned text, computed once per document and shared (references
    read the date after a number from it, the dates finder resolves all of them)."""
    hits = ctx.scratch.get("date_scan")
    if hits is None:
        hits = ctx.scratch["date_scan"] = scan(ctx.view.clean)
    return hits


def resolve(hits: list[Hit], clean: str, issued: str | None, plan_year: int | None):
    """Hits -> (hit, iso, precision, inferred, role) with years completed and periods paired."""
    out = []
    n = len(hits)
    period_role: dict[int, str] = {}
    for i in range(n - 1):
        a, b = hits[i], hits[i + 1]
        if _PERIOD_GAP.match(clean[a.ce:b.cs]) and (b.cs - a.ce) < 20:
            if _PERIOD_OPEN.search(clean, max(0, a.cs - 12), a.cs) or a.kind == b.kind == "full":
                period_role[i], period_role[i + 1] = "period-start", "period-end"
                if a.kind == "partial" and b.y is not None and b.kind != "partial":
                    a.y = b.y
                    a.kind = "from-period"
    context_year = None
    for i, h in enumerate(hits):
        inferred = None
        precision = "day"
        if h.kind == "full":
            value = iso(h.y, h.m, h.d)
            context_year = h.y
        elif h.kind == "from-period":
            value, inferred = iso(h.y, h.m, h.d), "year-from-period"
        elif h.kind == "partial":
            year, inferred = complete_year(h.d, h.m, issued, plan_year, context_year)
            value = iso(year, h.m, h.d) if year else None
        elif h.kind == "month":
            value, precision, inferred = end_of_month(h.y, h.m), "month", "end-of-month"
        else:
            value, precision, inferred = end_of_quarter(h.y, h.q), "quarter", "end-of-quarter"
        if value:
            out.append((h, value, precision, inferred, period_role.get(i)))
    return out


@component("dates", requires=("header",))
def find_dates(ctx) -> None:
    view = ctx.view
    hits = date_scan(ctx)
    resolved = resolve(hits, view.clean, ctx.doc.header.issued, ctx.year)
    issued_span = ctx.scratch.get("issued_span")
    mentions = []
    for h, value, precision, inferred, role in resolved:
        s, e = view.to_source(h.cs, h.ce)
        if issued_span and issued_span[0] <= s < issued_span[1]:
            role = "issued"
        elif any(r.start <= s < r.end for r in ctx.doc.references):
            role = "reference"
        mentions.append(DateMention(date=value, text=ctx.text[s:e], start=s, end=e, precision=precision,
                                    inferred=inferred, role=role))
    ctx.doc.dates = mentions
    ctx.scratch["date_hits"] = resolved
