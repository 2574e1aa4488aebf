"""Regenerate the pictures in docs/ of every printed sheet and of the 喜报,
and the record that keeps them from going stale.

Run by hand (``python tools/docs_pictures.py``, or ``… NAME …`` for some of
them) with LibreOffice, poppler and a Chinese font installed; the PNGs are
committed so the README shows what prints.

The pictures are of one demo class (:func:`build`): the sample roster as
初二(3)班, grouped by ``xlzu group``, two school weeks (第12、13周) of daily
forms typed in as ``xlzu demo`` does, one day (2026-11-24) left on the daily
sheets, two exams, then the week (both weeks, so the ranking shows last
week's places), the month, the comprehensive evaluation and the term, all
run on that workbook.  Each :class:`Sheet` of :data:`PICTURES` is the first
page (or the chosen page) of one worksheet printed through LibreOffice; each
:class:`Shared` is a 喜报 PNG drawn by :mod:`xlzu.poster`.

``docs/pictures.json`` records, per picture, a digest of what it is rendered
from, read back from the saved workbook without LibreOffice: the sheet's
cells (values and every style property), merges, column widths, row heights,
print setup, header/footer, charts and conditional formats, and xlzu's faces;
for a 喜报 the texts it is given and the drawing code.  ``tests/test_docs_pictures.py``
recomputes them and fails when a picture is stale.

A new printed sheet is one entry in :data:`PICTURES`; one the demo class does
not make as built (say a weekly paper form that 设置 switches on) names a
``prepare`` function that makes it in a copy of the demo workbook, e.g.
``Sheet("weekly-member-sheet", "周表-第1组", "…", "周表-第1组", prepare=weekly_forms)``.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import random
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from xlzu import contract as C  # noqa: E402
from xlzu import fonts, group, new_class, paper, poster  # noqa: E402
from xlzu.book.files import FileBook  # noqa: E402
from xlzu.dates import monday, week_days  # noqa: E402
from xlzu.demo import DEMO_CLASS_NAME, _fill_demo_exams, demo_records, demo_roster_path, typed_entries  # noqa: E402
from xlzu.members import read_members  # noqa: E402
from xlzu.ops.common import load_settings  # noqa: E402
from xlzu.ops.daybook import daily, save  # noqa: E402
from xlzu.ops.summary import month, review, term, week  # noqa: E402

DOCS = ROOT / "docs"
RECORD = DOCS / "pictures.json"
DAY = date(2026, 11, 24)  # the day left on the daily sheets (第13周 周二)
WEEKS = (12, 13)  # the school weeks of records
MONTH = "2026-11"
AWARD_DAY = "2027-01-20"
DPI = 90  # a full A4 page is 1052 × 744 px: readable, small


# --------------------------------------------------------------------------
# What is pictured
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Sheet:
    """A printed worksheet: docs/<name>.png is page ``page`` of it printed
    alone (``page`` may be a function of the sheet's values: 1-based)."""

    name: str
    title: str  # what the README calls it (Chinese)
    english: str
    sheet: str
    page: int | Callable[[list[list[Any]]], int] = 1
    volatile: str | None = None  # a regex of text that changes from run to run (not in the digest)
    # A sheet the demo class does not print as built (e.g. a form another 设置 makes): a function
    # (demo workbook, scratch folder) -> the workbook to print, made from a copy of the demo one.
    prepare: Callable[[Path, Path], Path] | None = None


@dataclass(frozen=True)
class Shared:
    """A 喜报 picture (``kind``: week or month), drawn by xlzu.poster."""

    name: str
    title: str
    english: str
    kind: str


def _certificate_page(group: bool) -> Callable[[list[list[Any]]], int]:
    """The page of the first group (or individual) certificate: each
    certificate is one page, starting at its title."""

    def page(values: list[list[Any]]) -> int:
        starts = [i for i, row in enumerate(values) if "荣 誉 证 书" in [str(v) for v in row if v is not None]]
        for k, start in enumerate(starts, start=1):
            end = starts[k] if k < len(starts) else len(values)
            text = [str(v) for row in values[start:end] for v in row if isinstance(v, str)]
            if any(t.endswith("全体同学：") for t in text) == group:
                return k
        raise LookupError(f"{C.CERTIFICATES} has no {'group' if group else 'individual'} certificate")

    return page


def weekly_forms(demo: Path, folder: Path) -> Path:
    """A copy of the demo workbook whose 设置 says 纸质表格 = 每周, with the
    forms of DAY's week generated (the weekly forms pre-filled from its records)."""
    import shutil

    from openpyxl import load_workbook

    path = folder / "班级.xlsx"
    shutil.copy(demo, path)
    wb = load_workbook(path)
    ws = wb[C.SETTINGS]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "纸质表格")
    ws.cell(row, 2).value = C.PAPER_WEEKLY
    wb.save(path)
    daily(path, DAY)
    return path


