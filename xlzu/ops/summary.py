"""The summaries a head teacher announces, prints and files: the week, the
month, the comprehensive group evaluation, and the term's awards.

Each operation reads and checks everything it needs first (设置, 分组, both
record tables, and the sheets whose typed values it keeps) and writes only
after the last check passed.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from .. import contract as C
from ..book.base import Book
from ..dates import as_date
from ..errors import CellProblem, InputError
from ..layout import col_letter
from ..members import read_culture, read_members, read_members_table
from ..monthly import Month, monthly_layout, parse_month, read_rater_form, read_rater_table, summarize_month
from ..records import read_records, within
from ..records import empty as empty_records
from ..evaluation import ReviewSummary, merge_form, parse_period, read_form_table, record_view, results, review_layout
from ..settings import Settings
from ..awards import (TermSummary, advanced_groups, certificates_layout, exams_with_scores, outstanding_members,
                    read_exams, star_leaders, term_layout)
from ..weekly import (fmt_points, group_label, group_names, group_ranking_layout, history_layout, history_rows,
                      latest_day, people_ranking_layout, read_history, summarize_week, upsert_history, week_from_text)
from .rules import write_rules
from .common import Report, Target, load_settings, parse_day, run


# --------------------------------------------------------------------------
# Reading the class
# --------------------------------------------------------------------------
@dataclass
class ClassData:
    settings: Settings
    members: pd.DataFrame
    culture: pd.DataFrame
    group_records: pd.DataFrame
    person_records: pd.DataFrame

    @property
    def last_day(self) -> date | None:
        return latest_day(self.group_records, self.person_records)

    def teams(self, period: Any = None) -> pd.DataFrame:
        """Groups on 分组 and in the records (of ``period``, when given: a
        group that has since gone is listed only for periods it had records in)."""
        if period is None:
            return group_names(self.members, self.culture, self.group_records, self.person_records)
        return group_names(self.members, self.culture, within(self.group_records, period), within(self.person_records, period))


def read_class(book: Book, *, layers: bool = False) -> tuple[ClassData, list[CellProblem]]:
    """设置 (raises on a bad value), 分组 and both record tables, with every
    problem found in them that matters here: on 分组 a bad 学号 or 组号 (and a
    bad 层次 only when ``layers`` are used, for 明星组长)."""
    settings = load_settings(book)
    problems: list[CellProblem] = []
    if book.has_sheet(C.GROUPS):
        values = book.read_values(C.GROUPS)
        members, read = read_members_table(values)
        used = [C.GROUP_ID, C.GROUP_NO] + ([C.GROUP_LAYER, C.GROUP_LAYER_OVERRIDE] if layers else [])
        letters = {col_letter(read.col[c] + 1) for c in used if c in read.col}
        problems += [p for p in read.problems if p.cell.rstrip("0123456789") in letters]
        culture = read_culture(values)
    else:
        members, _ = read_members([])
        culture = read_culture([])
    tables = {}
    for kind, sheet in (("group", C.GROUP_RECORDS), ("person", C.PERSON_RECORDS)):
        if book.has_sheet(sheet):
            tables[kind], found = read_records(book.read_values(sheet), kind)
            problems += found
        else:
            tables[kind] = empty_records(kind)
    return ClassData(settings, members, culture, tables["group"], tables["person"]), problems


def _exam_cell(values: list[list[Any]], exam: str) -> str:
    """The header cell of one exam's column on 考试成绩."""
    from .. import schema
    from ..layout import cell_ref

    hit = schema.find_header(values, schema.EXAMS)
    if hit is None:
        return "A1"
    row = values[hit[0]]
    j = next((j for j, v in enumerate(row) if v is not None and str(v).strip() == exam), 0)
    return cell_ref(hit[0] + 1, j + 1)


def _class_ids(data: ClassData) -> list[str] | None:
    """The class's 学号 (from 分组), or None before the class is grouped."""
    ids = [i for i in data.members[C.GROUP_ID] if isinstance(i, str) and i]
    return ids or None


