"""The offline page (离线版) against native CPython, side by side in one run.

Builds the page (download cache reused), opens it from file:// in headless
Chromium, and measures:

- ready: from opening the page to ``body[data-state=ready]`` (Python,
  pandas, openpyxl and xlzu loaded);
- each operation of the page's 控制台, on the same input workbook, run
  natively (the library call the CLI makes, in-process, modules already
  imported) and in the page (the page's own timing of the button: workbook
  into Pyodide's file system, the operation, the result read back; the
  download is not counted).  Ratio = page / native.  Targets: ready <= 20 s,
  every ratio <= 3.

The input workbooks: the demo class (52 students) made natively, grouped,
with week 13 of daily sheets typed and saved and two exams (as ``xlzu demo``
does); each operation gets the state a teacher would press its button in.
Native and page alternate operation by operation, so both see the same load.

    python benchmarks/web.py [--repeat 1] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from webpage import Page, browser_missing, built_page  # noqa: E402

import xlzu  # noqa: E402
from xlzu import ops  # noqa: E402
from xlzu.demo import _fill_demo_exams, demo_daily, demo_group, demo_roster_path  # noqa: E402

CLASS = "初二(3)班"
NEXT_DAY = "2026-11-30"  # Monday of week 14
WEEK_DAY = "2026-11-23"  # week 13, the week the demo typed


def prepare(folder: Path) -> dict[str, Path]:
    """Input workbooks, one per state, all named like the class."""
    def state(name: str, src: Path | None = None) -> Path:
        d = folder / name
        d.mkdir()
        path = d / f"{CLASS}.xlsx"
        if src is not None:
            shutil.copy2(src, path)
        return path

    new = state("new")
    ops.new_class(new, demo_roster_path(), class_name=CLASS)
    grouped = state("grouped", new)
    demo_group(grouped, echo=lambda s: None)
    full = state("full", grouped)
    demo_daily(full, echo=lambda s: None, print_pdf=False)
    from xlzu.book.files import FileBook

    book = FileBook.open(full)
    if _fill_demo_exams(book):
        book.save()
    return {"new": new, "grouped": grouped, "full": full}


# op → (input state, native call, page options)
def plan(states: dict[str, Path]):
    roster = demo_roster_path()
    return [
        ("new", None, lambda p: ops.new_class(p, roster, class_name=CLASS), {"class_name": CLASS}),
        ("roster", "new", lambda p: ops.import_roster(p), {}),
        ("group", "new", lambda p: ops.group(p), {}),
        ("keep", "grouped", lambda p: ops.group(p, keep=True), {}),
        ("daily", "full", lambda p: ops.daily(p, NEXT_DAY), {"date": NEXT_DAY}),
        ("save", "full", lambda p: ops.save(p), {}),
        ("week", "full", lambda p: ops.week(p, WEEK_DAY), {"week": WEEK_DAY}),
        ("month", "full", lambda p: ops.month(p, "2026-11"), {"month": "2026-11"}),
        ("review", "full", lambda p: ops.review(p, "2026-11"), {"period": "2026-11"}),
        ("term", "full", lambda p: ops.term(p, "期中", "期末", "2027-01-20"), {"from": "期中", "to": "期末", "date": "2027-01-20"}),
    ]


def native_time(fn, src: Path | None, work: Path) -> float:
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"{CLASS}.xlsx"
    for p in work.iterdir():
        p.unlink()
    if src is not None:
        shutil.copy2(src, path)
    t = time.perf_counter()
    fn(path)
    return time.perf_counter() - t


def page_time(page: Page, op: str, src: Path | None, options: dict) -> float:
    for opt, value in options.items():
        page.set_option(opt, value, op="daily" if opt == "date" and op == "daily" else ("term" if opt == "date" else None))
    if op == "new":
        page.upload("roster", demo_roster_path())
    else:
        page.upload("workbook", src)
    entry = page.run(op)
    if not entry["ok"]:
        raise SystemExit(f"{op} failed in the page: {entry['lines']}")
    return entry["seconds"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1, help="runs of each operation per side; the best counts")
    ap.add_argument("--keep", type=Path, help="keep the work folder here")
    args = ap.parse_args()
    why = browser_missing()
    if why:
        raise SystemExit(why)

    work = args.keep or Path(tempfile.mkdtemp(prefix="xlzu-web-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    html = built_page()
    print(f"page: {html} ({html.stat().st_size / 1e6:.1f} MB), built/checked in {time.perf_counter() - t:.1f} s")
    states = prepare(Path(tempfile.mkdtemp(dir=work, prefix="states-")))
    downloads = work / "downloads"
    downloads.mkdir(exist_ok=True)
    page = Page(html, downloads, watch_network=False)  # no CDP logging while timing
    try:
        ready = page.wait_ready(timeout=300)
        phases = ", ".join(f"{name} {ms / 1000:.1f}" for name, ms in page.phases())
        print(f"ready: {ready:.1f} s (target <= 20 s; phases from the script's start, s: {phases})")
        print(f"{'operation':<10}{'native s':>10}{'page s':>10}{'ratio':>8}")
        worst = 0.0
        for op, state, fn, options in plan(states):
            src = states[state] if state else None
            native = min(native_time(fn, src, work / "native" / op) for _ in range(args.repeat))
            in_page = min(page_time(page, op, src, options) for _ in range(args.repeat))
            ratio = in_page / native
            worst = max(worst, ratio)
            print(f"{op:<10}{native:>10.2f}{in_page:>10.2f}{ratio:>8.2f}")
        print(f"worst ratio: {worst:.2f} (target <= 3)")
    finally:
        page.close()
    print(f"xlzu {xlzu.__version__}, Pyodide {__import__('xlzu.web.pins', fromlist=['x']).PYODIDE_VERSION}")


if __name__ == "__main__":
    main()
