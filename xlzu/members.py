"""分组 as tables: who is in which group, and each group's culture fields.

The grouping operation writes 分组; the daily sheets, the summaries and the
Excel buttons read it through these functions, so its layout lives here once.
Left table (from A1): one row per student, contract.GROUP_COLUMNS.  Right
table (from column contract.CULTURE_FIRST_COLUMN): one row per group,
contract.CULTURE_COLUMNS.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from . import contract as C
from . import cells, schema
from .errors import CellProblem

def is_locked(value: Any) -> bool:
    return cells.is_locked(value)


def read_members_table(values: list[list[Any]]) -> tuple[pd.DataFrame, schema.TableRead]:
    """The student table of 分组 (see :func:`read_members`) and the table as found."""
    read = schema.read(values, schema.MEMBERS, max_col=_culture_start(values), keep_rows=True)
    out = read.frame.copy()
    # Text as object columns whose blanks are None: pandas 3 would infer a
    # string dtype whose blanks are NaN, and NaN is truthy.
    out[C.GROUP_NO] = pd.array(out[C.GROUP_NO].tolist(), dtype="Int64")
    out[C.GROUP_LOCKED] = out[C.GROUP_LOCKED].map(bool).astype(bool)
    out["_row"] = out["_row"].astype("int64")
    return out.reset_index(drop=True), read


def read_members(values: list[list[Any]]) -> tuple[pd.DataFrame, list[CellProblem]]:
    """The student table of 分组, typed: 学号/姓名/性别/层次/指定层次/组名/
    代号/职务 as text (None when blank), 组号 as nullable Int64, 锁定 as
    bool, plus ``_row`` (the Excel row).  The table is found by its header
    and read to the last used row (a cleared row is skipped).  Problems
    name bad cells; a repeated 学号 is one (its later row is left out)."""
    members, read = read_members_table(values)
    return members, read.problems


def _culture_start(values: list[list[Any]]) -> int | None:
    """0-based column where the group table of 分组 starts (None: none)."""
    members = schema.find_header(values, schema.MEMBERS)
    if members is None:
        return None
    header, col = members
    hit = schema.find_header(values, schema.CULTURE, start=header, stop=header + 1, min_col=max(col.values()) + 1)
    return hit[1][C.GROUP_NO] if hit else None


def read_culture_table(values: list[list[Any]]) -> tuple[pd.DataFrame, schema.TableRead]:
    """The group table of 分组 (see :func:`read_culture`) and the table as
    found: a row whose 组号 cannot be read, or repeats another row's, is left
    out of the frame and named in ``problems``; a write-back of 分组 refuses
    while there are any and keeps ``extras``/``notes`` (the teacher's
    columns and notes beside the table)."""
    start = _culture_start(values)
    if start is None:
        read = schema.read([], schema.CULTURE)
    else:
        read = schema.read(values, schema.CULTURE, min_col=start)
    out = read.frame[list(C.CULTURE_COLUMNS)].copy()
    out[C.GROUP_NO] = pd.array(out[C.GROUP_NO].tolist(), dtype="Int64")
    return out.reset_index(drop=True), read


def read_culture(values: list[list[Any]]) -> pd.DataFrame:
    """The group table of 分组 (组号, 组名, 组规, 组训, 小组目标, 导师), one row
    per group number found; text columns as str (blank → None)."""
    return read_culture_table(values)[0]


def team_name(culture: pd.DataFrame, group: int) -> str:
    """The group's 组名, or 第N组 when it has none."""
    hit = culture.loc[culture[C.GROUP_NO] == group, C.GROUP_TEAM_NAME]
    if len(hit) and isinstance(hit.iloc[0], str) and hit.iloc[0]:
        return hit.iloc[0]
    return f"第{group}组"
