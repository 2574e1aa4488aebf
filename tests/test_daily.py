"""Daily sheets end to end: generate, type in (openpyxl, as a teacher),
save, correct, refuse bad entries, pre-fill, print."""

from __future__ import annotations

import random
import re
import shutil
import zipfile
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from xlzu import contract as C
from xlzu import new_class
from xlzu.cli import app
from xlzu.demo import demo_daily, demo_roster_path
from xlzu.errors import EntryError, InputError
from xlzu.ops.daybook import daily, print_daily, save

from conftest import pdf_pages, pdf_text
from formfill import GRADES, Typed, points_by_key, read_sheet, records, type_cells, type_day
from groupsheet import TEAM_NAMES, write_groups, write_members

MONDAY = date(2026, 11, 23)
WEEK = [MONDAY + timedelta(days=k) for k in range(5)]
N_GROUPS = 7
runner = CliRunner()


# --------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def grouped(tmp_path_factory) -> SimpleNamespace:
    """A class workbook (52 students) with 7 groups and no daily sheets yet."""
    path = tmp_path_factory.mktemp("grouped") / "班级.xlsx"
    new_class(path, demo_roster_path(), class_name="初二(3)班")
    members = write_groups(path, N_GROUPS)
    return SimpleNamespace(path=path, members=members)


@pytest.fixture(scope="module")
def week(grouped, tmp_path_factory) -> SimpleNamespace:
    """A school week: each day generated, typed in, saved twice."""
    path = tmp_path_factory.mktemp("week") / "班级.xlsx"
    shutil.copy(grouped.path, path)
    rng = random.Random(20261123)
    typed = Typed()
    twice = []
    for day in WEEK:
        daily(path, day)
        type_day(path, rng, typed)
        save(path)
        first = (records(path, C.PERSON_RECORDS), records(path, C.GROUP_RECORDS), sheet_xml(path, C.PERSON_RECORDS))
        save(path)
        second = (records(path, C.PERSON_RECORDS), records(path, C.GROUP_RECORDS), sheet_xml(path, C.PERSON_RECORDS))
        twice.append((first, second))
    return SimpleNamespace(path=path, typed=typed, twice=twice, members=grouped.members)


def copy_of(src: Path, tmp_path: Path) -> Path:
    path = tmp_path / "班级.xlsx"
    shutil.copy(src, path)
    return path


