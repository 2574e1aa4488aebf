"""Does a term's workbook cost what the first week's does?  Every file
operation on 1-, 5-, 10- and 20-week workbooks of 40, 60 and 80 students,
next to openpyxl's load + save of the same file.

Each workbook is built as a class builds it: ``new_class`` from a roster,
``group`` (自动分组), ``tests/history.py fill_weeks`` (every school day's
daily sheets made, typed, parsed and saved; 周历史 with its chart), exam
scores typed into 考试成绩.  Then, on a fresh copy of it each time, one
process per operation runs

    new     new_class on the same roster (does not depend on the weeks)
    group   xlzu.group (keeps the groups, recomputes roles and seats)
    daily   xlzu.daily for the school day after the last record
    save    xlzu.save of that day's daily sheets, typed
    print   xlzu.print_daily of that day (LibreOffice included)
    week    xlzu.week, month: xlzu.month, review: xlzu.review, term: xlzu.term
    floor   openpyxl.load_workbook(path) + wb.save(...) (keep_vba for .xlsm)

Figures are **CPU seconds of the whole process** (user + system, Python's
start-up and imports included; LibreOffice's own CPU included for print),
read from the child's rusage, because the machine is shared and wall time
says little; and the process's peak resident memory.  Ratios: against the
same operation on the 1-week workbook of the same class size, and against
the floor of the same file.  Each figure is the median of ``--repeat`` runs
(on the 1-week and the longest workbooks, where the targets are judged) or
of ``--repeat-other`` runs (the sizes between); the floor and the
operations of one workbook are measured one after the other in one run.

The workbooks are as an xlzu operation that read the records leaves them,
with the grids of their record tables stored inside
(``xlzu.book.tablecache``), which an operation uses where they match the
sheets' bytes.  Save's workbook was typed by openpyxl, as Excel or WPS
would (every part written again, no grid matches): save adds the day's
rows below the tables without reading them (``Book.table_end``), so it
stores no grid and the operation after it reads the records as ``--cold``
does.  ``--cold`` ignores every stored grid: the first operation that reads
the records after the file was saved by another program.  ``--libreoffice``
measures every operation on the workbook as LibreOffice saved it (a
spreadsheet program's file: shared strings, its own parts, no grid that
matches), the state after a teacher typed in Excel, WPS or LibreOffice.

The children run with Python's bytecode cache on (xlzu compiled first, as
an installed package is), even where PYTHONDONTWRITEBYTECODE is set:
otherwise every run would compile xlzu's own modules again (about 0.15 s).

    python benchmarks/term.py                      # everything (about fifteen minutes)
    python benchmarks/term.py --students 60 --weeks 1 20 --ops group daily save week month review term
    python benchmarks/term.py --keep /tmp/wb       # keep the built workbooks (reused by the next run)
    python benchmarks/term.py --repeat 1 --repeat-other 1   # one run of each (quicker, noisier)
    python benchmarks/term.py --cold               # the stored grids ignored
    python benchmarks/term.py --libreoffice        # every workbook as LibreOffice saved it
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from xlzu import contract as C  # noqa: E402
from xlzu.book import tablecache  # noqa: E402

OPS = ("new", "group", "daily", "save", "print", "week", "month", "review", "term")
TARGET_OPS = ("group", "daily", "save", "week", "month", "review", "term")

# Each operation as the child process runs it: argv[1] = workbook, argv[2] = roster, argv[3] = day.
_PRELUDE = f"import sys; sys.path[:0] = [{str(ROOT)!r}]\n"
# Peak memory of the process itself (VmHWM: the exec'd image only; rusage's
# maxrss would carry over the parent's size from before exec).
_PEAK = "\nimport re; print('VmHWM', re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))\n"
SCRIPTS = {
    "floor": "from openpyxl import load_workbook\n"
             "p = sys.argv[1]; wb = load_workbook(p, keep_vba=p.endswith('.xlsm')); wb.save(p + '.floor' + p[-5:])\n",
    "new": "from xlzu import new_class\nnew_class(sys.argv[1] + '.new.xlsx', sys.argv[2], class_name='初二(3)班')\n",
    "group": "from xlzu import group\ngroup(sys.argv[1])\n",
    "daily": "from xlzu import daily\ndaily(sys.argv[1], sys.argv[3])\n",
    "save": "from xlzu import save\nsave(sys.argv[1])\n",
    "print": "from xlzu import print_daily\nprint_daily(sys.argv[1], sys.argv[3], sys.argv[1] + '.pdf')\n",
    "week": "from xlzu import week\nweek(sys.argv[1])\n",
    "month": "from xlzu import month\nmonth(sys.argv[1])\n",
    "review": "from xlzu import review\nreview(sys.argv[1])\n",
    "term": "from xlzu import term\nterm(sys.argv[1])\n",
}


def build(directory: Path, students: int, weeks: int) -> tuple[Path, Path, Path, str]:
    """The class workbook after ``weeks`` weeks, a copy with the next day's
    daily sheets typed in (for save), the roster, and that next day."""
    from history import fill_weeks, type_exams, type_forms, school_days
    from summary_helpers import synthetic_roster

    from xlzu import daily, group, new_class

    roster = synthetic_roster(directory / f"名单{students}.csv", students, seed=2026)
    path = directory / f"班级-{students}人-{weeks}周.xlsx"
    typed = path.with_name(path.stem + "-日表.xlsx")
    if path.exists() and typed.exists():  # --keep folder of an earlier run
        last = school_days(path, weeks)[-1]
        day = next(d for d in school_days(path, weeks + 1) if d > last)
        print(f"  {students} students, {weeks:2d} weeks: {path.name} (built before)", flush=True)
        return path, typed, roster, day.isoformat()
    new_class(path, roster, class_name="初二(3)班")
    group(path, seed=1)
    n_p, n_g = fill_weeks(path, weeks, seed=weeks, history=True)
    type_exams(path)
    last = school_days(path, weeks)[-1]
    day = next(d for d in school_days(path, weeks + 1) if d > last)
    shutil.copy(path, typed)
    daily(typed, day)
    type_forms(typed, seed=weeks)
    print(f"  {students} students, {weeks:2d} weeks: {n_p} 个人记录 + {n_g} 小组记录 rows, "
          f"{path.stat().st_size / 1e6:.2f} MB", flush=True)
    return path, typed, roster, day.isoformat()


def prime(path: Path) -> None:
    """Open and save ``path`` once with this checkout's xlzu, so that the
    grids it stores of its record tables match this code (a workbook kept
    from an earlier run may hold grids of an older reader, which no longer
    match)."""
    from xlzu.book import FileBook

    book = FileBook.open(path)
    for sheet in (C.PERSON_RECORDS, C.GROUP_RECORDS):
        book.read_values(sheet)
    book.save()


def resaved(path: Path) -> Path:
    """``path`` as LibreOffice saves it (made once, kept beside it)."""
    from xlzu.pdf import convert

    out = path.with_name(path.stem + "-LibreOffice.xlsx")
    if not out.exists():
        made = convert(path, "xlsx", path.parent / "libreoffice")
        made.replace(out)
    return out


# Bytecode cache on in the children (an installed xlzu has its .pyc files).
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def compile_xlzu() -> None:
    """xlzu's .pyc files written (into the checkout's __pycache__, which git
    ignores) and the imports warmed once, before anything is measured."""
    compileall.compile_dir(str(ROOT / "xlzu"), quiet=1)
    subprocess.run([sys.executable, "-c", _PRELUDE + "import xlzu, openpyxl"], env=CHILD_ENV, check=True)


def measure(op: str, source: Path, roster: Path, day: str, work: Path) -> tuple[float, float]:
    """(CPU seconds, peak MB) of one process running ``op`` on a copy of ``source``."""
    for old in work.iterdir():  # nothing left from the run before (backups, new_class's output, PDFs)
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    copy = work / ("w" + source.suffix)
    shutil.copy(source, copy)
    out_path, err_path = work / "out.txt", work / "err.txt"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-c", _PRELUDE + SCRIPTS[op] + _PEAK, str(copy), str(roster), day],
                                cwd=work, stdout=out, stderr=err, env=CHILD_ENV)
        _, status, usage = os.wait4(proc.pid, 0)  # the child's own rusage (CPU)
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"{op} on {source.name} failed:\n{err_path.read_text(errors='replace')[-2000:]}")
    peak = int(out_path.read_text().rsplit("VmHWM", 1)[1].split()[0]) / 1024
    return usage.ru_utime + usage.ru_stime, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="+", default=[40, 60, 80])
    parser.add_argument("--weeks", type=int, nargs="+", default=[1, 5, 10, 20])
    parser.add_argument("--ops", nargs="+", default=list(OPS), choices=OPS)
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median) on the 1-week and longest workbooks")
    parser.add_argument("--repeat-other", type=int, default=1, help="runs per figure on the workbooks between")
    parser.add_argument("--keep", type=Path, help="build the workbooks in this folder and keep them (reused when there)")
    parser.add_argument("--cold", action="store_true",
                        help="operations ignore the grids the workbook stores of its record tables (as the first "
                             "operation after the file was saved by Excel, WPS or LibreOffice)")
    parser.add_argument("--libreoffice", action="store_true",
                        help="every workbook (and save's typed one) saved once more by LibreOffice before it is "
                             "measured: shared strings, LibreOffice's parts, no stored grid that matches")
    args = parser.parse_args()
    if args.cold:
        CHILD_ENV[tablecache.ENV] = "off"
    weeks_list = sorted(set(args.weeks) | {1})
    compile_xlzu()
    print("CPU seconds of the whole process (user+system, start-up and imports included), peak RSS in MB.")
    print(f"median of {args.repeat} runs on the 1-week and longest workbooks, {args.repeat_other} on the others.")
    print("ratio/1w: against the same operation on the 1-week workbook; /floor: against openpyxl load+save of that file.")
    print("record tables: " + ("as LibreOffice saved the workbook (--libreoffice: shared strings, no stored grid)"
                               if args.libreoffice else
                               "parsed (--cold: the stored grids ignored)" if args.cold else
                               "as an xlzu operation that read them leaves them (stored grids used where they "
                               "match); save's workbook was typed by openpyxl: save adds rows below the tables"))
    with tempfile.TemporaryDirectory(prefix="xlzu-term-") as tmp:
        base = args.keep or Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        work = Path(tmp) / "work"
        work.mkdir()
        for students in args.students:
            print(f"\nbuilding ({students} students):", flush=True)
            built = {w: build(base, students, w) for w in weeks_list}
            if args.libreoffice:
                built = {w: (resaved(path), resaved(typed), roster, day) for w, (path, typed, roster, day) in built.items()}
            elif not args.cold:
                for path, *_ in built.values():
                    prime(path)
            first: dict[str, float] = {}
            print(f"{'op':<7}{'weeks':>6}{'cpu s':>8}{'peak MB':>9}{'/1w':>7}{'floor s':>9}{'/floor':>8}")
            for weeks in weeks_list:
                path, typed, roster, day = built[weeks]
                repeat = args.repeat if weeks in (weeks_list[0], weeks_list[-1]) else args.repeat_other

                def median_run(op: str, src: Path) -> tuple[float, float]:  # the median run (CPU) and its peak
                    runs = [measure(op, src, roster, day, work) for _ in range(max(1, repeat))]
                    cpu = statistics.median(r[0] for r in runs)
                    return cpu, max(r[1] for r in runs)

                floor, _ = median_run("floor", path)
                for op in args.ops:
                    cpu, peak = median_run(op, typed if op == "save" else path)
                    first.setdefault(op, cpu)
                    flag = ""
                    if op in TARGET_OPS and weeks == weeks_list[-1] and weeks > 1:  # the target is for a term
                        ok = cpu <= 1.5 * first[op] and cpu <= 0.15 * floor and peak <= 200
                        flag = "  ok" if ok else "  MISSED (target <= 1.5x 1w, <= 0.15x floor, <= 200 MB)"
                    print(f"{op:<7}{weeks:>6}{cpu:>8.2f}{peak:>9.0f}{cpu / first[op]:>7.2f}{floor:>9.2f}{cpu / floor:>8.2f}{flag}",
                          flush=True)


if __name__ == "__main__":
    main()
