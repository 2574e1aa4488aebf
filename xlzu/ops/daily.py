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
* ``print_daily`` prints one date's sheets (or a week's) to PDF through
  LibreOffice, generating them in a temporary copy when the workbook does not
  hold that date's forms.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from .. import contract as C
from ..book.base import Book
from ..book.files import FileBook
from ..dailysheets import Form, day_forms, teams_on
from ..dates import as_date, long_date, week_days, week_number
from ..errors import EntryError, InputError, XlzuError
from ..forms import form_layout
from ..layout import excel_value
from ..members import read_culture, read_members
from ..records import read_records, records_layout
from ..scoring import DayChange, FormEntries, apply_forms, day_records, parse_forms
from ..settings import Settings
from .common import Report, load_settings, run

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


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------
def _read_inputs(book: Book, *, need_groups: bool = True) -> _Inputs:
    settings = load_settings(book)
    problems = []
    members = culture = None
    if book.has_sheet(C.GROUPS):
        values = book.read_values(C.GROUPS)
        members, found = read_members(values)
        culture = read_culture(values)
        problems += found
    person, found = read_records(book.read_values(C.PERSON_RECORDS), "person") if book.has_sheet(C.PERSON_RECORDS) else (None, [])
    problems += found
    groups, found = read_records(book.read_values(C.GROUP_RECORDS), "group") if book.has_sheet(C.GROUP_RECORDS) else (None, [])
    problems += found
    if problems:
        raise InputError("“分组”或记录表中有需要改正的内容（已标成红色），日表没有处理：", problems)
    from ..records import empty

    if members is None:
        members, _ = read_members([])
        culture = read_culture([])
    if need_groups and not members[C.GROUP_NO].notna().any():
        raise InputError(f"“{C.GROUPS}”中还没有小组。请先运行“自动分组”（xlzu group），再生成日表。")
    return _Inputs(settings, members, culture, person if person is not None else empty("person"),
                   groups if groups is not None else empty("group"))


def daily_sheet_names(book: Book) -> list[str]:
    """Every daily sheet in the workbook, in workbook order."""
    return [s for s in book.sheet_names() if C.parse_daily_sheet(s) is not None]


def _odd_daily_names(book: Book) -> list[str]:
    """Sheets that look like daily sheets but are not named like one
    (a copy “日表-第3组 (2)”): their entries are not read."""
    prefix = C.DAILY_CLASS.split("-")[0]
    return [s for s in book.sheet_names() if s.startswith(prefix) and C.parse_daily_sheet(s) is None]


def _current_forms(book: Book, settings: Settings) -> tuple[list[FormEntries], list]:
    sheets = {s: book.read_values(s) for s in daily_sheet_names(book)}
    return parse_forms(sheets, settings)


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


def _write_records(book: Book, kind: str, table: pd.DataFrame, old: pd.DataFrame | None = None) -> bool:
    """Write a record table unless the sheet already shows exactly that
    (``old``: the table as read from the sheet, a quick first check)."""
    sheet = C.PERSON_RECORDS if kind == "person" else C.GROUP_RECORDS
    if old is not None and len(old) == len(table) and old.reset_index(drop=True).equals(table.reset_index(drop=True)):
        return False
    layout = records_layout(table, kind)
    if book.has_sheet(sheet) and _grid(book.read_values(sheet)) == _grid(layout.grid()):
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


