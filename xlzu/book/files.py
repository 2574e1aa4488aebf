"""The file backend: a class workbook on disk, read and written with openpyxl.

The large plain tables (个人记录, 小组记录, and any other plain sheet of
more than a quarter megabyte) do not pass through openpyxl: openpyxl loads
the workbook with those sheets' cells left out, their values are read by a
fast reader (:mod:`.cellread`: python-calamine, or pure Python where it is
not installed), a new table is written straight as sheet XML
(:mod:`.cellwrite`), and on save the cells are put back into the package
openpyxl wrote (:mod:`.package`); a table nobody changed is copied byte for
byte.  So a term of records costs what a week's does.

Pure Python (no COM; calamine only where installed), so it also runs in Pyodide.  Saving
is atomic, locked and backed up (:mod:`xlzu.book.safety`); this module only
produces the bytes (:meth:`FileBook._write_to`).  A workbook that Excel, WPS
or LibreOffice holds open is refused before any byte is written.
"""

from __future__ import annotations

import gc
import io
import operator
import os
import posixpath
import re
import zipfile
from xml.parsers import expat
from contextlib import contextmanager
from copy import copy
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import Any, Sequence

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import TIME_FORMATS, Cell
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from .. import contract as C
from .. import fonts
from ..errors import NotAClassWorkbook, WorkbookLocked, WorkbookNotFound, XlzuError
from ..layout import (FORM_SAMPLES, STYLES, Formula, Layout, Style, Validation, col_letter, col_number, excel_value,
                      is_text_formula, parse_range, range_ref)
from . import cellread, tablecache
from .base import Book, TableEnd, decode_text_formula, encode_text_formula
from .cellwrite import sheet_data
from .package import (NS_MAIN, LazySheetPart, Package, PackageError, SheetPart, add_sst_part, compact_sst,
                      copy_compressed, merged_sst, rels_path, shift_sst_indices, stored_bytes, write_deflated)
from .safety import save as save_safely

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_PAPER = {"A4": 9, "A3": 8, "B5": 13, "LETTER": 1}
_VALIDATION_TYPES = {"list": "list", "whole": "whole", "decimal": "decimal", "custom": "custom", "textLength": "textLength"}

# Sheets whose cells are kept out of openpyxl (when plain: no merged cells,
# hyperlinks or comments); any other plain sheet is when its part is large.
BULK_SHEETS = (C.PERSON_RECORDS, C.GROUP_RECORDS)
BULK_MIN_BYTES = 256 * 1024
BULK_MIN_CELLS = 20_000  # a Layout this large is written straight as XML
PURE_READER_ENV = "XLZU_PURE_READER"  # set to 1: never use python-calamine


@dataclass
class _Bulk:
    """A sheet whose cells live outside openpyxl: the original cell data
    (``part``, from the file opened) or cell data written in this session
    (``body``)."""

    part: SheetPart | None = None
    source: str | None = None  # its part name in the file opened
    body: bytes | None = None  # new cell data (replaces part's)
    ref: str | None = None  # dimension of the new cell data
    pending: list[list[Any]] | None = None  # the values written (a Layout's grid)
    rows: list[tuple] | None = None  # the grid last read of ``part`` (a rewrite may keep those rows' XML)
    kept: list[tuple] | None = None  # leading rows of ``body`` copied from the table read (their read values)
    digest: bytes | None = None  # hash of the sheet part as stored in the file opened (see tablecache)
    cached: bytes | None = None  # the grid of ``part`` as stored (tablecache.encode), when known
    # Rows added below the last used row (Book.append_rows): ``body`` is then
    # part's cell data (its namespaces, its shared strings) with these rows'
    # XML put in; ``added`` their values (from column A) and ``first_added``
    # the row of the first.
    added: list[list[Any]] | None = None
    first_added: int = 0
    end: "_End | None" = None  # where part's last used row ends (found by table_end)


@dataclass
class _End:
    """Where rows go below a sheet part's last used row: the offset in its
    cell data just after that row, and the value-less rows after it
    (row number, start, end: kept unless an added row takes their place)."""

    last_row: int
    cut: int
    trailing: list[tuple[int, int, int]]


def lock_files(path: Path) -> list[Path]:
    """Owner/lock files that Excel, WPS and LibreOffice leave beside a
    workbook they have open."""
    name = path.name
    candidates = [f"~${name}", f".~lock.{name}#"]
    if len(path.stem) > 2:
        candidates.append(f"~${name[2:]}")  # Office truncates long names
    return [path.with_name(c) for c in candidates if path.with_name(c).exists()]


def ensure_not_locked(path: Path) -> None:
    locks = lock_files(path)
    if locks:
        raise WorkbookLocked(str(path.name), f"发现锁定文件 {locks[0].name}")


