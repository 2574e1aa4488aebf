"""个人记录 and 小组记录: the long record tables every summary is computed from.

One row per (date, who, item).  The daily sheets are forms over these
tables: saving a date replaces that date's rows that came from the daily
sheets (so saving twice changes nothing, a corrected cell replaces its old
value and a cleared cell removes its record), and rows that came from
anywhere else are kept.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable

import pandas as pd

from . import contract as C
from .errors import CellProblem
from .layout import Layout, cell_ref, clean_text, frame_from_values, table_layout
from .roster import normalize_id
from .settings import parse_date, parse_number

DAILY_SOURCE_PREFIX = "日表"  # 来源 of rows that a daily sheet produced

_TEXT = {
    "person": (C.REC_ID, C.REC_NAME, C.REC_CATEGORY, C.REC_ITEM, C.REC_NOTE, C.REC_SOURCE),
    "group": (C.REC_TEAM, C.REC_CATEGORY, C.REC_ITEM, C.REC_RAW, C.REC_NOTE, C.REC_SOURCE),
}
COLUMNS = {"person": C.PERSON_RECORD_COLUMNS, "group": C.GROUP_RECORD_COLUMNS}
KEYS = {"person": C.PERSON_RECORD_KEY, "group": C.GROUP_RECORD_KEY}
SHEETS = {"person": C.PERSON_RECORDS, "group": C.GROUP_RECORDS}


def empty(kind: str) -> pd.DataFrame:
    """An empty record table with the right dtypes."""
    return _typed(pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS[kind]}), kind)


def _typed(df: pd.DataFrame, kind: str) -> pd.DataFrame:
    df = df.copy()
    df[C.REC_DATE] = pd.to_datetime(df[C.REC_DATE]).dt.normalize() if len(df) else pd.Series(dtype="datetime64[ns]")
    df[C.REC_POINTS] = pd.to_numeric(df[C.REC_POINTS], errors="coerce").astype("float64")
    if C.REC_GROUP in df.columns:
        df[C.REC_GROUP] = pd.to_numeric(df[C.REC_GROUP], errors="coerce").astype("Int64")
    for c in _TEXT[kind]:
        df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df


def from_rows(rows: Iterable[dict[str, Any]], kind: str) -> pd.DataFrame:
    """A record table from dicts keyed by the contract's column names."""
    rows = list(rows)
    if not rows:
        return empty(kind)
    return _typed(pd.DataFrame(rows, columns=list(COLUMNS[kind])), kind)


def read_records(values: list[list[Any]], kind: str) -> tuple[pd.DataFrame, list[CellProblem]]:
    """个人记录 (kind="person") or 小组记录 (kind="group") from its cell values.

    A row the teacher edited into something unreadable (no date, points
    that are not a number) is reported by cell and left out of the table;
    it stays on the sheet until corrected."""
    sheet = SHEETS[kind]
    columns = COLUMNS[kind]
    frame = frame_from_values(values, header_row=0, n_cols=len(columns)) if values else None
    problems: list[CellProblem] = []
    if frame is None or list(frame.columns[:-1]) != list(columns):
        if values and any(clean_text(v) for v in values[0]):
            problems.append(CellProblem(sheet, "A1", None, "第 1 行应为列名：" + "、".join(columns)))
        return empty(kind), problems
    col = {c: i + 1 for i, c in enumerate(columns)}
    rows = []
    for _, r in frame.iterrows():
        row = int(r["_row"])
        d = parse_date(r[C.REC_DATE])
        points = parse_number(r[C.REC_POINTS])
        ok = True
        if d is None:
            problems.append(CellProblem(sheet, cell_ref(row, col[C.REC_DATE]), clean_text(r[C.REC_DATE]), "应为日期"))
            ok = False
        if points is None:
            problems.append(CellProblem(sheet, cell_ref(row, col[C.REC_POINTS]), clean_text(r[C.REC_POINTS]), "分数应为数字"))
            ok = False
        if kind == "person":
            who = normalize_id(r[C.REC_ID])
            if not who:
                problems.append(CellProblem(sheet, cell_ref(row, col[C.REC_ID]), None, "学号不能为空"))
                ok = False
        group = parse_number(r[C.REC_GROUP])
        if kind == "group" and (group is None or not float(group).is_integer()):
            problems.append(CellProblem(sheet, cell_ref(row, col[C.REC_GROUP]), clean_text(r[C.REC_GROUP]), "组号应为正整数"))
            ok = False
        if not ok:
            continue
        rec = {c: (clean_text(r[c]) or None) for c in columns}
        rec[C.REC_DATE] = pd.Timestamp(d)
        rec[C.REC_POINTS] = points
        rec[C.REC_GROUP] = int(group) if group is not None and float(group).is_integer() else None
        if kind == "person":
            rec[C.REC_ID] = normalize_id(r[C.REC_ID])
        rows.append(rec)
    return from_rows(rows, kind), problems


def replace_days(existing: pd.DataFrame, new: pd.DataFrame, days: Iterable[date], kind: str,
                 source_prefix: str = DAILY_SOURCE_PREFIX) -> pd.DataFrame:
    """``existing`` with the rows of ``days`` that came from ``source_prefix``
    sheets replaced by ``new``; other rows (other days, other sources) kept.

    Idempotent: replace_days(replace_days(x, n, d), n, d) == replace_days(x, n, d).
    """
    stamps = {pd.Timestamp(d) for d in days}
    source = existing[C.REC_SOURCE].fillna("").astype(str)
    drop = existing[C.REC_DATE].isin(stamps) & source.str.startswith(source_prefix)
    kept = existing.loc[~drop]
    out = pd.concat([kept, new], ignore_index=True) if len(new) else kept.reset_index(drop=True)
    return sort_records(_typed(out, kind), kind)


def sort_records(df: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Stable order: by date, then group/student, keeping item order."""
    by = [C.REC_DATE, C.REC_GROUP] if kind == "group" else [C.REC_DATE, C.REC_GROUP, C.REC_ID]
    return df.sort_values(by, kind="stable", na_position="last").reset_index(drop=True)


def records_layout(df: pd.DataFrame, kind: str) -> Layout:
    """A record table as a filterable sheet (a teacher can check any total)."""
    styles = {C.REC_DATE: "date", C.REC_ID: "id", C.REC_GROUP: "integer", C.REC_POINTS: "number",
              C.REC_NOTE: "left", C.REC_SOURCE: "left", C.REC_RAW: "text"}
    df = df.reindex(columns=list(COLUMNS[kind]))
    return table_layout(df, column_styles=styles, autofilter=True,
                        widths={C.REC_DATE: 12, C.REC_SOURCE: 18, C.REC_NOTE: 24, C.REC_ITEM: 14})
