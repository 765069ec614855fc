"""Make the legacy-encoded and non-NFC plan texts of the gold corpus (part B) from UTF-8 NFC text.

usage:
  python corpora/tools/encode_legacy.py SRC.txt [SRC.txt ...]
      SRC is a UTF-8 NFC text named <stem>.txt whose stem is listed in TARGETS below; writes
      corpora/plans/<stem>.txt in the target encoding, records it in corpora/plans/ENCODINGS.tsv
      and checks that the file decodes (the way corpora/tools/locate.py reads it) back to SRC exactly.
  python corpora/tools/encode_legacy.py --check
      for every stem in TARGETS: decode the file as locate.py does, re-encode it, and check that the
      bytes are unchanged and that ENCODINGS.tsv lists the right encoding (rerunnable, no sources needed).

Encodings:
  tcvn3   TCVN 5712 VN3 (ABC, .VnTime fonts): one byte per letter. The table is the inverse of
          viparse's TCVN3 charmap (viparse.normalize.tcvn3); TCVN3 has no upper-case toned letters
          (only Ă Â Ê Ô Ơ Ư Đ), so the source must not contain any (.VnTimeH text is not modelled).
  vni     VNI-Windows (VNI-Times fonts): base letter + mark byte(s); inverse of viparse's VNI charmap.
          viparse has no entry for ẳ/Ẳ, so the source must avoid them. í ì Í Ì are written as
          the single bytes VNI fonts use (0xED 0xEC 0xCD 0xCC), not viparse's derived i + mark.
  cp1258  Windows-1258 with decomposed tone marks: Â Ê Ô Ơ Ư Ă Đ precomposed (the code page has
          them), every tone mark (grave, acute, tilde, hook, dot below) as a separate combining byte.
  utf-16  UTF-16 with BOM (Python's "utf-16" codec; little-endian here).
  nfd     UTF-8 in Unicode NFD (decomposed, as saved by some Mac/Word tools). Not listed in
          ENCODINGS.tsv because it is UTF-8; locate.py and the parser must NFC-normalise.

TCVN3 and VNI files are written through cp1252, so the curly quotes and dashes of the source are the
cp1252 bytes 0x93/0x94/0x96 a Word document in a .VnTime/VNI font produces. A reader must decode those
files as cp1252 (not latin-1: latin-1 turns 0x93/0x94 into C1 control characters that viparse strips)
before viparse.fix(text, encoding=...). viparse.fix also collapses runs of horizontal whitespace,
strips each line, caps blank-line runs at one empty line and strips leading/trailing newlines, so the
sources of these two encodings are written "clean" (no double spaces, no trailing blanks, no final
newline) and the decoded text equals the source character for character.
"""
from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLANS = ROOT / "plans"
TABLE = PLANS / "ENCODINGS.tsv"

sys.path.insert(0, str(Path(__file__).resolve().parent))
import locate  # noqa: E402  (the reader whose output the gold offsets refer to)

TARGETS = {
    "b-ubnd-yenthanh-2011-nong-thon-moi": "tcvn3",
    "b-ubnd-luonghoalac-2017-giam-ngheo": "vni",
    "b-ubnd-phuongtanan-2019-van-hoa-cong-so": "cp1258",
    "b-sgd-phuyen-2024-thi-dua-nganh-giao-duc": "utf-16",
    "b-dang-huyenuy-krongpac-2023-dan-van-kheo": "nfd",
}
LISTED = {"tcvn3", "vni", "cp1258", "utf-16"}  # the ones ENCODINGS.tsv records

TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def _inverse(charmap) -> dict[str, str]:
    inv: dict[str, str] = {}
    for legacy, uni in charmap.pairs:
        if uni in inv:
            raise ValueError(f"{charmap.name}: {uni!r} has two legacy forms")
        inv[uni] = legacy
    return inv


