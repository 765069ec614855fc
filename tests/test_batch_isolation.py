"""Per-file isolation: a file that loops, hangs with signals blocked, eats memory, crashes the
worker or raises is killed/logged with its cause, and every other file still gets its record.
The misbehaviour is injected with VBPARSE-FAULT markers, honoured only under VBPARSE_FAULTS=1
(see vbparse/archive/work.py)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from _helpers import load_maker
from vbparse.archive import BatchOptions, Limits, run_batch

ROOT = Path(__file__).resolve().parents[1]
PLANS = sorted((ROOT / "corpora" / "plans").glob("a-*.txt"))


def _archive(tmp_path: Path, faults: list[str]) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    for p in PLANS[:8]:
        shutil.copy(p, src / p.name)
    for f in faults:
        (src / f"fault-{f}.txt").write_text(f"KẾ HOẠCH\nVBPARSE-FAULT:{f}\nI. MỤC ĐÍCH\n", encoding="utf-8")
    return src


def _read(out: Path):
    recs = [json.loads(l) for l in (out / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    errs = {json.loads(l)["path"]: json.loads(l) for l in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()}
    return recs, errs


@pytest.mark.parametrize("address_space", [True, False], ids=["rlimit", "watchdog-only"])
def test_bad_files_are_killed_and_logged(tmp_path, monkeypatch, address_space):
    monkeypatch.setenv("VBPARSE_FAULTS", "1")
    faults = ["loop", "hang", "oom", "crash", "raise"]
    src = _archive(tmp_path, faults)
    out = tmp_path / "out"
    limits = Limits(timeout=2, max_memory_mb=400, address_space=address_space)
    s = run_batch([str(src)], str(out), BatchOptions(jobs=2, progress=False, limits=limits, chunk_size=3))
    recs, errs = _read(out)
    assert s.inputs == len(PLANS[:8]) + len(faults)
    assert s.records == len(PLANS[:8]) and s.errors == len(faults)
    kinds = {Path(p).stem.split("-", 1)[1]: e["kind"] for p, e in errs.items()}
    assert kinds == {"loop": "timeout", "hang": "timeout", "oom": "memory", "crash": "crash", "raise": "internal"}
    assert "SIGSEGV" in errs[str(src / "fault-crash.txt")]["cause"]
    assert "2 s" in errs[str(src / "fault-hang.txt")]["cause"]
    assert s.workers_killed >= 2  # the hang (signals blocked) and the crash at least
    # a re-run does not try them again (known content, known failure) ...
    s2 = run_batch([str(src)], str(out), BatchOptions(jobs=2, progress=False, limits=limits))
    assert s2.parsed == 0 and s2.errors == len(faults)


def test_markers_are_inert_without_the_switch(tmp_path, monkeypatch):
    monkeypatch.delenv("VBPARSE_FAULTS", raising=False)
    src = _archive(tmp_path, ["hang", "crash"])
    out = tmp_path / "out"
    s = run_batch([str(src)], str(out), BatchOptions(jobs=2, progress=False, limits=Limits(timeout=5)))
    assert s.errors == 0 and s.records == s.inputs


def test_fifty_megabyte_text(tmp_path):
    """The 50 MB text: refused by --max-size by default; with the size limit lifted, killed by
    the time or memory limit. Either way logged, and the batch goes on."""
    src = _archive(tmp_path, [])
    big = src / "qua-lon.txt"
    load_maker().write_big_text(big, 50)
    assert big.stat().st_size == 50 * 1024 * 1024

    out = tmp_path / "out"
    s = run_batch([str(src)], str(out), BatchOptions(jobs=2, progress=False))
    _, errs = _read(out)
    assert s.records + s.errors == s.inputs and set(errs) == {str(big)}
    assert errs[str(big)]["kind"] == "too-large" and "50 MB" in errs[str(big)]["cause"]

    out2 = tmp_path / "out2"
    limits = Limits(timeout=3, max_memory_mb=300, max_size=100 * 1024 * 1024)
    s = run_batch([str(src)], str(out2), BatchOptions(jobs=2, progress=False, limits=limits))
    _, errs = _read(out2)
    assert set(errs) == {str(big)} and errs[str(big)]["kind"] in ("timeout", "memory")
    assert s.records == len(PLANS[:8])
