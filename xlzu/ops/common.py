"""What every operation shares: its report, and running it on a file or a
live workbook with the same guarantees.

Rule for every operation: read and check everything first, write only after
the last check has passed.  Then an error leaves nothing half-written, in a
file and in live Excel alike.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable

from .. import contract as C
from ..book.base import Book
from ..book.files import FileBook, ensure_not_locked
from ..book.safety import writing
from ..dates import as_date
from ..errors import CellProblem, InputError, WorkbookNotFound, XlzuError
from ..settings import Settings, read_settings


@dataclass
class Report:
    """The outcome of one operation: Chinese lines for the teacher, the
    cells worth a look, and the computed tables for library users."""

    title: str
    lines: list[str] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    def add(self, line: str) -> None:
        self.lines.append(line)

    def text(self) -> str:
        return "\n".join(self.lines)


Target = Book | str | os.PathLike


def run(title: str, target: Target, fn: Callable[..., Report], *args: Any, **kwargs: Any) -> Report:
    """Run ``fn(book, *args, **kwargs)`` on a workbook.

    With a path, the file is opened, changed and saved atomically (with a
    backup); with a :class:`Book` (live Excel), the book is changed in place.
    Either way the run's messages go to 控制台, the cells of an input error
    are highlighted, and cells highlighted by an earlier failed run are
    cleared once the run succeeds.
    """
    if isinstance(target, Book):
        return _run_on(title, target, fn, args, kwargs)
    path = Path(target)
    if not path.exists():
        raise WorkbookNotFound(str(path))
    ensure_not_locked(path)
    # xlzu's own lock for the whole read-modify-write: a second command on
    # this workbook waits, then refuses; it never saves over this one's work.
    with writing(path):
        book = FileBook.open(path)
        try:
            report = _run_on(title, book, fn, args, kwargs, log_errors=False)
        except InputError as err:
            # Highlight the bad cells on a fresh copy: nothing the operation
            # computed is kept.  An error with no cell in this workbook (e.g. a
            # bad roster file) leaves the workbook untouched.
            fresh = FileBook.open(path)
            names = set(fresh.sheet_names())
            if any(p.cell and p.sheet in names for p in err.problems):
                _record_error(fresh, title, err)
                fresh.save()
            raise
        book.save()
    return report


def _run_on(title: str, book: Book, fn: Callable[..., Report], args, kwargs, *, log_errors: bool = True) -> Report:
    try:
        report = fn(book, *args, **kwargs)
    except InputError as err:
        if log_errors:
            _record_error(book, title, err)
        raise
    old = book.get_marks()
    if old:
        book.unmark(old)
    if report.problems:
        book.mark(report.problems)
    book.log(title, report.lines)
    return report


def _record_error(book: Book, title: str, err: XlzuError) -> None:
    old = book.get_marks()
    if old:
        book.unmark(old)
    book.mark(err.problems)
    book.log(title, ["没有完成，工作簿未作其他改动：", *err.text().splitlines()])


def load_settings(book: Book) -> Settings:
    """设置 as the teacher left it (raises SettingsError naming bad cells)."""
    book.require(C.SETTINGS, hint="请用 xlzu new 创建班级工作簿。")
    return read_settings(book.read_values(C.SETTINGS))


def parse_day(value: date | str) -> date:
    """A date given on the command line or by a caller (2026-11-24, 2026/11/24 …)."""
    try:
        return as_date(value)
    except ValueError:
        raise XlzuError(f"日期应写成 2026-11-24 这样的格式，而不是“{value}”。") from None


def print_only(book: FileBook, sheets: list[str], pdf: Path, folder: str | os.PathLike) -> None:
    """Print ``sheets`` of ``book`` to ``pdf`` through LibreOffice, from a copy
    in ``folder`` that keeps only those sheets (so LibreOffice need not load a
    term of records).  ``book`` itself is changed: open it afresh after."""
    from .. import pdf as pdfmod

    for sheet in book.sheet_names():
        if sheet not in sheets:
            book.delete_sheet(sheet)
    copy = Path(folder) / f"print{Path(book.name).suffix}"
    book.save(copy)
    pdfmod.print_sheets(copy, sheets, pdf)
