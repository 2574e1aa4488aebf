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
a study pair, A in the middle rows, B and C at the ends.  Other sizes (see
:func:`seat_rows`): pairs whose two members are present stay; the others
pair high with low; in an odd group the member left over sits beside a
member of their own layer (a three-seat row) instead of alone; rows with an
A never take the first or last place (a group of 6 or 7 has three rows, so
its two A members share the middle row).
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
def _is_a(code: str | None) -> bool:
    return code_key(code)[0] == 0


def seat_rows(codes: Sequence[str]) -> list[tuple[str | None, ...]]:
    """The group's seat rows from front to back, for the codes present.

    A row is ``(left, right)``: two members facing each other, a study pair;
    or ``(left, right, extra)`` in a group of odd size: ``extra`` sits beside
    ``left`` (a three-seat row) and also faces ``right``.  The rules, for
    every group size:

    * the contract's pairs (B1|C2, A1|D2, A2|D1, C1|B2) where both members
      are present; the others pair high with low (A3|D3, or a member whose
      partner is missing with the lowest such member left);
    * an odd member out joins the row of a member of their own layer (an
      A the middle row of the other A), else the last row, on that side;
    * rows holding an A sit in the middle (never the first or last row when
      the group has three rows or more): with three rows and two A rows, the
      A members share the middle row (facing each other, or two beside each
      other facing the lowest member when the group is odd).
    """
    present = [c for c in codes if c]
    have = set(present)
    pairs: list[list[str]] = [[a, b] for a, b in C.SEAT_PAIRS if a in have and b in have]
    paired = {c for p in pairs for c in p}
    loose = sorted((c for c in present if c not in paired), key=code_key)
    while len(loose) >= 2:
        pairs.append([loose.pop(0), loose.pop(-1)])
    extra = loose[0] if loose else None

    a_rows = [p for p in pairs if any(_is_a(c) for c in p)]
    if len(pairs) == 3 and len(a_rows) == 2:
        # Three rows, one middle: the two A members share it.
        (a1, x), (a2, y) = [(p[0], p[1]) if _is_a(p[0]) else (p[1], p[0]) for p in a_rows]
        rest = [p for p in pairs if p not in a_rows]
        if extra is not None:
            # Odd group: A1 and A2 side by side facing the lower of x, y;
            # the other pairs with the odd member out.
            lo, hi = sorted([x, y], key=code_key, reverse=True)
            pairs = rest + [[a1, lo, a2]]
            other = sorted([hi, extra], key=code_key)
            pairs.append(other)
            extra = None
        else:
            pairs = rest + [[a1, a2], sorted([x, y], key=code_key)]
        a_rows = [p for p in pairs if any(_is_a(c) for c in p)]
    others = [p for p in pairs if not any(_is_a(c) for c in p)]
    n = len(pairs)
    if n >= 3:
        middle = list(range(1, n - 1))
        ends = [0, n - 1]
    else:
        middle, ends = list(range(n)), []
    order: list[list[str] | None] = [None] * n
    a_rows = sorted(a_rows, key=lambda p: min(code_key(c) for c in p))
    slots = middle[:len(a_rows)] if len(a_rows) <= len(middle) else list(range(n))[:len(a_rows)]
    if len(a_rows) < len(middle):  # centre them
        shift = (len(middle) - len(a_rows)) // 2
        slots = middle[shift:shift + len(a_rows)]
    for slot, p in zip(slots, a_rows):
        order[slot] = p
    free = [i for i in ends[:1] + middle + ends[1:] if order[i] is None]
    for slot, p in zip(free, others):
        order[slot] = p
    rows = [p for p in order if p is not None]
    if extra is not None and not rows:
        return [(extra, None)]  # a group of one
    if extra is not None:
        same = [r for r in rows if any(code_key(c)[0] == code_key(extra)[0] for c in r)]
        target = same[0] if same else rows[-1]
        if len(target) == 2:
            # Sit beside the member of one's own layer (else beside the higher one).
            side = 0
            if same:
                side = 0 if code_key(target[0])[0] == code_key(extra)[0] else 1
            elif code_key(target[1]) < code_key(target[0]):
                side = 1
            if side == 1:
                target[0], target[1] = target[1], target[0]
            target.append(extra)
        else:
            rows.append([extra, None])  # not reached: a three-seat row only comes with no extra left
    return [tuple(r) for r in rows]


def seat_partner(rows: Sequence[tuple[str | None, ...]]) -> dict[str, str]:
    """code → the code facing it (its study partner)."""
    out: dict[str, str] = {}
    for row in rows:
        if len(row) >= 2 and row[0] and row[1]:
            out[row[0]], out[row[1]] = row[1], row[0]
        if len(row) == 3 and row[2] and row[1]:
            out[row[2]] = row[1]
    return out