def sheet_xml(path: Path, sheet: str) -> bytes:
    """The stored XML of one worksheet inside the .xlsx."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    with zipfile.ZipFile(path) as z:
        wb = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rid = next(s.get(f"{{{ns['r']}}}id") for s in wb.find("m:sheets", ns) if s.get("name") == sheet)
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        target = next(r.get("Target") for r in rels if r.get("Id") == rid)
        return z.read("xl/" + target.lstrip("/").removeprefix("xl/"))


def daily_sheets(path: Path) -> list[str]:
    return [n for n in load_workbook(path, read_only=True).sheetnames if n.startswith("日表")]


# --------------------------------------------------------------------------
# A week typed in and saved
# --------------------------------------------------------------------------
def test_week_records_match_what_was_typed(week):
    person, group = points_by_key(week.path)
    assert person == week.typed.person
    assert group == week.typed.group
    # Independent sums per student and per group and day.
    for table, expected, who in ((records(week.path, C.PERSON_RECORDS), week.typed.person, "学号"),
                                 (records(week.path, C.GROUP_RECORDS), week.typed.group, "组号")):
        sums: dict = {}
        for r in table:
            key = (r["日期"], str(r[who]))
            sums[key] = sums.get(key, 0) + r["分数"]
        independent: dict = {}
        for (day, w, _item), pts in expected.items():
            independent[(day, str(w))] = independent.get((day, str(w)), 0) + pts
        assert {k: v for k, v in sums.items() if k in independent} == pytest.approx(independent)
        assert all(v == 0 for k, v in sums.items() if k not in independent)  # note-only rows carry 0


def test_records_keep_source_group_and_notes(week):
    people = {r[C.GROUP_ID]: r for r in week.members.to_dict("records")}
    rows = records(week.path, C.PERSON_RECORDS)
    assert rows
    for r in rows:
        assert r["组号"] == people[str(r["学号"])][C.GROUP_NO]
        assert r["姓名"] == people[str(r["学号"])][C.GROUP_NAME_COL]
        assert re.fullmatch(rf"日表-第{r['组号']}组![A-Z]+\d+", r["来源"])
    notes = {(r["日期"], str(r["学号"])): r["备注"] for r in rows if r["备注"]}
    assert notes == week.typed.person_notes
    gnotes = {(r["日期"], int(r["组号"])): r["备注"] for r in records(week.path, C.GROUP_RECORDS) if r["备注"]}
    assert gnotes == week.typed.group_notes
    for r in records(week.path, C.GROUP_RECORDS):
        assert r["组名"] == TEAM_NAMES[r["组号"] - 1]
        assert r["来源"].startswith("日表-班级!")
        if r["项目"].endswith("预习"):
            assert r["原始"] in GRADES and r["分数"] == GRADES[r["原始"]]


def test_saving_twice_changes_nothing(week):
    for first, second in week.twice:
        assert first == second


def test_correct_one_cell_and_clear_another(week, tmp_path):
    path = copy_of(week.path, tmp_path)
    friday = WEEK[-1].isoformat()
    person_cells = [(s, ref, v) for (d, s, ref), v in week.typed.cells.items() if d == friday and s != C.DAILY_CLASS]
    group_cells = [(s, ref, v) for (d, s, ref), v in week.typed.cells.items() if d == friday and s == C.DAILY_CLASS]
    (s1, ref1, _), (s2, ref2, _) = person_cells[0], person_cells[1]
    (s3, ref3, v3) = next(c for c in group_cells if str(c[2]).upper() in GRADES)
    before_p, before_g = points_by_key(path)
    new_grade = "D" if str(v3).upper() != "D" else "A"
    type_cells(path, {(s1, ref1): 1, (s2, ref2): None, (s3, ref3): new_grade})
    save(path)
    after_p, after_g = points_by_key(path)
    by_source = {r["来源"]: r for r in records(path, C.PERSON_RECORDS) if r["日期"] == friday}
    assert by_source[f"{s1}!{ref1}"]["分数"] == 1
    assert f"{s2}!{ref2}" not in by_source
    changed = {k for k in before_p if before_p[k] != after_p.get(k)}
    assert len(changed) == 2 and len(after_p) == len(before_p) - 1
    gsource = {r["来源"]: r for r in records(path, C.GROUP_RECORDS) if r["日期"] == friday}
    assert gsource[f"{s3}!{ref3}"]["原始"] == new_grade
    assert gsource[f"{s3}!{ref3}"]["分数"] == GRADES[new_grade]
    assert sum(before_g[k] != after_g[k] for k in before_g) <= 1 and len(after_g) == len(before_g)


# --------------------------------------------------------------------------
# Bad entries
# --------------------------------------------------------------------------
def _bad_cells(path: Path) -> tuple[dict[tuple[str, str], object], dict[tuple[str, str], object]]:
    """One bad entry of every kind on Friday's forms, and the cells to clear
    so that the repeated place is the only repeat in its period."""
    wb = load_workbook(path)
    cls = read_sheet(wb[C.DAILY_CLASS])
    grp = read_sheet(wb[C.daily_group_sheet(2)])
    rows = list(cls.rows)
    mrows = list(grp.rows)
    grade = next(c for c in cls.columns if c.kind == "grade")
    place1, place2 = [c for c in cls.columns if c.kind == "place"][:2]
    hygiene = next(c for c in cls.columns if c.item == "卫生纪律")
    preview, hygiene_item = grp.columns[0], next(c for c in grp.columns if c.item == "卫生")
    bad = {
        (cls.name, ref(grade, rows[0])): "E",  # not a grade
        (cls.name, ref(place1, rows[0])): 6,  # 6 in a 1–5 field
        (cls.name, ref(place2, rows[1])): 2,  # a place used twice in a period …
        (cls.name, ref(place2, rows[2])): 2,  # … here again
        (cls.name, ref(hygiene, rows[3])): 8,  # out of range -5～5
        (grp.name, ref(preview, mrows[0])): 9,  # out of range 0～3
        (grp.name, ref(hygiene_item, mrows[1])): "好",  # text in a points cell
    }
    clear = {(cls.name, ref(place2, r)): None for r in rows[3:]}
    return bad, clear


def ref(column, row: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(column.col)}{row}"


def without_source(rows: list[dict]) -> list[dict]:
    return sorted(({k: v for k, v in r.items() if k != "来源"} for r in rows), key=lambda r: (r["日期"], str(r.get("学号", r["组号"])), r["项目"]))


def normalized(value):
    """A typed value as the form shows it once saved and generated again."""
    from formfill import nfkc

    if not isinstance(value, str):
        return value
    text = nfkc(value).strip()
    return text.upper() if text.upper() in GRADES else int(text)


def test_bad_entries_refused_with_every_cell_named(week, tmp_path):
    path = copy_of(week.path, tmp_path)
    bad, clear = _bad_cells(path)
    type_cells(path, {**clear, **bad})
    xml_before = {s: sheet_xml(path, s) for s in (C.PERSON_RECORDS, C.GROUP_RECORDS)}
    with pytest.raises(EntryError) as caught:
        save(path)
    text = caught.value.text()
    for sheet, ref in bad:
        assert f"{sheet}!{ref}" in text
    assert "应为等级" in text and "应为名次" in text and "填了 2 次" in text and "之间的数字" in text
    assert text.count("\n") == len(caught.value.problems)  # one message, one line per bad cell
    # Nothing of the records was touched; the cells are highlighted; 控制台 says why.
    assert {s: sheet_xml(path, s) for s in xml_before} == xml_before
    wb = load_workbook(path)
    for sheet, ref in bad:
        assert wb[sheet][ref].fill.fgColor.rgb.endswith(C.COLOR_BAD)
    console = " ".join(str(c.value) for c in wb[C.CONSOLE]["C"] if c.value)
    assert "没有保存" in console and f"{C.DAILY_CLASS}!" in console
    # The CLI says the same and exits 1.
    result = runner.invoke(app, ["save", str(path)])
    assert result.exit_code == 1
    assert "错误：" in result.output and next(iter(bad))[1] in result.output
    # Corrected, the save goes through and the highlights go away.
    fixed = {k: None for k in bad}
    type_cells(path, fixed)
    save(path)
    wb = load_workbook(path)
    for sheet, ref in bad:
        assert wb[sheet][ref].fill.fill_type is None


def test_daily_refuses_to_drop_invalid_forms(week, tmp_path):
    path = copy_of(week.path, tmp_path)
    bad = dict(list(_bad_cells(path)[0].items())[:1])
    type_cells(path, bad)
    before = records(path, C.PERSON_RECORDS), records(path, C.GROUP_RECORDS)
    with pytest.raises(EntryError) as caught:
        daily(path, WEEK[-1] + timedelta(days=3))
    assert "没有生成新日表" in caught.value.text()
    wb = load_workbook(path)
    (sheet, ref), value = next(iter(bad.items()))
    assert wb[sheet][ref].value == value  # the typed entry is still there
    assert read_sheet(wb[C.DAILY_CLASS]).day == WEEK[-1].isoformat()
    assert (records(path, C.PERSON_RECORDS), records(path, C.GROUP_RECORDS)) == before


def test_daily_saves_the_current_forms_first(week, tmp_path):
    path = copy_of(week.path, tmp_path)
    wb = load_workbook(path)
    sheet = read_sheet(wb[C.daily_group_sheet(3)])
    free = next((r, c) for r in sheet.rows for c in sheet.columns
                if wb[sheet.name].cell(r, c.col).value is None and c.lo <= 2 <= c.hi)
    type_cells(path, {(sheet.name, ref(free[1], free[0])): 2})  # typed, not saved
    monday = WEEK[-1] + timedelta(days=3)
    report = daily(path, monday)
    assert "先保存了原来的日表" in report.text()
    person, _ = points_by_key(path)
    assert person[(WEEK[-1].isoformat(), sheet.rows[free[0]], free[1].item)] == 2
    assert read_sheet(load_workbook(path)[C.DAILY_CLASS]).day == monday.isoformat()


# --------------------------------------------------------------------------
# Pre-fill, membership changes, 设置 changes
# --------------------------------------------------------------------------
def test_generating_a_date_with_records_prefills(week, tmp_path):
    path = copy_of(week.path, tmp_path)
    tuesday = WEEK[1].isoformat()
    report = daily(path, WEEK[1])
    assert "已按记录填好" in report.text()
    wb = load_workbook(path)
    typed = {(s, ref): v for (d, s, ref), v in week.typed.cells.items() if d == tuesday}
    assert typed
    for (sheet, cell), value in typed.items():
        assert wb[sheet][cell].value == normalized(value), (sheet, cell, value)
    # Saving the pre-filled forms changes nothing.
    before = records(path, C.PERSON_RECORDS), records(path, C.GROUP_RECORDS)
    save(path)
    assert (records(path, C.PERSON_RECORDS), records(path, C.GROUP_RECORDS)) == before


def test_membership_change_keeps_each_dates_group(grouped, tmp_path):
    path = copy_of(grouped.path, tmp_path)
    members = grouped.members.copy()
    mover = members.loc[members[C.GROUP_NO] == 1].iloc[-1]
    sid = mover[C.GROUP_ID]
    daily(path, WEEK[0])
    wb = load_workbook(path)
    mon = read_sheet(wb[C.daily_group_sheet(1)])
    row = next(r for r, who in mon.rows.items() if who == sid)

    type_cells(path, {(mon.name, ref(mon.columns[0], row)): 3})
    save(path)
    # The teacher moves the student to group 2.
    members.loc[members[C.GROUP_ID] == sid, [C.GROUP_NO, C.GROUP_TEAM_NAME]] = [2, TEAM_NAMES[1]]
    write_members(path, members)
    daily(path, WEEK[1])
    wb = load_workbook(path)
    tue = read_sheet(wb[C.daily_group_sheet(2)])
    assert sid in tue.rows.values()
    assert sid not in read_sheet(wb[C.daily_group_sheet(1)]).rows.values()
    row = next(r for r, who in tue.rows.items() if who == sid)
    type_cells(path, {(tue.name, ref(tue.columns[0], row)): 1})
    save(path)
    mine = {r["日期"]: r for r in records(path, C.PERSON_RECORDS) if str(r["学号"]) == sid}
    assert mine[WEEK[0].isoformat()]["组号"] == 1 and mine[WEEK[0].isoformat()]["来源"].startswith("日表-第1组!")
    assert mine[WEEK[1].isoformat()]["组号"] == 2 and mine[WEEK[1].isoformat()]["来源"].startswith("日表-第2组!")
    # Correcting Monday later: the student is back on group 1's Monday sheet.
    daily(path, WEEK[0])
    wb = load_workbook(path)
    assert sid in read_sheet(wb[C.daily_group_sheet(1)]).rows.values()
    assert sid not in read_sheet(wb[C.daily_group_sheet(2)]).rows.values()
    before = records(path, C.PERSON_RECORDS)
    save(path)
    assert records(path, C.PERSON_RECORDS) == before


def _edit_settings(path: Path, *, subject: str | None = None, periods: int | None = None,
                   item: tuple | None = None, preview_points: str | None = None) -> None:
    """Change 设置 by typing into it, as a teacher would."""
    wb = load_workbook(path)
    ws = wb[C.SETTINGS]
    rows = {str(ws.cell(r, 1).value).strip(): r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}

    def blank_after(title: str) -> int:
        r = rows[title] + 2
        while ws.cell(r, 1).value not in (None, ""):
            r += 1
        return r

    if periods is not None:
        ws.cell(rows["每天节数"], 2, periods)
    if subject is not None:
        r = blank_after(C.SECTION_SUBJECTS)
        ws.cell(r, 1, subject)
        ws.cell(r, 2, "每天")
    if item is not None:
        r = blank_after(C.SECTION_ITEMS)
        for k, v in enumerate(item, start=1):
            ws.cell(r, k, v)
    if preview_points is not None:
        ws.cell(rows[C.RULE_CODE_LABELS["preview"]], 8, preview_points)
    wb.save(path)


@pytest.fixture(scope="module")
def changed(grouped, tmp_path_factory) -> SimpleNamespace:
    """设置 changed by the teacher (a 7th subject, 5 periods, a new item, A=5),
    then a day generated, typed in and saved."""
    path = tmp_path_factory.mktemp("changed") / "班级.xlsx"
    shutil.copy(grouped.path, path)
    _edit_settings(path, subject="生物", periods=5, item=(C.CAT_SELF_STUDY, "背诵", 0, 2, "预习之星", "课文背诵"),
                   preview_points="A=5,B=3,C=1,D=0")
    daily(path, WEEK[2])
    wb = load_workbook(path)
    cls = read_sheet(wb[C.DAILY_CLASS])
    grp = read_sheet(wb[C.daily_group_sheet(1)])
    bio = next(c for c in cls.columns if c.item == "生物预习")
    p5 = next(c for c in cls.columns if c.item == "第5节名次")
    recite = next(c for c in grp.columns if c.item == "背诵")
    r1, m1 = next(iter(cls.rows)), next(iter(grp.rows))
    type_cells(path, {(cls.name, ref(bio, r1)): "a", (cls.name, ref(p5, r1)): 1, (grp.name, ref(recite, m1)): 2})
    save(path)
    return SimpleNamespace(path=path, cls=cls, grp=grp, recite=recite, m1=m1)


def test_changed_settings_flow_into_the_sheets(changed, tmp_path):
    items = [c.item for c in changed.cls.columns]
    assert "生物预习" in items and len([i for i in items if i.endswith("预习")]) == 7
    assert "第5节名次" in items and "第5节加减分" in items and not any(i.startswith("第6节") for i in items)
    assert [c.item for c in changed.grp.columns][-1] == "背诵"
    person, group = points_by_key(changed.path)
    day = WEEK[2].isoformat()
    assert group[(day, 1, "生物预习")] == 5  # A=5 as 设置 now says
    assert group[(day, 1, "第5节名次")] == 5
    assert person[(day, changed.grp.rows[changed.m1], "背诵")] == 2
    cat = {r["项目"]: r["类别"] for r in records(changed.path, C.PERSON_RECORDS)}
    assert cat["背诵"] == C.CAT_SELF_STUDY
    # A value above the new item's maximum is refused.
    path = copy_of(changed.path, tmp_path)
    type_cells(path, {(changed.grp.name, ref(changed.recite, changed.m1)): 3})
    with pytest.raises(EntryError, match="背诵应为 0～2"):
        save(path)


def test_libreoffice_totals_follow_changed_settings(changed, tmp_path, soffice):
    from xlzu.pdf import convert

    wb = load_workbook(convert(changed.path, "xlsx", tmp_path / "recalc"), data_only=True)
    person, group = points_by_key(changed.path)
    day = WEEK[2].isoformat()
    for sheet, table in ((changed.cls, group), (changed.grp, person)):
        for r, who in sheet.rows.items():
            typed = [v for (d, w, _), v in table.items() if d == day and str(w) == str(who)]
            total = wb[sheet.name].cell(r, sheet.total_col).value
            if typed:
                assert total == pytest.approx(sum(typed))
            else:  # nothing typed on the row: 合计 stays blank, no 0 on paper
                assert total in (None, "")
    assert wb[changed.cls.name].cell(next(iter(changed.cls.rows)), changed.cls.total_col).value == 10  # A=5 + place 1=5


# --------------------------------------------------------------------------
# What the sheets look like
# --------------------------------------------------------------------------
def test_titles_foot_print_setup_and_validation(week):
    wb = load_workbook(week.path)
    for g in range(1, N_GROUPS + 1):
        ws = wb[C.daily_group_sheet(g)]
        assert f"第{g}组" in ws["A1"].value and TEAM_NAMES[g - 1] in ws["A1"].value and "初二(3)班" in ws["A1"].value
        assert "2026年11月27日 星期五" in ws["A2"].value
        assert ws.page_setup.orientation == "portrait"
    cls = wb[C.DAILY_CLASS]
    assert cls.page_setup.orientation == "landscape" and "2026年11月27日 星期五" in cls["A2"].value
    form = {C.FORM_GROUP: wb[C.FORM_GROUP], C.FORM_CLASS: wb[C.FORM_CLASS]}
    assert form[C.FORM_GROUP].sheet_state == "hidden"
    for name, title_rows, signs in ((C.daily_group_sheet(1), "$1:$4", (C.DAILY_SIGN_LEADER, C.DAILY_SIGN_TEACHER)),
                                    (C.DAILY_CLASS, "$1:$5", (C.DAILY_SIGN_MONITOR, C.DAILY_SIGN_TEACHER))):
        ws = wb[name]
        src = form[C.FORM_GROUP if name != C.DAILY_CLASS else C.FORM_CLASS]
        assert ws.page_setup.paperSize in (9, "9")
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 1
        assert ws.print_title_rows == title_rows
        assert ws.print_options.horizontalCentered
        assert (ws.page_margins.left, ws.page_margins.top) == (src.page_margins.left, src.page_margins.top)
        foot = " ".join(str(c.value) for row in ws.iter_rows(min_row=ws.max_row - 3) for c in row if c.value)
        assert all(s in foot for s in signs)
        sheet = read_sheet(ws)
        # Every entry cell is validated, with a Chinese input message.
        covered = {}
        for dv in ws.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                for r in range(rng.min_row, rng.max_row + 1):
                    for c in range(rng.min_col, rng.max_col + 1):
                        covered[(r, c)] = dv
        for col in sheet.columns:
            for r in sheet.rows:
                dv = covered[(r, col.col)]
                assert dv.showInputMessage and re.search(r"[\u4e00-\u9fff]", dv.prompt)
                if col.kind == "points":
                    assert dv.type == "decimal" and (float(dv.formula1), float(dv.formula2)) == (col.lo, col.hi)
                elif col.kind == "place":
                    assert dv.type == "custom" and "COUNTIF" in dv.formula1
                else:
                    assert dv.type == "custom" and all(k in dv.formula1 for k in GRADES)
        # 合计 is a live formula on every row.
        for r in sheet.rows:
            assert str(ws.cell(r, sheet.total_col).value).startswith("=")


def test_forms_follow_the_restyled_form_sheet(grouped, tmp_path):
    path = copy_of(grouped.path, tmp_path)
    from openpyxl.styles import Font

    wb = load_workbook(path)
    form = wb[C.FORM_GROUP]
    form["A1"].font = Font(name="楷体", size=22, bold=True, color="C00000")
    form.page_margins.left = 1.1
    wb.save(path)
    daily(path, WEEK[0])
    ws = load_workbook(path)[C.daily_group_sheet(1)]
    assert ws["A1"].font.size == 22 and ws["A1"].font.name == "楷体"
    assert ws.page_margins.left == 1.1


def test_all_weekdays_writes_the_week_and_saves_it(week, tmp_path):
    path = copy_of(week.path, tmp_path)
    before = records(path, C.PERSON_RECORDS), records(path, C.GROUP_RECORDS)
    report = daily(path, WEEK[2], all_weekdays=True)
    names = daily_sheets(path)
    expected = [C.DAILY_CLASS] + [C.daily_group_sheet(g) for g in range(1, N_GROUPS + 1)]
    for d in WEEK:
        if d != WEEK[2]:
            expected += [C.daily_day_sheet(s, d.weekday()) for s in expected[: N_GROUPS + 1]]
    assert names == expected
    wb = load_workbook(path)
    for name in names:
        wd = C.parse_daily_sheet(name)[1]
        assert read_sheet(wb[name]).day == (WEEK[wd] if wd is not None else WEEK[2]).isoformat()
    assert C.daily_day_sheet(C.DAILY_CLASS, WEEK[0].weekday()) in report.text()
    save(path)  # pre-filled from the records: the same records, now typed on the week's sheets
    assert without_source(records(path, C.PERSON_RECORDS)) == without_source(before[0])
    assert without_source(records(path, C.GROUP_RECORDS)) == without_source(before[1])
    assert any("(周一)!" in r["来源"] for r in records(path, C.PERSON_RECORDS))
    # A Thursday correction typed on the Thursday sheet is saved for Thursday.
    thu = read_sheet(wb[C.daily_day_sheet(C.daily_group_sheet(4), 3)])
    r = next(iter(thu.rows))
    col = thu.columns[1]
    type_cells(path, {(thu.name, ref(col, r)): 1})
    save(path)
    person, _ = points_by_key(path)
    assert person[(WEEK[3].isoformat(), thu.rows[r], col.item)] == 1


# --------------------------------------------------------------------------
# LibreOffice: totals, PDF
# --------------------------------------------------------------------------
def test_libreoffice_totals_equal_python(week, tmp_path, soffice):
    from xlzu.pdf import convert

    made = convert(week.path, "xlsx", tmp_path / "recalc")
    wb = load_workbook(made, data_only=True)
    person, group = points_by_key(week.path)
    typed_book = load_workbook(week.path)
    friday = WEEK[-1].isoformat()
    n = 0
    for name in [C.DAILY_CLASS] + [C.daily_group_sheet(g) for g in range(1, N_GROUPS + 1)]:
        sheet = read_sheet(typed_book[name])
        ws = wb[name]
        for r, who in sheet.rows.items():
            table = group if sheet.kind == "class" else person
            typed = [v for (d, w, _), v in table.items() if d == friday and str(w) == str(who)]
            if typed:
                assert ws.cell(r, sheet.total_col).value == pytest.approx(sum(typed)), (name, r)
            else:  # a row with nothing typed shows no total
                assert ws.cell(r, sheet.total_col).value in (None, ""), (name, r)
            n += 1
    assert n == 52 + N_GROUPS
    # The typed values included lower-case / full-width grades and full-width numbers.
    fancy = [v for (d, s, _), v in week.typed.cells.items() if d == friday and isinstance(v, str) and v not in GRADES]
    assert fancy


def test_print_one_date_via_cli(week, tmp_path, soffice, poppler):
    pdf = tmp_path / "日表.pdf"
    before = week.path.read_bytes()
    result = runner.invoke(app, ["print", str(week.path), "--date", WEEK[1].isoformat(), "--pdf", str(pdf)])
    assert result.exit_code == 0, result.output
    assert week.path.read_bytes() == before  # printing never changes the workbook
    assert pdf_pages(pdf) == N_GROUPS + 1
    text = pdf_text(pdf)
    for name in TEAM_NAMES[:N_GROUPS]:
        assert name in text
    for name in week.members[C.GROUP_NAME_COL]:
        assert name in text.replace(" ", "")
    assert "2026年11月24日 星期二" in text
    first = pdf_text(pdf, 1)
    assert C.DAILY_CLASS_TITLE in first and C.DAILY_SIGN_MONITOR in first


def test_print_without_libreoffice_says_so(week, tmp_path, monkeypatch):
    import xlzu.pdf
    from xlzu.errors import ToolMissing

    monkeypatch.setattr(xlzu.pdf, "libreoffice", lambda: None)
    before = week.path.read_bytes()
    with pytest.raises(ToolMissing, match="需要 LibreOffice"):
        print_daily(week.path, WEEK[0], tmp_path / "x.pdf")
    assert week.path.read_bytes() == before and not (tmp_path / "x.pdf").exists()


def test_demo_step_prints_a_week(grouped, tmp_path, soffice, poppler):
    path = copy_of(grouped.path, tmp_path)
    lines: list[str] = []
    pdf = demo_daily(path, lines.append)
    assert pdf is not None and pdf_pages(pdf) == 5 * (N_GROUPS + 1)
    person = records(path, C.PERSON_RECORDS)
    assert {r["日期"] for r in person} == {d.isoformat() for d in WEEK}
    assert any("新增" in line for line in lines)


# --------------------------------------------------------------------------
# CLI, README, no groups
# --------------------------------------------------------------------------
def test_cli_daily_and_save(grouped, tmp_path):
    path = copy_of(grouped.path, tmp_path)
    result = runner.invoke(app, ["daily", str(path), "--date", "2026-11-24"])
    assert result.exit_code == 0, result.output
    assert "2026年11月24日 星期二" in result.output
    result = runner.invoke(app, ["save", str(path)])
    assert result.exit_code == 0 and "没有变化" in result.output
    result = runner.invoke(app, ["daily", str(path), "--date", "11月24号"])
    assert result.exit_code == 1 and "2026-11-24 这样的格式" in result.output


def test_a_repeated_student_id_on_groups_stops_daily_and_the_summaries(grouped, tmp_path):
    """Two 分组 rows with one 学号 would file one student's scores under the
    other: every operation that reads 分组 refuses, naming the later cell."""
    from xlzu.ops.summary import review, week

    path = copy_of(grouped.path, tmp_path)
    wb = load_workbook(path)
    ws = wb[C.GROUPS]
    ws["A3"] = ws["A2"].value
    wb.save(path)
    for operation in (lambda: daily(path, "2026-11-24"), lambda: week(path), lambda: review(path, "学期")):
        with pytest.raises(InputError) as err:
            operation()
        assert "分组!A3" in err.value.text() and "学号与第2行重复" in err.value.text()
    assert load_workbook(path)[C.GROUPS]["A3"].fill.fgColor.rgb[-6:] == C.COLOR_BAD


def test_without_groups_daily_says_so_and_demo_skips(tmp_path):
    path = tmp_path / "班级.xlsx"
    new_class(path, demo_roster_path())
    with pytest.raises(InputError, match="还没有小组"):
        daily(path, "2026-11-24")
    lines: list[str] = []
    assert demo_daily(path, lines.append) is None
    assert "跳过" in lines[0]


def test_readme_lists_the_commands():
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for command in ("xlzu daily", "xlzu save", "xlzu print"):
        assert f"| `{command}" in readme
