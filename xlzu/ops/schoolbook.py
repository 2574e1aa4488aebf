"""The school (or grade) workbook, built from the classes' workbooks.

The class workbooks are only read: opened from their paths (or given as
bytes, e.g. files chosen in a browser page) and never saved, so they stay
byte-identical.  A class workbook open in Excel or WPS can still be read
(the lock file beside it does not stop reading).  Everything is read and
checked before the school workbook is written; a file that is not a class
workbook, the same class given twice, a bad cell in a class, or a period
without any record stops the run with a Chinese message naming the file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO, Sequence, Union

import pandas as pd

from .. import contract as C
from ..book.base import Book
from ..book.files import FileBook, ensure_not_locked
from ..errors import InputError, SettingsError, WorkbookLocked, XlzuError
from ..forms import form_layout
from ..layout import placeholder_layout
from ..monthly import Month, parse_month
from ..schoolwide import (SchoolClass, SchoolSettings, Span, classes_layout, completeness, group_members, keep_typed,
                      month_layout, month_rows, month_span, read_school_settings, read_table_at, school_certificates,
                      school_settings_layout, term_groups, term_layout, term_members, term_span)
from ..weekly import latest_day
from .common import Report, parse_day
from .summary import read_class

SCHOOL_TITLE = "校级评比"

ClassSource = Union[str, os.PathLike, bytes, bytearray, BinaryIO, tuple]
"""A class workbook: a path, its bytes (with a ``name`` attribute for a
file object), or a ``(file name, bytes)`` pair."""


@dataclass
class _Source:
    name: str
    path: Path | None
    data: bytes | None

    def open(self) -> FileBook:
        try:
            if self.path is not None:
                return FileBook.open(self.path)
            return FileBook.from_bytes(self.data, self.name)
        except WorkbookLocked as exc:
            raise XlzuError(f"无法读取班级工作簿“{self.name}”：文件被其他程序独占（{exc.message}）。"
                            f"请在 Excel/WPS 中关闭它或复制一份再试；班级工作簿不会被修改。") from exc


def _source(item: Any, k: int) -> _Source:
    if isinstance(item, tuple) and len(item) == 2:
        name, data = item
        return _Source(str(name), None, bytes(data))
    if isinstance(item, (bytes, bytearray)):
        return _Source(f"第{k}个班级文件.xlsx", None, bytes(item))
    if hasattr(item, "read"):
        data = item.read()
        return _Source(Path(str(getattr(item, "name", f"第{k}个班级文件.xlsx"))).name, None, bytes(data))
    path = Path(item)
    return _Source(path.name, path, None)


def read_school_class(source: _Source) -> SchoolClass:
    """One class through the class readers (设置, 分组, both record tables);
    any bad cell stops the run naming the file (the class is not changed)."""
    book = source.open()
    try:
        data, problems = read_class(book)
    except SettingsError as exc:
        raise InputError(f"班级工作簿“{source.name}”的“设置”有需要改正的内容（请在该班级工作簿中改正后再评比）：",
                         exc.problems) from exc
    except InputError as exc:
        raise InputError(f"班级工作簿“{source.name}”：{exc.message}", exc.problems) from exc
    if problems:
        raise InputError(f"班级工作簿“{source.name}”中有需要先改正的单元格（在该班级工作簿中运行 xlzu week 会把它们标红；"
                         f"评比不会修改班级工作簿）：", problems)
    return SchoolClass(source.name, data.settings, data.members, data.culture, data.group_records, data.person_records)


def _open_school(target: Any) -> tuple[Book, bool]:
    """(the school workbook, whether it is new)."""
    if isinstance(target, Book):
        return target, not target.has_sheet(C.SCHOOL_SETTINGS)
    path = Path(target)
    if path.suffix.lower() != ".xlsx":  # no buttons: the school workbook has no macros
        raise XlzuError(f"学校工作簿的文件名应以 .xlsx 结尾，而不是“{path.name}”。")
    ensure_not_locked(path)
    if not path.exists():
        return FileBook.create(path), True
    book = FileBook.open(path, require_contract=False)
    names = book.sheet_names()
    if C.SETTINGS in names or C.ROSTER in names:
        raise XlzuError(f"“{path.name}”是班级工作簿，不是学校工作簿：请给学校（年级）工作簿另起一个文件名，"
                        f"如 初二年级.xlsx（班级工作簿放在它后面）。")
    if C.SCHOOL_SETTINGS not in names:
        raise XlzuError(f"“{path.name}”不是 xlzu 学校工作簿（缺少工作表“{C.SCHOOL_SETTINGS}”），为免覆盖其中的内容，没有改动它。"
                        f"请换一个新的文件名，xlzu 会新建学校工作簿。")
    return book, False


def school(
    target: Book | str | os.PathLike,
    classes: Sequence[ClassSource],
    *,
    month: Any = None,
    term: bool = False,
    until: Any = None,
    day: Any = None,
) -> Report:
    """校级评比: build or update the school (grade) workbook ``target`` from
    the class workbooks ``classes`` (paths, bytes, file objects or
    ``(name, bytes)`` pairs; only read).

    Monthly (default; ``month`` like 2026-11, default the month of the
    latest record of any class): each class's recommended 明星小组 compared
    per member per recorded school day, the school's 校级明星小组 and their
    certificates.  With ``term``: 校级先进小组 and 校级优秀组员 of the term
    (up to ``until``, default the latest record).  ``day`` is the date on the
    certificates (default today).  Returns a :class:`Report`; when the
    target is a path the school workbook is saved atomically with a backup."""
    loaded = read_classes(classes, None if isinstance(target, Book) else Path(target))
    span = _span(loaded, month, term, until)
    book, new = _open_school(target)
    ss = read_school_settings(book.read_values(C.SCHOOL_SETTINGS)) if not new else SchoolSettings()
    done = completeness(loaded, span, ss)
    if all(done.recorded[c.name] == 0 for c in loaded):
        last = max((d for c in loaded for d in [latest_day(c.group_records, c.person_records)] if d), default=None)
        where = f"最近的记录在 {last:%Y-%m-%d}" if last else "各班都还没有任何记录"
        raise InputError(f"{span.label}各班都没有记录（" + "、".join(f"“{c.file}”" for c in loaded)
                         + f"）：请检查{'日期' if term else '月份'}（{where}）。")
    title = ss.title or (book.name.rsplit(".", 1)[0] if isinstance(target, Book) else Path(target).stem)
    school_name = ss.school or next((c.settings.school for c in loaded if c.settings.school), "")
    award_day = parse_day(day) if day is not None else date.today()
    make = _term_sheet if term else _month_sheet
    sheet, layout, awards, lost, data = make(book, loaded, span, done, ss, title)
    # ---- every check passed: write ----------------------------------------
    if new:
        book.write_layout(C.SCHOOL_SETTINGS, school_settings_layout(ss))
    if not book.has_sheet(C.FORM_CERTIFICATE):
        book.write_layout(C.FORM_CERTIFICATE, form_layout(C.FORM_CERTIFICATE), hidden=True)
    book.write_layout(C.SCHOOL_CLASSES, classes_layout(done, span, title))
    book.write_layout(sheet, layout)
    for other, hint in ((C.SCHOOL_MONTHLY, "运行 xlzu school 学校工作簿 班级工作簿…（可加 --month 2026-11）后在这里列出各班推荐的明星小组和校级明星小组。"),
                        (C.SCHOOL_TERM, "期中、期末运行 xlzu school 学校工作簿 班级工作簿… --term 后在这里列出校级先进小组和校级优秀组员。")):
        if not book.has_sheet(other):
            book.write_layout(other, placeholder_layout(other, hint))
    book.write_layout(C.SCHOOL_CERTIFICATES, school_certificates(awards, span, ss, school_name, award_day), form=C.FORM_CERTIFICATE)
    report = _report(loaded, span, done, ss, awards, lost, sheet)
    report.data.update({"span": span, "classes": done.table, "rules": done.rules, "awards": awards,
                        "groups": None, "members": None, "month": None, **data})
    if isinstance(book, FileBook) and not isinstance(target, Book):
        book.save()
    return report


def read_classes(classes: Sequence[ClassSource], target: Path | None = None) -> list[SchoolClass]:
    """Every class, read and checked; refuses the same file or the same
    class twice, and the school workbook among the classes."""
    if not classes:
        raise XlzuError("请在学校工作簿后面给出班级工作簿，如：xlzu school 初二年级.xlsx 初二1班.xlsx 初二2班.xlsx")
    sources = [_source(item, k) for k, item in enumerate(classes, start=1)]
    target_path = target.resolve() if target is not None else None
    seen: set[Path] = set()
    for s in sources:
        if s.path is None:
            continue
        key = s.path.resolve()
        if key == target_path:
            raise XlzuError(f"“{s.name}”既是学校工作簿又是班级工作簿：学校工作簿请另起一个文件名。")
        if key in seen:
            raise XlzuError(f"同一个班级工作簿给了两次：“{s.name}”。每个班级只给一次。")
        seen.add(key)
    loaded = [read_school_class(s) for s in sources]
    by_name: dict[str, str] = {}
    for c in loaded:
        if c.name in by_name:
            raise XlzuError(f"“{by_name[c.name]}”和“{c.file}”的班级名称都是“{c.name}”：同一个班级给了两次，"
                            f"或有一个班级的“设置”中班级名称没有改。每个班级只给一次，班级名称各不相同。")
        by_name[c.name] = c.file
    return loaded


def _span(loaded: list[SchoolClass], month: Any, term: bool, until: Any) -> Span:
    if term:
        return term_span(loaded, parse_day(until) if until is not None else None)
    if month is None or (isinstance(month, str) and not month.strip()):
        last = max((d for c in loaded for d in [latest_day(c.group_records, c.person_records)] if d), default=None)
        if last is None:
            raise InputError("各班级工作簿中都还没有任何记录：" + "、".join(f"“{c.file}”" for c in loaded) + "。")
        return month_span(Month.of(last))
    m = parse_month(month)
    if m is None:
        raise XlzuError(f"看不懂月份“{month}”：请写成 2026-11 这样的年-月。")
    return month_span(m)


def _month_sheet(book: Book, loaded: list[SchoolClass], span: Span, done, ss: SchoolSettings, title: str):
    """校级明星小组: this month's rows replaced (the school's typed columns
    kept by 月份 + 班级 + 组号), other months' rows kept as they are."""
    m = parse_month(span.key)
    values = book.read_values(C.SCHOOL_MONTHLY) if book.has_sheet(C.SCHOOL_MONTHLY) else []
    rows = month_rows(loaded, m, done, ss)
    old = read_table_at(values, C.COL_MONTH)
    same = [str(v).strip() == m.key for v in old[C.COL_MONTH]] if len(old) else []
    this = old.loc[same] if len(old) else old
    rows, lost = keep_typed(rows, this, [C.COL_MONTH, C.COL_CLASS, C.GROUP_NO], C.SCHOOL_MONTH_COLUMNS)
    table = rows
    others = old.loc[[not x for x in same]].drop(columns="_row") if len(old) else old
    if len(others):
        columns = list(dict.fromkeys([*rows.columns, *[c for c in others.columns if c]]))
        table = pd.concat([rows.reindex(columns=columns), others.reindex(columns=columns)], ignore_index=True)
        order = [str(v) for v in table[C.COL_MONTH]]  # newest month first, each month's rows as they were
        table = table.assign(_m=order).sort_values("_m", ascending=False, kind="stable").drop(columns="_m")
    by_class = {c.name: c for c in loaded}
    awards = [(C.AWARD_SCHOOL_STAR_GROUP, f"{rec[C.COL_CLASS]} {rec[C.COL_RECOMMENDED]} 全体同学：",
               group_members(by_class[rec[C.COL_CLASS]], int(rec[C.GROUP_NO])))
              for rec in rows.loc[rows[C.COL_SCHOOL_RESULT] == C.AWARD_SCHOOL_STAR_GROUP].to_dict("records")]
    layout = month_layout(table.reset_index(drop=True), title, m.label)
    return C.SCHOOL_MONTHLY, layout, awards, lost, {"month": rows}


