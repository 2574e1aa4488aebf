"""Daily sheets: generate them for a date, save what was typed as records,
print them.

* ``daily`` first saves the forms currently in the workbook (or refuses,
  listing every bad cell, when they hold invalid entries: nothing typed is
  ever thrown away), then writes 日表-班级 and every 日表-第N组 for the new
  date, pre-filled from the records when that date already has some.  With
  ``all_weekdays`` it also writes the other school days of that week as
  日表-班级(周三), 日表-第3组(周三) …, for printing the week at once; they are
  ordinary forms that ``save`` reads too.
* ``save`` reads every daily sheet (each carries its date) and upserts those
  dates in 个人记录 and 小组记录.  Any invalid entry stops the save: one
  message lists every bad cell, the cells are highlighted, nothing is written.
* ``print_daily`` prints daily sheets to PDF: by default every daily sheet
  in the workbook, or one date's (or a week's).  A file goes through
  LibreOffice, which also prints a date the workbook holds no forms for (they
  are made in a temporary copy); a workbook open in Excel (the 打印日表 button)
  uses Excel's own PDF export and prints only sheets it holds.

Without a date, ``daily`` writes the forms of today when today is a school
day in 设置, else of the next school day (:func:`default_day`).
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from .. import contract as C
from ..book.base import Book
from ..book.files import FileBook
from ..dailysheets import Form, class_form, day_forms, teams_on, week_form
from ..dates import long_date, week_days, week_number
from ..cells import id_key, is_blank
from ..errors import CellProblem, EntryError, InputError, XlzuError
from ..forms import form_layout
from ..layout import clean_text, excel_value
from ..members import read_culture, read_members
from .. import schema
from ..records import COLUMNS, SHEETS, TABLES, read_table, records_layout, rows_below
from ..scoring import DayChange, FormEntries, apply_forms, day_records, parse_form, parse_forms, parse_week_form
from ..settings import Settings
from .common import Report, load_settings, parse_day, print_only, run

TITLE_DAILY = "生成日表"
TITLE_SAVE = "保存日表"
TITLE_PRINT = "打印日表"


@dataclass
class _Inputs:
    settings: Settings
    members: pd.DataFrame
    culture: pd.DataFrame
    person: pd.DataFrame
    groups: pd.DataFrame
    # The record sheets' cells as read (None: no such sheet), so a run can
    # tell whether a table changed without reading the sheet again.
    person_values: list[list[Any]] | None = None
    groups_values: list[list[Any]] | None = None
    # The record tables as found (header, the teacher's columns and notes),
    # so a write-back keeps what the teacher added.
    person_read: Any = None
    groups_read: Any = None


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------
def _read_inputs(book: Book, *, need_groups: bool = True, records: bool = True) -> _Inputs:
    """设置, 分组 and (unless not ``records``: empty tables) the record tables."""
    settings = load_settings(book)
    problems = []
    members = culture = None
    if book.has_sheet(C.GROUPS):
        values = book.read_values(C.GROUPS)
        members, found = read_members(values)
        culture = read_culture(values)
        problems += found
    person_values = book.read_values(C.PERSON_RECORDS) if records and book.has_sheet(C.PERSON_RECORDS) else None
    person, person_read = read_table(person_values, "person") if person_values is not None else (None, None)
    problems += person_read.problems if person_read is not None else []
    groups_values = book.read_values(C.GROUP_RECORDS) if records and book.has_sheet(C.GROUP_RECORDS) else None
    groups, groups_read = read_table(groups_values, "group") if groups_values is not None else (None, None)
    problems += groups_read.problems if groups_read is not None else []
    if problems:
        raise InputError("“分组”或记录表中有需要改正的内容（已标成红色），日表没有处理：", problems)
    from ..records import empty

    if members is None:
        members, _ = read_members([])
        culture = read_culture([])
    if need_groups and not members[C.GROUP_NO].notna().any():
        raise InputError(f"“{C.GROUPS}”中还没有小组。请先运行“自动分组”（xlzu group），再生成日表。")
    return _Inputs(settings, members, culture, person if person is not None else empty("person"),
                   groups if groups is not None else empty("group"), person_values, groups_values,
                   person_read, groups_read)


def _is_form_sheet(name: str) -> bool:
    return C.parse_daily_sheet(name) is not None or C.parse_week_group_sheet(name) is not None


def daily_sheet_names(book: Book) -> list[str]:
    """Every daily sheet and weekly form (周表-第N组) in the workbook, in
    workbook order."""
    return [s for s in book.sheet_names() if _is_form_sheet(s)]


def _odd_daily_names(book: Book) -> list[str]:
    """Sheets that look like daily sheets or weekly forms but are not named
    like one (a copy “日表-第3组 (2)”): their entries are not read."""
    prefixes = (C.DAILY_CLASS.split("-")[0], C.WEEK_FORM_PREFIX.split("-")[0])
    return [s for s in book.sheet_names() if s.startswith(prefixes) and not _is_form_sheet(s)]


def _current_forms(book: Book, settings: Settings) -> tuple[list[FormEntries], list]:
    sheets = {s: book.read_values(s) for s in daily_sheet_names(book)}
    forms, problems = parse_forms(sheets, settings)
    read = {f.sheet for f in forms}
    for sheet, values in sheets.items():
        filled = sum(1 for r in values for v in r if not is_blank(v))
        if sheet not in read and filled > 3:  # more than a placeholder's title and hint
            problems.append(CellProblem(
                sheet, "A1", None,
                f"找不到这张日表的表头（“{C.GROUP_ID}”或“{C.GROUP_NO}”和“{C.DAILY_TOTAL}”所在的一行），"
                "填写的内容无法读取，也没有被替换：请恢复表头（可撤销刚才的修改），或把内容抄到新生成的日表后删掉这张表"))
    return forms, problems


_KNOWN = set(C.workbook_sheets(0, macro=True))


def _stray_forms(book: Book, settings: Settings) -> list[CellProblem]:
    """Daily forms under a name that is not a daily sheet's (renamed to
    第2组, a copy 日表-第3组 (2)) that hold entries: xlzu cannot tell whose
    entries they are, and must not lose them, so they are refused."""
    problems = []
    for sheet in book.sheet_names():
        if sheet in _KNOWN or _is_form_sheet(sheet):
            continue
        values = book.read_values(sheet)
        head = " ".join(clean_text(v) for r in values[:3] for v in r)
        for title, name in ((C.DAILY_GROUP_TITLE, C.daily_group_sheet(1)), (C.DAILY_CLASS_TITLE, C.DAILY_CLASS),
                            (C.WEEK_FORM_TITLE, C.week_group_sheet(1))):
            if title not in head:
                continue
            if name == C.week_group_sheet(1):
                typed = sum(f.typed for f in parse_week_form(values, name, settings)[0])
            else:
                form, _ = parse_form(values, name, settings)
                typed = form.typed if form is not None else 0
            if typed:
                problems.append(CellProblem(
                    sheet, "A1", None,
                    f"这张表是日表，但表名不是日表的名称（如“{C.DAILY_CLASS}”“{C.daily_group_sheet(2)}”），"
                    f"xlzu 不知道它是哪一张日表，填写的 {typed} 格没有保存。请把表名改回原来的名称"
                    f"（如“{C.week_group_sheet(2)}”；或把内容填到原来的日表中再删掉这张表），然后再运行"))
            break
    return problems


def _unknown_people(forms: list[FormEntries], inputs: "_Inputs") -> list[CellProblem]:
    """A 学号 or 组号 on a form that is not in 分组 (nor in that day's
    records: a student who has since left) is refused naming its cell."""
    members = inputs.members
    ids = {id_key(i) for i in members[C.GROUP_ID] if isinstance(i, str)}
    groups = {int(g) for g in members[C.GROUP_NO].dropna()}
    problems = []
    for f in forms:
        if f.day is None:
            continue
        stamp = pd.Timestamp(f.day)
        if f.kind == "group":
            day_ids = ids | {id_key(i) for i in inputs.person.loc[inputs.person[C.REC_DATE] == stamp, C.REC_ID]}
            for who, ref in f.who_cells.items():
                if id_key(who) not in day_ids and any(r[C.REC_ID] == who for r in f.person):
                    problems.append(CellProblem(f.sheet, ref, who, f"学号不在“{C.GROUPS}”中：请核对学号，或删掉这一行"))
        else:
            day_groups = groups | {int(g) for g in inputs.groups.loc[inputs.groups[C.REC_DATE] == stamp, C.REC_GROUP].dropna()}
            for who, ref in f.who_cells.items():
                if who not in day_groups and any(r[C.REC_GROUP] == who for r in f.groups):
                    problems.append(CellProblem(f.sheet, ref, who,
                                                f"“{C.GROUPS}”中没有第{who}组（现有 {len(groups)} 个小组）：请核对组号，或删掉这一行"))
    return problems


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------
def _grid(values: list[list[Any]]) -> list[list[Any]]:
    rows = [[excel_value(v) for v in r] for r in values]
    for r in rows:
        while r and r[-1] is None:
            r.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _write_records(book: Book, inputs: _Inputs, kind: str, table: pd.DataFrame) -> bool:
    """Write a record table (in one go) unless the sheet already shows
    exactly that.  Compares with what the run read at its start, never
    reads the sheet again: in live Excel every read is a round trip, and a
    run reads everything before it writes anything."""
    sheet = C.PERSON_RECORDS if kind == "person" else C.GROUP_RECORDS
    old = inputs.person if kind == "person" else inputs.groups
    values = inputs.person_values if kind == "person" else inputs.groups_values
    read = inputs.person_read if kind == "person" else inputs.groups_read
    if len(old) == len(table) and old.reset_index(drop=True).equals(table.reset_index(drop=True)):
        return False
    layout = records_layout(table, kind, read)
    # A different number of records cannot show the same: compare cell by
    # cell (a quarter of a million cells in a term) only when it might.
    if values is not None and len(old) == len(table) and _grid(values) == _grid(layout.grid()):
        return False
    book.write_layout(sheet, layout)
    return True


def _ensure_forms(book: Book) -> None:
    for form in (C.FORM_GROUP, C.FORM_CLASS):
        if not book.has_sheet(form):
            book.write_layout(form, form_layout(form), hidden=True)


def _write_forms(book: Book, forms: list[Form]) -> None:
    _ensure_forms(book)
    keep = {f.sheet for f in forms}
    for sheet in daily_sheet_names(book):
        if sheet not in keep:
            book.delete_sheet(sheet)
    for f in forms:
        book.write_layout(f.sheet, f.layout, form=f.form)


def _change_lines(changes: list[DayChange]) -> list[str]:
    lines = []
    for ch in changes:
        if not (ch.added or ch.changed or ch.removed or ch.person or ch.groups):
            continue  # an empty form of a day without records
        what = f"新增 {ch.added} 条、修改 {ch.changed} 条、删除 {ch.removed} 条" if ch.added or ch.changed or ch.removed else "与已存的记录相同，没有变化"
        lines.append(f"{long_date(ch.day)}（{len(ch.sheets)} 张日表）：{what}；这一天共有个人记录 {ch.person} 条、小组记录 {ch.groups} 条。")
    return lines


def _forms_below(book: Book, settings: Settings, looked: set[date], *, need_groups: bool, refuse: str):
    """The forms in the workbook saved as records to go below the record
    tables, read neither, when that is what saving them means: none of
    their dates, nor of ``looked`` (dates whose new forms are pre-filled
    from the records), is in either table yet (:func:`_record_ends`).
    (inputs without records, new records of each table, the changes, the
    forms, where the rows go); None otherwise: read the tables whole."""
    ends = _record_ends(book)
    if ends is None:
        return None
    forms, problems = _current_forms(book, settings)
    days = looked | {f.day for f in forms if f.day is not None}
    if not days or not _dates_absent(ends, days):
        return None
    inputs = _read_inputs(book, need_groups=need_groups, records=False)
    problems += _unknown_people(forms, inputs) + _stray_forms(book, settings)
    if problems:
        raise EntryError(refuse.format(n=len(problems)), problems)
    person, groups, changes = apply_forms(inputs.person, inputs.groups, [f for f in forms if f.day is not None])
    return inputs, person, groups, changes, forms, ends


def _save_current(book: Book, inputs: _Inputs, *, refuse: str) -> tuple[pd.DataFrame, pd.DataFrame, list[DayChange], list[FormEntries]]:
    forms, problems = _current_forms(book, inputs.settings)
    problems += _unknown_people(forms, inputs) + _stray_forms(book, inputs.settings)
    if problems:
        raise EntryError(refuse.format(n=len(problems)), problems)
    dated = [f for f in forms if f.day is not None]
    person, groups, changes = apply_forms(inputs.person, inputs.groups, dated)
    return person, groups, changes, forms


# --------------------------------------------------------------------------
# Generating
# --------------------------------------------------------------------------
def forms_for(book: Book, day: date | str, *, all_weekdays: bool = False, inputs: _Inputs | None = None) -> list[Form]:
    """The forms ``daily`` writes for ``day`` (and, with ``all_weekdays``,
    the other school days of its week), pre-filled from the records.  With
    设置 纸质表格 = 每周: the class sheet of every school day of the week
    and one weekly form per group (:func:`week_forms`)."""
    day = parse_day(day)
    inputs = inputs or _read_inputs(book)
    s = inputs.settings
    if s.paper_forms == C.PAPER_WEEKLY:
        return week_forms(inputs, day)
    days = [day]
    if all_weekdays:
        days += [d for d in week_days(day, s.school_days) if d != day]
    forms: list[Form] = []
    for d in sorted(days):
        person_day = day_records(inputs.person, d)
        group_day = day_records(inputs.groups, d)
        teams = teams_on(person_day, inputs.members, inputs.culture, group_day)
        forms += day_forms(s, d, teams, person_day, group_day, weekday_names=d != day)
    return forms


def week_days_of(settings: Settings, day: date) -> list[date]:
    """The school days of ``day``'s week (``day`` too, if it is not one)."""
    days = week_days(day, settings.school_days)
    return days if day in days else sorted(days + [day])


