"""The per-group weekly form (设置 纸质表格 = 每周): generated for the school
week, typed in with openpyxl as a teacher does, saved as records of each
column's day exactly like the daily sheets, refused naming the cell when
wrong, and printed readably (LibreOffice, measured from the PDF)."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from openpyxl import load_workbook

from xlzu import contract as C
from xlzu import new_class
from xlzu.demo import demo_roster_path
from xlzu.errors import EntryError, SettingsError
from xlzu.ops import load_settings
from xlzu.book import open_book
from xlzu.ops.daybook import daily, print_daily, save

from formfill import records, type_cells
from groupsheet import write_groups
from printcheck import pages
from test_daily import sheet_xml
from test_print_forms import MIN_COVER, MIN_SIZE, _broken, _header_labels
from weekfill import type_week, week_sheets

MONDAY = date(2026, 11, 23)
TUESDAY = MONDAY + timedelta(days=1)
WEEK = [MONDAY + timedelta(days=k) for k in range(5)]
N_GROUPS = 7


def set_setting(path: Path, label: str, value) -> int:
    """Type ``value`` next to ``label`` on 设置 (column B); its row."""
    wb = load_workbook(path)
    ws = wb[C.SETTINGS]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == label)
    ws.cell(row, 2).value = value
    wb.save(path)
    return row


def add_items(path: Path, items: list[tuple[str, str, int, int]]) -> None:
    """Add individual items (类别, 项目, 最低分, 最高分) at the end of 【个人考核项目】."""
    wb = load_workbook(path)
    ws = wb[C.SETTINGS]
    r = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == C.SECTION_ITEMS) + 2
    while ws.cell(r, 2).value not in (None, ""):
        r += 1
    ws.insert_rows(r, len(items))
    for k, (cat, name, lo, hi) in enumerate(items):
        for c, v in enumerate((cat, name, lo, hi), start=1):
            ws.cell(r + k, c, v)
    wb.save(path)


def copy_of(src: Path, tmp_path: Path) -> Path:
    path = tmp_path / "班级.xlsx"
    shutil.copy(src, path)
    return path


def person_points(path: Path) -> dict[tuple[str, str, str], float]:
    return {(r["日期"], str(r["学号"]), r["项目"]): r["分数"] for r in records(path, C.PERSON_RECORDS) if r["项目"] != "备注"}


@pytest.fixture(scope="module")
def weekly(tmp_path_factory) -> SimpleNamespace:
    """A class of 7 groups whose 设置 says 纸质表格 = 每周, forms generated for Tuesday's week."""
    path = tmp_path_factory.mktemp("weekly") / "班级.xlsx"
    new_class(path, demo_roster_path(), class_name="初二(3)班")
    write_groups(path, N_GROUPS)
    set_setting(path, "纸质表格", "每周")
    report = daily(path, TUESDAY)
    return SimpleNamespace(path=path, report=report, forms=report.data["forms"])


@pytest.fixture(scope="module")
def typed(weekly, tmp_path_factory) -> SimpleNamespace:
    """Entries typed on Monday, Wednesday and Friday of two groups' weekly forms, saved."""
    path = tmp_path_factory.mktemp("typed") / "班级.xlsx"
    shutil.copy(weekly.path, path)
    sheets = week_sheets(path)
    one, two = sheets[C.week_group_sheet(1)], sheets[C.week_group_sheet(2)]
    a, b = one.members[:2]
    c = two.members[0]
    values = {
        (one.name, a, "预习", WEEK[0]): 3, (one.name, a, "作业", WEEK[0]): 2, (one.name, a, "纪律", WEEK[2]): -2,
        (one.name, b, "文明礼仪", WEEK[4]): "５",  # full-width digit, as typed on a phone keyboard
        (one.name, b, "讨论/纠错", WEEK[2]): 1,
        (two.name, c, "卫生", WEEK[4]): -5, (two.name, c, "预习", WEEK[0]): 0,
    }
    type_week(path, values)
    expected = {(day.isoformat(), sid, item): float(str(v).replace("５", "5")) for (_, sid, item, day), v in values.items()}
    report = save(path)
    return SimpleNamespace(path=path, values=values, expected=expected, sheets=sheets, report=report, a=a, b=b, c=c)


