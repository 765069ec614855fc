"""Dates to ISO, and how a partial date gets its year (always said, never silent).

Rules, in order: the other end of a "từ ... đến ..." period (`year-from-period`); the plan's own
year (`year-from-plan`), or the next one when the day-month lies more than a month before the
plan was issued (`year-after-plan`: "trước ngày 15/3" in a plan of December means March next
year); the nearest full date written before it (`year-from-context`). Month and quarter mentions
resolve to their last day (`end-of-month`, `end-of-quarter`).
"""
from __future__ import annotations

import calendar
from datetime import date

ROMAN_QUARTER = {"I": 1, "II": 2, "III": 3, "IV": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def iso(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def end_of_month(y: int, m: int) -> str | None:
    if not 1 <= m <= 12:
        return None
    return date(y, m, calendar.monthrange(y, m)[1]).isoformat()


def end_of_quarter(y: int, q: int) -> str | None:
    return end_of_month(y, q * 3) if 1 <= q <= 4 else None


def complete_year(d: int, m: int, plan_issued: str | None, plan_year: int | None,
                  context_year: int | None) -> tuple[int | None, str | None]:
    """Year for a day-month written without one, and the rule that chose it."""
    if plan_issued:
        py, pm, pd = (int(x) for x in plan_issued.split("-"))
        # more than ~a month before the issue date reads as next year's
        if (m, d) < (pm - 1, pd) or (m < pm - 1):
            return py + 1, "year-after-plan"
        return py, "year-from-plan"
    if plan_year:
        return plan_year, "year-from-plan"
    if context_year:
        return context_year, "year-from-context"
    return None, None