def orphan_items(data: ClassData) -> list[str]:
    """Lines naming the items that have records but are no longer in 设置
    (an item renamed or removed): their points still count in the totals,
    but no star is given for them."""
    from ..scoring import class_entries

    s = data.settings
    known_person = {i.name for i in s.items} | {C.NOTE_ITEM}
    known_group = {C.NOTE_ITEM}
    every_day = s.with_changes(subjects=tuple(replace(x, preview_days=tuple(range(7))) for x in s.subjects))
    known_group |= {e.item for e in class_entries(every_day, s.term_start)}
    lines = []
    for sheet, table, known in ((C.PERSON_RECORDS, data.person_records, known_person),
                                (C.GROUP_RECORDS, data.group_records, known_group)):
        if not len(table):
            continue
        counts = table[C.REC_ITEM].dropna().value_counts()
        for item, n in counts.items():
            if item not in known:
                lines.append(f"注意：“{sheet}”中有 {n} 条“{item}”的记录，但“{C.SETTINGS}”中已没有这个考核项目："
                             f"这些分数仍计入总分，但不计入任何“之星”。如果是改了项目名称，请把“{C.SETTINGS}”中的名称改回“{item}”，"
                             "或在记录表中把这些记录的项目改成新名称。")
    return lines


def _stop(problems: list[CellProblem], what: str) -> None:
    if problems:
        raise InputError(f"{what}没有完成：下列单元格需要先改正（已标成红色），改好后再运行。", problems)


def _no_records(data: ClassData, what: str) -> None:
    if not len(data.group_records) and not len(data.person_records):
        raise InputError(f"{what}：“{C.GROUP_RECORDS}”和“{C.PERSON_RECORDS}”中还没有任何记录。"
                         f"请先生成并填写日表，再保存（xlzu daily / xlzu save）。")


# --------------------------------------------------------------------------
# The week
# --------------------------------------------------------------------------
WEEK_TITLE = "一键周汇总"


def _resolve_week(data: ClassData, week: Any) -> date:
    if week is None or (isinstance(week, str) and not week.strip()):
        return data.last_day
    if isinstance(week, int) and not isinstance(week, bool):
        week = str(week)
    if isinstance(week, str):
        day = week_from_text(week, data.settings)
        if day is None:
            raise InputError(f"看不懂要汇总的周“{week}”：请写这一周里的某一天（如 2026-11-23）或周次（如 12 或 第12周）。")
        return day
    return as_date(week)


def _poster(report: Report, poster, folder: Path | None, key: str) -> None:
    """Draw a 喜报 (when there is one to draw) into ``folder``; a missing
    Chinese font is a line of the report, not a failure of the operation."""
    from ..poster import FontMissing, draw, poster_name

    if poster is None:
        report.add("本期没有可以表扬的小组，没有生成喜报图片。")
        return
    path = Path(folder) / poster_name(poster.class_name, key)
    try:
        report.data.setdefault("posters", []).append((path, draw(poster, path)))
    except FontMissing as err:
        report.add(str(err))
        return
    report.add(f"喜报图片（可发家长群，只有表扬，没有分数和名次）：{path}")


