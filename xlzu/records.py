"""个人记录 and 小组记录: the long record tables every summary is computed from.

One row per (date, who, item).  The daily sheets are forms over these
tables: saving a date replaces that date's rows that came from the daily
sheets (so saving twice changes nothing, a corrected cell replaces its old
value and a cleared cell removes its record), and rows that came from
anywhere else are kept.
"""

from __future__ import annotations

from datetime import date, datetime
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
    it stays on the sheet until corrected.  Vectorised: a term of records
    (tens of thousands of rows) reads in well under a second."""
    sheet = SHEETS[kind]
    columns = list(COLUMNS[kind])
    frame = frame_from_values(values, header_row=0, n_cols=len(columns)) if values else None
    problems: list[CellProblem] = []
    if frame is None or list(frame.columns[:-1]) != columns:
        if values and any(clean_text(v) for v in values[0]):
            problems.append(CellProblem(sheet, "A1", None, "第 1 行应为列名：" + "、".join(columns)))
        return empty(kind), problems
    col = {c: i + 1 for i, c in enumerate(columns)}
    rows = frame["_row"]

    dates = pd.to_datetime(frame[C.REC_DATE].map(_date_or_none), errors="coerce")
    points = pd.to_numeric(frame[C.REC_POINTS].map(_number), errors="coerce")
    group = pd.to_numeric(frame[C.REC_GROUP].map(_number), errors="coerce")
    ok = dates.notna() & points.notna()
    for i in frame.index[dates.isna()]:
        problems.append(CellProblem(sheet, cell_ref(int(rows[i]), col[C.REC_DATE]), clean_text(frame.at[i, C.REC_DATE]), "应为日期"))
    for i in frame.index[points.isna()]:
        problems.append(CellProblem(sheet, cell_ref(int(rows[i]), col[C.REC_POINTS]), clean_text(frame.at[i, C.REC_POINTS]), "分数应为数字"))
    out = pd.DataFrame(index=frame.index)
    for c in columns:
        out[c] = frame[c].map(_text)
    if kind == "person":
        ids = frame[C.REC_ID].map(lambda v: normalize_id(v) or None)
        for i in frame.index[ids.isna()]:
            problems.append(CellProblem(sheet, cell_ref(int(rows[i]), col[C.REC_ID]), None, "学号不能为空"))
        ok &= ids.notna()
        out[C.REC_ID] = ids
    whole = group.notna() & (group % 1 == 0)
    if kind == "group":
        for i in frame.index[~whole]:
            problems.append(CellProblem(sheet, cell_ref(int(rows[i]), col[C.REC_GROUP]), clean_text(frame.at[i, C.REC_GROUP]), "组号应为正整数"))
        ok &= whole
    out[C.REC_DATE] = dates.dt.normalize()
    out[C.REC_POINTS] = points
    out[C.REC_GROUP] = group.where(whole)
    problems.sort(key=lambda p: (int(p.cell[1:]) if p.cell[1:].isdigit() else 0, p.cell))
    return _typed(out.loc[ok].reset_index(drop=True), kind), problems


def _date_or_none(value: Any):
    if isinstance(value, datetime):
        return value
    d = parse_date(value)
    return pd.Timestamp(d) if d is not None else None


def _number(value: Any) -> float | None:
    if type(value) in (int, float):
        return value
    return parse_number(value)


def _text(value: Any) -> str | None:
    if type(value) is str:
        return value.strip() or None
    return clean_text(value) or None


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
