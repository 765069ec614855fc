"""The parser on small, real-shaped cases: one behaviour per test, asserted on values and offsets."""
from __future__ import annotations

import vbparse
from vbparse.resolve.keys import parse_key, reference_key

INTERLEAVED = """LIÊN ĐOÀN LAO ĐỘNG TỈNH THÁI BÌNH        CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
CÔNG ĐOÀN NGÀNH Y TẾ                     Độc lập - Tự do - Hạnh phúc
Số: 104/KH-CĐYT                          Thái Bình, ngày 12 tháng 7 năm 2021

KẾ HOẠCH
Tuyên truyền phong trào thi đua yêu nước
trong công nhân, viên chức, lao động năm 2021

Căn cứ Kế hoạch số 129/KH-LĐLĐ ngày 02/7/2021 của Ban Thường vụ Liên đoàn Lao động tỉnh về tuyên truyền thi đua năm 2021;

I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
- Đẩy mạnh phong trào thi đua “Lao động giỏi, lao động sáng tạo” trong CNVCLĐ.
2. Yêu cầu: thiết thực, tiết kiệm.
II. NỘI DUNG
1. Tuyên truyền
a) Tuyên truyền Chỉ thị số 05-CT/TW ngày 15/5/2016 của Bộ Chính trị.
b) Tuyên truyền Nghị định 98/2023/NĐ-CP về thi đua, khen thưởng.
III. TỔ CHỨC THỰC HIỆN
1. Các công đoàn cơ sở
- Các CĐCS gửi báo cáo về Công đoàn ngành (qua Văn phòng) trước ngày 15/11/2021.
- Báo cáo định kỳ hằng quý trước ngày 20 của tháng cuối quý.

Nơi nhận:                                 TM. BAN THƯỜNG VỤ
- LĐLĐ tỉnh (để b/c);                     CHỦ TỊCH
- Các CĐCS;
- Lưu: VT.                                (Đã ký)

                                          Nguyễn Văn An
"""


def parse(text: str) -> vbparse.Document:
    return vbparse.parse(text)


def test_interleaved_header_fields():
    h = parse(INTERLEAVED).header
    assert (h.doc_type, h.doc_type_name, h.number, h.symbol) == ("KH", "Kế hoạch", "104", "KH-CĐYT")
    assert (h.place, h.issued) == ("Thái Bình", "2021-07-12")
    assert h.title == "Tuyên truyền phong trào thi đua yêu nước trong công nhân, viên chức, lao động năm 2021"
    assert h.issuer == "Công đoàn ngành Y tế tỉnh Thái Bình"
    assert h.key == "104/KH-CDYT"


def test_signer_and_recipients_beside_each_other():
    d = parse(INTERLEAVED)
    assert d.signer.authority == "TM. BAN THƯỜNG VỤ"
    assert d.signer.position == "CHỦ TỊCH"
    assert d.signer.name == "Nguyễn Văn An"  # "(Đã ký)" is not the name
    assert d.recipients == ["LĐLĐ tỉnh (để b/c)", "Các CĐCS", "Lưu: VT"]


def test_section_tree_ids_levels_headings():
    secs = {s.id: s for s in parse(INTERLEAVED).sections}
    assert list(secs) == ["I", "I.1", "I.2", "II", "II.1", "II.1.a", "II.1.b", "III", "III.1"]
    assert secs["I"].heading == "MỤC ĐÍCH, YÊU CẦU" and secs["I"].level == 1
    assert secs["I.2"].heading == "Yêu cầu"  # heading sharing its line with body text
    assert secs["II.1.a"].heading is None and secs["II.1.a"].parent == "II.1" and secs["II.1.a"].level == 3
    assert secs["II.1.a"].marker == "a)"
    for s in secs.values():
        assert INTERLEAVED[s.start:].startswith(s.marker.rstrip(".)")) and s.end > s.start


