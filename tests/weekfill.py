"""Typing into generated weekly forms (周表-第N组) the way a teacher does,
with openpyxl, finding cells by what the sheet shows: the header rows
(学号 … 合计; a form split into blocks of days has one per block), the
item and its range over its day columns, the weekday over each column, the
Monday as ISO text at the right end of row 2."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

WEEKDAYS = "一二三四五六日"
RANGE = re.compile(r"(-?\d+)～(-?\d+)")


def _text(v: Any) -> str:
    return "" if v is None else str(v).strip()


@dataclass
class WeekSheet:
    name: str
    monday: date
    cells: dict[tuple[str, str, date], str]  # (学号, item, day) → cell reference
    ranges: dict[str, tuple[int, int]]  # item → (lo, hi) as printed
    totals: dict[str, list[str]]  # 学号 → its 合计 cells (one per block)
    members: list[str]
    headers: list[int]  # header rows (1-based)


def read_week_sheet(ws) -> WeekSheet:
    monday = next(date.fromisoformat(_text(c.value)) for c in ws[2] if re.fullmatch(r"\d{4}-\d{2}-\d{2}", _text(c.value)))
    headers = [r for r in range(1, ws.max_row + 1) if _text(ws.cell(r, 1).value) == "学号"]
    cells: dict[tuple[str, str, date], str] = {}
    ranges: dict[str, tuple[int, int]] = {}
    totals: dict[str, list[str]] = {}
    members: list[str] = []
    for h in headers:
        heads = {_text(ws.cell(h, c).value): c for c in range(1, ws.max_column + 1)}
        item = ""
        columns: dict[int, tuple[str, date]] = {}
        for c in range(4, heads["合计"]):
            text = _text(ws.cell(h + 1, c).value)
            if text:
                item, rng = text.split("\n")
                ranges[item] = tuple(map(int, RANGE.search(rng).groups()))
            label = _text(ws.cell(h + 2, c).value).split("\n")[0]
            if label:
                columns[c] = (item, monday + timedelta(days=WEEKDAYS.index(label)))
        r = h + 3
        while _text(ws.cell(r, 1).value):
            sid = _text(ws.cell(r, 1).value)
            if sid not in members:
                members.append(sid)
            for c, (it, day) in columns.items():
                cells[(sid, it, day)] = ws.cell(r, c).coordinate
            totals.setdefault(sid, []).append(ws.cell(r, heads["合计"]).coordinate)
            r += 1
    return WeekSheet(ws.title, monday, cells, ranges, totals, members, headers)


def week_sheets(path: Path) -> dict[str, WeekSheet]:
    wb = load_workbook(path)
    return {ws.title: read_week_sheet(ws) for ws in wb.worksheets if ws.title.startswith("周表-第")}


def type_week(path: Path, values: dict[tuple[str, str, str, date], Any]) -> None:
    """Type (None clears) (sheet, 学号, item, day) → value into the weekly forms."""
    sheets = week_sheets(path)
    wb = load_workbook(path)
    for (sheet, sid, item, day), value in values.items():
        wb[sheet][sheets[sheet].cells[(sid, item, day)]] = value
    wb.save(path)
