"""Parity: the same plan as .txt, .docx, .pdf and .html must give the same record.

Fixtures are generated once per session by corpora/tools/make_parity.py into a temporary
directory (why not committed: see that script's docstring). What is compared: header,
references, dates, deadlines and movements, by value (offsets differ by format and are left
out); sections too, except on the OCR path. The OCR path is scored separately (F1 printed and
held to a floor) because Tesseract misreads some diacritics by design.
Skips happen only when a system tool is absent: DejaVu fonts, LibreOffice, poppler, Tesseract.
"""
from __future__ import annotations

import difflib
import importlib.util
import json
import shutil
import sys
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path

import pytest

import vbparse
from vbparse.read import read_path

ROOT = Path(__file__).resolve().parents[1]
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")


def _make_parity():
    spec = importlib.util.spec_from_file_location("make_parity", ROOT / "corpora" / "tools" / "make_parity.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up while the class is built
    spec.loader.exec_module(mod)
    return mod


MP = _make_parity()
STEMS = [stem for stem, _ in MP.SETS]
OPTS = dict(MP.SETS)


@pytest.fixture(scope="session")
def parity(tmp_path_factory) -> Path:
    if not FONT.exists():
        pytest.skip("fonts-dejavu-core not installed (Vietnamese glyphs for the generated PDFs): scripts/install-system-deps.sh")
    out = tmp_path_factory.mktemp("parity")
    MP.main(["--out", str(out)])
    return out


# ------------------------------------------------------------------ what "the same record" means

# Fields compared per item: everything but offsets. Strings are compared with whitespace
# folded: a citation "as written" inside a title wraps where the PDF page wraps it.
OFFSETS = {"start", "end"}


def _v(v):
    return " ".join(v.split()) if isinstance(v, str) else v


def _items(rec: dict, field: str) -> list[str]:
    return sorted(json.dumps({k: _v(v) for k, v in it.items() if k not in OFFSETS}, ensure_ascii=False, sort_keys=True)
                  for it in rec.get(field) or [])


def record(path: Path, *, sections: bool = True) -> dict:
    rec = vbparse.parse(str(path)).to_dict()
    out = {"header": rec["header"]}
    for f in ("references", "dates", "deadlines", "movements") + (("sections",) if sections else ()):
        out[f] = _items(rec, f)
    return out


def assert_same(ref: dict, got: dict, what: str) -> None:
    problems = []
    for field in ref:
        if ref[field] == got[field]:
            continue
        if field == "header":
            diff = {k: (ref[field].get(k), got[field].get(k)) for k in ref[field] if ref[field].get(k) != got[field].get(k)}
            problems.append(f"header differs (txt, {what}): {diff}")
        else:
            a, b = Counter(ref[field]), Counter(got[field])
            problems.append(f"{field}: only in txt {sorted((a - b).elements())}; only in {what} {sorted((b - a).elements())}")
    assert not problems, "\n".join(problems)


CASES = [(stem, suffix) for stem in STEMS for suffix in (".docx", ".pdf", ".html")]
CASES += [(stem, ".tcvn3.docx") for stem in STEMS if OPTS[stem].get("tcvn3")]
CASES += [(stem, ".lo.pdf") for stem in STEMS if OPTS[stem].get("lo")]


@pytest.mark.parametrize("stem,suffix", CASES, ids=[f"{s[:28]}{x}" for s, x in CASES])
def test_record_equals_txt(parity, stem, suffix):
    f = parity / f"{stem}{suffix}"
    if suffix == ".lo.pdf" and not f.exists():
        pytest.skip("LibreOffice (soffice) not installed: apt-get install libreoffice-writer-nogui")
    ref = record(parity / f"{stem}.txt")
    assert ref["references"] or ref["dates"], "the .txt gives nothing to compare: finders missing?"
    assert_same(ref, record(f), suffix)


@pytest.mark.parametrize("suffix", [".docx", ".html", ".pdf"])
def test_text_matches_the_clean_txt(parity, suffix):
    """Stronger than the record: the text itself. DOCX and HTML carry the paragraphs, so they
    must match exactly; a PDF only has lines, and its title wraps where the page wraps it."""
    for stem in STEMS:
        ref = (parity / f"{stem}.txt").read_text(encoding="utf-8")
        got = read_path(parity / f"{stem}{suffix}").text
        if suffix == ".pdf":
            ratio = difflib.SequenceMatcher(None, ref.split(), got.split(), autojunk=False).ratio()
            assert ratio > 0.995, f"{stem}: word similarity {ratio:.4f}"
            assert " ".join(ref.split()[:40]) == " ".join(got.split()[:40]), "header out of order"
        else:
            assert got == ref, f"{stem}{suffix}: " + "\n".join(difflib.unified_diff(ref.splitlines(), got.splitlines(), lineterm="", n=0))


def test_pdf_drops_page_numbers_and_running_footer(parity):
    stem = STEMS[1]  # three pages
    ext = read_path(parity / f"{stem}.pdf")
    assert ext.pages == 3
    footer = MP.load(stem).issuer[-1] + " - KẾ HOẠCH"
    assert footer not in ext.text
    assert not [ln for ln in ext.text.splitlines() if ln.strip().isdigit()], "a page number survived"


def test_pdf_joins_paragraphs_across_pages(parity):
    """cdyt's source has "phong trào thi" | page 2 | "đua của ngành": one paragraph again."""
    stem = "a-cd-cdyt-thaibinh-2021-tuyen-truyen-thi-dua"
    text = read_path(parity / f"{stem}.pdf").text
    assert "trong phong trào thi đua của ngành, nhất là" in text


def test_bold_spans_mark_headings(parity):
    for suffix in (".pdf", ".docx", ".html"):
        ext = read_path(parity / f"{STEMS[0]}{suffix}")
        bold = [ext.text[a:b] for a, b in ext.bold]
        assert "I. MỤC ĐÍCH, YÊU CẦU" in bold and "KẾ HOẠCH" in bold, (suffix, bold)
        assert all("\n" not in b for b in bold)


def test_docx_auto_numbering_is_reconstructed(parity):
    """The markers are in numbering.xml, not in the paragraphs: the text must still have them."""
    stem = STEMS[0]
    xml = zipfile.ZipFile(parity / f"{stem}.docx").read("word/document.xml").decode()
    assert "<w:numPr>" in xml and ">II. NỘI DUNG" not in xml
    text = read_path(parity / f"{stem}.docx").text
    for marker in ("I. MỤC ĐÍCH, YÊU CẦU", "II. NỘI DUNG TUYÊN TRUYỀN", "III. TỔ CHỨC THỰC HIỆN",
                   "2. Gương điển hình tiên tiến", "a) Xây dựng kế hoạch", "c) Báo cáo kết quả"):
        assert f"\n{marker}" in text, marker


def test_tcvn3_docx_is_decoded_with_a_warning(parity):
    stem = next(s for s in STEMS if OPTS[s].get("tcvn3"))
    raw = zipfile.ZipFile(parity / f"{stem}.tcvn3.docx").read("word/document.xml").decode()
    assert "KÕ ho¹ch" in raw and ".VnTimeH" in raw and "hoạch" not in raw  # really TCVN3, capitals in the H font
    ext = read_path(parity / f"{stem}.tcvn3.docx")
    assert ext.text == (parity / f"{stem}.txt").read_text(encoding="utf-8")
    assert any("tcvn3" in w for w in ext.warnings)


def test_nfd_pdf_comes_out_nfc(parity):
    stem = next(s for s in STEMS if OPTS[s].get("nfd"))
    import pdfplumber

    with pdfplumber.open(parity / f"{stem}.pdf") as pdf:
        raw = pdf.pages[0].extract_text()
    assert not unicodedata.is_normalized("NFC", raw), "fixture is not NFD: the test proves nothing"
    text = read_path(parity / f"{stem}.pdf").text
    assert unicodedata.is_normalized("NFC", text) and "Số: 152/KH-UBND" in text


def test_table_rows_reach_the_text(parity):
    stem = "x-cd-thbinhminh-2025-thang-cong-nhan"
    row = "Lập danh sách đoàn viên có hoàn cảnh khó khăn | Các tổ công đoàn | trước ngày 31/3/2025"
    for suffix in (".pdf", ".docx", ".html"):
        assert f"\n{row}\n" in read_path(parity / f"{stem}{suffix}").text, suffix


def test_cli_text_prints_exactly_the_extracted_text(parity):
    import subprocess

    for suffix in (".pdf", ".docx"):
        f = parity / f"{STEMS[0]}{suffix}"
        r = subprocess.run([sys.executable, "-m", "vbparse.cli", "text", str(f)], capture_output=True, timeout=120)
        assert r.returncode == 0, r.stderr
        assert r.stdout.decode("utf-8") == read_path(f).text


# ------------------------------------------------------------------ OCR path, scored apart

def _f1(ref: list, got: list) -> float:
    a, b = Counter(ref), Counter(got)
    tp = sum((a & b).values())
    if not a and not b:
        return 1.0
    p = tp / max(1, sum(b.values()))
    r = tp / max(1, sum(a.values()))
    return 0.0 if not tp else 2 * p * r / (p + r)


def test_ocr_scanned_pdf(parity, capsys):
    stem = next(s for s in STEMS if OPTS[s].get("scan"))
    f = parity / f"{stem}.scan.pdf"
    if not f.exists():
        pytest.skip("pdftoppm not installed (poppler-utils): scanned fixture not built")
    if not shutil.which("tesseract"):
        pytest.skip("tesseract not installed: apt-get install tesseract-ocr tesseract-ocr-vie")
    ref = vbparse.parse(str(parity / f"{stem}.txt")).to_dict()
    doc = vbparse.parse(str(f))
    got = doc.to_dict()
    assert any("OCR" in w and "confidence" in w for w in doc.source.warnings), doc.source.warnings
    dates = _f1([d["date"] for d in ref["dates"]], [d["date"] for d in got["dates"]])
    refs = _f1([r["key"] or r["text"] for r in ref["references"]], [r["key"] or r["text"] for r in got["references"]])
    both = _f1([("d", d["date"]) for d in ref["dates"]] + [("r", r["key"] or r["text"]) for r in ref["references"]],
               [("d", d["date"]) for d in got["dates"]] + [("r", r["key"] or r["text"]) for r in got["references"]])
    words = _f1((parity / f"{stem}.txt").read_text(encoding="utf-8").split(), doc.text.split())
    with capsys.disabled():
        print(f"\nOCR {f.name}: F1 dates {dates:.3f}, references {refs:.3f}, dates+references {both:.3f}, "
              f"words {words:.3f}; {[w for w in doc.source.warnings if 'OCR' in w][0]}")
    assert both >= 0.8
    assert words >= 0.9


# ------------------------------------------------------------------ legacy fonts, small fixtures

def _encoder(table: str):
    """Unicode -> legacy surface text, the inverse of viparse's table (longest first)."""
    import importlib

    entries = importlib.import_module(f"viparse.normalize.{table}")._ENTRIES
    inv = {dst: src for src, dst in entries}
    return lambda text: "".join(inv.get(ch, ch) for ch in text)


LEGACY_LINES = [  # (font as the PDF/DOCX names it, text it must read as)
    (".VnTimeH", "KẾ HOẠCH"),
    (".VnTime", "Căn cứ Kế hoạch số 129/KH-LĐLĐ ngày 02/7/2021 của Ban Thường vụ Liên đoàn Lao động tỉnh"),
    ("VNI-Times", "Thực hiện Quyết định số 2151/QĐ-BYT ngày 04/6/2015 của Bộ Y tế về đổi mới phong cách"),
]


def _encode(font: str, text: str) -> str:
    if font.startswith("VNI"):
        return _encoder("vni")(text)
    return _encoder("tcvn3")(text.lower() if font.endswith("H") else text)


def test_legacy_font_pdf(tmp_path):
    """A PDF whose fonts are named .VnTime/.VnTimeH/VNI-Times and whose text layer holds the
    legacy codes (made by drawing the codes with DejaVu and renaming the fonts)."""
    if not FONT.exists():
        pytest.skip("fonts-dejavu-core not installed")
    import pypdf
    from pypdf.generic import NameObject
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    # One face per legacy font: reportlab shares one subset between names of the same file.
    faces = ["DejaVuSerif", "DejaVuSerif-Bold", "DejaVuSans"]
    src = tmp_path / "draw.pdf"
    c = canvas.Canvas(str(src), invariant=1)
    y = 760
    for face, (font, text) in zip(faces, LEGACY_LINES):
        pdfmetrics.registerFont(TTFont(f"L-{face}", str(FONT.parent / f"{face}.ttf")))
        c.setFont(f"L-{face}", 12)
        c.drawString(72, y, _encode(font, text))
        y -= 20
    c.save()
    rename = {face: font for face, (font, _) in zip(faces, LEGACY_LINES)}
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(src))
    for ref in writer.pages[0]["/Resources"]["/Font"].values():
        f = ref.get_object()
        face = str(f["/BaseFont"]).split("+")[-1]
        if face in rename:
            new = NameObject(f"/ABCDEF+{rename[face]}")
            f[NameObject("/BaseFont")] = new
            f["/FontDescriptor"].get_object()[NameObject("/FontName")] = new
    out = tmp_path / "legacy.pdf"
    with open(out, "wb") as fh:
        writer.write(fh)
    ext = read_path(out)
    for _, text in LEGACY_LINES:
        assert text in ext.text, ext.text
    assert any("tcvn3" in w and "vni" in w for w in ext.warnings), ext.warnings


