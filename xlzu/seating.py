"""Inside one group: member codes (代号), roles (职务) and the seat plan.

Pure pandas; the grouping operation writes the results to 分组 and 座位表.

Codes.  ``A1 A2 B1 B2 C1 C2 D1 D2``: the layer, then the rank inside the
layer within the group (1 = higher layering score).  A group of 9 or 10 has
codes such as ``A3``.

Roles (SPEC 2; roles may double up, every member holds at least one):

1. 大组长 — the member of the group's highest layer (A) with the highest
   组织能力; ties go to the higher code.  A group without an A member takes
   its 大组长 from the highest layer it has (and the report says so).
2. 副组长 — of the other gender, highest 组织能力; if the group has nobody
   of the other gender, the most able other member (reported).
3. 学习组长 — highest 学习品质 among members without a role yet.
4. 纪律组长 — highest 组织能力 among members without a role yet.
5. 卫生组长 — among members without a role yet, one from the lowest layer
   (a post that gives a C/D student responsibility), highest 组织能力.
6. One 学科组长 per subject in 设置 (语文组长, 数学组长, …): first every
   member still without a role takes the subject they are relatively best
   in (z-score within the class); each remaining subject goes to the
   member best in that subject among those not yet holding their share of
   the roles (⌈roles ÷ members⌉, 2 in a group of 8 with six subjects), so
   one strong student does not collect every post.  Without subject scores:
   to members with the fewest roles.
7. If members are still without a role (few subjects, big group), they
   become 记分员, 资料员, … (contract.SPARE_ROLES).

Seats.  Four facing pairs from the front of the group to the back,
``B1|C2, A1|D2, A2|D1, C1|B2`` (contract.SEAT_PAIRS): every facing pair is
a study pair.  Other sizes: a missing code leaves its seat empty; two rows
that each lost a member are merged into one (a group of 6 sits in three
rows), and a row left with one member moves to the back, so a group of 7
has its one empty seat at the back right; members beyond the eight codes (A3, B3 …) sit in a fifth row at the
back, paired high with low (A3|D3, B3|C3).
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np
import pandas as pd

from . import contract as C

STANDARD_CODES = tuple(code for pair in C.SEAT_PAIRS for code in pair)
_CODE = re.compile(r"^([A-D])(\d+)$")


def code_key(code: str | None) -> tuple[int, int]:
    """Sort key of a member code: A1 < A2 < B1 …; unknown codes last."""
    m = _CODE.match(code or "")
    if not m:
        return (len(C.LAYERS), 99)
    return (C.LAYERS.index(m.group(1)), int(m.group(2)))


def member_codes(groups: Sequence[int], layers: Sequence[str], score: Sequence[float]) -> list[str]:
    """Code of each student: layer letter + rank inside the layer within the
    group (1 = highest ``score``; ties keep list order)."""
    df = pd.DataFrame({"g": list(groups), "L": list(layers), "s": np.asarray(score, dtype=float)})
    df["pos"] = np.arange(len(df))
    df = df.sort_values(["g", "L", "s", "pos"], ascending=[True, True, False, True], kind="stable")
    df["rank"] = df.groupby(["g", "L"], sort=False).cumcount() + 1
    df = df.sort_values("pos")
    return [f"{L}{r}" for L, r in zip(df["L"], df["rank"])]


# --------------------------------------------------------------------------
# Roles
# --------------------------------------------------------------------------
def subject_role(subject: str) -> str:
    """语文 → 语文组长."""
    return f"{subject}{C.ROLE_SUBJECT_SUFFIX}"


def _num(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)


def assign_roles(group: pd.DataFrame, subjects: Sequence[str], subject_z: pd.DataFrame | None = None) -> tuple[list[list[str]], list[str]]:
    """Roles of each member of one group, in the frame's row order, and notes
    (Chinese) about rules that could not be met exactly.

    ``group`` has columns 姓名, 性别, 层次, 代号, 组织能力, 学习品质 (numbers or
    NaN).  ``subject_z`` (same index) holds each member's class z-score per
    subject (NaN when missing).
    """
    n = len(group)
    roles: list[list[str]] = [[] for _ in range(n)]
    notes: list[str] = []
    if n == 0:
        return roles, notes
    codes = list(group[C.GROUP_CODE])
    order_key = [code_key(c) for c in codes]  # A1 first
    lead = np.nan_to_num(_num(group[C.ROSTER_LEADERSHIP]), nan=0.0)
    quality = np.nan_to_num(_num(group[C.ROSTER_QUALITY]), nan=0.0)
    layer_idx = np.array([k[0] for k in order_key])
    gender = list(group[C.GROUP_GENDER])
    names = list(group[C.GROUP_NAME_COL])

    def pick(candidates: Sequence[int], *keys) -> int:
        """The candidate with the best keys (each: larger is better), ties → code order."""
        return min(candidates, key=lambda i: tuple(-k[i] for k in keys) + order_key[i])

    everyone = list(range(n))

    def without_role() -> list[int]:
        return [i for i in everyone if not roles[i]]

    def give(i: int, role: str) -> None:
        roles[i].append(role)

    # 1. 大组长
    top = int(layer_idx.min())
    leader = pick([i for i in everyone if layer_idx[i] == top], lead)
    give(leader, C.ROLE_LEADER)
    if top > 0:
        notes.append(f"没有 A 层组员，大组长由 {C.LAYERS[top]} 层的{names[leader]}担任")
    # 2. 副组长
    others = [i for i in everyone if i != leader]
    if others:
        opposite = {"男": "女", "女": "男"}.get(gender[leader] or "")
        pool = [i for i in others if opposite and gender[i] == opposite]
        if not pool:
            pool = others
            notes.append(f"组内没有{'异性' if opposite else '可对照性别的'}组员，副组长由{'同性' if opposite else '其他'}组员担任")
        give(pick(pool, lead, quality), C.ROLE_DEPUTY)
    # 3–5. 学习组长, 纪律组长, 卫生组长 go to members without a role while any remain.
    for role in (C.ROLE_STUDY, C.ROLE_DISCIPLINE, C.ROLE_HYGIENE):
        pool = without_role() or [i for i in everyone if i != leader] or everyone
        if role == C.ROLE_STUDY:
            give(pick(pool, quality, lead), role)
        elif role == C.ROLE_DISCIPLINE:
            give(pick(pool, lead, quality), role)
        else:
            give(pick(pool, layer_idx, lead), role)
    # 6. One 学科组长 per subject.
    subjects = list(subjects)
    z = pd.DataFrame(index=group.index) if subject_z is None else subject_z.reindex(group.index)
    zmat = np.column_stack([_num(z[s]) if s in z.columns else np.full(n, np.nan) for s in subjects]) if subjects else np.zeros((n, 0))
    open_subjects = list(range(len(subjects)))
    while without_role() and open_subjects:
        best = None
        for i in without_role():
            for j in open_subjects:
                v = zmat[i, j]
                key = (0 if np.isnan(v) else 1, -np.inf if np.isnan(v) else v, -order_key[i][0], -j)
                if best is None or key > best[0]:
                    best = (key, i, j)
        _, i, j = best
        give(i, subject_role(subjects[j]))
        open_subjects.remove(j)
    # The rest: the best in the subject among members not yet carrying their
    # share of the roles (so one strong student does not collect them all).
    cap = -(-(5 + len(subjects)) // n)
    for j in open_subjects:
        col = zmat[:, j]
        light = [i for i in everyone if len(roles[i]) < cap] or everyone
        scored = [i for i in light if not np.isnan(col[i])]
        if scored:
            i = pick(scored, np.nan_to_num(col, nan=-np.inf))
        else:
            i = min(light, key=lambda i: (len(roles[i]),) + order_key[i])
        give(i, subject_role(subjects[j]))
    # 7. Spare posts so that nobody is without a role.
    spare = list(C.SPARE_ROLES)
    for k, i in enumerate(without_role()):
        give(i, spare[k % len(spare)])
    # Roles in a fixed order: main roles, then subjects in 设置 order, then spare.
    rank = {r: k for k, r in enumerate((C.ROLE_LEADER, C.ROLE_DEPUTY, C.ROLE_STUDY, C.ROLE_DISCIPLINE, C.ROLE_HYGIENE))}
    rank.update({subject_role(s): 10 + k for k, s in enumerate(subjects)})
    rank.update({r: 100 + k for k, r in enumerate(spare)})
    roles = [sorted(r, key=lambda x: rank.get(x, 999)) for r in roles]
    return roles, notes


def subject_zscores(roster: pd.DataFrame, subjects: Sequence[str]) -> pd.DataFrame:
    """Each student's class z-score per subject (NaN when missing)."""
    out = pd.DataFrame(index=roster.index)
    for s in subjects:
        if s not in roster.columns:
            out[s] = np.nan
            continue
        v = pd.to_numeric(roster[s], errors="coerce").astype("float64")
        sd = v.std(ddof=1)
        out[s] = (v - v.mean()) / sd if sd and not np.isnan(sd) and sd > 0 else (v * 0.0)
    return out


