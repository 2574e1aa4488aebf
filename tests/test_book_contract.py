"""One contract, two backends.

Every test here runs on the file backend (FileBook on a real .xlsx, saved and
read back with openpyxl) and on the live backend (LiveBook on xlwings'
remote engine, fed the same workbook as a payload; what Excel would show is
rebuilt from the recorded actions, see ``tests/remote.py``).  What an engine
cannot do is skipped by name (:data:`CANNOT`).
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

from remote import file_state, normalize, payload, remote_book, replay
from xlzu import contract as C
from xlzu.book.base import Book
from xlzu.book.files import FileBook
from xlzu.errors import CellProblem, SheetMissing
from xlzu.forms import form_layout
from xlzu.layout import ChartSpec, Formula, Layout, PrintSetup, Validation, placeholder_layout

#: (backend, capability) → why it is skipped there.
CANNOT = {
    ("live", "page_setup"): "the remote engine records only the print area (desktop Excel gets the rest through COM)",
    ("live", "validation_messages"): "xlwings has no engine-neutral call for validation prompts (COM only)",
    ("live", "autofilter"): "xlwings' remote engine has no autofilter on plain ranges (COM only)",
    ("live", "page_breaks"): "xlwings' remote engine has no manual page breaks (COM only: HPageBreaks.Add)",
    ("file", "alert"): "a file has no screen",
}


class Harness:
    """A backend's Book on a copy of the same workbook, and what a teacher
    would see after the test's calls."""

    def __init__(self, kind: str, path: Path, data: dict):
        self.kind = kind
        self.path = path
        self.data = data
        if kind == "file":
            self.book: Book = FileBook.open(path)
        else:
            from xlzu.book.live import LiveBook

            self.xl = remote_book(data)
            self.book = LiveBook.from_caller(self.xl)

    def requires(self, capability: str) -> None:
        why = CANNOT.get((self.kind, capability))
        if why:
            pytest.skip(f"{self.kind} backend: {why}")

    def actions(self) -> list[dict]:
        return self.xl.json()["actions"] if self.kind == "live" else []

    def state(self):
        if self.kind == "file":
            self.book.save()
            return file_state(self.path)
        return replay(self.data, self.actions())


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    from xlzu import new_class
    from xlzu.demo import demo_roster_path

    path = tmp_path_factory.mktemp("contract") / "班级.xlsx"
    new_class(path, demo_roster_path(), class_name="初二(3)班")
    return path


@pytest.fixture(scope="module")
def base_payload(base) -> dict:
    return payload(base)


@pytest.fixture(params=["file", "live"])
def h(request, base, base_payload, tmp_path) -> Harness:
    path = tmp_path / base.name
    shutil.copy(base, path)
    return Harness(request.param, path, base_payload)


def sample_layout() -> Layout:
    layout = Layout(rows=[
        ["标题", None, None, None],
        ["学号", "日期", "分数", "备注"],
        ["0012", datetime(2026, 11, 24), 3, "好"],
        ["0013", date(2026, 11, 25), 2.5, None],
        [None, None, True, "=C3+C4"],
    ])
    layout.merges.append("A1:D1")
    layout.style("A1:D1", "title")
    layout.style("A2:D2", "header")
    layout.style("A3:A5", "id")
    layout.style("B3:B5", "date")
    layout.style("C3:C5", "number")
    layout.style("D3:D5", "note")
    layout.style("C4", "bad")
    layout.validations += [
        Validation("C3:C10", "decimal", minimum=-3, maximum=3, prompt="−3…3", error="超出范围"),
        Validation("A3:A10", "list", values=("A", "B", "C")),
        Validation("B3:B10", "whole", minimum=1),
        Validation("D3:D10", "custom", formula="LEN(D3)<20"),
    ]
    layout.widths = {1: 10, 2: 14, 3: 14, 4: 30}
    layout.heights = {1: 28}
    layout.freeze = "A3"
    layout.print = PrintSetup(orientation="landscape", title_rows="1:2")
    return layout


