"""Every table of the workbook, declared once, and the one reader and
write-back they share.

A :class:`Table` lists its columns: header (and the other spellings a
teacher's sheet may use), type, range, whether required.  The declaration
drives

* the reader (:func:`read`): the table is found by its header wherever it
  is (rows inserted above, columns inserted to its left), read to the last
  used row with blank rows skipped, every cell converted by
  :mod:`xlzu.cells`, every unreadable cell reported by sheet and cell;
* the writer: each column's number format (:meth:`Column.style`) and
  Excel's data validation (:meth:`Column.validation`), so what Excel lets a
  teacher type and what the reader accepts are the same rule;
* the write-back (:func:`keep`): columns and notes a teacher added beside
  a table, and rows above it, are written back where they were.

Pure pandas: nothing here knows a workbook library.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from operator import itemgetter
from typing import Any, Callable, Iterable

import pandas as pd

from . import cells
from . import contract as C
from .errors import CellProblem
from .layout import Layout, Validation, cell_ref, parse_range, range_ref


# --------------------------------------------------------------------------
# Declarations
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    """One column of a table.

    kind: ``id`` (学号), ``name`` (姓名), ``text`` (as typed), ``code``
    (short text, full-width folded), ``gender``, ``layer`` (A–D), ``lock``
    (锁定 words), ``int``, ``number``, ``rating`` (1–5 or 优秀…差),
    ``score`` (a number, or blank / 缺考), ``date``.
    """

    name: str
    kind: str = "text"
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    aliases: tuple[str, ...] = ()
    expected: str = ""  # what a message says is expected; derived from kind and range when ""
    prompt: str = ""  # Excel's input prompt on the column
    lenient: bool = False  # a value that cannot be read counts as blank (a column only shown, never used)

    # ---- reading ---------------------------------------------------------
    def parse(self, raw: Any) -> tuple[Any, str]:
        """(value, '') or (None, what is expected).  Blank → (None, '') unless required."""
        value, problem = self._parse(raw)
        return (None, "") if problem and self.lenient else (value, problem)

    def _parse(self, raw: Any) -> tuple[Any, str]:
        if cells.is_blank(raw):
            return None, (self.expect() if self.required else "")
        k = self.kind
        if k == "id":
            return cells.student_id(raw), ""
        if k == "name":
            return cells.person_name(raw) or None, ""
        if k == "text":
            return cells.text(raw) or None, ""
        if k == "code":
            return cells.normalize(raw) or None, ""
        if k == "gender":
            g = cells.gender(raw)
            return (g, "") if g else (None, self.expect())
        if k == "layer":
            layer = cells.layer(raw)
            return (layer, "") if layer else (None, self.expect())
        if k == "lock":
            return cells.is_locked(raw), ""
        if k == "date":
            d = cells.to_date(raw)
            return (pd.Timestamp(d), "") if d else (None, self.expect())
        if k == "score" and cells.is_missing_score(raw):
            return None, ""
        x = cells.rating(raw) if k == "rating" else cells.number(raw)
        if x is None or not self.in_range(x) or (k in ("int", "rating") and not float(x).is_integer()):
            return None, self.expect()
        return (int(x) if k in ("int", "rating") else x), ""

    def in_range(self, x: float) -> bool:
        return (self.minimum is None or x >= self.minimum) and (self.maximum is None or x <= self.maximum)

    def range_text(self) -> str:
        lo, hi = self.minimum, self.maximum
        if lo is not None and hi is not None:
            return f"{cells.fmt(lo)}–{cells.fmt(hi)} "
        if lo is not None and lo >= 1 and self.kind == "int":
            return "正"
        return ""

    def expect(self) -> str:
        if self.expected:
            return self.expected
        k, n = self.kind, self.name
        if k in ("id", "name", "text", "code") or (self.required and k not in ("int", "number", "score", "date")):
            return f"{n}不能为空"
        return {
            "gender": "性别应为 男 或 女",
            "layer": f"{n}应为 A、B、C、D 之一",
            "date": f"{n}应为日期，如 2026-11-24",
            "int": f"{n}应为{self.range_text()}整数",
            "rating": f"{n}应为 {self.range_text()}的整数（5 最好）",
            "number": f"{n}应为{' ' + self.range_text() if self.range_text() else ''}的数字" if self.range_text() else f"{n}应为数字",
            "score": f"{n}应为 {self.range_text()}的分数，或空白/缺考",
        }.get(k, f"{n}填写有误")

    # ---- writing ---------------------------------------------------------
    def style(self) -> str:
        """The style key (number format) of the column's data cells."""
        return {"id": "id", "date": "date", "int": "integer", "rating": "integer", "number": "number",
                "score": "number", "text": "left"}.get(self.kind, "text")

    def validation(self) -> Validation | None:
        """Excel's data validation for the column (ref filled in by the layout)."""
        k = self.kind
        if k in ("int", "rating", "number", "score") and (self.minimum is not None or self.maximum is not None):
            return Validation("", "whole" if k in ("int", "rating") else "decimal", minimum=self.minimum,
                              maximum=self.maximum, prompt_title=self.name, prompt=self.prompt[:250],
                              error=self.expect())
        if k == "gender":
            return Validation("", "list", values=C.GENDERS, prompt_title=self.name, prompt=self.prompt or "男 或 女",
                              error=self.expect())
        if k == "layer":
            return Validation("", "list", values=C.LAYERS, prompt_title=self.name, prompt=self.prompt[:250],
                              error=self.expect())
        if k == "lock":
            return Validation("", "list", values=(C.LOCKED_MARK,), prompt_title=self.name, prompt=self.prompt[:250],
                              error=f"{self.name}请填“{C.LOCKED_MARK}”或留空")
        return None