def _week(book: Book, week: Any = None, poster: Path | None = None) -> Report:
    data, problems = read_class(book)
    history_values = book.read_values(C.WEEK_HISTORY) if book.has_sheet(C.WEEK_HISTORY) else []
    history, found = read_history(history_values)
    _stop(problems + found, WEEK_TITLE)
    _no_records(data, WEEK_TITLE)
    day = _resolve_week(data, week)
    s = data.settings
    summary = summarize_week(data.group_records, data.person_records, data.members, data.culture, s, day)
    w = summary.week
    if summary.n_group_records == 0 and summary.n_person_records == 0:
        raise InputError(f"{w.label}（{w.span()}）没有任何记录：请先保存这一周的日表，或用 --week 选另一周"
                         f"（最近的记录在 {data.last_day:%Y-%m-%d}）。")
    new_history = upsert_history(history, history_rows(summary))
    # ---- every check passed: write ----------------------------------------
    book.write_layout(C.WEEK_GROUPS, group_ranking_layout(summary, s))
    book.write_layout(C.WEEK_PEOPLE, people_ranking_layout(summary, s))
    book.write_layout(C.WEEK_HISTORY, history_layout(new_history, s))
    rules_rewritten = write_rules(book, s, only_if_changed=True)  # 规则说明 follows 设置 (titles, weights)
    g = summary.groups
    names = dict(zip(g[C.GROUP_NO], g[C.GROUP_TEAM_NAME]))
    totals = dict(zip(g[C.GROUP_NO], g[C.COL_TOTAL]))
    report = Report(WEEK_TITLE, data={"summary": summary, "groups": g, "people": summary.people, "history": new_history})
    report.add(f"{s.class_name} {w.label}（{w.first.year}年{w.span()}）：{len(g)} 个小组、{len(summary.people)} 名学生；"
               f"本周小组记录 {summary.n_group_records} 条，个人记录 {summary.n_person_records} 条。")
    if summary.stars:
        report.add(f"{s.star_group_label}：" + "、".join(f"{group_label(x, names[x])}（{fmt_points(totals[x])} 分）" for x in summary.stars))
        report.add(f"{s.devil_group_label}：" + "、".join(f"{group_label(x, names[x])}（{fmt_points(totals[x])} 分）" for x in summary.devils))
    else:
        report.add(f"各组得分相同，本周不评{s.star_group_label}和{s.devil_group_label}。")
    top = summary.people.loc[summary.people[C.COL_COMPOSITE_RANK] == 1]
    if len(top) and summary.n_person_records:
        report.add(f"个人{C.COL_COMPOSITE}第一：" + "、".join(f"{n}（{fmt_points(v)}）" for n, v in zip(top[C.GROUP_NAME_COL], top[C.COL_COMPOSITE])))
    if summary.n_group_records == 0:
        report.add(f"注意：本周“{C.GROUP_RECORDS}”没有记录，小组得分都为 0。")
    report.lines += orphan_items(data)
    weeks = new_history[C.COL_WEEK_START].nunique()
    report.add(f"已写入“{C.WEEK_GROUPS}”“{C.WEEK_PEOPLE}”；“{C.WEEK_HISTORY}”已更新（共 {weeks} 周，重复汇总同一周会替换该周）。")
    if rules_rewritten:
        report.add(f"“{C.SETTINGS}”改过：“{C.RULES}”已按新的设置重写。")
    if poster is not None:
        from ..poster import week_poster

        _poster(report, week_poster(summary, data.members, s), poster, w.label)
    return report


def week(target: Target, week: Any = None, *, poster: str | os.PathLike | None = None) -> Report:
    """一键周汇总: rank the groups and students of a week (default: the week
    of the latest records) and add the week to 周历史.  With ``poster`` (a
    folder) also the week's 喜报 picture."""
    return run(WEEK_TITLE, target, _week, week, Path(poster) if poster is not None else None)


def week_table(report: Report, settings_label: str = ""):
    """The week's group ranking as a rich Table (for the console)."""
    from rich.table import Table

    summary = report.data["summary"]
    g = summary.groups
    table = Table(title=f"{summary.week.label}（{summary.week.span()}）小组周排名", show_lines=False)
    for col in [C.COL_RANK, C.GROUP_NO, C.GROUP_TEAM_NAME]:
        table.add_column(col, justify="left" if col == C.GROUP_TEAM_NAME else "right", no_wrap=True)
    for col in summary.day_columns:
        table.add_column(col.split(" ")[0], justify="right", no_wrap=True)  # 周一 (the date is in the title)
    table.add_column(C.COL_TOTAL, justify="right", no_wrap=True)
    table.add_column(C.COL_AWARD, no_wrap=True)
    for rec in g.to_dict("records"):
        cells = [str(rec[C.COL_RANK]), str(rec[C.GROUP_NO]), str(rec[C.GROUP_TEAM_NAME])]
        cells += [fmt_points(rec[c]) for c in summary.day_columns]
        cells += [fmt_points(rec[C.COL_TOTAL]), rec[C.COL_AWARD] or ""]
        style = "bold green" if rec[C.GROUP_NO] in summary.stars else ("red" if rec[C.GROUP_NO] in summary.devils else None)
        table.add_row(*cells, style=style)
    return table


def week_table_text(report: Report, width: int = 110) -> str:
    """The same table as plain text (for ``xlzu demo``'s echo)."""
    from rich.console import Console

    buf = io.StringIO()
    Console(file=buf, width=width, color_system=None, highlight=False).print(week_table(report))
    return buf.getvalue().rstrip("\n")