# --------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------
def test_kind_name_and_sheets_in_contract_order(h):
    assert h.book.kind == h.kind
    assert h.book.name == "班级.xlsx"
    assert h.book.sheet_names() == C.workbook_sheets(0)


def test_read_values_is_the_sheet_from_a1(h, base):
    expected = file_state(base)[C.SETTINGS].values()
    got = [[normalize(v) for v in row] for row in h.book.read_values(C.SETTINGS)]
    width = max(len(r) for r in expected)
    got = [row + [None] * (width - len(row)) for row in got]
    while got and all(v is None for v in got[-1]):
        got.pop()
    assert got == expected
    assert h.book.read_values(C.WEEK_GROUPS)[0][0] == C.WEEK_GROUPS  # a placeholder sheet


def test_read_table_gives_raw_values_and_excel_rows(h):
    roster = h.book.read_table(C.ROSTER)
    assert list(roster.columns[:3]) == [C.ROSTER_ID, C.ROSTER_NAME, C.ROSTER_GENDER]
    assert len(roster) == 52
    assert roster["_row"].iloc[0] == 2 and roster["_row"].iloc[-1] == 53
    assert str(roster[C.ROSTER_ID].iloc[0]) == "202503001"
    with pytest.raises(SheetMissing):
        h.book.read_table("没有这张表")


# --------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------
def test_write_layout_replaces_the_whole_sheet(h):
    h.book.write_layout(C.ROSTER, sample_layout())
    s = h.state()[C.ROSTER]
    assert s.values()[:2] == [["标题", None, None, None], ["学号", "日期", "分数", "备注"]]
    assert s.cell("A3") == "0012" and s.cell("B3") == date(2026, 11, 24) and s.cell("B4") == date(2026, 11, 25)
    assert s.cell("C3") == 3 and s.cell("C4") == 2.5 and s.cell("C5") is True and s.cell("D5") == "=C3+C4"
    assert len(s.values()) == 5  # the 52 students are gone
    assert s.merges == {"A1:D1"}
    assert s.fill("C4") == C.COLOR_BAD and s.fill("A2") == C.COLOR_HEADER and s.fill("C3") is None
    assert sorted((ref, kind) for ref, kind, _ in s.validations) == [
        ("A3:A10", "list"), ("B3:B10", "whole"), ("C3:C10", "decimal"), ("D3:D10", "custom")]
    detail = {kind: d for _, kind, d in s.validations}
    assert detail["list"] == ("A", "B", "C") and detail["decimal"] == (-3, 3) and detail["custom"] == ("LEN(D3)<20",)
    assert {c: round(w) for c, w in s.widths.items() if c <= 4} == {1: 10, 2: 14, 3: 14, 4: 30}
    assert s.heights.get(1) == 28
    assert s.freeze == "A3"
    assert s.print_area == "A1:D5"
    assert not s.hidden


def test_text_columns_are_text_before_values_arrive(h):
    h.book.write_layout(C.ROSTER, sample_layout())
    s = h.state()[C.ROSTER]
    formats = dict(s.number_formats)
    assert any(ref.startswith("A3") and fmt == "@" for ref, fmt in s.number_formats), formats
    assert s.cell("A3") == "0012"
    if h.kind == "live":  # the @ format is set before the one setValues
        funcs = [a["func"] for a in h.actions()]
        assert funcs.index("setNumberFormat") < funcs.index("setValues")


def test_new_sheets_land_where_the_contract_puts_them(h):
    h.book.write_layout(C.daily_group_sheet(2), placeholder_layout("二", "x"))
    h.book.write_layout(C.daily_group_sheet(1), placeholder_layout("一", "x"))
    h.book.write_layout("老师自己的表", placeholder_layout("自己", "x"))
    expected = C.workbook_sheets(2) + ["老师自己的表"]
    assert h.book.sheet_names() == expected
    state = h.state()
    assert state.sheet_names == expected
    assert state[C.daily_group_sheet(1)].cell("A1") == "一"


