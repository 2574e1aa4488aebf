"""Roster files exported by school systems (.xlsx, .xls, .csv): their cells
as rows, for the core's roster import (:mod:`xlzu.roster`) to normalise.

Reading file formats is the backends' business, so it lives here, beside the
workbook backends: openpyxl for .xlsx, xlrd (pure Python) for old .xls, the
standard library for .csv in the encodings Chinese school systems write.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from .. import contract as C
from ..errors import RosterError
from ..roster import RosterImport, _pick_sheet, normalize_roster


def import_roster_file(path: str | Path, subjects: tuple[str, ...] = C.DEFAULT_SUBJECTS) -> RosterImport:
    """Read and normalise a roster file (.xlsx, .xls, .csv)."""
    path = Path(path)
    return normalize_roster(read_raw(path), subjects, path.name)


def read_raw(path: str | Path) -> list[list[Any]]:
    """Every cell of the roster file as a list of rows (first sheet that
    has a name column, for workbooks)."""
    path = Path(path)
    if not path.exists():
        raise RosterError(f"找不到名单文件“{path}”。")
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt"):
            return _read_csv(path)
        if suffix in (".xlsx", ".xlsm"):
            from openpyxl import load_workbook

            wb = load_workbook(path, read_only=True, data_only=True)
            sheets = [[list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets]
            wb.close()
            return _pick_sheet(sheets)
        if suffix == ".xls":
            return _pick_sheet(_read_xls(path))
    except RosterError:
        raise
    except Exception as exc:
        raise RosterError(f"无法读取名单文件“{path.name}”：{type(exc).__name__}。请另存为 .xlsx 或 .csv 再试。") from exc
    raise RosterError(f"名单文件“{path.name}”应为 .xlsx、.xls 或 .csv 格式。")


def _read_xls(path: Path) -> list[list[list[Any]]]:
    """Old-format .xls via xlrd (pure Python); dates become datetimes."""
    import xlrd

    book = xlrd.open_workbook(str(path))
    sheets = []
    for sh in book.sheets():
        rows = []
        for r in range(sh.nrows):
            row = []
            for cell in sh.row(r):
                if cell.ctype == xlrd.XL_CELL_EMPTY or cell.ctype == xlrd.XL_CELL_BLANK:
                    row.append(None)
                elif cell.ctype == xlrd.XL_CELL_DATE:
                    row.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
                else:
                    row.append(cell.value)
            rows.append(row)
        sheets.append(rows)
    return sheets


def _read_csv(path: Path) -> list[list[Any]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030", "utf-16"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterError(f"名单文件“{path.name}”的编码无法识别，请用 Excel 另存为 .xlsx 再试。")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;，")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]