@dataclass(frozen=True)
class Table:
    """A table of a sheet: its columns, which ones must be in the header for
    it to be found, the column whose repeats are refused, and the first
    words of rows that are not records (our own hints) or end the table."""

    sheet: str
    columns: tuple[Column, ...]
    anchors: tuple[str, ...] = ()  # headers that identify the table (default: the first column)
    unique: str | None = None  # a repeated value in this column is refused (学号 by its id_key, numbers as typed)
    skip: tuple[str, ...] = ()  # a row whose first text starts with one of these is a hint, not a record
    stop: tuple[str, ...] = ()  # a row whose first text starts with one of these ends the table
    open_kind: Column | None = None  # undeclared headed columns are read as this kind (exams, raters)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def plus(self, *columns: Column) -> "Table":
        """The table with more declared columns (subjects, raters)."""
        return replace(self, columns=self.columns + tuple(columns))


# --------------------------------------------------------------------------
# The declarations
# --------------------------------------------------------------------------
def _rec(kind: str) -> tuple[Column, ...]:
    cols = {
        C.REC_DATE: Column(C.REC_DATE, "date", required=True, expected="应为日期"),
        C.REC_ID: Column(C.REC_ID, "id", required=True, expected="学号不能为空"),
        C.REC_NAME: Column(C.REC_NAME, "text"),
        C.REC_GROUP: Column(C.REC_GROUP, "int", required=kind == "group", minimum=1, expected="组号应为正整数",
                            lenient=kind == "person"),
        C.REC_TEAM: Column(C.REC_TEAM, "text"),
        C.REC_CATEGORY: Column(C.REC_CATEGORY, "text"),
        C.REC_ITEM: Column(C.REC_ITEM, "text"),
        C.REC_POINTS: Column(C.REC_POINTS, "number", required=True, expected="分数应为数字"),
        C.REC_RAW: Column(C.REC_RAW, "text"),
        C.REC_NOTE: Column(C.REC_NOTE, "text"),
        C.REC_SOURCE: Column(C.REC_SOURCE, "text"),
    }
    names = C.PERSON_RECORD_COLUMNS if kind == "person" else C.GROUP_RECORD_COLUMNS
    return tuple(cols[n] for n in names)


PERSON_RECORDS = Table(C.PERSON_RECORDS, _rec("person"), anchors=(C.REC_DATE, C.REC_ITEM, C.REC_POINTS, C.REC_ID))
GROUP_RECORDS = Table(C.GROUP_RECORDS, _rec("group"), anchors=(C.REC_DATE, C.REC_ITEM, C.REC_POINTS, C.REC_GROUP))

ROSTER = Table(C.ROSTER, (
    Column(C.ROSTER_ID, "id", required=True, aliases=C.ROSTER_ALIASES[C.ROSTER_ID], expected="学号不能为空"),
    Column(C.ROSTER_NAME, "name", aliases=C.ROSTER_ALIASES[C.ROSTER_NAME]),
    Column(C.ROSTER_GENDER, "gender", aliases=C.ROSTER_ALIASES[C.ROSTER_GENDER]),
    Column(C.ROSTER_TOTAL, "score", minimum=0, maximum=C.TOTAL_MAX, aliases=C.ROSTER_ALIASES[C.ROSTER_TOTAL],
           expected=f"总分应为 0–{C.TOTAL_MAX} 的数字", prompt="最近一次考试总分"),
    Column(C.ROSTER_QUALITY, "rating", minimum=C.RATING_MIN, maximum=C.RATING_MAX,
           aliases=C.ROSTER_ALIASES[C.ROSTER_QUALITY], expected="学习品质应为 1–5 的整数（5 最好）",
           prompt="1–5，5 最好；可不填"),
    Column(C.ROSTER_LEADERSHIP, "rating", minimum=C.RATING_MIN, maximum=C.RATING_MAX,
           aliases=C.ROSTER_ALIASES[C.ROSTER_LEADERSHIP], expected="组织能力应为 1–5 的整数（5 最好）",
           prompt="1–5，外向、能带队为 5；可不填"),
    Column(C.ROSTER_NOTE, "code", aliases=C.ROSTER_ALIASES[C.ROSTER_NOTE]),
), anchors=(C.ROSTER_NAME,), unique=C.ROSTER_ID)


