"""Writing a worksheet's cell data (the inside of <sheetData>) straight
from a grid of values: one pass, no cell objects.

Text is written as inline strings, always as text: a value starting with
"=" that a person typed stays text.  Only a :class:`~.cellread.Formula`
(a formula read from the file) is written as a formula again.  Dates are
serial numbers in a cell format that shows them as dates (the caller gives
the format index per cell).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta
from typing import Any, Callable, Sequence

from ..layout import col_letter
from .cellread import Formula

_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def _escape(text: str) -> str:
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("", text)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text or ">" in text:
        text = text.replace("<", "&lt;").replace(">", "&gt;")
    return text


def _number(v: float | int) -> str:
    if isinstance(v, int):
        return str(v)
    if math.isinf(v) or math.isnan(v):
        raise ValueError(v)
    r = repr(v)
    return r[:-2] if r.endswith(".0") else r


def _cell_tail(v: Any, s: int, date_style: Callable[[int], int], serial, serials: dict) -> str:
    """A cell's XML after its reference: ' s="4" t="inlineStr"><is>…</c>'
    ('' for a blank cell without a format)."""
    from ..layout import excel_value

    t = v.__class__
    if t is not str and t is not int and t is not Formula and t is not bool:
        v = excel_value(v)  # numpy numbers, NaN, pandas timestamps, dates, whole floats
        t = v.__class__
    if v is None:
        return f' s="{s}"/>' if s else ""
    if t is str or (t is not Formula and isinstance(v, str)):
        v = str(v)
        space = ' xml:space="preserve"' if v[:1].isspace() or v[-1:].isspace() else ""
        return f' s="{s}" t="inlineStr"><is><t{space}>{_escape(v)}</t></is></c>'
    if t is bool:
        return f' s="{s}" t="b"><v>{int(v)}</v></c>'
    if t is Formula:
        return f' s="{s}"><f>{_escape(v[1:])}</f></c>'
    if isinstance(v, (int, float)):
        return f' s="{s}"><v>{_number(v)}</v></c>'
    if isinstance(v, (datetime, date, time, timedelta)):
        number = serials.get(v)
        if number is None:
            number = serials[v] = _number(serial(v))
        return f' s="{date_style(s)}"><v>{number}</v></c>'
    return f' s="{s}" t="inlineStr"><is><t>{_escape(str(v))}</t></is></c>'


def sheet_data(
    grid: Sequence[Sequence[Any]],
    row_styles: Callable[[int], Sequence[int]],
    date_style: Callable[[int], int],
    *,
    n_rows: int | None = None,
    n_cols: int | None = None,
    heights: dict[int, float] | None = None,
    serial: Callable[[Any], float] | None = None,
    first_row: int = 1,
) -> bytes:
    """The cell data of a sheet whose rows are ``grid`` (row 1 first).

    ``row_styles(row)`` gives the format index of each cell of a row (0 =
    none); ``date_style(index)`` the index to use instead for a date in a
    cell of that format (one that shows dates).  Cells beyond the values, up
    to ``n_rows`` × ``n_cols``, are written when they have a format.
    Rows before ``first_row`` are left out (the caller has their XML).  ``heights`` maps row numbers to heights in points.
    """
    from openpyxl.utils.datetime import to_excel

    serial = serial or to_excel
    heights = heights or {}
    n_rows = max(n_rows or 0, len(grid))
    n_cols = max(n_cols or 0, max((len(r) for r in grid), default=0))
    letters = [col_letter(c) for c in range(1, n_cols + 1)]
    out: list[str] = []
    append = out.append
    serials: dict[Any, str] = {}
    caches: list[dict] = []
    last_styles = None
    for r in range(first_row, n_rows + 1):
        values = grid[r - 1] if r <= len(grid) else ()
        n_values = len(values)
        rs = str(r)
        cells = []
        add = cells.append
        styles = row_styles(r)
        if styles is not last_styles:  # a new band of rows: each cell's text is cached per column and value
            caches = [{} for _ in range(n_cols)]
            last_styles = styles
        n_styles = len(styles)
        for j in range(n_cols):
            v = values[j] if j < n_values else None
            if v is None:
                if j < n_styles and styles[j]:
                    add(f'<c r="{letters[j]}{rs}" s="{styles[j]}"/>')
                continue
            key = v if v.__class__ is str else (v.__class__, v)
            try:
                tail = caches[j][key]
            except KeyError:
                tail = caches[j][key] = _cell_tail(v, styles[j] if j < n_styles else 0, date_style, serial, serials)
            except TypeError:  # unhashable
                tail = _cell_tail(v, styles[j] if j < n_styles else 0, date_style, serial, serials)
            if tail:
                add(f'<c r="{letters[j]}{rs}"{tail}')
        h = heights.get(r)
        if h:
            append(f'<row r="{rs}" ht="{h}" customHeight="1">{"".join(cells)}</row>')
        elif cells:
            append(f'<row r="{rs}">{"".join(cells)}</row>')
    return "".join(out).encode("utf-8")