def week_forms(inputs: "_Inputs", day: date) -> list[Form]:
    """The forms of ``day``'s school week when 设置 says 纸质表格 = 每周:
    日表-班级 for ``day`` and 日表-班级(周三) … for the week's other school
    days (the 值日班长 changes daily), then 周表-第N组 for every group.  A
    student who already has records that week stays in the group they name."""
    s = inputs.settings
    days = week_days_of(s, day)
    forms: list[Form] = []
    for d in days:
        group_day = day_records(inputs.groups, d)
        teams = teams_on(day_records(inputs.person, d), inputs.members, inputs.culture, group_day)
        name = C.DAILY_CLASS if d == day else C.daily_day_sheet(C.DAILY_CLASS, d.weekday())
        forms.append(class_form(s, d, teams, group_day, name))
    person_week = {d: day_records(inputs.person, d) for d in days}
    groups_week = pd.concat([day_records(inputs.groups, d) for d in days])
    teams = teams_on(pd.concat(person_week.values()), inputs.members, inputs.culture, groups_week)
    for team in teams:
        mine = {d: p.loc[p[C.REC_GROUP] == team.number] for d, p in person_week.items()}
        forms.append(week_form(s, days, team, mine))
    return forms


def today() -> date:
    """The computer's date (the one clock the daily operations read)."""
    return date.today()