# --------------------------------------------------------------------------
# The option on 设置
# --------------------------------------------------------------------------
def test_the_option_defaults_to_daily_and_is_read_back(class_book):
    assert load_settings(open_book(class_book)).paper_forms == "每日"
    wb = load_workbook(class_book)
    ws = wb[C.SETTINGS]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "纸质表格")
    assert ws.cell(row, 2).value == "每日"
    # the cell offers the two choices
    rules = [dv for dv in ws.data_validations.dataValidation if f"B{row}" in str(dv.sqref)]
    assert rules and rules[0].type == "list" and "每周" in rules[0].formula1
    set_setting(class_book, "纸质表格", "每周")
    assert load_settings(open_book(class_book)).paper_forms == "每周"


def test_a_bad_value_names_the_cell(class_book):
    row = set_setting(class_book, "纸质表格", "每月")
    with pytest.raises(SettingsError) as caught:
        load_settings(open_book(class_book))
    text = str(caught.value)
    assert f"设置!B{row}" in text and "每月" in text and "“每日” 或 “每周”" in text


def test_daily_option_writes_the_daily_forms_as_before(class_book):
    write_groups(class_book, N_GROUPS)
    daily(class_book, TUESDAY)
    names = load_workbook(class_book, read_only=True).sheetnames
    assert C.daily_group_sheet(1) in names and not any(n.startswith("周表") for n in names)


# --------------------------------------------------------------------------
# Generating
# --------------------------------------------------------------------------
def test_one_weekly_form_per_group_and_the_weeks_class_sheets(weekly):
    names = load_workbook(weekly.path, read_only=True).sheetnames
    assert [n for n in names if n.startswith("周表")] == [C.week_group_sheet(g) for g in range(1, N_GROUPS + 1)]
    assert not any(C.parse_daily_group_sheet(n) for n in names)  # no daily member sheets
    classes = [n for n in names if n.startswith(C.DAILY_CLASS)]
    assert classes == [C.DAILY_CLASS] + [C.daily_day_sheet(C.DAILY_CLASS, d) for d in (0, 2, 3, 4)]
    text = "\n".join(weekly.report.lines)
    assert "小组周表 7 张" in text and "班级考核表每天 1 张、共 5 张" in text


def test_the_weekly_form_has_every_member_item_and_school_day(weekly):
    settings = load_settings(open_book(weekly.path))
    sheets = week_sheets(weekly.path)
    wb = load_workbook(weekly.path)
    for form in [f for f in weekly.forms if f.kind == "week"]:
        sheet = sheets[form.sheet]
        assert sheet.monday == MONDAY
        assert sheet.members == [sid for _, sid in form.rows]
        assert {(sid, it, d) for sid, it, d in sheet.cells} == {
            (sid, item.name, d) for sid in sheet.members for item in settings.items for d in WEEK}
        assert sheet.ranges == {i.name: (int(i.minimum), int(i.maximum)) for i in settings.items}
        ws = wb[form.sheet]
        assert "小组成员常规考核周表" in ws["A1"].value and "2026年11月23日—11月27日" in ws["A2"].value
        # 合计 is a formula, blank until the row has an entry
        assert all(str(ws[ref].value).startswith('=IF(COUNTA(') for refs in sheet.totals.values() for ref in refs)
        assert ws.page_setup.orientation == "landscape"


def test_a_week_with_a_saturday_has_six_day_columns(weekly, tmp_path):
    path = copy_of(weekly.path, tmp_path)
    set_setting(path, "上课日", "一,二,三,四,五,六")
    daily(path, TUESDAY)
    sheet = week_sheets(path)[C.week_group_sheet(1)]
    days = {d for _, _, d in sheet.cells}
    assert days == set(WEEK) | {MONDAY + timedelta(days=5)}
    assert C.daily_day_sheet(C.DAILY_CLASS, 5) in load_workbook(path, read_only=True).sheetnames


