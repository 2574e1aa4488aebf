"""The summary buttons (一键周汇总, 月度评比, 期末评比) on xlwings' remote engine.

As for the other buttons (test_excel.py, test_excel_daily.py): the workbook
is a payload made from a real file, the button runs the library operation
through the live backend with its defaults (no arguments: a button has
none), and what Excel would show is rebuilt from the recorded actions
(tests/remote.py).  Parity: the live run writes what the file run writes,
the 周历史 chart included.  Cost: the number of Excel calls does not grow
with the class or the weeks of records; 荣誉证书 costs a constant per
certificate (one block per award).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

import xlzu.excel as X
from groupsheet import write_groups
from history import fill_weeks, type_exams
from remote import assert_same, by_sheet, copy_of, count, file_state, live_run, payload, refused_alike, replay, write_roster
from xlzu import contract as C
from xlzu import new_class
from xlzu.book.live import NATIVE_ONLY
from xlzu.errors import InputError
from xlzu.ops.summary import month, term, week
from xlzu.settings import Settings

N_STUDENTS, N_GROUPS = 32, 4
FIRST_WEEK, N_WEEKS = 9, 3  # term weeks 9-11: records from 2026-10-26 to 2026-11-13
TYPED = {"自评": 90, "班主任": 85, "家长": 95, C.COL_COMMENT: "进步很大"}  # on 月度评价, for two students
CAPTION = {b.function: b.caption for b in C.BUTTONS}


# --------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------
def rater_rows(path: Path) -> tuple[list, int, list[tuple[int, list]]]:
    """月度评价's multi-rater table: (header, its Excel row, [(Excel row, values)])."""
    rows = [list(r) for r in load_workbook(path)[C.MONTHLY].iter_rows(values_only=True)]
    at = next(i for i, r in enumerate(rows) if r[0] == C.MONTH_SECTION_RATERS)
    h = next(i for i in range(at + 1, at + 4) if rows[i][0] == C.COL_MONTH)
    body = []
    for i in range(h + 1, len(rows)):
        if rows[i][0] is None:
            break
        body.append((i + 1, rows[i]))
    return rows[h], h + 1, body


def type_raters(path: Path, month_key: str, n: int = 2) -> dict[str, dict]:
    """A teacher scores the first ``n`` students of a month on 月度评价."""
    header, _, body = rater_rows(path)
    wb = load_workbook(path)
    ws = wb[C.MONTHLY]
    typed = {}
    for row, values in [(r, v) for r, v in body if v[0] == month_key][:n]:
        for name, value in TYPED.items():
            ws.cell(row, header.index(name) + 1, value)
        typed[str(values[1])] = dict(TYPED)
    wb.save(path)
    return typed


@pytest.fixture(scope="module")
def ready(tmp_path_factory) -> SimpleNamespace:
    """32 students in 4 groups, 期中 and 期末 typed (one student missed the
    final), records of term weeks 9-11 (the end of October, the first half
    of November) with 周历史 (and its chart) for weeks 9 and 10, November's
    月度评价 made and two students scored on it: a workbook on the Friday of
    week 11."""
    folder = tmp_path_factory.mktemp("ready")
    path = folder / "班级.xlsx"
    new_class(path, write_roster(folder / "r.csv", N_STUDENTS), class_name="初二(3)班")
    write_groups(path, N_GROUPS)
    type_exams(path)
    fill_weeks(path, N_WEEKS, first_week=FIRST_WEEK, history=True)
    month(path)
    typed = type_raters(path, "2026-11")
    # what the payload was made from, as the live runs' replays start from it (replay copies it)
    return SimpleNamespace(path=path, data=payload(path), typed=typed, state=file_state(path))




