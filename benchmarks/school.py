"""校级评比 over a grade: how long `xlzu school` takes for N classes with W
weeks of records each (the class workbooks are only read).

    python benchmarks/school.py [CLASSES] [WEEKS]      (default: 4 4)

Each class: a made-up roster of 40–52 students (xlzu.grouping.synthetic_class),
grouped, W school weeks of daily forms filled and saved in memory
(xlzu.demo.demo_records).  Prints wall and CPU seconds of the month and the
term run, the record rows read, and CPU ms per thousand rows.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from xlzu.dates import monday, week_days  # noqa: E402
from xlzu.demo import demo_records  # noqa: E402
from xlzu.grouping import synthetic_class  # noqa: E402
from xlzu.ops import group, new_class  # noqa: E402
from xlzu.ops.schoolbook import school  # noqa: E402
from xlzu.settings import DEFAULT  # noqa: E402


def timed(label: str, fn, *args, **kwargs):
    w, c = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    cpu = time.process_time() - c
    print(f"  {label:<30} {time.perf_counter() - w:6.2f} s wall {cpu:6.2f} s cpu")
    return out, cpu


def main(n_classes: int = 4, weeks: int = 4) -> None:
    with tempfile.TemporaryDirectory(prefix="xlzu-school-") as tmp:
        d = Path(tmp)
        start = monday(DEFAULT.term_start) + timedelta(weeks=9)  # term week 10: November
        days = [x for w in range(weeks) for x in week_days(start + timedelta(weeks=w), DEFAULT.school_days)]
        paths, rows = [], 0
        for k in range(1, n_classes + 1):
            roster = d / f"名单{k}.csv"
            synthetic_class(40 + (3 * k) % 13, seed=k).to_csv(roster, index=False)
            path = d / f"初二{k}班.xlsx"
            new_class(path, roster, class_name=f"初二({k})班")
            group(path, seed=k)
            rows += demo_records(path, days, seed=k)
            paths.append(path)
        print(f"{n_classes} classes × {weeks} weeks: {rows} record rows")
        _, month_cpu = timed("school (month)", school, d / "年级.xlsx", paths, month=f"{days[0]:%Y-%m}")
        _, term_cpu = timed("school --term", school, d / "年级.xlsx", paths, term=True)
        print(f"  CPU per 1000 record rows: month {1e6 * month_cpu / rows:.0f} ms, term {1e6 * term_cpu / rows:.0f} ms")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