# --------------------------------------------------------------------------
# Saving
# --------------------------------------------------------------------------
def test_each_column_is_saved_as_a_record_of_its_day(typed):
    assert person_points(typed.path) == typed.expected
    recs = records(typed.path, C.PERSON_RECORDS)
    days = {r["日期"] for r in recs}
    assert days == {WEEK[0].isoformat(), WEEK[2].isoformat(), WEEK[4].isoformat()}  # no entries, no records
    by_key = {(r["日期"], str(r["学号"]), r["项目"]): r for r in recs}
    rec = by_key[(WEEK[0].isoformat(), typed.a, "预习")]
    ref = typed.sheets[C.week_group_sheet(1)].cells[(typed.a, "预习", WEEK[0])]
    assert rec["来源"] == f"{C.week_group_sheet(1)}!{ref}" and rec["组号"] == 1 and rec["类别"] == "自主学习"
    assert by_key[(WEEK[4].isoformat(), typed.c, "卫生")]["组号"] == 2
    assert records(typed.path, C.GROUP_RECORDS) == []  # nothing typed on the class sheets
    assert "2026年11月23日" in "\n".join(typed.report.lines)


def test_saving_again_changes_nothing_and_a_correction_replaces(typed, tmp_path):
    path = copy_of(typed.path, tmp_path)
    before = sheet_xml(path, C.PERSON_RECORDS)
    save(path)
    assert sheet_xml(path, C.PERSON_RECORDS) == before
    # correct one cell, clear another, add one on Thursday
    type_week(path, {(C.week_group_sheet(1), typed.a, "预习", WEEK[0]): 1,
                     (C.week_group_sheet(1), typed.a, "纪律", WEEK[2]): None,
                     (C.week_group_sheet(2), typed.c, "作业", WEEK[3]): 3})
    save(path)
    expected = dict(typed.expected)
    expected[(WEEK[0].isoformat(), typed.a, "预习")] = 1.0
    del expected[(WEEK[2].isoformat(), typed.a, "纪律")]
    expected[(WEEK[3].isoformat(), typed.c, "作业")] = 3.0
    assert person_points(path) == expected
    assert len(records(path, C.PERSON_RECORDS)) == len(expected)  # no duplicates


def test_generating_the_week_again_prefills_and_keeps_every_record(typed, tmp_path):
    path = copy_of(typed.path, tmp_path)
    daily(path, WEEK[4])  # saves the forms first, then writes the same week again
    assert person_points(path) == typed.expected
    sheets = week_sheets(path)
    wb = load_workbook(path)
    for (sheet, sid, item, day), value in typed.values.items():
        assert wb[sheet][sheets[sheet].cells[(sid, item, day)]].value == float(str(value).replace("５", "5"))
    # back to 每日: the weekly forms are saved, then replaced by the day's member sheets, pre-filled
    set_setting(path, "纸质表格", "每日")
    daily(path, WEEK[0])
    names = load_workbook(path, read_only=True).sheetnames
    assert not any(n.startswith("周表") for n in names) and C.daily_group_sheet(1) in names
    assert person_points(path) == typed.expected


def test_a_daily_member_sheet_typed_before_switching_is_saved_and_shown_on_the_week(weekly, tmp_path):
    path = copy_of(weekly.path, tmp_path)
    set_setting(path, "纸质表格", "每日")
    daily(path, WEEK[2])
    wb = load_workbook(path)
    ws = wb[C.daily_group_sheet(3)]
    sid = str(ws["A5"].value)
    heads = {str(ws.cell(4, c).value).split("\n")[0]: c for c in range(1, ws.max_column + 1) if ws.cell(4, c).value}
    ws.cell(5, heads["作业"], 2)
    ws.cell(5, ws.max_column, "课堂展示优秀")  # 备注
    wb.save(path)
    set_setting(path, "纸质表格", "每周")
    daily(path, WEEK[2])
    assert person_points(path) == {(WEEK[2].isoformat(), sid, "作业"): 2.0}
    sheet = week_sheets(path)[C.week_group_sheet(3)]
    assert load_workbook(path)[sheet.name][sheet.cells[(sid, "作业", WEEK[2])]].value == 2
    # saving the week again keeps that day's note on the record (the weekly form has no 备注 column)
    save(path)
    notes = {(r["项目"], r["备注"]) for r in records(path, C.PERSON_RECORDS)}
    assert ("作业", "课堂展示优秀") in notes