def default_day(settings: Settings, on: date | None = None) -> date:
    """The date ``daily`` writes when none is given: ``on`` (default today)
    if it is a school day in 设置, else the next school day."""
    day = on or today()
    if not settings.school_days:
        return day
    while not settings.is_school_day(day):
        day += timedelta(days=1)
    return day


_REFUSE_DAILY = "当前日表中有 {n} 处需要改正（已标成红色）。为了不丢失已填写的内容，没有生成新日表；请改正后再运行："


def _daily(book: Book, day: date | None, all_weekdays: bool) -> Report:
    now = today()
    chosen = day is None
    settings = load_settings(book)
    the_day = day or default_day(settings, now)
    looked = set(week_days_of(settings, the_day)) if all_weekdays or settings.paper_forms == C.PAPER_WEEKLY else {the_day}
    below = _forms_below(book, settings, looked, need_groups=True, refuse=_REFUSE_DAILY)
    if below is not None:  # the new forms' dates and the saved ones are not in the records yet
        inputs, person, groups, changes, _, ends = below
    else:
        inputs = _read_inputs(book)
        person, groups, changes, _ = _save_current(book, inputs, refuse=_REFUSE_DAILY)
    if day is None:
        day = default_day(inputs.settings, now)
    new = _Inputs(inputs.settings, inputs.members, inputs.culture, person, groups)
    forms = forms_for(book, day, all_weekdays=all_weekdays, inputs=new)
    # Everything is checked: now write.
    report = Report(TITLE_DAILY, data={"forms": forms, "person": person, "groups": groups, "changes": changes, "day": day})
    saved = _change_lines(changes)
    if changes:
        if below is not None:
            wrote = [_add_below(book, ends, person, groups)]
        else:
            wrote = [_write_records(book, inputs, "person", person), _write_records(book, inputs, "group", groups)]
        if saved:
            report.add("先保存了原来的日表" + ("：" if any(wrote) else "（记录已是最新）："))
            report.lines += saved
    _write_forms(book, forms)
    s = inputs.settings
    by_day: dict[date, list[Form]] = {}
    for f in forms:
        if f.kind != "week":
            by_day.setdefault(f.day, []).append(f)
    weekly = [f for f in forms if f.kind == "week"]
    if weekly:
        days = sorted(by_day)
        names = "、".join(f.sheet for f in weekly[:2]) + (f" … {weekly[-1].sheet}" if len(weekly) > 2 else "")
        report.add(f"已生成 {long_date(days[0])} 至 {long_date(days[-1])} 这一周的表（“{C.SETTINGS}”中纸质表格为“{C.PAPER_WEEKLY}”）："
                   f"小组周表 {len(weekly)} 张（{names}），班级考核表每天 1 张、共 {len(days)} 张。")
        filled = sum(f.prefilled for f in forms)
        if filled:
            report.add(f"  这一周已有记录，表已按记录填好（{filled} 格）；改正后运行“保存日表”（xlzu save）即可。")
        for d in days:
            if not s.is_school_day(d):
                report.add(f"  注意：{long_date(d)} 不在“设置”的上课日中。")
        by_day = {}
    for d, fs in sorted(by_day.items()):
        groups_n = sum(1 for f in fs if f.kind == "group")
        names = "、".join(f.sheet for f in fs[:2]) + (f" … {fs[-1].sheet}" if len(fs) > 2 else "")
        report.add(f"已生成 {long_date(d)} 的日表：班级考核表 1 张、小组日表 {groups_n} 张（{names}）。")
        filled = sum(f.prefilled for f in fs)
        if filled:
            report.add(f"  这一天已有记录，日表已按记录填好（{filled} 格）；改正后运行“保存日表”（xlzu save）即可。")
        if not s.is_school_day(d):
            report.add(f"  注意：{long_date(d)} 不在“设置”的上课日中。")
    if chosen and day != now:
        report.add(f"今天（{long_date(now)}）不是“设置”中的上课日，生成的是下一个上课日的日表。"
                   "要生成别的日期，请在命令行用 xlzu daily --date。")
    others = [f.sheet for f in forms if f.day != day and f.kind == "class"]
    if others and weekly:
        report.add(f"{long_date(day)} 的班级考核表是“{C.DAILY_CLASS}”，其他几天的表名带星期，如“{others[0]}”。")
    elif others:
        report.add(f"一周的日表可一起打印；{long_date(day)} 用“{C.DAILY_CLASS}”“{C.daily_group_sheet(1)}”等表名，"
                   f"其他几天的表名带星期，如“{others[0]}”。各天填好后都可直接保存。")
    week = week_number(day, s.term_start)
    if week < 1:
        report.add(f"注意：{long_date(day)} 在学期开始日期（{s.term_start.isoformat()}）之前。")
    if weekly:
        report.add("打印后由大组长每天填写本组周表、值日班长填写当天的班级考核表；填好的内容录入这些表，"
                   "再运行“保存日表”（xlzu save）：周表每一栏按它的星期存为当天的记录。")
    else:
        report.add("打印后由大组长、值日班长填写；填好的内容录入这些表，再运行“保存日表”（xlzu save）。")
    return report


