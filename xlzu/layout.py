"""A backend-neutral description of what a sheet should look like.

The pandas core produces DataFrames; the sheet modules turn them into a
:class:`Layout` (values, style regions, merges, validations, print setup,
charts); a workbook backend renders a Layout in whole-range operations.  A
Layout knows nothing of openpyxl or xlwings, and its number of regions does
not grow with the number of rows, so a live-Excel backend can render it in a
bounded number of calls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Iterable, Sequence

import pandas as pd

from . import cells
from . import contract as C
from .fonts import BODY, HEADING, KAI

# --------------------------------------------------------------------------
# A1 references
# --------------------------------------------------------------------------
_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def col_letter(col: int) -> str:
    """1 → A, 27 → AA."""
    if col < 1:
        raise ValueError(f"column {col} < 1")
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def cell_ref(row: int, col: int) -> str:
    """(5, 3) → C5 (1-based)."""
    return f"{col_letter(col)}{row}"


def range_ref(row1: int, col1: int, row2: int, col2: int) -> str:
    if row1 == row2 and col1 == col2:
        return cell_ref(row1, col1)
    return f"{cell_ref(row1, col1)}:{cell_ref(row2, col2)}"


def parse_cell(ref: str) -> tuple[int, int]:
    """C5 → (5, 3)."""
    m = _REF.match(ref.strip().upper())
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(m.group(2)), col_number(m.group(1))


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """C5:E9 → (5, 3, 9, 5); a single cell gives a 1×1 range."""
    if ":" in ref:
        a, b = ref.split(":", 1)
        r1, c1 = parse_cell(a)
        r2, c2 = parse_cell(b)
        return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)
    r, c = parse_cell(ref)
    return r, c, r, c


# --------------------------------------------------------------------------
# Formulas
# --------------------------------------------------------------------------
class Formula(str):
    """A cell formula xlzu writes on purpose (``=SUM(…)``): the one kind of
    string a backend writes as a formula.  Every other string, whatever it
    starts with, is written as text: nothing a person typed (a 备注 of
    "==请假==" or "=1/0") ever becomes a formula.  A file backend reads a
    formula cell back as a Formula, so a formula a teacher keeps beside a
    table is written back as one."""

    __slots__ = ()


def is_text_formula(value: Any) -> bool:
    """A string that Excel would take for a formula but is text."""
    return isinstance(value, str) and not isinstance(value, Formula) and value[:1] == "="


# --------------------------------------------------------------------------
# Styles
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Style:
    """The parts of a cell style xlzu sets.  None = leave as it is."""

    font: str | None = None  # font name (xlzu.fonts: 宋体 body, 黑体 headings, 楷体 certificates)
    bold: bool | None = None
    italic: bool | None = None
    size: float | None = None
    color: str | None = None  # font colour, hex RGB
    fill: str | None = None  # background, hex RGB
    border: bool | None = None  # thin border on every side
    halign: str | None = None  # left, center, right
    vertical: bool | None = None  # characters stacked top to bottom (竖排)
    valign: str | None = "center"
    wrap: bool | None = None
    number_format: str | None = None
    outline: str | None = None  # a frame around the whole range: "double" (certificates)
    indent: int | None = None  # left indent (characters' worth, Excel's IndentLevel)


# Default look of every style key; hidden form sheets override these for the
# daily sheets and certificates (see FORM_SAMPLES).  Every key that styles
# text names its Chinese face; the keys that only colour a cell laid over
# another (star, devil, bad, warn) keep the face under them.  Nothing is
# italic: Chinese has no italic (Excel slants it by force).
_GREY = "595959"
STYLES: dict[str, Style] = {
    "title": Style(font=HEADING, bold=False, size=16, halign="center"),
    "subtitle": Style(font=BODY, size=11, halign="center"),
    # a subtitle that may be longer than the page is wide (座位表's caption): wrapped
    "subtitle_wrap": Style(font=BODY, size=11, halign="center", valign="center", wrap=True),
    # A title that starts at column A and runs right (控制台: never cut at the left).
    "title_left": Style(font=HEADING, bold=False, size=16, halign="left"),
    "category": Style(font=HEADING, bold=False, fill=C.COLOR_HEADER, border=True, halign="center", wrap=True),
    "header": Style(font=HEADING, bold=False, fill=C.COLOR_HEADER, border=True, halign="center", wrap=True),
    "text": Style(font=BODY, border=True, halign="center"),
    "left": Style(font=BODY, border=True, halign="left", wrap=True),
    "number": Style(font=BODY, border=True, halign="center", number_format="General"),
    "integer": Style(font=BODY, border=True, halign="center", number_format="0"),
    "decimal": Style(font=BODY, border=True, halign="center", number_format="0.00"),
    "date": Style(font=BODY, border=True, halign="center", number_format="yyyy-mm-dd"),
    "id": Style(font=BODY, border=True, halign="center", number_format="@"),
    "entry": Style(font=BODY, border=True, halign="center"),
    "total": Style(font=BODY, bold=True, border=True, halign="center", fill="F2F2F2", number_format="General"),
    "note": Style(font=BODY, border=True, halign="left", wrap=True),
    "sign": Style(font=BODY, size=11, halign="left", valign="bottom"),
    "hint": Style(font=BODY, italic=False, color=_GREY, halign="left"),
    "section": Style(font=HEADING, bold=False, size=12, color=C.COLOR_TITLE, halign="left"),
    "star": Style(bold=True, fill=C.COLOR_STAR),
    "devil": Style(bold=True, fill=C.COLOR_DEVIL),
    "bad": Style(fill=C.COLOR_BAD),
    "warn": Style(fill=C.COLOR_WARN),
    "big": Style(font=HEADING, bold=False, size=28, halign="center"),
    "huge": Style(font=HEADING, bold=False, size=40, halign="center", color="C00000"),
    "seat": Style(font=BODY, border=True, halign="center", wrap=True, size=11),
    # The body of a certificate (荣誉证书): 楷体, large, left-aligned, wrapped.
    "cert": Style(font=KAI, size=20, halign="left", valign="top", wrap=True),
    # A value kept in a cell for the program but not shown or printed
    # (the ISO date of a daily form: its long date is in the subtitle).
    "hidden": Style(valign=None, number_format=";;;"),
    # A paragraph of 规则说明: left, from the top, wrapped.
    "rule": Style(font=BODY, halign="left", valign="top", wrap=True),
    # Wrap long text inside the cell (laid over another key).
    "wrap": Style(wrap=True),
    # A header whose characters stand one under another (narrow columns).
    "vheader": Style(font=HEADING, bold=False, fill=C.COLOR_HEADER, border=True, halign="center", vertical=True),
    # 周排名-小组 as an announcement: large type, fitted to a landscape page
    "board_title": Style(font=HEADING, bold=True, size=30, halign="center", color=C.COLOR_TITLE),
    "board_subtitle": Style(font=BODY, size=16, halign="center"),
    "board_banner": Style(font=HEADING, bold=True, size=20, halign="center", color="C00000"),
    "board_header": Style(font=HEADING, bold=True, size=16, fill=C.COLOR_HEADER, border=True, halign="center", wrap=True),
    "board_cell": Style(font=BODY, size=20, border=True, halign="center"),
    "board_total": Style(font=HEADING, bold=True, size=22, border=True, halign="center"),
    "board_note": Style(font=BODY, size=11, halign="left", wrap=True, color="595959"),
    "board_sign": Style(font=BODY, size=14, halign="left", valign="bottom"),
    # 荣誉证书: a framed page
    "cert_frame": Style(outline="double", valign=None),
    "cert_salute": Style(font=KAI, bold=True, size=20, halign="left", valign="bottom"),
    "cert_body": Style(font=KAI, size=18, halign="left", valign="center", wrap=True, indent=2),
    "cert_members": Style(font=KAI, size=16, halign="left", valign="top", wrap=True, indent=2),
    "cert_sign": Style(font=KAI, size=16, halign="center", valign="bottom"),
    # a long note under a section title, wrapped (Stack.hint)
    "hint_wrap": Style(font=BODY, color="808080", halign="left", valign="top", wrap=True),
    # a line kept for the teacher only (individual ranks, exam figures)
    "private": Style(font=BODY, bold=True, size=10, color="C00000", halign="right"),
}
# Type sizes laid over another style: the hidden forms' samples (五号 10.5 pt
# tables, 18 pt titles) and a daily form that needs smaller type to fit.
SIZE_STYLES = {f"size{size:g}": Style(size=size) for size in (10, 10.5, 12, 14, 18)}
STYLES.update(SIZE_STYLES)
#: Keys that only colour, embolden or frame a cell they are laid over.
OVERLAY_STYLES = frozenset({"star", "devil", "bad", "warn", "wrap", "hidden", "cert_frame", *SIZE_STYLES})

# Where each style key is sampled on a hidden form sheet.  A school restyles
# these cells and every generated daily sheet / certificate follows.
FORM_SAMPLES: dict[str, str] = {
    "title": "A1",
    "subtitle": "A2",
    "category": "D3",
    "header": "A4",
    "text": "A5",
    "left": "C5",
    "entry": "D5",
    "total": "F5",
    "note": "G5",
    "sign": "A8",
    "hint": "A9",
    "big": "A11",
    "huge": "A12",
    "cert": "A13",
    "vheader": "E4",
}


# --------------------------------------------------------------------------
# Validation, print setup, charts
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Validation:
    """Excel data validation on a range.

    kind: ``list`` (values), ``whole`` / ``decimal`` (minimum..maximum),
    ``custom`` (formula, written for the top-left cell of ``ref``),
    ``textLength``.
    """

    ref: str
    kind: str
    values: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    formula: str | None = None
    prompt_title: str = ""
    prompt: str = ""
    error_title: str = "输入有误"
    error: str = ""
    allow_blank: bool = True


@dataclass(frozen=True)
class PrintSetup:
    """Print settings; a None field keeps what the sheet (or its form) has."""

    orientation: str | None = "portrait"  # or landscape
    paper: str | None = "A4"
    fit_width: int = 1  # pages wide (0 = automatic)
    fit_height: int = 1  # pages tall (0 = automatic)
    title_rows: str | None = None  # e.g. "1:4", repeated on every page
    area: str | None = None  # print area, e.g. "A1:H20"; default: the layout's used range
    # A print area in the sheet's own cells, not moved with the layout's anchor (a table written
    # below a sheet's top part that prints with it: 控制台's 运行记录); overrides ``area``.
    sheet_area: str | None = None
    margins: tuple[float, float, float, float] | None = (0.6, 0.5, 0.6, 0.5)  # top, right, bottom, left (inches)
    center_horizontally: bool | None = True
    center_vertically: bool | None = False
    footer: str | None = None  # centre footer text (&P page, &N pages)
    header: str | None = None  # centre header text (a title for a sheet whose first row is its table header)
    header_right: str | None = None  # right header text, e.g. 仅供班主任留存


@dataclass(frozen=True)
class ChartSpec:
    """A native line chart over a block of the same sheet.

    ``data`` includes one header row (series names); ``categories`` is the
    column of x labels next to it, without header.
    """

    kind: str
    title: str
    data: str
    categories: str
    anchor: str
    x_title: str = ""
    y_title: str = ""
    width_cm: float = 24
    height_cm: float = 11
    markers: bool = True  # a dot on every value: one week already shows
    smooth: bool = False  # straight segments (a smoothed line overshoots the values)
    y_min: float | None = None  # the value axis starts here (None: the application's choice)
    y_max: float | None = None


@dataclass
class Layout:
    """What one sheet should look like.  ``rows`` start at A1."""

    rows: list[list[Any]] = field(default_factory=list)
    styles: list[tuple[str, str]] = field(default_factory=list)  # (range, style key), applied in order
    merges: list[str] = field(default_factory=list)
    validations: list[Validation] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)  # column number → width (characters)
    heights: dict[int, float | None] = field(default_factory=dict)  # row number → height (points; None: the default)
    freeze: str | None = None  # top-left cell of the unfrozen pane, e.g. "A2"
    print: PrintSetup | None = None
    charts: list[ChartSpec] = field(default_factory=list)
    autofilter: str | None = None
    tab_color: str | None = None
    page_breaks: list[int] = field(default_factory=list)  # a manual page break below each of these rows

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def grid(self) -> list[list[Any]]:
        """Rows padded to a rectangle, values made Excel-safe."""
        width = self.n_cols
        return [[excel_value(v) for v in row] + [None] * (width - len(row)) for row in self.rows]

    def style(self, ref: str, key: str) -> None:
        if key not in STYLES:
            raise KeyError(f"unknown style {key!r}")
        self.styles.append((ref, key))

    def used_ref(self) -> str:
        return range_ref(1, 1, max(self.n_rows, 1), max(self.n_cols, 1))


def placeholder_layout(title: str, hint: str) -> Layout:
    """A sheet that has nothing yet: its title and what fills it."""
    layout = Layout(rows=[[title], [hint]])
    layout.style("A1", "title")
    layout.style("A2", "hint")
    layout.widths = {1: 60}
    return layout


def excel_value(value: Any) -> Any:
    """A value both backends write as-is: None for blanks/NaN, plain Python
    numbers, datetimes for dates, strings otherwise (:func:`xlzu.cells.plain`)."""
    return cells.plain(value)


# --------------------------------------------------------------------------
# DataFrame → Layout
# --------------------------------------------------------------------------
def table_layout(
    df: pd.DataFrame,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    column_styles: dict[str, str] | None = None,
    widths: dict[str, float] | None = None,
    validations: Iterable[tuple[str, Validation]] = (),
    highlights: Iterable[tuple[int, str]] = (),
    print_setup: PrintSetup | None = None,
    freeze: bool = True,
    autofilter: bool = False,
    row_styles: Iterable[tuple[int, str]] = (),
) -> Layout:
    """A styled table: optional title rows, a header row, one row per record.

    ``column_styles`` maps a column to a style key (default ``text``; numbers
    get ``number``).  ``validations`` are (column, Validation-without-ref)
    pairs applied to the column's data cells plus some spare rows for typing.
    ``highlights`` are (row position in df, column) cells coloured as bad.
    ``row_styles`` are (row position, style key) pairs laid over whole rows.
    """
    layout = Layout()
    columns = [str(c) for c in df.columns]
    width = max(len(columns), 1)
    if title is not None:
        layout.rows.append([title] + [None] * (width - 1))
        layout.merges.append(range_ref(1, 1, 1, width))
        layout.style(range_ref(1, 1, 1, width), "title")
        layout.heights[1] = 28
    if subtitle is not None:
        r = len(layout.rows) + 1
        layout.rows.append([subtitle] + [None] * (width - 1))
        layout.merges.append(range_ref(r, 1, r, width))
        layout.style(range_ref(r, 1, r, width), "subtitle")
    header_row = len(layout.rows) + 1
    layout.rows.append(columns)
    layout.style(range_ref(header_row, 1, header_row, width), "header")
    first = header_row + 1
    layout.rows.extend(map(list, df.itertuples(index=False, name=None)))
    last = header_row + len(df)
    column_styles = column_styles or {}
    if len(df):
        for j, name in enumerate(columns, start=1):
            key = column_styles.get(name)
            if key is None:
                key = "number" if pd.api.types.is_numeric_dtype(df.iloc[:, j - 1].dtype) and not pd.api.types.is_bool_dtype(df.iloc[:, j - 1].dtype) else "text"
            layout.style(range_ref(first, j, last, j), key)
    for pos, key in row_styles:
        r = first + pos
        layout.style(range_ref(r, 1, r, width), key)
    for pos, name in highlights:
        j = columns.index(name) + 1
        layout.style(cell_ref(first + pos, j), "bad")
    spare = max(last, first) + 20
    for name, v in validations:
        j = columns.index(name) + 1
        layout.validations.append(replace(v, ref=range_ref(first, j, spare, j)))
    for j, name in enumerate(columns, start=1):
        given = (widths or {}).get(name)
        layout.widths[j] = given if given is not None else _auto_width(name, df.iloc[:500, j - 1] if len(df) else ())
    if freeze:
        layout.freeze = cell_ref(first, 1)
    if autofilter and len(df):
        layout.autofilter = range_ref(header_row, 1, last, width)
    layout.print = print_setup
    return layout


def _display_width(text: str) -> float:
    return sum(2.0 if ord(ch) > 0x2E80 else 1.1 for ch in text)


def _auto_width(header: str, values: Sequence[Any] | pd.Series) -> float:
    widest = _display_width(header)
    for v in list(values)[:500]:
        v = excel_value(v)
        if v is None:
            continue
        text = v.strftime("%Y-%m-%d") if isinstance(v, datetime) else str(v)
        widest = max(widest, _display_width(text))
    return float(min(max(widest + 2, 6), 60))


# --------------------------------------------------------------------------
# Reading tables back
# --------------------------------------------------------------------------
def find_row(values: list[list[Any]], first_cell: str, *, column: int = 1, start: int = 0) -> int | None:
    """Index (0-based) of the first row at or after ``start`` whose cell in
    ``column`` (1-based) equals ``first_cell`` after stripping spaces."""
    for i in range(start, len(values)):
        row = values[i]
        if len(row) >= column and clean_text(row[column - 1]) == first_cell:
            return i
    return None


def clean_text(value: Any) -> str:
    """Cell value as stripped text ('' for blanks); 3.0 → '3' (:func:`xlzu.cells.text`)."""
    return cells.text(value)


def _is_blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v)


def frame_from_values(
    values: list[list[Any]],
    *,
    header_row: int = 0,
    first_col: int = 1,
    n_cols: int | None = None,
    stop_at_blank_row: bool = True,
) -> pd.DataFrame:
    """A DataFrame (object dtype, blanks as None) from a block of cell values.

    ``header_row`` is a 0-based index into ``values``; columns run from
    ``first_col`` (1-based) to the last non-blank header (or ``n_cols``).
    Reading stops at the first blank row (or skips blank rows).  The result
    keeps each row's Excel row number in column ``_row`` so messages can
    name cells.
    """
    if header_row >= len(values):
        return pd.DataFrame({"_row": pd.Series(dtype="int64")})
    header = values[header_row][first_col - 1 :]
    if n_cols is None:
        n_cols = 0
        for k, h in enumerate(header):
            if clean_text(h) == "":
                break
            n_cols = k + 1
    names = [clean_text(h) for h in header[:n_cols]] + [""] * max(0, n_cols - len(header))
    start, stop = first_col - 1, first_col - 1 + n_cols
    block = []
    for row in values[header_row + 1 :]:
        cells = list(row[start:stop])
        if len(cells) < n_cols:
            cells += [None] * (n_cols - len(cells))
        block.append(cells)
    rows = pd.Series(range(header_row + 2, header_row + 2 + len(block)), dtype="int64")
    if not block or n_cols == 0:
        frame = pd.DataFrame({n: pd.Series(dtype=object) for n in names})
        frame["_row"] = pd.Series(dtype="int64")
        return frame
    frame = pd.DataFrame(block, columns=range(n_cols), dtype=object)
    blank = pd.Series([all(_is_blank(v) for v in cells) for cells in block])
    if stop_at_blank_row and blank.any():
        cut = int(blank.to_numpy().argmax())
        keep = pd.Series([i < cut for i in range(len(block))])
    else:
        keep = ~blank
    frame = frame.loc[keep.to_numpy()].reset_index(drop=True)
    frame = frame.astype(object).where(frame.notna(), None)
    frame.columns = names
    frame["_row"] = rows.loc[keep.to_numpy()].reset_index(drop=True)
    return frame


def column_index(frame: pd.DataFrame, name: str, first_col: int = 1) -> int:
    """1-based Excel column of ``name`` in a frame built by frame_from_values."""
    cols = [c for c in frame.columns if c != "_row"]
    return first_col + cols.index(name)