def subject_column(subject: str) -> Column:
    """A subject's score column of 花名册."""
    return Column(subject, "number", minimum=0, maximum=C.SUBJECT_MAX,
                  aliases=tuple(subject + s for s in ("成绩", "分数", "分")),
                  expected=f"{subject}应为 0–{C.SUBJECT_MAX} 的分数", prompt=f"{subject}成绩；可不填")


def roster_table(subjects: Iterable[str]) -> Table:
    return ROSTER.plus(*(subject_column(s) for s in subjects))


GROUPS_HINTS = ("微调：", "运行“")  # our own lines below the student table of 分组
MEMBERS = Table(C.GROUPS, (
    Column(C.GROUP_ID, "id", required=True, expected="学号不能为空"),
    Column(C.GROUP_NAME_COL, "name"),
    Column(C.GROUP_GENDER, "text"),
    Column(C.GROUP_LAYER, "layer", expected="层次应为 A、B、C、D 之一"),
    Column(C.GROUP_LAYER_OVERRIDE, "layer", expected="层次应为 A、B、C、D 之一",
           prompt="A/B/C/D：指定后每次分组都保持；空白 = 自动分层"),
    Column(C.GROUP_NO, "int", minimum=1, expected="组号应为正整数"),
    Column(C.GROUP_TEAM_NAME, "text"),
    Column(C.GROUP_CODE, "text"),
    Column(C.GROUP_ROLES, "text"),
    Column(C.GROUP_LOCKED, "lock", prompt="填“是”：重新分组时这位学生不动"),
), anchors=(C.GROUP_ID, C.GROUP_NO), unique=C.GROUP_ID, skip=GROUPS_HINTS)

CULTURE = Table(C.GROUPS, (
    Column(C.GROUP_NO, "int", required=True, minimum=1, expected="组号应为正整数"),
    Column(C.GROUP_TEAM_NAME, "text"),
    Column(C.CULTURE_MOTTO_RULES, "text"),
    Column(C.CULTURE_MOTTO, "text"),
    Column(C.CULTURE_GOAL, "text"),
    Column(C.CULTURE_MENTOR, "text"),
), anchors=(C.GROUP_NO, C.CULTURE_MOTTO), unique=C.GROUP_NO, stop=("各组均衡情况",))

EXAM_SCORE = Column("", "score", minimum=0, maximum=C.TOTAL_MAX, expected=f"应为 0–{C.TOTAL_MAX} 的总分，或空白/缺考",
                    prompt="这次考试的总分（列名可改为考试名称，可再加列）")
EXAMS = Table(C.EXAMS, (
    Column(C.ROSTER_ID, "id", required=True, aliases=C.ROSTER_ALIASES[C.ROSTER_ID], expected="学号不能为空"),
    Column(C.ROSTER_NAME, "name", aliases=C.ROSTER_ALIASES[C.ROSTER_NAME]),
), anchors=(C.ROSTER_ID,), unique=C.ROSTER_ID, open_kind=EXAM_SCORE)


def exam_column(name: str) -> Column:
    return replace(EXAM_SCORE, name=name, expected=f"应为 0–{C.TOTAL_MAX} 的总分，或空白/缺考")


WEEK_HISTORY = Table(C.WEEK_HISTORY, (
    Column(C.COL_WEEK, "int", required=True, expected="应为周次（整数）"),
    Column(C.COL_WEEK_START, "date", required=True, expected="应为日期"),
    Column(C.COL_WEEK_END, "date", required=True, expected="应为日期"),
    Column(C.GROUP_NO, "int", required=True, expected="应为组号（整数）"),
    Column(C.GROUP_TEAM_NAME, "text"),
    Column(C.COL_TOTAL, "number", required=True, expected="应为数字"),
    Column(C.COL_RANK, "int"),
    Column(C.COL_AWARD, "text"),
), anchors=(C.COL_WEEK, C.COL_WEEK_START))

