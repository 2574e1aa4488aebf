"""A CP-SAT certificate of the least possible D_sd (benchmark side, issue 13).

``certify(..., t)`` asks OR-tools CP-SAT whether any split that keeps
xlzu's rules could have D_sd < t.  The model is a RELAXATION: every real
split with D_sd < t satisfies it, so when CP-SAT proves it INFEASIBLE, no
split has D_sd < t ("proved": t is a lower bound on the least D_sd).  When
CP-SAT finds a solution ("found") it is a real split that keeps the rules
on sizes, layers, girls and boys and (up to rounding) on D_means, but its
D_sd may be ≥ t: check it with ``xlzu.grouping.measure``.  Out of time:
"unknown".  This lives beside the benchmark, not in the xlzu package,
which must stay runnable in Pyodide, where OR-tools does not exist.

The rules (those of ``xlzu.sdbound``'s bound, see its docstring):

* group g holds exactly ``counts[g, L]`` students of layer L (the planned
  layer counts, ``xlzu.grouping.plan_counts``; which group gets which row is
  free, so the row → group labelling loses nothing),
* every group holds between ⌊girls ÷ k⌋ and ⌈girls ÷ k⌉ girls, and likewise
  boys (``xlzu.sdbound.gender_bands``),
* D_means ≤ delta (0.01),
* locked students (``fixed`` ≥ 0) stay in their group.

Units: z = (x − mean) / population SD over the N students with 总分; a
student without 总分 (NaN, absent) takes a place and counts as girl or boy
but has no score.  Group g has n_g known members, S_g = Σ z, SS_g = Σ z²
over them, mean m_g = S_g / n_g and population SD with
SD_g² = SS_g / n_g − m_g².  A group with n_g = 0 has neither and is left
out of D_means and D_sd (as in ``measure``); n_g = 1 gives SD 0, which the
formulas below give too.

The relaxation, for a split with D_means ≤ delta and D_sd < t:

1. **Means.**  D_means ≤ delta ⇔ some a has every m_g ∈ [a, a + delta].
   The class mean 0 is a weighted average of the m_g, so 0 ∈ [a, a + delta]
   and every |m_g| ≤ delta.  With s_i = round(Q·z_i) (Q = 1e5),
   |Σ s_i − Q·S_g| ≤ n_g / 2; with the integer A = ⌊Q·a⌋ ∈ [−Q·delta − 1, 0],
   Q·m_g ∈ [A, A + 1 + Q·delta], hence

       n_g·(A − 1) ≤ Σ_{i∈g} s_i ≤ n_g·(A + Q·delta + 2).

2. **SDs.**  Let σ = min SD_g.  Σ_g n_g·SD_g² = N − Σ_g n_g·m_g² ≤ N and
   Σ n_g = N, so σ² ≤ 1.  D_sd < t puts every SD_g in [σ, σ + t), so with
   c = σ² and m_g² ≤ delta²:

       c ≤ SS_g / n_g = SD_g² + m_g² ≤ (√c + t)² + delta²
                                     = c + 2t·√c + t² + delta².

   √c is concave, so each tangent bounds it from above:
   √c ≤ √c₀ / 2 + c / (2√c₀) for every c₀ > 0, and the least of several
   tangents still does.  So with f_j(c) = c·(1 + t/√c_j) + t·√c_j + t² +
   delta² for a grid of c_j, SS_g / n_g ≤ min_j f_j(c).  (With √c ≤ 1
   alone the window would be 2t + t² + delta² wide; the tangents make it
   ≈ 2σt + t² + delta², which matters when σ is well below 1.)  In
   integers, q_i = round(Q·z_i²), T_g = Σ_{i∈g} q_i, |T_g − Q·SS_g| ≤
   n_g / 2, C = ⌊Q·c⌋ ∈ [0, Q], and an integer U with

       R·U ≤ ⌈R·(1 + t/√c_j)⌉·C + ⌈R·(1 + t/√c_j) + R·Q·(t·√c_j + t² + delta²)⌉

   for every j (R = 1000).  U = ⌊Q·min_j f_j(c)⌋ satisfies them: Q·c <
   C + 1 and the coefficients are rounded up (C ≥ 0); capped at max q + 2
   (T_g ≤ n_g·max q, so a larger U is never needed) it still does.  Then

       n_g·(C − 1) ≤ T_g ≤ n_g·(U + 2).

   Summed over the groups (Σ_g T_g = Σ_i q_i over the N students with
   总分, Σ n_g = N) these give N·(C − 1) ≤ Σ q ≤ N·(U + 2), stated as well
   for propagation (σ lies near 1: every group's SS_g / n_g is near 1).
   The slack of one unit per member on each side covers the rounding of
   s_i, q_i (½ each) and the floors of a, c and U, with room to spare; a
   little extra slack only weakens the proof, never breaks it.
3. **Absent students.**  n_g then depends on the split: a literal per
   possible value v of n_g (exactly one true, n_g = Σ v·[n_g = v]) enforces
   the constraints of 1 and 2 with n_g = v (v a constant, so they stay
   linear in A, C, U); v = 0 enforces nothing.  Without absent students
   n_g is the group's size.
4. **Symmetry.**  Groups with the same row of ``counts`` and no locked
   student are interchangeable.  Order the students with 总分 (layer, then
   z from the top; the top student first); relabelling each such class of
   groups in the order in which the ordered students first appear in them
   (groups without any of them last) maps any split to one where the p-th
   student lies in one of the class's first p + 1 groups.  Then absent,
   unlocked students of the same layer and gender are interchangeable (no
   score; they count alike for layers and gender): sorting their groups
   moves no student with 总分, so the first relabelling stands, and they
   may be asked to lie in groups of nondecreasing index.  Both requirements
   together remove no split up to relabelling (``_canonical`` computes the
   form they keep).

Every constraint holds for every real split with D_sd < t (after the
relabelling of 4), so INFEASIBLE proves D_sd ≥ t for every split.

CP-SAT runs with a fixed random seed and ``workers`` threads.  By default
they race each other under a wall time limit, so with more than one worker
the answer near the limit (and the split found) may vary from run to run;
with ``deterministic`` they take turns in a fixed order under a limit of
CP-SAT's deterministic time, and the answer is the same on every run.  A
"proved" is a proof whatever the run.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from xlzu.sdbound import gender_bands  # noqa: E402  (the gender rule, as xlzu keeps it)

Q = 100_000  # integer units per class SD (means) and per class SD² (squares)
R = 1_000  # scale of the tangents' coefficients
TANGENTS = np.round(np.arange(0.20, 1.0001, 0.02), 2) ** 2  # c_j = σ_j², σ_j = 0.20 … 1.00


@dataclass(frozen=True)
class Certificate:
    status: str  # "proved": no split has D_sd < t; "found": a split of the relaxation; "unknown": out of time
    groups: np.ndarray | None  # the split found (0-based groups, rows of counts), else None
    seconds: float  # wall seconds of the solve
    work: float = 0.0  # CP-SAT's deterministic time of the solve (what ``deterministic`` limits)


def available() -> bool:
    """Whether OR-tools is importable (the benchmark runs without it)."""
    try:
        from ortools.sat.python import cp_model  # noqa: F401
    except ImportError:
        return False
    return True


def relabel(groups: Sequence[int], layer: Sequence[int], counts: np.ndarray) -> np.ndarray | None:
    """The split ``groups`` with its groups renamed so that group g holds
    ``counts[g]`` students of each layer (None if its layer counts are not
    the rows of ``counts``).  Keeps a group's name when it already fits."""
    g = np.asarray(groups, dtype=int)
    layer = np.asarray(layer, dtype=int)
    counts = np.asarray(counts, dtype=int)
    k, n_layers = counts.shape
    if g.min() < 0 or g.max() >= k:
        return None
    have = np.zeros((k, n_layers), dtype=int)
    np.add.at(have, (g, layer), 1)
    target = [-1] * k
    free = set(range(k))
    for h in range(k):
        if (have[h] == counts[h]).all():
            target[h] = h
            free.discard(h)
    for h in range(k):
        if target[h] < 0:
            match = next((r for r in sorted(free) if (have[h] == counts[r]).all()), None)
            if match is None:
                return None
            target[h] = match
            free.discard(match)
    return np.asarray(target)[g]


