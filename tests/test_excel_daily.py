"""The daily-sheet buttons (生成日表, 保存日表, 打印日表) on xlwings' remote engine.

As for 导入花名册 (test_excel.py): the workbook is a payload made from a real
file, the button runs the library operation through the live backend, and
what Excel would show is rebuilt from the recorded actions
(tests/remote.py).  Parity: the live run writes what the file run writes.
Cost: the number of Excel calls grows only with the number of groups (one
member sheet each), never with the students or the weeks of records.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings as hsettings, strategies as st
from typer.testing import CliRunner

import xlzu.excel as X
from conftest import pdf_pages, pdf_text
from formfill import GRADES, Typed, read_sheet, type_cells, type_day
from groupsheet import write_groups
from history import fill_weeks, school_days, type_forms
from remote import assert_same, by_sheet, copy_of, count, file_state, live_run, payload, refused_alike, remote_book, replay, write_roster
from xlzu import contract as C
from xlzu import new_class
from xlzu.book.live import PDF_UNAVAILABLE, LiveBook
from xlzu.cli import app
from xlzu.dates import long_date
from xlzu.demo import demo_roster_path
from xlzu.errors import EntryError, XlzuError
from xlzu.ops.daybook import daily, default_day, print_daily, save
from xlzu.settings import Settings

MONDAY = date(2026, 11, 23)
TUESDAY = MONDAY + timedelta(days=1)
WEDNESDAY = MONDAY + timedelta(days=2)
N_GROUPS = 7
runner = CliRunner()


# --------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def typed(tmp_path_factory) -> SimpleNamespace:
    """52 students in 7 groups.  Monday's forms generated, typed and saved;
    Tuesday's generated and typed, not saved yet (what a teacher has open
    before pressing 保存日表 or 生成日表)."""
    path = tmp_path_factory.mktemp("typed") / "班级.xlsx"
    new_class(path, demo_roster_path(), class_name="初二(3)班")
    write_groups(path, N_GROUPS)
    entries = Typed()
    daily(path, MONDAY)
    type_day(path, random.Random(1), entries)
    save(path)
    daily(path, TUESDAY)
    type_day(path, random.Random(2), entries)
    # what the payload was made from, as the live runs' replays start from it (replay copies it)
    return SimpleNamespace(path=path, data=payload(path), typed=entries, state=file_state(path))




def shown(value):
    """A typed value as a form shows it once saved and generated again."""
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFKC", value).strip()
    return text.upper() if text.upper() in GRADES else int(text)


def iso_date(sheet) -> str:
    """The ISO date at the right end of row 2 of a daily sheet."""
    return [v for v in sheet.values()[1] if v is not None][-1]


def expected_default(today: date) -> date:
    """Today, or the next Monday–Friday (the default school days), counted here independently."""
    while today.weekday() >= 5:
        today += timedelta(days=1)
    return today


# --------------------------------------------------------------------------
# 保存日表
# --------------------------------------------------------------------------
def test_save_button_writes_what_the_cli_writes(typed, tmp_path):
    on_file = copy_of(typed.path, tmp_path)
    file_report = save(on_file)
    live_report, actions = live_run(typed.data, X.save_daily)
    assert live_report.lines == file_report.lines
    live = replay(typed.data, actions, typed.state)
    assert_same(file_state(on_file), live)
    assert live.alerts == []
    # Independently of both runs: Tuesday's records are what was typed on Tuesday.
    person = live[C.PERSON_RECORDS].values()
    head = person[0]
    got = {(r[0], str(r[1]), r[head.index(C.REC_ITEM)]): r[head.index(C.REC_POINTS)]
           for r in person[1:] if r[0] == TUESDAY and r[head.index(C.REC_ITEM)] != C.NOTE_ITEM}
    wanted = {(date.fromisoformat(d), who, item): pts for (d, who, item), pts in typed.typed.person.items()
              if d == TUESDAY.isoformat()}
    assert got == wanted and len(got) > 100


def test_saving_what_is_already_saved_writes_no_record_table(typed, tmp_path):
    on_file = copy_of(typed.path, tmp_path)
    save(on_file)
    data = payload(on_file)
    report, actions = live_run(data, X.save_daily)
    assert "没有变化" in report.text()
    assert set(by_sheet(data, actions)) == {C.CONSOLE}  # only the run's messages


# --------------------------------------------------------------------------
# 生成日表
# --------------------------------------------------------------------------
@pytest.mark.parametrize("how", ["button", "same day", "week"])
def test_daily_button_writes_what_the_cli_writes(typed, tmp_path, how):
    """button: no date (today or the next school day); same day: Tuesday
    again, so the forms are pre-filled from records this very run saves
    (the live engine cannot read back what it wrote: they must come from
    memory); week: Wednesday with the rest of its week."""
    args, kwargs = {"button": ((), {}), "same day": ((TUESDAY,), {}), "week": ((WEDNESDAY,), {"all_weekdays": True})}[how]
    on_file = copy_of(typed.path, tmp_path)
    file_report = daily(on_file, *args, **kwargs)
    if how == "button":
        live_report, actions = live_run(typed.data, X.make_daily)
    else:
        live_report, actions = live_run(typed.data, lambda xl: daily(LiveBook(xl), *args, **kwargs))
    assert live_report.lines == file_report.lines
    assert "先保存了原来的日表" in live_report.text()
    live = replay(typed.data, actions, typed.state)
    assert_same(file_state(on_file), live)
    assert live.alerts == []

    if how == "button":
        day = expected_default(date.today())
        assert iso_date(live[C.DAILY_CLASS]) == day.isoformat()
        assert f"已生成 {long_date(day)} 的日表" in live_report.text()
        assert ("不是“设置”中的上课日" in live_report.text()) == (day != date.today())
    elif how == "same day":
        tuesday = {(s, ref): v for (d, s, ref), v in typed.typed.cells.items() if d == TUESDAY.isoformat()}
        assert len(tuesday) > 100
        for (sheet, ref), value in tuesday.items():
            assert live[sheet].cell(ref) == shown(value), (sheet, ref)
    else:
        daily_sheets = [s for s in live.sheet_names if C.parse_daily_sheet(s) is not None]
        assert len(daily_sheets) == 5 * (N_GROUPS + 1)
        assert iso_date(live[C.daily_day_sheet(C.DAILY_CLASS, 0)]) == MONDAY.isoformat()
        assert iso_date(live[C.DAILY_CLASS]) == WEDNESDAY.isoformat()


@hsettings(max_examples=200, deadline=None)
@given(today=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
       school=st.sets(st.integers(0, 6), min_size=1))
def test_default_date_is_the_first_school_day_from_today(today, school):
    s = Settings().with_changes(school_days=tuple(sorted(school)))
    day = default_day(s, today)
    assert day.weekday() in school
    assert 0 <= (day - today).days < 7
    assert all((today + timedelta(days=k)).weekday() not in school for k in range((day - today).days))


def test_cli_daily_without_a_date_takes_the_default(typed, tmp_path):
    path = copy_of(typed.path, tmp_path)
    result = runner.invoke(app, ["daily", str(path)])
    assert result.exit_code == 0, result.output
    assert f"已生成 {long_date(expected_default(date.today()))} 的日表" in result.output


# --------------------------------------------------------------------------
# Bad entries: refused by both buttons, cells named and highlighted
# --------------------------------------------------------------------------
def _bad_cells(path: Path) -> dict[tuple[str, str], object]:
    """A grade "E" on 日表-班级 and an out-of-range number on 日表-第2组."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    wb = load_workbook(path)
    cls = read_sheet(wb[C.DAILY_CLASS])
    grp = read_sheet(wb[C.daily_group_sheet(2)])
    grade = next(c for c in cls.columns if c.kind == "grade")
    points = grp.columns[0]
    return {
        (cls.name, f"{get_column_letter(grade.col)}{next(iter(cls.rows))}"): "E",
        (grp.name, f"{get_column_letter(points.col)}{next(iter(grp.rows))}"): int(points.hi) + 5,
    }