def daily(target: Book | str | os.PathLike, day: date | str | None = None, *, all_weekdays: bool = False) -> Report:
    """Write the daily sheets of ``day`` (SPEC 3): 日表-班级 and one
    日表-第N组 per group; with ``all_weekdays`` the week's other school days
    too.  Without ``day``: today if it is a school day in 设置, else the next
    school day (:func:`default_day`).  The forms currently in the workbook
    are saved first (or, when invalid, nothing happens and every bad cell is
    listed)."""
    return run(TITLE_DAILY, target, _daily, None if day is None else parse_day(day), all_weekdays)


# --------------------------------------------------------------------------
# Saving
# --------------------------------------------------------------------------
_REFUSE_SAVE = "日表中有 {n} 处需要改正（已标成红色），这次没有保存任何记录；请改正后再保存："


def _save(book: Book) -> Report:
    report = _save_below(book)
    if report is not None:
        return report
    inputs = _read_inputs(book, need_groups=False)
    person, groups, changes, forms = _save_current(book, inputs, refuse=_REFUSE_SAVE)
    report = Report(TITLE_SAVE, data={"person": person, "groups": groups, "changes": changes})
    if changes:
        _write_records(book, inputs, "person", person)
        _write_records(book, inputs, "group", groups)
    return _saved(book, report, changes, forms)