RATER_SCORE = Column("", "number", minimum=C.RATING_MIN_SCORE, maximum=C.RATING_MAX_SCORE,
                     expected=f"应为 {C.RATING_MIN_SCORE}–{C.RATING_MAX_SCORE} 的分数")


def rater_column(name: str) -> Column:
    return replace(RATER_SCORE, name=name)


def monthly_form(raters: Iterable[str]) -> Table:
    """The multi-rater table of 月度评价 (below 【多元评价】)."""
    return Table(C.MONTHLY, (
        Column(C.COL_MONTH, "text"),
        Column(C.GROUP_ID, "id"),
        Column(C.GROUP_NAME_COL, "name"),
        Column(C.GROUP_NO, "text"),
        Column(C.GROUP_TEAM_NAME, "text"),
        *(rater_column(r) for r in raters),
        Column(C.COL_WEIGHTED, "text"),
        Column(C.COL_COMMENT, "text"),
    ), anchors=(C.COL_MONTH, C.GROUP_ID))


def review_form(raters: Iterable[str]) -> Table:
    """The 评分表 of 综合评价 (below 【评分表】)."""
    return Table(C.COMPREHENSIVE, (
        Column(C.COL_PERIOD, "text"),
        Column(C.GROUP_NO, "text"),
        Column(C.GROUP_TEAM_NAME, "text"),
        Column(C.COL_ASPECT, "text"),
        Column(C.COL_SUGGESTED, "text"),
        *(rater_column(r) for r in raters),
        Column(C.COL_WEIGHTED, "text"),
        Column(C.COL_RECORD_BASIS, "text"),
    ), anchors=(C.COL_PERIOD, C.COL_ASPECT))


# 设置's sections: each a small table below its 【title】 line.
SETTINGS_BASIC = Table(C.SETTINGS, tuple(Column(n) for n in C.BASIC_COLUMNS), anchors=(C.BASIC_COLUMNS[0], C.BASIC_COLUMNS[1]))
SETTINGS_SUBJECTS = Table(C.SETTINGS, tuple(Column(n) for n in C.SUBJECT_COLUMNS), anchors=C.SUBJECT_COLUMNS[:2])
SETTINGS_ITEMS = Table(C.SETTINGS, tuple(Column(n) for n in C.ITEM_COLUMNS), anchors=C.ITEM_COLUMNS[:4])
SETTINGS_RULES = Table(C.SETTINGS, tuple(Column(n) for n in C.RULE_COLUMNS), anchors=C.RULE_COLUMNS[:4])
SETTINGS_RATERS = Table(C.SETTINGS, tuple(Column(n) for n in C.RATER_COLUMNS), anchors=C.RATER_COLUMNS[:2])

TABLES = (PERSON_RECORDS, GROUP_RECORDS, ROSTER, MEMBERS, CULTURE, EXAMS, WEEK_HISTORY,
          SETTINGS_BASIC, SETTINGS_SUBJECTS, SETTINGS_ITEMS, SETTINGS_RULES, SETTINGS_RATERS)


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------
@dataclass
class TableRead:
    """A table as found on its sheet.

    ``frame``: one row per record, declared columns converted (None when
    blank), plus ``_row`` (the Excel row).  Rows with an unreadable cell are
    left out of ``frame`` and named in ``problems``; a caller that writes
    the table back must refuse while there are any (:attr:`whole`).
    """

    table: Table
    frame: pd.DataFrame
    problems: list[CellProblem] = field(default_factory=list)
    header: int | None = None  # 0-based row of the header; None: no table on the sheet
    col: dict[str, int] = field(default_factory=dict)  # declared (or open) column → 0-based sheet column
    open_columns: list[str] = field(default_factory=list)  # undeclared headed columns read as table.open_kind
    extra_headers: dict[int, Any] = field(default_factory=dict)  # teacher's column → its header cell
    extras: dict[int, dict[int, Any]] = field(default_factory=dict)  # Excel row → {column: value} beside the table
    notes: list[dict[int, Any]] = field(default_factory=list)  # rows holding only teacher's cells
    above: list[list[Any]] = field(default_factory=list)  # rows above the header, as they were
    last_row: int = 0  # last Excel row read

    @property
    def found(self) -> bool:
        return self.header is not None

    @property
    def whole(self) -> bool:
        return not self.problems

    def ref(self, row: int, name: str) -> str:
        return cell_ref(row, self.col[name] + 1)


def _index(table: Table) -> dict[str, str]:
    out: dict[str, str] = {}
    for c in table.columns:
        for a in (c.name, *c.aliases):
            out.setdefault(cells.header_key(a), c.name)
    return out


