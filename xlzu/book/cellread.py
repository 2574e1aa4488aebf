"""Reading a worksheet's cells into a grid without openpyxl's workbook
model: python-calamine where it is installed, a pure-Python expat reader
everywhere (Pyodide has no calamine wheel).  Both give the same grid:

* rows from 1 to the last row holding a value, each as long as the widest
  (blank cells are None; an empty string counts as blank);
* numbers as int when whole, else float; booleans as bool;
* a number in a date format as a datetime (a time of day as a time, a
  duration format as a timedelta), exactly as openpyxl converts it;
* strings as str (shared or inline; rich text flattened, phonetic runs left
  out); error values as their text ("#N/A").

A sheet holding formulas is read by openpyxl's own cell parser instead
(formulas come back as their text, like openpyxl gives them, as
:class:`Formula` so that writing the table back keeps them formulas while
text a person typed that starts with "=" stays text).
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time, timedelta
from itertools import chain
from operator import itemgetter
from typing import Any, Iterable
from xml.parsers import expat

try:  # a compiled reader where there is one (not in Pyodide)
    import python_calamine
except ImportError:  # pragma: no cover - exercised where calamine is absent
    python_calamine = None


# A cell formula read from a file (its text, "=…"): the one Formula class
# of the layout, which both writers write as a formula (and nothing else).
from ..layout import Formula  # noqa: E402


def _number(text: str) -> Any:
    if "." in text or "E" in text or "e" in text:
        v = float(text)
        return int(v) if v.is_integer() and abs(v) < 2**53 else v
    return int(text)


def _normal(v: Any) -> Any:
    """The one spelling both readers agree on for a cell value."""
    if v is None:
        return None
    t = type(v)
    if t is str:
        return v if v != "" else None
    if t is float:
        if v != v:
            return None
        return int(v) if v.is_integer() and abs(v) < 2**53 else v
    if t is date:
        return datetime(v.year, v.month, v.day)
    return v


def _trim_even(grid: list[list[Any]]) -> list[list[Any]]:
    """:func:`trim` of a grid whose rows are all as long (what the readers
    give): blank rows and columns found at C speed."""
    n = len(grid[0])
    last = len(grid)
    while last and grid[last - 1].count(None) == n:
        last -= 1
    if not last:
        return []
    out = grid[:last]
    width = n
    while width:
        column = list(map(itemgetter(width - 1), out))
        if column.count(None) != last:
            break
        width -= 1
    if width < n:
        out = [row[:width] for row in out]
    return out


def rectangle(cells: dict[int, dict[int, Any]]) -> list[list[Any]]:
    """{row: {col: value}} (1-based, values normalised) → the grid."""
    rows = [r for r, cols in cells.items() if any(v is not None for v in cols.values())]
    if not rows:
        return []
    last = max(rows)
    width = max(c for cols in cells.values() for c, v in cols.items() if v is not None)
    grid = []
    for r in range(1, last + 1):
        line = [None] * width
        for c, v in cells.get(r, {}).items():
            if c <= width:
                line[c - 1] = v
        grid.append(line)
    return grid


def trim(grid: list[list[Any]]) -> list[list[Any]]:
    """A grid cut to its last row and column holding a value (rows are
    changed in place when they are longer)."""
    if grid and len(set(map(len, grid))) == 1:
        return _trim_even(grid)
    last = 0
    width = 0
    for i, row in enumerate(grid):
        n = len(row)
        if n <= width:
            if any(v is not None for v in row):
                last = i + 1
            continue
        for j in range(n - 1, -1, -1):
            if row[j] is not None:
                last = i + 1
                width = max(width, j + 1)
                break
    out = grid[:last]
    for k, row in enumerate(out):
        n = len(row)
        if n > width:
            out[k] = row[:width]
        elif n < width:
            out[k] = row + [None] * (width - n)
    return out


# --------------------------------------------------------------------------
# python-calamine
# --------------------------------------------------------------------------
def calamine_book(package: bytes):
    """python-calamine's reader of the package bytes (one per opened file)."""
    return python_calamine.CalamineWorkbook.from_object(io.BytesIO(package))


