"""Typing into generated daily sheets the way a teacher does, with openpyxl.

Independent of xlzu's own form metadata: cells are found by the header
texts a teacher reads on the sheet, and the points each typed value is
worth are computed here from the spec's rules (A=3 … D=0, places 1–5 →
5–1, a number within the range printed in the header), so the records can
be checked against an independent sum.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

GRADES = {"A": 3, "B": 2, "C": 1, "D": 0}
PLACES = {1: 5, 2: 4, 3: 3, 4: 2, 5: 1}
RANGE = re.compile(r"(-?\d+)～(-?\d+)")


@dataclass
class Column:
    col: int
    item: str  # the record item a teacher expects: 预习, 语文预习, 第3节名次, 卫生纪律
    kind: str  # grade, place, points
    lo: float = 0
    hi: float = 0


@dataclass
class Sheet:
    name: str
    kind: str  # group / class
    day: str  # ISO text in the date cell
    columns: list[Column]
    rows: dict[int, Any]  # row → 学号 or 组号
    note_col: int
    total_col: int


@dataclass
class Typed:
    """What was typed, and what it is worth by the spec."""

    person: dict[tuple[str, str, str], float] = field(default_factory=dict)  # (date, 学号, item) → points
    group: dict[tuple[str, int, str], float] = field(default_factory=dict)  # (date, 组号, item) → points
    person_notes: dict[tuple[str, str], str] = field(default_factory=dict)
    group_notes: dict[tuple[str, int], str] = field(default_factory=dict)
    cells: dict[tuple[str, str, str], Any] = field(default_factory=dict)  # (date, sheet, ref) → typed value


def _text(v: Any) -> str:
    return "" if v is None else str(v).strip()


def read_sheet(ws) -> Sheet | None:
    """The layout of a daily form, from what the sheet shows."""
    first = None
    for row in ws.iter_rows(min_col=1, max_col=1):
        if _text(row[0].value) in ("学号", "组号"):
            first = row[0]
            break
    if first is None:
        return None
    kind = "group" if first.value == "学号" else "class"
    h = first.row
    day = ""
    for c in ws[2]:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", _text(c.value)):
            day = _text(c.value)
    heads = {_text(ws.cell(h, c).value): c for c in range(1, ws.max_column + 1)}
    columns: list[Column] = []
    top = ""
    for c in range(1, ws.max_column + 1):
        if _text(ws.cell(h, c).value) in ("学号", "代号", "姓名", "职务", "组号", "组名", "合计", "备注"):
            continue
        if kind == "group":
            text = _text(ws.cell(h + 1, c).value)
            if not text:
                continue
            name, rng = text.split("\n")
            lo, hi = map(float, RANGE.search(rng).groups())
            columns.append(Column(c, name, "points", lo, hi))
        else:
            top = _text(ws.cell(h + 1, c).value) or top
            leaf = _text(ws.cell(h + 2, c).value)
            if re.fullmatch(r"第\d+节", top):
                columns.append(Column(c, top + leaf, "place" if leaf == "名次" else "points", -3, 3))
            elif RANGE.fullmatch(leaf):
                lo, hi = map(float, RANGE.fullmatch(leaf).groups())
                columns.append(Column(c, top, "points", lo, hi))
            else:
                columns.append(Column(c, top + leaf, "grade"))
    rows = {}
    r = h + (2 if kind == "group" else 3)
    while _text(ws.cell(r, 1).value):
        v = ws.cell(r, 1).value
        rows[r] = _text(v) if kind == "group" else int(v)
        r += 1
    return Sheet(ws.title, kind, day, columns, rows, heads["备注"], heads["合计"])


def fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def type_day(path: Path, rng: random.Random, typed: Typed, *, fancy: bool = True) -> list[Sheet]:
    """Fill every daily sheet of the workbook with plausible entries;
    record in ``typed`` what each is worth.  ``fancy`` also types grades in
    lower case and full width and some numbers as full-width text."""
    wb = load_workbook(path, keep_vba=Path(path).suffix.lower() == ".xlsm")
    sheets = []
    for ws in wb.worksheets:
        if not ws.title.startswith("日表"):
            continue
        sheet = read_sheet(ws)
        if sheet is None:
            continue
        sheets.append(sheet)
        for col in sheet.columns:
            if col.kind == "place":
                rows = list(sheet.rows)
                for r, place in zip(rng.sample(rows, min(5, len(rows))), range(1, 6)):
                    if rng.random() < 0.9:
                        _type(ws, sheet, r, col, place, PLACES[place], typed)
                continue
            for r in sheet.rows:
                if col.kind == "grade":
                    if rng.random() < 0.9:
                        key = rng.choice("AABBCD")
                        value = key
                        if fancy and rng.random() < 0.2:
                            value = rng.choice([key.lower(), fullwidth(key), fullwidth(key.lower())])
                        _type(ws, sheet, r, col, value, GRADES[key], typed)
                elif rng.random() < 0.5:
                    x = rng.randint(int(col.lo), int(col.hi))
                    value: Any = x
                    if fancy and rng.random() < 0.1:
                        value = fullwidth(str(x)) if x >= 0 else "－" + fullwidth(str(-x))
                    _type(ws, sheet, r, col, value, x, typed)
        for r, who in sheet.rows.items():
            if rng.random() < 0.15:
                note = rng.choice(["迟到", "表扬", "请假", "课堂展示优秀"])
                ws.cell(r, sheet.note_col, note)
                if sheet.kind == "group":
                    typed.person_notes[(sheet.day, who)] = note
                else:
                    typed.group_notes[(sheet.day, who)] = note
    wb.save(path)
    return sheets


def _type(ws, sheet: Sheet, r: int, col: Column, value: Any, points: float, typed: Typed) -> None:
    cell = ws.cell(r, col.col, value)
    typed.cells[(sheet.day, sheet.name, cell.coordinate)] = value
    who = sheet.rows[r]
    if sheet.kind == "group":
        typed.person[(sheet.day, who, col.item)] = points
    else:
        typed.group[(sheet.day, who, col.item)] = points


def type_cells(path: Path, cells: dict[tuple[str, str], Any]) -> None:
    """Type (or with None clear) cells: (sheet, ref) → value."""
    wb = load_workbook(path, keep_vba=Path(path).suffix.lower() == ".xlsm")
    for (sheet, ref), value in cells.items():
        wb[sheet][ref] = value
    wb.save(path)


def records(path: Path, sheet: str) -> list[dict[str, Any]]:
    """A record sheet as dicts (what a teacher sees in 个人记录 / 小组记录)."""
    wb = load_workbook(path, read_only=True)
    rows = list(wb[sheet].iter_rows(values_only=True))
    wb.close()
    header = rows[0]
    out = []
    for r in rows[1:]:
        if all(v is None for v in r):
            continue
        rec = dict(zip(header, r))
        if hasattr(rec["日期"], "date"):
            rec["日期"] = rec["日期"].date().isoformat()
        out.append(rec)
    return out


def points_by_key(path: Path) -> tuple[dict, dict]:
    """(date, 学号, item) → 分数 and (date, 组号, item) → 分数, without note-only rows."""
    person = {(r["日期"], str(r["学号"]), r["项目"]): r["分数"] for r in records(path, "个人记录") if r["项目"] != "备注"}
    group = {(r["日期"], int(r["组号"]), r["项目"]): r["分数"] for r in records(path, "小组记录") if r["项目"] != "备注"}
    return person, group


def is_iso(day: Any) -> bool:
    try:
        date.fromisoformat(str(day))
        return True
    except ValueError:
        return False


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)
