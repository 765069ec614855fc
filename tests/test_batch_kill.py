"""Reliability: SIGKILL the batch mid-run (twice), resume, and get exactly what an
uninterrupted run gets, byte for byte after sorting; no input unaccounted for."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from _helpers import load_maker

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.usefixtures("deadline")


def _commits(out: Path) -> int:
    try:
        data = (out / "manifest.jsonl").read_bytes()
    except FileNotFoundError:
        return 0
    return data.count(b'"files":')


def _batch(src: Path, out: Path, env: dict) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "vbparse.cli", "batch", str(src), "-o", str(out), "-j", "2", "--chunk-size", "6",
           "--no-progress"]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _children(pid: int) -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    out.append(int(d))
            except (OSError, IndexError, ValueError):
                pass
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _kill_after(src: Path, out: Path, env: dict, commits: int) -> None:
    p = _batch(src, out, env)
    start = _commits(out)
    deadline = time.monotonic() + 120
    while _commits(out) < start + commits:
        assert p.poll() is None, f"batch finished before it could be killed: {p.stderr.read().decode()}"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    kids = _children(p.pid)
    assert kids, "no worker processes seen"
    os.kill(p.pid, signal.SIGKILL)  # the driver only: its workers must die with it
    p.wait(10)
    assert p.returncode == -signal.SIGKILL
    t = time.monotonic()
    while any(_alive(k) for k in kids) and time.monotonic() - t < 10:
        time.sleep(0.05)
    assert not any(_alive(k) for k in kids), "workers outlived the killed driver"


@pytest.fixture(scope="module")
def slow_archive(tmp_path_factory):
    maker = load_maker()
    base = tmp_path_factory.mktemp("kill")
    src = base / "src"
    maker.build_bulk(src / "plans", 240)
    for f in (src / "plans").rglob("*.txt"):  # ~15 ms per file: slow enough to be caught mid-run
        with open(f, "a", encoding="utf-8") as fh:
            fh.write("\nVBPARSE-FAULT:sleep=0.015\n")
    fx = base / "fx"
    maker.build_fixture(fx, real=False)
    shutil.copytree(fx / "7-hong", src / "hong")
    shutil.copytree(fx / "6-nen", src / "nen")
    shutil.copytree(fx / "5-trung-lap", src / "trung-lap")
    return src


def _frozen_env(tmp_path: Path) -> dict:
    """The test compares runs minutes apart: freeze the classifier weights it reads, in case
    someone retrains models/ meanwhile (the manifest would then, rightly, re-parse)."""
    env = dict(os.environ, VBPARSE_FAULTS="1")
    models = Path(os.environ.get("VBPARSE_MODELS") or ROOT / "models")
    if models.is_dir():
        shutil.copytree(models, tmp_path / "models")
        env["VBPARSE_MODELS"] = str(tmp_path / "models")
    return env


def test_sigkill_and_resume_equals_uninterrupted(slow_archive, tmp_path):
    env = _frozen_env(tmp_path)
    ref, out = tmp_path / "ref", tmp_path / "out"
    p = _batch(slow_archive, ref, env)
    _, err = p.communicate(timeout=300)
    assert p.returncode == 0, err.decode()
    ref_summary = json.loads((ref / "summary.json").read_text())

    _kill_after(slow_archive, out, env, commits=6)
    assert not (out / "records.jsonl").exists()  # nothing materialised by a killed first run
    first = _commits(out)
    _kill_after(slow_archive, out, env, commits=6)  # kill the resumed run too
    assert _commits(out) > first

    p = _batch(slow_archive, out, env)
    _, err = p.communicate(timeout=300)
    assert p.returncode == 0, err.decode()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["skipped"] > 0 and summary["parsed"] < summary["inputs"]  # it resumed
    assert summary["inputs"] == ref_summary["inputs"]
    assert summary["records"] + summary["errors"] == summary["inputs"]
    assert summary["records"] == ref_summary["records"] and summary["errors"] == ref_summary["errors"]

    for name in ("records.jsonl", "errors.jsonl"):
        a = sorted((ref / name).read_bytes().splitlines())
        b = sorted((out / name).read_bytes().splitlines())
        assert a == b, name
        assert len(set(b)) == len(b)  # no duplicated line
    paths = [json.loads(l)["source"]["path"] for l in (out / "records.jsonl").read_bytes().splitlines()]
    paths += [json.loads(l)["path"] for l in (out / "errors.jsonl").read_bytes().splitlines()]
    assert len(paths) == len(set(paths)) == summary["inputs"]
    # no leftovers: every part is referenced, no temporaries
    live = set()
    for line in (out / "manifest.jsonl").read_bytes().splitlines():
        e = json.loads(line)
        if e.get("part"):
            live.add(e["part"])
    assert {p.name for p in (out / "parts").iterdir()} == live


def test_ctrl_c_then_resume(slow_archive, tmp_path):
    env = _frozen_env(tmp_path)
    out = tmp_path / "out"
    p = _batch(slow_archive, out, env)
    deadline = time.monotonic() + 120
    while _commits(out) < 4:
        assert p.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)
    kids = _children(p.pid)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 130, err.decode()
    assert "resume" in err.decode()
    assert not any(_alive(k) for k in kids)
    p = _batch(slow_archive, out, env)
    _, err = p.communicate(timeout=300)
    assert p.returncode == 0, err.decode()
    s = json.loads((out / "summary.json").read_text())
    assert s["skipped"] > 0 and s["records"] + s["errors"] == s["inputs"]
