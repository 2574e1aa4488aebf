"""The workbook protocol every backend fills in.

A backend reads a sheet's values in one call and renders a whole
:class:`~xlzu.layout.Layout` in a bounded number of calls.  Everything above
this layer (the operations, the CLI, the Excel buttons) speaks only this
protocol; nothing outside ``xlzu.book`` imports openpyxl or xlwings.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable, Sequence

import pandas as pd

from .. import console
from .. import contract as C
from ..errors import CellProblem, SheetMissing
from ..layout import Layout, frame_from_values, parse_cell, range_ref


NAME_CHUNK = 255  # longest string literal Excel accepts in a formula


@dataclass
class TableEnd:
    """A long sheet's edges, found without reading its rows (see
    :meth:`Book.table_end`): enough to add rows below the last one."""

    top: list[list[Any]]  # the values of its first rows, as read_values gives them
    last_row: int  # the last row holding a value (1-based; 0: the sheet is empty)
    # (0-based column, 1-based row) -> every distinct value of that column
    # below that row, as read_values gives them; None when a cell cannot be
    # told without reading the sheet
    distinct: Callable[[int, int], list[Any] | None]


class Book(ABC):
    """One class workbook, opened by some backend."""

    #: "file" (openpyxl) or "live" (xlwings)
    kind: str = ""

    # ---- what a backend implements -------------------------------------
    @property
    @abstractmethod
    def name(self) -> str:
        """File name of the workbook, for messages."""

    @abstractmethod
    def sheet_names(self) -> list[str]:
        """All sheets, in order, hidden ones included."""

    @abstractmethod
    def read_values(self, sheet: str) -> list[list[Any]]:
        """Every value from A1 to the last used cell, in one call.  Blank
        cells are None; dates are datetimes; formulas give their text
        (files) or their computed value (live Excel)."""

    @abstractmethod
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
        """Render ``layout`` on ``sheet``, creating it where the contract
        places it if missing.

        ``clear="sheet"`` replaces everything on the sheet; ``clear="below"``
        keeps what is above ``anchor``'s row (buttons on 控制台) and replaces
        the rest.  ``form`` names a hidden form sheet: the sheet is made as a
        copy of it (print setup, header/footer, fonts) and style keys are
        taken from the form's sample cells.  Every reference inside the
        layout (styles, merges, validations, rows, print titles) is relative
        to ``anchor``; column widths are absolute.
        """

    @abstractmethod
    def delete_sheet(self, sheet: str) -> None:
        """Remove a sheet if it exists."""

    @abstractmethod
    def highlight(self, sheet: str, refs: Sequence[str], color: str | None = C.COLOR_BAD) -> None:
        """Colour the given cells (all at once); ``color=None`` removes the fill."""

    @abstractmethod
    def set_hidden(self, sheet: str, hidden: bool) -> None:
        """Hide or show a sheet."""

    @abstractmethod
    def save(self) -> None:
        """Make the changes permanent (files: atomic replace with a backup)."""

    @abstractmethod
    def read_name(self, name: str) -> str | None:
        """The text constant stored in workbook-level defined name ``name``."""

    @abstractmethod
    def write_name(self, name: str, value: str | None) -> None:
        """Store (or with None remove) a text constant as a defined name."""

    def alert(self, message: str, title: str = "xlzu") -> None:
        """Show a message box (live Excel only; files have no screen)."""

    def table_end(self, sheet: str, *, top: int = 20) -> TableEnd | None:
        """The edges of a long table on ``sheet`` (its first ``top`` rows, its
        last used row, the distinct values of a column), at a fraction of
        what reading the sheet costs; None where this backend cannot tell
        them more cheaply than :meth:`read_values` (live Excel reads a whole
        sheet in one call) or the sheet is not laid out simply enough.
        After a write to the sheet in this run it is None as well."""
        return None

    def append_rows(self, sheet: str, first_row: int, rows: Sequence[Sequence[Any]],
                    styles: Sequence[Sequence[str]], widths: dict[int, float] | None = None) -> None:
        """Write ``rows`` (values from column A) on ``sheet`` from row
        ``first_row`` down, below its last used row as :meth:`table_end`
        found it, each column in the cell format of its style keys
        (``styles[j]``, laid over a blank cell in order), a column narrower
        than ``widths[j]`` widened to it; the rows above are neither read
        nor written again.  Only after :meth:`table_end` gave the sheet's
        edges."""
        raise NotImplementedError(f"{type(self).__name__} does not add rows to a sheet it has not read")

    # ---- shared helpers --------------------------------------------------
    def has_sheet(self, sheet: str) -> bool:
        return sheet in self.sheet_names()

    def require(self, *sheets: str, hint: str = "") -> None:
        names = set(self.sheet_names())
        for sheet in sheets:
            if sheet not in names:
                raise SheetMissing(sheet, hint)

    def read_table(
        self,
        sheet: str,
        *,
        header_cell: str | None = None,
        header_text: str | None = None,
        n_cols: int | None = None,
        stop_at_blank_row: bool = False,
        values: list[list[Any]] | None = None,
    ) -> pd.DataFrame:
        """A table on ``sheet`` as a DataFrame of raw cell values (object
        dtype) plus ``_row``, the Excel row number of each record.

        The header is found at ``header_cell`` or, with ``header_text``, in
        the first row whose column A says ``header_text``; default A1.  The
        table runs to the last used row (blank rows skipped).  The declared
        tables of the contract are read with :func:`xlzu.schema.read`.
        """
        self.require(sheet)
        if values is None:
            values = self.read_values(sheet)
        row, col = 1, 1
        if header_cell:
            row, col = parse_cell(header_cell)
        elif header_text is not None:
            for i, r in enumerate(values):
                if r and isinstance(r[0], str) and r[0].strip() == header_text:
                    row = i + 1
                    break
        return frame_from_values(values, header_row=row - 1, first_col=col, n_cols=n_cols, stop_at_blank_row=stop_at_blank_row)

    def mark(self, problems: Iterable[CellProblem]) -> None:
        """Highlight every problem cell (one call per sheet) and remember
        them, so a later successful run can clear exactly these cells."""
        by_sheet: dict[str, list[str]] = {}
        for p in problems:
            if p.cell and self.has_sheet(p.sheet):
                by_sheet.setdefault(p.sheet, []).append(p.cell)
        for sheet, refs in by_sheet.items():
            self.highlight(sheet, refs)
        marks = self.get_marks() + [(s, r) for s, refs in by_sheet.items() for r in refs]
        self._store_marks(marks)

    def get_marks(self) -> list[tuple[str, str]]:
        """Cells highlighted by an earlier run, as (sheet, ref)."""
        text = self.read_name(C.MARKS_NAME) or ""
        marks = []
        for part in text.split(";"):
            if "!" in part:
                sheet, ref = part.rsplit("!", 1)
                marks.append((sheet, ref))
        return marks

    def unmark(self, marks: Sequence[tuple[str, str]]) -> None:
        """Remove the highlight from cells an earlier run marked."""
        by_sheet: dict[str, list[str]] = {}
        names = set(self.sheet_names())
        for sheet, ref in marks:
            if sheet in names:
                by_sheet.setdefault(sheet, []).append(ref)
        for sheet, refs in by_sheet.items():
            self.highlight(sheet, refs, color=None)
        self._store_marks([])

    def _store_marks(self, marks: Sequence[tuple[str, str]]) -> None:
        unique = list(dict.fromkeys(marks))[: C.MARKS_MAX]
        self.write_name(C.MARKS_NAME, ";".join(f"{s}!{r}" for s, r in unique) or None)

    def log(self, operation: str, lines: Sequence[str], *, when: datetime | None = None) -> None:
        """Write a run's messages on 控制台 below the buttons, above those of
        the runs before it (the last :data:`C.CONSOLE_RUNS` runs are kept,
        at most :data:`C.CONSOLE_MAX_LINES` lines in all)."""
        if not self.has_sheet(C.CONSOLE):
            return
        stamp = (when or datetime.now()).strftime("%Y-%m-%d %H:%M")
        shown = list(lines)[: C.CONSOLE_MAX_LINES] or ["完成。"]
        runs = [[[stamp if i == 0 else None, operation if i == 0 else None, line] for i, line in enumerate(shown)]]
        used = len(shown)
        values = self.read_values(C.CONSOLE)
        earlier = values[C.CONSOLE_MESSAGES_ROW :]
        for run in earlier_runs(values):
            if len(runs) >= C.CONSOLE_RUNS or used + len(run) > C.CONSOLE_MAX_LINES:
                break
            runs.append(run)
            used += len(run)
        layout = Layout()
        layout.rows.append(list(C.CONSOLE_COLUMNS))
        for run in runs:
            layout.rows += run
        top = C.CONSOLE_MESSAGES_ROW
        layout.style(range_ref(1, 1, 1, 3), "header")
        layout.style(range_ref(2, 3, used + 1, 3), "left")
        layout.style(range_ref(2, 1, used + 1, 2), "text")
        layout.widths = dict(console.WIDTHS)
        # each row as tall as its wrapped message; rows the runs before reached are reset
        heights = [[console.row_height(console.message_lines(row[2])) for row in run] for run in runs]
        below = max(len(earlier), used)
        flat = [h for run in heights for h in run] + [console.ONE_LINE] * (below - used)
        if self.kind == "file":
            # A file's rows keep the height they are given; live Excel fits a wrapped row to its
            # text as it is written (and a height per row would cost calls that grow with the text).
            # A one-line row gets no height of its own (None): Excel may fit it later.
            layout.heights = {2 + i: (h if h > console.ONE_LINE else None) for i, h in enumerate(flat)}
        # one page: the title, the help lines and the newest runs that fit
        layout.print = console.print_setup(top + console.printed_rows(heights))
        self.write_layout(C.CONSOLE, layout, anchor=f"A{top}", clear="below")


def earlier_runs(values: list[list[Any]]) -> list[list[list[Any]]]:
    """The runs logged on 控制台 (newest first): each a list of [time,
    operation, message] rows, a run starting at a row with its time."""
    runs: list[list[list[Any]]] = []
    for row in values[C.CONSOLE_MESSAGES_ROW :]:
        cells = (list(row) + [None, None, None])[:3]
        if isinstance(cells[0], datetime):
            cells[0] = cells[0].strftime("%Y-%m-%d %H:%M")
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
            continue
        if cells[0] not in (None, "") or not runs:
            runs.append([])
        runs[-1].append(cells)
    return runs


def encode_text_formula(text: str) -> str:
    """A defined name's formula holding ``text``: ``="…"``, split into
    ``"…"&"…"`` pieces because Excel refuses string literals over 255
    characters."""
    pieces = [text[i : i + NAME_CHUNK] for i in range(0, len(text), NAME_CHUNK)] or [""]
    return "=" + "&".join('"' + p.replace('"', '""') + '"' for p in pieces)


def decode_text_formula(formula: str) -> str:
    """Inverse of :func:`encode_text_formula` (also reads a plain ``="…"``)."""
    body = formula[1:] if formula.startswith("=") else formula
    out: list[str] = []
    i, n = 0, len(body)
    while i < n:
        if body[i] != '"':
            i += 1  # the & between pieces, or spaces
            continue
        i += 1
        piece: list[str] = []
        while i < n:
            if body[i] == '"':
                if i + 1 < n and body[i + 1] == '"':
                    piece.append('"')
                    i += 2
                    continue
                i += 1
                break
            piece.append(body[i])
            i += 1
        out.append("".join(piece))
    return "".join(out) if out else body