def both(ready, tmp_path, button: str, op) -> tuple[object, object, list[dict]]:
    """The button on the live backend and the operation with its defaults on a
    copy of the file: the same lines, the same workbook.  (report, live state, actions)"""
    on_file = copy_of(ready.path, tmp_path)
    file_report = op(on_file)
    report, actions = live_run(ready.data, getattr(X, button))
    assert report is not None and report.lines == file_report.lines
    live = replay(ready.data, actions, ready.state)
    assert_same(file_state(on_file), live)
    assert live.alerts == []
    return report, live, actions


def latest_record(state) -> date:
    """The day of the latest record, read from the records a teacher sees."""
    days = []
    for sheet in (C.GROUP_RECORDS, C.PERSON_RECORDS):
        values = state[sheet].values()
        j = values[0].index(C.REC_DATE)
        days += [row[j] for row in values[1:] if isinstance(row[j], (date, datetime))]
    return max(d.date() if isinstance(d, datetime) else d for d in days)


# --------------------------------------------------------------------------
# Parity, with the buttons' defaults
# --------------------------------------------------------------------------
def test_week_button_writes_what_the_cli_writes(ready, tmp_path):
    report, live, actions = both(ready, tmp_path, "weekly_summary", week)
    # default: the week of the latest record, numbered from 设置's term start
    last = latest_record(live)
    start = Settings().term_start
    n = ((last - timedelta(days=last.weekday())) - (start - timedelta(days=start.weekday()))).days // 7 + 1
    assert n == FIRST_WEEK + N_WEEKS - 1
    assert live[C.WEEK_GROUPS].cell("A1") == f"初二(3)班 第{n}周 小组周排名"
    # 周历史: the two weeks before kept, this week added, under one chart of the groups' weekly totals
    history = live[C.WEEK_HISTORY]
    weeks = [r[0] for r in history.values()[1:] if isinstance(r[0], int)]
    assert sorted(set(weeks)) == list(range(FIRST_WEEK, n + 1)) and len(weeks) == N_WEEKS * N_GROUPS
    ((chart,),) = [history.chart_list]
    assert chart["type"] == "lineMarkers" and chart["title"] == "初二(3)班 各小组周得分走势"  # a dot on each week
    r1, _, r2, _ = _rows(chart["data"])
    assert r2 - r1 == N_WEEKS  # a header row (the groups) and one row per week
    assert (chart["x_title"], chart["y_title"]) == (C.COL_WEEK, "周得分")
    # last week's chart was replaced, not joined by a second one
    funcs = [a["func"] for a in by_sheet(ready.data, actions)[C.WEEK_HISTORY]]
    assert funcs.count("deleteChart") == 1 and funcs.count("addChart") == 1
    assert funcs.index("deleteChart") < funcs.index("addChart")


def _rows(ref: str) -> tuple[int, int, int, int]:
    from xlzu.layout import parse_range

    return parse_range(ref)


def test_month_button_writes_what_the_cli_writes_and_keeps_typed_scores(ready, tmp_path):
    report, live, _ = both(ready, tmp_path, "monthly_review", month)
    last = latest_record(live)
    assert live[C.MONTHLY].cell("A1") == f"初二(3)班 {last.year}年{last.month}月 月度评价"
    values = live[C.MONTHLY].values()
    at = next(i for i, r in enumerate(values) if r[0] == C.MONTH_SECTION_RATERS)
    h = next(i for i in range(at + 1, at + 4) if values[i][0] == C.COL_MONTH)
    header = values[h]
    rows = {str(r[1]): r for r in values[h + 1:] if r[0] == f"{last.year}-{last.month:02d}"}
    assert len(rows) == N_STUDENTS
    for sid, typed in ready.typed.items():
        for name, value in typed.items():
            assert rows[sid][header.index(name)] == value, (sid, name)
    assert f"已评 {len(ready.typed)} 人" in report.text()


