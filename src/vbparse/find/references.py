"""Cited documents in the four number grammars, with date, issuer, title, basis and key.

    admin / union   129/KH-LĐLĐ, 4240/UBND-VX, 07/NQ-TLĐ
    normative       98/2023/NĐ-CP, 163/2024/QH15
    Party           05-CT/TW, 14-KH/TU

Matching runs on the cleaned view, so line breaks, markup and stray spaces inside a symbol
("23 /KH- CĐYT", "1580/QĐ-\\nUBND") are already single spaces that the pattern tolerates.
"""
from __future__ import annotations

from functools import lru_cache

import regex

from ..lexicon import alternation, doc_types, issuer_codes, type_by_code, type_by_word
from ..model import Reference
from ..pipeline import component
from ..resolve.keys import SYMBOL, SYMBOL_PART, fold_symbol, reference_key
from ..text import fold
from .dates import resolve as resolve_dates
from .dates import date_scan
from .sections import section_at

_PART, _SYM = SYMBOL_PART, SYMBOL


# The number and symbol: every form opens with a digit, so the scan skips prose quickly; the type
# word before it ("Kế hoạch số") is looked up backwards from the number, in a short window.
_NUMSYM = regex.compile(
    rf"""
    (?<![\d/.,-])(?P<num>\d{{1,5}}[a-z]?)
    (?:
        \s*/\s*(?P<ny>(?:19|20)\d{{2}})\s*/\s*(?P<nsym>{_SYM})
      | \s*[-–]\s*(?P<ptype>{_PART})\s*/\s*(?P<psym>{_SYM})
      | \s*/\s*(?P<asym>{_SYM})
    )
    (?![\p{{L}}\d])
    """,
    regex.X | regex.V1,
)


@lru_cache(maxsize=None)
def _type_word_re() -> regex.Pattern:
    words = [w for dt in doc_types() for w in dt.cited if len(w) > 3]
    return regex.compile(
        r"(?<![\p{L}])(?P<tw>" + alternation(words) + r")(?:\s+(?:liên\s+tịch|hành\s+động|kết\s+luận|chung))?"
        r"\s*(?::\s*)?(?:số\s*:?\s*)?$|(?<![\p{L}])số\s+$"
    )


_HYPHEN = regex.compile(r"\s*[-–]\s*")
_SYM_SPLIT = regex.compile(r"[-/]")
_OWN_NUMBER = regex.compile(r"Số\s*[:.]?\s*$")
_AFTER_DATE = regex.compile(r"\s*,?\s*(?:(?:ban\s+hành\s+)?ngày|ngay)\s+", regex.I)
_OF = regex.compile(r"\s*,?\s*(?:của|do)\s+", regex.I)
_ISSUER_STOP = regex.compile(
    r"\s(?:về|(?i:quy\s+định|ban\s+hành|hướng\s+dẫn|phê\s+duyệt|triển\s+khai|thực\s+hiện|sửa\s+đổi|phát\s+động)|"
    r"thành\s+lập|kiện\s+toàn|tăng\s+cường|tiếp\s+tục|đến|trên|tại|nhằm|để|đối\s+với|trong|giai\s+đoạn|"
    r"và\s+(?=\p{Lu}\p{Ll}*\s+(?:số|\d))|"
    r"Kết\s+luận|Kế\s+hoạch|Thông\s+báo|Quyết\s+định|Chỉ\s+thị|Nghị\s+quyết|Hướng\s+dẫn|Công\s+văn)(?![\p{L}])|[;:,.()\"“”]"
)
_TITLE = regex.compile(r"\s*,?\s*(?:về\s+việc|về|V/v)\s+", regex.I)
_TITLE_STOP = regex.compile(r"[;.]\s|[;.]$|\s\(sau\s+đây|\s(?:và|;)\s+(?:các\s+)?\p{Lu}\p{Ll}+\s+(?:\p{Ll}+\s+)?số\s|\s*\(")


