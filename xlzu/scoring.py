"""Daily forms and records: which entry columns a form has, what a typed
cell is worth, and reading typed forms back into record rows.

Pure Python and pandas.  Every points rule comes from 设置 (``Settings.items``
for the member sheets, ``Settings.rules`` for the class sheet); nothing here
knows a point value.  The Excel formulas of the 合计 columns are built here
too, next to the Python rules they must agree with.

Entry columns are identified by their header texts, read back from the
sheet, so a form typed before 设置 changed is still read correctly:

* member sheet (日表-第N组): row ``学号…`` holds the categories, the row below
  the item names (first line of each header cell);
* class sheet (日表-班级): row ``组号…`` holds the categories, the row below a
  subject (语文), a period (第3节) or a day rule (卫生纪律), the third row the
  rule of a subject or period column (预习, 名次, 加减分).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Iterable, Mapping

import pandas as pd

from . import cells
from . import contract as C
from .errors import CellProblem
from .layout import Formula, cell_ref, range_ref, clean_text, excel_value
from .records import DAILY_SOURCE_PREFIX, from_rows, replace_days
from .roster import normalize_id, normalize_name
from .dates import monday as monday_of
from .settings import Settings, parse_date

GRADE, PLACE, POINTS = "grade", "place", "points"


# --------------------------------------------------------------------------
# Entry columns
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    """One entry column of a daily form."""

    item: str  # 项目 of its records: 预习, 语文预习, 第3节名次, 卫生纪律
    category: str
    kind: str  # grade | place | points
    minimum: float
    maximum: float
    mapping: tuple[tuple[str, float], ...] = ()
    top: str = ""  # header text above (member: the item; class: subject, 第N节 or rule)
    leaf: str = ""  # class sheet: header text below (rule name, or the range of a day rule)
    note: str = ""

    @property
    def unique(self) -> bool:
        """Each value at most once in the column (a place per period)."""
        return self.kind == PLACE

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(k for k, _ in self.mapping)

    def expected(self) -> str:
        """What a cell of this column must hold, for messages."""
        if self.kind == GRADE:
            return f"应为等级 {'/'.join(self.keys)}（{mapping_text(self.mapping)}）"
        if self.kind == PLACE:
            return f"应为名次 {'、'.join(self.keys)}（{mapping_text(self.mapping)}）"
        return f"应为 {fmt(self.minimum)}～{fmt(self.maximum)} 之间的数字"


def fmt(x: float) -> str:
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:g}"


def range_text(lo: float, hi: float) -> str:
    return f"{fmt(lo)}～{fmt(hi)}"


def mapping_text(mapping: tuple[tuple[str, float], ...]) -> str:
    return " ".join(f"{k}={fmt(v)}" for k, v in mapping)


def period_label(period: int) -> str:
    return C.PERIOD_LABEL.format(period)


_PERIOD_RE = re.compile("^" + re.escape(C.PERIOD_LABEL).replace(r"\{\}", r"(\d+)") + "$")


def member_entries(settings: Settings) -> list[Entry]:
    """The member sheet's entry columns: the individual items of 设置."""
    return [Entry(i.name, i.category, POINTS, i.minimum, i.maximum, (), i.name, "", i.note) for i in settings.items]


def class_entries(settings: Settings, day: date) -> list[Entry]:
    """The class sheet's entry columns for ``day``, in 设置's rule order:
    a subject rule gives one column per subject with a preview that day,
    the period rules together give, per period, one column per rule, and a
    day rule one column."""
    out: list[Entry] = []
    period_rules = [r for r in settings.rules if r.per == "period"]
    periods_done = False
    for rule in settings.rules:
        if rule.per == "subject":
            for subject in settings.preview_subjects(day):
                out.append(_rule_entry(rule, f"{subject}{rule.name}", subject, rule.name))
        elif rule.per == "period":
            if periods_done:
                continue
            periods_done = True
            for p in range(1, settings.periods + 1):
                for r in period_rules:
                    out.append(_rule_entry(r, f"{period_label(p)}{r.name}", period_label(p), r.name))
        else:
            out.append(_rule_entry(rule, rule.name, rule.name, _rule_hint(rule)))
    return out


def _rule_entry(rule: C.Rule, item: str, top: str, leaf: str) -> Entry:
    return Entry(item, rule.category, rule.kind, rule.minimum, rule.maximum, rule.mapping, top, leaf, rule.note)