class FileBook(Book):
    """A workbook file.  Open with :meth:`open`, make with :meth:`create`."""

    kind = "file"

    def __init__(self, path: str | os.PathLike, workbook: Workbook):
        self.path = Path(path)
        self.wb = workbook
        self._sample_cache: dict[tuple[str, str], Any] = {}
        self._pkg: Package | None = None  # the file as opened
        self._bulk: dict[str, _Bulk] = {}
        self._xf_cache: dict[tuple, int] = {}
        self._shared: list[str] | None = None
        self._calamine = None  # python-calamine's reader of the file opened

    # ---- opening -----------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike, *, require_contract: bool = True) -> "FileBook":
        path = Path(path)
        if not path.exists():
            raise WorkbookNotFound(str(path))
        if path.suffix.lower() not in (".xlsx", ".xlsm"):
            raise XlzuError(f"“{path.name}”不是 .xlsx 或 .xlsm 工作簿。班级工作簿请用 xlzu new 创建。")
        return cls._load(path, path, require_contract)

    @classmethod
    def from_bytes(cls, data: bytes, name: str, *, require_contract: bool = True) -> "FileBook":
        """A workbook given as its bytes (a file chosen in a browser page),
        named ``name`` in messages; ``save`` needs a path."""
        import io

        path = Path(name)
        if path.suffix.lower() not in (".xlsx", ".xlsm"):
            raise XlzuError(f"“{path.name}”不是 .xlsx 或 .xlsm 工作簿。班级工作簿请用 xlzu new 创建。")
        return cls._load(io.BytesIO(bytes(data)), path, require_contract)

    @classmethod
    def _load(cls, source: Any, path: Path, require_contract: bool) -> "FileBook":
        try:
            data = source.getvalue() if isinstance(source, io.BytesIO) else Path(source).read_bytes()
        except PermissionError as exc:
            raise WorkbookLocked(path.name, "无法读取文件") from exc
        pkg, stub, bulk = _without_bulk_cells(data)
        try:
            wb = load_workbook(io.BytesIO(stub), keep_vba=path.suffix.lower() == ".xlsm", keep_links=True)
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            raise XlzuError(f"无法打开“{path.name}”：文件已损坏或不是 Excel 工作簿（{type(exc).__name__}）。") from exc
        book = cls(path, wb)
        book._pkg, book._bulk = pkg, bulk
        if require_contract:
            missing = [s for s in (C.SETTINGS, C.ROSTER) if s not in wb.sheetnames]
            if missing:
                raise NotAClassWorkbook(path.name, missing)
        return book

    @classmethod
    def create(cls, path: str | os.PathLike, *, template: str | os.PathLike | None = None) -> "FileBook":
        """A new, unsaved workbook at ``path`` (from ``template`` if given)."""
        path = Path(path)
        if template is not None:
            wb = load_workbook(template, keep_vba=Path(template).suffix.lower() == ".xlsm")
        else:
            wb = Workbook()
            wb.remove(wb.active)
            set_default_font(wb)
        return cls(path, wb)

    # ---- protocol ------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.path.name

    def sheet_names(self) -> list[str]:
        return list(self.wb.sheetnames)

    def read_values(self, sheet: str) -> list[list[Any]]:
        self.require(sheet)
        bulk = self._bulk.get(sheet)
        if bulk is not None:
            with _no_cycle_collection():
                return self._bulk_grid(sheet, bulk)
        ws = self.wb[sheet]
        if ws.max_row == 1 and ws.max_column == 1 and ws.cell(1, 1).value is None:
            return []
        rows = [list(r) for r in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=ws.max_column, values_only=True)]
        for i, row in enumerate(rows, start=1):
            for j, v in enumerate(row, start=1):
                if isinstance(v, str) and v[:1] == "=" and ws.cell(i, j).data_type == "f":
                    row[j - 1] = Formula(v)  # a formula, not text that starts with "="
        return rows

    def write_layout(
        self,
        sheet: str,
        layout: Layout,
        *,
        form: str | None = None,
        anchor: str = "A1",
        clear: str = "sheet",
        hidden: bool = False,
    ) -> None:
        if self._streams(sheet, layout, anchor, clear):
            self._write_bulk(sheet, layout, form, hidden)
            return
        if sheet in self._bulk:
            if clear == "sheet":
                del self._bulk[sheet]  # replaced as a whole below
            else:
                self._materialize(sheet)
        top, left, _, _ = parse_range(anchor)
        if clear == "sheet" or sheet not in self.wb.sheetnames:
            ws = self._fresh_sheet(sheet, form)
        else:
            ws = self.wb[sheet]
            self._clear_below(ws, top)
        dr, dc = top - 1, left - 1

        for i, row in enumerate(layout.grid(), start=top):
            for j, value in enumerate(row, start=left):
                if value is not None:
                    cell = ws.cell(row=i, column=j, value=value)
                    if is_text_formula(value):  # typed text, never a formula
                        cell.data_type = "s"
                        cell.quotePrefix = True
        for ref, key in layout.styles:
            self._apply_style(ws, _shift(ref, dr, dc), key, form)
        for ref in layout.merges:
            ws.merge_cells(_shift(ref, dr, dc))
        for v in layout.validations:
            ws.add_data_validation(_data_validation(v, _shift(v.ref, dr, dc)))
        for col, width in layout.widths.items():
            ws.column_dimensions[col_letter(col)].width = width
        for row, height in layout.heights.items():
            ws.row_dimensions[row + dr].height = height
        if layout.freeze:
            ws.freeze_panes = _shift(layout.freeze, dr, dc)
        if layout.autofilter:
            ws.auto_filter.ref = _shift(layout.autofilter, dr, dc)
        if layout.tab_color:
            ws.sheet_properties.tabColor = layout.tab_color
        if layout.print is not None:
            self._print_setup(ws, layout, dr, dc)
        for chart in layout.charts:
            self._add_chart(ws, chart, dr, dc)
        for row in layout.page_breaks:
            ws.row_breaks.append(Break(id=row + dr))
        ws.sheet_state = "hidden" if hidden else "visible"

    def delete_sheet(self, sheet: str) -> None:
        self._bulk.pop(sheet, None)
        if sheet in self.wb.sheetnames:
            self.wb.remove(self.wb[sheet])

    def highlight(self, sheet: str, refs: Sequence[str], color: str | None = C.COLOR_BAD) -> None:
        if sheet in self._bulk:
            self._materialize(sheet)
        ws = self.wb[sheet]
        fill = PatternFill("solid", start_color=color, end_color=color) if color else PatternFill(fill_type=None)
        for ref in refs:
            r1, c1, r2, c2 = parse_range(ref)
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    ws.cell(r, c).fill = fill

    def read_name(self, name: str) -> str | None:
        defined = self.wb.defined_names.get(name)
        if defined is None:
            return None
        return decode_text_formula(defined.attr_text or "")

    def write_name(self, name: str, value: str | None) -> None:
        if name in self.wb.defined_names:
            del self.wb.defined_names[name]
        if value:
            # Excel refuses string literals over 255 characters: "…"&"…" pieces.
            formula = encode_text_formula(value)[1:]
            self.wb.defined_names[name] = DefinedName(name, attr_text=formula, hidden=True)

    def set_hidden(self, sheet: str, hidden: bool) -> None:
        self.wb[sheet].sheet_state = "hidden" if hidden else "visible"

    def save(self, path: str | os.PathLike | None = None) -> Path:
        """Write atomically under xlzu's lock, keeping a dated backup (see
        :mod:`xlzu.book.safety`).  A symlink is followed: the real file is
        replaced and the link kept."""
        target = Path(path) if path is not None else self.path
        ensure_not_locked(target)
        self._tidy_views()
        save_safely(target, self._write_to)
        self.path = target
        return target

    # ---- large plain tables (cells outside openpyxl) ------------------------------
    def _shared_strings(self) -> list[str]:
        if self._shared is None:
            part = self._pkg.shared_strings_part() if self._pkg is not None else None
            self._shared = cellread.shared_strings(self._pkg.read(part) if part else None)
        return self._shared

    def _shared_on_demand(self):
        """The shared strings, each read when first asked for."""
        if self._shared is not None:
            return self._shared
        part = self._pkg.shared_strings_part() if self._pkg is not None else None
        return cellread.SharedStringsOnDemand(self._pkg.read(part)) if part else []

    # ---- adding rows below a long table without reading it ------------------
    def table_end(self, sheet: str, *, top: int = 20) -> TableEnd | None:
        """A held sheet's first rows, last used row and distinct column
        values, found in its XML at C speed (see :meth:`Book.table_end`):
        only for cell data laid out plainly (every row and cell carries its
        reference, rows in order, no formulas, no namespace prefix)."""
        bulk = self._bulk.get(sheet)
        if bulk is None or bulk.body is not None or bulk.part is None or bulk.added is not None:
            return None
        if bulk.cached is not None:  # its grid is stored: reading it costs less, and a rewrite stores it again
            return None
        part = bulk.part
        if part.prefix or part.has_formulas:
            return None
        body = part.body
        # (sheetData holds rows and cells only: no other element starts "<row" or "<c")
        numbers = list(map(int, _ROW_START.findall(body)))
        if len(numbers) != body.count(b"<row") or body.count(b"<c") != body.count(b'<c r="'):
            return None  # a row or cell without its reference: its place is known only by reading
        if not all(map(operator.lt, numbers, numbers[1:])):
            return None
        # from the end: the rows without a value after the last one with a value
        trailing: list[tuple[int, int, int]] = []
        end, i = len(body), len(numbers) - 1
        while i >= 0:
            at = body.rfind(b'<row r="%d"' % numbers[i], 0, end)
            if at < 0:
                return None
            if _HAS_VALUE.search(body, at, end):
                break
            trailing.insert(0, (numbers[i], at, end))
            end, i = at, i - 1
        last_row = numbers[i] if i >= 0 else 0
        cut = end if i >= 0 else (trailing[0][1] if trailing else len(body))
        bulk.end = _End(last_row, cut, trailing)
        k = next((k for k, r in enumerate(numbers) if r > top), len(numbers))
        head_end = body.find(b'<row r="%d"' % numbers[k]) if k < len(numbers) else len(body)
        shared = self._shared_on_demand() if part.uses_shared_strings else []
        wb = self.wb

        def grid(xml: bytes) -> list[list[Any]]:
            return cellread.expat_grid(xml, shared, date_styles=wb._date_formats,
                                       duration_styles=wb._timedelta_formats, epoch=wb.epoch)

        try:
            top_rows = grid(body[:head_end])
        except (expat.ExpatError, IndexError, ValueError, PackageError):  # an odd shared strings part: read whole
            return None

        def distinct(col: int, below: int) -> list[Any] | None:
            raw = {(attrs, inner) for r, attrs, inner in cellread.column_cells(body, col + 1) if inner and int(r) > below}
            try:
                return list(cellread.cell_values(raw, shared, date_styles=wb._date_formats,
                                                 duration_styles=wb._timedelta_formats, epoch=wb.epoch).values())
            except (expat.ExpatError, IndexError, ValueError, PackageError):
                return None

        return TableEnd(top_rows, last_row, distinct)

    def append_rows(self, sheet: str, first_row: int, rows, styles, widths=None) -> None:
        bulk = self._bulk.get(sheet)
        end = bulk.end if bulk is not None else None
        if end is None or bulk.body is not None or bulk.added is not None:
            raise XlzuError(f"内部错误：没有先找到“{sheet}”的末行就要在下面添加")
        if first_row <= end.last_row:
            raise XlzuError(f"内部错误：“{sheet}”第 {first_row} 行已有内容，不能在那里添加")
        rows = [list(r) for r in rows]
        if not rows:
            return
        ws = self.wb[sheet]
        xfs = [self._xf(ws, tuple(keys), None) for keys in styles]
        n_cols = max(len(xfs), max(map(len, rows)))
        last = first_row + len(rows) - 1
        epoch = self.wb.epoch
        from openpyxl.utils.datetime import to_excel

        class _Below(list):  # the rows as sheet_data indexes them: from row 1
            def __getitem__(self, i):
                return rows[i - first_row + 1]

            def __len__(self):
                return last

        with _no_cycle_collection():
            xml = sheet_data(_Below(), lambda r: xfs, lambda xf: self._date_xf(ws, xf), n_rows=last, n_cols=n_cols,
                             serial=lambda v: to_excel(v, epoch), first_row=first_row)
        body = bulk.part.body
        after = b"".join(body[a:b] for r, a, b in end.trailing if r > last)
        bulk.body = body[:end.cut] + xml + after
        top_left, right = "A1", n_cols
        dim = bulk.part.dimension()
        m = re.search(rb"""ref\s*=\s*["']([A-Z]+\d+)(?::([A-Z]+)(\d+))?["']""", dim or b"")
        bottom = last
        if m:
            top_left = m.group(1).decode()
            if m.group(2):
                right = max(right, col_number(m.group(2).decode()))
                bottom = max(bottom, int(m.group(3)))
        bulk.ref = f"{top_left}:{col_letter(right)}{bottom}"
        bulk.added, bulk.first_added = rows, first_row
        for j, width in (widths or {}).items():  # a column too narrow for the new rows is widened
            _widen(ws, j + 1, width)
        if ws.auto_filter.ref:  # a filter over the whole table takes in the rows added
            r1, c1, r2, c2 = parse_range(ws.auto_filter.ref)
            if r2 == end.last_row and r1 < first_row:
                ws.auto_filter.ref = range_ref(r1, c1, last, c2)

    def _bulk_grid(self, sheet: str, bulk: _Bulk) -> list[list[Any]]:
        """A held sheet's values, read anew each time (the caller owns them)."""
        if bulk.pending is not None:
            return cellread.trim(cellread.normal_rows([[excel_value(v) for v in row] for row in bulk.pending]))
        if bulk.added is not None:  # the part's rows, then the rows added below them
            grid = self._part_grid(sheet, bulk)
            width = len(grid[0]) if grid else 0
            grid += [[None] * width for _ in range(bulk.first_added - 1 - len(grid))]
            grid += cellread.normal_rows([[excel_value(v) for v in row] for row in bulk.added])
            return cellread.trim(grid)
        return self._part_grid(sheet, bulk)

    def _part_grid(self, sheet: str, bulk: _Bulk) -> list[list[Any]]:
        """The values of a held sheet's part as opened."""
        grid = None
        if bulk.cached is not None:  # the grid stored for exactly these bytes (never one with formulas)
            try:
                grid = tablecache.decode(bulk.cached)
            except Exception:  # damaged: parse instead
                bulk.cached = None
        if grid is not None:
            pass
        elif bulk.part.has_formulas:
            return cellread.openpyxl_grid(self._pkg.read(bulk.source), self._shared_strings(), self.wb)
        elif cellread.python_calamine is not None and not os.environ.get(PURE_READER_ENV):
            if self._calamine is None:
                self._calamine = cellread.calamine_book(self._pkg.data)
            grid = cellread.calamine_grid(self._calamine, sheet)
        else:
            grid = cellread.expat_grid(
                bulk.part.body, self._shared_strings() if bulk.part.uses_shared_strings else [],
                prefix=bulk.part.prefix.decode(), date_styles=self.wb._date_formats,
                duration_styles=self.wb._timedelta_formats, epoch=self.wb.epoch)
        bulk.rows = [tuple(row) for row in grid]
        return grid

    def _kept_rows(self, old: _Bulk | None, layout: Layout, row_styles) -> tuple[int, bytes]:
        """How many leading rows of a rewritten table are the same as read,
        and the original XML of those rows (a saved day adds rows at the
        end of the records: the rest of the table is not written again).
        Only when that XML stands alone (inline strings, no formulas, no
        namespace prefix) and its cells have the formats the layout gives."""
        if (old is None or old.rows is None or old.part is None or old.part.prefix or layout.heights
                or old.part.uses_shared_strings or old.part.has_formulas):
            return 0, b""
        seen, rows = old.rows, layout.rows
        width = len(seen[0]) if seen else 0
        k, n = 0, min(len(seen), len(rows))
        try:
            if set(map(len, rows[:n])) <= {width}:  # the usual case: lists compared at C speed
                mine = list(map(tuple, rows[:n]))
                lo, hi = 0, n  # mine[:lo] == seen[:lo]; the first difference is before hi
                if mine == seen[:n]:
                    lo = n
                while hi - lo > 1:
                    mid = (lo + hi) // 2
                    if mine[lo:mid] == seen[lo:mid]:
                        lo = mid
                    else:
                        hi = mid
                k = lo
        except (TypeError, ValueError):  # pd.NA and the like: row by row below
            k = 0
        try:
            while k < n:
                row = rows[k]
                if tuple(row[:width]) != seen[k] or any(v is not None for v in row[width:]):
                    break
                k += 1
        except (TypeError, ValueError):  # pd.NA and the like: compare no further
            pass
        if k < 2:
            return 0, b""
        body = old.part.body
        at = body.find(b'<row r="%d"' % k)
        if at < 0:
            return 0, b""
        nxt = _ROW_START.search(body, at + 1)
        end = nxt.start() if nxt else len(body)
        if nxt and int(nxt.group(1)) <= k:
            return 0, b""
        cells = {m.group(1).decode(): int(m.group(2) or 0) for m in _CELL_STYLE.finditer(body, at, end)}
        styles = row_styles(k)
        wanted = {col_letter(j + 1): styles[j] if j < len(styles) else 0
                  for j, v in enumerate(rows[k - 1]) if v is not None or (j < len(styles) and styles[j])}
        if cells != wanted:
            return 0, b""
        return k, body[:end]

    def _streams(self, sheet: str, layout: Layout, anchor: str, clear: str) -> bool:
        """Whether ``layout`` on ``sheet`` is written straight as sheet XML:
        a whole plain table (no merged cells or charts) on a record sheet,
        on a sheet already held that way, or of many cells."""
        if anchor.upper() != "A1" or clear != "sheet" or layout.merges or layout.charts:
            return False
        return sheet in BULK_SHEETS or sheet in self._bulk or layout.n_rows * layout.n_cols >= BULK_MIN_CELLS

    def _write_bulk(self, sheet: str, layout: Layout, form: str | None, hidden: bool) -> None:
        old = self._bulk.pop(sheet, None)
        ws = self._fresh_sheet(sheet, form)
        grid = layout.rows  # raw values: the writer makes them Excel values as it goes
        row_styles, n_rows, n_cols = self._style_rows(ws, layout, form, len(grid), layout.n_cols)
        epoch = self.wb.epoch
        from openpyxl.utils.datetime import to_excel

        kept, head = self._kept_rows(old, layout, row_styles)
        with _no_cycle_collection():
            body = head + sheet_data(grid, row_styles, lambda xf: self._date_xf(ws, xf), n_rows=n_rows, n_cols=n_cols,
                                     heights=layout.heights, serial=lambda v: to_excel(v, epoch), first_row=kept + 1)
        used_rows = max(n_rows, len(grid), 1)
        used_cols = max(n_cols, layout.n_cols, 1)
        self._bulk[sheet] = _Bulk(body=body, ref=range_ref(1, 1, used_rows, used_cols), pending=grid,
                                  kept=old.rows[:kept] if kept else None)
        for v in layout.validations:
            ws.add_data_validation(_data_validation(v, v.ref))
        for col, width in layout.widths.items():
            ws.column_dimensions[col_letter(col)].width = width
        if layout.freeze:
            ws.freeze_panes = layout.freeze
        if layout.autofilter:
            ws.auto_filter.ref = layout.autofilter
        if layout.tab_color:
            ws.sheet_properties.tabColor = layout.tab_color
        if layout.print is not None:
            self._print_setup(ws, layout, 0, 0)
        for row in layout.page_breaks:
            ws.row_breaks.append(Break(id=row))
        ws.sheet_state = "hidden" if hidden else "visible"

    def _style_rows(self, ws: Worksheet, layout: Layout, form: str | None, n_rows: int, n_cols: int):
        """The format index of every cell, as a function of the row: the
        style regions cut the rows into bands that share one list."""
        regions = [(parse_range(ref), key) for ref, key in layout.styles]
        last_row = max([n_rows] + [r[2] for r, _ in regions])
        last_col = max([n_cols] + [r[3] for r, _ in regions])
        cuts = sorted({1, last_row + 1} | {r[0] for r, _ in regions} | {r[2] + 1 for r, _ in regions})
        per_row: list[list[int]] = [[]] * (last_row + 1)
        for a, b in zip(cuts, cuts[1:]):
            keys: list[list[str]] = [[] for _ in range(last_col)]
            for (r1, c1, r2, c2), key in regions:
                if r1 <= a and b - 1 <= r2:
                    for c in range(c1, c2 + 1):
                        keys[c - 1].append(key)
            xfs = [self._xf(ws, tuple(k), form) for k in keys]
            for r in range(a, b):
                per_row[r] = xfs
        return (lambda r: per_row[r] if r <= last_row else ()), last_row, last_col

    def _xf(self, ws: Worksheet, keys: tuple[str, ...], form: str | None) -> int:
        """The cell-format index of style keys laid over a blank cell in
        order (as :meth:`_apply_style` does), registered in the workbook so
        that openpyxl writes it into styles.xml."""
        if not keys:
            return 0
        cache_key = (keys, form)
        xf = self._xf_cache.get(cache_key)
        if xf is None:
            cell = Cell(ws, row=1, column=1)
            for key in keys:
                sampled = self._sample(form, key) if form else None
                if sampled is not None:
                    cell._style = copy(sampled)
                else:
                    _style_cell(cell, STYLES[key])
            xf = self.wb._cell_styles.add(cell._style)
            self._xf_cache[cache_key] = xf
        return xf

    def _date_xf(self, ws: Worksheet, xf: int) -> int:
        """A format index that shows a date: ``xf`` itself when its number
        format is a date format, else ``xf`` with openpyxl's date format."""
        cache_key = ("date", xf)
        out = self._xf_cache.get(cache_key)
        if out is None:
            cell = Cell(ws, row=1, column=1)
            cell._style = copy(self.wb._cell_styles[xf])
            if not cell.is_date:
                from datetime import datetime as _dt

                cell.number_format = TIME_FORMATS[_dt]
            out = self.wb._cell_styles.add(cell._style)
            self._xf_cache[cache_key] = out
        return out

    def _materialize(self, sheet: str) -> None:
        """Put a held sheet's cells into openpyxl after all (to restyle
        single cells or write part of the sheet)."""
        from openpyxl.worksheet._reader import WorksheetReader

        bulk = self._bulk.pop(sheet)
        if bulk.body is not None and bulk.added is None:
            xml, shared = b'<worksheet xmlns="' + NS_MAIN.encode() + b'"><sheetData>' + bulk.body + b"</sheetData></worksheet>", []
        else:  # the part's cells (and rows added below them)
            p = bulk.part
            body = bulk.body if bulk.added is not None else p.body
            xml = (b'<worksheet xmlns="' + NS_MAIN.encode() + b'"' + p.namespaces + b"><" + p.prefix + b"sheetData>"
                   + body + b"</" + p.prefix + b"sheetData></worksheet>")
            shared = self._shared_strings() if p.uses_shared_strings else []
        reader = WorksheetReader(self.wb[sheet], io.BytesIO(xml), shared, False, False)
        reader.bind_cells()
        reader.bind_row_dimensions()

    def _write_to(self, tmp: Path) -> None:
        """The bytes of the workbook, written to ``tmp``: openpyxl writes the
        workbook without the held sheets' cells, which are then put back."""
        for name in list(self._bulk):
            if name not in self.wb.sheetnames:
                del self._bulk[name]
            elif self.wb[name]._cells:  # someone wrote cells through openpyxl
                self._materialize(name)
        if not self._bulk:
            self.wb.save(tmp)
            return
        buffer = io.BytesIO()
        self.wb.save(buffer)
        try:
            _splice(buffer.getvalue(), self._pkg, self._bulk, tmp)
        except PackageError:
            for name in list(self._bulk):
                self._materialize(name)
            self.wb.save(tmp)

    # ---- internals -----------------------------------------------------------
    def _position(self, sheet: str) -> int:
        key = C.sheet_order_key(sheet)
        return sum(1 for name in self.wb.sheetnames if name != sheet and C.sheet_order_key(name) <= key)

    def _fresh_sheet(self, sheet: str, form: str | None) -> Worksheet:
        """An empty worksheet named ``sheet`` where the contract wants it;
        page-level settings copied from ``form`` when given."""
        index = self._position(sheet)
        state = code_name = None
        if sheet in self.wb.sheetnames:
            old = self.wb[sheet]
            index = self.wb.sheetnames.index(sheet)
            state = old.sheet_state
            code_name = old.sheet_properties.codeName  # its VBA document module
            self.wb.remove(old)
        ws = self.wb.create_sheet(sheet, index)
        if state:
            ws.sheet_state = state
        if form is not None and form in self.wb.sheetnames:
            src = self.wb[form]
            ws.sheet_format = copy(src.sheet_format)
            ws.sheet_properties = copy(src.sheet_properties)
            ws.page_margins = copy(src.page_margins)
            ws.page_setup = copy(src.page_setup)
            ws.print_options = copy(src.print_options)
            ws.HeaderFooter = copy(src.HeaderFooter)
            for image in getattr(src, "_images", []):
                ws.add_image(copy(image))
        # A copied codeName would give two sheets one VBA module.
        ws.sheet_properties.codeName = code_name
        return ws

    def _clear_below(self, ws: Worksheet, top: int) -> None:
        for merged in list(ws.merged_cells.ranges):
            if merged.max_row >= top:
                ws.unmerge_cells(str(merged))
        for (r, c) in [k for k in ws._cells if k[0] >= top]:
            del ws._cells[(r, c)]
        keep = []
        for dv in ws.data_validations.dataValidation:
            if all(rng.max_row < top for rng in dv.sqref.ranges):
                keep.append(dv)
        ws.data_validations.dataValidation = keep

    def _sample(self, form: str, key: str):
        cache_key = (form, key)
        if cache_key not in self._sample_cache:
            style = None
            if form in self.wb.sheetnames and key in FORM_SAMPLES:
                cell = self.wb[form][FORM_SAMPLES[key]]
                if cell.has_style:
                    style = copy(cell._style)
            self._sample_cache[cache_key] = style
        return self._sample_cache[cache_key]

    def _apply_style(self, ws: Worksheet, ref: str, key: str, form: str | None) -> None:
        r1, c1, r2, c2 = parse_range(ref)
        sampled = self._sample(form, key) if form else None
        if sampled is not None:
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    ws.cell(r, c)._style = copy(sampled)
            return
        style = STYLES[key]
        if style.outline:
            _outline(ws, r1, c1, r2, c2, style.outline)
            return
        # Applying a key to a cell of a given style always gives the same
        # style: work it out once per starting style, then copy the result
        # (large record tables would otherwise cost seconds).
        results: dict[tuple[int, ...], Any] = {}
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                cell = ws.cell(r, c)
                start = tuple(cell._style) if cell._style is not None else ()
                done = results.get(start)
                if done is None:
                    _style_cell(cell, style)
                    results[start] = copy(cell._style)
                else:
                    cell._style = copy(done)

    def _print_setup(self, ws: Worksheet, layout: Layout, dr: int, dc: int) -> None:
        p = layout.print
        if p.orientation:
            ws.page_setup.orientation = p.orientation
        if p.paper:
            ws.page_setup.paperSize = _PAPER.get(p.paper.upper(), 9)
        if p.fit_width or p.fit_height:
            ws.sheet_properties.pageSetUpPr.fitToPage = True
            ws.page_setup.fitToWidth = p.fit_width
            ws.page_setup.fitToHeight = p.fit_height
        elif ws.sheet_properties.pageSetUpPr is not None:
            # 0 × 0 = no fitting (100 %), even when the form sheet fits to a page:
            # Excel ignores manual page breaks on a sheet fitted to pages.
            ws.sheet_properties.pageSetUpPr.fitToPage = False
        if p.margins:
            top, right, bottom, left = p.margins
            ws.page_margins.top, ws.page_margins.right = top, right
            ws.page_margins.bottom, ws.page_margins.left = bottom, left
            # the page header / footer sit in the margin, clear of the table
            ws.page_margins.header, ws.page_margins.footer = round(min(0.25, top / 2), 2), round(min(0.25, bottom / 2), 2)
        if p.center_horizontally is not None:
            ws.print_options.horizontalCentered = p.center_horizontally
        if p.center_vertically is not None:
            ws.print_options.verticalCentered = p.center_vertically
        if p.title_rows:
            a, b = p.title_rows.split(":")
            ws.print_title_rows = f"{int(a) + dr}:{int(b) + dr}"
        ws.print_area = p.sheet_area or (_shift(p.area, dr, dc) if p.area else _shift(layout.used_ref(), dr, dc))
        if p.footer:
            ws.oddFooter.center.text = p.footer
        if p.header:
            ws.oddHeader.center.text = p.header
            ws.oddHeader.center.size = 14
            ws.oddHeader.center.font = f"{fonts.HEADING},常规"
        if p.header_right:
            ws.oddHeader.right.text = p.header_right

    def _add_chart(self, ws: Worksheet, spec, dr: int, dc: int) -> None:
        chart = LineChart()
        chart.title = spec.title
        chart.y_axis.title = spec.y_title or None
        chart.x_axis.title = spec.x_title or None
        chart.width, chart.height = spec.width_cm, spec.height_cm
        r1, c1, r2, c2 = parse_range(_shift(spec.data, dr, dc))
        data = Reference(ws, min_col=c1, min_row=r1, max_col=c2, max_row=r2)
        chart.add_data(data, titles_from_data=True)
        q1, k1, q2, k2 = parse_range(_shift(spec.categories, dr, dc))
        chart.set_categories(Reference(ws, min_col=k1, min_row=q1, max_col=k2, max_row=q2))
        # Excel hides axes whose 'delete' flag openpyxl leaves unset on some versions.
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        for series in chart.series:
            series.smooth = spec.smooth
            if spec.markers:
                series.marker.symbol = "circle"
                series.marker.size = 7
            else:
                series.marker.symbol = "none"
        if spec.y_min is not None:
            chart.y_axis.scaling.min = spec.y_min
        if spec.y_max is not None:
            chart.y_axis.scaling.max = spec.y_max
        ws.add_chart(chart, _shift(spec.anchor, dr, dc))

    def _tidy_views(self) -> None:
        """Exactly one selected tab, and it is visible (Excel refuses a
        hidden active sheet and groups sheets that share tabSelected)."""
        names = self.wb.sheetnames
        if not names:
            return
        active = self.wb.active
        if active is None or active.sheet_state != "visible":
            for i, n in enumerate(names):
                if self.wb[n].sheet_state == "visible":
                    self.wb.active = i
                    break
        for ws in self.wb.worksheets:
            for view in ws.views.sheetView:
                view.tabSelected = ws is self.wb.active