PICTURES: tuple[Sheet | Shared, ...] = (
    Sheet("console", C.CONSOLE, "the console (buttons in the .xlsm; the last runs' messages)", C.CONSOLE,
          volatile=r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"),
    Sheet("settings", C.SETTINGS, "the class's settings", C.SETTINGS),
    Sheet("rules", C.RULES, "how points become ranks, from 设置", C.RULES),
    Sheet("roster", C.ROSTER, "the roster", C.ROSTER),
    Sheet("groups", C.GROUPS, "the groups", C.GROUPS),
    Sheet("seats", C.SEATS, "the seat chart", C.SEATS),
    Sheet("daily-class-sheet", "日表-班级", "the class's daily form (one per day)", C.DAILY_CLASS),
    Sheet("daily-member-sheet", "日表-第1组", "a group's daily form (one per group and day)", C.daily_group_sheet(1)),
    Sheet("weekly-member-sheet", "周表-第1组", "a group's weekly form (设置 纸质表格 = 每周: one per group and week)",
          C.week_group_sheet(1), prepare=weekly_forms),
    Sheet("week-ranking", C.WEEK_GROUPS, "the week's group ranking, for the wall", C.WEEK_GROUPS),
    Sheet("week-people", C.WEEK_PEOPLE, "the week's personal ranking (teacher only)", C.WEEK_PEOPLE),
    Sheet("week-history", C.WEEK_HISTORY, "the weeks so far, with their chart", C.WEEK_HISTORY),
    Sheet("monthly", C.MONTHLY, "the month's stars and the raters' form", C.MONTHLY),
    Sheet("review", C.COMPREHENSIVE, "the comprehensive group evaluation", C.COMPREHENSIVE),
    Sheet("term-awards", C.TERM_AWARDS, "the term's awards and their reasons", C.TERM_AWARDS),
    Sheet("certificate", "荣誉证书（小组）", "a group's certificate", C.CERTIFICATES, page=_certificate_page(True)),
    Sheet("certificate-person", "荣誉证书（个人）", "a student's certificate", C.CERTIFICATES, page=_certificate_page(False)),
    Shared("poster-week", "喜报（本周）", "the week's 喜报 picture", "week"),
    Shared("poster-month", "喜报（本月）", "the month's 喜报 picture", "month"),
)
# Printable sheets of the demo workbook that are plain data tables, not pictured.
NOT_PICTURED = {
    C.PERSON_RECORDS: "records: a data table",
    C.GROUP_RECORDS: "records: a data table",
    C.EXAMS: "exam scores: a data table typed by the teacher",
    **{C.daily_group_sheet(g): "the same form as 日表-第1组" for g in range(2, 20)},
}


# --------------------------------------------------------------------------
# The demo class
# --------------------------------------------------------------------------
@dataclass
class Built:
    path: Path
    posters: dict[str, poster.Poster] = field(default_factory=dict)
    prepared: dict[str, Path] = field(default_factory=dict)  # picture name -> its own workbook (Sheet.prepare)


def build(folder: Path) -> Built:
    """The demo class with everything printed in it, saved at folder/班级.xlsx."""
    path = Path(folder) / "班级.xlsx"
    new_class(path, demo_roster_path(), class_name=DEMO_CLASS_NAME)
    group(path, seed=1)
    settings = load_settings(FileBook.open(path))
    days = [d for w in WEEKS for d in week_days(monday(settings.term_start) + timedelta(weeks=w - 1), settings.school_days)]
    demo_records(path, [d for d in days if d != DAY], seed=2026)  # DAY is typed on its forms below
    book = FileBook.open(path)
    rng = random.Random(3)
    for form in daily(book, DAY).data["forms"]:
        book.write_layout(form.sheet, form.filled(typed_entries(form, rng)), form=form.form)
    save(book)
    _fill_demo_exams(book)
    week(book, str(WEEKS[0]))
    summary = week(book).data["summary"]
    month_summary = month(book, MONTH).data["summary"]
    review(book)
    term(book, day=AWARD_DAY)
    members, _ = read_members(book.read_values(C.GROUPS))
    built = Built(path)
    built.posters["week"] = poster.week_poster(summary, members, settings)
    built.posters["month"] = poster.month_poster(month_summary, members, settings, day=days[-1])
    book.save()
    return built


# --------------------------------------------------------------------------
# What a picture is rendered from
# --------------------------------------------------------------------------
def _plain(x: Any) -> Any:
    """A JSON-able, order-stable form of an openpyxl object (its XML)."""
    if x is None:
        return None
    if hasattr(x, "to_tree"):
        from openpyxl.xml.functions import tostring

        return tostring(x.to_tree()).decode("utf-8")
    return str(x)


def _style(cell) -> list:
    f, a = cell.font, cell.alignment
    return [f.name, f.sz, f.b, f.i, f.u, f.strike, _plain(f.color), _plain(cell.fill), _plain(cell.border),
            a.horizontal, a.vertical, a.wrap_text, a.shrink_to_fit, a.indent, a.text_rotation, cell.number_format]


def sheet_inputs(ws, volatile: str | None = None) -> dict:
    """Everything of worksheet ``ws`` (openpyxl, as saved) that its print depends on."""
    cells = []
    for row in ws.iter_rows():
        for cell in row:
            value = cell.value
            if value is None and not cell.has_style:
                continue
            if isinstance(value, str) and volatile:
                value = re.sub(volatile, "…", value)
            cells.append([cell.coordinate, None if value is None else str(value), _style(cell)])
    from openpyxl.xml.functions import tostring

    ps = ws.page_setup
    charts = []  # each chart's whole chartSpace (plot, axes, title, legend) and its place
    for chart in ws._charts:
        anchor = chart.anchor
        charts.append([tostring(chart._write()).decode("utf-8"), _plain(getattr(anchor, "_from", anchor)), _plain(getattr(anchor, "to", None)),
                       chart.width, chart.height])
    return {
        "cells": cells,
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "widths": sorted((k, d.width, d.min, d.max, d.hidden) for k, d in ws.column_dimensions.items()),
        "heights": sorted((k, d.ht, d.hidden) for k, d in ws.row_dimensions.items() if d.ht is not None or d.hidden),
        "default": [ws.sheet_format.defaultRowHeight, ws.sheet_format.baseColWidth, ws.sheet_format.defaultColWidth],
        "page": [ps.orientation, ps.paperSize, ps.scale, ps.fitToWidth, ps.fitToHeight,
                 ws.sheet_properties.pageSetUpPr.fitToPage if ws.sheet_properties.pageSetUpPr else None,
                 _plain(ws.page_margins), _plain(ws.print_options), ws.print_area, ws.print_title_rows,
                 ws.print_title_cols, _plain(ws.row_breaks), _plain(ws.col_breaks)],
        "header_footer": _plain(ws.HeaderFooter),
        "charts": charts,
        "images": [_plain(getattr(i.anchor, "_from", i.anchor)) for i in ws._images],
        "conditional": [[str(r.sqref), [_plain(x) for x in r.rules]] for r in ws.conditional_formatting],
        "gridlines": ws.sheet_view.showGridLines,
    }


def faces() -> list:
    """xlzu's faces and how LibreOffice finds them: part of every sheet's look."""
    return [fonts.BODY, fonts.HEADING, fonts.KAI, fonts.DEFAULT_SIZE, repr(fonts.FALLBACKS),
            paper.PT_PER_UNIT, paper.CELL_PAD, paper.HALF]


def poster_inputs(p: poster.Poster | None) -> dict:
    """A 喜报's texts and the code and constants that draw them."""
    return {
        "texts": p.texts() if p else None,
        "draw": [inspect.getsource(poster.draw), inspect.getsource(poster._wrap)],
        "look": [poster.WIDTH, poster.MARGIN, poster.PAD, poster.RED, poster.DEEP_RED, poster.GOLD, poster.CREAM, poster.INK],
    }


def _hash(inputs: Any) -> str:
    text = json.dumps(inputs, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def workbook_of(picture: Sheet, built: Built) -> Path:
    """The saved workbook ``picture`` is printed from (made once per build)."""
    if picture.prepare is None:
        return built.path
    if picture.name not in built.prepared:
        folder = built.path.parent / f"prepared-{picture.name}"
        folder.mkdir(exist_ok=True)
        built.prepared[picture.name] = picture.prepare(built.path, folder)
    return built.prepared[picture.name]


def digest_of(picture: Sheet | Shared, built: Built, wb=None) -> str:
    """The digest of what ``picture`` is rendered from (``wb``: the demo
    workbook already loaded by openpyxl)."""
    if isinstance(picture, Shared):
        return _hash(poster_inputs(built.posters[picture.kind]))
    if wb is None or picture.prepare is not None:
        from openpyxl import load_workbook

        wb = load_workbook(workbook_of(picture, built))
    ws = wb[picture.sheet]
    return _hash({"sheet": sheet_inputs(ws, picture.volatile), "faces": faces(), "page": page_of(picture, ws)})


def page_of(picture: Sheet, ws) -> int:
    """The page of ``picture``'s sheet (openpyxl, as saved) that is pictured."""
    return picture.page if isinstance(picture.page, int) else picture.page([list(r) for r in ws.iter_rows(values_only=True)])


def digests(built: Built) -> dict[str, str]:
    from openpyxl import load_workbook

    wb = load_workbook(built.path)
    return {p.name: digest_of(p, built, wb) for p in PICTURES}


# --------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------
def small_png(source: Path, target: Path, width: int | None = None) -> None:
    """Save a picture as a compact PNG (a 64-colour palette keeps text crisp), optionally scaled to ``width``."""
    from PIL import Image

    img = Image.open(source).convert("RGB")
    if width and img.width != width:
        img = img.resize((width, round(img.height * width / img.width)), Image.LANCZOS)
    img.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(target, optimize=True)


def render(picture: Sheet | Shared, built: Built, folder: Path) -> Path:
    """Draw docs/<name>.png."""
    target = DOCS / f"{picture.name}.png"
    if isinstance(picture, Shared):
        scratch = folder / f"{picture.name}-full.png"
        poster.draw(built.posters[picture.kind], scratch)
        small_png(scratch, target, width=540)
        return target
    from xlzu.pdf import print_sheets

    from openpyxl import load_workbook

    path = workbook_of(picture, built)
    pdf = print_sheets(path, [picture.sheet], folder / f"{picture.name}.pdf")
    page = page_of(picture, load_workbook(path)[picture.sheet])
    scratch = folder / picture.name
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(scratch)],
                   check=True)
    small_png(scratch.with_suffix(".png"), target)
    return target