def _rule_hint(rule: C.Rule) -> str:
    if rule.kind == POINTS:
        return range_text(rule.minimum, rule.maximum)
    return "/".join(k for k, _ in rule.mapping)


def _class_entry_for(settings: Settings, top: str, leaf: str) -> Entry | None:
    """The entry a class-sheet column stands for, from its header texts."""
    m = _PERIOD_RE.match(top)
    if m:
        for r in settings.rules:
            if r.per == "period" and r.name == leaf:
                return _rule_entry(r, f"{top}{r.name}", top, leaf)
        return None
    for r in settings.rules:
        if r.per == "day" and r.name == top:
            return _rule_entry(r, r.name, top, leaf)
    for r in settings.rules:
        if r.per == "subject" and r.name == leaf and top:
            return _rule_entry(r, f"{top}{r.name}", top, leaf)
    return None


# --------------------------------------------------------------------------
# What a typed cell is worth
# --------------------------------------------------------------------------
# A typed cell is read by the one cell vocabulary (xlzu.cells); the forms
# read numbers as their 合计 formula does (cells.form_number).
_text = cells.normalize
is_blank = cells.is_blank
read_number = cells.form_number


def evaluate(entry: Entry, value: Any) -> tuple[Any, float] | None:
    """(normalised entry, points) of a non-blank typed value, or None when
    the value is not allowed in this column."""
    if entry.kind == GRADE:
        if not isinstance(excel_value(value), str):
            return None
        key = _text(value).upper()
        points = dict(entry.mapping).get(key)
        return None if points is None else (key, points)
    if entry.kind == PLACE:
        x = read_number(value)
        if x is None or not x.is_integer():
            return None
        key = str(int(x))
        points = dict(entry.mapping).get(key)
        return None if points is None else (int(x), points)
    x = read_number(value)
    if x is None or not (entry.minimum <= x <= entry.maximum):
        return None
    return (int(x) if x.is_integer() else x), x


# --------------------------------------------------------------------------
# Excel formulas that agree with evaluate()
# --------------------------------------------------------------------------
def fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def _array(items: Iterable[Any]) -> str:
    parts = []
    for x in items:
        parts.append('"' + x.replace('"', '""') + '"' if isinstance(x, str) else fmt(x))
    return "{" + ",".join(parts) + "}"


def points_formula(entry: Entry, ref: str) -> str:
    """Excel expression: the points of cell ``ref`` (0 when blank or not
    allowed).  ASC turns full-width into half-width; the lookup also lists
    full-width keys for Excel versions whose ASC leaves them alone."""
    if entry.kind == POINTS:
        return f"IFERROR(--TRIM(ASC({ref})),0)"
    keys: list[str] = []
    values: list[float] = []
    for k, v in entry.mapping:
        variants = [k.upper(), fullwidth(k.upper())]
        if entry.kind == GRADE:
            variants.append(fullwidth(k.lower()))
        for variant in dict.fromkeys(variants):
            keys.append(variant)
            values.append(v)
    probe = f"UPPER(TRIM(ASC({ref})))" if entry.kind == GRADE else f"TRIM(ASC({ref}))"
    return f"IFERROR(INDEX({_array(values)},MATCH({probe},{_array(keys)},0)),0)"


def total_formula(entries: Iterable[tuple[int, Entry]], row: int) -> str:
    """=… the 合计 of one form row: the points of every entry cell, blank
    while none of them holds anything (a blank form prints no zeros)."""
    entries = list(entries)
    if not entries:
        return Formula('=""')
    terms = [points_formula(e, cell_ref(row, col)) for col, e in entries]
    cols = [col for col, _ in entries]
    span = range_ref(row, min(cols), row, max(cols))
    return Formula(f'=IF(COUNTA({span})=0,"",{"+".join(terms)})')



def validation_formula(entry: Entry, top_left: str, column_range: str = "") -> str | None:
    """Custom data-validation formula for grade and place columns."""
    if entry.kind == GRADE:
        letters = "".join(k.upper() + fullwidth(k.upper()) + fullwidth(k.lower()) for k in entry.keys)
        return f'AND(LEN(TRIM({top_left}))=1,ISNUMBER(FIND(UPPER(TRIM({top_left})),"{letters}")))'
    if entry.kind == PLACE:
        places = [int(k) for k in entry.keys]
        lo, hi = min(places), max(places)
        unique = f",COUNTIF({column_range},{top_left})=1" if column_range else ""
        return f"AND(ISNUMBER({top_left}),{top_left}=INT({top_left}),{top_left}>={lo},{top_left}<={hi}{unique})"
    return None


