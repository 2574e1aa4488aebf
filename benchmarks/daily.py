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

from xlzu import contract as C  # noqa: E402
from xlzu.book.files import FileBook  # noqa: E402
from xlzu.dates import monday, week_days  # noqa: E402
from xlzu.demo import demo_roster_path, typed_entries  # noqa: E402
from xlzu.ops.daily import daily, forms_for, print_daily, save  # noqa: E402
from xlzu.pdf import libreoffice  # noqa: E402
from xlzu.records import from_rows, records_layout  # noqa: E402
from xlzu.scoring import apply_forms, parse_forms  # noqa: E402
from xlzu.settings import read_settings  # noqa: E402


def timed(label: str, fn, *args, **kwargs):
    w, c = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    print(f"  {label:<38} {time.perf_counter() - w:6.2f} s wall {time.process_time() - c:6.2f} s cpu")
    return out


def history(path: Path, weeks: int, rng: random.Random) -> tuple[int, int]:
    """Fill 个人记录/小组记录 with ``weeks`` school weeks of typed-looking records."""
    book = FileBook.open(path)
    settings = read_settings(book.read_values(C.SETTINGS))
    start = monday(settings.term_start)
    person, groups = from_rows([], "person"), from_rows([], "group")
    days = [d for w in range(weeks) for d in week_days(start + timedelta(weeks=w), settings.school_days)]
    if days:
        pieces = []
        for d in days:
            forms = forms_for(book, d)
            sheets = {f.sheet: f.filled(typed_entries(f, rng)).grid() for f in forms}
            parsed, problems = parse_forms(sheets, settings)
            assert not problems, problems[:3]
            pieces += parsed
        person, groups, _ = apply_forms(person, groups, pieces)
        book.write_layout(C.PERSON_RECORDS, records_layout(person, "person"))
        book.write_layout(C.GROUP_RECORDS, records_layout(groups, "group"))
        book.save()
    return len(person), len(groups)


def main(weeks_list: list[int]) -> None:
    for weeks in weeks_list:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "班级.xlsx"
            from xlzu import new_class

            new_class(path, demo_roster_path())
            write_groups(path, 7)
            rng = random.Random(weeks)
            n_p, n_g = history(path, weeks, rng)
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