@pytest.mark.parametrize("button, op, said", [("save_daily", save, "没有保存"), ("make_daily", daily, "没有生成新日表")])
def test_a_bad_entry_is_refused_with_an_alert_and_the_same_console_text(typed, tmp_path, button, op, said):
    bad_path = copy_of(typed.path, tmp_path, "bad.xlsx")
    bad = _bad_cells(bad_path)
    type_cells(bad_path, bad)
    run = refused_alike(bad_path, tmp_path, op, button, EntryError)
    live, message = run.live, run.message
    caption = next(b.caption for b in C.BUTTONS if b.function == button)
    assert run.title == f"{caption}：没有完成" and said in message
    for sheet, ref in bad:
        assert f"{sheet}!{ref}" in message
        assert live[sheet].fill(ref) == C.COLOR_BAD
        assert live[sheet].cell(ref) == bad[(sheet, ref)]  # the typed entry is still there
    console = [v for v in live[C.CONSOLE].values()[C.CONSOLE_MESSAGES_ROW:] if v[2]]
    assert console[0][1] == caption and console[0][2].startswith("没有完成")
    # Nothing else was touched: records, the forms, every other sheet.
    assert set(run.touched) == {C.CONSOLE, "", *(s for s, _ in bad)}
    for sheet, _ in bad:
        assert [a["func"] for a in run.touched[sheet]] == ["setRangeColors"]
    for sheet in (C.PERSON_RECORDS, C.GROUP_RECORDS):
        assert live[sheet].values() == run.before[sheet].values()