def set_default_font(wb: Workbook) -> None:
    """The workbook's default (Normal) font: 宋体, before any cell is styled
    (so column widths, measured in its digits, agree between Excel and
    LibreOffice, and a cell a teacher adds is Chinese-faced)."""
    font = Font(name=fonts.BODY, sz=fonts.DEFAULT_SIZE, charset=fonts.CHARSET, family=fonts.FAMILY[fonts.BODY])
    wb._fonts = IndexedList([font])
    wb._named_styles["Normal"].font = font


@contextmanager
def _no_cycle_collection():
    """Python's cycle collector paused while a table's quarter of a million
    values (lists, tuples, strings: no cycles) are made: it would otherwise
    walk them again and again as they grow."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _without_bulk_cells(data: bytes) -> tuple[Package | None, bytes, dict[str, _Bulk]]:
    """The package, the bytes openpyxl is given (the plain large sheets
    without their cells) and those sheets."""
    try:
        pkg = Package(data)
        replaced: dict[str, bytes] = {}
        bulk: dict[str, _Bulk] = {}
        stored, context = _stored_grids(pkg)
        for name, part in pkg.sheet_parts().items():
            info = pkg.zip.getinfo(part)
            if name not in BULK_SHEETS and info.file_size < BULK_MIN_BYTES:
                continue
            if pkg.sheet_has_cell_relations(part):
                continue
            # the part's bytes as stored (not inflated) identify it: the key of its stored grid
            digest = tablecache.digest(b"%d:" % info.compress_type + stored_bytes(pkg.zip, info))
            st = stored.get(name)
            if st is not None and not st.matches(digest, context):
                st = None
            if st is not None and st.head:  # head and tail known: the part is inflated only if needed
                sheet: SheetPart = LazySheetPart(st.head, st.tail, st.prefix, st.namespaces, st.shared_strings,
                                                 lambda part=part: pkg.read(part))
            else:
                sheet = SheetPart.split(pkg.read(part))
            if not sheet.plain:
                continue
            replaced[part] = sheet.stub()
            bulk[name] = _Bulk(part=sheet, source=part, digest=digest, cached=st.grid if st is not None else None)
        sst = pkg.shared_strings_part()
        if bulk and sst is not None:
            # openpyxl gets only the strings of the sheets it reads (the held ones keep the file's)
            others = {part: pkg.read(part) for part in pkg.sheet_parts().values() if part not in replaced}
            try:
                compact, renumbered = compact_sst(pkg.read(sst), others)
            except PackageError:
                pass
            else:
                replaced[sst] = compact
                replaced.update(renumbered)
    except (PackageError, KeyError, ValueError, SyntaxError, zipfile.BadZipFile):
        return None, data, {}
    return pkg, (pkg.with_parts(replaced) if replaced else data), bulk


# ---- the grids stored in the workbook (see tablecache) -------------------------
# A value a reader gives back as itself from what cellwrite writes: text
# without characters XML cannot hold or normalises (CR) and without Excel's
# _xHHHH_ escapes, numbers a float holds exactly, dates without a time.
_UNSAFE_TEXT = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")


def _encoded(grid: list[list[Any]]) -> bytes | None:
    """The grid as tablecache stores it, or None when it holds a value that
    cannot be stored exactly."""
    try:
        with _no_cycle_collection():
            return tablecache.encode(grid)
    except (TypeError, ValueError, OverflowError):
        return None


def _written_grid(rows: list[list[Any]], kept: list[tuple] | None = None) -> list[list[Any]] | None:
    """The grid a reader gives of a table written from ``rows`` (a Layout's
    raw values) whose first rows are the XML of the rows read as ``kept``;
    None when a new value might not read back as written."""
    head: list = list(kept) if kept else []  # the rows read, as tuples (not copied)
    rows = rows[len(head):]
    try:
        table = {}
        for v in set(chain.from_iterable(rows)):
            w = excel_value(v)
            t = w.__class__
            if t is bool or v.__class__ is bool:
                return None  # True == 1: one key could stand for two values
            if t is str:
                if _UNSAFE_TEXT.search(w):
                    return None
            elif t is int:
                if abs(w) >= 2 ** 53:
                    return None
            elif t is datetime:
                if w.time() != datetime.min.time() or w.tzinfo is not None:
                    return None
            elif w is not None and t is not float:
                return None
            table[v] = w
    except TypeError:  # a value that cannot be a key
        return None
    get = table.__getitem__
    grid = head + cellread.normal_rows([list(map(get, row)) for row in rows])
    if len(set(map(len, grid))) > 1:  # rows of different lengths: trim pads lists
        grid = [list(row) for row in grid]
    return cellread.trim(grid)


def _context(pkg: Package, replaced: dict[str, bytes] | None = None, sst: str | None = None) -> tuple[bytes, ...]:
    """Digests of the parts a held sheet's reading depends on besides its
    own: shared strings, styles and the workbook part (the date system)."""
    replaced = replaced or {}
    wb = pkg.workbook_part()
    styles = None
    for _, kind, target in pkg.relationships(wb):
        if sst is None and kind.endswith("/sharedStrings"):
            sst = target
        elif styles is None and kind.endswith("/styles"):
            styles = target

    def part(name: str | None) -> bytes | None:
        if name is None:
            return None
        if name in replaced:
            return replaced[name]
        return pkg.read(name) if pkg.has(name) else None

    return tuple(tablecache.digest(part(name)) for name in (sst, styles, wb))


def _stored_items(pkg: Package) -> list[tuple[str, dict[str, tablecache.Stored]]]:
    """xlzu's Custom XML parts of the package and their entries."""
    out = []
    for _, kind, target in pkg.relationships(pkg.workbook_part()):
        if kind == tablecache.REL_CUSTOM_XML and pkg.has(target):
            try:
                entries = tablecache.parse_item(pkg.read(target))
            except Exception:
                continue
            if entries is not None:
                out.append((target, entries))
    return out


