"""花名册: import a class list exported from a school system.

The import never drops a student.  It maps header aliases, normalises
full-width digits and letters and stray spaces, and keeps every row it
cannot fully read, reporting it by source row number with the reason.  Only
a duplicate 学号 (which would make two students one) stops the import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from . import contract as C
from .errors import CellProblem, RosterError
from . import cells, schema
from .layout import Layout, PrintSetup, clean_text, col_letter, table_layout
from .settings import normalize_text, parse_number

_SKIP_NAMES = ("合计", "总计", "平均", "平均分", "小计")
_SKIP_PREFIXES = ("制表", "审核", "打印", "备注：", "备注:", "注：", "注:")
_MISSING_SCORE = cells.MISSING_SCORE


@dataclass
class RosterImport:
    """The outcome of reading a roster file."""

    roster: pd.DataFrame  # canonical columns (contract.ROSTER_COLUMNS + subjects)
    problems: list[CellProblem] = field(default_factory=list)  # by source row
    flags: list[tuple[int, str]] = field(default_factory=list)  # (roster row position, column) to highlight
    mapped: dict[str, str] = field(default_factory=dict)  # source header → roster column
    ignored: list[str] = field(default_factory=list)  # source headers not used
    skipped: list[int] = field(default_factory=list)  # source rows that were totals/footers, not students
    source: str = ""

    def report(self) -> list[str]:
        """Chinese lines for the console and 控制台."""
        n = len(self.roster)
        lines = [f"从“{self.source}”导入 {n} 名学生（男 {int((self.roster[C.ROSTER_GENDER] == '男').sum())}，"
                 f"女 {int((self.roster[C.ROSTER_GENDER] == '女').sum())}）。"]
        renamed = {k: v for k, v in self.mapped.items() if k != v}
        if renamed:
            lines.append("识别的列名：" + "，".join(f"“{k}”→{v}" for k, v in renamed.items()) + "。")
        if self.ignored:
            lines.append("未使用的列：" + "，".join(self.ignored) + "。")
        for row in self.skipped:
            lines.append(f"{self.source} 第{row}行是合计或表尾，不是学生，未导入。")
        if self.problems:
            lines.append(f"有 {len(self.problems)} 处需要核对（学生都已保留，相关单元格在花名册中标为红色）：")
            lines += [f"  - {p}" for p in self.problems]
        return lines


# --------------------------------------------------------------------------
# Reading the file: in xlzu/book/rosterfile.py (file formats are the
# backends' business; the core reads rows of cells)
# --------------------------------------------------------------------------
def _pick_sheet(sheets: list[list[list[Any]]]) -> list[list[Any]]:
    for rows in sheets:
        if _header_index(rows) is not None:
            return rows
    return sheets[0] if sheets else []


_key = cells.header_key  # how two headers are compared (the declared tables compare the same way)


_ALIAS_INDEX = {_key(a): canon for canon, aliases in C.ROSTER_ALIASES.items() for a in aliases}


def _header_index(rows: list[list[Any]]) -> int | None:
    for i, row in enumerate(rows[:15]):
        keys = [_key(v) for v in row]
        if any(_ALIAS_INDEX.get(k) == C.ROSTER_NAME for k in keys):
            return i
    return None


def _map_headers(header: list[Any], subjects: tuple[str, ...]) -> tuple[dict[int, str], dict[str, str], list[str]]:
    """(column index → roster column, source header → roster column, ignored headers)."""
    subject_keys = {}
    for s in subjects:
        for suffix in ("", "成绩", "分数", "分"):
            subject_keys[_key(s + suffix)] = s
    by_col: dict[int, str] = {}
    mapped: dict[str, str] = {}
    ignored: list[str] = []
    taken: dict[str, int] = {}
    for j, h in enumerate(header):
        text = clean_text(h)
        if not text:
            continue
        k = _key(text)
        canon = _ALIAS_INDEX.get(k) or subject_keys.get(k)
        if canon is None:
            ignored.append(text)
            continue
        if canon in taken:
            # Two columns for one field: the one spelled exactly wins.
            if _key(canon) == k and _key(clean_text(header[taken[canon]])) != _key(canon):
                old = taken[canon]
                ignored.append(clean_text(header[old]))
                mapped.pop(clean_text(header[old]), None)
                del by_col[old]
            else:
                ignored.append(text)
                continue
        taken[canon] = j
        by_col[j] = canon
        mapped[text] = canon
    return by_col, mapped, ignored


# --------------------------------------------------------------------------
# Normalising values
# --------------------------------------------------------------------------
_CJK = r"[\u3400-\u9fff\uf900-\ufaff]"


normalize_name = cells.person_name
normalize_id = cells.student_id
normalize_gender = cells.gender
_rating = cells.rating


def _is_footer(text: str) -> bool:
    return bool(text) and (text in _SKIP_NAMES or text.startswith(_SKIP_PREFIXES))


def normalize_roster(rows: list[list[Any]], subjects: tuple[str, ...], source: str = "名单",
                     *, in_workbook: bool = False) -> RosterImport:
    """Read a roster from raw rows (header somewhere in the first 15 rows).

    ``in_workbook``: the rows are a sheet of the class workbook itself (a
    roster pasted into 花名册), so a refusal names and highlights its cells."""
    header_at = _header_index(rows)
    if header_at is None:
        raise RosterError(
            f"“{source}”的前 15 行中找不到“姓名”列（也认 学生姓名、名字）。请确认第一行是列名。"
        )
    by_col, mapped, ignored = _map_headers(rows[header_at], subjects)
    table = schema.roster_table(subjects)
    columns = list(C.ROSTER_COLUMNS) + [s for s in subjects]
    present = set(by_col.values())
    out: list[dict[str, Any]] = []
    src_rows: list[int] = []
    problems: list[CellProblem] = []
    flags: list[tuple[int, str]] = []
    skipped: list[int] = []

    col_of = {canon: j for j, canon in by_col.items()}

    def named(row_no: int, value: Any, expected: str, column: str | None = None) -> CellProblem:
        """A problem naming its cell: 花名册!C7 in the workbook, 名单.xlsx 第7行 C7 in a file."""
        j = col_of.get(column) if column is not None else None
        cell = f"{col_letter(j + 1)}{row_no}" if j is not None else ""
        return CellProblem(source, cell, value, expected, row=None if in_workbook and cell else row_no)

    def problem(row_no: int, value: Any, expected: str, column: str | None = None) -> None:
        problems.append(named(row_no, value, expected, column))
        if column is not None:
            flags.append((len(out), column))

    for i in range(header_at + 1, len(rows)):
        raw = {canon: (rows[i][j] if j < len(rows[i]) else None) for j, canon in by_col.items()}
        row_no = i + 1
        if all(clean_text(v) == "" for v in (rows[i] or [])):
            continue
        name = normalize_name(raw.get(C.ROSTER_NAME))
        first = normalize_name(next((v for v in rows[i] if clean_text(v)), ""))
        if _is_footer(name) or (not name and _is_footer(first)) or _is_footer(normalize_id(raw.get(C.ROSTER_ID))):
            skipped.append(row_no)
            continue
        record: dict[str, Any] = {c: None for c in columns}
        record[C.ROSTER_NAME] = name
        if not name:
            problem(row_no, None, "没有姓名（已保留这一行，请在花名册中补填）", C.ROSTER_NAME)
        record[C.ROSTER_ID] = normalize_id(raw.get(C.ROSTER_ID)) or None
        if record[C.ROSTER_ID] and re.search(r"[eE]\+", record[C.ROSTER_ID]):
            problem(row_no, record[C.ROSTER_ID], "（学号）被 Excel 显示成了科学计数法，末几位可能已丢失，请核对", C.ROSTER_ID)
        gender_raw = raw.get(C.ROSTER_GENDER)
        gender = normalize_gender(gender_raw)
        record[C.ROSTER_GENDER] = gender
        if C.ROSTER_GENDER in present and gender is None:
            shown = clean_text(gender_raw)
            problem(row_no, shown or None, f"（性别）{'没有填写' if not shown else '应为 男 或 女'}，请在花名册中补填", C.ROSTER_GENDER)
        # The values are read by the declared columns (xlzu.schema.ROSTER):
        # the same rule as re-reading 花名册 and as Excel's validation.
        total_raw = raw.get(C.ROSTER_TOTAL)
        total, bad = table.column(C.ROSTER_TOTAL).parse(total_raw)
        if C.ROSTER_TOTAL in present:
            shown = normalize_text(total_raw)
            if total is None:
                if shown in _MISSING_SCORE:
                    problem(row_no, shown, "（总分）缺考，没有分数：分层时按学习品质放置", C.ROSTER_TOTAL)
                elif shown == "":
                    problem(row_no, None, "（总分）没有填写：分层时按学习品质放置", C.ROSTER_TOTAL)
                elif parse_number(total_raw) is None:
                    problem(row_no, shown, "（总分）不是分数，已留空", C.ROSTER_TOTAL)
                else:
                    problem(row_no, shown, f"（总分）应在 0–{C.TOTAL_MAX} 之间，已留空", C.ROSTER_TOTAL)
        record[C.ROSTER_TOTAL] = total
        for col in (C.ROSTER_QUALITY, C.ROSTER_LEADERSHIP):
            value = raw.get(col)
            x, bad = table.column(col).parse(value)
            if bad:
                problem(row_no, normalize_text(value), f"（{col}）应为 1–5 的整数（5 最好），已留空", col)
            record[col] = x
        record[C.ROSTER_NOTE] = normalize_text(raw.get(C.ROSTER_NOTE)) or None
        for s in subjects:
            value = raw.get(s)
            x, bad = table.column(s).parse(value)
            if bad:
                problem(row_no, normalize_text(value), f"（{s}）应为 0–{C.SUBJECT_MAX} 的分数，已留空", s)
            record[s] = x
        out.append(record)
        src_rows.append(row_no)

    if not out:
        raise RosterError(f"“{source}”中没有学生（“姓名”列下面是空的）。")

    roster = pd.DataFrame(out, columns=columns)
    # 学号: required and unique.  Missing ones are numbered; duplicates stop the import.
    ids = roster[C.ROSTER_ID]
    dup_problems = []
    seen: dict[str, int] = {}
    by_key: dict[str, int] = {}
    for pos, value in enumerate(ids):
        if value is None:
            continue
        if cells.id_key(value) in by_key:  # 00012 and 12 are one student
            first = by_key[cells.id_key(value)]
            dup_problems.append(named(src_rows[pos], value, f"（学号）与第{src_rows[first]}行（{roster.at[first, C.ROSTER_NAME]}）重复",
                                      C.ROSTER_ID))
        else:
            seen[value] = pos
            by_key[cells.id_key(value)] = pos
    if dup_problems:
        raise RosterError("名单中有重复的学号，学号用来区分学生，必须唯一。没有写入任何内容，请改正后重新导入：", dup_problems)
    missing_ids = [pos for pos, v in enumerate(ids) if v is None]
    if missing_ids:
        numeric = [int(v) for v in ids if v is not None and v.isdigit()]
        next_id = (max(numeric) + 1) if numeric else 1
        width = max((len(v) for v in ids if v is not None), default=2)
        for pos in missing_ids:
            while str(next_id).zfill(width) in seen:
                next_id += 1
            new = str(next_id).zfill(width)
            seen[new] = pos
            roster.at[pos, C.ROSTER_ID] = new
            if C.ROSTER_ID in present:
                problems.append(named(src_rows[pos], None, f"（学号）没有填写，已自动编为 {new}", C.ROSTER_ID))
                flags.append((pos, C.ROSTER_ID))
            next_id += 1
        if C.ROSTER_ID not in present:
            problems.append(CellProblem(source, "", None, f"没有学号列，已按名单顺序自动编号 {roster.at[0, C.ROSTER_ID]} 起"))
    # Same name twice: both kept, 学号 tells them apart.
    names = roster[C.ROSTER_NAME]
    for name, group in roster.groupby(C.ROSTER_NAME, sort=False).groups.items():
        if not name or len(group) < 2:
            continue
        positions = list(group)
        for pos in positions:
            others = "、".join(f"第{src_rows[p]}行" for p in positions if p != pos)
            problems.append(named(src_rows[pos], name, f"与{others}同名，均已保留，以学号 {roster.at[pos, C.ROSTER_ID]} 区分",
                                  C.ROSTER_NAME))
            flags.append((pos, C.ROSTER_NAME))
    del names
    if C.ROSTER_GENDER not in present:
        problems.append(CellProblem(source, "", None, "没有性别列：请在花名册中补填每位学生的性别（分组要平衡男女）"))
    if C.ROSTER_TOTAL not in present:
        problems.append(CellProblem(source, "", None, "没有总分列：请在花名册中补填最近一次考试总分（分层要用）"))
    problems.sort(key=lambda p: (p.row or schema.cell_order(p.cell)[0], schema.cell_order(p.cell)[1]))
    for col in (C.ROSTER_TOTAL, C.ROSTER_QUALITY, C.ROSTER_LEADERSHIP, *subjects):
        roster[col] = pd.to_numeric(roster[col], errors="coerce").astype("float64")
    return RosterImport(roster, problems, flags, mapped, ignored, skipped, source)


# --------------------------------------------------------------------------
# 花名册 in the workbook
# --------------------------------------------------------------------------
def roster_columns(subjects: tuple[str, ...]) -> list[str]:
    return list(C.ROSTER_COLUMNS) + list(subjects)


def roster_layout(roster: pd.DataFrame, subjects: tuple[str, ...], flags: list[tuple[int, str]] = (),
                  class_name: str = "") -> Layout:
    """花名册 as a table with data validation on every typed column; printed
    one page wide, its header row on every page, the class in the page
    header (row 1 must stay the table's header)."""
    df = roster.reindex(columns=roster_columns(subjects))
    styles = {C.ROSTER_ID: "id", C.ROSTER_NAME: "text", C.ROSTER_GENDER: "text", C.ROSTER_NOTE: "left",
              C.ROSTER_TOTAL: "number", C.ROSTER_QUALITY: "integer", C.ROSTER_LEADERSHIP: "integer"}
    table = schema.roster_table(subjects)
    validations = [(c.name, c.validation()) for c in table.columns if c.validation() is not None]
    for s in subjects:
        styles[s] = "number"
    return table_layout(
        df,
        column_styles=styles,
        validations=validations,
        highlights=[(pos, col) for pos, col in flags if col in df.columns],
        widths={C.ROSTER_NOTE: 24},
        autofilter=True,
        print_setup=PrintSetup(orientation="landscape", fit_width=1, fit_height=0, title_rows="1:1",
                               header=f"{class_name}　{C.ROSTER}".strip("　"), footer="第 &P 页，共 &N 页",
                               margins=(0.9, 0.5, 0.7, 0.5)),
    )


def read_roster(values: list[list[Any]], subjects: tuple[str, ...]) -> tuple[pd.DataFrame, list[CellProblem]]:
    """花名册 as the teacher left it: (roster, problems naming 花名册 cells).

    The same declared columns as the import (:data:`xlzu.schema.ROSTER`):
    the table is found by its header and read to the last used row (a
    cleared row is skipped), and a value the import would refuse (总分 9999,
    学习品质 9) is refused here too.  Problems are warnings the caller may
    show; the roster is still usable (a bad cell reads as blank, a row
    without 学号 or with a repeated 学号 is left out)."""
    table = schema.roster_table(subjects)
    read = schema.read(values, table, keep_rows=True)
    missing = [c for c in (C.ROSTER_ID, C.ROSTER_NAME) if c not in read.col]
    if missing:
        raise RosterError(f"“{C.ROSTER}”中找不到列：{'、'.join(missing)}（应有一行列名：学号、姓名、性别、总分 …）。")
    problems = list(read.problems)
    frame = read.frame
    out = frame.reindex(columns=roster_columns(subjects)).reset_index(drop=True)
    for col in (C.ROSTER_TOTAL, C.ROSTER_QUALITY, C.ROSTER_LEADERSHIP, *subjects):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    for col in (C.ROSTER_ID, C.ROSTER_NAME, C.ROSTER_GENDER, C.ROSTER_NOTE):
        out[col] = pd.Series([v if isinstance(v, str) and v else None for v in out[col]], dtype=object, index=out.index)
    return out, problems
