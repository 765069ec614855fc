#!/usr/bin/env python3
"""Benchmark `vbparse batch`: documents/s and peak memory per worker for

    naive    a plain loop in one process: for f in files: json.dumps(parse(f).to_dict())
    jobs1    vbparse batch -j 1     (supervised pool, one worker)
    jobs2    vbparse batch -j 2
    dask     vbparse batch --dask local -j 2   (LocalCluster, 2 worker processes)

on the same generated archive (corpora/archive/make_archive.py bulk; >= 5,000 text plans).
Every mode runs as a fresh process (imports included), each batch into an empty output folder.
Reported per mode: wall seconds, documents/s, CPU seconds of the whole process tree (user+sys,
from wait4: immune to other load on the machine, unlike wall time), documents per CPU-second,
and peak resident memory (VmHWM) per worker process. The load average before each mode is
printed, because a busy machine slows every mode's wall time.

    python benchmarks/batch.py                 # 5,000 plans, all modes
    python benchmarks/batch.py -n 10000 --modes jobs2     # the 30 s goal
    python benchmarks/batch.py --json results.json
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from _helpers import load_maker  # noqa: E402

NAIVE = r"""
import glob, json, os, sys, time
import vbparse
files = sorted(glob.glob(os.path.join(sys.argv[1], "**", "*.txt"), recursive=True))
t = time.perf_counter()
n = 0
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for f in files:
        try:
            out.write(json.dumps(vbparse.parse(f).to_dict(), ensure_ascii=False) + "\n")
            n += 1
        except vbparse.InputError:
            pass
print(json.dumps({"docs": n, "loop_seconds": time.perf_counter() - t}))
"""


def _run(cmd: list[str]) -> tuple[float, float, float, str, str]:
    """(wall s, CPU s of the process tree, largest peak RSS MB in the tree, stdout, stderr),
    from wait4 on the child: its rusage includes every descendant it waited for."""
    import threading

    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    bufs: dict[str, bytes] = {}
    readers = [threading.Thread(target=lambda k=k, f=f: bufs.__setitem__(k, f.read()))
               for k, f in (("out", p.stdout), ("err", p.stderr))]
    for r in readers:
        r.start()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    for r in readers:
        r.join()
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{bufs['err'].decode()[-2000:]}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, bufs["out"].decode(), bufs["err"].decode()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=5000, help="plans in the generated archive (>= 5000)")
    ap.add_argument("--dir", default=None, help="where to generate the archive (default: a temp folder)")
    ap.add_argument("--modes", default="naive,jobs1,jobs2,dask")
    ap.add_argument("--json", default=None, help="also write the results here")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run the modes this many rounds (interleaved) and keep each mode's fastest run: "
                         "the usual defence against a machine shared with other work")
    a = ap.parse_args(argv)

    base = Path(a.dir) if a.dir else Path(tempfile.mkdtemp(prefix="vbparse-bench-"))
    src = base / f"plans-{a.n}"
    if not src.exists():
        t = time.perf_counter()
        load_maker().build_bulk(src, a.n)
        print(f"generated {a.n} plans in {time.perf_counter() - t:.1f} s -> {src}", file=sys.stderr)
    size_mb = sum(f.stat().st_size for f in src.rglob("*.txt")) / 1e6
    print(f"archive: {a.n} text plans, {size_mb:.1f} MB, {os.cpu_count()} CPUs; python {sys.version.split()[0]}")

    best: dict[str, dict] = {}
    walls: dict[str, list] = {}
    for rnd in range(a.repeat):
        for mode in a.modes.split(","):
            row = _one(mode, a, src, base)
            walls.setdefault(mode, []).append(row["wall_s"])
            if mode not in best or row["wall_s"] < best[mode]["wall_s"]:
                best[mode] = row
            print(json.dumps(dict(row, round=rnd), ensure_ascii=False), flush=True)
    results = [dict(best[m], walls=walls[m]) for m in a.modes.split(",")]
    _table(results)
    if a.json:
        Path(a.json).write_text(json.dumps({"n": a.n, "cpus": os.cpu_count(), "repeat": a.repeat, "results": results}, indent=1))
    if not a.dir:
        shutil.rmtree(base, ignore_errors=True)
    return 0


def _one(mode: str, a, src: Path, base: Path) -> dict:
    load = os.getloadavg()[0]
    out = base / f"out-{mode}"
    shutil.rmtree(out, ignore_errors=True)
    if mode == "naive":
        out.mkdir()
        cmd = [sys.executable, "-c", NAIVE, str(src), str(out / "records.jsonl")]
    else:
        cmd = [sys.executable, "-m", "vbparse.cli", "batch", str(src), "-o", str(out), "--no-progress"]
        cmd += {"jobs1": ["-j", "1"], "jobs2": ["-j", "2"], "dask": ["--dask", "local", "-j", "2"]}[mode]
    wall, cpu, tree_peak, stdout, _ = _run(cmd)
    row = {"mode": mode, "docs": a.n, "wall_s": round(wall, 2), "docs_per_s": round(a.n / wall, 1),
           "cpu_s": round(cpu, 1), "docs_per_cpu_s": round(a.n / cpu, 1) if cpu else None, "load_before": round(load, 2)}
    if mode == "naive":
        info = json.loads(stdout.strip().splitlines()[-1])
        row["loop_s"] = round(info["loop_seconds"], 2)
        row["peak_rss_mb_per_worker"] = {"loop": round(tree_peak, 1)}
    else:
        row["largest_process_peak_mb"] = round(tree_peak, 1)  # usually the driver
        s = json.loads((out / "summary.json").read_text())
        assert s["records"] + s["errors"] == s["inputs"] == a.n, s
        row["parse_s"] = round(s["parse_seconds"], 2)
        row["peak_rss_mb_per_worker"] = {str(k): round(v, 1) for k, v in s["peak_rss_mb"].items()}
        if s.get("executor_info"):
            row["dask_workers"] = {addr: {"worker_peak_mb": i.get("worker_peak_mb"),
                                          "parse_child_peak_mb": i.get("children_peak_mb")}
                                   for addr, i in s["executor_info"].items()}
    return row


def _table(results: list[dict]) -> None:
    print()
    print("| mode | best wall s | docs/s | CPU s | docs/CPU-s | peak RSS per worker (MB) | load before |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        peaks = r["peak_rss_mb_per_worker"]
        if "dask_workers" in r:
            peaks = {a: f"{v['worker_peak_mb']} worker + {max((v['parse_child_peak_mb'] or {0: 0}).values())} parser"
                     for a, v in r["dask_workers"].items()}
        peak_txt = ", ".join(str(v) for v in peaks.values())
        print(f"| {r['mode']} | {r['wall_s']} | {r['docs_per_s']} | {r['cpu_s']} | {r['docs_per_cpu_s']} | {peak_txt} | {r['load_before']} |")


if __name__ == "__main__":
    raise SystemExit(main())
