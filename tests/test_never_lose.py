"""Never lose a row: a teacher edits the workbook by hand (clears rows,
inserts rows above a table, adds a column beside it, types text starting
with "="), then runs the operations; every record, student and typed score
is still there afterwards and every refusal names its sheet and cell."""

from __future__ import annotations

import random
import shutil
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from xlzu import contract as C
from xlzu import new_class
from xlzu.cli import app
from xlzu.demo import demo_roster_path
from xlzu.errors import EntryError, InputError, SettingsError
from xlzu.ops.daybook import daily, save
from xlzu.ops.groups import group
from xlzu.ops.summary import term

from formfill import Typed, type_day
from groupsheet import write_groups

DAYS = [date(2026, 11, 23), date(2026, 11, 24)]
NEXT = date(2026, 11, 25)
runner = CliRunner()


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> SimpleNamespace:
    """A class of 52 in 7 groups with two school days typed and saved."""
    path = tmp_path_factory.mktemp("saved") / "班级.xlsx"
    new_class(path, demo_roster_path(), class_name="初二(3)班")
    members = write_groups(path, 7)
    rng = random.Random(10)
    typed = Typed()
    for day in DAYS:
        daily(path, day)
        type_day(path, rng, typed, fancy=False)
        save(path)
    return SimpleNamespace(path=path, members=members, typed=typed)


@pytest.fixture
def book(saved, tmp_path) -> Path:
    path = tmp_path / "班级.xlsx"
    shutil.copy(saved.path, path)
    return path


def keys(path: Path, sheet: str) -> list[tuple]:
    who = "学号" if sheet == C.PERSON_RECORDS else "组号"
    wb = load_workbook(path, read_only=True)
    rows = list(wb[sheet].iter_rows(values_only=True))
    wb.close()
    at = next(i for i, r in enumerate(rows) if "日期" in r and "项目" in r)
    header = list(rows[at])
    out = []
    for r in rows[at + 1:]:
        rec = dict(zip(header, r))
        if rec.get("日期") is None:
            continue
        out.append((rec["日期"].date(), str(rec[who]), rec["项目"]))
    return out


def next_day(path: Path) -> None:
    """The next day's forms generated (saving the current ones), typed, saved."""
    daily(path, NEXT)
    type_day(path, random.Random(3), Typed(), fancy=False)
    save(path)


# --------------------------------------------------------------------------
# 2. Read whole
# --------------------------------------------------------------------------
def test_a_cleared_record_row_is_skipped_not_the_end(book):
    before = keys(book, C.PERSON_RECORDS)
    assert len(before) > 300
    wb = load_workbook(book)
    ws = wb[C.PERSON_RECORDS]
    for c in range(1, ws.max_column + 1):  # the teacher deletes one wrong record's contents
        ws.cell(100, c).value = None
    wb.save(book)
    cleared = before[98]
    next_day(book)
    after = keys(book, C.PERSON_RECORDS)
    old = [k for k in after if k[0] != NEXT]
    assert sorted(old) == sorted(k for i, k in enumerate(before) if i != 98)
    assert cleared not in old
    assert any(k[0] == NEXT for k in after)


def test_a_row_inserted_above_group_records_keeps_every_record(book):
    before = keys(book, C.GROUP_RECORDS)
    wb = load_workbook(book)
    ws = wb[C.GROUP_RECORDS]
    ws.insert_rows(1, 2)
    ws["A1"] = "小组记录（请勿删除）"
    wb.save(book)
    next_day(book)
    after = keys(book, C.GROUP_RECORDS)
    assert sorted(k for k in after if k[0] != NEXT) == sorted(before)
    ws = load_workbook(book)[C.GROUP_RECORDS]
    assert ws["A1"].value == "小组记录（请勿删除）" and ws["A3"].value == C.REC_DATE