def _save_below(book: Book) -> Report | None:
    """Save the forms by adding their records below the last row of 个人记录
    and 小组记录, neither table read nor written again, when that is what
    saving them means (see :func:`_record_ends`); None otherwise: the
    tables are then read whole, the forms' dates replaced and the tables
    written back (:func:`_save`)."""
    below = _forms_below(book, load_settings(book), set(), need_groups=False, refuse=_REFUSE_SAVE)
    if below is None:
        return None
    _, person, groups, changes, forms, ends = below
    _add_below(book, ends, person, groups)
    report = Report(TITLE_SAVE, data={"changes": changes, "added": {"person": person, "groups": groups}})
    return _saved(book, report, changes, forms)


def _record_ends(book: Book) -> dict[str, tuple[Any, int, dict[str, int]]] | None:
    """Each record table's edges, header row and columns, when the backend
    finds them without reading the table (:meth:`Book.table_end`: a term's
    records are 40,000 rows) and the header has every declared column;
    None otherwise.  A save whose dates neither table holds yet (nothing to
    replace) then adds its records below the tables' last rows."""
    ends = {}
    for kind, sheet in (("person", C.PERSON_RECORDS), ("group", C.GROUP_RECORDS)):
        end = book.table_end(sheet) if book.has_sheet(sheet) else None
        if end is None:
            return None
        hit = schema.find_header(end.top, TABLES[kind])
        if hit is None or not set(COLUMNS[kind]) <= set(hit[1]):
            return None
        ends[kind] = (end, hit[0], hit[1])
    return ends


