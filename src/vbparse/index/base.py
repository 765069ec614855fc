"""What both backends share: the indexed document, the query plan, snippets, results, and the
`Index` facade the CLI talks to. A backend (sqlite.py, postgres.py) only stores rows and runs the
plan with its own full-text engine; everything that decides *what* matches lives here, so the two
backends agree on matches by construction.

Indexed fields (one full-text document per plan, four weighted parts, as PostgreSQL's A-D):
  A  title, number + symbol, doc type name, and the term `sym<key>` of the plan's own number
  B  issuer, section headings, movement names
  C  `ref<key>` for every document the plan cites (basis or not), and `_all_` (every plan)
  D  the body: the whole text (or, for a record whose source cannot be read, the text the record
     carries: titles, headings, deadlines, movements, citations)
A, B and D also hold the shingles of their syllables ("lao_dong"). Keys are `fold.compact_key`
spellings ("129khldld"), so "129/KH-LĐLĐ", "129 KH LDLD" and "KH-LDLD 129" meet.
"""
from __future__ import annotations

import bisect
import functools
import json
import math
import time
import zlib
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Sequence

import regex

from . import fold as F
from .query import Filters, Query, QueryError, Term, merge, parse

INDEX_VERSION = "1"
WEIGHTS = {"a": 10.0, "b": 4.0, "c": 2.0, "d": 1.0}  # FTS5 bm25 column weights
LABEL_MIN_SCORE = 0.5  # a document-level tag counts as a movement label from this score on
COLUMNS = ("a", "b", "c", "d")
GAP = 2  # positions between parts, so a phrase never runs from one part into the next


class IndexError_(RuntimeError):
    """A problem with the index itself (missing, wrong version, server unreachable)."""


# ---------------------------------------------------------------------------------------------
# documents


@dataclass
class IndexDoc:
    sha256: str
    path: str | None
    format: str | None
    doc_type: str | None
    number: str | None
    symbol: str | None
    issued: str | None
    year: int | None
    issuer: str | None
    title: str | None
    key: str | None
    record: dict
    text: str | None
    sections: list[tuple[str, str | None, int, int]]
    keys: list[tuple[str, str]]  # (compact key, own | basis | ref)
    deadlines: list[tuple[str, str | None, str | None, str | None]]  # due, section, task, responsible
    labels: list[str]
    columns: dict[str, list[str]]  # a, b, c, d -> terms
    words: list[str] = field(default_factory=list)  # segmented words (a_b), appended to d

    @property
    def doc_type_fold(self) -> str | None:
        return F.fold(self.doc_type).upper() if self.doc_type else None

    @property
    def issuer_fold(self) -> str:
        # issuer words, plus the issuing body's abbreviation from the symbol ("KH-LĐLĐ" -> ldld)
        toks = F.tokens(self.issuer or "")
        if self.symbol:
            toks += F.tokens(self.symbol)
        return " " + " ".join(toks) + " "

    def column_strings(self) -> list[str]:
        cols = {c: list(self.columns.get(c, ())) for c in COLUMNS}
        if self.words:
            cols["d"] = cols["d"] + self.words
        return [" ".join(cols[c]) for c in COLUMNS]


def _s(v) -> str | None:
    if v is None:
        return None
    v = str(v).strip()
    return v or None