# --------------------------------------------------------------------------
# Reading a typed form back
# --------------------------------------------------------------------------
@dataclass
class FormEntries:
    """What one daily sheet holds, as record rows."""

    sheet: str
    kind: str  # "group" (a member sheet) or "class"
    day: date | None
    group: int | None
    person: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)
    covered: set[tuple[Any, str]] = field(default_factory=set)  # (学号 or 组号, 项目) the sheet has a cell for
    typed: int = 0  # non-blank entry and note cells
    who_cells: dict[Any, str] = field(default_factory=dict)  # 学号 or 组号 → the cell it is written in
    weekly: bool = False  # one day of a weekly form (周表-第N组): no 备注 column, the notes of that day are kept


def is_foot(text: str) -> bool:
    return text.startswith(C.DAILY_LEGEND) or any(s in text for s in (C.DAILY_SIGN_LEADER, C.DAILY_SIGN_MONITOR, C.DAILY_SIGN_TEACHER))


def _first_line(value: Any) -> str:
    return clean_text(value).splitlines()[0].strip() if clean_text(value) else ""


def _cell(values: list[list[Any]], i: int, j: int) -> Any:
    row = values[i] if i < len(values) else []
    return row[j] if j < len(row) else None


def _find_date(values: list[list[Any]], header: int) -> tuple[date | None, str]:
    """The form's date: the last cell above the header that holds a date
    (the ISO date at the right end of row 2).  Also its cell reference."""
    found: tuple[date | None, str] = (None, "")
    for i in range(min(header, len(values))):
        for j, v in enumerate(values[i]):
            if clean_text(v) and parse_date(v) is not None:
                found = (parse_date(v), cell_ref(i + 1, j + 1))
    return found


def _date_ref(values: list[list[Any]]) -> str:
    width = max((len(r) for r in values[:2]), default=1)
    return cell_ref(2, max(width, 1))


def parse_form(values: list[list[Any]], sheet: str, settings: Settings) -> tuple[FormEntries | None, list[CellProblem]]:
    """Read one daily sheet (member or class, by its name).  None when the
    sheet is not a form (the placeholder of a new workbook)."""
    parsed = C.parse_daily_sheet(sheet)
    if parsed is None:
        return None, []
    group, _weekday = parsed
    kind = "class" if group is None else "group"
    found = find_form_header(values, kind)
    if found is None:
        return None, []
    header, id_col = found
    day, date_ref = _find_date(values, header)
    form = FormEntries(sheet, kind, day, group)
    n_head = 3 if kind == "class" else 2
    fixed_names = (C.GROUP_NO, C.GROUP_TEAM_NAME) if kind == "class" else (C.GROUP_ID, C.GROUP_CODE, C.GROUP_NAME_COL, C.GROUP_ROLES)
    fixed = _fixed_columns(values, header, fixed_names + (C.DAILY_TOTAL, C.REC_NOTE))
    # Entry columns from the header texts (merged cells read blank: fill forward).
    entries: list[tuple[int, Entry | None, str, date | None]] = []  # (0-based col, entry, header ref, date)
    top = ""
    for j in range(max(len(r) for r in values)):
        if j in fixed.values():
            top = ""
            continue
        if kind == "group":
            name = _first_line(_cell(values, header + 1, j))
            if not name:
                continue
            item = settings.item(name)
            entry = _rule_free_entry(item) if item is not None else None
            entries.append((j, entry, cell_ref(header + 2, j + 1), day))
        else:
            t2 = _first_line(_cell(values, header + 1, j))
            if t2:
                top = t2
            leaf = _first_line(_cell(values, header + 2, j))
            if not top:
                continue
            entries.append((j, _class_entry_for(settings, top, leaf), cell_ref(header + 2, j + 1), day))
    problems = _read_rows(values, sheet, kind, group, header, id_col, n_head, fixed, entries, {day: form},
                          date_ref, notes=True)
    return form, problems


