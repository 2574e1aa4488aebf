"""Roster import (花名册): what a school system exports, and what the teacher sees."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from xlzu import contract as C
from xlzu import import_roster, new_class
from xlzu.cli import app
from xlzu.errors import RosterError

# What a school system exports: a title row, other header names, full-width
# digits and letters, stray spaces, a duplicate name, a row without gender,
# a "缺考" total, an unused column and a 合计 footer.
MESSY = [
    ["初二(3)班学生名单（2026学年第一学期）"],
    ["学籍号", "学生姓名", "性 别", "总成绩", "学习品质", "组织能力", "家庭住址", "语文成绩", "数学"],
    ["2025030０1", " 王 小明 ", "男", "５８０", "优", "4", "竹市镇", "１０５", "110"],
    ["202503002", "李华", "女", "612.5", "5", "", "竹市镇", "112", "116"],
    ["202503003", "张伟", "Ｍ", "缺考", "3", "3", "", "", ""],
    ["202503004", "李华", "女生", "498", "4", "2", "", "95", "88"],
    ["202503005", "赵  敏", "", "455", "", "5", "", "90", "70"],
    ["202503006", "陈晨", "女", "  530 ", "六", "1", "", "100", "98"],
    ["202503007", "刘洋", "男", "520", "2", "", "", "", ""],
    ["合计", "", "", "3215.5"],
]


def write_xlsx(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "学生名单"
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "gb18030") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows(rows)
    return path


@pytest.fixture
def messy_xlsx(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "名单.xlsx", MESSY)


def roster_sheet(path: Path) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name=C.ROSTER, dtype={C.ROSTER_ID: str})


def console_text(path: Path) -> str:
    ws = openpyxl.load_workbook(path)[C.CONSOLE]
    return "\n".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None)


def test_messy_export_keeps_every_student_and_normalises(tmp_path, messy_xlsx):
    book = tmp_path / "班级.xlsx"
    report = new_class(book, messy_xlsx, class_name="初二(3)班")
    df = roster_sheet(book)
    # every student of rows 3-9 is kept (7), the 合计 footer is not a student
    assert list(df[C.ROSTER_ID]) == [f"20250300{i}" for i in range(1, 8)]
    assert list(df[C.ROSTER_NAME]) == ["王小明", "李华", "张伟", "李华", "赵敏", "陈晨", "刘洋"]
    assert list(df[C.ROSTER_GENDER].fillna("")) == ["男", "女", "男", "女", "", "女", "男"]
    assert df[C.ROSTER_TOTAL].tolist()[:2] == [580, 612.5]
    assert pd.isna(df.loc[2, C.ROSTER_TOTAL])  # 缺考 left blank
    assert df.loc[5, C.ROSTER_TOTAL] == 530  # stray spaces stripped
    assert df.loc[0, C.ROSTER_QUALITY] == 5  # 优 → 5
    assert pd.isna(df.loc[5, C.ROSTER_QUALITY])  # 六 is not a 1–5 rating
    assert df.loc[0, "语文"] == 105 and df.loc[0, "数学"] == 110  # 语文成绩 → 语文, full width
    assert "家庭住址" not in df.columns
    # reported by source row and cell, with the reason, on the console and on 控制台
    text = report.text()
    shown = console_text(book)
    for expected in ("名单.xlsx 第5行 D5：“缺考” （总分）缺考", "名单.xlsx 第7行 C7：（性别）没有填写",
                     "名单.xlsx 第4行 B4：“李华” 与第6行同名", "名单.xlsx 第6行 B6：“李华” 与第4行同名",
                     "名单.xlsx 第8行 E8：“六” （学习品质）应为 1–5 的整数", "第10行是合计"):
        assert expected in text, expected
        assert expected in shown, expected
    assert "“学生姓名”→姓名" in text and "“学籍号”→学号" in text and "“总成绩”→总分" in text
    assert "家庭住址" in text  # unused column named


def test_problem_cells_are_highlighted_in_the_roster(tmp_path, messy_xlsx):
    book = tmp_path / "班级.xlsx"
    new_class(book, messy_xlsx)
    ws = openpyxl.load_workbook(book)[C.ROSTER]
    header = [c.value for c in ws[1]]

    def fill(row: int, column: str) -> str:
        return ws.cell(row, header.index(column) + 1).fill.fgColor.rgb[-6:]

    assert fill(4, C.ROSTER_TOTAL) == C.COLOR_BAD  # 张伟 缺考
    assert fill(6, C.ROSTER_GENDER) == C.COLOR_BAD  # 赵敏 no gender
    assert fill(3, C.ROSTER_NAME) == C.COLOR_BAD and fill(5, C.ROSTER_NAME) == C.COLOR_BAD  # 李华 twice
    assert fill(2, C.ROSTER_TOTAL) != C.COLOR_BAD  # a clean cell stays clean


def test_roster_has_data_validation(class_book):
    ws = openpyxl.load_workbook(class_book)[C.ROSTER]
    header = [c.value for c in ws[1]]
    rules = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            rules[header[rng.min_col - 1]] = dv
    gender = rules[C.ROSTER_GENDER]
    assert gender.type == "list" and gender.formula1 == '"男,女"' and gender.showErrorMessage
    assert rules[C.ROSTER_TOTAL].type == "decimal" and rules[C.ROSTER_TOTAL].formula1 == "0"
    assert (rules[C.ROSTER_QUALITY].type, rules[C.ROSTER_QUALITY].formula1, rules[C.ROSTER_QUALITY].formula2) == ("whole", "1", "5")
    assert rules["数学"].type == "decimal"
    n = len(pd.read_excel(class_book, sheet_name=C.ROSTER))
    (gender_range,) = gender.sqref.ranges
    assert gender_range.min_row == 2 and gender_range.max_row >= n + 1  # covers every student and spare rows


def test_duplicate_id_writes_nothing(tmp_path):
    rows = [r[:] for r in MESSY]
    rows[4][0] = "202503001"  # 张伟 gets 王小明's 学号
    source = write_xlsx(tmp_path / "名单.xlsx", rows)
    book = tmp_path / "班级.xlsx"
    with pytest.raises(RosterError) as info:
        new_class(book, source)
    assert "名单.xlsx 第5行 A5：“202503001” （学号）与第3行（王小明）重复" in info.value.text()
    assert not book.exists()
    assert not list(tmp_path.glob(".*tmp*"))


def test_duplicate_id_on_reimport_leaves_the_workbook_untouched(class_book, tmp_path):
    rows = [r[:] for r in MESSY]
    rows[4][0] = "202503001"
    source = write_xlsx(tmp_path / "新名单.xlsx", rows)
    before = class_book.read_bytes()
    with pytest.raises(RosterError):
        import_roster(class_book, source)
    assert class_book.read_bytes() == before


def test_gbk_csv_export(tmp_path):
    source = write_csv(tmp_path / "名单.csv", MESSY[1:], encoding="gb18030")
    book = tmp_path / "班级.xlsx"
    report = new_class(book, source)
    df = roster_sheet(book)
    assert len(df) == 7 and df.loc[0, C.ROSTER_NAME] == "王小明"
    assert "名单.csv 第4行 D4：“缺考”" in report.text()  # 张伟 缺考: header is row 1 in this file


def test_xls_export(tmp_path, soffice):
    """Old school systems export .xls; LibreOffice makes a real one here."""
    from xlzu.pdf import convert

    src = tmp_path / "src"
    src.mkdir()
    xlsx = write_xlsx(src / "名单.xlsx", MESSY)
    xls = convert(xlsx, "xls", tmp_path)
    assert xls.suffix == ".xls"
    book = tmp_path / "班级.xlsx"
    report = new_class(book, xls)
    df = roster_sheet(book)
    assert list(df[C.ROSTER_NAME]) == ["王小明", "李华", "张伟", "李华", "赵敏", "陈晨", "刘洋"]
    assert "名单.xls 第5行 D5：“缺考”" in report.text()


def test_missing_optional_columns_and_ids(tmp_path):
    rows = [["姓名", "性别"], ["甲", "男"], ["乙", "女"], ["丙", "男"]]
    book = tmp_path / "班级.xlsx"
    report = new_class(book, write_xlsx(tmp_path / "名单.xlsx", rows))
    df = roster_sheet(book)
    assert list(df[C.ROSTER_ID]) == ["01", "02", "03"]
    assert df[C.ROSTER_TOTAL].isna().all()
    assert "没有学号列" in report.text() and "没有总分列" in report.text()


def test_no_name_column_is_refused(tmp_path):
    rows = [["学号", "成绩"], ["1", "90"]]
    with pytest.raises(RosterError, match="姓名"):
        new_class(tmp_path / "班级.xlsx", write_xlsx(tmp_path / "名单.xlsx", rows))


def test_pasted_roster_is_cleaned_in_place(class_book):
    """导入花名册 with no file tidies what the teacher pasted into 花名册."""
    wb = openpyxl.load_workbook(class_book)
    ws = wb[C.ROSTER]
    ws.cell(2, 2).value = " 韩 琪雅 "
    ws.cell(2, 3).value = "Ｆ"
    ws.cell(2, 4).value = "６２４"
    ws.cell(3, 3).value = "X"  # a gender it cannot read: named by its 花名册 cell
    wb.save(class_book)
    report = import_roster(class_book)
    df = roster_sheet(class_book)
    assert (df.loc[0, C.ROSTER_NAME], df.loc[0, C.ROSTER_GENDER], df.loc[0, C.ROSTER_TOTAL]) == ("韩琪雅", "女", 624)
    assert "52 名学生" in report.text()
    assert "花名册!C3：“X” （性别）应为 男 或 女" in report.text()
    assert "花名册!C3：“X” （性别）应为 男 或 女" in console_text(class_book)


def test_cli_new_reports_and_refuses_duplicates(tmp_path, messy_xlsx):
    runner = CliRunner()
    book = tmp_path / "班级.xlsx"
    result = runner.invoke(app, ["new", str(book), "--roster", str(messy_xlsx), "--class-name", "初二(3)班"])
    assert result.exit_code == 0, result.output
    assert "导入 7 名学生" in result.output and "名单.xlsx 第5行 D5" in result.output
    again = runner.invoke(app, ["new", str(book), "--roster", str(messy_xlsx)])
    assert again.exit_code == 1 and "已经存在" in again.output and "Traceback" not in again.output
    rows = [r[:] for r in MESSY]
    rows[4][0] = "202503001"
    dup = write_xlsx(tmp_path / "dup.xlsx", rows)
    result = runner.invoke(app, ["new", str(tmp_path / "other.xlsx"), "--roster", str(dup)])
    assert result.exit_code == 1 and "学号" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "other.xlsx").exists()


def test_console_script_runs(tmp_path, demo_roster):
    """The installed entry point (python -m xlzu) works end to end."""
    import sys

    book = tmp_path / "c.xlsx"
    done = subprocess.run([sys.executable, "-m", "xlzu", "new", str(book), "--roster", str(demo_roster)],
                          capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stderr
    assert "52 名学生" in done.stdout