def calamine_grid(book, sheet: str) -> list[list[Any]]:
    """The grid of ``sheet`` read by python-calamine."""
    return trim(normal_rows(book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)))


def normal_rows(rows: Iterable[list[Any]]) -> list[list[Any]]:
    """Every value of a grid normalised as :func:`_normal` does.

    A term's records are a quarter of a million cells: each distinct value
    is converted once, and the cells are mapped through that table at C
    speed.  The table is exact only when no two cells that compare equal
    normalise differently: booleans (True == 1) and NaN (never equal to
    itself) are taken the slow way, value by value."""
    rows = rows if isinstance(rows, list) else list(rows)
    cells = chain.from_iterable(rows)
    kinds = set(map(type, cells))
    if bool in kinds or not kinds <= _FAST_KINDS:
        return _normal_rows_slowly(rows)
    table: dict[Any, Any] = {}
    for v in set(chain.from_iterable(rows)):
        t = v.__class__
        if t is float or t is int:
            if v != v or abs(v) >= 2**53:  # NaN; a float and an int equal but kept apart
                return _normal_rows_slowly(rows)
            # a whole float and the int equal to it both become that int
            table[v] = int(v) if t is int or v.is_integer() else v
        elif t is date:
            table[v] = datetime(v.year, v.month, v.day)
        elif t is str:
            table[v] = v or None  # equal texts become one object (a term's records repeat a few thousand)
    get = table.get
    return [list(map(get, row, row)) for row in rows]


# What calamine gives (None where a cell is missing); anything else is taken value by value.
_FAST_KINDS = {str, float, int, date, datetime, type(None), time, timedelta}


def _normal_rows_slowly(rows: Iterable[list[Any]]) -> list[list[Any]]:
    """:func:`normal_rows` value by value."""
    numbers: dict[float, Any] = {}
    dates: dict[date, datetime] = {}
    out = []
    for row in rows:
        line = []
        add = line.append
        for v in row:
            t = v.__class__
            if t is str:
                add(v or None)
            elif t is float:
                w = numbers.get(v)
                if w is None:
                    w = numbers[v] = _normal(v)
                add(w)
            elif t is date:
                w = dates.get(v)
                if w is None:
                    w = dates[v] = datetime(v.year, v.month, v.day)
                add(w)
            else:
                add(v)
        out.append(line)
    return out


# --------------------------------------------------------------------------
# Pure Python (expat)
# --------------------------------------------------------------------------
def _column(ref: str) -> int:
    n = 0
    for ch in ref:
        o = ord(ch)
        if 65 <= o <= 90:
            n = n * 26 + o - 64
        elif 97 <= o <= 122:
            n = n * 26 + o - 96
        else:
            break
    return n


# A cell as every writer lays it out: its reference first, attributes
# without "/" or ">", then either "/>" or its content and "</c>".
_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]+)"([^>/]*)(?:/>|>(.*?)</c>)', re.S)
_CELL_START = re.compile(rb"<c[\s>/]")


def expat_grid(body: bytes, shared: list[str], *, prefix: str = "", date_styles: Iterable[int] = (),
               duration_styles: Iterable[int] = (), epoch: datetime | None = None) -> list[list[Any]]:
    """The grid of a sheet's cell data (what is inside <sheetData>), with
    openpyxl's conversions; ``date_styles`` / ``duration_styles`` are the
    cell-format indices whose number format is a date / a duration.

    Pure Python, so a term's records would cost a parser callback per
    element: where every cell is laid out plainly (its reference first, no
    namespace prefix) the cells are found at C speed instead and each
    distinct cell content (a few hundred in 180,000 cells) is converted
    once, by the same expat conversion; otherwise the whole body is parsed."""
    if not prefix:
        cells = _plain_cells(body, shared, date_styles, duration_styles, epoch)
        if cells is not None:
            return rectangle(cells)
    return rectangle(_expat_cells(body, shared, prefix=prefix, date_styles=date_styles,
                                  duration_styles=duration_styles, epoch=epoch))