def test_a_cleared_row_in_groups_keeps_every_group(book):
    wb = load_workbook(book)
    ws = wb[C.GROUPS]
    for c in range(1, len(C.GROUP_COLUMNS) + 1):
        ws.cell(5, c).value = None
    wb.save(book)
    report = daily(book, NEXT)
    groups = [f for f in report.data["forms"] if f.kind == "group"]
    assert len(groups) == 7
    names = load_workbook(book).sheetnames
    assert all(C.daily_group_sheet(g) in names for g in range(1, 8))


def test_a_cleared_row_in_roster_keeps_every_student(book):
    wb = load_workbook(book)
    ws = wb[C.ROSTER]
    students = sum(1 for r in ws.iter_rows(min_row=2, values_only=True) if r[0])
    gone = ws["A6"].value
    for c in range(1, ws.max_column + 1):
        ws.cell(6, c).value = None
    wb.save(book)
    result = runner.invoke(app, ["group", str(book)])
    assert result.exit_code == 0, result.output
    ws = load_workbook(book)[C.GROUPS]
    grouped = [r[0] for r in ws.iter_rows(min_row=2, max_col=1, values_only=True) if r[0] and str(r[0]).isdigit()]
    assert len(grouped) == students - 1 and gone not in grouped


def test_roster_rules_agree_import_reread_and_validation(book):
    """总分 9999 and 学习品质 9 are refused alike by the import, by 自动分组's
    re-reading of 花名册 and by Excel's validation of the column."""
    from xlzu import schema
    from xlzu.roster import normalize_roster, read_roster, roster_layout

    wb = load_workbook(book)
    ws = wb[C.ROSTER]
    header = [c.value for c in ws[1]]
    total, quality = header.index("总分") + 1, header.index("学习品质") + 1
    ws.cell(3, total).value = 9999
    ws.cell(4, quality).value = 9
    wb.save(book)
    values = [list(r) for r in load_workbook(book)[C.ROSTER].iter_rows(values_only=True)]
    subjects = C.DEFAULT_SUBJECTS
    roster, problems = read_roster(values, subjects)
    shown = [str(p) for p in problems]
    assert any(s.startswith(f"花名册!{ws.cell(3, total).coordinate}：“9999”") for s in shown), shown
    assert any(s.startswith(f"花名册!{ws.cell(4, quality).coordinate}：“9”") for s in shown), shown
    assert len(roster) == 52  # both students kept, the bad cells blank
    imported = normalize_roster(values, subjects, C.ROSTER, in_workbook=True)
    named = {p.cell for p in imported.problems if "总分" in p.expected or "学习品质" in p.expected}
    assert named >= {ws.cell(3, total).coordinate, ws.cell(4, quality).coordinate}
    layout = roster_layout(roster, subjects)
    dv = {v.ref.split(":")[0].rstrip("0123456789"): v for v in layout.validations}
    col = schema.roster_table(subjects)
    assert (dv["D"].maximum, dv["E"].maximum) == (col.column("总分").maximum, col.column("学习品质").maximum) == (C.TOTAL_MAX, 5)
    result = runner.invoke(app, ["group", str(book)])
    assert result.exit_code == 0 and "9999" in result.output and "学习品质" in result.output


def test_a_cleared_row_in_settings_keeps_later_subjects(book):
    from xlzu.ops.common import load_settings
    from xlzu.book import open_book

    wb = load_workbook(book)
    ws = wb[C.SETTINGS]
    at = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == C.SECTION_SUBJECTS)
    for c in range(1, 4):
        ws.cell(at + 3, c).value = None  # the second subject's row
    wb.save(book)
    settings = load_settings(open_book(book))
    assert len(settings.subjects) == len(C.DEFAULT_SUBJECTS) - 1
    assert settings.subject_names[-1] == C.DEFAULT_SUBJECTS[-1]
    assert len(settings.items) == len(C.DEFAULT_ITEMS)