def _stored_grids(pkg: Package) -> tuple[dict[str, tablecache.Stored], tuple[bytes, ...]]:
    """What the package stores of its held sheets, and the digests of the
    parts their reading depends on (nothing when the store is off, missing
    or unreadable: the sheets are parsed)."""
    if not tablecache.enabled():
        return {}, ()
    try:
        items = _stored_items(pkg)
        if not items:
            return {}, ()
        return {name: st for _, entries in items for name, st in entries.items()}, _context(pkg)
    except Exception:  # only a speed-up: parse instead
        return {}, ()


@dataclass
class _Storing:
    """The grids to store on save: per held sheet its output part, the
    encoded grid and what else is stored; the item is made once the parts
    are written (their keys are digests of the bytes as stored)."""

    item: str
    entries: dict[str, tuple[str, bytes]]  # sheet → (output part, encoded grid)
    context: tuple[bytes, ...]


def _plan_storing(out: Package, replaced: dict[str, bytes], raw: dict[str, str], bulk: dict[str, _Bulk],
                  parts: dict[str, str], sst: str | None) -> _Storing | None:
    """Which held sheets' grids to store, with the parts that relate xlzu's
    Custom XML part to the workbook added to ``replaced``."""
    if not tablecache.enabled():
        return None
    entries: dict[str, tuple[str, bytes]] = {}
    for name, b in bulk.items():
        part = parts[name]
        if b.body is not None:
            if b.pending is None or part not in replaced:
                continue
            with _no_cycle_collection():
                grid = _written_grid(b.pending, b.kept)
            payload = _encoded(grid) if grid is not None else None
        else:
            payload = b.cached
            if payload is None and b.rows is not None:
                payload = _encoded(b.rows)
        if payload is not None and (part in raw or part in replaced):
            entries[name] = (part, payload)
    existing = [target for target, _ in _stored_items(out)]
    if existing:  # openpyxl kept an item of ours: its content is replaced
        return _Storing(existing[0], entries, _context(out, replaced, sst))
    if not entries:
        return None
    k = 1
    while out.has(f"customXml/item{k}.xml") or out.has(f"customXml/itemProps{k}.xml"):
        k += 1
    item, props = f"customXml/item{k}.xml", f"customXml/itemProps{k}.xml"
    wb_part = out.workbook_part()
    wb_rels = rels_path(wb_part)
    ct = replaced.get("[Content_Types].xml") or out.read("[Content_Types].xml")
    rels = replaced.get(wb_rels) or out.read(wb_rels)
    ids = set(re.findall(rb'Id="([^"]+)"', rels))
    n = 1
    while f"rIdXlzu{n}".encode() in ids:
        n += 1
    target = posixpath.relpath(item, posixpath.dirname(wb_part))
    rels = rels.replace(b"</Relationships>", f'<Relationship Id="rIdXlzu{n}" Type="{tablecache.REL_CUSTOM_XML}" '
                                              f'Target="{target}"/></Relationships>'.encode())
    overrides = f'<Override PartName="/{props}" ContentType="{tablecache.CT_CUSTOM_XML_PROPS}"/>'
    if not re.search(rb'<Default\b[^>]*Extension="xml"', ct):
        overrides += f'<Override PartName="/{item}" ContentType="application/xml"/>'
    ct = ct.replace(b"</Types>", overrides.encode() + b"</Types>")
    replaced["[Content_Types].xml"], replaced[wb_rels] = ct, rels
    replaced[props] = tablecache.props_xml()
    replaced[rels_path(item)] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="' + tablecache.REL_CUSTOM_XML_PROPS.encode() + b'" Target="itemProps'
        + str(k).encode() + b'.xml"/></Relationships>')
    return _Storing(item, entries, _context(out, replaced, sst))


