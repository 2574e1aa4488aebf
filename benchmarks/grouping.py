"""Benchmark of the grouping search (issue 3).

For made-up classes of 30, 45, 53, 64 and 70 students (fixed seeds, see
``xlzu.grouping.synthetic_class``) it prints, in units of the class's 总分
standard deviation,

* D_means — max − min of the group means of 总分,
* D_sd    — max − min of the group standard deviations of 总分,
* girls   — max − min of the number of girls per group,
* the run time,

for xlzu's search, for the serpentine snake draft teachers do by hand, and
for a random split within layers (median of 200 draws); and, where scipy's
HiGHS MILP solver reaches it, the exact optimum of D_means under the same
constraints (group sizes, layer counts per group, girls per group within
one).  scipy is a test extra: the package itself does not need it.

Run:  python benchmarks/grouping.py [--seed N] [--milp-seconds S] [--sizes 30,45]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from xlzu import contract as C  # noqa: E402
from xlzu.grouping import (  # noqa: E402
    HIGH_LEADERSHIP,
    assign_layers,
    balance,
    composite_scores,
    group_count,
    measure,
    plan_counts,
    random_within_layers,
    snake_draft,
    synthetic_class,
)

SIZES = (30, 45, 53, 64, 70)
SMALL = (16, 20, 24)  # small classes where HiGHS proves the optimum: a reference, no targets
TARGETS = {"D_means": 0.02, "D_sd": 0.05, "gender": 1}


def exact_d_means(total: np.ndarray, layer: np.ndarray, girl: np.ndarray, k: int, seconds: float):
    """Minimum D_means (class SDs) by MILP, same constraints as the search.
    Returns (value, proven optimal?, lower bound) or None without scipy."""
    try:
        from scipy.optimize import Bounds, LinearConstraint, milp
    except ImportError:
        return None
    n = len(total)
    counts = plan_counts(layer, np.full(n, -1), k)
    sizes = counts.sum(axis=1)
    z = (total - total.mean()) / total.std(ddof=1)
    nx = n * k
    # variables: x[i, g] (binary, index i * k + g), then U, L
    c = np.zeros(nx + 2)
    c[nx], c[nx + 1] = 1.0, -1.0
    rows, lo, hi = [], [], []

    def add(coef: dict[int, float], a: float, b: float) -> None:
        row = np.zeros(nx + 2)
        for j, v in coef.items():
            row[j] = v
        rows.append(row)
        lo.append(a)
        hi.append(b)

    for i in range(n):
        add({i * k + g: 1.0 for g in range(k)}, 1, 1)
    for g in range(k):
        for L in range(len(C.LAYERS)):
            members = np.flatnonzero(layer == L)
            add({i * k + g: 1.0 for i in members}, counts[g, L], counts[g, L])
        girls = int(girl.sum())
        add({i * k + g: 1.0 for i in np.flatnonzero(girl)}, girls // k, -(-girls // k))
        mean = {i * k + g: z[i] / sizes[g] for i in range(n)}
        add({**mean, nx: -1.0}, -np.inf, 0)  # mean_g <= U
        add({**mean, nx + 1: -1.0}, 0, np.inf)  # mean_g >= L
    integrality = np.concatenate([np.ones(nx), np.zeros(2)])
    bounds = Bounds(np.concatenate([np.zeros(nx), [-10, -10]]), np.concatenate([np.ones(nx), [10, 10]]))
    res = milp(c, constraints=LinearConstraint(np.array(rows), lo, hi), integrality=integrality, bounds=bounds,
               options={"time_limit": seconds, "disp": False})
    if res.x is None:
        return (float("nan"), False, float(getattr(res, "mip_dual_bound", float("nan")) or 0.0))
    return (float(res.fun), res.status == 0, float(getattr(res, "mip_dual_bound", float("nan"))))


def run(sizes=SIZES, seed: int = 0, milp_seconds: float = 60.0, milp_up_to: int = 45) -> list[dict]:
    results = []
    for n in sizes:
        roster = synthetic_class(n, seed=n)
        total = roster[C.ROSTER_TOTAL].to_numpy(dtype=float)
        girl = (roster[C.ROSTER_GENDER] == "女").to_numpy()
        boy = (roster[C.ROSTER_GENDER] == "男").to_numpy()
        lead = (roster[C.ROSTER_LEADERSHIP] >= HIGH_LEADERSHIP).to_numpy()
        score = composite_scores(total, roster[C.ROSTER_QUALITY])
        layer = assign_layers(score)
        k = group_count(n, 8)
        t0 = time.perf_counter()
        found = balance(total, layer, girl, boy, lead, k, seed=seed)
        seconds = time.perf_counter() - t0
        ours = measure(total, found.groups, girl)
        snake = measure(total, snake_draft(score, k), girl)
        draws = [measure(total, random_within_layers(layer, k, seed=s), girl) for s in range(200)]
        rand = {key: float(np.median([d[key] for d in draws])) for key in ours}
        exact = exact_d_means(total, layer, girl, k, milp_seconds) if n <= milp_up_to and milp_seconds > 0 else None
        lead_range = int(np.ptp(np.bincount(found.groups, weights=lead, minlength=k)))
        results.append({"n": n, "k": k, "ours": ours, "snake": snake, "random": rand, "seconds": seconds,
                        "exact": exact, "lead": lead_range, "rounds": found.iterations})
    return results


def _fmt(m: dict) -> str:
    return f"{m['D_means']:.4f} / {m['D_sd']:.4f} / {int(m['gender'])}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0, help="seed of xlzu's search")
    ap.add_argument("--milp-seconds", type=float, default=60.0, help="time limit of each exact MILP (0 = skip)")
    ap.add_argument("--milp-up-to", type=int, default=45, help="largest class given to the MILP")
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--small", default=",".join(map(str, SMALL)), help="extra small classes for the exact reference")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    small = [int(s) for s in args.small.split(",") if s]
    results = run(sizes, args.seed, args.milp_seconds, args.milp_up_to)
    print("D_means / D_sd in class SDs of 总分 / girls = max − min girls per group")
    header = (f"{'n':>3} {'groups':>6} | {'xlzu':<24} {'time':>6} | {'snake draft':<24} | "
              f"{'random in layers (median)':<26} | exact min D_means (MILP)")
    print(header)
    ok = True
    for r in results:
        e = r["exact"]
        if e is None:
            exact = "—"
        elif e[1]:
            exact = f"{e[0]:.4f} (optimal)"
        else:
            exact = f"≤ {e[0]:.4f} (time limit; bound {e[2]:.4f})"
        print(f"{r['n']:>3} {r['k']:>6} | {_fmt(r['ours']):<24} {r['seconds']:>5.2f}s | {_fmt(r['snake']):<24} | "
              f"{_fmt(r['random']):<26} | {exact}")
        o, s = r["ours"], r["snake"]
        passed = (o["D_means"] <= TARGETS["D_means"] and o["D_sd"] <= TARGETS["D_sd"] and o["gender"] <= TARGETS["gender"]
                  and o["D_means"] < s["D_means"] and o["D_sd"] < s["D_sd"] and r["seconds"] < 5)
        ok = ok and passed
    print("targets (every size): D_means ≤ 0.02, D_sd ≤ 0.05, girls ≤ 1, better than the snake draft on both, < 5 s:",
          "met" if ok else "NOT met")
    if small and args.milp_seconds > 0:
        print()
        print("Small classes where the MILP proves the optimum of D_means (reference; xlzu also balances D_sd):")
        print(header)
        for r in run(small, args.seed, args.milp_seconds, max(small)):
            e = r["exact"]
            exact = "—" if e is None else f"{e[0]:.4f} ({'optimal' if e[1] else 'time limit'})"
            print(f"{r['n']:>3} {r['k']:>6} | {_fmt(r['ours']):<24} {r['seconds']:>5.2f}s | {_fmt(r['snake']):<24} | "
                  f"{_fmt(r['random']):<26} | {exact}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