def test_references_grammars_basis_issuer_key():
    refs = parse(INTERLEAVED).references
    by = {r.symbol: r for r in refs}
    assert set(by) == {"KH-LĐLĐ", "CT/TW", "2023/NĐ-CP"}  # the plan's own 104/KH-CĐYT is not cited
    kh = by["KH-LĐLĐ"]
    assert (kh.doc_type, kh.number, kh.issued, kh.year, kh.basis, kh.section) == ("KH", "129", "2021-07-02", 2021, True, None)
    assert kh.issuer == "Ban Thường vụ Liên đoàn Lao động tỉnh"
    assert kh.text == "Kế hoạch số 129/KH-LĐLĐ ngày 02/7/2021"
    assert kh.title == "tuyên truyền thi đua năm 2021"
    ct = by["CT/TW"]
    assert (ct.grammar, ct.number, ct.basis, ct.section, ct.issuer) == ("party", "05", False, "II.1.a", "Bộ Chính trị")
    nd = by["2023/NĐ-CP"]
    assert (nd.grammar, nd.doc_type, nd.year, nd.issuer) == ("normative", "NĐ", 2023, "Chính phủ")  # issuer named by the symbol


def test_dates_every_mention_with_roles():
    d = parse(INTERLEAVED)
    got = [(m.date, m.text, m.role) for m in d.dates]
    assert ("2021-07-12", "12 tháng 7 năm 2021", "issued") in got
    assert ("2021-07-02", "02/7/2021", "reference") in got
    assert ("2016-05-15", "15/5/2016", "reference") in got
    assert ("2021-11-15", "15/11/2021", "deadline") in got
    for m in d.dates:
        assert INTERLEAVED[m.start:m.end] == m.text


def test_deadline_task_responsible_section():
    dl = parse(INTERLEAVED).deadlines
    assert len(dl) == 1  # "ngày 20 của tháng cuối quý" names no calendar date
    x = dl[0]
    assert (x.due, x.section, x.responsible) == ("2021-11-15", "III.1", "Các CĐCS")
    assert x.task.startswith("gửi báo cáo về Công đoàn ngành")


def test_movement_named_with_label():
    mv = parse(INTERLEAVED).movements
    assert [(m.name, m.kind, m.label) for m in mv] == [("Lao động giỏi, lao động sáng tạo", "movement", "lao-dong-gioi-sang-tao")]


MARKDOWN = """|
**ỦY BAN NHÂN DÂN
**
TỈNH ĐẮK LẮK
-------
|
**CỘNG HÒA XÃ HỘI
CHỦ NGHĨA VIỆT NAM**
Độc lập - Tự do - Hạnh phúc
---------------
|
|
Số: 0124/KH-UBND
|
*Đắk Lắk, ngày 18
tháng 11 năm 2025*
|

**KẾ HOẠCH**

PHÁT ĐỘNG PHONG TRÀO THI ĐUA “ĐẮK LẮK CHUNG SỨC XÂY DỰNG NÔNG THÔN MỚI”

Thực hiện Quyết định số
2437/QĐ- TTg ngày 04/11/2025 của Thủ tướng Chính phủ;

**I. MỤC ĐÍCH,
YÊU CẦU**

**1**. **Mục đích**

a) Phát động phong trào thi đua “Đắk Lắk chung sức xây dựng nông thôn
mới” từ ngày 01/12 đến ngày 31/12/2025.

**2. Thời gian thực hiện: **Từ tháng 10/2025 đến hết quý I năm 2026.

* *

|
Nơi nhận:
- Ban Thi đua - Khen thưởng Trung ương
(b/c);
- Lưu: VT, NV.
|
**TM. ỦY BAN NHÂN
**
DÂN
**KT. CHỦ TỊCH **
PHÓ CHỦ TỊCH
**Đào Mỹ**
|
"""