def parse_week_form(values: list[list[Any]], sheet: str, settings: Settings) -> tuple[list[FormEntries], list[CellProblem]]:
    """Read one weekly form (周表-第N组): one :class:`FormEntries` per school
    day it has columns for, each dated with its day (the Monday at the end
    of row 2 plus the weekday over the column), read and checked exactly as
    a member sheet of that day.  A form split into blocks of days (a
    table per block, one below the other) is read block by block.  [] when
    the sheet is not a form."""
    group = C.parse_week_group_sheet(sheet)
    if group is None:
        return [], []
    headers = _form_headers(values, "group")
    if not headers:
        return [], []
    start, date_ref = _find_date(values, headers[0][0])
    problems: list[CellProblem] = []
    blocks = []
    for b, (header, id_col) in enumerate(headers):
        fixed = _fixed_columns(values, header, (C.GROUP_ID, C.GROUP_CODE, C.GROUP_NAME_COL, C.GROUP_ROLES, C.DAILY_TOTAL, C.REC_NOTE))
        end = headers[b + 1][0] if b + 1 < len(headers) else len(values)
        entries: list[tuple[int, Entry | None, str, date | None]] = []
        name = ""
        for j in range(max(len(r) for r in values)):
            if j in fixed.values():
                name = ""
                continue
            name = _first_line(_cell(values, header + 1, j)) or name  # an item over its day columns (merged)
            label = _first_line(_cell(values, header + 2, j))
            if not name and not label:
                continue
            item = settings.item(name) if name else None
            entry = _rule_free_entry(item) if item is not None else None
            href = cell_ref(header + 3, j + 1)
            if label not in C.WEEKDAYS:
                for i in range(header + 3, end):
                    if is_foot(clean_text(_cell(values, i, id_col))):
                        break
                    if not is_blank(_cell(values, i, j)):
                        problems.append(CellProblem(sheet, cell_ref(i + 1, j + 1), clean_text(_cell(values, i, j)),
                                                    f"这一栏上方（{href}）没有星期（{'、'.join(C.WEEKDAYS[:5])}…），不知道是哪一天："
                                                    "请把分数填到有星期的栏里"))
                continue
            day = None if start is None else monday_of(start) + timedelta(days=C.WEEKDAYS.index(label))
            entries.append((j, entry, href, day))
        blocks.append((header, id_col, fixed, entries, end))
    days = sorted({d for *_, entries, _ in blocks for *_, d in entries if d is not None})
    forms = {d: FormEntries(sheet, "group", d, group, weekly=True) for d in days} if start is not None else \
        {None: FormEntries(sheet, "group", None, group, weekly=True)}
    for header, id_col, fixed, entries, end in blocks:
        problems += _read_rows(values[:end], sheet, "group", group, header, id_col, 3, fixed, entries, forms, date_ref,
                               notes=False, what="周表")
    unique = {(p.sheet, p.cell, p.expected): p for p in problems}  # a missing date is found once per block
    return list(forms.values()), list(unique.values())


def _form_headers(values: list[list[Any]], kind: str) -> list[tuple[int, int]]:
    """Every (header row, 学号/组号 column) of a form, 0-based: a weekly
    form split into blocks of days has a table per block."""
    out = []
    first = C.GROUP_NO if kind == "class" else C.GROUP_ID
    for i, r in enumerate(values):
        texts = [clean_text(v) for v in r]
        if first in texts and C.DAILY_TOTAL in texts:
            out.append((i, texts.index(first)))
    return out


def _fixed_columns(values: list[list[Any]], header: int, names: tuple[str, ...]) -> dict[str, int]:
    width = max(len(r) for r in values)
    h1 = [clean_text(_cell(values, header, j)) for j in range(width)]
    return {t: j for j, t in enumerate(h1) if t in names}


