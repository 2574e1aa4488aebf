"""The comprehensive group evaluation (综合评价, SPEC 5) of a week, a month or
the term: four aspects × the raters of 设置, pre-filled from the records.

Pure pandas.  Rules (also in the README):

- Each group gets four rows (学习情况, 常规要求, 行为习惯, 学习进步) and one
  column per rater of 设置's 【综合评价权重】 (班主任, 任课教师, 学生干部,
  大组长, 小组自评, 组间互评 by default); every rater scores 0–100.
- What the records say (记录依据) is the group's 小组记录 points of the
  period: 学习情况 = 自主学习 + 课堂参与, 常规要求 = 卫生纪律, 行为习惯 =
  文明礼仪 + 好人好事 (contract.ASPECT_CATEGORIES), 学习进步 = the rise of
  学习情况 points against the previous period of the same kind (the week or
  month before; for the term: the rise of the members' mean class rank
  between the last two exams on 考试成绩).
- 建议分 turns those points into a score around 80 within 60–100 without
  magnifying small differences: one record point moves it by at most one
  score point (only a spread of more than 40 points is compressed; all
  equal: 80).  It stands in its own column for the raters' reference; the
  rater cells start blank and what a rater types is kept on every re-run.
- An aspect's score is the weighted mean of its rater cells (weights of 设置,
  over the cells filled), or its 建议分 while nobody has scored it; 综合得分 is the mean of the four aspects; groups
  are ranked by it (ties share a rank).
- The sheet keeps every period evaluated so far; the period just run comes
  first, and its results are summarised on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from . import contract as C
from . import schema
from .dates import monday, week_number
from .errors import CellProblem
from .layout import Layout, PrintSetup, Validation, clean_text, range_ref
from .monthly import Month, parse_month
from .records import within
from .settings import Settings, parse_number
from .stack import Stack
from .weekly import fmt_points, make_week, rank_desc, tidy, week_from_text


# --------------------------------------------------------------------------
# Periods
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    kind: str  # week, month, term
    key: str  # what 周期 cells hold: 第12周, 2026-11, 全学期
    start: date
    end: date  # inclusive
    title: str  # for headings: 第12周（11月23日—11月27日）

    def contains(self, stamps: pd.Series) -> pd.Series:
        return (stamps >= pd.Timestamp(self.start)) & (stamps <= pd.Timestamp(self.end))

    def previous(self, settings: Settings) -> "Period | None":
        if self.kind == "week":
            return week_period(self.start - timedelta(days=7), settings)
        if self.kind == "month":
            return month_period(parse_month(self.key).previous)
        return None


def week_period(day: date, settings: Settings) -> Period:
    start = monday(day)
    n = week_number(start, settings.term_start)
    w = make_week(start, settings)
    return Period("week", f"第{n}周", start, start + timedelta(days=6), f"第{n}周（{w.span()}）")


def month_period(month: Month) -> Period:
    return Period("month", month.key, month.first, month.next.first - timedelta(days=1), month.label)


def term_period(settings: Settings, last: date | None) -> Period:
    end = max(last or settings.term_start, settings.term_start)
    return Period("term", C.PERIOD_TERM, settings.term_start, end, f"{C.PERIOD_TERM}（{settings.term_start:%Y-%m-%d} 起）")


def parse_period(text: Any, settings: Settings, last_record: date | None) -> Period | None:
    """学期/全学期/term → the term; 2026-11 → that month; 2026-11-23, 12 or
    第12周 → that week; blank → the month of the latest records."""
    raw = clean_text(text)
    if raw in ("", "月", "month") and last_record is not None:
        return month_period(Month.of(last_record))
    if raw in ("学期", "全学期", "本学期", "期末", "term", C.PERIOD_TERM):
        return term_period(settings, last_record)
    if raw in ("周", "week") and last_record is not None:
        return week_period(last_record, settings)
    from .settings import parse_date

    if parse_date(raw) is None:
        m = parse_month(raw)
        if m is not None:
            return month_period(m)
    day = week_from_text(raw, settings)
    if day is not None:
        return week_period(day, settings)
    return None


# --------------------------------------------------------------------------
# What the records say
# --------------------------------------------------------------------------
def _points(records: pd.DataFrame, period: Period, groups: pd.Index, cats: tuple[str, ...]) -> pd.Series:
    recs = within(records, period)
    recs = recs.loc[recs[C.REC_CATEGORY].isin(cats)].dropna(subset=[C.REC_GROUP])
    return tidy(recs[C.REC_POINTS].groupby(recs[C.REC_GROUP].astype("int64")).sum().reindex(groups, fill_value=0.0).astype("float64"))


def suggest(points: pd.Series) -> pd.Series:
    """Points across groups → a score around 80 within 60–100 that never
    magnifies a difference: groups C.SUGGEST_STEP record points apart are at
    most one score point apart (a 4-point 文明礼仪 difference stays 4), and
    only a spread wider than 40 points is compressed to fit 60–100.  The
    middle of the groups' range is 80; all equal: 80 each."""
    v = points.astype("float64")
    if v.isna().all():
        return v
    lo, hi = v.min(), v.max()
    mid = (C.SUGGEST_LOW + C.SUGGEST_HIGH) / 2
    if hi == lo:
        return pd.Series(mid, index=v.index, dtype="float64").where(v.notna())
    per_point = min((C.SUGGEST_HIGH - C.SUGGEST_LOW) / (hi - lo), 1 / C.SUGGEST_STEP)
    return (mid + per_point * (v - (hi + lo) / 2)).round(1)