def _splice(written: bytes, original: Package | None, bulk: dict[str, _Bulk], target: Path) -> None:
    """Write to ``target`` the package openpyxl ``written``, with the held
    sheets' cells put back between openpyxl's head and tail of each sheet."""
    out = Package(written)
    parts = out.sheet_parts()
    wb_part = out.workbook_part()
    replaced: dict[str, bytes] = {}
    raw: dict[str, str] = {}  # output part -> original part copied as it is
    sst_target: str | None = None  # the shared strings part, when merged here
    if any((b.body is None or b.added is not None) and b.part.uses_shared_strings for b in bulk.values()):
        sst_part = original.shared_strings_part()
        if sst_part is None:
            raise PackageError("shared strings used but missing")
        ours = out.shared_strings_part()
        merged, shift = merged_sst(original.read(sst_part), out.read(ours) if ours else None)
        target_sst = sst_target = ours or "xl/sharedStrings.xml"
        replaced[target_sst] = merged
        if ours is None:
            ct, rels = add_sst_part(out.read("[Content_Types].xml"), out.read(rels_path(wb_part)), target_sst)
            replaced["[Content_Types].xml"], replaced[rels_path(wb_part)] = ct, rels
        elif shift:
            held = {parts[n] for n in bulk if n in parts}
            for part in parts.values():
                if part not in held:
                    replaced[part] = shift_sst_indices(out.read(part), shift)
    for name, b in bulk.items():
        part = parts.get(name)
        if part is None:
            raise PackageError(f"sheet {name} not written")
        mine = SheetPart.split(out.read(part))
        if mine.body.strip() or mine.prefix:
            raise PackageError("openpyxl wrote cells on a held sheet")
        if b.body is not None:
            dimension = b'<dimension ref="' + b.ref.encode() + b'" />'
        else:
            dimension = b.part.dimension() or b""  # as the original has it
            if b.part.prefix:
                m = re.search(rb"""ref\s*=\s*["']([^"']*)["']""", dimension)
                dimension = b'<dimension ref="' + m.group(1) + b'" />' if m else b""
        head = _DIMENSION.sub(lambda _: dimension, mine.head, count=1)
        if b.body is None and head == b.part.head and mine.tail == b.part.tail and not b.part.prefix:
            raw[part] = b.source
            continue
        if b.body is None:
            body, namespaces = b.part.body, b.part.namespaces
        else:  # rows added below the part's keep its declarations
            body, namespaces = b.body, (b.part.namespaces if b.added is not None else b"")
        replaced[part] = head + b"<sheetData" + namespaces + b">" + body + b"</sheetData>" + mine.tail
    try:
        storing = _plan_storing(out, replaced, raw, bulk, parts, sst_target)
    except Exception:  # only a speed-up: the next operation parses instead
        storing = None
    held = {parts[n]: n for n in bulk if n in parts}
    written: dict[str, tuple[bytes, SheetPart, bool]] = {}  # held part → (digest as stored, its pieces, shared strings)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for info in out.zip.infolist():
            name = info.filename
            if storing is not None and name == storing.item:
                continue  # written last, with the keys of what is written before it
            if name in raw:
                copy_compressed(original.zip, original.zip.getinfo(raw[name]), z, name)
                b = bulk[held[name]]
                written[name] = (b.digest, b.part, b.part.uses_shared_strings)
                continue
            data = replaced.pop(name, None)
            if data is None:
                data = out.zip.read(info)
            level = 1 if len(data) > 1 << 20 else 6
            if name in held and storing is not None and held[name] in storing.entries:
                stored = write_deflated(z, name, data, level)
                b = bulk[held[name]]
                pieces = SheetPart.split(data)  # its head, tail, prefix and declarations, as a reader finds them
                written[name] = (tablecache.digest(b"%d:" % zipfile.ZIP_DEFLATED + stored), pieces,
                                 b.body is None and b.part.uses_shared_strings)
            else:
                z.writestr(_entry(name), data, compresslevel=level)
        for name, data in replaced.items():
            if storing is None or name != storing.item:
                z.writestr(_entry(name), data)
        if storing is not None:
            try:
                item = _item(storing, written)
            except Exception:  # only a speed-up
                item = tablecache.item_xml({})
            z.writestr(_entry(storing.item), item)