def make_doc(record: dict, text: str | None, *, segmenter=None) -> IndexDoc:
    """An IndexDoc from a contract record and (when known) the plan's text."""
    if not isinstance(record, dict):
        raise ValueError("a record must be a JSON object")
    src = record.get("source") or {}
    sha = _s(src.get("sha256"))
    if not sha or not regex.fullmatch(r"[0-9a-f]{64}", sha):
        raise ValueError("record has no source.sha256 (is it a vbparse record?)")
    h = record.get("header") or {}
    number, symbol = _s(h.get("number")), _s(h.get("symbol"))
    issued = _s(h.get("issued"))
    year = None
    if issued and regex.match(r"\d{4}-\d\d-\d\d$", issued):
        year = int(issued[:4])
    else:
        issued = None
    title, issuer = _s(h.get("title")), _s(h.get("issuer"))
    doc_type = _s(h.get("doc_type"))
    own = F.doc_key(number, symbol)
    keys: list[tuple[str, str]] = []
    if own:
        keys.append((own, "own"))
    hk = F.compact_key(h.get("key")) if h.get("key") else None
    if hk and hk != own and not (own and hk.startswith(own)):
        keys.append((hk, "own"))
    for r in record.get("references") or []:
        if not isinstance(r, dict):
            continue
        k = None
        if r.get("symbol"):
            k = F.doc_key(_s(r.get("number")), _s(r.get("symbol"))) or F.compact_key(r.get("symbol"))
        if not k and r.get("key"):
            k = F.compact_key(r.get("key"))
        if k:
            keys.append((k, "basis" if r.get("basis") else "ref"))
    keys = list(dict.fromkeys(keys))
    sections = []
    for s in record.get("sections") or []:
        if isinstance(s, dict) and isinstance(s.get("start"), int) and isinstance(s.get("end"), int):
            sections.append((str(s.get("id")), _s(s.get("heading")), s["start"], s["end"]))
    deadlines = []
    for d in record.get("deadlines") or []:
        if isinstance(d, dict) and isinstance(d.get("due"), str) and regex.match(r"\d{4}-\d\d-\d\d$", d["due"]):
            deadlines.append((d["due"], _s(d.get("section")), _s(d.get("task")), _s(d.get("responsible"))))
    labels = set()
    movement_names = []
    for m in record.get("movements") or []:
        if isinstance(m, dict):
            if m.get("label"):
                labels.add(str(m["label"]))
            if m.get("name"):
                movement_names.append(str(m["name"]))
    for t in record.get("tags") or []:
        if isinstance(t, dict) and t.get("section") is None:
            for lab in t.get("labels") or []:
                try:
                    if lab.get("label") and float(lab.get("score", 0)) >= LABEL_MIN_SCORE:
                        labels.add(str(lab["label"]))
                except (TypeError, ValueError, AttributeError):
                    continue

    a = F.tokens(" ".join(x for x in (title, number, symbol, _s(h.get("doc_type_name"))) if x))
    a += F.shingles(a) + [F.SYM + k for k, kind in keys if kind == "own"]
    b = []
    for piece in [issuer or ""] + [s[1] or "" for s in sections] + movement_names:
        toks = F.tokens(piece)
        b += toks + F.shingles(toks)
    c = [F.REF + k for k, kind in keys if kind != "own"] + [F.ALL]
    if text:
        d = F.tokens(text)
    else:  # the record's own text pieces
        pieces = [title or ""]
        pieces += [s[1] or "" for s in sections]
        pieces += [x.get("text", "") for x in record.get("references") or [] if isinstance(x, dict)]
        pieces += [" ".join(filter(None, dl[2:])) for dl in deadlines]
        pieces += movement_names
        d = F.tokens(" ".join(pieces))
    d += F.shingles(d)
    words = segmenter(text) if (segmenter and text) else []
    return IndexDoc(
        sha256=sha, path=_s(src.get("path")), format=_s(src.get("format")), doc_type=doc_type,
        number=number, symbol=symbol, issued=issued, year=year, issuer=issuer, title=title, key=own,
        record=record, text=text, sections=sections, keys=keys, deadlines=deadlines,
        labels=sorted(labels), columns={"a": a, "b": b, "c": c, "d": d}, words=words)


def pack(obj) -> bytes:
    if isinstance(obj, str):
        return zlib.compress(obj.encode("utf-8"), 1)
    return zlib.compress(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 1)


def unpack_text(b) -> str | None:
    return None if b is None else zlib.decompress(bytes(b)).decode("utf-8")


def unpack_json(b):
    return None if b is None else json.loads(zlib.decompress(bytes(b)).decode("utf-8"))


# ---------------------------------------------------------------------------------------------
# word segmentation (optional: `index build --segment`)


class Segmenter:
    """underthesea word segmentation: multi-syllable words become extra terms, "lao__dong"
    (two underscores: not the shingle "lao_dong", which every index has).

    Measured (docs/search.md): on the relevance set it ranks worse than the shingle boosts every
    index has, fails on queries typed without diacritics, and makes indexing ~19x slower, so it
    is off unless asked for (`index build --segment`)."""

    def __init__(self) -> None:
        try:
            from underthesea import word_tokenize
        except ImportError as e:  # pragma: no cover - underthesea is a dependency
            raise IndexError_(f"word segmentation needs underthesea ({e})") from None
        self._wt = word_tokenize

    def words(self, text: str) -> list[str]:
        out = []
        for line in text.splitlines():
            line = line.strip()
            if not line or not F.has_marks(line):
                continue
            try:
                ws = self._wt(line)
            except Exception:  # underthesea on odd input: the syllables are indexed anyway
                continue
            for w in ws:
                toks = F.tokens(w)
                if len(toks) > 1 and all(t.isalpha() for t in toks):
                    out.append(F.WORD_JOIN.join(toks))
        return out

    __call__ = words


# ---------------------------------------------------------------------------------------------
# query plan


@dataclass(frozen=True)
class Or:
    items: tuple


@dataclass(frozen=True)
class And:
    items: tuple