def test_markdown_table_header_and_wrapped_date():
    h = parse(MARKDOWN).header
    assert (h.number, h.symbol, h.place, h.issued) == ("0124", "KH-UBND", "Đắk Lắk", "2025-11-18")
    assert h.issuer == "Ủy ban nhân dân tỉnh Đắk Lắk"


def test_markdown_bold_headings_wrapped_over_lines():
    secs = {s.id: s.heading for s in parse(MARKDOWN).sections}
    assert secs == {"I": "MỤC ĐÍCH, YÊU CẦU", "I.1": "Mục đích", "I.1.a": None, "I.2": "Thời gian thực hiện"}


def test_symbol_broken_after_hyphen_and_key():
    r = parse(MARKDOWN).references[0]
    assert (r.symbol, r.issued, r.basis) == ("QĐ-TTg", "2025-11-04", True)
    assert r.text == "Quyết định số\n2437/QĐ- TTg ngày 04/11/2025"
    assert r.key == reference_key("2437", "QĐ-TTg") == parse_key("2437 QD TTg")


def test_authority_wrapped_over_cells_then_kt():
    s = parse(MARKDOWN).signer
    assert (s.authority, s.position, s.name) == ("TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Đào Mỹ")
    assert parse(MARKDOWN).recipients == ["Ban Thi đua - Khen thưởng Trung ương (b/c)", "Lưu: VT, NV"]


def test_period_year_from_end_and_month_quarter_precision():
    d = parse(MARKDOWN)
    by = {m.text: m for m in d.dates}
    assert (by["01/12"].date, by["01/12"].inferred, by["01/12"].role) == ("2025-12-01", "year-from-period", "period-start")
    assert by["31/12/2025"].role == "period-end"
    assert (by["tháng 10/2025"].date, by["tháng 10/2025"].precision) == ("2025-10-31", "month")
    assert (by["quý I năm 2026"].date, by["quý I năm 2026"].precision) == ("2026-03-31", "quarter")
    assert d.deadlines == []  # a period is not a deadline


def test_local_variant_joined_across_line_break_gets_national_label():
    mv = parse(MARKDOWN).movements
    # the title names it too (in capitals, as written); both mentions carry the national label
    assert [(m.name, m.label) for m in mv] == [("ĐẮK LẮK CHUNG SỨC XÂY DỰNG NÔNG THÔN MỚI", "nong-thon-moi-do-thi-van-minh"),
                                               ("Đắk Lắk chung sức xây dựng nông thôn mới", "nong-thon-moi-do-thi-van-minh")]
    m = mv[1]
    assert MARKDOWN[m.start:m.end] == "Đắk Lắk chung sức xây dựng nông thôn\nmới"


BLANK = """CÔNG ĐOÀN CƠ SỞ TRƯỜNG THCS THỤY HẢI

Số:      /KH-CĐCS                  Thụy Hải, ngày     tháng    năm 2024

KẾ HOẠCH
Tổ chức phong trào thi đua năm học 2024 - 2025

I. NỘI DUNG
1. Các tổ công đoàn đăng ký thi đua trước ngày 15/10.
2. Báo cáo sơ kết trước ngày 15/3.
"""


def test_blank_number_and_date_are_null_and_partial_dates_say_how():
    d = parse(BLANK)
    assert (d.header.number, d.header.symbol, d.header.issued) == (None, "KH-CĐCS", None)
    by = {m.text: m for m in d.dates}
    assert (by["15/10"].date, by["15/10"].inferred) == ("2024-10-15", "year-from-plan")
    # no issue date to compare with: the plan's year, said so, never a silent guess
    assert by["15/3"].inferred == "year-from-plan"
    assert [x.responsible for x in d.deadlines] == ["Các tổ công đoàn", None]


def test_next_year_when_the_month_has_passed():
    text = INTERLEAVED.replace("trước ngày 15/11/2021", "trước ngày 15/3")
    by = {m.text: m for m in parse(text).dates}
    assert (by["15/3"].date, by["15/3"].inferred) == ("2022-03-15", "year-after-plan")


