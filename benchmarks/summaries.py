"""How long does `xlzu week` take on a term-sized workbook, next to the floor
of merely opening and saving that workbook with openpyxl?

A class of 60 students in 8 groups with 20 school weeks of records (as the
daily sheets save them: preview grades, period places and extras, hygiene
and etiquette for every group; five items per student per day), then:

- floor: ``openpyxl.load_workbook(path)`` + ``wb.save(...)`` of the same file;
- week:  ``xlzu.week(path)`` (open, read and check, compute, write the three
  weekly sheets and 控制台, save atomically with a backup), in-process;
- cli:   ``python -m xlzu week path`` as a teacher runs it (includes Python's
  start-up and imports; shown for information).

Each is timed ``--repeat`` times on a fresh copy of the workbook; the best
time counts.  Target: week / floor <= 1.5.

    python benchmarks/summaries.py [--repeat 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from openpyxl import load_workbook  # noqa: E402

from summary_helpers import class_records, make_members, roster_of, school_days, synthetic_roster, write_class  # noqa: E402
from xlzu import new_class, week  # noqa: E402
from xlzu.settings import DEFAULT  # noqa: E402

STUDENTS, GROUPS, WEEKS = 60, 8, 20


def build(directory: Path) -> Path:
    roster = synthetic_roster(directory / "名单.csv", STUDENTS, seed=2026)
    path = directory / "学期.xlsx"
    new_class(path, roster, class_name="初二(3)班")
    members = make_members(roster_of(path), GROUPS)
    grecs, precs = class_records(members, school_days(DEFAULT.term_start, WEEKS), seed=2026, items_per_day=5)
    write_class(path, members, grecs, precs)
    print(f"workbook: {STUDENTS} students, {GROUPS} groups, {WEEKS} weeks: "
          f"{len(precs)} 个人记录 rows, {len(grecs)} 小组记录 rows, {path.stat().st_size / 1e6:.1f} MB")
    return path


def best_of(repeat: int, source: Path, work: Path, fn) -> float:
    times = []
    for _ in range(repeat):
        copy = work / source.name
        shutil.copy(source, copy)
        start = time.perf_counter()
        fn(copy)
        times.append(time.perf_counter() - start)
    return min(times)


def floor(path: Path) -> None:
    wb = load_workbook(path)
    wb.save(path.with_name("floor-" + path.name))


def cli(path: Path) -> None:
    subprocess.run([sys.executable, "-m", "xlzu", "week", str(path)], cwd=ROOT, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build the workbook in this folder and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xlzu-bench-") as tmp:
        base = args.keep or Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        source = build(base)
        work = Path(tmp) / "work"
        work.mkdir()
        t_floor = best_of(args.repeat, source, work, floor)
        t_week = best_of(args.repeat, source, work, week)
        t_cli = best_of(args.repeat, source, work, cli)
        print(f"openpyxl load + save (floor): {t_floor:6.2f} s")
        print(f"xlzu.week(path):              {t_week:6.2f} s   ratio {t_week / t_floor:.2f} (target <= 1.50)")
        print(f"python -m xlzu week (CLI):    {t_cli:6.2f} s   ratio {t_cli / t_floor:.2f} (incl. start-up and imports)")


if __name__ == "__main__":
    main()
