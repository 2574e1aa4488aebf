"""A deterministic 分组 for tests (grouping is built on another branch).

Writes the contract's student table (GROUP_COLUMNS) and culture table
through Book.write_layout, the way the grouping operation will: students
ranked by 总分, cut into layers A–D, dealt to groups in a snake, codes
A1 A2 B1 … by rank inside each group, a 大组长 and a few roles.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from xlzu import contract as C
from xlzu.book.files import FileBook
from xlzu.layout import range_ref, table_layout
from xlzu.roster import read_roster
from xlzu.settings import read_settings

TEAM_NAMES = ("星火队", "雄鹰队", "追梦队", "启航队", "飞跃队", "青松队", "朝阳队", "磐石队", "凌云队", "锐进队")


def assign(roster: pd.DataFrame, n_groups: int) -> pd.DataFrame:
    df = roster[[C.ROSTER_ID, C.ROSTER_NAME, C.ROSTER_GENDER, C.ROSTER_TOTAL]].copy()
    df[C.ROSTER_TOTAL] = pd.to_numeric(df[C.ROSTER_TOTAL], errors="coerce").fillna(0)
    df = df.sort_values([C.ROSTER_TOTAL, C.ROSTER_ID], ascending=[False, True], kind="stable").reset_index(drop=True)
    n = len(df)
    df["layer"] = [C.LAYERS[min(4 * i // n, 3)] for i in range(n)]
    groups = []
    for i in range(n):
        lap, k = divmod(i, n_groups)
        groups.append(k + 1 if lap % 2 == 0 else n_groups - k)
    df["group"] = groups
    df["code"] = df.groupby(["group", "layer"]).cumcount().add(1).astype(str)
    df["code"] = df["layer"] + df["code"]
    rows = []
    for rec in df.to_dict("records"):
        roles = []
        if rec["code"] == "A1":
            roles.append(C.ROLE_LEADER)
        elif rec["code"] == "A2":
            roles.append(C.ROLE_STUDY)
        elif rec["code"] == "B1":
            roles.append(C.ROLE_DEPUTY)
        elif rec["code"] == "B2":
            roles.append(C.ROLE_HYGIENE)
        elif rec["code"] == "C1":
            roles.append(C.ROLE_DISCIPLINE)
        else:
            roles.append("语文" + C.ROLE_SUBJECT_SUFFIX)
        rows.append({
            C.GROUP_ID: rec[C.ROSTER_ID], C.GROUP_NAME_COL: rec[C.ROSTER_NAME], C.GROUP_GENDER: rec[C.ROSTER_GENDER],
            C.GROUP_LAYER: rec["layer"], C.GROUP_LAYER_OVERRIDE: None, C.GROUP_NO: rec["group"],
            C.GROUP_TEAM_NAME: TEAM_NAMES[rec["group"] - 1], C.GROUP_CODE: rec["code"],
            C.GROUP_ROLES: C.ROLE_SEPARATOR.join(roles), C.GROUP_LOCKED: None,
        })
    out = pd.DataFrame(rows, columns=list(C.GROUP_COLUMNS))
    return out.sort_values([C.GROUP_NO, C.GROUP_CODE], kind="stable").reset_index(drop=True)


def write_members(path: Path, members: pd.DataFrame) -> None:
    """Write 分组 (student table + culture table) into the workbook file."""
    book = FileBook.open(path)
    layout = table_layout(members.astype(object).where(members.notna(), None), freeze=False)
    groups = sorted({int(g) for g in members[C.GROUP_NO].dropna()})
    first = C.CULTURE_FIRST_COLUMN
    while len(layout.rows) < len(groups) + 1:
        layout.rows.append([])
    for k, row in enumerate(layout.rows):
        row += [None] * (first - 1 - len(row))
        if k == 0:
            row += list(C.CULTURE_COLUMNS)
        elif k <= len(groups):
            g = groups[k - 1]
            row += [g, TEAM_NAMES[g - 1], "互帮互学", "团结奋进", "争当明星小组", "王老师"]
    layout.style(range_ref(1, first, 1, first + len(C.CULTURE_COLUMNS) - 1), "header")
    book.write_layout(C.GROUPS, layout)
    book.save()


def write_groups(path: Path, n_groups: int = 7) -> pd.DataFrame:
    """Group the class in ``path`` into ``n_groups`` groups; returns the table."""
    book = FileBook.open(path)
    settings = read_settings(book.read_values(C.SETTINGS))
    roster, _ = read_roster(book.read_values(C.ROSTER), settings.subject_names)
    members = assign(roster, n_groups)
    write_members(path, members)
    return members