def test_clear_below_keeps_what_is_above_the_anchor(h):
    top = Layout(rows=[["上面"], ["也在上面"]])
    h.book.write_layout(C.CONSOLE, top)
    first = Layout(rows=[["a", "b"], ["c", "d"], ["e", "f"]], merges=["A2:B2"])
    h.book.write_layout(C.CONSOLE, first, anchor="A5", clear="below")
    second = Layout(rows=[["x"]])
    second.style("A1", "bad")
    second.validations.append(Validation("A1:A3", "list", values=("是",)))
    h.book.write_layout(C.CONSOLE, second, anchor="B5", clear="below")
    s = h.state()[C.CONSOLE]
    assert s.values() == [["上面", None], ["也在上面", None], [None, None], [None, None], [None, "x"]]
    assert s.merges == set()
    assert s.fill("B5") == C.COLOR_BAD
    assert [(ref, kind) for ref, kind, _ in s.validations] == [("B5:B7", "list")]


def test_a_sheet_made_from_a_form_is_a_visible_copy_without_the_samples(h):
    layout = Layout(rows=[["第1组 小组成员常规考核量化表"], ["代号", "姓名"], ["A1", "张三"]])
    layout.style("A1:B1", "title")
    layout.style("A2:B2", "header")
    layout.style("A3:B3", "text")
    layout.style("C3", "number")  # not sampled on the form: STYLES applies
    name = C.daily_group_sheet(1)
    h.book.write_layout(name, layout, form=C.FORM_GROUP)
    h.book.write_layout(name, layout, form=C.FORM_GROUP)  # again: replaced, not duplicated
    state = h.state()
    assert state.sheet_names == C.workbook_sheets(1)
    s = state[name]
    assert not s.hidden and state[C.FORM_GROUP].hidden
    assert s.values() == [["第1组 小组成员常规考核量化表", None], ["代号", "姓名"], ["A1", "张三"]]
    assert state[C.FORM_GROUP].cell("A1") == form_layout(C.FORM_GROUP).rows[0][0]  # the form is untouched
    if h.kind == "live":
        funcs = [a["func"] for a in h.actions()]
        assert funcs.count("copySheet") == 2 and funcs.count("sheetDelete") == 1
        copied = [a for a in h.actions() if a["func"] == "copyFromRange"]
        assert len(copied) == 6  # per write: title, header, text from the form's sample cells
        # the copy's row heights (the form's tall sample rows 11-12) are fitted again, and so are
        # the widths of the form's columns (this layout sizes none): as in a file, default widths
        fitted = [a for a in h.actions() if a["func"] == "setAutofit"]
        rows = [a for a in fitted if a["args"] == ["rows"]]
        columns = [a for a in fitted if a["args"] == ["columns"]]
        assert len(rows) == 2 and all(a["row_count"] >= 12 for a in rows)
        width = form_layout(C.FORM_GROUP).n_cols
        assert len(columns) == 2 and all((a["start_column"], a["column_count"]) == (0, width) for a in columns)
    assert s.widths == {}


def test_hidden_sheets_and_deleting(h):
    h.book.write_layout("草稿", placeholder_layout("草稿", "x"), hidden=True)
    h.book.set_hidden(C.EXAMS, True)
    h.book.set_hidden(C.FORM_CLASS, False)
    h.book.delete_sheet(C.CERTIFICATES)
    h.book.delete_sheet("没有这张表")
    assert C.CERTIFICATES not in h.book.sheet_names()
    state = h.state()
    assert state["草稿"].hidden and state[C.EXAMS].hidden and not state[C.FORM_CLASS].hidden
    assert C.CERTIFICATES not in state.sheet_names