def _save_current(book: Book, inputs: _Inputs, *, refuse: str) -> tuple[pd.DataFrame, pd.DataFrame, list[DayChange], list[FormEntries]]:
    forms, problems = _current_forms(book, inputs.settings)
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
    the other school days of its week), pre-filled from the records."""
    day = _day(day)
    inputs = inputs or _read_inputs(book)
    s = inputs.settings
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


def _day(value: date | str) -> date:
    try:
        return as_date(value)
    except ValueError:
        raise XlzuError(f"日期应写成 2026-11-24 这样的格式，而不是“{value}”。") from None


def _daily(book: Book, day: date, all_weekdays: bool) -> Report:
    inputs = _read_inputs(book)
    old_person, old_groups = inputs.person, inputs.groups
    person, groups, changes, _ = _save_current(
        book, inputs,
        refuse="当前日表中有 {n} 处需要改正（已标成红色）。为了不丢失已填写的内容，没有生成新日表；请改正后再运行：")
    inputs.person, inputs.groups = person, groups
    forms = forms_for(book, day, all_weekdays=all_weekdays, inputs=inputs)
    # Everything is checked: now write.
    report = Report(TITLE_DAILY, data={"forms": forms, "person": person, "groups": groups, "changes": changes})
    saved = _change_lines(changes)
    if changes:
        wrote = [_write_records(book, "person", person, old_person), _write_records(book, "group", groups, old_groups)]
        if saved:
            report.add("先保存了原来的日表" + ("：" if any(wrote) else "（记录已是最新）："))
            report.lines += saved
    _write_forms(book, forms)
    s = inputs.settings
    by_day: dict[date, list[Form]] = {}
    for f in forms:
        by_day.setdefault(f.day, []).append(f)
    for d, fs in sorted(by_day.items()):
        groups_n = sum(1 for f in fs if f.kind == "group")
        names = "、".join(f.sheet for f in fs[:2]) + (f" … {fs[-1].sheet}" if len(fs) > 2 else "")
        report.add(f"已生成 {long_date(d)} 的日表：班级考核表 1 张、小组日表 {groups_n} 张（{names}）。")
        filled = sum(f.prefilled for f in fs)
        if filled:
            report.add(f"  这一天已有记录，日表已按记录填好（{filled} 格）；改正后运行“保存日表”（xlzu save）即可。")
        if not s.is_school_day(d):
            report.add(f"  注意：{long_date(d)} 不在“设置”的上课日中。")
    others = [f.sheet for f in forms if f.day != day]
    if others:
        report.add(f"一周的日表可一起打印；{long_date(day)} 用“{C.DAILY_CLASS}”“{C.daily_group_sheet(1)}”等表名，"
                   f"其他几天的表名带星期，如“{others[0]}”。各天填好后都可直接保存。")
    week = week_number(day, s.term_start)
    if week < 1:
        report.add(f"注意：{long_date(day)} 在学期开始日期（{s.term_start.isoformat()}）之前。")
    report.add("打印后由大组长、值日班长填写；填好的内容录入这些表，再运行“保存日表”（xlzu save）。")
    return report


def daily(target: Book | str | os.PathLike, day: date | str, *, all_weekdays: bool = False) -> Report:
    """Write the daily sheets of ``day`` (SPEC 3): 日表-班级 and one
    日表-第N组 per group; with ``all_weekdays`` the week's other school days
    too.  The forms currently in the workbook are saved first (or, when
    invalid, nothing happens and every bad cell is listed)."""
    return run(TITLE_DAILY, target, _daily, _day(day), all_weekdays)


# --------------------------------------------------------------------------
# Saving
# --------------------------------------------------------------------------
def _save(book: Book) -> Report:
    inputs = _read_inputs(book, need_groups=False)
    person, groups, changes, forms = _save_current(
        book, inputs,
        refuse="日表中有 {n} 处需要改正（已标成红色），这次没有保存任何记录；请改正后再保存：")
    report = Report(TITLE_SAVE, data={"person": person, "groups": groups, "changes": changes})
    for name in _odd_daily_names(book):
        report.add(f"工作表“{name}”不是日表的标准名称，没有读取。要保存它的内容，请把它改名为“{C.DAILY_CLASS}”或“{C.daily_group_sheet(1)}”这样的名称。")
    if not changes:
        report.add("没有找到要保存的日表。请先运行“生成日表”（xlzu daily），填好后再保存。")
        return report
    _write_records(book, "person", person, inputs.person)
    _write_records(book, "group", groups, inputs.groups)
    lines = _change_lines(changes)
    if lines:
        report.add(f"已保存日表到“{C.PERSON_RECORDS}”和“{C.GROUP_RECORDS}”：")
        report.lines += lines
    else:
        report.add("日表中还没有填写任何内容，记录没有变化。")
    empty = [f.sheet for f in forms if f.day is not None and f.typed == 0]
    if empty and len(empty) < len(forms):
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
def print_daily(target: str | os.PathLike, day: date | str, pdf: str | os.PathLike | None = None, *,
                all_weekdays: bool = False) -> Report:
    """Print the daily sheets of ``day`` (or its whole school week) to PDF
    with LibreOffice.  The workbook file is not changed: when it does not
    hold that date's forms they are made, pre-filled from the records, in a
    temporary copy."""
    from .. import pdf as pdfmod

    if isinstance(target, Book):
        raise XlzuError("在 Excel 中请用 Excel 自己的“导出为 PDF”打印日表；命令行打印需要工作簿文件名。")
    day = _day(day)
    path = Path(target)
    book = FileBook.open(path)
    inputs = _read_inputs(book)
    s = inputs.settings
    days = week_days(day, s.school_days) if all_weekdays else [day]
    if day not in days:
        days = sorted(days + [day])
    forms, _problems = _current_forms(book, s)
    on_sheet: dict[date, list[str]] = {}
    for f in forms:
        if f.day is not None:
            on_sheet.setdefault(f.day, []).append(f.sheet)
    wanted: list[str] = []
    made: list[Form] = []
    for d in days:
        if d in on_sheet:
            wanted += on_sheet[d]
        else:
            new = forms_for(book, d, inputs=inputs)
            for f in new:
                f.sheet = C.daily_day_sheet(f.sheet, d.weekday())
            made += new
            wanted += [f.sheet for f in new]
    if pdf is None:
        label = f"第{week_number(day, s.term_start)}周" if all_weekdays else day.isoformat()
        pdf = path.with_name(f"{path.stem}-日表-{label}.pdf")
    pdf = Path(pdf)
    with tempfile.TemporaryDirectory(prefix="xlzu-daily-") as tmp:
        if made:
            for sheet in daily_sheet_names(book):
                if sheet not in wanted:
                    book.delete_sheet(sheet)
            _ensure_forms(book)
            for f in made:
                book.write_layout(f.sheet, f.layout, form=f.form)
        # The copy keeps only what is printed (the forms refer to nothing
        # else), so LibreOffice need not load a term of records.
        for sheet in book.sheet_names():
            if sheet not in wanted:
                book.delete_sheet(sheet)
        copy = Path(tmp) / f"print{path.suffix}"
        book.save(copy)
        pdfmod.print_sheets(copy, wanted, pdf)
    report = Report(TITLE_PRINT, data={"pdf": pdf, "sheets": wanted})
    what = f"{long_date(days[0])} 至 {long_date(days[-1])}" if len(days) > 1 else long_date(day)
    report.add(f"已把 {what} 的日表（{len(wanted)} 张）打印到“{pdf}”。")
    return report