def test_term_button_writes_what_the_cli_writes(ready, tmp_path):
    report, live, actions = both(ready, tmp_path, "term_review", term)
    # default exams: the last two columns of 考试成绩 with scores (期中 → 期末 in a new class workbook)
    assert live[C.TERM_AWARDS].cell("A1").endswith("期末评优（期中→期末）")
    awards = report.data["awards"]
    assert len(awards) >= N_GROUPS  # 先进小组, 优秀组员 (one per group at least), 明星组长
    shown = [v for row in live[C.CERTIFICATES].values() for v in row if isinstance(v, str)]
    assert shown.count("荣 誉 证 书") == len(awards)
    # 明星组长 first on 期末评优 (one highlighted block)
    leaders = [v for v in report.data["leaders"][C.COL_RESULT_TEXT]]
    won = leaders.count(C.AWARD_STAR_LEADER)
    values = live[C.TERM_AWARDS].values()
    h = next(i for i, r in enumerate(values) if r[0] == C.GROUP_NO)
    results = [r[len(report.data["leaders"].columns) - 1] for r in values[h + 1:h + 1 + len(leaders)]]
    assert results[:won] == [C.AWARD_STAR_LEADER] * won and C.AWARD_STAR_LEADER not in results[won:]
    # 荣誉证书 is a copy of the hidden form 表样-证书; its page breaks are Excel's (COM) only
    copied = [a for a in by_sheet(ready.data, actions)[C.CERTIFICATES] if a["func"] == "copySheet"]
    assert len(copied) == 1 and any("page breaks" in n for n in NATIVE_ONLY)


def test_term_button_compares_the_last_two_exams_with_scores(ready, tmp_path):
    """A third exam column: with scores it is compared with 期末; still empty, 期中 → 期末 stays."""
    path = copy_of(ready.path, tmp_path)
    wb = load_workbook(path)
    ws = wb[C.EXAMS]
    ws.cell(1, 5, "月考")
    wb.save(path)
    report, _ = live_run(payload(path), X.term_review)
    assert "（期中→期末，" in report.lines[0]
    for r in range(2, ws.max_row + 1):
        ws.cell(r, 5, 500 + r)
    wb.save(path)
    data = payload(path)
    report, actions = live_run(data, X.term_review)
    assert "（期末→月考，" in report.lines[0]
    assert replay(data, actions)[C.TERM_AWARDS].cell("A1").endswith("（期末→月考）")


# --------------------------------------------------------------------------
# Bad input: refused, cells named and highlighted, nothing else changed
# --------------------------------------------------------------------------
def _bad_monthly_cell(path: Path) -> str:
    from xlzu.layout import cell_ref

    header, _, body = rater_rows(path)
    row = next(r for r, v in body if v[0] == "2026-11")
    return cell_ref(row, header.index("家长") + 1)


BAD = [
    # button, operation, sheet, cell (or how to find it), typed value, what the message says
    ("weekly_summary", week, C.GROUP_RECORDS, "G5", "三分", "分数应为数字"),
    ("monthly_review", month, C.MONTHLY, _bad_monthly_cell, "优秀", "0–100"),
    ("term_review", term, C.EXAMS, "C3", "五百", "总分"),
]


@pytest.mark.parametrize("button, op, sheet, cell, typed, said", BAD, ids=[b[0] for b in BAD])
def test_a_bad_cell_is_refused_with_an_alert_and_the_same_console_text(ready, tmp_path, button, op, sheet, cell, typed, said):
    bad_path = copy_of(ready.path, tmp_path, "bad.xlsx")
    ref = cell(bad_path) if callable(cell) else cell
    wb = load_workbook(bad_path)
    wb[sheet][ref] = typed
    wb.save(bad_path)
    run = refused_alike(bad_path, tmp_path, op, button, InputError)
    live, before = run.live, run.before
    assert run.title == f"{CAPTION[button]}：没有完成" and f"{sheet}!{ref}" in run.message and said in run.message
    assert live[sheet].fill(ref) == C.COLOR_BAD and live[sheet].cell(ref) == typed
    console = [v for v in live[C.CONSOLE].values()[C.CONSOLE_MESSAGES_ROW:] if v[2]]
    assert console[0][1] == CAPTION[button] and console[0][2].startswith("没有完成")
    assert set(run.touched) == {C.CONSOLE, "", sheet}
    assert [a["func"] for a in run.touched[sheet]] == ["setRangeColors"]
    for other in before.sheet_names:
        if other not in (C.CONSOLE, sheet):
            assert live[other].values() == before[other].values(), other


