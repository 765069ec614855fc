"""Deadlines of many plans -> calendar entries: merged, identified, filtered.

An *occurrence* is one deadline as one plan states it. Occurrences with the same due date,
recurrence, task and responsible party (compared after folding case, diacritics and
punctuation) are one *entry*: one calendar event that lists every plan it comes from.

The UID of an entry is a hash of the plan that first set the deadline (earliest issued; ties by
plan id) and the deadline itself, so exporting the same plans again yields the same UIDs and a
calendar client updates its events instead of adding copies. A plan is identified by its
number/symbol key and year (`104/KH-CDYT@2021`); a plan without a full number (a draft) by the
sha256 of its source.
"""
from __future__ import annotations

import calendar as _stdcal
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache

import regex

from ..text import fold

UID_DOMAIN = "vbparse"

# recurrence value -> (FREQ, INTERVAL); synonyms a finder might emit are accepted.
_FREQ = {
    "daily": ("DAILY", 1),
    "weekly": ("WEEKLY", 1),
    "monthly": ("MONTHLY", 1),
    "quarterly": ("MONTHLY", 3),
    "semiannual": ("MONTHLY", 6),
    "annual": ("YEARLY", 1),
}
_SYNONYMS = {
    "semiannually": "semiannual", "half-yearly": "semiannual", "halfyearly": "semiannual",
    "biannual": "semiannual", "semi-annual": "semiannual", "six-monthly": "semiannual",
    "yearly": "annual", "annually": "annual", "quarter": "quarterly", "month": "monthly",
    "week": "weekly", "day": "daily",
}
RECURRENCE_VI = {
    "daily": "hằng ngày", "weekly": "hằng tuần", "monthly": "hằng tháng", "quarterly": "hằng quý",
    "semiannual": "6 tháng một lần", "annual": "hằng năm",
}

# Abbreviations folded to their long form, so "CĐCS" finds "Công đoàn cơ sở" and the reverse.
_ABBR = {
    "cdcs": "cong doan co so", "ldld": "lien doan lao dong", "tld": "tong lien doan lao dong",
    "cd": "cong doan", "ubnd": "uy ban nhan dan", "hdnd": "hoi dong nhan dan",
    "bch": "ban chap hanh", "btv": "ban thuong vu", "ubkt": "uy ban kiem tra",
    "cnvcld": "cong nhan vien chuc lao dong", "cnvc": "cong nhan vien chuc",
    "nld": "nguoi lao dong", "dvcd": "doan vien cong doan", "hdtdkt": "hoi dong thi dua khen thuong",
    "mttq": "mat tran to quoc", "ld": "lao dong",
}
_WORD = regex.compile(r"[\p{L}\p{N}]+")


def norm_words(s: str | None) -> str:
    """Folded words joined by single spaces: punctuation, quotes and case do not count."""
    if not s:
        return ""
    return " ".join(_WORD.findall(fold(s)))


def expand(s: str | None) -> str:
    return " ".join(_ABBR.get(w, w) for w in norm_words(s).split())


def phrase_in(query: str, target: str | None) -> bool:
    """Whole-word phrase match after folding and expanding abbreviations."""
    q, t = expand(query), expand(target)
    return bool(q) and f" {q} " in f" {t} "


def normalize_recurrence(value) -> str | None:
    if not value:
        return None
    v = str(value).strip().lower()
    v = _SYNONYMS.get(v, v)
    return v if v in _FREQ else v  # unknown values are kept (shown, no RRULE)


def rrule_for(due: dt.date, recurrence: str | None, until: dt.date | None = None) -> dict | None:
    """RRULE parts (icalendar's vRecur mapping) for a recurring deadline, or None.

    Month ends stay month ends: a quarterly report due 31/3 recurs on 30/6, 30/9, 31/12
    (BYMONTHDAY=-1); a day 29/30 that is not a month end falls back to the month's last day in
    shorter months (BYMONTHDAY=28..d with BYSETPOS=-1) instead of being skipped as RFC 5545
    would otherwise do.
    """
    if recurrence not in _FREQ:
        return None
    freq, interval = _FREQ[recurrence]
    rule: dict = {"FREQ": freq}
    if interval > 1:
        rule["INTERVAL"] = interval
    last = _stdcal.monthrange(due.year, due.month)[1]
    if freq == "MONTHLY":
        if due.day == last and due.day >= 28:
            rule["BYMONTHDAY"] = -1
        elif due.day > 28:
            rule["BYMONTHDAY"] = list(range(28, due.day + 1))
            rule["BYSETPOS"] = -1
    elif freq == "YEARLY" and due.month == 2 and due.day == 29:
        rule["BYMONTH"] = 2
        rule["BYMONTHDAY"] = -1
    if until is not None and until >= due:
        rule["UNTIL"] = until
    return rule