def test_highlight_and_unhighlight(h):
    h.book.highlight(C.ROSTER, ["C5", "D7", "F3:F4"])
    h.book.highlight(C.ROSTER, ["D7"], color=None)
    s = h.state()[C.ROSTER]
    assert {k for k, v in s.fills.items() if v == C.COLOR_BAD} == {(5, 3), (3, 6), (4, 6)}
    assert s.cell("C5") == "女" or s.cell("C5") == "男"  # values untouched
    if h.kind == "live":
        assert [a["func"] for a in h.actions()] == ["setRangeColors", "setRangeColors"]


def test_marks_are_remembered_and_cleared(h):
    problems = [CellProblem(C.ROSTER, "D5", "缺考", "应为数字"), CellProblem(C.SETTINGS, "B9", "十", "应为整数"),
                CellProblem("没有这张表", "A1", 1, "x")]
    h.book.mark(problems)
    assert h.book.get_marks() == [(C.ROSTER, "D5"), (C.SETTINGS, "B9")]
    state = h.state()
    assert state.names[C.MARKS_NAME] == "花名册!D5;设置!B9"
    assert state[C.ROSTER].fill("D5") == C.COLOR_BAD and state[C.SETTINGS].fill("B9") == C.COLOR_BAD
    h.book.unmark(h.book.get_marks())
    assert h.book.get_marks() == []
    state = h.state()
    assert C.MARKS_NAME not in state.names
    assert state[C.ROSTER].fill("D5") is None


def test_long_names_survive(h):
    text = ";".join(f"花名册!D{i}" for i in range(2, 80))  # ~700 characters
    h.book.write_name("xlzu_test", text)
    assert h.book.read_name("xlzu_test") == text
    h.book.write_name("xlzu_test", 'a "quoted" one')
    assert h.book.read_name("xlzu_test") == 'a "quoted" one'
    assert h.state().names["xlzu_test"] == 'a "quoted" one'


def test_log_writes_below_the_buttons(h):
    h.book.log("测试", ["第一行", "第二行"], when=datetime(2026, 11, 24, 8, 30))
    s = h.state()[C.CONSOLE]
    top = C.CONSOLE_MESSAGES_ROW
    assert [s.cell(f"{c}{top}") for c in "ABC"] == list(C.CONSOLE_COLUMNS)
    assert [s.cell(f"{c}{top + 1}") for c in "ABC"] == ["2026-11-24 08:30", "测试", "第一行"]
    assert s.cell(f"C{top + 2}") == "第二行" and s.cell(f"A{top + 2}") is None
    assert s.cell("A1")  # the console's own text above is kept


def test_a_rewritten_sheet_has_one_chart(h):
    layout = Layout(rows=[["周", "第1组", "第2组"], [1, 10, 12], [2, 14, 9], [3, 11, 15]])
    layout.charts.append(ChartSpec("line", "各组周得分", data="B1:C4", categories="A2:A4", anchor="E2",
                                   x_title="周次", y_title="周得分"))
    h.book.write_layout(C.WEEK_HISTORY, layout)
    h.book.write_layout(C.WEEK_HISTORY, layout)
    assert h.state()[C.WEEK_HISTORY].chart_list == [{
        "type": "lineMarkers", "title": "各组周得分", "data": "B1:C4", "categories": "A2:A4", "anchor": "E2",
        "x_title": "周次", "y_title": "周得分"}]  # lineMarkers: a dot on every value (ChartSpec.markers)
    if h.kind == "live":  # add (with its data), x values, title, two axis titles; rewritten: deleted first
        add = ["addChart", "setChartXAxisValues", "setChartTitle", "setChartAxis", "setChartAxis"]
        assert [a["func"] for a in h.actions() if "Chart" in a["func"]] == add + ["deleteChart"] + add


