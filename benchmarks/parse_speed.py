"""Parse speed: vbparse's full parse against underthesea's word_tokenize alone, same texts, same run.

    python benchmarks/parse_speed.py [--rounds N] [--files GLOB] [--no-baseline]

Prints plans/s, MB/s and peak RSS for the JSON path (`vbparse.parse(text).to_dict()`, one core),
then underthesea `word_tokenize` over the same texts, split into lines first as it wants. The
baseline is the cost of only *tokenising* a plan, so the ratio says how much of a tokenizer's
time the whole parse takes. Not a test: numbers depend on the machine and on what else runs.
"""
from __future__ import annotations

import argparse
import glob
import json
import resource
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--files", default=str(ROOT / "corpora" / "plans" / "*.txt"))
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = ap.parse_args()

    import vbparse
    from vbparse.read import read_path

    texts = [read_path(f).text for f in sorted(glob.glob(args.files))]
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    for t in texts:  # warm caches and lazy imports, as a long-running batch would be
        vbparse.parse(t)

    start_cpu, start = time.process_time(), time.perf_counter()
    for _ in range(args.rounds):
        for t in texts:
            vbparse.parse(t).to_dict()
    wall = time.perf_counter() - start
    cpu = time.process_time() - start_cpu
    n = args.rounds * len(texts)
    result = {
        "plans": len(texts), "rounds": args.rounds, "avg_chars": round(sum(map(len, texts)) / len(texts)),
        "vbparse_plans_per_s": round(n / wall, 1), "vbparse_ms_per_plan_cpu": round(cpu / n * 1000, 3),
        "vbparse_mb_per_s": round(mb * args.rounds / wall, 2), "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    if not args.no_baseline:
        from underthesea import word_tokenize

        word_tokenize("khởi động")  # model load is not per plan
        rounds = max(1, args.rounds // 10)
        t0 = time.perf_counter()
        for _ in range(rounds):
            for t in texts:
                for line in t.splitlines():
                    if line.strip():
                        word_tokenize(line)
        base = (time.perf_counter() - t0) / (rounds * len(texts))
        result["underthesea_tokenize_plans_per_s"] = round(1 / base, 1)
        result["speedup_vs_tokenizer"] = round(result["vbparse_plans_per_s"] * base, 1)
        result["peak_rss_mb_with_tokenizer"] = round(peak_rss_mb(), 1)
    if args.json:
        print(json.dumps(result))
        return
    for k, v in result.items():
        print(f"{k:34s} {v}")


if __name__ == "__main__":
    main()
