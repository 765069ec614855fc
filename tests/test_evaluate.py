"""The scorer itself, on small hand-made gold/prediction pairs: if these numbers are wrong,
every benchmark built on them is wrong too."""
from __future__ import annotations

import json

import pytest

from vbparse.evaluate import aggregate, evaluate, fold_symbol, format_report, score_file, summarize


def S(field):
    return summarize(field)


def ref(number, symbol, start, **kw):
    return {"number": number, "symbol": symbol, "start": start, **kw}


GOLD = {
    "header": {"doc_type": "KH", "number": "129", "symbol": "KH-LĐLĐ", "place": "Thái Bình",
               "issued": "2021-07-02", "title": "Tuyên truyền  thi đua", "issuer": "Liên đoàn Lao động tỉnh Thái Bình"},
    "signer": {"authority": "TM. BAN THƯỜNG VỤ", "position": "CHỦ TỊCH", "name": "Nguyễn Văn Hải"},
    "recipients": ["Tổng LĐLĐ Việt Nam (để b/c)", "Lưu: VT"],
    "sections": [{"id": "I", "heading": "MỤC ĐÍCH"}, {"id": "I.1", "heading": None}, {"id": "II", "heading": "NỘI DUNG"}],
    "references": [ref("129", "KH-LĐLĐ", 100, doc_type="KH", issued="2021-07-02", issuer="Ban Thường vụ LĐLĐ tỉnh", basis=True),
                   ref("05", "CT/TW", 300, doc_type="CT", issued=None, issuer="Bộ Chính trị", basis=False)],
    "dates": [{"date": "2021-07-02", "start": 40}, {"date": "2021-11-15", "start": 500}],
    "deadlines": [{"due": "2021-11-15", "section": "III.2", "responsible": "Các CĐCS"}],
    "movements": [{"name": "Lao động giỏi, lao động sáng tạo", "kind": "movement", "label": "lao-dong-gioi-sang-tao"}],
}


def test_perfect_prediction_scores_one_everywhere():
    fields = score_file(GOLD, json.loads(json.dumps(GOLD)))
    for name, c in fields.items():
        s = S(c)
        assert s.get("f1", s.get("accuracy")) == 1.0, name


def test_a_missed_reference_lowers_recall_not_precision():
    pred = json.loads(json.dumps(GOLD))
    pred["references"] = pred["references"][:1]
    s = S(score_file(GOLD, pred)["references"])
    assert (s["precision"], s["recall"]) == (1.0, 0.5)
    assert score_file(GOLD, pred)["references"]["misses"] == ["05 CT/TW @300"]


def test_a_false_positive_date_lowers_precision_not_recall():
    pred = json.loads(json.dumps(GOLD))
    pred["dates"].append({"date": "2020-01-01", "start": 700})
    s = S(score_file(GOLD, pred)["dates"])
    assert s["recall"] == 1.0 and s["precision"] == pytest.approx(2 / 3)


def test_symbol_folding_lets_typos_and_spaces_meet():
    assert fold_symbol("KH-LĐLD") == fold_symbol("KH-LĐLĐ") == fold_symbol("KH- LDLĐ")
    assert fold_symbol("KH- HĐTĐKT") == fold_symbol("KH-HĐTĐKT")
    assert fold_symbol("KH–CĐYT") == fold_symbol("KH-CDYT")  # en dash, Đ written as D
    pred = json.loads(json.dumps(GOLD))
    pred["references"][0]["symbol"] = "KH-LĐLD"
    pred["references"][1]["number"] = "5"  # zero padding is not a different document
    assert S(score_file(GOLD, pred)["references"])["f1"] == 1.0


def test_reference_start_must_be_within_three_characters():
    pred = json.loads(json.dumps(GOLD))
    pred["references"][0]["start"] = 103
    assert S(score_file(GOLD, pred)["references"])["recall"] == 1.0
    pred["references"][0]["start"] = 104  # same document, but another mention of it
    s = S(score_file(GOLD, pred)["references"])
    assert (s["tp"], s["fp"], s["fn"]) == (1, 1, 1)


def test_repeated_mentions_pair_one_to_one():
    gold = {"dates": [{"date": "2021-07-02", "start": 10}, {"date": "2021-07-02", "start": 90}]}
    pred = {"dates": [{"date": "2021-07-02", "start": 11}, {"date": "2021-07-02", "start": 12}]}
    s = S(score_file(gold, pred)["dates"])
    assert (s["tp"], s["fp"], s["fn"]) == (1, 1, 1)