def _plain_cells(body: bytes, shared, date_styles, duration_styles, epoch) -> dict[int, dict[int, Any]] | None:
    """{row: {col: value}} of cell data whose every cell :data:`_CELL`
    matches; None when one does not (a cell without its reference, a
    prefix, quotes of the other kind)."""
    found = _CELL.findall(body)
    if len(found) != len(_CELL_START.findall(body)):
        return None
    values = cell_values({(attrs, inner) for _, _, attrs, inner in found if inner}, shared,
                         date_styles=date_styles, duration_styles=duration_styles, epoch=epoch)
    columns: dict[bytes, int] = {}
    cells: dict[int, dict[int, Any]] = {}
    get = values.get
    line, last = None, None
    for letters, row, attrs, inner in found:
        v = get((attrs, inner)) if inner else None
        if v is None:
            continue
        if row != last:
            line = cells.setdefault(int(row), {})
            last = row
        c = columns.get(letters)
        if c is None:
            c = columns[letters] = _column(letters.decode())
        line[c] = v
    return cells


def _expat_cells(body: bytes, shared, *, prefix: str = "", date_styles: Iterable[int] = (),
                 duration_styles: Iterable[int] = (), epoch: datetime | None = None) -> dict[int, dict[int, Any]]:
    """{row: {col: value}} of cell data, every element through expat."""
    from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel, from_ISO8601

    epoch = epoch or WINDOWS_EPOCH
    dates, durations = set(date_styles), set(duration_styles)
    T_ROW, T_C, T_V, T_IS, T_T, T_RPH = (prefix + n for n in ("row", "c", "v", "is", "t", "rPh"))
    cells: dict[int, dict[int, Any]] = {}
    state = {"row": 0, "col": 0, "t": "n", "s": 0, "text": None, "in_v": False, "in_t": False, "rph": 0,
             "inline": None, "line": None}
    conversions: dict[tuple[str, int, str], Any] = {}

    def start(name, attrs):
        if name == T_C:
            ref = attrs.get("r")
            state["col"] = _column(ref) if ref else state["col"] + 1
            state["t"] = attrs.get("t", "n")
            s = attrs.get("s")
            state["s"] = int(s) if s else 0
            state["text"] = None
            state["inline"] = None
        elif name == T_V:
            state["in_v"] = True
            state["text"] = []
        elif name == T_T:
            if state["inline"] is not None and not state["rph"]:
                state["in_t"] = True
        elif name == T_IS:
            state["inline"] = []
        elif name == T_RPH:
            state["rph"] += 1
        elif name == T_ROW:
            r = attrs.get("r")
            state["row"] = int(r) if r else state["row"] + 1
            state["col"] = 0
            state["line"] = cells.setdefault(state["row"], {})

    def end(name):
        if name == T_C:
            t = state["t"]
            if t == "inlineStr":
                parts = state["inline"]
                value = "".join(parts) if parts is not None else None
            else:
                parts = state["text"]
                raw = "".join(parts) if parts else None
                if not raw:
                    value = None
                else:
                    key = (t, state["s"], raw)
                    try:
                        value = conversions[key]
                    except KeyError:
                        value = convert(t, state["s"], raw)
                        conversions[key] = value
            if value is not None and value != "":
                line = state["line"]
                if line is None:
                    line = state["line"] = cells.setdefault(state["row"] or 1, {})
                line[state["col"]] = value
        elif name == T_V:
            state["in_v"] = False
        elif name == T_T:
            state["in_t"] = False
        elif name == T_RPH:
            state["rph"] -= 1

    def data(text):
        if state["in_v"]:
            state["text"].append(text)
        elif state["in_t"]:
            state["inline"].append(text)

    def convert(t: str, s: int, raw: str) -> Any:
        if t == "n":
            v = _number(raw)
            if s in dates:
                try:
                    v = from_excel(v, epoch, timedelta=s in durations)
                except (OverflowError, ValueError):
                    return "#VALUE!"
            return v
        if t == "s":
            return shared[int(raw)]
        if t == "b":
            return bool(int(raw))
        if t == "d":
            return from_ISO8601(raw)
        return raw  # str, e

    parser = expat.ParserCreate("utf-8")
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    parser.Parse(b"<sheetData>", False)
    parser.Parse(body, False)
    parser.Parse(b"</sheetData>", True)
    return {r: {c: _normal(v) for c, v in cols.items()} for r, cols in cells.items()}


