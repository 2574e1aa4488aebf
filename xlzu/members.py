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
from .errors import CellProblem
from .layout import cell_ref, clean_text, frame_from_values
from .roster import normalize_id, normalize_name
from .settings import normalize_text, parse_number

LOCK_WORDS = {"是", "y", "yes", "1", "√", "✓", "锁", "锁定", "true", "x", "✔"}


def is_locked(value: Any) -> bool:
    return normalize_text(value).lower() in LOCK_WORDS


def read_members(values: list[list[Any]]) -> tuple[pd.DataFrame, list[CellProblem]]:
    """The student table of 分组, typed: 学号/姓名/性别/层次/指定层次/组名/
    代号/职务 as text (None when blank), 组号 as nullable Int64, 锁定 as
    bool, plus ``_row`` (the Excel row).  Problems name bad cells; a
    repeated 学号 is one (its later row is left out)."""
    frame = frame_from_values(values, header_row=0, n_cols=len(C.GROUP_COLUMNS))
    problems: list[CellProblem] = []
    header = [clean_text(v) for v in (values[0][: len(C.GROUP_COLUMNS)] if values else [])]
    if header[: len(C.GROUP_COLUMNS)] != list(C.GROUP_COLUMNS):
        # A sheet without the contract's header has no members (yet).
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in C.GROUP_COLUMNS})
        empty[C.GROUP_NO] = empty[C.GROUP_NO].astype("Int64")
        empty[C.GROUP_LOCKED] = empty[C.GROUP_LOCKED].astype(bool)
        empty["_row"] = pd.Series(dtype="int64")
        return empty, problems
    col = {c: i + 1 for i, c in enumerate(C.GROUP_COLUMNS)}
    rows = []
    first_row: dict[str, int] = {}
    for _, r in frame.iterrows():
        row = int(r["_row"])
        rec: dict[str, Any] = {}
        rec[C.GROUP_ID] = normalize_id(r[C.GROUP_ID]) or None
        rec[C.GROUP_NAME_COL] = normalize_name(r[C.GROUP_NAME_COL]) or None
        if rec[C.GROUP_ID] is None:
            if rec[C.GROUP_NAME_COL] is None:
                continue  # a hint line, not a student
            problems.append(CellProblem(C.GROUPS, cell_ref(row, col[C.GROUP_ID]), None, "学号不能为空"))
            continue
        if rec[C.GROUP_ID] in first_row:  # one student, two rows: whose scores would they be?
            problems.append(CellProblem(C.GROUPS, cell_ref(row, col[C.GROUP_ID]), rec[C.GROUP_ID],
                                        f"学号与第{first_row[rec[C.GROUP_ID]]}行重复，请删掉重复的行"))
            continue
        first_row[rec[C.GROUP_ID]] = row
        for c in (C.GROUP_GENDER, C.GROUP_TEAM_NAME, C.GROUP_CODE, C.GROUP_ROLES):
            rec[c] = clean_text(r[c]) or None
        for c in (C.GROUP_LAYER, C.GROUP_LAYER_OVERRIDE):
            text = normalize_text(r[c]).upper()
            if text and text not in C.LAYERS:
                problems.append(CellProblem(C.GROUPS, cell_ref(row, col[c]), clean_text(r[c]), "层次应为 A、B、C、D 之一"))
                text = ""
            rec[c] = text or None
        raw = r[C.GROUP_NO]
        n = parse_number(raw)
        if clean_text(raw) and (n is None or not float(n).is_integer() or n < 1):
            problems.append(CellProblem(C.GROUPS, cell_ref(row, col[C.GROUP_NO]), clean_text(raw), "组号应为正整数"))
            n = None
        rec[C.GROUP_NO] = int(n) if n is not None else None
        rec[C.GROUP_LOCKED] = is_locked(r[C.GROUP_LOCKED])
        rec["_row"] = row
        rows.append(rec)
    out = pd.DataFrame(rows, columns=[*C.GROUP_COLUMNS, "_row"])
    # Text as object columns whose blanks are None: pandas 3 would infer a
    # string dtype whose blanks are NaN, and NaN is truthy.
    for c in (C.GROUP_ID, C.GROUP_NAME_COL, C.GROUP_GENDER, C.GROUP_LAYER, C.GROUP_LAYER_OVERRIDE,
              C.GROUP_TEAM_NAME, C.GROUP_CODE, C.GROUP_ROLES):
        out[c] = pd.Series([r[c] for r in rows], dtype=object, index=out.index)
    out[C.GROUP_NO] = out[C.GROUP_NO].astype("Int64")
    out[C.GROUP_LOCKED] = out[C.GROUP_LOCKED].astype(bool)
    out["_row"] = out["_row"].astype("int64")
    return out, problems


def read_culture(values: list[list[Any]]) -> pd.DataFrame:
    """The group table of 分组 (组号, 组名, 组规, 组训, 小组目标, 导师), one row
    per group number found; text columns as str (blank → None)."""
    frame = frame_from_values(values, header_row=0, first_col=C.CULTURE_FIRST_COLUMN, n_cols=len(C.CULTURE_COLUMNS))
    rows = []
    for _, r in frame.iterrows():
        n = parse_number(r.get(C.GROUP_NO))
        if n is None or not float(n).is_integer() or n < 1:
            continue
        rec = {c: (clean_text(r.get(c)) or None) for c in C.CULTURE_COLUMNS}
        rec[C.GROUP_NO] = int(n)
        rows.append(rec)
    out = pd.DataFrame(rows, columns=list(C.CULTURE_COLUMNS))
    for c in C.CULTURE_COLUMNS[1:]:
        out[c] = pd.Series([r[c] for r in rows], dtype=object, index=out.index)
    out[C.GROUP_NO] = out[C.GROUP_NO].astype("Int64")
    return out.drop_duplicates(C.GROUP_NO, keep="first").reset_index(drop=True)


def team_name(culture: pd.DataFrame, group: int) -> str:
    """The group's 组名, or 第N组 when it has none."""
    hit = culture.loc[culture[C.GROUP_NO] == group, C.GROUP_TEAM_NAME]
    if len(hit) and isinstance(hit.iloc[0], str) and hit.iloc[0]:
        return hit.iloc[0]
    return f"第{group}组"
