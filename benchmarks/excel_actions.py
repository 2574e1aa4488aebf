"""How many Excel calls each button costs, by class size (and weeks of records).

Runs every button of 控制台 (xlzu.excel) on xlwings' remote engine, which
records what Excel would do instead of doing it, and prints the number of
recorded actions per operation for classes of 40 and 80 students (and 1 and
20 weeks of records for the summaries).  A whole-table backend makes these
numbers independent of the class size, except for operations that write one
block per group: a member sheet (生成日表) or a certificate (期末评比); for
those the script prints the cost per extra block.

    python benchmarks/excel_actions.py

Operations are listed by name in CASES; a case whose operation is not in
this build of xlzu prints "not in this build".  Each case may prepare the
workbook first in file mode (e.g. group the class before printing daily
sheets), through the library functions named in ``prepare``.
"""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # the remote engine, for measuring only
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from remote import count, payload, remote_book, write_roster  # noqa: E402

import xlzu.excel as X  # noqa: E402
from xlzu import contract as C  # noqa: E402
from xlzu.ops.classbook import new_class  # noqa: E402


@dataclass
class Case:
    """One button, measured.  ``prepare`` lists ``module:function`` library
    operations run on the workbook file first (each called with the path)."""

    function: str  # in xlzu.excel (see contract.BUTTONS)
    prepare: tuple[str, ...] = ()
    weeks: tuple[int, ...] = ()  # records of this many weeks (summaries); () = not relevant
    history: bool = False  # 周历史 holds every week of records but the latest (as if summarised each Friday)
    caption: str = field(init=False)

    def __post_init__(self) -> None:
        self.caption = next(b.caption for b in C.BUTTONS if b.function == self.function)


CASES = [
    Case("import_roster"),
    Case("auto_group"),
    Case("reassign_roles", prepare=("xlzu.ops.groups:group",)),
    # the daily buttons: today's forms typed in (history:type_forms) and weeks of records before
    Case("make_daily", prepare=("xlzu.ops.groups:group", "xlzu.ops.daybook:daily", "history:type_forms"), weeks=(1, 20)),
    Case("save_daily", prepare=("xlzu.ops.groups:group", "xlzu.ops.daybook:daily", "history:type_forms"), weeks=(1, 20)),
    Case("print_daily", prepare=("xlzu.ops.groups:group", "xlzu.ops.daybook:daily")),  # remote engine: no PDF export
    # the summaries: 周历史 up to last week, 期中 and 期末 typed (history:type_exams)
    Case("weekly_summary", prepare=("xlzu.ops.groups:group",), weeks=(1, 20), history=True),
    Case("monthly_review", prepare=("xlzu.ops.groups:group",), weeks=(1, 20), history=True),
    Case("term_review", prepare=("xlzu.ops.groups:group", "history:type_exams"), weeks=(1, 20), history=True),
]
SIZES = (40, 80)


GROUP = "xlzu.ops.groups:group"


def _library(name: str):
    module, function = name.split(":")
    try:
        return getattr(importlib.import_module(module), function)
    except (ImportError, AttributeError):
        if name != GROUP:
            raise
    # Until the grouping operation is in this build: groups of 8 from tests/groupsheet.py.
    from groupsheet import write_groups
    from xlzu.book.files import FileBook

    def group(path: Path) -> None:
        roster = FileBook.open(path).read_table(C.ROSTER)
        write_groups(path, max(1, round(len(roster) / 8)))

    return group


def fill_weeks(path: Path, weeks: int, history: bool = False) -> None:
    """Records of ``weeks`` school weeks from the start of term, as if each
    day's forms had been typed and saved (tests/history.py); with
    ``history``, 周历史 of every week but the latest."""
    from history import fill_weeks as records

    records(path, weeks, history=history)


def measure(case: Case, n: int, weeks: int | None, folder: Path) -> tuple[int | None, dict[str, int], int, str]:
    """(actions, by kind, blocks (sheets in the workbook, or certificates), note)."""
    path = folder / f"{case.function}-{n}-{weeks}.xlsx"
    new_class(path, write_roster(folder / f"roster-{n}.csv", n), class_name="初二(3)班")
    try:
        for step in case.prepare:
            _library(step)(path)
        if weeks:
            fill_weeks(path, weeks, case.history)
    except (ImportError, AttributeError):
        return None, {}, 0, "not in this build (preparation)"
    data = payload(path)
    book = remote_book(data)
    report = getattr(X, case.function)(book)
    actions = book.json()["actions"]
    alerts = [a["args"][0] for a in actions if a["func"] == "alert"]
    if report is None:
        note = alerts[0].splitlines()[0] if alerts else "failed"
        if "还没有" in note:
            return None, {}, 0, "not in this build"
        return len(actions), count(actions), len(book.sheets), f"failed: {note[:60]}"
    awards = report.data.get("awards")
    if awards is not None:
        return len(actions), count(actions), len(awards), f"{len(awards)} certificates"
    return len(actions), count(actions), len(book.sheets), ""


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory(prefix="xlzu-actions-") as tmp:
        folder = Path(tmp)
        for case in CASES:
            for weeks in case.weeks or (None,):
                results = {n: measure(case, n, weeks, folder) for n in SIZES}
                rows.append((case, weeks, results))
    print(f"{'button':<10} {'weeks':>5} " + " ".join(f"{n:>4} students" for n in SIZES) + "  per extra block  note")
    for case, weeks, results in rows:
        totals = [results[n][0] for n in SIZES]
        shown = " ".join(f"{'-' if t is None else t:>13}" for t in totals)
        sheets = [results[n][2] for n in SIZES]
        per_sheet = ""
        if None not in totals and sheets[1] != sheets[0]:
            per_sheet = f"{(totals[1] - totals[0]) / (sheets[1] - sheets[0]):.1f}"
        notes = "; ".join(dict.fromkeys(r[3] for r in results.values() if r[3]))
        print(f"{case.caption:<10} {weeks if weeks else '':>5} {shown}  {per_sheet:>15}  {notes}")
    print("(xlwings splits a write of more than 100,000 cells into pieces of that size, on every engine:")
    print(" with 20 weeks of records a record table costs 2-3 setValues instead of 1)")
    print()
    print("largest kinds of call (at the larger class):")
    for case, weeks, results in rows:
        kinds = results[SIZES[-1]][1]
        if kinds:
            top = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])[:6])
            print(f"  {case.caption}{f' ({weeks} weeks)' if weeks else ''}: {top}")


if __name__ == "__main__":
    main()