def _order(z: np.ndarray, known: np.ndarray, layer: np.ndarray) -> np.ndarray:
    """The students with 总分, by layer, then 总分 from the top."""
    idx = np.flatnonzero(known)
    return idx[np.lexsort((-z[idx], layer[idx]))]


def _classes(counts: np.ndarray, fixed: np.ndarray) -> list[list[int]]:
    """Interchangeable groups: the same row of counts, no locked student."""
    locked = set(int(f) for f in fixed[fixed >= 0])
    by_row: dict[tuple, list[int]] = {}
    for g in range(counts.shape[0]):
        if g not in locked:
            by_row.setdefault(tuple(counts[g]), []).append(g)
    return [c for c in by_row.values() if len(c) > 1]


def _canonical(groups: np.ndarray, order: np.ndarray, classes: list[list[int]], absent: np.ndarray,
               layer: np.ndarray, girl: np.ndarray, boy: np.ndarray) -> np.ndarray:
    """``groups`` relabelled within each class in order of first appearance,
    then interchangeable absent students sorted by group (the form the
    symmetry constraints keep)."""
    out = groups.copy()
    for cls in classes:
        members = set(cls)
        rename: dict[int, int] = {}
        for i in order:
            h = int(groups[i])
            if h in members and h not in rename:
                rename[h] = cls[len(rename)]
        rest = [h for h in cls if h not in rename]  # groups without a student with 总分
        for h, new in zip(rest, cls[len(rename):]):
            rename[h] = new
        for h, new in rename.items():
            out[groups == h] = new
    for key in {(int(layer[i]), bool(girl[i]), bool(boy[i])) for i in absent}:
        same = [i for i in absent if (int(layer[i]), bool(girl[i]), bool(boy[i])) == key]
        out[same] = np.sort(out[same])
    return out


