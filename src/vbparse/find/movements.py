"""Movement, campaign and model names, topics and slogans, with a taxonomy label.

A quoted string is a movement name when a cue stands before it ("phong trào thi đua", "cuộc
vận động", "mô hình", "chuyên đề", "tinh thần") or it continues a list opened by one; or when it
is a known taxonomy name. Award titles ("Chiến sĩ thi đua cơ sở"), events ("Ngày Quốc tế ...")
and document titles ("Đề án ...") in quotes are not. Local variants ("Vĩnh Thuận chung sức xây
dựng nông thôn mới") get the national label by containing a taxonomy variant.
"""
from __future__ import annotations

from functools import lru_cache

import regex

from ..lexicon import movement_labels, movement_name_cues
from ..model import Movement
from ..pipeline import component
from ..text import fold

_QUOTE = regex.compile(r'"')
_MAX_NAME = 220
_MARKER_INSIDE = regex.compile(r"(?:^|\s)(?:[IVX]+|\d{1,2}|[a-zđ])[.)]\s+\p{Lu}")
_CUES = [
    ("campaign", r"cuộc\s+vận\s+động|vận\s+động(?:\s+thực\s+hiện)?"),
    ("topic", r"chuyên\s+đề(?:\s+toàn\s+khóa)?(?:\s+năm\s+\d{4})?|chủ\s+đề(?:\s+năm(?:\s+\d{4})?)?(?:\s+thi\s+đua)?"),
    ("model", r"mô\s+hình|điển\s+hình"),
    ("slogan", r"tinh\s+thần|khẩu\s+hiệu|phương\s+châm|thông\s+điệp"),
    ("movement", r"phong\s+trào(?:\s+thi\s+đua)?|đợt\s+thi\s+đua|(?<!chủ\s+đề\s+)thi\s+đua(?:\s+đẩy\s+mạnh)?|hưởng\s+ứng|phát\s+động"),
]
# The cue nearest the quote decides ("Đợt thi đua với tinh thần “...”" is a slogan): the greedy
# prefix makes the match end at the rightmost cue; "chủ đề thi đua" is guarded so it stays a topic.
_CUE_RE = regex.compile(
    # between cue and quote: a few words ("chủ đề Tháng hành động năm 2025 “...”"), no punctuation
    r"(?s:.*)(?<![\p{L}])(?:" + "|".join(f"(?P<{k}>{p})" for k, p in _CUES) + r")\s*(?::\s*)?(?:[\p{L}\d\s]{0,40})?$",
    regex.I,
)
_LIST_GAP = regex.compile(r'^\s*(?:[,;]|và|hoặc)?\s*(?:(?:phong\s+trào(?:\s+thi\s+đua)?|cuộc\s+vận\s+động|mô\s+hình)\s*)?$', regex.I)
_NOT = regex.compile(
    r"(?:danh\s+hiệu|cờ\s+thi\s+đua|bằng\s+khen|giấy\s+khen|đề\s+án|chương\s+trình|luật|kế\s+hoạch|hội\s+nghị|"
    r"cuộc\s+thi|giải\s+thưởng|giải|tác\s+phẩm|cuốn\s+sách|sách|bài\s+hát|ngày|tháng|tuần\s+lễ|lễ|hội\s+thi|"
    r"chuyên\s+mục|trang|website|tổ\s+chức|danh\s+sách|nghị\s+quyết\s+về|văn\s+bản|tài\s+liệu|thông\s+tin|tiêu\s+chí|"
    r"quỹ|tháng\s+cao\s+điểm|chương\s+trình|chiến\s+dịch)\s*$",
    regex.I,
)
# names that open like an event or a document are not movements, whatever cue stands before
# (an event that carries a movement's name, "Ngày vì người nghèo", stays: it is part of the campaign)
_EVENTS = ("tháng hành động", "tháng cao điểm", "ngày ", "tuần lễ", "hội nghị", "hội thi", "cuộc thi", "lễ ",
           "giải ", "hội diễn", "liên hoan", "diễn đàn")
_DOCUMENTS = ("tài liệu", "sổ tay", "cẩm nang", "bộ tiêu chí", "đề án", "chương trình", "luật ", "quy chế",
              "quy định")
_AWARDS = ("chiến sĩ thi đua", "chiến sỹ thi đua", "lao động tiên tiến", "tập thể lao động xuất sắc",
           "lao động xuất sắc", "cờ thi đua", "bằng khen", "giấy khen", "huân chương", "danh hiệu")


@lru_cache(maxsize=None)
def _variants() -> list[tuple[str, str]]:
    out = []
    for lab in movement_labels():
        for v in lab.variants:
            out.append((" ".join(fold(v).replace("-", " ").replace(",", " ").split()), lab.id))
    out.sort(key=lambda x: len(x[0]), reverse=True)
    return out