@pytest.mark.parametrize("typed", ["nan", "inf", "-inf", "NaN"])
def test_nan_and_inf_are_not_numbers_in_settings(book, typed):
    from xlzu.settings import read_settings

    wb = load_workbook(book)
    ws = wb[C.SETTINGS]
    at = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == C.SECTION_ITEMS)
    ws.cell(at + 2, 4).value = typed  # 最高分 of the first item
    wb.save(book)
    with pytest.raises(SettingsError) as err:
        read_settings([list(r) for r in load_workbook(book)[C.SETTINGS].iter_rows(values_only=True)])
    assert f"设置!D{at + 2}" in err.value.text() and "最高分应为数字" in err.value.text()


# --------------------------------------------------------------------------
# 3. Write back without destroying
# --------------------------------------------------------------------------
def test_a_teacher_column_beside_records_survives_with_its_records(book):
    wb = load_workbook(book)
    ws = wb[C.PERSON_RECORDS]
    extra = len(C.PERSON_RECORD_COLUMNS) + 1
    ws.cell(1, extra).value = "核对"
    ticked = {}
    for r in (2, 10, 50, 200):
        ws.cell(r, extra).value = "√"
        ticked[(ws.cell(r, 1).value.date(), str(ws.cell(r, 2).value), ws.cell(r, 6).value)] = "√"
    ws.cell(400, extra + 2).value = "周五前核对完"  # a note beside the table, below it
    wb.save(book)
    next_day(book)
    ws = load_workbook(book)[C.PERSON_RECORDS]
    assert ws.cell(1, extra).value == "核对"
    found = {}
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, extra).value is not None:
            found[(ws.cell(r, 1).value.date(), str(ws.cell(r, 2).value), ws.cell(r, 6).value)] = ws.cell(r, extra).value
    assert found == ticked
    notes = [ws.cell(r, extra + 2).value for r in range(1, ws.max_row + 1) if ws.cell(r, extra + 2).value]
    assert notes == ["周五前核对完"]


def test_a_column_inserted_left_of_group_records_stays_and_records_read(book):
    before = keys(book, C.GROUP_RECORDS)
    wb = load_workbook(book)
    ws = wb[C.GROUP_RECORDS]
    ws.insert_cols(1)
    ws["A1"] = "序号"
    for r in range(2, ws.max_row + 1):
        ws.cell(r, 1).value = r - 1
    wb.save(book)
    next_day(book)
    ws = load_workbook(book)[C.GROUP_RECORDS]
    assert ws["A1"].value == "序号" and ws["B1"].value == C.REC_DATE
    assert sorted(k for k in keys(book, C.GROUP_RECORDS) if k[0] != NEXT) == sorted(before)
    numbers = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value is not None]
    assert sorted(numbers) == list(range(1, len(before) + 1))


@pytest.mark.parametrize("note", ["==请假==", "=1/0", "=HYPERLINK(\"http://x\")"])
def test_a_note_starting_with_equals_stays_text(book, note):
    daily(book, NEXT)
    wb = load_workbook(book)
    ws = wb[C.daily_group_sheet(1)]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == C.GROUP_ID) + 2
    note_col = next(c for c in range(1, ws.max_column + 1) if ws.cell(row - 2, c).value == C.REC_NOTE)
    sid = str(ws.cell(row, 1).value)
    ws.cell(row, note_col).value = note
    ws.cell(row, note_col).data_type = "s"  # typed as text ('=1/0 in Excel)
    wb.save(book)
    save(book)
    wb = load_workbook(book)
    ws = wb[C.PERSON_RECORDS]
    hits = [ws.cell(r, 8) for r in range(2, ws.max_row + 1)
            if str(ws.cell(r, 2).value) == sid and ws.cell(r, 1).value.date() == NEXT]
    assert hits and all(c.value == note and c.data_type == "s" for c in hits)
    # the form made again from the records shows it as text too
    daily(book, NEXT)
    ws = load_workbook(book)[C.daily_group_sheet(1)]
    assert ws.cell(row, note_col).value == note and ws.cell(row, note_col).data_type == "s"
    assert ws.cell(row, note_col - 1).data_type == "f"  # 合计 stays a formula


