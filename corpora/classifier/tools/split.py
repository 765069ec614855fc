"""Give every plan of corpora/classifier/ a row in docs.tsv: its fixed split and document labels.

Rows already in docs.tsv are never changed (the held-out split is fixed once assigned). New plans
are dealt to `train` or `test` by iterative stratification: each goes where its labels are most
under-represented relative to a 25 % held-out share (deterministic: plans are visited by rarest
label, then by a hash of their id). Document labels of a new plan default to the union of its
section labels; edit them by hand where the plan as a whole says more or less.

    python corpora/classifier/tools/split.py
"""
from __future__ import annotations

import hashlib
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT.parents[1] / "src"))

from vbparse.classify.train import parse_blocks  # noqa: E402

TEST_SHARE = 0.25


def main() -> None:
    tsv = ROOT / "docs.tsv"
    rows: dict[str, list[str]] = {}
    header = "doc\tsplit\tlabels\tnote"
    if tsv.exists():
        lines = tsv.read_text(encoding="utf-8").splitlines()
        header = lines[0]
        for line in lines[1:]:
            if line.strip():
                cols = line.split("\t")
                rows[cols[0]] = cols
    new: dict[str, set[str]] = {}
    for f in sorted(ROOT.glob("sections-*.txt")):
        for doc_id, _title, secs in parse_blocks(f.read_text(encoding="utf-8"), f.name):
            if doc_id not in rows:
                new[doc_id] = {lab for labs, _ in secs for lab in labs}
    for f in sorted((ROOT / "whole").glob("*.txt")):
        if f.stem not in rows:
            raise SystemExit(f"add a docs.tsv row (doc, split, labels, note) for whole plan {f.stem} by hand")
    have = {"train": Counter(), "test": Counter()}
    ndocs = Counter()
    for cols in rows.values():
        labs = set(cols[2].split("|")) - {"", "none", "="} if len(cols) > 2 else set()
        have[cols[1]].update(labs or {"<none>"})
        ndocs[cols[1]] += 1
    freq = Counter(lab for labs in new.values() for lab in (labs or {"<none>"}))
    order = sorted(new, key=lambda d: (min(freq[lab] for lab in (new[d] or {"<none>"})),
                                       hashlib.sha256(d.encode()).hexdigest()))
    for d in order:
        labs = new[d] or {"<none>"}
        def deficit(split: str) -> float:
            share = TEST_SHARE if split == "test" else 1 - TEST_SHARE
            tot = [have["train"][lab] + have["test"][lab] + 1 for lab in labs]
            return sum(share * t - have[split][lab] for lab, t in zip(labs, tot)) / len(labs)
        split = "test" if deficit("test") > deficit("train") else "train"
        have[split].update(labs)
        ndocs[split] += 1
        rows[d] = [d, split, "|".join(sorted(new[d])) or "none", "labels = union of its sections"]
    out = [header] + ["\t".join(rows[k]) for k in sorted(rows)]
    tsv.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"{len(new)} new plan(s); train {ndocs['train']}, test {ndocs['test']}")


if __name__ == "__main__":
    main()