def test_award_titles_and_document_titles_are_not_movements():
    text = INTERLEAVED.replace(
        "- Đẩy mạnh phong trào thi đua “Lao động giỏi, lao động sáng tạo” trong CNVCLĐ.",
        "- Xét tặng danh hiệu “Chiến sĩ thi đua cơ sở”, “Lao động tiên tiến”; triển khai Đề án “Nâng cao năng lực”.\n"
        "- Hưởng ứng cuộc vận động “Người Việt Nam ưu tiên dùng hàng Việt Nam”.")
    mv = parse(text).movements
    assert [(m.name, m.kind) for m in mv] == [("Người Việt Nam ưu tiên dùng hàng Việt Nam", "campaign")]


def test_page_break_damage_is_cleaned_for_matching_only():
    text = INTERLEAVED.replace("phong trào thi đua “Lao động giỏi", "phong trào thi\n\n2\n\nthi đua “Lao động giỏi")
    d = parse(text)
    m = d.movements[0]
    assert (m.name, m.kind) == ("Lao động giỏi, lao động sáng tạo", "movement")
    assert text[m.start:m.end] == m.text


def test_recurrence_on_a_dated_periodic_report():
    text = INTERLEAVED.replace("- Báo cáo định kỳ hằng quý trước ngày 20 của tháng cuối quý.",
                               "- Báo cáo định kỳ 6 tháng trước ngày 15/6/2022.")
    dl = {x.due: x for x in parse(text).deadlines}
    assert dl["2022-06-15"].recurrence == "semiannual"
    assert dl["2021-11-15"].recurrence is None


def test_web_boilerplate_before_the_real_header():
    text = ("Bản dịch này thuộc quyền sở hữu của THƯ VIỆN PHÁP LUẬT.\n**Số hiệu:**\n|\n99/KH-ABC\n|\n"
            "**Loại văn bản:**\n|\nKế hoạch\n|\n**Tình trạng:**\n|\nĐã biết\n|\n" + INTERLEAVED)
    h = parse(text).header
    assert (h.number, h.symbol, h.issuer) == ("104", "KH-CĐYT", "Công đoàn ngành Y tế tỉnh Thái Bình")


def test_unquoted_taxonomy_name_after_a_cue():
    text = ("KẾ HOẠCH\nThi đua năm 2024\n\nI. NỘI DUNG\n1. Đẩy mạnh phong trào thi đua Lao động giỏi, lao động "
            "sáng tạo trong CNVCLĐ; phong trào “Xanh - Sạch - Đẹp”.\n2. Học tập Nghị quyết của Đảng.\n")
    mv = parse(text).movements
    assert [(m.name, m.label) for m in mv] == [("Lao động giỏi, lao động sáng tạo", "lao-dong-gioi-sang-tao"),
                                               ("Xanh - Sạch - Đẹp", "xanh-sach-dep-atvsld")]
    assert all(text[m.start:m.end] == m.text for m in mv)


def test_spacy_doc_carries_the_findings():
    nlp = vbparse.nlp()
    doc = nlp(INTERLEAVED)
    assert "vbparse" in nlp.pipe_names
    refs = [(s.text, s.label_) for s in doc.spans["references"]]
    assert ("Kế hoạch số 129/KH-LĐLĐ ngày 02/7/2021", "KH") in refs
    assert [s.label_ for s in doc.spans["movements"]] == ["lao-dong-gioi-sang-tao"]
    assert doc._.vbparse.header.symbol == "KH-CĐYT"


def test_columns_only_two_spaces_apart():
    text = INTERLEAVED.replace("        CỘNG HÒA", "  CỘNG HÒA").replace("                     Độc lập", "  Độc lập") \
        .replace("                          Thái Bình, ngày", "  Thái Bình, ngày")
    h = parse(text).header
    assert (h.number, h.symbol, h.place, h.issued) == ("104", "KH-CĐYT", "Thái Bình", "2021-07-12")
    assert h.issuer == "Công đoàn ngành Y tế tỉnh Thái Bình"


