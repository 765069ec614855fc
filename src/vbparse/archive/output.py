"""Materialise a batch's result from the manifest and the part files.

`records.jsonl` holds one line per input that parsed, `errors.jsonl` one row per input that
failed, both in path order; each input of the run is in exactly one of them. Lines are copied
byte for byte from the parts (no re-serialising), except for an input whose content was parsed
under another path (a copy or a rename): its record is the content's record with
`source.path` replaced. Both files are written to temporaries and renamed into place, so a
reader (or a crash) never sees half a file.

Parquet (`--parquet`): the same records as `records.parquet`, with an Arrow schema derived
from vbparse's result dataclasses (nested lists of structs, typed), written in row groups so
memory stays flat. JSON Lines stays the lossless format: a field the dataclasses do not know is
not in the Parquet file.
"""
from __future__ import annotations

import json
import os
from collections import OrderedDict
from typing import Iterable

from .manifest import Manifest
from .work import RECORD_JSON, write_atomic

RECORDS = "records.jsonl"
ERRORS = "errors.jsonl"
PARQUET = "records.parquet"


class _Parts:
    """Random access to part files with a small cache of open handles."""

    def __init__(self, parts_dir: str, keep: int = 32):
        self.dir = parts_dir
        self.keep = keep
        self.open: OrderedDict[str, object] = OrderedDict()

    def read(self, part: str, off: int, ln: int) -> bytes:
        f = self.open.get(part)
        if f is None:
            f = open(os.path.join(self.dir, part), "rb")
            self.open[part] = f
            if len(self.open) > self.keep:
                self.open.popitem(last=False)[1].close()
        else:
            self.open.move_to_end(part)
        f.seek(off)
        data = f.read(ln)
        if len(data) != ln or not data.endswith(b"\n"):
            raise IOError(f"part {part} is damaged at {off}")
        return data

    def close(self) -> None:
        for f in self.open.values():
            f.close()
        self.open.clear()