def _term_sheet(book: Book, loaded: list[SchoolClass], span: Span, done, ss: SchoolSettings, title: str):
    """校级评优: the term's groups and students (typed columns kept by
    班级 + 组号 / 班级 + 学号)."""
    values = book.read_values(C.SCHOOL_TERM) if book.has_sheet(C.SCHOOL_TERM) else []
    groups = term_groups(loaded, span, done, ss)
    members = term_members(loaded, span, done, ss)
    old_g = read_table_at(values, C.COL_SCHOOL_RANK, after=C.SCHOOL_TERM_SECTION_GROUPS, before=C.SCHOOL_TERM_SECTION_MEMBERS)
    old_m = read_table_at(values, C.COL_SCHOOL_RANK, after=C.SCHOOL_TERM_SECTION_MEMBERS)
    groups, lost_g = keep_typed(groups, old_g, [C.COL_CLASS, C.GROUP_NO], C.SCHOOL_TERM_GROUP_COLUMNS)
    members, lost_m = keep_typed(members, old_m, [C.COL_CLASS, C.GROUP_ID], C.SCHOOL_TERM_MEMBER_COLUMNS)
    by_class = {c.name: c for c in loaded}
    awards = [(C.AWARD_SCHOOL_ADVANCED_GROUP, f"{rec[C.COL_CLASS]} {_group(rec[C.GROUP_NO], rec[C.GROUP_TEAM_NAME])} 全体同学：",
               group_members(by_class[rec[C.COL_CLASS]], int(rec[C.GROUP_NO])))
              for rec in groups.loc[groups[C.COL_SCHOOL_RESULT] == C.AWARD_SCHOOL_ADVANCED_GROUP].to_dict("records")]
    awards += [(C.AWARD_SCHOOL_OUTSTANDING_MEMBER, f"{rec[C.COL_CLASS]} {rec[C.GROUP_NAME_COL]} 同学：", ())
               for rec in members.loc[members[C.COL_SCHOOL_RESULT] == C.AWARD_SCHOOL_OUTSTANDING_MEMBER].to_dict("records")]
    layout = term_layout(groups, members, span, title, ss)
    return C.SCHOOL_TERM, layout, awards, lost_g + lost_m, {"groups": groups, "members": members}


