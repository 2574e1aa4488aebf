"""Daily sheets on the 52-student demo class: how long generate / save /
print take, with an empty record history and with a term of records.

    python benchmarks/daily.py [WEEKS ...]      (default: 0 4 19)

Prints wall and CPU seconds per operation.  Groups come from
tests/groupsheet.py until xlzu.group is merged.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from groupsheet import write_groups  # noqa: E402
from history import fill_weeks  # noqa: E402

from xlzu import contract as C  # noqa: E402
from xlzu.book.files import FileBook  # noqa: E402
from xlzu.dates import monday  # noqa: E402
from xlzu.demo import demo_roster_path, typed_entries  # noqa: E402
from xlzu.ops.daybook import daily, forms_for, print_daily, save  # noqa: E402
from xlzu.pdf import libreoffice  # noqa: E402
from xlzu.settings import read_settings  # noqa: E402


def timed(label: str, fn, *args, **kwargs):
    w, c = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    print(f"  {label:<38} {time.perf_counter() - w:6.2f} s wall {time.process_time() - c:6.2f} s cpu")
    return out


def main(weeks_list: list[int]) -> None:
    for weeks in weeks_list:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "班级.xlsx"
            from xlzu import new_class

            new_class(path, demo_roster_path())
            write_groups(path, 7)
            rng = random.Random(weeks)
            n_p, n_g = fill_weeks(path, weeks, seed=weeks)
            day = monday(read_settings(FileBook.open(path).read_values(C.SETTINGS)).term_start) + timedelta(weeks=weeks)
            print(f"52 students, 7 groups, {weeks} weeks of records ({n_p} person + {n_g} group rows), "
                  f"file {path.stat().st_size // 1024} KB")
            timed(f"daily {day} (new date)", daily, path, day)
            book = FileBook.open(path)
            for f in forms_for(book, day):
                book.write_layout(f.sheet, f.filled(typed_entries(f, rng)), form=f.form)
            book.save()
            timed("save (a typed day)", save, path)
            timed("save again (nothing changed)", save, path)
            timed(f"daily {day + timedelta(days=1)} (saves first)", daily, path, day + timedelta(days=1))
            timed(f"daily {day} (pre-filled from records)", daily, path, day)
            timed("daily --all-weekdays", daily, path, day, all_weekdays=True)
            if libreoffice():
                timed("print one date (8 pages)", print_daily, path, day, Path(tmp) / "d.pdf")
                timed("print a week (40 pages)", print_daily, path, day, Path(tmp) / "w.pdf", all_weekdays=True)
            print()


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [0, 4, 19])