def _dates_absent(ends: dict[str, tuple[Any, int, dict[str, int]]], days: set[date]) -> bool:
    """Whether no record in either table is dated on one of ``days``, and
    every 日期 cell reads as a date (an unreadable one is named by reading
    the table whole)."""
    stamps = {pd.Timestamp(d) for d in days}
    for kind, (end, header, col) in ends.items():
        dates = end.distinct(col[C.REC_DATE], header + 1)
        if dates is None:
            return False
        for raw in dates:
            value, problem = TABLES[kind].column(C.REC_DATE).parse(raw)
            if problem or value in stamps:
                return False
    return True


def _add_below(book: Book, ends: dict[str, tuple[Any, int, dict[str, int]]], person: pd.DataFrame,
               groups: pd.DataFrame) -> bool:
    """New records written below each table's last row; whether there were any."""
    added = False
    for kind, table in (("person", person), ("group", groups)):
        if len(table):
            end, _, col = ends[kind]
            rows, styles, widths = rows_below(table, kind, col)
            book.append_rows(SHEETS[kind], end.last_row + 1, rows, styles, widths)
            added = True
    return added


def _saved(book: Book, report: Report, changes: list[DayChange], forms: list[FormEntries]) -> Report:
    """The report of a save: what each date gained or lost."""
    for name in _odd_daily_names(book):
        report.add(f"工作表“{name}”不是日表的标准名称，没有读取。要保存它的内容，请把它改名为“{C.DAILY_CLASS}”或“{C.daily_group_sheet(1)}”这样的名称。")
    if not changes:
        report.add("没有找到要保存的日表。请先运行“生成日表”（xlzu daily），填好后再保存。")
        return report
    lines = _change_lines(changes)
    if lines:
        report.add(f"已保存日表到“{C.PERSON_RECORDS}”和“{C.GROUP_RECORDS}”：")
        report.lines += lines
    else:
        report.add("日表中还没有填写任何内容，记录没有变化。")
    typed: dict[str, int] = {}
    for f in forms:
        if f.day is not None:
            typed[f.sheet] = typed.get(f.sheet, 0) + f.typed
    empty = [sheet for sheet, n in typed.items() if n == 0]
    if empty and len(empty) < len(typed):
        report.add("以下日表还没有填写：" + "、".join(empty))
    return report