# --------------------------------------------------------------------------
# Refusals
# --------------------------------------------------------------------------
def test_bad_cells_are_refused_naming_each_and_nothing_is_written(typed, tmp_path):
    path = copy_of(typed.path, tmp_path)
    one = typed.sheets[C.week_group_sheet(1)]
    bad = {
        (one.name, typed.a, "预习", WEEK[1]): 9,  # above 0～3
        (one.name, typed.a, "卫生", WEEK[3]): "好",  # text is not a score
        (one.name, typed.b, "作业", WEEK[2]): "三",  # a Chinese numeral is not a score either
    }
    type_week(path, bad)
    xml = sheet_xml(path, C.PERSON_RECORDS)
    with pytest.raises(EntryError) as caught:
        save(path)
    text = caught.value.text()
    for (sheet, sid, item, day) in bad:
        assert f"{sheet}!{one.cells[(sid, item, day)]}" in text
    assert "预习应为 0～3 之间的数字" in text and "卫生应为 -5～5 之间的数字" in text
    assert len(caught.value.problems) == 3
    assert sheet_xml(path, C.PERSON_RECORDS) == xml
    wb = load_workbook(path)
    for key, value in bad.items():  # what was typed stays as typed, highlighted
        cell = wb[one.name][one.cells[key[1:]]]
        assert cell.value == value and cell.fill.fgColor.rgb.endswith(C.COLOR_BAD)
    # daily refuses too, and keeps the forms
    with pytest.raises(EntryError):
        daily(path, WEEK[4])
    assert sheet_xml(path, C.PERSON_RECORDS) == xml


def test_an_unknown_student_and_an_overwritten_total_are_refused(typed, tmp_path):
    path = copy_of(typed.path, tmp_path)
    one = typed.sheets[C.week_group_sheet(1)]
    id_cell = one.cells[(typed.a, "预习", WEEK[0])]
    row = int("".join(ch for ch in id_cell if ch.isdigit()))
    total = one.totals[typed.b][0]
    type_cells(path, {(one.name, f"A{row}"): "209999999", (one.name, total): 99})
    with pytest.raises(EntryError) as caught:
        save(path)
    text = caught.value.text()
    assert f"{one.name}!A{row}" in text and "学号不在“分组”中" in text
    assert f"{one.name}!{total}" in text and "合计由公式自动计算" in text


def test_a_renamed_or_copied_weekly_form_with_entries_is_refused(typed, tmp_path):
    for how in ("rename", "copy"):
        (tmp_path / how).mkdir()
        path = copy_of(typed.path, tmp_path / how)
        wb = load_workbook(path)
        if how == "rename":
            wb[C.week_group_sheet(1)].title = "第1组周表"
            stray = "第1组周表"
        else:
            stray = wb.copy_worksheet(wb[C.week_group_sheet(2)]).title
        wb.save(path)
        xml = sheet_xml(path, C.PERSON_RECORDS)
        with pytest.raises(EntryError) as caught:
            save(path)
        text = caught.value.text()
        assert f"{stray}!A1" in text and "表名不是日表的名称" in text, how
        assert sheet_xml(path, C.PERSON_RECORDS) == xml


def test_the_same_entry_on_two_forms_of_one_date_is_refused(typed, tmp_path):
    """Two forms of one date that both hold a student's item: neither wins silently."""
    path = copy_of(typed.path, tmp_path)
    wb = load_workbook(path)
    daily_copy = wb.copy_worksheet(wb[C.week_group_sheet(1)])
    daily_copy.title = C.week_group_sheet(1).replace("第1组", "第8组")
    wb.save(path)
    with pytest.raises(EntryError) as caught:
        save(path)
    assert "同一天只能填一次" in caught.value.text()