def _item(storing: _Storing, written: dict[str, tuple[bytes, SheetPart, bool]]) -> bytes:
    entries = {}
    for sheet, (part, payload) in storing.entries.items():
        if part not in written:
            continue
        digest, pieces, shared = written[part]
        entries[sheet] = tablecache.Stored("", payload, pieces.head, pieces.tail, pieces.prefix, pieces.namespaces,
                                           shared).sealed(digest, storing.context)
    return tablecache.item_xml(entries)


def _widen(ws: Worksheet, col: int, width: float) -> None:
    """Column ``col`` (1-based) made at least ``width`` wide; a column sized
    together with its neighbours (one <col min max> over several, as Excel
    writes equal widths) is left as it is."""
    for dim in ws.column_dimensions.values():
        lo, hi = dim.min or 0, dim.max or 0
        if lo <= col <= hi:
            if lo == hi and (dim.width or 0) < width:
                dim.width = width
            return
    ws.column_dimensions[col_letter(col)].width = width


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


_DIMENSION = re.compile(rb"<dimension\b[^>]*/>")
_ROW_START = re.compile(rb'<row r="(\d+)"')
_HAS_VALUE = re.compile(rb"<(?:v|is|f)[\s>/]")
_CELL_STYLE = re.compile(rb'<c r="([A-Z]+)\d+"(?: s="(\d+)")?')


