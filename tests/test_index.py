"""`vbparse index` / `vbparse search`: the same behaviour on SQLite FTS5 and PostgreSQL.

Every test that takes `built` or `db` runs once per backend (the PostgreSQL run uses a throwaway
cluster, see conftest_pg.py).
"""
from __future__ import annotations

import json
import sqlite3

import pytest

from index_fixtures import RECORDS, built, db, keys_of, make_db, write_jsonl  # noqa: F401
from vbparse.index import Index, QueryError, filters_from_options, iter_items
from vbparse.index.fold import fold, fold_aligned, tokens


# -- matching ---------------------------------------------------------------------------------

@pytest.mark.parametrize("q", ["lao động giỏi", "lao dong gioi", "LAO ĐỘNG GIỎI", "Lao Dong Gioi", "lao  đông  gioi"])
def test_diacritics_and_case_do_not_matter(built, q):
    # "đông" (with a different tone) folds to the same syllable as "động": folding drops tones
    assert keys_of(built.search(q))[:1] == ["ldld"]


@pytest.mark.parametrize("q", ["Đắk Lắk", "dak lak", "DAK LAK", "đak lak", "Dak Lắk"])
def test_d_with_stroke_folds_to_d(built, q):
    # SQLite's remove_diacritics leaves đ alone; the index folds it itself
    assert keys_of(built.search(q)) == ["daklak"]


def test_doan_matches_đoàn(built):
    a = keys_of(built.search("cong doan nganh y te", limit=20))
    b = keys_of(built.search("công đoàn ngành Y tế", limit=20))
    assert a == b and a[0] == "cdyt"


@pytest.mark.parametrize("q", ["129/KH-LĐLĐ", "129 KH LDLD", "KH-LDLD 129", "129/kh-ldld", "0129/KH-LĐLĐ",
                               "ke hoach 129/KH-LDLD", "Kế hoạch số 129/KH-LĐLĐ", "129-KH-LDLD", "KH LĐLĐ 129"])
def test_symbol_in_any_spelling_finds_the_plan_first(built, q):
    res = built.search(q)
    got = keys_of(res)
    assert got[0] == "ldld", (q, got, res.parsed)
    # the plans citing it come next
    assert set(got[1:3]) == {"cdyt", "cdcs"}
    assert res.symbols and res.symbols[0]["key"] == "129khldld"


def test_party_number(built):
    assert keys_of(built.search("08-KH/ĐU"))[0] == "dangxa"
    assert keys_of(built.search("8 KH DU"))[0] == "dangxa"


def test_phrase_and_exclusion_and_or_and_prefix(built):
    assert keys_of(built.search('"giỏi việc nước"')) == ["cdcs"]
    assert "cdcs" not in keys_of(built.search("thi dua -covid", limit=20))
    assert "cdcs" not in keys_of(built.search("thi dua NOT covid", limit=20))
    either = set(keys_of(built.search('"ma tuy" OR "dan van"', limit=20)))
    assert either == {"sparse", "dangxa"}
    # OR binds the two terms next to it: ma AND (tuy OR dan) AND van: no plan, so relaxed to any
    assert built.search("ma tuy OR dan van", limit=20).relaxed
    assert "binhdinh" in keys_of(built.search("chuyen*", limit=20))


def test_words_are_and_then_relaxed_to_or(built):
    res = built.search("chuyen doi so ma tuy")  # no plan has all: relaxed
    assert res.relaxed and {"binhdinh", "sparse"} <= set(keys_of(res))
    res = built.search("chuyen doi so")
    assert not res.relaxed and keys_of(res) == ["binhdinh"]


def test_sparse_record_without_header_is_searchable(built):
    res = built.search("phòng chống ma túy")
    assert keys_of(res) == ["sparse"]
    h = res.hits[0]
    assert h.number is None and h.issued is None and h.snippet["text"]


# -- filters and facets -----------------------------------------------------------------------

