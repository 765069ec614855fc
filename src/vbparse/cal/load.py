"""Contract records for the calendar: from plan files (parsed here), from the JSON Lines that
`vbparse batch` writes, from `vbparse parse` JSON, or from a directory of any of these.

A file named on the command line must yield records: a missing file, an unreadable one or a
text that is not a plan raises InputError (the CLI prints one line and exits non-zero). Inside a
directory, files that are not plans are skipped with a warning instead.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError

PLAN_SUFFIXES = {".txt", ".md", ".pdf", ".docx", ".html", ".htm"}
JSON_SUFFIXES = {".jsonl", ".ndjson", ".json"}
NOT_A_PLAN = "does not look like an administrative document"


@dataclass
class Loaded:
    records: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def is_record(obj) -> bool:
    """A contract record: a header object and a deadlines list (other fields are not needed here)."""
    return isinstance(obj, dict) and isinstance(obj.get("header"), dict) and isinstance(obj.get("deadlines"), list)


def _unwrap(obj):
    """Accept a bare record, or a record wrapped by a batch runner as {"record": {...}} / {"result": {...}}."""
    if is_record(obj):
        return obj
    if isinstance(obj, dict):
        for k in ("record", "result", "doc", "document"):
            if is_record(obj.get(k)):
                return obj[k]
    return None


def _read_json_file(p: Path, out: Loaded) -> int:
    try:
        raw = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(p, "not UTF-8 JSON") from None
    except OSError as e:
        raise InputError(p, f"cannot read: {e.strerror or e}") from None
    n = 0
    stripped = raw.lstrip()
    if p.suffix.lower() == ".json" and stripped[:1] in ("{", "["):
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError:
            obj = None  # maybe JSON Lines saved as .json: fall through
        if obj is not None:
            items = obj if isinstance(obj, list) else [obj]
            for it in items:
                rec = _unwrap(it)
                if rec is not None:
                    out.records.append(rec)
                    n += 1
            return n
    bad = skipped = 0
    for lineno, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            bad += 1
            continue
        rec = _unwrap(obj)
        if rec is None:
            skipped += 1  # e.g. a batch error line {"path": ..., "error": ...}
            continue
        out.records.append(rec)
        n += 1
    if bad:
        out.warnings.append(f"{p}: {bad} line(s) are not JSON, skipped")
    if skipped and n:
        out.warnings.append(f"{p}: {skipped} line(s) are not plan records (errors?), skipped")
    return n


def _parse_plan(p: Path, out: Loaded, strict: bool) -> int:
    from ..pipeline import parse

    doc = parse(p)  # InputError propagates: missing, unreadable, too large ...
    if any(NOT_A_PLAN in w for w in doc.source.warnings) or not doc.text.strip():
        if strict:
            raise InputError(p, "not a plan (no header, sections or references found)")
        out.warnings.append(f"{p}: not a plan, skipped")
        return 0
    out.records.append(doc.to_dict())
    return 1


def _load_file(p: Path, out: Loaded, strict: bool) -> int:
    suf = p.suffix.lower()
    if suf in JSON_SUFFIXES:
        n = _read_json_file(p, out)
        if n == 0 and strict:
            raise InputError(p, "no vbparse plan records in this file (expected `vbparse parse`/`batch` JSON)")
        return n
    if suf in PLAN_SUFFIXES or strict:
        if strict:
            return _parse_plan(p, out, strict)
        try:
            return _parse_plan(p, out, strict)
        except InputError as e:
            out.warnings.append(f"{e}, skipped")
    return 0


def load(inputs: list[str]) -> Loaded:
    """Records from every input, in the order given (directories in sorted order)."""
    out = Loaded()
    if not inputs:
        raise InputError(None, "no input: give plan files, batch output (.jsonl) or a directory")
    for item in inputs:
        p = Path(item)
        if not p.exists():
            raise InputError(item, "no such file or directory")
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))
            jsonl = [f for f in files if f.suffix.lower() in JSON_SUFFIXES]
            # A batch output folder: read its records; otherwise a folder of plans: parse them.
            chosen = jsonl if jsonl else [f for f in files if f.suffix.lower() in PLAN_SUFFIXES]
            n = sum(_load_file(f, out, strict=False) for f in chosen)
            if n == 0:
                raise InputError(item, "no plans or vbparse records found in this directory")
        else:
            _load_file(p, out, strict=True)
    return out
