"""The grouping core (xlzu.grouping, xlzu.seating): constraints, determinism,
locks, quality figures, unusual classes.  No Excel here; the workbook
operation is tested in test_group_op.py."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlzu import contract as C
from xlzu.errors import InputError, XlzuError
from xlzu.grouping import (
    assign_layers,
    balance,
    composite_scores,
    group_count,
    group_sizes,
    layer_quotas,
    measure,
    plan_counts,
    plan_groups,
    random_within_layers,
    snake_draft,
    synthetic_class,
)
from xlzu.members import read_culture, read_members
from xlzu.seating import code_key, seat_partner, seat_rows

SUBJECTS = C.DEFAULT_SUBJECTS
NO_MEMBERS = read_members([])[0]
NO_CULTURE = read_culture([])
FAST = dict(effort="fast")


def roster_from(totals, genders, quality=None, lead=None, subjects=SUBJECTS, scores=None) -> pd.DataFrame:
    n = len(totals)
    df = pd.DataFrame({
        C.ROSTER_ID: [f"S{i + 1:03d}" for i in range(n)],
        C.ROSTER_NAME: [f"学生{i + 1}" for i in range(n)],
        C.ROSTER_GENDER: list(genders),
        C.ROSTER_TOTAL: pd.Series(totals, dtype="float64"),
        C.ROSTER_QUALITY: pd.Series(quality if quality is not None else [np.nan] * n, dtype="float64"),
        C.ROSTER_LEADERSHIP: pd.Series(lead if lead is not None else [np.nan] * n, dtype="float64"),
        C.ROSTER_NOTE: [None] * n,
    })
    for j, s in enumerate(subjects):
        df[s] = pd.Series(scores[j] if scores is not None else [np.nan] * n, dtype="float64")
    return df


@st.composite
def classes(draw, min_n=12, max_n=70):
    n = draw(st.integers(min_n, max_n))
    totals = draw(st.lists(st.integers(150, 750), min_size=n, max_size=n))
    genders = draw(st.lists(st.sampled_from(["男", "女"]), min_size=n, max_size=n))
    quality = draw(st.lists(st.integers(1, 5), min_size=n, max_size=n))
    lead = draw(st.lists(st.integers(1, 5), min_size=n, max_size=n))
    has_scores = draw(st.booleans())
    scores = [[float(t) / 6 + k for t in totals] for k in range(len(SUBJECTS))] if has_scores else None
    size = draw(st.integers(6, 10))
    seed = draw(st.integers(0, 2**16))
    return roster_from(totals, genders, quality, lead, scores=scores), size, seed


# --------------------------------------------------------------------------
# Sizes and layers
# --------------------------------------------------------------------------
def test_group_count_for_the_issue_examples():
    assert group_count(53, 8) == 7 and sorted(set(group_sizes(53, 7))) == [7, 8]
    assert group_count(64, 8) == 8
    assert group_count(48, 6) == 8
    assert group_count(50, 10) == 5
    assert group_count(8, 8) == 1
    assert group_sizes(11, group_count(11, 8)) == [6, 5]  # the one class that cannot be cut into 6–10


@given(st.integers(12, 200), st.integers(6, 10))
def test_group_sizes_stay_within_6_to_10_and_differ_by_at_most_one(n, size):
    k = group_count(n, size)
    sizes = group_sizes(n, k)
    assert sum(sizes) == n
    assert max(sizes) - min(sizes) <= 1
    assert 6 <= min(sizes) and max(sizes) <= 10


def test_layers_are_quarters_of_the_composite_and_overrides_stick():
    totals = np.arange(100, 900, 50, dtype=float)  # 16 students, rising
    score = composite_scores(totals, [3] * 16)
    layer = assign_layers(score)
    assert list(np.bincount(layer)) == layer_quotas(16) == [4, 4, 4, 4]
    assert list(layer[-4:]) == [0, 0, 0, 0] and list(layer[:4]) == [3, 3, 3, 3]
    # The weakest student put into A by hand: stays in A, the lowest A student drops to B.
    overridden = assign_layers(score, ["A"] + [None] * 15)
    assert overridden[0] == 0
    assert list(np.bincount(overridden)) == [4, 4, 4, 4]
    assert overridden[12] == 1  # the lowest of the former A students


def test_quality_enters_the_composite_with_its_weight():
    totals = [500, 500, 400, 600]
    quality = [5, 1, 3, 3]
    score = composite_scores(totals, quality, 0.7, 0.3)
    assert score[0] > score[1]
    assert np.allclose(composite_scores(totals, quality, 1.0, 0.0), composite_scores(totals, [np.nan] * 4))


def test_students_without_total_are_placed_by_quality():
    score = composite_scores([500, 600, np.nan, 400, np.nan], [3, 4, 5, 2, np.nan])
    assert not np.isnan(score).any()
    assert score[2] > 0  # top quality → upper half
    assert score[4] == 0  # nothing known → middle of the class


@given(st.integers(6, 80), st.integers(1, 12), st.data())
def test_planned_layer_counts_differ_by_at_most_one(n, k, data):
    k = min(k, max(n // 6, 1))
    layer = np.array(data.draw(st.permutations(list(np.repeat(range(4), layer_quotas(n))))))
    counts = plan_counts(layer, np.full(n, -1), k)
    assert counts.sum() == n
    assert (counts.sum(axis=0) == np.bincount(layer, minlength=4)).all()
    assert (counts.max(axis=0) - counts.min(axis=0) <= 1).all()
    sizes = counts.sum(axis=1)
    assert sizes.max() - sizes.min() <= 1


# --------------------------------------------------------------------------
# The search
# --------------------------------------------------------------------------
def _search_inputs(roster: pd.DataFrame):
    total = roster[C.ROSTER_TOTAL].to_numpy(dtype=float)
    girl = (roster[C.ROSTER_GENDER] == "女").to_numpy()
    boy = (roster[C.ROSTER_GENDER] == "男").to_numpy()
    lead = (roster[C.ROSTER_LEADERSHIP] >= 4).to_numpy()
    layer = assign_layers(composite_scores(total, roster[C.ROSTER_QUALITY]))
    return total, layer, girl, boy, lead


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(classes())
def test_random_classes_meet_every_hard_constraint(case):
    roster, size, seed = case
    total, layer, girl, boy, lead = _search_inputs(roster)
    n = len(roster)
    k = group_count(n, size)
    g = balance(total, layer, girl, boy, lead, k, seed=seed, effort="fast").groups
    sizes = np.bincount(g, minlength=k)
    assert sizes.sum() == n and sizes.max() - sizes.min() <= 1
    per_layer = np.array([np.bincount(g[layer == L], minlength=k) for L in range(4)])
    assert (per_layer.max(axis=1) - per_layer.min(axis=1) <= 1).all()
    girls = np.bincount(g, weights=girl, minlength=k)
    assert girls.max() - girls.min() <= 1
    boys = np.bincount(g, weights=boy, minlength=k)
    assert boys.max() - boys.min() <= 1
    f = measure(total, g, girl, boy)  # the benchmark's figures say the same
    assert (f["gender"], f["boys"]) == (girls.max() - girls.min(), boys.max() - boys.min())


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(classes(12, 40))
def test_one_seed_always_gives_the_same_groups(case):
    roster, size, seed = case
    args = _search_inputs(roster)
    k = group_count(len(roster), size)
    a = balance(*args, k, seed=seed, effort="fast").groups
    b = balance(*args, k, seed=seed, effort="fast").groups
    assert (a == b).all()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(classes(12, 70), st.data())
def test_locked_students_never_move(case, data):
    roster, size, seed = case
    total, layer, girl, boy, lead = _search_inputs(roster)
    n = len(roster)
    k = group_count(n, size)
    locked = data.draw(st.lists(st.integers(0, n - 1), max_size=min(n // 3, 12), unique=True))
    fixed = np.full(n, -1)
    for i in locked:
        fixed[i] = data.draw(st.integers(0, k - 1))
    g = balance(total, layer, girl, boy, lead, k, fixed=fixed, seed=seed, effort="fast").groups
    assert all(g[i] == fixed[i] for i in locked)
    assert np.bincount(g, minlength=k).sum() == n


def test_the_53_student_class_meets_the_acceptance_figures():
    roster = synthetic_class(53, seed=53)
    total, layer, girl, boy, lead = _search_inputs(roster)
    k = group_count(53, 8)
    assert k == 7
    found = balance(total, layer, girl, boy, lead, k, seed=0)
    g = found.groups
    assert sorted(set(np.bincount(g))) == [7, 8]
    figures = measure(total, g, girl)
    assert figures["D_means"] <= 0.010
    assert figures["D_sd"] <= 0.020
    assert figures["gender"] <= 1
    snake = measure(total, snake_draft(composite_scores(total, roster[C.ROSTER_QUALITY]), k), girl)
    assert figures["D_means"] < snake["D_means"] / 10 and figures["D_sd"] < snake["D_sd"] / 10


def test_a_search_that_ends_far_above_its_target_searches_again():
    """This class has two outcomes: with search seed 0 both starts end
    where its most extreme students cannot be moved (D_sd about 0.07,
    3.4 times the target); the search then starts twice more and lands
    under the target."""
    import dataclasses

    from xlzu.grouping import EFFORTS

    roster = synthetic_class(53, seed=300)
    total, layer, girl, boy, lead = _search_inputs(roster)
    k = group_count(53, 8)
    full = EFFORTS["full"]
    assert full.rescue == 1.5
    walks = balance(total, layer, girl, boy, lead, k, seed=0, effort=dataclasses.replace(full, rescue=0.0, triple_work=0.0))
    assert measure(total, walks.groups, girl)["D_sd"] > 1.5 * 0.020
    # With a larger budget than the default's, recombinations of three groups
    # polish that optimum to under 1.5 × the target, but not under it: the
    # rescue judges the walks' own result, not the polished one, and starts again.
    polish = dataclasses.replace(full, triple_work=2e6)
    once = balance(total, layer, girl, boy, lead, k, seed=0, effort=dataclasses.replace(polish, rescue=0.0))
    assert 0.020 < measure(total, once.groups, girl)["D_sd"] <= 1.5 * 0.020
    assert walks.restarts == once.restarts == 2
    for effort in (polish, full):
        again = balance(total, layer, girl, boy, lead, k, seed=0, effort=effort)
        assert again.restarts == 4
        figures = measure(total, again.groups, girl, boy)
        assert figures["D_sd"] <= 0.020 and figures["D_means"] <= 0.010
        assert figures["gender"] <= 1 and figures["boys"] <= 1


@pytest.mark.parametrize("n", [30, 45, 64, 70])
def test_the_benchmark_classes_beat_the_snake_draft_even_with_a_short_search(n):
    roster = synthetic_class(n, seed=n)
    total, layer, girl, boy, lead = _search_inputs(roster)
    k = group_count(n, 8)
    ours = measure(total, balance(total, layer, girl, boy, lead, k, seed=1, effort="fast").groups, girl)
    snake = measure(total, snake_draft(composite_scores(total, roster[C.ROSTER_QUALITY]), k), girl)
    rand = measure(total, random_within_layers(layer, k, seed=1), girl)
    # D_sd in population SDs (issue 13): a class of 30 in groups of 7 and 8
    # with the short search lands at 0.060–0.067.
    assert ours["D_means"] <= 0.02 and ours["D_sd"] <= 0.07 and ours["gender"] <= 1
    assert ours["D_means"] < min(snake["D_means"], rand["D_means"])
    assert ours["D_sd"] < min(snake["D_sd"], rand["D_sd"])


def _search_state(n: int, seed: int, locked: int = 0):
    """A search (xlzu.grouping._Search) on a synthetic class, started from a
    random split that keeps the layer counts, with ``locked`` students
    locked where that split put them."""
    from xlzu.grouping import EFFORTS, _features, _Search, _Weights

    roster = synthetic_class(n, seed=seed)
    total, layer, girl, boy, lead = _search_inputs(roster)
    k = group_count(n, 8)
    start = random_within_layers(layer, k, seed=seed)
    fixed = np.full(n, -1)
    pick = np.random.default_rng(seed).choice(n, locked, replace=False)
    fixed[pick] = start[pick]
    z = (total - total.mean()) / total.std()
    feats = _features(z, girl, boy, lead)
    w = _Weights()
    w.set_bands(feats[:, 3:].sum(axis=0), k)
    search = _Search(feats, layer, fixed, k, w, True, EFFORTS["full"])
    search.set(start)
    return search, layer, fixed, k


def _counts(groups, layer, k):
    out = np.zeros((k, 4), dtype=int)
    np.add.at(out, (groups, layer), 1)
    return out


def test_a_3_cycle_moves_three_students_of_one_layer_and_keeps_counts_sizes_and_locks():
    search, layer, fixed, k = _search_state(53, 3, locked=8)
    before = _counts(search.g, layer, k)
    made = 0
    while made < 6:
        g0, f0 = search.g.copy(), search.f
        if not search.cycle_best():
            break
        made += 1
        moved = np.flatnonzero(search.g != g0)
        assert len(moved) == 3 and len(set(layer[moved])) == 1  # one student each of three groups, one layer
        assert sorted(g0[moved]) == sorted(search.g[moved]) and len(set(g0[moved])) == 3
        assert search.f < f0  # only improving cycles are made
        assert (_counts(search.g, layer, k) == before).all()
        assert (search.g[fixed >= 0] == fixed[fixed >= 0]).all()
    assert made == 6


@pytest.mark.parametrize("seed", [1, 2])
def test_a_recombination_of_three_groups_is_the_best_of_every_way_listed_one_by_one(seed):
    """Four groups of 6; groups 0, 1, 2 recombined: every way to share each
    layer's members among them (counts kept; a locked student and one
    without 总分 stay) is listed and scored one by one, and the move made
    is the best of them, or none when none beats the split."""
    from xlzu.grouping import EFFORTS, _features, _objective_full, _Search, _values, _Weights

    n, k = 24, 4
    roster = synthetic_class(n, seed=seed)
    roster.loc[5, C.ROSTER_TOTAL] = np.nan
    total, layer, girl, boy, lead = _search_inputs(roster)
    g0 = random_within_layers(layer, k, seed=seed)
    fixed = np.full(n, -1)
    locked = int(np.flatnonzero((g0 == 1) & (layer == 0))[0])
    fixed[locked] = 1
    known = ~np.isnan(total)
    z = np.where(known, (total - np.nanmean(total)) / np.nanstd(total), np.nan)
    feats = _features(z, girl, boy, lead)
    w = _Weights()
    w.set_bands(feats[:, 3:].sum(axis=0), k)
    search = _Search(feats, layer, fixed, k, w, True, EFFORTS["full"])
    search.set(g0)
    # Every way, one by one.
    per_layer = []
    for L in range(4):
        m = np.flatnonzero((layer == L) & (fixed < 0) & known & (g0 < 3))
        ways = [w_ for w_ in itertools.product(range(3), repeat=len(m))
                if all(sum(1 for x in w_ if x == j) == int(np.sum(g0[m] == j)) for j in range(3))]
        per_layer.append((m, ways))
    best_f, count = np.inf, 0
    for choice in itertools.product(*(ways for _, ways in per_layer)):
        g = g0.copy()
        for (m, _), way in zip(per_layer, choice):
            g[m] = way
        f = _objective_full(_values(np.eye(k)[g].T @ feats, True), w)
        count += 1
        best_f = min(best_f, f)
    assert count > 10_000  # the listing is not trivial
    f0 = search.f
    moved = search.triple_best(0, 1, 2)
    assert moved == (best_f < f0 - 1e-9)
    assert moved  # a random split can be bettered
    assert search.f == pytest.approx(best_f, abs=1e-9)
    assert search.g[locked] == 1 and search.g[5] == g0[5] and (search.g[g0 == 3] == 3).all()
    assert (_counts(search.g, layer, k) == _counts(g0, layer, k)).all()
    # At the best, no recombination of those three is left.
    assert not search.triple_best(0, 1, 2)


def test_recombinations_of_three_groups_take_a_class_where_pairs_end_far_above_the_target():
    """A 60-student class with 38 % girls (the benchmark's "skewed" kind):
    moves between two groups end at D_sd 0.031 with search seed 0; the
    recombinations of three groups from the starts' bests bring it to 0.024
    (its lower bound is 0.0183)."""
    import dataclasses
    import sys
    from pathlib import Path

    from xlzu.grouping import EFFORTS

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from grouping import make_class  # benchmarks/grouping.py: the benchmark's own class

    n = 60
    roster = make_class(n, 144, "skewed")
    total, layer, girl, boy, lead = _search_inputs(roster)
    k = group_count(n, 8)
    full = EFFORTS["full"]
    assert full.triples and full.triple_work
    pairs = balance(total, layer, girl, boy, lead, k, seed=0, effort=dataclasses.replace(full, triple_work=0.0))
    found = balance(total, layer, girl, boy, lead, k, seed=0)
    assert measure(total, pairs.groups, girl, boy)["D_sd"] > 0.03
    figures = measure(total, found.groups, girl, boy)
    assert figures["D_sd"] <= 0.024 and figures["D_means"] <= 0.010
    assert figures["gender"] <= 1 and figures["boys"] <= 1
    # Four starts (the rescue ran); the one whose D_sd ends more than 1.2 ×
    # the best start's is not polished: the same split for less work.
    every = balance(total, layer, girl, boy, lead, k, seed=0, effort=dataclasses.replace(full, polish_near=np.inf))
    assert found.restarts == every.restarts == 4
    assert (found.polished, every.polished) == (3, 4)
    assert np.array_equal(found.groups, every.groups) and found.work < every.work


def test_the_tabu_walk_moves_even_when_worse_but_never_in_a_tabu_pair_and_only_locked_groups_change_counts():
    search, layer, fixed, k = _search_state(45, 7, locked=6)
    search.local_search()  # a local optimum: every further move is worse
    rows = sorted(map(tuple, _counts(search.g, layer, k)))
    locked_groups = set(fixed[fixed >= 0].tolist())
    tabu = np.zeros(len(search._pairs), dtype=bool)
    for step in range(60):
        g0, f0, c0 = search.g.copy(), search.f, _counts(search.g, layer, k)
        assert search.recombine_best(tabu=tabu, aspire=-np.inf)
        pair = search._pairs[search.moved]
        moved = search.g != g0
        changed = set(g0[moved].tolist()) | set(search.g[moved].tolist())
        assert changed <= {pair["g"], pair["h"]} and not tabu[search.moved]
        if step == 0:
            assert search.f > f0  # the walk leaves the optimum
        tabu[:] = False
        tabu[search.moved] = True
        c1 = _counts(search.g, layer, k)
        assert sorted(map(tuple, c1)) == rows  # the layer counts only change places
        assert (search.g[fixed >= 0] == fixed[fixed >= 0]).all()
        for g in np.flatnonzero((c1 != c0).any(axis=1)):
            assert int(g) in {pair["g"], pair["h"]}
            assert locked_groups & {pair["g"], pair["h"]}  # only a pair with locked students exchanges counts
    # Pairs with locked students have splits with the counts exchanged; others not (there the
    # same splits exist with the two groups' numbers swapped).
    fc, lc = search.free_cnt, search._locked_cnt
    kinds = set()
    for p in search._pairs:
        g, h = p["g"], p["h"]
        if (fc[g] + lc[g] == fc[h] + lc[h]).all():
            continue
        has_locks = bool(lc[g].any() or lc[h].any())
        layouts = search._layout(fc[g], fc[h], fc[h] + lc[h] - lc[g], has_locks)
        swaps = any(c != fc[g][L] for subset in layouts for L, u, c in subset)
        assert swaps == has_locks or (has_locks and ((fc[h] + lc[h] - lc[g] < 0).any()))
        kinds.add(has_locks)
    assert True in kinds


@pytest.mark.parametrize("locked", [0, 7])
def test_the_cached_recombinations_are_those_of_an_enumeration_from_scratch(locked):
    """Only pairs whose groups changed are enumerated again; what the cache
    holds after any sequence of moves is what a fresh enumeration gives."""
    search, layer, fixed, k = _search_state(60, 11, locked=locked)

    def listing(blocks):
        rows = []
        for vg, vh, bb, pids, pp, rr, shape, mems in blocks:
            for t in range(len(pids)):
                members = np.concatenate([m[pp[t]] for m in mems])
                rows.append((int(pids[t]), shape, int(rr[t]), tuple(members.tolist()),
                             tuple(np.round(vg[t], 9)), tuple(np.round(vh[t], 9))))
        return sorted(rows)

    rng = np.random.default_rng(0)
    tabu = np.zeros(len(search._pairs), dtype=bool)
    for step in range(25):
        if step % 7 == 6:
            search.perturb(rng, 3)
        assert search.recombine_best(tabu=tabu, aspire=-np.inf)
        tabu[:] = False
        tabu[search.moved] = True
        cached = listing(search._candidates())
        search._cache_key = None  # forget everything
        assert cached == listing(search._candidates())


@pytest.mark.parametrize("seed", range(10))
def test_the_greedy_start_spreads_students_without_total_over_the_groups(seed):
    from xlzu.grouping import _features, _greedy_start

    roster = synthetic_class(60, seed=seed)
    total, layer, girl, boy, lead = _search_inputs(roster)
    rng = np.random.default_rng(seed)
    girl = rng.random(60) < 0.3  # a skewed class: 18 girls or so for 8 groups
    boy = ~girl
    total = total.copy()
    total[rng.choice(60, 9, replace=False)] = np.nan
    k = group_count(60, 8)
    z = (total - np.nanmean(total)) / np.nanstd(total)
    feats = _features(z, girl, boy, lead)
    fixed = np.full(60, -1)
    for r in (None, np.random.default_rng(seed)):
        g = _greedy_start(feats, layer, fixed, plan_counts(layer, fixed, k), r)
        missing = np.bincount(g[np.isnan(total)], minlength=k)
        assert missing.max() - missing.min() <= 1


def test_the_full_search_is_deterministic_per_seed_and_the_seed_matters():
    roster = synthetic_class(60, seed=144)
    total, layer, girl, boy, lead = _search_inputs(roster)
    girl, boy = girl.copy(), boy.copy()
    girl[:12] = False  # fewer girls: a class the search works on to the end
    boy[:12] = True
    k = group_count(60, 8)
    runs = [balance(total, layer, girl, boy, lead, k, seed=s).groups for s in (5, 5, 6)]
    assert (runs[0] == runs[1]).all()
    assert (runs[0] != runs[2]).any()


def test_the_bound_of_a_locked_search_holds_for_the_layer_counts_it_ended_with():
    from xlzu.grouping import TAU_MEANS
    from xlzu.sdbound import sd_lower_bound

    roster = synthetic_class(45, seed=120)
    total, layer, girl, boy, lead = _search_inputs(roster)
    k = group_count(45, 8)
    fixed = np.full(45, -1)
    top = int(np.nanargmax(total))
    fixed[top] = 0  # the best student locked, with five others
    others = np.random.default_rng(1).choice(np.flatnonzero(np.arange(45) != top), 5, replace=False)
    fixed[others] = np.arange(5) % k
    found = balance(total, layer, girl, boy, lead, k, fixed=fixed, seed=0)
    assert (found.groups[fixed >= 0] == fixed[fixed >= 0]).all()
    final = _counts(found.groups, layer, k)
    assert found.bound.value <= sd_lower_bound(total, layer, final, TAU_MEANS, fixed, girl=girl, boy=boy).value + 1e-12
    assert sorted(map(tuple, final)) == sorted(map(tuple, plan_counts(layer, fixed, k)))


def test_snake_draft_deals_ranks_back_and_forth():
    groups = snake_draft([10, 9, 8, 7, 6, 5, 4, 3], 3)
    assert list(groups) == [0, 1, 2, 2, 1, 0, 0, 1]


# --------------------------------------------------------------------------
# The plan: codes, roles, seats on random classes
# --------------------------------------------------------------------------
def check_plan(plan, roster: pd.DataFrame, subjects=SUBJECTS) -> None:
    t = plan.table
    assert set(t[C.GROUP_ID]) == set(roster[C.ROSTER_ID])
    assert t[C.GROUP_ID].is_unique
    info = roster.set_index(C.ROSTER_ID)
    for g, m in t.groupby(C.GROUP_NO):
        # Codes: layer letter + rank inside the layer, 1 = higher composite.
        assert m[C.GROUP_CODE].is_unique
        assert all(code[0] == layer for code, layer in zip(m[C.GROUP_CODE], m[C.GROUP_LAYER]))
        for layer, part in m.groupby(C.GROUP_LAYER):
            numbers = sorted(int(c[1:]) for c in part[C.GROUP_CODE])
            assert numbers == list(range(1, len(part) + 1))
            ranked = part.join(plan.details)["综合分"].to_numpy()
            order = np.argsort([int(c[1:]) for c in part[C.GROUP_CODE]])
            assert (np.diff(ranked[order]) <= 1e-9).all()
        # Roles: the rules of SPEC 2.
        roles = [r.split(C.ROLE_SEPARATOR) for r in m[C.GROUP_ROLES]]
        flat = [x for r in roles for x in r]
        assert all(r and all(r) for r in roles), "every member holds at least one role"
        for role in (C.ROLE_LEADER, C.ROLE_DEPUTY, C.ROLE_STUDY, C.ROLE_HYGIENE, C.ROLE_DISCIPLINE):
            assert flat.count(role) == 1, role
        for s in subjects:
            assert flat.count(f"{s}组长") == 1, s
        cap = -(-(5 + len(subjects)) // len(m))
        assert max(len(r) for r in roles) <= max(cap, 1), "nobody collects more than their share of posts"
        leader = m.iloc[[i for i, r in enumerate(roles) if C.ROLE_LEADER in r][0]]
        deputy = m.iloc[[i for i, r in enumerate(roles) if C.ROLE_DEPUTY in r][0]]
        top = min(m[C.GROUP_LAYER])
        assert leader[C.GROUP_LAYER] == top
        peers = info.loc[m.loc[m[C.GROUP_LAYER] == top, C.GROUP_ID], C.ROSTER_LEADERSHIP].fillna(0)
        assert info.at[leader[C.GROUP_ID], C.ROSTER_LEADERSHIP] == peers.max() or np.isnan(info.at[leader[C.GROUP_ID], C.ROSTER_LEADERSHIP])
        assert deputy[C.GROUP_ID] != leader[C.GROUP_ID]
        other = {"男": "女", "女": "男"}.get(leader[C.GROUP_GENDER])
        if other in set(m[C.GROUP_GENDER]):
            assert deputy[C.GROUP_GENDER] == other
        # Seats: every member exactly once, facing pairs of the contract kept.
        rows = plan.seats[g]
        seated = [c for pair in rows for c in pair if c]
        assert sorted(seated, key=code_key) == sorted(m[C.GROUP_CODE], key=code_key)
        codes = set(m[C.GROUP_CODE])
        if codes == {"A1", "A2", "B1", "B2", "C1", "C2", "D1", "D2"}:
            assert rows == list(C.SEAT_PAIRS)
        _check_seats(rows, list(m[C.GROUP_CODE]))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(classes(12, 70))
def test_random_classes_get_valid_codes_roles_and_seats(case):
    roster, size, seed = case
    plan = plan_groups(roster, NO_MEMBERS, NO_CULTURE, group_size=size, seed=seed, **FAST)
    assert plan.mode == "new"
    assert plan.k == group_count(len(roster), size)
    check_plan(plan, roster)


def test_roles_of_one_group_follow_the_rules_exactly():
    from xlzu.seating import assign_roles

    codes = ["A1", "A2", "B1", "B2", "C1", "C2", "D1", "D2"]
    group = pd.DataFrame({
        C.GROUP_NAME_COL: [f"m{c}" for c in codes],
        C.GROUP_GENDER: ["女", "男", "女", "男", "男", "女", "男", "女"],
        C.GROUP_LAYER: [c[0] for c in codes],
        C.GROUP_CODE: codes,
        C.ROSTER_LEADERSHIP: [3, 5, 4, 2, 4, 3, 2, 3],
        C.ROSTER_QUALITY: [5, 4, 4, 3, 3, 3, 2, 2],
    })
    # Class z-scores per subject (语文 数学 英语 物理 化学 历史).
    z = pd.DataFrame([
        [2.0, 2.5, 1.5, 1.0, 1.2, 1.1],   # A1
        [1.0, 1.8, 0.9, 0.8, 1.5, 0.7],   # A2
        [0.8, 0.1, 0.2, 0.3, 1.0, 0.4],   # B1
        [0.0, -0.1, 1.0, 0.2, 0.1, 0.3],  # B2: relatively best in 英语
        [0.1, 0.0, -0.2, 0.0, 0.2, -0.1],
        [-0.6, -0.2, -0.5, 0.5, -0.4, -0.3],  # C2: best in 物理
        [-1.0, -0.9, -1.2, -0.8, -0.7, -0.2],  # D1: best in 历史
        [-1.1, -1.0, -0.9, -1.0, -0.9, -0.8],
    ], columns=list(SUBJECTS))
    roles, notes = assign_roles(group, SUBJECTS, z)
    got = dict(zip(codes, ["、".join(r) for r in roles]))
    assert got == {
        "A1": "学习组长、语文组长",   # highest 学习品质 among those without a role; best in 语文
        "A2": "大组长、数学组长",     # A with the highest 组织能力; best in 数学 once A1 has two posts
        "B1": "副组长、化学组长",     # the other gender, highest 组织能力
        "B2": "英语组长",             # had no post: takes the subject they are best in
        "C1": "纪律组长",             # highest 组织能力 among those left
        "C2": "物理组长",
        "D1": "历史组长",
        "D2": "卫生组长",             # lowest layer, higher 组织能力 than D1
    }
    assert notes == []


def test_a_big_group_with_one_subject_gets_spare_posts_so_everyone_has_one():
    roster = synthetic_class(20, seed=17, subjects=("数学",))
    plan = plan_groups(roster, NO_MEMBERS, NO_CULTURE, subjects=("数学",), group_size=10, **FAST)
    assert plan.k == 2
    check_plan(plan, roster, subjects=("数学",))
    flat = [r for roles in plan.table[C.GROUP_ROLES] for r in roles.split(C.ROLE_SEPARATOR)]
    assert flat.count(C.SPARE_ROLES[0]) == 2 and flat.count(C.SPARE_ROLES[3]) == 2


def _check_seats(rows, codes) -> None:
    """The seat rules of issue 13 for one group."""
    seated = [c for row in rows for c in row if c]
    assert sorted(seated, key=code_key) == sorted(codes, key=code_key)
    # Everybody faces somebody: two members per row, or three (beside each other, facing one) in an odd group.
    assert all(all(row[:2]) and len(row) in (2, 3) for row in rows), rows
    triples = [row for row in rows if len(row) == 3]
    assert len(triples) == len(codes) % 2
    if len(rows) >= 3:
        # A sits in a middle row: never the first or the last.
        for row in (rows[0], rows[-1]):
            assert not any(c.startswith("A") for c in row), rows


LAYER_MIXES = {
    6: ["2211", "2121", "2112", "1221"],
    7: ["2221", "2212", "2122", "1222"],
    8: ["2222", "3221", "2231"],
    9: ["3222", "2322", "2232", "2223"],
    10: ["3322", "3232", "3223", "2233", "2332"],
}


@pytest.mark.parametrize("size", sorted(LAYER_MIXES))
def test_seats_keep_a_in_the_middle_and_pair_everyone_in_every_group_size(size):
    for mix in LAYER_MIXES[size]:
        codes = [f"{L}{i}" for L, c in zip("ABCD", mix) for i in range(1, int(c) + 1)]
        assert len(codes) == size
        rows = seat_rows(codes)
        _check_seats(rows, codes)
        assert len(rows) == size // 2
        if mix == "2222":
            assert rows == list(C.SEAT_PAIRS)
        # From 8 members on (four rows) the contract's pairs stay as they are.
        partner = seat_partner(rows)
        for a, b in C.SEAT_PAIRS:
            if a in codes and b in codes and size >= 8 and mix[0] == "2":
                assert partner[a] == b


# --------------------------------------------------------------------------
# Unusual classes
# --------------------------------------------------------------------------
def test_fewer_than_six_students_get_a_clear_message():
    roster = roster_from([500, 480, 470, 460, 450], ["男", "女"] * 2 + ["男"])
    with pytest.raises(InputError, match="只有 5 名学生，至少要 6 人"):
        plan_groups(roster, NO_MEMBERS, NO_CULTURE, **FAST)


def test_a_class_of_eleven_is_split_five_and_six_and_told_so():
    roster = synthetic_class(11, seed=3)
    plan = plan_groups(roster, NO_MEMBERS, NO_CULTURE, **FAST)
    assert plan.k == 2
    assert sorted(plan.table[C.GROUP_NO].value_counts()) == [5, 6]
    assert any("无法每组都有 6 人" in line for line in plan.lines)
    check_plan(plan, roster)


def test_a_class_of_one_gender_is_grouped_and_the_deputy_rule_is_explained():
    roster = synthetic_class(30, seed=4)
    roster[C.ROSTER_GENDER] = "男"
    plan = plan_groups(roster, NO_MEMBERS, NO_CULTURE, **FAST)
    check_plan(plan, roster)
    assert plan.figures["gender"] == 0
    assert any("没有异性组员，副组长由同性组员担任" in line for line in plan.lines)


def test_students_without_total_are_placed_by_quality_and_reported():
    roster = synthetic_class(40, seed=5)
    roster.loc[[3, 17], C.ROSTER_TOTAL] = np.nan
    roster.loc[17, C.ROSTER_QUALITY] = np.nan
    plan = plan_groups(roster, NO_MEMBERS, NO_CULTURE, **FAST)
    check_plan(plan, roster)
    name3, name17 = roster.at[3, C.ROSTER_NAME], roster.at[17, C.ROSTER_NAME]
    assert any(line.startswith(f"{name3}没有总分，按学习品质分在") for line in plan.lines)
    assert any(line.startswith(f"{name17}没有总分，没有学习品质，暂按中等分在") for line in plan.lines)
    assert plan.figures["D_means"] < 0.05


def test_no_totals_at_all_still_groups_by_gender_and_layers():
    roster = synthetic_class(24, seed=6)
    roster[C.ROSTER_TOTAL] = np.nan
    plan = plan_groups(roster, NO_MEMBERS, NO_CULTURE, **FAST)
    check_plan(plan, roster)
    assert plan.figures == {}
    girls = plan.table.groupby(C.GROUP_NO)[C.GROUP_GENDER].apply(lambda s: (s == "女").sum())
    assert girls.max() - girls.min() <= 1


def test_missing_gender_is_reported_and_not_counted():
    roster = synthetic_class(24, seed=8)
    roster.loc[2, C.ROSTER_GENDER] = None
    plan = plan_groups(roster, NO_MEMBERS, NO_CULTURE, **FAST)
    assert any(line.startswith("没有性别") and roster.at[2, C.ROSTER_NAME] in line for line in plan.lines)
    check_plan(plan, roster)


def test_regroup_and_keep_together_are_refused():
    roster = synthetic_class(24, seed=9)
    with pytest.raises(XlzuError, match="不能同时使用"):
        plan_groups(roster, NO_MEMBERS, NO_CULTURE, regroup=True, keep=True, **FAST)


# --------------------------------------------------------------------------
# Later runs: nobody moves, new and gone students, manual moves, regroup
# --------------------------------------------------------------------------
def members_of(plan) -> pd.DataFrame:
    """The plan's table as read_members would give it back."""
    t = plan.table.reset_index(drop=True).copy()
    t[C.GROUP_NO] = t[C.GROUP_NO].astype("Int64")
    t[C.GROUP_LOCKED] = t[C.GROUP_LOCKED].notna()
    t["_row"] = np.arange(2, len(t) + 2)
    return t


def test_a_rerun_moves_nobody_places_new_students_and_drops_gone_ones():
    roster = synthetic_class(45, seed=10)
    first = plan_groups(roster.iloc[:44], NO_MEMBERS, NO_CULTURE, **FAST)
    members = members_of(first)
    gone_id = roster.at[0, C.ROSTER_ID]
    later = roster.iloc[1:]  # student 0 left, student 44 is new
    plan = plan_groups(later, members, first.culture, **FAST)
    assert plan.mode == "update"
    before = dict(zip(members[C.GROUP_ID], members[C.GROUP_NO]))
    after = dict(zip(plan.table[C.GROUP_ID], plan.table[C.GROUP_NO]))
    assert gone_id not in after
    assert all(after[i] == before[i] for i in after if i in before)
    new_id = roster.at[44, C.ROSTER_ID]
    sizes_before = members[members[C.GROUP_ID] != gone_id][C.GROUP_NO].value_counts()
    assert sizes_before[after[new_id]] == sizes_before.min()
    texts = [m.text() for m in plan.moves]
    assert f"新同学{roster.at[44, C.ROSTER_NAME]}编入第{after[new_id]}组" in texts
    assert any(t.startswith(f"{roster.at[0, C.ROSTER_NAME]}已不在花名册中") for t in texts)
    check_plan(plan, later)


def test_a_manual_move_is_detected_locked_and_survives_regroup():
    roster = synthetic_class(53, seed=11)
    first = plan_groups(roster, NO_MEMBERS, NO_CULTURE, **FAST)
    members = members_of(first)
    i = int(np.flatnonzero(members[C.GROUP_NO] == 2)[0])
    sid, name = members.at[i, C.GROUP_ID], members.at[i, C.GROUP_NAME_COL]
    members.at[i, C.GROUP_NO] = 5  # the teacher types 5 over 2; 组名 still says 第2组
    plan = plan_groups(roster, members, first.culture, **FAST)
    row = plan.table.set_index(C.GROUP_ID).loc[sid]
    assert row[C.GROUP_NO] == 5 and row[C.GROUP_TEAM_NAME] == "第5组" and row[C.GROUP_LOCKED] == C.LOCKED_MARK
    assert f"{name}：第2组 → 第5组（手动调整，已锁定）" in [m.text() for m in plan.moves]
    # A full regroup keeps the (now locked) student where the teacher put them.
    again = plan_groups(roster, members_of(plan), plan.culture, regroup=True, seed=3, **FAST)
    assert again.table.set_index(C.GROUP_ID).at[sid, C.GROUP_NO] == 5
    assert again.mode == "regroup"
    check_plan(again, roster)


def test_regroup_moves_only_unlocked_students_and_reports_every_move():
    roster = synthetic_class(45, seed=12)
    first = plan_groups(roster, NO_MEMBERS, NO_CULTURE, seed=1, **FAST)
    members = members_of(first)
    locked = members.index[::4]
    members.loc[locked, C.GROUP_LOCKED] = True
    plan = plan_groups(roster, members, first.culture, regroup=True, seed=2, **FAST)
    after = plan.table.set_index(C.GROUP_ID)[C.GROUP_NO]
    for i in locked:
        assert after[members.at[i, C.GROUP_ID]] == members.at[i, C.GROUP_NO]
    moved = {m.student_id for m in plan.moves if m.why == "regroup"}
    changed = {sid for sid, g in zip(members[C.GROUP_ID], members[C.GROUP_NO]) if after[sid] != g}
    assert moved == changed
    assert plan.figures["gender"] <= 1


def test_a_lock_into_a_group_that_no_longer_exists_names_the_cell():
    roster = synthetic_class(30, seed=13)
    first = plan_groups(roster, NO_MEMBERS, NO_CULTURE, **FAST)
    members = members_of(first)
    members.at[3, C.GROUP_NO] = 9
    members.at[3, C.GROUP_LOCKED] = True
    with pytest.raises(InputError) as err:
        plan_groups(roster, members, first.culture, regroup=True, **FAST)
    assert err.value.problems[0].sheet == C.GROUPS and err.value.problems[0].cell == "F5"
    assert "应为 1–4" in str(err.value)


def test_a_group_without_an_a_member_gets_its_leader_from_b_and_says_so():
    roster = synthetic_class(32, seed=14)
    first = plan_groups(roster, NO_MEMBERS, NO_CULTURE, **FAST)
    members = members_of(first)
    a_of_1 = members.index[(members[C.GROUP_NO] == 1) & (members[C.GROUP_LAYER] == "A")]
    members.loc[a_of_1, C.GROUP_NO] = 2
    plan = plan_groups(roster, members, first.culture, **FAST)
    g1 = plan.table[plan.table[C.GROUP_NO] == 1]
    leader = g1[g1[C.GROUP_ROLES].str.contains(C.ROLE_LEADER)]
    assert leader[C.GROUP_LAYER].iloc[0] == "B"
    assert any(line.startswith("第1组：没有 A 层组员，大组长由 B 层的") for line in plan.lines)
    check_plan(plan, roster)


def test_keep_mode_keeps_layers_as_the_sheet_shows_them():
    roster = synthetic_class(30, seed=15)
    first = plan_groups(roster, NO_MEMBERS, NO_CULTURE, **FAST)
    members = members_of(first)
    changed = roster.copy()
    changed[C.ROSTER_TOTAL] = changed[C.ROSTER_TOTAL].iloc[::-1].to_numpy()  # a new exam turns the class around
    before = members.set_index(C.GROUP_ID).sort_index()
    kept = plan_groups(changed, members, first.culture, keep=True, **FAST).table.set_index(C.GROUP_ID).sort_index()
    assert (kept[C.GROUP_LAYER] == before[C.GROUP_LAYER]).all()
    assert (kept[C.GROUP_NO] == before[C.GROUP_NO]).all()
    plan = plan_groups(changed, members, first.culture, **FAST)
    refreshed = plan.table.set_index(C.GROUP_ID).sort_index()
    assert (refreshed[C.GROUP_LAYER] != before[C.GROUP_LAYER]).any()
    assert any(line.startswith("层次有变化") for line in plan.lines)
    assert (refreshed[C.GROUP_NO] == before[C.GROUP_NO]).all()


def test_culture_of_groups_that_no_longer_exist_is_listed_before_it_goes():
    roster = synthetic_class(45, seed=16)
    first = plan_groups(roster, NO_MEMBERS, NO_CULTURE, **FAST)  # 6 groups
    culture = first.culture.copy()
    culture.loc[5, C.GROUP_TEAM_NAME] = "雄鹰队"
    plan = plan_groups(roster, members_of(first), culture, group_size=10, regroup=True, **FAST)
    assert plan.k == 5
    assert any("第6组的小组文化已删除" in line and "雄鹰队" in line for line in plan.lines)


def test_a_cleared_group_number_is_filled_into_a_real_group_and_said_so():
    roster = synthetic_class(30, seed=18)
    first = plan_groups(roster, NO_MEMBERS, NO_CULTURE, **FAST)
    members = members_of(first)
    members.at[0, C.GROUP_NO] = pd.NA  # the teacher cleared it
    members.at[1, C.GROUP_NO] = 9  # and typed a group number nobody else has
    plan = plan_groups(roster, members, first.culture, **FAST)
    after = plan.table.set_index(C.GROUP_ID)[C.GROUP_NO]
    g = after[members.at[0, C.GROUP_ID]]
    assert 1 <= g <= 4
    assert f"{members.at[0, C.GROUP_NAME_COL]}没有组号，已编入第{g}组" in [m.text() for m in plan.moves]
    assert after[members.at[1, C.GROUP_ID]] == 9
    assert any(line == "第5组现在没有组员。" for line in plan.lines)


def test_no_nan_in_any_report_a_group_of_one_or_a_newcomer_without_total():
    """A teacher moves one student alone into a new group 7 and a newcomer
    without 总分 joins: the report, the balance figures and the per-group
    table show numbers or nothing, never "nan"."""
    from xlzu.ops.groups import groups_layout, report_lines

    roster = synthetic_class(45, seed=21)
    first = plan_groups(roster.iloc[:44], NO_MEMBERS, NO_CULTURE, **FAST)
    members = members_of(first)
    members.loc[0, C.GROUP_NO] = first.k + 1  # alone in a new group
    members.loc[0, C.GROUP_LOCKED] = True
    later = roster.copy()
    later.loc[44, C.ROSTER_TOTAL] = np.nan  # the newcomer has no 总分
    later.loc[44, C.ROSTER_QUALITY] = np.nan
    # (a regroup into 6 groups would refuse the hand move into group 7: it regroups the first table)
    for regroup, table in ((False, members), (True, members_of(first))):
        plan = plan_groups(later, table, first.culture, regroup=regroup, **FAST)
        lines = report_lines(plan)
        text = "\n".join(lines)
        assert "nan" not in text.lower(), text
        assert "均衡情况：各组平均分相差" in text and "各组标准差相差" in text
        cells = [v for row in groups_layout(plan).rows for v in row]
        assert not any(isinstance(v, float) and np.isnan(v) for v in cells)
        assert not any(isinstance(v, str) and "nan" in v.lower() for v in cells)
    # The update run kept the group of one and the newcomer joined it (the
    # smallest group): one known 总分, so its SD is 0 (population SD), not missing.
    plan = plan_groups(later, members, first.culture, **FAST)
    alone = plan.summary().set_index(C.GROUP_NO).loc[first.k + 1]
    assert alone["人数"] == 2 and alone["总分标准差"] == 0.0


def test_the_report_names_the_outlier_and_the_least_possible_difference():
    roster = synthetic_class(53, seed=5)
    roster.loc[3, C.ROSTER_TOTAL] = 480 + 80 * 3.4  # far above everyone
    plan = plan_groups(roster, NO_MEMBERS, NO_CULTURE, **FAST)
    from xlzu.ops.groups import report_lines

    f = plan.figures
    assert f["bound"] > 0.3 and f["D_sd"] >= f["bound"]
    line = next(x for x in report_lines(plan) if x.startswith("本班有成绩特别突出的同学"))
    assert f"（{roster.at[3, C.ROSTER_NAME]}）" in line
    assert f"各组标准差最多只能接近到相差 {f['bound'] * f['class_sd']:.1f} 分" in line


def test_the_report_says_when_no_grouping_could_do_better():
    """A small class whose best split the exhaustive search proves (the
    benchmark's 30-student class with 7 absent students)."""
    from xlzu.ops.groups import report_lines

    roster = synthetic_class(30, seed=103)
    rng = np.random.default_rng(1103)
    roster.loc[rng.choice(30, 7, replace=False), C.ROSTER_TOTAL] = np.nan
    plan = plan_groups(roster, NO_MEMBERS, NO_CULTURE)
    f = plan.figures
    assert f["bound_exact"] and f["bound"] > 0.02 and abs(f["D_sd"] - f["bound"]) < 1e-6
    line = next(x for x in report_lines(plan) if "各组标准差最多只能接近到相差" in x)
    assert line.endswith("这次分组已是本班可能的最好结果。") and "倍" not in line
    other = synthetic_class(53, seed=5)
    other.loc[3, C.ROSTER_TOTAL] = 480 + 80 * 3.4  # too large to prove: the ratio is given instead
    plan = plan_groups(other, NO_MEMBERS, NO_CULTURE, **FAST)
    assert not plan.figures["bound_exact"]
    assert "是最好可能结果的" in next(x for x in report_lines(plan) if "最多只能接近到相差" in x)


def _splits(members, sizes):
    """Every way to deal ``members`` into groups of ``sizes``."""
    if not sizes:
        yield []
        return
    for chosen in itertools.combinations(members, sizes[0]):
        rest = [m for m in members if m not in chosen]
        for tail in _splits(rest, sizes[1:]):
            yield [chosen] + tail


def _feasible_splits(x, layer, counts, delta, keep=lambda g: True):
    """(D_sd, groups) of every split with the layer counts ``counts`` that
    ``keep`` accepts and whose D_means is at most ``delta``: brute force."""
    n = len(x)
    per_layer = [list(_splits(list(np.flatnonzero(layer == L)), list(counts[:, L]))) for L in range(4)]
    for combo in itertools.product(*per_layer):
        g = np.empty(n, dtype=int)
        for parts in combo:
            for gi, members in enumerate(parts):
                g[list(members)] = gi
        if not keep(g):
            continue
        f = measure(x, g, np.zeros(n, dtype=bool))
        if f["D_means"] <= delta:
            yield f["D_sd"], g


def _least_sd(x, layer, counts, delta, keep=lambda g: True):
    """The least D_sd over every split :func:`_feasible_splits` gives."""
    return min((d for d, _ in _feasible_splits(x, layer, counts, delta, keep)), default=np.inf)


@pytest.mark.parametrize("trial", range(8))
def test_the_sd_bound_never_exceeds_the_best_split_found_by_enumeration(trial):
    """sd_lower_bound is a lower bound: on small classes every split that
    keeps the planned layer counts is enumerated, and the least D_sd among
    those with D_means ≤ delta is never below the bound (outliers, absent
    students and ties included)."""
    from xlzu.sdbound import sd_lower_bound

    rng = np.random.default_rng(trial)
    n, k = (12, 2) if trial % 2 else (15, 3)
    x = rng.normal(0, 1, n)
    if trial % 3 == 0:
        x[0] = 3.5
    if trial % 4 == 1:
        x[1] = -3.0
    if trial % 5 == 0:
        x[[2, 3]] = np.nan
    layer = assign_layers(np.nan_to_num(x, nan=0.0))
    counts = plan_counts(layer, np.full(n, -1), k)
    delta = 0.15  # loose enough that small classes have splits within it
    bound = sd_lower_bound(x, layer, counts, delta).value
    best = _least_sd(x, layer, counts, delta)
    assert np.isfinite(best)
    assert bound <= best + 1e-9
    if trial % 6 == 0:
        # 15 students, one of them far out: the bound says something (in a
        # class of 12 the outlier inflates the class SD and the best is ~0).
        assert bound > 0.1


@pytest.mark.parametrize("trial", range(6))
def test_the_sd_bound_with_locked_students_never_exceeds_the_best_locked_split(trial):
    """With students locked in their groups the bound adds what a locked
    group allows (its SD cannot reach the class's, or cannot come down to
    it); enumerating every split that keeps the locks and the layer counts,
    the least D_sd with D_means ≤ delta is never below it."""
    from xlzu.sdbound import sd_lower_bound

    rng = np.random.default_rng(100 + trial)
    n, k = 12, 2
    x = rng.normal(0, 1, n)
    if trial % 2:
        x[4] = np.nan
    layer = assign_layers(np.nan_to_num(x, nan=0.0))
    fixed = np.full(n, -1)
    # Three students close to the mean locked together: their group's SD is held down.
    near = np.flatnonzero(~np.isnan(x))[np.argsort(np.abs(x[~np.isnan(x)]))][:3]
    fixed[near] = 0
    counts = plan_counts(layer, fixed, k)
    delta = 0.3  # the locks leave fewer splits: a looser D_means
    bound = sd_lower_bound(x, layer, counts, delta, fixed).value
    best = _least_sd(x, layer, counts, delta, keep=lambda g: (g[near] == 0).all())
    assert np.isfinite(best)
    assert bound <= best + 1e-9
    if trial == 3:
        # Here only the locks make the bound say something.
        assert sd_lower_bound(x, layer, counts, delta).value == 0.0 < bound