def _read_rows(values: list[list[Any]], sheet: str, kind: str, group: int | None, header: int, id_col: int,
               n_head: int, fixed: dict[str, int], entries: list[tuple[int, Entry | None, str, date | None]],
               forms: dict[date | None, FormEntries], date_ref: str, *, notes: bool, what: str = "日表") -> list[CellProblem]:
    """Read the body rows of a form into ``forms`` (date → its entries;
    each entry column carries its date) and return the problems: the one
    reading of a daily sheet and of a weekly form."""
    problems: list[CellProblem] = []
    note_col = fixed.get(C.REC_NOTE) if notes else None
    total_col = fixed.get(C.DAILY_TOTAL)
    name_col = fixed.get(C.GROUP_TEAM_NAME if kind == "class" else C.GROUP_NAME_COL)
    source = lambda i, j: f"{sheet}!{cell_ref(i + 1, j + 1)}"  # noqa: E731
    only = next(iter(forms.values())) if len(forms) == 1 else None

    def form_of(day: date | None) -> FormEntries:
        return only if only is not None else forms[day]

    seen_ids: dict[Any, str] = {}
    placed: dict[int, dict[Any, list[str]]] = {}  # col → value → cells (unique columns)
    warned_columns: set[int] = set()
    date_missing = False
    for i in range(header + n_head, len(values)):
        first_text = clean_text(_cell(values, i, id_col))
        if is_foot(first_text):
            break
        typed = [(j, e, h, d) for j, e, h, d in entries if not is_blank(_cell(values, i, j))]
        note = clean_text(_cell(values, i, note_col)) if note_col is not None else ""
        if not first_text and not typed and not note:
            continue
        for j, e, h, d in typed:
            form_of(d).typed += 1
        if note:
            form_of(None).typed += 1
        if (typed or note) and any(f.day is None for f in forms.values()) and not date_missing:
            date_missing = True
            problems.append(CellProblem(sheet, date_ref or _date_ref(values), None,
                                        f"找不到本表的日期：第 2 行右端应为日期，如 2026-11-24（可重新生成{what}）"))
        # who
        if kind == "class":
            n = read_number(_cell(values, i, id_col))
            who: Any = int(n) if n is not None and n.is_integer() and n >= 1 else None
            if who is None:
                if typed or note:
                    problems.append(CellProblem(sheet, cell_ref(i + 1, id_col + 1), first_text or None, "组号应为正整数"))
                continue
        else:
            who = normalize_id(_cell(values, i, id_col)) or None
            if who is None:
                if typed or note:
                    problems.append(CellProblem(sheet, cell_ref(i + 1, id_col + 1), None, "学号不能为空"))
                continue
        if who in seen_ids:
            problems.append(CellProblem(sheet, cell_ref(i + 1, id_col + 1), first_text,
                                        f"与 {seen_ids[who]} 重复：每{'组' if kind == 'class' else '位学生'}只能占一行"))
            continue
        seen_ids[who] = cell_ref(i + 1, id_col + 1)
        for f in forms.values():
            f.who_cells[who] = seen_ids[who]
        display = clean_text(_cell(values, i, name_col)) if name_col is not None else ""
        if kind == "group":
            display = normalize_name(display)
        for j, entry, _h, d in entries:
            if entry is not None:
                form_of(d).covered.add((who, entry.item))
        if notes:
            for f in forms.values():
                f.covered.add((who, C.NOTE_ITEM))
        for j, entry, href, d in typed:
            raw = _cell(values, i, j)
            ref = cell_ref(i + 1, j + 1)
            if entry is None:
                if j not in warned_columns:
                    warned_columns.add(j)
                    why = "设置中没有这个考核项目" if kind == "group" else "设置中没有这一栏的考核规则"
                    problems.append(CellProblem(sheet, href, clean_text(_cell(values, header + n_head - 1, j)) or None,
                                                f"{why}（是否改过设置？请恢复设置，或清空这一栏后再保存）"))
                continue
            result = evaluate(entry, raw)
            if result is None:
                problems.append(CellProblem(sheet, ref, clean_text(raw), f"{entry.item}{entry.expected()}"))
                continue
            shown, points = result
            if entry.unique:
                placed.setdefault(j, {}).setdefault(shown, []).append(ref)
            rec = {C.REC_DATE: pd.Timestamp(d) if d else None, C.REC_CATEGORY: entry.category, C.REC_ITEM: entry.item,
                   C.REC_POINTS: points, C.REC_NOTE: note or None, C.REC_SOURCE: source(i, j)}
            if kind == "class":
                rec.update({C.REC_GROUP: who, C.REC_TEAM: display or None, C.REC_RAW: str(shown)})
                form_of(d).groups.append(rec)
            else:
                rec.update({C.REC_ID: who, C.REC_NAME: display or None, C.REC_GROUP: group})
                form_of(d).person.append(rec)
        if total_col is not None:
            problem = _total_problem(_cell(values, i, total_col), [(j, e, h) for j, e, h, _ in typed], values, i)
            if problem:
                problems.append(CellProblem(sheet, cell_ref(i + 1, total_col + 1), clean_text(_cell(values, i, total_col)) or None, problem))
        if note and not any(e is not None and evaluate(e, _cell(values, i, j)) for j, e, _, _ in typed):
            # A note without any score (请假, 表扬…) is kept as a 0-point record.
            day = only.day if only is not None else None
            rec = {C.REC_DATE: pd.Timestamp(day) if day else None, C.REC_CATEGORY: None, C.REC_ITEM: C.NOTE_ITEM,
                   C.REC_POINTS: 0.0, C.REC_NOTE: note, C.REC_SOURCE: source(i, note_col)}
            if kind == "class":
                rec.update({C.REC_GROUP: who, C.REC_TEAM: display or None, C.REC_RAW: None})
                form_of(None).groups.append(rec)
            else:
                rec.update({C.REC_ID: who, C.REC_NAME: display or None, C.REC_GROUP: group})
                form_of(None).person.append(rec)
    for j, by_value in placed.items():
        entry = next(e for k, e, _, _ in entries if k == j)
        for shown, refs in by_value.items():
            if len(refs) > 1:
                for ref in refs:
                    problems.append(CellProblem(sheet, ref, str(shown),
                                                f"{entry.item}：名次 {shown} 填了 {len(refs)} 次（{'、'.join(refs)}），每个名次只能给一个小组"))
    return problems


