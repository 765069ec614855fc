"""The search query language, parsed into a small tree that each backend compiles to its own
full-text syntax (FTS5 MATCH or a PostgreSQL tsquery). Users never write backend syntax: every
term is re-tokenised with `fold.tokens`, so quotes, operators and SQL in a query are just text.

    lao dong gioi            all words (diacritics and case ignored, đ = d); when no plan has
                             all of them, plans with any of them ("relaxed")
    "thi đua yêu nước"       a phrase: the words next to each other
    covid-19 129/KH-LĐLĐ     a word with inner punctuation is a phrase ("covid 19")
    chuyen*                  prefix
    -covid  NOT covid        exclude
    tuyen truyen OR tuyen giao   either side of OR (OR binds the two terms next to it)
    issuer:"LĐLĐ Thái Bình"  filters, see FIELDS; a value with spaces goes in quotes
    year:2021  year:2019..2021  type:KH,QĐ  movement:chuyen-doi-so
    due:2020-03  due:2020-03-01..2020-03-31        has a deadline in the range
    children-of:05-CT/TW  parent-of:129/KH-LĐLĐ  cites:34-CT/TW  symbol:129/KH-LĐLĐ

A document number in any spelling ("129/KH-LĐLĐ", "129 KH LDLD", "KH-LDLD 129") is recognised
by the search (see base.py) against the numbers the index knows.
"""
from __future__ import annotations

import calendar
import unicodedata
from dataclasses import dataclass, field

import regex

from .fold import compact_key, fold, tokens

MAX_TERMS = 32  # positive terms (words, phrases) in one query
MAX_NEGATIVE = 16
MAX_QUERY_CHARS = 20_000


class QueryError(ValueError):
    """A query that cannot be run; the message says why, in one line."""


@dataclass(frozen=True)
class Term:
    tokens: tuple[str, ...]
    prefix: bool = False  # the last token is a prefix

    def __str__(self) -> str:
        s = " ".join(self.tokens)
        s = f'"{s}"' if len(self.tokens) > 1 else s
        return s + ("*" if self.prefix else "")


@dataclass
class Filters:
    issuer: list[list[str]] = field(default_factory=list)  # each: folded tokens, all must occur
    year: list[list[tuple[int | None, int | None]]] = field(default_factory=list)  # each: any range
    doc_type: list[list[str]] = field(default_factory=list)  # each: any code (folded, upper)
    movement: list[list[str]] = field(default_factory=list)  # each: any label slug
    due: list[tuple[str | None, str | None]] = field(default_factory=list)  # ISO from, to
    children_of: list[str] = field(default_factory=list)  # compact keys
    parent_of: list[str] = field(default_factory=list)
    cites: list[str] = field(default_factory=list)
    symbol: list[str] = field(default_factory=list)

    def empty(self) -> bool:
        return not any(getattr(self, f) for f in self.__dataclass_fields__)

    def describe(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v}

    def as_text(self) -> list[str]:
        """The filters in query syntax (keys in their compact form)."""
        out = []
        rng = lambda lo, hi: str(lo) if lo == hi and lo is not None else f"{lo or ''}..{hi or ''}"  # noqa: E731
        for toks in self.issuer:
            out.append(f'issuer:"{" ".join(toks)}"')
        for ranges in self.year:
            out.append("year:" + ",".join(rng(lo, hi) for lo, hi in ranges))
        for codes in self.doc_type:
            out.append("type:" + ",".join(codes))
        for slugs in self.movement:
            out.append("movement:" + ",".join(slugs))
        for lo, hi in self.due:
            out.append("due:" + rng(lo, hi))
        for name in ("children_of", "parent_of", "cites", "symbol"):
            for k in getattr(self, name):
                out.append(f"{name.replace('_', '-')}:{k}")
        return out


@dataclass
class Query:
    groups: list[list[Term]] = field(default_factory=list)  # AND of (OR of terms)
    negative: list[Term] = field(default_factory=list)
    filters: Filters = field(default_factory=Filters)
    raw: str = ""
    # diacritic words of the query as typed (for word segmentation), in order
    marked_words: list[str] = field(default_factory=list)

    def terms(self) -> list[Term]:
        return [t for g in self.groups for t in g]

    def __str__(self) -> str:
        parts = [" OR ".join(str(t) for t in g) for g in self.groups]
        parts += [f"-{t}" for t in self.negative]
        parts += self.filters.as_text()
        return " ".join(parts)