# --------------------------------------------------------------------------
# Seats
# --------------------------------------------------------------------------
def seat_rows(codes: Sequence[str]) -> list[tuple[str | None, str | None]]:
    """The group's seat rows (left, right) from front to back, for the codes
    present (see the module docstring for groups other than 2A+2B+2C+2D)."""
    present = [c for c in codes if c]
    standard = set(STANDARD_CODES)
    rows: list[list[str | None]] = [[a if a in present else None, b if b in present else None] for a, b in C.SEAT_PAIRS]
    extras = sorted((c for c in present if c not in standard), key=code_key)
    # An extra member takes an empty seat next to someone first.
    for row in rows:
        if extras and (row[0] is None) != (row[1] is None):
            row[0 if row[0] is None else 1] = extras.pop(0)
    # Two half-empty rows become one.
    singles = [r for r in rows if (r[0] is None) != (r[1] is None)]
    while len(singles) >= 2:
        a, b = singles.pop(0), singles.pop(-1)
        who = b[0] if b[0] is not None else b[1]
        if a[0] is None:
            a[0] = who
        else:
            a[1] = who
        b[0] = b[1] = None
    rows = [r for r in rows if r[0] is not None or r[1] is not None]
    # A lone half-empty row moves to the back: the empty seat is the last one.
    half = [r for r in rows if r[0] is None or r[1] is None]
    if half and not extras:
        rows = [r for r in rows if r is not half[0]] + [half[0]]
        if half[0][0] is None:
            half[0][0], half[0][1] = half[0][1], None
    # Members beyond the eight codes sit at the back, high facing low.
    while extras:
        left = extras.pop(0)
        right = extras.pop(-1) if extras else None
        rows.append([left, right])
    return [(r[0], r[1]) for r in rows]


def seat_partner(rows: Sequence[tuple[str | None, str | None]]) -> dict[str, str]:
    """code → the code facing it (its study partner)."""
    out: dict[str, str] = {}
    for a, b in rows:
        if a and b:
            out[a], out[b] = b, a
    return out
