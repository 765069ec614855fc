"""`vbparse calendar INPUT... -o deadlines.ics`: the plans' deadlines as an RFC 5545 calendar."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import List, Optional

import typer


def _date(value: str | None, opt: str):
    from . import fail

    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{opt}: not a date: {value!r} (use YYYY-MM-DD)")


def register(app: typer.Typer) -> None:
    @app.command("calendar")
    def calendar_cmd(
        inputs: List[str] = typer.Argument(..., help="plan files, `vbparse batch` output (.jsonl), `vbparse parse` JSON, or folders of them"),
        output: str = typer.Option("-", "-o", "--output", help="the .ics to write (- = stdout); with --split-by, a folder or a NAME.ics template"),
        todo: bool = typer.Option(False, "--todo", help="VTODO tasks instead of all-day VEVENTs"),
        remind: Optional[str] = typer.Option(None, "--remind", help="reminders before the due day, e.g. 3d,1d (units w d h m)"),
        responsible: List[str] = typer.Option([], "--responsible", help="keep deadlines of this party, e.g. \"CĐCS\" (repeatable; accents, case and common abbreviations ignored)"),
        date_from: Optional[str] = typer.Option(None, "--from", help="keep deadlines due on or after YYYY-MM-DD (recurring: any repetition)"),
        date_to: Optional[str] = typer.Option(None, "--to", help="keep deadlines due on or before YYYY-MM-DD"),
        label: List[str] = typer.Option([], "--label", help="keep deadlines of plans with this movement label (id or name; repeatable)"),
        issuer: List[str] = typer.Option([], "--issuer", help="keep deadlines of plans from this issuer (repeatable)"),
        split_by: Optional[str] = typer.Option(None, "--split-by", help="'responsible': one calendar per responsible party"),
        name: Optional[str] = typer.Option(None, "--name", help="calendar name shown by clients"),
    ) -> None:
        """Write the deadlines of plans as an iCalendar file (one event per deadline, stable UIDs)."""
        from ..errors import InputError
        from .. import cal
        from . import fail

        try:
            reminders = cal.parse_remind(remind)
        except ValueError as e:
            fail(str(e))
        if split_by not in (None, "responsible"):
            fail(f"--split-by: only 'responsible' is supported, not {split_by!r}")
        if split_by and output == "-":
            fail("--split-by needs -o (a folder, or a NAME.ics template)")
        filters = cal.Filters(responsible=list(responsible), date_from=_date(date_from, "--from"),
                              date_to=_date(date_to, "--to"), labels=list(label), issuers=list(issuer))
        if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
            fail("--from is after --to")
        try:
            loaded = cal.load(list(inputs))
        except InputError as e:
            fail(str(e))
        warnings = list(loaded.warnings)
        entries = filters.apply(cal.collect(loaded.records, warnings))
        for w in warnings:
            print(f"vbparse: warning: {w}", file=sys.stderr)
        base = name or "Hạn thực hiện kế hoạch"
        written: list[tuple[str, int]] = []
        try:
            if split_by:
                groups = cal.split_by_responsible(entries)
                out = Path(output)
                if out.suffix.lower() == ".ics":
                    target = lambda s: out.with_name(f"{out.stem}-{s}.ics")  # noqa: E731
                else:
                    target = lambda s: out / f"{s}.ics"  # noqa: E731
                for s, (resp, es) in groups.items():
                    path = str(target(s))
                    cal.write(cal.build(es, name=f"{base}: {resp or 'chưa xác định'}", todo=todo, reminders=reminders), path)
                    written.append((path, len(es)))
            else:
                cal.write(cal.build(entries, name=base, todo=todo, reminders=reminders), output)
                written.append((output, len(entries)))
        except OSError as e:
            fail(f"{output}: cannot write: {e.strerror or e}")
        n_plans = len(loaded.records)
        kind = "task(s)" if todo else "event(s)"
        for path, n in written:
            if path != "-":
                print(f"vbparse: wrote {n} {kind} to {path}", file=sys.stderr)
        if not entries:
            print(f"vbparse: warning: no deadlines matched (from {n_plans} plan record(s))", file=sys.stderr)
