"""控制台 on paper: its columns, its page, and the 运行记录 rows sized to
their wrapped messages.

控制台 prints as one portrait A4 page, fitted to the page: the title, the
help lines (or the buttons of the .xlsm) and the 运行记录 table, the newest
run first.  A message longer than the 消息 column wraps inside its cell and
its row is as tall as its lines (no row grows by itself in print).  The page
holds the newest runs whose rows fit at about :data:`MIN_SCALE` of their
size; older runs stay on the sheet, below the print area.
"""

from __future__ import annotations

from . import contract as C
from . import paper
from .layout import PrintSetup, range_ref

LOG_LABEL = "运行记录"  # the section title above the table (both the .xlsx and the .xlsm console)
#: Column widths of 时间, 操作, 消息 (the .xlsm's buttons span 时间 and 操作).
WIDTHS = {1: 17, 2: 12, 3: 72}
SIZE = 11  # the messages' type size (the workbook's default)
ONE_LINE = 15.0  # points: a row of one line of 11-pt text
TITLE_ROW = 28.0
MARGINS = (0.6, 0.5, 0.6, 0.5)
MIN_SCALE = 0.75  # the page is never printed smaller than this


def message_lines(text: object) -> int:
    """Lines the message ``text`` takes in the 消息 column."""
    if text is None or str(text) == "":
        return 1
    return paper.lines_needed(str(text), SIZE, WIDTHS[3] * paper.PT_PER_UNIT)


def row_height(lines: int) -> float:
    return ONE_LINE if lines <= 1 else float(paper.row_pt(lines, SIZE))


def _width_pt() -> float:
    return sum(WIDTHS.values()) * paper.PT_PER_UNIT


def page_budget() -> float:
    """Points of sheet rows one page holds at :data:`MIN_SCALE` (or at the
    scale the columns need, if smaller)."""
    width, height = paper.printable("portrait", MARGINS)
    scale = min(MIN_SCALE, width / _width_pt())
    return height / scale


def top_height() -> float:
    """Points above the 运行记录 table's first row: title, help lines, header."""
    return TITLE_ROW + (C.CONSOLE_MESSAGES_ROW - 1) * ONE_LINE


def printed_rows(runs_heights: list[list[float]]) -> int:
    """How many 运行记录 rows (below the header) the page holds: whole runs,
    newest first, while they fit; at least the newest run's first rows."""
    room = page_budget() - top_height()
    used, rows = 0.0, 0
    for k, run in enumerate(runs_heights):
        if used + sum(run) > room:
            if k == 0:  # the newest run alone is longer than a page: its first rows
                for h in run:
                    if used + h > room:
                        break
                    used += h
                    rows += 1
            break
        used += sum(run)
        rows += len(run)
    return rows


def print_setup(last_row: int) -> PrintSetup:
    """控制台's page: one portrait page, A1 to ``last_row`` (a sheet row)."""
    return PrintSetup(orientation="portrait", fit_width=1, fit_height=1, margins=MARGINS,
                      center_horizontally=True, sheet_area=range_ref(1, 1, max(last_row, 1), 3))
