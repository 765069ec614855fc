"""Deadlines into calendars: RFC 5545 files (`vbparse calendar`) and a feed (`vbparse serve-calendar`).

    >>> from vbparse import cal
    >>> loaded = cal.load(["corpora/plans"])                 # plans, batch JSONL, or folders of them
    >>> entries = cal.Filters(responsible=["CĐCS"]).apply(cal.collect(loaded.records))
    >>> cal.write(cal.build(entries, reminders=cal.parse_remind("3d,1d")), "deadlines.ics")

Named `cal`, not `calendar`, so that it never shadows the standard library's `calendar`.
"""
from __future__ import annotations

from .entries import Entry, Filters, collect, plan_id, rrule_for, split_by_responsible
from . import ics
from .ics import build, parse_remind, write
from .load import Loaded, load

__all__ = ["Entry", "Filters", "Loaded", "build", "collect", "load", "parse_remind", "plan_id", "rrule_for",
           "split_by_responsible", "write"]
