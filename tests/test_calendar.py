"""`vbparse calendar`: RFC 5545 output read back by two independent parsers, escaping and
folding, stable UIDs, dedup across plans, filters, split-by, RRULE, VALARM, bad input.

Fixture: corpora/calendar/records.jsonl, three hand-made contract records (two 2021 union plans
sharing one deadline, one 2024 draft without a number) and one batch error line.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import icalendar
import pytest
import typer
from typer.testing import CliRunner

from _helpers import CALENDAR_FIXTURE as FIXTURE, calendar_records as records, ics_events
from vbparse import cal
from vbparse.commands import calendar as calendar_cmd

LONG_TASK_START = "Tổ chức hội nghị tuyên truyền, phổ biến Nghị quyết"


@pytest.fixture(scope="module")
def app():
    a = typer.Typer()
    calendar_cmd.register(a)

    @a.command("noop")  # a second command keeps typer from collapsing the app into one command
    def _noop() -> None:
        pass

    return a


def run(app, *args, env=None):
    return CliRunner().invoke(app, ["calendar", *map(str, args)], env=env)


def write_jsonl(path: Path, recs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    return path


def events(path: Path, kind: str = "VEVENT") -> list:
    c = icalendar.Calendar.from_ical(path.read_bytes())
    return list(c.walk(kind))


def by_uid(path: Path, kind: str = "VEVENT") -> dict:
    return {str(e["UID"]): e for e in events(path, kind)}


def unique_deadlines(recs) -> int:
    return len(cal.collect(recs))


@pytest.fixture()
def ics(tmp_path, app) -> Path:
    out = tmp_path / "deadlines.ics"
    r = run(app, FIXTURE, "-o", out, "--remind", "3d,1d")
    assert r.exit_code == 0, r.output
    return out


# ---------------------------------------------------------------- the fixture itself


def test_fixture_records_follow_the_contract():
    import jsonschema

    schema = json.loads(Path("/work/shared/contract/plan.schema.json").read_text(encoding="utf-8")) \
        if Path("/work/shared/contract/plan.schema.json").exists() else None
    if schema is None:
        pytest.skip("contract schema not available")
    for rec in records():
        jsonschema.validate(rec, schema)


# ---------------------------------------------------------------- parsed back by icalendar


def test_icalendar_reads_back_every_deadline(ics):
    recs = records()
    c = icalendar.Calendar.from_ical(ics.read_bytes())
    assert c["VERSION"] == "2.0" and "vbparse" in str(c["PRODID"])
    assert str(c["X-WR-TIMEZONE"]) == "Asia/Ho_Chi_Minh"
    tzs = list(c.walk("VTIMEZONE"))
    assert [str(t["TZID"]) for t in tzs] == ["Asia/Ho_Chi_Minh"]
    evs = list(c.walk("VEVENT"))
    n_deadlines = sum(len(r["deadlines"]) for r in recs)
    assert n_deadlines == 11 and len(evs) == 10 == unique_deadlines(recs)  # one shared deadline
    assert len({str(e["UID"]) for e in evs}) == len(evs)
    dues = {d["due"] for r in recs for d in r["deadlines"]}
    for e in evs:
        start, end = e.decoded("DTSTART"), e.decoded("DTEND")
        assert type(start) is dt.date and end == start + dt.timedelta(days=1)  # all-day
        assert e["DTSTART"].params.get("VALUE") == "DATE"
        assert start.isoformat() in dues
        assert str(e["TRANSP"]) == "TRANSPARENT"
        assert isinstance(e.decoded("DTSTAMP"), dt.datetime)
    summaries = [str(e["SUMMARY"]) for e in evs]
    tasks = {d["task"].strip()[:1].upper() + d["task"].strip()[1:] for r in recs for d in r["deadlines"]}
    assert len(set(summaries)) == 10 and set(summaries) <= tasks  # SUMMARY is the task, capitalised


def test_description_has_task_responsible_plan_section_file_url(ics):
    ev = next(e for e in events(ics) if e.decoded("DTSTART") == dt.date(2021, 8, 10))
    desc = str(ev["DESCRIPTION"])
    assert "đăng ký danh hiệu thi đua năm 2021, gửi danh sách về Ban Thường vụ" in desc
    assert "Đơn vị thực hiện: Các CĐCS" in desc
    assert "129/KH-LĐLĐ" in desc and "Tuyên truyền phong trào thi đua yêu nước năm 2021" in desc
    assert "mục II.2" in desc
    assert "corpora/plans/b-ldld-thaibinh-2021.txt" in desc
    assert "https://example.org/vb/129-kh-ldld.pdf" in desc
    assert str(ev["URL"]) == "https://example.org/vb/129-kh-ldld.pdf"
    cats = [str(c) for c in ev["CATEGORIES"].cats]
    assert cats == ["gioi-viec-nuoc-dam-viec-nha", "phong-chong-covid"]  # movements + document tags


def test_section_tags_reach_only_their_section(ics):
    evs = {e.decoded("DTSTART"): e for e in events(ics)}
    in_iii = [str(c) for c in evs[dt.date(2021, 12, 31)]["CATEGORIES"].cats]  # plan A, III.1
    in_ii = [str(c) for c in evs[dt.date(2021, 8, 10)]["CATEGORIES"].cats]  # plan A, II.2
    assert "xanh-sach-dep-atvsld" in in_iii and "xanh-sach-dep-atvsld" not in in_ii


def test_inferred_year_is_flagged(ics):
    flagged = [e for e in events(ics) if "năm của hạn được suy ra" in str(e["DESCRIPTION"])]
    assert sorted(e.decoded("DTSTART") for e in flagged) == [dt.date(2021, 9, 30), dt.date(2024, 10, 15)]
    for e in flagged:
        assert "year-from-plan" in str(e["DESCRIPTION"]) and str(e["X-VBPARSE-INFERRED"]) == "year-from-plan"
    others = [e for e in events(ics) if e not in flagged]
    assert all("X-VBPARSE-INFERRED" not in e for e in others)


# ---------------------------------------------------------------- a second, independent parser


def test_ics_library_reads_the_same_events(ics):
    mine = by_uid(ics)
    theirs = {e.uid: e for e in ics_events(ics.read_text(encoding="utf-8"))}
    assert set(theirs) == set(mine)
    for uid, e in theirs.items():
        assert e.all_day
        assert e.begin.date() == mine[uid].decoded("DTSTART")
        assert e.name == str(mine[uid]["SUMMARY"])
        assert e.description == str(mine[uid]["DESCRIPTION"])
        assert len(e.alarms) == 2
        assert e.categories == {str(x) for x in mine[uid]["CATEGORIES"].cats}


# ---------------------------------------------------------------- RFC 5545 text rules


def test_escaping_and_folding_with_vietnamese(ics):
    raw = ics.read_bytes()
    assert b"\r\n" in raw and raw.endswith(b"END:VCALENDAR\r\n")
    lines = raw.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines), max(lines, key=len)
    for line in lines:
        line.decode("utf-8")  # a fold never splits a multi-byte character
    # the long task: commas, semicolons, quotes; folded over several physical lines
    start = next(i for i, ln in enumerate(lines) if ln.startswith(b"SUMMARY:T\xe1\xbb\x95 ch\xe1\xbb\xa9c h\xe1\xbb\x99i"))
    assert lines[start + 1].startswith(b" ") and lines[start + 2].startswith(b" ")
    unfolded = raw.replace(b"\r\n ", b"").decode("utf-8")
    assert "SUMMARY:Tổ chức hội nghị tuyên truyền\\, phổ biến Nghị quyết Đại hội Công đoàn các cấp\\; sơ kết" in unfolded
    assert "“Đổi mới phong cách\\, thái độ phục vụ" in unfolded
    # a newline in a task is written as \n and read back as a newline
    assert "gửi kèm danh sách\\nđề nghị khen thưởng" in unfolded
    ev = next(e for e in events(ics) if e.decoded("DTSTART") == dt.date(2021, 11, 5))
    assert "gửi kèm danh sách\nđề nghị khen thưởng" in str(ev["SUMMARY"])
    long = next(e for e in events(ics) if str(e["SUMMARY"]).startswith(LONG_TASK_START))
    task = next(d["task"] for r in records() for d in r["deadlines"] if d["task"].startswith(LONG_TASK_START))
    assert str(long["SUMMARY"]) == task  # round trip is exact
    # Vietnamese stays UTF-8, not escaped or transliterated
    assert "Đơn vị thực hiện".encode("utf-8") in raw.replace(b"\r\n ", b"")


# ---------------------------------------------------------------- stable UIDs and dedup


def test_uids_stable_across_reexport_and_input_order(tmp_path, app, monkeypatch):
    recs = records()
    a = tmp_path / "a.ics"
    b = tmp_path / "b.ics"
    assert run(app, FIXTURE, "-o", a, env={"SOURCE_DATE_EPOCH": "1600000000"}).exit_code == 0
    rev = write_jsonl(tmp_path / "rev.jsonl", list(reversed(recs)))
    assert run(app, rev, FIXTURE, "-o", b).exit_code == 0  # other order, given twice, later DTSTAMP
    ua, ub = by_uid(a), by_uid(b)
    assert set(ua) == set(ub) and len(ua) == 10
    for uid in ua:
        assert ua[uid].decoded("DTSTART") == ub[uid].decoded("DTSTART")
        assert str(ua[uid]["SUMMARY"]) == str(ub[uid]["SUMMARY"])
    assert ua[next(iter(ua))].decoded("DTSTAMP") != ub[next(iter(ub))].decoded("DTSTAMP")
    # reproducible bytes with SOURCE_DATE_EPOCH
    c = tmp_path / "c.ics"
    assert run(app, FIXTURE, "-o", c, env={"SOURCE_DATE_EPOCH": "1600000000"}).exit_code == 0
    assert a.read_bytes() == c.read_bytes()


def test_uid_depends_on_plan_and_deadline():
    recs = records()
    base = {e.due: e.uid for e in cal.collect(recs[:1])}
    other = json.loads(json.dumps(recs[0]))
    other["header"]["number"], other["header"]["key"] = "130", "130/KH-LDLD"
    moved = {e.due: e.uid for e in cal.collect([other])}
    assert set(base.values()).isdisjoint(moved.values())
    # the same number in another year is another plan
    later = json.loads(json.dumps(recs[0]))
    later["header"]["issued"] = "2022-07-02"
    assert set(base.values()).isdisjoint(e.uid for e in cal.collect([later]))
    # a new task wording is a new deadline; a punctuation/case change is not
    edited = json.loads(json.dumps(recs[0]))
    edited["deadlines"][0]["task"] = edited["deadlines"][0]["task"].upper() + "."
    assert {e.due: e.uid for e in cal.collect([edited])} == base
    # a draft without a number is identified by its source hash
    assert cal.plan_id(recs[2]) == "sha256:" + "c" * 64
    assert cal.plan_id(recs[0]) == "129/KH-LDLD@2021"


def test_same_deadline_in_two_plans_is_one_event_listing_both(ics):
    shared = [e for e in events(ics) if e.decoded("DTSTART") == dt.date(2021, 11, 15)]
    assert len(shared) == 1
    desc = str(shared[0]["DESCRIPTION"])
    assert "129/KH-LĐLĐ" in desc and "104/KH-CĐYT" in desc and "Nguồn (2 văn bản)" in desc
    assert "mục III.2" in desc and "mục III.4" in desc
    plans = shared[0]["X-VBPARSE-PLAN"]
    assert sorted(str(p) for p in plans) == ["104/KH-CDYT@2021", "129/KH-LDLD@2021"]
    cats = {str(c) for c in shared[0]["CATEGORIES"].cats}
    assert {"doi-moi-phong-cach-phuc-vu", "gioi-viec-nuoc-dam-viec-nha"} <= cats


def test_shared_event_keeps_its_uid_when_a_later_plan_repeats_it():
    recs = records()
    alone = [e for e in cal.collect(recs[:1]) if e.due == dt.date(2021, 11, 15)][0]
    both = [e for e in cal.collect([recs[1], recs[0]]) if e.due == dt.date(2021, 11, 15)][0]
    assert alone.uid == both.uid  # 129/KH-LĐLĐ (2 July) set it; 104/KH-CĐYT (12 July) repeats it
    assert [o.plan_id for o in both.occurrences] == ["129/KH-LDLD@2021", "104/KH-CDYT@2021"]


# ---------------------------------------------------------------- filters and split-by


def _dues(path: Path) -> list[dt.date]:
    return sorted(e.decoded("DTSTART") for e in events(path))


def test_filter_responsible_folds_accents_and_abbreviations(tmp_path, app):
    out = tmp_path / "f.ics"
    assert run(app, FIXTURE, "-o", out, "--responsible", "CĐCS").exit_code == 0
    # "Các CĐCS", "Ban Chấp hành CĐCS", "Công đoàn cơ sở Bệnh viện ..." but not "Các CĐ ngành"
    assert _dues(out) == [dt.date(2021, 8, 10), dt.date(2021, 10, 25), dt.date(2021, 11, 5)]
    assert run(app, FIXTURE, "-o", out, "--responsible", "cong doan co so").exit_code == 0
    assert len(_dues(out)) == 3
    assert run(app, FIXTURE, "-o", out, "--responsible", "ban tuyen giao", "--responsible", "Văn phòng UBND").exit_code == 0
    assert _dues(out) == [dt.date(2021, 12, 31), dt.date(2024, 2, 29), dt.date(2024, 6, 3)]


def test_filter_dates_include_recurring_repetitions(tmp_path, app):
    out = tmp_path / "f.ics"
    assert run(app, FIXTURE, "-o", out, "--from", "2021-11-01", "--to", "2021-11-30").exit_code == 0
    assert _dues(out) == [dt.date(2021, 11, 5), dt.date(2021, 11, 15)]
    # 2023 Q1: only the quarterly report (every 3 months at month end, until 2025) repeats then;
    # the weekly meeting and the monthly report start in 2024
    assert run(app, FIXTURE, "-o", out, "--from", "2023-01-01", "--to", "2023-03-31").exit_code == 0
    assert _dues(out) == [dt.date(2021, 9, 30)]
    # after the plan period (31/12/2025) the quarterly report stops; the unbounded ones go on
    assert run(app, FIXTURE, "-o", out, "--from", "2026-01-01").exit_code == 0
    assert _dues(out) == [dt.date(2024, 1, 30), dt.date(2024, 2, 29), dt.date(2024, 6, 3)]


def test_filter_label_and_issuer(tmp_path, app):
    out = tmp_path / "f.ics"
    assert run(app, FIXTURE, "-o", out, "--label", "covid").exit_code == 0  # part of the id
    assert _dues(out) == [dt.date(2021, 8, 10), dt.date(2021, 9, 30), dt.date(2021, 11, 15), dt.date(2021, 12, 31)]
    assert run(app, FIXTURE, "-o", out, "--label", "Đổi mới phong cách").exit_code == 0  # the name
    assert _dues(out) == [dt.date(2021, 10, 25), dt.date(2021, 11, 5), dt.date(2021, 11, 15)]
    assert run(app, FIXTURE, "-o", out, "--issuer", "cong doan nganh y te").exit_code == 0
    assert _dues(out) == [dt.date(2021, 10, 25), dt.date(2021, 11, 5), dt.date(2021, 11, 15)]
    assert run(app, FIXTURE, "-o", out, "--issuer", "UBND tỉnh Quảng Trị", "--label", "nong-thon-moi-do-thi-van-minh",
               "--from", "2024-03-01", "--to", "2024-12-31").exit_code == 0
    assert _dues(out) == [dt.date(2024, 1, 30), dt.date(2024, 6, 3), dt.date(2024, 10, 15)]


def test_no_match_writes_a_valid_empty_calendar(tmp_path, app):
    out = tmp_path / "none.ics"
    r = run(app, FIXTURE, "-o", out, "--responsible", "Bộ Quốc phòng")
    assert r.exit_code == 0 and "no deadlines matched" in r.stderr
    c = icalendar.Calendar.from_ical(out.read_bytes())
    assert list(c.walk("VEVENT")) == [] and list(c.walk("VTIMEZONE"))


def test_split_by_responsible(tmp_path, app):
    out = tmp_path / "split"
    r = run(app, FIXTURE, "-o", out, "--split-by", "responsible")
    assert r.exit_code == 0, r.output
    files = sorted(out.glob("*.ics"))
    names = [f.name for f in files]
    assert "cac-cdcs.ics" in names and "cac-cd-nganh-ldld-huyen.ics" in names and "ban-tuyen-giao.ics" in names
    all_entries = cal.collect(records())
    assert len(files) == len({cal.entries.norm_words(e.responsible) for e in all_entries})
    uids: list[str] = []
    for f in files:
        c = icalendar.Calendar.from_ical(f.read_bytes())
        evs = list(c.walk("VEVENT"))
        assert evs and len({cal.entries.norm_words(str(e["DESCRIPTION"]).split("\n")[1]) for e in evs}) == 1
        assert str(c["X-WR-CALNAME"]).startswith("Hạn thực hiện kế hoạch: ")
        uids += [str(e["UID"]) for e in evs]
    assert sorted(uids) == sorted(e.uid for e in all_entries)  # same UIDs as the single calendar
    # NAME.ics template form
    r = run(app, FIXTURE, "-o", tmp_path / "hạn.ics", "--split-by", "responsible", "--responsible", "Ban Tuyên giáo")
    assert r.exit_code == 0 and [p.name for p in tmp_path.glob("hạn-*.ics")] == ["hạn-ban-tuyen-giao.ics"]


# ---------------------------------------------------------------- recurrence


def _rrule(path: Path, due: dt.date) -> str:
    ev = next(e for e in events(path) if e.decoded("DTSTART") == due)
    return ev["RRULE"].to_ical().decode()


def test_recurrence_becomes_rrule(ics):
    assert _rrule(ics, dt.date(2021, 9, 30)) == "FREQ=MONTHLY;UNTIL=20251231;INTERVAL=3;BYMONTHDAY=-1"
    assert _rrule(ics, dt.date(2021, 12, 31)) == "FREQ=MONTHLY;UNTIL=20251231;INTERVAL=6;BYMONTHDAY=-1"
    assert _rrule(ics, dt.date(2024, 1, 30)) == "FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1"
    assert _rrule(ics, dt.date(2024, 6, 3)) == "FREQ=WEEKLY"
    assert _rrule(ics, dt.date(2024, 2, 29)) == "FREQ=YEARLY;BYMONTHDAY=-1;BYMONTH=2"
    assert all("RRULE" not in e for e in events(ics) if e.decoded("DTSTART") in (dt.date(2021, 8, 10), dt.date(2021, 11, 15)))


def test_recurrences_expand_as_intended_with_recurring_ical_events(ics):
    import recurring_ical_events

    c = icalendar.Calendar.from_ical(ics.read_bytes())

    def dates(summary_start: str, a: dt.date, b: dt.date) -> list[dt.date]:
        occ = recurring_ical_events.of(c).between(a, b)
        return sorted(o.decoded("DTSTART") for o in occ if str(o["SUMMARY"]).startswith(summary_start))

    q = dates("Báo cáo định kỳ hằng quý", dt.date(2021, 1, 1), dt.date(2030, 1, 1))
    assert q[:5] == [dt.date(2021, 9, 30), dt.date(2021, 12, 31), dt.date(2022, 3, 31), dt.date(2022, 6, 30), dt.date(2022, 9, 30)]
    assert len(q) == 18 and q[-1] == dt.date(2025, 12, 31)  # bounded by the plan period
    s = dates("Tổng kết 6 tháng", dt.date(2021, 1, 1), dt.date(2023, 1, 1))
    assert s == [dt.date(2021, 12, 31), dt.date(2022, 6, 30), dt.date(2022, 12, 31)]
    m = dates("Nộp báo cáo tháng", dt.date(2024, 1, 1), dt.date(2024, 5, 1))
    assert m == [dt.date(2024, 1, 30), dt.date(2024, 2, 29), dt.date(2024, 3, 30), dt.date(2024, 4, 30)]
    y = dates("Báo cáo năm", dt.date(2024, 1, 1), dt.date(2027, 1, 1))
    assert y == [dt.date(2024, 2, 29), dt.date(2025, 2, 28), dt.date(2026, 2, 28)]
    w = dates("Họp giao ban", dt.date(2024, 6, 1), dt.date(2024, 6, 30))
    assert w == [dt.date(2024, 6, 3), dt.date(2024, 6, 10), dt.date(2024, 6, 17), dt.date(2024, 6, 24)]


@pytest.mark.parametrize("due,rec,expect", [
    (dt.date(2021, 3, 31), "quarterly", {"FREQ": "MONTHLY", "INTERVAL": 3, "BYMONTHDAY": -1}),
    (dt.date(2021, 3, 15), "quarterly", {"FREQ": "MONTHLY", "INTERVAL": 3}),
    (dt.date(2021, 6, 30), "semiannual", {"FREQ": "MONTHLY", "INTERVAL": 6, "BYMONTHDAY": -1}),
    (dt.date(2021, 12, 15), "annual", {"FREQ": "YEARLY"}),
    (dt.date(2021, 12, 15), "yearly", None),  # synonyms are normalised before rrule_for
    (dt.date(2021, 12, 15), None, None),
    (dt.date(2021, 12, 15), "whenever", None),
])
def test_rrule_for(due, rec, expect):
    assert cal.rrule_for(due, rec) == expect


def test_recurrence_synonyms_are_normalised():
    from vbparse.cal.entries import normalize_recurrence

    assert normalize_recurrence("Yearly") == "annual"
    assert normalize_recurrence("half-yearly") == "semiannual"
    assert normalize_recurrence(None) is None


# ---------------------------------------------------------------- alarms and todos


def test_valarm_reminders(ics):
    for e in events(ics):
        alarms = e.walk("VALARM")
        assert [a.decoded("TRIGGER") for a in alarms] == [dt.timedelta(days=-3), dt.timedelta(days=-1)]
        assert all(str(a["ACTION"]) == "DISPLAY" and str(a["DESCRIPTION"]) for a in alarms)


@pytest.mark.parametrize("spec,expect", [
    ("3d,1d", [dt.timedelta(days=3), dt.timedelta(days=1)]),
    ("1w, 2h,30m,0", [dt.timedelta(weeks=1), dt.timedelta(hours=2), dt.timedelta(minutes=30), dt.timedelta(0)]),
    ("2", [dt.timedelta(days=2)]),
    ("", []),
])
def test_parse_remind(spec, expect):
    assert cal.parse_remind(spec) == expect


def test_todo_mode(tmp_path, app):
    out = tmp_path / "todo.ics"
    r = run(app, FIXTURE, "-o", out, "--todo", "--remind", "1d")
    assert r.exit_code == 0 and "task(s)" in r.stderr
    assert events(out, "VEVENT") == []
    todos = events(out, "VTODO")
    assert len(todos) == 10
    for t in todos:
        assert type(t.decoded("DUE")) is dt.date and str(t["STATUS"]) == "NEEDS-ACTION"
        (a,) = t.walk("VALARM")
        assert a["TRIGGER"].params["RELATED"] == "END" and a.decoded("TRIGGER") == dt.timedelta(days=-1)
        if "RRULE" in t:
            assert t.decoded("DTSTART") == t.decoded("DUE")
    assert len(ics_events(out.read_text(encoding="utf-8"), "todos")) == 10


# ---------------------------------------------------------------- inputs


def test_directory_and_json_inputs(tmp_path, app):
    recs = records()
    d = tmp_path / "batch-out"
    d.mkdir()
    write_jsonl(d / "part-1.jsonl", recs[:2])
    write_jsonl(d / "part-2.jsonl", recs[2:])
    (d / "errors.jsonl").write_text('{"path": "x.pdf", "error": "encrypted"}\n', encoding="utf-8")
    (d / "summary.md").write_text("# not read: a batch folder is read through its JSONL\n", encoding="utf-8")
    single = tmp_path / "one.json"
    single.write_text(json.dumps(recs[0], ensure_ascii=False, indent=2), encoding="utf-8")
    a, b = tmp_path / "a.ics", tmp_path / "b.ics"
    assert run(app, d, "-o", a).exit_code == 0
    assert run(app, single, "-o", b).exit_code == 0
    assert set(by_uid(a)) == set(by_uid(write_all(tmp_path, recs))) and len(by_uid(a)) == 10
    assert len(by_uid(b)) == 4


def write_all(tmp_path: Path, recs) -> Path:
    p = tmp_path / "all.ics"
    cal.write(cal.build(cal.collect(recs)), str(p))
    return p


def test_stdout_output(app):
    r = run(app, FIXTURE)
    assert r.exit_code == 0
    c = icalendar.Calendar.from_ical(r.stdout_bytes if hasattr(r, "stdout_bytes") else r.stdout.encode())
    assert len(list(c.walk("VEVENT"))) == 10


@pytest.mark.parametrize("args,message", [
    (["no/such/file.txt"], "no such file"),
    (["{bad_json}"], "no vbparse plan records"),
    (["{empty_dir}"], "no plans or vbparse records"),
    (["{fixture}", "--remind", "soon"], "bad --remind"),
    (["{fixture}", "--from", "15/11/2021"], "not a date"),
    (["{fixture}", "--from", "2022-01-01", "--to", "2021-01-01"], "--from is after --to"),
    (["{fixture}", "--split-by", "issuer", "-o", "x"], "only 'responsible'"),
    (["{fixture}", "--split-by", "responsible"], "needs -o"),
])
def test_bad_input_one_line_error(tmp_path, app, args, message):
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": "world"}', encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    argv = [a.format(bad_json=bad, empty_dir=empty, fixture=FIXTURE) for a in args]
    if "-o" not in argv and "--split-by" not in argv:
        argv += ["-o", str(tmp_path / "out.ics")]
    r = run(app, *argv)
    assert r.exit_code != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("vbparse: ") and message in lines[0], r.stderr
    assert "Traceback" not in r.output
    assert not (tmp_path / "out.ics").exists()


def test_non_plan_text_is_rejected(tmp_path, app):
    try:
        import vbparse

        vbparse.parse("Kế hoạch số 1/KH-X\nI. MỤC ĐÍCH\n")
    except Exception as e:  # the pipeline is still being assembled by other work
        pytest.skip(f"parse() not usable yet: {type(e).__name__}: {e}")
    junk = tmp_path / "recipe.txt"
    junk.write_text("Trộn bột với đường, nướng 20 phút.\n", encoding="utf-8")
    r = run(app, junk, "-o", tmp_path / "out.ics")
    assert r.exit_code != 0 and "not a plan" in r.stderr and len(r.stderr.strip().splitlines()) == 1


# ---------------------------------------------------------------- details seen on real parses


def _plan(deadlines, dates=(), number="7", symbol="KH-X", issued="2021-07-01"):
    return {"schema_version": "1", "source": {"path": "p.txt", "format": "txt", "sha256": "d" * 64},
            "header": {"doc_type": "KH", "number": number, "symbol": symbol, "place": None, "issued": issued,
                       "title": "T", "issuer": "I"},
            "signer": None, "recipients": [], "sections": [], "references": [], "dates": list(dates),
            "deadlines": deadlines, "movements": [], "tags": []}


def _dl(due, task, rec=None, section="III.2", resp=None):
    return {"due": due, "task": task, "responsible": resp, "section": section, "text": due, "start": 0, "end": 1,
            "recurrence": rec, "inferred": None}


def test_a_named_repetition_folds_into_its_series():
    # "báo cáo định kỳ hằng quý trước ngày 20 của tháng cuối quý (quý III trước 20/9, quý IV trước 20/12)"
    recs = [_plan([_dl("2021-09-20", "báo cáo hằng quý (quý III", "quarterly"),
                   _dl("2021-12-20", "báo cáo hằng quý (quý III trước 20/9, quý IV", "quarterly"),
                   _dl("2021-12-20", "báo cáo hằng quý", "quarterly", section="IV.1"),  # elsewhere: kept
                   _dl("2022-01-20", "báo cáo", "quarterly")])]  # not on the series: kept
    es = cal.collect(recs)
    assert [(e.due.isoformat(), len(e.occurrences)) for e in es] == [
        ("2021-09-20", 2), ("2021-12-20", 1), ("2022-01-20", 1)]


def test_period_end_before_the_due_date_does_not_bound_the_series():
    recs = [_plan([_dl("2023-11-30", "báo cáo năm", "annual")],
                  dates=[{"date": "2023-10-15", "text": "15/10/2023", "start": 0, "end": 1, "role": "period-end"}])]
    (e,) = cal.collect(recs)
    assert e.until is None and e.rule == {"FREQ": "YEARLY"}
    assert "đến" not in cal.ics.description(e).split("Lặp lại:")[1].split("\n")[0]


def test_summary_drops_a_leading_list_marker():
    from vbparse.cal.ics import summary

    es = cal.collect([_plan([_dl("2021-07-25", "a) Xây dựng kế hoạch cụ thể"), _dl("2021-07-26", "3- Các tổ chức"),
                             _dl("2021-07-27", "100% công dân được hỗ trợ"), _dl("2021-07-28", None)])])
    assert [summary(e) for e in es] == ["Xây dựng kế hoạch cụ thể", "Các tổ chức", "100% công dân được hỗ trợ",
                                        "Hạn: 2021-07-28"]