# --------------------------------------------------------------------------
# 4. Forms recognised by what they are
# --------------------------------------------------------------------------
def test_a_form_with_a_column_inserted_at_the_left_is_read(book):
    daily(book, NEXT)
    wb = load_workbook(book)
    ws = wb[C.daily_group_sheet(2)]
    ws.insert_cols(1)
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == C.GROUP_ID) + 2
    ws.cell(row - 2, 1).value = "序号"
    ws.cell(row, 1).value = 1
    sid = str(ws.cell(row, 2).value)
    ws.cell(row, 6).value = 2  # the first item column (after 序号, 学号, 代号, 姓名, 职务)
    wb.save(book)
    report = save(book)
    assert any("新增 1 条" in line for line in report.lines), report.lines
    assert (NEXT, sid, load_workbook(book)[C.daily_group_sheet(2)].cell(row - 1, 6).value.split("\n")[0]) in keys(book, C.PERSON_RECORDS)


def test_a_renamed_form_with_entries_is_refused_and_never_replaced(book):
    daily(book, NEXT)
    wb = load_workbook(book)
    ws = wb[C.daily_group_sheet(2)]
    ws.title = "第2组"
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == C.GROUP_ID) + 2
    ws.cell(row, 5).value = 2
    wb.save(book)
    for op in (save, lambda p: daily(p, date(2026, 11, 26))):
        with pytest.raises(EntryError) as err:
            op(book)
        assert "第2组!A1" in err.value.text() and "表名" in err.value.text()
    assert load_workbook(book)["第2组"].cell(row, 5).value == 2


def test_a_form_whose_header_was_deleted_is_refused_not_replaced(book):
    daily(book, NEXT)
    wb = load_workbook(book)
    ws = wb[C.daily_group_sheet(4)]
    head = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == C.GROUP_ID)
    ws.cell(head + 2, 5).value = 2
    ws.delete_rows(head, 2)
    wb.save(book)
    with pytest.raises(EntryError) as err:
        daily(book, date(2026, 11, 26))
    assert f"{C.daily_group_sheet(4)}!A1" in err.value.text() and "找不到这张日表的表头" in err.value.text()
    assert load_workbook(book)[C.daily_group_sheet(4)].cell(head, 5).value == 2


def test_a_number_typed_over_the_total_is_refused(book):
    daily(book, NEXT)
    wb = load_workbook(book)
    ws = wb[C.daily_group_sheet(3)]
    head = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == C.GROUP_ID)
    total = next(c for c in range(1, ws.max_column + 1) if ws.cell(head, c).value == C.DAILY_TOTAL)
    ws.cell(head + 2, total).value = 9
    wb.save(book)
    with pytest.raises(EntryError) as err:
        save(book)
    assert f"{C.daily_group_sheet(3)}!{ws.cell(head + 2, total).coordinate}：“9” 合计由公式自动计算" in err.value.text()


def test_a_student_or_group_not_in_groups_is_refused(book):
    daily(book, NEXT)
    wb = load_workbook(book)
    ws = wb[C.daily_group_sheet(1)]
    head = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == C.GROUP_ID)
    last = max(r for r in range(head + 2, ws.max_row + 1) if str(ws.cell(r, 1).value or "").isdigit())
    ws.insert_rows(last + 1)
    ws.cell(last + 1, 1).value = "99999"
    ws.cell(last + 1, 5).value = 3
    cls = wb[C.DAILY_CLASS]
    chead = next(r for r in range(1, cls.max_row + 1) if cls.cell(r, 1).value == C.GROUP_NO)
    clast = max(r for r in range(chead + 3, cls.max_row + 1) if isinstance(cls.cell(r, 1).value, int))
    cls.insert_rows(clast + 1)
    cls.cell(clast + 1, 1).value = 9
    cls.cell(clast + 1, 3).value = "A"
    wb.save(book)
    with pytest.raises(EntryError) as err:
        save(book)
    text = err.value.text()
    assert f"{C.daily_group_sheet(1)}!A{last + 1}：“99999” 学号不在“分组”中" in text
    assert f"{C.DAILY_CLASS}!A{clast + 1}：“9” “分组”中没有第9组" in text


