"""How much does the movement model add to the parse time of a plan?

    python benchmarks/classify_speed.py [--repeat 30] [FILES...]

For each plan (default: corpora/plans/*.txt, else corpora/classifier/whole/*.txt) it times, on
the same text, the fastest of `--repeat` interleaved runs (the minimum is the least disturbed by
other load on the machine) of:
  base   parse(text) with every component but "tags"
  model  parse(text) with all components (tags from the trained model)
  tag    tag_document(doc) alone on the parsed Document
and prints per-plan milliseconds and the overhead model/base - 1 (the budget is 20 %).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def once_ms(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def interleaved_min_ms(fns, repeat: int) -> list[float]:
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            best[i] = min(best[i], once_ms(fn))
    return best


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args(argv)
    files = [Path(f) for f in args.files] or sorted((ROOT / "corpora" / "plans").glob("*.txt")) \
        or sorted((ROOT / "corpora" / "classifier" / "whole").glob("*.txt"))
    import vbparse
    from vbparse.classify.model import load_model, model_dir, tag_document
    from vbparse.pipeline import registered
    from vbparse.read import read_path

    load_model()  # loaded once per process, as in a real run
    without_tags = [c for c in registered() if c != "tags"]
    rows = []
    for f in files:
        text = read_path(str(f)).text  # decoded as parse() would (some plans are UTF-16, legacy fonts)
        doc = vbparse.parse(text)  # warm-up (regex compilation, lazy imports)
        if not doc.tags or doc.tags[0].source != "model":
            print(f"{f.name}: tags not from the model ({doc.source.warnings}); is {model_dir()} trained?", file=sys.stderr)
            return 1
        base, full, tag = interleaved_min_ms([lambda: vbparse.parse(text, components=without_tags),
                                              lambda: vbparse.parse(text), lambda: tag_document(doc)], args.repeat)
        rows.append((f.name, len(text), len(doc.sections), base, full, tag))
    print(f"{'plan':55s} {'chars':>6s} {'secs':>4s} {'base ms':>8s} {'model ms':>9s} {'tag ms':>7s} {'tag/base':>8s}")
    for name, n, s, b, m, t in rows:
        print(f"{name[:55]:55s} {n:6d} {s:4d} {b:8.2f} {m:9.2f} {t:7.3f} {t / b:8.1%}")
    tb = sum(r[3] for r in rows)
    tm = sum(r[4] for r in rows)
    tt = sum(r[5] for r in rows)
    k = len(rows)
    print(f"\n{k} plans: parse without tags {tb / k:.2f} ms/plan, with model tags {tm / k:.2f} ms/plan, "
          f"tag_document {tt / k:.3f} ms/plan")
    print(f"overhead of the model: {tt / tb:.1%} (tag_document / base parse), "
          f"{tm / tb - 1:.1%} (full parse / base parse, noisier); budget 20 %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
