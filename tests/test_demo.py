"""`xlzu demo`: the bundled sample class through the whole week-to-term cycle."""

from __future__ import annotations

import openpyxl
import pandas as pd

from xlzu import contract as C
from xlzu.book import open_book
from xlzu.demo import DEMO_MACRO_WORKBOOK, DEMO_WORKBOOK
from xlzu.members import read_members


def test_demo_workbooks_have_exactly_the_contract_sheets(demo_run):
    folder, _ = demo_run
    for name, macro in ((DEMO_WORKBOOK, False), (DEMO_MACRO_WORKBOOK, True)):
        path = folder / name
        wb = openpyxl.load_workbook(path, keep_vba=macro)
        members, _ = read_members(open_book(path).read_values(C.GROUPS))
        n_groups = int(members[C.GROUP_NO].max())
        assert n_groups == 7  # 52 students in groups of about 8
        assert wb.sheetnames == C.workbook_sheets(n_groups, macro=macro)
        hidden = {ws.title for ws in wb.worksheets if ws.sheet_state != "visible"}
        assert hidden == set(C.HIDDEN_FORMS) | ({C.XLWINGS_CONF} if macro else set())


def test_demo_class_is_realistic(demo_run):
    folder, output = demo_run
    roster = pd.read_excel(folder / DEMO_WORKBOOK, sheet_name=C.ROSTER, dtype={C.ROSTER_ID: str})
    assert 45 <= len(roster) <= 60
    assert set(roster[C.ROSTER_GENDER]) == {"男", "女"}
    assert roster[C.ROSTER_ID].is_unique and roster[C.ROSTER_NAME].is_unique
    assert roster[C.ROSTER_TOTAL].std() > 30
    assert all(s in roster.columns and roster[s].notna().all() for s in C.DEFAULT_SUBJECTS)
    assert "导入 52 名学生" in output


def test_demo_shows_the_week_to_term_cycle(demo_run):
    """The demo ends with a week's ranking, a month's stars and the term's certificates."""
    folder, output = demo_run
    for step in ("自动分组", "日表", "一键周汇总", "明星小组：", "魔鬼小组：", "纪律之星", "进步之星",
                 "推荐校级明星小组", "明星组长", "荣誉证书"):
        assert step in output, step
    wb = openpyxl.load_workbook(folder / DEMO_WORKBOOK)
    records = pd.read_excel(folder / DEMO_WORKBOOK, sheet_name=C.PERSON_RECORDS)
    assert records[C.REC_DATE].nunique() == 5  # a school week of saved daily sheets
    assert wb[C.WEEK_HISTORY]._charts
    certificates = wb[C.CERTIFICATES]
    assert certificates.page_setup.orientation == "landscape" and len(certificates.row_breaks.brk) >= 1


def test_demo_grade_runs_the_school_month(demo_run):
    """The demo grade: the demo class and two sister classes started with its 设置,
    compared in 初二年级.xlsx; the class with three days of five is flagged."""
    from xlzu.demo import DEMO_GRADE_WORKBOOK, DEMO_SISTERS

    folder, output = demo_run
    assert "== 校级评比" in output and "校级明星小组：" in output
    wb = openpyxl.load_workbook(folder / DEMO_GRADE_WORKBOOK)
    assert [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"] == list(C.SCHOOL_SHEETS[:-1])
    rows = [[c.value for c in r] for r in wb[C.SCHOOL_MONTHLY].iter_rows()]
    h = next(i for i, r in enumerate(rows) if r[0] == C.COL_MONTH)
    col = rows[h].index
    body = [r for r in rows[h + 1:] if r[0]]
    assert {r[col(C.COL_CLASS)] for r in body} == {"初二(3)班", *(name for _, name, *_ in DEMO_SISTERS)}
    flagged = {r[col(C.COL_CLASS)] for r in body if r[col(C.COL_FLAGS)]}
    assert flagged == {"初二(2)班"}
    assert any(r[col(C.COL_SCHOOL_RESULT)] == C.SCHOOL_STAR_GROUP for r in body)