def find_header(values: list[list[Any]], table: Table, *, start: int = 0, stop: int | None = None,
                min_col: int = 0, max_col: int | None = None) -> tuple[int, dict[str, int]] | None:
    """(header row, declared column → sheet column) of the first row in
    ``start..stop`` that holds every anchor of ``table`` (any spelling, any
    column between ``min_col`` and ``max_col``), else None."""
    index = _index(table)
    anchors = table.anchors or (table.columns[0].name,)
    stop = len(values) if stop is None else min(stop, len(values))
    for i in range(start, stop):
        row = values[i]
        found: dict[str, int] = {}
        hi = len(row) if max_col is None else min(max_col, len(row))
        for j in range(min_col, hi):
            name = index.get(cells.header_key(row[j])) if row[j] is not None else None
            if name is not None and name not in found:
                found[name] = j
        if all(a in found for a in anchors):
            return i, found
    return None


def read(values: list[list[Any]], table: Table, *, start: int = 0, stop: int | None = None,
         min_col: int = 0, max_col: int | None = None, required_header: bool = False,
         keep_rows: bool = False) -> TableRead:
    """Read ``table`` from a sheet's values (see :class:`TableRead`).

    The header is the first row (from ``start``) holding the table's
    anchors; the body runs to ``stop`` or the sheet's last used row, or to a
    row starting with one of ``table.stop``.  Blank rows are skipped.  With
    ``required_header`` a sheet without the header is a problem (at A1).
    With ``keep_rows`` a row whose bad cells are all in columns that are not
    required stays in the frame (those cells blank); it is still reported."""
    empty = pd.DataFrame({**{c.name: pd.Series(dtype=object) for c in table.columns}, "_row": pd.Series(dtype="int64")})
    hit = find_header(values, table, start=start, stop=stop, min_col=min_col, max_col=max_col)
    if hit is None:
        problems = []
        if required_header:
            problems.append(CellProblem(table.sheet, cell_ref(start + 1, min_col + 1), None,
                                        "应有一行列名：" + "、".join(table.names)))
        return TableRead(table, empty, problems)
    header, col = hit
    out = TableRead(table, empty, header=header, col=dict(col))
    out.above = [list(r) for r in values[start:header]]
    head = values[header]
    width = max((len(r) for r in values[header:stop]), default=0)
    hi = width if max_col is None else min(width, max_col)
    declared = set(col.values())
    extra_cols: list[int] = []
    for j in range(min_col, hi):
        if j in declared:
            continue
        h = head[j] if j < len(head) else None
        if table.open_kind is not None and cells.text(h) and j > min(declared):
            name = cells.text(h)
            if name not in out.col:
                out.col[name] = j
                out.open_columns.append(name)
                continue
        extra_cols.append(j)
    readers = [(c, out.col[c.name]) for c in table.columns if c.name in out.col]
    readers += [(replace(table.open_kind, name=n), out.col[n]) for n in out.open_columns]  # type: ignore[arg-type]
    end = len(values) if stop is None else min(stop, len(values))
    cols = [j for _, j in readers]
    # 1. Which rows are records: blank tests column by column (each distinct
    # value once), or row by row where the first cell may end the table.
    body: list[int] = []
    check_first = bool(table.stop or table.skip)
    filled_rows = None if check_first else _filled_rows(values, header + 1, end, cols)
    if filled_rows is not None:
        body = [i for i, f in zip(range(header + 1, end), filled_rows) if f]
        if extra_cols:
            for i, f in zip(range(header + 1, end), filled_rows):
                row = values[i]
                n = len(row)
                theirs = {j: row[j] for j in extra_cols if j < n and not _blank(row[j])}
                if theirs:
                    if f:
                        out.extras[i + 1] = theirs
                    else:
                        out.notes.append(theirs)
    else:
        for i in range(header + 1, end):
            row = values[i]
            n = len(row)
            filled = 0
            first_v = None
            for j in cols:
                if j < n:
                    v = row[j]
                    if v is None or (type(v) is str and not v.strip()) or (type(v) is float and v != v):
                        continue
                    filled += 1
                    if first_v is None:
                        first_v = v
            theirs = {j: row[j] for j in extra_cols if j < n and not _blank(row[j])} if extra_cols else None
            if filled:
                if check_first:
                    first = cells.text(first_v)
                    if table.stop and first.startswith(table.stop):
                        end = i
                        break
                    if table.skip and filled == 1 and first.startswith(table.skip):
                        continue
            else:
                if theirs:
                    out.notes.append(theirs)
                continue
            body.append(i)
            if theirs:
                out.extras[i + 1] = theirs
    # 2. Each column converted at once, once per distinct cell value.
    bad = [False] * len(body)
    data: dict[str, list[Any]] = {}
    body_rows = [values[i] for i in body]
    shortest = min(map(len, body_rows), default=0)
    for column, j in readers:
        raws = _column_values(body_rows, j, shortest)
        got = _parse_column(column, raws)
        if got is None:  # values that compare equal but read differently: cell by cell
            pairs = [column.parse(raw) for raw in raws]
            got = [value for value, _ in pairs], [problem for _, problem in pairs]
        data[column.name], problems = got
        if any(problems):
            for k, problem in enumerate(problems):
                if problem:
                    i = body[k]
                    out.problems.append(CellProblem(table.sheet, cell_ref(i + 1, j + 1), cells.shown(raws[k]), problem))
                    if not keep_rows or column.required:
                        bad[k] = True
    if table.unique and table.unique in data:
        seen: dict[str, int] = {}
        for k, i in enumerate(body):
            sid = data[table.unique][k]
            if bad[k] or not sid:
                continue
            key = cells.id_key(sid) if isinstance(sid, str) else sid
            if key in seen:
                out.problems.append(CellProblem(table.sheet, cell_ref(i + 1, out.col[table.unique] + 1), sid,
                                                f"{table.unique}与第{seen[key]}行重复，请删掉重复的行"))
                bad[k] = True
            else:
                seen[key] = i + 1
    out.problems.sort(key=lambda p: cell_order(p.cell))
    keep_at = [k for k in range(len(body)) if not bad[k]]
    every = len(keep_at) == len(body)
    names = [c.name for c in table.columns] + out.open_columns
    frame = pd.DataFrame({n: pd.Series((data[n] if every else [data[n][k] for k in keep_at]) if n in data
                                       else [None] * len(keep_at), dtype=object)
                          for n in names})
    frame["_row"] = pd.Series([body[k] + 1 for k in keep_at], dtype="int64")
    out.frame = frame
    out.last_row = end
    out.extra_headers = {j: head[j] for j in extra_cols if j < len(head) and not cells.is_blank(head[j])}
    return out