# --------------------------------------------------------------------------
# Formulas: openpyxl's own cell parser
# --------------------------------------------------------------------------
def openpyxl_grid(part: bytes, shared: list[str], workbook) -> list[list[Any]]:
    """The grid of a whole worksheet part read by openpyxl's cell parser
    (for sheets with formulas, shared and array formulas included)."""
    from openpyxl.worksheet._reader import WorkSheetParser

    parser = WorkSheetParser(io.BytesIO(part), shared, False, workbook.epoch, workbook._date_formats,
                             workbook._timedelta_formats, False)
    cells: dict[int, dict[int, Any]] = {}
    for _, row in parser.parse():
        for cell in row:
            v = cell["value"]
            if cell["data_type"] == "f":
                text = getattr(v, "text", v)
                v = Formula(text) if isinstance(text, str) else None
            else:
                v = _normal(v)
            if v is not None:
                cells.setdefault(cell["row"], {})[cell["column"]] = v
    return rectangle(cells)


class SharedStringsOnDemand:
    """A sharedStrings part whose items are read one at a time, when asked
    for (a few header cells of a term's records need a few of its tens of
    thousands of items); each as :func:`shared_strings` reads it, inside
    the part's own root element (so a namespace prefix stays declared)."""

    def __init__(self, xml: bytes):
        self.xml = xml
        self._pieces: tuple[bytes, bytes, bytes, list[int]] | None = None
        self._read: dict[int, str] = {}

    def __getitem__(self, i: int) -> str:
        got = self._read.get(i)
        if got is None:
            if self._pieces is None:
                from .package import sst_inner, sst_item_starts

                root, inner, _ = sst_inner(self.xml)
                close = b"</" + re.match(rb"<((?:[\w.-]+:)?)sst", root).group(1) + b"sst>"
                self._pieces = root, inner, close, sst_item_starts(inner)
            root, inner, close, starts = self._pieces
            if not 0 <= i < len(starts) - 1:
                raise IndexError(i)
            got = self._read[i] = shared_strings(root + inner[starts[i]: starts[i + 1]] + close)[0]
        return got


def cell_values(cells: Iterable[tuple[bytes, bytes]], shared, *, date_styles: Iterable[int] = (),
                duration_styles: Iterable[int] = (), epoch: datetime | None = None) -> dict[tuple[bytes, bytes], Any]:
    """The value of each (attributes after the reference, content) of a
    cell's XML, through the same expat conversion as a whole sheet."""
    out = {}
    for attrs, inner in cells:
        one = _expat_cells(b'<row r="1"><c r="A1"' + attrs + b">" + inner + b"</c></row>", shared,
                           date_styles=date_styles, duration_styles=duration_styles, epoch=epoch)
        out[attrs, inner] = one.get(1, {}).get(1)
    return out


def column_cells(body: bytes, col: int) -> list[tuple[bytes, bytes, bytes]]:
    """(row, attributes, content) of every cell of column ``col`` (1-based)
    laid out as :data:`_CELL` expects."""
    from ..layout import col_letter

    return re.findall(rb'<c r="' + col_letter(col).encode() + rb'([0-9]+)"([^>/]*)(?:/>|>(.*?)</c>)', body, re.S)


def shared_strings(xml: bytes | None) -> list[str]:
    """A sharedStrings part as openpyxl reads it."""
    if not xml:
        return []
    from openpyxl.reader.strings import read_string_table

    return list(read_string_table(io.BytesIO(xml)))
