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

Where a class misses the target by D_sd alone, xlzu's bound may simply be
too weak (it cannot see how the layer counts, the gender bands and the
integrality of a split interact).  The benchmark then asks OR-tools CP-SAT
(``benchmarks/certify.py``, a relaxation of the rules) whether any split
could have D_sd < D_sd ÷ 1.3; when CP-SAT proves that none can, the least
possible D_sd is ≥ D_sd ÷ 1.3, so the class meets the target by proof.  The
``proof`` column shows such a certificate ("≥ 0.0208 CP-SAT"); xlzu's own
bound stays in the ``bound`` column.  Where nothing is proved, CP-SAT is
also asked for a split that meets the target; a split it meets with a
lower D_sd than xlzu's ("CP-SAT split 0.0181") shows that the search, not
the class, fell short.  Without OR-tools installed
(``pip install ".[bench]"``) the benchmark runs and says that no proof was
attempted; ``--no-proof`` skips them; ``--proof-seconds`` is CP-SAT's limit
per question (at most two per class) in its deterministic time (2 workers taking turns in a fixed
order, so every run gives the same answers; wall time is about 1–2 × that).

With ``--process`` it also times the whole ``python -m xlzu group`` on a
70-student workbook (CPU seconds of the child process: imports, workbook
I/O, search), which should stay within 2 CPU-s: the median of ``--runs``
runs per class, and of a process that only imports the same modules.

Run:  python benchmarks/grouping.py [--seed N] [--classes BASE] [--quick] [--process [--runs N]]
                                    [--no-proof] [--proof-seconds S]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import certify as cert  # noqa: E402  (benchmarks/certify.py; OR-tools imported only when a proof is asked)
from xlzu import contract as C  # noqa: E402
from xlzu.grouping import (  # noqa: E402
    balance,
    class_inputs,
    group_count,
    measure,
    plan_counts,
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
    counts = plan_counts(layer, np.full(n, -1), k)
    return {"n": n, "seed": seed, "kind": kind, "k": k, "ours": ours, "snake": snake, "bound": bound,
            "ratio": ratio, "cpu": cpu, "ok": ok, "proof": None,
            "inputs": (total, layer, girl, boy, found.groups, [counts], None)}


def on_target_but_sd(m: dict) -> bool:
    """Every part of the target but D_sd's is met (a proof can only help D_sd)."""
    return m["D_means"] <= 0.010 and m["gender"] <= 1 and m["boys"] <= 1


def prove(r: dict, m: dict, seconds: float, target: float) -> dict:
    """Ask CP-SAT whether any split keeping the rules has D_sd < D_sd ÷ 1.3
    (``certify`` for every table of layer counts the rules allow; proved
    only when proved for each).  When that is not proved, ask once more, at
    ``target`` (the class's own, max(0.020, 1.3 × xlzu's bound)), for a split
    that meets it.  Returns {t, status, seconds, better}: ``better`` is the
    figures of the best split CP-SAT met (it keeps every rule; a solution of
    the relaxation need not have D_sd below the t asked) whose D_sd is below
    xlzu's, else None."""
    total, layer, girl, boy, groups, tables, fixed = r["inputs"]
    t = m["D_sd"] / 1.3
    spent, better = 0.0, None

    def ask(counts: np.ndarray, threshold: float) -> str:
        nonlocal spent, better
        c = cert.certify(total, layer, girl, boy, counts, threshold, seconds=seconds, workers=2, hint=groups,
                         fixed=fixed, deterministic=True)
        spent += c.seconds
        if c.status == "found":
            found = measure(total, c.groups, girl, boy)
            if on_target_but_sd(found) and found["D_sd"] < min(m["D_sd"], better["D_sd"] if better else np.inf):
                better = found
        return c.status

    status = "proved"
    for counts in tables:
        if (status := ask(counts, t)) != "proved":
            break
    if status != "proved" and (better is None or better["D_sd"] > target):
        for counts in tables:
            ask(counts, target)
            if better is not None and better["D_sd"] <= target:
                break
    return {"t": t, "status": status, "seconds": spent, "better": better}


def proof_text(p: dict | None) -> str:
    """The proof column: '≥ 0.0208 CP-SAT' (proved), 'CP-SAT split 0.0181'
    (CP-SAT met a split better than xlzu's), 'open (77 s)', or '—' (not asked)."""
    if p is None:
        return "—"
    if p["status"] == "proved":
        return f"≥ {p['t']:.4f} CP-SAT"
    if p["better"] is not None:
        return f"CP-SAT split {p['better']['D_sd']:.4f}"
    return f"open ({p['seconds']:.0f} s)"


def figures_of(r: dict) -> dict:
    """xlzu's figures of a result of run_one or run_locked."""
    return r["ours"] if "ours" in r else r["locked"]


def on_target(m: dict, bound: float) -> bool:
    """D_means ≤ 0.010, girls and boys each within one, D_sd ≤ max(0.020, 1.3 × bound)."""
    return on_target_but_sd(m) and m["D_sd"] <= max(0.020, 1.3 * bound)


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
    kept = bool((locked.groups[pick] == fixed[pick]).all())
    ok = on_target(b, bound) and kept
    planned = plan_counts(layer, fixed, k)
    final = np.zeros_like(planned)
    np.add.at(final, (locked.groups, layer), 1)
    tables = [planned] if np.array_equal(final, planned) else [planned, final]  # as xlzu's bound: both
    return {"n": n, "kind": kind, "k": k, "free": a, "locked": b, "bound": bound, "cpu": cpu, "ok": ok,
            "kept": kept, "proof": None, "inputs": (total, layer, girl, boy, locked.groups, tables, fixed)}


def process_times(n: int = 70, seed: int = 7, runs: int = 5) -> list[float]:
    """CPU seconds of ``python -m xlzu group`` on a new class workbook of ``n``
    (each run on a fresh copy), with xlzu's bytecode compiled first, as
    ``pip install`` leaves it (a checkout run with PYTHONDONTWRITEBYTECODE
    would otherwise compile every module it imports on every run: 0.1–0.2
    CPU-s that no teacher pays)."""
    from xlzu import new_class

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "xlzu")], check=True,
                   stdout=subprocess.DEVNULL)
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        roster = synthetic_class(n, seed=seed)
        csv = Path(tmp) / "名单.csv"
        roster[[C.ROSTER_ID, C.ROSTER_NAME, C.ROSTER_GENDER, C.ROSTER_TOTAL, C.ROSTER_QUALITY,
                C.ROSTER_LEADERSHIP]].to_csv(csv, index=False, encoding="utf-8")
        new = Path(tmp) / "新.xlsx"
        new_class(new, csv)
        book = Path(tmp) / "班级.xlsx"
        for _ in range(runs):
            shutil.copyfile(new, book)
            times.append(_child_cpu([sys.executable, "-m", "xlzu", "group", str(book)]))
    return times


