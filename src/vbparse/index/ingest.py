"""What `vbparse index build|add` reads: JSON Lines of contract records (what `vbparse batch`
writes), single-record .json files, plan files (parsed here with `vbparse.parse`), or folders of
either. Yields (record, text) pairs, or an exception per input that could not be read, so one bad
file never stops an index run.

Records do not carry the text. For snippets the index stores the text (compressed) at index time:
re-reading sources at query time would be slow (PDF extraction), and wrong once a file moves or
changes. The text of a record comes from, in order: a `text` field when a producer added one, or
the source file re-read with `vbparse.read.read_path` when its sha256 still matches the record's;
otherwise the record is indexed without body text (its title, headings, citations, deadlines and
movements are still searchable) and counted in the report.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Callable, Iterator

PLAN_EXTS = {".txt", ".md", ".pdf", ".docx", ".doc", ".html", ".htm"}
RECORD_EXTS = {".jsonl", ".ndjson", ".json"}


class IngestError(Exception):
    pass


def expand(inputs: list[str]) -> list[Path]:
    """Files named, and the files in folders named: the `records.jsonl` of `vbparse batch`
    output folders when there are any (not errors.jsonl, the manifest or part files), else other
    JSON Lines files, else plan files. Sorted, so an index is built in the same order every time."""
    out: list[Path] = []
    for s in inputs:
        p = Path(s)
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))
            batch = [f for f in files if f.name == "records.jsonl"]
            recs = [f for f in files if f.suffix.lower() in (".jsonl", ".ndjson")
                    and not f.name.startswith(("errors", "manifest"))]
            out += batch or recs or [f for f in files if f.suffix.lower() in PLAN_EXTS]
        else:
            out.append(p)
    return out


def iter_items(inputs: list[str], *, known: Callable[[str], bool] | None = None,
               read_sources: bool = True) -> Iterator[tuple[dict, str | None] | Exception]:
    for p in expand(inputs):
        if not p.exists():
            yield IngestError(f"{p}: no such file or folder")
            continue
        suffix = p.suffix.lower()
        if suffix in (".jsonl", ".ndjson"):
            yield from _jsonl(p, known, read_sources)
        elif suffix == ".json":
            try:
                data = json.loads(p.read_text(encoding="utf-8"))
            except (OSError, ValueError) as e:
                yield IngestError(f"{p}: not a JSON record ({e})")
                continue
            for rec in data if isinstance(data, list) else [data]:
                yield _with_text(rec, p, known, read_sources)
        else:
            yield _plan(p, known)


def _jsonl(p: Path, known, read_sources: bool):
    try:
        f = p.open(encoding="utf-8")
    except OSError as e:
        yield IngestError(f"{p}: {e.strerror or e}")
        return
    with f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except ValueError as e:
                yield IngestError(f"{p}:{n}: not JSON ({e})")
                continue
            if not isinstance(rec, dict) or "header" not in rec:
                why = rec.get("error") if isinstance(rec, dict) else None
                yield IngestError(f"{p}:{n}: not a plan record" + (f" ({why})" if why else ""))
                continue
            yield _with_text(rec, p, known, read_sources)


def _with_text(rec, origin: Path, known, read_sources: bool):
    if not isinstance(rec, dict):
        return IngestError(f"{origin}: not a plan record")
    src = rec.get("source") or {}
    sha = src.get("sha256")
    if known and sha and known(sha):
        return rec, None  # already indexed: the text is not needed
    text = rec.get("text") if isinstance(rec.get("text"), str) else None
    if text is None and read_sources and src.get("path"):
        text = _read_source(src["path"], sha, origin)
    return rec, text


def _read_source(path: str, sha: str | None, origin: Path) -> str | None:
    from ..errors import InputError
    from ..read import read_path

    for cand in (Path(path), origin.parent / path, origin.parent.parent / path):
        try:
            if not cand.is_file():
                continue
        except OSError:
            continue
        try:
            if sha and hashlib.sha256(cand.read_bytes()).hexdigest() != sha:
                continue  # the file changed since the record was made: its offsets do not fit
            return read_path(str(cand)).text
        except (InputError, OSError):
            return None
        except Exception:  # a reader bug must not stop the index run
            return None
    return None


def _plan(p: Path, known):
    from .. import parse
    from ..errors import InputError

    try:
        data = p.read_bytes()
    except OSError as e:
        return IngestError(f"{p}: {e.strerror or e}")
    if known and known(hashlib.sha256(data).hexdigest()):
        # unchanged since it was indexed: skip the parse. The record only needs the hash and path.
        return {"source": {"sha256": hashlib.sha256(data).hexdigest(), "path": str(p)}, "header": {}}, None
    try:
        doc = parse(os.fspath(p))
    except InputError as e:
        return IngestError(str(e))
    except Exception as e:  # a parser bug on one file: report it, index the rest
        return IngestError(f"{p}: parse failed ({type(e).__name__}: {e})")
    return doc.to_dict(), doc.text
