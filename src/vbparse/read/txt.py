"""Bytes of a plain-text plan -> Unicode text, naming the encoding it came from.

Order matters: BOMs are certain, UTF-8 that decodes strictly is almost certain, and only
then do we score the legacy Vietnamese encodings (cp1258, TCVN3/ABC, VNI, VISCII) by how
Vietnamese each decoding reads. Legacy tables come from `viparse` (MIT): no stdlib codec
exists for TCVN3 or VNI, and their bytes surface as Latin-1 code points in those tables.
"""
from __future__ import annotations

import codecs
import unicodedata

import regex

from ..errors import InputError

LEGACY = ("tcvn3", "vni", "viscii")

# Letters that exist only in Vietnamese: a decoding that yields many of them per word is right.
_VIET = regex.compile(r"[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", regex.I)
_WORD = regex.compile(r"\p{L}+")
# Frequent Vietnamese syllables: legacy text read as Latin-1 has almost none of them.
_COMMON = frozenset(
    "và của các có được trong cho này với là một những để về theo không người năm ngày tháng "
    "thực hiện kế hoạch công đoàn thi đua phong trào tổ chức ban nhân dân tỉnh huyện xã số".split()
)


def _score(text: str) -> float:
    words = _WORD.findall(text[:20000].lower())
    if not words:
        return 0.0
    common = sum(1 for w in words if w in _COMMON)
    viet = len(_VIET.findall(text[:20000]))
    # Mojibake scores on neither; 0.5 weight keeps accented letters from outvoting real words.
    return (common + 0.5 * min(viet, len(words))) / len(words)


def _looks_utf16(data: bytes) -> str | None:
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even_nul = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd_nul = sample[1::2].count(0) / max(1, len(sample[1::2]))
    if odd_nul > 0.3 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.3 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def _latin1_fallback(err: UnicodeDecodeError):
    return err.object[err.start:err.end].decode("latin-1"), err.end


codecs.register_error("vbparse-latin1", _latin1_fallback)


def _surface(data: bytes) -> str:
    """Legacy-font documents are Windows text: letters in 0xA0-0xFF, but curly quotes and dashes
    are cp1252's 0x93/0x94/0x96. Read cp1252, falling back to Latin-1 for its five holes."""
    return data.decode("cp1252", errors="vbparse-latin1")


def _legacy(text_latin1: str, name: str) -> str:
    import viparse

    return viparse.fix(text_latin1, encoding=name, normalize="NFC")


def decode_bytes(data: bytes, path: object = None) -> tuple[str, str, list[str]]:
    """Return (NFC text, encoding name, warnings). Raises InputError for binary data."""
    warnings: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        text, enc = data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, enc = data.decode("utf-16", errors="replace"), "utf-16"
        warnings.append("decoded from UTF-16")
    elif (u16 := _looks_utf16(data)) is not None:
        text, enc = data.decode(u16, errors="replace"), u16
        warnings.append(f"decoded from {u16.upper()} without a byte-order mark")
    else:
        if b"\x00" in data[:8000]:
            raise InputError(path, "binary data, not text (NUL bytes)")
        try:
            text, enc = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            mostly = data.decode("utf-8", errors="replace")
            bad = mostly.count("\ufffd")
            good = sum(1 for ch in mostly if ch > "\x7f") - bad
            if bad and good >= 4 * bad:
                # a UTF-8 file with a few damaged bytes stays UTF-8: a legacy table would garble it all
                text, enc = mostly, "utf-8"
                warnings.append(f"{bad} undecodable bytes in UTF-8 text replaced by U+FFFD")
            else:
                text, enc = _best_legacy(data, path)
                warnings.append(f"decoded from legacy encoding {enc}; check the text (vbparse text FILE)")
        else:
            # UTF-8 that is really TCVN3/VNI read once as Latin-1 and saved again (mojibake).
            if _score(text) < 0.08 and regex.search(r"[\u00a1-\u00ff]{1}", text):
                fixed, name = _best_of(text)
                if name and _score(fixed) > _score(text) + 0.15:
                    text, enc = fixed, f"utf-8+{name}"
                    warnings.append(f"text was {name} mojibake stored as UTF-8; converted")
    if "\ufffd" in text and not any("U+FFFD" in w for w in warnings):
        warnings.append("undecodable bytes replaced by U+FFFD")
    text = unicodedata.normalize("NFC", text)
    if _control_ratio(text) > 0.02:
        raise InputError(path, "binary data, not text (control characters)")
    return text, enc, warnings


def _control_ratio(text: str) -> float:
    sample = text[:8000]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f\v")
    return bad / len(sample)


def _best_of(text_latin1: str) -> tuple[str, str | None]:
    best, best_name, best_score = text_latin1, None, _score(text_latin1)
    for name in LEGACY:
        try:
            cand = _legacy(text_latin1, name)
        except Exception:  # a table that cannot convert this text is simply not the answer
            continue
        s = _score(cand)
        if s > best_score:
            best, best_name, best_score = cand, name, s
    return best, best_name


def _best_of_bytes(data: bytes) -> list[tuple[float, str, str]]:
    out = []
    latin = _surface(data)
    for name in LEGACY:
        try:
            cand = _legacy(latin, name)
        except Exception:
            continue
        out.append((_score(cand), name, cand))
    try:
        cand = unicodedata.normalize("NFC", data.decode("cp1258"))
        out.append((_score(cand), "cp1258", cand))
    except UnicodeDecodeError:
        pass
    return out


def _best_legacy(data: bytes, path: object) -> tuple[str, str]:
    scored = _best_of_bytes(data)
    if not scored:
        raise InputError(path, "not UTF-8 and no Vietnamese legacy encoding fits")
    score, name, text = max(scored)
    # Foreign text (Russian, Chinese) pushed through a VNI table comes out full of accented letters
    # but with almost none of the commonest Vietnamese words: those decide.
    if score < 0.05 or _common_ratio(text) < 0.04:
        raise InputError(path, "not UTF-8 and no Vietnamese legacy encoding fits (foreign text or binary data?)")
    return text, name


def _common_ratio(text: str) -> float:
    words = _WORD.findall(text[:20000].lower())
    return sum(1 for w in words if w in _COMMON) / len(words) if words else 0.0