def save(target: Book | str | os.PathLike) -> Report:
    """Save every daily sheet's entries into 个人记录 / 小组记录 (an upsert
    of each sheet's date: saving twice changes nothing, a corrected cell
    replaces, a cleared cell removes).  Invalid entries stop the save with
    every bad cell listed and highlighted."""
    return run(TITLE_SAVE, target, _save)


# --------------------------------------------------------------------------
# Printing
# --------------------------------------------------------------------------
def print_daily(target: Book | str | os.PathLike, day: date | str | None = None, pdf: str | os.PathLike | None = None, *,
                all_weekdays: bool = False) -> Report:
    """Print daily sheets to PDF: without ``day`` every daily sheet in the
    workbook; with ``day`` that date's sheets; with ``all_weekdays`` the
    school week of ``day`` (or of the date on 日表-班级).  Without ``pdf``
    the PDF goes beside the workbook, named by class and date
    (初二(3)班-日表-2026-11-24.pdf).

    A file is printed with LibreOffice and is not changed: a date it holds
    no forms for is made, pre-filled from the records, in a temporary copy.
    A workbook open in Excel (a live :class:`Book`) is exported by Excel
    itself and only the sheets it holds can be printed; the PDF's path goes
    on 控制台."""
    day = None if day is None else parse_day(day)
    if isinstance(target, Book):
        if not hasattr(target, "export_pdf"):
            raise XlzuError("打印日表需要工作簿文件名（命令行）或在 Excel 中打开的工作簿（“打印日表”按钮）。")
        return run(TITLE_PRINT, target, _print_live, day, pdf, all_weekdays)
    return _print_file(Path(target), day, pdf, all_weekdays)


def _sheets_by_day(forms: list[FormEntries]) -> dict[date, list[str]]:
    on_sheet: dict[date, list[str]] = {}
    for f in forms:
        if f.day is not None:
            on_sheet.setdefault(f.day, []).append(f.sheet)
    return on_sheet


def _printed_days(day: date | None, all_weekdays: bool, forms: list[FormEntries], settings: Settings) -> list[date]:
    """The dates to print (see :func:`print_daily`)."""
    on_sheet = _sheets_by_day(forms)
    if day is None:
        if not on_sheet:
            raise XlzuError("工作簿中还没有日表。请先生成日表（“生成日表”按钮，或 xlzu daily），再打印。")
        if not all_weekdays:
            return sorted(on_sheet)
        day = next((f.day for f in forms if f.sheet == C.DAILY_CLASS and f.day is not None), min(on_sheet))
    days = week_days(day, settings.school_days) if all_weekdays else [day]
    if day not in days:
        days = sorted(days + [day])
    return days


