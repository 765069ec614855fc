"""The batch manifest: an append-only, fsync'd journal of what has been parsed, keyed by content.

Layout of a batch output folder OUT:

    OUT/manifest.jsonl     the journal (this module)
    OUT/parts/*.jsonl      immutable part files, one per finished chunk, records as JSON lines
    OUT/records.jsonl      the result: one record per input that parsed   } rebuilt at the end
    OUT/errors.jsonl       one row per input that failed (path, cause)     } of every complete
    OUT/records.parquet    optional (--parquet)                            } run (output.py)
    OUT/summary.json       counts of the last complete run

How a crash cannot lose or duplicate a record (the commit protocol):

1. A worker parses a chunk and writes its records to `parts/.tmp-NAME`, fsyncs it and renames
   it to `parts/NAME` (rename is atomic: the part is either absent or whole).
2. The driver then appends ONE line to `manifest.jsonl` describing the whole chunk (for each
   input path: content key, stat token, and either the byte offset and length of its record in
   the part, or the failure's kind and cause) and fsyncs. That fsync is the commit point.
3. On start, the journal is read; a last line without its newline (a torn write) is cut off;
   part files and temporaries that no committed line points to (chunks that were written but
   not committed) are deleted; their inputs are simply parsed again.

So after `kill -9` at any instant every chunk is either committed (its part is whole and
durable, its line is in the journal) or it never happened. Records are never appended to a
shared file, so no half-written record can exist; the final `records.jsonl` is written to a
temporary and renamed in one step after the run, from the parts, in path order.

Keys. Results are keyed by content: `sha256:ext` (the extension is part of the key because it
picks the reader for .md/.html). A re-run hashes every input (a stat cache of size+mtime, or a
zip member's size+CRC, avoids re-reading unchanged files) and parses only contents it has no
result for: unchanged files are skipped, a renamed or copied file reuses its content's record,
`--force` parses everything again, `--retry-errors` retries failed contents. A result made by a
different vbparse version is parsed again.

At the end of a complete run the journal is compacted (rewritten with only the live entries,
via temporary + rename) and the parts nobody points to any more are deleted.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from .work import _fsync_dir

MANIFEST = "manifest.jsonl"
PARTS = "parts"
FORMAT = {"format": "vbparse-batch-manifest", "version": 1}


@dataclass
class Result:
    status: str  # ok | error
    parser: str | None = None  # vbparse version that produced it
    kind: str | None = None
    cause: str | None = None
    locs: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # path -> (part, off, len)


class Manifest:
    def __init__(self, out_dir: str):
        self.out_dir = out_dir
        self.path = os.path.join(out_dir, MANIFEST)
        self.parts_dir = os.path.join(out_dir, PARTS)
        self.stats: dict[str, tuple[str, str]] = {}  # path -> (token, ckey)
        self.results: dict[str, Result] = {}  # ckey -> Result
        self.commits = 0
        self.skipped_lines = 0
        self._fd: int | None = None

    # -- open / replay ------------------------------------------------------------------------
    @classmethod
    def open(cls, out_dir: str) -> "Manifest":
        m = cls(out_dir)
        os.makedirs(m.parts_dir, exist_ok=True)
        m._replay()
        m._fd = os.open(m.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        if os.fstat(m._fd).st_size == 0:
            m._append(FORMAT, sync=True)
        m._forget_missing_parts()
        m._remove_orphans()
        return m

    def _forget_missing_parts(self) -> None:
        """A part deleted or lost behind our back: its records are parsed again, not trusted."""
        missing = {p for p in self.live_parts() if not os.path.exists(os.path.join(self.parts_dir, p))}
        if not missing:
            return
        for ckey in list(self.results):
            r = self.results[ckey]
            if r.status != "ok":
                continue
            r.locs = {path: loc for path, loc in r.locs.items() if loc[0] not in missing}
            if not r.locs:
                del self.results[ckey]

    def _replay(self) -> None:
        try:
            with open(self.path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return
        end = data.rfind(b"\n") + 1
        if end < len(data):  # torn last line: cut it off before appending after it
            with open(self.path, "r+b") as f:
                f.truncate(end)
                f.flush()
                os.fsync(f.fileno())
            data = data[:end]
        for raw in data.split(b"\n"):
            if not raw.strip():
                continue
            try:
                entry = json.loads(raw)
            except ValueError:
                self.skipped_lines += 1
                continue
            self._apply(entry)

    def _apply(self, e: dict) -> None:
        if "files" in e:
            part = e.get("part")
            parser = e.get("parser")
            for f in e["files"]:
                path, ckey, token, status = f[0], f[1], f[2], f[3]
                if token:
                    self.stats[path] = (token, ckey)
                r = self.results.get(ckey)
                if status == "ok":
                    if r is None or r.status != "ok" or r.parser != parser:
                        r = self.results[ckey] = Result("ok", parser)
                    r.locs[path] = (part, f[4], f[5])
                else:
                    self.results[ckey] = Result("error", parser, f[4], f[5])
            self.commits += 1
        elif "stats" in e:
            for path, token, ckey in e["stats"]:
                self.stats[path] = (token, ckey)

    def _remove_orphans(self) -> None:
        live = self.live_parts()
        for name in os.listdir(self.parts_dir):
            if name not in live:
                try:
                    os.remove(os.path.join(self.parts_dir, name))
                except OSError:
                    pass

    def live_parts(self) -> set[str]:
        return {loc[0] for r in self.results.values() for loc in r.locs.values()}

    # -- writing ------------------------------------------------------------------------------
    def _append(self, entry: dict, sync: bool) -> None:
        line = (json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        os.write(self._fd, line)
        if sync:
            os.fsync(self._fd)

    def commit(self, part: str | None, files: list[tuple], tokens: dict[str, str | None], parser: str) -> None:
        """Make one chunk's results durable. `files` as in work.ChunkResult."""
        rows = []
        for f in files:
            path, ckey, status = f[0], f[1], f[2]
            rows.append([path, ckey, tokens.get(path), status, f[3], f[4]])
        entry = {"part": part, "parser": parser, "files": rows}
        self._append(entry, sync=True)
        self._apply(entry)

    def remember_stats(self, rows: list[tuple[str, str, str]]) -> None:
        """Cache (path, token, ckey) of hashed inputs, so an interrupted run need not hash again."""
        if rows:
            self._append({"stats": [list(r) for r in rows]}, sync=False)
            for path, token, ckey in rows:
                self.stats[path] = (token, ckey)

    def compact(self, current: dict[str, tuple[str | None, str]]) -> list[str]:
        """Rewrite the journal with what the inputs of this run need; return dead part names.

        `current`: path -> (token, ckey) of every input of the run that has a content key.
        """
        needed = {ckey for _, ckey in current.values()}
        results: dict[str, Result] = {}
        for ckey in needed:
            r = self.results.get(ckey)
            if r is None:
                continue
            if r.status == "ok":
                locs = {p: loc for p, loc in r.locs.items() if p in current and current[p][1] == ckey}
                if not locs and r.locs:  # keep one record to copy for renamed/copied inputs
                    p = min(r.locs)
                    locs = {p: r.locs[p]}
                results[ckey] = Result("ok", r.parser, locs=locs)
            else:
                results[ckey] = r
        by_part: dict[tuple[str, str | None], list] = {}
        for ckey, r in sorted(results.items()):
            if r.status == "ok":
                for p, (part, off, ln) in sorted(r.locs.items()):
                    tok = current.get(p, (None, None))[0]
                    by_part.setdefault((part, r.parser), []).append([p, ckey, tok, "ok", off, ln])
            else:
                paths = sorted(p for p, (_, k) in current.items() if k == ckey) or [""]
                for p in paths:
                    by_part.setdefault((None, r.parser), []).append([p, ckey, current.get(p, (None,))[0], "error", r.kind, r.cause])
        lines = [FORMAT]
        for (part, parser), rows in sorted(by_part.items(), key=lambda kv: (kv[0][0] or "", kv[0][1] or "")):
            lines.append({"part": part, "parser": parser, "files": rows})
        stats = sorted((p, tok, ckey) for p, (tok, ckey) in current.items() if tok)
        for i in range(0, len(stats), 5000):
            lines.append({"stats": [list(s) for s in stats[i:i + 5000]]})
        tmp = self.path + ".tmp"
        with open(tmp, "wb") as f:
            for e in lines:
                f.write((json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        os.close(self._fd)
        os.replace(tmp, self.path)
        _fsync_dir(self.out_dir)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        self.results = results
        self.stats = {p: (tok, ckey) for p, (tok, ckey) in current.items() if tok}
        live = self.live_parts()
        dead = sorted(n for n in os.listdir(self.parts_dir) if n not in live)
        for name in dead:
            try:
                os.remove(os.path.join(self.parts_dir, name))
            except OSError:
                pass
        return dead

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
