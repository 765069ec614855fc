"""Font names -> what a run's characters mean.

Legacy Vietnamese fonts re-use Latin-1 code points: a run set in `.VnTime` holding "KÕ ho¹ch"
means "Kế hoạch". Only the font name says so reliably (short runs are too short for content
detection, packages.md §5), so the PDF and DOCX readers ask `legacy_encoding(font)` per run
and convert with `decode_run`. TCVN3 has no upper-case accented letters: the `.VnTimeH`-style
fonts draw lower-case codes as capitals, so text in those fonts is upper-cased after decoding.
"""
from __future__ import annotations

import functools
import re

# ".VnTime", ".VnTimeH", ".VnArial NarrowH", "VnTime" (PDF subsets drop the dot), "ABCDEF+.VnTime"
_TCVN3 = re.compile(r"^(?:[A-Z]{6}\+)?\.?Vn[A-Z]", re.I)
_TCVN3_UPPER = re.compile(r"H$")  # case matters: the capitals font ends in a capital H
_VNI = re.compile(r"^(?:[A-Z]{6}\+)?VNI[- ]", re.I)
_BOLD = re.compile(r"bold|black|heavy|demi|semibold|,B$|-B$|BD$", re.I)
_ITALIC = re.compile(r"italic|oblique|,I$|-I$|,BI$", re.I)


def legacy_encoding(font: str | None) -> str | None:
    """'tcvn3', 'tcvn3-upper', 'vni' or None for a font name."""
    if not font:
        return None
    if _VNI.match(font):
        return "vni"
    if _TCVN3.match(font):
        base = re.sub(r"[-,](?:Bold|Italic|BoldItalic)$", "", font, flags=re.I)
        return "tcvn3-upper" if _TCVN3_UPPER.search(base) else "tcvn3"
    return None


def decode_run(text: str, encoding: str | None) -> str:
    """Convert one run's text from its legacy font encoding to Unicode (NFC). Whitespace is
    kept as it is: viparse.fix trims and collapses it, which would glue runs together."""
    if not encoding or not text:
        return text
    return "".join(p if not p or p.isspace() else _decode_word(p, encoding) for p in _SPACE.split(text))


_SPACE = re.compile(r"(\s+)")


@functools.lru_cache(maxsize=65536)
def _decode_word(word: str, encoding: str) -> str:
    import viparse  # MIT; holds the TCVN3/VNI tables (no stdlib codec exists)

    if encoding == "tcvn3-upper":
        return viparse.fix(word, encoding="tcvn3", normalize="NFC").upper()
    return viparse.fix(word, encoding=encoding, normalize="NFC")


def is_bold(font: str | None) -> bool:
    return bool(font) and bool(_BOLD.search(font.split("+", 1)[-1]))


def is_italic(font: str | None) -> bool:
    return bool(font) and bool(_ITALIC.search(font.split("+", 1)[-1]))