# --------------------------------------------------------------------------
# 打印日表
# --------------------------------------------------------------------------
def test_print_button_on_an_engine_without_pdf_export_says_so(typed):
    report, actions = live_run(typed.data, X.print_daily)
    assert report is None
    live = replay(typed.data, actions, typed.state)
    ((title, message),) = live.alerts
    assert title == "打印日表：没有完成" and message == PDF_UNAVAILABLE
    from xlzu.book.base import earlier_runs

    newest = earlier_runs(live[C.CONSOLE].values())[0]  # the runs before it stay below
    assert [row[2] for row in newest] == ["没有完成，工作簿未作其他改动：", PDF_UNAVAILABLE]
    assert set(by_sheet(typed.data, actions)) == {C.CONSOLE, ""}  # no sheet hidden or shown, nothing else written


class ExcelExportStandIn(LiveBook):
    """Desktop Excel's PDF export, stood in for on a machine without Excel:
    the workbook is the remote engine's (as everywhere in these tests), the
    export prints the requested sheets of the same workbook file with
    LibreOffice.  What is tested is everything around the export: which
    sheets, in which order, to which file, and what 控制台 says."""

    def __init__(self, xl, path: Path):
        super().__init__(xl)
        self.file = path
        self.exported: list[tuple[list[str], Path]] = []

    @property
    def folder(self) -> Path:
        return self.file.parent

    def require_pdf_export(self) -> None:
        pass

    def export_pdf(self, sheets, path) -> Path:
        from xlzu.pdf import print_sheets

        self.exported.append((list(sheets), Path(path)))
        print_sheets(self.file, list(sheets), Path(path))
        return Path(path)


def test_print_button_exports_the_daily_sheets_beside_the_workbook(typed, tmp_path, soffice, poppler):
    path = copy_of(typed.path, tmp_path)
    xl = remote_book(typed.data)
    book = ExcelExportStandIn(xl, path)
    report = X.print_daily(book)
    pdf = tmp_path / "初二(3)班-日表-2026-11-24.pdf"
    ((sheets, target),) = book.exported
    assert target == pdf and report.data["pdf"] == pdf
    assert sheets == [C.DAILY_CLASS] + [C.daily_group_sheet(g) for g in range(1, N_GROUPS + 1)]
    assert pdf_pages(pdf) == N_GROUPS + 1
    assert "2026年11月24日 星期二" in pdf_text(pdf, 1)
    live = replay(typed.data, xl.json()["actions"], typed.state)
    console = [v[2] for v in live[C.CONSOLE].values()[C.CONSOLE_MESSAGES_ROW:] if v[2]]
    assert f"已把 2026年11月24日 星期二 的日表（8 张）导出为 PDF：{pdf}" in console
    assert live.alerts == []


