"""The embedded backend: one SQLite file, an FTS5 table ranked with bm25(). No server.

The FTS5 table is contentless (`content=''`): it holds only the inverted index of the folded
terms. The original text (for snippets) and the record are stored zlib-compressed in vbp_docs,
and so are the exact column strings that were indexed, because deleting a row from a contentless
FTS5 table needs them (SQLite 3.40 has no `contentless_delete`).

Terms are produced by `fold.tokens` and handed to FTS5 space-separated; FTS5's own `unicode61`
tokenizer (remove_diacritics 0, `_` a token character) only splits them at the spaces, so what a
term is never depends on SQLite's Unicode tables (and đ is folded, which remove_diacritics
cannot do).
"""
from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path
from typing import Iterator, Sequence

from . import fold as F
from .base import (COLUMNS, INDEX_VERSION, WEIGHTS, And, Backend, IndexDoc, IndexError_, Or, Plan, Row,
                   filter_sql, pack, unpack_json, unpack_text)
from .query import Term

SCHEMA = """
CREATE TABLE IF NOT EXISTS vbp_meta (k TEXT PRIMARY KEY, v TEXT);
CREATE TABLE IF NOT EXISTS vbp_docs (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL UNIQUE,
  path TEXT, format TEXT, doc_type TEXT, doc_type_fold TEXT, number TEXT, symbol TEXT, key TEXT,
  issued TEXT, year INTEGER, issuer TEXT, issuer_fold TEXT, title TEXT, added TEXT
);
-- the bulky parts apart, so that scans and joins over vbp_docs stay in few pages
CREATE TABLE IF NOT EXISTS vbp_store (id INTEGER PRIMARY KEY, sections TEXT, record_z BLOB, text_z BLOB, cols_z BLOB);
CREATE INDEX IF NOT EXISTS vbp_docs_path ON vbp_docs(path);
CREATE INDEX IF NOT EXISTS vbp_docs_year ON vbp_docs(year);
CREATE TABLE IF NOT EXISTS vbp_keys (doc_id INTEGER NOT NULL, key TEXT NOT NULL, kind TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS vbp_keys_key ON vbp_keys(key, kind);
CREATE INDEX IF NOT EXISTS vbp_keys_doc ON vbp_keys(doc_id);
CREATE TABLE IF NOT EXISTS vbp_deadlines (doc_id INTEGER NOT NULL, due TEXT NOT NULL, section TEXT, task TEXT, responsible TEXT);
CREATE INDEX IF NOT EXISTS vbp_deadlines_doc ON vbp_deadlines(doc_id, due);
CREATE INDEX IF NOT EXISTS vbp_deadlines_due ON vbp_deadlines(due);
CREATE TABLE IF NOT EXISTS vbp_labels (doc_id INTEGER NOT NULL, label TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS vbp_labels_doc ON vbp_labels(doc_id);
CREATE INDEX IF NOT EXISTS vbp_labels_label ON vbp_labels(label);
CREATE VIRTUAL TABLE IF NOT EXISTS vbp_fts USING fts5(
  a, b, c, d, content='', tokenize="unicode61 remove_diacritics 0 tokenchars '_'"
);
CREATE VIRTUAL TABLE IF NOT EXISTS vbp_fts_terms USING fts5vocab('vbp_fts', 'row');
"""

DOC_COLS = ("sha256", "path", "format", "doc_type", "doc_type_fold", "number", "symbol", "key", "issued",
            "year", "issuer", "issuer_fold", "title", "added")


def fts_node(n) -> str:
    if isinstance(n, Term):
        return '"' + " ".join(n.tokens) + '"' + ("*" if n.prefix else "")
    if isinstance(n, Or):
        return "(" + " OR ".join(fts_node(x) for x in n.items) + ")"
    if isinstance(n, And):
        return "(" + " AND ".join(fts_node(x) for x in n.items) + ")"
    raise TypeError(n)


def fts_match(plan: Plan, must: list | None = None) -> str | None:
    """The FTS5 MATCH expression of the plan's positive part (None: no text terms); `must`
    replaces the plan's required nodes (the informative ones of `Plan.split`)."""
    must = plan.must if must is None else must
    if not must:
        return None
    if plan.relaxed:
        expr = "(" + " OR ".join(fts_node(n) for n in list(must) + list(plan.boosts)) + ")"
    else:
        expr = " AND ".join(fts_node(n) for n in must)
        if plan.boosts:
            expr += " AND (" + " OR ".join([fts_node(b) for b in plan.boosts] + [fts_node(plan.anchor())]) + ")"
    if plan.negative:
        expr = f"({expr}) NOT (" + " OR ".join(fts_node(t) for t in plan.negative) + ")"
    return expr