@dataclass
class Plan:
    must: list  # nodes (Term | Or | And), all required (or any, when relaxed)
    negative: list[Term]
    boosts: list[Term]  # optional terms that only add to the score
    filters: Filters
    relaxed: bool = False
    symbols: list[dict] = field(default_factory=list)
    highlight: list[Term] = field(default_factory=list)
    n_docs: int = 0
    df: dict[str, int] = field(default_factory=dict)  # plans per single word of must and boosts

    def common(self, node) -> bool:
        """A single word in more than half of the plans: bm25 gives it the floor idf (1e-6)."""
        return (isinstance(node, Term) and len(node.tokens) == 1 and not node.prefix
                and 2 * self.df.get(node.tokens[0], 0) > self.n_docs)

    def split(self) -> tuple[list, list]:
        """(informative, common) required nodes. bm25 scores a common word at ~1e-6 of an
        informative one, yet reads every one of its occurrences in every candidate plan: when a
        query has both kinds, the common words only filter (same matches, a ranking that differs
        by < 1e-5 of a score). In a query of only common words, where bm25 could only rank by
        their frequencies, the rarest one ranks and the others filter (measured: same relevance,
        20% faster on such queries)."""
        if self.relaxed:
            return list(self.must), []
        common = [x for x in self.must if self.common(x)]
        if len(common) == len(self.must) and common:
            # only common words: bm25 would rank by their frequencies, all at the floor idf; the
            # rarest one's frequency ranks (the boosts still add), the others filter
            rarest = min(common, key=lambda x: (self.df.get(x.tokens[0], 0), x.tokens[0]))
            return [rarest], [x for x in common if x is not rarest]
        return [x for x in self.must if not self.common(x)], common

    def anchor(self):
        """A term every plan has: boosts are OR-ed with it, so in FTS5 they add to bm25 without
        changing which rows match (its own share of the score is bm25's floor: nothing)."""
        return Term((F.ALL,))

    def scoring(self) -> list[Term]:
        """The leaf terms that score, in expression order (FTS5's bm25 sums over these)."""
        out: list[Term] = []

        def walk(n):
            if isinstance(n, Term):
                out.append(n)
            else:
                for x in n.items:
                    walk(x)

        for n in self.must:
            walk(n)
        if self.boosts:
            for b in self.boosts:
                walk(b)
            if not self.relaxed:
                walk(self.anchor())
        return out


def leaves(n) -> list[Term]:
    if isinstance(n, Term):
        return [n]
    out = []
    for x in n.items:
        out += leaves(x)
    return out


def _group_node(g: list[Term]):
    return g[0] if len(g) == 1 else Or(tuple(g))


def symbol_candidates(q: Query) -> list[tuple[str, int, int]]:
    """(compact key, first, last+1 token position) for number-led spans of the query's plain
    terms, forward ("129 kh ldld") and rotated ("kh ldld 129")."""
    stream: list[str] = []
    for g in q.groups:
        if len(g) == 1 and not g[0].prefix:
            stream.extend(g[0].tokens)
        else:
            stream.append("\x00")  # a barrier
    out = []
    ok = lambda t: t != "\x00" and len(t) <= 12  # noqa: E731
    for i, t in enumerate(stream):
        if not t.isdigit():
            continue
        for j in range(i + 2, min(len(stream), i + 5) + 1):
            if not all(ok(x) for x in stream[i + 1:j]):
                break
            out.append((t + "".join(stream[i + 1:j]), i, j))
        for j in range(i - 1, max(-1, i - 4), -1):
            if not all(ok(x) and not x.isdigit() for x in stream[j:i]):
                break
            out.append((t + "".join(stream[j:i]), j, i + 1))
    return out[:80]


