"""Deadlines: a date tied to a deadline cue, with the task, who is responsible, and recurrence.

Not every date is a deadline: issue dates, dates of cited documents, period bounds and event
dates are not. The responsible party is, in order: the body a "Cơ quan thực hiện:" label
names; the subject that opens the clause ("Các CĐCS gửi báo cáo ..."); the addressee after
"đề nghị / giao"; the heading of the enclosing section when it names a body ("2. Công đoàn cơ
sở trực thuộc"); else null.
"""
from __future__ import annotations

from functools import lru_cache

import regex

from ..layout import BULLET, MARKER
from ..lexicon import alternation, cues, orgs
from ..model import Deadline
from ..pipeline import component
from .sections import section_at

_DAY_CUE_TAIL = r"\s*(?::\s*)?(?:là\s+)?(?:vào\s+)?(?:hết\s+)?(?:\d{1,2}\s*giờ(?:\s*\d{1,2}(?:\s*phút)?)?,?\s+)?(?:ngày\s+)?$"


@lru_cache(maxsize=None)
def _cue_re() -> regex.Pattern:
    return regex.compile(
        r"(?<![\p{L}])(?P<cue>" + alternation(cues()["deadline"]) + r"|hoàn\s+thành\s*:|thời\s+gian\s+hoàn\s+thành"
        # "hạn chót nộp bài dự thi là ngày 30/9": a few words may stand between the cue and the date
        + r"|hạn\s+(?:chót|cuối)(?:\s+[\p{L}\d]+){0,10}?\s+(?:là|vào)(?=\s))" + _DAY_CUE_TAIL, regex.I)


@lru_cache(maxsize=None)
def _recurrence_re() -> regex.Pattern:
    parts = []
    for role, phrases in cues().items():
        if role.startswith("recurrence:"):
            parts.append(f"(?P<{role.split(':')[1]}>" + alternation(phrases) + ")")
    return regex.compile(r"(?<![\p{L}\d])(?:" + "|".join(parts) + r")(?![\p{L}])", regex.I)


@lru_cache(maxsize=None)
def _phrases() -> tuple[frozenset, frozenset, frozenset, frozenset]:
    # words compared without their punctuation, as the text's words are ("Cán bộ, công chức")
    low = lambda xs: frozenset(" ".join(w.strip(",;:.()") for w in x.lower().split()) for x in xs)  # noqa: E731
    return low(orgs()["org"]), low(cues()["verb"]), low(orgs()["not-org"]), low(cues()["addressee"])


_GENERIC = frozenset({"các", "mỗi", "từng", "100%"})
_TOKEN = regex.compile(r"\S+")


def _match_at(words: list[str], i: int, phrases: frozenset, longest: int = 6) -> int:
    """How many words from i form one of the phrases (the longest), or 0."""
    for n in range(min(longest, len(words) - i), 0, -1):
        if " ".join(words[i:i + n]) in phrases:
            return n
    return 0


def _subject(before: str) -> tuple[int, int] | None:
    """Span of the clause's subject in `before`: an organisation head ("Sở Nội vụ", "Đội Tham mưu
    (Tổ ...)") or a plural/distributive noun phrase ("các trường mầm non, tiểu học", "mỗi cơ sở
    Hội"), up to the first verb. Word by word: one big regex with every head and verb backtracked
    on every character."""
    org, verbs, not_org, addressee = _phrases()
    toks = list(_TOKEN.finditer(before[:300]))
    words = [t.group().lower().strip(",;:.()\"'") for t in toks]
    i = 0
    if words and toks[0].group() in ("-", "+", "•", "–"):
        i = 1
    i += _match_at(words, i, addressee)
    if i >= len(words):
        return None
    if words[i] in _GENERIC:
        head = 1
    else:
        head = _match_at(words, i, org)
        if not head:
            return None
    if _match_at(words, i + head, not_org):
        return None  # "Tổ chức", "các hoạt động": a verb or a thing, not a body
    depth = 0
    for j in range(i + (1 if words[i] in _GENERIC else head), len(words)):
        raw = toks[j].group()
        if depth == 0 and j > i and _match_at(words, j, verbs, 3):
            return toks[i].start(), toks[j - 1].end()
        depth += raw.count("(") - raw.count(")")
        if depth < 0 or (depth == 0 and any(c in raw for c in ";:.")) or depth > 1:
            return None
    return None