@pytest.mark.parametrize("q,expected", [
    ("year:2021", {"ldld", "cdyt", "cdcs"}),
    ("year:2020..2021", {"ldld", "cdyt", "cdcs", "dangxa"}),
    ("year:2023..", {"binhdinh", "daklak"}),
    ("year:..2020", {"dangxa"}),
    ("year:2020,2024", {"dangxa", "binhdinh"}),
    ("type:QĐ", {"daklak"}),
    ("type:qd", {"daklak"}),
    ("type:KH,QD year:2023..2024", {"binhdinh", "daklak"}),
    ('issuer:"lien doan lao dong"', {"ldld"}),
    ("issuer:ldld", {"ldld"}),  # the symbol's issuer part counts
    ('issuer:"Thái Bình"', {"ldld", "cdyt", "cdcs"}),
    ("movement:lao-dong-gioi-sang-tao", {"ldld"}),
    ("movement:chuyen-doi-so", {"binhdinh"}),  # from a document-level tag (score >= 0.5)
    ("movement:van-hoa-cong-so", set()),  # tag score 0.1: not a label
    ('movement:"dan van"', {"dangxa"}),
    ("due:2020-03", {"dangxa"}),
    ("due:2021-07-01..2021-07-31", {"ldld"}),
    ("due:2021-08-01..2021-12-31", {"ldld", "cdyt"}),
    ("due:2024", {"binhdinh"}),
    ("due:20/3/2020", {"dangxa"}),
    ("children-of:129/KH-LĐLĐ", {"cdyt", "cdcs"}),  # cdcs spells it 129/KH-LĐLD
    ("children-of:05-CT/TW", {"dangxa"}),  # daklak cites it outside the preamble: not a basis
    ("cites:05-CT/TW", {"dangxa", "daklak"}),
    ("cites:16/CT-TTg", {"binhdinh"}),
    ("parent-of:18/KH-CĐCS", {"ldld", "cdyt"}),
    ("parent-of:104/KH-CĐYT", {"ldld"}),
    ('symbol:"KH-UBND 45"', {"binhdinh"}),
    ("thi dua year:2021 -covid", {"ldld"}),
])
def test_filters(built, q, expected):
    res = built.search(q, limit=50)
    assert set(keys_of(res)) == expected, (q, res.parsed)
    assert res.total == len(expected)


def test_cli_style_filters_equal_query_fields(built):
    f = filters_from_options(year=["2021"], issuer=["Thái Bình"], children_of=["129/KH-LĐLĐ"])
    a = built.search("", filters=f, limit=50)
    b = built.search('year:2021 issuer:"Thái Bình" children-of:129/KH-LĐLĐ', limit=50)
    assert keys_of(a) == keys_of(b) and set(keys_of(a)) == {"cdyt", "cdcs"}


def test_filter_only_results_are_newest_first(built):
    res = built.search("year:2020..2024", limit=50)
    issued = [h.issued for h in res.hits]
    assert issued == sorted(issued, reverse=True)


def test_facets_count_the_whole_result_set(built):
    res = built.search("thi dua", limit=1)
    assert res.total >= 5 and len(res.hits) == 1
    years = {f["value"]: f["count"] for f in res.facets["year"]}
    assert years[2021] == 3 and all(isinstance(y, int) for y in years)
    assert sum(years.values()) == res.total - sum(1 for h in built.search("thi dua", limit=50).hits if h.year is None)
    types = {f["value"]: f["count"] for f in res.facets["doc_type"]}
    assert types.get("QĐ") == 1
    issuers = {f["value"]: f["count"] for f in res.facets["issuer"]}
    assert issuers["Liên đoàn Lao động tỉnh Thái Bình"] == 1
    movements = {f["value"]: f["count"] for f in res.facets["movement"]}
    assert movements.get("dan-van-kheo") == 1


def test_paging(built):
    all_ = keys_of(built.search("thi dua", limit=50))
    page2 = built.search("thi dua", limit=2, offset=2)
    assert keys_of(page2) == all_[2:4] and page2.total == len(all_)
    assert [h.rank for h in page2.hits] == [3, 4]


# -- snippets ---------------------------------------------------------------------------------

def test_snippet_has_section_and_highlights(built):
    res = built.search("bao cao ket qua chuyen doi so")
    sn = res.hits[0].snippet
    assert sn["section"] == "II" and sn["heading"] == "NHIỆM VỤ"
    marked = [fold(sn["text"][a:b]) for a, b in sn["highlights"]]
    assert marked and all(any(w in m for w in ("bao", "cao", "ket", "qua", "chuyen", "doi", "so")) for m in marked)
    assert "chuyển đổi số" in sn["text"]  # the original text, diacritics kept


def test_snippet_nested_section(built):
    sn = built.search('"gửi về LĐLĐ tỉnh"').hits[0].snippet
    assert sn["section"] == "III.2"


def test_snippet_for_header_only_match(built):
    sn = built.search("symbol:129/KH-LĐLĐ").hits[0].snippet
    assert sn is not None and sn["text"]