def make_plan(q: Query, backend: "Backend", *, boosts: str = "bigram") -> Plan:
    groups = [list(g) for g in q.groups]
    # document numbers: candidate spans the index knows, longest first, not overlapping
    symbols: list[dict] = []
    cands = symbol_candidates(q)
    if cands:
        known = backend.known_keys(sorted({c[0] for c in cands}))
        chosen: list[tuple[str, int, int]] = []
        for key, a, b in sorted((c for c in cands if c[0] in known), key=lambda c: (-(c[2] - c[1]), c[1])):
            if all(b <= x or a >= y for _, x, y in chosen):
                chosen.append((key, a, b))
        if chosen:
            # map token positions back to groups; replace groups wholly inside a span
            pos = 0
            spans_of_group: list[tuple[int, int] | None] = []
            for g in groups:
                if len(g) == 1 and not g[0].prefix:
                    spans_of_group.append((pos, pos + len(g[0].tokens)))
                    pos += len(g[0].tokens)
                else:
                    spans_of_group.append(None)
                    pos += 1
            new_groups: list = []
            used = set()
            for key, a, b in sorted(chosen, key=lambda c: c[1]):
                inside = [gi for gi, sp in enumerate(spans_of_group) if sp and sp[0] >= a and sp[1] <= b]
                if not inside:
                    continue
                used.update(inside)
                raw = [groups[gi][0] for gi in inside]
                rawnode = raw[0] if len(raw) == 1 else And(tuple(raw))
                kinds = known[key]
                alts = []
                if "own" in kinds:
                    alts.append(Term((F.SYM + key,)))
                if kinds & {"basis", "ref"}:
                    alts.append(Term((F.REF + key,)))
                symbols.append({"key": key, "text": " ".join(t for r in raw for t in r.tokens), "kinds": sorted(kinds)})
                new_groups.append((min(inside), Or(tuple(alts + [rawnode]))))
            rest = [(gi, _group_node(g)) for gi, g in enumerate(groups) if gi not in used]
            must = [n for _, n in sorted(rest + new_groups, key=lambda x: x[0])]
        else:
            must = [_group_node(g) for g in groups]
    else:
        must = [_group_node(g) for g in groups]

    boost_terms: list[Term] = []
    if boosts in ("bigram", "both"):
        # adjacent syllables typed next to each other: "lao dong gioi" -> "lao dong", "dong gioi"
        prev: str | None = None
        for g in q.groups:
            if len(g) == 1 and not g[0].prefix:
                toks = g[0].tokens
                if prev is not None and prev.isalpha() and toks[0].isalpha():
                    boost_terms.append(Term((f"{prev}_{toks[0]}",)))  # the shingle
                prev = toks[-1] if len(toks) == 1 else None  # a phrase scores as a phrase already
            else:
                prev = None
    if boosts in ("words", "both") and backend.segmented:
        boost_terms.extend(Term((w,)) for w in query_words(q, backend))
    boost_terms = list(dict.fromkeys(boost_terms))[:24]
    words = {t.tokens[0] for x in must for t in leaves(x) if len(t.tokens) == 1 and not t.prefix}
    n, df = backend.doc_freq(sorted(words | {b.tokens[0] for b in boost_terms})) if (words or boost_terms) else (0, {})
    # a boost term in more than half of the plans has bm25's floor idf (1e-6): it would cost a
    # pass over its plans and add nothing
    boost_terms = [b for b in boost_terms if 2 * df.get(b.tokens[0], 0) <= n]

    hl = [t for n in must for t in leaves(n) if not t.tokens[0].startswith((F.SYM, F.REF))]
    return Plan(must=must, negative=list(q.negative), boosts=boost_terms, filters=q.filters,
                symbols=symbols, highlight=hl, n_docs=n, df=df)


_SEG = None


def query_words(q: Query, backend: "Backend") -> list[str]:
    """Segmented words of the query: underthesea on the words as typed when they carry
    diacritics, else adjacent syllables that the index knows as a word."""
    global _SEG
    plain = [g[0] for g in q.groups if len(g) == 1 and not g[0].prefix]
    seq: list[str] = []
    for t in plain:
        seq.extend(t.tokens)
    out = []
    if q.marked_words:
        if _SEG is None:
            _SEG = Segmenter()
        out = _SEG.words(" ".join(q.marked_words))
    cands = []
    for n in (2, 3, 4):
        for i in range(len(seq) - n + 1):
            if all(x.isalpha() for x in seq[i:i + n]):
                cands.append(F.WORD_JOIN.join(seq[i:i + n]))
    if cands:
        out += sorted(backend.known_words(cands))
    return list(dict.fromkeys(out))


# ---------------------------------------------------------------------------------------------
# results and snippets


@dataclass
class Hit:
    rank: int
    score: float
    sha256: str
    path: str | None
    doc_type: str | None
    number: str | None
    symbol: str | None
    issued: str | None
    year: int | None
    issuer: str | None
    title: str | None
    snippet: dict | None = None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class SearchResult:
    query: str
    parsed: str
    backend: str
    total: int
    hits: list[Hit]
    facets: dict[str, list[dict]]
    relaxed: bool = False
    symbols: list[dict] = field(default_factory=list)
    took_ms: float = 0.0
    offset: int = 0
    limit: int = 10

    def to_dict(self) -> dict:
        return {
            "query": self.query, "parsed": self.parsed, "backend": self.backend, "total": self.total,
            "offset": self.offset, "limit": self.limit, "relaxed": self.relaxed,
            "symbols": self.symbols, "facets": self.facets, "took_ms": round(self.took_ms, 2),
            "results": [h.to_dict() for h in self.hits],
        }