_NUMERIC = {int, float, bool}
# Types of which no two values of different types compare equal (but the numbers among themselves).
_KEYABLE = {type(None), str, int, float, bool, datetime, time, timedelta}


def _parse_column(column: Column, raws: list[Any]) -> tuple[list[Any], list[str]] | None:
    """(values, problems) of ``column.parse`` of every value, each distinct
    value parsed once and the column mapped through the results; None when a
    table keyed by value would not be exact (values of two number types,
    which compare equal: 1 == 1.0 == True; a type we do not know; a value
    that cannot be a key)."""
    kinds = set(map(type, raws))
    if not kinds <= _KEYABLE or len(kinds & _NUMERIC) > 1:
        return None
    try:
        distinct = set(raws)
    except TypeError:  # unhashable
        return None
    values: dict[Any, Any] = {}
    problems: dict[Any, str] = {}
    for raw in distinct:
        values[raw], problems[raw] = column.parse(raw)
    return list(map(values.__getitem__, raws)), list(map(problems.__getitem__, raws))


def _column_values(rows: list[list[Any]], j: int, shortest: int | None = None) -> list[Any]:
    """Column ``j`` of ``rows`` (None where a row is shorter than ``j + 1``;
    ``shortest``: the length of the shortest row, when known)."""
    if shortest is None:
        shortest = min(map(len, rows), default=0)
    if j < shortest or not rows:
        return list(map(itemgetter(j), rows))
    return [r[j] if j < len(r) else None for r in rows]


def _filled_rows(values: list[list[Any]], start: int, end: int, cols: list[int]) -> list[bool] | None:
    """Whether each row of ``values[start:end]`` holds something in one of
    ``cols`` (blank: None, spaces, NaN), each distinct value tested once;
    None when a value cannot be a key (then the rows are tested one by one)."""
    rows = values[start:end]
    shortest = min(map(len, rows), default=0)
    masks = []
    for j in cols:
        column = _column_values(rows, j, shortest)
        try:
            filled = {v: not (v is None or (type(v) is str and not v.strip()) or (type(v) is float and v != v))
                      for v in set(column)}
        except TypeError:
            return None
        masks.append(list(map(filled.__getitem__, column)))
    if not masks:
        return [False] * len(rows)
    return list(map(any, zip(*masks)))


def _blank(v: Any) -> bool:
    """A cell with nothing in it (spaces, full-width ones too, count as nothing)."""
    if v is None:
        return True
    if type(v) is str:
        return not v.strip()
    if isinstance(v, float):
        return v != v
    return False


def cell_order(ref: str) -> tuple[int, int]:
    """Sort key of a cell reference: row, then column (messages in reading order)."""
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters):]
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return (int(digits) if digits else 0, col)


