"""自动分组 on real workbooks: what a teacher sees in 分组 and 座位表, on
paper, on 控制台 and in the terminal; manual adjustment (微调); new and
removed students; bad input."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from xlzu import contract as C
from xlzu import group, new_class
from xlzu.book.files import FileBook
from xlzu.cli import app
from xlzu.demo import demo_roster_path
from xlzu.errors import InputError
from xlzu.layout import col_letter
from xlzu.members import read_culture, read_members

from conftest import pdf_pages, pdf_text

ROOT = Path(__file__).resolve().parents[1]
CULTURE_COL = col_letter(C.CULTURE_FIRST_COLUMN)  # L


@pytest.fixture(scope="module")
def grouped(tmp_path_factory) -> tuple[Path, object]:
    """The demo class (52 students), grouped once with the full search."""
    path = tmp_path_factory.mktemp("grouped") / "班级.xlsx"
    new_class(path, demo_roster_path(), class_name="初二(3)班")
    report = group(path, seed=1)
    return path, report


@pytest.fixture
def copy(grouped, tmp_path) -> Path:
    target = tmp_path / "班级.xlsx"
    shutil.copy(grouped[0], target)
    return target


def student_table(path: Path) -> pd.DataFrame:
    df = pd.read_excel(path, sheet_name=C.GROUPS, dtype=object)
    df = df.iloc[:, : len(C.GROUP_COLUMNS)]
    return df[df[C.GROUP_ID].notna() & df[C.GROUP_NO].notna()].reset_index(drop=True)


def roster_table(path: Path) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name=C.ROSTER, dtype={C.ROSTER_ID: str})


def members_and_culture(path: Path):
    book = FileBook.open(path)
    values = book.read_values(C.GROUPS)
    members, problems = read_members(values)
    assert problems == []
    return members, read_culture(values)


# --------------------------------------------------------------------------
# First grouping
# --------------------------------------------------------------------------
def test_groups_sheet_lists_every_student_once_in_balanced_groups(grouped):
    path, report = grouped
    table = student_table(path)
    roster = roster_table(path)
    assert list(table.columns) == list(C.GROUP_COLUMNS)
    assert sorted(table[C.GROUP_ID].astype(str)) == sorted(roster[C.ROSTER_ID])
    sizes = table[C.GROUP_NO].value_counts()
    assert sorted(sizes.index) == list(range(1, 8)) and set(sizes) == {7, 8}
    layers = table.groupby([C.GROUP_NO, C.GROUP_LAYER]).size().unstack(fill_value=0)
    assert ((layers.max() - layers.min()) <= 1).all()
    girls = table.groupby(C.GROUP_NO)[C.GROUP_GENDER].apply(lambda s: (s == "女").sum())
    assert girls.max() - girls.min() <= 1
    # Group means of 总分 within 0.02 class SDs (the demo class: SD ≈ 73 points → ≈ 1.5 points).
    totals = table.merge(roster, left_on=table[C.GROUP_ID].astype(str), right_on=C.ROSTER_ID)
    means = totals.groupby(C.GROUP_NO)[C.ROSTER_TOTAL].mean()
    assert (means.max() - means.min()) / roster[C.ROSTER_TOTAL].std() <= 0.02
    # Codes and roles as the teacher sees them.
    for g, m in table.groupby(C.GROUP_NO):
        assert sorted(m[C.GROUP_CODE]) == sorted(m[C.GROUP_CODE].unique())
        roles = [r.split(C.ROLE_SEPARATOR) for r in m[C.GROUP_ROLES]]
        flat = [x for r in roles for x in r]
        assert flat.count(C.ROLE_LEADER) == 1 and flat.count(C.ROLE_DEPUTY) == 1
        assert all(flat.count(f"{s}组长") == 1 for s in C.DEFAULT_SUBJECTS)
        assert all(r for r in roles)
        assert set(m[C.GROUP_TEAM_NAME]) == {f"第{g}组"}
    assert report.lines[0] == "共 52 人，分成 7 组（每组 7–8 人），随机种子 1。"
    assert any(line.startswith("均衡情况：各组平均分相差") and "各组标准差相差" in line for line in report.lines)


def test_groups_sheet_reads_back_through_the_members_contract(grouped):
    path, _ = grouped
    members, culture = members_and_culture(path)
    assert len(members) == 52 and members[C.GROUP_NO].notna().all()
    assert not members[C.GROUP_LOCKED].any()
    assert list(culture[C.GROUP_NO]) == list(range(1, 8))
    ws = load_workbook(path)[C.GROUPS]
    assert [ws[f"{col_letter(C.CULTURE_FIRST_COLUMN + j)}1"].value for j in range(len(C.CULTURE_COLUMNS))] == list(C.CULTURE_COLUMNS)
    # The balance figures below the culture table are not read as groups.
    labels = [ws.cell(r, C.CULTURE_FIRST_COLUMN).value for r in range(1, 20)]
    assert "各组均衡情况（每次分组自动更新，不必填写）" in labels


def test_groups_sheet_has_data_validation_on_the_columns_a_teacher_edits(grouped):
    path, _ = grouped
    ws = load_workbook(path)[C.GROUPS]
    by_col = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            by_col[col_letter(rng.min_col)] = (dv, rng)
    letter = {c: col_letter(i + 1) for i, c in enumerate(C.GROUP_COLUMNS)}
    dv, rng = by_col[letter[C.GROUP_NO]]
    assert dv.type == "whole" and (dv.formula1, dv.formula2) == ("1", "7") and rng.min_row == 2 and rng.max_row >= 53
    dv, _ = by_col[letter[C.GROUP_LAYER_OVERRIDE]]
    assert dv.type == "list" and dv.formula1 == '"A,B,C,D"'
    dv, _ = by_col[letter[C.GROUP_LOCKED]]
    assert dv.type == "list" and dv.formula1 == f'"{C.LOCKED_MARK}"'


def test_seat_chart_draws_each_group_as_its_facing_pairs(grouped):
    path, _ = grouped
    ws = load_workbook(path)[C.SEATS]
    table = student_table(path)
    cells = {}
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cells[(cell.row, cell.column)] = cell.value
    text = "\n".join(cells.values())
    for code, name in zip(table[C.GROUP_CODE], table[C.GROUP_NAME_COL]):
        assert f"{code} {name}" in text
    assert any(v == "讲  台" for v in cells.values())
    # A full group (2A+2B+2C+2D) shows B1|C2, A1|D2, A2|D1, C1|B2 from front to back.
    full = next(g for g, m in table.groupby(C.GROUP_NO) if len(m) == 8)
    head = next(k for k, v in cells.items() if v == f"第{full}组")
    seen = []
    for r in range(head[0] + 1, head[0] + 5):
        left, right = cells.get((r, head[1]), ""), cells.get((r, head[1] + 1), "")
        seen.append((left.split()[0], right.split()[0]))
    assert seen == list(C.SEAT_PAIRS)
    # Each group of 7 seats its odd member beside a layer-mate (two names in one
    # seat cell, both of one layer), and the caption says so.
    for g, m in table.groupby(C.GROUP_NO):
        if len(m) != 7:
            continue
        head = next(k for k, v in cells.items() if v.startswith(f"第{g}组"))
        band = [cells.get((r, head[1] + side), "") for r in range(head[0] + 1, head[0] + 5) for side in (0, 1)]
        doubles = [v for v in band if len(re.findall(r"^[A-D]\d ", v, flags=re.M)) == 2]
        assert len(doubles) == 1
        layers = re.findall(r"^([A-D])\d ", doubles[0], flags=re.M)
        assert layers[0] == layers[1]
    caption = ws["A2"].value
    assert caption.startswith("面对面坐的两人是学习对子") and "三人一排" in caption
    # The caption is wider than four groups: it wraps onto a second line instead of running off the page.
    assert ws["A2"].alignment.wrap_text and ws.row_dimensions[2].height >= 30
    # Role under the name.
    leader = table[table[C.GROUP_ROLES].str.contains(C.ROLE_LEADER)].iloc[0]
    assert any(v.startswith(f"{leader[C.GROUP_CODE]} {leader[C.GROUP_NAME_COL]}\n{C.ROLE_LEADER}") for v in cells.values())
    # One A4 landscape page.
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 1)


def test_libreoffice_prints_the_seat_chart_on_one_page_with_every_name(grouped, soffice, poppler, tmp_path):
    from xlzu.pdf import print_sheets

    path, _ = grouped
    pdf = print_sheets(path, [C.SEATS], tmp_path / "座位表.pdf")
    assert pdf_pages(pdf) == 1
    text = re.sub(r"\s+", "", pdf_text(pdf))
    for name in student_table(path)[C.GROUP_NAME_COL]:
        assert name in text
    assert "初二(3)班座位表" in text and "讲台" in text
    caption = load_workbook(path)[C.SEATS]["A2"].value
    assert re.sub(r"\s+", "", caption) in text  # every character of the caption is on the page


def test_the_console_shows_the_run(grouped):
    path, report = grouped
    ws = load_workbook(path)[C.CONSOLE]
    messages = [ws.cell(r, 3).value for r in range(C.CONSOLE_MESSAGES_ROW + 1, ws.max_row + 1)]
    assert messages[: len(report.lines)] == report.lines
    assert ws.cell(C.CONSOLE_MESSAGES_ROW + 1, 2).value == "自动分组"


# --------------------------------------------------------------------------
# Later runs: 微调, new and removed students, culture kept
# --------------------------------------------------------------------------
def _edit(path: Path, sheet: str, edits: dict[str, object]) -> None:
    wb = load_workbook(path)
    for ref, value in edits.items():
        wb[sheet][ref] = value
    wb.save(path)


def _row_of(path: Path, student_id: str) -> int:
    ws = load_workbook(path)[C.GROUPS]
    for r in range(2, ws.max_row + 1):
        if str(ws.cell(r, 1).value) == student_id:
            return r
    raise AssertionError(student_id)


def test_a_manual_move_sticks_is_reported_and_survives_a_regroup(copy):
    table = student_table(copy)
    who = table[(table[C.GROUP_NO] == 2)].iloc[3]
    sid, name = str(who[C.GROUP_ID]), who[C.GROUP_NAME_COL]
    r = _row_of(copy, sid)
    no_col = col_letter(C.GROUP_COLUMNS.index(C.GROUP_NO) + 1)
    lock_col = col_letter(C.GROUP_COLUMNS.index(C.GROUP_LOCKED) + 1)
    _edit(copy, C.GROUPS, {f"{no_col}{r}": 6, f"{lock_col}{r}": "是"})
    others = {str(i): g for i, g in zip(table[C.GROUP_ID], table[C.GROUP_NO])}

    report = group(copy)  # default: nobody moves
    after = student_table(copy)
    now = {str(i): g for i, g in zip(after[C.GROUP_ID], after[C.GROUP_NO])}
    assert now[sid] == 6
    assert all(now[i] == g for i, g in others.items() if i != sid)
    row = after[after[C.GROUP_ID].astype(str) == sid].iloc[0]
    assert row[C.GROUP_TEAM_NAME] == "第6组" and row[C.GROUP_LOCKED] == "是"
    assert f"  {name}：第2组 → 第6组（手动调整，已锁定）" in report.lines
    assert report.lines[0].startswith("保留现有的 7 个组")
    seats = "\n".join(str(c.value) for row_ in load_workbook(copy)[C.SEATS].iter_rows() for c in row_ if c.value)
    assert name in seats

    report = group(copy, regroup=True, seed=5, effort="fast")
    again = student_table(copy)
    assert again[again[C.GROUP_ID].astype(str) == sid][C.GROUP_NO].iloc[0] == 6
    assert report.lines[0].startswith("重新分组：共 52 人分成 7 组，锁定的 1 人不动")
    moved = [line for line in report.lines if "：第" in line and "组 → 第" in line]
    changed = sum(1 for i, g in zip(again[C.GROUP_ID].astype(str), again[C.GROUP_NO]) if now[i] != g)
    assert len(moved) == changed > 0


def test_a_move_without_a_lock_is_locked_for_the_teacher(copy):
    table = student_table(copy)
    who = table[table[C.GROUP_NO] == 1].iloc[0]
    r = _row_of(copy, str(who[C.GROUP_ID]))
    _edit(copy, C.GROUPS, {f"{col_letter(C.GROUP_COLUMNS.index(C.GROUP_NO) + 1)}{r}": 3})
    group(copy, keep=True)
    members, _ = members_and_culture(copy)
    row = members[members[C.GROUP_ID] == str(who[C.GROUP_ID])].iloc[0]
    assert row[C.GROUP_NO] == 3 and bool(row[C.GROUP_LOCKED])


def test_new_and_removed_students_in_the_roster_are_handled(copy):
    wb = load_workbook(copy)
    ws = wb[C.ROSTER]
    header = [c.value for c in ws[1]]
    gone_id, gone_name = str(ws.cell(2, 1).value), ws.cell(2, 2).value
    ws.delete_rows(2)
    new_row = ws.max_row + 1
    values = {C.ROSTER_ID: "202503099", C.ROSTER_NAME: "新同学", C.ROSTER_GENDER: "女", C.ROSTER_TOTAL: 505,
              C.ROSTER_QUALITY: 4, C.ROSTER_LEADERSHIP: 3}
    for j, h in enumerate(header, start=1):
        if h in values:
            ws.cell(new_row, j, values[h])
    wb.save(copy)
    before = student_table(copy)
    report = group(copy)
    after = student_table(copy)
    ids = set(after[C.GROUP_ID].astype(str))
    assert gone_id not in ids and "202503099" in ids
    g = int(after[after[C.GROUP_ID].astype(str) == "202503099"][C.GROUP_NO].iloc[0])
    sizes = before[before[C.GROUP_ID].astype(str) != gone_id][C.GROUP_NO].value_counts()
    assert sizes[g] == sizes.min()
    assert f"新同学新同学编入第{g}组。" in report.lines
    assert any(line.startswith(f"{gone_name}已不在花名册中，已从分组中删除（原第") for line in report.lines)


def test_culture_fields_and_layer_overrides_typed_by_the_teacher_are_kept(copy):
    table = student_table(copy)
    weakest = table[table[C.GROUP_LAYER] == "D"].iloc[0]
    r = _row_of(copy, str(weakest[C.GROUP_ID]))
    first = C.CULTURE_FIRST_COLUMN
    edits = {
        f"{col_letter(first + 1)}2": "雄鹰队",
        f"{col_letter(first + 2)}2": "互帮互助，按时完成作业",
        f"{col_letter(first + 3)}2": "团结拼搏",
        f"{col_letter(first + 4)}2": "期末全班前三",
        f"{col_letter(first + 5)}2": "王老师",
        f"{col_letter(first + 5)}4": "李老师",
        f"{col_letter(C.GROUP_COLUMNS.index(C.GROUP_LAYER_OVERRIDE) + 1)}{r}": "B",
    }
    _edit(copy, C.GROUPS, edits)
    group(copy)
    _, culture = members_and_culture(copy)
    g1 = culture.set_index(C.GROUP_NO).loc[1]
    assert (g1[C.GROUP_TEAM_NAME], g1[C.CULTURE_MOTTO_RULES], g1[C.CULTURE_MOTTO], g1[C.CULTURE_GOAL], g1[C.CULTURE_MENTOR]) == (
        "雄鹰队", "互帮互助，按时完成作业", "团结拼搏", "期末全班前三", "王老师")
    assert culture.set_index(C.GROUP_NO).at[3, C.CULTURE_MENTOR] == "李老师"
    after = student_table(copy)
    assert set(after[after[C.GROUP_NO] == 1][C.GROUP_TEAM_NAME]) == {"雄鹰队"}
    row = after[after[C.GROUP_ID].astype(str) == str(weakest[C.GROUP_ID])].iloc[0]
    assert (row[C.GROUP_LAYER_OVERRIDE], row[C.GROUP_LAYER]) == ("B", "B")
    assert row[C.GROUP_CODE].startswith("B")
    values = [c.value for row_ in load_workbook(copy)[C.SEATS].iter_rows() for c in row_ if c.value]
    assert "第1组 · 雄鹰队" in values and "导师：王老师" in values and "导师：李老师" in values


# --------------------------------------------------------------------------
# Bad input and unusual classes
# --------------------------------------------------------------------------
def test_a_bad_group_number_is_named_and_nothing_is_written(copy):
    table_before = student_table(copy)
    r = _row_of(copy, str(table_before.iloc[0][C.GROUP_ID]))
    ref = f"{col_letter(C.GROUP_COLUMNS.index(C.GROUP_NO) + 1)}{r}"
    _edit(copy, C.GROUPS, {ref: "三"})
    with pytest.raises(InputError) as err:
        group(copy)
    assert f"分组!{ref}：“三” 组号应为正整数" in str(err.value)
    wb = load_workbook(copy)
    assert wb[C.GROUPS][ref].value == "三"
    assert wb[C.GROUPS][ref].fill.start_color.rgb.endswith(C.COLOR_BAD)
    console = [wb[C.CONSOLE].cell(r_, 3).value for r_ in range(C.CONSOLE_MESSAGES_ROW + 1, wb[C.CONSOLE].max_row + 1)]
    assert console[0] == "没有完成，工作簿未作其他改动："


def test_locks_typed_before_the_first_grouping_keep_the_class_size_group_count(tmp_path):
    """A teacher types 学号, 组号, 锁定=是 for six students into the empty 分组
    and runs 自动分组: 52 students still make 7 groups of 7–8, the six stay
    where they were put (two of them together), everyone else is balanced
    around them."""
    path = tmp_path / "班级.xlsx"
    new_class(path, demo_roster_path())
    roster = roster_table(path)
    ids = list(roster[C.ROSTER_ID])
    pins = {ids[0]: 1, ids[5]: 1, ids[10]: 3, ids[20]: 4, ids[30]: 6, ids[40]: 7}
    no_col = col_letter(C.GROUP_COLUMNS.index(C.GROUP_NO) + 1)
    lock_col = col_letter(C.GROUP_COLUMNS.index(C.GROUP_LOCKED) + 1)
    edits = {}
    for r, (sid, g) in enumerate(pins.items(), start=2):
        edits.update({f"A{r}": sid, f"{no_col}{r}": g, f"{lock_col}{r}": "是"})
    _edit(path, C.GROUPS, edits)

    report = group(path, seed=3)
    table = student_table(path)
    assert sorted(table[C.GROUP_ID].astype(str)) == sorted(ids)
    sizes = table[C.GROUP_NO].value_counts()
    assert sorted(sizes.index) == list(range(1, 8)) and set(sizes) == {7, 8}
    now = dict(zip(table[C.GROUP_ID].astype(str), table[C.GROUP_NO]))
    assert all(now[sid] == g for sid, g in pins.items())
    locked = table[table[C.GROUP_LOCKED] == "是"][C.GROUP_ID].astype(str)
    assert sorted(locked) == sorted(pins)
    assert report.lines[0] == "共 52 人，分成 7 组（每组 7–8 人），锁定的 6 人留在指定的组，随机种子 3。"
    figures = report.data["plan"].figures
    assert figures["D_means"] <= 0.01 and figures["gender"] <= 1
    layers = table.groupby([C.GROUP_NO, C.GROUP_LAYER]).size().unstack(fill_value=0)
    assert ((layers.max() - layers.min()) <= 2).all()
    assert not any("新同学" in line for line in report.lines)


def test_fewer_than_six_students_get_a_message_and_no_groups(tmp_path):
    roster = tmp_path / "名单.csv"
    roster.write_text("学号,姓名,性别,总分\n1,甲,男,500\n2,乙,女,480\n3,丙,男,470\n4,丁,女,460\n5,戊,男,450\n", encoding="utf-8")
    path = tmp_path / "小班.xlsx"
    new_class(path, roster)
    with pytest.raises(InputError, match="只有 5 名学生，至少要 6 人才能分组"):
        group(path)
    members, _ = members_and_culture(path)
    assert len(members) == 0


def test_the_same_seed_gives_the_same_groups_through_the_workbook(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    new_class(a, demo_roster_path())
    shutil.copy(a, b)
    group(a, seed=7, effort="fast")
    group(b, seed=7, effort="fast")
    pd.testing.assert_frame_equal(student_table(a), student_table(b))


# --------------------------------------------------------------------------
# Command line and README
# --------------------------------------------------------------------------
def test_cli_group_command(copy):
    runner = CliRunner()
    result = runner.invoke(app, ["group", str(copy), "--keep"])
    assert result.exit_code == 0, result.output
    assert "保留现有的 7 个组" in result.output and "已写入“分组”和“座位表”。" in result.output
    result = runner.invoke(app, ["group", str(copy), "--regroup", "--keep"])
    assert result.exit_code == 1
    assert "错误：" in result.output and "不能同时使用" in result.output


def test_readme_documents_the_group_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "| `xlzu group CLASS.xlsx [--seed N] [--regroup] [--keep]` | `xlzu.group` |" in readme


def test_demo_groups_the_demo_class_and_prints_each_group(tmp_path):
    from xlzu.demo import demo_group

    path = tmp_path / "示例班级.xlsx"
    new_class(path, demo_roster_path())
    lines: list[str] = []
    demo_group(path, lines.append)
    assert lines[0].startswith("== 自动分组")
    groups = [line for line in lines if re.match(r"  第\d组：[78]人（男\d 女\d，A\d B\d C\d D\d），平均总分 \d+\.\d，标准差 \d+\.\d，大组长 \S+", line)]
    assert len(groups) == 7
    assert len(student_table(path)) == 52