def _shift(ref: str, dr: int, dc: int) -> str:
    if not dr and not dc:
        return ref
    r1, c1, r2, c2 = parse_range(ref)
    return range_ref(r1 + dr, c1 + dc, r2 + dr, c2 + dc)


def _style_cell(cell, style: Style) -> None:
    """Lay ``style`` over a cell: every field that is None is left as the
    cell has it (a highlight keeps the centring, a bold keeps the size)."""
    font = {k: v for k, v in (("name", style.font), ("b", style.bold), ("i", style.italic), ("sz", style.size), ("color", style.color)) if v is not None}
    if font:
        new = copy(cell.font)
        for k, v in font.items():
            setattr(new, k, v)
        if style.font:
            # A theme scheme would make Excel show the theme's face instead.
            new.charset, new.family, new.scheme = fonts.CHARSET, fonts.FAMILY[style.font], None
        cell.font = new
    if style.fill:
        cell.fill = PatternFill("solid", start_color=style.fill, end_color=style.fill)
    if style.border:
        cell.border = _BORDER
    stacked = 255 if style.vertical else None  # OOXML: characters stacked top to bottom
    align = {k: v for k, v in (("horizontal", style.halign), ("vertical", style.valign), ("wrap_text", style.wrap),
                                ("text_rotation", stacked), ("indent", style.indent)) if v is not None}
    if align:
        new = copy(cell.alignment)
        for k, v in align.items():
            setattr(new, k, v)
        cell.alignment = new
    if style.number_format:
        cell.number_format = style.number_format