def import_times(runs: int = 5) -> list[float]:
    """CPU seconds of a process that only imports what ``xlzu group`` imports:
    the floor under every command (Python, pandas, openpyxl, typer)."""
    return [_child_cpu([sys.executable, "-c", "import xlzu.cli, xlzu.ops.groups"]) for _ in range(runs)]


def _child_cpu(command: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
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
    ap.add_argument("--runs", type=int, default=5, help="runs of each process timed with --process (default 5)")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown (for the README)")
    ap.add_argument("--no-proof", action="store_true",
                    help="do not ask CP-SAT (benchmarks/certify.py) for proofs where xlzu's bound is too weak")
    ap.add_argument("--proof-seconds", type=float, default=120.0, metavar="S",
                    help="CP-SAT's limit per question (at most two per class), in its deterministic seconds "
                         "(default 120; the same answer on every run; wall time about 1–2 × that here)")
    args = ap.parse_args(argv)
    proofs = not args.no_proof and cert.available()
    results = [run_one(n, s, kind, args.seed) for n, s, kind in classes(args.quick, args.classes)]
    locked = [run_locked(n, seed, kind, args.seed) for n, seed, kind in LOCK_CLASSES]
    if proofs:
        for r in results:
            if not r["ok"] and on_target_but_sd(r["ours"]):
                r["proof"] = prove(r, r["ours"], args.proof_seconds, max(0.020, 1.3 * r["bound"]))
        for r in locked:
            if not r["ok"] and r["kept"] and on_target_but_sd(r["locked"]):
                r["proof"] = prove(r, r["locked"], args.proof_seconds, max(0.020, 1.3 * r["bound"]))

    def met_by_proof(r: dict) -> bool:
        return r["proof"] is not None and r["proof"]["status"] == "proved"

    if args.markdown:
        print("| students | kind | groups | xlzu D_means / D_sd / girls / boys | bound | D_sd ÷ max(bound, 0.02) | "
              "proof | CPU | snake draft D_means / D_sd / girls / boys |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    else:
        print("D_means / D_sd in class SDs of 总分 (population SDs) / girls / boys (max − min per group); "
              "bound = xlzu's least possible D_sd; proof = CP-SAT's, asked only where xlzu's bound misses")
        print(f"{'n':>3} {'kind':<8} {'k':>2} | {'xlzu':<28} | {'bound':>6} {'ratio':>6} {'proof':<19} {'cpu':>6} | "
              f"{'snake draft':<28} | target")
    for r in results:
        o, s = r["ours"], r["snake"]
        mine, snake = figures(o), figures(s)
        verdict = "met" if r["ok"] else "met (proof)" if met_by_proof(r) else "MISSED"
        if args.markdown:
            flag = "" if r["ok"] or met_by_proof(r) else " (missed)"
            print(f"| {r['n']} | {r['kind']} | {r['k']} | {mine}{flag} | {r['bound']:.4f} | {r['ratio']:.2f} | "
                  f"{proof_text(r['proof'])} | {r['cpu']:.2f} s | {snake} |")
        else:
            print(f"{r['n']:>3} {r['kind']:<8} {r['k']:>2} | {mine:<28} | {r['bound']:6.4f} {r['ratio']:6.2f} "
                  f"{proof_text(r['proof']):<19} {r['cpu']:5.2f}s | {snake:<28} | {verdict}")
    by_bound = sum(r["ok"] for r in results)
    by_proof = sum(met_by_proof(r) for r in results)
    ratios = np.array([r["ratio"] for r in results])
    cpu = np.array([r["cpu"] for r in results])
    print()
    print(f"{by_bound + by_proof} of {len(results)} classes meet D_means ≤ 0.010, girls ≤ 1, boys ≤ 1, "
          f"D_sd ≤ max(0.020, 1.3 × least possible D_sd): {by_bound} by xlzu's own bound, {by_proof} by a CP-SAT proof; "
          f"ratio median {np.median(ratios):.2f}, max {ratios.max():.2f}; search CPU median {np.median(cpu):.2f} s, "
          f"max {cpu.max():.2f} s")
    asked = [r for r in results + locked if r["proof"] is not None]
    if proofs:
        times = ", ".join(f"{r['n']} {r['kind']} {r['proof']['status']} in {r['proof']['seconds']:.1f} s"
                          for r in asked)
        print(f"CP-SAT (benchmarks/certify.py, 2 workers, limit {args.proof_seconds:.0f} deterministic s per question) "
              f"asked for {len(asked)} classes whether any split has D_sd < D_sd ÷ 1.3 (and, where not proved, for a "
              f"split that meets the target)" + (f": {times}" if asked else ""))
        better = [r for r in asked if r["proof"]["status"] != "proved" and r["proof"]["better"] is not None]
        if better:
            print("CP-SAT met splits better than xlzu's search (every rule kept): " + ", ".join(
                f"{r['n']} {r['kind']} D_sd {r['proof']['better']['D_sd']:.4f} against {figures_of(r)['D_sd']:.4f}"
                for r in better))
    elif args.no_proof:
        print("CP-SAT proofs not attempted (--no-proof)")
    else:
        print("CP-SAT proofs not attempted: OR-tools is not installed (pip install ortools, or \".[bench]\")")
    print()
    print(f"--regroup with {LOCKED} locked students (one of them A) against the same class without locks:")
    locked_ok = 0
    for r in locked:
        a, b = r["free"], r["locked"]
        locked_ok += r["ok"] or met_by_proof(r)
        verdict = "met" if r["ok"] else "met (proof)" if met_by_proof(r) else "MISSED"
        proof = f" | proof {proof_text(r['proof'])}" if r["proof"] is not None else ""
        print(f"{r['n']:>3} {r['kind']:<8} {r['k']:>2} | without locks {figures(a)} | "
              f"locked {figures(b)} | bound {r['bound']:.4f}{proof} "
              f"{r['cpu']:5.2f}s | {verdict}")
    print(f"{locked_ok} of {len(LOCK_CLASSES)} locked regroupings meet the same targets")
    if args.process:
        # This host's speed drifts by a third within minutes: medians of several runs, with their range.
        for seed in PROCESS_SEEDS:
            t = process_times(70, seed, args.runs)
            print(f"`python -m xlzu group` on 70 students (synthetic_class seed {seed}): median "
                  f"{statistics.median(t):.2f} CPU-s of {len(t)} runs ({min(t):.2f}–{max(t):.2f}; target ≤ 2)")
        t = import_times(args.runs)
        print(f"  its imports alone: median {statistics.median(t):.2f} CPU-s ({min(t):.2f}–{max(t):.2f})")
    return 0 if by_bound + by_proof == len(results) and locked_ok == len(LOCK_CLASSES) else 1


if __name__ == "__main__":
    raise SystemExit(main())
