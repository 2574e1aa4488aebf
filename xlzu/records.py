"""个人记录 and 小组记录: the long record tables every summary is computed from.

One row per (date, who, item).  The daily sheets are forms over these
tables: saving a date replaces that date's rows that came from the daily
sheets (so saving twice changes nothing, a corrected cell replaces its old
value and a cleared cell removes its record), and rows that came from
anywhere else are kept.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Callable, Iterable

import pandas as pd

from . import contract as C
from .errors import CellProblem
from .layout import Layout, cell_ref, clean_text, excel_value, table_layout
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


def _blank(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return v.strip() == ""
    if isinstance(v, float):
        return v != v  # NaN
    if isinstance(v, (int, datetime)):
        return False
    return excel_value(v) is None  # numpy NaN, pd.NA, NaT


def _convert(column: list[Any], fn: Callable[[Any], Any]) -> list[Any]:
    """``fn`` over a column, computed once per distinct (type, value)."""
    cache: dict[tuple[type, Any], Any] = {}
    out = []
    append = out.append
    for v in column:
        key = (type(v), v)
        try:
            append(cache[key])
        except KeyError:
            r = fn(v)
            cache[key] = r
            append(r)
        except TypeError:  # unhashable: compute directly
            append(fn(v))
    return out


def _text(v: Any) -> Any:
    return clean_text(v) or None


def _timestamp(v: Any) -> Any:
    d = parse_date(v)
    return pd.Timestamp(d) if d is not None else None


def read_records(values: list[list[Any]], kind: str) -> tuple[pd.DataFrame, list[CellProblem]]:
    """个人记录 (kind="person") or 小组记录 (kind="group") from its cell values.

    A row the teacher edited into something unreadable (no date, points
    that are not a number) is reported by cell and left out of the table;
    it stays on the sheet until corrected.  Each column is converted once
    per distinct cell value, so a term of records (tens of thousands of
    rows) reads in a fraction of a second."""
    sheet = SHEETS[kind]
    columns = list(COLUMNS[kind])
    n = len(columns)
    problems: list[CellProblem] = []
    header = [clean_text(v) for v in values[0][:n]] if values else []
    if not values or header != columns:
        if values and any(clean_text(v) for v in values[0]):
            problems.append(CellProblem(sheet, "A1", None, "第 1 行应为列名：" + "、".join(columns)))
        return empty(kind), problems
    body: list[list[Any]] = []
    for i in range(1, len(values)):
        row = list(values[i][:n])
        if len(row) < n:
            row += [None] * (n - len(row))
        if all(_blank(v) for v in row):
            break
        body.append(row)
    if not body:
        return empty(kind), problems
    col = {c: j for j, c in enumerate(columns)}
    raw = {c: [r[j] for r in body] for c, j in col.items()}
    dates = _convert(raw[C.REC_DATE], _timestamp)
    points = _convert(raw[C.REC_POINTS], parse_number)
    groups = _convert(raw[C.REC_GROUP], parse_number)
    ids = _convert(raw[C.REC_ID], normalize_id) if kind == "person" else None
    keep: list[int] = []
    for k in range(len(body)):
        ok = dates[k] is not None and points[k] is not None
        if kind == "person":
            ok = ok and bool(ids[k])
        else:
            g = groups[k]
            ok = ok and g is not None and float(g).is_integer() and g >= 1
        if ok:
            keep.append(k)
            continue
        row = k + 2
        if dates[k] is None:
            problems.append(CellProblem(sheet, cell_ref(row, col[C.REC_DATE] + 1), clean_text(raw[C.REC_DATE][k]), "应为日期"))
        if points[k] is None:
            problems.append(CellProblem(sheet, cell_ref(row, col[C.REC_POINTS] + 1), clean_text(raw[C.REC_POINTS][k]), "分数应为数字"))
        if kind == "person" and not ids[k]:
            problems.append(CellProblem(sheet, cell_ref(row, col[C.REC_ID] + 1), None, "学号不能为空"))
        g = groups[k]
        if kind == "group" and (g is None or not float(g).is_integer() or g < 1):
            problems.append(CellProblem(sheet, cell_ref(row, col[C.REC_GROUP] + 1), clean_text(raw[C.REC_GROUP][k]), "组号应为正整数"))
    if not keep:
        return empty(kind), problems
    data: dict[str, list[Any]] = {}
    for c in columns:
        if c == C.REC_DATE:
            data[c] = [dates[k] for k in keep]
        elif c == C.REC_POINTS:
            data[c] = [points[k] for k in keep]
        elif c == C.REC_GROUP:
            data[c] = [int(groups[k]) if groups[k] is not None and float(groups[k]).is_integer() else None for k in keep]
        elif c == C.REC_ID and kind == "person":
            data[c] = [ids[k] for k in keep]
        else:
            conv = _convert(raw[c], _text)
            data[c] = [conv[k] for k in keep]
    frame = pd.DataFrame({c: pd.Series(data[c], dtype=object) for c in columns})
    return _typed(frame, kind), problems


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


def within(records: pd.DataFrame, period: Any) -> pd.DataFrame:
    """The records dated inside ``period`` (a week, month or evaluation
    period: anything with ``contains(dates)``)."""
    return records.loc[period.contains(records[C.REC_DATE])] if len(records) else records