def _type_from_symbol(grammar: str, m) -> str | None:
    codes = type_by_code()
    if grammar == "normative":
        first = _HYPHEN.split(m["nsym"])[0]
    elif grammar == "party":
        first = m["ptype"]
    else:
        first = _HYPHEN.split(m["asym"])[0]
    dt = codes.get(first) or codes.get(fold(first).upper())
    return dt.code if dt else None


def _issuer_from_symbol(symbol: str) -> str | None:
    last = _SYM_SPLIT.split(symbol)[-1]
    return issuer_codes().get(fold(last).upper())


@component("references", requires=("header", "sections"))
def find_references(ctx) -> None:
    view, lay, doc = ctx.view, ctx.layout, ctx.doc
    clean = view.clean
    refs: list[Reference] = []
    ha, hb = lay.header
    header_end = lay.lines[hb - 1].end if hb > ha else -1
    pre_a, pre_b = lay.preamble
    tw_re = _type_word_re()
    date_at = {h.cs: h for h in date_scan(ctx) if h.kind == "full"}
    for m in _NUMSYM.finditer(clean):
        tw = tw_re.search(clean, max(0, m.start() - 45), m.start())
        tw_word = tw.group("tw") if tw else None
        cstart = tw.start() if tw else m.start()
        if m["nsym"]:
            grammar, number, symbol = "normative", m["num"], f"{m['ny']}/{m['nsym']}"
        elif m["psym"]:
            grammar, number, symbol = "party", m["num"], f"{m['ptype']}/{m['psym']}"
        else:
            grammar, number, symbol = "admin", m["num"], m["asym"]
            if "-" not in symbol and not tw_word and symbol not in type_by_code():
                continue  # "12/ABC" alone is too weak to be a citation
        symbol = "".join(symbol.split()).replace("–", "-")
        s, e = view.to_source(m.start(), m.end())
        if s <= header_end and _OWN_NUMBER.search(clean[max(0, m.start() - 8):m.start()]):
            continue  # the document's own number
        if s <= header_end and fold_symbol(symbol) == fold_symbol(doc.header.symbol or "") \
                and (number or "").lstrip("0") == (doc.header.number or "").lstrip("0"):
            continue
        code = _type_from_symbol(grammar, m)
        if code is None and tw_word:
            dt = type_by_word().get(fold(" ".join(tw_word.split())))
            code = dt.code if dt else None
        if grammar == "admin" and code is None and "-" in symbol:
            code = "CV"  # "4240/UBND-VX": công văn carry no type code
        cend = m.end()
        issued = None
        year = int(m["ny"]) if m["ny"] else None
        dm = _AFTER_DATE.match(clean, cend)
        hit = date_at.get(dm.end() if dm else cend)
        if hit is not None:
            resolved = resolve_dates([hit], clean, None, None)
            if resolved:
                issued = resolved[0][1]
                year = hit.y
                cend = hit.ce
        issuer = None
        om = _OF.match(clean, cend)
        if om:
            tail = clean[om.end(): om.end() + 200]
            stop = _ISSUER_STOP.search(tail)
            cand = tail[: stop.start()] if stop else tail
            words = cand.split()
            if words and words[0][:1].isupper():
                issuer = " ".join(words[:14]) or None
            after_issuer = om.end() + (stop.start() if stop else len(cand))
        else:
            after_issuer = cend
        if issuer is None:
            issuer = _issuer_from_symbol(symbol)
        title = None
        tm = _TITLE.match(clean, after_issuer)
        if tm:
            tail = clean[tm.end(): tm.end() + 400]
            stop = _TITLE_STOP.search(tail)
            cand = " ".join((tail[: stop.start()] if stop else tail).split()[:50]).strip(' ,"')
            title = cand or None
        key = reference_key(number, symbol, grammar)
        ts, te = view.to_source(cstart, cend)
        refs.append(Reference(
            doc_type=code, number=number, symbol=symbol, issued=issued, year=year, issuer=issuer, title=title,
            basis=pre_a <= ts < pre_b, section=section_at(doc.sections, ts), text=ctx.text[ts:te], start=ts, end=te,
            key=key, grammar=grammar,
        ))
    doc.references = refs