# --------------------------------------------------------------------------
# On paper
# --------------------------------------------------------------------------
def _printed_weeks(path: Path, pdf: Path) -> tuple[list, list]:
    forms = daily(path, TUESDAY).data["forms"]
    weeks = [f for f in forms if f.kind == "week"]
    wb = load_workbook(path)
    for f in forms:  # print only the weekly forms
        if f.kind != "week":
            del wb[f.sheet]
    wb.save(path)
    print_daily(path, None, pdf)
    return weeks, pages(pdf)


@pytest.mark.parametrize("case", ["default", "crowded"])
def test_the_weekly_form_fills_its_page_at_a_writable_size(case, weekly, tmp_path, soffice, poppler):
    path = copy_of(weekly.path, tmp_path)
    if case == "crowded":  # 10 items and school on Saturday: the week splits into blocks of days
        add_items(path, [("课堂参与", "背诵", 0, 3), ("卫生纪律", "两操", -3, 3)])
        set_setting(path, "上课日", "一,二,三,四,五,六")
    weeks, printed = _printed_weeks(path, tmp_path / "week.pdf")
    wb = load_workbook(path)
    per_form = len(printed) // len(weeks)
    assert per_form * len(weeks) == len(printed)
    assert per_form == (1 if case == "default" else 2)
    for k, form in enumerate(weeks):
        ws = wb[form.sheet]
        for page in printed[k * per_form:(k + 1) * per_form]:
            assert all(part in page.text() for part in form.layout.rows[0][0].split("\u3000"))  # the title on every page
            sizes = page.sizes()
            assert sizes and sizes[0] >= MIN_SIZE, (form.sheet, page.number, sizes[:5])
            _, top, _, bottom = page.grid
            cover = (bottom - top) / (page.height - 72 * (ws.page_margins.top + ws.page_margins.bottom))
            assert cover >= MIN_COVER, (form.sheet, page.number, round(cover, 3))
            assert "0" not in [w.text for w in page.words]  # nothing typed: no 0 in 合计
        assert all(form.layout.heights[r] >= 24 for r, _ in form.rows)
        assert all(w * 6.15 >= 15 for c, w in form.layout.widths.items() if c in dict(form.entries))
        if case == "default":
            page = printed[k]
            _, top, _, _ = page.grid
            header_bottom = top + sum(form.layout.heights[r] for r in range(3, form.rows[0][0]))
            assert _broken(page, *_header_labels(form), top, header_bottom) == [], form.sheet


def test_a_crowded_week_splits_into_day_blocks_that_are_read_back(weekly, tmp_path):
    path = copy_of(weekly.path, tmp_path)
    add_items(path, [("课堂参与", "背诵", 0, 3), ("卫生纪律", "两操", -3, 3)])
    set_setting(path, "上课日", "一,二,三,四,五,六")
    daily(path, TUESDAY)
    sheet = week_sheets(path)[C.week_group_sheet(1)]
    assert len(sheet.headers) == 2  # 一二三 above 四五六
    saturday = MONDAY + timedelta(days=5)
    sid = sheet.members[0]
    type_week(path, {(sheet.name, sid, "两操", saturday): -3, (sheet.name, sid, "背诵", MONDAY): 2})
    save(path)
    assert person_points(path) == {(saturday.isoformat(), sid, "两操"): -3.0, (MONDAY.isoformat(), sid, "背诵"): 2.0}


# --------------------------------------------------------------------------
# The Excel buttons (xlwings' remote engine): the same as the CLI
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def unsaved(typed, tmp_path_factory) -> SimpleNamespace:
    """The saved week with more entries typed and not saved yet (what a
    teacher has open before pressing 保存日表 or 生成日表)."""
    from remote import file_state, payload

    path = tmp_path_factory.mktemp("unsaved") / "班级.xlsx"
    shutil.copy(typed.path, path)
    one = typed.sheets[C.week_group_sheet(1)]
    more = {(one.name, sid, "作业", WEEK[3]): 1 for sid in one.members}
    type_week(path, more)
    expected = dict(typed.expected)
    expected.update({(WEEK[3].isoformat(), sid, "作业"): 1.0 for sid in one.members})
    # what the payload was made from, as the live runs' replays start from it (replay copies it)
    return SimpleNamespace(path=path, data=payload(path), expected=expected, state=file_state(path))


