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

from .cellread import Formula

_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def _letters(col: int) -> str:
    s = ""
    while col:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return s


def _escape(text: str) -> str:
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _number(v: float | int) -> str:
    if isinstance(v, int):
        return str(v)
    if math.isinf(v) or math.isnan(v):
        raise ValueError(v)
    r = repr(v)
    return r[:-2] if r.endswith(".0") else r


def sheet_data(
    grid: Sequence[Sequence[Any]],
    row_styles: Callable[[int], Sequence[int]],
    date_style: Callable[[int], int],
    *,
    n_rows: int | None = None,
    n_cols: int | None = None,
    heights: dict[int, float] | None = None,
    serial: Callable[[Any], float] | None = None,
) -> bytes:
    """The cell data of a sheet whose rows are ``grid`` (row 1 first).

    ``row_styles(row)`` gives the format index of each cell of a row (0 =
    none); ``date_style(index)`` the index to use instead for a date in a
    cell of that format (one that shows dates).  Cells beyond the values, up
    to ``n_rows`` × ``n_cols``, are written when they have a format.  ``heights`` maps row numbers to heights in points.
    """
    from openpyxl.utils.datetime import to_excel

    serial = serial or to_excel
    heights = heights or {}
    n_rows = max(n_rows or 0, len(grid))
    n_cols = max(n_cols or 0, max((len(r) for r in grid), default=0))
    letters = [_letters(c) for c in range(1, n_cols + 1)]
    out: list[str] = []
    append = out.append
    for r in range(1, n_rows + 1):
        values = grid[r - 1] if r <= len(grid) else ()
        rs = str(r)
        cells = []
        add = cells.append
        styles = row_styles(r)
        for j in range(n_cols):
            v = values[j] if j < len(values) else None
            s = styles[j] if j < len(styles) else 0
            sa = f' s="{s}"' if s else ""
            ref = letters[j] + rs
            if v is None:
                if s:
                    add(f'<c r="{ref}"{sa}/>')
                continue
            t = type(v)
            if t is str:
                text = _escape(v)
                space = ' xml:space="preserve"' if v != v.strip() else ""
                add(f'<c r="{ref}"{sa} t="inlineStr"><is><t{space}>{text}</t></is></c>')
            elif t is int or t is float:
                add(f'<c r="{ref}"{sa}><v>{_number(v)}</v></c>')
            elif t is bool:
                add(f'<c r="{ref}"{sa} t="b"><v>{int(v)}</v></c>')
            elif t is Formula:
                add(f'<c r="{ref}"{sa}><f>{_escape(v[1:])}</f></c>')
            elif isinstance(v, (datetime, date, time, timedelta)):
                s = date_style(s)
                sa = f' s="{s}"' if s else ""
                add(f'<c r="{ref}"{sa}><v>{_number(serial(v))}</v></c>')
            elif isinstance(v, str):
                text = _escape(str(v))
                space = ' xml:space="preserve"' if v != v.strip() else ""
                add(f'<c r="{ref}"{sa} t="inlineStr"><is><t{space}>{text}</t></is></c>')
            elif isinstance(v, (int, float)):
                add(f'<c r="{ref}"{sa}><v>{_number(v)}</v></c>')
            else:
                text = _escape(str(v))
                add(f'<c r="{ref}"{sa} t="inlineStr"><is><t>{text}</t></is></c>')
        h = heights.get(r)
        ha = f' ht="{h}" customHeight="1"' if h else ""
        if cells or ha:
            append(f'<row r="{rs}"{ha}>{"".join(cells)}</row>')
    return "".join(out).encode("utf-8")