def _group(no: Any, team: Any) -> str:
    base = f"第{int(no)}组"
    return base if not isinstance(team, str) or not team or team == base else f"{base} {team}"


def _report(classes: list[SchoolClass], span: Span, done, ss: SchoolSettings, awards, lost: list[str], sheet: str) -> Report:
    report = Report(SCHOOL_TITLE)
    report.add(f"{span.label}（{span.start:%Y-%m-%d} 至 {span.end:%Y-%m-%d}）：{len(classes)} 个班级。")
    for rec in done.table.to_dict("records"):
        line = (f"  {rec[C.COL_CLASS]}（{rec[C.COL_FILE]}）：有记录 {rec[C.COL_RECORDED_DAYS]} 天（{rec['有记录的周数']} 周），"
                f"应有 {rec['应有上课日']} 天，缺 {rec['缺记录天数']} 天")
        flags = done.flags[rec[C.COL_CLASS]]
        if flags:
            line += "；标出：" + "；".join(flags)
            line += "（仍参加比较）" if done.compared(rec[C.COL_CLASS], ss.include_flagged) else "（不参加比较）"
        report.add(line)
    if not awards:
        report.add("这次没有评出奖项（没有可比较的班级或得分）。")
    for award in dict.fromkeys(a for a, _, _ in awards):
        who = [w.rstrip("：").replace(" 全体同学", "").replace(" 同学", "") for a, w, _ in awards if a == award]
        report.add(f"{award}：" + "、".join(who))
    for line in lost:
        report.add(f"注意：这一行已不在评比结果中，学校填写的内容没有保留：{line}")
    report.add(f"已写入“{sheet}”“{C.SCHOOL_CLASSES}”和“{C.SCHOOL_CERTIFICATES}”（{len(awards)} 张证书，每张一页 A4 横向）。"
               f"班级工作簿没有改动。")
    return report