def test_page_breaks(h):
    h.requires("page_breaks")
    layout = Layout(rows=[[f"第{i}页"] for i in range(1, 10)])
    layout.page_breaks = [3, 6]
    layout.print = PrintSetup(fit_width=0, fit_height=0)
    h.book.write_layout(C.CERTIFICATES, layout)
    h.book.save()
    import openpyxl

    ws = openpyxl.load_workbook(h.path)[C.CERTIFICATES]
    assert [b.id for b in ws.row_breaks.brk] == [3, 6] and not ws.sheet_properties.pageSetUpPr.fitToPage


def test_page_setup(h):
    h.requires("page_setup")
    h.book.write_layout(C.ROSTER, sample_layout())
    import openpyxl

    h.book.save()
    ws = openpyxl.load_workbook(h.path)[C.ROSTER]
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$2"


def test_validation_messages(h):
    h.requires("validation_messages")
    h.book.write_layout(C.ROSTER, sample_layout())
    import openpyxl

    h.book.save()
    dv = {str(d.sqref): d for d in openpyxl.load_workbook(h.path)[C.ROSTER].data_validations.dataValidation}
    assert dv["C3:C10"].prompt == "−3…3" and dv["C3:C10"].error == "超出范围"


def test_alert_reaches_the_teacher(h):
    h.requires("alert")
    h.book.alert("x" * 2000, "标题")
    ((title, message),) = h.state().alerts
    assert title == "标题" and len(message) < 1000 and message.endswith("……（其余见“控制台”）")


def test_live_book_is_never_saved_by_xlzu(h):
    h.book.write_layout(C.ROSTER, placeholder_layout("x", "y"))
    h.book.save()
    if h.kind == "live":
        assert "save" not in {a["func"] for a in h.actions()}


# --------------------------------------------------------------------------
# cost on live Excel: bounded, whatever the size of the table
# --------------------------------------------------------------------------
def _table(n_rows: int) -> Layout:
    import pandas as pd

    from xlzu.layout import table_layout

    df = pd.DataFrame({"学号": [f"{i:04d}" for i in range(n_rows)], "姓名": ["张三"] * n_rows,
                       "分数": [i % 7 for i in range(n_rows)], "备注": [None] * n_rows})
    return table_layout(df, title="标题", column_styles={"学号": "id", "备注": "note"},
                        validations=[("分数", Validation("", "whole", minimum=0, maximum=9))],
                        highlights=[(1, "分数"), (3, "分数"), (n_rows - 1, "姓名")])


def test_write_layout_costs_the_same_for_10_and_1000_rows(base_payload):
    from xlzu.book.live import LiveBook

    counts = []
    for n in (10, 1000):
        xl = remote_book(base_payload)
        LiveBook(xl).write_layout(C.WEEK_PEOPLE, _table(n))
        actions = xl.json()["actions"]
        counts.append(len(actions))
        funcs = [a["func"] for a in actions]
        assert funcs.count("setValues") == 1
        assert funcs.count("setRangeColors") == 1  # three problem cells, one call
    assert counts[0] == counts[1]
    assert counts[0] <= 45, counts


def test_autofilter(h):
    h.requires("autofilter")
    layout = _table(5)
    layout.autofilter = "A2:D7"
    h.book.write_layout(C.WEEK_PEOPLE, layout)
    import openpyxl

    h.book.save()
    assert openpyxl.load_workbook(h.path)[C.WEEK_PEOPLE].auto_filter.ref == "A2:D7"