# --------------------------------------------------------------------------
# 5. Exams
# --------------------------------------------------------------------------
def exams_with(book: Path, rows: list[list]) -> None:
    wb = load_workbook(book)
    ws = wb[C.EXAMS]
    ws.delete_rows(2, ws.max_row)
    for r in rows:
        ws.append(r)
    wb.save(book)


def test_exam_ids_are_matched_like_the_roster_and_bad_ones_named(book, saved):
    ids = list(saved.members[C.GROUP_ID])
    rng = random.Random(4)
    rows = [[i, None, rng.randint(300, 700), rng.randint(300, 700)] for i in ids]
    exams_with(book, rows)
    plain = term(book).data["leaders"]
    rows = [[int(i) if i.isdigit() else i, *rest] for i, *rest in rows]  # pasted as numbers: 00012 → 12
    rows.insert(5, [None, None, None, None])  # a blank row inside
    exams_with(book, rows)
    report = term(book)
    assert report.data["leaders"].equals(plain)  # the same 明星组长, figures and all
    exams_with(book, rows + [[rows[0][0], None, 1, 2], ["77777", None, 3, 4]])
    with pytest.raises(InputError) as err:
        term(book)
    text = err.value.text()
    n = len(rows) + 2
    assert f"考试成绩!A{n}" in text and "学号与第2行重复" in text
    assert f"考试成绩!A{n + 1}：“77777” 学号不在“分组”中" in text
    assert "ValueError" not in text


def test_from_and_to_in_the_wrong_order_are_refused(book, saved):
    ids = list(saved.members[C.GROUP_ID])
    exams_with(book, [[i, None, 500, 510] for i in ids])
    with pytest.raises(InputError, match="排在 --to") as err:
        term(book, from_exam="期末", to_exam="期中")
    assert "考试成绩!D1：“期末” （--from）这次考试应在 --to “期中”之前" in err.value.text()
    result = runner.invoke(app, ["term", str(book), "--from", "期末", "--to", "期中"])
    assert result.exit_code != 0 and "排在 --to" in result.output


# --------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------
def test_records_of_an_item_no_longer_in_settings_are_reported(book):
    from xlzu.ops.summary import week

    wb = load_workbook(book)
    ws = wb[C.SETTINGS]
    at = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == C.SECTION_ITEMS)
    old = ws.cell(at + 2, 2).value
    ws.cell(at + 2, 2).value = old + "情况"  # the teacher renames an item that has records
    wb.save(book)
    report = week(book, DAYS[0].isoformat())
    text = report.text()
    assert f"“{old}”的记录" in text and "已没有这个考核项目" in text


def test_no_nan_in_the_grouping_report(tmp_path):
    """A group of one and a newcomer without a layer: no 'nan' anywhere."""
    path = tmp_path / "班级.xlsx"
    new_class(path, demo_roster_path(), class_name="初二(3)班")
    group(path)
    wb = load_workbook(path)
    ws = wb[C.GROUPS]
    header = [c.value for c in ws[1]]
    ws.cell(2, header.index(C.GROUP_NO) + 1).value = 8
    ws.cell(2, header.index(C.GROUP_LOCKED) + 1).value = "是"
    wb[C.ROSTER].append(["99999", "新同学", "男", None, None, None, None])
    wb.save(path)
    report = group(path)
    assert "nan" not in report.text().lower()
    assert "新同学" in report.text()