def rrule_string(rule: dict) -> str:
    from icalendar import vRecur

    return vRecur(rule).to_ical().decode()


def occurrences_between(due: dt.date, rule: dict | None, start: dt.date | None, end: dt.date | None) -> bool:
    """True when the deadline (or any repetition of it) falls within [start, end]."""
    if rule is None:
        return (start is None or due >= start) and (end is None or due <= end)
    from dateutil.rrule import rrulestr

    r = rrulestr(rrule_string(rule), dtstart=dt.datetime.combine(due, dt.time()))
    lo = dt.datetime.combine(start or due, dt.time())
    first = r.after(lo, inc=True)
    return first is not None and (end is None or first.date() <= end)


@dataclass
class Occurrence:
    plan_id: str
    header: dict
    section: str | None
    text: str
    path: str | None
    url: str | None
    inferred: str | None
    labels: list[str]
    until: dt.date | None
    responsible: str | None
    task: str | None


@dataclass
class Entry:
    key: tuple
    uid: str
    due: dt.date
    task: str | None
    responsible: str | None
    recurrence: str | None
    occurrences: list[Occurrence] = field(default_factory=list)

    @property
    def origin(self) -> Occurrence:
        return min(self.occurrences, key=lambda o: (o.header.get("issued") or "9999", o.plan_id))

    @property
    def labels(self) -> list[str]:
        return sorted({lab for o in self.occurrences for lab in o.labels})

    @property
    def inferred(self) -> list[str]:
        return sorted({o.inferred for o in self.occurrences if o.inferred})

    @property
    def until(self) -> dt.date | None:
        ends = [o.until for o in self.occurrences]
        return None if (not ends or any(e is None for e in ends)) else max(ends)

    @property
    def rule(self) -> dict | None:
        return rrule_for(self.due, self.recurrence, self.until)

    @property
    def url(self) -> str | None:
        return next((o.url for o in self.occurrences if o.url), None)


def plan_id(rec: dict) -> str:
    from ..resolve.keys import reference_key

    h = rec.get("header") or {}
    number, symbol = h.get("number"), h.get("symbol")
    if number and symbol:
        key = h.get("key") or reference_key(number, symbol)
        year = (h.get("issued") or "")[:4]
        return f"{key}@{year}" if year else key
    src = rec.get("source") or {}
    if src.get("sha256"):
        return f"sha256:{src['sha256']}"
    # no number and no hash: the title and the path are all we have
    basis = "|".join(str(x or "") for x in (h.get("title"), h.get("issuer"), h.get("issued"), src.get("path")))
    return "h:" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]


def _labels_for(rec: dict, section: str | None) -> list[str]:
    labels = {m.get("label") for m in rec.get("movements") or [] if isinstance(m, dict) and m.get("label")}
    for t in rec.get("tags") or []:
        if not isinstance(t, dict):
            continue
        ts = t.get("section")
        if ts is None or (section and (section == ts or section.startswith(ts + "."))):
            for lab in t.get("labels") or []:
                name = lab.get("label") if isinstance(lab, dict) else lab
                if name:
                    labels.add(name)
    return sorted(labels)


def _period_end(rec: dict) -> dt.date | None:
    ends = []
    for d in rec.get("dates") or []:
        if isinstance(d, dict) and d.get("role") == "period-end":
            try:
                ends.append(dt.date.fromisoformat(d["date"]))
            except (KeyError, TypeError, ValueError):
                pass
    return max(ends) if ends else None


def _url(rec: dict) -> str | None:
    src = rec.get("source") or {}
    for v in (src.get("url"), rec.get("url"), src.get("path")):
        if isinstance(v, str) and v.startswith(("http://", "https://")):
            return v
    return None


def make_uid(origin_plan: str, key: tuple) -> str:
    h = hashlib.sha256("\x1f".join((origin_plan,) + tuple(str(k) for k in key)).encode("utf-8")).hexdigest()
    return f"{h[:32]}@{UID_DOMAIN}"


