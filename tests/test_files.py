"""The file backend: atomic saves with a backup, refusing open workbooks, and
workbooks that read back the same through openpyxl and pandas."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from xlzu import contract as C
from xlzu import import_roster
from xlzu.book import FileBook, backups, latest_backup, open_book, safety
from xlzu.errors import CellProblem, FolderReadOnly, NotAClassWorkbook, WorkbookLocked, WorkbookNotFound, XlzuError
from xlzu.layout import Layout, PrintSetup, Validation, table_layout


def roster_names(path: Path) -> list[str]:
    return list(pd.read_excel(path, sheet_name=C.ROSTER)[C.ROSTER_NAME])


def test_save_is_atomic_and_keeps_dated_backups(class_book):
    first = class_book.read_bytes()
    book = open_book(class_book)
    book.write_layout(C.SEATS, Layout(rows=[["第一次修改"]]))
    book.save()
    second = class_book.read_bytes()
    assert latest_backup(class_book).read_bytes() == first
    assert openpyxl.load_workbook(class_book)[C.SEATS]["A1"].value == "第一次修改"

    book = open_book(class_book)
    book.write_layout(C.SEATS, Layout(rows=[["第二次修改"]]))
    book.save()
    found = backups(class_book)
    assert [p.read_bytes() for p in found[-2:]] == [first, second]  # oldest first, both kept
    assert found[-1].parent == class_book.parent / "xlzu备份"
    assert re.fullmatch(r"班级 \d{4}-\d\d-\d\d \d{6}(-\d+)?\.xlsx", found[-1].name)
    leftovers = [p.name for p in class_book.parent.rglob("*") if "tmp" in p.name or "lock" in p.name]
    assert leftovers == []


def test_only_the_last_backups_are_kept(class_book):
    from xlzu.book.safety import KEEP_BACKUPS

    saved = []
    for i in range(KEEP_BACKUPS + 3):
        book = open_book(class_book)
        book.write_layout(C.SEATS, Layout(rows=[[f"第{i}次"]]))
        saved.append(class_book.read_bytes())
        book.save()
    found = backups(class_book)
    assert len(found) == KEEP_BACKUPS
    assert [p.read_bytes() for p in found] == saved[-KEEP_BACKUPS:]  # the newest, in order


def test_a_failed_write_leaves_the_file_as_it_was(class_book, monkeypatch):
    before = class_book.read_bytes()
    book = open_book(class_book)
    book.write_layout(C.SEATS, Layout(rows=[["不该出现"]]))

    def broken_save(path):
        Path(path).write_bytes(b"half a workbook")
        raise OSError("disk full")

    monkeypatch.setattr(book, "_write_to", broken_save)  # the bytes of the workbook (openpyxl + spliced tables)
    with pytest.raises(OSError):
        book.save()
    assert class_book.read_bytes() == before
    assert [p.name for p in class_book.parent.iterdir() if "tmp" in p.name] == []


@pytest.mark.parametrize("lock", ["~$班级.xlsx", ".~lock.班级.xlsx#"])
def test_an_open_workbook_is_refused_and_untouched(class_book, lock):
    before = class_book.read_bytes()
    (class_book.parent / lock).write_text("owner")
    with pytest.raises(WorkbookLocked) as info:
        import_roster(class_book)
    assert "请先关闭工作簿" in str(info.value)
    assert class_book.read_bytes() == before
    assert backups(class_book) == []


def test_a_replace_refused_by_the_system_is_reported_as_locked(class_book, monkeypatch):
    """On Windows Excel holds the file: os.replace raises PermissionError."""
    before = class_book.read_bytes()

    def refuse(src, dst):
        raise PermissionError(13, "in use")

    monkeypatch.setattr(os, "replace", refuse)
    monkeypatch.setattr(safety, "_WINDOWS", True)
    book = open_book(class_book)
    with pytest.raises(WorkbookLocked, match="请先关闭工作簿"):
        book.save()
    # The same refusal on Linux/macOS means the folder does not allow writing.
    monkeypatch.setattr(safety, "_WINDOWS", False)
    with pytest.raises(FolderReadOnly, match="不允许写入"):
        book.save()
    assert class_book.read_bytes() == before
    assert [p.name for p in class_book.parent.iterdir() if "tmp" in p.name] == []


def test_opening_what_is_not_a_class_workbook(tmp_path):
    with pytest.raises(WorkbookNotFound, match="找不到"):
        open_book(tmp_path / "没有.xlsx")
    other = tmp_path / "别的.xlsx"
    openpyxl.Workbook().save(other)
    with pytest.raises(NotAClassWorkbook, match="设置"):
        open_book(other)
    text = tmp_path / "名单.csv"
    text.write_text("a,b")
    with pytest.raises(XlzuError, match="不是 .xlsx 或 .xlsm 工作簿"):
        open_book(text)


def _openpyxl_values(ws) -> list[list]:
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    return rows


def _same(a, b) -> bool:
    if a is None or (isinstance(a, float) and pd.isna(a)):
        return b is None or (isinstance(b, float) and pd.isna(b)) or b is pd.NaT
    if isinstance(a, dt.datetime) or isinstance(b, pd.Timestamp):
        return pd.Timestamp(a) == pd.Timestamp(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    return str(a) == str(b)


@pytest.mark.parametrize("which", ["new class", "demo after the whole cycle"])
def test_openpyxl_and_pandas_read_the_same_values(which, class_book, demo_run):
    """Every sheet of a written workbook reads back identically with two readers."""
    path = class_book if which == "new class" else demo_run[0] / "示例班级.xlsx"
    wb = openpyxl.load_workbook(path, data_only=True)  # what pandas reads: cached results, not formulas
    sheets = wb.sheetnames
    frames = pd.read_excel(path, sheet_name=None, header=None, dtype=object)
    assert set(frames) == set(sheets)
    for sheet in sheets:
        ours = _openpyxl_values(wb[sheet])
        theirs = frames[sheet].astype(object).values.tolist()
        width = max([len(r) for r in ours] + [len(r) for r in theirs] + [0])
        ours = [r + [None] * (width - len(r)) for r in ours]
        theirs = [r + [None] * (width - len(r)) for r in theirs]
        # pandas drops leading empty rows/cols only when the sheet is empty
        assert len(ours) == len(theirs), sheet
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert all(_same(x, y) for x, y in zip(a, b)), (sheet, i, a, b)


def test_layout_features_survive_a_round_trip(tmp_path):
    book = FileBook.create(tmp_path / "t.xlsx")
    df = pd.DataFrame({"学号": ["001", "002"], "姓名": ["甲", "乙"], "分数": [3.5, 4.0],
                       "日期": [pd.Timestamp("2026-11-24"), pd.Timestamp("2026-11-25")]})
    layout = table_layout(
        df, title="测试表", column_styles={"学号": "id", "日期": "date"},
        validations=[("分数", Validation("", "decimal", minimum=0, maximum=5, error="0–5"))],
        highlights=[(1, "姓名")],
        print_setup=PrintSetup(orientation="landscape", title_rows="1:2"),
    )
    book.write_layout(C.SETTINGS, layout)
    book.write_layout(C.FORM_GROUP, Layout(rows=[["x"]]), hidden=True)
    book.save()
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    ws = wb[C.SETTINGS]
    assert ws["A1"].value == "测试表" and "A1:D1" in {str(r) for r in ws.merged_cells.ranges}
    assert [c.value for c in ws[2]] == ["学号", "姓名", "分数", "日期"]
    assert ws["A3"].value == "001" and ws["A3"].number_format == "@"
    assert ws["D4"].value == dt.datetime(2026, 11, 25) and ws["D4"].number_format == "yyyy-mm-dd"
    assert ws["B4"].fill.fgColor.rgb[-6:] == C.COLOR_BAD
    assert ws.freeze_panes == "A3"
    (dv,) = ws.data_validations.dataValidation
    assert str(dv.sqref).startswith("C3:C") and dv.formula2 == "5"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == "$1:$2"
    assert wb[C.FORM_GROUP].sheet_state == "hidden"
    assert ws.views.sheetView[0].tabSelected


def test_write_below_keeps_what_is_above(class_book):
    book = open_book(class_book)
    book.log("测试", ["第一行", "第二行", "第三行"])
    book.log("再测", ["只有一行"])
    book.save()
    ws = openpyxl.load_workbook(class_book)[C.CONSOLE]
    top = C.CONSOLE_MESSAGES_ROW
    rows = [[c.value for c in r[:3]] for r in ws.iter_rows(min_row=top + 1, max_row=ws.max_row)]
    rows = [r for r in rows if any(r)]
    # The newest run first, the one before kept under it.
    assert [r[1:] for r in rows[:4]] == [["再测", "只有一行"], ["测试", "第一行"], [None, "第二行"], [None, "第三行"]]
    assert ws["A1"].value.endswith("控制台")  # the top part is kept


def test_the_console_keeps_the_recent_runs(class_book):
    book = open_book(class_book)
    for k in range(C.CONSOLE_RUNS + 3):
        book.log(f"第{k}次", [f"消息{k}", "第二行"])
    book.save()
    from xlzu.book.base import earlier_runs

    runs = earlier_runs(open_book(class_book).read_values(C.CONSOLE))
    n = C.CONSOLE_RUNS + 3
    assert [run[0][1] for run in runs] == [f"第{k}次" for k in range(n - 1, n - 1 - C.CONSOLE_RUNS, -1)]
    assert all(len(run) == 2 for run in runs)


def test_marks_are_cleared_exactly(class_book):
    book = open_book(class_book)
    book.highlight(C.ROSTER, ["H2"], color="00B050")  # the teacher's own colour elsewhere
    book.mark([CellProblem(C.ROSTER, "D3", 1, "x"), CellProblem(C.ROSTER, "E4:E5", 1, "y")])
    book.save()
    book = open_book(class_book)
    assert book.get_marks() == [(C.ROSTER, "D3"), (C.ROSTER, "E4:E5")]
    book.unmark(book.get_marks())
    book.save()
    ws = openpyxl.load_workbook(class_book)[C.ROSTER]
    assert ws["D3"].fill.fill_type is None and ws["E5"].fill.fill_type is None
    assert ws["H2"].fill.fgColor.rgb[-6:] == "00B050"
    assert open_book(class_book).get_marks() == []


def test_file_work_never_imports_xlwings(tmp_path, demo_roster):
    """xlwings is for live Excel only: making and changing files must not need it."""
    import subprocess
    import sys

    code = (
        "import sys; from xlzu import new_class, import_roster; "
        f"new_class(r'{tmp_path / 'c.xlsx'}', r'{demo_roster}'); import_roster(r'{tmp_path / 'c.xlsx'}'); "
        "import xlzu.cli; print('xlwings' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_many_marks_fit_in_excel_limits(class_book):
    """Excel refuses string literals over 255 characters in a defined name."""
    book = open_book(class_book)
    problems = [CellProblem(C.ROSTER, f"D{r}", None, "x") for r in range(2, 120)]
    book.mark(problems)
    book.save()
    wb = openpyxl.load_workbook(class_book)
    formula = wb.defined_names[C.MARKS_NAME].attr_text
    pieces = formula.split("&")
    assert len(pieces) > 1 and all(len(p) <= 255 + 2 for p in pieces)
    assert open_book(class_book).get_marks() == [(C.ROSTER, f"D{r}") for r in range(2, 120)]


def test_a_style_laid_over_keeps_what_it_does_not_set(tmp_path):
    """Style fields left None keep the cell's own: a highlight row over a
    centred, bordered column keeps the centring and the border."""
    book = FileBook.create(tmp_path / "t.xlsx")
    layout = Layout(rows=[["甲", 14]])
    layout.style("A1:B1", "number")
    layout.style("A1:B1", "star")  # bold + fill only
    book.write_layout(C.SETTINGS, layout)
    book.save()
    cell = openpyxl.load_workbook(tmp_path / "t.xlsx")[C.SETTINGS]["B1"]
    assert cell.font.b and cell.fill.fgColor.rgb[-6:] == C.COLOR_STAR
    assert cell.alignment.horizontal == "center" and cell.border.left.style == "thin"
    assert cell.number_format == "General"  # "0.##" would show 14 as "14." in Excel