def test_a_teacher_column_on_groups_survives_regrouping(book):
    wb = load_workbook(book)
    ws = wb[C.GROUPS]
    col = len(C.GROUP_COLUMNS) + 1  # K: between the student table and the group table
    ws.cell(1, col).value = "家长电话"
    phones = {}
    for r in range(2, 12):
        ws.cell(r, col).value = f"1380000{r:04d}"
        phones[str(ws.cell(r, 1).value)] = f"1380000{r:04d}"
    wb.save(book)
    result = runner.invoke(app, ["group", str(book), "--regroup"])
    assert result.exit_code == 0, result.output
    ws = load_workbook(book)[C.GROUPS]
    header = [c.value for c in ws[1]]
    at = header.index("家长电话") + 1
    kept = {str(ws.cell(r, 1).value): ws.cell(r, at).value for r in range(2, ws.max_row + 1) if ws.cell(r, at).value}
    assert kept == phones
    assert len([1 for r in range(2, ws.max_row + 1) if str(ws.cell(r, 1).value or "").isdigit()]) == 52


def test_scores_typed_in_monthly_below_a_cleared_row_are_kept(book):
    from xlzu.ops.summary import month

    month(book, "2026-11")
    wb = load_workbook(book)
    ws = wb[C.MONTHLY]
    head = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == C.COL_MONTH
                and ws.cell(r, 2).value == C.GROUP_ID)
    rater = [c.value for c in ws[head]].index(C.DEFAULT_RATER_WEIGHTS[0][0]) + 1
    typed = {}
    for r in range(head + 5, head + 15):
        ws.cell(r, rater).value = 80 + r % 10
        typed[str(ws.cell(r, 2).value)] = 80 + r % 10
    for c in range(1, ws.max_column + 1):
        ws.cell(head + 3, c).value = None  # a cleared row above the typed scores
    wb.save(book)
    month(book, "2026-11")
    ws = load_workbook(book)[C.MONTHLY]
    head = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == C.COL_MONTH
                and ws.cell(r, 2).value == C.GROUP_ID)
    after = {str(ws.cell(r, 2).value): ws.cell(r, rater).value for r in range(head + 1, ws.max_row + 1)
             if ws.cell(r, rater).value is not None}
    assert after == typed


# --------------------------------------------------------------------------
# 分组's group table (组号/组名/组规/组训/小组目标/导师)
# --------------------------------------------------------------------------
def culture_cells(path: Path) -> dict[str, object]:
    ws = load_workbook(path)[C.GROUPS]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row
            if c.column >= C.CULTURE_FIRST_COLUMN and c.value is not None}


@pytest.mark.parametrize("typed", ["第3组", 0, "3.5"])
def test_a_group_number_the_group_table_cannot_read_is_refused_and_nothing_written(book, typed):
    first = C.CULTURE_FIRST_COLUMN
    wb = load_workbook(book)
    ws = wb[C.GROUPS]
    assert ws.cell(1, first).value == C.GROUP_NO and ws.cell(4, first).value == 3
    ws.cell(4, first).value = typed
    ws.cell(4, first + 3).value = "三组的组训"
    wb.save(book)
    before = culture_cells(book)
    for args in (["group", str(book)], ["group", str(book), "--regroup"]):
        result = runner.invoke(app, args)
        assert result.exit_code != 0
        ref = f"{C.GROUPS}!{ws.cell(4, first).coordinate}"
        assert ref in result.output and "组号应为正整数" in result.output, result.output
        assert culture_cells(book) == before  # the group's row and its 组训 are still there


def test_a_repeated_group_number_in_the_group_table_is_refused(book):
    first = C.CULTURE_FIRST_COLUMN
    wb = load_workbook(book)
    ws = wb[C.GROUPS]
    ws.cell(5, first).value = 3  # group 4's row now says 3 too
    wb.save(book)
    with pytest.raises(InputError) as err:
        group(book)
    assert f"{C.GROUPS}!{ws.cell(5, first).coordinate}：“3” 组号与第4行重复" in err.value.text()
    assert load_workbook(book)[C.GROUPS].cell(5, first).value == 3


