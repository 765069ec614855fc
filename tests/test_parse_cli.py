"""`vbparse parse` as users run it: several files, stdin, --fields, and bad input of every kind."""
from __future__ import annotations

import codecs
import json
import subprocess
import sys
from pathlib import Path

import pytest

import vbparse
from vbparse.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "corpora" / "plans" / "a-cd-ldld-thaibinh-2021-tuyen-truyen-thi-dua.txt"


def run(*args, stdin: bytes | None = None):
    return subprocess.run([sys.executable, "-m", "vbparse.cli", *map(str, args)], input=stdin,
                          capture_output=True, timeout=120)


def test_parse_prints_one_contract_record():
    r = run("parse", PLAN)
    assert r.returncode == 0, r.stderr
    rec = json.loads(r.stdout)
    assert rec["schema_version"] == "1" and rec["source"]["path"].endswith(PLAN.name)
    assert rec["header"]["symbol"] == "KH-LĐLĐ"


def test_several_files_give_json_lines_and_fields_filter(tmp_path):
    r = run("parse", PLAN, PLAN, "--fields", "header,deadlines")
    lines = r.stdout.decode().splitlines()
    assert r.returncode == 0 and len(lines) == 2
    assert set(json.loads(lines[0])) == {"schema_version", "header", "deadlines"}


def test_stdin_dash():
    r = run("parse", "-", "--pretty", stdin=PLAN.read_bytes())
    assert r.returncode == 0
    rec = json.loads(r.stdout)
    assert rec["source"]["path"] is None and rec["header"]["number"] == "129"
    assert r.stdout.decode().startswith("{\n")


def _file(d: Path, name: str, data: bytes) -> Path:
    (d / name).write_bytes(data)
    return d / name


@pytest.mark.parametrize("make,cause", [
    (lambda d: d / "missing.txt", "no such file"),
    (lambda d: d, "is a directory"),
    (lambda d: _file(d, "empty.txt", b""), "empty file"),
    (lambda d: _file(d, "junk.txt", bytes(range(256)) * 40), "binary"),
    (lambda d: _file(d, "pic.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64), "image"),
])
def test_bad_input_one_line_nonzero_no_traceback(tmp_path, make, cause):
    path = make(tmp_path)
    r = run("parse", path)
    err = r.stderr.decode().strip()
    assert r.returncode != 0
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert str(path) in err and cause in err
    assert r.stdout == b""


def test_a_bad_file_among_good_ones_keeps_the_good_output(tmp_path):
    r = run("parse", PLAN, tmp_path / "nope.txt", PLAN)
    assert r.returncode == 1
    assert len(r.stdout.decode().splitlines()) == 2
    assert "nope.txt: no such file" in r.stderr.decode()


def test_news_article_is_a_valid_record_with_a_warning():
    news = ("Hà Nội, 12/3 - Giá vàng hôm nay tiếp tục tăng mạnh. Các chuyên gia cho rằng nhu cầu "
            "mua vàng tích trữ vẫn ở mức cao trong bối cảnh thị trường biến động.\n") * 5
    doc = vbparse.parse(news)
    d = doc.to_dict()
    assert d["sections"] == [] and d["references"] == [] and d["header"]["doc_type"] is None
    assert any("does not look like" in w for w in d["source"]["warnings"])


@pytest.mark.parametrize("encoding,bom", [("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", b"")])
def test_unicode_encodings_decode_to_the_same_record(tmp_path, encoding, bom):
    text = PLAN.read_text(encoding="utf-8")
    p = tmp_path / f"plan-{encoding}.txt"
    p.write_bytes(bom + text.encode(encoding))
    a, b = vbparse.parse(PLAN).to_dict(), vbparse.parse(p).to_dict()
    for key in ("header", "references", "dates", "deadlines", "movements", "sections"):
        assert a[key] == b[key]
    assert b["source"]["encoding"].startswith(("utf-8", "utf-16"))


def test_nfd_input_is_normalised_and_offsets_follow_nfc(tmp_path):
    import unicodedata

    text = PLAN.read_text(encoding="utf-8")
    p = tmp_path / "nfd.txt"
    p.write_text(unicodedata.normalize("NFD", text), encoding="utf-8")
    a, b = vbparse.parse(PLAN).to_dict(), vbparse.parse(p).to_dict()
    assert a["references"] == b["references"] and a["dates"] == b["dates"]


def test_legacy_encodings_in_the_corpus_are_detected_and_warned():
    table = (ROOT / "corpora" / "plans" / "ENCODINGS.tsv").read_text(encoding="utf-8").split("\n")
    seen = {}
    for line in filter(None, table):
        stem, enc = line.split("\t")[:2]
        doc = vbparse.parse(ROOT / "corpora" / "plans" / f"{stem}.txt")
        seen[enc] = doc.source.encoding
        assert doc.source.warnings, stem  # never a silent conversion
        assert doc.header.doc_type is not None and "Kế hoạch" in (doc.header.doc_type_name or "") or doc.header.doc_type
    assert seen.get("tcvn3") == "tcvn3" and seen.get("vni") == "vni" and seen.get("cp1258") == "cp1258"


def test_library_raises_input_error_with_path_and_cause(tmp_path):
    with pytest.raises(InputError) as e:
        vbparse.parse(tmp_path / "nothing.pdf")
    assert str(e.value) == f"{tmp_path / 'nothing.pdf'}: no such file"


def test_foreign_legacy_text_is_refused_not_mojibaked():
    ru = ("Президент подписал указ о праздновании. Это важное событие для страны. " * 20).encode("cp1251")
    zh = ("国务院关于加强政府工作的通知，各省、自治区、直辖市人民政府。" * 20).encode("gbk")
    for data in (ru, zh):
        with pytest.raises(InputError, match="no Vietnamese legacy encoding fits"):
            vbparse.parse(data, path="foreign.txt")


def test_utf8_with_a_damaged_stretch_stays_utf8():
    plan = PLAN.read_bytes()
    damaged = plan[:2000] + bytes(range(128, 228)) + plan[2100:]
    doc = vbparse.parse(damaged, path="damaged.txt")
    assert doc.source.encoding == "utf-8"
    assert any("U+FFFD" in w for w in doc.source.warnings)
    assert doc.header.symbol == vbparse.parse(PLAN).header.symbol