def _legacy_encode(text: str, name: str) -> bytes:
    from viparse.normalize.encodings import get_charmap

    charmap = get_charmap(name)
    inv = _inverse(charmap)
    if name == "vni":
        # VNI-Windows stores í ì Í Ì as the single bytes 0xED 0xEC 0xCD 0xCC (viparse passes them
        # through); its i + mark entries (iù, iø, ...) are derived, not what VNI fonts write.
        for ch in "íìÍÌ":
            inv.pop(ch, None)
    surface_chars = {ch for legacy, _ in charmap.pairs for ch in legacy if ord(ch) > 127}
    out = []
    for i, ch in enumerate(text):
        if ch in inv:
            out.append(inv[ch])
        elif ord(ch) < 128 or (ch not in surface_chars and ch in "“”‘’–—…íìÍÌ"):
            out.append(ch)
        else:
            line = text.count("\n", 0, i) + 1
            raise ValueError(f"{name} cannot encode {ch!r} (U+{ord(ch):04X}) on line {line}")
    return "".join(out).encode("cp1252")


def _cp1258_encode(text: str) -> bytes:
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


def encode(text: str, enc: str) -> bytes:
    if enc in ("tcvn3", "vni"):
        return _legacy_encode(text, enc)
    if enc == "cp1258":
        return _cp1258_encode(text)
    if enc == "utf-16":
        return text.encode("utf-16")
    if enc == "nfd":
        return unicodedata.normalize("NFD", text).encode("utf-8")
    raise ValueError(enc)


def _read_table() -> dict[str, str]:
    rows: dict[str, str] = {}
    if TABLE.exists():
        for line in TABLE.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 2 and parts[0] and not parts[0].startswith("#") and parts[0] != "stem":
                rows[parts[0]] = parts[1]
    return rows


def _write_table(rows: dict[str, str]) -> None:
    lines = [f"{s}\t{e}" for s, e in sorted(rows.items())]
    TABLE.write_text("\n".join(lines) + "\n", encoding="utf-8")


def make(src: Path) -> None:
    stem = src.stem
    enc = TARGETS[stem]
    text = src.read_text(encoding="utf-8")
    if not unicodedata.is_normalized("NFC", text):
        raise ValueError(f"{src}: source is not NFC")
    rows = _read_table()
    if enc in LISTED:
        rows[stem] = enc
    else:
        rows.pop(stem, None)
    _write_table(rows)
    (PLANS / f"{stem}.txt").write_bytes(encode(text, enc))
    back = locate.source_text(stem)
    if back != text:
        n = next((i for i, (a, b) in enumerate(zip(back, text)) if a != b), min(len(back), len(text)))
        raise SystemExit(f"{stem}: decoded text differs from source at char {n}: "
                         f"{back[n - 20:n + 20]!r} vs {text[n - 20:n + 20]!r}")
    print(f"{stem}: {enc}, {len(text)} chars, {(PLANS / f'{stem}.txt').stat().st_size} bytes, round trip OK")


def check() -> int:
    rows = _read_table()
    bad = 0
    for stem, enc in TARGETS.items():
        if not (PLANS / f"{stem}.txt").exists():
            print(f"{stem}: {enc}: missing")
            bad += 1
            continue
        raw = (PLANS / f"{stem}.txt").read_bytes()
        text = locate.source_text(stem)
        problems = []
        if encode(text, enc) != raw:
            problems.append("re-encoding the decoded text does not reproduce the file")
        if enc in LISTED and rows.get(stem) != enc:
            problems.append(f"ENCODINGS.tsv says {rows.get(stem)!r}")
        if enc == "nfd" and (raw.decode("utf-8") == text or stem in rows):
            problems.append("expected an unlisted UTF-8 NFD file")
        print(f"{stem}: {enc}: " + ("; ".join(problems) if problems else "OK"))
        bad += bool(problems)
    return 1 if bad else 0


def main(argv: list[str]) -> int:
    if not argv or argv == ["--check"]:
        return check()
    for a in argv:
        make(Path(a))
    return check()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
