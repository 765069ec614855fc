"""The `vbparse index` and `vbparse search` commands, end to end (subprocesses, SQLite and PostgreSQL)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from index_fixtures import RECORDS, db, write_jsonl  # noqa: F401


def run(*args, ok=(0,)):
    p = subprocess.run([sys.executable, "-m", "vbparse.cli", *args], capture_output=True, text=True, timeout=120)
    assert p.returncode in ok, (args, p.returncode, p.stdout[-2000:], p.stderr[-2000:])
    return p


def test_build_add_search_json(db, tmp_path):
    recs = write_jsonl(tmp_path / "records.jsonl")
    p = run("index", "build", recs, "--db", db)
    assert f"{len(RECORDS)} added" in p.stderr
    p = run("index", "add", recs, "--db", db)
    assert "0 added" in p.stderr and f"{len(RECORDS)} unchanged" in p.stderr
    out = json.loads(run("search", "KH-LDLD 129", "--db", db, "--json").stdout)
    assert out["total"] == 3 and out["results"][0]["number"] == "129"
    assert out["results"][0]["symbol"] == "KH-LĐLĐ" and out["results"][0]["issued"] == "2021-07-02"
    assert out["symbols"][0]["key"] == "129khldld"
    assert set(out["facets"]) == {"issuer", "year", "doc_type", "movement"}
    sn = out["results"][1]["snippet"]
    assert set(sn) == {"section", "heading", "text", "highlights"}
    out = json.loads(run("search", "--children-of", "129/KH-LĐLĐ", "--year", "2021", "--db", db, "--json").stdout)
    assert out["total"] == 2
    out = json.loads(run("search", "thi", "dua", "--due-from", "2021-08", "--due-to", "2021-12-31", "--db", db,
                         "--json").stdout)
    assert {r["number"] for r in out["results"]} == {"129", "104"}
    info = json.loads(run("index", "info", "--db", db).stdout)
    assert info["documents"] == len(RECORDS)


def test_text_output_and_exit_codes(tmp_path):
    dbp = str(tmp_path / "i.db")
    run("index", "build", write_jsonl(tmp_path / "r.jsonl"), "--db", dbp)
    p = run("search", "lao", "động", "giỏi", "--db", dbp)
    assert "plan" in p.stdout.splitlines()[0]
    assert "**" in p.stdout  # highlights, marked with ** when not a terminal
    assert "[I.1]" in p.stdout  # the section of the snippet
    assert "129/KH-LĐLĐ" in p.stdout
    p = run("search", "xyzzy plugh", "--db", dbp, ok=(1,))
    assert p.stdout.startswith("0 plans")
    p = run("search", "year:abc", "--db", dbp, ok=(2,))
    assert "bad query" in p.stderr and "Traceback" not in p.stderr
    p = run("search", "", "--db", dbp, ok=(2,))
    assert "empty query" in p.stderr
    p = run("search", "x", "--db", str(tmp_path / "missing.db"), ok=(1,))
    assert "no index" in p.stderr and "Traceback" not in p.stderr
    p = run("search", "x", "--db", "postgresql://nobody@127.0.0.1:1/x?connect_timeout=2", ok=(1,))
    assert "PostgreSQL" in p.stderr and "Traceback" not in p.stderr
    sha = RECORDS["sparse"]["source"]["sha256"]
    p = run("index", "remove", sha, "--db", dbp)
    assert "removed 1" in p.stderr
    run("index", "remove", sha, "--db", dbp, ok=(1,))


def test_build_reports_bad_inputs(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{nope\n" + json.dumps(RECORDS["ldld"], ensure_ascii=False) + "\n", encoding="utf-8")
    p = run("index", "build", str(bad), str(tmp_path / "none.txt"), "--db", str(tmp_path / "i.db"), ok=(1,))
    assert "1 added" in p.stderr and "2 failed" in p.stderr and "not JSON" in p.stderr


@pytest.mark.parametrize("env_db", [True])
def test_default_db_from_environment(tmp_path, monkeypatch, env_db):
    dbp = str(tmp_path / "env.db")
    monkeypatch.setenv("VBPARSE_DB", dbp)
    run("index", "build", write_jsonl(tmp_path / "r.jsonl"), "-q")
    assert json.loads(run("search", "dan van kheo", "--json").stdout)["total"] == 1
