"""The Excel buttons (xlzu.excel) on xlwings' remote engine.

Each entry point runs the same library operation as the CLI; here the
workbook is a payload made from a real file, and what Excel would show is
rebuilt from the recorded actions (tests/remote.py).  Parity: the live run
writes what the file run writes.  Cost: the number of Excel calls does not
grow with the class.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

import xlzu.excel as X
from remote import assert_same, count, file_state, payload, remote_book, replay, write_roster
from xlzu import contract as C
from xlzu.ops.classbook import import_roster, new_class

MESSY = [
    ["学籍号", " 学生姓名 ", "性别", "总成绩", "学习品质", "组织能力", "备注", "语文", "数学"],
    ["２０２６０００１", "张　三", "男", "５２０", 4, 3, None, 100, 99],
    ["20260002", " 李四", "女", "缺考", "５", None, "转学生", None, 88],
    [20260003, "王五", None, 480.0, 3, 2, None, 90, 80],
    ["20260004", "赵六", "F", 455, 9, 1, None, 85, 70],
    ["20260005", "张　三", "m", 501, 2, 5, None, 95, 91],
]


@pytest.fixture(scope="module")
def pasted(tmp_path_factory) -> Path:
    """A class workbook whose 花名册 holds a roster pasted straight from a
    school export: alias headers, full-width digits, spaces, 缺考, a missing
    and an odd gender, a rating out of range, two students of one name."""
    from xlzu.demo import demo_roster_path

    path = tmp_path_factory.mktemp("pasted") / "班级.xlsx"
    new_class(path, demo_roster_path(), class_name="初二(3)班")
    wb = openpyxl.load_workbook(path)
    ws = wb[C.ROSTER]
    ws.delete_rows(1, ws.max_row)
    ws.data_validations.dataValidation = []
    for row in MESSY:
        ws.append(row)
    wb.save(path)
    return path


def _compare(file_side, live_side) -> None:
    assert_same(file_side, live_side)


def test_import_roster_button_writes_what_the_cli_writes(pasted, tmp_path):
    on_file = tmp_path / "file.xlsx"
    shutil.copy(pasted, on_file)
    file_report = import_roster(on_file)

    data = payload(pasted)
    xl = remote_book(data)
    live_report = X.import_roster(xl)
    assert live_report.lines == file_report.lines
    live = replay(data, xl.json()["actions"], file_state(pasted))
    file_side = file_state(on_file)
    _compare(file_side, live)

    roster = live[C.ROSTER]
    assert roster.values()[0][:4] == [C.ROSTER_ID, C.ROSTER_NAME, C.ROSTER_GENDER, C.ROSTER_TOTAL]
    assert roster.values()[1][:4] == ["20260001", "张三", "男", 520]
    assert roster.fills  # problems flagged in 花名册
    # 缺考, no gender, odd gender, rating 9, two 张三: listed on 控制台, flagged in 花名册;
    # the import itself succeeded, so no message box interrupts the teacher
    assert any("有 5 处需要核对" in line for line in live_report.lines)
    assert len(roster.fills) >= 5
    assert live.alerts == []
    console = live[C.CONSOLE]
    assert console.cell(f"B{C.CONSOLE_MESSAGES_ROW + 1}") == "导入花名册"


def test_a_bad_paste_is_refused_with_an_alert_and_the_same_console_text(pasted, tmp_path):
    wb = openpyxl.load_workbook(pasted)
    wb[C.ROSTER]["A3"] = "20260001"  # a duplicate 学号
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    on_file = tmp_path / "file.xlsx"
    shutil.copy(bad, on_file)
    with pytest.raises(Exception, match="重复的学号"):
        import_roster(on_file)

    data = payload(bad)
    xl = remote_book(data)
    assert X.import_roster(xl) is None
    actions = xl.json()["actions"]
    live = replay(data, actions, file_state(bad))
    _compare(file_state(on_file), live)
    ((title, message),) = live.alerts
    assert title == "导入花名册：没有完成"
    assert "重复的学号" in message and "与第2行" in message and "Traceback" not in message
    roster_position = live.sheet_names.index(C.ROSTER)
    on_roster = [a for a in actions if a["sheet_position"] == roster_position]
    assert [a["func"] for a in on_roster] == ["setRangeColors"]  # only the two clashing 学号 cells are marked
    assert openpyxl.load_workbook(on_file)[C.ROSTER]["A3"].fill.fgColor.rgb[-6:] == C.COLOR_BAD


def test_a_bug_becomes_a_plain_message_unless_debug_is_on(pasted, monkeypatch):
    import xlzu.ops.classbook as classbook

    def broken(target, source=None):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(classbook, "import_roster", broken)
    data = payload(pasted)
    xl = remote_book(data)
    monkeypatch.delenv(X.DEBUG_ENV, raising=False)
    assert X.import_roster(xl) is None
    live = replay(data, xl.json()["actions"])
    ((title, message),) = live.alerts
    assert message.startswith("程序出错（ZeroDivisionError: division by zero）")
    assert "Traceback" not in message and "File \"" not in message
    console = live[C.CONSOLE]
    assert console.cell(f"C{C.CONSOLE_MESSAGES_ROW + 1}") == "没有完成："
    assert console.cell(f"C{C.CONSOLE_MESSAGES_ROW + 2}").startswith("程序出错")

    monkeypatch.setenv(X.DEBUG_ENV, "1")
    with pytest.raises(ZeroDivisionError):
        X.import_roster(remote_book(data))


def test_a_button_whose_operation_this_installation_lacks_says_so(pasted, monkeypatch):
    import xlzu.ops.summary as summary

    monkeypatch.delattr(summary, "week")  # as if xlzu were older than the workbook's buttons
    monkeypatch.delenv(X.DEBUG_ENV, raising=False)
    data = payload(pasted)
    xl = remote_book(data)
    assert X.weekly_summary(xl) is None
    ((title, message),) = replay(data, xl.json()["actions"]).alerts
    assert title == "一键周汇总：没有完成"
    assert message == "这个版本的 xlzu 还没有“一键周汇总”功能。请安装新版本的 xlzu（在新版本的源代码文件夹里运行 pip install .，或 pip install 新的 .whl 文件）"


def test_without_a_book_the_button_takes_the_calling_workbook(pasted, monkeypatch):
    import xlwings as xw

    data = payload(pasted)
    xl = remote_book(data)
    monkeypatch.setattr(xw.Book, "caller", classmethod(lambda cls: xl))
    report = X.import_roster()
    assert report is not None and report.title == "导入花名册"
    assert count(xl.json()["actions"])["setValues"] >= 2


@pytest.mark.parametrize("button", C.BUTTONS, ids=lambda b: b.function)
def test_every_button_ends_with_a_report_or_a_chinese_message(pasted, button, monkeypatch):
    monkeypatch.delenv(X.DEBUG_ENV, raising=False)
    data = payload(pasted)
    xl = remote_book(data)
    report = getattr(X, button.function)(xl)
    live = replay(data, xl.json()["actions"])
    console = live[C.CONSOLE]
    assert console.cell(f"B{C.CONSOLE_MESSAGES_ROW + 1}") in (button.caption, report.title if report else None)
    if report is None:
        ((title, message),) = live.alerts
        assert title == f"{button.caption}：没有完成" and "Traceback" not in message
        assert console.cell(f"C{C.CONSOLE_MESSAGES_ROW + 1}").startswith("没有完成")


def _live_import_actions(tmp_path: Path, n: int) -> list[dict]:
    path = tmp_path / f"c{n}.xlsx"
    new_class(path, write_roster(tmp_path / f"r{n}.csv", n), class_name="初二(3)班")
    xl = remote_book(payload(path))
    report = X.import_roster(xl)
    assert report is not None and len(report.data["roster"]) == n
    return xl.json()["actions"]


def test_import_roster_costs_the_same_for_40_and_80_students(tmp_path):
    forty = _live_import_actions(tmp_path, 40)
    eighty = _live_import_actions(tmp_path, 80)
    assert count(forty) == count(eighty)
    assert count(forty)["setValues"] == 2  # 花名册 in one call, 控制台 in one call
    assert len(forty) <= 90, (len(forty), count(forty))  # 86: each style region also names its face


def test_file_work_never_imports_xlwings(tmp_path):
    code = (
        "import sys, xlzu, xlzu.cli, xlzu.excel, xlzu.template, xlzu.book;"
        "from xlzu.ops.classbook import new_class;"
        "from xlzu.demo import demo_roster_path;"
        f"new_class(r'{tmp_path / 'x.xlsm'}', demo_roster_path());"
        "assert 'xlwings' not in sys.modules, 'xlwings imported'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parents[1])
    assert done.returncode == 0, done.stderr


def test_a_run_that_flags_cells_says_so_in_a_message_box(pasted):
    from xlzu.errors import CellProblem
    from xlzu.ops.common import Report, run

    def flag_two(book):
        return Report("保存日表", ["已保存。"], problems=[CellProblem(C.ROSTER, "D3", "缺考", "应为分数"),
                                                         CellProblem(C.ROSTER, "C4", None, "没有性别")])

    data = payload(pasted)
    xl = remote_book(data)
    report = X.press("save_daily", lambda live: run("保存日表", live, flag_two), xl)
    live = replay(data, xl.json()["actions"], file_state(pasted))
    assert report.title == "保存日表"
    assert live.alerts == [("保存日表", "“保存日表”已完成，但有 2 处需要核对（已标成红色），详见“控制台”。")]
    assert live[C.ROSTER].fill("D3") == C.COLOR_BAD and live[C.ROSTER].fill("C4") == C.COLOR_BAD
    assert live.names[C.MARKS_NAME] == "花名册!D3;花名册!C4"
