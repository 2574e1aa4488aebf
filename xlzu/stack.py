"""Sheets made of several blocks stacked downwards: a title, sections, tables.

The summary sheets (月度评价, 综合评价, 期末评优) hold more than one table;
:class:`Stack` lays them out one below the other in a single
:class:`~xlzu.layout.Layout`, with a bounded number of style regions per
table (whole column ranges, never one region per row).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

import pandas as pd

import math

from .layout import STYLES, Layout, Validation, _auto_width, _display_width, cell_ref, range_ref

LINE_HEIGHT = 14.5  # points a line of 11-pt text needs


class Stack:
    """Build a Layout top-down.  ``width`` is the number of columns titles
    and notes span."""

    def __init__(self, width: int):
        self.layout = Layout()
        self.width = max(width, 1)

    @property
    def row(self) -> int:
        """The next free row (1-based)."""
        return len(self.layout.rows) + 1

    def line(self, text: str, style: str, *, merge: bool = True, height: float | None = None) -> int:
        r = self.row
        self.layout.rows.append([text])
        ref = range_ref(r, 1, r, self.width)
        if merge and self.width > 1:
            self.layout.merges.append(ref)
        self.layout.style(ref if merge else cell_ref(r, 1), style)
        if height:
            self.layout.heights[r] = height
        return r

    def title(self, text: str) -> int:
        return self.line(text, "title", height=28)

    def subtitle(self, text: str) -> int:
        return self.line(text, "subtitle")

    def section(self, text: str) -> int:
        return self.line(text, "section", merge=False)

    def hint(self, text: str) -> int:
        """A note under a section title; a long one wraps over as many lines
        as the widths of the columns below it need."""
        width = sum(self.layout.widths.get(j, 8.43) for j in range(1, self.width + 1))
        lines = math.ceil(_display_width(text) / max(width - 2, 1))
        if lines <= 1 or self.width == 1:
            return self.line(text, "hint")
        return self.line(text, "hint_wrap", height=LINE_HEIGHT * lines + 4)

    def blank(self) -> None:
        self.layout.rows.append([])

    def table(
        self,
        df: pd.DataFrame,
        *,
        styles: dict[str, str] | None = None,
        widths: dict[str, float] | None = None,
        row_styles: Iterable[tuple[int, str]] = (),
        validations: Iterable[tuple[str, Validation]] = (),
        spare: int = 0,
        last_spans_to: int | None = None,
        fit_rows: bool = False,
    ) -> tuple[int, int, int]:
        """A header row and one row per record; returns (header row, first
        data row, last data row).  Column widths grow to fit (the widest of
        every stacked table wins).  ``row_styles`` (highlights) go first, so
        the column styles keep their borders and alignment over them.
        ``last_spans_to`` merges the last column over the columns up to that
        one (a long text beside the wider tables below; one merge per row, so
        only for short tables).  ``fit_rows``: the data rows are made tall
        enough for the longest text of a wrapping column (one height for the
        whole table, so a live workbook sets it in one call)."""
        columns = [str(c) for c in df.columns]
        n = len(columns)
        right = max(n, last_spans_to or n)
        header = self.row
        self.layout.rows.append(columns)
        for record in df.itertuples(index=False, name=None):
            self.layout.rows.append(list(record))
        first, last = header + 1, header + len(df)
        styles = styles or {}
        if len(df):
            for pos, key in row_styles:
                self.layout.style(range_ref(first + pos, 1, first + pos, right), key)
        self.layout.style(range_ref(header, 1, header, right), "header")
        if len(df):
            for j, name in enumerate(columns, start=1):
                self.layout.style(range_ref(first, j, last, right if j == n else j), styles.get(name, "text"))
        if right > n:
            for r in range(header, last + 1):
                self.layout.merges.append(range_ref(r, n, r, right))
        for name, v in validations:
            j = columns.index(name) + 1
            self.layout.validations.append(replace(v, ref=range_ref(first, j, max(last, first) + spare, j)))
        for j, name in enumerate(columns, start=1):
            if j == n and right > n:
                continue  # spread over the merged columns
            w = (widths or {}).get(name) or _auto_width(name, df.iloc[:, j - 1] if len(df) else ())
            self.layout.widths[j] = max(self.layout.widths.get(j, 0), w)
        if fit_rows and len(df):
            lines = 1
            for j, name in enumerate(columns, start=1):
                if not STYLES[styles.get(name, "text")].wrap:
                    continue
                width = sum(self.layout.widths.get(k, 8.43) for k in range(j, (right if j == n else j) + 1))
                for v in df.iloc[:, j - 1]:
                    text = "" if v is None or (isinstance(v, float) and v != v) else str(v)
                    lines = max(lines, math.ceil(_display_width(text) / max(width - 1.5, 1)))
            if lines > 1:
                for r in range(first, last + 1):
                    self.layout.heights[r] = LINE_HEIGHT * lines + 4
        return header, first, last
