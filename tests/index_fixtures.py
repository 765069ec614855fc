"""Records and fixtures for the index tests: a small made-up archive with known headers,
citations, deadlines and movements, so that each filter has an exact expected answer whatever
the finders currently find. Each record carries its text (`text` field) like a producer may.

`db` is parametrised over both backends; the PostgreSQL half runs in a throwaway cluster
(conftest_pg.py) and is skipped with the reason when the server binaries are absent.
"""
from __future__ import annotations

import hashlib
import json

import pytest

import conftest_pg
from conftest_pg import fresh_database, pg_cluster


def _plan(*, header_lines: list[str], title: str, preamble: str, sections: list[tuple[str, str, str | None, str]],
          closing: str = "") -> tuple[str, list[dict]]:
    """Text plus contract sections: (id, marker, heading, body) in order; ids give the nesting."""
    parts = header_lines + ["", "KẾ HOẠCH", title, "", preamble, ""]
    text = "\n".join(parts)
    secs = []
    for sid, marker, heading, body in sections:
        start = len(text)
        line = f"{marker} {heading}" if heading else marker
        text += line + ("\n" + body if body else "") + "\n"
        secs.append({"id": sid, "marker": marker, "level": sid.count(".") + 1, "heading": heading,
                     "parent": sid.rsplit(".", 1)[0] if "." in sid else None, "start": start, "end": len(text)})
    text += "\n" + closing
    # a section ends where the next one at the same or a higher level starts (or at the end)
    for i, s in enumerate(secs):
        end = len(text.rstrip())
        for t in secs[i + 1:]:
            if t["level"] <= s["level"]:
                end = t["start"]
                break
        s["end"] = end
    return text, secs


def _ref(doc_type, number, symbol, issued, basis, text, section=None, issuer=None):
    return {"doc_type": doc_type, "number": number, "symbol": symbol, "issued": issued,
            "year": int(issued[:4]) if issued else None, "issuer": issuer, "title": None, "basis": basis,
            "section": section, "text": text, "start": 0, "end": 0}


def _dl(due, section, task, responsible=None):
    return {"due": due, "task": task, "responsible": responsible, "section": section, "text": due, "start": 0, "end": 0}


def _mv(name, label, kind="movement"):
    return {"name": name, "kind": kind, "label": label, "start": 0, "end": 0}


def _record(key: str, text: str, header: dict, sections, references=(), deadlines=(), movements=(), tags=()):
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    h = {"doc_type": None, "doc_type_name": None, "number": None, "symbol": None, "place": None, "issued": None,
         "title": None, "issuer": None}
    h.update(header)
    return {
        "schema_version": "1",
        "source": {"path": f"archive/{key}.txt", "format": "txt", "sha256": sha, "encoding": "utf-8", "warnings": []},
        "header": h, "signer": None, "recipients": [], "sections": sections, "references": list(references),
        "dates": [], "deadlines": list(deadlines), "movements": list(movements), "tags": list(tags), "text": text,
    }