# --------------------------------------------------------------------------
# Writing back
# --------------------------------------------------------------------------
def keep(layout: Layout, read: TableRead | None, row_extras: list[dict[int, Any] | None] = (),
         *, header_row: int = 1, first_col: int = 1, shift: int = 0, notes_row: int | None = None) -> Layout:
    """``layout`` (a table whose header is on ``header_row``, columns from A)
    with what the teacher added around the table as ``read`` found it: the
    rows above the header, the teacher's columns (at their place: the
    table's columns move right past them, as they stood) and their header
    cells, ``row_extras[k]`` (sheet column → value) beside the k-th data row,
    and rows holding only teacher's cells after the last data row (from
    ``notes_row`` when given: the caller leaves those rows free of its own
    cells in the teacher's columns).  The layout is returned unchanged when
    there is nothing to keep.

    A table that is one of several on its sheet (分组's group table) starts
    at layout column ``first_col``: columns left of it stay where they are,
    and the teacher's sheet column j (0-based) is layout column j + shift."""
    if read is None or not read.found:
        return layout
    extra_cols = sorted(j + shift for j in set(read.extra_headers) | {j for e in row_extras if e for j in e}
                        | {j for n in read.notes for j in n})
    above = read.above
    if not extra_cols and not above and not read.notes:
        return layout
    dr = len(above) - (header_row - 1) if above else 0
    # Layout column (1-based) → sheet column (1-based): skip the teacher's columns.
    taken = {j + 1 for j in extra_cols}
    mapping: dict[int, int] = {c: c for c in range(1, first_col)}
    sheet_col = first_col
    for c in range(first_col, max(layout.n_cols, 1) + 1):
        while sheet_col in taken:
            sheet_col += 1
        mapping[c] = sheet_col
        sheet_col += 1
    width = max([*mapping.values(), *taken, *(len(r) for r in above)])

    def col(c: int) -> int:
        return mapping.get(c, c + len(taken))

    rows: list[list[Any]] = [list(r) + [None] * (width - len(r)) for r in above]
    if not above:
        rows = []
    for i, r in enumerate(layout.rows, start=1):
        if above and i < header_row:
            continue  # our title rows give way to the teacher's rows
        new = [None] * width
        for c, v in enumerate(r, start=1):
            new[col(c) - 1] = v
        rows.append(new)
    out = Layout(rows=rows, widths={}, heights={})
    top = len(above) if above else header_row - 1  # rows before the header, 0-based count
    for j, v in read.extra_headers.items():
        out.rows[top][j + shift] = v
    for k, extra in enumerate(row_extras):
        if not extra:
            continue
        r = top + 1 + k
        while len(out.rows) <= r:
            out.rows.append([None] * width)
        for j, v in extra.items():
            out.rows[r][j + shift] = v
    if notes_row is not None:
        for k, note in enumerate(read.notes):
            r = notes_row - 1 + k + dr
            while len(out.rows) <= r:
                out.rows.append([None] * width)
            for j, v in note.items():
                out.rows[r][j + shift] = v
    else:
        last = max(len(out.rows), top + 1 + len(row_extras))
        for note in read.notes:
            row = [None] * width
            for j, v in note.items():
                row[j + shift] = v
            while len(out.rows) < last:
                out.rows.append([None] * width)
            out.rows.append(row)
            last += 1

    def shift(ref: str) -> list[str]:
        r1, c1, r2, c2 = parse_range(ref)
        if above and r2 < header_row:
            return []
        r1, r2 = r1 + dr, r2 + dr
        runs: list[str] = []
        start = prev = None
        for c in range(c1, c2 + 1):
            m = col(c)
            if start is None:
                start = prev = m
            elif m == prev + 1:
                prev = m
            else:
                runs.append(range_ref(r1, start, r2, prev))
                start = prev = m
        runs.append(range_ref(r1, start, r2, prev))
        return runs

    for ref, key in layout.styles:
        for part in shift(ref):
            out.styles.append((part, key))
    for ref in layout.merges:
        parts = shift(ref)
        if len(parts) == 1:
            out.merges.append(parts[0])
    for v in layout.validations:
        out.validations += [replace(v, ref=part) for part in shift(v.ref)]
    out.widths = {col(c): w for c, w in layout.widths.items()}
    out.heights = {r + dr: h for r, h in layout.heights.items() if not (above and r < header_row)}
    if layout.freeze:
        fr, fc = parse_range(layout.freeze)[:2]
        out.freeze = cell_ref(fr + dr, col(fc) if fc > 1 else 1)
    if layout.autofilter:
        r1, c1, r2, c2 = parse_range(layout.autofilter)
        out.autofilter = range_ref(r1 + dr, col(c1) if c1 > 1 else 1, max(r2 + dr, len(out.rows)), width)
    out.print = layout.print
    out.charts = layout.charts
    out.tab_color = layout.tab_color
    out.page_breaks = [r + dr for r in layout.page_breaks]
    return out


