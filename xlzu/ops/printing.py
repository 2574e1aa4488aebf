"""Printing any sheet to PDF (``xlzu print --sheet 周排名-小组``).

The daily forms have their own printing (``daybook.print_daily``: it can
make the forms of a date the workbook does not hold).  Every other sheet is
printed as it stands: a file through LibreOffice (the workbook itself is not
changed), a workbook open in Excel by Excel's own PDF export.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Iterable

from .. import contract as C
from ..book.base import Book
from ..book.files import FileBook
from ..errors import XlzuError
from .common import Report, load_settings, print_only, run

TITLE_PRINT_SHEETS = "打印工作表"
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')
_NOT_PRINTABLE = (*C.HIDDEN_FORMS, C.XLWINGS_CONF)


def printable_sheets(book: Book) -> list[str]:
    """The sheets a teacher can print: every sheet but the hidden forms and xlwings.conf."""
    return [s for s in book.sheet_names() if s not in _NOT_PRINTABLE]


def sheets_pdf_name(class_name: str, sheets: list[str], fallback: str) -> str:
    """初二(3)班-周排名-小组.pdf (several sheets: …-周排名-小组等3张.pdf)."""
    who = _UNSAFE.sub("", class_name).strip(".") or fallback
    what = _UNSAFE.sub("", sheets[0])
    return f"{who}-{what}{f'等{len(sheets)}张' if len(sheets) > 1 else ''}.pdf"


def _wanted(book: Book, sheets: Iterable[str]) -> list[str]:
    wanted = [str(s).strip() for s in sheets if str(s).strip()]
    if not wanted:
        raise XlzuError("请用 --sheet 写出要打印的工作表，如 --sheet 周排名-小组。")
    names = printable_sheets(book)
    missing = [s for s in wanted if s not in names]
    if missing:
        raise XlzuError(f"工作簿“{book.name}”中没有可打印的工作表“{'”“'.join(missing)}”。可以打印的有：{'、'.join(names)}。")
    return list(dict.fromkeys(wanted))


def print_sheets(target: Book | str | os.PathLike, sheets: Iterable[str], pdf: str | os.PathLike | None = None) -> Report:
    """Print ``sheets`` (in that order) to one PDF; without ``pdf`` it goes
    beside the workbook, named by class and sheet."""
    if isinstance(target, Book):
        return run(TITLE_PRINT_SHEETS, target, _print_live, list(sheets), pdf)
    return _print_file(Path(target), list(sheets), pdf)


def _print_live(book: Book, sheets: list[str], pdf: str | os.PathLike | None) -> Report:
    from .daybook import _documents

    if not hasattr(book, "export_pdf"):
        raise XlzuError("打印工作表需要工作簿文件名（命令行）或在 Excel 中打开的工作簿。")
    book.require_pdf_export()  # type: ignore[attr-defined]
    wanted = _wanted(book, sheets)
    settings = load_settings(book)
    folder = getattr(book, "folder", None)
    if pdf is None:
        pdf = (folder or _documents()) / sheets_pdf_name(settings.class_name, wanted, Path(book.name).stem)
    path = book.export_pdf(wanted, Path(pdf))  # type: ignore[attr-defined]
    report = Report(TITLE_PRINT_SHEETS, data={"pdf": path, "sheets": wanted})
    report.add(f"已把“{'”“'.join(wanted)}”导出为 PDF：{path}")
    return report


def _print_file(path: Path, sheets: list[str], pdf: str | os.PathLike | None) -> Report:
    book = FileBook.open(path)
    wanted = _wanted(book, sheets)
    settings = load_settings(book)
    if pdf is None:
        pdf = path.with_name(sheets_pdf_name(settings.class_name, wanted, path.stem))
    pdf = Path(pdf)
    with tempfile.TemporaryDirectory(prefix="xlzu-sheets-") as tmp:
        print_only(book, wanted, pdf, tmp)
    report = Report(TITLE_PRINT_SHEETS, data={"pdf": pdf, "sheets": wanted})
    report.add(f"已把“{'”“'.join(wanted)}”打印到“{pdf}”。")
    return report
