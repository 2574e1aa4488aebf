"""A lower bound on D_sd: how equal the groups' spreads of 总分 can be at best.

D_sd is max − min of the groups' population SDs of 总分, in class SDs.  When
one student lies far from the rest, no split can make every group's SD the
same while the group means stay equal: the group that receives that student
needs members far on the other side to keep its mean at the class mean, so
its SD is large, and the other groups share what is left of the class's
spread.  This module computes a number that is provably ≤ the smallest D_sd
of any split that keeps the rules xlzu groups by:

* group ``g`` holds ``counts[g, L]`` students of layer ``L`` (the planned
  layer counts; which group gets which row of ``counts`` is free),
* the group means of 总分 lie within ``delta`` of each other (D_means ≤ delta),
* given ``girl`` and ``boy``: the numbers of girls and of boys each differ by
  at most one across the k groups, i.e. every group holds between
  ⌊girls ÷ k⌋ and ⌈girls ÷ k⌉ girls, and likewise boys (xlzu.grouping's
  gender rule; a student of unknown gender counts for neither).

The argument, with 总分 in class units (mean 0, population SD 1 over the N
students who have 总分):

1. **The extreme student's group has a large SD.**  Let group o hold student
   a and n known members.  Its mean m lies within delta of the class mean
   0 (the class mean is a weighted average of the group means, so it lies
   between the smallest and largest of them), hence |Σ x_i| ≤ n·delta and

       SS_o = Σ x_i² − n·m² ≥ Σ x_i² − n·delta².

   For any real λ, λ·Σ x_i ≤ |λ|·n·delta, so

       Σ x_i² ≥ Σ (x_i² + λ·x_i) − |λ|·n·delta,

   and the right-hand side is smallest when, from each layer L, the group
   takes the students whose x² + λx is smallest (a is always in).  That
   minimum, over all choices, is a valid lower bound for every λ
   (Lagrangian relaxation of the mean condition); we take the best λ on a
   grid.  Students without 总分 may take some of the group's places, so every
   possible number of known members per layer is tried and the weakest
   result kept.  SD_o ≥ √(SS_o / n).  With the gender rule, the minimum is
   taken per number of girls and of boys the group ends with (counting the
   girls and boys among those without 总分 who take places), and only the
   numbers inside the bands are kept: a split that keeps the rule has its
   group among them, so the weakest of them is still a lower bound, and it
   is never below the bound without the rule (fewer groups to choose from).
   When locked students already put a group outside a band, no split keeps
   the rule and it is left out of the bound.

   1a. **Step 1 exactly** (:func:`_least_ss`), where one half of the layers
   has at most EXACT_HALF ways to fill the group: the least Σx² over the
   member sets whose |Σx| ≤ n·delta and whose girls and boys lie in their
   bands, found by meeting in the middle (each half's sets listed; for a
   set of one half, the other half's sets of each (known members, girls,
   boys) whose Σx keeps the sum in range form a run when sorted by Σx, and
   a sparse table gives their least Σx²).  SS ≥ Σx² − n·delta², so that
   minimum less n·delta² bounds SS from below over exactly the groups the
   rules allow, never below the Lagrangian value.
2. **Some other group has a small SD.**  The total sum of squares splits
   into within-group and between-group parts: Σ_g SS_g + Σ_g n_g·m_g² = N.
   So the other groups together hold at most N − SS_o, spread over N − n
   members, and the smallest of their SDs is at most √((N − SS_o) / (N − n)).
3. Hence D_sd ≥ SD_o − √((N − SS_o) / (N − n)); the right-hand side grows
   with SS_o, so the lower bound of step 1 may be used.
4. The same holds for the lowest student b.  If a and b are in different
   groups, both groups' sums of squares come off the total:
   D_sd ≥ max(SD_a, SD_b) − √((N − SS_a − SS_b) / (N − n_a − n_b)).  If they
   share a group, that group holds both (step 1 with both fixed).  The
   bound is the smaller of the two cases, minimised over every row of
   ``counts`` the groups could be.  (In the code: the two highest and the
   two lowest students, placed in every possible way.)

   4b. **Two such groups together.**  Students far out on the same side
   compete for the same partners, which steps 1–4 let each group take
   anew.  For two of the groups above, A ∋ a and B ∋ b, take their union
   U (layer counts row_A + row_B, n = n_A + n_B known members, every
   member once): |Σ_U x| = |n_A·m_A + n_B·m_B| ≤ n·delta, so step 1
   applied to U bounds T = SS_A + SS_B from below (girls and boys between
   twice their bands).  The larger of the two SDs is at least the pooled
   √(T / n) (n_A·SD_A² + n_B·SD_B² = T), and the smallest SD of the other
   groups at most √((N − T) / (N − n)) (step 2); the difference grows
   with T, so D_sd ≥ √(T / n) − √((N − T) / (N − n)) with the lower bound
   on T, for every possible n.

5. **Locked groups.**  Σ_g n_g·(SD_g² + m_g²) = N with every |m_g| ≤ delta.
   If the group holding the locked students has SD s and n known members,
   the other groups' Σ n_g·SD_g² lies between N·(1 − delta²) − n·s² and
   N − n·s², so their largest SD is at least A(s) = √((N·(1 − delta²) −
   n·s²) / (N − n)) and their smallest at most B(s) = √((N − n·s²) /
   (N − n)): D_sd ≥ max(A(s) − s, s − B(s), 0).  When few enough
   (EXACT_SETS), every member set the group could have (its locked
   students, none locked elsewhere, its layer counts, mean within delta,
   girls and boys in their bands) is listed and the bound is the least of
   that over them.  Otherwise s is bounded from above (the Lagrangian
   argument of step 1 with the largest x² + λx per layer: SS ≤ Σx² ≤
   Σ(x² + λx) + |λ|·n·delta) and from below (step 1); A(s) − s falls as s
   grows and s − B(s) rises, so the bounds may stand in for s.  A group
   that might hold no student with 总分 says nothing.

Every step is a relaxation (any real split satisfies each inequality), so
the result never exceeds the true optimum; it is exact enough to tell a
teacher "the class cannot do better than about x".

6. **Small classes: an exhaustive proof** (:func:`tighten`, after the
   search, given its split of D_sd d).  When every row of ``counts`` has at
   most EXACT_SETS member sets, all of them are listed, keeping those
   whose mean lies within delta of 0 (necessary, step 1) and whose girls
   and boys lie in their bands.  A depth-first exact cover then decides
   whether some split has D_sd < t: it gives a group to the free student
   that the fewest still-possible sets hold (none: a dead end), and a set
   stays possible only while it is disjoint from the groups chosen and its
   mean and SD keep the means within delta and the SDs within less than t
   of theirs; the last group is what remains.  Every split that keeps the
   rules with D_sd < t passes every test, so "none found" after the whole
   search proves D_sd ≥ t for every such split.  A second test prunes more:
   the groups still to fill hold the free students with 总分, whose Σx² is
   known; their Σ n_g·SD_g² lies between that Σx² − n·delta² and Σx², and
   each of their SDs within less than t of every chosen group's, so a set
   after which n·(largest SD − t)² > Σx² or Σx² − n·delta² > n·(smallest
   SD + t)² cannot be part of such a split.  Asked at t just under d,
   "none" makes the bound d: the split is the best possible (``exact``).  A
   split found below d shows the search was not optimal: the threshold
   moves just under that split, and so on (branch and bound) until "none":
   the bound is then the least D_sd of any split.  A step budget keeps the
   cost bounded (out of steps: nothing proven), and the proof is spent only
   where steps 1–5 do not already vouch for the split.  Locked students
   narrow their group's sets to those holding them (and every other group's
   to those without them).  The same search returns the split itself
   (:func:`least_sd_split`).
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass, field, replace
from typing import Sequence

import numpy as np

N_LAYERS = 4
EXTREMES = 4  # the two highest and two lowest students are placed in every possible way
_LAMBDAS = np.concatenate([-np.geomspace(1e-3, 40.0, 160)[::-1], [0.0], np.geomspace(1e-3, 40.0, 160)])


@dataclass(frozen=True)
class SdBound:
    """The bound on D_sd (class SDs) and the student it comes from."""

    value: float
    student: int | None  # index of the extreme student behind it (None: no bound above 0)
    high: bool  # whether that student is the highest (else the lowest)
    max_sd: float  # least possible SD (class SDs) of that student's group
    exact: bool = False  # the exhaustive search proved that no split does better than ``value`` (tighten)
    # A split (0-based group per student) the exhaustive search met with a smaller D_sd than the one
    # tighten judged: the groups' layer counts, D_means ≤ delta and the gender bands kept, nothing else weighed.
    better: np.ndarray | None = field(default=None, compare=False, repr=False)


GIRL, BOY, OTHER = 0, 1, 2  # values of ``sex``: a student of unknown gender counts for neither band


def _group_options(z: np.ndarray, layer: np.ndarray, known: np.ndarray, focus: Sequence[int], row: np.ndarray,
                   delta: float, exclude: Sequence[int] = (), upper: bool = False, sex: np.ndarray | None = None,
                   bands: tuple[tuple[float, float], tuple[float, float]] | None = None) -> list[tuple[float, int]]:
    """(lower bound on the within-group sum of squares, known members) of a
    group with layer counts ``row`` that holds the students ``focus`` and
    none of ``exclude``, one pair for every possible number of known members
    per layer and number of girls and boys.  With ``sex`` (GIRL/BOY/OTHER per
    student) and ``bands`` ((least, most) girls, (least, most) boys), only
    groups whose girls and boys lie in their bands count.  With ``upper``, an
    upper bound on the sum of squares instead (SS ≤ Σx² ≤ Σ(x² + λx) +
    |λ|·n·delta for every λ, the largest terms taken from each layer)."""
    need = row.astype(int).copy()
    for i in focus:
        need[layer[i]] -= 1
    if (need < 0).any():
        return []
    lam = _LAMBDAS
    sex = np.full(len(z), OTHER) if sex is None else sex
    taken = np.zeros(len(z), dtype=bool)
    taken[list(focus) + list(exclude)] = True
    girls0 = sum(int(sex[i] == GIRL) for i in focus)
    boys0 = sum(int(sex[i] == BOY) for i in focus)
    most_g = bands[0][1] if bands else np.inf
    most_b = bands[1][1] if bands else np.inf
    focus = [i for i in focus if known[i]]  # a locked student without 总分 only takes a place
    fixed_cost = sum(z[i] ** 2 + lam * z[i] for i in focus) + np.zeros(len(lam))  # (G,)
    pick = np.maximum if upper else np.minimum
    # Per layer: for every (known members, girls, boys) the cheapest (or,
    # with ``upper``, dearest) Σ x² + λx, for every λ at once.
    combined: dict[tuple, np.ndarray] = {((), girls0, boys0): fixed_cost}
    for L in range(N_LAYERS):
        c = int(need[L])
        here = (layer == L) & ~taken
        prefix, absent = [], []
        for s in (GIRL, BOY, OTHER):
            pool = np.flatnonzero(here & known & (sex == s))
            absent.append(int(np.count_nonzero(here & ~known & (sex == s))))
            cost = np.sort(z[pool][None, :] ** 2 + lam[:, None] * z[pool][None, :], axis=1)
            if upper:
                cost = cost[:, ::-1]
            hi = min(c, len(pool))
            prefix.append(np.concatenate([np.zeros((len(lam), 1)), np.cumsum(cost[:, :hi], axis=1)], axis=1))
        table: dict[tuple, np.ndarray] = {}
        for kg in range(prefix[0].shape[1]):
            for kb in range(min(prefix[1].shape[1], c - kg + 1)):
                for ko in range(min(prefix[2].shape[1], c - kg - kb + 1)):
                    rest = c - kg - kb - ko
                    cost = None
                    for ag in range(min(rest, absent[0]) + 1):
                        for ab in range(min(rest - ag, absent[1]) + 1):
                            if rest - ag - ab > absent[2]:
                                continue
                            if cost is None:
                                cost = prefix[0][:, kg] + prefix[1][:, kb] + prefix[2][:, ko]
                            key = (kg + kb + ko, kg + ag, kb + ab)
                            table[key] = cost if key not in table else pick(table[key], cost)
        if not table:
            return []
        new: dict[tuple, np.ndarray] = {}
        for (ks, g, b), a in combined.items():
            for (kn, g2, b2), a2 in table.items():
                if g + g2 > most_g or b + b2 > most_b:
                    continue
                key = (ks + (kn,), g + g2, b + b2)
                v = a + a2
                new[key] = v if key not in new else pick(new[key], v)
        combined = new
    out = []
    for (ks, g, b), total in combined.items():
        if bands and not (bands[0][0] <= g <= bands[0][1] and bands[1][0] <= b <= bands[1][1]):
            continue
        n = len(focus) + sum(ks)
        if upper:
            ss = float(np.min(total + np.abs(lam) * n * delta))
        else:
            ss = float(np.max(total - np.abs(lam) * n * delta)) - n * delta**2
        out.append((max(ss, 0.0), n))
    return out


EXACT_HALF = 20_000  # most combinations of one half of the layers for step 1 done exactly (meet in the middle)


def _least_ss(z: np.ndarray, layer: np.ndarray, known: np.ndarray, focus: Sequence[int], row: np.ndarray,
              delta: float, exclude: Sequence[int] = (), sex: np.ndarray | None = None,
              bands: tuple[tuple[float, float], tuple[float, float]] | None = None,
              memo: dict | None = None) -> list[tuple[float, int]] | None:
    """Step 1 without relaxing the mean condition: for every possible number
    of known members n, the least within-group sum of squares of any group
    with layer counts ``row`` that holds ``focus`` and none of ``exclude``,
    whose |Σx| ≤ n·delta and whose girls and boys lie in ``bands``; as
    (SS, n) pairs like :func:`_group_options` gives, or None when a half of
    the layers has more than EXACT_HALF combinations.

    The layers are split in two halves and each half's combinations listed
    (known members, Σx, Σx², girls, boys).  For one combination a of the
    first half and a class (n, girls, boys) of the second, the second half's
    Σx must lie in [−n·delta − Σx_a, n·delta − Σx_a]; the least Σx² there is
    a range minimum over that class sorted by Σx (a sparse table).  SS =
    Σx² − (Σx)²/n ≥ Σx² − n·delta² under the condition, so the value is a
    lower bound (within n·delta² of the exact least SS) over exactly the
    groups the rules allow.  ``memo`` (a dict kept by the caller for calls
    with the same students, ``focus`` and ``exclude`` together the same set)
    keeps the halves' listings between calls."""
    memo = {} if memo is None else memo
    focus = [int(i) for i in focus]
    need = np.asarray(row, dtype=int) - np.bincount(layer[focus], minlength=N_LAYERS)
    if (need < 0).any():
        return []
    out = np.zeros(len(z), dtype=bool)
    out[focus + [int(i) for i in exclude]] = True
    pools = [np.flatnonzero((layer == L) & ~out) for L in range(N_LAYERS)]
    if any(len(pools[L]) < need[L] for L in range(N_LAYERS)):
        return []
    ways = [math.comb(len(pools[L]), int(need[L])) for L in range(N_LAYERS)]
    # The split of the layers into two halves with the fewest combinations in the larger half.
    halves = min(((h1, h2) for m in range(1 << N_LAYERS)
                  for h1 in [tuple(L for L in range(N_LAYERS) if m >> L & 1)]
                  for h2 in [tuple(L for L in range(N_LAYERS) if not m >> L & 1)]),
                 key=lambda h: max(math.prod(ways[L] for L in h[0]), math.prod(ways[L] for L in h[1])))
    if max(math.prod(ways[L] for L in h) for h in halves) > EXACT_HALF:
        return None
    sex = np.full(len(z), OTHER) if sex is None else sex
    zk = np.where(known, z, 0.0)

    def listed(layers) -> np.ndarray:
        """(combinations × 5): known members, Σx, Σx², girls, boys of every
        choice of ``need`` members from each of ``layers``."""
        key = ("listed", tuple((L, int(need[L])) for L in layers))
        if key not in memo:
            total = np.zeros((1, 5))
            for L in layers:
                combos = list(itertools.combinations(pools[L].tolist(), int(need[L])))
                p = np.array(combos, dtype=np.int64).reshape(len(combos), int(need[L]))
                part = np.stack([known[p].sum(axis=1), zk[p].sum(axis=1), (zk[p] ** 2).sum(axis=1),
                                 (sex[p] == GIRL).sum(axis=1), (sex[p] == BOY).sum(axis=1)], axis=1).astype(float)
                total = (total[:, None, :] + part[None, :, :]).reshape(-1, 5)
            memo[key] = total
        return memo[key]

    def sorted_classes(layers) -> list[tuple[float, float, float, np.ndarray, list[np.ndarray]]]:
        """The listing of ``layers`` per class (known members, girls, boys):
        its Σx sorted, and the sparse table of its Σx² (table[j][i] = least
        Σx² of rows i … i + 2**j − 1)."""
        key = ("sorted", tuple((L, int(need[L])) for L in layers))
        if key not in memo:
            B = listed(layers)
            code = (B[:, 0] * 4096 + B[:, 3] * 64 + B[:, 4]).astype(np.int64)  # counts of at most 63 each
            order = np.lexsort((B[:, 1], code))
            B, code = B[order], code[order]
            cut = np.flatnonzero(np.diff(code)) + 1
            out = []
            for lo, hi in zip(np.concatenate([[0], cut]).tolist(), np.concatenate([cut, [len(code)]]).tolist()):
                table = [B[lo:hi, 2]]
                while 2 ** len(table) <= hi - lo:
                    prev, step = table[-1], 2 ** (len(table) - 1)
                    table.append(np.minimum(prev[:-step], prev[step:]))
                out.append((float(B[lo, 0]), float(B[lo, 3]), float(B[lo, 4]), B[lo:hi, 1], table))
            memo[key] = out
        return memo[key]

    A = listed(halves[0]) + np.array([known[focus].sum(), zk[focus].sum(), (zk[focus] ** 2).sum(),
                                      (sex[focus] == GIRL).sum(), (sex[focus] == BOY).sum()], dtype=float)
    least: dict[int, float] = {}
    for nb, gb, bb, s1, table in sorted_classes(halves[1]):
        n = A[:, 0] + nb
        ok = np.ones(len(A), dtype=bool)
        if bands is not None:
            g, b = A[:, 3] + gb, A[:, 4] + bb
            ok = (bands[0][0] <= g) & (g <= bands[0][1]) & (bands[1][0] <= b) & (b <= bands[1][1])
        lo = np.searchsorted(s1, -n * delta - A[:, 1] - 1e-12, side="left")
        hi = np.searchsorted(s1, n * delta - A[:, 1] + 1e-12, side="right")
        ok &= hi > lo
        if not ok.any():
            continue
        lo, hi, n, a2 = lo[ok], hi[ok], n[ok], A[ok, 2]
        j = np.floor(np.log2(hi - lo)).astype(int)
        best = np.full(len(lo), np.inf)
        for level in np.unique(j).tolist():
            at = j == level
            t = table[level]
            best[at] = np.minimum(t[lo[at]], t[hi[at] - 2**level])
        ss = a2 + best - n * delta**2
        for m in np.unique(n).tolist():
            v = float(ss[n == m].min())
            least[int(m)] = min(v, least.get(int(m), np.inf))
    return [(max(v, 0.0), m) for m, v in sorted(least.items())]


