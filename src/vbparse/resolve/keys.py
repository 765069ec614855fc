"""Tolerant keys for document numbers, so that a citation meets the document it cites.

"09/KH- HĐTĐKT", "9/KH-HĐTĐKT" and "09/KH-HDTDKT" share the key "9/KH-HDTDKT"; "LĐLD" and
"LĐLĐ" both fold to "LDLD". The year is not part of the key (a citation often omits it); the
archive graph compares years separately when both sides know theirs.
"""
from __future__ import annotations

import regex

from ..text import fold

_SPACES = regex.compile(r"\s+")

# A symbol part: capitals and digits, with at most one lower-case letter (TTg, CTr, QyĐ, TTr);
# parts join with "-" or "/", spaces tolerated around them ("KH- CĐYT", "NĐ -CP").
SYMBOL_PART = r"[\p{Lu}\d][\p{Lu}\d&]*(?:[a-zđ][\p{Lu}\d&]*)?"
SYMBOL = rf"{SYMBOL_PART}(?:\s*[-–]\s*{SYMBOL_PART})*"  # Word turns "-" into "–" now and then


def fold_symbol(symbol: str) -> str:
    s = _SPACES.sub("", symbol)
    s = s.replace("–", "-").replace("—", "-")
    return fold(s).upper()


def reference_key(number: str | None, symbol: str | None, grammar: str | None = None) -> str | None:
    """`number` as written ("09"), `symbol` without the number ("KH-LĐLĐ", "2023/NĐ-CP", "CT/TW")."""
    if not symbol:
        return None
    num = (number or "").strip().lstrip("0") or ("0" if number else "")
    sep = "-" if grammar == "party" else "/"
    sym = fold_symbol(symbol)
    return f"{num}{sep}{sym}" if num else sym


def parse_key(text: str) -> str | None:
    """Key of a free-form spelling a user types: "129/KH-LĐLĐ", "129 KH LDLD", "05-CT/TW"."""
    s = fold(text).upper()
    m = regex.match(r"\s*0*(\d+)\s*([/-])?\s*(\d{4}\s*/)?\s*([A-Z][A-Z0-9]*)(?:[\s/-]+([A-Z][A-Z0-9&]*(?:[\s-]+[A-Z][A-Z0-9&]*)*))?\s*$", s)
    if not m:
        return None
    num, sep, year, typ, rest = m.groups()
    year = (year or "").replace(" ", "")
    if sep == "-" and rest:  # Party grammar: N-TYPE/ISSUER
        return f"{num}-{typ}/{_SPACES.sub('-', rest)}"
    rest = _SPACES.sub("-", rest) if rest else ""
    return f"{num}/{year}{typ}" + (f"-{rest}" if rest else "")
