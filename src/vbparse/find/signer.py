"""The closing: "Nơi nhận" recipients and the signature block (authority, position, name).

The two sit side by side in the original, so in text they arrive one after the other, as two
table cells, or interleaved on the same lines. Every closing line is split into cells at wide
gaps; cells that start with a dash or follow "Nơi nhận" are recipients, the rest is signature.
"""
from __future__ import annotations

from functools import lru_cache

import regex

from ..lexicon import alternation, cues, orgs
from ..layout import AUTHORITY, cells
from ..model import Signer
from ..pipeline import component

_NOI_NHAN = regex.compile(r"^(?:Nơi\s+nhận|NƠI\s+NHẬN)\s*:?\s*(?P<rest>.*)$")
_ITEM = regex.compile(r"^[-+•–]\s*(?P<t>.+)$")
_AUTH = regex.compile(r"^(?P<a>" + AUTHORITY + r".+)$")
_NAME = regex.compile(r"^(?:\p{Lu}[\p{Ll}\p{Lu}]*\.?\s+){1,5}\p{Lu}[\p{Ll}\p{Lu}]*$")
# "Thượng tá Võ Minh Hoàng": a police or army rank is not part of the name
_RANK = regex.compile(r"^(?:(?:Thượng|Trung|Thiếu|Đại)\s+(?:tá|úy|uý|tướng)|Cấp\s+tá|Trung\s+sĩ|Thượng\s+sĩ|Bác\s+sĩ|BS\.?|ThS\.?|TS\.?|PGS\.?\s*TS\.?|GS\.?)\s+", regex.I)


@lru_cache(maxsize=None)
def _seal_re() -> regex.Pattern:
    return regex.compile(r"^\(?(?:" + alternation([s.strip("()") for s in cues()["seal"]]) + r")\)?\.?$", regex.I)


@lru_cache(maxsize=None)
def _position_re() -> regex.Pattern:
    return regex.compile(r"^" + alternation(orgs()["position"]) + r"(?:\s+\p{Lu}+)*$")


@component("signer")
def find_signer(ctx) -> None:
    lay = ctx.layout
    start = lay.closing
    if start >= len(ctx.text):
        ctx.doc.signer = None
        return
    li = lay.line_at(start)
    lines = lay.lines[li:]
    recipients: list[str] = []
    sign_cells: list[str] = []
    in_list = False
    current: str | None = None

    def flush():
        nonlocal current
        if current:
            item = current.strip().rstrip(";.,").strip()
            if item and any(ch.isalnum() for ch in item):
                recipients.append(item)
        current = None

    for k, ln in enumerate(lines):
        if in_list and recipients and (ln.blank or ln.text == "") and not _next_is_item(lines, k):
            flush()
            in_list = False  # the list ended; what follows is signature or annex
        if _ANNEX.match(ln.text) and (recipients or sign_cells):
            break
        for c in cells(ln.raw):
            if not c:
                continue
            nm = _NOI_NHAN.match(c)
            if nm:
                in_list = True
                rest = nm.group("rest").strip()
                if rest:
                    im = _ITEM.match(rest)
                    current = im.group("t") if im else rest
                    if current.endswith((";", ".")):
                        flush()
                continue
            if _AUTH.match(c) or _position_re().match(c) or _seal_re().match(c):
                flush()
                sign_cells.append(c)
                continue
            im = _ITEM.match(c)
            if in_list and im:
                flush()
                current = im.group("t")
                if current.endswith((";", ".")) and not current.endswith("b/c)."):
                    flush()
                continue
            if in_list and current is not None and not _NAME.match(c) and not c.isupper():
                current += " " + c  # a wrapped recipient line
                if c.endswith((";", ".")):
                    flush()
                continue
            flush()
            sign_cells.append(c)
    flush()
    ctx.doc.recipients = recipients
    ctx.doc.signer = _signer(sign_cells)


_ANNEX = regex.compile(r"^(?:PHỤ\s+LỤC|BẢNG|DANH\s+SÁCH|MẪU|Phụ\s+lục)\b")


def _next_is_item(lines, k: int) -> bool:
    for ln in lines[k + 1: k + 4]:
        if ln.text:
            return bool(_ITEM.match(ln.text))
    return False


def _signer(cells: list[str]) -> Signer | None:
    cells = [_RANK.sub("", c) for c in cells]
    auth: list[str] = []
    position = None
    name = None
    i = 0
    n = len(cells)
    while i < n:
        c = cells[i]
        if _AUTH.match(c):
            a = c
            # an authority wrapped over two cells: "TM. ỦY BAN NHÂN" / "DÂN"
            if i + 1 < n and cells[i + 1].isupper() and not _AUTH.match(cells[i + 1]) \
                    and not _position_re().match(cells[i + 1]) and len(cells[i + 1].split()) <= 2:
                a += " " + cells[i + 1]
                i += 1
            auth.append(" ".join(a.split()))
        elif position is None and auth and _position_re().match(c):
            position = c
        elif auth and not _seal_re().match(c) and _NAME.match(c) and not _position_re().match(c) and name is None:
            if len(c.split()) >= 2 and not (c.isupper() and position is None):
                name = c
        i += 1
    if not auth and position is None and name is None:
        # an unsigned-authority block: a position line then a name ("CHỦ TỊCH" / "Nguyễn Văn A")
        for j, c in enumerate(cells):
            if _position_re().match(c):
                position = c
                for d in cells[j + 1:]:
                    if _NAME.match(d) and not _seal_re().match(d) and len(d.split()) >= 2:
                        name = d
                        break
                break
        if position is None:
            return None
    return Signer(authority=" / ".join(auth) if auth else None, position=position, name=name)