# --------------------------------------------------------------------------
# The month
# --------------------------------------------------------------------------
MONTH_TITLE = "月度评比"


def _month(book: Book, month: Any = None, poster: Path | None = None) -> Report:
    data, problems = read_class(book)
    s = data.settings
    form_values = book.read_values(C.MONTHLY) if book.has_sheet(C.MONTHLY) else []
    existing, found, kept = read_rater_table(form_values, s)
    _stop(problems + found, MONTH_TITLE)
    _no_records(data, MONTH_TITLE)
    if month is None or (isinstance(month, str) and not month.strip()):
        m = Month.of(data.last_day)
    else:
        m = parse_month(month)
        if m is None:
            raise InputError(f"看不懂月份“{month}”：请写成 2026-11 这样的年-月。")
    summary = summarize_month(data.group_records, data.person_records, data.members, data.culture, s, m, existing)
    has_any = bool(summary.n_records) or bool(len(within(data.group_records, m)))
    if not has_any:
        raise InputError(f"{m.label}没有任何记录：请检查月份（最近的记录在 {data.last_day:%Y-%m-%d}）。")
    # ---- write ------------------------------------------------------------
    book.write_layout(C.MONTHLY, monthly_layout(summary, s, kept))
    report = Report(MONTH_TITLE, data={"summary": summary, "stars": summary.stars, "groups": summary.groups, "form": summary.form})
    report.add(f"{s.class_name} {m.label}：个人记录 {summary.n_records} 条。")
    for star in C.STARS:
        winners = summary.stars.loc[summary.stars[C.COL_AWARD] == star]
        if len(winners):
            report.add(f"{star}：" + "、".join(f"{n}（{b}）" for n, b in zip(winners[C.GROUP_NAME_COL], winners[C.COL_BASIS])))
        else:
            report.add(f"{star}：{(summary.unawarded or {}).get(star, '本月不评')}。")
    best = summary.groups.loc[summary.groups[C.COL_AWARD].notna()]
    if len(best):
        report.add(f"推荐{C.SCHOOL_STAR_GROUP}：" + "、".join(f"{group_label(g, n)}（{fmt_points(t)} 分）"
                                                          for g, n, t in zip(best[C.GROUP_NO], best[C.GROUP_TEAM_NAME], best[C.COL_TOTAL])))
    report.lines += orphan_items(data)
    typed = summary.form.loc[summary.form[C.COL_MONTH] == m.key, C.COL_WEIGHTED].notna().sum()
    report.add(f"已写入“{C.MONTHLY}”：多元评价表 {m.label}已评 {typed} 人（填写的分数在重新运行时保留）。")
    if poster is not None:
        from ..poster import month_poster

        last = data.last_day if Month.of(data.last_day) == m else None
        _poster(report, month_poster(summary, data.members, s, day=last), poster, m.label)
    return report


def month(target: Target, month: Any = None, *, poster: str | os.PathLike | None = None) -> Report:
    """月度评比: the month's stars, the school star-group recommendation and
    the multi-rater form (typed values kept).  With ``poster`` (a folder)
    also the month's 喜报 picture."""
    return run(MONTH_TITLE, target, _month, month, Path(poster) if poster is not None else None)


# --------------------------------------------------------------------------
# 喜报 alone (the Excel door): the latest week's and month's pictures
# --------------------------------------------------------------------------
POSTER_TITLE = "生成喜报"


def _posters(book: Book, folder: Path | None = None) -> Report:
    from ..poster import month_poster, week_poster
    from .daybook import _documents

    data, problems = read_class(book)
    s = data.settings
    form_values = book.read_values(C.MONTHLY) if book.has_sheet(C.MONTHLY) else []
    existing, found = read_rater_form(form_values, s)
    _stop(problems + found, POSTER_TITLE)
    _no_records(data, POSTER_TITLE)
    if folder is None:
        folder = getattr(book, "folder", None) or (book.path.parent if hasattr(book, "path") else _documents())
    report = Report(POSTER_TITLE)
    summary = summarize_week(data.group_records, data.person_records, data.members, data.culture, s, data.last_day)
    _poster(report, week_poster(summary, data.members, s), folder, summary.week.label)
    m = Month.of(data.last_day)
    msum = summarize_month(data.group_records, data.person_records, data.members, data.culture, s, m, existing)
    _poster(report, month_poster(msum, data.members, s, day=data.last_day), folder, m.label)
    return report