FIELDS = {
    "issuer": "issuer", "co-quan": "issuer",
    "year": "year",
    "type": "doc_type", "doc_type": "doc_type", "doctype": "doc_type",
    "movement": "movement", "label": "movement", "phong-trao": "movement",
    "due": "due", "deadline": "due", "han": "due",
    "children-of": "children_of", "implements": "children_of", "child-of": "children_of",
    "parent-of": "parent_of", "parents-of": "parent_of",
    "cites": "cites", "cite": "cites",
    "symbol": "symbol", "number": "symbol",
}

_CONTROL = regex.compile(r"[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "″": '"'})
_FIELD = regex.compile(r"([A-Za-z][A-Za-z_-]*):(?=\S)")


def clean(raw: str) -> str:
    """NFC, curly quotes straightened, control/format/unassigned characters -> spaces."""
    s = unicodedata.normalize("NFC", raw)
    s = _CONTROL.sub(" ", s)
    return s.translate(_QUOTES)


def parse(raw: str) -> Query:
    """Parse a user's query; raises QueryError with a one-line reason when it cannot be run."""
    if not isinstance(raw, str):
        raise QueryError("the query must be text")
    if len(raw) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long ({len(raw)} characters; at most {MAX_QUERY_CHARS})")
    s = clean(raw)
    q = Query(raw=raw)
    i, n = 0, len(s)
    negate = False
    pending_or = False
    while i < n:
        ch = s[i]
        if ch.isspace() or ch in "()":
            i += 1
            continue
        # operators, as whole words
        m = regex.match(r"(OR|AND|NOT|\|\||\||&&)(?=[\s()]|$)", s[i:])
        if m:
            op = m.group(1)
            i += len(op)
            if op in ("OR", "|", "||"):
                pending_or = bool(q.groups)
            elif op == "NOT":
                negate = True
            continue
        if ch in "-!" and i + 1 < n and not s[i + 1].isspace() and s[i + 1] not in "-!":
            negate = True
            i += 1
            continue
        m = _FIELD.match(s, i)
        if m and m.group(1).lower() in FIELDS:
            name = FIELDS[m.group(1).lower()]
            value, i = _read_value(s, m.end())
            _add_filter(q.filters, name, value)
            negate = pending_or = False
            continue
        if ch == '"':
            end = s.find('"', i + 1)
            end = n if end < 0 else end
            text = s[i + 1:end]
            i = end + 1
            prefix = False
            if i < n and s[i] == "*":
                prefix, i = True, i + 1
        else:
            m = regex.match(r'[^\s"()]+', s[i:])
            text = m.group()
            i += len(text)
            prefix = text.endswith("*")
        toks = tuple(tokens(text))
        if not toks:
            negate = pending_or = False
            continue
        if fold(text) != text.lower():
            q.marked_words.extend(regex.findall(r"[^\W\d_]+", text))
        term = Term(toks, prefix)
        if negate:
            q.negative.append(term)
        elif pending_or and q.groups:
            q.groups[-1].append(term)
        else:
            q.groups.append([term])
        negate = pending_or = False
    # dedupe identical groups (repeated words add nothing but cost)
    seen, groups = set(), []
    for g in q.groups:
        k = tuple(g)
        if k not in seen:
            seen.add(k)
            groups.append(g)
    q.groups = groups
    q.negative = list(dict.fromkeys(q.negative))
    npos = sum(len(g) for g in q.groups)
    if npos > MAX_TERMS:
        raise QueryError(f"query has too many terms ({npos}; at most {MAX_TERMS}): use fewer, more specific words")
    if len(q.negative) > MAX_NEGATIVE:
        raise QueryError(f"query excludes too many terms ({len(q.negative)}; at most {MAX_NEGATIVE})")
    if sum(len(t.tokens) for t in q.terms()) > 4 * MAX_TERMS:
        raise QueryError(f"query phrases are too long (at most {4 * MAX_TERMS} words in all)")
    return q


def _read_value(s: str, i: int) -> tuple[str, int]:
    if i < len(s) and s[i] == '"':
        end = s.find('"', i + 1)
        end = len(s) if end < 0 else end
        return s[i + 1:end], end + 1
    m = regex.match(r'[^\s"()]+', s[i:])
    v = m.group() if m else ""
    return v, i + len(v)


def _add_filter(f: Filters, name: str, value: str) -> None:
    value = value.strip()
    if not value:
        raise QueryError(f"{name.replace('_', '-')}: needs a value")
    if name == "issuer":
        toks = tokens(value)
        if not toks:
            raise QueryError(f"issuer: {value!r} has no words")
        f.issuer.append(toks)
    elif name == "year":
        f.year.append([parse_year_range(v) for v in value.split(",") if v.strip()])
    elif name == "doc_type":
        codes = [fold(v).upper().replace(".", "").strip() for v in value.split(",")]
        codes = [c for c in codes if c]
        if not codes or any(not regex.fullmatch(r"[A-Z0-9-]{1,12}", c) for c in codes):
            raise QueryError(f"type: {value!r} is not a document type code (e.g. KH, QĐ, CT)")
        f.doc_type.append(codes)
    elif name == "movement":
        slugs = ["-".join(tokens(v)) for v in value.split(",")]
        slugs = [s for s in slugs if s]
        if not slugs:
            raise QueryError(f"movement: {value!r} names no movement label")
        f.movement.append(slugs)
    elif name == "due":
        f.due.append(parse_date_range(value))
    else:
        key = compact_key(value)
        if not key:
            raise QueryError(f"{name.replace('_', '-')}: {value!r} is not a document number (e.g. 129/KH-LĐLĐ, 05-CT/TW)")
        getattr(f, name).append(key)


def parse_year_range(v: str) -> tuple[int | None, int | None]:
    v = v.strip()
    m = regex.fullmatch(r"(\d{4})?\s*(?:\.\.|–|—|-)\s*(\d{4})?", v)
    if m and (m.group(1) or m.group(2)):
        lo, hi = (int(x) if x else None for x in m.groups())
    elif regex.fullmatch(r"\d{4}", v):
        lo = hi = int(v)
    else:
        raise QueryError(f"year: {v!r} is not a year or range (2021, 2019..2021, 2020..)")
    for y in (lo, hi):
        if y is not None and not 1900 <= y <= 2100:
            raise QueryError(f"year: {y} is out of range (1900-2100)")
    if lo and hi and lo > hi:
        raise QueryError(f"year: range {lo}..{hi} is empty")
    return lo, hi


def parse_date_range(v: str) -> tuple[str | None, str | None]:
    """'2020-03' -> ('2020-03-01', '2020-03-31'); 'A..B' with open ends; d/m/yyyy accepted."""
    v = v.strip()
    if ".." in v:
        a, b = v.split("..", 1)
        lo = _date_bound(a, first=True) if a.strip() else None
        hi = _date_bound(b, first=False) if b.strip() else None
        if lo is None and hi is None:
            raise QueryError("due: give at least one end of the range (2020-03-01..2020-03-31)")
    else:
        lo, hi = _date_bound(v, first=True), _date_bound(v, first=False)
    if lo and hi and lo > hi:
        raise QueryError(f"due: range {lo}..{hi} is empty")
    return lo, hi


def _date_bound(s: str, *, first: bool) -> str:
    s = s.strip()
    m = regex.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", s)
    if m:
        y, mo, d = m.group(1), m.group(2), m.group(3)
    else:
        m = regex.fullmatch(r"(?:(\d{1,2})/)?(\d{1,2})/(\d{4})", s)
        if not m:
            raise QueryError(f"due: {s!r} is not a date (2020-03-15, 2020-03, 2020, 15/3/2020)")
        d, mo, y = m.group(1), m.group(2), m.group(3)
    y = int(y)
    if not 1900 <= y <= 2100:
        raise QueryError(f"due: year {y} is out of range (1900-2100)")
    if mo is None:
        mo_i = 1 if first else 12
    else:
        mo_i = int(mo)
        if not 1 <= mo_i <= 12:
            raise QueryError(f"due: month {mo_i} does not exist")
    last = calendar.monthrange(y, mo_i)[1]
    if d is None:
        d_i = 1 if first else last
    else:
        d_i = int(d)
        if not 1 <= d_i <= last:
            raise QueryError(f"due: day {d_i} does not exist in {y}-{mo_i:02d}")
    return f"{y:04d}-{mo_i:02d}-{d_i:02d}"


def filters_from_options(**opts) -> Filters:
    """CLI options (--issuer, --year, ...) in the same syntax as the query's fields."""
    f = Filters()
    for name, values in opts.items():
        if values is None:
            continue
        for v in values if isinstance(values, (list, tuple)) else [values]:
            if v is not None and str(v).strip():
                _add_filter(f, name, str(v))
    return f


def merge(a: Filters, b: Filters) -> Filters:
    out = Filters()
    for k in out.__dataclass_fields__:
        setattr(out, k, list(getattr(a, k)) + list(getattr(b, k)))
    return out
