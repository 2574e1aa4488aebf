"""The plain, row-by-row reader (blank rows skipped, problems in column order) of 个人记录 / 小组记录: the oracle the
optimised :func:`xlzu.records.read_records` is held equal to on random,
messy sheets (tests/test_weekly_core.py)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from xlzu import contract as C
from xlzu.errors import CellProblem
from xlzu.layout import cell_ref, clean_text, frame_from_values
from xlzu.records import COLUMNS, SHEETS, empty, from_rows
from xlzu.roster import normalize_id
from xlzu.settings import parse_date, parse_number


def reference_read_records(values: list[list[Any]], kind: str) -> tuple[pd.DataFrame, list[CellProblem]]:
    """个人记录 (kind="person") or 小组记录 (kind="group") from its cell values.

    A row the teacher edited into something unreadable (no date, points
    that are not a number) is reported by cell and left out of the table;
    it stays on the sheet until corrected."""
    sheet = SHEETS[kind]
    columns = COLUMNS[kind]
    frame = frame_from_values(values, header_row=0, n_cols=len(columns), stop_at_blank_row=False) if values else None
    problems: list[CellProblem] = []
    if frame is None or list(frame.columns[:-1]) != list(columns):
        if values and any(clean_text(v) for v in values[0]):
            problems.append(CellProblem(sheet, "A1", None, "应有一行列名：" + "、".join(columns)))
        return empty(kind), problems
    col = {c: i + 1 for i, c in enumerate(columns)}
    rows = []
    for _, r in frame.iterrows():
        row = int(r["_row"])
        d = parse_date(r[C.REC_DATE])
        points = parse_number(r[C.REC_POINTS])
        group = parse_number(r[C.REC_GROUP])
        ok = True
        if d is None:
            problems.append(CellProblem(sheet, cell_ref(row, col[C.REC_DATE]), clean_text(r[C.REC_DATE]) or None, "应为日期"))
            ok = False
        if kind == "person":
            who = normalize_id(r[C.REC_ID])
            if not who:
                problems.append(CellProblem(sheet, cell_ref(row, col[C.REC_ID]), None, "学号不能为空"))
                ok = False
        if kind == "group" and (group is None or not float(group).is_integer() or group < 1):
            problems.append(CellProblem(sheet, cell_ref(row, col[C.REC_GROUP]), clean_text(r[C.REC_GROUP]) or None, "组号应为正整数"))
            ok = False
        if points is None:
            problems.append(CellProblem(sheet, cell_ref(row, col[C.REC_POINTS]), clean_text(r[C.REC_POINTS]) or None, "分数应为数字"))
            ok = False
        if not ok:
            continue
        rec = {c: (clean_text(r[c]) or None) for c in columns}
        rec[C.REC_DATE] = pd.Timestamp(d)
        rec[C.REC_POINTS] = points
        rec[C.REC_GROUP] = int(group) if group is not None and float(group).is_integer() and group >= 1 else None
        if kind == "person":
            rec[C.REC_ID] = normalize_id(r[C.REC_ID])
        rows.append(rec)
    return from_rows(rows, kind), problems