def _outline(ws: Worksheet, r1: int, c1: int, r2: int, c2: int, line: str) -> None:
    """A frame around the range: each edge cell gets its outer side(s)."""
    side = Side(style=line, color="7F6000")
    for r in range(r1, r2 + 1):
        for c in range(c1, c2 + 1):
            if r not in (r1, r2) and c not in (c1, c2):
                continue
            cell = ws.cell(r, c)
            old = cell.border
            cell.border = Border(left=side if c == c1 else old.left, right=side if c == c2 else old.right,
                                 top=side if r == r1 else old.top, bottom=side if r == r2 else old.bottom)


def _data_validation(v: Validation, ref: str) -> DataValidation:
    kwargs: dict[str, Any] = {
        "type": _VALIDATION_TYPES[v.kind],
        "allow_blank": v.allow_blank,
        "showErrorMessage": True,
        "errorTitle": v.error_title or None,
        "error": v.error or None,
        "showInputMessage": bool(v.prompt),
        "promptTitle": v.prompt_title or None,
        "prompt": v.prompt or None,
    }
    if v.kind == "list":
        kwargs["formula1"] = '"' + ",".join(v.values) + '"'
    elif v.kind == "custom":
        kwargs["formula1"] = v.formula
    else:
        if v.minimum is not None and v.maximum is not None:
            kwargs["operator"] = "between"
            kwargs["formula1"] = _num(v.minimum)
            kwargs["formula2"] = _num(v.maximum)
        elif v.minimum is not None:
            kwargs["operator"] = "greaterThanOrEqual"
            kwargs["formula1"] = _num(v.minimum)
        elif v.maximum is not None:
            kwargs["operator"] = "lessThanOrEqual"
            kwargs["formula1"] = _num(v.maximum)
    dv = DataValidation(**kwargs)
    dv.add(ref)
    return dv


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))