def record_view(group_records: pd.DataFrame, groups: pd.Index, period: Period, settings: Settings,
                exam_progress: pd.Series | None = None, exam_text: str = "") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(points, basis): one row per group, one column per aspect."""
    points = pd.DataFrame(index=groups, dtype="float64")
    basis = pd.DataFrame(index=groups, dtype=object)
    in_period = within(group_records, period)
    any_records = len(in_period) > 0
    for aspect in C.ASPECTS:
        cats = C.ASPECT_CATEGORIES.get(aspect, ())
        if cats:
            parts = {c: _points(group_records, period, groups, (c,)) for c in cats}
            total = tidy(sum(parts.values()))
            points[aspect] = total if any_records else np.nan
            basis[aspect] = [(" + ".join(f"{c} {fmt_points(parts[c][g])}" for c in cats)
                              + (f" = {fmt_points(total[g])} 分" if len(cats) > 1 else " 分")) if any_records else "本期无记录"
                             for g in groups]
    learn = C.ASPECT_CATEGORIES[C.ASPECTS[0]]
    if C.ASPECT_PROGRESS in C.ASPECTS:
        prev = period.previous(settings)
        if prev is not None:
            before = within(group_records, prev)
            if any_records and len(before):
                now = _points(group_records, period, groups, learn)
                then = _points(group_records, prev, groups, learn)
                rise = tidy(now - then)
                points[C.ASPECT_PROGRESS] = rise
                basis[C.ASPECT_PROGRESS] = [f"{C.ASPECTS[0]} {fmt_points(now[g])} 分，上期 {fmt_points(then[g])} 分，"
                                            f"{'+' if rise[g] >= 0 else ''}{fmt_points(rise[g])}" for g in groups]
            else:
                points[C.ASPECT_PROGRESS] = np.nan
                basis[C.ASPECT_PROGRESS] = "上期或本期无记录，请评委打分"
        elif exam_progress is not None and exam_progress.notna().any():
            ep = exam_progress.reindex(groups).astype("float64")
            points[C.ASPECT_PROGRESS] = ep
            basis[C.ASPECT_PROGRESS] = [f"{exam_text}组员平均进步 {fmt_points(round(v, 1))} 名" if pd.notna(v) else "无考试成绩"
                                        for v in ep]
        else:
            points[C.ASPECT_PROGRESS] = np.nan
            basis[C.ASPECT_PROGRESS] = "无两次考试成绩，请评委打分"
    return points[list(C.ASPECTS)], basis[list(C.ASPECTS)]


# --------------------------------------------------------------------------
# The form
# --------------------------------------------------------------------------
def form_columns(settings: Settings) -> list[str]:
    return [C.COL_PERIOD, C.GROUP_NO, C.GROUP_TEAM_NAME, C.COL_ASPECT, C.COL_SUGGESTED,
            *[n for n, _ in settings.group_rater_weights], C.COL_WEIGHTED, C.COL_RECORD_BASIS]


def read_form_table(values: list[list[Any]], settings: Settings) -> tuple[pd.DataFrame, list[CellProblem], schema.Kept]:
    """The 评分表 of 综合评价 as the teacher left it: 周期, 组号, 方面,
    建议分 and every rater column (by name); the problems; and what the
    write-back gives back (the teacher's columns and notes, each row keyed by
    周期 + 组号 + 方面).  A rater cell that is not a 0–100 number is a
    problem; so is a column among the raters that 设置 no longer lists but
    that holds scores, a row holding scores whose 周期, 组号 or 方面 cannot
    be read, and a row repeated: nothing typed is dropped unseen."""
    raters = [n for n, _ in settings.group_rater_weights]
    cols = [C.COL_PERIOD, C.GROUP_NO, C.COL_ASPECT, C.COL_SUGGESTED, *raters]
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    got = schema.read_rater_form(values, C.REVIEW_SECTION_FORM, schema.review_form(raters), C.COL_SUGGESTED,
                                 C.COL_WEIGHTED, C.SECTION_GROUP_RATERS)
    if got is None:
        return empty, [], schema.Kept()
    read, problems = got
    typed_cols = [r for r in raters if r in read.col]
    rows = []
    keys: dict[int, Any] = {}
    seen: dict[tuple[str, int, str], int] = {}
    for rec in read.frame.to_dict("records"):
        r = int(rec["_row"])
        period, aspect = clean_text(rec.get(C.COL_PERIOD)), clean_text(rec.get(C.COL_ASPECT))
        g = parse_number(rec.get(C.GROUP_NO))
        good_g = g is not None and float(g).is_integer() and g >= 1
        if not period or aspect not in C.ASPECTS or not good_g:
            if any(rec.get(c) is not None for c in typed_cols):
                col, expected = ((C.COL_PERIOD, "这一行填有评分，周期不能为空") if not period else
                                 (C.GROUP_NO, "这一行填有评分，组号应为正整数") if not good_g else
                                 (C.COL_ASPECT, "这一行填有评分，方面应为 " + "、".join(C.ASPECTS) + " 之一"))
                problems.append(CellProblem(C.COMPREHENSIVE, read.ref(r, col), rec.get(col), expected))
            continue
        key = (period, int(g), aspect)
        if key in seen:
            problems.append(CellProblem(C.COMPREHENSIVE, read.ref(r, C.COL_ASPECT), aspect,
                                        f"{period}第{int(g)}组的这一方面与第{seen[key]}行重复：请把两行的评分合成一行"))
            continue
        seen[key] = r
        keys[r] = key
        out: dict[str, Any] = {C.COL_PERIOD: period, C.GROUP_NO: int(g), C.COL_ASPECT: aspect,
                               C.COL_SUGGESTED: parse_number(rec.get(C.COL_SUGGESTED))}
        for c in raters:
            out[c] = rec.get(c) if c in read.col else _MISSING
        rows.append(out)
    problems.sort(key=lambda p: schema.cell_order(p.cell))
    kept = schema.Kept(read, keys)
    if not rows:
        return empty, problems, kept
    return pd.DataFrame(rows, columns=cols).reset_index(drop=True), problems, kept


_MISSING = "__missing__"  # a rater column the sheet did not have (added in 设置 since)


def merge_form(existing: pd.DataFrame, period: Period, teams: pd.DataFrame, points: pd.DataFrame, basis: pd.DataFrame,
               settings: Settings) -> pd.DataFrame:
    """The whole 评分表: this period's rows (suggestions refreshed, typed
    values kept) first, then every other period as it was."""
    raters = [n for n, _ in settings.group_rater_weights]
    suggested = pd.DataFrame({a: suggest(points[a]) for a in C.ASPECTS}, index=points.index)
    old = existing.set_index([C.COL_PERIOD, C.GROUP_NO, C.COL_ASPECT]) if len(existing) else None
    names = dict(zip(teams[C.GROUP_NO].astype(int), teams[C.GROUP_TEAM_NAME]))
    rows = []
    for g in points.index:
        for aspect in C.ASPECTS:
            new = suggested.at[g, aspect]
            new = None if pd.isna(new) else float(new)
            row = {C.COL_PERIOD: period.key, C.GROUP_NO: int(g), C.GROUP_TEAM_NAME: names.get(int(g), f"第{int(g)}组"),
                   C.COL_ASPECT: aspect, C.COL_RECORD_BASIS: basis.at[g, aspect], C.COL_SUGGESTED: new}
            key = (period.key, int(g), aspect)
            before = old.loc[key] if old is not None and key in old.index else None
            if before is not None and _prefilled(before, raters):
                before = None  # a row an earlier version filled with its 建议分 throughout: nobody scored it
            for r in raters:
                # each rater's cell is theirs: blank until they score, kept once they have
                typed = None if before is None else before[r]
                if typed is None or (isinstance(typed, str) and typed == _MISSING) or pd.isna(typed):
                    row[r] = None
                else:
                    row[r] = float(typed)
            rows.append(row)
    this = pd.DataFrame(rows, columns=[c for c in form_columns(settings) if c != C.COL_WEIGHTED])
    others = existing.loc[existing[C.COL_PERIOD] != period.key].copy() if len(existing) else existing
    if len(others):
        for r in raters:
            others[r] = others[r].where(others[r].astype(object) != _MISSING, None)
        others[C.GROUP_TEAM_NAME] = [names.get(int(g), f"第{int(g)}组") for g in others[C.GROUP_NO]]
        others[C.COL_RECORD_BASIS] = None
        others = others.reindex(columns=this.columns)
        out = pd.concat([this, others], ignore_index=True)
    else:
        out = this
    for c in (C.COL_SUGGESTED, *raters):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    out[C.GROUP_NO] = out[C.GROUP_NO].astype("int64")
    out[C.COL_WEIGHTED] = weighted_scores(out, settings)
    return out[form_columns(settings)].reset_index(drop=True)


def aspect_scores(form: pd.DataFrame) -> pd.Series:
    """What each row counts for: the raters' weighted score, or the
    suggestion while no rater has scored it yet."""
    return form[C.COL_WEIGHTED].astype("float64").fillna(form[C.COL_SUGGESTED].astype("float64"))


def _prefilled(before: pd.Series, raters: list[str]) -> bool:
    """Every rater cell of the row holds the row's old 建议分 (earlier versions
    copied it into all of them): untouched, not six people agreeing."""
    was = before[C.COL_SUGGESTED]
    cells = [before[r] for r in raters if not (isinstance(before[r], str) and before[r] == _MISSING)]
    return bool(cells) and was is not None and not pd.isna(was) and all(_same(c, was) for c in cells)


def _same(a: Any, b: Any) -> bool:
    a_blank = a is None or (isinstance(a, float) and np.isnan(a))
    b_blank = b is None or (isinstance(b, float) and np.isnan(b))
    if a_blank or b_blank:
        return a_blank and b_blank
    return abs(float(a) - float(b)) < 1e-9


def weighted_scores(form: pd.DataFrame, settings: Settings) -> pd.Series:
    w = pd.Series(dict(settings.group_rater_weights), dtype="float64")
    scores = form[list(w.index)].apply(pd.to_numeric, errors="coerce").astype("float64")
    num = (scores.fillna(0.0) * w).sum(axis=1)
    den = (scores.notna() * w).sum(axis=1)
    return (num / den.where(den > 0)).round(1)


def results(form: pd.DataFrame, period: Period) -> pd.DataFrame:
    """The period's group result: each aspect's weighted score, 综合得分 (their
    mean over the aspects scored) and its rank."""
    this = form.loc[form[C.COL_PERIOD] == period.key]
    groups = pd.Index(list(dict.fromkeys(this[C.GROUP_NO].astype("int64"))), dtype="int64", name=C.GROUP_NO)
    names = dict(zip(this[C.GROUP_NO].astype("int64"), this[C.GROUP_TEAM_NAME]))
    wide = this.assign(_score=aspect_scores(this)).set_index([C.GROUP_NO, C.COL_ASPECT])["_score"].unstack()
    wide = wide.reindex(index=groups, columns=list(C.ASPECTS)).astype("float64")
    result = wide.mean(axis=1, skipna=True).round(1)
    out = wide.reset_index()
    out.insert(1, C.GROUP_TEAM_NAME, [names[g] for g in groups])
    out[C.COL_RESULT] = result.to_numpy()
    out.insert(0, C.COL_RANK, rank_desc(out[C.COL_RESULT]).to_numpy())
    out[C.GROUP_NO] = out[C.GROUP_NO].astype("int64")
    out = out.sort_values([C.COL_RANK, C.GROUP_NO], kind="stable", na_position="last").reset_index(drop=True)
    out.columns.name = None
    return out


@dataclass
class ReviewSummary:
    period: Period
    form: pd.DataFrame
    results: pd.DataFrame


def review_layout(summary: ReviewSummary, settings: Settings, kept: schema.Kept | None = None) -> Layout:
    """综合评价: the period's results and the 评分表 of every period;
    ``kept`` (the 评分表 as read): the teacher's columns and notes beside it
    come back, each cell with its 周期 + 组号 + 方面."""
    raters = [n for n, _ in settings.group_rater_weights]
    cols = form_columns(settings)
    s = Stack(len(cols))
    s.title(f"{settings.class_name} 小组综合评价")
    weights = "，".join(f"{n} {fmt_points(w)}" for n, w in settings.group_rater_weights)
    s.subtitle(f"最近一次：{summary.period.title}　权重：{weights}")
    s.blank()
    s.section(f"{C.REVIEW_SECTION_RESULT}{summary.period.title}")
    res = summary.results
    marks = [(i, "star") for i, r in enumerate(res[C.COL_RANK]) if pd.notna(r) and int(r) == 1]
    s.table(res, styles={C.COL_RESULT: "total"}, row_styles=marks)
    s.blank()
    s.section(C.REVIEW_SECTION_FORM)
    s.hint(f"{C.COL_SUGGESTED}由记录算出（各组居中为 {fmt_points((C.SUGGEST_LOW + C.SUGGEST_HIGH) / 2)} 分，记录每差 "
           f"{fmt_points(C.SUGGEST_STEP)} 分建议分最多差 1 分，限 {C.SUGGEST_LOW}–{C.SUGGEST_HIGH}），供评价人参考；"
           f"各评价人在自己一栏打 {C.RATING_MIN_SCORE}–{C.RATING_MAX_SCORE} 分，打过的分数在重新运行时保留。"
           f"{C.COL_WEIGHTED}按已打分的评价人加权；还没有人打分的方面按{C.COL_SUGGESTED}计入，{C.COL_RESULT}为四个方面的平均。")
    validation = Validation("", "decimal", minimum=C.RATING_MIN_SCORE, maximum=C.RATING_MAX_SCORE,
                            prompt_title="评分", prompt=f"{C.RATING_MIN_SCORE}–{C.RATING_MAX_SCORE} 分",
                            error=f"应为 {C.RATING_MIN_SCORE}–{C.RATING_MAX_SCORE} 的分数")
    form = summary.form[cols]
    header, first, last = s.table(
        form,
        styles={C.COL_RECORD_BASIS: "left", C.COL_SUGGESTED: "text", C.COL_WEIGHTED: "total", **{r: "entry" for r in raters}},
        widths={C.COL_RECORD_BASIS: 34, C.COL_PERIOD: 10, **{r: 9 for r in raters}},
        validations=[(r, validation) for r in raters],
    )
    layout = s.layout
    if len(form):
        layout.autofilter = range_ref(header, 1, last, len(cols))
    # the form's header repeats at the top of every page after the first
    layout.print = PrintSetup(orientation="landscape", fit_width=1, fit_height=0, title_rows=f"{header}:{header}",
                              footer="第 &P 页，共 &N 页")
    if kept is not None:
        keys = [(p, int(g), a) for p, g, a in zip(form[C.COL_PERIOD], form[C.GROUP_NO], form[C.COL_ASPECT])]
        layout = kept.apply(layout, keys, header_row=header)
    return layout
