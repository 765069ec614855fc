"""Parent-plan linking: basis reference keys against the parent's number/symbol/year, plus the
agreement of movement tags; ranking of a parent / child / unrelated trio."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from vbparse.link import cosine, link_score, rank_parents

ROOT = Path(__file__).resolve().parents[1]


def rec(number, symbol, issued, refs=(), tags=None):
    return {
        "header": {"doc_type": "KH", "number": number, "symbol": symbol, "issued": issued},
        "references": list(refs),
        "tags": [{"section": None, "labels": [{"label": k, "score": v} for k, v in (tags or {}).items()]}],
    }


def ref(number, symbol, issued=None, basis=True, doc_type="KH", text=None):
    return {"doc_type": doc_type, "number": number, "symbol": symbol, "issued": issued,
            "year": int(issued[:4]) if issued else None, "basis": basis,
            "text": text or f"Kế hoạch số {number}/{symbol}", "start": 0, "end": 1}


PARENT = rec("12", "KH-LĐLĐ", "2024-01-22", tags={"nong-thon-moi-do-thi-van-minh": 0.9, "lao-dong-gioi-sang-tao": 0.7})
# the child cites its parent with a typo'd, spaced symbol and a zero-padded number
CHILD = rec("21", "KH-LĐLĐ", "2024-02-05",
            refs=[ref("012", "KH- LĐLD", "2024-01-22", text="Kế hoạch số 012/KH- LĐLD ngày 22/01/2024"),
                  ref("263", "QĐ-TTg", "2022-02-22", basis=False, doc_type="QĐ")],
            tags={"nong-thon-moi-do-thi-van-minh": 0.95, "vi-nguoi-ngheo": 0.4})
UNRELATED = rec("87", "KH-UBND", "2024-03-18", tags={"chuyen-doi-so": 0.8})
SAME_NUMBER_OTHER_YEAR = rec("12", "KH-LĐLĐ", "2023-01-20", tags={"nong-thon-moi-do-thi-van-minh": 0.9})


def test_parent_ranks_first_with_evidence():
    ranking = rank_parents(CHILD, [UNRELATED, SAME_NUMBER_OTHER_YEAR, PARENT])
    order = [i for i, _ in ranking]
    assert order[0] == 2 and order[-1] == 0
    best = ranking[0][1]
    assert best["score"] > 0.8
    assert best["reference"]["match"] == "exact" and best["reference"]["basis"]
    assert best["reference"]["year"] == "agrees" and best["reference"]["date"] == "agrees"
    assert best["parent_key"] == "12/KH-LDLD" and best["reference"]["key"] == "12/KH-LDLD"
    assert "nong-thon-moi-do-thi-van-minh" in best["tags"]["shared"]
    assert any("basis reference" in e for e in best["evidence"])
    # same number and symbol but another year: the year contradicts the key
    other = dict(ranking)[1]
    assert other["reference"]["year"] == "differs" and other["score"] < best["score"] / 2
    unrelated = dict(ranking)[0]
    assert unrelated["reference"] is None and unrelated["score"] < 0.2


def test_parent_key_from_header_key_when_present():
    p = json.loads(json.dumps(PARENT))
    p["header"]["key"] = "12/KH-LDLD"
    p["header"]["symbol"] = None
    assert link_score(CHILD, p)["reference"]["match"] == "exact"


def test_plain_citation_counts_less_than_basis():
    c = json.loads(json.dumps(CHILD))
    c["references"][0]["basis"] = False
    s_cit = link_score(c, PARENT)["reference_score"]
    s_basis = link_score(CHILD, PARENT)["reference_score"]
    assert 0 < s_cit < s_basis


def test_child_before_parent_is_penalised():
    c = json.loads(json.dumps(CHILD))
    c["header"]["issued"] = "2023-12-01"
    r = link_score(c, PARENT)
    assert r["chronology"] == "child before parent" and r["score"] < link_score(CHILD, PARENT)["score"]


def test_missing_tags_and_cosine():
    c = json.loads(json.dumps(CHILD))
    c["tags"] = []
    r = link_score(c, PARENT)
    assert r["tags"]["cosine"] is None and r["score"] > 0.6
    assert cosine({"a": 1.0}, {"a": 2.0}) == pytest.approx(1.0)
    assert cosine({"a": 1.0}, {"b": 1.0}) == 0.0


def test_link_command_on_real_plans():
    plans = ROOT / "corpora" / "plans"
    child = plans / "a-cd-cdyt-thaibinh-2021-tuyen-truyen-thi-dua.txt"
    parent = plans / "a-cd-ldld-thaibinh-2021-tuyen-truyen-thi-dua.txt"
    unrelated = plans / "b-ubnd-quangtri-2024-phat-dong-thi-dua.txt"
    if not (child.exists() and parent.exists() and unrelated.exists()):
        pytest.skip("corpus plans not present")
    from typer.testing import CliRunner

    from vbparse.cli import _register_all, app

    _register_all()
    r = CliRunner().invoke(app, ["link", "--json", str(child), str(unrelated), str(parent)])
    assert r.exit_code == 0, r.output
    ranking = json.loads(r.stdout)
    assert ranking[0]["parent"] == str(parent)
    assert ranking[0]["reference"]["match"] == "exact" and ranking[0]["reference"]["basis"]
    assert ranking[1]["score"] < 0.3