def posters(target: Target, folder: str | os.PathLike | None = None) -> Report:
    """生成喜报: the 喜报 pictures of the latest week and month, without
    changing any sheet (default folder: the workbook's)."""
    return run(POSTER_TITLE, target, _posters, Path(folder) if folder is not None else None)


# --------------------------------------------------------------------------
# 综合评价
# --------------------------------------------------------------------------
REVIEW_TITLE = "小组综合评价"


def _exam_progress(book: Book, data: ClassData) -> tuple[pd.Series | None, str, list[CellProblem]]:
    """Per group: the members' mean rank improvement between the last two
    exams on 考试成绩 (None without two exams)."""
    if not book.has_sheet(C.EXAMS):
        return None, "", []
    exams, names, problems = read_exams(book.read_values(C.EXAMS), _class_ids(data))
    filled = exams_with_scores(exams, names) if len(exams) else []
    if problems or len(filled) < 2:
        return None, "", problems
    from ..awards import exam_ranks

    a, b = filled[-2], filled[-1]
    ranks = exam_ranks(exams, a, b)
    groups = data.members.set_index(C.GROUP_ID)[C.GROUP_NO]
    progress = ranks["progress"].dropna()
    by_group = progress.groupby(groups.reindex(progress.index)).mean()
    by_group.index = by_group.index.astype("int64")
    return by_group, f"{a}→{b} ", problems


def _review(book: Book, period: Any = None) -> Report:
    data, problems = read_class(book)
    s = data.settings
    values = book.read_values(C.COMPREHENSIVE) if book.has_sheet(C.COMPREHENSIVE) else []
    existing, found, kept = read_form_table(values, s)
    p = parse_period(period, s, data.last_day)
    exam_progress, exam_text, exam_problems = (None, "", [])
    if p is not None and p.kind == "term":
        exam_progress, exam_text, exam_problems = _exam_progress(book, data)
    _stop(problems + found + exam_problems, REVIEW_TITLE)
    _no_records(data, REVIEW_TITLE)
    if p is None:
        raise InputError(f"看不懂评价的周期“{period}”：请写 2026-11（一个月）、2026-11-23 或 第12周（一周）、学期（全学期）。")
    teams = data.teams(p)
    groups = pd.Index(teams[C.GROUP_NO].astype("int64"), dtype="int64")
    points, basis = record_view(data.group_records, groups, p, s, exam_progress, exam_text)
    form = merge_form(existing, p, teams, points, basis, s)
    res = results(form, p)
    summary = ReviewSummary(p, form, res)
    # ---- write ------------------------------------------------------------
    book.write_layout(C.COMPREHENSIVE, review_layout(summary, s, kept))
    report = Report(REVIEW_TITLE, data={"summary": summary, "form": form, "results": res})
    report.add(f"{s.class_name} {p.title}：{len(groups)} 个小组的综合评价（四个方面 × {len(s.group_rater_weights)} 位评价人）。")
    first = res.loc[res[C.COL_RANK] == 1]
    if len(first):
        report.add("综合第一：" + "、".join(f"{group_label(g, n)}（{fmt_points(v)} 分）"
                                       for g, n, v in zip(first[C.GROUP_NO], first[C.GROUP_TEAM_NAME], first[C.COL_RESULT])))
    report.add(f"已写入“{C.COMPREHENSIVE}”：评分表中改过的分数在重新运行时保留；没改过的格随记录更新。")
    return report


def review(target: Target, period: Any = None) -> Report:
    """小组综合评价 of a week, a month or the term (default: the month of the
    latest records), pre-filled from the records; typed scores kept."""
    return run(REVIEW_TITLE, target, _review, period)


# --------------------------------------------------------------------------
# The term
# --------------------------------------------------------------------------
TERM_TITLE = "期末评比"