_LABEL = regex.compile(r"(?:Cơ\s+quan|Đơn\s+vị)\s+(?:thực\s+hiện|chủ\s+trì|phụ\s+trách)\s*:\s*(?P<who>[^;:.\n]+?)(?:\s+chủ\s+trì|[,;.\n]|$)", regex.I)
_DATE_WORDS = regex.compile(r"(?i)trước|ngày|tháng|năm|quý|[\d/.\s-]|[IVX]")
_BULLET_HEAD = regex.compile(r"^[-+•–]\s*")
_OPEN_PAREN_END = regex.compile(r"\(\s*$")
_CLAUSE_END = regex.compile(r"[;.](?=\s|$)|\|")
_LIST_GAP = regex.compile(r"\s*(?:,|;|và|hoặc)\s*(?:ngày\s+)?")
_DONE = regex.compile(r"hoàn\s+thành|xong|hoàn\s+tất|báo\s+cáo|gửi", regex.I)
_PERIOD_CUE = regex.compile(r"(?<![\p{L}])(?:trong|cuối|đến\s+hết|hết)\s+$", regex.I)
_SENT_END = regex.compile(r"(?:[.;!?](?=\s)|:\s*\n)")


@lru_cache(maxsize=1024)
def _org_heading(heading: str | None) -> bool:
    """Does this section heading name a body ("2. Công đoàn cơ sở trực thuộc", "Các cơ sở Đoàn")?"""
    if not heading or len(heading.split()) > 16:
        return False
    org, _, not_org, _ = _phrases()
    words = [w.strip(",;:.()\"'") for w in heading.lower().split()]
    head = 1 if words[0] in ("các", "mỗi", "từng") else _match_at(words, 0, org)
    return bool(head) and not _match_at(words, head, not_org) and (head < len(words) or words[0] not in _GENERIC)


@component("deadlines", requires=("dates", "sections"))
def find_deadlines(ctx) -> None:
    view, text, doc, lay = ctx.view, ctx.text, ctx.doc, ctx.layout
    clean = view.clean
    body_a = lay.preamble[0]
    by_start = {d.start: d for d in doc.dates}
    ref_spans = [(r.start, r.end) for r in doc.references]
    out: list[Deadline] = []
    prev_ce, prev_cue = None, None
    for h, value, precision, inferred, role in ctx.scratch.get("date_hits", []):
        if role in ("period-start", "period-end"):
            continue
        s, e = view.to_source(h.cs, h.ce)
        in_text = body_a <= s < lay.closing or lay.body[0] <= s < lay.body[1]
        if not in_text or any(a <= s < b for a, b in ref_spans):
            continue
        cue = _cue_re().search(clean, max(0, h.cs - 45), h.cs)
        if cue is None and h.kind in ("month", "quarter"):
            # "hoàn thành ... trong quý III năm 2024": a month or quarter after "trong" is a due period
            cue = _PERIOD_CUE.search(clean, max(0, h.cs - 12), h.cs)
            clause_from = max(clean.rfind(".", 0, h.cs), clean.rfind(";", 0, h.cs), h.cs - 200, 0)
            if cue and not _DONE.search(clean, clause_from, h.cs):
                cue = None  # "tổ chức trong tháng 6/2024" dates an event, it sets no deadline
        in_table = _table_deadline(text, s, e)
        if not cue and not in_table and out and prev_ce is not None and _LIST_GAP.fullmatch(clean[prev_ce:h.cs]):
            cue = prev_cue  # "trước các ngày 15/3, 15/6, 15/9 và 15/12": one cue, a list of dates
        if not cue and not in_table:
            prev_ce = None
            continue
        prev_ce, prev_cue = h.ce, cue
        cue_src = view.to_source(cue.start(), cue.end())[0] if cue else s
        para_a, para_b = _paragraph(lay, s)
        clause_a = _clause_start(text, para_a, cue_src)
        clause_b = _clause_end(text, e, para_b)
        clause = " ".join(text[clause_a:clause_b].replace("*", " ").split())
        before = " ".join(text[clause_a:cue_src].replace("*", " ").split())
        after = " ".join(text[e:clause_b].replace("*", " ").split())
        sec_id = section_at(doc.sections, s)
        row = _table_row(lay, text, s) if in_table else None
        if row is not None:
            responsible, task = row
        else:
            responsible, task = _responsible_and_task(doc, lay, text, sec_id, para_a, before, after)
        rm = _recurrence_re().search(clause) or _recurrence_re().search(text[para_a:s])
        recurrence = next((k for k, v in rm.groupdict().items() if v), None) if rm else None
        out.append(Deadline(due=value, task=task, responsible=responsible, section=sec_id, text=text[s:e],
                            start=s, end=e, recurrence=recurrence, inferred=inferred))
        if s in by_start:
            by_start[s].role = "deadline"
    doc.deadlines = out


def _is_heading_line(rest: str) -> bool:
    rest = " ".join(rest.replace("*", " ").split())
    return len(rest.split()) <= 14 and not rest.endswith((".", ",", ";"))


def _paragraph(lay, offset: int) -> tuple[int, int]:
    i = lay.line_at(offset)
    a = i
    while a > 0 and not lay.lines[a - 1].blank and not BULLET.match(lay.lines[a].raw) \
            and not MARKER.match(lay.lines[a].raw) and "|" not in lay.lines[a].raw:
        prev = MARKER.match(lay.lines[a - 1].raw)
        if prev and _is_heading_line(lay.lines[a - 1].raw[prev.end():]):
            break  # "II. TỔ CHỨC THỰC HIỆN" above the clause is its heading, not its subject
        a -= 1
    b = i
    while b + 1 < len(lay.lines) and not lay.lines[b + 1].blank and not BULLET.match(lay.lines[b + 1].raw) \
            and not MARKER.match(lay.lines[b + 1].raw):
        b += 1
    return lay.lines[a].start, lay.lines[b].end


