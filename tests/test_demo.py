"""`xlzu demo`: the bundled sample class through every operation that exists."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from xlzu import contract as C
from xlzu.book import open_book
from xlzu.cli import app
from xlzu.members import read_members


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(app, ["demo", str(out)])
    assert result.exit_code == 0, result.output
    return out / "示例班级.xlsx", result.output


def test_demo_workbook_has_exactly_the_contract_sheets(demo_run):
    path, _ = demo_run
    wb = openpyxl.load_workbook(path)
    members, _ = read_members(open_book(path).read_values(C.GROUPS))
    n_groups = int(members[C.GROUP_NO].max()) if members[C.GROUP_NO].notna().any() else 0
    assert wb.sheetnames == C.workbook_sheets(n_groups)
    hidden = {ws.title for ws in wb.worksheets if ws.sheet_state != "visible"}
    assert hidden == set(C.HIDDEN_FORMS)


def test_demo_class_is_realistic(demo_run):
    path, output = demo_run
    roster = pd.read_excel(path, sheet_name=C.ROSTER, dtype={C.ROSTER_ID: str})
    assert 45 <= len(roster) <= 60
    assert set(roster[C.ROSTER_GENDER]) == {"男", "女"}
    assert roster[C.ROSTER_ID].is_unique and roster[C.ROSTER_NAME].is_unique
    assert roster[C.ROSTER_TOTAL].std() > 30
    assert all(s in roster.columns and roster[s].notna().all() for s in C.DEFAULT_SUBJECTS)
    assert "导入 52 名学生" in output