_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def pdf_name(settings: Settings, days: list[date], *, all_weekdays: bool = False, fallback: str = "日表") -> str:
    """The PDF's file name: class, 日表, date (初二(3)班-日表-2026-11-24.pdf),
    a week (…-日表-第13周.pdf) or a span of dates."""
    who = _UNSAFE.sub("", settings.class_name).strip(".") or fallback
    week = week_number(days[0], settings.term_start)
    if all_weekdays and week >= 1:
        label = f"第{week}周"
    elif len(days) == 1:
        label = days[0].isoformat()
    else:
        label = f"{days[0].isoformat()}至{days[-1].isoformat()}"
    return f"{who}-日表-{label}.pdf"


def _printed_what(days: list[date]) -> str:
    return f"{long_date(days[0])} 至 {long_date(days[-1])}" if len(days) > 1 else long_date(days[0])


def _documents() -> Path:
    home = Path.home()
    for name in ("Documents", "文档"):
        if (home / name).is_dir():
            return home / name
    return home


def _print_live(book: Book, day: date | None, pdf: str | os.PathLike | None, all_weekdays: bool) -> Report:
    book.require_pdf_export()  # type: ignore[attr-defined]
    settings = load_settings(book)
    forms, _problems = _current_forms(book, settings)
    days = _printed_days(day, all_weekdays, forms, settings)
    on_sheet = _sheets_by_day(forms)
    missing = [d for d in days if d not in on_sheet]
    if missing:
        raise XlzuError(
            f"工作簿中没有 {'、'.join(long_date(d) for d in missing)} 的日表。在 Excel 中只能打印工作簿里已有的日表："
            "请先生成这一天的日表（一周的日表可在命令行用 xlzu daily --all-weekdays 一次生成），再打印。")
    wanted = list(dict.fromkeys(sheet for d in days for sheet in on_sheet[d]))  # a weekly form holds several dates
    folder = getattr(book, "folder", None)
    if pdf is None:
        pdf = (folder or _documents()) / pdf_name(settings, days, all_weekdays=all_weekdays)
    path = book.export_pdf(wanted, Path(pdf))  # type: ignore[attr-defined]
    report = Report(TITLE_PRINT, data={"pdf": path, "sheets": wanted})
    report.add(f"已把 {_printed_what(days)} 的日表（{len(wanted)} 张）导出为 PDF：{path}")
    if folder is None and Path(path).parent == _documents():
        report.add("工作簿还没有保存在这台电脑的文件夹里（新建未保存，或在 OneDrive 等网盘上），所以 PDF 放在了“文档”文件夹。")
    report.add("用 PDF 阅读器打开这个文件，按 A4 打印（每张日表一页）。")
    return report


def _print_file(path: Path, day: date | None, pdf: str | os.PathLike | None, all_weekdays: bool) -> Report:
    book = FileBook.open(path)
    inputs = _read_inputs(book)
    s = inputs.settings
    forms, _problems = _current_forms(book, s)
    days = _printed_days(day, all_weekdays, forms, s)
    on_sheet = _sheets_by_day(forms)
    wanted: list[str] = []
    made: list[Form] = []
    for d in days:
        if d in on_sheet:
            wanted += on_sheet[d]
        else:
            for f in forms_for(book, d, inputs=inputs):
                if f.kind == "class" and f.day != d:
                    continue  # 每周: the week's other class sheets
                if f.kind != "week":
                    f.sheet = C.daily_day_sheet(f.sheet, d.weekday())
                if f.sheet not in wanted:
                    made.append(f)
                    wanted.append(f.sheet)
    wanted = list(dict.fromkeys(wanted))  # a weekly form holds several dates
    if pdf is None:
        pdf = path.with_name(pdf_name(s, days, all_weekdays=all_weekdays, fallback=path.stem))
    pdf = Path(pdf)
    with tempfile.TemporaryDirectory(prefix="xlzu-daily-") as tmp:
        if made:
            for sheet in daily_sheet_names(book):
                if sheet not in wanted:
                    book.delete_sheet(sheet)
            _ensure_forms(book)
            for f in made:
                book.write_layout(f.sheet, f.layout, form=f.form)
        print_only(book, wanted, pdf, tmp)  # the forms refer to nothing else
    report = Report(TITLE_PRINT, data={"pdf": pdf, "sheets": wanted})
    report.add(f"已把 {_printed_what(days)} 的日表（{len(wanted)} 张）打印到“{pdf}”。")
    return report