def _clause_start(text: str, para_a: int, upto: int) -> int:
    last = para_a
    for m in _SENT_END.finditer(text, para_a, upto):
        last = m.end()
    # inside a table row the cell is the clause
    bar = text.rfind("|", para_a, upto)
    return max(last, bar + 1 if bar >= 0 else last)


def _clause_end(text: str, frm: int, para_b: int) -> int:
    m = _CLAUSE_END.search(text, frm, para_b)
    return m.start() if m else para_b


def _table_deadline(text: str, s: int, e: int) -> bool:
    """A date alone in a table cell ("task | responsible | 30/6/2025") is a due date."""
    line_a = text.rfind("\n", 0, s) + 1
    line_b = text.find("\n", e)
    line = text[line_a: line_b if line_b >= 0 else len(text)]
    if line.count("|") < 2:
        return False
    cell_a = text.rfind("|", line_a, s)
    cell_b = text.find("|", e)
    cell = text[cell_a + 1: cell_b if 0 <= cell_b < (line_b if line_b >= 0 else len(text)) else e]
    return len(_DATE_WORDS.sub("", cell)) <= 3


_TASK_COL = regex.compile(r"nội\s+dung|nhiệm\s+vụ|công\s+việc|hoạt\s+động", regex.I)
_WHO_COL = regex.compile(r"chủ\s+trì|thực\s+hiện|phụ\s+trách|trách\s+nhiệm|đơn\s+vị|cơ\s+quan|người", regex.I)
_WHEN_COL = regex.compile(r"thời\s+(?:gian|hạn)|hoàn\s+thành|tiến\s+độ", regex.I)


def _cells(line: str) -> list[str]:
    return [" ".join(c.replace("*", " ").split()) for c in line.strip().strip("|").split("|")]


def _table_row(lay, text: str, offset: int):
    """(responsible, task) of the row holding the due date, read through the table's header row
    ("TT | Nội dung | Đơn vị chủ trì | Thời gian hoàn thành"); without a header, the cell before
    the date is the responsible party and the longest cell the task."""
    i = lay.line_at(offset)
    row = _cells(lay.lines[i].raw)
    date_col = next((k for k, c in enumerate(row) if c and lay.lines[i].raw.find(c) <= offset - lay.lines[i].start
                     < lay.lines[i].raw.find(c) + len(c) + 1), None)
    header = None
    for j in range(i - 1, max(-1, i - 40), -1):
        raw = lay.lines[j].raw
        if "|" not in raw:
            if lay.lines[j].blank:
                continue
            break
        cells = _cells(raw)
        if len(cells) == len(row) and any(_WHEN_COL.search(c) for c in cells) and any(_TASK_COL.search(c) for c in cells):
            header = cells
            break
    if header is not None:
        task_col = next((k for k, c in enumerate(header) if _TASK_COL.search(c)), None)
        who_col = next((k for k, c in enumerate(header) if _WHO_COL.search(c) and not _WHEN_COL.search(c)
                        and k != task_col), None)
        task = row[task_col] if task_col is not None else None
        who = row[who_col] if who_col is not None else None
        return who or None, task or None
    if date_col is None or date_col == 0:
        return None
    others = [c for k, c in enumerate(row) if k != date_col and c and not c.isdigit()]
    task = max(others, key=len) if others else None
    who = row[date_col - 1] if row[date_col - 1] != task else None
    return who or None, task


def _responsible_and_task(doc, lay, text, sec_id, para_a, before, after):
    task = before
    who = None
    span = _subject(before)
    if span:
        who = before[span[0]:span[1]].strip(" ,")
        task = before[span[1]:].strip()
    task = _BULLET_HEAD.sub("", task).strip(" ,:(*")
    if after and not task:
        task = after.strip(" ,:)*")
    task = _OPEN_PAREN_END.sub("", task).strip(" ,") or None
    if who is None:
        # 2. a label in the same section or paragraph
        sec = next((s for s in doc.sections if s.id == sec_id), None)
        region = text[sec.start:sec.end] if sec else text[para_a: para_a + 600]
        lm = _LABEL.search(region)
        if lm:
            who = " ".join(lm.group("who").split())
    if who is None and sec_id:
        # 3. the nearest enclosing section whose heading names a body
        parts = sec_id.split(".")
        for k in range(len(parts), 0, -1):
            sid = ".".join(parts[:k])
            sec = next((s for s in doc.sections if s.id == sid), None)
            if sec and _org_heading(sec.heading):
                who = sec.heading
                break
    return who, task