def test_save_button_writes_what_the_cli_writes(unsaved, tmp_path):
    import xlzu.excel as X
    from remote import assert_same, copy_of as remote_copy, file_state, live_run, replay

    on_file = remote_copy(unsaved.path, tmp_path)
    file_report = save(on_file)
    live_report, actions = live_run(unsaved.data, X.save_daily)
    assert live_report.lines == file_report.lines
    live = replay(unsaved.data, actions, unsaved.state)
    assert_same(file_state(on_file), live)
    assert live.alerts == []
    person = live[C.PERSON_RECORDS].values()
    head = person[0]
    got = {(r[0].isoformat(), str(r[1]), r[head.index(C.REC_ITEM)]): r[head.index(C.REC_POINTS)] for r in person[1:]}
    assert got == unsaved.expected


@pytest.mark.parametrize("how", ["button", "same week", "crowded"])
def test_daily_button_writes_what_the_cli_writes(unsaved, tmp_path, how):
    """button: no date (today's week: the typed week is saved first, then
    replaced); same week: Tuesday again, the forms pre-filled from records
    this very run saves (the live engine cannot read back what it wrote);
    crowded: 10 items and Saturday school, the week in two blocks of days."""
    import xlzu.excel as X
    from remote import assert_same, copy_of as remote_copy, file_state, live_run, payload, replay
    from xlzu.book.live import LiveBook

    if how == "crowded":
        (tmp_path / "source").mkdir()
        source = remote_copy(unsaved.path, tmp_path / "source")
        add_items(source, [("课堂参与", "背诵", 0, 3), ("卫生纪律", "两操", -3, 3)])
        set_setting(source, "上课日", "一,二,三,四,五,六")
        unsaved = SimpleNamespace(path=source, data=payload(source), expected=unsaved.expected, state=file_state(source))
    on_file = remote_copy(unsaved.path, tmp_path)
    if how == "button":
        file_report = daily(on_file)
        live_report, actions = live_run(unsaved.data, X.make_daily)
    else:
        file_report = daily(on_file, TUESDAY)
        live_report, actions = live_run(unsaved.data, lambda xl: daily(LiveBook(xl), TUESDAY))
    assert live_report.lines == file_report.lines
    assert "先保存了原来的日表" in live_report.text() and "小组周表 7 张" in live_report.text()
    live = replay(unsaved.data, actions, unsaved.state)
    assert_same(file_state(on_file), live)
    assert live.alerts == []
    assert person_points(on_file) == unsaved.expected
    if how == "crowded":
        assert len(week_sheets(on_file)[C.week_group_sheet(1)].headers) == 2
    if how != "button":
        sheet = week_sheets(on_file)[C.week_group_sheet(1)]
        for sid in sheet.members:
            assert live[sheet.name].cell(sheet.cells[(sid, "作业", WEEK[3])]) == 1


def test_the_rules_sheet_says_how_the_weekly_form_is_filled(weekly, tmp_path):
    from xlzu.ops.rules import rules
    from xlzu.rules import explain
    from xlzu.settings import DEFAULT

    path = copy_of(weekly.path, tmp_path)
    rules(path)
    text = " ".join(str(v) for r in load_workbook(path)[C.RULES].iter_rows(values_only=True) for v in r if v)
    assert "小组成员考核周表" in text and "每天填当天的一栏" in text
    assert "周表" not in " ".join(line for _, lines in explain(DEFAULT) for line in lines)


# --------------------------------------------------------------------------
# Reading a weekly form wherever its table is (the core, on the sheet's grid)
# --------------------------------------------------------------------------
def _grid_of_week_form():
    from xlzu.dailysheets import Member, Team, week_form
    from xlzu.settings import DEFAULT

    team = Team(3, "追梦队", [Member("202503001", "韩琪雅", "A1", "大组长"), Member("202503002", "肖俊康", "B1")])
    form = week_form(DEFAULT, WEEK, team)
    return DEFAULT, form, [list(r) for r in form.layout.grid()]