def test_numeric_issue_date_in_the_header():
    text = INTERLEAVED.replace("Thái Bình, ngày 12 tháng 7 năm 2021", "Thái Bình, ngày 12/7/2021")
    d = parse(text)
    assert (d.header.place, d.header.issued) == ("Thái Bình", "2021-07-12")
    assert [m.role for m in d.dates if m.text == "12/7/2021"] == ["issued"]


def test_slash_markers_and_a_subject_under_a_heading_line():
    text = ("KẾ HOẠCH\nThi đua năm 2024\n\nI/ MỤC ĐÍCH\n1/ Tuyên truyền sâu rộng.\n2/ Tổ chức thi đua\n"
            "a/ Đối với CĐCS\nII/ TỔ CHỨC THỰC HIỆN\nCác CĐCS báo cáo trước ngày 1/12/2024.\n")
    d = parse(text)
    assert [(s.id, s.marker, s.heading) for s in d.sections] == [
        ("I", "I/", "MỤC ĐÍCH"), ("I.1", "1/", None), ("I.2", "2/", "Tổ chức thi đua"),
        ("I.2.a", "a/", "Đối với CĐCS"), ("II", "II/", "TỔ CHỨC THỰC HIỆN")]
    assert [(x.due, x.section, x.responsible) for x in d.deadlines] == [("2024-12-01", "II", "Các CĐCS")]


def test_en_dash_inside_symbols_meets_the_hyphen_key():
    text = ("KẾ HOẠCH\nThi đua\n\nThực hiện Kế hoạch số 12/KH–LĐLĐ ngày 02/7/2021 của LĐLĐ tỉnh và "
            "Chỉ thị số 05–CT/TW;\n\nI. MỤC ĐÍCH\n1. Thi đua.\n")
    refs = parse(text).references
    assert [(r.symbol, r.key, r.grammar) for r in refs] == [("KH-LĐLĐ", "12/KH-LDLD", "admin"), ("CT/TW", "5-CT/TW", "party")]


def test_party_name_in_the_body_is_not_taken_for_the_header_motto():
    # a union plan with no motto whose body names "Đảng Cộng sản Việt Nam": the header and title
    # must still be found at the top (the motto search once anchored on the body mention)
    text = ("\n\nSố: 23 /KH- CĐYT\n\nThái Bình, ngày 17 tháng 12 năm 2019\n\nKẾ HOẠCH\nTổ chức Hội nghị điển hình\n\n"
            "Thực hiện Kế hoạch số 51/KH-LĐLĐ ngày 11/12/2019 của Liên đoàn Lao động tỉnh.\n\nI. MỤC ĐÍCH\n\n"
            + "- Tuyên truyền sâu rộng trong đoàn viên.\n\n" * 40
            + "II. NỘI DUNG\n\n- Chào mừng 90 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930-03/02/2020).\n")
    d = parse(text)
    assert (d.header.doc_type, d.header.number, d.header.issued) == ("KH", "23", "2019-12-17")
    assert [s.id for s in d.sections] == ["I", "II"]
    assert d.references[0].basis is True


def test_number_wrapped_after_so_and_a_letter_without_type_word():
    text = MARKDOWN.replace("Số: 0124/KH-UBND", "Số:\n0124/KH-UBND")
    assert (parse(text).header.number, parse(text).header.symbol) == ("0124", "KH-UBND")
    letter = (MARKDOWN.replace("Số: 0124/KH-UBND", "Số: 4240/UBND-VX\n*V/v khẩn trương cập nhật dữ liệu*")
              .replace("**KẾ HOẠCH**", ""))
    h = parse(letter).header
    assert (h.doc_type, h.symbol, h.title) == ("CV", "UBND-VX", "khẩn trương cập nhật dữ liệu")