def test_reference_attributes_scored_only_on_matched_pairs():
    pred = json.loads(json.dumps(GOLD))
    pred["references"][0]["basis"] = False
    pred["references"][0]["issuer"] = "Ban Thường vụ LĐLĐ tỉnh Thái Bình"  # containment is enough
    del pred["references"][1]
    f = score_file(GOLD, pred)
    assert (f["references.basis"]["correct"], f["references.basis"]["total"]) == (0, 1)
    assert (f["references.issuer"]["correct"], f["references.issuer"]["total"]) == (1, 1)


def test_header_and_signer_compare_after_whitespace_folding_only():
    pred = json.loads(json.dumps(GOLD))
    pred["header"]["title"] = "Tuyên truyền thi đua\n"
    pred["header"]["place"] = "Thai Binh"  # diacritics are not whitespace
    pred["signer"] = None
    f = score_file(GOLD, pred)
    assert f["header.title"]["correct"] == 1
    assert f["header.place"]["correct"] == 0
    assert f["signer.name"]["correct"] == 0


def test_blank_header_fields_agree_when_both_null():
    gold = {"header": {"number": None, "issued": None}}
    assert score_file(gold, {"header": {"number": None}})["header.number"]["correct"] == 1
    assert score_file(gold, {"header": {"issued": "2024-01-01"}})["header.issued"]["correct"] == 0


def test_recipients_are_a_set_without_list_punctuation():
    pred = {"recipients": ["- Lưu: VT.", "CĐCS trực thuộc"]}
    s = S(score_file(GOLD, pred)["recipients"])
    assert (s["tp"], s["fp"], s["fn"]) == (1, 1, 1)


def test_sections_match_on_id_and_headings_on_matched_ids():
    pred = {"sections": [{"id": "I", "heading": "MỤC ĐÍCH"}, {"id": "I.1", "heading": "Tuyên truyền"}, {"id": "III"}]}
    f = score_file(GOLD, pred)
    s = S(f["sections"])
    assert (s["tp"], s["fp"], s["fn"]) == (2, 1, 1)
    assert (f["sections.heading"]["correct"], f["sections.heading"]["total"]) == (1, 2)


def test_deadlines_match_on_due_and_section_and_responsible_by_containment():
    pred = {"deadlines": [{"due": "2021-11-15", "section": "III.2", "responsible": "các CĐCS trực thuộc"}]}
    f = score_file(GOLD, pred)
    assert S(f["deadlines"])["f1"] == 1.0 and f["deadlines.responsible"]["correct"] == 1
    pred["deadlines"][0]["section"] = "III"
    assert S(score_file(GOLD, pred)["deadlines"])["f1"] == 0.0


def test_movements_are_distinct_folded_names_with_kind_and_label():
    pred = {"movements": [
        {"name": "lao động giỏi, lao động sáng tạo", "kind": "movement", "label": None},
        {"name": "Lao động giỏi, lao động sáng tạo", "kind": "movement", "label": None},  # a repeat, not a new find
        {"name": "Chiến sĩ thi đua cơ sở", "kind": "other", "label": None}]}
    f = score_file(GOLD, pred)
    s = S(f["movements"])
    assert (s["tp"], s["fp"], s["fn"]) == (1, 1, 0)
    assert f["movements.kind"]["correct"] == 1 and f["movements.label"]["correct"] == 0


def test_micro_average_sums_counts_before_dividing():
    a = {"dates": {"tp": 1, "fp": 0, "fn": 0}}
    b = {"dates": {"tp": 1, "fp": 0, "fn": 3}}
    s = aggregate([{"fields": a}, {"fields": b}])["dates"]
    assert s["recall"] == pytest.approx(2 / 5)  # a macro average would say 0.625


def test_empty_gold_and_prediction_is_not_a_zero():
    s = summarize({"tp": 0, "fp": 0, "fn": 0})
    assert s["precision"] == s["recall"] == 1.0


def test_evaluate_reads_sources_beside_gold_and_survives_a_crash(tmp_path):
    (tmp_path / "gold").mkdir()
    (tmp_path / "plans").mkdir()
    for stem in ("ok", "boom"):
        (tmp_path / "gold" / f"{stem}.json").write_text(json.dumps(GOLD, ensure_ascii=False), encoding="utf-8")
        (tmp_path / "plans" / f"{stem}.txt").write_text("x", encoding="utf-8")

    def fake_parse(path):
        if path.stem == "boom":
            raise ValueError("bad input")
        return json.loads(json.dumps(GOLD))

    result = evaluate(tmp_path / "gold", parse=fake_parse)
    assert result["n_files"] == 2
    assert [f["error"] for f in result["files"]] == ["ValueError: bad input", None]
    assert result["fields"]["dates"]["recall"] == 0.5  # the crashed file counts as all missed
    report = format_report(result, details=True)
    assert "boom" in report and "missed" in report
    header, rule = report.splitlines()[1:3]
    assert header.index(" P") < header.index(" R") and set(rule) <= {"-", " "}
