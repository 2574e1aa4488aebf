"""School calendar arithmetic: weeks of the term, weekday names."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from . import contract as C


def as_date(value: Any) -> date:
    """A date from a date, datetime, Timestamp or ISO text (2026-11-24)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime().date()
    from .settings import parse_date

    d = parse_date(value)
    if d is None:
        raise ValueError(f"not a date: {value!r}")
    return d


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_number(day: date, term_start: date) -> int:
    """1 for the week (Mon–Sun) containing the term's first day."""
    return (monday(day) - monday(term_start)).days // 7 + 1


def week_days(day: date, school_days: tuple[int, ...]) -> list[date]:
    """The school days of the week that contains ``day``."""
    start = monday(day)
    return [start + timedelta(days=d) for d in sorted(school_days)]


def weekday_name(day: date) -> str:
    return "星期" + C.WEEKDAYS[day.weekday()]


def long_date(day: date) -> str:
    """2026年11月24日 星期二"""
    return f"{day.year}年{day.month}月{day.day}日 {weekday_name(day)}"


def short_date(day: date) -> str:
    """11月24日"""
    return f"{day.month}月{day.day}日"
