"""`vbparse batch`: every input in exactly one of records/errors, resume, skip, force, zips,
duplicates, Parquet, shards, the lock, a torn manifest. Runs the real parser on the fixture
archive generated from corpora/ (corpora/archive/make_archive.py)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from _helpers import load_maker
from vbparse.archive import BatchError, BatchOptions, Limits, run_batch

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = Path("/work/shared/contract/plan.schema.json")


@pytest.fixture(scope="module")
def fixture_archive(tmp_path_factory):
    dest = tmp_path_factory.mktemp("archive") / "kho"
    expected = load_maker().build_fixture(dest)
    return dest, expected


def opts(**kw) -> BatchOptions:
    kw.setdefault("jobs", 2)
    kw.setdefault("progress", False)
    kw.setdefault("limits", Limits(timeout=30, max_memory_mb=1024))
    return BatchOptions(**kw)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]


def outcome(out: Path) -> tuple[dict[str, dict], dict[str, dict]]:
    recs = {r["source"]["path"]: r for r in read_jsonl(out / "records.jsonl")}
    errs = {e["path"]: e for e in read_jsonl(out / "errors.jsonl")}
    return recs, errs


def all_inputs(expected: dict) -> set[str]:
    s = set(expected["good"]) | {d["copy"] for d in expected["duplicates"]}
    for v in expected["broken"].values():
        s |= set(v)
    return s


def test_fixture_every_input_accounted_once(fixture_archive, tmp_path):
    src, expected = fixture_archive
    out = tmp_path / "out"
    s = run_batch([str(src)], str(out), opts())
    recs, errs = outcome(out)
    inputs = all_inputs(expected)
    assert s.inputs == expected["inputs"] == len(inputs)
    assert s.records + s.errors == s.inputs
    assert len(recs) == s.records and len(errs) == s.errors
    assert set(recs) | set(errs) == inputs
    assert not set(recs) & set(errs)
    # ≥ 5 % of each broken kind
    for kind, paths in expected["broken"].items():
        assert len(paths) / s.inputs >= 0.05, kind
    # kinds that can only fail
    for kind in ("empty", "binary"):
        for p in expected["broken"][kind]:
            assert p in errs, (kind, p)
            assert errs[p]["cause"] and errs[p]["kind"] == "input"
    # PDFs that cannot be read fail; should a reader ever salvage one, it must say so
    for kind in ("truncated-pdf", "encrypted-pdf", "wrong-encoding"):
        for p in expected["broken"].get(kind, []):
            assert p in errs or recs[p]["source"]["warnings"], (kind, p)
    for p in expected["broken"].get("encrypted-pdf", []):
        assert p in errs and "password" in errs[p]["cause"].lower()
    # zip members, nested zip, copies
    assert any("!/2023/coso/cu-hon.zip!/" in p for p in recs)
    for d in expected["duplicates"]:
        a, b = recs[d["copy"]], recs[d["of"]]
        assert a["source"]["sha256"] == b["source"]["sha256"]
        a2 = dict(a, source=dict(a["source"], path=None))
        b2 = dict(b, source=dict(b["source"], path=None))
        assert a2 == b2
    assert s.duplicates >= len(expected["duplicates"])
    summary = json.loads((out / "summary.json").read_text())
    assert summary["records"] + summary["errors"] == summary["inputs"]


@pytest.mark.skipif(not SCHEMA.exists(), reason="contract not available")
def test_records_follow_the_contract(fixture_archive, tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    src, _ = fixture_archive
    out = tmp_path / "out"
    run_batch([str(src / "1-tinh"), str(src / "6-nen")], str(out), opts())
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    v = jsonschema.Draft202012Validator(schema)
    recs = read_jsonl(out / "records.jsonl")
    assert recs
    for r in recs:
        assert not list(v.iter_errors(r)), r["source"]["path"]


def test_rerun_skips_unchanged_and_follows_changes(fixture_archive, tmp_path):
    src0, _ = fixture_archive
    src = tmp_path / "src"
    shutil.copytree(src0 / "2-nganh", src / "2-nganh")
    shutil.copytree(src0 / "6-nen", src / "6-nen")
    out = tmp_path / "out"
    s1 = run_batch([str(src)], str(out), opts())
    first = (out / "records.jsonl").read_bytes()
    assert s1.parsed == s1.inputs > 0

    s2 = run_batch([str(src)], str(out), opts())
    assert s2.parsed == 0 and s2.skipped == s2.inputs
    assert (out / "records.jsonl").read_bytes() == first

    # change one file, copy another, delete a third
    files = sorted((src / "2-nganh").rglob("*.txt"))
    changed, copied, deleted = files[0], files[1], files[2]
    changed.write_text(changed.read_text(encoding="utf-8") + "\nGhi chú: bản sửa đổi.\n", encoding="utf-8")
    shutil.copy(copied, src / "ban-sao.txt")
    deleted.unlink()
    s3 = run_batch([str(src)], str(out), opts())
    assert s3.parsed == 1  # only the changed content; the copy reuses its content's record
    recs, errs = outcome(out)
    assert str(deleted) not in recs and str(src / "ban-sao.txt") in recs
    assert "bản sửa đổi" not in json.dumps(recs[str(copied)], ensure_ascii=False)
    assert s3.records + s3.errors == s3.inputs == s1.inputs

    # the copy's record equals what a fresh batch makes of it
    fresh = tmp_path / "fresh"
    run_batch([str(src)], str(fresh), opts())
    assert sorted((fresh / "records.jsonl").read_bytes().splitlines()) == sorted((out / "records.jsonl").read_bytes().splitlines())

    # --force parses everything again, same bytes
    s4 = run_batch([str(src)], str(out), opts(force=True))
    assert s4.parsed == s4.inputs
    assert (out / "records.jsonl").read_bytes() == (fresh / "records.jsonl").read_bytes()
    # compaction leaves no dead parts behind
    live = {row[0] for row in _manifest_parts(out)}
    assert {p.name for p in (out / "parts").iterdir()} == live


def _manifest_parts(out: Path):
    for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        e = json.loads(line)
        if e.get("part"):
            yield (e["part"],)


def one_plan_and(tmp_path: Path, bad_name: str, bad_bytes: bytes) -> Path:
    """A source folder holding one plan that parses and one file that cannot."""
    src = tmp_path / "src"
    src.mkdir()
    (src / bad_name).write_bytes(bad_bytes)
    shutil.copy(ROOT / "corpora" / "plans" / "a-cd-cdyt-thaibinh-2021-tuyen-truyen-thi-dua.txt", src / "kh.txt")
    return src


def test_retry_errors(tmp_path):
    src = one_plan_and(tmp_path, "rong.txt", b"")
    out = tmp_path / "out"
    s1 = run_batch([str(src)], str(out), opts())
    assert (s1.records, s1.errors) == (1, 1)
    s2 = run_batch([str(src)], str(out), opts())
    assert s2.parsed == 0
    s3 = run_batch([str(src)], str(out), opts(retry_errors=True))
    assert s3.parsed == 1 and s3.errors == 1


def test_parquet(fixture_archive, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    src, _ = fixture_archive
    out = tmp_path / "out"
    s = run_batch([str(src / "2-nganh"), str(src / "4-thuc-te")], str(out), opts(parquet=True))
    table = pq.read_table(out / "records.parquet")
    assert table.num_rows == s.records
    rows = table.to_pylist()
    recs = read_jsonl(out / "records.jsonl")
    assert [r["source"]["path"] for r in rows] == [r["source"]["path"] for r in recs]
    assert [r["header"]["key"] for r in rows] == [r["header"].get("key") for r in recs]
    assert sum(len(r["references"]) for r in rows) == sum(len(r["references"]) for r in recs)


def test_shards_partition_the_archive(fixture_archive, tmp_path):
    src, expected = fixture_archive
    runs = [run_batch([str(src)], str(tmp_path / f"s{k}"), opts(shard=(k, 3), jobs=1)) for k in range(3)]
    assert sum(r.inputs for r in runs) == expected["inputs"]
    lines = []
    for k in range(3):
        lines += (tmp_path / f"s{k}" / "records.jsonl").read_bytes().splitlines()
    full = tmp_path / "full"
    run_batch([str(src)], str(full), opts())
    assert sorted(lines) == sorted((full / "records.jsonl").read_bytes().splitlines())


def test_torn_manifest_and_orphan_parts_are_repaired(fixture_archive, tmp_path):
    src, _ = fixture_archive
    out = tmp_path / "out"
    run_batch([str(src / "1-tinh")], str(out), opts())
    good = (out / "records.jsonl").read_bytes()
    with open(out / "manifest.jsonl", "ab") as f:
        f.write(b'{"part":"zzz-000001-0.jsonl","parser":"0.1.0","files":[["/x","ab')  # torn line
    (out / "parts" / "zzz-000001-0.jsonl").write_bytes(b'{"half":')  # written, never committed
    (out / "parts" / ".tmp-zzz-000002-0.jsonl").write_bytes(b"{")
    s = run_batch([str(src / "1-tinh")], str(out), opts())
    assert s.parsed == 0
    assert (out / "records.jsonl").read_bytes() == good
    assert not (out / "parts" / "zzz-000001-0.jsonl").exists()
    assert not (out / "parts" / ".tmp-zzz-000002-0.jsonl").exists()
    for line in (out / "manifest.jsonl").read_bytes().splitlines():
        json.loads(line)


def test_output_is_locked(tmp_path):
    import fcntl

    out = tmp_path / "out"
    out.mkdir()
    fd = os.open(out / ".lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        with pytest.raises(BatchError, match="another vbparse batch"):
            run_batch([str(ROOT / "corpora" / "plans")], str(out), opts())
    finally:
        os.close(fd)


def test_missing_source_and_bad_zip_are_errors(tmp_path):
    src = one_plan_and(tmp_path, "hong.zip", b"PK\x03\x04 not really a zip")
    out = tmp_path / "out"
    s = run_batch([str(src), str(tmp_path / "khong-co")], str(out), opts())
    recs, errs = outcome(out)
    assert s.inputs == 3 and s.records == 1 and s.errors == 2
    assert "zip" in errs[str(src / "hong.zip")]["cause"]
    assert errs[str(tmp_path / "khong-co")]["cause"] == "no such file or folder"


def test_cli_summary_line_and_glob(tmp_path):
    out = tmp_path / "out"
    pattern = str(ROOT / "corpora" / "plans" / "a-cd-*.txt")
    p = subprocess.run([sys.executable, "-m", "vbparse.cli", "batch", pattern, "-o", str(out), "-j", "2"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    n = len(list((ROOT / "corpora" / "plans").glob("a-cd-*.txt")))
    assert f"{n} inputs: " in p.stderr
    line = p.stderr.strip().splitlines()[-1]
    r, e = (int(x) for x in __import__("re").search(r"(\d+) records \+ (\d+) errors", line).groups())
    assert r + e == n


def test_rewritten_zip_is_hashed_again(tmp_path):
    import zipfile

    plans = sorted((ROOT / "corpora" / "plans").glob("a-cd-*.txt"))[:3]
    z = tmp_path / "src" / "kho.zip"
    z.parent.mkdir()
    with zipfile.ZipFile(z, "w") as zf:
        for p in plans:
            zf.writestr(f"kh/{p.name}", p.read_bytes())
    out = tmp_path / "out"
    assert run_batch([str(z.parent)], str(out), opts()).parsed == 3
    assert run_batch([str(z.parent)], str(out), opts()).parsed == 0
    with zipfile.ZipFile(z, "w") as zf:  # same members, one changed
        for i, p in enumerate(plans):
            data = p.read_bytes() + (b"\nPhu luc.\n" if i == 1 else b"")
            zf.writestr(f"kh/{p.name}", data)
    s = run_batch([str(z.parent)], str(out), opts())
    assert s.parsed == 1 and s.records == 3
    recs, _ = outcome(out)
    assert set(recs) == {f"{z}!/kh/{p.name}" for p in plans}


def test_disk_full_stops_the_batch_without_blaming_inputs(tmp_path, monkeypatch):
    import errno

    import vbparse.archive.work as work

    def no_space(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(work, "write_atomic", no_space)  # the forked workers inherit it
    out = tmp_path / "out"
    with pytest.raises(BatchError, match="No space left"):
        run_batch([str(ROOT / "corpora" / "plans")], str(out), opts())
    monkeypatch.undo()
    s = run_batch([str(ROOT / "corpora" / "plans")], str(out), opts())
    assert s.parsed == s.inputs and s.records + s.errors == s.inputs


def test_lost_part_file_is_parsed_again(tmp_path):
    out = tmp_path / "out"
    src = ROOT / "corpora" / "plans"
    s1 = run_batch([str(src)], str(out), opts(chunk_size=4))
    first = (out / "records.jsonl").read_bytes()
    victim = sorted((out / "parts").iterdir())[0]
    victim.unlink()
    s2 = run_batch([str(src)], str(out), opts(chunk_size=4))
    assert 0 < s2.parsed < s1.parsed
    assert (out / "records.jsonl").read_bytes() == first
