"""Upper-case header lines -> body names in normal case ("CĐ NGÀNH Y TẾ" -> "Công đoàn ngành Y tế").

Vietnamese capitalises the first word of a body's name, the words of fixed phrases ("Liên đoàn
Lao động", "Ban Thường vụ") and proper names (after "tỉnh", "huyện", ...). The phrases and
abbreviations come from data/orgs.tsv.
"""
from __future__ import annotations

from functools import lru_cache

import regex

from ..lexicon import orgs
from ..text import fold

_OLD_TONES = {"UỶ": "ỦY", "Uỷ": "Ủy", "uỷ": "ủy", "HOÀ": "HÒA", "hoà": "hòa", "Hoà": "Hòa", "THUỶ": "THỦY", "thuỷ": "thủy",
              "HOÁ": "HÓA", "hoá": "hóa", "Hoá": "Hóa", "KHOẺ": "KHỎE", "khoẻ": "khỏe", "TUỲ": "TÙY", "tuỳ": "tùy"}
_NON_LETTERS = regex.compile(r"[^\p{L}]")
_VOWEL = regex.compile(r"[AEIOUY]")
_OLD_RE = regex.compile("|".join(sorted(_OLD_TONES, key=len, reverse=True)))


def modern_tones(s: str) -> str:
    """Old-style tone placement (hoà, thuỷ, Uỷ) -> the modern spelling, for output names."""
    return _OLD_RE.sub(lambda m: _OLD_TONES[m.group()], s)


@lru_cache(maxsize=None)
def _tables():
    abbr = {}
    for item in orgs().get("abbr", ()):
        k, v = item.split("=", 1)
        abbr[k] = v
    phrases = sorted(orgs().get("phrase", ()), key=len, reverse=True)
    phrase_re = regex.compile(
        r"(?<![\p{L}])(" + "|".join(regex.escape(fold(p)).replace(r"\ ", r"\s+") for p in phrases) + r")(?![\p{L}])"
    )
    by_fold = {fold(p): p for p in phrases}
    localities = sorted(orgs().get("locality", ()), key=len, reverse=True)
    # matched on lower-cased text, not folded: folding makes "cơ quan" read as "quận"
    loc_re = regex.compile(r"(?<![\p{L}])(" + "|".join(regex.escape(x.lower()) for x in localities) + r")\s+")
    return abbr, phrase_re, by_fold, loc_re


def expand_abbr(s: str) -> str:
    abbr = _tables()[0]
    words = s.split()
    return " ".join(abbr.get(w, abbr.get(w.upper(), w)) if w.isupper() or w in abbr else w for w in words)


def _is_acronym(word: str) -> bool:
    """UBND, THPT, CNVCLĐ: capitals with no tone or vowel marks and no vowel after the first letter."""
    letters = _NON_LETTERS.sub("", word).replace("Đ", "D")
    if len(letters) < 2 or not letters.isupper() or fold(letters).upper() != letters:
        return False  # a diacritic means a real syllable ("ẤP", "ỦY")
    # "UBND", "TP", "THPT" are acronyms; "AN" (Tân An) is a word
    return not _VOWEL.search(letters[1:]) and (len(letters) >= 3 or not _VOWEL.match(letters))


@lru_cache(maxsize=4096)
def name_case(upper: str) -> str:
    """Normal case for a body name written in capitals; mixed-case input is kept as written."""
    s = " ".join(modern_tones(upper).split())
    if not s:
        return s
    if not s.isupper():
        return expand_abbr(s)
    s = expand_abbr(s)
    abbr, phrase_re, by_fold, loc_re = _tables()
    words = s.split()
    keep = {w for w in words if _is_acronym(w) and w not in abbr}
    low = " ".join(w if w in keep else w.lower() for w in words)
    folded = fold(low)
    out = list(low)
    # 1. proper names follow a locality word ("tỉnh Thái Bình"); the next locality word stays low
    for m in loc_re.finditer(low):
        k = m.end()
        cap = True
        while k < len(out):
            if k > m.start() and loc_re.match(low, k) and (k == m.end() or low[k - 1] == " "):
                break
            if cap and out[k].isalpha():
                out[k] = out[k].upper()
            cap = out[k] == " "
            k += 1
    # 2. fixed phrases have the last word on case ("Huyện ủy", "ngành Y tế", "Đa khoa"); the fold
    #    keeps lengths equal, so indexes align
    for m in phrase_re.finditer(folded, overlapped=True):
        canon = by_fold.get(" ".join(m.group(1).split()))
        if canon and len(canon) == m.end() - m.start():
            for k, ch in enumerate(canon):
                if ch.isalpha() and out[m.start() + k] not in keep:
                    out[m.start() + k] = ch
    res = "".join(out)
    return res[0].upper() + res[1:]


def split_locality(name: str) -> tuple[str, str | None]:
    """("Liên đoàn Lao động tỉnh Thái Bình") -> ("Liên đoàn Lao động", "tỉnh Thái Bình")."""
    loc_re = _tables()[3]
    m = loc_re.search(name.lower())
    if not m or m.start() == 0:
        return name, None
    return name[: m.start()].rstrip(), name[m.start():]


_COMMITTEE = regex.compile(r"^(?:tinh|huyen|thanh|quan|thi)\s+uy\b")


def starts_with_locality(upper: str) -> bool:
    """'TỈNH ĐẮK LẮK' continues an issuer line; 'TỈNH ỦY' is a body of its own."""
    f = fold(upper)
    m = _tables()[3].match(upper.lower())
    return bool(m) and f.split()[0] not in ("truong", "benh", "cong", "trung") and not _COMMITTEE.match(f)


def is_committee(name: str) -> bool:
    """Tỉnh ủy, Huyện ủy, Thành ủy ...: Party committees named after their locality."""
    return bool(_COMMITTEE.match(fold(name)))
