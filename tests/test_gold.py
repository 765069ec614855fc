"""Accuracy on the hand-made gold (corpora/gold) and exact offsets on every plan in corpora/plans.

The floors sit a little under what the parser reaches today (README has the full table), so a
regression fails the suite while normal noise does not.
"""
from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

import vbparse
from vbparse.evaluate import evaluate

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "corpora" / "gold"
PLANS = sorted((ROOT / "corpora" / "plans").glob("*.txt"))


HELDOUT = ROOT / "corpora" / "heldout" / "gold"


@pytest.fixture(scope="module")
def report():
    return evaluate(GOLD)


@pytest.fixture(scope="module")
def heldout():
    return evaluate(HELDOUT)


@pytest.mark.parametrize("field,floor", [
    ("sections", 0.95), ("references", 0.95), ("dates", 0.95), ("deadlines", 0.9), ("movements", 0.9),
])
def test_heldout_f1_floor(heldout, field, floor):
    """The held-out set (corpora/heldout) was written by someone who never saw the parser."""
    assert heldout["fields"][field]["f1"] >= floor


def _f1(report, field):
    return report["fields"][field]["f1"]


def _acc(report, field):
    return report["fields"][field]["accuracy"]


@pytest.mark.parametrize("field,floor", [
    ("sections", 0.97), ("references", 0.97), ("dates", 0.97), ("deadlines", 0.92), ("movements", 0.92),
    ("recipients", 0.97),
])
def test_f1_floor(report, field, floor):
    assert _f1(report, field) >= floor, f"{field} F1 {_f1(report, field):.3f} < {floor}"


@pytest.mark.parametrize("field,floor", [
    ("header.doc_type", 0.95), ("header.number", 0.95), ("header.symbol", 0.9), ("header.issued", 0.9),
    ("header.title", 0.9), ("header.place", 0.9), ("signer.name", 0.95), ("signer.authority", 0.95),
    ("sections.heading", 0.95), ("references.issued", 0.95), ("references.basis", 0.95),
    ("deadlines.responsible", 0.8), ("movements.kind", 0.95), ("movements.label", 0.85),
])
def test_accuracy_floor(report, field, floor):
    assert _acc(report, field) >= floor, f"{field} accuracy {_acc(report, field):.3f} < {floor}"


def test_gold_covers_the_required_families():
    stems = [p.stem for p in GOLD.glob("*.json")]
    assert len(stems) >= 25
    for family in ("-cd-", "-ubnd-", "-dang-", "-sgd-", "-syt-"):
        assert any(family in s for s in stems), family
    encodings = (ROOT / "corpora" / "plans" / "ENCODINGS.tsv").read_text(encoding="utf-8")
    for enc in ("tcvn3", "vni", "cp1258", "utf-16"):
        assert enc in encodings


@pytest.mark.parametrize("path", PLANS, ids=lambda p: p.stem)
def test_every_span_points_into_the_decoded_source(path):
    doc = vbparse.parse(path)
    text = doc.text
    assert unicodedata.is_normalized("NFC", text)
    record = doc.to_dict()
    for key in ("references", "dates", "deadlines", "movements"):
        for item in record[key]:
            assert text[item["start"]:item["end"]] == item["text"], (key, item)
    for sec in record["sections"]:
        assert 0 <= sec["start"] < sec["end"] <= len(text)
        assert text[sec["start"]:sec["end"]].lstrip("*").startswith(sec["marker"][0])
    json.dumps(record, ensure_ascii=False)  # serialisable as is


SCHEMA = ROOT.parent / "shared" / "contract" / "plan.schema.json"


@pytest.mark.skipif(not SCHEMA.exists(), reason="the shared contract is not beside the project")
def test_every_record_validates_against_the_contract():
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    plans = PLANS + sorted((ROOT / "corpora" / "heldout" / "plans").glob("*.txt"))
    for path in plans:
        errors = [e.message for e in validator.iter_errors(vbparse.parse(path).to_dict())]
        assert not errors, (path.name, errors[:3])