def test_print_in_excel_only_prints_sheets_the_workbook_holds(typed, tmp_path):
    book = ExcelExportStandIn(remote_book(typed.data), typed.path)
    with pytest.raises(XlzuError, match="工作簿中没有 2026年11月25日 星期三 的日表"):
        print_daily(book, WEDNESDAY)
    assert book.exported == []


def test_cli_print_without_a_date_prints_the_sheets_in_the_workbook(typed, tmp_path, soffice, poppler):
    path = copy_of(typed.path, tmp_path)
    before = path.read_bytes()
    result = runner.invoke(app, ["print", str(path)])
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "初二(3)班-日表-2026-11-24.pdf"
    assert pdf_pages(pdf) == N_GROUPS + 1
    assert path.read_bytes() == before


def test_print_without_daily_sheets_says_to_generate_them_first(tmp_path):
    path = tmp_path / "班级.xlsx"
    new_class(path, demo_roster_path())
    write_groups(path, N_GROUPS)
    with pytest.raises(XlzuError, match="还没有日表"):
        print_daily(path)


# --------------------------------------------------------------------------
# Cost: Excel calls per button
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def classes(tmp_path_factory) -> dict[int, SimpleNamespace]:
    """Classes of 40 and 80 students in groups of 8 (5 and 10 groups),
    Tuesday's forms typed in, not saved."""
    folder = tmp_path_factory.mktemp("sizes")
    out = {}
    for n in (40, 80):
        path = folder / f"c{n}.xlsx"
        new_class(path, write_roster(folder / f"r{n}.csv", n), class_name="初二(3)班")
        write_groups(path, n // 8)
        daily(path, TUESDAY)
        type_forms(path)
        out[n] = SimpleNamespace(path=path, data=payload(path), groups=n // 8)
    return out


#: What one member sheet (日表-第N组) costs, with 设置 at its defaults.
MEMBER_SHEET = {
    "sheetDelete": 1, "copySheet": 1, "setSheetName": 1, "sheetClear": 1, "setSheetVisibility": 1,  # replace the
    # old sheet by a copy of 表样-小组日表, named, the form's samples cleared, shown
    "copyFromRange": 11,  # style regions sampled from the form (title, subtitle, header, category, text, left,
    # entry, total, note, hint, sign)
    "setValues": 1,  # the whole sheet, formulas included
    "rangeMerge": 12,  # title and subtitle (one merge across both rows), 6 two-row headers, 3 category spans,
    # legend, signatures
    "setDataValidationRule": 9,  # one per item column (8 items in 设置), one for 备注
    # runs of equal widths / heights: columns sized to their headers (学号, 代号, 姓名, 职务, the item
    # columns by header, 讨论/纠错 and 文明礼仪 wider, 合计, 备注); title, subtitle, two header rows,
    # the body rows sharing the page, the gap, legend lines, the signature row
    "setColumnWidth": 9, "setRowHeight": 8,
    "setNumberFormat": 1,  # the ISO date of row 2 hidden (;;;): the date shows once, in the subtitle
    "setAutofit": 1,  # the form's sample-row heights fitted again
    "freezePaneAtRange": 1, "setPrintArea": 1,
}


def _runs(classes, button: str) -> dict[int, tuple[list[dict], dict[str, list[dict]]]]:
    out = {}
    for n, c in classes.items():
        report, actions = live_run(c.data, getattr(X, button))
        assert report is not None, n
        out[n] = (actions, by_sheet(c.data, actions))
    return out


def test_save_costs_the_same_for_40_and_80_students(classes):
    runs = _runs(classes, "save_daily")
    (forty, sheets40), (eighty, sheets80) = runs[40], runs[80]
    assert count(forty) == count(eighty)
    assert {k: count(v) for k, v in sheets40.items()} == {k: count(v) for k, v in sheets80.items()}
    # Two record tables and the run's messages, each one setValues; nothing else is written.
    assert set(sheets40) == {C.PERSON_RECORDS, C.GROUP_RECORDS, C.CONSOLE}
    assert all(count(v)["setValues"] == 1 for v in sheets40.values())
    # 个人记录 50, 小组记录 44, 控制台 31 (each style region also names its face; its print area
    # follows the runs it keeps)
    assert len(forty) == 125, {k: sum(count(v).values()) for k, v in sheets40.items()}


def test_daily_costs_a_constant_per_member_sheet(classes):
    runs = _runs(classes, "make_daily")
    totals = {}
    for n, (actions, sheets) in runs.items():
        groups = classes[n].groups
        members = [C.daily_group_sheet(g) for g in range(1, groups + 1)]
        assert set(sheets) == {C.DAILY_CLASS, C.PERSON_RECORDS, C.GROUP_RECORDS, C.CONSOLE, *members}
        for sheet in members:
            assert count(sheets[sheet]) == MEMBER_SHEET, sheet
        fixed = {k: count(v) for k, v in sheets.items() if k not in members}
        totals[n] = (len(actions), groups, fixed)
    (total40, groups40, fixed40), (total80, groups80, fixed80) = totals[40], totals[80]
    assert fixed40 == fixed80  # class sheet, records, 控制台: the same at both sizes
    per_sheet = sum(MEMBER_SHEET.values())
    assert per_sheet == 59
    assert total80 - total40 == (groups80 - groups40) * per_sheet
    # 201 fixed (个人记录 50, 小组记录 44, 控制台 31, 日表-班级 76) + 59 per group
    assert total40 == 496 and total80 == 791, (total40, total80, {k: sum(v.values()) for k, v in fixed40.items()})


@pytest.fixture(scope="module")
def weeks(tmp_path_factory) -> dict[int, SimpleNamespace]:
    """40 students (5 groups): a day of term week 21 generated and typed
    in, and 1 or 20 school weeks of records before it."""
    folder = tmp_path_factory.mktemp("weeks")
    out = {}
    for w in (1, 20):
        path = folder / f"w{w}.xlsx"
        new_class(path, write_roster(folder / "r40.csv", 40), class_name="初二(3)班")
        write_groups(path, 5)
        daily(path, school_days(path, 1, first_week=21)[1])
        type_forms(path)
        n_person, n_group = fill_weeks(path, w)
        out[w] = SimpleNamespace(path=path, data=payload(path), person=n_person, group=n_group)
    return out


@pytest.mark.parametrize("button", ["save_daily", "make_daily"])
def test_cost_does_not_grow_with_weeks_of_records(weeks, button):
    """A record table is written with one setValues, which xlwings itself
    splits into pieces of at most 100,000 cells (on every engine; about
    11,000 record rows): that is the only call that grows with the weeks."""
    from xlwings.base_classes import DEFAULT_MAX_CELLS_PER_WRITE

    counts = {}
    for w, c in weeks.items():
        report, actions = live_run(c.data, getattr(X, button))
        assert report is not None
        sheets = by_sheet(c.data, actions)
        pieces = 0
        for sheet, n_old in ((C.PERSON_RECORDS, c.person), (C.GROUP_RECORDS, c.group)):
            writes = [a for a in sheets[sheet] if a["func"] == "setValues"]
            rows = sum(len(a["values"]) for a in writes)
            width = len(writes[0]["values"][0])
            assert rows > n_old + 1  # header + the old records + the new day's
            assert [a["start_row"] for a in writes] == [0] + [sum(len(a["values"]) for a in writes[:k]) for k in range(1, len(writes))]
            assert len(writes) == -(-rows * width // DEFAULT_MAX_CELLS_PER_WRITE)
            pieces += len(writes) - 1
        counts[w] = count(actions)
        counts[w]["setValues"] -= pieces
    assert weeks[20].person > 15 * weeks[1].person
    assert counts[1] == counts[20]