def find_form_header(values: list[list[Any]], kind: str) -> tuple[int, int] | None:
    """(header row, 学号/组号 column), both 0-based, of a daily form: the
    first row with 学号 (member form) or 组号 (class form) and 合计 in it,
    wherever a teacher moved the table (a column inserted at the left)."""
    first = C.GROUP_NO if kind == "class" else C.GROUP_ID
    for i, r in enumerate(values):
        texts = [clean_text(v) for v in r]
        if first in texts and C.DAILY_TOTAL in texts:
            return i, texts.index(first)
    return None


def _total_problem(total: Any, typed: list, values: list[list[Any]], i: int) -> str:
    """What is wrong with a row's 合计 cell: it holds the formula xlzu wrote
    (its text, from a file) or the figure it computes (live Excel); anything
    else typed over it would be lost, so it is refused."""
    if total is None or is_blank(total) or (isinstance(total, str) and total.startswith("=")):
        return ""  # the formula (its text, as a file or xlwings' remote engine gives it)
    x = read_number(total)
    points = 0.0
    for j, entry, _h in typed:
        result = evaluate(entry, _cell(values, i, j)) if entry is not None else None
        points += result[1] if result else 0.0
    if x is not None and abs(x - points) < 1e-9:
        return ""
    return (f"{C.DAILY_TOTAL}由公式自动计算，不能填写（这一行各项合计 {fmt(points)} 分）："
            "请把分数填到各考核项目的格子里，再清空这一格或重新生成日表")


def _rule_free_entry(item: C.Item) -> Entry:
    return Entry(item.name, item.category, POINTS, item.minimum, item.maximum, (), item.name, "", item.note)


def parse_forms(sheets: Mapping[str, list[list[Any]]], settings: Settings) -> tuple[list[FormEntries], list[CellProblem]]:
    """Every daily form (sheet name → its values).  Problems include a
    student or group entered twice for the same date on different sheets."""
    forms: list[FormEntries] = []
    problems: list[CellProblem] = []
    for sheet, values in sheets.items():
        if C.parse_week_group_sheet(sheet) is not None:
            week, found = parse_week_form(values, sheet, settings)
            problems += found
            forms += week
            continue
        form, found = parse_form(values, sheet, settings)
        problems += found
        if form is not None:
            forms.append(form)
    # The same person/group and item typed on two sheets of one date.
    seen: dict[tuple[Any, ...], str] = {}
    for form in forms:
        for rec in form.person + form.groups:
            who = rec.get(C.REC_ID) if form.kind == "group" else rec[C.REC_GROUP]
            key = (form.kind, rec[C.REC_DATE], who, rec[C.REC_ITEM])
            where = rec[C.REC_SOURCE]
            if key in seen and seen[key].split("!")[0] != where.split("!")[0]:
                sheet, _, ref = where.partition("!")
                problems.append(CellProblem(sheet, ref, who, f"这一天已在 {seen[key]} 填过（{rec[C.REC_ITEM]}）：同一天只能填一次"))
            seen.setdefault(key, where)
    return forms, problems