def extras_by(read: TableRead | None, keys: Callable[[int], Any]) -> dict[Any, list[dict[int, Any]]]:
    """The teacher's cells of each record row, grouped by ``keys(excel_row)``
    (a record's identity), in sheet order: a write-back that sorts or
    replaces records gives each its cells back by key."""
    out: dict[Any, list[dict[int, Any]]] = {}
    if read is None:
        return out
    for row, extra in read.extras.items():
        out.setdefault(keys(row), []).append(extra)
    return out


@dataclass
class Kept:
    """What a write-back that rebuilds a table gives back to the teacher: the
    table as read (its teacher's columns and notes) and each record row's key
    (Excel row → the record's identity)."""

    read: TableRead | None = None
    keys: dict[int, Any] = field(default_factory=dict)

    def apply(self, layout: Layout, new_keys: Iterable[Any], *, header_row: int) -> Layout:
        """``layout`` (the table rebuilt: header on ``header_row``, one data
        row per key of ``new_keys``) with each record's teacher cells beside
        it again, found by key; cells of a record no longer written (and of a
        row that was no record) become notes below the table, never lost.
        Rows above the header are the caller's own (a stacked sheet)."""
        read = self.read
        if read is None or not read.found:
            return layout
        waiting: dict[Any, list[int]] = {}
        for row in sorted(read.extras):
            waiting.setdefault(self.keys.get(row), []).append(row)
        row_extras: list[dict[int, Any] | None] = []
        for key in new_keys:
            rows = waiting.get(key) if key is not None else None
            row_extras.append(read.extras[rows.pop(0)] if rows else None)
        left = sorted(r for rows in waiting.values() for r in rows)
        read = replace(read, above=[], notes=read.notes + [read.extras[r] for r in left])
        return keep(layout, read, row_extras, header_row=header_row)


def unlisted_columns(read: TableRead, left: str, right: str, where: str) -> tuple[TableRead, list[CellProblem]]:
    """Columns between ``left`` and ``right`` (where a table's open columns
    stand: the raters of a form) whose header is none of the declared ones.
    One holding typed cells is a problem named at its header cell (its
    scores would otherwise count for nobody); one holding only its header (a
    rater removed from 设置) is dropped from what the write-back keeps."""
    if not read.found or left not in read.col:
        return read, []
    lo = read.col[left]
    hi = read.col.get(right, max(read.col.values()) + 1)
    cols = sorted(j for j in set(read.extra_headers) | {j for e in read.extras.values() for j in e} if lo < j < hi)
    if not cols:
        return read, []
    problems: list[CellProblem] = []
    header = read.header or 0
    typed = {j for e in [*read.extras.values(), *read.notes] for j in e}
    for j in cols:
        name = cells.text(read.extra_headers.get(j))
        if j in typed:
            what = f"“{name}”" if name else "这一列（没有列名）"
            problems.append(CellProblem(read.table.sheet, cell_ref(header + 1, j + 1), None,
                                        f"{what}不是“设置”中的评价人，这一列却填有内容：请在“设置”的{where}中"
                                        f"加回评价人“{name or '……'}”（或改回原来的名字），或清空这一列后再运行"))
    if problems:
        return read, problems
    drop = set(cols)
    return replace(read, extra_headers={j: v for j, v in read.extra_headers.items() if j not in drop}), []


def read_rater_form(values: list[list[Any]], section: str, table: Table, left: str, right: str,
                    where: str) -> tuple[TableRead, list[CellProblem]] | None:
    """A raters' form below the 【section】 title (or anywhere, when the title
    is gone), rows with bad cells kept, and its problems: the cells' and
    those of :func:`unlisted_columns` (raters between ``left`` and ``right``
    that 设置's ``where`` no longer lists).  None when the form is not there."""
    at = section_row(values, section)
    found = read(values, table, start=0 if at is None else at + 1, keep_rows=True)
    if not found.found:
        return None
    found, unlisted = unlisted_columns(found, left, right, where)
    return found, list(found.problems) + unlisted


def section_row(values: list[list[Any]], title: str) -> int | None:
    """0-based row of a sheet's 【section】 title, in whatever column it now
    stands (a column inserted left of it moves it)."""
    for i, row in enumerate(values):
        for v in row:
            if type(v) is str and v.strip() == title:
                return i
    return None
