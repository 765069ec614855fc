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
                   facet_rows_to_dict, filter_sql, pack, unpack_json, unpack_text)
from .query import Term

SCHEMA = """
CREATE TABLE IF NOT EXISTS vbp_meta (k TEXT PRIMARY KEY, v TEXT);
CREATE TABLE IF NOT EXISTS vbp_docs (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL UNIQUE,
  path TEXT, format TEXT, doc_type TEXT, doc_type_fold TEXT, number TEXT, symbol TEXT, key TEXT,
  issued TEXT, year INTEGER, issuer TEXT, issuer_fold TEXT, title TEXT,
  sections TEXT, record_z BLOB, text_z BLOB, cols_z BLOB, added TEXT
);
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
CREATE TABLE IF NOT EXISTS vbp_vocab (word TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS vbp_fts USING fts5(
  a, b, c, d, content='', tokenize="unicode61 remove_diacritics 0 tokenchars '_'"
);
"""

DOC_COLS = ("sha256", "path", "format", "doc_type", "doc_type_fold", "number", "symbol", "key", "issued",
            "year", "issuer", "issuer_fold", "title", "sections", "record_z", "text_z", "cols_z", "added")


def fts_node(n) -> str:
    if isinstance(n, Term):
        return '"' + " ".join(n.tokens) + '"' + ("*" if n.prefix else "")
    if isinstance(n, Or):
        return "(" + " OR ".join(fts_node(x) for x in n.items) + ")"
    if isinstance(n, And):
        return "(" + " AND ".join(fts_node(x) for x in n.items) + ")"
    raise TypeError(n)


def fts_match(plan: Plan) -> str | None:
    """The FTS5 MATCH expression of the plan's positive part (None: no text terms)."""
    if not plan.must:
        return None
    if plan.relaxed:
        expr = "(" + " OR ".join(fts_node(n) for n in list(plan.must) + list(plan.boosts)) + ")"
    else:
        expr = " AND ".join(fts_node(n) for n in plan.must)
        if plan.boosts:
            expr += " AND (" + " OR ".join([fts_node(b) for b in plan.boosts] + [fts_node(plan.anchor())]) + ")"
    if plan.negative:
        expr = f"({expr}) NOT (" + " OR ".join(fts_node(t) for t in plan.negative) + ")"
    return expr