# --------------------------------------------------------------------------
# Cost: Excel calls per button
# --------------------------------------------------------------------------
def _prepare(folder: Path, n: int, weeks: int) -> SimpleNamespace:
    path = folder / f"c{n}-{weeks}.xlsx"
    new_class(path, write_roster(folder / f"r{n}.csv", n), class_name="初二(3)班")
    write_groups(path, n // 8)
    type_exams(path)
    person, group = fill_weeks(path, weeks, history=True)
    return SimpleNamespace(path=path, data=payload(path), groups=n // 8, person=person)


@pytest.fixture(scope="module")
def sizes(tmp_path_factory) -> dict[int, SimpleNamespace]:
    """Classes of 40 and 80 students in groups of 8 (5 and 10 groups), one week of records."""
    folder = tmp_path_factory.mktemp("sizes")
    return {n: _prepare(folder, n, 1) for n in (40, 80)}


@pytest.fixture(scope="module")
def weeks(tmp_path_factory, sizes) -> dict[int, SimpleNamespace]:
    """40 students (5 groups) with 1 or 20 school weeks of records; 周历史
    holds every week but the latest (the button adds it)."""
    return {1: sizes[40], 20: _prepare(tmp_path_factory.mktemp("weeks"), 40, 20)}


def _counts(case: SimpleNamespace, button: str) -> tuple[dict[str, int], dict[str, dict[str, int]], object]:
    report, actions = live_run(case.data, getattr(X, button))
    assert report is not None
    return count(actions), {k: count(v) for k, v in by_sheet(case.data, actions).items()}, report


#: Actions per button, the same for 40 and 80 students and for 1 and 20 weeks
#: (one more for 20 weeks: the chart 周历史 already had is deleted first).
#: 周排名-小组 87 (was 51: the announcement's own large-type styles for title, subtitle, banner, header,
#: body and 本周得分 columns, note and signature lines, its row heights, and the day detail table below
#: the page), 周排名-个人 74 (was 52: the 个人考核 / 小组捆绑 band over the header, more runs of column
#: widths, the note's style), 周历史 57 (5 for the chart; a line with markers is still one addChart), 控制台 27;
#: then each style region names its face (宋体 / 黑体 / 楷体) in one more call: 周排名-小组 99, 周排名-个人 83,
#: 周历史 63, 控制台 30 (it keeps the runs before; its three regions name theirs); 控制台 31 with its
#: print area (title to the newest runs that fit one page).
WEEK_TOTAL = 276
#: 月度评价 128 (three stacked tables: one border call each; was 126: the form's long note wraps over
#: two lines, its own style and row height), 控制台 27; with the faces named: 月度评价 151, 控制台 30;
#: 控制台 31 with its print area.
MONTH_TOTAL = 182


def test_week_costs_the_same_for_any_class_and_any_number_of_weeks(sizes, weeks):
    small, by40, _ = _counts(sizes[40], "weekly_summary")
    big, by80, _ = _counts(sizes[80], "weekly_summary")
    one, _, _ = _counts(weeks[1], "weekly_summary")
    many, _, report = _counts(weeks[20], "weekly_summary")
    assert len(report.data["history"]) == 20 * 5
    assert small == big and by40 == by80
    assert one == small
    assert many == {**one, "deleteChart": 1}
    assert sum(small.values()) == WEEK_TOTAL, {k: sum(v.values()) for k, v in by40.items()}
    # the chart: added with its data, x values, title, two axis titles
    assert {k: by40[C.WEEK_HISTORY][k] for k in ("addChart", "setChartXAxisValues", "setChartTitle", "setChartAxis")} \
        == {"addChart": 1, "setChartXAxisValues": 1, "setChartTitle": 1, "setChartAxis": 2}
    assert all(by40[s]["setValues"] == 1 for s in (C.WEEK_GROUPS, C.WEEK_PEOPLE, C.WEEK_HISTORY, C.CONSOLE))


def test_month_costs_the_same_for_any_class_and_any_number_of_weeks(sizes, weeks):
    small, by40, _ = _counts(sizes[40], "monthly_review")
    big, by80, _ = _counts(sizes[80], "monthly_review")
    one, _, _ = _counts(weeks[1], "monthly_review")
    many, _, _ = _counts(weeks[20], "monthly_review")
    assert small == big == one == many and by40 == by80
    assert sum(small.values()) == MONTH_TOTAL, {k: sum(v.values()) for k, v in by40.items()}
    assert set(by40) == {C.MONTHLY, C.CONSOLE} and by40[C.MONTHLY]["setValues"] == 1


#: What one certificate on 荣誉证书 costs (50 calls; was 18 when a certificate was centred lines
#: without a frame): 2 format copies from 表样-证书's samples (荣誉证书 in huge, the award in big),
#: the salutation, body, members and closing lines and the 落款 in their own styles (font,
#: alignment, wrap: 11 font calls — 6 for size and weight, 5 naming the 楷体 face —, 5 horizontal
#: and 5 vertical alignment, 3 wrap calls), the double
#: frame (8 border calls: the frame's outside edges), 3 merges (the text rows merged across
#: inside the frame; the 落款 rows across the right half), 13 runs of row heights.
CERTIFICATE = {"copyFromRange": 2, "rangeMerge": 3, "setRowHeight": 13, "setFontProperty": 11, "setHorizontalAlignment": 5,
               "setVerticalAlignment": 5, "setWrapText": 3, "setBorderProperty": 8}
#: The highlighted block of 明星组长 on 期末评优 (bold, fill), when there is one.
STAR_BLOCK = {"setFontProperty": 1, "setRangeColor": 1}
#: 期末评优 126 (without a 明星组长; was 123: the 明星组长 rows are sized to their text in one call, the
#: long note above them wraps: its own style and height),
#: 控制台 27, 荣誉证书 12 (was 11; the certificate's columns are now three runs of widths, narrow margins
#: either side of the text): the old sheet replaced by a copy of 表样-证书 (delete, copy, name, clear the
#: samples, show), values, the form's row heights and other column widths reset, panes unfrozen, print area;
#: with the faces named: 期末评优 147, 控制台 30, 荣誉证书 12; 控制台 31 with its print area.
TERM_FIXED = 190


def test_term_costs_a_constant_per_certificate(sizes, weeks):
    fixed = {}
    certificates = {}
    for key, case in (("40", sizes[40]), ("80", sizes[80]), ("1w", weeks[1]), ("20w", weeks[20])):
        total, by, report = _counts(case, "term_review")
        n = len(report.data["awards"])
        stars = (report.data["leaders"][C.COL_RESULT_TEXT] == C.AWARD_STAR_LEADER).any()
        left = {s: dict(c) for s, c in by.items()}
        for k, v in CERTIFICATE.items():
            left[C.CERTIFICATES][k] -= v * n
        for k, v in STAR_BLOCK.items():
            left[C.TERM_AWARDS][k] -= v * stars
        fixed[key] = left
        certificates[key] = n
        assert sum(total.values()) == TERM_FIXED + n * sum(CERTIFICATE.values()) + stars * sum(STAR_BLOCK.values()), \
            (key, {k: sum(v.values()) for k, v in left.items()})
    assert fixed["40"] == fixed["80"] == fixed["1w"] == fixed["20w"]
    assert certificates["80"] > certificates["40"]  # more groups, more awards: one certificate each
