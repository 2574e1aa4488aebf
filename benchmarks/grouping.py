"""Benchmark of the grouping search against the best possible (issue 13).

On generated classes of 30–70 students (``xlzu.grouping.synthetic_class``,
several seeds, plus stress cases) it prints, for xlzu's search and for the
serpentine snake draft teachers do by hand:

* D_means — max − min of the group means of 总分,
* D_sd    — max − min of the group population SDs of 总分 (ddof = 0),
* girls, boys — max − min of the number of girls, of boys, per group,

all in units of the class's population SD of 总分; the lower bound on D_sd
(``xlzu.sdbound``: no split with these layer counts and D_means ≤ 0.01 can
do better), the ratio D_sd / max(bound, 0.02), and the CPU time of the search.
Target for every class: D_means ≤ 0.010, girls ≤ 1 and boys ≤ 1 (the gender rule the
bound assumes), D_sd ≤ max(0.020, 1.3 × bound).

Kinds of class:
  plain    as generated,
  outlier  one student 2.8–3.6 SDs above the class,
  low      one student 2.8–3.6 SDs below,
  absent   7 students without 总分 (absent from the exam),
  skewed   38 % girls.

It also regroups four classes around 6 locked students (``--regroup``)
and compares them with the same classes without locks, against the same
targets (the bound then counts the locked groups).

With ``--process`` it also times the whole ``python -m xlzu group`` on a
70-student workbook (CPU seconds of the child process: imports, workbook
I/O, search), which should stay within 2 CPU-s.

Run:  python benchmarks/grouping.py [--seed N] [--classes BASE] [--quick] [--process]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xlzu import contract as C  # noqa: E402
from xlzu.grouping import (  # noqa: E402
    balance,
    class_inputs,
    group_count,
    measure,
    snake_draft,
    synthetic_class,
)

KINDS = ("plain", "outlier", "low", "absent", "skewed")
SIZES = (30, 38, 45, 53, 60, 64, 70)
PROCESS_SEEDS = (7, 8, 70)  # 7: a class whose search runs to the end (no early stop)


def make_class(n: int, seed: int, kind: str):
    """A generated class of ``n`` students of one kind (see the module docstring)."""
    roster = synthetic_class(n, seed=seed)
    rng = np.random.default_rng(seed + 1000)
    if kind == "outlier":
        roster.loc[int(rng.integers(n)), C.ROSTER_TOTAL] = round(480 + 80 * rng.uniform(2.8, 3.6))
    elif kind == "low":
        roster.loc[int(rng.integers(n)), C.ROSTER_TOTAL] = round(480 - 80 * rng.uniform(2.8, 3.6))
    elif kind == "absent":
        roster.loc[rng.choice(n, 7, replace=False), C.ROSTER_TOTAL] = np.nan
    elif kind == "skewed":
        gender = np.full(n, "男", dtype=object)
        gender[rng.choice(n, round(0.38 * n), replace=False)] = "女"
        roster[C.ROSTER_GENDER] = gender
    return roster


def classes(quick: bool = False, base: int = 100):
    """(n, seed, kind): every kind at every size, a different seed each
    (``base`` + 10 × size index + kind index)."""
    sizes = (30, 53, 70) if quick else SIZES
    for j, n in enumerate(sizes):
        for i, kind in enumerate(KINDS):
            yield n, base + 10 * j + i, kind


def run_one(n: int, seed: int, kind: str, search_seed: int = 0) -> dict:
    roster = make_class(n, seed, kind)
    total, score, layer, girl, boy, lead = class_inputs(roster)
    k = group_count(n, 8)
    t0 = time.process_time()
    found = balance(total, layer, girl, boy, lead, k, seed=search_seed)
    cpu = time.process_time() - t0
    ours = measure(total, found.groups, girl, boy)
    bound = found.bound.value  # xlzu.sdbound.sd_lower_bound for the planned layer counts
    snake = measure(total, snake_draft(score, k), girl, boy)
    ratio = ours["D_sd"] / max(bound, 0.02)
    ok = on_target(ours, bound)
    return {"n": n, "seed": seed, "kind": kind, "k": k, "ours": ours, "snake": snake, "bound": bound,
            "ratio": ratio, "cpu": cpu, "ok": ok}


def on_target(m: dict, bound: float) -> bool:
    """D_means ≤ 0.010, girls and boys each within one, D_sd ≤ max(0.020, 1.3 × bound)."""
    return (m["D_means"] <= 0.010 and m["gender"] <= 1 and m["boys"] <= 1
            and m["D_sd"] <= max(0.020, 1.3 * bound))


def figures(m: dict) -> str:
    """D_means / D_sd / girls / boys of a split, as printed."""
    return f"{m['D_means']:.4f} / {m['D_sd']:.4f} / {int(m['gender'])} / {int(m['boys'])}"


LOCK_CLASSES = ((45, 120, "plain"), (53, 130, "plain"), (60, 143, "absent"), (70, 160, "plain"))
LOCKED = 6  # students a teacher locks before regrouping


def run_locked(n: int, seed: int, kind: str, search_seed: int = 0) -> dict:
    """``--regroup`` around locked students against the same class without
    locks: group the class, lock ``LOCKED`` students (chosen at random, one
    of them from layer A) in the groups they are in, split everyone else
    again; the bound is the one for the locked split."""
    roster = make_class(n, seed, kind)
    total, _, layer, girl, boy, lead = class_inputs(roster)
    k = group_count(n, 8)
    free = balance(total, layer, girl, boy, lead, k, seed=search_seed)
    rng = np.random.default_rng(seed + 2000)
    pick = np.concatenate([rng.choice(np.flatnonzero(layer == 0), 1),
                           rng.choice(np.flatnonzero(layer > 0), LOCKED - 1, replace=False)])
    fixed = np.full(n, -1)
    fixed[pick] = (free.groups[pick] + np.arange(LOCKED)) % k  # locked where the teacher wants them, not where the search put them
    t0 = time.process_time()
    locked = balance(total, layer, girl, boy, lead, k, fixed=fixed, seed=search_seed)
    cpu = time.process_time() - t0
    a, b = measure(total, free.groups, girl, boy), measure(total, locked.groups, girl, boy)
    bound = locked.bound.value
    ok = on_target(b, bound) and bool((locked.groups[pick] == fixed[pick]).all())
    return {"n": n, "kind": kind, "k": k, "free": a, "locked": b, "bound": bound, "cpu": cpu, "ok": ok}


def process_time_of_group(n: int = 70, seed: int = 7) -> float:
    """CPU seconds of ``python -m xlzu group`` on a new class workbook of ``n``."""
    from xlzu import new_class

    with tempfile.TemporaryDirectory() as tmp:
        roster = synthetic_class(n, seed=seed)
        csv = Path(tmp) / "名单.csv"
        roster[[C.ROSTER_ID, C.ROSTER_NAME, C.ROSTER_GENDER, C.ROSTER_TOTAL, C.ROSTER_QUALITY,
                C.ROSTER_LEADERSHIP]].to_csv(csv, index=False, encoding="utf-8")
        book = Path(tmp) / "班级.xlsx"
        new_class(book, csv)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-m", "xlzu", "group", str(book)], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0, help="seed of xlzu's search")
    ap.add_argument("--quick", action="store_true", help="15 classes instead of 35")
    ap.add_argument("--classes", type=int, default=100, metavar="BASE",
                    help="first seed of the generated classes (default 100, the README's table; "
                         "another base gives 35 other classes)")
    ap.add_argument("--process", action="store_true", help="also time the whole `xlzu group` on 70 students")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown (for the README)")
    args = ap.parse_args(argv)
    results = [run_one(n, s, kind, args.seed) for n, s, kind in classes(args.quick, args.classes)]
    if args.markdown:
        print("| students | kind | groups | xlzu D_means / D_sd / girls / boys | bound | D_sd ÷ max(bound, 0.02) | CPU | "
              "snake draft D_means / D_sd / girls / boys |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    else:
        print("D_means / D_sd in class SDs of 总分 (population SDs) / girls / boys (max − min per group); "
              "bound = least possible D_sd")
        print(f"{'n':>3} {'kind':<8} {'k':>2} | {'xlzu':<28} | {'bound':>6} {'ratio':>6} {'cpu':>6} | "
              f"{'snake draft':<28} | target")
    for r in results:
        o, s = r["ours"], r["snake"]
        mine, snake = figures(o), figures(s)
        if args.markdown:
            flag = "" if r["ok"] else " (missed)"
            print(f"| {r['n']} | {r['kind']} | {r['k']} | {mine}{flag} | {r['bound']:.4f} | {r['ratio']:.2f} | "
                  f"{r['cpu']:.2f} s | {snake} |")
        else:
            print(f"{r['n']:>3} {r['kind']:<8} {r['k']:>2} | {mine:<28} | {r['bound']:6.4f} {r['ratio']:6.2f} "
                  f"{r['cpu']:5.2f}s | {snake:<28} | {'met' if r['ok'] else 'MISSED'}")
    met = sum(r["ok"] for r in results)
    ratios = np.array([r["ratio"] for r in results])
    cpu = np.array([r["cpu"] for r in results])
    print()
    print(f"{met} of {len(results)} classes meet D_means ≤ 0.010, girls ≤ 1, boys ≤ 1, D_sd ≤ max(0.020, 1.3 × bound); "
          f"ratio median {np.median(ratios):.2f}, max {ratios.max():.2f}; search CPU median {np.median(cpu):.2f} s, "
          f"max {cpu.max():.2f} s")
    print()
    print(f"--regroup with {LOCKED} locked students (one of them A) against the same class without locks:")
    locked_ok = 0
    for n, seed, kind in LOCK_CLASSES:
        r = run_locked(n, seed, kind, args.seed)
        a, b = r["free"], r["locked"]
        locked_ok += r["ok"]
        print(f"{n:>3} {kind:<8} {r['k']:>2} | without locks {figures(a)} | "
              f"locked {figures(b)} | bound {r['bound']:.4f} "
              f"{r['cpu']:5.2f}s | {'met' if r['ok'] else 'MISSED'}")
    print(f"{locked_ok} of {len(LOCK_CLASSES)} locked regroupings meet the same targets")
    if args.process:
        for seed in PROCESS_SEEDS:
            print(f"`python -m xlzu group` on 70 students (synthetic_class seed {seed}): "
                  f"{process_time_of_group(70, seed):.2f} CPU-s (target ≤ 2)")
    return 0 if met == len(results) and locked_ok == len(LOCK_CLASSES) else 1


if __name__ == "__main__":
    raise SystemExit(main())