def collect(records: list[dict], warnings: list[str] | None = None) -> list[Entry]:
    """Every deadline of every record, merged into entries (sorted by due date, then task)."""
    warnings = warnings if warnings is not None else []
    groups: dict[tuple, Entry] = {}
    bad = 0
    for rec in records:
        pid = plan_id(rec)
        header = rec.get("header") or {}
        src = rec.get("source") or {}
        period_end = _period_end(rec)
        for d in rec.get("deadlines") or []:
            try:
                due = dt.date.fromisoformat(str(d["due"])[:10])
            except (KeyError, TypeError, ValueError):
                bad += 1
                continue
            rec_ = normalize_recurrence(d.get("recurrence"))
            task, resp = d.get("task"), d.get("responsible")
            key = (due.isoformat(), rec_ or "", norm_words(task or d.get("text")), norm_words(resp))
            occ = Occurrence(
                plan_id=pid, header=header, section=d.get("section"), text=d.get("text") or "",
                path=src.get("path"), url=_url(rec), inferred=d.get("inferred"),
                labels=_labels_for(rec, d.get("section")),
                until=period_end if (rec_ and period_end and period_end >= due) else None,
                responsible=resp, task=task,
            )
            e = groups.get(key)
            if e is None:
                e = groups[key] = Entry(key=key, uid="", due=due, task=task, responsible=resp, recurrence=rec_)
            if not any(o.plan_id == occ.plan_id and o.section == occ.section for o in e.occurrences):
                e.occurrences.append(occ)
            e.task = e.task or task
    if bad:
        warnings.append(f"{bad} deadline(s) without a valid ISO due date, skipped")
    entries = _fold_series(list(groups.values()))
    for e in entries:
        e.occurrences.sort(key=lambda o: (o.header.get("issued") or "9999", o.plan_id, o.section or ""))
        o = e.origin
        e.uid = make_uid(o.plan_id, e.key)
        e.task, e.responsible = o.task or e.task, o.responsible if o.responsible else e.responsible
    entries.sort(key=lambda e: (e.due, e.key))
    return entries


def _fold_series(entries: list[Entry]) -> list[Entry]:
    """A plan that states a recurring deadline and also names a later repetition of it ("báo cáo
    hằng quý ... quý III trước 20/9, quý IV trước 20/12") gives two recurring deadlines whose
    series overlap. When both come from the same plan and section, recur alike, have the same
    responsible party and the later due date is a repetition of the earlier series, the later
    one is folded into the earlier event (its source is listed there) instead of doubling every
    repetition."""
    rec = sorted((e for e in entries if e.recurrence in _FREQ), key=lambda e: (e.due, e.key))
    folded: set[int] = set()
    for i, first in enumerate(rec):
        if id(first) in folded:
            continue
        spots = {(o.plan_id, o.section) for o in first.occurrences}
        for later in rec[i + 1:]:
            if id(later) in folded or later.recurrence != first.recurrence or later.key[3] != first.key[3]:
                continue
            if not spots & {(o.plan_id, o.section) for o in later.occurrences}:
                continue
            if occurrences_between(first.due, first.rule, later.due, later.due):
                first.occurrences.extend(o for o in later.occurrences if o not in first.occurrences)
                folded.add(id(later))
    return [e for e in entries if id(e) not in folded]


@lru_cache(maxsize=1)
def _label_names() -> dict[str, str]:
    from importlib import resources

    out: dict[str, str] = {}
    try:
        text = resources.files("vbparse").joinpath("data/movements.tsv").read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return out
    for line in text.splitlines():
        if not line or line.startswith("#") or line.startswith("id\t"):
            continue
        parts = line.split("\t")
        if len(parts) >= 2:
            out[parts[0]] = parts[1]
    return out


def label_name(label: str) -> str | None:
    return _label_names().get(label)


def _label_matches(query: str, label: str) -> bool:
    q = norm_words(query)
    if not q:
        return False
    lab = norm_words(label)  # "phong-chong-covid" -> "phong chong covid"
    name = norm_words(label_name(label))
    return f" {q} " in f" {lab} " or (bool(name) and f" {q} " in f" {name} ")


@dataclass
class Filters:
    responsible: list[str] = field(default_factory=list)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    labels: list[str] = field(default_factory=list)
    issuers: list[str] = field(default_factory=list)

    def keep(self, e: Entry) -> bool:
        if self.responsible and not any(phrase_in(q, e.responsible) for q in self.responsible):
            return False
        if (self.date_from or self.date_to) and not occurrences_between(e.due, e.rule, self.date_from, self.date_to):
            return False
        if self.labels and not any(_label_matches(q, lab) for q in self.labels for lab in e.labels):
            return False
        if self.issuers and not any(phrase_in(q, o.header.get("issuer")) for q in self.issuers for o in e.occurrences):
            return False
        return True

    def apply(self, entries: list[Entry]) -> list[Entry]:
        return [e for e in entries if self.keep(e)]


def slug(s: str | None, default: str = "chua-xac-dinh") -> str:
    w = norm_words(s).replace(" ", "-")
    return w[:60].strip("-") or default


def split_by_responsible(entries: list[Entry]) -> dict[str, tuple[str | None, list[Entry]]]:
    """slug -> (responsible as written, entries); slugs that collide get a short hash."""
    by_norm: dict[str, list[Entry]] = {}
    for e in entries:
        by_norm.setdefault(norm_words(e.responsible), []).append(e)
    out: dict[str, tuple[str | None, list[Entry]]] = {}
    for n, es in sorted(by_norm.items()):
        s = slug(n)
        if s in out:
            s = f"{s}-{hashlib.sha256(n.encode()).hexdigest()[:6]}"
        out[s] = (es[0].responsible, es)
    return out