def certify(total: Sequence[float], layer: Sequence[int], girl: Sequence[bool], boy: Sequence[bool],
            counts: np.ndarray, t: float, seconds: float = 120.0, workers: int = 2,
            hint: Sequence[int] | None = None, fixed: Sequence[int] | None = None,
            delta: float = 0.01, seed: int = 0, pin_hint: bool = False, deterministic: bool = False,
            **params) -> Certificate:
    """Does any split keeping xlzu's rules (see the module docstring) have
    D_sd < ``t``?  "proved": none has; "found": the relaxation has a
    solution (``groups``; measure its D_sd); "unknown": out of ``seconds``.

    ``counts``: k × 4 layer counts per group; ``fixed``: each student's
    group, or −1 (locked students; a whole split to test the model);
    ``hint``: a split CP-SAT starts from (relabelled to the rows of counts
    and to the form the symmetry constraints keep), with ``pin_hint``
    enforced instead (to test that the symmetry constraints keep it);
    ``deterministic``: CP-SAT's workers interleaved in a fixed order and
    ``seconds`` a limit of its deterministic time (wall time at most 3 ×
    that): the same answer on every run, at some cost in speed;
    ``params``: further CP-SAT parameters (e.g. ``linearization_level=2``)."""
    from ortools.sat.python import cp_model

    x = np.asarray(total, dtype=float)
    n = len(x)
    layer = np.asarray(layer, dtype=int)
    girl = np.asarray(girl, dtype=bool)
    boy = np.asarray(boy, dtype=bool)
    counts = np.asarray(counts, dtype=int)
    k = counts.shape[0]
    fixed = np.full(n, -1) if fixed is None else np.asarray(fixed, dtype=int)
    known = ~np.isnan(x)
    N = int(known.sum())
    if counts.sum() != n or (np.bincount(layer, minlength=counts.shape[1]) != counts.sum(axis=0)).any():
        raise ValueError("counts do not match the layers")
    if N < 2 or np.nanstd(x) == 0:
        raise ValueError("fewer than two different 总分")
    z = np.where(known, (x - np.nanmean(x)) / np.nanstd(x), 0.0)
    s = np.where(known, np.round(Q * z), 0).astype(np.int64)
    q = np.where(known, np.round(Q * z * z), 0).astype(np.int64)
    (g_lo, g_hi), (b_lo, b_hi) = gender_bands(girl, boy, k)

    m = cp_model.CpModel()
    X = [[m.new_bool_var(f"x{i}_{g}") for g in range(k)] for i in range(n)]
    for i in range(n):
        m.add_exactly_one(X[i])
        if fixed[i] >= 0:
            m.add(X[i][int(fixed[i])] == 1)
    for g in range(k):
        col = [X[i][g] for i in range(n)]
        for L in range(counts.shape[1]):
            m.add(sum(col[i] for i in np.flatnonzero(layer == L)) == int(counts[g, L]))
        girls = sum(col[i] for i in np.flatnonzero(girl))
        boys = sum(col[i] for i in np.flatnonzero(boy))
        m.add_linear_constraint(girls, g_lo, g_hi)
        m.add_linear_constraint(boys, b_lo, b_hi)

    # Means: n_g·(A − 1) ≤ Σ s ≤ n_g·(A + Q·delta + 2).
    width = int(math.ceil(Q * delta))
    A = m.new_int_var(-width - 2, 0, "A")
    # SDs: n_g·(C − 1) ≤ Σ q ≤ n_g·(U + 2), R·U ≤ α_j·C + β_j for every tangent c_j.
    C = m.new_int_var(0, Q, "C")
    U = m.new_int_var(0, int(q.max()) + 2, "U")  # T_g ≤ n_g·max q: a larger U never needed
    for cj in TANGENTS:
        r = math.sqrt(cj)
        alpha = math.ceil(R * (1 + t / r))
        beta = math.ceil(R * (1 + t / r) + R * Q * (t * r + t * t + delta * delta))
        m.add(R * U <= alpha * C + beta)

    # Implied by the windows summed over the groups (Σ_g T_g = Σ q over the N known, Σ n_g = N):
    # N·(C − 1) ≤ Σ q ≤ N·(U + 2); stated for propagation.
    sum_q = int(q.sum())
    m.add(N * (C - 1) <= sum_q)
    m.add(N * (U + 2) >= sum_q)

    for g in range(k):
        col = [X[i][g] for i in range(n)]
        S = sum(int(s[i]) * col[i] for i in np.flatnonzero(known))
        T = sum(int(q[i]) * col[i] for i in np.flatnonzero(known))
        # possible numbers of known members, layer by layer
        lo = hi = 0
        for L in range(counts.shape[1]):
            c_L, known_L = int(counts[g, L]), int((known & (layer == L)).sum())
            absent_L = int((~known & (layer == L)).sum())
            lo += max(0, c_L - absent_L)
            hi += min(c_L, known_L)
        if lo == hi:
            cases = [(lo, None)]
        else:
            lits = {v: m.new_bool_var(f"n{g}_{v}") for v in range(lo, hi + 1)}
            m.add_exactly_one(lits.values())
            m.add(sum(col[i] for i in np.flatnonzero(known)) == sum(v * b for v, b in lits.items()))
            cases = list(lits.items())
        for v, lit in cases:
            if v == 0:
                continue
            cons = [S >= v * (A - 1), S <= v * (A + width + 2), T >= v * (C - 1), T <= v * (U + 2)]
            for c in cons:
                ct = m.add(c)
                if lit is not None:
                    ct.only_enforce_if(lit)

    order = _order(z, known, layer)
    classes = _classes(counts, fixed)
    for cls in classes:
        for p, i in enumerate(order):
            if fixed[i] >= 0:
                continue
            for j in range(p + 1, len(cls)):
                m.add(X[i][cls[j]] == 0)

    # Absent students of the same layer and gender are interchangeable: their groups in index order.
    absent = np.flatnonzero(~known & (fixed < 0))
    for key in {(int(layer[i]), bool(girl[i]), bool(boy[i])) for i in absent}:
        same = [i for i in absent if (int(layer[i]), bool(girl[i]), bool(boy[i])) == key]
        for a, b in zip(same, same[1:]):
            m.add(sum(g * X[a][g] for g in range(k)) <= sum(g * X[b][g] for g in range(k)))

    if hint is not None:
        h = relabel(hint, layer, counts)
        if h is None and pin_hint:
            raise ValueError("the hint's layer counts are not the rows of counts")
        if h is not None:
            h = _canonical(h, order, classes, absent, layer, girl, boy)
            for i in range(n):
                if pin_hint:
                    m.add(X[i][int(h[i])] == 1)
                for g in range(k):
                    m.add_hint(X[i][g], int(h[i] == g))

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = int(workers)
    solver.parameters.random_seed = int(seed)
    if deterministic:
        solver.parameters.interleave_search = True
        solver.parameters.max_deterministic_time = float(seconds)
        solver.parameters.max_time_in_seconds = 3.0 * float(seconds)
    else:
        solver.parameters.max_time_in_seconds = float(seconds)
    for name, value in params.items():
        setattr(solver.parameters, name, value)
    start = time.perf_counter()
    status = solver.solve(m)
    wall = time.perf_counter() - start
    work = solver.deterministic_time
    if status == cp_model.INFEASIBLE:
        return Certificate("proved", None, wall, work)
    if status in (cp_model.FEASIBLE, cp_model.OPTIMAL):
        groups = np.array([next(g for g in range(k) if solver.value(X[i][g])) for i in range(n)])
        return Certificate("found", groups, wall, work)
    if status == cp_model.MODEL_INVALID:
        raise RuntimeError(m.validate())
    return Certificate("unknown", None, wall, work)