def fts_negative(plan: Plan) -> str | None:
    return " OR ".join(fts_node(t) for t in plan.negative) if plan.negative else None


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
            ("sqlite_version", sqlite3.sqlite_version)])

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

    def insert(self, docs: Sequence[IndexDoc]) -> None:
        self._begin()
        con = self.con
        now = time.strftime("%Y-%m-%dT%H:%M:%S")
        sql = f"INSERT INTO vbp_docs ({', '.join(DOC_COLS)}) VALUES ({', '.join('?' * len(DOC_COLS))})"
        for d in docs:
            cols = d.column_strings()
            cur = con.execute(sql, (
                d.sha256, d.path, d.format, d.doc_type, d.doc_type_fold, d.number, d.symbol, d.key, d.issued,
                d.year, d.issuer, d.issuer_fold, d.title,
                json.dumps(d.sections, ensure_ascii=False, separators=(",", ":")),
                pack(d.record), pack(d.text) if d.text else None, pack(cols), now))
            i = cur.lastrowid
            con.execute("INSERT INTO vbp_fts (rowid, a, b, c, d) VALUES (?, ?, ?, ?, ?)", (i, *cols))
            if d.keys:
                con.executemany("INSERT INTO vbp_keys VALUES (?, ?, ?)", [(i, k, kind) for k, kind in d.keys])
            if d.deadlines:
                con.executemany("INSERT INTO vbp_deadlines VALUES (?, ?, ?, ?, ?)", [(i, *x) for x in d.deadlines])
            if d.labels:
                con.executemany("INSERT INTO vbp_labels VALUES (?, ?)", [(i, lab) for lab in d.labels])
            if d.words:
                con.executemany("INSERT INTO vbp_vocab VALUES (?, 1) ON CONFLICT(word) DO UPDATE SET n = n + 1",
                                [(w,) for w in set(d.words)])

    def delete(self, ids: Sequence[int]) -> None:
        self._begin()
        con = self.con
        for i in ids:
            row = con.execute("SELECT cols_z FROM vbp_docs WHERE id = ?", (i,)).fetchone()
            if not row:
                continue
            cols = unpack_json(row[0])
            con.execute("INSERT INTO vbp_fts (vbp_fts, rowid, a, b, c, d) VALUES ('delete', ?, ?, ?, ?, ?)", (i, *cols))
            words = {w for w in cols[3].split() if "_" in w}
            if words:
                con.executemany("UPDATE vbp_vocab SET n = n - 1 WHERE word = ?", [(w,) for w in words])
            for t in ("vbp_keys", "vbp_deadlines", "vbp_labels"):
                con.execute(f"DELETE FROM {t} WHERE doc_id = ?", (i,))
            con.execute("DELETE FROM vbp_docs WHERE id = ?", (i,))
        con.execute("DELETE FROM vbp_vocab WHERE n <= 0")

    def delete_where(self, sha_or_path: str) -> int:
        ids = [r[0] for r in self.con.execute("SELECT id FROM vbp_docs WHERE sha256 = ? OR path = ?",
                                              (sha_or_path, sha_or_path))]
        self.delete(ids)
        return len(ids)

    def count(self) -> int:
        return self.con.execute("SELECT count(*) FROM vbp_docs").fetchone()[0]

    def records(self) -> Iterator[dict]:
        for (z,) in self.con.execute("SELECT record_z FROM vbp_docs ORDER BY id"):
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
        q = f"SELECT word FROM vbp_vocab WHERE word IN ({', '.join('?' * len(words))})"
        return {r[0] for r in self.con.execute(q, list(words))}

    def run(self, plan: Plan, limit: int, offset: int, facets: bool) -> tuple[int, list[Row], dict]:
        con = self.con
        con.execute("CREATE TEMP TABLE IF NOT EXISTS vbp_m (id INTEGER PRIMARY KEY, score REAL)")
        con.execute("DELETE FROM temp.vbp_m")
        conds, args = filter_sql(plan.filters, "?")
        match = fts_match(plan)
        w = ", ".join(str(WEIGHTS[c]) for c in COLUMNS)
        try:
            if match:
                where = " AND ".join(["vbp_fts MATCH ?"] + conds)
                con.execute(f"INSERT INTO temp.vbp_m (id, score) SELECT d.id, -bm25(vbp_fts, {w}) FROM vbp_fts "
                            f"JOIN vbp_docs d ON d.id = vbp_fts.rowid WHERE {where}", [match] + args)
            else:
                neg = fts_negative(plan)
                if neg:
                    conds = conds + ["d.id NOT IN (SELECT rowid FROM vbp_fts WHERE vbp_fts MATCH ?)"]
                    args = args + [neg]
                where = " AND ".join(conds) or "1"
                con.execute(f"INSERT INTO temp.vbp_m (id, score) SELECT d.id, 0.0 FROM vbp_docs d WHERE {where}", args)
        except sqlite3.OperationalError as e:  # a query FTS5 cannot run: never crash, say why
            raise IndexError_(f"the search engine rejected the query ({e})") from None
        total = con.execute("SELECT count(*) FROM temp.vbp_m").fetchone()[0]
        rows = [Row(*r) for r in con.execute(
            "SELECT d.id, m.score, d.sha256, d.path, d.doc_type, d.number, d.symbol, d.issued, d.year, d.issuer, d.title "
            "FROM temp.vbp_m m JOIN vbp_docs d ON d.id = m.id "
            "ORDER BY m.score DESC, d.issued DESC NULLS LAST, d.sha256 LIMIT ? OFFSET ?", (limit, offset))]
        fac = {}
        if facets and total:
            fr = []
            for col in ("issuer", "year", "doc_type"):
                fr += [(col, v, n) for v, n in con.execute(
                    f"SELECT d.{col}, count(*) FROM temp.vbp_m m JOIN vbp_docs d ON d.id = m.id "
                    f"WHERE d.{col} IS NOT NULL GROUP BY d.{col} ORDER BY 2 DESC, 1 LIMIT 10")]
            fr += [("movement", v, n) for v, n in con.execute(
                "SELECT l.label, count(DISTINCT l.doc_id) FROM temp.vbp_m m JOIN vbp_labels l ON l.doc_id = m.id "
                "GROUP BY l.label ORDER BY 2 DESC, 1 LIMIT 10")]
            fac = facet_rows_to_dict(fr)
        elif facets:
            fac = facet_rows_to_dict([])
        return total, rows, fac

    def load(self, ids: Sequence[int]) -> dict[int, tuple[str | None, list]]:
        if not ids:
            return {}
        q = f"SELECT id, text_z, sections FROM vbp_docs WHERE id IN ({', '.join('?' * len(ids))})"
        return {i: (unpack_text(t), [tuple(s) for s in json.loads(s or "[]")]) for i, t, s in self.con.execute(q, list(ids))}
