"""The worked example of SPEC 3b, end to end as a duty monitor and a head
teacher meet it: typed into the generated class sheet, saved, summarised.

Group 1 on Tuesday 2026-11-24: previews graded A, B, D (3 + 2 + 0), placed
1st and 3rd in two periods (5 + 3), −2 for lateness, +3 for a competition
prize: 14 points that day, by hand.
"""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from formfill import read_sheet
from xlzu import contract as C
from xlzu import daily, group, save, week
from xlzu.layout import find_row
from xlzu.pdf import convert

DAY = "2026-11-24"
TYPED = {"语文预习": "A", "数学预习": "b", "英语预习": "Ｄ", "第1节名次": 1, "第3节名次": 3,
         "卫生纪律": -2, "好人好事": 3}
BY_HAND = 3 + 2 + 0 + 5 + 3 - 2 + 3


@pytest.fixture(scope="module")
def typed_book(tmp_path_factory):
    from xlzu import new_class
    from xlzu.demo import demo_roster_path

    path = tmp_path_factory.mktemp("worked") / "班级.xlsx"
    new_class(path, demo_roster_path())
    group(path)
    daily(path, DAY)
    wb = openpyxl.load_workbook(path)
    ws = wb[C.DAILY_CLASS]
    sheet = read_sheet(ws)
    row = next(r for r, g in sheet.rows.items() if g == 1)
    columns = {c.item: c.col for c in sheet.columns}
    for item, value in TYPED.items():
        ws.cell(row, columns[item], value)
    ws.cell(row, sheet.note_col, "迟到一人；数学竞赛获奖")
    wb.save(path)
    return path, row, sheet


def test_the_group_scores_14_in_the_records_and_the_ranking(typed_book):
    path, _, _ = typed_book
    save(path)
    records = pd.read_excel(path, sheet_name=C.GROUP_RECORDS)
    mine = records[(records[C.REC_GROUP] == 1) & (records[C.REC_DATE] == pd.Timestamp(DAY))]
    assert mine[C.REC_POINTS].sum() == 14
    # what was typed, normalised: "b" and full-width "Ｄ" are grades B and D
    assert sorted(mine[C.REC_RAW].astype(str)) == sorted(["A", "B", "D", "1", "3", "-2", "3"])
    week(path)
    values = [list(r) for r in openpyxl.load_workbook(path)[C.WEEK_GROUPS].iter_rows(values_only=True)]
    header = find_row(values, C.COL_RANK, start=find_row(values, C.WEEK_SECTION_DETAIL))  # the day detail under the announcement
    cols = values[header]
    row = next(r for r in values[header + 1:] if r[cols.index(C.GROUP_NO)] == 1)
    assert row[cols.index(C.COL_TOTAL)] == 14
    assert row[cols.index(C.COL_AWARD)] == "明星小组"  # the only group with points that week
    assert [row[cols.index(c)] for c in C.CATEGORIES] == [5, 8, -2, 0, 3]


def test_libreoffice_recalculates_the_class_sheet_total_to_14(typed_book, soffice, tmp_path):
    """The 合计 formula the monitor sees while typing agrees with the hand sum."""
    path, row, sheet = typed_book
    recalculated = convert(path, "xlsx", tmp_path)
    ws = openpyxl.load_workbook(recalculated, data_only=True)[C.DAILY_CLASS]
    assert ws.cell(row, sheet.total_col).value == 14