README = ROOT / "README.md"
README_START = "<!-- docs pictures: made by tools/docs_pictures.py -->"
README_END = "<!-- /docs pictures -->"


def readme_section() -> str:
    """The README's list of what prints, one picture each (relative links into docs/)."""
    lines = [README_START, "",
             "每张可以打印的表和两张喜报，都是同一个示例班级（初二(3)班，两周记录）打印出来的第一页"
             "（证书各取一张小组的、一张个人的）。",
             "Every printed sheet and both 喜报, as the demo class (two weeks of records) prints them "
             "(first page; one group and one personal certificate).", ""]
    for p in PICTURES:
        what = p.sheet if isinstance(p, Sheet) else "PNG"
        lines += [f"**{p.title}** — {p.english} (`{what}`)", "", f"![{p.title}](docs/{p.name}.png)", ""]
    lines += [README_END]
    return "\n".join(lines)


def write_readme() -> None:
    text = README.read_text(encoding="utf-8")
    start, end = text.index(README_START), text.index(README_END) + len(README_END)
    README.write_text(text[:start] + readme_section() + text[end:], encoding="utf-8")


def main(names: list[str]) -> None:
    DOCS.mkdir(exist_ok=True)
    wanted = [p for p in PICTURES if not names or p.name in names]
    record = json.loads(RECORD.read_text(encoding="utf-8")) if RECORD.exists() and names else {}
    with tempfile.TemporaryDirectory() as tmp:
        built = build(Path(tmp))
        now = digests(built)
        for picture in wanted:
            target = render(picture, built, Path(tmp))
            record[picture.name] = now[picture.name]
            print(f"{target}  {target.stat().st_size // 1024} KB")
    record = {p.name: record[p.name] for p in PICTURES if p.name in record}
    RECORD.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(RECORD)
    write_readme()
    print(README)


if __name__ == "__main__":
    main(sys.argv[1:])