def make_records() -> dict[str, dict]:
    recs = {}

    def add(key, *, header_lines, preamble, sections, header, **parts):
        # the plan's title line is the header's title, so the text and the record cannot disagree
        text, secs = _plan(header_lines=header_lines, title=header["title"], preamble=preamble, sections=sections)
        recs[key] = _record(key, text, header, secs, **parts)

    add("ldld",
        header_lines=["LIÊN ĐOÀN LAO ĐỘNG TỈNH THÁI BÌNH", "Số: 129/KH-LĐLĐ   Thái Bình, ngày 02 tháng 7 năm 2021"],
        preamble="Căn cứ Chỉ thị số 34-CT/TW ngày 07/4/2014 của Bộ Chính trị về công tác thi đua, khen thưởng; "
                 "Ban Thường vụ Liên đoàn Lao động tỉnh xây dựng Kế hoạch như sau:",
        sections=[
            ("I", "I.", "MỤC ĐÍCH, YÊU CẦU", None),
            ("I.1", "1.", "Mục đích", "Đẩy mạnh phong trào thi đua “Lao động giỏi, lao động sáng tạo” trong công nhân lao động."),
            ("II", "II.", "NỘI DUNG", "Tuyên truyền trên Bản tin Công đoàn, trang thông tin điện tử của Liên đoàn."),
            ("III", "III.", "TỔ CHỨC THỰC HIỆN", None),
            ("III.1", "1.", "Ban Tuyên giáo", "Tổng hợp kết quả, báo cáo Ban Thường vụ trước ngày 30/11/2021."),
            ("III.2", "2.", "Các công đoàn ngành", "Xây dựng kế hoạch cụ thể, gửi về LĐLĐ tỉnh trước ngày 20/7/2021."),
        ],
        header={"doc_type": "KH", "doc_type_name": "Kế hoạch", "number": "129", "symbol": "KH-LĐLĐ", "place": "Thái Bình",
                "issued": "2021-07-02", "issuer": "Liên đoàn Lao động tỉnh Thái Bình",
                "title": "Tuyên truyền, phát động phong trào thi đua yêu nước trong công nhân, viên chức, lao động năm 2021"},
        references=[_ref("CT", "34", "CT/TW", "2014-04-07", True, "Chỉ thị số 34-CT/TW ngày 07/4/2014")],
        deadlines=[_dl("2021-11-30", "III.1", "Tổng hợp kết quả"), _dl("2021-07-20", "III.2", "Xây dựng kế hoạch cụ thể")],
        movements=[_mv("Lao động giỏi, lao động sáng tạo", "lao-dong-gioi-sang-tao")])

    add("cdyt",
        header_lines=["CÔNG ĐOÀN NGÀNH Y TẾ TỈNH THÁI BÌNH", "Số: 104/KH-CĐYT   Thái Bình, ngày 12 tháng 7 năm 2021"],
        preamble="Thực hiện Kế hoạch số 129/KH-LĐLĐ ngày 02/7/2021 của Ban Thường vụ LĐLĐ tỉnh, Công đoàn ngành Y tế "
                 "xây dựng Kế hoạch như sau:",
        sections=[
            ("I", "I.", "MỤC ĐÍCH", "Tuyên truyền phong trào thi đua phòng, chống dịch COVID-19 trong ngành Y tế."),
            ("II", "II.", "TỔ CHỨC THỰC HIỆN", "Các công đoàn cơ sở báo cáo kết quả trước ngày 15/8/2021."),
        ],
        header={"doc_type": "KH", "doc_type_name": "Kế hoạch", "number": "104", "symbol": "KH-CĐYT", "issued": "2021-07-12",
                "issuer": "Công đoàn ngành Y tế tỉnh Thái Bình",
                "title": "Tuyên truyền phong trào thi đua yêu nước trong các cấp công đoàn ngành Y tế năm 2021"},
        references=[_ref("KH", "129", "KH-LĐLĐ", "2021-07-02", True, "Kế hoạch số 129/KH-LĐLĐ ngày 02/7/2021")],
        deadlines=[_dl("2021-08-15", "II", "báo cáo kết quả")],
        movements=[_mv("Phòng, chống dịch COVID-19", "phong-chong-covid", "topic")])

    add("cdcs",
        header_lines=["CÔNG ĐOÀN CƠ SỞ BỆNH VIỆN ĐA KHOA TỈNH THÁI BÌNH", "Số: 18/KH-CĐCS   ngày 23 tháng 7 năm 2021"],
        preamble="Thực hiện Kế hoạch số 104/KH-CĐYT ngày 12/7/2021 của Công đoàn ngành Y tế (triển khai Kế hoạch số "
                 "129/KH-LĐLD ngày 02/7/2021 của Ban Thường vụ LĐLĐ tỉnh), Ban Chấp hành xây dựng Kế hoạch:",
        sections=[
            ("I", "I.", "NỘI DUNG", "Phong trào “Giỏi việc nước, đảm việc nhà” trong nữ đoàn viên; "
                                     "mô hình “Khoa, phòng an toàn COVID-19”."),
        ],
        header={"doc_type": "KH", "number": "18", "symbol": "KH-CĐCS", "issued": "2021-07-23",
                "issuer": "Công đoàn cơ sở Bệnh viện Đa khoa tỉnh Thái Bình",
                "title": "Tuyên truyền, hưởng ứng các phong trào thi đua trong đoàn viên Bệnh viện 6 tháng cuối năm 2021"},
        references=[_ref("KH", "104", "KH-CĐYT", "2021-07-12", True, "Kế hoạch số 104/KH-CĐYT"),
                    _ref("KH", "129", "KH-LĐLD", "2021-07-02", True, "Kế hoạch số 129/KH-LĐLD")],
        movements=[_mv("Giỏi việc nước, đảm việc nhà", "gioi-viec-nuoc-dam-viec-nha")])

    add("binhdinh",
        header_lines=["ỦY BAN NHÂN DÂN TỈNH BÌNH ĐỊNH", "Số: 45/KH-UBND   Bình Định, ngày 14 tháng 3 năm 2024"],
        preamble="Căn cứ Quyết định số 411/QĐ-TTg ngày 31/3/2022 của Thủ tướng Chính phủ; UBND tỉnh ban hành Kế hoạch:",
        sections=[
            ("I", "I.", "MỤC TIÊU", "Phát triển chính quyền số, kinh tế số và xã hội số; thực hiện Chỉ thị số "
                                     "16/CT-TTg về chuyển đổi số."),
            ("II", "II.", "NHIỆM VỤ", "Các sở, ngành báo cáo kết quả chuyển đổi số trước ngày 15/12/2024."),
        ],
        header={"doc_type": "KH", "number": "45", "symbol": "KH-UBND", "issued": "2024-03-14",
                "issuer": "Ủy ban nhân dân tỉnh Bình Định",
                "title": "Tổ chức phong trào “Thi đua thực hiện chuyển đổi số” trên địa bàn tỉnh Bình Định năm 2024"},
        references=[_ref("QĐ", "411", "QĐ-TTg", "2022-03-31", True, "Quyết định số 411/QĐ-TTg"),
                    _ref("CT", "16", "CT-TTg", None, False, "Chỉ thị số 16/CT-TTg", section="I")],
        deadlines=[_dl("2024-12-15", "II", "báo cáo kết quả chuyển đổi số")],
        tags=[{"section": None, "labels": [{"label": "chuyen-doi-so", "score": 0.92}, {"label": "van-hoa-cong-so", "score": 0.1}]}])

    add("dangxa",
        header_lines=["ĐẢNG ỦY XÃ XUÂN THỦY", "Số 08-KH/ĐU   Xuân Thủy, ngày 06 tháng 3 năm 2020"],
        preamble="Thực hiện Chỉ thị số 05-CT/TW ngày 15/5/2016 của Bộ Chính trị, Đảng ủy xã xây dựng kế hoạch:",
        sections=[
            ("I", "I.", "NỘI DUNG", "Gắn học tập và làm theo Bác với phong trào thi đua “Dân vận khéo”; "
                                     "báo cáo về Văn phòng Đảng ủy trước ngày 31/3/2020."),
            ("II", "II.", "TỔ CHỨC THỰC HIỆN", "Ban Tuyên giáo tổ chức hội nghị, xong trước ngày 20/3/2020."),
        ],
        header={"doc_type": "KH", "number": "08", "symbol": "KH/ĐU", "issued": "2020-03-06", "issuer": "Đảng ủy xã Xuân Thủy",
                "title": "thực hiện chuyên đề năm 2020 về học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"},
        references=[_ref("CT", "05", "CT/TW", "2016-05-15", True, "Chỉ thị số 05-CT/TW ngày 15/5/2016")],
        deadlines=[_dl("2020-03-31", "I", "báo cáo"), _dl("2020-03-20", "II", "tổ chức hội nghị")],
        movements=[_mv("Dân vận khéo", "dan-van-kheo")])

    add("daklak",
        header_lines=["ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK", "Số: 1420/QĐ-UBND   Đắk Lắk, ngày 12 tháng 6 năm 2023"],
        preamble="Căn cứ Chỉ thị số 05-CT/TW ngày 15/5/2016 của Bộ Chính trị;",
        sections=[("1", "Điều 1.", None, "Ban hành kèm theo Quyết định này Kế hoạch giảm nghèo bền vững tỉnh Đắk Lắk.")],
        header={"doc_type": "QĐ", "number": "1420", "symbol": "QĐ-UBND", "issued": "2023-06-12", "issuer": "Ủy ban nhân dân tỉnh Đắk Lắk",
                "title": "Ban hành Kế hoạch thực hiện phong trào thi đua “Cả nước chung tay vì người nghèo - Không để ai bị bỏ lại phía sau”"},
        references=[_ref("CT", "05", "CT/TW", "2016-05-15", False, "Chỉ thị số 05-CT/TW")],
        movements=[_mv("Cả nước chung tay vì người nghèo - Không để ai bị bỏ lại phía sau", "vi-nguoi-ngheo")])

    # a sparse record: no header found, no sections (early finders, a pasted web page)
    text = "Kế hoạch tuyên truyền phòng, chống ma túy trong học sinh, sinh viên năm học mới.\nNội dung: tổ chức ngoại khóa."
    recs["sparse"] = _record("sparse", text, {}, [])
    return recs