def test_teacher_columns_and_notes_beside_the_group_table_survive_regrouping(book):
    """A column the teacher adds right of 导师 (its cells with their group), a
    note below the group table beside it, a column inserted between 组名 and
    组规: all kept through 自动分组 and --regroup."""
    first = C.CULTURE_FIRST_COLUMN
    extra = first + len(C.CULTURE_COLUMNS)  # right of 导师
    wb = load_workbook(book)
    ws = wb[C.GROUPS]
    ws.cell(1, extra).value = "本周值日"
    duty = {}
    for g in range(1, 8):
        assert ws.cell(g + 1, first).value == g
        if g != 5:
            ws.cell(g + 1, extra).value = f"周{'一二三四五六日'[g - 1]}"
            duty[g] = f"周{'一二三四五六日'[g - 1]}"
    ws.cell(9, extra + 1).value = "值日表每月初更新"
    ws.insert_cols(first + 2)  # between 组名 and 组规 (the student table is left of it)
    ws.cell(1, first + 2).value = "联系人"
    contact = {g: f"家长{g}" for g in (1, 4, 7)}
    for g, person in contact.items():
        ws.cell(g + 1, first + 2).value = person
    wb.save(book)
    for args in (["group", str(book)], ["group", str(book), "--regroup", "--seed", "3"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        ws = load_workbook(book)[C.GROUPS]
        header = [c.value for c in ws[1]]
        at = header.index("本周值日") + 1
        g0 = header.index(C.GROUP_NO, len(C.GROUP_COLUMNS)) + 1  # the group table's 组号
        kept = {ws.cell(r, g0).value: ws.cell(r, at).value for r in range(2, 9) if ws.cell(r, at).value}
        assert kept == duty
        who = header.index("联系人") + 1
        assert header[who - 2] == C.GROUP_TEAM_NAME and header[who] == C.CULTURE_MOTTO_RULES
        assert {ws.cell(r, g0).value: ws.cell(r, who).value for r in range(2, 9) if ws.cell(r, who).value} == contact
        notes = [r for r in range(1, ws.max_row + 1) for c in range(g0, ws.max_column + 1)
                 if ws.cell(r, c).value == "值日表每月初更新"]
        # once, and above the balance figures (inside the group table, where the next run finds it)
        stats = next(r for r in range(1, ws.max_row + 1) if str(ws.cell(r, g0).value or "").startswith("各组均衡情况"))
        assert len(notes) == 1 and 8 < notes[0] < stats


def test_cells_beside_a_group_that_no_longer_exists_stay_as_a_note(book):
    """每组人数 raised to 10: 52 students make fewer groups, and the teacher's
    cell beside the dropped group stays on the sheet (below the group table)."""
    first = C.CULTURE_FIRST_COLUMN
    extra = first + len(C.CULTURE_COLUMNS)
    wb = load_workbook(book)
    ws = wb[C.GROUPS]
    ws.cell(1, extra).value = "本周值日"
    for g in range(1, 8):
        ws.cell(g + 1, extra).value = f"值日{g}"
    settings = wb[C.SETTINGS]
    row = next(r for r in range(1, settings.max_row + 1) if settings.cell(r, 1).value == "每组人数")
    settings.cell(row, 2).value = 10
    wb.save(book)
    result = runner.invoke(app, ["group", str(book), "--regroup"])
    assert result.exit_code == 0, result.output
    ws = load_workbook(book)[C.GROUPS]
    at = [c.value for c in ws[1]].index("本周值日") + 1
    groups = [ws.cell(r, first).value for r in range(2, 9) if isinstance(ws.cell(r, first).value, int)]
    k = len(groups)
    assert groups == list(range(1, k + 1)) and k < 7
    assert {ws.cell(g + 1, first).value: ws.cell(g + 1, at).value for g in range(1, k + 1)} == {g: f"值日{g}" for g in range(1, k + 1)}
    stats = next(r for r in range(1, ws.max_row + 1) if str(ws.cell(r, first).value or "").startswith("各组均衡情况"))
    left = [ws.cell(r, at).value for r in range(k + 2, stats)]
    assert [v for v in left if v] == [f"值日{g}" for g in range(k + 1, 8)]