_WS = regex.compile(r"[\s*|#_]+")
SNIPPET_CHARS = 220


def _term_pattern(t: Term) -> str:
    """Matches the term in the original text (diacritics, case and đ as the fold has them)."""
    parts = []
    for tok in t.tokens:
        pat = F.source_pattern(tok)
        if tok[:1].isdigit():
            pat = "0*" + pat
        parts.append(pat)
    body = r"[^\p{L}\p{N}]+".join(parts)
    end = "" if t.prefix else r"(?![\p{L}\p{N}])"
    return body + end


@functools.lru_cache(maxsize=256)
def _compile(terms: tuple[Term, ...]):
    alts = "|".join(f"({_term_pattern(t)})" for t in terms)
    return regex.compile(r"(?<![\p{L}\p{N}])(?:" + alts + ")")


class Highlighter:
    """Finds the query's terms in a plan's text (folded, offsets kept) and cuts the best window.
    Built once per search: one compiled pattern for all terms, phrases before single words."""

    def __init__(self, terms: list[Term]) -> None:
        terms = [t for t in dict.fromkeys(terms) if all("_" not in x for x in t.tokens)][:40]
        terms.sort(key=lambda t: -len(t.tokens))
        self.terms = terms
        self.pattern = None
        if terms:
            self.pattern = _compile(tuple(terms))

    SCAN_CHARS = 100_000  # a snippet comes from the first 100,000 characters of a plan

    def hits(self, text: str) -> list[tuple[int, int, tuple[str, ...]]]:
        """Matches in reading order; stops a window's width after the first window
        (SNIPPET_CHARS - 80 wide) that holds every query word: no later window holds more."""
        if self.pattern is None:
            return []
        out = []
        need = {t for term in self.terms for t in term.tokens}
        last: dict[str, int] = {}
        width = SNIPPET_CHARS - 80
        stop = None
        try:
            for m in self.pattern.finditer(text, 0, self.SCAN_CHARS, timeout=0.5):
                if stop is not None and m.start() > stop:
                    break
                toks = self.terms[m.lastindex - 1].tokens
                out.append((m.start(), m.end(), toks))
                for t in toks:
                    last[t] = m.start()
                if stop is None and len(last) == len(need) and m.start() - min(last.values()) < width:
                    stop = m.start() + width  # windows starting a little later may be tighter
                if len(out) >= 1000:
                    break
        except TimeoutError:  # pragma: no cover - a pathological text: what was found so far
            pass
        return out

    def snippet(self, text: str | None, sections: list, title: str | None) -> dict | None:
        if not text:
            return {"section": None, "heading": None, "text": title or "", "highlights": []} if title else None
        hits = self.hits(text)
        if hits:
            # the window (from a hit, SNIPPET_CHARS - 80 long) covering the most distinct query words,
            # then the most compact such window, then the most hits
            hits = hits[:400]
            best, best_score = 0, None
            j, cover, distinct = 0, {}, 0
            width = SNIPPET_CHARS - 80
            for i in range(len(hits)):
                while j < len(hits) and hits[j][0] < hits[i][0] + width:
                    for t in hits[j][2]:
                        c = cover.get(t, 0)
                        distinct += c == 0
                        cover[t] = c + 1
                    j += 1
                if best_score is None or distinct >= best_score[0]:
                    seen, reach = set(), hits[i][1]
                    for k in range(i, j):
                        seen.update(hits[k][2])
                        if len(seen) >= distinct:
                            reach = hits[k][1]
                            break
                    score = (distinct, -(reach - hits[i][0]), j - i)
                    if best_score is None or score > best_score:
                        best, best_score = i, score
                for t in hits[i][2]:
                    cover[t] -= 1
                    distinct -= cover[t] == 0
            anchor = hits[best][0]
            start = max(0, anchor - 40)
        else:
            # matched through the header fields only: the start of the first section (or the text)
            anchor = sections[0][2] if sections else 0
            start = anchor
        end = min(len(text), start + SNIPPET_CHARS)
        while start > 0 and text[start - 1].isalnum() and anchor - start < 80:
            start -= 1
        while end < len(text) and text[end].isalnum() and end - start < SNIPPET_CHARS + 30:
            end += 1
        sec = None
        for sid, heading, s0, e0 in sections:
            if isinstance(s0, int) and isinstance(e0, int) and s0 <= anchor < e0 and (sec is None or s0 >= sec[2]):
                sec = (sid, heading, s0, e0)
        # collapse whitespace and markup, keeping a map snippet index -> text offset
        out: list[str] = []
        omap: list[int] = []
        pos = start
        for m in _WS.finditer(text, start, end):
            out.append(text[pos:m.start()])
            omap.extend(range(pos, m.start()))
            if out and (out[-1][-1:] != " "):
                out.append(" ")
                omap.append(m.start())
            pos = m.end()
        out.append(text[pos:end])
        omap.extend(range(pos, end))
        snippet = "".join(out)
        lead = len(snippet) - len(snippet.lstrip())
        snippet = snippet.strip()
        omap = omap[lead:lead + len(snippet)]
        prefix = "… " if start > 0 else ""
        hl: list[list[int]] = []
        for s0, e0, _ in hits:
            if s0 >= start and e0 <= end:
                a = bisect.bisect_left(omap, s0)
                b = bisect.bisect_left(omap, e0)
                if b > a:
                    a, b = a + len(prefix), b + len(prefix)
                    if hl and a <= hl[-1][1]:
                        hl[-1][1] = max(hl[-1][1], b)
                    else:
                        hl.append([a, b])
        suffix = " …" if end < len(text) else ""
        return {"section": sec[0] if sec else None, "heading": sec[1] if sec else None,
                "text": prefix + snippet + suffix, "highlights": hl}