def test_a_moved_table_is_read_by_its_headers():
    from xlzu.layout import cell_ref
    from xlzu.scoring import parse_week_form

    settings, form, grid = _grid_of_week_form()
    col = next(c for c, e in form.entries if e.item == "纪律" and form.col_days[c] == WEEK[3])
    row = form.rows[1][0]
    grid[row - 1][col - 1] = -4
    # the teacher inserts a column at the left and a row above the table
    grid = [[None] + r for r in grid]
    grid.insert(2, [None] * len(grid[0]))
    forms, problems = parse_week_form(grid, C.week_group_sheet(3), settings)
    assert problems == []
    records = [r for f in forms for r in f.person]
    assert records == [{C.REC_DATE: pd.Timestamp(WEEK[3]), C.REC_CATEGORY: "卫生纪律", C.REC_ITEM: "纪律",
                        C.REC_POINTS: -4.0, C.REC_NOTE: None,
                        C.REC_SOURCE: f"{C.week_group_sheet(3)}!{cell_ref(row + 1, col + 1)}",
                        C.REC_ID: "202503002", C.REC_NAME: "肖俊康", C.REC_GROUP: 3}]
    assert sorted(f.day for f in forms) == WEEK  # every school day of the form is covered, even without entries


def test_a_weekly_form_without_its_date_is_refused_naming_the_cell():
    from xlzu.scoring import parse_week_form

    settings, form, grid = _grid_of_week_form()
    c = form.entries[0][0]
    grid[form.rows[0][0] - 1][c - 1] = 2
    grid[1][-1] = None  # the hidden ISO date at the right end of row 2
    _, problems = parse_week_form(grid, C.week_group_sheet(3), settings)
    assert [(p.cell, "找不到本表的日期" in p.expected) for p in problems] == [(form.date_cell, True)]


def test_printing_a_week_the_workbook_has_no_forms_for(typed, tmp_path, soffice, poppler):
    """xlzu print --date of another week: its class sheet and weekly forms are
    made in a temporary copy, pre-filled from the records; the file is not changed."""
    path = copy_of(typed.path, tmp_path)
    before = path.read_bytes()
    next_monday = MONDAY + timedelta(days=7)
    report = print_daily(path, next_monday, tmp_path / "next.pdf")
    assert path.read_bytes() == before
    sheets = report.data["sheets"]
    assert sheets == [C.daily_day_sheet(C.DAILY_CLASS, 0)] + [C.week_group_sheet(g) for g in range(1, N_GROUPS + 1)]
    printed = pages(tmp_path / "next.pdf", grid=False)
    assert len(printed) == 1 + N_GROUPS
    assert all("2026年11月30日" in p.text() for p in printed)
    # and the typed week, whose forms the workbook holds: each weekly form printed once
    report = print_daily(path, WEEK[2], tmp_path / "this.pdf", all_weekdays=True)
    assert len(report.data["sheets"]) == len(set(report.data["sheets"])) == 5 + N_GROUPS


def test_a_blank_slot_of_the_last_day_block_refuses_an_entry():
    """10 items × 5 days split 一二三 / 四五: the last block's third slot of
    each item has no day; something typed there is refused, naming the cell."""
    from xlzu.dailysheets import Member, Team, week_form
    from xlzu.layout import cell_ref
    from xlzu.scoring import parse_week_form
    from xlzu.settings import DEFAULT

    settings = DEFAULT.with_changes(items=DEFAULT.items + (C.Item("课堂参与", "背诵", 0, 3), C.Item("卫生纪律", "两操", -3, 3)))
    team = Team(1, "", [Member("202503001", "韩琪雅", "A1")])
    form = week_form(settings, WEEK, team)
    grid = [list(r) for r in form.layout.grid()]
    headers = [i for i, r in enumerate(grid) if r and r[0] == C.GROUP_ID]
    assert len(headers) == 2
    h = headers[1]
    labels = [str(v or "").split("\n")[0] for v in grid[h + 2]]
    assert labels[3:6] == ["四", "五", ""]  # the first item's slots in the second block
    grid[h + 3][5] = 2
    _, problems = parse_week_form(grid, C.week_group_sheet(1), settings)
    assert [p.cell for p in problems] == [cell_ref(h + 4, 6)] and "没有星期" in problems[0].expected