# -- incremental adds -------------------------------------------------------------------------

def _doc_count(idx):
    return idx.info()["documents"]


def test_add_is_incremental_by_content_hash(db, tmp_path):
    recs = dict(RECORDS)
    first = {k: recs[k] for k in ("ldld", "cdyt")}
    with Index.open(db, create=True) as idx:
        rep = idx.add(iter_items([write_jsonl(tmp_path / "a.jsonl", first)]))
        assert (rep.added, rep.unchanged) == (2, 0)
        before = [h.to_dict() for h in idx.search("thi dua", limit=10).hits]
        rep = idx.add(iter_items([write_jsonl(tmp_path / "a.jsonl", first)]))
        assert (rep.added, rep.unchanged, rep.replaced) == (0, 2, 0)
        assert [h.to_dict() for h in idx.search("thi dua", limit=10).hits] == before
        assert _doc_count(idx) == 2
        rep = idx.add(iter_items([write_jsonl(tmp_path / "b.jsonl", recs)]))
        assert (rep.added, rep.unchanged) == (len(recs) - 2, 2)
        assert _doc_count(idx) == len(recs)


def test_changed_file_replaces_its_old_version(db, tmp_path):
    import copy
    import hashlib

    old = RECORDS["binhdinh"]
    new = copy.deepcopy(old)
    new["text"] = old["text"].replace("chuyển đổi số", "kinh tế tuần hoàn")
    new["source"]["sha256"] = hashlib.sha256(new["text"].encode()).hexdigest()
    with Index.open(db, create=True) as idx:
        idx.add([(old, old["text"])])
        assert keys_of(idx.search('"kinh te tuan hoan"')) == []
        rep = idx.add([(new, new["text"])])
        assert (rep.added, rep.replaced) == (0, 1)
        assert _doc_count(idx) == 1
        assert [h.sha256 for h in idx.search("kinh te tuan hoan").hits] == [new["source"]["sha256"]]
        assert idx.search('"chuyen doi so" -tuan').total == 0
        # the old version's keys and deadlines went with it
        assert idx.search("due:2024-12").total == 1
        assert idx.remove(new["source"]["path"]) == 1
        assert _doc_count(idx) == 0
        assert idx.search("due:2024-12").total == 0 and idx.search("kinh te").total == 0


def test_build_replaces_the_whole_index(db, tmp_path):
    Index.build(db, iter_items([write_jsonl(tmp_path / "a.jsonl")]))[0].close()
    idx, rep = Index.build(db, iter_items([write_jsonl(tmp_path / "b.jsonl", {"ldld": RECORDS["ldld"]})]))
    assert rep.added == 1 and _doc_count(idx) == 1
    idx.close()


def test_bad_records_are_reported_not_fatal(db, tmp_path):
    p = tmp_path / "mixed.jsonl"
    good = RECORDS["ldld"]
    p.write_text("\n".join([json.dumps(good, ensure_ascii=False), "{not json", json.dumps({"error": "unreadable"}),
                            json.dumps({"header": {}, "source": {}}), json.dumps([1, 2])]) + "\n", encoding="utf-8")
    idx, rep = Index.build(db, iter_items([str(p), str(tmp_path / "missing.jsonl")]))
    assert rep.added == 1 and rep.failed == 5, rep.errors
    assert any("not JSON" in e for e in rep.errors) and any("no such file" in e for e in rep.errors)
    idx.close()


def test_record_text_from_source_file(db, tmp_path):
    """Records without text: the source is re-read when its sha256 still matches."""
    import copy

    src = tmp_path / "plan.txt"
    text = RECORDS["dangxa"]["text"]
    src.write_bytes(text.encode("utf-8"))
    rec = copy.deepcopy(RECORDS["dangxa"])
    del rec["text"]
    rec["source"]["path"] = "plan.txt"  # relative to the JSONL's folder
    stale = copy.deepcopy(rec)
    stale["source"]["path"] = "stale.txt"
    stale["source"]["sha256"] = "0" * 64
    (tmp_path / "stale.txt").write_text("changed since", encoding="utf-8")
    p = tmp_path / "r.jsonl"
    p.write_text(json.dumps(rec, ensure_ascii=False) + "\n" + json.dumps(stale, ensure_ascii=False) + "\n", encoding="utf-8")
    idx, rep = Index.build(db, iter_items([str(p)]))
    assert rep.added == 2 and rep.without_text == 1
    res = idx.search('"văn phòng đảng ủy"')  # body text: only the re-read one has it
    assert [h.sha256 for h in res.hits] == [rec["source"]["sha256"]]
    assert res.hits[0].snippet["section"] == "I"
    # the one without text is still found by its header and record text
    assert idx.search("dan van kheo").total == 2
    idx.close()