def _term(book: Book, from_exam: str | None = None, to_exam: str | None = None, day: Any = None) -> Report:
    data, problems = read_class(book, layers=True)
    s = data.settings
    book.require(C.EXAMS, hint="请在工作簿中加一张“考试成绩”表：学号、姓名，后面每次考试一列。")
    exam_values = book.read_values(C.EXAMS)
    exams, names, found = read_exams(exam_values, _class_ids(data))
    _stop(problems + found, TERM_TITLE)
    header = [str(v) for v in names]
    for name, arg in ((from_exam, "--from"), (to_exam, "--to")):
        if name is not None and name not in header:
            raise InputError(f"“{C.EXAMS}”第 1 行没有“{name}”这一列（{arg}）。已有的考试：{'、'.join(header) or '无'}。",
                             [CellProblem(C.EXAMS, "A1", None, f"第 1 行应有“{name}”一列")])
    filled = exams_with_scores(exams, header) if len(exams) else []
    if from_exam is None and to_exam is None and len(filled) >= 2:
        from_exam, to_exam = filled[-2], filled[-1]
    elif from_exam is None and to_exam is not None:
        earlier = [e for e in filled if header.index(e) < header.index(to_exam)]
        from_exam = earlier[-1] if earlier else None
    elif to_exam is None and from_exam is not None:
        later = [e for e in filled if header.index(e) > header.index(from_exam)]
        to_exam = later[0] if later else None
    if from_exam is not None and to_exam is not None and header.index(from_exam) > header.index(to_exam):
        raise InputError(f"--from “{from_exam}”在“{C.EXAMS}”中排在 --to “{to_exam}”之后：进步是从前一次考试到后一次考试，"
                         f"请写 --from {to_exam} --to {from_exam}（或把考试列按时间先后排列）。",
                         [CellProblem(C.EXAMS, _exam_cell(exam_values, from_exam), from_exam,
                                      f"（--from）这次考试应在 --to “{to_exam}”之前")])
    if from_exam is not None and from_exam == to_exam:
        raise InputError(f"--from 和 --to 是同一次考试“{from_exam}”：明星组长比较两次考试的名次进步。")
    award_day = parse_day(day) if day is not None else date.today()
    teams = data.teams()
    leaders = star_leaders(exams, data.members, teams, s, from_exam, to_exam)
    groups = advanced_groups(data.group_records, teams)
    members = outstanding_members(data.person_records, data.members, teams)
    summary = TermSummary(from_exam, to_exam, leaders, groups, members, award_day)
    awards = summary.awards()
    # ---- write ------------------------------------------------------------
    book.write_layout(C.TERM_AWARDS, term_layout(summary, s))
    book.write_layout(C.CERTIFICATES, certificates_layout(summary, s, data.members), form=C.FORM_CERTIFICATE)
    report = Report(TERM_TITLE, data={"summary": summary, "leaders": leaders, "groups": groups, "members": members, "awards": awards})
    if from_exam and to_exam:
        won = leaders.loc[leaders[C.COL_RESULT_TEXT] == C.AWARD_STAR_LEADER]
        report.add(f"{C.AWARD_STAR_LEADER}（{from_exam}→{to_exam}，{len(leaders)} 位大组长参评）："
                   + ("、".join(won[C.ROLE_LEADER]) if len(won) else "无"))
    else:
        report.add(f"{C.AWARD_STAR_LEADER}：“{C.EXAMS}”中要有两次考试的成绩才能评（现有成绩的考试：{'、'.join(filled) or '无'}）。")
    adv = groups.loc[groups[C.COL_AWARD].notna()]
    report.add(f"{C.AWARD_ADVANCED_GROUP}：" + ("、".join(group_label(g, n) for g, n in zip(adv[C.GROUP_NO], adv[C.GROUP_TEAM_NAME])) or "无（还没有小组记录）"))
    report.add(f"{C.AWARD_OUTSTANDING_MEMBER}：" + ("、".join(members[C.GROUP_NAME_COL]) if len(members) else "无（还没有个人记录）"))
    report.add(f"已写入“{C.TERM_AWARDS}”（每个奖项的依据）和“{C.CERTIFICATES}”（{len(awards)} 张，每张一页 A4 横向）。")
    return report


def term(target: Target, from_exam: str | None = None, to_exam: str | None = None, day: Any = None) -> Report:
    """期末评优: 明星组长 (two exams of 考试成绩), 先进小组 and 优秀组员, with
    one certificate per award on 荣誉证书."""
    return run(TERM_TITLE, target, _term, from_exam, to_exam, day)
