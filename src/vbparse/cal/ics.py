"""Entries -> an RFC 5545 calendar (icalendar does the escaping and the 75-octet folding).

Each entry is one all-day VEVENT (DTSTART;VALUE=DATE = the due day, DTEND the day after,
TRANSP:TRANSPARENT: a deadline does not make anyone busy) or, with todo=True, one VTODO
(DUE;VALUE=DATE, STATUS:NEEDS-ACTION). Reminders are VALARMs relative to the start of the due
day (for a VTODO, to DUE).
"""
from __future__ import annotations

import datetime as dt
import os
import re

from icalendar import Alarm, Calendar, Event, Timezone, TimezoneStandard, Todo, vText

from .. import __version__
from .entries import RECURRENCE_VI, Entry, label_name

TZID = "Asia/Ho_Chi_Minh"
PRODID = f"-//vbparse//vbparse {__version__} calendar//VI"
_REMIND = re.compile(r"^\s*(\d+)\s*([wdhm]?)\s*$", re.I)


def parse_remind(spec: str | None) -> list[dt.timedelta]:
    """"3d,1d" -> [3 days, 1 day]; units w d h m (default d); "0" = at the start of the due day."""
    if not spec:
        return []
    out: list[dt.timedelta] = []
    for part in spec.split(","):
        if not part.strip():
            continue
        m = _REMIND.match(part)
        if not m:
            raise ValueError(f"bad --remind value {part.strip()!r}: use e.g. 3d,1d (units w, d, h, m)")
        n, unit = int(m.group(1)), (m.group(2) or "d").lower()
        out.append(dt.timedelta(**{{"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}[unit]: n}))
    return sorted(set(out), reverse=True)


def stamp_now() -> dt.datetime:
    """DTSTAMP: now, or SOURCE_DATE_EPOCH when set (reproducible builds)."""
    sde = os.environ.get("SOURCE_DATE_EPOCH")
    if sde and sde.isdigit():
        return dt.datetime.fromtimestamp(int(sde), tz=dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def vtimezone() -> Timezone:
    """Asia/Ho_Chi_Minh: UTC+7, no daylight saving since 1975."""
    tz = Timezone()
    tz.add("tzid", TZID)
    tz.add("x-lic-location", TZID)
    std = TimezoneStandard()
    std.add("dtstart", dt.datetime(1975, 6, 13))
    std.add("tzoffsetfrom", dt.timedelta(hours=8))
    std.add("tzoffsetto", dt.timedelta(hours=7))
    std.add("tzname", "ICT")
    tz.add_component(std)
    return tz


def _date_vi(iso: str | dt.date | None) -> str | None:
    if not iso:
        return None
    try:
        d = iso if isinstance(iso, dt.date) else dt.date.fromisoformat(str(iso)[:10])
    except ValueError:
        return str(iso)
    return d.strftime("%d/%m/%Y")


def _plan_line(h: dict) -> str:
    kind = h.get("doc_type_name") or {"KH": "Kế hoạch"}.get(h.get("doc_type") or "", h.get("doc_type") or "Văn bản")
    numsym = "/".join(x for x in (h.get("number"), h.get("symbol")) if x)
    s = kind + (f" số {numsym}" if numsym else " (chưa có số)")
    if h.get("issued"):
        s += f" ngày {_date_vi(h['issued'])}"
    if h.get("issuer"):
        s += f" của {h['issuer']}"
    if h.get("title"):
        s += f": {h['title']}"
    return s


# a list marker a task may start with: "a) ", "3- ", "2. ", "II. "
_MARKER = re.compile(r"^(?:[a-zđ]|\d{1,2}|[IVX]{1,4})[).:-]\s+(?=\S)", re.I)


def summary(e: Entry) -> str:
    task = (e.task or "").strip()
    s = _MARKER.sub("", task) or task or f"Hạn: {e.occurrences[0].text.strip()}"
    return s[:1].upper() + s[1:]


def description(e: Entry) -> str:
    lines = [f"Nhiệm vụ: {(e.task or '').strip() or '(không rõ)'}",
             f"Đơn vị thực hiện: {e.responsible or '(chưa xác định)'}",
             f"Hạn: {_date_vi(e.due)}"]
    if e.recurrence:
        rep = RECURRENCE_VI.get(e.recurrence, e.recurrence)
        if e.until:
            rep += f", đến {_date_vi(e.until)}"
        lines.append(f"Lặp lại: {rep}")
    if e.inferred:
        lines.append(f"LƯU Ý: năm của hạn được suy ra ({', '.join(e.inferred)}), không ghi trong văn bản; "
                     "cần đối chiếu văn bản gốc.")
    if e.labels:
        lines.append("Phong trào: " + "; ".join(label_name(lab) or lab for lab in e.labels))
    lines.append(f"Nguồn ({len(e.occurrences)} văn bản):" if len(e.occurrences) > 1 else "Nguồn:")
    for o in e.occurrences:
        lines.append(f"- {_plan_line(o.header)}")
        bits = []
        if o.section:
            bits.append(f"mục {o.section}")
        if o.text:
            bits.append(f"trích: “{o.text.strip()}”")
        if o.inferred:
            bits.append(f"năm suy ra: {o.inferred}")
        if o.path:
            bits.append(f"tệp: {o.path}")
        if o.url:
            bits.append(f"URL: {o.url}")
        if bits:
            lines.append("  " + "; ".join(bits))
    return "\n".join(lines)


def _alarms(comp, e: Entry, reminders: list[dt.timedelta], todo: bool) -> None:
    for delta in reminders:
        a = Alarm()
        a.add("action", "DISPLAY")
        a.add("description", f"Sắp đến hạn ({_date_vi(e.due)}): {summary(e)}")
        params = {"related": "END"} if todo else {}
        a.add("trigger", -delta, parameters=params)
        comp.add_component(a)


def component(e: Entry, *, todo: bool = False, reminders: list[dt.timedelta] = (), stamp: dt.datetime) -> Event | Todo:
    c = Todo() if todo else Event()
    c.add("uid", e.uid)
    c.add("dtstamp", stamp)
    if todo:
        if e.rule:  # RRULE needs DTSTART
            c.add("dtstart", e.due)
        c.add("due", e.due)
        c.add("status", "NEEDS-ACTION")
    else:
        c.add("dtstart", e.due)
        c.add("dtend", e.due + dt.timedelta(days=1))
        c.add("transp", "TRANSPARENT")
    c.add("summary", summary(e))
    c.add("description", description(e))
    if e.labels:
        c.add("categories", e.labels)
    if e.url:
        c.add("url", e.url)
    if e.rule:
        c.add("rrule", e.rule)
    if e.inferred:
        c.add("x-vbparse-inferred", ",".join(e.inferred))
    for o in e.occurrences:
        c.add("x-vbparse-plan", o.plan_id)
    _alarms(c, e, list(reminders), todo)
    return c


def build(entries: list[Entry], *, name: str = "Hạn thực hiện kế hoạch", todo: bool = False,
          reminders: list[dt.timedelta] = (), stamp: dt.datetime | None = None) -> Calendar:
    stamp = stamp or stamp_now()
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("name", name)  # RFC 7986
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", TZID)
    cal.add("refresh-interval", dt.timedelta(hours=12), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vText("PT12H"))
    cal.add_component(vtimezone())
    for e in entries:
        cal.add_component(component(e, todo=todo, reminders=reminders, stamp=stamp))
    return cal


def write(cal: Calendar, path: str) -> None:
    """Write atomically (a feed being served never sees half a file); '-' is stdout."""
    data = cal.to_ical()
    if path == "-":
        import sys

        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    tmp = os.path.join(d, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
