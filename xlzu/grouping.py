"""Balanced groups (分组): layers, group sizes and the anticlustering search.

Pure numpy/pandas; nothing here knows about Excel.  The operation
``xlzu.ops.groups`` reads the workbook, calls :func:`plan_groups`, and writes
分组 and 座位表.

The problem (SPEC 2, 组内异质、组间同质) is anticlustering (Papenberg & Klau
2021; Papenberg 2024, R package anticlust): split the class into K groups
whose sizes differ by at most one, each mixing the four layers A/B/C/D, so
that across groups

* the mean 总分 and the spread (standard deviation) of 总分 are as equal as
  possible (the k-plus idea: balance the first *and* second moment),
* the number of girls (and boys) differs by at most one,
* the number of members with high 组织能力 is as even as possible.

The layer mix is kept exact by construction: a per-group count of each layer
is planned first (counts of one layer differ by at most one across groups),
and the search only ever exchanges two students of the same layer (or
recombines the members of one layer between two groups), so the counts never
change.  Students the teacher locked (锁定) are never moved.

Quality is measured in units of the class's 总分 standard deviation:
``D_means`` = max − min of the group means, ``D_sd`` = max − min of the
group standard deviations; the gender imbalance is max − min of the number of
girls per group.  The search minimises

    D_means / 0.01 + D_sd / 0.02 + ½ (sd(group means) / 0.01 + sd(group SDs) / 0.02)
    + 200 · (D_means − 0.0095)⁺ / 0.01 + 20 · (D_sd − cap)⁺ / 0.02
    + 1000 · (girls and boys outside [⌊total ÷ K⌋, ⌈total ÷ K⌉], summed over groups)
    + 2 · (members with 组织能力 ≥ 4 outside their band, summed over groups)

where cap = max(0.018, 1.2 × the lower bound on D_sd): the steep terms put
the targets first (D_means is never traded for D_sd, neither is traded for
an even spread of 组织能力).

The bands say "max − min at most one" in a form that has a slope (a swap
that brings one group into its band always helps), and the spread terms give
the search a slope where the max − min alone is flat.  It starts from a
strong greedy split (students without 总分 spread first), improves it with
same-layer swaps, exact recombinations of pairs of groups (every way to
share each layer's members between the two, all pairs evaluated at once in
numpy) and same-layer 3-cycles (one student each of three groups moves on
to the next: optima no exchange between two groups can leave), then walks
on as a tabu search: always the best recombination of a pair of groups
that was not recombined in the last moves, even when it is worse, and from
the best split found, perturbed, when the walk stalls.  Where a group holds
locked students, a pair may also exchange its layer counts (which group is
the smaller one, which has the short layer), so the counts follow the
locks (the multiset of counts stays; the lower bound reported is the
smaller of the one for the planned counts and the one for the split's own).
When every start has walked, the starts whose best split is still above a
cap (D_means or D_sd), and within 1.2 × the best start's D_sd, get
exact recombinations of three groups (every way to share each layer's
members among the three, met in the middle; ``_Search.triple_best``), which
leave optima no move between two groups can: a 60-student class goes from
D_sd 0.031 to 0.024.  It stops once both figures are under their stopping
shares (or D_sd is close to its lower bound), or after a fixed amount of
work.
Everything is driven by ``numpy.random.default_rng(seed)`` and fixed
counts of moves and evaluated candidates (not seconds), so one seed always
gives the same groups on one machine, however busy.  Not yet across
machines: the group sums come from matrix products, and OpenBLAS picks the
order of their additions by processor, so the last bits (and, through the
search's path, the split) can differ between an AVX-512 and an AVX2
computer (``OPENBLAS_CORETYPE=Haswell`` reproduces the latter).
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field, replace
from typing import NamedTuple, Sequence

import numpy as np
import pandas as pd

from . import contract as C
from .sdbound import SdBound, sd_lower_bound, tighten

# Targets the objective is scaled by (class SDs).
TAU_MEANS = 0.01
TAU_SD = 0.02
SMOOTH = 0.5  # weight of the spread terms
MEANS_CAP = 0.95 * TAU_MEANS  # beyond this D_means costs MEANS_OVER times more: never trade it for D_sd
MEANS_OVER = 200.0
SD_OVER = 20.0  # likewise beyond the D_sd cap (_Weights.sd_cap): the targets come before 组织能力
STOP_MEANS, STOP_SD = 0.8, 0.9  # stop searching once both figures are below these shares of their targets
STOP_NEAR = 0.2  # ... or D_sd is within this share of its lower bound
GENDER_WEIGHT = 1000.0  # per girl (or boy) the range exceeds one
LEAD_WEIGHT = 2.0  # per member with high 组织能力 the range exceeds one
HIGH_LEADERSHIP = 4  # 组织能力 at or above this counts as "high"
MIN_GROUP, MAX_GROUP = 6, 10
N_LAYERS = len(C.LAYERS)
_EPS = 1e-9  # improvements smaller than this are rounding noise
CALL_WORK = 15000  # what one call of a move evaluation costs beyond its candidates, in candidates
_SAME = 1e-7  # a candidate within this of the objective is taken to leave the groups as they are
PAIR_MEANS = 0.015  # recombinations of two groups whose means differ by more are never tried


@dataclass(frozen=True)
class Effort:
    """How hard the search tries.  Iteration counts, not seconds, so a seed
    gives the same result however fast or busy the machine."""

    restarts: int  # independent starts (the first is the greedy split)
    iterations: int  # perturb-and-improve rounds per start
    perturb: int  # random same-layer swaps per perturbation
    combos: int = 216  # largest recombination of two groups enumerated at once (1296: two groups of 2A+2B+2C+2D)
    tabu: bool = False  # tabu search (iterations = moves) instead of perturb-and-improve rounds
    tenure: float = 0.25  # share of the pairs of groups that are tabu after a move
    patience: int = 30  # moves without a better state before the walk restarts, perturbed, from the best
    work: float = np.inf  # candidates evaluated before the search stops
    rescue: float = 0.0  # D_sd above this many times max(TAU_SD, bound) after every start: as many starts again (0: never)
    triples: int = 0  # recombinations of three groups: most ways of one half of the layers (0: none; 8100: 2+2+2 of two layers)
    triple_work: float = 0.0  # candidates the recombinations of three groups may evaluate per start polished
    polish_near: float = np.inf  # only starts whose D_sd is within this many times the best start's are polished


EFFORTS = {
    "full": Effort(restarts=2, iterations=2000, perturb=3, combos=1296, tabu=True, tenure=0.4, patience=25, work=8e6,
                   rescue=1.5, triples=8100, triple_work=1.5e6, polish_near=1.2),
    "fast": Effort(restarts=1, iterations=8, perturb=3),
}


# --------------------------------------------------------------------------
# Group count and sizes
# --------------------------------------------------------------------------
def group_count(n: int, size: int = 8) -> int:
    """Number of groups for ``n`` students with ``size`` wanted per group.

    The count whose sizes (differing by at most one) all lie in 6–10 and
    whose average size is closest to ``size``; ties go to more groups
    (smaller groups).  53 students, size 8 → 7 groups of 7–8.  Classes that
    cannot be cut into groups of 6–10 (6–10 students: one group; 11: two
    groups of 5 and 6) get the closest possible split.
    """
    if n < 1:
        return 0
    best: tuple[float, int] | None = None
    for k in range(1, n + 1):
        lo, hi = n // k, -(-n // k)
        if lo >= MIN_GROUP and hi <= MAX_GROUP:
            d = abs(n / k - size)
            if best is None or d < best[0] - 1e-9 or (abs(d - best[0]) <= 1e-9 and k > best[1]):
                best = (d, k)
    if best is not None:
        return best[1]
    # No split fits 6–10: the one that misses the range by the least.
    return min(range(1, n + 1), key=lambda k: (max(MIN_GROUP - n // k, -(-n // k) - MAX_GROUP, 0), abs(n / k - size), -k))


def group_sizes(n: int, k: int) -> list[int]:
    """Sizes of ``k`` groups for ``n`` students, larger ones first."""
    q, r = divmod(n, k)
    return [q + 1] * r + [q] * (k - r)


# --------------------------------------------------------------------------
# Layers
# --------------------------------------------------------------------------
def _zscore(values: np.ndarray) -> np.ndarray:
    known = ~np.isnan(values)
    out = np.full(values.shape, np.nan)
    if known.sum() == 0:
        return out
    v = values[known]
    sd = v.std(ddof=1) if known.sum() > 1 else 0.0
    out[known] = (v - v.mean()) / sd if sd > 0 else 0.0
    return out


def composite_scores(total: Sequence[float], quality: Sequence[float], weight_total: float = 0.7,
                     weight_quality: float = 0.3) -> np.ndarray:
    """The layering score: ``w_t·z(总分) + w_q·z(学习品质)`` over ``w_t + w_q``.

    A student without 总分 is placed by 学习品质 alone; without 学习品质, by
    总分 alone; with neither, in the middle of the class (score 0).
    """
    zt = _zscore(np.asarray(total, dtype=float))
    zq = _zscore(np.asarray(quality, dtype=float))
    wt, wq = float(weight_total), float(weight_quality)
    both = ~np.isnan(zt) & ~np.isnan(zq)
    out = np.zeros(len(zt))
    if wt + wq > 0:
        out[both] = (wt * zt[both] + wq * zq[both]) / (wt + wq)
    only_t = ~np.isnan(zt) & np.isnan(zq)
    only_q = np.isnan(zt) & ~np.isnan(zq)
    out[only_t] = zt[only_t]
    out[only_q] = zq[only_q]
    if wt == 0:
        out[~np.isnan(zq)] = zq[~np.isnan(zq)]
    if wq == 0:
        out[~np.isnan(zt)] = zt[~np.isnan(zt)]
    return out


def layer_quotas(n: int) -> list[int]:
    """How many students each layer holds: quarters, the top layers take the
    remainder (53 → 14, 13, 13, 13)."""
    q, r = divmod(n, N_LAYERS)
    return [q + (1 if i < r else 0) for i in range(N_LAYERS)]


def assign_layers(score: Sequence[float], overrides: Sequence[str | None] | None = None) -> np.ndarray:
    """Layer index (0 = A … 3 = D) of each student.

    A layer typed by the teacher (``overrides``) is kept.  The others are
    ranked by ``score`` (ties: list order) and fill each layer's quota from
    the top; overridden students count against their layer's quota, so an
    override into A moves the lowest remaining A student down to B.
    """
    score = np.asarray(score, dtype=float)
    n = len(score)
    layer = np.full(n, -1, dtype=int)
    if overrides is not None:
        for i, v in enumerate(overrides):
            if isinstance(v, str) and v in C.LAYERS:
                layer[i] = C.LAYERS.index(v)
    quota = np.array(layer_quotas(n))
    quota -= np.bincount(layer[layer >= 0], minlength=N_LAYERS)
    quota = np.maximum(quota, 0)
    free = np.flatnonzero(layer < 0)
    order = free[np.argsort(-score[free], kind="stable")]
    pos = 0
    for L in range(N_LAYERS):
        take = order[pos : pos + quota[L]]
        layer[take] = L
        pos += len(take)
    layer[order[pos:]] = N_LAYERS - 1  # not reached: quotas cover everyone
    return layer


# --------------------------------------------------------------------------
# Planning how many of each layer go to each group
# --------------------------------------------------------------------------
def plan_counts(layer: np.ndarray, fixed: np.ndarray, k: int) -> np.ndarray:
    """A (k × 4) matrix: how many students of each layer each group gets.

    Counts of one layer differ by at most one across groups and group sizes
    differ by at most one, as far as the locked students (``fixed`` ≥ 0: their
    group) allow: locked students always count where they are.
    """
    counts = np.zeros((k, N_LAYERS), dtype=int)
    for i in np.flatnonzero(fixed >= 0):
        counts[fixed[i], layer[i]] += 1
    locked = counts.copy()
    remaining = np.bincount(layer, minlength=N_LAYERS) - locked.sum(axis=0)
    size = counts.sum(axis=1)
    while remaining.sum() > 0:
        L = int(np.argmax(remaining))
        key = counts[:, L] * (10 * len(layer) + 10) + size
        g = int(np.argmin(key))
        counts[g, L] += 1
        size[g] += 1
        remaining[L] -= 1
    # Repair sizes that differ by more than one without widening a layer's spread.
    for _ in range(len(layer) * N_LAYERS):
        big, small = int(np.argmax(size)), int(np.argmin(size))
        if size[big] - size[small] <= 1:
            break
        gap = counts[big] - counts[small]
        movable = (counts[big] > locked[big]) & (gap >= 1)
        if not movable.any():
            break
        L = int(np.argmax(np.where(movable, gap, -1)))
        counts[big, L] -= 1
        counts[small, L] += 1
        size[big] -= 1
        size[small] += 1
    return counts


# --------------------------------------------------------------------------
# The search
# --------------------------------------------------------------------------
# Feature columns of one student: known 总分 (0/1), x, x², girl, boy, high 组织能力.
_K, _S1, _S2, _GIRL, _BOY, _LEAD = range(6)  # _K and _S1 first: _Search._enumerate slices them


def _features(x: np.ndarray, girl: np.ndarray, boy: np.ndarray, lead: np.ndarray) -> np.ndarray:
    known = ~np.isnan(x)
    xv = np.where(known, x, 0.0)
    return np.stack([known.astype(float), xv, xv * xv, girl.astype(float), boy.astype(float), lead.astype(float)], axis=1)


def _values(S: np.ndarray, use_sd: bool) -> np.ndarray:
    """Per-group values (…, 5): mean, SD, girls, boys, leaders, from the
    summed features (…, 6)."""
    k = S[..., _K]
    m = S[..., _S1] / np.maximum(k, 1.0)
    out = np.empty(S.shape[:-1] + (5,))
    out[..., 0] = m
    if use_sd:
        var = (S[..., _S2] - S[..., _S1] * m) / np.maximum(k, 1.0)  # population variance
        out[..., 1] = np.sqrt(np.maximum(var, 0.0))
    else:
        out[..., 1] = 0.0
    out[..., 2:] = S[..., _GIRL:]
    return out


@dataclass
class _Weights:
    means: float = 1.0 / TAU_MEANS
    means_over: float = MEANS_OVER / TAU_MEANS  # extra slope once D_means passes MEANS_CAP
    sd: float = 1.0 / TAU_SD
    sd_over: float = SD_OVER / TAU_SD  # extra slope once D_sd passes sd_cap
    sd_cap: float = STOP_SD * TAU_SD  # raised to just under 1.3 × the lower bound where that is higher
    smooth: float = SMOOTH
    gender: float = GENDER_WEIGHT
    lead: float = LEAD_WEIGHT
    # Allowed band of girls, boys and high-组织能力 members per group:
    # [⌊total ÷ k⌋, ⌈total ÷ k⌉], i.e. max − min at most one.
    low: np.ndarray = field(default_factory=lambda: np.zeros(3))
    high: np.ndarray = field(default_factory=lambda: np.full(3, np.inf))

    def set_bands(self, totals: np.ndarray, k: int) -> None:
        self.low = np.floor(totals / k)
        self.high = np.ceil(totals / k)


def _band(V: np.ndarray, w: _Weights) -> np.ndarray:
    """How far each group's girls, boys and leaders lie outside their band
    (…, 3).  Summed over groups this has a slope everywhere, unlike the
    max − min it stands for."""
    c = V[..., 2:]
    return np.maximum(c - w.high, 0.0) + np.maximum(w.low - c, 0.0)


def _score(rng: np.ndarray, spread: np.ndarray, band: np.ndarray, w: _Weights) -> np.ndarray:
    """Objective from the ranges of mean and SD (…, 2), their spreads (…, 2)
    and the summed band excess of girls, boys, leaders (…, 3)."""
    f = rng[..., 0] * w.means + rng[..., 1] * w.sd
    f = f + w.means_over * np.maximum(rng[..., 0] - MEANS_CAP, 0.0)
    f = f + w.sd_over * np.maximum(rng[..., 1] - w.sd_cap, 0.0)
    f = f + w.smooth * (spread[..., 0] * w.means + spread[..., 1] * w.sd)
    return f + w.gender * (band[..., 0] + band[..., 1]) + w.lead * band[..., 2]


def _objective_full(V: np.ndarray, w: _Weights) -> float:
    """Objective of a whole state; ``V`` is (K, 5)."""
    K = V.shape[0]
    two = V[:, :2]
    rng = two.max(axis=0) - two.min(axis=0)
    s, q = two.sum(axis=0), (two**2).sum(axis=0)
    spread = np.sqrt(np.maximum(q / K - (s / K) ** 2, 0.0))
    return float(_score(rng, spread, _band(V, w).sum(axis=0), w))


class _Others:
    """For every pair of groups (g, h), max/min/sum/sum of squares of the
    mean and SD over the other groups, and their summed band excess: a move
    touching only g and h is then scored in O(1) per candidate."""

    def __init__(self, V: np.ndarray, w: _Weights):
        K = V.shape[0]
        self.K = K
        two = V[:, :2]
        g, h = np.arange(K)[:, None, None], np.arange(K)[None, :, None]
        cols = np.arange(2)
        for name, pad, sign in (("max", -np.inf, -1.0), ("min", np.inf, 1.0)):
            # The three most extreme groups (two fillers for K < 3): the
            # most extreme one that is neither g nor h.
            v = np.concatenate([two, np.full((2, 2), pad)])
            top = np.argsort(sign * v, axis=0, kind="stable")[:3]  # (3, 2)
            t0, t1, t2 = top[0], top[1], top[2]
            pick = np.where((t0 != g) & (t0 != h), v[t0, cols],
                            np.where((t1 != g) & (t1 != h), v[t1, cols], v[t2, cols]))
            setattr(self, name, pick)
        total, sq = two.sum(axis=0), (two * two).sum(axis=0)
        diag = np.eye(K, dtype=bool)[..., None]  # g == h: the group counts once
        self.sum = total - two[:, None, :] - np.where(diag, 0.0, two[None, :, :])
        self.sq = sq - (two * two)[:, None, :] - np.where(diag, 0.0, (two * two)[None, :, :])
        band = _band(V, w)
        self.band = band.sum(axis=0) - band[:, None, :] - np.where(diag, 0.0, band[None, :, :])  # (K, K, 3)


def _pair_objective(Vg: np.ndarray, Vh: np.ndarray, others: _Others, g, h, w: _Weights) -> np.ndarray:
    """Objective after a move that changes only groups ``g`` and ``h``;
    ``Vg``/``Vh`` are (…, 5) new values of the two groups."""
    K = others.K
    a, b = Vg[..., :2], Vh[..., :2]
    hi = np.maximum(np.maximum(others.max[g, h], a), b)
    lo = np.minimum(np.minimum(others.min[g, h], a), b)
    s = others.sum[g, h] + a + b
    q = others.sq[g, h] + a * a + b * b
    spread = np.sqrt(np.maximum(q / K - (s / K) ** 2, 0.0))
    band = others.band[g, h] + _band(Vg, w) + _band(Vh, w)
    return _score(hi - lo, spread, band, w)


def _could_improve(Sg: np.ndarray, Sh: np.ndarray, others: _Others, g, h, w: _Weights, f: float,
                   cols: tuple[int, int] = (_K, _S1)) -> np.ndarray:
    """Which candidate moves (new summed features ``Sg``/``Sh`` of groups
    ``g`` and ``h``; ``cols``: where the known count and Σx are) could beat the objective ``f``: the D_means
    terms alone are a lower bound of the objective (every other term is ≥ 0)
    and cost a fraction of the whole, so most candidates are ruled out
    before their SDs and bands are computed.  The search's choices are the
    same as without this filter."""
    k, s1 = cols
    a = Sg[..., s1] / np.maximum(Sg[..., k], 1.0)
    b = Sh[..., s1] / np.maximum(Sh[..., k], 1.0)
    hi = np.maximum(np.maximum(others.max[g, h, 0], a), b)
    lo = np.minimum(np.minimum(others.min[g, h, 0], a), b)
    r = hi - lo
    low = r * w.means + w.means_over * np.maximum(r - MEANS_CAP, 0.0)
    return low < f - _EPS + 1e-9


_COMBOS: dict[tuple, np.ndarray] = {}


def _combos(u: int, c: int, dtype=bool) -> np.ndarray:
    """(ways × u): every way to choose ``c`` of ``u`` (True / 1.0 = chosen)."""
    key = (u, c, dtype)
    if key not in _COMBOS:
        ways = list(itertools.combinations(range(u), c))
        M = np.zeros((len(ways), u), dtype=bool)
        for r, chosen in enumerate(ways):
            M[r, list(chosen)] = True
        _COMBOS[key] = M.astype(dtype)
    return _COMBOS[key]


_SPLITS3: dict[tuple, np.ndarray] = {}
_HALVES = [tuple(L for L in range(N_LAYERS) if mask >> L & 1) for mask in range(1, 2 ** N_LAYERS - 1)]


def _splits3(u: int, ca: int, cb: int) -> np.ndarray:
    """(ways × u): every way to share ``u`` members among three groups
    taking ``ca``, ``cb`` and the rest (0, 1, 2: the group of each member)."""
    key = (u, ca, cb)
    if key not in _SPLITS3:
        rows = []
        for a in itertools.combinations(range(u), ca):
            rest = [i for i in range(u) if i not in a]
            for b in itertools.combinations(rest, cb):
                row = np.full(u, 2, dtype=np.int8)
                row[list(a)] = 0
                row[list(b)] = 1
                rows.append(row)
        _SPLITS3[key] = np.array(rows, dtype=np.int8).reshape(len(rows), u)
    return _SPLITS3[key]


def _half_sums(parts: list[tuple[np.ndarray, np.ndarray]], feats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Summed features of the first and second group for every combination
    of the ways of ``parts`` ((members, ways) per layer), the last part
    varying fastest."""
    Fa = np.zeros((1, feats.shape[1]))
    Fb = np.zeros((1, feats.shape[1]))
    for m, W in parts:
        fm = feats[m]
        Fa = (Fa[:, None, :] + ((W == 0).astype(float) @ fm)[None]).reshape(-1, fm.shape[1])
        Fb = (Fb[:, None, :] + ((W == 1).astype(float) @ fm)[None]).reshape(-1, fm.shape[1])
    return Fa, Fb


