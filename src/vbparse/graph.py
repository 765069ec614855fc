"""The cross-reference graph of an archive: which plan implements which, who cites what.

    from vbparse.graph import ArchiveGraph
    g = ArchiveGraph.from_outputs(["out/"])          # batch output folders or records .jsonl
    g.parents(doc_id), g.children(doc_id), g.unresolved
    g.write_json("g.json"); g.write_graphml("g.graphml"); g.write_dot("g.dot")

Nodes. One node per document in the archive: records with the same content (sha256) are one
node, and so are records with the same tolerant key, issue date, issuer and place (the same
plan as a .pdf and a .txt). A reference that resolves to no archive document becomes an *external* node
("x:" + key), so that the documents many plans rest on (Chỉ thị 05-CT/TW, ...) are visible too.

Resolving a reference (number, symbol, year, issuer), in order:
1. exact: the reference's tolerant key (resolve/keys.py; hyphen and slash treated alike, so a
   grammar guessed differently on each side still meets) equals a document's key, and the
   years agree when both are known. Several candidates (every provincial LĐLĐ numbers its
   plans "N/KH-LĐLĐ") are ranked by: same issue date, issuer similarity (the cited issuer and
   the citing plan's own header, which names its parent body), same place, not issued after
   the citing plan. A close second makes the edge `ambiguous`.
2. fuzzy: otherwise the folded symbol is compared (rapidfuzz ratio) with the documents that
   have the same number, or failing that the same issue date; the best at or above the
   threshold wins (a lower bar when the issue dates agree; never when the dates or years
   disagree). The score goes on the edge.
3. else unresolved, with the reason: not in the archive, or "year differs" when only a
   different year's document has that key.

Edges (DiGraph, citing -> cited, repeats folded into `count`) are typed: `parent` (a plan's
basis reference to a plan: the plan it implements), `basis` (any other basis reference) and
`cites` (a plain citation in the body).
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Iterable

import networkx as nx

from .resolve.keys import parse_key, reference_key
from .text import fold

EDGE_RANK = {"cites": 0, "basis": 1, "parent": 2}
_SEP = re.compile(r"[-/]+")


def loose_key(key: str | None) -> str | None:
    """A key with '-' and '/' made equal: '5-CT/TW' and '5/CT/TW' meet."""
    if not key:
        return None
    return _SEP.sub("/", key.upper())


def _year(date: str | None) -> int | None:
    if date and len(date) >= 4 and date[:4].isdigit():
        return int(date[:4])
    return None


def _grammar(symbol: str | None) -> str:
    if symbol and re.match(r"^\d{4}/", symbol):
        return "normative"
    if symbol and "/" in symbol:
        return "party"
    return "admin"


def _num(n: str | None) -> str | None:
    if not n:
        return None
    n = n.strip().lstrip("0")
    return n or "0"


@dataclass
class Doc:
    id: str
    sha256: list[str]
    paths: list[str]
    key: str | None
    loose: str | None
    number: str | None
    symbol: str | None
    doc_type: str | None
    issued: str | None
    year: int | None
    issuer: str | None
    place: str | None
    title: str | None
    refs: list[dict] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.number and self.symbol:
            return f"{self.number}/{self.symbol}"
        if self.symbol:
            return self.symbol
        return os.path.basename(self.paths[0]) if self.paths else self.id


@dataclass
class External:
    id: str
    key: str
    cited_as: str
    doc_type: str | None
    year: int | None
    issuer: str | None
    cited_by: int = 0

    @property
    def label(self) -> str:
        return self.cited_as


class ArchiveGraph:
    def __init__(self, records: Iterable[dict], fuzzy_threshold: float = 85.0):
        self.fuzzy_threshold = fuzzy_threshold
        self.docs: dict[str, Doc] = {}
        self.external: dict[str, External] = {}
        self.unresolved: list[dict] = []
        self.graph = nx.DiGraph()
        self._load(records)
        self._index()
        self._resolve_all()

    @classmethod
    def from_outputs(cls, paths: Iterable[str], **kw) -> "ArchiveGraph":
        from .archive.output import iter_records

        return cls(iter_records(list(paths)), **kw)

    # -- nodes ---------------------------------------------------------------------------------
    def _load(self, records: Iterable[dict]) -> None:
        by_sha: dict[str, Doc] = {}
        for rec in records:
            src = rec.get("source") or {}
            sha = src.get("sha256") or ""
            path = src.get("path") or ""
            d = by_sha.get(sha)
            if d is not None:
                d.paths.append(path)
                continue
            h = rec.get("header") or {}
            number, symbol = h.get("number"), h.get("symbol")
            key = h.get("key") or reference_key(number, symbol, _grammar(symbol))
            d = Doc(
                id="d:" + sha[:16], sha256=[sha], paths=[path], key=key, loose=loose_key(key),
                number=number, symbol=symbol, doc_type=h.get("doc_type"), issued=h.get("issued"),
                year=_year(h.get("issued")), issuer=h.get("issuer"), place=h.get("place"), title=h.get("title"),
                refs=[_slim(r) for r in rec.get("references") or []],
            )
            by_sha[sha] = d
        # copies (the same plan as .pdf and .txt): same key, issue date, issuer and place -> one
        # document, the first path's. Key and date alone are not enough: every grassroots union
        # numbers its plans N/KH-CĐCS, and two can sign on the same day.
        merged: dict[tuple, Doc] = {}
        for d in sorted(by_sha.values(), key=lambda d: min(d.paths)):
            d.paths.sort()
            ident = None
            if d.loose and d.issued and d.issuer:
                ident = (d.loose, d.issued, re.sub(r"\W+", " ", fold(d.issuer)).strip(), fold(d.place or ""))
            if ident and ident in merged:
                keep = merged[ident]
                keep.paths = sorted(keep.paths + d.paths)
                keep.sha256 += d.sha256
                continue
            if ident:
                merged[ident] = d
            self.docs[d.id] = d
        for d in self.docs.values():
            self.graph.add_node(d.id, kind="document")

    def _index(self) -> None:
        self.by_loose: dict[str, list[Doc]] = {}
        self.by_number: dict[str, list[Doc]] = {}
        self.by_issued: dict[str, list[Doc]] = {}
        for d in self.docs.values():
            if d.loose:
                self.by_loose.setdefault(d.loose, []).append(d)
            n = _num(d.number)
            if n and d.symbol:
                self.by_number.setdefault(n, []).append(d)
            if d.issued and d.symbol:
                self.by_issued.setdefault(d.issued, []).append(d)

    # -- resolution ------------------------------------------------------------------------------
    def resolve(self, ref: dict, src: Doc | None = None) -> tuple[Doc | None, dict]:
        """(document, info) for one reference; info has method/score/ambiguous or reason."""
        key = ref.get("key") or reference_key(ref.get("number"), ref.get("symbol"), ref.get("grammar"))
        lk = loose_key(key)
        if not lk or not _num(ref.get("number")):
            return None, {"reason": "no number or symbol"}
        yr = ref.get("year") or _year(ref.get("issued"))
        cands = [c for c in self.by_loose.get(lk, []) if c is not src]
        fits = [c for c in cands if not (yr and c.year and yr != c.year)]
        if fits:
            best, ambiguous, score = self._rank(fits, ref, src)
            return best, {"method": "exact", "score": 100.0, "ambiguous": ambiguous, "candidates": len(fits)}
        if cands:
            years = sorted({c.year for c in cands if c.year})
            return None, {"reason": f"year differs: cited {yr}, archive has {', '.join(map(str, years))}"}
        return self._fuzzy(ref, key, yr, src)

    def _rank(self, cands: list[Doc], ref: dict, src: Doc | None) -> tuple[Doc, bool, float]:
        if len(cands) == 1:
            return cands[0], False, 100.0
        from rapidfuzz import fuzz

        scored = []
        for c in cands:
            s = 0.0
            if ref.get("issued") and c.issued:
                s += 50 if ref["issued"] == c.issued else -10
            if ref.get("issuer") and c.issuer:
                s += 0.3 * fuzz.token_set_ratio(fold(ref["issuer"]), fold(c.issuer))
            if src is not None:
                if src.place and c.place and fold(src.place) == fold(c.place):
                    s += 20
                if src.issuer and c.issuer:
                    s += 0.2 * fuzz.partial_ratio(fold(c.issuer), fold(src.issuer))
                if src.issued and c.issued and c.issued > src.issued:
                    s -= 30
            scored.append((s, c.id, c))
        scored.sort(key=lambda t: (-t[0], t[1]))
        return scored[0][2], scored[0][0] - scored[1][0] < 10, scored[0][0]

    def _fuzzy(self, ref: dict, key: str | None, yr: int | None, src: Doc | None) -> tuple[Doc | None, dict]:
        from rapidfuzz import fuzz

        sym = ref.get("symbol")
        if not sym:
            return None, {"reason": "not in archive"}
        fsym = _SEP.sub("/", fold(re.sub(r"\s+", "", sym)).upper())
        issued = ref.get("issued")
        pool = list(self.by_number.get(_num(ref.get("number")) or "", []))
        pool += [d for d in self.by_issued.get(issued or "", []) if d not in pool]
        best: tuple[float, str, Doc] | None = None
        lk = loose_key(key) or ""
        for c in pool:
            if c is src or (yr and c.year and yr != c.year):
                continue
            same_date = bool(issued and c.issued and issued == c.issued)
            if issued and c.issued and not same_date:
                continue
            if _num(c.number) == _num(ref.get("number")):
                s = fuzz.ratio(fsym, _SEP.sub("/", fold(c.symbol or "").upper()))
            else:
                s = fuzz.ratio(lk, c.loose or "")
            bar = self.fuzzy_threshold - (10 if same_date else 0)
            if s >= bar and (best is None or (s, same_date) > (best[0], False)):
                best = (s, c.id, c)
        if best is None:
            return None, {"reason": "not in archive"}
        return best[2], {"method": "fuzzy", "score": round(best[0], 1), "ambiguous": False, "candidates": 1}

    def _resolve_all(self) -> None:
        for d in sorted(self.docs.values(), key=lambda d: d.id):
            for ref in d.refs:
                target, info = self.resolve(ref, d)
                basis = bool(ref.get("basis"))
                if target is not None and target is d:
                    continue
                if target is None:
                    self.unresolved.append({
                        "from": d.id, "from_key": d.label, "from_path": d.paths[0], "text": ref.get("text"),
                        "key": ref.get("key"), "doc_type": ref.get("doc_type"), "year": ref.get("year") or _year(ref.get("issued")),
                        "basis": basis, "reason": info["reason"],
                    })
                    tid = self._external(ref)
                    ttype = ref.get("doc_type")
                else:
                    tid = target.id
                    ttype = target.doc_type or ref.get("doc_type")
                etype = "cites"
                if basis:
                    etype = "parent" if (ttype == "KH" and d.doc_type in ("KH", None)) else "basis"
                self._add_edge(d.id, tid, etype, ref, info, target is not None)
        self._reduce_parents()

    def _reduce_parents(self) -> None:
        """A plan citing both its parent and its grandparent ("Thực hiện KH 104/KH-CĐYT (triển
        khai KH 129/KH-LĐLĐ)") has one parent: the grandparent edge becomes `basis`, `via` the
        parent."""
        for n in list(self.graph.nodes):
            ps = self.parents(n)
            if len(ps) < 2:
                continue
            for p in ps:
                for q in ps:
                    if q != p and self._reaches(q, p):
                        e = self.graph.edges[n, p]
                        e["type"] = "basis"
                        e["via"] = q
                        break

    def _reaches(self, a: str, b: str, limit: int = 50) -> bool:
        seen, stack = {a}, [a]
        while stack and len(seen) < 10_000:
            x = stack.pop()
            for y in self.parents(x):
                if y == b:
                    return True
                if y not in seen and len(seen) < limit * 200:
                    seen.add(y)
                    stack.append(y)
        return False

    def _external(self, ref: dict) -> str:
        key = ref.get("key") or reference_key(ref.get("number"), ref.get("symbol"), ref.get("grammar")) or (ref.get("text") or "?")
        yr = ref.get("year") or _year(ref.get("issued"))
        xid = f"x:{loose_key(key)}@{yr or '?'}"
        x = self.external.get(xid)
        if x is None:
            cited = f"{ref.get('number')}/{ref.get('symbol')}" if ref.get("number") and ref.get("symbol") else (ref.get("symbol") or key)
            if ref.get("grammar") == "party" and ref.get("number") and ref.get("symbol"):
                cited = f"{ref['number']}-{ref['symbol']}"
            x = self.external[xid] = External(xid, key, re.sub(r"\s+", "", cited), ref.get("doc_type"), yr, ref.get("issuer"))
            self.graph.add_node(xid, kind="external")
        x.cited_by += 1
        return xid

    def _add_edge(self, a: str, b: str, etype: str, ref: dict, info: dict, resolved: bool) -> None:
        g = self.graph
        if g.has_edge(a, b):
            e = g.edges[a, b]
            e["count"] += 1
            if EDGE_RANK[etype] > EDGE_RANK[e["type"]]:
                e["type"] = etype
            if ref.get("text") and ref["text"] not in e["texts"]:
                e["texts"].append(ref["text"])
            if resolved and info.get("score", 0) > e.get("score", 0):
                e.update(method=info["method"], score=info["score"])
            return
        attrs = {"type": etype, "resolved": resolved, "count": 1, "texts": [ref["text"]] if ref.get("text") else []}
        if resolved:
            attrs.update(method=info["method"], score=info["score"], ambiguous=info.get("ambiguous", False))
        g.add_edge(a, b, **attrs)

    # -- queries -------------------------------------------------------------------------------
    def parents(self, node: str) -> list[str]:
        return sorted(t for _, t, e in self.graph.out_edges(node, data=True) if e["type"] == "parent")

    def children(self, node: str) -> list[str]:
        return sorted(s for s, _, e in self.graph.in_edges(node, data=True) if e["type"] == "parent")

    def find(self, text: str) -> list[str]:
        """Nodes whose key matches a number as a user types it ("129/KH-LĐLĐ", "129 KH LDLD")."""
        lk = loose_key(parse_key(text) or reference_key(*_split_number(text)))
        if not lk:
            return []
        out = [d.id for d in self.by_loose.get(lk, [])]
        out += [x.id for x in self.external.values() if loose_key(x.key) == lk]
        return sorted(out, key=lambda i: (i.startswith("x:"), self.node_sort_key(i)))

    def node_sort_key(self, node: str):
        d = self.docs.get(node)
        return (d.issued or "", d.id) if d else ("", node)

    def node(self, node: str) -> Doc | External:
        return self.docs.get(node) or self.external[node]

    def stats(self) -> dict:
        refs = sum(len(d.refs) for d in self.docs.values())
        types: dict[str, int] = {}
        methods: dict[str, int] = {}
        for _, _, e in self.graph.edges(data=True):
            types[e["type"]] = types.get(e["type"], 0) + 1
            if e["resolved"]:
                methods[e["method"]] = methods.get(e["method"], 0) + 1
        return {
            "documents": len(self.docs), "external": len(self.external), "references": refs,
            "unresolved_references": len(self.unresolved), "resolved_references": refs - len(self.unresolved),
            "edges": self.graph.number_of_edges(), "edge_types": dict(sorted(types.items())),
            "resolved_edges_by_method": dict(sorted(methods.items())),
            "plans_with_parent_in_archive": sum(1 for d in self.docs.values()
                                                if any(t in self.docs for t in self.parents(d.id))),
        }

    # -- export --------------------------------------------------------------------------------
    def to_json(self) -> dict:
        docs = []
        for d in sorted(self.docs.values(), key=lambda d: d.id):
            docs.append({
                "id": d.id, "key": d.key, "label": d.label, "doc_type": d.doc_type, "number": d.number, "symbol": d.symbol,
                "issued": d.issued, "issuer": d.issuer, "place": d.place, "title": d.title,
                "paths": d.paths, "sha256": d.sha256,
                "parents": self.parents(d.id), "children": self.children(d.id),
            })
        ext = [{"id": x.id, "key": x.key, "label": x.cited_as, "doc_type": x.doc_type, "year": x.year, "issuer": x.issuer,
                "cited_by": x.cited_by, "children": self.children(x.id)}
               for x in sorted(self.external.values(), key=lambda x: x.id)]
        edges = []
        for a, b, e in sorted(self.graph.edges(data=True), key=lambda t: (t[0], t[1])):
            edges.append({"source": a, "target": b, **e})
        return {"stats": self.stats(), "documents": docs, "external": ext, "edges": edges,
                "unresolved": sorted(self.unresolved, key=lambda u: (u["from"], u.get("text") or ""))}

    def write_json(self, path: str) -> None:
        _write_text(path, json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n")

    def _export_graph(self) -> nx.DiGraph:
        """A copy with GraphML-safe attributes: scalars only, no None."""
        g = nx.DiGraph()
        for n in sorted(self.graph.nodes):
            obj = self.node(n)
            if isinstance(obj, Doc):
                attrs = {"kind": "document", "label": obj.label, "key": obj.key, "doc_type": obj.doc_type, "issued": obj.issued,
                         "issuer": obj.issuer, "title": obj.title, "paths": "\n".join(obj.paths)}
            else:
                attrs = {"kind": "external", "label": obj.cited_as, "key": obj.key, "doc_type": obj.doc_type,
                         "year": obj.year, "issuer": obj.issuer, "cited_by": obj.cited_by}
            g.add_node(n, **{k: v for k, v in attrs.items() if v is not None})
        for a, b, e in sorted(self.graph.edges(data=True), key=lambda t: (t[0], t[1])):
            attrs = {k: ("\n".join(v) if isinstance(v, list) else v) for k, v in e.items()}
            g.add_edge(a, b, **{k: v for k, v in attrs.items() if v is not None})
        return g

    def write_graphml(self, path: str) -> None:
        tmp = path + ".tmp"
        nx.write_graphml(self._export_graph(), tmp, encoding="utf-8")
        os.replace(tmp, path)

    def to_dot(self) -> str:
        def q(s) -> str:
            return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

        lines = ["digraph archive {", "  rankdir=BT;", '  node [fontname="DejaVu Sans", fontsize=10];']
        for n in sorted(self.graph.nodes):
            obj = self.node(n)
            if isinstance(obj, Doc):
                label = obj.label + (f"\n{obj.issued}" if obj.issued else "")
                lines.append(f"  {q(n)} [label={q(label)}, shape=box];")
            else:
                lines.append(f"  {q(n)} [label={q(obj.cited_as)}, shape=ellipse, style=dashed, color=gray40];")
        style = {"parent": "style=bold", "basis": "style=solid", "cites": "style=dashed, color=gray50"}
        for a, b, e in sorted(self.graph.edges(data=True), key=lambda t: (t[0], t[1])):
            extra = f", label={q(e['type'] + (' ~' + format(e['score'], 'g') if e.get('method') == 'fuzzy' else ''))}"
            lines.append(f"  {q(a)} -> {q(b)} [{style[e['type']]}{extra}];")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def write_dot(self, path: str) -> None:
        _write_text(path, self.to_dot())

    # -- terminal tree -------------------------------------------------------------------------
    def describe(self, node: str, edge: dict | None = None) -> str:
        obj = self.node(node)
        if isinstance(obj, Doc):
            bits = [obj.label]
            if obj.issued:
                bits.append(obj.issued)
            if obj.issuer:
                bits.append(obj.issuer)
            s = " · ".join(bits)
            if obj.title:
                t = obj.title if len(obj.title) <= 70 else obj.title[:67] + "..."
                s += f" — {t}"
        else:
            s = f"{obj.cited_as}" + (f" ({obj.year})" if obj.year else "") + " [not in archive]"
        if edge and edge.get("method") == "fuzzy":
            s += f" [fuzzy {edge['score']:g}]"
        if edge and edge.get("ambiguous"):
            s += " [ambiguous]"
        return s

    def tree(self, node: str, max_depth: int = 12):
        """A rich Group: the node's ancestry (parents, their parents, ...) and descendants."""
        from rich.console import Group
        from rich.text import Text
        from rich.tree import Tree

        def grow(t: Tree, n: str, up: bool, seen: set, depth: int) -> None:
            if depth >= max_depth:
                return
            nxt = self.parents(n) if up else self.children(n)
            for m in nxt:
                e = self.graph.edges[n, m] if up else self.graph.edges[m, n]
                if m in seen:
                    t.add(Text(self.describe(m, e) + " [cycle]"))
                    continue
                grow(t.add(Text(self.describe(m, e))), m, up, seen | {m}, depth + 1)

        head = Text(self.describe(node), style="bold")
        up = Tree(Text("ancestry (parent plans, upward)", style="dim"))
        grow(up.add(head.copy()), node, True, {node}, 0)
        down = Tree(Text("descendants (plans implementing it)", style="dim"))
        grow(down.add(head.copy()), node, False, {node}, 0)
        return Group(up, down)


def _slim(r: dict) -> dict:
    keep = ("doc_type", "number", "symbol", "issued", "year", "issuer", "basis", "text", "key", "grammar")
    return {k: r.get(k) for k in keep}


def _split_number(text: str) -> tuple[str | None, str | None, str | None]:
    m = re.match(r"\s*(\d+)\s*[/-]\s*(.+?)\s*$", text)
    if not m:
        return None, text.strip() or None, None
    return m.group(1), m.group(2), _grammar(m.group(2))


def _write_text(path: str, text: str) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)