RECORDS = make_records()
SHA = {k: r["source"]["sha256"] for k, r in RECORDS.items()}
KEY_OF = {v: k for k, v in SHA.items()}


def write_jsonl(path, records=None) -> str:
    with open(path, "w", encoding="utf-8") as f:
        for r in (records or RECORDS).values():
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return str(path)


def keys_of(res) -> list[str]:
    return [KEY_OF.get(h.sha256, h.sha256[:8]) for h in res.hits]


BACKENDS = ["sqlite", "postgresql"]


def make_db(kind: str, tmp_path) -> str:
    if kind == "sqlite":
        return str(tmp_path / "index.db")
    if pg_cluster() is None:
        pytest.skip(conftest_pg.PG_SKIP_REASON)
    return fresh_database()


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path) -> str:
    """A fresh, empty index location for each backend."""
    return make_db(request.param, tmp_path)


@pytest.fixture(params=BACKENDS, scope="module")
def built(request, tmp_path_factory):
    """(Index, backend name) over RECORDS, built once per module and backend."""
    from vbparse.index import Index, iter_items

    tmp = tmp_path_factory.mktemp(f"idx-{request.param}")
    dbloc = make_db(request.param, tmp)
    idx, rep = Index.build(dbloc, iter_items([write_jsonl(tmp / "records.jsonl")]))
    assert rep.added == len(RECORDS) and rep.failed == 0, rep
    yield idx
    idx.close()