def error_row(path: str, sha256: str | None, kind: str, cause: str) -> bytes:
    row = {"path": path, "sha256": sha256, "kind": kind, "cause": cause}
    return (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8")


def materialise(out_dir: str, manifest: Manifest, inputs: list[tuple[str, str | None, str | None]]) -> tuple[int, int]:
    """Write records.jsonl and errors.jsonl for `inputs`: (path, ckey, failure) triples, where
    failure is "kind\\tcause" for an input that could not even be read, else None.

    Returns (records, errors). Raises if an input has no result (the run was incomplete)."""
    parts = _Parts(manifest.parts_dir)
    errs: list[bytes] = []
    rec_tmp = os.path.join(out_dir, ".tmp-" + RECORDS)
    n_rec = 0
    try:
        with open(rec_tmp, "wb") as rf:
            for path, ckey, failure in sorted(inputs, key=lambda t: t[0]):
                if ckey is None:
                    kind, _, cause = (failure or "unreadable\tunknown").partition("\t")
                    errs.append(error_row(path, None, kind, cause))
                    continue
                sha = ckey.split(":", 1)[0]
                r = manifest.results.get(ckey)
                if r is None:
                    raise RuntimeError(f"no result for {path} ({ckey}): the run is incomplete")
                if r.status == "ok":
                    loc = r.locs.get(path)
                    if loc is not None:
                        line = parts.read(*loc)
                    else:
                        any_path = min(r.locs)
                        rec = json.loads(parts.read(*r.locs[any_path]))
                        rec["source"]["path"] = path
                        line = (json.dumps(rec, **RECORD_JSON) + "\n").encode("utf-8")
                    rf.write(line)
                    n_rec += 1
                else:
                    errs.append(error_row(path, sha, r.kind or "error", r.cause or ""))
            rf.flush()
            os.fsync(rf.fileno())
        os.replace(rec_tmp, os.path.join(out_dir, RECORDS))
        write_atomic(os.path.join(out_dir, ERRORS), errs)
    finally:
        parts.close()
        if os.path.exists(rec_tmp):
            os.remove(rec_tmp)
    return n_rec, len(errs)


# ---- Parquet -------------------------------------------------------------------------------

def _arrow_type(hint: str, pa):
    hint = hint.replace(" ", "")
    opts = [h for h in hint.split("|") if h != "None"]
    h = opts[0] if opts else "str"
    if h == "str":
        return pa.string()
    if h == "int":
        return pa.int64()
    if h == "float":
        return pa.float64()
    if h == "bool":
        return pa.bool_()
    if h == "list[str]":
        return pa.list_(pa.string())
    if h == "list[dict]":  # Tag.labels
        return pa.list_(pa.struct([("label", pa.string()), ("score", pa.float64())]))
    if h.startswith("list[tuple"):
        return pa.list_(pa.list_(pa.int64()))
    return pa.string()


def _struct(cls, pa):
    import dataclasses

    fields = []
    for f in dataclasses.fields(cls):
        hint = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", "str")
        fields.append((f.name, _arrow_type(hint, pa)))
    return pa.struct(fields)


def arrow_schema():
    """Arrow schema of a record, derived from vbparse.model's dataclasses."""
    import pyarrow as pa

    from .. import model as m

    return pa.schema([
        ("schema_version", pa.string()),
        ("source", _struct(m.Source, pa)),
        ("header", _struct(m.Header, pa)),
        ("signer", _struct(m.Signer, pa)),
        ("recipients", pa.list_(pa.string())),
        ("sections", pa.list_(_struct(m.Section, pa))),
        ("references", pa.list_(_struct(m.Reference, pa))),
        ("dates", pa.list_(_struct(m.DateMention, pa))),
        ("deadlines", pa.list_(_struct(m.Deadline, pa))),
        ("movements", pa.list_(_struct(m.Movement, pa))),
        ("tags", pa.list_(_struct(m.Tag, pa))),
    ])


def _conform(value, typ, pa):
    """Shape a JSON value to an Arrow type: drop unknown keys, None for missing ones."""
    if value is None:
        return None
    if pa.types.is_struct(typ):
        if not isinstance(value, dict):
            return None
        return {typ.field(i).name: _conform(value.get(typ.field(i).name), typ.field(i).type, pa) for i in range(typ.num_fields)}
    if pa.types.is_list(typ):
        if not isinstance(value, list):
            return None
        return [_conform(v, typ.value_type, pa) for v in value]
    if pa.types.is_string(typ):
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if pa.types.is_integer(typ):
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if pa.types.is_floating(typ):
        return float(value) if isinstance(value, (int, float)) else None
    if pa.types.is_boolean(typ):
        return value if isinstance(value, bool) else None
    return value


def write_parquet(out_dir: str, records_path: str | None = None, batch: int = 1000) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema()
    src = records_path or os.path.join(out_dir, RECORDS)
    final = os.path.join(out_dir, PARQUET)
    tmp = os.path.join(out_dir, ".tmp-" + PARQUET)
    n = 0
    writer = pq.ParquetWriter(tmp, schema, compression="zstd")
    try:
        rows: list[dict] = []

        def flush():
            if rows:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                rows.clear()

        with open(src, "rb") as f:
            for line in f:
                rec = json.loads(line)
                rows.append({fld.name: _conform(rec.get(fld.name), fld.type, pa) for fld in schema})
                n += 1
                if len(rows) >= batch:
                    flush()
        flush()
    finally:
        writer.close()
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())
    os.replace(tmp, final)
    return n


def iter_records(paths: Iterable[str]):
    """Records from batch outputs: folders (their records.jsonl) or .jsonl files."""
    for p in paths:
        fp = os.path.join(p, RECORDS) if os.path.isdir(p) else p
        with open(fp, "rb") as f:
            for line in f:
                if line.strip():
                    yield json.loads(line)
