"""The two daily forms of a date as Layouts (SPEC 3a, 3b).

* 日表-第N组 — 小组成员常规考核量化表, filled by the group's 大组长: one row per
  member (学号, 代号, 姓名, 职务), one column per individual item of 设置 under
  its category, then 合计 (a live formula) and 备注.  A4 portrait.
* 日表-班级 — 班级考核表, filled by the 值日班长: one row per group, the
  class-sheet rules of 设置 as columns (a preview grade per subject with a
  preview that weekday, per period a place and extra points, the day
  rules), then 合计 and 备注.  A4 landscape.

Both are written as copies of the hidden form sheets (表样-小组日表,
表样-班级日表), so their look (fonts, colours, margins, centring,
header/footer) comes from the workbook.  Row 2 ends with the form's date as
ISO text (2026-11-24): that cell is how ``save`` knows the date of a sheet.
Every entry cell has data validation with a Chinese input message.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Iterable

import pandas as pd

from . import contract as C
from .dates import long_date, monday, short_date, week_number
from . import paper
from .forms import BODY_SIZE, MARGINS, SIZES
from .layout import Layout, PrintSetup, Validation, cell_ref, range_ref
from .members import team_name
from .scoring import (GRADE, PLACE, POINTS, Entry, class_entries, mapping_text, member_entries, range_text,
                      total_formula, validation_formula)
from .settings import Settings

GROUP_FIXED = (C.GROUP_ID, C.GROUP_CODE, C.GROUP_NAME_COL, C.GROUP_ROLES)
CLASS_FIXED = (C.GROUP_NO, C.GROUP_TEAM_NAME)
HEADER_ROW = 3  # first header row of both forms
ROW_MIN = 24  # points: the least a body row gets, room to write a digit by hand
ENTRY_MIN = 26  # points: the least an entry column gets
FILL = 0.97  # share of the printable width the table is planned to take
SAFETY = 8  # points of the printable height left unplanned
SIGN_BLANK = "＿" * 8


@dataclass
class Member:
    student_id: str
    name: str
    code: str | None = None
    roles: str | None = None


@dataclass
class Team:
    """One group as it stood on a date."""

    number: int
    name: str
    members: list[Member] = field(default_factory=list)

    @property
    def leader(self) -> str | None:
        for m in self.members:
            if m.roles and C.ROLE_LEADER in m.roles:
                return m.name
        return None


@dataclass
class Form:
    """One generated daily sheet: its layout and where things are on it."""

    sheet: str
    form: str  # the hidden form sheet it is copied from
    kind: str  # "group" or "class"
    day: date
    group: int | None
    layout: Layout
    entries: list[tuple[int, Entry]]  # (column, entry)
    rows: list[tuple[int, Any]]  # (row, 学号 or 组号)
    note_col: int
    total_col: int
    date_cell: str
    prefilled: int = 0
    #: A weekly form's entry columns: column → the date it is for.
    col_days: dict[int, date] = field(default_factory=dict)

    def filled(self, typed: dict[tuple[int, int], Any]) -> Layout:
        """A copy of the layout with ``typed`` values ((row, col) → value) in
        its cells — what a sheet looks like after someone typed into it."""
        rows = [list(r) for r in self.layout.rows]
        for (r, c), v in typed.items():
            rows[r - 1] += [None] * (c - len(rows[r - 1]))
            rows[r - 1][c - 1] = v
        return replace(self.layout, rows=rows)


# --------------------------------------------------------------------------
# Who was in which group on a date
# --------------------------------------------------------------------------
def _code_key(code: Any) -> tuple[int, int, str]:
    text = str(code or "")
    layer = C.LAYERS.index(text[0]) if text[:1] in C.LAYERS else len(C.LAYERS)
    rank = int(text[1:]) if text[1:].isdigit() else 99
    return layer, rank, text


def teams_on(day_person: pd.DataFrame, members: pd.DataFrame, culture: pd.DataFrame,
             day_groups: pd.DataFrame | None = None) -> list[Team]:
    """The groups of a date: today's 分组, except that a student who already
    has records on that date stays in the group the records name (groups
    change over a term; a corrected Tuesday keeps Tuesday's groups)."""
    current = members.loc[members[C.GROUP_NO].notna()]
    info = {r[C.GROUP_ID]: r for r in current.to_dict("records")}
    assigned: dict[str, int] = {sid: int(r[C.GROUP_NO]) for sid, r in info.items()}
    names: dict[str, str] = {sid: r[C.GROUP_NAME_COL] or "" for sid, r in info.items()}
    for rec in day_person.to_dict("records"):
        sid, g = rec[C.REC_ID], rec[C.REC_GROUP]
        if sid and not pd.isna(g):
            assigned[sid] = int(g)
            names.setdefault(sid, rec[C.REC_NAME] or "")
    numbers = set(assigned.values())
    if day_groups is not None:
        numbers |= {int(g) for g in day_groups[C.REC_GROUP].dropna()}
    teams = []
    for g in sorted(numbers):
        people = []
        for sid, n in assigned.items():
            if n != g:
                continue
            r = info.get(sid, {})
            people.append(Member(sid, names.get(sid, ""), r.get(C.GROUP_CODE), r.get(C.GROUP_ROLES)))
        people.sort(key=lambda m: (_code_key(m.code), m.student_id))
        teams.append(Team(g, _team_name(g, culture, current, day_groups), people))
    return teams


def _team_name(g: int, culture: pd.DataFrame, members: pd.DataFrame, day_groups: pd.DataFrame | None) -> str:
    name = team_name(culture, g)
    if name != f"第{g}组":
        return name
    named = members.loc[(members[C.GROUP_NO] == g) & members[C.GROUP_TEAM_NAME].notna(), C.GROUP_TEAM_NAME]
    if len(named):
        return str(named.iloc[0])
    if day_groups is not None:
        named = day_groups.loc[(day_groups[C.REC_GROUP] == g) & day_groups[C.REC_TEAM].notna(), C.REC_TEAM]
        if len(named):
            return str(named.iloc[0])
    return name


# --------------------------------------------------------------------------
# Shared pieces
# --------------------------------------------------------------------------
def _subtitle(settings: Settings, day: date, extra: str) -> str:
    parts = [long_date(day)]
    week = week_number(day, settings.term_start)
    if week >= 1:
        parts.append(f"第{week}周")
    if extra:
        parts.append(extra)
    return "　".join(parts)


def _title_rows(layout: Layout, title: str, subtitle: str, day: date, width: int) -> str:
    """Rows 1–2: title, subtitle and (last column of row 2) the ISO date,
    which ``save`` reads and which is not shown (the subtitle has the date)."""
    layout.rows.append([title] + [None] * (width - 1))
    layout.rows.append([subtitle] + [None] * (width - 2) + [day.isoformat()])
    layout.merges += [range_ref(1, 1, 1, width), range_ref(2, 1, 2, width - 1)]
    layout.style(range_ref(1, 1, 1, width), "title")
    layout.style(range_ref(2, 1, 2, width), "subtitle")
    layout.style(cell_ref(2, width), "hidden")
    layout.heights[1] = paper.row_pt(1, SIZES["title"])
    layout.heights[2] = paper.row_pt(1, SIZES["subtitle"])
    return cell_ref(2, width)


def _legend_lines(legend: list[str], size: float, width_pt: float) -> list[str]:
    """The legend (说明：a；b；c。) in lines that fit ``width_pt``, each
    line broken between parts where it can."""
    area = width_pt - paper.CELL_PAD - 2 * size
    head = f"{C.DAILY_LEGEND}："
    lines = [head]
    for k, part in enumerate(legend):
        piece = part + ("。" if k == len(legend) - 1 else "；")
        if lines[-1] not in (head, "") and paper.text_pt(lines[-1] + piece, size) > area:
            lines.append("")
        while paper.text_pt(lines[-1] + piece, size) > area:  # a part longer than a line
            room = lines[-1]
            cut = 0
            while cut < len(piece) and paper.text_pt(room + piece[: cut + 1], size) <= area:
                cut += 1
            lines[-1] += piece[:cut]
            piece = piece[cut:]
            lines.append("")
        lines[-1] += piece
    return [("" if k == 0 else "　" * 3) + line for k, line in enumerate(lines)]


def _foot_height(lines: int, size: float) -> float:
    return 6 + lines * paper.row_pt(1, size) + paper.row_pt(1, SIZES["sign"]) + 6


def _foot(layout: Layout, width: int, lines: list[str], signs: tuple[str, ...], size: float) -> None:
    """Legend lines and the signature line.  The first foot row starts with
    说明, which is where reading a typed form stops."""
    layout.rows.append([None] * width)
    layout.heights[len(layout.rows)] = 6
    first = len(layout.rows) + 1
    for text in lines:
        layout.rows.append([text] + [None] * (width - 1))
        r = len(layout.rows)
        layout.merges.append(range_ref(r, 1, r, width))
        layout.heights[r] = paper.row_pt(1, size)
    layout.style(range_ref(first, 1, len(layout.rows), width), "hint")
    r = len(layout.rows) + 1
    gap = "　" * 6
    layout.rows.append([gap.join(f"{s}：{SIGN_BLANK}" for s in signs)] + [None] * (width - 1))
    layout.merges.append(range_ref(r, 1, r, width))
    layout.style(range_ref(r, 1, r, width), "sign")
    layout.heights[r] = paper.row_pt(1, SIZES["sign"]) + 6


def _body_height(n: int, fixed: float, height_pt: float) -> float:
    """Height of each of ``n`` body rows so the sheet fills the page: what
    the title, header and foot (``fixed``) leave, shared out."""
    room = height_pt - fixed - SAFETY
    return max(ROW_MIN, math.floor(room / max(n, 1) * 2) / 2)


def _plan_widths(needs: dict[int, float], note_col: int, note_min: float, width_pt: float) -> dict[int, float] | None:
    """Column widths (workbook units) from the points each column needs,
    the note column taking what is left of ``width_pt``; None if they do
    not fit."""
    used = sum(needs.values())
    room = width_pt * FILL - used
    if room < note_min:
        return None
    widths = {c: paper.units(pt) for c, pt in needs.items()}
    widths[note_col] = paper.units(room)
    return widths


def _validation(entry: Entry, ref: str, column_range: str) -> Validation:
    r1 = ref.split(":")[0]
    title = entry.item[:32]
    note = f"{entry.note}。" if entry.note else ""
    if entry.kind == POINTS:
        return Validation(ref, "decimal", minimum=entry.minimum, maximum=entry.maximum, prompt_title=title,
                          prompt=(note + f"填 {range_text(entry.minimum, entry.maximum)} 的数字；空白不计分。")[:250],
                          error=f"{entry.item}应为 {range_text(entry.minimum, entry.maximum)} 之间的数字")
    if entry.kind == GRADE:
        return Validation(ref, "custom", formula=validation_formula(entry, r1), prompt_title=title,
                          prompt=(f"填等级 {'/'.join(entry.keys)}（大小写、全角都可以）：{mapping_text(entry.mapping)}。" + note)[:250],
                          error=f"{entry.item}应为等级 {'/'.join(entry.keys)} 之一")
    return Validation(ref, "custom", formula=validation_formula(entry, r1, column_range), prompt_title=title,
                      prompt=(f"填名次 {'、'.join(entry.keys)}，每个名次这一栏只能用一次：{mapping_text(entry.mapping)}；空白不得分。")[:250],
                      error=f"{entry.item}应为 {'、'.join(entry.keys)} 中的一个，且每个名次只能给一个小组")


def _entry_value(entry: Entry, value: Any) -> Any:
    """A recorded value as it goes back into a form cell."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if entry.kind == GRADE:
        return str(value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        return value
    return int(x) if x.is_integer() else x


def _runs(labels: list[str]) -> list[tuple[int, int, str]]:
    """Runs of equal consecutive labels: (first index, last index, label)."""
    out: list[tuple[int, int, str]] = []
    for k, label in enumerate(labels):
        if out and out[-1][2] == label:
            out[-1] = (out[-1][0], k, label)
        else:
            out.append((k, k, label))
    return out


def _merge_runs(layout: Layout, row: list[Any], row_no: int, first_entry: int, labels: list[str]) -> None:
    """Merge each run of equal header labels over the entry columns of
    sheet row ``row_no`` (``row`` is its list in the layout; repeats are blanked)."""
    for a, b, _ in _runs(labels):
        if b > a:
            layout.merges.append(range_ref(row_no, first_entry + a, row_no, first_entry + b))
            for k in range(a + 1, b + 1):
                row[first_entry + k - 1] = None


def _entry_rows(layout: Layout, first: int, fixed: list[tuple[Any, list[Any]]], cols: list[tuple[int, Entry]],
                prefill: dict[Any, tuple[dict[str, Any], str | None]], width: int,
                height: float) -> tuple[list[tuple[int, Any]], int, int]:
    """One body row per (key, fixed cells) from sheet row ``first``: the
    fixed cells, the entries pre-filled from ``prefill[key]``, the 合计
    formula and the note.  Returns ((row, key) per row, entries pre-filled,
    last body row); an empty body keeps one blank row."""
    rows: list[tuple[int, Any]] = []
    filled = 0
    for k, (key, cells) in enumerate(fixed):
        r = first + k
        values, note = prefill.get(key, ({}, None))
        row = list(cells)
        for _, e in cols:
            v = _entry_value(e, values.get(e.item))
            filled += v is not None
            row.append(v)
        row += [total_formula(cols, r), note]
        layout.rows.append(row)
        layout.heights[r] = height
        rows.append((r, key))
    if not fixed:
        layout.rows.append([None] * width)
        layout.heights[first] = height
    return rows, filled, max(first + len(fixed) - 1, first)


# --------------------------------------------------------------------------
# 日表-第N组: the member sheet
# --------------------------------------------------------------------------
def member_form(settings: Settings, day: date, team: Team, records: pd.DataFrame | None = None,
                sheet: str | None = None) -> Form:
    """The member sheet of ``team`` for ``day``, pre-filled from ``records``
    (that date's person records from daily sheets).  A4 portrait, laid out
    to fill the page at 五号 (10.5 pt) type, 10 pt if the items need it."""
    entries = member_entries(settings)
    n_fixed = len(GROUP_FIXED)
    first_entry = n_fixed + 1
    total_col = first_entry + len(entries)
    note_col = total_col + 1
    width = note_col
    layout = Layout()
    name = f"第{team.number}组" + (f"（{team.name}）" if team.name and team.name != f"第{team.number}组" else "")
    title = f"{settings.class_name}　{name}　{C.DAILY_GROUP_TITLE}"
    extra = f"{C.ROLE_LEADER}：{team.leader}" if team.leader else ""
    date_cell = _title_rows(layout, title, _subtitle(settings, day, extra), day, width)

    h1 = HEADER_ROW
    h2 = h1 + 1
    item_heads = [f"{e.item}\n{range_text(e.minimum, e.maximum)}" for e in entries]
    layout.rows.append(list(GROUP_FIXED) + [e.category for e in entries] + [C.DAILY_TOTAL, C.REC_NOTE])
    layout.rows.append([None] * n_fixed + item_heads + [None, None])
    layout.style(range_ref(h1, 1, h2, width), "header")
    for k in list(range(1, n_fixed + 1)) + [total_col, note_col]:
        layout.merges.append(range_ref(h1, k, h2, k))
    _merge_runs(layout, layout.rows[h1 - 1], h1, first_entry, [e.category for e in entries])
    if entries:
        layout.style(range_ref(h1, first_entry, h1, total_col - 1), "category")

    # Widths: each column as wide as its header and values need (breaking
    # only between words); 备注 takes the rest of the page.
    width_pt, height_pt = paper.printable("portrait", MARGINS[C.FORM_GROUP])
    fixed_texts = [[m.student_id for m in team.members], [m.code or "" for m in team.members],
                   [m.name for m in team.members], [line for m in team.members for line in (_roles(m.roles) or "").split("\n")]]
    for size in (BODY_SIZE, 10):
        needs = {k + 1: paper.column_pt([GROUP_FIXED[k]] + texts, size) for k, texts in enumerate(fixed_texts)}
        for k, head in enumerate(item_heads):
            needs[first_entry + k] = paper.column_pt([head], size, ENTRY_MIN)
        needs[total_col] = paper.column_pt([C.DAILY_TOTAL], size, ENTRY_MIN + 4)
        widths = _plan_widths(needs, note_col, paper.column_pt([C.REC_NOTE], size, 50), width_pt)
        if widths is not None:
            break
    else:
        widths = {c: paper.units(pt) for c, pt in needs.items()}
        widths[note_col] = paper.units(60)  # too many items for the page: printing scales it down
    layout.widths = widths
    col_pt = {c: w * paper.PT_PER_UNIT for c, w in widths.items()}
    cat_lines = max([1] + [paper.lines_needed(label, size, sum(col_pt[first_entry + k] for k in range(a, b + 1)))
                           for a, b, label in _runs([e.category for e in entries])])
    head_lines = max([2] + [paper.lines_needed(h, size, col_pt[first_entry + k]) for k, h in enumerate(item_heads)])
    layout.heights[h1] = paper.row_pt(cat_lines, size)
    layout.heights[h2] = paper.row_pt(head_lines, size)

    legend = ["每格填该项当天得分（范围见表头，如 -5～5 可扣分），空白不计分", "合计自动计算，有分才显示"]
    table_pt = sum(col_pt.values())
    lines = _legend_lines(legend, size, table_pt)
    fixed_pt = sum(layout.heights[r] for r in (1, 2, h1, h2)) + _foot_height(len(lines), size)
    body = _body_height(len(team.members), fixed_pt, height_pt)

    first = h2 + 1
    cols = [(first_entry + k, e) for k, e in enumerate(entries)]
    fixed = [(m.student_id, [m.student_id, m.code, m.name, _roles(m.roles)]) for m in team.members]
    rows, filled, last = _entry_rows(layout, first, fixed, cols, _person_prefill(records), width, body)
    layout.style(range_ref(first, 1, last, 3), "text")
    layout.style(range_ref(first, 4, last, 4), "left")
    if entries:
        layout.style(range_ref(first, first_entry, last, total_col - 1), "entry")
    layout.style(range_ref(first, total_col, last, total_col), "total")
    layout.style(range_ref(first, note_col, last, note_col), "note")
    for col, e in cols:
        ref = range_ref(first, col, last, col)
        layout.validations.append(_validation(e, ref, _absolute(ref)))
    layout.validations.append(Validation(range_ref(first, note_col, last, note_col), "textLength", maximum=200,
                                         prompt_title=C.REC_NOTE, prompt="发生了什么（如 迟到、课堂展示优秀、请假）；可不填。",
                                         error="备注请少于 200 字"))
    _foot(layout, width, lines, (C.DAILY_SIGN_LEADER, C.DAILY_SIGN_TEACHER), size)
    if size != BODY_SIZE:
        layout.style(range_ref(h1, 1, len(layout.rows) - 1, width), f"size{size:g}")
    layout.freeze = cell_ref(first, first_entry)
    layout.print = PrintSetup(orientation="portrait", paper="A4", fit_width=1, fit_height=1,
                              title_rows=f"1:{h2}", area=range_ref(1, 1, len(layout.rows), width),
                              margins=None, center_horizontally=None, center_vertically=None)
    return Form(sheet or C.daily_group_sheet(team.number), C.FORM_GROUP, "group", day, team.number, layout,
                cols, rows, note_col, total_col, date_cell, filled)


def _roles(roles: str | None) -> str | None:
    """A member's roles one per line (大组长、数学组长 → two lines), so the
    column is as wide as the longest role and no role breaks in two."""
    if not roles:
        return roles
    return "\n".join(r.strip() for r in str(roles).replace("，", "、").split("、") if r.strip())


def _person_prefill(records: pd.DataFrame | None) -> dict[str, tuple[dict[str, Any], str | None]]:
    out: dict[str, tuple[dict[str, Any], str | None]] = {}
    if records is None or not len(records):
        return out
    for rec in records.to_dict("records"):
        values, note = out.get(rec[C.REC_ID], ({}, None))
        if rec[C.REC_ITEM] != C.NOTE_ITEM:
            values[rec[C.REC_ITEM]] = rec[C.REC_POINTS]
        out[rec[C.REC_ID]] = (values, note or rec[C.REC_NOTE])
    return out


def _absolute(ref: str) -> str:
    a, _, b = ref.partition(":")
    b = b or a

    def dollar(cell: str) -> str:
        letters = "".join(ch for ch in cell if ch.isalpha())
        return f"${letters}${cell[len(letters):]}"

    return f"{dollar(a)}:{dollar(b)}"


# --------------------------------------------------------------------------
# 日表-班级: the class sheet
# --------------------------------------------------------------------------
def class_form(settings: Settings, day: date, teams: list[Team], records: pd.DataFrame | None = None,
               sheet: str | None = None) -> Form:
    """The class sheet for ``day``, pre-filled from ``records`` (that
    date's group records from daily sheets).  A4 landscape, laid out to fill
    the page at 五号 type; with many subjects and periods the rule names
    under each subject / period stand vertically, then the type is 10 pt."""
    entries = class_entries(settings, day)
    n_fixed = len(CLASS_FIXED)
    first_entry = n_fixed + 1
    total_col = first_entry + len(entries)
    note_col = total_col + 1
    width = note_col
    layout = Layout()
    title = f"{settings.class_name}　{C.DAILY_CLASS_TITLE}"
    date_cell = _title_rows(layout, title, _subtitle(settings, day, ""), day, width)

    h1, h2, h3 = HEADER_ROW, HEADER_ROW + 1, HEADER_ROW + 2
    cats = [e.category for e in entries]
    tops = [e.top for e in entries]
    leaves = [e.leaf for e in entries]
    row1 = list(CLASS_FIXED) + cats + [C.DAILY_TOTAL, C.REC_NOTE]
    row2 = [None] * n_fixed + tops + [None, None]
    row3 = [None] * n_fixed + leaves + [None, None]
    layout.style(range_ref(h1, 1, h3, width), "header")
    for k in list(range(1, n_fixed + 1)) + [total_col, note_col]:
        layout.merges.append(range_ref(h1, k, h3, k))
    _merge_runs(layout, row1, h1, first_entry, cats)
    _merge_runs(layout, row2, h2, first_entry, tops)
    layout.rows += [row1, row2, row3]
    if entries:
        layout.style(range_ref(h1, first_entry, h1, total_col - 1), "category")

    # Widths: the first of these that fits the page.
    width_pt, height_pt = paper.printable("landscape", MARGINS[C.FORM_CLASS])
    # Rule names under a subject / period, then single-column subject and
    # rule names, may stand vertically (竖排) when the columns are narrow.
    leaf_stack = [k for k, e in enumerate(entries) if e.top != e.item and e.leaf and all(paper.wide(ch) for ch in e.leaf)]
    top_stack = [k for a, b, label in _runs(tops) if a == b and label and all(paper.wide(ch) for ch in label)
                 for k in (a,)]
    fixed_texts = [[str(t.number) for t in teams], [t.name for t in teams]]
    ladder = ((BODY_SIZE, 0, ENTRY_MIN), (BODY_SIZE, 1, 24), (BODY_SIZE, 1, 22), (10, 1, 22), (10, 2, 22), (10, 2, 20))
    for size, stacked, least in ladder:
        upright = size + paper.CELL_PAD + 6  # one character a line
        needs = {k + 1: paper.column_pt([CLASS_FIXED[k]] + texts, size) for k, texts in enumerate(fixed_texts)}
        for k, e in enumerate(entries):
            texts = [] if stacked and k in leaf_stack else [e.leaf]
            if not (stacked == 2 and k in top_stack) and e.top == e.item:
                texts.append(e.top)
            needs[first_entry + k] = max(upright, paper.column_pt(texts, size, least)) if texts else max(least, upright)
        for a, b, label in _runs(tops):  # a subject / period name over its columns
            if stacked == 2 and a in top_stack:
                continue
            run = [first_entry + k for k in range(a, b + 1)]
            short = paper.column_pt([label], size) - sum(needs[c] for c in run)
            for c in run:
                needs[c] += max(short, 0) / len(run)
        needs[total_col] = paper.column_pt([C.DAILY_TOTAL], size, least + 4)
        widths = _plan_widths(needs, note_col, paper.column_pt([C.REC_NOTE], size, 40), width_pt)
        if widths is not None:
            break
    else:
        widths = {c: paper.units(pt) for c, pt in needs.items()}
        widths[note_col] = paper.units(40)  # too many columns for the page: printing scales it down
    layout.widths = widths
    col_pt = {c: w * paper.PT_PER_UNIT for c, w in widths.items()}

    def run_lines(labels: list[str], skip: list[int]) -> int:
        return max([1] + [paper.lines_needed(label, size, sum(col_pt[first_entry + k] for k in range(a, b + 1)))
                          for a, b, label in _runs(labels) if label and a not in skip])

    def upright_pt(texts: list[str]) -> float:
        return math.ceil(max(len(t) for t in texts) * size * 1.35 + 8)

    stood_tops = top_stack if stacked == 2 else []
    stood_leaves = leaf_stack if stacked else []
    layout.heights[h1] = paper.row_pt(run_lines(cats, []), size)
    layout.heights[h2] = paper.row_pt(run_lines(tops, stood_tops), size)
    if stood_tops:
        layout.heights[h2] = max(layout.heights[h2], upright_pt([tops[k] for k in stood_tops]))
        for k in stood_tops:
            layout.style(cell_ref(h2, first_entry + k), "vheader")
    layout.heights[h3] = paper.row_pt(max([1] + [paper.lines_needed(e.leaf, size, col_pt[first_entry + k])
                                                 for k, e in enumerate(entries) if k not in stood_leaves]), size)
    if stood_leaves:
        layout.heights[h3] = max(layout.heights[h3], upright_pt([entries[k].leaf for k in stood_leaves]))
        for k in stood_leaves:
            layout.style(cell_ref(h3, first_entry + k), "vheader")

    lines = _legend_lines(_class_legend(settings), size, sum(col_pt.values()))
    fixed_pt = sum(layout.heights[r] for r in (1, 2, h1, h2, h3)) + _foot_height(len(lines), size)
    body = _body_height(len(teams), fixed_pt, height_pt)

    first = h3 + 1
    cols = [(first_entry + k, e) for k, e in enumerate(entries)]
    fixed = [(team.number, [team.number, team.name]) for team in teams]
    rows, filled, last = _entry_rows(layout, first, fixed, cols, _group_prefill(records), width, body)
    layout.style(range_ref(first, 1, last, 2), "text")
    if entries:
        layout.style(range_ref(first, first_entry, last, total_col - 1), "entry")
    layout.style(range_ref(first, total_col, last, total_col), "total")
    layout.style(range_ref(first, note_col, last, note_col), "note")
    # Validations: one per run of columns sharing a rule, one per place column.
    k = 0
    while k < len(cols):
        col, e = cols[k]
        end = k
        if not e.unique:
            while end + 1 < len(cols) and _same_rule(cols[end + 1][1], e) and cols[end + 1][0] == cols[end][0] + 1:
                end += 1
        ref = range_ref(first, col, last, cols[end][0])
        layout.validations.append(_validation(e, ref, _absolute(range_ref(first, col, last, col))))
        k = end + 1
    layout.validations.append(Validation(range_ref(first, note_col, last, note_col), "textLength", maximum=200,
                                         prompt_title=C.REC_NOTE, prompt="记录当天发生的事（加分、扣分的原因）；可不填。",
                                         error="备注请少于 200 字"))
    _foot(layout, width, lines, (C.DAILY_SIGN_MONITOR, C.DAILY_SIGN_TEACHER), size)
    if size != BODY_SIZE:
        layout.style(range_ref(h1, 1, len(layout.rows) - 1, width), f"size{size:g}")
    layout.freeze = cell_ref(first, first_entry)
    layout.print = PrintSetup(orientation="landscape", paper="A4", fit_width=1, fit_height=1,
                              title_rows=f"1:{h3}", area=range_ref(1, 1, len(layout.rows), width),
                              margins=None, center_horizontally=None, center_vertically=None)
    return Form(sheet or C.DAILY_CLASS, C.FORM_CLASS, "class", day, None, layout, cols, rows, note_col, total_col,
                date_cell, filled)


def _same_rule(a: Entry, b: Entry) -> bool:
    return (a.kind, a.minimum, a.maximum, a.mapping, a.leaf if a.top != a.item else a.item) == \
        (b.kind, b.minimum, b.maximum, b.mapping, b.leaf if b.top != b.item else b.item)


def _group_prefill(records: pd.DataFrame | None) -> dict[int, tuple[dict[str, Any], str | None]]:
    out: dict[int, tuple[dict[str, Any], str | None]] = {}
    if records is None or not len(records):
        return out
    for rec in records.to_dict("records"):
        g = int(rec[C.REC_GROUP])
        values, note = out.get(g, ({}, None))
        if rec[C.REC_ITEM] != C.NOTE_ITEM:
            raw = rec.get(C.REC_RAW)
            values[rec[C.REC_ITEM]] = raw if raw is not None and not (isinstance(raw, float) and pd.isna(raw)) else rec[C.REC_POINTS]
        out[g] = (values, note or rec[C.REC_NOTE])
    return out


def _class_legend(settings: Settings) -> list[str]:
    parts = []
    for rule in settings.rules:
        if rule.kind == GRADE:
            parts.append(f"{rule.name} {mapping_text(rule.mapping)}（大小写、全角都可以）")
        elif rule.kind == PLACE:
            parts.append(f"{rule.name} {mapping_text(rule.mapping)}，每节每个名次只给一个组，空白不得分")
        else:
            parts.append(f"{rule.name} {range_text(rule.minimum, rule.maximum)}")
    return parts + ["合计自动计算，有分才显示"]


# --------------------------------------------------------------------------
# 周表-第N组: the weekly member form (设置 纸质表格 = 每周)
# --------------------------------------------------------------------------
WEEK_FIXED = (C.GROUP_ID, C.GROUP_CODE, C.GROUP_NAME_COL)
NO_NOTE = 0  # a weekly form has no 备注 column (notes go on the day's class sheet)
WEEK_ENTRY_MIN = 15.5  # points: a day column, room for a handwritten "-3"


def day_label(day: date) -> str:
    """A weekly form's day column header: the weekday over the day of the
    month (一 / 23); its first line is what ``save`` reads."""
    return f"{C.WEEKDAYS[day.weekday()]}\n{day.day}"


def _chunks(days: list[date], n: int) -> list[list[date]]:
    """``days`` in ``n`` consecutive blocks, the first ones the longest."""
    size, extra = divmod(len(days), n)
    out, k = [], 0
    for b in range(n):
        take = size + (1 if b < extra else 0)
        out.append(days[k : k + take])
        k += take
    return [c for c in out if c]


def week_form(settings: Settings, days: list[date], team: Team,
              records: dict[date, pd.DataFrame] | None = None, sheet: str | None = None) -> Form:
    """The weekly form of ``team`` for the school days ``days`` of one week:
    one row per member (学号, 代号, 姓名), per individual item of 设置 one
    column per school day (the item and its range over the days 一 … 五),
    then 合计.  A4 landscape at 五号 (10.5 pt) type, 10 pt if the columns
    need it.  When the items × days do not fit one page width at 10 pt (a
    day column is at least :data:`WEEK_ENTRY_MIN` wide, room for a
    handwritten "-3"), the week is split into blocks of days stacked one
    below the other (一二三 above 四五), each a table with its own header
    and 合计, one page each when they do not fit one page together.
    Pre-filled from ``records`` (date → that date's person records from
    daily sheets).  Row 2 ends with the Monday of the week as ISO text; a
    day column's date is that Monday plus the weekday over it."""
    days = sorted(days)
    entries = member_entries(settings)
    n_fixed = len(WEEK_FIXED)
    first_entry = n_fixed + 1
    width_pt, height_pt = paper.printable("landscape", MARGINS[C.FORM_CLASS])
    fixed_texts = [[m.student_id for m in team.members], [m.code or "" for m in team.members],
                   [m.name for m in team.members]]
    item_heads = [f"{e.item}\n{range_text(e.minimum, e.maximum)}" for e in entries]

    def plan(size: float, slots: int, force: bool = False) -> tuple[dict[int, float], float] | None:
        """Column widths (points) with ``slots`` day columns per item, and the
        room left; None when they do not fit the page width (unless ``force``)."""
        needs = {k + 1: paper.column_pt([WEEK_FIXED[k]] + texts, size) for k, texts in enumerate(fixed_texts)}
        day_pt = max(WEEK_ENTRY_MIN, paper.column_pt([line for d in days for line in day_label(d).split("\n")], size))
        blocks = [max(day_pt * slots, paper.column_pt([h], size)) for h in item_heads]
        total = first_entry + len(entries) * slots
        needs[total] = paper.column_pt([C.DAILY_TOTAL], size, ENTRY_MIN)
        room = width_pt * FILL - sum(needs.values()) - sum(blocks)
        if room < 0 and not force:
            return None
        room = max(room, 0)
        for k, block in enumerate(blocks):
            for m in range(slots):
                needs[first_entry + k * slots + m] = block / slots + room / max(len(entries) * slots, 1)
        return needs, room

    chosen = None
    for n_blocks in range(1, len(days) + 1):
        slots = math.ceil(len(days) / n_blocks)
        for size in (BODY_SIZE, 10):
            chosen = plan(size, slots)
            if chosen is not None:
                break
        if chosen is not None:
            break
    if chosen is None:  # too many items for a page even a day at a time: printing scales it down
        size, n_blocks, slots = 10, len(days), 1
        chosen = plan(size, slots, force=True)
    needs = chosen[0]
    blocks = _chunks(days, n_blocks)
    total_col = first_entry + len(entries) * slots
    width = total_col

    layout = Layout()
    name = f"第{team.number}组" + (f"（{team.name}）" if team.name and team.name != f"第{team.number}组" else "")
    title = f"{settings.class_name}　{name}　{C.WEEK_FORM_TITLE}"
    parts = [f"{long_date(days[0]).split(' ')[0]}—{short_date(days[-1])}"]
    week = week_number(days[0], settings.term_start)
    if week >= 1:
        parts.append(f"第{week}周")
    if team.leader:
        parts.append(f"{C.ROLE_LEADER}：{team.leader}")
    date_cell = _title_rows(layout, title, "　".join(parts), monday(days[0]), width)
    layout.widths = {c: paper.units(pt) for c, pt in needs.items()}
    col_pt = {c: w * paper.PT_PER_UNIT for c, w in layout.widths.items()}
    cats = [e.category for e in entries for _ in range(slots)]
    cat_lines = max([1] + [paper.lines_needed(label, size, sum(col_pt[first_entry + k] for k in range(a, b + 1)))
                           for a, b, label in _runs(cats)])
    head_lines = max([2] + [paper.lines_needed(h, size, sum(col_pt[first_entry + k * slots + m] for m in range(slots)))
                            for k, h in enumerate(item_heads)])
    head_pt = [paper.row_pt(cat_lines, size), paper.row_pt(head_lines, size), paper.row_pt(2, size)]
    legend = ["每个项目下按星期分栏（一、二…下面是日期），每格填该项当天得分（范围见表头，如 -5～5 可扣分），空白不计分",
              "合计为表中各天的总分，自动计算，有分才显示", "备注写在当天的班级考核表上"]
    lines = _legend_lines(legend, size, sum(col_pt.values()))
    title_pt = layout.heights[1] + layout.heights[2]
    n = max(len(team.members), 1)
    gap = 12  # points between two blocks on one page
    together = title_pt + len(blocks) * sum(head_pt) + (len(blocks) - 1) * gap + _foot_height(len(lines), size)
    one_page = together + len(blocks) * n * ROW_MIN + SAFETY <= height_pt
    if one_page:
        bodies = [_body_height(len(blocks) * n, together, height_pt)] * len(blocks)
    else:  # a block a page, the title repeated; the last page also holds the foot
        bodies = [_body_height(n, title_pt + sum(head_pt) + gap, height_pt)] * (len(blocks) - 1)
        bodies.append(_body_height(n, title_pt + sum(head_pt) + _foot_height(len(lines), size), height_pt))

    cols: list[tuple[int, Entry]] = []  # every entry cell's column, per block (a column repeats)
    col_days: dict[int, date] = {}  # of the first block (the Form's metadata)
    rows: list[tuple[int, Any]] = []
    filled = 0
    prefill = {d: _person_prefill(records.get(d) if records else None) for d in days}
    for b, block in enumerate(blocks):
        body = bodies[b]
        if b:
            layout.rows.append([None] * width)
            r = len(layout.rows)
            layout.heights[r] = gap
            if not one_page:
                layout.page_breaks.append(r)
        h1 = len(layout.rows) + 1
        h2, h3 = h1 + 1, h1 + 2
        block_cols = [(first_entry + k * slots + m, e, block[m] if m < len(block) else None)
                      for k, e in enumerate(entries) for m in range(slots)]
        row1 = list(WEEK_FIXED) + cats + [C.DAILY_TOTAL]
        row2 = [None] * n_fixed + [item_heads[k // slots] for k in range(len(block_cols))] + [None]
        row3 = [None] * n_fixed + [day_label(d) if d else None for _, _, d in block_cols] + [None]
        layout.style(range_ref(h1, 1, h3, width), "header")
        for k in list(range(1, n_fixed + 1)) + [total_col]:
            layout.merges.append(range_ref(h1, k, h3, k))
        _merge_runs(layout, row1, h1, first_entry, cats)
        _merge_runs(layout, row2, h2, first_entry, [f"{k // slots}" for k in range(len(block_cols))])
        layout.rows += [row1, row2, row3]
        if entries:
            layout.style(range_ref(h1, first_entry, h1, total_col - 1), "category")
        for r, pt in zip((h1, h2, h3), head_pt):
            layout.heights[r] = pt
        live = [(c, e) for c, e, d in block_cols if d is not None]
        first = h3 + 1
        for k, m in enumerate(team.members):
            r = first + k
            row: list[Any] = [m.student_id, m.code, m.name]
            for c, e, d in block_cols:
                v = _entry_value(e, prefill[d].get(m.student_id, ({}, None))[0].get(e.item)) if d else None
                filled += v is not None
                row.append(v)
            row.append(total_formula(live, r))
            layout.rows.append(row)
            layout.heights[r] = body
            if b == 0:
                rows.append((r, m.student_id))
        if not team.members:
            layout.rows.append([None] * width)
            layout.heights[first] = body
        last = max(first + len(team.members) - 1, first)
        layout.style(range_ref(first, 1, last, n_fixed), "text")
        if entries:
            layout.style(range_ref(first, first_entry, last, total_col - 1), "entry")
        layout.style(range_ref(first, total_col, last, total_col), "total")
        for c, e, d in block_cols:
            if d is None:  # a slot the last block has no day for
                layout.style(range_ref(h3, c, last, c), "total")
        for k, e in enumerate(entries):
            a = first_entry + k * slots
            ref = range_ref(first, a, last, a + len(block) - 1)
            layout.validations.append(_validation(e, ref, _absolute(ref)))
        cols += [(c, e) for c, e in live]
        if b == 0:
            col_days = {c: d for c, _, d in block_cols if d is not None}
    _foot(layout, width, lines, (C.DAILY_SIGN_LEADER, C.DAILY_SIGN_TEACHER), size)
    if size != BODY_SIZE:
        layout.style(range_ref(HEADER_ROW, 1, len(layout.rows) - 1, width), f"size{size:g}")
    layout.freeze = cell_ref(HEADER_ROW + 3, first_entry) if len(blocks) == 1 else None
    layout.print = PrintSetup(orientation="landscape", paper="A4", fit_width=1, fit_height=1 if one_page else 0,
                              title_rows="1:2" if len(blocks) > 1 else f"1:{HEADER_ROW + 2}",
                              area=range_ref(1, 1, len(layout.rows), width),
                              margins=None, center_horizontally=None, center_vertically=None)
    return Form(sheet or C.week_group_sheet(team.number), C.FORM_CLASS, "week", days[0], team.number, layout,
                cols, rows, NO_NOTE, total_col, date_cell, filled, col_days)


# --------------------------------------------------------------------------
# All forms of a date
# --------------------------------------------------------------------------
def day_forms(settings: Settings, day: date, teams: list[Team], person_day: pd.DataFrame | None = None,
              group_day: pd.DataFrame | None = None, *, weekday_names: bool = False) -> list[Form]:
    """The class sheet and every member sheet of ``day``.  With
    ``weekday_names`` the sheets carry the weekday (日表-第3组(周三))."""
    def name(sheet: str) -> str:
        return C.daily_day_sheet(sheet, day.weekday()) if weekday_names else sheet

    forms = [class_form(settings, day, teams, group_day, name(C.DAILY_CLASS))]
    for team in teams:
        mine = None
        if person_day is not None and len(person_day):
            mine = person_day.loc[person_day[C.REC_GROUP] == team.number]
        forms.append(member_form(settings, day, team, mine, name(C.daily_group_sheet(team.number))))
    return forms


def fill(forms: Iterable[Form], typed: dict[str, dict[tuple[int, int], Any]]) -> list[tuple[Form, Layout]]:
    """Each form with the values typed on its sheet (sheet → cells)."""
    return [(f, f.filled(typed.get(f.sheet, {}))) for f in forms]