def test_sheets_copied_from_a_form_cost_a_constant_each(base_payload):
    """Daily member sheets are one sheet per group: the cost grows with the
    number of groups, by the same constant per sheet, never with the rows."""
    from xlzu.book.live import LiveBook

    def member_sheet(n_members: int) -> Layout:
        layout = Layout(rows=[["第1组"], ["代号", "姓名", "预习"]] + [[f"A{i}", "张三", None] for i in range(n_members)])
        layout.merges.append("A1:C1")
        layout.style("A1:C1", "title")
        layout.style("A2:C2", "header")
        layout.style(f"A3:B{n_members + 2}", "text")
        layout.style(f"C3:C{n_members + 2}", "entry")
        layout.validations.append(Validation(f"C3:C{n_members + 2}", "whole", minimum=0, maximum=3))
        layout.widths = {1: 8, 2: 12, 3: 8}
        layout.print = PrintSetup(title_rows="1:2")
        return layout

    totals = {}
    for groups, members in ((5, 6), (10, 9)):
        xl = remote_book(base_payload)
        book = LiveBook(xl)
        for g in range(1, groups + 1):
            book.write_layout(C.daily_group_sheet(g), member_sheet(members), form=C.FORM_GROUP)
        totals[groups] = len(xl.json()["actions"])
    per_sheet = totals[5] / 5
    assert totals[10] == 10 * per_sheet  # exactly proportional: no fixed part, no per-row part
    # copy form + name it + show it + clear the samples, 4 style regions copied from the form,
    # 1 setValues, 1 merge, 1 validation, 1 row-height reset, 3 width runs (8, 12, 8), 1 width reset of
    # the form's other columns, 1 print area
    assert per_sheet == 4 + 4 + 1 + 1 + 1 + 1 + 3 + 1 + 1


def test_a_table_write_costs_an_exact_number_of_calls(base_payload):
    from xlzu.book.live import LiveBook

    xl = remote_book(base_payload)
    LiveBook(xl).write_layout(C.WEEK_PEOPLE, _table(50))
    got = {}
    for a in xl.json()["actions"]:
        got[a["func"]] = got.get(a["func"], 0) + 1
    assert got == {
        "sheetClear": 1, "deleteDataValidation": 1,  # the placeholder that was there
        "setBorderProperty": 12,  # thin grey border once over the whole table (6 sides × style + colour)
        "setVerticalAlignment": 1,
        # faces: title and header 黑体, the four columns 宋体; title size; title and header
        # explicitly not bold (黑体 is heavy enough)
        "setFontProperty": 9,
        "setRangeColor": 1,  # header fill
        "setHorizontalAlignment": 6,  # title, header, and the four columns (id, text, number, note)
        "setWrapText": 2,  # header, note
        "setNumberFormat": 2,  # id column text, number column
        "setRangeColors": 1,  # the three problem cells
        "setValues": 1, "rangeMerge": 1, "setDataValidationRule": 1,
        "setColumnWidth": 2,  # widths 6.4, 6, 6, 6: two runs
        "setRowHeight": 1, "freezePaneAtRange": 1,
    }


def test_text_that_looks_like_a_number_or_date_stays_text(h):
    texts = ["007", "3-5", "TRUE", "1E5", "8:30", "2026-11-24 08:30", "1/2", "50%"]
    layout = Layout(rows=[texts, [7, datetime(2026, 11, 24), 2.5, False, "A1", "张三", "=1+1", Formula("=2*3")]])
    h.book.write_layout(C.EXAMS, layout)
    s = h.state()[C.EXAMS]
    assert s.values()[0] == texts
    assert s.values()[1][:8] == [7, date(2026, 11, 24), 2.5, False, "A1", "张三", "=1+1", "=2*3"]
    if h.kind == "live":
        (written,) = [a["values"] for a in h.actions() if a["func"] == "setValues"]
        assert written[0] == ["'" + t for t in texts]  # typed with an apostrophe: Excel keeps text
        # text that starts with "=" stays text; only a Formula is a formula
        assert written[1][4:8] == ["A1", "张三", "'=1+1", "=2*3"]
    else:
        ws = h.book.wb[C.EXAMS]
        assert (ws["G2"].data_type, ws["H2"].data_type) == ("s", "f")
        values = h.book.read_values(C.EXAMS)
        assert not isinstance(values[1][6], Formula) and isinstance(values[1][7], Formula)
