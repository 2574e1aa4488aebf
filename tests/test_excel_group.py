"""The grouping buttons (自动分组, 重排职务座位) on xlwings' remote engine.

As for the other buttons (test_excel.py, test_excel_daily.py): the workbook
is a payload made from a real file, the button runs ``xlzu.group`` through
the live backend, and what Excel would show is rebuilt from the recorded
actions (tests/remote.py).  Parity: the live run writes what the file run
writes.  Cost: the number of Excel calls depends on the number of groups,
not on the number of students.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from openpyxl import load_workbook

import xlzu.excel as X
from remote import assert_same, count, file_state, payload, remote_book, replay, write_roster
from xlzu import contract as C
from xlzu import group, new_class
from xlzu.demo import demo_roster_path
from xlzu.layout import col_letter
from xlzu.settings import DEFAULT


def _live(path: Path, button):
    data = payload(path)
    xl = remote_book(data)
    report = button(xl)
    actions = xl.json()["actions"]
    return report, replay(data, actions, file_state(path)), actions


def test_auto_group_button_writes_what_the_cli_writes(tmp_path):
    path = tmp_path / "班级.xlsx"
    new_class(path, demo_roster_path(), class_name="初二(3)班")
    on_file = tmp_path / "file.xlsx"
    shutil.copy(path, on_file)
    file_report = group(on_file)
    live_report, live, _ = _live(path, X.auto_group)
    assert live_report.lines == file_report.lines
    assert live_report.lines[0] == "共 52 人，分成 7 组（每组 7–8 人），随机种子 0。"
    assert_same(file_state(on_file), live)


def test_reassign_roles_button_keeps_a_manual_move(tmp_path):
    path = tmp_path / "班级.xlsx"
    new_class(path, demo_roster_path(), class_name="初二(3)班")
    group(path, effort="fast")
    wb = load_workbook(path)
    ws = wb[C.GROUPS]
    no_col = C.GROUP_COLUMNS.index(C.GROUP_NO) + 1
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, no_col).value == 1)
    name = ws.cell(row, 2).value
    ws[f"{col_letter(no_col)}{row}"] = 4
    wb.save(path)
    on_file = tmp_path / "file.xlsx"
    shutil.copy(path, on_file)
    file_report = group(on_file, keep=True)
    live_report, live, _ = _live(path, X.reassign_roles)
    assert live_report.lines == file_report.lines
    assert f"  {name}：第1组 → 第4组（手动调整，已锁定）" in live_report.lines
    assert_same(file_state(on_file), live)


def _calls(tmp_path: Path, n: int, size: int) -> int:
    path = tmp_path / f"c{n}.xlsx"
    new_class(path, write_roster(tmp_path / f"r{n}.csv", n), class_name="初二(3)班",
              settings=DEFAULT.with_changes(group_size=size))
    report, _, actions = _live(path, lambda xl: X.auto_group(xl))
    assert report is not None
    return sum(count(actions).values())


def test_the_cost_depends_on_the_groups_not_the_students(tmp_path):
    six_of_seven = _calls(tmp_path, 42, 7)
    six_of_eight = _calls(tmp_path, 48, 8)
    ten_of_eight = _calls(tmp_path, 80, 8)
    # Groups of 7 seat their odd member in a three-seat row, drawn taller:
    # those rows cost a few row-height calls more than groups of 8.
    assert 0 <= six_of_seven - six_of_eight <= 4
    assert ten_of_eight - six_of_eight <= 4 * 40  # a bounded number of calls per group
