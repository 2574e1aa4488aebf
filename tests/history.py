"""Weeks of records in a class workbook, as if each school day's daily
sheets had been generated, filled in and saved.

For tests and benchmarks that need a workbook with history (1 week, 20
weeks…) without running the daily cycle 100 times: each day's forms are
made by the library (``day_forms`` for the groups in 分组), filled with plausible entries
(``xlzu.demo.typed_entries``, seeded), read back like typed sheets
(``parse_forms``) and upserted (``apply_forms``) — the same path ``xlzu
save`` takes from a sheet to a record — and both record tables are written
once at the end.  Needs groups in 分组.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from xlzu import contract as C
from xlzu.book.files import FileBook
from xlzu.dailysheets import day_forms, teams_on
from xlzu.dates import monday, week_days
from xlzu.demo import typed_entries
from xlzu.members import read_culture, read_members
from xlzu.records import empty, read_records, records_layout
from xlzu.scoring import apply_forms, parse_forms
from xlzu.settings import read_settings


def school_days(path: str | Path, weeks: int, first_week: int = 1) -> list[date]:
    """The school days of term weeks ``first_week`` … ``first_week + weeks - 1``."""
    book = FileBook.open(Path(path))
    settings = read_settings(book.read_values(C.SETTINGS))
    start = monday(settings.term_start) + timedelta(weeks=first_week - 1)
    return [d for w in range(weeks) for d in week_days(start + timedelta(weeks=w), settings.school_days)]


def fill_weeks(path: str | Path, weeks: int, *, first_week: int = 1, seed: int = 0,
               history: bool = False) -> tuple[int, int]:
    """Records for ``weeks`` school weeks from term week ``first_week`` in
    个人记录 / 小组记录 (kept: records of other days already there); with
    ``history``, 周历史 (and its chart) as if every week but the latest had
    been summarised (:func:`week_history`).
    Returns the number of (person, group) records afterwards."""
    path = Path(path)
    book = FileBook.open(path)
    settings = read_settings(book.read_values(C.SETTINGS))
    person, _ = read_records(book.read_values(C.PERSON_RECORDS), "person")
    groups, _ = read_records(book.read_values(C.GROUP_RECORDS), "group")
    values = book.read_values(C.GROUPS)
    members, _ = read_members(values)
    assert members[C.GROUP_NO].notna().any(), "fill_weeks needs groups in 分组"
    teams = teams_on(empty("person"), members, read_culture(values))
    rng = random.Random(seed)
    typed = []
    for day in school_days(path, weeks, first_week):
        forms = day_forms(settings, day, teams)
        sheets = {f.sheet: f.filled(typed_entries(f, rng)).grid() for f in forms}
        parsed, problems = parse_forms(sheets, settings)
        assert not problems, problems[:3]
        typed += parsed
    if typed:
        person, groups, _ = apply_forms(person, groups, typed)
        book.write_layout(C.PERSON_RECORDS, records_layout(person, "person"))
        book.write_layout(C.GROUP_RECORDS, records_layout(groups, "group"))
        if history:
            from xlzu.weekly import history_layout

            past = week_history(person, groups, members, read_culture(values), settings)
            book.write_layout(C.WEEK_HISTORY, history_layout(past, settings))
        book.save()
    return len(person), len(groups)


def type_forms(path: str | Path, *, seed: int = 1) -> int:
    """Type plausible entries into every daily sheet of the workbook, with
    openpyxl, as a teacher does (``formfill.type_day``); returns how many
    cells were typed."""
    from formfill import Typed, type_day

    typed = Typed()
    type_day(Path(path), random.Random(seed), typed)
    return len(typed.cells)


def week_history(person, groups, members, culture, settings, *, latest: bool = False):
    """周历史 as if 一键周汇总 had been pressed at the end of every week that
    has records (all but the latest week unless ``latest``): the library's
    own path (``summarize_week`` → ``history_rows`` → ``upsert_history``)."""
    from xlzu.weekly import empty_history, history_rows, record_days, summarize_week, upsert_history

    mondays = sorted({monday(d) for d in record_days(groups, person)})
    history = empty_history()
    for start in mondays if latest else mondays[:-1]:
        summary = summarize_week(groups, person, members, culture, settings, start)
        history = upsert_history(history, history_rows(summary))
    return history

def type_exams(path: str | Path, *, seed: int = 5, missing: int = 1) -> int:
    """Scores for every exam column of 考试成绩 (期中, 期末 in a new class
    workbook), typed with openpyxl; the last ``missing`` students missed
    the last exam (blank).  Returns the number of students."""
    from openpyxl import load_workbook

    rng = random.Random(seed)
    wb = load_workbook(path)
    ws = wb[C.EXAMS]
    rows = range(2, ws.max_row + 1)
    for r in rows:
        base = rng.randint(350, 650)
        for c in range(3, ws.max_column + 1):
            ws.cell(r, c).value = min(750, max(0, base + rng.randint(-60, 60)))
    for r in list(rows)[len(rows) - missing:]:
        ws.cell(r, ws.max_column).value = None
    wb.save(path)
    return len(rows)
