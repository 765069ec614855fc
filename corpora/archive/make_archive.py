#!/usr/bin/env python3
"""Generate archives for `vbparse batch` / `vbparse graph` tests and benchmarks.

    python corpora/archive/make_archive.py fixture DEST [--big-mb 50]
    python corpora/archive/make_archive.py bulk DEST -n 5000 [--zip]

`fixture`: a small, messy archive (about 90 inputs):
  - a three-level plan chain per province: the province LĐLĐ plan -> sector unions (Công đoàn
    ngành Y tế, Giáo dục, ...) -> grassroots CĐCS, each child citing its parent in its preamble
    with "Thực hiện Kế hoạch số N/KH-... ngày ... của ...", written with the noise real plans
    have (spaces in symbols, Đ written D, the three date spellings), one citation with a typo
    only fuzzy matching resolves (CĐTY for CĐYT), one citing the right number with the wrong
    year (must stay unresolved);
  - the real plans of corpora/plans/ (they hold a real chain 129/KH-LĐLĐ -> 104/KH-CĐYT ->
    18/KH-CĐCS), copied into the archive;
  - byte-identical duplicates, on disk and inside a zip; a zip with folders and a nested zip;
  - broken files, each kind at least 5 % of the inputs: truncated PDF, encrypted PDF (pypdf),
    empty, binary, wrong encoding; and, with --big-mb, one text of that size.
  `build_fixture()` returns what the archive holds (expected chains, duplicates, broken files
  by kind) for the tests to check against.

`bulk`: N clean synthetic text plans (province -> sector -> grassroots chains, in nested
folders), for benchmarks; nothing is broken, nothing duplicated.

Everything is deterministic for a given seed. Standard library only, except reportlab/pypdf
for the PDFs (the PDF kinds are skipped with a note when they are not installed).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REAL_PLANS = HERE.parent / "plans"

PROVINCES = [
    ("Thái Bình", "THÁI BÌNH"), ("Nam Định", "NAM ĐỊNH"), ("Hà Nam", "HÀ NAM"), ("Ninh Bình", "NINH BÌNH"),
    ("Hưng Yên", "HƯNG YÊN"), ("Hải Dương", "HẢI DƯƠNG"), ("Thanh Hóa", "THANH HÓA"), ("Nghệ An", "NGHỆ AN"),
    ("Hà Tĩnh", "HÀ TĨNH"), ("Quảng Bình", "QUẢNG BÌNH"), ("Quảng Trị", "QUẢNG TRỊ"), ("Đắk Lắk", "ĐẮK LẮK"),
    ("Lâm Đồng", "LÂM ĐỒNG"), ("Bình Định", "BÌNH ĐỊNH"), ("Phú Yên", "PHÚ YÊN"), ("Khánh Hòa", "KHÁNH HÒA"),
    ("Đồng Nai", "ĐỒNG NAI"), ("Tây Ninh", "TÂY NINH"), ("Cần Thơ", "CẦN THƠ"), ("Sóc Trăng", "SÓC TRĂNG"),
    ("Bắc Ninh", "BẮC NINH"), ("Lào Cai", "LÀO CAI"), ("Yên Bái", "YÊN BÁI"), ("Phú Thọ", "PHÚ THỌ"),
]
# name, symbol suffix, kind of workplaces below it
SECTORS = [
    ("Công đoàn ngành Y tế", "CĐYT", ["Bệnh viện Đa khoa tỉnh", "Bệnh viện Nhi", "Trung tâm Y tế huyện Đông Hưng",
                                     "Bệnh viện Phụ sản", "Trung tâm Kiểm soát bệnh tật", "Bệnh viện Y học cổ truyền"]),
    ("Công đoàn ngành Giáo dục", "CĐGD", ["Trường THPT Chuyên", "Trường THPT Nguyễn Du", "Trường THCS Lê Lợi",
                                          "Trường Tiểu học Kim Đồng", "Trường Mầm non Hoa Sen", "Trường Cao đẳng Sư phạm"]),
    ("Công đoàn ngành Công Thương", "CĐCT", ["Công ty Điện lực", "Công ty TNHH Dệt may Hưng Phát", "Công ty CP Bia Sài Gòn",
                                             "Công ty Xăng dầu", "Công ty CP Giày da Phúc Khánh", "Công ty TNHH Điện tử Tiền Hải"]),
    ("Công đoàn ngành Nông nghiệp và Phát triển nông thôn", "CĐNN", ["Chi cục Thủy lợi", "Công ty Thủy nông Bắc",
                                                                    "Trung tâm Khuyến nông", "Chi cục Kiểm lâm",
                                                                    "Công ty Giống cây trồng", "Ban Quản lý rừng phòng hộ"]),
    ("Công đoàn ngành Xây dựng", "CĐXD", ["Công ty CP Xây lắp số 1", "Công ty Cấp nước", "Công ty Môi trường đô thị",
                                         "Viện Quy hoạch", "Công ty CP Tư vấn xây dựng", "Công ty Công trình giao thông"]),
]
TOPICS = [
    ("tuyên truyền, phát động phong trào thi đua yêu nước", "Lao động giỏi, lao động sáng tạo"),
    ("tổ chức Tháng Công nhân và Tháng hành động về an toàn, vệ sinh lao động", "Xanh - Sạch - Đẹp, bảo đảm an toàn vệ sinh lao động"),
    ("thi đua “Giỏi việc nước, đảm việc nhà” trong nữ công nhân, viên chức, lao động", "Giỏi việc nước, đảm việc nhà"),
    ("thực hiện phong trào thi đua “Đổi mới, sáng tạo trong dạy và học”", "Đổi mới, sáng tạo trong dạy và học"),
    ("hưởng ứng phong trào “Cả nước chung tay vì người nghèo - Không để ai bị bỏ lại phía sau”", "Cả nước chung tay vì người nghèo - Không để ai bị bỏ lại phía sau"),
    ("tuyên truyền học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh", "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"),
    ("chuyển đổi số trong hoạt động công đoàn", "Chuyển đổi số"),
]
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Vũ Thị Giang",
         "Đỗ Văn Hải", "Bùi Thị Hoa", "Đặng Văn Khoa", "Ngô Thị Lan", "Dương Văn Minh", "Lương Đức Sơn"]


@dataclass
class Plan:
    id: str  # stable id: folder/file stem
    level: str  # province | sector | grassroots
    number: str
    symbol: str  # e.g. KH-LĐLĐ
    issued: tuple[int, int, int]  # y, m, d
    issuer: str
    place: str
    topic: str
    parent: "Plan | None" = None
    text: str = ""
    path: str = ""  # relative path in the archive
    children: list = field(default_factory=list)

    @property
    def ref(self) -> str:
        return f"{self.number}/{self.symbol}"


def _date(d: tuple[int, int, int], style: int) -> str:
    y, m, dd = d
    if style == 0:
        return f"ngày {dd:02d}/{m}/{y}"
    if style == 1:
        return f"ngày {dd:02d}-{m}-{y}"
    return f"ngày {dd:02d} tháng {m} năm {y}"


def _cite(parent: Plan, rng: random.Random, noise: bool, typo: str | None = None, year: int | None = None) -> str:
    number, symbol = parent.number, typo or parent.symbol
    if noise:
        r = rng.random()
        if r < 0.2:
            symbol = symbol.replace("-", "- ", 1)  # "KH- CĐYT"
        elif r < 0.35:
            number = number + " "  # "21 /KH-..."
        elif r < 0.5:
            symbol = symbol.replace("Đ", "D")  # CDYT, LDLD
    d = parent.issued if year is None else (year, parent.issued[1], parent.issued[2])
    issuer = {"province": "Ban Thường vụ LĐLĐ tỉnh", "sector": f"Ban Thường vụ {parent.issuer}",
              "grassroots": f"Ban Chấp hành {parent.issuer}"}[parent.level]
    return (f"Thực hiện Kế hoạch số {number}/{symbol} {_date(d, rng.randrange(3))} của {issuer} "
            f"về {parent.topic} năm {parent.issued[0]}")


def _header(p: Plan, parent_body: str, body: str) -> str:
    y, m, d = p.issued
    left1, left2 = parent_body.upper(), body.upper()
    return (
        f"{left1:<48}CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        f"{left2:<48}Độc lập - Tự do - Hạnh phúc\n"
        f"{'Số: ' + p.number + '/' + p.symbol:<48}{p.place}, ngày {d:02d} tháng {m:02d} năm {y}\n\n"
    )


def _body(p: Plan, rng: random.Random, movement: str, basis: list[str], who: str, report_to: str) -> str:
    y = p.issued[0]
    lines = [
        "KẾ HOẠCH",
        f"{p.topic[0].upper() + p.topic[1:]} năm {y}",
        "",
    ]
    lines += [b + (";" if i < len(basis) - 1 else ",") for i, b in enumerate(basis)]
    lines += [f"{who} xây dựng Kế hoạch thực hiện như sau:", "", "I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích"]
    goals = [
        "- Nâng cao nhận thức của cán bộ, đoàn viên, người lao động về vị trí, ý nghĩa của công tác thi đua, khen thưởng; khơi dậy tinh thần thi đua yêu nước.",
        f"- Đẩy mạnh phong trào thi đua “{movement}”, kịp thời phát hiện, biểu dương, nhân rộng các điển hình tiên tiến.",
        "- Gắn phong trào thi đua với việc thực hiện nhiệm vụ chính trị của cơ quan, đơn vị và chăm lo đời sống đoàn viên.",
        "- Góp phần xây dựng tổ chức công đoàn vững mạnh, xây dựng quan hệ lao động hài hòa, ổn định, tiến bộ.",
    ]
    lines += rng.sample(goals, 3)
    lines += ["2. Yêu cầu",
              "- Công tác tổ chức phải thiết thực, đúng định hướng, phù hợp với điều kiện của từng đơn vị; tránh hình thức, lãng phí.",
              "- Các cấp công đoàn chủ động phối hợp với chuyên môn đồng cấp trong quá trình triển khai.", "",
              "II. NỘI DUNG", "1. Nội dung tuyên truyền"]
    content = [
        "- Tư tưởng thi đua ái quốc của Chủ tịch Hồ Chí Minh; các văn bản của Đảng, Nhà nước và Tổng Liên đoàn về thi đua, khen thưởng.",
        f"- Kết quả phong trào thi đua “{movement}” và các gương điển hình tiên tiến trong năm {y - 1}.",
        "- Các chế độ, chính sách mới liên quan trực tiếp đến quyền, lợi ích hợp pháp, chính đáng của người lao động.",
        "- Mô hình “Tổ công đoàn an toàn” và các sáng kiến, cải tiến kỹ thuật được áp dụng hiệu quả.",
        "- Tiếp tục thực hiện Chỉ thị số 05-CT/TW ngày 15/5/2016 của Bộ Chính trị về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh.",
    ]
    lines += rng.sample(content, 3)
    lines += ["2. Hình thức tuyên truyền",
              "- Qua hội nghị, sinh hoạt công đoàn, pa nô, áp phích, hệ thống loa truyền thanh nội bộ và trang thông tin điện tử.",
              "- Tổ chức các hoạt động văn hóa, thể thao, hội thi tìm hiểu gắn với nội dung thi đua.",
              "3. Thời gian thực hiện",
              f"- Từ ngày {p.issued[2]:02d}/{p.issued[1]}/{y} đến ngày 31/12/{y}.", "",
              "III. TỔ CHỨC THỰC HIỆN",
              f"1. {who.replace(' xây dựng', '')} chỉ đạo, hướng dẫn các đơn vị triển khai Kế hoạch; tổng hợp kết quả, báo cáo {report_to} trước ngày 15/12/{y}.",
              f"2. Các đơn vị trực thuộc xây dựng kế hoạch cụ thể, gửi về Ban Thường vụ trước ngày 30/{min(p.issued[1] + 1, 12)}/{y}; báo cáo sơ kết 6 tháng trước ngày 20/6/{y}.",
              "3. Ban Tuyên giáo chủ trì phối hợp với các ban liên quan theo dõi, đôn đốc, kiểm tra việc thực hiện Kế hoạch.",
              "",
              "Trên đây là Kế hoạch triển khai thực hiện, đề nghị các đơn vị nghiêm túc thực hiện./.", ""]
    signer = rng.choice(NAMES)
    lines += [f"{'Nơi nhận:':<48}TM. BAN THƯỜNG VỤ",
              f"{'- ' + report_to + ' (để b/c);':<48}CHỦ TỊCH",
              "- Các đơn vị trực thuộc (t/h);",
              f"{'- Lưu: VT.':<48}(Đã ký)", "", f"{'':<48}{signer}", ""]
    return "\n".join(lines)


def _province_text(p: Plan, rng: random.Random, movement: str, prov: str, prov_up: str) -> str:
    ubnd_n = rng.randrange(20, 200)
    basis = [
        "Căn cứ Chỉ thị số 34-CT/TW ngày 07/4/2014 của Bộ Chính trị về tiếp tục đổi mới công tác thi đua, khen thưởng",
        "Căn cứ Hướng dẫn số 03/HD-TLĐ ngày 15 tháng 12 năm 2017 của Tổng Liên đoàn Lao động Việt Nam về công tác thi đua, khen thưởng",
        f"Thực hiện Kế hoạch số {ubnd_n}/KH-UBND ngày {p.issued[2]:02d}/{max(1, p.issued[1] - 1)}/{p.issued[0]} của Ủy ban nhân dân tỉnh về phát động phong trào thi đua năm {p.issued[0]}",
    ]
    return _header(p, "TỔNG LĐLĐ VIỆT NAM", f"LIÊN ĐOÀN LAO ĐỘNG TỈNH {prov_up}") + _body(
        p, rng, movement, basis, "Ban Thường vụ Liên đoàn Lao động tỉnh", "Tổng Liên đoàn Lao động Việt Nam")


def _sector_text(p: Plan, rng: random.Random, movement: str, prov_up: str, sector: str, cite: str) -> str:
    basis = [cite, "Căn cứ Hướng dẫn số 03/HD-TLĐ ngày 15/12/2017 của Tổng Liên đoàn Lao động Việt Nam về công tác thi đua, khen thưởng"]
    return _header(p, f"LĐLĐ TỈNH {prov_up}", sector) + _body(p, rng, movement, basis, f"Ban Thường vụ {sector}", "LĐLĐ tỉnh")


def _grassroots_text(p: Plan, rng: random.Random, movement: str, sector: str, prov: str, cite: str) -> str:
    basis = [cite]
    return _header(p, f"{sector} {prov}", p.issuer) + _body(
        p, rng, movement, basis, f"Ban Chấp hành {p.issuer}", sector)


def _add_days(d: tuple[int, int, int], days: int) -> tuple[int, int, int]:
    import datetime as dt

    x = dt.date(*d) + dt.timedelta(days=days)
    return (x.year, x.month, x.day)


def make_chain(rng: random.Random, prov_idx: int, year: int, n_sectors: int, n_grass: int,
               noise: bool = True, used: dict | None = None) -> list[Plan]:
    """One province-year: a province plan, its sector plans, their grassroots plans."""
    used = used if used is not None else {}
    prov, prov_up = PROVINCES[prov_idx % len(PROVINCES)]
    topic, movement = TOPICS[(prov_idx + year) % len(TOPICS)]

    def number(symbol: str, lo: int, hi: int) -> str:
        taken = used.setdefault((prov, symbol, year), set())
        while True:
            n = rng.randrange(lo, hi)
            if n not in taken:
                taken.add(n)
                return f"{n:02d}" if n < 10 and rng.random() < 0.5 else str(n)

    slug = _slug(prov)
    top = Plan(f"{slug}-{year}-ldld", "province", number("KH-LĐLĐ", 40, 400), "KH-LĐLĐ",
               (year, rng.randrange(1, 7), rng.randrange(1, 28)), f"Liên đoàn Lao động tỉnh {prov}", prov, topic)
    top.text = _province_text(top, rng, movement, prov, prov_up)
    plans = [top]
    for s in range(n_sectors):
        sname, ssym, units = SECTORS[s % len(SECTORS)]
        sp = Plan(f"{slug}-{year}-{_slug(ssym)}", "sector", number(f"KH-{ssym}", 10, 300),
                  f"KH-{ssym}", _add_days(top.issued, rng.randrange(3, 25)), sname, prov, topic, parent=top)
        sp.text = _sector_text(sp, rng, movement, prov_up, sname, _cite(top, rng, noise))
        top.children.append(sp)
        plans.append(sp)
        for g in range(n_grass):
            unit = units[g % len(units)] + ("" if g < len(units) else f" số {g // len(units) + 1}")
            gp = Plan(f"{sp.id}-cdcs{g:02d}", "grassroots", number("KH-CĐCS", 1, 900), "KH-CĐCS",
                      _add_days(sp.issued, rng.randrange(2, 30)), f"Công đoàn cơ sở {unit}", prov, topic, parent=sp)
            gp.text = _grassroots_text(gp, rng, movement, sname, prov, _cite(sp, rng, noise))
            sp.children.append(gp)
            plans.append(gp)
    return plans


# ---- broken files --------------------------------------------------------------------------

def _pdf_bytes(text: str) -> bytes | None:
    try:
        from reportlab.lib.pagesizes import A4
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont
        from reportlab.pdfgen import canvas
    except ImportError:
        return _pdf_bytes_pypdf()
    font = "Helvetica"
    for cand in ("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"):
        if os.path.exists(cand):
            try:
                pdfmetrics.registerFont(TTFont("VbDejaVu", cand))
                font = "VbDejaVu"
            except Exception:
                pass
            break
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)  # invariant: no timestamps, same bytes each run
    y = 800
    c.setFont(font, 10)
    for line in text.splitlines():
        if y < 60:
            c.showPage()
            c.setFont(font, 10)
            y = 800
        c.drawString(40, y, line[:110])
        y -= 14
    c.save()
    return buf.getvalue()


def _pdf_bytes_pypdf() -> bytes | None:
    try:
        from pypdf import PdfWriter
    except ImportError:
        return None
    w = PdfWriter()
    w.add_blank_page(595, 842)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def _encrypted_pdf(text: str, password: str) -> bytes | None:
    raw = _pdf_bytes(text)
    if raw is None:
        return None
    try:
        from pypdf import PdfReader, PdfWriter
    except ImportError:
        return None
    w = PdfWriter(clone_from=PdfReader(io.BytesIO(raw)))
    w.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-128")
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def _wrong_encoding(i: int, plan_text: str) -> bytes:
    foreign = [
        ("Настоящим планом определяются задачи профсоюзной организации на год. "
         "Ответственные лица обязаны представить отчет до конца квартала.\n" * 40, "cp1251"),
        ("关于开展劳动竞赛活动的计划，各单位要认真组织实施，按时报送总结报告。\n" * 60, "gbk"),
        ("労働組合の活動計画について、各部署は報告書を提出すること。\n" * 60, "shift_jis"),
    ]
    if i % 4 == 3:  # a UTF-8 plan whose middle was overwritten with bytes that are not UTF-8
        b = bytearray(plan_text.encode("utf-8"))
        mid = len(b) // 2
        b[mid:mid + 400] = bytes((0xC3, 0x28, 0xA0, 0xA1, 0xE2, 0x28, 0xA1, 0xF0) * 50)
        return bytes(b)
    text, enc = foreign[i % 3]
    return text.encode(enc)


def _binary(i: int, rng: random.Random) -> tuple[str, bytes]:
    kinds = [
        ("scan.txt", bytes(rng.randrange(256) for _ in range(4096))),  # random bytes, NULs included
        ("anh-chup.png", b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(2048))),
        ("chuong-trinh.doc", b"\x7fELF\x02\x01\x01\x00" + bytes(2000)),  # an executable with a document's name
        ("du-lieu.txt", b"\x1f\x8b\x08\x00" + bytes(rng.randrange(256) for _ in range(3000))),  # gzip bytes
    ]
    name, data = kinds[i % len(kinds)]
    return name, data


def write_big_text(path: str | Path, mb: int, seed: int = 0) -> None:
    """A valid UTF-8 'plan' of `mb` megabytes (a real plan's body repeated), written in pieces."""
    rng = random.Random(seed)
    plans = make_chain(rng, 0, 2021, 1, 1, noise=False)
    unit = ("\n".join(p.text for p in plans) + "\n").encode("utf-8")
    target = mb * 1024 * 1024
    with open(path, "wb") as f:
        written = 0
        while written < target:
            piece = unit[: target - written]
            f.write(piece)
            written += len(piece)


def build_fixture(dest: str | Path, big_mb: int = 0, seed: int = 7, real: bool = True) -> dict:
    """Write the fixture archive into `dest` and return what is in it (see module doc)."""
    rng = random.Random(seed)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    expected: dict = {"chains": [], "good": [], "duplicates": [], "broken": {}, "unresolved": [], "fuzzy": []}
    used: dict = {}

    def put(rel: str, data: bytes) -> str:
        p = dest / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        return str(p)

    plans: list[Plan] = []
    for pi, year in ((0, 2021), (1, 2022)):
        chain = make_chain(rng, pi, year, n_sectors=3, n_grass=4, used=used)
        plans += chain
    # one typo only fuzzy matching resolves; one right number with the wrong year
    sector = next(p for p in plans if p.level == "sector" and p.symbol == "KH-CĐYT")
    g = sector.children[0]
    typo = sector.symbol.replace("CĐYT", "CĐTY")
    g.text = g.text.replace(_first_cite(g.text), _cite(sector, rng, False, typo=typo))
    expected["fuzzy"].append({"from": g.ref, "to": sector.ref, "cited_as": f"{sector.number}/{typo}"})
    g2 = sector.children[1]
    g2.text = g2.text.replace(_first_cite(g2.text), _cite(sector, rng, False, year=sector.issued[0] - 1))
    expected["unresolved"].append({"from": g2.ref, "cited": sector.ref, "year": sector.issued[0] - 1})
    for p in plans:
        folder = {"province": "1-tinh", "sector": "2-nganh", "grassroots": "3-coso"}[p.level]
        p.path = put(f"{folder}/{p.issued[0]}/{p.id}.txt", p.text.encode("utf-8"))
        expected["good"].append(p.path)
    for p in plans:
        if p.parent is not None and p.id not in (g2.id,):
            expected["chains"].append({"child": p.ref, "parent": p.parent.ref, "child_path": p.path,
                                       "parent_path": p.parent.path, "year": p.issued[0]})
    if real and REAL_PLANS.is_dir():
        for src in sorted(REAL_PLANS.glob("*.txt")):
            expected["good"].append(put(f"4-thuc-te/{src.name}", src.read_bytes()))
    # duplicates: byte copies on disk
    for p in plans[:4]:
        dup = put(f"5-trung-lap/ban-sao-{Path(p.path).name}", p.text.encode("utf-8"))
        expected["duplicates"].append({"copy": dup, "of": p.path})
    # a zip: folders, new plans, duplicates of disk files, a nested zip
    extra = make_chain(rng, 2, 2023, n_sectors=1, n_grass=2, used=used)
    zbuf = io.BytesIO()
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as iz:
        iz.writestr(f"{extra[2].id}.txt", extra[2].text.encode("utf-8"))
    zip_path = dest / "6-nen" / "luu-tru-2023.zip"
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zbuf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"2023/tinh/{extra[0].id}.txt", extra[0].text.encode("utf-8"))
        zf.writestr(f"2023/nganh/{extra[1].id}.txt", extra[1].text.encode("utf-8"))
        zf.writestr(f"2023/coso/{extra[3].id}.txt", extra[3].text.encode("utf-8"))
        zf.writestr("2023/coso/cu-hon.zip", inner.getvalue())
        zf.writestr("ban-sao/" + Path(plans[5].path).name, plans[5].text.encode("utf-8"))
        zf.writestr("ban-sao/" + Path(plans[6].path).name, plans[6].text.encode("utf-8"))
    zip_path.write_bytes(zbuf.getvalue())
    zp = str(zip_path)
    for rel in (f"2023/tinh/{extra[0].id}.txt", f"2023/nganh/{extra[1].id}.txt", f"2023/coso/{extra[3].id}.txt",
                f"2023/coso/cu-hon.zip!/{extra[2].id}.txt"):
        expected["good"].append(f"{zp}!/{rel}")
    for p in (plans[5], plans[6]):
        expected["duplicates"].append({"copy": f"{zp}!/ban-sao/{Path(p.path).name}", "of": p.path})
    expected["chains"] += [
        {"child": extra[1].ref, "parent": extra[0].ref, "child_path": f"{zp}!/2023/nganh/{extra[1].id}.txt",
         "parent_path": f"{zp}!/2023/tinh/{extra[0].id}.txt", "year": 2023},
    ]
    n_good = len(expected["good"]) + len(expected["duplicates"])
    # broken: each kind >= 5 % of all inputs: k >= 0.05 * (good + 5k + big)  <=>  k >= (good + big) / 15
    per_kind = -(-(n_good + (1 if big_mb else 0)) // 15)
    broken: dict[str, list[str]] = {k: [] for k in ("truncated-pdf", "encrypted-pdf", "empty", "binary", "wrong-encoding")}
    for i in range(per_kind):
        src = plans[i % len(plans)]
        raw = _pdf_bytes(src.text)
        if raw is not None:
            broken["truncated-pdf"].append(put(f"7-hong/pdf-cut-{i}.pdf", raw[: max(200, len(raw) * (30 + 10 * (i % 4)) // 100)]))
        enc = _encrypted_pdf(src.text, f"mat-khau-{i}")
        if enc is not None:
            broken["encrypted-pdf"].append(put(f"7-hong/pdf-mat-khau-{i}.pdf", enc))
        broken["empty"].append(put(f"7-hong/rong-{i}.txt", b""))
        name, data = _binary(i, rng)
        broken["binary"].append(put(f"7-hong/nhi-phan-{i}-{name}", data))
        broken["wrong-encoding"].append(put(f"7-hong/sai-ma-{i}.txt", _wrong_encoding(i, src.text)))
    if big_mb:
        big = dest / "7-hong" / f"qua-lon-{big_mb}mb.txt"
        write_big_text(big, big_mb)
        broken["big"] = [str(big)]
    expected["broken"] = {k: v for k, v in broken.items() if v}
    expected["inputs"] = n_good + sum(len(v) for v in expected["broken"].values())
    expected["plans"] = [{"ref": p.ref, "path": p.path, "level": p.level, "issued": "%04d-%02d-%02d" % p.issued,
                          "parent": p.parent.ref if p.parent else None} for p in plans]
    (dest / ".fixture.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1), encoding="utf-8")
    return expected


def _first_cite(text: str) -> str:
    start = text.index("Thực hiện Kế hoạch số")
    end = text.index("\n", start)
    return text[start:end].rstrip(";,")


def _slug(s: str) -> str:
    import unicodedata

    s = s.replace("đ", "d").replace("Đ", "D")
    s = unicodedata.normalize("NFD", s)
    return "".join(c for c in s if unicodedata.category(c) != "Mn").lower().replace(" ", "")


def build_bulk(dest: str | Path, n: int, seed: int = 11, as_zip: bool = False) -> list[str]:
    """`n` clean synthetic text plans in province/year/level folders (or one zip). Returns paths."""
    rng = random.Random(seed)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    used: dict = {}
    out: list[str] = []
    zf = zipfile.ZipFile(dest / "archive.zip", "w", zipfile.ZIP_DEFLATED) if as_zip else None
    k = 0
    try:
        while len(out) < n:
            prov = k % len(PROVINCES)
            year = 2019 + (k // len(PROVINCES)) % 7
            batch = 1000 + k  # keeps ids unique when a province-year comes round again
            for p in make_chain(rng, prov, year, n_sectors=5, n_grass=24, used=used):
                if len(out) >= n:
                    break
                rel = f"{p.id.split('-')[0]}/{year}/{p.level}/{batch}-{p.id}.txt"
                if zf is not None:
                    zf.writestr(rel, p.text.encode("utf-8"))
                    out.append(f"{dest / 'archive.zip'}!/{rel}")
                else:
                    fp = dest / rel
                    fp.parent.mkdir(parents=True, exist_ok=True)
                    fp.write_bytes(p.text.encode("utf-8"))
                    out.append(str(fp))
            k += 1
    finally:
        if zf is not None:
            zf.close()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fixture", help="the small messy archive")
    f.add_argument("dest")
    f.add_argument("--big-mb", type=int, default=0, help="also write one text of this many MB")
    f.add_argument("--seed", type=int, default=7)
    b = sub.add_parser("bulk", help="N clean synthetic plans")
    b.add_argument("dest")
    b.add_argument("-n", type=int, default=5000)
    b.add_argument("--seed", type=int, default=11)
    b.add_argument("--zip", action="store_true", help="one zip instead of folders")
    a = ap.parse_args(argv)
    if a.cmd == "fixture":
        if Path(a.dest).exists():
            shutil.rmtree(a.dest)
        exp = build_fixture(a.dest, big_mb=a.big_mb, seed=a.seed)
        print(f"{a.dest}: {exp['inputs']} inputs, broken: " +
              ", ".join(f"{k} {len(v)}" for k, v in exp["broken"].items()))
    else:
        paths = build_bulk(a.dest, a.n, seed=a.seed, as_zip=a.zip)
        print(f"{a.dest}: {len(paths)} plans")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