def test_vni_docx(tmp_path):
    import docx

    d = docx.Document()
    for font, text in LEGACY_LINES:
        r = d.add_paragraph().add_run(_encode(font, text))
        r.font.name = font
    f = tmp_path / "vni.docx"
    d.save(f)
    ext = read_path(f)
    assert [ln for ln in ext.text.splitlines() if ln] == [t for _, t in LEGACY_LINES]
    assert any("vni" in w for w in ext.warnings)


def test_html_legacy_font_face_and_legacy_page():
    from vbparse.read import read_bytes

    body = LEGACY_LINES[1][1]
    tcvn3 = _encoder("tcvn3")
    page = f'<html><head><meta charset="utf-8"></head><body><p><font face=".VnTime">{tcvn3(body)}</font></p><p>Dòng Unicode.</p></body></html>'
    ext = read_bytes(page.encode("utf-8"), "face.html")
    assert ext.text == f"{body}\n\nDòng Unicode.\n" and any("tcvn3" in w for w in ext.warnings)
    # A whole page saved in TCVN3 bytes: decoded once, the .VnTime face must not decode it again.
    page = f'<html><body><p>{tcvn3(body)}</p><p><font face=".VnTime">{tcvn3("Kế hoạch")}</font></p></body></html>'
    ext = read_bytes(page.encode("latin-1"), "legacy.html")
    assert ext.text == f"{body}\n\nKế hoạch\n" and ext.encoding == "tcvn3"