def make_snippet(text: str | None, sections: list, terms: list[Term], title: str | None) -> dict | None:
    """The best window of the text for these terms: {section, heading, text, highlights};
    highlights are [start, end) offsets into the snippet's text."""
    return Highlighter(terms).snippet(text, sections, title)


# ---------------------------------------------------------------------------------------------
# backends and the facade


FACETS = ("issuer", "year", "doc_type", "movement")


@dataclass
class Row:
    id: int
    score: float
    sha256: str
    path: str | None
    doc_type: str | None
    number: str | None
    symbol: str | None
    issued: str | None
    year: int | None
    issuer: str | None
    title: str | None


class Backend:
    """Storage and full-text execution. Subclasses implement the abstract methods."""

    name = "?"
    segmented = False

    # -- lifecycle
    def open(self, *, create: bool) -> None: raise NotImplementedError
    def start_build(self, *, segment: bool) -> None: raise NotImplementedError
    def finish_build(self) -> None: raise NotImplementedError
    def abort_build(self) -> None: raise NotImplementedError
    def close(self) -> None: ...
    def commit(self) -> None: ...
    def meta(self) -> dict: raise NotImplementedError

    # -- documents
    def lookup(self, sha256: str, path: str | None) -> tuple[bool, list[int]]:
        """(sha already indexed, ids of other documents indexed under this path)."""
        raise NotImplementedError
    def insert(self, docs: Sequence[IndexDoc]) -> None: raise NotImplementedError
    def delete(self, ids: Sequence[int]) -> None: raise NotImplementedError
    def delete_where(self, sha_or_path: str) -> int: raise NotImplementedError
    def count(self) -> int: raise NotImplementedError

    # -- search
    def known_keys(self, keys: Sequence[str]) -> dict[str, set[str]]: raise NotImplementedError
    def known_words(self, words: Sequence[str]) -> set[str]: return set()
    def run(self, plan: Plan, limit: int, offset: int) -> tuple[list[int], list[Row]]:
        """(ids of all matching plans, the ranked page [offset, offset + limit))."""
        raise NotImplementedError
    def generation(self) -> str:
        """Changes with every write, so that caches of the index's contents know when to reload."""
        raise NotImplementedError
    def facet_values(self) -> Iterator[tuple[int, str | None, int | None, str | None, str | None]]:
        """(id, issuer, year, doc_type, label) rows: one per label, label None when a plan has none."""
        raise NotImplementedError
    def doc_freq(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        """(number of plans, plans containing each single term)."""
        raise NotImplementedError
    def load(self, ids: Sequence[int]) -> dict[int, tuple[str | None, list]]:
        """id -> (text, sections) for snippets."""
        raise NotImplementedError

    def records(self) -> Iterator[dict]:
        raise NotImplementedError


def filter_sql(f: Filters, ph: str, d: str = "d") -> tuple[list[str], list]:
    """SQL conditions on the docs alias `d` for the filters; the same SQL for both backends
    (placeholder `ph` is ? or %s). Values are always parameters."""
    conds: list[str] = []
    args: list = []
    for toks in f.issuer:
        for t in toks:
            conds.append(f"{d}.issuer_fold LIKE {ph}")
            args.append(f"% {t} %")
    for ranges in f.year:
        ors = []
        for lo, hi in ranges:
            if lo is not None and hi is not None:
                ors.append(f"{d}.year BETWEEN {ph} AND {ph}")
                args += [lo, hi]
            elif lo is not None:
                ors.append(f"{d}.year >= {ph}")
                args.append(lo)
            else:
                ors.append(f"{d}.year <= {ph}")
                args.append(hi)
        conds.append("(" + " OR ".join(ors) + ")")
    for codes in f.doc_type:
        conds.append(f"{d}.doc_type_fold IN ({', '.join([ph] * len(codes))})")
        args += codes
    for slugs in f.movement:
        ors = []
        for s in slugs:
            ors.append(f"(l.label = {ph} OR l.label LIKE {ph})")
            args += [s, f"%{s}%"]
        conds.append(f"{d}.id IN (SELECT l.doc_id FROM vbp_labels l WHERE {' OR '.join(ors)})")
    for lo, hi in f.due:
        c = []
        if lo:
            c.append(f"x.due >= {ph}")
            args.append(lo)
        if hi:
            c.append(f"x.due <= {ph}")
            args.append(hi)
        conds.append(f"{d}.id IN (SELECT x.doc_id FROM vbp_deadlines x WHERE {' AND '.join(c)})")
    for k in f.children_of:
        conds.append(f"{d}.id IN (SELECT k.doc_id FROM vbp_keys k WHERE k.kind = 'basis' AND k.key = {ph})")
        args.append(k)
    for k in f.cites:
        conds.append(f"{d}.id IN (SELECT k.doc_id FROM vbp_keys k WHERE k.kind IN ('basis', 'ref') AND k.key = {ph})")
        args.append(k)
    for k in f.symbol:
        conds.append(f"{d}.id IN (SELECT k.doc_id FROM vbp_keys k WHERE k.kind = 'own' AND k.key = {ph})")
        args.append(k)
    for k in f.parent_of:
        conds.append(
            f"{d}.id IN (SELECT mine.doc_id FROM vbp_keys child JOIN vbp_keys b ON b.doc_id = child.doc_id "
            f"AND b.kind = 'basis' JOIN vbp_keys mine ON mine.key = b.key AND mine.kind = 'own' "
            f"WHERE child.kind = 'own' AND child.key = {ph})")
        args.append(k)
    return conds, args


class FacetCache:
    """issuer, year, doc_type and movement labels of every plan, in memory (~100 bytes a plan),
    reloaded when the index changes: facet counts over any result set are then Counters over
    its ids (C loops), the same on both backends."""

    def __init__(self) -> None:
        self.gen: str | None = None
        self.maps: tuple[dict, dict, dict, dict] = ({}, {}, {}, {})

    def get(self, backend: "Backend") -> tuple[dict, dict, dict, dict]:
        g = backend.generation()
        if g != self.gen:
            issuer, year, doc_type, labels = {}, {}, {}, {}
            for i, iss, y, t, label in backend.facet_values():
                issuer[i], year[i], doc_type[i] = iss, y, t
                if label is not None:
                    labels.setdefault(i, set()).add(label)
            self.maps = (issuer, year, doc_type, {i: tuple(sorted(v)) for i, v in labels.items()})
            self.gen = g
        return self.maps


def count_facets(ids: Sequence[int], maps: tuple[dict, dict, dict, dict], top: int = 10) -> dict[str, list[dict]]:
    from collections import Counter
    from itertools import chain

    issuer, year, doc_type, labels = maps
    cs = {"issuer": Counter(map(issuer.get, ids)), "year": Counter(map(year.get, ids)),
          "doc_type": Counter(map(doc_type.get, ids)),
          "movement": Counter(chain.from_iterable(map(labels.get, ids, repeat_empty(len(ids)))))}
    out = {}
    for k in FACETS:
        c = cs[k]
        c.pop(None, None)
        out[k] = [{"value": v, "count": n} for v, n in sorted(c.items(), key=lambda x: (-x[1], str(x[0])))[:top]]
    return out


def repeat_empty(n: int):
    from itertools import repeat

    return repeat((), n)


def open_backend(db: str) -> Backend:
    if db.startswith(("postgresql://", "postgres://")) or db.startswith("host="):
        from .postgres import PostgresBackend

        return PostgresBackend(db)
    from .sqlite import SqliteBackend

    return SqliteBackend(db)


@dataclass
class AddReport:
    added: int = 0
    unchanged: int = 0
    replaced: int = 0
    failed: int = 0
    without_text: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


class Index:
    """The search index over plan records. `Index.open(db)`; `add()`; `search()`."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._facets = FacetCache()

    @classmethod
    def open(cls, db: str, *, create: bool = False) -> "Index":
        """Open an index; `create` makes the tables when they are missing (else: an error)."""
        b = open_backend(db)
        b.open(create=create)
        return cls(b)

    @classmethod
    def build(cls, db: str, items, *, segment: bool = False, progress=None) -> tuple["Index", "AddReport"]:
        """A new index from scratch, replacing what `db` held; readers see the old index until
        the new one is complete (SQLite: built aside and renamed; PostgreSQL: one transaction)."""
        b = open_backend(db)
        b.start_build(segment=segment)
        idx = cls(b)
        try:
            rep = idx.add(items, progress=progress)
        except BaseException:
            b.abort_build()
            raise
        b.finish_build()
        return idx, rep

    def close(self) -> None:
        self.backend.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- writing
    def add(self, items: Iterable[tuple[dict, str | None] | Exception], *, batch: int = 200,
            progress=None) -> AddReport:
        """Add (record, text) pairs. A record whose sha256 is indexed already is skipped; one whose
        path is indexed with another sha256 replaces it (the file changed)."""
        rep = AddReport()
        t0 = time.perf_counter()
        seg = Segmenter() if self.backend.segmented else None
        pending: list[IndexDoc] = []
        seen: set[str] = set()
        for item in items:
            if isinstance(item, Exception):
                rep.failed += 1
                rep.errors.append(str(item))
                continue
            record, text = item
            try:
                sha = (record.get("source") or {}).get("sha256") if isinstance(record, dict) else None
                path = (record.get("source") or {}).get("path") if isinstance(record, dict) else None
                if sha in seen:
                    rep.unchanged += 1
                    continue
                exists, others = self.backend.lookup(sha or "", path)
                if exists:
                    rep.unchanged += 1
                    continue
                doc = make_doc(record, text, segmenter=seg)
            except (ValueError, TypeError, AttributeError) as e:
                rep.failed += 1
                rep.errors.append(f"bad record: {e}")
                continue
            if others:
                self.backend.delete(others)
                rep.replaced += 1
            else:
                rep.added += 1
            if not text:
                rep.without_text += 1
            seen.add(doc.sha256)
            pending.append(doc)
            if len(pending) >= batch:
                self.backend.insert(pending)
                pending.clear()
            if progress:
                progress()
        if pending:
            self.backend.insert(pending)
        self.backend.commit()
        rep.seconds = time.perf_counter() - t0
        return rep

    def remove(self, sha_or_path: str) -> int:
        n = self.backend.delete_where(sha_or_path)
        self.backend.commit()
        return n

    # -- reading
    def info(self) -> dict:
        m = self.backend.meta()
        m["documents"] = self.backend.count()
        m["backend"] = self.backend.name
        return m

    def search(self, query: str | Query, *, filters: Filters | None = None, limit: int = 10,
               offset: int = 0, facets: bool = True, snippets: bool = True,
               boosts: str = "bigram") -> SearchResult:
        t0 = time.perf_counter()
        q = parse(query) if isinstance(query, str) else query
        if filters is not None:
            q.filters = merge(q.filters, filters)
        if not q.groups and not q.negative and q.filters.empty():
            raise QueryError("empty query: give words, a document number or a filter (see `vbparse search --help`)")
        limit = max(0, min(int(limit), 1000))
        offset = max(0, min(int(offset), 100_000))
        plan = make_plan(q, self.backend, boosts=boosts)
        ids, rows = self.backend.run(plan, limit, offset)
        if not ids and len(plan.must) >= 2:
            plan.relaxed = True
            ids, rows = self.backend.run(plan, limit, offset)
        total = len(ids)
        fac = count_facets(ids, self._facets.get(self.backend)) if facets else {}
        hits = [Hit(rank=offset + i + 1, score=round(r.score, 4), sha256=r.sha256, path=r.path,
                    doc_type=r.doc_type, number=r.number, symbol=r.symbol, issued=r.issued, year=r.year,
                    issuer=r.issuer, title=r.title) for i, r in enumerate(rows)]
        if snippets and hits:
            data = self.backend.load([r.id for r in rows])
            hl = Highlighter(plan.highlight + [Term(tuple(b.tokens[0].split("_"))) for b in plan.boosts
                                               if F.WORD_JOIN not in b.tokens[0]])
            for h, r in zip(hits, rows):
                text, sections = data.get(r.id, (None, []))
                h.snippet = hl.snippet(text, sections, r.title)
        return SearchResult(query=q.raw, parsed=str(q), backend=self.backend.name, total=total, hits=hits,
                            facets=fac, relaxed=plan.relaxed, symbols=plan.symbols,
                            took_ms=(time.perf_counter() - t0) * 1000, offset=offset, limit=limit)


def idf(n_docs: int, n_match: int) -> float:
    """FTS5's bm25 idf: log((N - n + 0.5) / (n + 0.5)), floored at 1e-6."""
    v = math.log((n_docs - n_match + 0.5) / (n_match + 0.5)) if n_docs else 0.0
    return max(v, 1e-6)