def test_plan_files_directly(db, tmp_path):
    plan = tmp_path / "kh.txt"
    plan.write_text(RECORDS["ldld"]["text"], encoding="utf-8")
    (tmp_path / "notes.csv").write_text("x", encoding="utf-8")
    idx, rep = Index.build(db, iter_items([str(tmp_path)]))
    assert rep.added == 1 and rep.failed == 0
    assert idx.search("129 KH LDLD").total == 1
    rep = idx.add(iter_items([str(tmp_path)], known=lambda s: idx.backend.lookup(s, None)[0]))
    assert rep.unchanged == 1 and rep.added == 0
    idx.close()


def test_missing_index_is_a_clear_error(tmp_path):
    from vbparse.index import IndexError_

    with pytest.raises(IndexError_, match="no index"):
        Index.open(str(tmp_path / "nope.db"))
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database at all" * 100)
    with pytest.raises(IndexError_):
        Index.open(str(bad))
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t(x)")
    with pytest.raises(IndexError_, match="not a vbparse index"):
        Index.open(str(other))


def test_unreachable_postgres_is_a_clear_error():
    from vbparse.index import IndexError_

    with pytest.raises(IndexError_, match="PostgreSQL|psycopg"):
        Index.open("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")


def test_empty_query_is_an_error(built):
    with pytest.raises(QueryError, match="empty query"):
        built.search("   ")


# -- both backends agree ----------------------------------------------------------------------

AGREE = ["thi dua", "lao dong gioi", "129 KH LDLD", "chuyen*", '"thi đua yêu nước" -covid', "year:2021",
         "children-of:129/KH-LĐLĐ", '"ma tuy" OR "dan van"', "chuyen doi so ma tuy", "due:2020..2021",
         "cong doan issuer:thai binh", "Đắk Lắk", "x y z"]


def test_backends_agree(tmp_path):
    """Same matches, totals and facets on both backends (ranking formulas differ: see docs/search.md)."""
    dbs = [make_db("sqlite", tmp_path), make_db("postgresql", tmp_path)]
    items = list(iter_items([write_jsonl(tmp_path / "r.jsonl")]))
    idxs = [Index.build(d, items)[0] for d in dbs]
    for q in AGREE:
        a, b = (i.search(q, limit=50) for i in idxs)
        assert a.total == b.total, q
        assert set(keys_of(a)) == set(keys_of(b)), q
        assert a.facets == b.facets, q
        assert a.relaxed == b.relaxed and a.symbols == b.symbols, q
        if a.hits:
            assert keys_of(a)[0] == keys_of(b)[0] or a.hits[0].score == a.hits[1].score, q
    for i in idxs:
        i.close()


# -- folding and terms (backend-free) ---------------------------------------------------------

def test_fold_is_text_fold():
    from vbparse.text import fold as slow

    s = "Liên đoàn Lao động ĐẮK LẮK — “Thi đua” Ωmega ſ ǅ İ Σ ς ﬁ 한국 ①"
    assert fold(s) == slow(s)
    assert len(fold_aligned(s)) == len(s)


def test_tokens():
    assert tokens("Số: 129/KH-LĐLĐ ngày 02/7/2021") == ["so", "129", "kh", "ldld", "ngay", "2", "7", "2021"]
    assert tokens("COVID-19") == ["covid", "19"]
    assert tokens("a" * 100 + " b") == ["b"]


def test_batch_output_folder(db, tmp_path):
    """A `vbparse batch` output folder: its records.jsonl, not errors.jsonl or the manifest."""
    out = tmp_path / "out"
    out.mkdir()
    write_jsonl(out / "records.jsonl")
    (out / "errors.jsonl").write_text('{"path": "x.pdf", "error": "encrypted"}\n', encoding="utf-8")
    (out / "manifest.jsonl").write_text('{"format": "vbparse-batch-manifest"}\n', encoding="utf-8")
    idx, rep = Index.build(db, iter_items([str(out)]))
    assert rep.added == len(RECORDS) and rep.failed == 0, rep.errors
    idx.close()
