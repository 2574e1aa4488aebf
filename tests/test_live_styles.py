"""The live backend renders style regions in few calls (shared borders and
alignment per block, fills batched, regions of one key merged); what Excel
shows must be what applying every region one by one, in order, shows.

Random regions of random style keys are written through LiveBook on xlwings'
remote engine; the recorded actions are replayed (tests/remote.py models
fills, borders and vertical alignment per cell) and compared with a plain
cell-by-cell application of the same regions.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from remote import payload, remote_book, replay
from xlzu import contract as C
from xlzu.book.live import LiveBook
from xlzu.layout import STYLES, Layout, parse_range, range_ref

KEYS = sorted(STYLES)
ROWS, COLS = 14, 7


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> dict:
    from xlzu import new_class
    from xlzu.demo import demo_roster_path

    path: Path = tmp_path_factory.mktemp("styles") / "班级.xlsx"
    new_class(path, demo_roster_path())
    return payload(path)


@st.composite
def regions(draw) -> list[tuple[str, str]]:
    out = []
    for _ in range(draw(st.integers(1, 14))):
        r1, c1 = draw(st.integers(1, ROWS)), draw(st.integers(1, COLS))
        r2 = draw(st.integers(r1, min(ROWS, r1 + draw(st.sampled_from([0, 0, 1, 4, 13])))))
        c2 = draw(st.integers(c1, min(COLS, c1 + draw(st.sampled_from([0, 1, 6])))))
        out.append((range_ref(r1, c1, r2, c2), draw(st.sampled_from(KEYS))))
    return out


def tables() -> st.SearchStrategy:
    """Stacked tables as the summary sheets make them: a title line, a
    section cell, a header row, one region per column, a highlighted row."""

    @st.composite
    def build(draw) -> list[tuple[str, str]]:
        out, row = [], 1
        out.append((range_ref(row, 1, row, COLS), "title"))
        row += 2
        while row + 3 <= ROWS:
            out.append((range_ref(row, 1, row, 1), "section"))
            width = draw(st.integers(2, COLS))
            n = draw(st.integers(1, min(5, ROWS - row - 1)))
            out.append((range_ref(row + 1, 1, row + 1, width), "header"))
            mark = draw(st.integers(0, n - 1))
            out.append((range_ref(row + 2 + mark, 1, row + 2 + mark, width), draw(st.sampled_from(["star", "devil", "bad"]))))
            for c in range(1, width + 1):
                out.append((range_ref(row + 2, c, row + 1 + n, c), draw(st.sampled_from(["text", "left", "id", "total", "entry"]))))
            row += n + 3
        return out

    return build()


def one_by_one(rs: list[tuple[str, str]]) -> tuple[set, dict, dict]:
    borders, valigns, fills = set(), {}, {}
    for ref, key in rs:
        style = STYLES[key]
        r1, c1, r2, c2 = parse_range(ref)
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if style.border or (style.outline and (r in (r1, r2) or c in (c1, c2))):  # a frame: its edge cells
                    borders.add((r, c))
                if style.valign:
                    valigns[(r, c)] = style.valign
                if style.fill:
                    fills[(r, c)] = style.fill.upper()
    return borders, valigns, fills


def check(data: dict, rs: list[tuple[str, str]]) -> int:
    xl = remote_book(data)
    layout = Layout()
    layout.styles = list(rs)
    LiveBook(xl).write_layout(C.WEEK_PEOPLE, layout)
    actions = xl.json()["actions"]
    sheet = replay(data, actions)[C.WEEK_PEOPLE]
    borders, valigns, fills = one_by_one(rs)
    assert sheet.borders == borders
    assert sheet.valigns == valigns
    assert sheet.fills == fills
    return len(actions)


@hsettings(max_examples=150, deadline=None)
@given(rs=regions())
def test_random_regions_look_as_if_applied_one_by_one(data, rs):
    check(data, rs)


@hsettings(max_examples=60, deadline=None)
@given(rs=tables())
def test_stacked_tables_look_as_if_applied_one_by_one(data, rs):
    check(data, rs)


def test_stacked_tables_share_one_border_and_alignment_call_per_table(data):
    """Two tables under section titles: each table's border is one call
    (12 actions: six edges × style and colour), the alignment one per table."""
    rs = [("A1:E1", "title"), ("A3", "section"), ("A4:E4", "header"), ("A5:A9", "text"), ("B5:E9", "total"),
          ("A11", "section"), ("A12:C12", "header"), ("A13:C14", "left")]
    xl = remote_book(data)
    layout = Layout()
    layout.styles = rs
    LiveBook(xl).write_layout(C.WEEK_PEOPLE, layout)
    check(data, rs)
    borders = [a for a in xl.json()["actions"] if a["func"] == "setBorderProperty"]
    boxes = {(a["start_row"], a["start_column"], a["row_count"], a["column_count"]) for a in borders}
    assert boxes == {(3, 0, 6, 5), (11, 0, 3, 3)} and len(borders) == 24