class _Search:
    """State of one local search: the assignment, per-group sums, and for
    every pair of groups the cached enumeration of its recombinations."""

    def __init__(self, feats: np.ndarray, layer: np.ndarray, fixed: np.ndarray, k: int, w: _Weights,
                 use_sd: bool, effort: Effort):
        self.feats = feats
        self.layer = layer
        self.fixed = fixed
        self.K = k
        self.w = w
        self.use_sd = use_sd
        self.effort = effort
        free = fixed < 0
        a, b = [], []
        self.free_by_layer = [np.flatnonzero(free & (layer == L)) for L in range(N_LAYERS)]
        for L in range(N_LAYERS):
            members = self.free_by_layer[L]
            if len(members) > 1:
                i, j = np.triu_indices(len(members), 1)
                a.append(members[i])
                b.append(members[j])
        self.pa = np.concatenate(a) if a else np.zeros(0, dtype=int)
        self.pb = np.concatenate(b) if b else np.zeros(0, dtype=int)
        self.delta = feats[self.pb] - feats[self.pa]
        # Same-layer 3-cycles (i → group of j, j → group of l, l → group of i),
        # both directions of every triple of free members of one layer.
        t1, t2, t3 = [], [], []
        for members in self.free_by_layer:
            if len(members) > 2:
                tri = np.array(list(itertools.combinations(members, 3)), dtype=int)
                for x, y, z in ((0, 1, 2), (0, 2, 1)):
                    t1.append(tri[:, x])
                    t2.append(tri[:, y])
                    t3.append(tri[:, z])
        self.t1 = np.concatenate(t1) if t1 else np.zeros(0, dtype=int)
        self.t2 = np.concatenate(t2) if t2 else np.zeros(0, dtype=int)
        self.t3 = np.concatenate(t3) if t3 else np.zeros(0, dtype=int)
        self.g = np.zeros(len(layer), dtype=int)
        self._eye = np.eye(k)
        self.work = 0  # candidates evaluated: the search's budget is counted in these, not in seconds
        self._pairs = None  # built on the first state (the free counts per group and layer never change)

    # ---- state ---------------------------------------------------------------
    def set(self, groups: np.ndarray) -> None:
        old = self.g
        self.g = groups.copy()
        if self._pairs is None:
            self._build_pairs()
        else:
            changed = np.unique(np.concatenate([old[old != self.g], self.g[old != self.g]]))
            self._dirty(changed)
        self._refresh()

    def _refresh(self) -> None:
        self.S = self._eye[self.g].T @ self.feats
        self.V = _values(self.S, self.use_sd)
        self.f = _objective_full(self.V, self.w)
        self.others = _Others(self.V, self.w)
        free = self.fixed < 0
        self.free_cnt = np.bincount(self.g[free] * N_LAYERS + self.layer[free],
                                    minlength=self.K * N_LAYERS).reshape(self.K, N_LAYERS)

    def _apply(self, members: np.ndarray, groups: np.ndarray) -> None:
        changed = np.unique(np.concatenate([self.g[members], groups]))
        self.g[members] = groups
        self._dirty(changed)
        self._refresh()

    # ---- the pairs of groups and their recombinations -------------------------
    def _build_pairs(self) -> None:
        """Every pair of groups; its recombinations are enumerated (by
        :meth:`_candidates`) again only when one of its groups changed."""
        K = self.K
        self._pairs = [{"g": g, "h": h} for g in range(K) for h in range(g + 1, K)]
        self._pg = np.array([p["g"] for p in self._pairs], dtype=int)
        self._ph = np.array([p["h"] for p in self._pairs], dtype=int)
        self._stale = np.ones(len(self._pairs), dtype=bool)
        self._cache_key, self._cache = None, []  # per batch of pairs: its enumerated recombinations
        self._layouts: dict[tuple, list[tuple]] = {}
        self._batches: dict[bytes, list] = {}  # pairs grouped by layout, per free counts of every group and layer
        self._locked_cnt = np.zeros((K, N_LAYERS), dtype=int)
        lk = self.fixed >= 0
        np.add.at(self._locked_cnt, (self.fixed[lk], self.layer[lk]), 1)

    def _dirty(self, groups) -> None:
        """Mark the pairs that include one of ``groups`` for enumeration."""
        if self._pairs is None or not len(groups):
            return
        hit = np.isin(self._pg, groups) | np.isin(self._ph, groups)
        if hit.any():
            self._stale |= hit

    def _layout(self, fg: np.ndarray, fh: np.ndarray, ex: np.ndarray, locked: bool) -> list[tuple]:
        """The subsets of layers enumerated for a pair with ``fg``/``fh``
        free members per layer in g/h: each a tuple of (layer, free members
        of both, how many go to g).  Either g keeps its count of every layer,
        or (``ex``: g's free counts after it) the two groups exchange their
        layer counts, which keeps the multiset of the groups' layer counts
        (the plan the lower bound is computed for) but lets the search choose
        which group gets the smaller size or the short layer (only where one
        of them holds ``locked`` students: otherwise the exchanged splits are
        the same splits with the two groups' numbers swapped).  Where all
        layers together have more than ``effort.combos`` ways, several
        subsets are enumerated (the other layers stay as they are)."""
        key = (tuple(fg), tuple(fh), tuple(ex), locked)
        if key in self._layouts:
            return self._layouts[key]
        u = fg + fh
        modes = [fg]
        if (ex != fg).any() and (ex >= 0).all() and (ex <= u).all() and locked:
            modes.append(ex)
        subsets: list[tuple] = []
        for c in modes:
            forced = [(L, int(u[L]), int(c[L])) for L in range(N_LAYERS) if c[L] != fg[L]]
            parts = [(L, int(u[L]), int(c[L])) for L in range(N_LAYERS) if c[L] == fg[L] and 0 < c[L] < u[L]]
            size0 = int(np.prod([len(_combos(uu, cc)) for _, uu, cc in forced])) if forced else 1
            for shift in range(max(len(parts), 1)):
                used, size = list(forced), size0
                for p in parts[shift:] + parts[:shift]:
                    ways = len(_combos(p[1], p[2]))
                    if size * ways <= self.effort.combos:
                        used.append(p)
                        size *= ways
                used = tuple(sorted(used))
                if used and used not in subsets:
                    subsets.append(used)
        self._layouts[key] = subsets
        return subsets

    def _candidates(self):
        """Every recombination of every pair of groups whose two group
        means differ by at most PAIR_MEANS (any other costs more than every
        state the search visits), as blocks of (new values of g, of h, their
        band excess, pair, row in the block, combination, slots, members).
        Layouts with the same shape (the same numbers of members to share,
        in whatever layers) are enumerated together, one numpy pass each."""
        fc, lc = self.free_cnt, self._locked_cnt
        key = fc.tobytes()
        batches = self._batches.get(key)
        if batches is None:
            shapes: dict[tuple, list[tuple[int, tuple]]] = {}
            for i, (g, h) in enumerate(zip(self._pg.tolist(), self._ph.tolist())):
                for subset in self._layout(fc[g], fc[h], fc[h] + lc[h] - lc[g], bool(lc[g].any() or lc[h].any())):
                    parts = sorted(subset, key=lambda t: (-t[1], -t[2], t[0]))
                    shape = tuple((u, c) for _, u, c in parts)
                    shapes.setdefault(shape, []).append((i, tuple(L for L, _, _ in parts)))
            batches = []
            for shape, rows in shapes.items():
                plist = np.array([i for i, _ in rows])
                Ls = np.array([ls for _, ls in rows], dtype=int).reshape(len(rows), len(shape))
                G, H = self._pg[plist], self._ph[plist]
                slots = []
                for j in range(len(shape)):
                    slot = []
                    for L in np.unique(Ls[:, j]).tolist():
                        at = np.flatnonzero(Ls[:, j] == L)
                        slot.append((L, at, G[at][:, None], H[at][:, None]))
                    slots.append(slot)
                batches.append((shape, plist, Ls, G, H, slots))
            self._batches[key] = batches
        if self._cache_key != key:
            self._cache_key, self._cache = key, [None] * len(batches)
        blocks = []
        gF = [self.g[F] for F in self.free_by_layer]
        for bi, (shape, plist, Ls, G, H, slots) in enumerate(batches):
            old = self._cache[bi]
            if old is None:
                new = self._enumerate(shape, G, H, slots, gF)
            else:
                rows = np.flatnonzero(self._stale[plist])
                if len(rows):
                    # Only the pairs that changed are enumerated again.
                    sub = []
                    for j in range(len(shape)):
                        Lr = Ls[rows, j]
                        sub.append([(L, at, G[rows[at]][:, None], H[rows[at]][:, None])
                                    for L in np.unique(Lr).tolist() for at in [np.flatnonzero(Lr == L)]])
                    vg, vh, bb, pp, rr, mems = self._enumerate(shape, G[rows], H[rows], sub, gF)
                    keep = ~self._stale[plist][old[3]]
                    for m_all, m in zip(old[5], mems):
                        m_all[rows] = m
                    new = (np.concatenate([old[0][keep], vg]), np.concatenate([old[1][keep], vh]),
                           np.concatenate([old[2][keep], bb]), np.concatenate([old[3][keep], rows[pp]]),
                           np.concatenate([old[4][keep], rr]), old[5])
                else:
                    new = old
            self._cache[bi] = new
            vg, vh, bb, pp, rr, mems = new
            if len(pp):
                blocks.append((vg, vh, bb, plist[pp], pp, rr, shape, mems))
        self._stale[:] = False
        return blocks

    def _enumerate(self, shape, G, H, slots, gF):
        """The recombinations of the pairs (``G``, ``H``) of one shape whose
        two group means differ by at most PAIR_MEANS: new values of g, of h,
        their band excess, row, combination, and the members shared per slot."""
        P = len(G)
        Gc = G[:, None]
        SG = self.S[G]
        union = SG + self.S[H]
        base = SG.copy()
        adds, mems = [], []
        for (u, c), slot in zip(shape, slots):
            if len(slot) == 1:
                L, _, Gr, Hr = slot[0]
                m = self.free_by_layer[L][np.nonzero((gF[L] == Gr) | (gF[L] == Hr))[1]].reshape(P, u)
            else:
                m = np.empty((P, u), dtype=int)
                for L, at, Gr, Hr in slot:
                    m[at] = self.free_by_layer[L][np.nonzero((gF[L] == Gr) | (gF[L] == Hr))[1]].reshape(len(at), u)
            fm = self.feats[m]
            base -= (fm * (self.g[m] == Gc)[..., None]).sum(axis=1)
            adds.append(np.matmul(_combos(u, c, float)[None], fm))
            mems.append(m)
        # First only the known count and Σx (for the means), then every
        # column of the candidates that pass.
        tot = base[:, None, :2]  # _K and _S1, the first two columns: slices, not copies
        for add in adds:
            tot = (tot[:, :, None, :] + add[:, None, :, :2]).reshape(P, -1, 2)
        self.work += tot.shape[0] * tot.shape[1]
        rest = union[:, None, :2] - tot
        a = tot[..., 1] / np.maximum(tot[..., 0], 1.0)
        b = rest[..., 1] / np.maximum(rest[..., 0], 1.0)
        pp, rr = np.nonzero(np.abs(a - b) <= PAIR_MEANS)
        full = base[pp]
        for add, q in zip(adds, np.unravel_index(rr, [add.shape[1] for add in adds])):
            full = full + add[pp, q]
        vg = _values(full, self.use_sd)
        vh = _values(union[pp] - full, self.use_sd)
        return vg, vh, _band(vg, self.w) + _band(vh, self.w), pp, rr, mems

    def recombine_best(self, tabu: np.ndarray | None = None, aspire: float = -np.inf) -> bool:
        """The best recombination of any pair of groups; applied if it
        improves the objective.  With ``tabu`` (one flag per pair) the walk
        of a tabu search: the best recombination of a pair that is not tabu
        (or of any pair, if it beats ``aspire``), other than leaving the
        pair as it is, is applied even if it is worse; returns whether a
        move was made and sets ``self.moved`` to its pair."""
        self.moved = None
        if self._pairs is None or not len(self._pairs):
            return False
        self.work += CALL_WORK
        blocks = self._candidates()
        if not blocks:
            return False
        VG = np.concatenate([b[0] for b in blocks])
        VH = np.concatenate([b[1] for b in blocks])
        BB = np.concatenate([b[2] for b in blocks])
        pi = np.concatenate([b[3] for b in blocks])
        o, w, K = self.others, self.w, self.K
        pg, ph = self._pg[pi], self._ph[pi]
        a, b = VG[:, :2], VH[:, :2]
        hi = np.maximum(np.maximum(o.max[pg, ph], a), b)
        lo = np.minimum(np.minimum(o.min[pg, ph], a), b)
        s = o.sum[pg, ph] + a + b
        q = o.sq[pg, ph] + a * a + b * b
        spread = np.sqrt(np.maximum(q / K - (s / K) ** 2, 0.0))
        band = o.band[pg, ph] + BB
        F = _score(hi - lo, spread, band, w)
        if tabu is not None:
            F = np.where((tabu[pi] & (F >= aspire - _EPS)) | (np.abs(F - self.f) <= _SAME), np.inf, F)
            best = int(np.argmin(F))
            if not np.isfinite(F[best]):
                return False
            self.moved = int(pi[best])
        else:
            best = int(np.argmin(F))
            if F[best] >= self.f - _EPS:
                return False
        for blk in blocks:
            if best < len(blk[0]):
                break
            best -= len(blk[0])
        _, _, _, pids, pp, rr, shape, mems = blk
        g, h = int(self._pg[pids[best]]), int(self._ph[pids[best]])
        pick = np.unravel_index(int(rr[best]), [len(_combos(u, c)) for u, c in shape])
        members_all, groups_all = [], []
        for (u, c), m, qi in zip(shape, mems, pick):
            members_all.append(m[pp[best]])
            groups_all.append(np.where(_combos(u, c)[qi], g, h))
        self._apply(np.concatenate(members_all), np.concatenate(groups_all))
        return True

    def cycle_best(self) -> bool:
        """The best same-layer 3-cycle (one student each of three groups
        moves on to the next group); applied if it improves the objective.
        It escapes optima that no exchange between two groups can leave."""
        if not len(self.t1):
            return False
        g1, g2, g3 = self.g[self.t1], self.g[self.t2], self.g[self.t3]
        ok = np.flatnonzero((g1 != g2) & (g2 != g3) & (g1 != g3))
        if not len(ok):
            return False
        i, j, l = self.t1[ok], self.t2[ok], self.t3[ok]
        g1, g2, g3 = g1[ok], g2[ok], g3[ok]
        self.work += CALL_WORK + len(i) * self.K
        # The D_means terms alone (a lower bound of the objective) rule out
        # most cycles before their SDs and bands are computed.
        f = self.feats
        s1, kn = self.S[:, _S1], self.S[:, _K]
        rows = np.arange(len(i))
        S1 = np.broadcast_to(s1, (len(i), self.K)).copy()
        KN = np.broadcast_to(kn, (len(i), self.K)).copy()
        for a, out, inn in ((g1, i, l), (g2, j, i), (g3, l, j)):
            S1[rows, a] += f[inn, _S1] - f[out, _S1]
            KN[rows, a] += f[inn, _K] - f[out, _K]
        m = S1 / np.maximum(KN, 1.0)
        r = m.max(axis=1) - m.min(axis=1)
        low = r * self.w.means + self.w.means_over * np.maximum(r - MEANS_CAP, 0.0)
        keep = np.flatnonzero(low < self.f - _EPS)
        if not len(keep):
            return False
        i, j, l, g1, g2, g3 = i[keep], j[keep], l[keep], g1[keep], g2[keep], g3[keep]
        F = self._cycle_objective(i, j, l, g1, g2, g3)
        best = int(np.argmin(F))
        if F[best] >= self.f - _EPS:
            return False
        self._apply(np.array([i[best], j[best], l[best]]), np.array([g2[best], g3[best], g1[best]]))
        return True

    def _cycle_objective(self, i, j, l, g1, g2, g3) -> np.ndarray:
        """Objective after moving i to g2, j to g3, l to g1 (arrays of moves)."""
        f = self.feats
        M = len(i)
        S = np.broadcast_to(self.S, (M,) + self.S.shape).copy()
        rows = np.arange(M)
        S[rows, g1] += f[l] - f[i]
        S[rows, g2] += f[i] - f[j]
        S[rows, g3] += f[j] - f[l]
        V = _values(S, self.use_sd)
        two = V[..., :2]
        rng = two.max(axis=1) - two.min(axis=1)
        K = self.K
        s, q = two.sum(axis=1), (two * two).sum(axis=1)
        spread = np.sqrt(np.maximum(q / K - (s / K) ** 2, 0.0))
        return _score(rng, spread, _band(V, self.w).sum(axis=1), self.w)

    def triple_best(self, a: int, b: int, c: int) -> bool:
        """The best recombination of three groups (every way to share each
        layer's free members with 总分 among them, the groups' counts kept);
        applied if it improves the objective.  Three groups of 2A+2B+2C+2D
        have 90⁴ (65 million) such ways, so they are met in the middle: the
        ways of one half of the layers (P) against those of the other (Q).
        The objective's D_means terms alone bound how far the three means
        may lie from the other groups' (its D_sd terms, their SDs), so each
        group's Σx and Σx² must fall in a window; Q is sorted by cells of
        the Σx and Σx² it gives group a, then by the Σx it gives group b, and
        every way of P finds the ways of Q inside its windows in a few runs
        of that order.  Those are scored by the ranges of means and SDs
        (again a lower bound), and the few left by the whole objective.  No
        way that could beat the objective is left out.  Students without
        总分 stay where they are."""
        feats, g, K = self.feats, self.g, self.K
        movable = (self.fixed < 0) & (feats[:, _K] > 0) & np.isin(g, (a, b, c))
        parts = []
        for L in range(N_LAYERS):
            m = np.flatnonzero(movable & (self.layer == L))
            parts.append((m, _splits3(len(m), int(np.sum(g[m] == a)), int(np.sum(g[m] == b)))))
        sizes = [len(W) for _, W in parts]
        total = math.prod(sizes)
        half = min(_HALVES, key=lambda h: max(math.prod([sizes[L] for L in h]), total // math.prod([sizes[L] for L in h])))
        other = tuple(L for L in range(N_LAYERS) if L not in half)
        if max(math.prod([sizes[L] for L in half]), math.prod([sizes[L] for L in other])) > self.effort.triples:
            return False
        Pa, Pb = _half_sums([parts[L] for L in half], feats)
        Qa, Qb = _half_sums([parts[L] for L in other], feats)
        moved = np.concatenate([m for m, _ in parts])
        base_a = self.S[a] - feats[moved[g[moved] == a]].sum(axis=0)
        base_b = self.S[b] - feats[moved[g[moved] == b]].sum(axis=0)
        U = self.S[a] + self.S[b] + self.S[c]
        rest = np.array([i for i in range(K) if i != a and i != b and i != c], dtype=np.intp)
        # The widest range of means that could still beat the objective
        # (its D_means terms alone), around the other groups' means.
        w, f = self.w, self.f
        r = f / w.means if w.means else np.inf
        if r > MEANS_CAP:
            r = MEANS_CAP + (f - MEANS_CAP * w.means) / (w.means + w.means_over)
        if not np.isfinite(r):
            return False
        om = self.V[rest, 0]
        lo, hi = (om.max() - r, om.min() + r) if len(rest) else (-r, r)
        if not hi > lo:
            return False
        ka, kb = base_a[_K] + Pa[0, _K] + Qa[0, _K], base_b[_K] + Pb[0, _K] + Qb[0, _K]
        kc = U[_K] - ka - kb
        # Likewise the SDs (the D_sd terms alone): every group's SD² + mean²
        # = Σx² ÷ known members lies in a window.
        t = f / w.sd if w.sd else np.inf
        if t > w.sd_cap:
            t = w.sd_cap + (f - w.sd_cap * w.sd) / (w.sd + w.sd_over)
        sd_lo, sd_hi = (self.V[rest, 1].max() - t, self.V[rest, 1].min() + t) if len(rest) and self.use_sd else (0.0, np.inf)
        q_lo, q_hi = max(sd_lo, 0.0) ** 2, sd_hi ** 2 + max(lo * lo, hi * hi)
        if not (hi > lo and q_hi >= q_lo):
            return False
        xa_p, xb_p, sa_p = base_a[_S1] + Pa[:, _S1], base_b[_S1] + Pb[:, _S1], base_a[_S2] + Pa[:, _S2]
        qa, qb, sa = Qa[:, _S1], Qb[:, _S1], Qa[:, _S2]
        # Q sorted by (cell of a's Σx, cell of a's Σx², b's Σx): each
        # way of P meets the ways of Q that fit its windows in a few runs.
        cells = 3
        w1 = max(ka * (hi - lo), 1e-9) / (cells - 1)
        w2 = max(ka * (q_hi - q_lo), 1e-9) / (cells - 1) if np.isfinite(q_hi) else np.inf
        c1 = np.floor(qa / w1)
        c2 = np.floor(sa / w2) if np.isfinite(w2) else np.zeros(len(sa))
        c2 -= c2.min()
        n2 = c2.max() + cells + 2
        stride = 4.0 * (np.abs(qb).max() + np.abs(xb_p).max() + kb * (abs(lo) + abs(hi)) + 1.0)
        key = (c1 * n2 + c2) * stride + qb
        order = np.argsort(key, kind="stable")
        ks = key[order]
        f1 = np.floor((ka * lo - xa_p) / w1)
        f2 = (np.floor((ka * q_lo - sa_p) / w2) if np.isfinite(w2) else np.zeros(len(sa_p))) - (
            np.floor(sa / w2).min() if np.isfinite(w2) else 0.0)
        # The ways of P in the order of their runs: sorted queries are found faster.
        start = (f1 * n2 + f2) * stride - xb_p
        by = np.argsort(start, kind="stable")
        start = start[by]
        # Every cell's queries in one call each way (cell by cell, each in P's order).
        shift = np.array([(d1 * n2 + d2) * stride for d1 in range(cells)
                          for d2 in range(cells if np.isfinite(w2) else 1)])
        cell = (start[None, :] + shift[:, None]).ravel()
        i0 = np.searchsorted(ks, cell + kb * lo, "left")
        i1 = np.searchsorted(ks, cell + kb * hi, "right")
        cnt = np.maximum(i1 - i0, 0)
        n = int(cnt.sum())
        self.work += CALL_WORK + len(Pa) + len(Qa) + n
        if not n:
            return False
        P = np.repeat(np.tile(by, len(shift)), cnt)
        Q = order[np.repeat(i0 - (np.cumsum(cnt) - cnt), cnt) + np.arange(n)]
        xa = xa_p[P] + qa[Q]
        xc = U[_S1] - xa - xb_p[P] - qb[Q]
        s2a = sa_p[P] + sa[Q]
        ok = ((xa >= ka * lo) & (xa <= ka * hi) & (xc >= kc * lo) & (xc <= kc * hi)
              & (s2a >= ka * q_lo) & (s2a <= ka * q_hi))
        P, Q = P[ok], Q[ok]
        if not len(P):
            return False
        # The ranges of means and SDs alone (a lower bound of the objective)
        # rule out most of them before the rest is computed.
        two = self.V[rest, :2]
        cols = [_K, _S1, _S2]
        SA3 = base_a[cols] + Pa[:, cols][P] + Qa[:, cols][Q]  # three columns gathered, not six
        SB3 = base_b[cols] + Pb[:, cols][P] + Qb[:, cols][Q]
        new = []
        for S3 in (SA3, SB3, U[cols] - SA3 - SB3):
            k1 = np.maximum(S3[:, 0], 1.0)
            m = S3[:, 1] / k1
            sd = np.sqrt(np.maximum((S3[:, 2] - S3[:, 1] * m) / k1, 0.0)) if self.use_sd else np.zeros_like(m)
            new.append(np.stack([m, sd], axis=1))
        top = np.maximum.reduce(new + [np.broadcast_to(two.max(axis=0, initial=-np.inf), new[0].shape)])
        bottom = np.minimum.reduce(new + [np.broadcast_to(two.min(axis=0, initial=np.inf), new[0].shape)])
        spread0 = np.zeros_like(top)
        low = _score(top - bottom, spread0, np.zeros((len(top), 3)), w)
        keep = np.flatnonzero(low < f - _EPS)
        if not len(keep):
            return False
        P, Q, top, bottom = P[keep], Q[keep], top[keep], bottom[keep]
        new = [v[keep] for v in new]
        SA = base_a + Pa[P] + Qa[Q]
        SB = base_b + Pb[P] + Qb[Q]
        VA, VB, VC = (_values(x, self.use_sd) for x in (SA, SB, U - SA - SB))
        s = two.sum(axis=0) + sum(new)
        q = (two * two).sum(axis=0) + sum(v * v for v in new)
        spread = np.sqrt(np.maximum(q / K - (s / K) ** 2, 0.0))
        band = _band(self.V[rest], w).sum(axis=0) + _band(VA, w) + _band(VB, w) + _band(VC, w)
        F = _score(top - bottom, spread, band, w)
        best = int(np.argmin(F))
        if F[best] >= f - _EPS:
            return False
        groups = g.copy()
        for layers, code in ((half, P[best]), (other, Q[best])):
            for L, way in zip(layers, np.unravel_index(int(code), [sizes[L] for L in layers])):
                m, W = parts[L]
                groups[m] = np.array([a, b, c])[W[way]]
        changed = np.flatnonzero(groups != g)
        self._apply(changed, groups[changed])
        return True

    def triple_descent(self, until: float = np.inf) -> bool:
        """Recombinations of three groups (each triple in turn, the pairs'
        local search after each that improves) until none improves."""
        improved = False
        if self.K < 3 or not self.effort.triples:
            return False
        again = True
        while again:
            again = False
            for t in itertools.combinations(range(self.K), 3):
                if self.work > until:
                    return improved
                if self.triple_best(*t):
                    self.local_search()
                    improved = again = True
        return improved

    # ---- neighbourhoods --------------------------------------------------
    def swap_descent(self) -> bool:
        """Best-improvement same-layer swaps until none improves."""
        improved = False
        while len(self.pa):
            ga, gb = self.g[self.pa], self.g[self.pb]
            ok = np.flatnonzero(ga != gb)
            if not len(ok):
                break
            ga, gb, d = ga[ok], gb[ok], self.delta[ok]
            self.work += len(ok)
            Sg = self.S[ga] + d
            Sh = self.S[gb] - d
            keep = _could_improve(Sg, Sh, self.others, ga, gb, self.w, self.f)
            if not keep.any():
                break
            ok, ga, gb, Sg, Sh = ok[keep], ga[keep], gb[keep], Sg[keep], Sh[keep]
            F = _pair_objective(_values(Sg, self.use_sd), _values(Sh, self.use_sd), self.others, ga, gb, self.w)
            p = int(np.argmin(F))
            if F[p] >= self.f - _EPS:
                break
            i, j = self.pa[ok[p]], self.pb[ok[p]]
            self._apply(np.array([i, j]), np.array([gb[p], ga[p]]))
            improved = True
        return improved

    def local_search(self, full: bool = True) -> float:
        """Swaps, then the best recombination of any pair of groups, then
        (at a pairwise optimum, unless ``full`` is off) the best 3-cycle,
        until none improves."""
        while True:
            self.swap_descent()
            if self.recombine_best():
                continue
            if full and self.cycle_best():
                continue
            return self.f

    def perturb(self, rng: np.random.Generator, times: int) -> None:
        if not len(self.pa):
            return
        g = self.g.copy()
        for _ in range(times):
            ok = np.flatnonzero(g[self.pa] != g[self.pb])
            if not len(ok):
                break
            p = ok[rng.integers(len(ok))]
            i, j = self.pa[p], self.pb[p]
            g[i], g[j] = g[j], g[i]
        self.set(g)


def _good_enough(V: np.ndarray, use_sd: bool, w: _Weights, floor: float = 0.0) -> bool:
    """Whether a state is so good that searching on is wasted time: D_means
    under half its target, D_sd under half its target or within 5 % of the
    lower bound ``floor`` (no split can do better than that), genders and
    组织能力 within one."""
    rng = V.max(axis=0) - V.min(axis=0)
    ok = rng[0] <= STOP_MEANS * TAU_MEANS or w.means == 0
    ok = ok and (rng[1] <= max(STOP_SD * TAU_SD, (1 + STOP_NEAR) * floor) or not use_sd or w.sd == 0)
    return bool(ok and rng[2] <= 1 and rng[3] <= 1 and rng[4] <= 1)


def _greedy_start(feats: np.ndarray, layer: np.ndarray, fixed: np.ndarray, counts: np.ndarray,
                  rng: np.random.Generator | None) -> np.ndarray:
    """A strong first split: layer by layer (A first), students from the
    highest 总分 down go to the group, among those with a free place of that
    layer, whose mean is currently lowest relative to its eventual size, with
    girls and boys spread.  With ``rng``, the order is shuffled a little."""
    K = counts.shape[0]
    g = np.where(fixed >= 0, fixed, -1)
    room = counts.copy()
    for i in np.flatnonzero(fixed >= 0):
        room[fixed[i], layer[i]] -= 1
    sizes = counts.sum(axis=1).astype(float)
    S = np.zeros((K, feats.shape[1]))
    if (fixed >= 0).any():
        np.add.at(S, fixed[fixed >= 0], feats[fixed >= 0])
    x = feats[:, _S1]
    known = feats[:, _K] > 0
    most = np.ceil(feats[:, _GIRL:_LEAD].sum(axis=0) / K)  # girls, boys a group may have (max − min ≤ 1)
    # Students without 总分 first, each to the open group with fewest of them
    # so far: every group keeps as many known 总分 as it can (a group with
    # few known members has a mean and SD that hardly anything can balance).
    missing = np.zeros(K)
    np.add.at(missing, fixed[(fixed >= 0) & ~known], 1.0)
    for L in range(N_LAYERS):
        for i in np.flatnonzero((fixed < 0) & (layer == L) & ~known):
            open_ = np.flatnonzero(room[:, L] > 0)
            gender = S[open_, _GIRL] * feats[i, _GIRL] + S[open_, _BOY] * feats[i, _BOY]
            best = open_[np.lexsort((open_, gender / sizes[open_], missing[open_] / sizes[open_]))[0]]
            g[i] = best
            room[best, L] -= 1
            S[best] += feats[i]
            missing[best] += 1
    for L in range(N_LAYERS):
        members = np.flatnonzero((fixed < 0) & (layer == L) & known)
        key = -x[members] + (rng.normal(0, 0.3, len(members)) if rng is not None else 0)
        for i in members[np.argsort(key, kind="stable")]:
            open_ = np.flatnonzero(room[:, L] > 0)
            share = S[open_, _S1] / np.maximum(sizes[open_] - missing[open_], 1.0)  # 总分 the group already has, per known place
            gender = S[open_, _GIRL] * feats[i, _GIRL] + S[open_, _BOY] * feats[i, _BOY]
            lead = S[open_, _LEAD] * feats[i, _LEAD]
            # A group already at the most girls (or boys) a group may have
            # takes another only if no other group can.
            full = S[open_, _GIRL] * feats[i, _GIRL] + S[open_, _BOY] * feats[i, _BOY] >= most @ feats[i, _GIRL:_LEAD]
            score = share + 0.6 * gender / sizes[open_] + 0.3 * lead / sizes[open_] + 100.0 * (full & (feats[i, _GIRL:_LEAD].sum() > 0))
            if rng is not None:
                score = score + rng.normal(0, 0.02, len(open_))
            best = open_[int(np.argmin(score))]
            g[i] = best
            room[best, L] -= 1
            S[best] += feats[i]
    return g


@dataclass
class SearchResult:
    groups: np.ndarray  # 0-based group of each student
    objective: float
    seconds: float
    restarts: int  # starts planned: the effort's, and as many again where the search rescued a poor result
    iterations: int
    # Least possible D_sd: for the planned layer counts per group, or for the
    # split's own counts where locks made them differ, whichever is less.
    bound: SdBound = field(default_factory=lambda: SdBound(0.0, None, True, 0.0))
    work: float = 0.0  # candidates evaluated (what Effort.work and Effort.triple_work budget)
    polished: int = 0  # starts given recombinations of three groups


def _polish(search: "_Search", walked: list[tuple[float, np.ndarray]], feats: np.ndarray, use_sd: bool,
            w: _Weights, bound: float, eff: Effort, best_f: float, best_g: np.ndarray) -> tuple[float, np.ndarray, int]:
    """Recombinations of three groups from every start's best that is still
    above a cap, the best first, once all starts have walked: a start whose
    D_sd is more than ``eff.polish_near`` times the best start's is left as
    it is (in the benchmark classes such a start never polished to the
    best split), and the polish stops once a split is good enough."""
    sds = [float(np.ptp(_values(search._eye[g].T @ feats, use_sd)[:, 1])) for _, g in walked]
    near = eff.polish_near * min(sds)
    polished = 0
    for i in sorted(range(len(walked)), key=lambda i: walked[i][0]):
        f0, g0 = walked[i]
        if sds[i] > near * (1 + 1e-9):
            continue
        search.set(g0)
        if np.ptp(search.V[:, 1]) <= w.sd_cap and np.ptp(search.V[:, 0]) <= MEANS_CAP:
            continue  # under both caps: nothing for the polish to do
        polished += 1
        if search.triple_descent(search.work + eff.triple_work) and search.f < f0 - _EPS:
            if search.f < best_f - _EPS:
                best_f, best_g = search.f, search.g.copy()
            if _good_enough(search.V, use_sd, w, bound):
                break
    return best_f, best_g, polished


def balance(
    x: Sequence[float],
    layer: Sequence[int],
    girl: Sequence[bool],
    boy: Sequence[bool],
    lead: Sequence[bool],
    k: int,
    *,
    fixed: Sequence[int] | None = None,
    seed: int = 0,
    effort: str | Effort = "full",
) -> SearchResult:
    """Split students into ``k`` balanced groups (the anticlustering search).

    ``x``: 总分 (any scale; NaN when missing), ``layer``: 0–3, ``girl``/``boy``:
    gender flags (both False when unknown), ``lead``: high 组织能力,
    ``fixed``: the locked group (0-based) or −1.  Deterministic for ``seed``.
    """
    start = time.perf_counter()
    x = np.asarray(x, dtype=float)
    n = len(x)
    layer = np.asarray(layer, dtype=int)
    fixed = np.full(n, -1, dtype=int) if fixed is None else np.asarray(fixed, dtype=int)
    eff = EFFORTS[effort] if isinstance(effort, str) else effort
    known = ~np.isnan(x)
    z = np.full(n, np.nan)
    if known.sum() > 1 and np.nanstd(x[known]) > 0:
        z[known] = (x[known] - x[known].mean()) / x[known].std()  # population SD: the unit of every figure
    elif known.any():
        z[known] = 0.0
    feats = _features(z, np.asarray(girl, bool), np.asarray(boy, bool), np.asarray(lead, bool))
    counts = plan_counts(layer, fixed, k)
    if k <= 1:
        return SearchResult(np.zeros(n, dtype=int), 0.0, time.perf_counter() - start, 0, 0)
    bound = sd_lower_bound(x, layer, counts, TAU_MEANS, fixed, girl=girl, boy=boy)
    w = _Weights()
    w.set_bands(feats[:, _GIRL:].sum(axis=0), k)
    use_sd = known.sum() >= 2 * k
    if known.sum() < k:
        w.means = w.sd = w.means_over = w.sd_over = 0.0
    w.sd_cap = max(STOP_SD * TAU_SD, (1 + STOP_NEAR) * bound.value)
    search = _Search(feats, layer, fixed, k, w, use_sd, eff)
    rng = np.random.default_rng(seed)
    best_f, best_g = np.inf, None
    walk_f, walk_g = np.inf, None  # the best before recombinations of three groups: what the rescue judges
    walked: list[tuple[float, np.ndarray]] = []  # every tabu start's best, for the recombinations of three groups
    rounds = 0
    done = False
    starts = max(eff.restarts, 1)
    r = 0
    while r < starts:
        budget = search.work + eff.work / max(eff.restarts, 1)  # each start gets its share of the work
        search.set(_greedy_start(feats, layer, fixed, counts, None if r == 0 else rng))
        f = search.local_search()
        run_best, run_g = f, search.g.copy()
        done = _good_enough(search.V, use_sd, w, bound.value)
        if done or search._pairs is None:
            pass
        elif eff.tabu:
            # Tabu search: always make the best move of a pair that was not
            # just recombined; from the best state found, perturbed, once
            # ``eff.patience`` moves bring nothing better.
            pairs = len(search._pairs)
            tenure = max(1, int(round(eff.tenure * pairs)))
            until = np.zeros(pairs, dtype=int)
            last = 0
            for step in range(eff.iterations):
                rounds += 1
                if not search.recombine_best(tabu=until > step, aspire=run_best):
                    break
                until[search.moved] = step + 1 + tenure
                if search.f < run_best - _EPS:
                    search.local_search()
                    run_best, run_g, last = search.f, search.g.copy(), step
                    if _good_enough(search.V, use_sd, w, bound.value):
                        done = True
                        break
                elif step - last >= eff.patience:
                    search.set(run_g)
                    search.perturb(rng, eff.perturb)
                    last = step
                if search.work > budget:
                    break
            if run_best < walk_f - _EPS:
                walk_f, walk_g = run_best, run_g
            walked.append((run_best, run_g))
        else:
            for _ in range(eff.iterations):
                rounds += 1
                search.perturb(rng, eff.perturb)
                f = search.local_search(full=False)
                if f < run_best - _EPS:
                    f = search.local_search()
                if f < run_best - _EPS:
                    run_best, run_g = f, search.g.copy()
                    if _good_enough(search.V, use_sd, w, bound.value):
                        done = True
                        break
                else:
                    search.set(run_g)
                if search.work > budget:
                    break
        if run_best < best_f - _EPS:
            best_f, best_g = run_best, run_g
        if done:
            break
        r += 1
        if r == starts == max(eff.restarts, 1) and eff.rescue and use_sd:
            # Judged on the walks' own best: where they end far above the
            # target, fresh starts do better than polishing their optimum.
            V = _values(search._eye[walk_g if walk_g is not None else best_g].T @ feats, use_sd)
            if np.ptp(V[:, 1]) > eff.rescue * max(TAU_SD, bound.value):
                starts += max(eff.restarts, 1)
    polished = 0
    if not done and eff.triple_work and walked:
        best_f, best_g, polished = _polish(search, walked, feats, use_sd, w, bound.value, eff, best_f, best_g)
    final = np.zeros((k, N_LAYERS), dtype=int)
    np.add.at(final, (best_g, layer), 1)
    if not np.array_equal(final, counts):
        # Locked groups took other layer counts than planned: the bound must
        # hold for the counts the split has too (it depends on which group
        # has which counts where groups hold locked students).
        other = sd_lower_bound(x, layer, final, TAU_MEANS, fixed, girl=girl, boy=boy)
        if other.value < bound.value:
            bound = other
    else:
        # A small class: the exhaustive search may prove the split the best possible (xlzu.sdbound.tighten),
        # or meet a split of smaller D_sd on the way: taken when the objective (which also weighs
        # 组织能力 and the spreads) prefers it, and then judged itself.
        bound = tighten(bound, x, layer, counts, TAU_MEANS, fixed, best_g, girl=girl, boy=boy)
        if bound.better is not None:
            V = _values(search._eye[bound.better].T @ feats, use_sd)
            f = _objective_full(V, w)
            if f < best_f - _EPS:
                best_f, best_g = f, bound.better
                bound = replace(bound, exact=bool(bound.value >= np.ptp(V[:, 1]) * (1 - 1e-6)))
            bound = replace(bound, better=None)
    return SearchResult(best_g, float(best_f), time.perf_counter() - start, starts, rounds, bound,
                        float(search.work), polished)


# --------------------------------------------------------------------------
# Measuring a split, and the hand methods it is compared with
# --------------------------------------------------------------------------
def measure(total: Sequence[float], groups: Sequence[int], girl: Sequence[bool],
            boy: Sequence[bool] | None = None) -> dict[str, float]:
    """D_means, D_sd and the gender imbalance of a split (``gender``: max −
    min of the girls per group; given ``boy``, also ``boys``: of the boys).

    Every SD is a population SD (ddof = 0, what a teacher computes for a
    group): D_means and D_sd are in units of the class's population SD of
    总分.  Students without 总分 count for gender only; a group whose members
    all lack 总分 has no mean or SD and is left out of both ranges.
    """
    t = np.asarray(total, dtype=float)
    g = np.asarray(groups, dtype=int)
    girl = np.asarray(girl, dtype=bool)
    known = ~np.isnan(t)
    sd = float(t[known].std()) if known.sum() > 1 else 0.0
    if not sd:
        sd = 1.0
    k = int(g.max()) + 1 if len(g) else 0
    n = np.bincount(g[known], minlength=k).astype(float)
    s1 = np.bincount(g[known], weights=t[known], minlength=k)
    s2 = np.bincount(g[known], weights=t[known] ** 2, minlength=k)
    have = n > 0
    means = s1[have] / n[have]
    sds = np.sqrt(np.maximum(s2[have] / n[have] - means**2, 0.0))
    present = np.bincount(g, minlength=k) > 0
    girls = np.bincount(g, weights=girl.astype(float), minlength=k)[present]
    out = {
        "D_means": float((means.max() - means.min()) / sd) if len(means) else 0.0,
        "D_sd": float((sds.max() - sds.min()) / sd) if len(sds) else 0.0,
        "gender": float(girls.max() - girls.min()) if len(girls) else 0.0,
    }
    if boy is not None:
        boys = np.bincount(g, weights=np.asarray(boy, dtype=float), minlength=k)[present]
        out["boys"] = float(boys.max() - boys.min()) if len(boys) else 0.0
    return out


def snake_draft(score: Sequence[float], k: int) -> np.ndarray:
    """The serpentine draft teachers do by hand: rank the class, deal the
    ranks 1…k to groups 1…k, then k…1, and so on."""
    score = np.asarray(score, dtype=float)
    order = np.argsort(-np.nan_to_num(score, nan=-np.inf), kind="stable")
    groups = np.empty(len(score), dtype=int)
    for pos, i in enumerate(order):
        rnd, r = divmod(pos, k)
        groups[i] = r if rnd % 2 == 0 else k - 1 - r
    return groups


def random_within_layers(layer: Sequence[int], k: int, seed: int = 0) -> np.ndarray:
    """Random split that keeps the layer mix (each layer dealt out at random)."""
    layer = np.asarray(layer, dtype=int)
    rng = np.random.default_rng(seed)
    counts = plan_counts(layer, np.full(len(layer), -1), k)
    groups = np.empty(len(layer), dtype=int)
    for L in range(N_LAYERS):
        members = rng.permutation(np.flatnonzero(layer == L))
        slots = np.repeat(np.arange(k), counts[:, L])
        groups[members] = slots
    return groups


class ClassInputs(NamedTuple):
    """A roster's columns as :func:`balance` takes them."""

    total: np.ndarray  # 总分 (NaN: absent)
    score: np.ndarray  # the layering score (composite_scores)
    layer: np.ndarray
    girl: np.ndarray
    boy: np.ndarray
    lead: np.ndarray  # high 组织能力


def class_inputs(roster: pd.DataFrame) -> ClassInputs:
    """总分, layering score, layer, gender and high 组织能力 of a roster with
    :func:`synthetic_class`'s columns (the benchmark's and the tests' classes)."""
    total = roster[C.ROSTER_TOTAL].to_numpy(dtype=float)
    score = composite_scores(total, roster[C.ROSTER_QUALITY])
    return ClassInputs(total, score, assign_layers(score), (roster[C.ROSTER_GENDER] == "女").to_numpy(),
                       (roster[C.ROSTER_GENDER] == "男").to_numpy(),
                       (roster[C.ROSTER_LEADERSHIP] >= HIGH_LEADERSHIP).to_numpy())


def synthetic_class(n: int, seed: int = 0, subjects: Sequence[str] = C.DEFAULT_SUBJECTS) -> pd.DataFrame:
    """A realistic made-up class (for the benchmark, tests and trying things):
    总分 of about 480 ± 80 (outliers beyond 2.4 SD redrawn), 学习品质
    correlated with 总分, 组织能力 weakly so, about half girls, subject scores
    that add up to roughly the total."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(n)
    wild = np.abs(z) > 2.4
    z[wild] = rng.uniform(-2.4, 2.4, wild.sum())
    total = np.round(480 + 80 * z)
    quality = np.clip(np.round(3 + 0.9 * (0.65 * z + 0.76 * rng.standard_normal(n))), 1, 5)
    lead = np.clip(np.round(3 + 1.1 * (0.25 * z + 0.97 * rng.standard_normal(n))), 1, 5)
    girl = rng.random(n) < rng.uniform(0.42, 0.55)
    family = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = "子涵浩然欣怡宇轩梓萱俊杰雨桐博文思琪嘉怡一诺佳琪明轩诗涵天佑雅婷"
    names = []
    for i in range(n):
        a = given[(i * 2 + seed) % (len(given) - 1)]
        b = given[(i * 7 + 3 * seed + 1) % len(given)]
        names.append(family[(i * 3 + seed) % len(family)] + a + (b if i % 3 else ""))
    df = pd.DataFrame({
        C.ROSTER_ID: [f"2025{seed % 100:02d}{i + 1:03d}" for i in range(n)],
        C.ROSTER_NAME: [f"{nm}{i + 1}" if names.count(nm) > 1 else nm for i, nm in enumerate(names)],
        C.ROSTER_GENDER: np.where(girl, "女", "男"),
        C.ROSTER_TOTAL: total,
        C.ROSTER_QUALITY: quality,
        C.ROSTER_LEADERSHIP: lead,
        C.ROSTER_NOTE: [None] * n,
    })
    share = np.array([150, 150, 150, 100, 100, 100][: len(subjects)], dtype=float)
    share = share / share.sum() if len(share) else share
    for s, w in zip(subjects, share):
        df[s] = np.clip(np.round(total * w + rng.normal(0, 8, n)), 0, C.SUBJECT_MAX).astype(float)
    return df


# --------------------------------------------------------------------------
# The whole plan: from 花名册 and the current 分组 to the new 分组
# --------------------------------------------------------------------------
@dataclass
class Move:
    """One student whose group changed (or who joined or left)."""

    student_id: str
    name: str
    before: int | None  # group number, None = not grouped before
    after: int | None  # None = left the class
    why: str  # "regroup", "manual", "new", "placed" (had no 组号), "gone"

    def text(self) -> str:
        if self.why == "new":
            return f"新同学{self.name}编入第{self.after}组"
        if self.why == "placed":
            return f"{self.name}没有组号，已编入第{self.after}组"
        if self.why == "gone":
            where = f"（原第{self.before}组）" if self.before else ""
            return f"{self.name}已不在花名册中，已从分组中删除{where}"
        if self.why == "manual":
            return f"{self.name}：第{self.before}组 → 第{self.after}组（手动调整，已锁定）"
        return f"{self.name}：第{self.before}组 → 第{self.after}组"


@dataclass
class GroupPlan:
    """Everything the grouping operation writes, computed without Excel."""

    table: pd.DataFrame  # 分组 student table (contract.GROUP_COLUMNS), sorted by 组号 and 代号
    details: pd.DataFrame  # same rows: 总分, 学习品质, 组织能力, 综合分 and subject scores
    culture: pd.DataFrame  # one row per group 1..k (contract.CULTURE_COLUMNS)
    k: int
    seats: dict[int, list[tuple[str | None, str | None]]]
    mode: str  # new (first grouping), regroup, update (nobody moves), keep
    moves: list[Move] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    figures: dict = field(default_factory=dict)  # measure() figures, the D_sd bound and the student behind it, class SD
    search: SearchResult | None = None

    def summary(self) -> pd.DataFrame:
        """Per group: 组号, 组名, 人数, 男, 女, A–D counts, mean and SD of 总分,
        high 组织能力 count, 大组长."""
        t = self.table.join(self.details)
        g = t[C.GROUP_NO].to_numpy(dtype=int) - 1
        k = self.k
        count = lambda mask: np.bincount(g[mask], minlength=k)  # noqa: E731
        total = pd.to_numeric(t[C.ROSTER_TOTAL], errors="coerce").to_numpy(dtype=float)
        known = ~np.isnan(total)
        n_known = count(known)
        s1 = np.bincount(g[known], weights=total[known], minlength=k)
        mean = s1 / np.maximum(n_known, 1)
        sq = np.bincount(g[known], weights=(total[known] - mean[g[known]]) ** 2, minlength=k)
        sd = np.sqrt(sq / np.maximum(n_known, 1))
        layer = t[C.GROUP_LAYER].to_numpy(dtype=object)
        gender = t[C.GROUP_GENDER].to_numpy(dtype=object)
        lead = pd.to_numeric(t[C.ROSTER_LEADERSHIP], errors="coerce").to_numpy(dtype=float) >= HIGH_LEADERSHIP
        is_leader = t[C.GROUP_ROLES].fillna("").str.split(C.ROLE_SEPARATOR).map(lambda r: C.ROLE_LEADER in r).to_numpy(dtype=bool)
        leader: dict[int, object] = {}
        for gi, nm in zip(g[is_leader], t[C.GROUP_NAME_COL].to_numpy(dtype=object)[is_leader]):
            leader.setdefault(int(gi), nm)
        size, boys, girls = count(np.ones(len(g), bool)), count(gender == "男"), count(gender == "女")
        layers = {L: count(layer == L) for L in C.LAYERS}
        leads = count(lead)
        rows = []
        labels = team_labels(self.culture, range(1, k + 1))
        for gi in range(k):
            rows.append({
                C.GROUP_NO: gi + 1,
                C.GROUP_TEAM_NAME: labels[gi],
                "人数": int(size[gi]),
                "男": int(boys[gi]),
                "女": int(girls[gi]),
                **{f"{L}层": int(layers[L][gi]) for L in C.LAYERS},
                "平均总分": round(float(mean[gi]), 1) if n_known[gi] else None,
                "总分标准差": round(float(sd[gi]), 1) if n_known[gi] else None,
                "组织能力强": int(leads[gi]),
                C.ROLE_LEADER: leader.get(gi),
            })
        return pd.DataFrame(rows)


def team_label(culture: pd.DataFrame, group: int) -> str:
    """组名 of a group, or 第N组."""
    return team_labels(culture, [group])[0]


def team_labels(culture: pd.DataFrame, groups) -> list[str]:
    """组名 of each group (the first 小组文化 row with its 组号), or 第N组."""
    first: dict = {}
    if len(culture):
        for g, name in zip(culture[C.GROUP_NO].tolist(), culture[C.GROUP_TEAM_NAME].tolist()):
            if isinstance(g, float) and g != g:
                continue
            first.setdefault(g, name)
    out = []
    for g in groups:
        name = first.get(int(g))
        out.append(name.strip() if isinstance(name, str) and name.strip() else f"第{int(g)}组")
    return out


def _text(v) -> str | None:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return None
    s = str(v).strip()
    return s or None


def place_students(groups: np.ndarray, layer: np.ndarray, girl: np.ndarray, boy: np.ndarray, x: np.ndarray,
                   score: np.ndarray, k: int, usual: int | None = None) -> np.ndarray:
    """Put the unplaced students (group −1) into existing groups without
    moving anyone: best first, each into a smallest group that has members
    (among groups 1…``usual``, so a stray group number typed for one
    student does not collect the newcomers), preferring the
    group with fewest of their layer, then of their gender, then the group
    whose mean 总分 it brings closest to the class mean."""
    groups = groups.copy()
    mean = np.nanmean(x) if (~np.isnan(x)).any() else 0.0
    for i in [i for i in np.argsort(-score, kind="stable") if groups[i] < 0]:
        placed = groups >= 0
        size = np.bincount(groups[placed], minlength=k)
        existing = np.flatnonzero(size > 0) if (size > 0).any() else np.arange(k)
        if usual is not None:
            # Only the usual groups 1..max(usual, how many have members) take newcomers.
            regular = existing[existing < max(usual, len(existing))]
            existing = regular if len(regular) else existing
        best_key, best_g = None, 0
        for g in existing[size[existing] == size[existing].min()]:
            m = placed & (groups == g)
            same_layer = int(np.sum(layer[m] == layer[i]))
            same_gender = int(np.sum(girl[m])) if girl[i] else int(np.sum(boy[m])) if boy[i] else 0
            vals = np.append(x[m], x[i])
            vals = vals[~np.isnan(vals)]
            off = abs(vals.mean() - mean) if len(vals) else 0.0
            key = (same_layer, same_gender, off, g)
            if best_key is None or key < best_key:
                best_key, best_g = key, g
        groups[i] = best_g
    return groups


def plan_groups(
    roster: pd.DataFrame,
    members: pd.DataFrame,
    culture: pd.DataFrame,
    *,
    subjects: Sequence[str] = C.DEFAULT_SUBJECTS,
    group_size: int = 8,
    weight_total: float = 0.7,
    weight_quality: float = 0.3,
    seed: int = 0,
    regroup: bool = False,
    keep: bool = False,
    effort: str | Effort = "full",
) -> GroupPlan:
    """The new 分组 from 花名册 (``roster``, as :func:`xlzu.roster.read_roster`
    gives) and the current 分组 (``members``/``culture``, as
    :func:`xlzu.members.read_members` / ``read_culture`` give).

    * No groups yet: layers, then the balanced split (``seed``).
    * Groups exist: nobody moves.  New students in 花名册 join the smallest
      groups, students no longer in 花名册 are dropped, layers are refreshed
      (``keep``: layers stay as 分组 shows them); a student whose 组号 the
      teacher changed by hand is locked and reported.
    * ``regroup``: everyone not locked (锁定) is split again around the
      locked students.

    Codes, roles and seats are always recomputed.  Raises
    :class:`~xlzu.errors.InputError` for a class that cannot be grouped.
    """
    from .errors import CellProblem, InputError, XlzuError
    from .layout import cell_ref
    from .seating import assign_roles, member_codes, seat_rows, subject_zscores

    if regroup and keep:
        raise XlzuError("“重新分组”（--regroup）和“只排职务座位”（--keep）不能同时使用。")
    roster = roster.reset_index(drop=True)
    n = len(roster)
    if n < MIN_GROUP:
        raise InputError(f"“{C.ROSTER}”中只有 {n} 名学生，至少要 {MIN_GROUP} 人才能分组（每组 {MIN_GROUP}–{MAX_GROUP} 人）。请先补全花名册。")
    lines: list[str] = []
    col = {c: i + 1 for i, c in enumerate(C.GROUP_COLUMNS)}

    # ---- the current 分组, matched to 花名册 by 学号 -------------------------
    members = members.reset_index(drop=True)
    dup = members[members[C.GROUP_ID].duplicated(keep="first")]
    if len(dup):
        first_row: dict[str, int] = {}
        for sid, r in zip(members[C.GROUP_ID], members["_row"]):
            first_row.setdefault(sid, int(r))
        raise InputError(
            f"“{C.GROUPS}”中有重复的学号，请删掉重复的行再运行：",
            [CellProblem(C.GROUPS, cell_ref(int(r), col[C.GROUP_ID]), sid, f"与第{first_row[sid]}行重复")
             for sid, r in zip(dup[C.GROUP_ID], dup["_row"])],
        )
    mem = members.set_index(C.GROUP_ID)
    ids = roster[C.ROSTER_ID].astype(str)
    in_roster = set(ids)
    s = pd.DataFrame({
        "id": ids,
        "name": roster[C.ROSTER_NAME].astype(object),
        "gender": roster[C.ROSTER_GENDER].astype(object),
        "total": pd.to_numeric(roster[C.ROSTER_TOTAL], errors="coerce").astype("float64"),
        "quality": pd.to_numeric(roster[C.ROSTER_QUALITY], errors="coerce").astype("float64"),
        "lead": pd.to_numeric(roster[C.ROSTER_LEADERSHIP], errors="coerce").astype("float64"),
    })
    known = ids.isin(mem.index)
    get = lambda c: ids.map(lambda i: mem.at[i, c] if i in mem.index else None)  # noqa: E731
    s["override"] = get(C.GROUP_LAYER_OVERRIDE).map(_text)
    s["old_layer"] = get(C.GROUP_LAYER).map(_text)
    s["old_team"] = get(C.GROUP_TEAM_NAME).map(_text)
    s["locked"] = get(C.GROUP_LOCKED).map(lambda v: bool(v) if v is not None and v is not pd.NA else False).astype(bool)
    s["row"] = get("_row")
    old = get(C.GROUP_NO).map(lambda v: None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else int(v))
    s["old_group"] = pd.array(old.tolist(), dtype="Int64")
    gone = members[~members[C.GROUP_ID].isin(in_roster)]
    # Groups exist once a student the teacher did not lock has a 组号: rows
    # typed into an empty 分组 with 锁定 (before the first grouping) only say
    # where those students must stay.
    has_groups = bool((s["old_group"].notna() & ~s["locked"]).any())
    pre_locked = not has_groups and bool((s["old_group"].notna() & s["locked"]).any())
    mode = "new" if not has_groups else "regroup" if regroup else "keep" if keep else "update"

    # ---- layers -------------------------------------------------------------
    score = composite_scores(s["total"], s["quality"], weight_total, weight_quality)
    overrides = s["override"].tolist()
    if mode == "keep":
        overrides = [o if isinstance(o, str) else ol if isinstance(ol, str) else None for o, ol in zip(s["override"], s["old_layer"])]
    layer = assign_layers(score, overrides)
    letters = np.array(C.LAYERS)[layer]
    s["layer"] = letters
    for i in np.flatnonzero(s["total"].isna().to_numpy()):
        how = "按学习品质" if not np.isnan(s.at[i, "quality"]) else "没有学习品质，暂按中等"
        lines.append(f"{s.at[i, 'name']}没有总分，{how}分在 {letters[i]} 层（可在“{C.GROUPS}”的“{C.GROUP_LAYER_OVERRIDE}”列指定）。")
    missing_gender = s.loc[~s["gender"].isin(C.GENDERS), "name"].tolist()
    if missing_gender:
        lines.append(f"没有性别，分组时不计入男女平衡：{'、'.join(map(str, missing_gender))}。请在“{C.ROSTER}”中补填。")
    if mode in ("update", "regroup"):
        # (a newcomer has no old layer: missing values arrive as NaN, which is truthy)
        changed = [(nm, a, b) for nm, a, b in zip(s["name"], s["old_layer"], letters) if isinstance(a, str) and a != b]
        if changed:
            lines.append("层次有变化（按最新的总分和学习品质）：" + "，".join(f"{nm} {a}→{b}" for nm, a, b in changed) + "。")

    # ---- who moved by hand --------------------------------------------------
    moves: list[Move] = []
    manual = np.zeros(n, dtype=bool)
    if has_groups:
        max_old = int(s["old_group"].max())
        names_now = dict(zip(range(1, max_old + 1), team_labels(culture, range(1, max_old + 1))))
        by_name: dict[str, list[int]] = {}
        for g, nm in names_now.items():
            by_name.setdefault(nm, []).append(g)
        for i in range(n):
            g, was = s.at[i, "old_group"], s.at[i, "old_team"]
            if g is pd.NA or was is None or was == names_now.get(int(g)):
                continue
            src = by_name.get(was, [])
            if len(src) == 1 and src[0] != int(g):
                manual[i] = True
                moves.append(Move(s.at[i, "id"], s.at[i, "name"], src[0], int(g), "manual"))
    locked = s["locked"].to_numpy() | manual

    # ---- groups ------------------------------------------------------------
    girl = (s["gender"] == "女").to_numpy()
    boy = (s["gender"] == "男").to_numpy()
    lead = (s["lead"] >= HIGH_LEADERSHIP).to_numpy()
    total = s["total"].to_numpy()
    old_groups = np.array([-1 if v is pd.NA else int(v) - 1 for v in s["old_group"]])
    search = None
    if mode in ("new", "regroup"):
        k = group_count(n, group_size)
        fixed = np.where(locked & (old_groups >= 0), old_groups, -1)
        too_far = np.flatnonzero(fixed >= k)
        if len(too_far):
            raise InputError(
                f"按现在的人数（{n} 人，每组约 {group_size} 人）只分 {k} 组，下面锁定的学生所在的组不存在。"
                f"请改组号或取消锁定后再运行：",
                [CellProblem(C.GROUPS, cell_ref(int(s.at[i, "row"]), col[C.GROUP_NO]), int(old_groups[i]) + 1,
                             f"（{s.at[i, 'name']}）应为 1–{k}") for i in too_far],
            )
        search = balance(total, layer, girl, boy, lead, k, fixed=fixed, seed=seed, effort=effort)
        groups = search.groups
        if mode == "new":
            lo, hi = min(group_sizes(n, k)), max(group_sizes(n, k))
            pinned = f"锁定的 {int((fixed >= 0).sum())} 人留在指定的组，" if pre_locked else ""
            lines.insert(0, f"共 {n} 人，分成 {k} 组（每组 {lo if lo == hi else f'{lo}–{hi}'} 人），{pinned}随机种子 {seed}。")
        else:
            n_locked = int((fixed >= 0).sum())
            lines.insert(0, f"重新分组：共 {n} 人分成 {k} 组，锁定的 {n_locked} 人不动，其余重新搭配（随机种子 {seed}）。")
            for i in range(n):
                if old_groups[i] >= 0 and groups[i] != old_groups[i] and not manual[i]:
                    moves.append(Move(s.at[i, "id"], s.at[i, "name"], int(old_groups[i]) + 1, int(groups[i]) + 1, "regroup"))
    else:
        k = int(old_groups.max()) + 1
        groups = place_students(old_groups, layer, girl, boy, total, score, k, group_count(n, group_size))
        verb = "只重排代号、职务和座位，谁也不动（层次保持不变）" if mode == "keep" else "谁也不动，重新计算层次、代号、职务和座位"
        lines.insert(0, f"保留现有的 {k} 个组：{verb}。要整体重新分组请加 --regroup（锁定的学生不动）。")
        wanted = group_count(n, group_size)
        if wanted != k:
            lines.append(f"按现在的人数和“每组人数”设置应分 {wanted} 组，现在是 {k} 组；如要按设置重新分组，请运行 xlzu group --regroup。")
    for i in range(n):
        if old_groups[i] < 0:
            why = "placed" if bool(known.iloc[i]) and has_groups else "new"
            moves.append(Move(s.at[i, "id"], s.at[i, "name"], None, int(groups[i]) + 1, why))
    for sid, nm, g in zip(gone[C.GROUP_ID], gone[C.GROUP_NAME_COL], gone[C.GROUP_NO]):
        moves.append(Move(sid, nm or sid, None if g is pd.NA or g is None else int(g), None, "gone"))
    s["group"] = groups + 1
    s["lockedfinal"] = locked

    sizes = np.bincount(groups, minlength=k)
    for g in np.flatnonzero(sizes == 0):
        lines.append(f"第{g + 1}组现在没有组员。")
    if sizes.max() - sizes[sizes > 0].min() > 1 or sizes.max() > MAX_GROUP or sizes[sizes > 0].min() < MIN_GROUP:
        lines.append("各组人数：" + "，".join(f"第{g + 1}组 {c} 人" for g, c in enumerate(sizes)) + f"（建议 {MIN_GROUP}–{MAX_GROUP} 人、相差不超过 1 人）。")
    if n < 2 * MIN_GROUP and k > 1 and sizes.min() < MIN_GROUP:
        lines.append(f"全班只有 {n} 人，无法每组都有 {MIN_GROUP} 人，已尽量平均分组。")

    # ---- codes, roles, seats ------------------------------------------------
    s["code"] = member_codes(s["group"], s["layer"], score)
    frame = pd.DataFrame({
        C.GROUP_NAME_COL: s["name"], C.GROUP_GENDER: s["gender"], C.GROUP_LAYER: s["layer"], C.GROUP_CODE: s["code"],
        C.ROSTER_LEADERSHIP: s["lead"], C.ROSTER_QUALITY: s["quality"],
    })
    z = subject_zscores(roster, subjects)
    roles: dict[int, list[str]] = {}
    seats: dict[int, list[tuple[str | None, str | None]]] = {}
    for g in range(1, k + 1):
        idx = s.index[s["group"] == g]
        got, notes = assign_roles(frame.loc[idx], subjects, z.loc[idx])
        for i, r in zip(idx, got):
            roles[i] = r
        for note in notes:
            lines.append(f"第{g}组：{note}。")
        seats[g] = seat_rows(list(s.loc[idx, "code"]))

    # ---- culture: one row per group, every field the teacher typed kept -----
    cult = culture.copy() if len(culture) else pd.DataFrame(columns=list(C.CULTURE_COLUMNS))
    rows = []
    for g in range(1, k + 1):
        hit = cult[cult[C.GROUP_NO] == g]
        rec = {c: (_text(hit.iloc[0][c]) if len(hit) else None) for c in C.CULTURE_COLUMNS}
        rec[C.GROUP_NO] = g
        rows.append(rec)
    new_culture = pd.DataFrame(rows, columns=list(C.CULTURE_COLUMNS))
    new_culture[C.GROUP_NO] = new_culture[C.GROUP_NO].astype("Int64")
    for _, r in cult[cult[C.GROUP_NO] > k].iterrows():
        kept = "，".join(f"{c}“{_text(r[c])}”" for c in C.CULTURE_COLUMNS[1:] if _text(r[c]))
        if kept:
            lines.append(f"现在只有 {k} 组，第{int(r[C.GROUP_NO])}组的小组文化已删除：{kept}。")

    # ---- the table ----------------------------------------------------------
    from .seating import code_key

    table = pd.DataFrame({
        C.GROUP_ID: s["id"].astype(object),
        C.GROUP_NAME_COL: s["name"].astype(object),
        C.GROUP_GENDER: s["gender"].astype(object),
        C.GROUP_LAYER: s["layer"].astype(object),
        C.GROUP_LAYER_OVERRIDE: s["override"].astype(object),
        C.GROUP_NO: s["group"].astype("int64"),
        C.GROUP_TEAM_NAME: team_labels(new_culture, s["group"].tolist()),
        C.GROUP_CODE: s["code"].astype(object),
        C.GROUP_ROLES: [C.ROLE_SEPARATOR.join(roles[i]) for i in range(n)],
        C.GROUP_LOCKED: pd.Series([C.LOCKED_MARK if v else None for v in locked], dtype=object),
    })
    details = pd.DataFrame({
        C.ROSTER_TOTAL: s["total"], C.ROSTER_QUALITY: s["quality"], C.ROSTER_LEADERSHIP: s["lead"],
        "综合分": np.round(score, 4),
    })
    for subj in subjects:
        if subj in roster.columns:
            details[subj] = pd.to_numeric(roster[subj], errors="coerce").astype("float64")
    order = sorted(range(n), key=lambda i: (int(s.at[i, "group"]), code_key(s.at[i, "code"]), i))
    table = table.iloc[order]
    details = details.iloc[order]

    figures = measure(total, groups, girl) if (~np.isnan(total)).sum() > 1 else {}
    if figures:
        # How close to the best possible: the least D_sd any split with these
        # groups' layer counts and D_means ≤ 0.01 could have (xlzu.sdbound).
        counts = np.zeros((k, N_LAYERS), dtype=int)
        np.add.at(counts, (groups, layer), 1)
        pinned = np.where(locked, groups, -1)
        bound = search.bound if search is not None else sd_lower_bound(total, layer, counts, TAU_MEANS, pinned)
        figures["bound"] = bound.value
        figures["bound_student"] = bound.student
        figures["bound_name"] = None if bound.student is None else s.at[bound.student, "name"]
        figures["bound_high"] = bound.high
        figures["bound_exact"] = bound.exact  # proven: no split does better (sdbound.tighten)
        figures["class_sd"] = float(np.nanstd(total))
    plan = GroupPlan(table, details, new_culture, k, seats, mode, moves, lines, figures, search)
    return plan
