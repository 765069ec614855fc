"""Damaged input never crashes the parser and never breaks an offset.

Real archives hold truncated files, flipped bytes, lost line breaks and repeated content; each
variant must give either a record whose every span is exact, or an InputError.
"""
from __future__ import annotations

import random
from pathlib import Path

import pytest

import vbparse
from vbparse.errors import InputError

PLANS = sorted((Path(__file__).resolve().parents[1] / "corpora" / "plans").glob("*.txt"))


def damaged(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    op = rng.randrange(5)
    if op == 0:
        return bytes(buf[: rng.randrange(len(buf))])
    if op == 1:
        for _ in range(rng.randrange(1, 30)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
        return bytes(buf)
    if op == 2:
        a, b = sorted(rng.randrange(len(buf)) for _ in range(2))
        return bytes(buf[:a] + buf[b:])
    if op == 3:
        return bytes(buf).replace(b"\n", b" ", rng.randrange(1, 200))
    return bytes(buf) * rng.randrange(2, 4)


@pytest.mark.parametrize("seed", range(4))
def test_damaged_plans_parse_or_fail_cleanly(seed):
    rng = random.Random(seed)
    parsed = 0
    for _ in range(60):
        data = damaged(rng.choice(PLANS).read_bytes(), rng)
        try:
            doc = vbparse.parse(data, path="damaged.txt")
        except InputError as e:
            assert str(e).startswith("damaged.txt: ")
            continue
        record = doc.to_dict()
        for key in ("references", "dates", "deadlines", "movements"):
            for item in record[key]:
                assert doc.text[item["start"]:item["end"]] == item["text"]
        for sec in record["sections"]:
            assert 0 <= sec["start"] < sec["end"] <= len(doc.text)
        parsed += 1
    assert parsed >= 40  # most damage still leaves a readable plan