def _set_partitions(items: list[int]):
    """Every way to split ``items`` into non-empty blocks."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in _set_partitions(rest):
        yield [[first]] + part
        for j in range(len(part)):
            yield part[:j] + [[first] + part[j]] + part[j + 1:]


def gender_bands(girl: Sequence[bool], boy: Sequence[bool], k: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """The girls and boys a group may hold when each differs by at most one
    across ``k`` groups: [⌊total ÷ k⌋, ⌈total ÷ k⌉] (xlzu.grouping's rule)."""
    g, b = int(np.sum(girl)), int(np.sum(boy))
    return (g // k, -(-g // k)), (b // k, -(-b // k))


def sd_lower_bound(total: Sequence[float], layer: Sequence[int], counts: np.ndarray, delta: float = 0.01,
                   fixed: Sequence[int] | None = None, *, girl: Sequence[bool] | None = None,
                   boy: Sequence[bool] | None = None) -> SdBound:
    """A value ≤ the least D_sd (population SDs, in class SDs) of any split
    into groups with layer counts ``counts`` (k × 4) whose D_means ≤
    ``delta`` (and, given ``girl`` and ``boy``, whose numbers of girls and
    of boys each differ by at most one across groups).  See the module
    docstring for the argument."""
    x = np.asarray(total, dtype=float)
    layer = np.asarray(layer, dtype=int)
    counts = np.asarray(counts, dtype=int)
    known = ~np.isnan(x)
    N = int(known.sum())
    k = counts.shape[0]
    if k < 2 or N < 3 or np.nanstd(x) == 0:
        return SdBound(0.0, None, True, 0.0)
    z = np.where(known, (x - np.nanmean(x)) / np.nanstd(x), 0.0)
    fixed = np.full(len(x), -1) if fixed is None else np.asarray(fixed, dtype=int)
    sex, bands = None, None
    if girl is not None and boy is not None:
        girl, boy = np.asarray(girl, dtype=bool), np.asarray(boy, dtype=bool)
        sex = np.where(girl, GIRL, np.where(boy, BOY, OTHER))
        bands = gender_bands(girl, boy, k)
        for g in range(k):
            # Locked students already beyond a band: the rule cannot hold, so it is not used.
            if np.sum(girl & (fixed == g)) > bands[0][1] or np.sum(boy & (fixed == g)) > bands[1][1]:
                sex, bands = None, None
                break
    gender = {"sex": sex, "bands": bands}
    idx = np.flatnonzero(known)
    order = idx[np.argsort(z[idx], kind="stable")]
    extremes = list(dict.fromkeys([int(order[-1]), int(order[0]), int(order[-2]), int(order[1])]))[:EXTREMES]

    rows = [tuple(int(c) for c in r) for r in counts]
    locked_groups = {int(fixed[i]) for i in extremes if fixed[i] >= 0}

    def tags_for(block) -> list[tuple]:
        """Where the group holding ``block`` can be: a locked group, or any
        group of a given row of layer counts."""
        groups = {int(fixed[i]) for i in block if fixed[i] >= 0}
        if len(groups) > 1:
            return []
        if groups:
            return [("group", groups.pop())]
        return [("row", r) for r in sorted(set(rows))]

    def fits(tags) -> bool:
        """Whether the blocks can sit in different groups with these tags."""
        taken = [t[1] for t in tags if t[0] == "group"]
        if len(set(taken)) < len(taken):
            return False
        free = [rows[g] for g in range(k) if g not in taken and g not in locked_groups]
        need: dict[tuple, int] = {}
        for t in tags:
            if t[0] == "row":
                need[t[1]] = need.get(t[1], 0) + 1
        return all(free.count(r) >= c for r, c in need.items())

    cache: dict[tuple, list[tuple[tuple, np.ndarray, np.ndarray]]] = {}
    memo: dict = {}  # _least_ss's listings: every call leaves out the same students (the extremes)

    def options(block: tuple[int, ...]) -> list[tuple[tuple, np.ndarray, np.ndarray]]:
        """(where, SS lower bounds, known members) of the group holding
        exactly the extreme students ``block``: for every possible number of
        known members (absent students may take places), the least SS."""
        if block not in cache:
            front = []
            for tag in tags_for(block):
                row = np.array(rows[tag[1]] if tag[0] == "group" else tag[1])
                least: dict[int, float] = {}
                found = _least_ss(z, layer, known, block, row, delta, exclude=extremes, **gender, memo=memo)
                if found is None:
                    found = _group_options(z, layer, known, block, row, delta, exclude=extremes, **gender)
                for ss, n in found:
                    least[n] = min(ss, least.get(n, np.inf))
                if least:
                    ns = sorted(least)
                    front.append((tag, np.array([least[n] for n in ns]), np.array(ns, dtype=float)))
            cache[block] = front
        return cache[block]

    union_cache: dict[tuple, float] = {}

    def union_bound(focus: tuple[int, ...], tag_a: tuple, tag_b: tuple) -> float:
        """Step 4b: D_sd is at least √(T / n) − √((N − T) / (N − n)) for the
        two groups holding ``focus`` together (T their summed SS, n their
        known members), T bounded as in step 1 for the union."""
        row = tuple(int(a) + int(b) for a, b in zip(*(rows[t[1]] if t[0] == "group" else t[1] for t in (tag_a, tag_b))))
        key = (focus, row)
        if key not in union_cache:
            both = None if bands is None else tuple((2 * lo, 2 * hi) for lo, hi in bands)
            worst = np.inf
            for T, n in _group_options(z, layer, known, focus, np.array(row), delta, exclude=extremes, sex=sex,
                                       bands=both):
                if n >= N:
                    worst = -np.inf  # no known member elsewhere: nothing to compare with
                    break
                worst = min(worst, np.sqrt(T / n) - np.sqrt(max(N - T, 0.0) / (N - n)))
            union_cache[key] = float(worst) if np.isfinite(worst) else (0.0 if worst > 0 else -np.inf)
        return union_cache[key]

    value = np.inf
    for blocks in _set_partitions(extremes):
        if len(blocks) > k:
            continue
        opts = [options(tuple(b)) for b in blocks]
        if any(not o for o in opts):
            continue  # no group can hold this block
        B = len(blocks)
        for choice in itertools.product(*opts):
            if not fits([c[0] for c in choice]):
                continue
            # Every combination of member counts at once: block j varies along axis j.
            shape = [1] * B
            ss, n = [], []
            for j, (_, a, m) in enumerate(choice):
                shape[j] = len(a)
                ss.append(a.reshape(shape))
                n.append(m.reshape(shape))
                shape[j] = 1
            ss_all, n_all = sum(ss), sum(n)
            sd = functools.reduce(np.maximum, [np.sqrt(a / m) for a, m in zip(ss, n)])
            # The smallest SD is at most that of any one block's group, whose
            # sum of squares is what the others leave of N ...
            cap = functools.reduce(np.minimum, [np.sqrt(np.maximum(N - (ss_all - a), 0.0) / m) for a, m in zip(ss, n)])
            # ... or the average of the groups holding no extreme student.
            if B < k:
                rest = N - n_all
                cap = np.minimum(cap, np.where(rest > 0, np.sqrt(np.maximum(N - ss_all, 0.0) / np.maximum(rest, 1)), np.inf))
            single = functools.reduce(np.maximum, [np.where(N - m > 0, np.sqrt(a / m) - np.sqrt(np.maximum(N - a, 0.0) / np.maximum(N - m, 1)), 0.0)
                                        for a, m in zip(ss, n)])
            v = float(np.max(np.broadcast_arrays(sd - cap, single), axis=0).min())
            if B >= 2 and v < value:
                # Step 4b: two of these groups taken together (their members distinct).
                tags = [c[0] for c in choice]
                for j, l in itertools.combinations(range(B), 2):
                    v = max(v, union_bound(tuple(sorted(blocks[j] + blocks[l])), tags[j], tags[l]))
                    if v >= value:
                        break
            value = min(value, v)
    value = max(0.0, float(value)) if np.isfinite(value) else 0.0
    # Step 5: groups with locked students.
    for g in sorted({int(v) for v in fixed if v >= 0 and v < k}):
        here = [int(i) for i in np.flatnonzero(fixed == g)]
        elsewhere = [int(i) for i in np.flatnonzero((fixed >= 0) & (fixed != g))]
        value = max(value, _locked_group(z, known, layer, here, elsewhere, counts[g], delta, N, sex, bands))
    single = {i: min((float(np.min(np.sqrt(ss / n))) for _, ss, n in options((i,))), default=0.0) for i in extremes}
    who = max(single, key=single.get)
    high = bool(z[who] > 0)
    return SdBound(value, who if value > 0 else None, high, float(single[who]))


def _locked_group(z, known, layer, here, elsewhere, row, delta, N, sex, bands) -> float:
    """Step 5: what the group holding the locked students ``here`` (and none
    of ``elsewhere``) says about D_sd.  With SD s and n known members, the
    other groups' Σ n_g·SD_g² lies between N·(1 − delta²) − n·s² and
    N − n·s², so D_sd ≥ max(A − s, s − B, 0) with A, B the square roots of
    those over N − n.  Every possible member set (when few enough), else
    the Lagrangian bounds on its sum of squares from above and below."""
    def side(s, n):
        return np.sqrt(np.maximum(N * (1 - delta**2) - n * s**2, 0.0) / (N - n)), \
            np.sqrt(np.maximum(N - n * s**2, 0.0) / (N - n))

    sets = _sets_of_row(z, known, layer, tuple(int(c) for c in row), sex, bands, delta, here, elsewhere, masks=False)
    if sets is not None:
        if not len(sets.sd) or (sets.n <= 0).any() or (sets.n >= N).any():
            return 0.0  # no set keeps the rules, or the group may have no 总分 (or all of it): nothing to say
        a, b = side(sets.sd, sets.n)
        return float(np.min(np.maximum.reduce([a - sets.sd, sets.sd - b, np.zeros(len(sets.sd))])))
    value = 0.0
    hi = _group_options(z, layer, known, here, row, delta, exclude=elsewhere, upper=True, sex=sex, bands=bands)
    lo = _group_options(z, layer, known, here, row, delta, exclude=elsewhere, sex=sex, bands=bands)
    if hi and all(0 < n < N for _, n in hi):
        # SD ≤ U: the others' largest SD is at least A(U), which falls as U grows.
        value = max(value, min(float(side(np.sqrt(ss / n), n)[0] - np.sqrt(ss / n)) for ss, n in hi))
    if lo and all(0 < n < N for _, n in lo):
        # SD ≥ L: the others' smallest SD is at most B(L), which falls as L grows.
        value = max(value, min(float(np.sqrt(ss / n) - side(np.sqrt(ss / n), n)[1]) for ss, n in lo))
    return value


# --------------------------------------------------------------------------
# Small classes: an exact proof by exhaustive search (step 6 of the docstring)
# --------------------------------------------------------------------------
EXACT_SETS = 3_000_000  # most member sets of one row of layer counts listed (38 students in 5 groups)
SETS_CHUNK = 250_000  # member sets made at once while listing them
EXACT_NODES = 25_000  # most search steps spent on proofs (about 0.6 CPU-s), over all thresholds


@dataclass
class _Sets:
    """Every possible group of one row of layer counts that keeps the rules
    on its own: members (bit mask), mean and SD of its known 总分 (NaN when
    none is known)."""

    mask: np.ndarray  # uint64
    mean: np.ndarray
    sd: np.ndarray
    n: np.ndarray  # members with 总分
    s2: np.ndarray  # Σ x² over them


def _sets_of_row(z: np.ndarray, known: np.ndarray, layer: np.ndarray, row: tuple[int, ...], sex: np.ndarray | None,
                 bands, delta: float, focus: Sequence[int] = (), exclude: Sequence[int] = (),
                 masks: bool = True) -> _Sets | None:
    """Every member set with layer counts ``row`` that holds the students
    ``focus`` and none of ``exclude``, whose known 总分 have a mean within
    ``delta`` of the class mean (or none known) and whose girls and boys lie
    in ``bands``; None when there are more than EXACT_SETS.  Without
    ``masks`` the member bit masks are left empty (classes above 63)."""
    focus = [int(i) for i in focus]
    out = np.zeros(len(z), dtype=bool)
    out[focus + [int(i) for i in exclude]] = True
    need = np.array(row, dtype=int) - np.bincount(layer[focus], minlength=N_LAYERS)
    pools = [np.flatnonzero((layer == L) & ~out) for L in range(N_LAYERS)]
    if (need < 0).any():
        return _Sets(*(np.zeros(0) for _ in range(5)))
    if np.prod([float(math.comb(len(pools[L]), int(need[L]))) for L in range(N_LAYERS)]) > EXACT_SETS:
        return None
    per = []
    for L in range(N_LAYERS):
        combos = list(itertools.combinations(pools[L].tolist(), int(need[L])))
        per.append(np.array(combos, dtype=np.int64).reshape(len(combos), int(need[L])))
    sizes = [len(p) for p in per]
    if 0 in sizes:
        return _Sets(np.zeros(0, np.uint64), *(np.zeros(0) for _ in range(4)))
    sex = np.full(len(z), OTHER) if sex is None else sex
    zk = np.where(known, z, 0.0)
    # Per layer and combination: known members, Σx, Σx², girls, boys; summed over layers by broadcasting.
    parts = [np.stack([known[p].sum(axis=1), zk[p].sum(axis=1), (zk[p] ** 2).sum(axis=1), (sex[p] == GIRL).sum(axis=1),
                       (sex[p] == BOY).sum(axis=1)]).astype(float) for p in per]
    start = np.array([known[focus].sum(), zk[focus].sum(), (zk[focus] ** 2).sum(), (sex[focus] == GIRL).sum(),
                      (sex[focus] == BOY).sum()], dtype=float).reshape((5,) + (1,) * N_LAYERS)
    # Chunks of the first layer's combinations keep the arrays small (about SETS_CHUNK sets at a time).
    rest = int(np.prod(sizes[1:]))
    step = max(1, SETS_CHUNK // max(rest, 1))
    kept = {name: [] for name in ("keep", "mean", "sd", "n", "s2")}
    for lo in range(0, sizes[0], step):
        hi = min(lo + step, sizes[0])
        total = start
        for L, part in enumerate(parts):
            shape = [1] * N_LAYERS
            shape[L] = sizes[L] if L else hi - lo
            total = total + (part[:, lo:hi] if L == 0 else part).reshape((5, *shape))
        n, s1, s2, g, b = (np.broadcast_to(a, [hi - lo, *sizes[1:]]).ravel() for a in total)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = s1 / n
            sd = np.sqrt(np.maximum(s2 / n - mean**2, 0.0))
        ok = ~(np.abs(mean) > delta)  # NaN: no known member, no mean
        if bands is not None:
            ok &= (bands[0][0] <= g) & (g <= bands[0][1]) & (bands[1][0] <= b) & (b <= bands[1][1])
        at = np.flatnonzero(ok)
        for name, values in (("keep", at + lo * rest), ("mean", mean[at]), ("sd", sd[at]), ("n", n[at]), ("s2", s2[at])):
            kept[name].append(values)
    keep, mean, sd, n, s2 = (np.concatenate(kept[name]) for name in ("keep", "mean", "sd", "n", "s2"))
    mask = np.zeros(0, np.uint64)
    if masks and len(keep):
        idx = np.unravel_index(keep, sizes)
        members = np.concatenate([per[L][idx[L]] for L in range(N_LAYERS)] + [np.full((len(keep), 1), i) for i in focus],
                                 axis=1)
        mask = np.bitwise_or.reduce(np.left_shift(np.uint64(1), members.astype(np.uint64)), axis=1)
    return _Sets(mask, mean, sd, n, s2)


class _Exact:
    """Whether some split has D_sd < t (and D_means ≤ delta): a depth-first
    exact cover.  At every step the sets still possible are those disjoint
    from the groups chosen so far whose mean and SD stay within reach of
    theirs; the student in the fewest of them is placed next (none: a dead
    end).  Spends at most ``nodes`` steps.  Groups are told apart by their
    row of layer counts (-1, *row), a group with locked students (``fixed``)
    by its number (g, *row): its sets hold them, no other set does."""

    def __init__(self, z, known, layer, counts, sex, bands, delta, nodes, fixed=None):
        fixed = np.full(len(z), -1) if fixed is None else np.asarray(fixed, dtype=int)
        locked = {int(g) for g in fixed[fixed >= 0]}
        self.rows = [(g if g in locked else -1, *(int(c) for c in r)) for g, r in enumerate(counts)]
        self.types = sorted(set(self.rows))
        delta = delta * (1 + 1e-9) + 1e-12  # a split on the edge of D_means ≤ delta (rounding) is never ruled out
        self.delta = delta
        self.sets = {}
        for r in self.types:
            here = np.flatnonzero(fixed == r[0]) if r[0] >= 0 else []
            s = _sets_of_row(z, known, layer, r[1:], sex, bands, delta, here, np.flatnonzero((fixed >= 0) & (fixed != r[0])))
            if s is None:
                raise OverflowError
            self.sets[r] = s
        n = len(z)
        bits = np.left_shift(np.uint64(1), np.arange(n, dtype=np.uint64))
        self.member = {r: (s.mask[:, None] & bits[None, :]) != 0 for r, s in self.sets.items()}
        self.lookup = {(r, int(m)): (float(a), float(b))
                       for r, s in self.sets.items() for m, a, b in zip(s.mask, s.mean, s.sd)}
        self.full = (1 << n) - 1
        self.n = n
        self.z2 = np.where(known, z, 0.0) ** 2
        self.known = known
        self.nodes = nodes
        self.found = np.inf  # D_sd of the best split met on the way ...
        self.best: list[tuple[tuple, int]] = []  # ... and its groups: (row of layer counts, members as a bit mask)
        self.path: list[tuple[tuple, int]] = []

    def feasible(self, t: float) -> bool | None:
        """True: a split with D_sd < t exists; False: none; None: out of nodes."""
        try:
            everything = {r: np.arange(len(s.mask)) for r, s in self.sets.items()}
            rest = (float(np.sum(self.z2)), float(np.sum(self.known)))
            return self._rec(0, {r: self.rows.count(r) for r in self.types}, np.inf, -np.inf, np.inf, -np.inf, t,
                             everything, rest)
        except _OutOfNodes:
            return None

    def _rec(self, used, avail, lo_m, hi_m, lo_s, hi_s, t, before, rest) -> bool:
        self.nodes -= 1
        if self.nodes < 0:
            raise _OutOfNodes
        left = [r for r in self.types if avail[r]]
        if sum(avail.values()) == 1:
            got = self.lookup.get((left[0], self.full ^ used))
            if got is None:
                return False
            m, sd = got
            if not np.isnan(m):
                lo_m, hi_m, lo_s, hi_s = min(lo_m, m), max(hi_m, m), min(lo_s, sd), max(hi_s, sd)
            if hi_m - lo_m > self.delta:
                return False
            d = max(hi_s - lo_s, 0.0)
            if d < self.found:
                self.found, self.best = d, self.path + [(left[0], self.full ^ used)]
            return d < t
        if sum(avail.values()) == 2:
            # Two groups left: the one holding the first free student is any
            # of its sets, the other what remains; no counting needed.
            i = next(j for j in range(self.n) if not (used >> j) & 1)
            return self._last_two(used, avail, lo_m, hi_m, lo_s, hi_s, t, before, i)
        # The sets each remaining group could still be (a subset of those one
        # step up: fewer students are free, the reach is narrower), and how
        # many of them hold each student.
        used64 = np.uint64(used)
        cand, count = {}, np.zeros(self.n, dtype=np.int64)
        for r in left:
            s, c = self.sets[r], before[r]
            mean, sd = s.mean[c], s.sd[c]
            ok = (s.mask[c] & used64) == 0
            ok &= np.isnan(mean) | ((np.maximum(hi_m, mean) - np.minimum(lo_m, mean) <= self.delta)
                                    & (np.maximum(hi_s, sd) - np.minimum(lo_s, sd) < t))
            cand[r] = c[ok]
            count += self.member[r][cand[r]].sum(axis=0)
        open_ = np.array([not (used >> j) & 1 for j in range(self.n)])
        if (count[open_] == 0).any():
            return False
        i = int(np.flatnonzero(open_)[np.argmin(count[open_])])
        for r in left:
            s = self.sets[r]
            js = cand[r][self.member[r][cand[r], i]]
            # What the other groups keep: their Σ n_g·SD_g² lies between
            # Σx² − n·delta² and Σx² of their members, and every SD within
            # less than t of this group's and the others' (step 6).
            has = ~np.isnan(s.mean[js])
            lo = np.where(has, np.minimum(lo_s, s.sd[js]), lo_s)
            hi = np.where(has, np.maximum(hi_s, s.sd[js]), hi_s)
            r_s2, r_n = rest[0] - s.s2[js], rest[1] - s.n[js]
            tol = 1e-9 * (1.0 + rest[0])
            fits = (r_n <= 0) | ((r_s2 >= r_n * np.maximum(hi - t, 0.0) ** 2 - tol)
                                 & (r_s2 - r_n * self.delta**2 <= r_n * (lo + t) ** 2 + tol))
            avail[r] -= 1
            for j, r2, rn in zip(js[fits], r_s2[fits], r_n[fits]):
                m, sd = s.mean[j], s.sd[j]
                self.path.append((r, int(s.mask[j])))
                if np.isnan(m):
                    ok = self._rec(used | int(s.mask[j]), avail, lo_m, hi_m, lo_s, hi_s, t, cand, (r2, rn))
                else:
                    ok = self._rec(used | int(s.mask[j]), avail, min(lo_m, m), max(hi_m, m), min(lo_s, sd),
                                   max(hi_s, sd), t, cand, (r2, rn))
                self.path.pop()
                if ok:
                    avail[r] += 1
                    return True
            avail[r] += 1
        return False

    def _last_two(self, used, avail, lo_m, hi_m, lo_s, hi_s, t, before, i) -> bool:
        """Two groups left: the one holding student ``i`` is any of its
        sets, the other is what remains (looked up)."""
        self.nodes -= 1
        if self.nodes < 0:
            raise _OutOfNodes
        for r in [r for r in self.types if avail[r]]:
            other = r if avail[r] == 2 else next(q for q in self.types if q != r and avail[q])
            s, c = self.sets[r], before[r]
            c = c[self.member[r][c, i]]
            mean, sd = s.mean[c], s.sd[c]
            ok = (s.mask[c] & np.uint64(used)) == 0
            ok &= np.isnan(mean) | ((np.maximum(hi_m, mean) - np.minimum(lo_m, mean) <= self.delta)
                                    & (np.maximum(hi_s, sd) - np.minimum(lo_s, sd) < t))
            js = c[ok]
            rest = self.full ^ used
            for mask, m, sd in zip(s.mask[js].tolist(), s.mean[js].tolist(), s.sd[js].tolist()):
                got = self.lookup.get((other, rest ^ mask))
                if got is None:
                    continue
                lm, hm, ls, hs = lo_m, hi_m, lo_s, hi_s
                for a, b in ((m, sd), got):
                    if a == a:  # a group with a known member
                        lm, hm, ls, hs = min(lm, a), max(hm, a), min(ls, b), max(hs, b)
                if hm - lm > self.delta:
                    continue
                d = max(hs - ls, 0.0)
                if d < self.found:
                    self.found, self.best = d, self.path + [(r, mask), (other, rest ^ mask)]
                if d < t:
                    return True
        return False


class _OutOfNodes(Exception):
    pass


def exact_floor(z: np.ndarray, known: np.ndarray, layer: np.ndarray, counts: np.ndarray, sex, bands, delta: float,
                start: float, achieved: float, nodes: int = EXACT_NODES,
                fixed: np.ndarray | None = None) -> tuple[float, np.ndarray | None]:
    """What the exhaustive search proves (step 6): the least D_sd of any
    split (a hair under it), found by branch and bound from ``achieved``
    down: each round either finds a split below the threshold (the next
    threshold is a hair under it) or proves there is none.  ``start`` when
    the class is too large or the search runs out of ``nodes`` first.  With
    it, the best split met on the way when its D_sd is below ``achieved``
    (else None)."""
    if len(z) > 63 or achieved <= start:
        return start, None
    try:
        ex = _Exact(z, known, layer, counts, sex, bands, delta, nodes, fixed)
    except OverflowError:
        return start, None
    t = achieved * (1 - 1e-9)
    while True:
        got = ex.feasible(t)
        if got is None:
            return start, _groups_of(ex, len(z), counts)
        if not got:
            return max(start, t), _groups_of(ex, len(z), counts)
        t = ex.found * (1 - 1e-9)


def _groups_of(ex: _Exact, n: int, counts: np.ndarray) -> np.ndarray | None:
    """The best split the exhaustive search ``ex`` met, as a 0-based group
    per student (group g has the layer counts ``counts[g]``; a locked
    group's row names it), or None when it met none."""
    if not ex.best:
        return None
    groups = np.full(n, -1)
    slots = {r: [g for g in range(counts.shape[0]) if ex.rows[g] == r] for r in ex.types}
    for r, mask in ex.best:
        g = slots[r].pop(0)
        groups[[i for i in range(n) if (mask >> i) & 1]] = g
    return groups


def least_sd_split(total: Sequence[float], layer: Sequence[int], counts: np.ndarray, delta: float = 0.01, *,
                   girl: Sequence[bool] | None = None, boy: Sequence[bool] | None = None,
                   fixed: Sequence[int] | None = None, nodes: int = EXACT_NODES) -> np.ndarray | None:
    """A split of least D_sd (0-based group per student, group g with layer
    counts ``counts[g]``, the students ``fixed`` ≥ 0 in their group) among
    those with D_means ≤ ``delta`` (and, given ``girl`` and ``boy``, girls
    and boys each within one across groups), by
    the exhaustive search of step 6; None when the class is too large for
    it, no split keeps the rules, or the search runs out of ``nodes``.  It
    weighs nothing else (组织能力, D_means below ``delta``)."""
    x = np.asarray(total, dtype=float)
    layer = np.asarray(layer, dtype=int)
    counts = np.asarray(counts, dtype=int)
    known = ~np.isnan(x)
    if len(x) > 63 or counts.shape[0] < 2 or known.sum() < 2 or np.nanstd(x) == 0:
        return None
    z = np.where(known, (x - np.nanmean(x)) / np.nanstd(x), 0.0)
    sex, bands = None, None
    if girl is not None and boy is not None:
        girl, boy = np.asarray(girl, dtype=bool), np.asarray(boy, dtype=bool)
        sex, bands = np.where(girl, GIRL, np.where(boy, BOY, OTHER)), gender_bands(girl, boy, counts.shape[0])
    try:
        ex = _Exact(z, known, layer, counts, sex, bands, delta, nodes, fixed)
    except OverflowError:
        return None
    t = np.inf
    while True:
        got = ex.feasible(t)
        if got is None:
            return None
        if not got:
            break
        t = ex.found * (1 - 1e-9)
    return _groups_of(ex, len(x), counts)


def _spread(z: np.ndarray, known: np.ndarray, groups: np.ndarray, k: int) -> tuple[float, float]:
    """D_means and D_sd (population SDs, class units) of a split."""
    g = groups[known]
    n = np.bincount(g, minlength=k).astype(float)
    s1 = np.bincount(g, weights=z[known], minlength=k)
    s2 = np.bincount(g, weights=z[known] ** 2, minlength=k)
    have = n > 0
    mean = s1[have] / n[have]
    sd = np.sqrt(np.maximum(s2[have] / n[have] - mean**2, 0.0))
    return (float(np.ptp(mean)), float(np.ptp(sd))) if have.any() else (0.0, 0.0)


def tighten(bound: SdBound, total: Sequence[float], layer: Sequence[int], counts: np.ndarray, delta: float,
            fixed: Sequence[int] | None, groups: Sequence[int], *, girl: Sequence[bool] | None = None,
            boy: Sequence[bool] | None = None, floor: float = 0.02, slack: float = 1.3,
            nodes: int = EXACT_NODES) -> SdBound:
    """``bound`` raised by what the exhaustive search proves about the split
    ``groups`` (step 6 of the module docstring): in a class small enough
    (at most EXACT_SETS member sets per row of layer counts), when
    no split keeping the rules has a smaller D_sd than ``groups``, the bound
    becomes that D_sd: the split is the best possible (``exact``).  The
    search is spent only where the bound does not already vouch for the
    split (its D_sd above ``floor`` and above ``slack`` × the bound).  A split
    that breaks the gender rule is judged against the bound without it; one
    with D_means > delta, or that moved a locked student, is left as it is.
    When the search met splits with a smaller D_sd than ``groups`` on the
    way, the best of them is ``better`` (``exact`` still speaks of
    ``groups``)."""
    x = np.asarray(total, dtype=float)
    layer = np.asarray(layer, dtype=int)
    counts = np.asarray(counts, dtype=int)
    groups = np.asarray(groups, dtype=int)
    known = ~np.isnan(x)
    k = counts.shape[0]
    if k < 2 or known.sum() < 3 or np.nanstd(x) == 0:
        return bound
    z = np.where(known, (x - np.nanmean(x)) / np.nanstd(x), 0.0)
    d_means, d_sd = _spread(z, known, groups, k)
    sex, bands = None, None
    if girl is not None and boy is not None:
        girl, boy = np.asarray(girl, dtype=bool), np.asarray(boy, dtype=bool)
        bands = gender_bands(girl, boy, k)
        g, b = np.bincount(groups, weights=girl, minlength=k), np.bincount(groups, weights=boy, minlength=k)
        if ((g < bands[0][0]) | (g > bands[0][1]) | (b < bands[1][0]) | (b > bands[1][1])).any():
            # The split broke the gender rule: judge it against the bound without it.
            bound = sd_lower_bound(x, layer, counts, delta, fixed)
            bands = None
        else:
            sex = np.where(girl, GIRL, np.where(boy, BOY, OTHER))
    fixed = np.full(len(x), -1) if fixed is None else np.asarray(fixed, dtype=int)
    if d_means > delta or (groups[fixed >= 0] != fixed[fixed >= 0]).any():
        return bound
    if d_sd <= max(floor, slack * bound.value):
        return bound
    value, better = exact_floor(z, known, layer, counts, sex, bands, delta, bound.value, d_sd, nodes, fixed)
    if value <= bound.value:
        return bound if better is None else replace(bound, better=better)
    return SdBound(value, bound.student, bound.high, bound.max_sd, exact=value >= d_sd * (1 - 1e-6), better=better)
