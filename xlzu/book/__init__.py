"""Workbook backends behind one protocol (:class:`Book`).

``files`` works on .xlsx/.xlsm files with openpyxl; ``live`` works on a
workbook open in Excel through xlwings (imported only when asked for).
"""

from __future__ import annotations

import os

from .base import Book
from .files import FileBook
from .safety import backup_dir, backups, latest_backup


def open_book(path: str | os.PathLike) -> FileBook:
    """Open a class workbook file."""
    return FileBook.open(path)


def live_book(book=None) -> Book:
    """The workbook open in Excel (the caller of a button, or ``book``)."""
    from .live import LiveBook  # xlwings is imported only here

    return LiveBook.from_caller(book)


__all__ = ["Book", "FileBook", "backup_dir", "backups", "latest_backup", "live_book", "open_book"]