@lru_cache(maxsize=4096)
def label_for(name: str) -> str | None:
    """Taxonomy id whose name or variant equals, or is contained in, the folded name."""
    f = " ".join(fold(name).replace("-", " ").replace(",", " ").split())
    for v, lab in _variants():
        if f == v:
            return lab
    for v, lab in _variants():
        if len(v.split()) >= 3 and (v in f):
            return lab
    # models and slogans carry no taxonomy name, but their words often tell ("Trường học số")
    padded = f" {fold(name)} "
    for lab, words in movement_name_cues():
        if any(f" {w} " in padded or (len(w) > 6 and w in padded) for w in words):
            return lab
    return None


_LETTER = regex.compile(r"\p{L}")


def _quoted(clean: str):
    """Spans inside straight quotes. A pair that runs too long or across an outline marker is a
    stray quote: skip the opening one and pair from the next, so one typo does not shift the rest."""
    qs = [m.start() for m in _QUOTE.finditer(clean)]
    i = 0
    while i + 1 < len(qs):
        a, b = qs[i] + 1, qs[i + 1]
        if 2 <= b - a <= _MAX_NAME and not _MARKER_INSIDE.search(clean, a, b):
            yield a, b
            i += 2
        else:
            i += 1


@component("movements")
def find_movements(ctx) -> None:
    view, text = ctx.view, ctx.text
    clean = view.clean
    body_from = ctx.layout.preamble[0]
    out: list[Movement] = []
    prev_end = -1
    prev_kind = None
    for qs, qe in _quoted(clean):
        inner = clean[qs:qe].strip()
        if not _LETTER.search(inner):
            continue
        s, e = view.to_source(qs, qe)
        before = clean[max(0, qs - 61): qs - 1]
        kind = None
        cm = _CUE_RE.match(before)
        if prev_kind and _LIST_GAP.match(clean[prev_end: qs - 1]):
            kind = prev_kind
        if cm:
            kind = next(k for k, _ in _CUES if cm.group(k))
        nm = _NOT.search(before)
        if nm and not (cm and cm.start(kind) > nm.start()):
            kind = None
        low = inner.lower()
        label = label_for(inner)
        if kind is None and label is not None and not nm and len(inner.split()) >= 4:
            kind = "movement"  # a taxonomy name needs no cue; a short one ("Vì người nghèo") names funds too
        if (low.startswith(_AWARDS) and len(low.split()) <= 6) or low.startswith(_DOCUMENTS) \
                or (low.startswith(_EVENTS) and label is None):
            kind = None  # awards, events ("Tháng hành động ..."), documents ("Tài liệu hướng dẫn ...")
        if inner[:3].lower() == "về ":
            kind = None  # "Chỉ thị ... “về đẩy mạnh ...”" quotes a document's title
        if kind is None:
            prev_kind = None
            continue
        name = " ".join(inner.replace("*", " ").split()).strip(" .,;")
        out.append(Movement(name=name, kind=kind, label=label, start=s, end=e, text=text[s:e]))
        prev_end, prev_kind = qe + 1, kind
    out.extend(_unquoted(ctx, clean, [(m.start, m.end) for m in out], body_from))
    out.sort(key=lambda m: m.start)
    ctx.doc.movements = out


@lru_cache(maxsize=None)
def _unquoted_re() -> regex.Pattern:
    names = sorted({v for v, _ in _variants() if len(v.split()) >= 3}, key=len, reverse=True)
    alt = "|".join(regex.escape(n).replace(r"\ ", r"[\s,\-–]+") for n in names)
    return regex.compile(r"\s+(?P<name>" + alt + r")(?![\p{L}])")


@lru_cache(maxsize=None)
def _first_words() -> frozenset[str]:
    return frozenset(v.split()[0] for v, _ in _variants() if len(v.split()) >= 3)


_UNQUOTED_CUE = regex.compile(r"phong\s+trào(?:\s+thi\s+đua)?|cuộc\s+vận\s+động", regex.I)


def _unquoted(ctx, clean: str, taken: list[tuple[int, int]], body_from: int) -> list[Movement]:
    """Taxonomy names written without quotes right after a cue: "phong trào thi đua Lao động giỏi,
    lao động sáng tạo". Matched on the folded view (one character per character, so offsets hold)."""
    out = []
    name_re = _unquoted_re()
    firsts = _first_words()
    for cue in _UNQUOTED_CUE.finditer(clean):  # cues are few: fold and try the names right after each
        head = clean[cue.end(): cue.end() + 24].split(None, 1)
        if not head or fold(head[0]) not in firsts:
            continue  # most cues are followed by a quote or an ordinary word: skip the long match
        window = fold(clean[cue.end(): cue.end() + 160])
        m = name_re.match(window)
        if m is None:
            continue
        ns, ne = cue.end() + m.start("name"), cue.end() + m.end("name")
        s, e = ctx.view.to_source(ns, ne)
        if s < body_from or any(a - 2 <= s < b + 2 for a, b in taken) or ctx.text[s - 1:s] in "\"“‘'":
            continue
        name = " ".join(clean[ns:ne].split())
        kind = "campaign" if cue.group(0)[:4].lower() == "cuộc" else "movement"
        out.append(Movement(name=name, kind=kind, label=label_for(name), start=s, end=e, text=ctx.text[s:e]))
    return out
