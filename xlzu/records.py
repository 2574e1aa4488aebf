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
from . import schema
from .cells import is_blank
from .layout import Layout, parse_range, table_layout

DAILY_SOURCE_PREFIX = ("日表", "周表")  # 来源 of rows that a daily sheet or a weekly form (周表-第N组) produced

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


TABLES = {"person": schema.PERSON_RECORDS, "group": schema.GROUP_RECORDS}


def read_table(values: list[list[Any]], kind: str) -> tuple[pd.DataFrame, schema.TableRead]:
    """个人记录 (kind="person") or 小组记录 (kind="group") from its cell values,
    with the table as found (where its header is, the teacher's columns and
    rows around it, every unreadable cell).

    The table is found by its header (rows may be inserted above it,
    columns beside it) and read to the last used row; a cleared row is
    skipped, not an end.  A row the teacher edited into something
    unreadable (no date, points that are not a number) is reported by cell
    and left out of the table: an operation that would write the table back
    refuses until it is corrected."""
    read = schema.read(values, TABLES[kind], required_header=any(not is_blank(v) for r in values for v in r))
    frame = read.frame
    if not len(frame):
        return empty(kind), read
    data = {c: frame[c] for c in COLUMNS[kind]}
    return _typed(pd.DataFrame(data).reset_index(drop=True), kind), read


def read_records(values: list[list[Any]], kind: str) -> tuple[pd.DataFrame, list[CellProblem]]:
    """The record table and the problems found reading it (see :func:`read_table`)."""
    df, read = read_table(values, kind)
    return df, read.problems


def replace_days(existing: pd.DataFrame, new: pd.DataFrame, days: Iterable[date], kind: str,
                 source_prefix: str | tuple[str, ...] = DAILY_SOURCE_PREFIX) -> pd.DataFrame:
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


def record_key(kind: str) -> tuple[str, str, str]:
    return (C.REC_DATE, C.REC_ID if kind == "person" else C.REC_GROUP, C.REC_ITEM)


def _keys(df: pd.DataFrame, kind: str) -> list[tuple[Any, ...]]:
    """Each record's identity: (日期, 学号 or 组号, 项目, how many came before it)."""
    seen: dict[tuple[Any, ...], int] = {}
    out = []
    cols = record_key(kind)
    for values in zip(*(df[c].tolist() for c in cols)):
        key = tuple(None if v is None or (isinstance(v, float) and v != v) or v is pd.NA else v for v in values)
        n = seen.get(key, 0)
        seen[key] = n + 1
        out.append((*key, n))
    return out


def records_layout(df: pd.DataFrame, kind: str, read: schema.TableRead | None = None) -> Layout:
    """A record table as a filterable sheet (a teacher can check any total).

    With ``read`` (the table as read before the run), what the teacher
    added is written back: each record keeps the cells of the columns added
    beside it (a 核对 column), rows above the table and notes below stay."""
    styles = {C.REC_DATE: "date", C.REC_ID: "id", C.REC_GROUP: "integer", C.REC_POINTS: "number",
              C.REC_NOTE: "left", C.REC_SOURCE: "left", C.REC_RAW: "text"}
    df = df.reindex(columns=list(COLUMNS[kind]))
    layout = table_layout(df, column_styles=styles, autofilter=True,
                          widths={C.REC_DATE: 12, C.REC_SOURCE: 18, C.REC_NOTE: 24, C.REC_ITEM: 14})
    if read is None or not read.found:
        return layout
    row_extras: list[dict[int, Any] | None] = []
    if read.extras:
        before = _typed(read.frame[list(COLUMNS[kind])].reset_index(drop=True), kind)
        by_key = {k: read.extras.get(int(r)) for k, r in zip(_keys(before, kind), read.frame["_row"])}
        row_extras = [by_key.get(k) for k in _keys(df, kind)]
    return schema.keep(layout, read, row_extras)


def rows_below(df: pd.DataFrame, kind: str,
               col: dict[str, int]) -> tuple[list[list[Any]], list[tuple[str, ...]], dict[int, float]]:
    """New records as rows of a record sheet whose header was found with its
    columns at ``col`` (declared column → 0-based sheet column), to go
    below the table's last row: the values, from column A, each sheet
    column's style keys and the width each column needs to show them, as
    :func:`records_layout` formats and sizes a record."""
    layout = records_layout(df, kind)
    names = layout.rows[0]
    width = max(col[n] for n in names) + 1
    styles: list[tuple[str, ...]] = [()] * width
    regions = [(parse_range(ref), key) for ref, key in layout.styles]
    for j, name in enumerate(names, start=1):  # the keys laid over a record's cell (row 2: the first record)
        styles[col[name]] = tuple(key for (r1, c1, r2, c2), key in regions if r1 <= 2 <= r2 and c1 <= j <= c2)
    rows = []
    for values in layout.rows[1:]:
        line: list[Any] = [None] * width
        for name, v in zip(names, values):
            line[col[name]] = v
        rows.append(line)
    widths = {col[name]: float(layout.widths[j]) for j, name in enumerate(names, start=1) if j in layout.widths}
    return rows, styles, widths


def within(records: pd.DataFrame, period: Any) -> pd.DataFrame:
    """The records dated inside ``period`` (a week, month or evaluation
    period: anything with ``contains(dates)``)."""
    return records.loc[period.contains(records[C.REC_DATE])] if len(records) else records