# --------------------------------------------------------------------------
# Saving: forms → records
# --------------------------------------------------------------------------
@dataclass
class DayChange:
    day: date
    sheets: list[str]
    added: int = 0
    changed: int = 0
    removed: int = 0
    person: int = 0  # person records of the day after saving
    groups: int = 0


def _key_frame(df: pd.DataFrame, kind: str) -> dict[tuple[Any, str], tuple[Any, ...]]:
    who = C.REC_ID if kind == "person" else C.REC_GROUP
    cols = [c for c in df.columns if c not in (C.REC_SOURCE,)]
    out = {}
    for rec in df.to_dict("records"):
        out[(rec[who], rec[C.REC_ITEM])] = tuple(None if pd.isna(rec[c]) else rec[c] for c in cols)
    return out


def apply_forms(person: pd.DataFrame, groups: pd.DataFrame, forms: list[FormEntries]) -> tuple[pd.DataFrame, pd.DataFrame, list[DayChange]]:
    """The record tables after saving ``forms`` (dated, already checked).

    For each date: every record a form has a cell for (student or group ×
    item on that sheet) is replaced by what the form holds — a corrected
    cell replaces, a cleared cell removes; records of that date the forms
    have no cell for (an item since removed from 设置, a student who left)
    are kept.  Records from other sources (not 日表…) are never touched.
    """
    days = sorted({f.day for f in forms if f.day is not None})
    changes: list[DayChange] = []
    new_person, new_groups = [], []
    for day in days:
        todays = [f for f in forms if f.day == day]
        stamp = pd.Timestamp(day)
        change = DayChange(day, [f.sheet for f in todays])
        for kind, table, rows, bucket in (
            ("person", person, _keep_notes(person, stamp, todays), new_person),
            ("group", groups, [r for f in todays for r in f.groups], new_groups),
        ):
            who = C.REC_ID if kind == "person" else C.REC_GROUP
            covered = set().union(*[f.covered for f in todays if (f.kind == "class") == (kind == "group")] or [set()])
            source = table[C.REC_SOURCE].fillna("").astype(str)
            old = table.loc[(table[C.REC_DATE] == stamp) & source.str.startswith(DAILY_SOURCE_PREFIX)]
            is_covered = pd.Series([(w, it) in covered for w, it in zip(old[who], old[C.REC_ITEM])], index=old.index, dtype=bool)
            kept = old.loc[~is_covered]
            fresh = from_rows(rows, kind)
            before = _key_frame(old.loc[is_covered], kind)
            after = _key_frame(fresh, kind)
            change.added += len(after.keys() - before.keys())
            change.removed += len(before.keys() - after.keys())
            change.changed += sum(1 for k in after.keys() & before.keys() if after[k] != before[k])
            bucket.append(pd.concat([fresh, kept], ignore_index=True) if len(kept) else fresh)
            if kind == "person":
                change.person = len(fresh) + len(kept)
            else:
                change.groups = len(fresh) + len(kept)
        changes.append(change)
    if not days:
        return person, groups, changes
    p_new = pd.concat(new_person, ignore_index=True)
    g_new = pd.concat(new_groups, ignore_index=True)
    return replace_days(person, p_new, days, "person"), replace_days(groups, g_new, days, "group"), changes


def _keep_notes(person: pd.DataFrame, stamp: pd.Timestamp, todays: list[FormEntries]) -> list[dict[str, Any]]:
    """The person rows of one date's forms; a weekly form has no 备注
    column, so its rows keep the note a record of that day already has."""
    rows = [r for f in todays for r in f.person]
    if not any(f.weekly for f in todays):
        return rows
    old = person.loc[(person[C.REC_DATE] == stamp) & person[C.REC_NOTE].notna()]
    notes = {(rec[C.REC_ID], rec[C.REC_ITEM]): rec[C.REC_NOTE] for rec in old.to_dict("records")}
    return [r if r[C.REC_NOTE] is not None else {**r, C.REC_NOTE: notes.get((r[C.REC_ID], r[C.REC_ITEM]))} for r in rows]


def day_records(table: pd.DataFrame, day: date) -> pd.DataFrame:
    """The records of ``day`` that came from daily sheets (what pre-fills a form)."""
    source = table[C.REC_SOURCE].fillna("").astype(str)
    return table.loc[(table[C.REC_DATE] == pd.Timestamp(day)) & source.str.startswith(DAILY_SOURCE_PREFIX)]