def fts_negative(plan: Plan) -> str | None:
    return " OR ".join(fts_node(t) for t in plan.negative) if plan.negative else None


def _ids(con, sql: str, args) -> list[int]:
    """All ids a query matches, fetched as one comma-joined string (thousands of rows: 3x faster)."""
    s = con.execute(sql, args).fetchone()[0]
    return list(map(int, s.split(","))) if s else []


class SqliteBackend(Backend):
    name = "sqlite"

    def __init__(self, path: str) -> None:
        if path.startswith("sqlite:///"):
            path = path[len("sqlite:///"):]
        self.path = Path(path)
        self.con: sqlite3.Connection | None = None
        self._building: Path | None = None
        self.segmented = False

    # -- lifecycle
    def _connect(self, path: Path) -> sqlite3.Connection:
        try:
            con = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
            con.execute("PRAGMA temp_store = MEMORY")
            con.execute("PRAGMA cache_size = -65536")
            con.execute("PRAGMA mmap_size = 268435456")
        except sqlite3.Error as e:
            raise IndexError_(f"cannot open index {path}: {e}") from None
        return con

    def open(self, *, create: bool) -> None:
        if not self.path.exists():
            if not create:
                raise IndexError_(f"no index at {self.path}: build one with `vbparse index build FILES --db {self.path}`")
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = self._connect(self.path)
        try:
            has = self.con.execute("SELECT 1 FROM sqlite_master WHERE name = 'vbp_meta'").fetchone()
        except sqlite3.DatabaseError as e:
            raise IndexError_(f"{self.path} is not a vbparse index ({e})") from None
        if not has:
            if not create:
                raise IndexError_(f"{self.path} is not a vbparse index (no vbp_meta table)")
            self._init(segment=False)
            try:
                self.con.execute("PRAGMA journal_mode = WAL")
            except sqlite3.Error:
                pass
        self._check()

    def _init(self, *, segment: bool) -> None:
        self.con.executescript(SCHEMA)
        self.con.executemany("INSERT OR REPLACE INTO vbp_meta VALUES (?, ?)", [
            ("index_version", INDEX_VERSION), ("fold_version", F.FOLD_VERSION),
            ("segmented", "1" if segment else "0"), ("created", time.strftime("%Y-%m-%dT%H:%M:%S")),
            ("sqlite_version", sqlite3.sqlite_version), ("generation", "0"), ("n_docs", "0")])
        w = ", ".join(str(WEIGHTS[c]) for c in COLUMNS)
        self.con.execute("INSERT INTO vbp_fts (vbp_fts, rank) VALUES ('rank', ?)", (f"bm25({w})",))

    def _check(self) -> None:
        m = self.meta()
        if m.get("index_version") != INDEX_VERSION or m.get("fold_version") != F.FOLD_VERSION:
            raise IndexError_(f"index {self.path} was built by another vbparse version "
                              f"(format {m.get('index_version')}/{m.get('fold_version')}, this is "
                              f"{INDEX_VERSION}/{F.FOLD_VERSION}): rebuild it with `vbparse index build`")
        self.segmented = m.get("segmented") == "1"

    def start_build(self, *, segment: bool) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._building = self.path.with_name(self.path.name + f".building-{os.getpid()}")
        if self._building.exists():
            self._building.unlink()
        self.con = self._connect(self._building)
        self.con.execute("PRAGMA journal_mode = OFF")
        self.con.execute("PRAGMA synchronous = OFF")
        self._init(segment=segment)
        self.segmented = segment
        self.con.execute("BEGIN")

    def finish_build(self) -> None:
        self.con.execute("COMMIT")
        self.con.execute("INSERT INTO vbp_fts(vbp_fts) VALUES ('optimize')")
        self.con.execute("ANALYZE")
        self.con.close()
        os.replace(self._building, self.path)
        for suffix in ("-wal", "-shm"):  # a stale WAL of the replaced file must not be replayed
            p = self.path.with_name(self.path.name + suffix)
            if p.exists():
                p.unlink()
        self._building = None
        self.con = self._connect(self.path)
        self.con.execute("PRAGMA journal_mode = WAL")
        self._check()

    def abort_build(self) -> None:
        if self.con:
            self.con.close()
            self.con = None
        if self._building and self._building.exists():
            self._building.unlink()

    def close(self) -> None:
        if self.con:
            if self.con.in_transaction:
                self.con.execute("COMMIT")
            self.con.close()
            self.con = None

    def commit(self) -> None:
        if self.con.in_transaction and self._building is None:
            self.con.execute("COMMIT")

    def _begin(self) -> None:
        if not self.con.in_transaction:
            self.con.execute("BEGIN IMMEDIATE")

    def meta(self) -> dict:
        return dict(self.con.execute("SELECT k, v FROM vbp_meta").fetchall())

    # -- documents
    def lookup(self, sha256: str, path: str | None) -> tuple[bool, list[int]]:
        if self.con.execute("SELECT 1 FROM vbp_docs WHERE sha256 = ?", (sha256,)).fetchone():
            return True, []
        if not path:
            return False, []
        ids = [r[0] for r in self.con.execute("SELECT id FROM vbp_docs WHERE path = ?", (path,))]
        return False, ids

    def _bump(self, n: int) -> None:
        self.con.execute("UPDATE vbp_meta SET v = CAST(v AS INTEGER) + 1 WHERE k = 'generation'")
        self.con.execute("UPDATE vbp_meta SET v = CAST(v AS INTEGER) + ? WHERE k = 'n_docs'", (n,))

    def generation(self) -> str:
        return self.con.execute("SELECT v FROM vbp_meta WHERE k = 'generation'").fetchone()[0]

    def insert(self, docs: Sequence[IndexDoc]) -> None:
        self._begin()
        con = self.con
        self._bump(len(docs))
        now = time.strftime("%Y-%m-%dT%H:%M:%S")
        sql = f"INSERT INTO vbp_docs ({', '.join(DOC_COLS)}) VALUES ({', '.join('?' * len(DOC_COLS))})"
        for d in docs:
            cols = d.column_strings()
            cur = con.execute(sql, (
                d.sha256, d.path, d.format, d.doc_type, d.doc_type_fold, d.number, d.symbol, d.key, d.issued,
                d.year, d.issuer, d.issuer_fold, d.title, now))
            i = cur.lastrowid
            con.execute("INSERT INTO vbp_store VALUES (?, ?, ?, ?, ?)", (
                i, json.dumps(d.sections, ensure_ascii=False, separators=(",", ":")), pack(d.record),
                pack(d.text) if d.text else None, pack(cols)))
            con.execute("INSERT INTO vbp_fts (rowid, a, b, c, d) VALUES (?, ?, ?, ?, ?)", (i, *cols))
            if d.keys:
                con.executemany("INSERT INTO vbp_keys VALUES (?, ?, ?)", [(i, k, kind) for k, kind in d.keys])
            if d.deadlines:
                con.executemany("INSERT INTO vbp_deadlines VALUES (?, ?, ?, ?, ?)", [(i, *x) for x in d.deadlines])
            if d.labels:
                con.executemany("INSERT INTO vbp_labels VALUES (?, ?)", [(i, lab) for lab in d.labels])

    def delete(self, ids: Sequence[int]) -> None:
        self._begin()
        con = self.con
        for i in ids:
            row = con.execute("SELECT cols_z FROM vbp_store WHERE id = ?", (i,)).fetchone()
            if not row:
                continue
            cols = unpack_json(row[0])
            con.execute("INSERT INTO vbp_fts (vbp_fts, rowid, a, b, c, d) VALUES ('delete', ?, ?, ?, ?, ?)", (i, *cols))
            for t in ("vbp_keys", "vbp_deadlines", "vbp_labels"):
                con.execute(f"DELETE FROM {t} WHERE doc_id = ?", (i,))
            con.execute("DELETE FROM vbp_store WHERE id = ?", (i,))
            self._bump(-1)
            con.execute("DELETE FROM vbp_docs WHERE id = ?", (i,))

    def delete_where(self, sha_or_path: str) -> int:
        ids = [r[0] for r in self.con.execute("SELECT id FROM vbp_docs WHERE sha256 = ? OR path = ?",
                                              (sha_or_path, sha_or_path))]
        self.delete(ids)
        return len(ids)

    def count(self) -> int:
        return self.con.execute("SELECT count(*) FROM vbp_docs").fetchone()[0]

    def records(self) -> Iterator[dict]:
        for (z,) in self.con.execute("SELECT record_z FROM vbp_store ORDER BY id"):
            yield unpack_json(z)

    # -- search
    def known_keys(self, keys: Sequence[str]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        if not keys:
            return out
        q = f"SELECT DISTINCT key, kind FROM vbp_keys WHERE key IN ({', '.join('?' * len(keys))})"
        for k, kind in self.con.execute(q, list(keys)):
            out.setdefault(k, set()).add(kind)
        return out

    def known_words(self, words: Sequence[str]) -> set[str]:
        if not words or not self.segmented:
            return set()
        return {w for w in words if self.con.execute("SELECT 1 FROM vbp_fts_terms WHERE term = ?", (w,)).fetchone()}

    def facet_values(self):
        return self.con.execute("SELECT d.id, d.issuer, d.year, d.doc_type, l.label FROM vbp_docs d "
                                "LEFT JOIN vbp_labels l ON l.doc_id = d.id")

    def doc_freq(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        n = int(self.con.execute("SELECT v FROM vbp_meta WHERE k = 'n_docs'").fetchone()[0])
        out = {t: 0 for t in terms}
        for t in out:
            row = self.con.execute("SELECT doc FROM vbp_fts_terms WHERE term = ?", (t,)).fetchone()
            out[t] = row[0] if row else 0
        return n, out

    def run(self, plan: Plan, limit: int, offset: int) -> tuple[list[int], list[Row]]:
        con = self.con
        conds, args = filter_sql(plan.filters, "?")
        match = fts_match(plan)
        try:
            if match:
                where = " AND ".join(["vbp_fts MATCH ?"] + conds)
                if conds:
                    ids = _ids(con, f"SELECT group_concat(d.id) FROM vbp_fts JOIN vbp_docs d ON d.id = vbp_fts.rowid "
                                    f"WHERE {where}", [match] + args)
                else:
                    ids = _ids(con, "SELECT group_concat(rowid) FROM vbp_fts WHERE vbp_fts MATCH ?", [match])
                if not ids or limit == 0 or offset >= len(ids):
                    return ids, []
                # bm25 for every match is the cost of a search; ties go to the newest, then by sha256
                # (as PostgreSQL's ORDER BY does). Common words only filter (Plan.split).
                informative, common = plan.split()
                if common:
                    rwhere = " AND ".join(["vbp_fts MATCH ?", "+vbp_fts.rowid IN (SELECT rowid FROM vbp_fts WHERE "
                                                               "vbp_fts MATCH ?)"] + conds)
                    rargs = [fts_match(plan, informative), " AND ".join(fts_node(x) for x in common)] + args
                else:
                    rwhere, rargs = where, [match] + args
                scored = con.execute(
                    f"SELECT vbp_fts.rowid, -vbp_fts.rank FROM vbp_fts JOIN vbp_docs d ON d.id = vbp_fts.rowid "
                    f"WHERE {rwhere} ORDER BY vbp_fts.rank, d.issued DESC NULLS LAST, d.sha256 LIMIT ? OFFSET ?",
                    rargs + [limit, offset]).fetchall()
                meta = self._rows([i for i, _ in scored])
                rows = []
                for i, sc in scored:
                    r = meta[i]
                    r.score = sc
                    rows.append(r)
                return ids, rows
            neg = fts_negative(plan)
            if neg:
                conds = conds + ["d.id NOT IN (SELECT rowid FROM vbp_fts WHERE vbp_fts MATCH ?)"]
                args = args + [neg]
            where = " AND ".join(conds) or "1"
            ids = _ids(con, f"SELECT group_concat(d.id) FROM vbp_docs d WHERE {where}", args)
            page = [r[0] for r in con.execute(
                f"SELECT d.id FROM vbp_docs d WHERE {where} ORDER BY d.issued DESC NULLS LAST, d.sha256 LIMIT ? OFFSET ?",
                args + [limit, offset])]
            meta = self._rows(page)
            return ids, [meta[i] for i in page]
        except sqlite3.OperationalError as e:  # a query FTS5 cannot run: never crash, say why
            raise IndexError_(f"the search engine rejected the query ({e})") from None

    def _rows(self, ids: Sequence[int]) -> dict[int, Row]:
        if not ids:
            return {}
        q = (f"SELECT id, 0.0, sha256, path, doc_type, number, symbol, issued, year, issuer, title FROM vbp_docs "
             f"WHERE id IN ({', '.join('?' * len(ids))})")
        return {r[0]: Row(*r) for r in self.con.execute(q, list(ids))}

    def load(self, ids: Sequence[int]) -> dict[int, tuple[str | None, list]]:
        if not ids:
            return {}
        q = f"SELECT id, text_z, sections FROM vbp_store WHERE id IN ({', '.join('?' * len(ids))})"
        return {i: (unpack_text(t), [tuple(s) for s in json.loads(s or "[]")]) for i, t, s in self.con.execute(q, list(ids))}
