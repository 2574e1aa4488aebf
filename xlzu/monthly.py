"""The monthly evaluation (SPEC 5): stars, the school star-group
recommendation and the multi-rater form of every student.

Pure pandas.  Rules (also in the README):

- A star is won by the figure of the items that map to it in 设置
  (【个人考核项目】's 对应之星 column): e.g. 纪律之星 from the points of every
  item whose 对应之星 lists 纪律之星.  The student(s) with the highest
  figure win; ties: all of them; a figure of 0 or less wins nothing.
- 进步之星: the largest rise of a student's monthly total against the
  previous month (positive rises only; needs records in both months).
- 校级明星小组 (recommended to the school): the group(s) with the highest
  total of 小组记录 in the month.
- Multi-rater form: one row per student per month; each rater scores 0–100;
  加权得分 uses the weights of 设置 over the raters filled so far.  Values a
  teacher typed are read back before the month is rewritten and kept (merged
  by 月份 + 学号); other months' rows are kept as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from . import contract as C
from . import cells, schema
from .errors import CellProblem
from .layout import Layout, PrintSetup, Validation, range_ref, clean_text, excel_value
from .records import within
from .settings import Settings, normalize_text
from .stack import Stack
from .weekly import fmt_points, group_names, people, rank_desc, tidy


# --------------------------------------------------------------------------
# Months
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def key(self) -> str:
        """2026-11 (what 月份 cells hold)"""
        return f"{self.year}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def previous(self) -> "Month":
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    @property
    def next(self) -> "Month":
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def contains(self, stamps: pd.Series) -> pd.Series:
        return (stamps >= pd.Timestamp(self.first)) & (stamps < pd.Timestamp(self.next.first))

    @classmethod
    def of(cls, day: date) -> "Month":
        return cls(day.year, day.month)


def parse_month(value: Any) -> Month | None:
    """2026-11, 2026/11, 2026年11月, 2026.11 or a date in that month."""
    value = excel_value(value)
    if hasattr(value, "year") and hasattr(value, "month"):
        return Month(value.year, value.month)
    text = normalize_text(value)
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:\s*[-/.]\s*\d{1,2}\s*日?)?", text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return Month(int(m.group(1)), int(m.group(2)))


# --------------------------------------------------------------------------
# Stars
# --------------------------------------------------------------------------
STAR_COLUMNS = (C.COL_AWARD, C.GROUP_ID, C.GROUP_NAME_COL, C.GROUP_NO, C.GROUP_TEAM_NAME, C.COL_FIGURE, C.COL_BASIS)


def star_items(settings: Settings) -> dict[str, tuple[str, ...]]:
    """Each star (except 进步之星) → the items that count for it, from 设置."""
    out: dict[str, tuple[str, ...]] = {}
    for star in C.STARS:
        if star == C.STAR_PROGRESS:
            continue
        out[star] = tuple(i.name for i in settings.items if star in i.stars)
    return out


def month_stars(person_records: pd.DataFrame, members: pd.DataFrame, settings: Settings, month: Month) -> pd.DataFrame:
    """One row per star winner (ties: every one) with the figure that won it."""
    return month_stars_and_reasons(person_records, members, settings, month)[0]


def recorded_days(records: pd.DataFrame) -> int:
    """The number of school days with records (days anyone was scored)."""
    return int(records[C.REC_DATE].dt.normalize().nunique()) if len(records) else 0


def month_stars_and_reasons(person_records: pd.DataFrame, members: pd.DataFrame, settings: Settings,
                            month: Month) -> tuple[pd.DataFrame, dict[str, str]]:
    """(the winners, why each star without a winner was not awarded)."""
    recs = within(person_records, month)
    who = people(members, recs).set_index(C.GROUP_ID)
    rows: list[dict] = []
    why: dict[str, str] = {}

    def add(star: str, figures: pd.Series, basis: dict[str, str]) -> None:
        for sid in best_positive(figures):
            rows.append({C.COL_AWARD: star, C.GROUP_ID: sid, C.GROUP_NAME_COL: who[C.GROUP_NAME_COL].get(sid),
                         C.GROUP_NO: who[C.GROUP_NO].get(sid), C.GROUP_TEAM_NAME: None,
                         C.COL_BASIS: basis.get(sid, ""), C.COL_FIGURE: float(figures[sid])})

    ids = pd.Index(list(who.index), dtype=object)
    for star, items in star_items(settings).items():
        if not items:
            why[star] = f"本月不评：设置的【个人考核项目】中没有项目对应{star}"
            continue
        mine = recs.loc[recs[C.REC_ITEM].isin(items)]
        figures = tidy(mine[C.REC_POINTS].groupby(mine[C.REC_ID]).sum().reindex(ids, fill_value=0.0).astype("float64"))
        text = "、".join(items)
        if not best_positive(figures):
            why[star] = f"本月不评：没有人在{text}上得分"
        add(star, figures, {sid: f"本月{text}共 {fmt_points(v)} 分" for sid, v in figures.items()})
    # 进步之星: points per recorded school day, this month against the previous
    # one (months have different numbers of school days: 国庆, exams).
    prev = month.previous
    before = within(person_records, prev)
    days_now, days_then = recorded_days(recs), recorded_days(before)
    # A rise needs a figure in both months: a student without records in one
    # of them (joined, away) is not compared.
    both = pd.Index([sid for sid in ids if sid in set(recs[C.REC_ID]) and sid in set(before[C.REC_ID])], dtype=object)
    if len(both) and days_now and days_then:
        now_total = tidy(recs[C.REC_POINTS].groupby(recs[C.REC_ID]).sum().reindex(both, fill_value=0.0).astype("float64"))
        then_total = tidy(before[C.REC_POINTS].groupby(before[C.REC_ID]).sum().reindex(both, fill_value=0.0).astype("float64"))
        now_rate, then_rate = (now_total / days_now).round(2), (then_total / days_then).round(2)
        rise = (now_rate - then_rate).round(2)
        add(C.STAR_PROGRESS, rise, {sid: f"本月每天 {fmt_points(now_rate[sid])} 分（{days_now} 天共 {fmt_points(now_total[sid])} 分），"
                                         f"{prev.month}月每天 {fmt_points(then_rate[sid])} 分（{days_then} 天），"
                                         f"每天提高 {fmt_points(rise[sid])} 分" for sid in both})
        if not best_positive(rise):
            why[C.STAR_PROGRESS] = f"本月不评：没有人比{prev.month}月每天的得分更高"
    else:
        why[C.STAR_PROGRESS] = f"本月不评：{prev.label}没有记录，无法比较进步"
    out = pd.DataFrame(rows, columns=list(STAR_COLUMNS))
    out[C.GROUP_NO] = pd.to_numeric(out[C.GROUP_NO], errors="coerce").astype("Int64")
    out[C.COL_FIGURE] = out[C.COL_FIGURE].astype("float64")
    for c in (C.COL_AWARD, C.GROUP_ID, C.GROUP_NAME_COL, C.GROUP_TEAM_NAME, C.COL_BASIS):
        out[c] = out[c].astype(object)
    order = {s: k for k, s in enumerate(C.STARS)}
    out = (out.assign(_s=out[C.COL_AWARD].map(order), _g=out[C.GROUP_NO].fillna(10**6))
              .sort_values(["_s", "_g", C.GROUP_ID], kind="stable").drop(columns=["_s", "_g"]).reset_index(drop=True))
    return out, why


def stars_shown(stars: pd.DataFrame, why: dict[str, str]) -> pd.DataFrame:
    """Every star in order, its winners or one row saying why nobody won it."""
    parts = []
    for star in C.STARS:
        mine = stars.loc[stars[C.COL_AWARD] == star]
        if len(mine):
            parts.append(mine)
        elif star in why:
            parts.append(pd.DataFrame([{C.COL_AWARD: star, C.COL_BASIS: why[star]}], columns=stars.columns))
    if not parts:
        return stars
    out = pd.concat([p.astype(object) for p in parts], ignore_index=True)
    out[C.GROUP_NO] = pd.to_numeric(out[C.GROUP_NO], errors="coerce").astype("Int64")
    out[C.COL_FIGURE] = pd.to_numeric(out[C.COL_FIGURE], errors="coerce").astype("float64")
    return out


def best_positive(figures: pd.Series) -> list:
    """Index labels of every maximum, when the maximum is above 0."""
    v = pd.to_numeric(figures, errors="coerce").dropna()
    if v.empty or v.max() <= 0:
        return []
    return list(v.index[v == v.max()])


def best(figures: pd.Series) -> list:
    """Index labels of every maximum."""
    v = pd.to_numeric(figures, errors="coerce").dropna()
    return [] if v.empty else list(v.index[v == v.max()])


def month_groups(group_records: pd.DataFrame, teams: pd.DataFrame, month: Month, settings: Settings) -> pd.DataFrame:
    """Every group's total of the month, ranked; the best is recommended as
    校级明星小组 (ties: all of them)."""
    recs = within(group_records, month).dropna(subset=[C.REC_GROUP])
    index = pd.Index(sorted(set(teams[C.GROUP_NO].astype(int)) | set(recs[C.REC_GROUP].astype(int))), dtype="int64")
    total = tidy(recs[C.REC_POINTS].groupby(recs[C.REC_GROUP].astype("int64")).sum().reindex(index, fill_value=0.0).astype("float64"))
    names = dict(zip(teams[C.GROUP_NO].astype(int), teams[C.GROUP_TEAM_NAME]))
    out = pd.DataFrame({
        C.COL_RANK: rank_desc(total).to_numpy(),
        C.GROUP_NO: index.to_numpy(),
        C.GROUP_TEAM_NAME: pd.Series([names.get(g, f"第{g}组") for g in index], dtype=object).to_numpy(),
        C.COL_TOTAL: total.to_numpy(),
    })
    winners = set(best(total)) if len(recs) else set()
    out[C.COL_AWARD] = pd.Series([f"推荐{C.SCHOOL_STAR_GROUP}" if g in winners else None for g in index], dtype=object).to_numpy()
    return out.sort_values([C.COL_RANK, C.GROUP_NO], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------
# The multi-rater form
# --------------------------------------------------------------------------
def rater_columns(settings: Settings) -> list[str]:
    return [C.COL_MONTH, C.GROUP_ID, C.GROUP_NAME_COL, C.GROUP_NO, C.GROUP_TEAM_NAME,
            *[name for name, _ in settings.rater_weights], C.COL_WEIGHTED, C.COL_COMMENT]


def read_rater_form(values: list[list[Any]], settings: Settings) -> tuple[pd.DataFrame, list[CellProblem]]:
    """The multi-rater table of 月度评价 as the teacher left it (see
    :func:`read_rater_table`)."""
    form, problems, _ = read_rater_table(values, settings)
    return form, problems


def read_rater_table(values: list[list[Any]], settings: Settings) -> tuple[pd.DataFrame, list[CellProblem], schema.Kept]:
    """The multi-rater table of 月度评价 as the teacher left it: 月份, 学号,
    every rater column found (by name) and 评语; the problems; and what the
    write-back gives back (the teacher's columns and notes, each row keyed by
    月份 + 学号).  A rater cell that is not a 0–100 number is a problem; so is
    a column among the raters that 设置 no longer lists but that holds
    scores, a row holding scores whose 月份 or 学号 cannot be read, and a
    student listed twice in one month: nothing typed is dropped unseen."""
    raters = [name for name, _ in settings.rater_weights]
    cols = [C.COL_MONTH, C.GROUP_ID, *raters, C.COL_COMMENT]
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    got = schema.read_rater_form(values, C.MONTH_SECTION_RATERS, schema.monthly_form(raters), C.GROUP_TEAM_NAME,
                                 C.COL_WEIGHTED, C.SECTION_RATERS)
    if got is None:
        return empty, [], schema.Kept()
    read, problems = got
    typed_cols = [c for c in (*raters, C.COL_COMMENT) if c in read.col]
    rows = []
    keys: dict[int, Any] = {}
    seen: dict[tuple[str, str], int] = {}
    for rec in read.frame.to_dict("records"):
        r = int(rec["_row"])
        month = parse_month(rec[C.COL_MONTH])
        sid = rec[C.GROUP_ID]
        if month is None or not sid:
            if any(_filled(rec.get(c)) for c in typed_cols):
                col = C.COL_MONTH if month is None else C.GROUP_ID
                problems.append(CellProblem(C.MONTHLY, read.ref(r, col), rec.get(col),
                                            "这一行填有评分，应写明月份（如 2026-11）" if month is None
                                            else "这一行填有评分，学号不能为空"))
            continue
        key = (month.key, cells.id_key(sid))
        if key in seen:
            problems.append(CellProblem(C.MONTHLY, read.ref(r, C.GROUP_ID), sid,
                                        f"{month.label}的这位学生与第{seen[key]}行重复：请把两行的评分合成一行"))
            continue
        seen[key] = r
        keys[r] = key
        out: dict[str, Any] = {C.COL_MONTH: month.key, C.GROUP_ID: sid}
        for c in raters:
            out[c] = rec.get(c) if c in read.col else None
        out[C.COL_COMMENT] = rec.get(C.COL_COMMENT) if C.COL_COMMENT in read.col else None
        rows.append(out)
    problems.sort(key=lambda p: schema.cell_order(p.cell))
    kept = schema.Kept(read, keys)
    if not rows:
        return empty, problems, kept
    return pd.DataFrame(rows, columns=cols), problems, kept


def weighted(df: pd.DataFrame, weights: tuple[tuple[str, float], ...]) -> pd.Series:
    """Σ weight × score over the raters filled, divided by their weights;
    blank when nobody has scored yet."""
    names = [n for n, _ in weights]
    w = pd.Series(dict(weights), dtype="float64")
    scores = df[names].apply(pd.to_numeric, errors="coerce").astype("float64")
    filled = scores.notna()
    num = (scores.fillna(0.0) * w).sum(axis=1)
    den = (filled * w).sum(axis=1)
    return (num / den.where(den > 0)).round(1)


def rater_form(existing: pd.DataFrame, members: pd.DataFrame, person_records: pd.DataFrame, teams: pd.DataFrame,
               settings: Settings, month: Month) -> pd.DataFrame:
    """Every month's rows: this month's students (current 分组) with what was
    typed for them kept, and other months' rows as they were."""
    raters = [name for name, _ in settings.rater_weights]
    who = people(members, within(person_records, month))
    names = dict(zip(teams[C.GROUP_NO].astype(int), teams[C.GROUP_TEAM_NAME]))
    typed = existing.set_index([C.COL_MONTH, C.GROUP_ID]) if len(existing) else None
    rows = []
    current = set()
    for rec in who.to_dict("records"):
        sid = rec[C.GROUP_ID]
        current.add(sid)
        g = rec[C.GROUP_NO]
        row = {C.COL_MONTH: month.key, C.GROUP_ID: sid, C.GROUP_NAME_COL: rec[C.GROUP_NAME_COL],
               C.GROUP_NO: g if pd.notna(g) else None, C.GROUP_TEAM_NAME: names.get(int(g)) if pd.notna(g) else None}
        for r in [*raters, C.COL_COMMENT]:
            row[r] = typed.at[(month.key, sid), r] if typed is not None and (month.key, sid) in typed.index and r in typed.columns else None
        rows.append(row)
    # typed rows of this month for students no longer listed are kept
    if len(existing):
        for rec in existing.to_dict("records"):
            if rec[C.COL_MONTH] == month.key and rec[C.GROUP_ID] not in current:
                if any(_filled(rec.get(r)) for r in [*raters, C.COL_COMMENT]):
                    rows.append({C.COL_MONTH: month.key, C.GROUP_ID: rec[C.GROUP_ID], C.GROUP_NAME_COL: None,
                                 C.GROUP_NO: None, C.GROUP_TEAM_NAME: None,
                                 **{r: rec.get(r) for r in [*raters, C.COL_COMMENT]}})
    this = pd.DataFrame(rows, columns=[C.COL_MONTH, C.GROUP_ID, C.GROUP_NAME_COL, C.GROUP_NO, C.GROUP_TEAM_NAME, *raters, C.COL_COMMENT])
    this = _order(this)
    others = existing.loc[existing[C.COL_MONTH] != month.key] if len(existing) else existing
    if len(others):
        # other months: keep their rows; refresh names from the current roster
        info = who.set_index(C.GROUP_ID)
        others = others.copy()
        others[C.GROUP_NAME_COL] = [info[C.GROUP_NAME_COL].get(s) for s in others[C.GROUP_ID]]
        others[C.GROUP_NO] = [info[C.GROUP_NO].get(s) for s in others[C.GROUP_ID]]
        others[C.GROUP_TEAM_NAME] = [names.get(int(g)) if g is not None and pd.notna(g) else None for g in others[C.GROUP_NO]]
        others = others.reindex(columns=this.columns)
        parts = [others.loc[others[C.COL_MONTH] == m] for m in sorted(set(others[C.COL_MONTH]))]
        this = pd.concat([*[_order(p) for p in parts if p[C.COL_MONTH].iloc[0] < month.key], this,
                          *[_order(p) for p in parts if p[C.COL_MONTH].iloc[0] > month.key]], ignore_index=True)
    this[C.GROUP_NO] = pd.to_numeric(this[C.GROUP_NO], errors="coerce").astype("Int64")
    for r in raters:
        this[r] = pd.to_numeric(this[r], errors="coerce").astype("float64")
    this.insert(len(this.columns) - 1, C.COL_WEIGHTED, weighted(this, settings.rater_weights))
    return this.reset_index(drop=True)


def _filled(v: Any) -> bool:
    return v is not None and not (isinstance(v, float) and np.isnan(v)) and clean_text(v) != ""


def _order(df: pd.DataFrame) -> pd.DataFrame:
    g = pd.to_numeric(df[C.GROUP_NO], errors="coerce").fillna(10**6)
    return df.assign(_g=g).sort_values(["_g", C.GROUP_ID], kind="stable").drop(columns="_g")


# --------------------------------------------------------------------------
# 月度评价
# --------------------------------------------------------------------------
@dataclass
class MonthSummary:
    month: Month
    stars: pd.DataFrame
    groups: pd.DataFrame
    form: pd.DataFrame
    n_records: int
    unawarded: dict[str, str] = None  # star → why nobody won it


def summarize_month(group_records: pd.DataFrame, person_records: pd.DataFrame, members: pd.DataFrame,
                    culture: pd.DataFrame, settings: Settings, month: Month, existing_form: pd.DataFrame) -> MonthSummary:
    teams = group_names(members, culture, within(group_records, month), within(person_records, month))
    stars, why = month_stars_and_reasons(person_records, members, settings, month)
    names = dict(zip(teams[C.GROUP_NO].astype(int), teams[C.GROUP_TEAM_NAME]))
    stars[C.GROUP_TEAM_NAME] = pd.Series([names.get(int(g)) if pd.notna(g) else None for g in stars[C.GROUP_NO]], dtype=object)
    groups = month_groups(group_records, teams, month, settings)
    form = rater_form(existing_form, members, person_records, teams, settings, month)
    n = len(within(person_records, month))
    return MonthSummary(month, stars, groups, form, n, why)


def monthly_layout(summary: MonthSummary, settings: Settings, kept: schema.Kept | None = None) -> Layout:
    """月度评价: stars, the school star-group recommendation and the
    multi-rater form; ``kept`` (the form as read): the teacher's columns and
    notes beside it come back, each cell with its 月份 + 学号."""
    raters = [name for name, _ in settings.rater_weights]
    width = len(rater_columns(settings))
    s = Stack(width)
    s.title(f"{settings.class_name} {summary.month.label} 月度评价")
    s.subtitle(f"依据{summary.month.label}的{C.PERSON_RECORDS}和{C.GROUP_RECORDS}；每颗星后写明获得它的分数（并列都评上）　{C.PRIVATE}")
    s.blank()
    s.section(C.MONTH_SECTION_STARS)
    stars = stars_shown(summary.stars, summary.unawarded or {})
    if len(stars):
        s.table(stars, styles={C.GROUP_ID: "id", C.COL_BASIS: "left", C.COL_FIGURE: "total"}, last_spans_to=width)
    else:
        s.hint("本月还没有可评的记录。")
    s.blank()
    s.section(C.MONTH_SECTION_GROUP)
    marks = [(i, "star") for i, t in enumerate(summary.groups[C.COL_AWARD]) if isinstance(t, str) and t]
    s.table(summary.groups, styles={C.COL_TOTAL: "total", C.COL_AWARD: "text"}, row_styles=marks)
    s.blank()
    s.section(C.MONTH_SECTION_RATERS)
    weights = "，".join(f"{n} {fmt_points(w)}" for n, w in settings.rater_weights)
    s.hint(f"每位评价人打 {C.RATING_MIN_SCORE}–{C.RATING_MAX_SCORE} 分（权重：{weights}）；填好后再运行“月度评比”，"
           f"{C.COL_WEIGHTED}按已填的评价人加权算出。填写的分数和{C.COL_COMMENT}在重新运行时保留。")
    validation = Validation("", "decimal", minimum=C.RATING_MIN_SCORE, maximum=C.RATING_MAX_SCORE,
                            prompt_title="评分", prompt=f"{C.RATING_MIN_SCORE}–{C.RATING_MAX_SCORE} 分",
                            error=f"应为 {C.RATING_MIN_SCORE}–{C.RATING_MAX_SCORE} 的分数")
    styles = {C.GROUP_ID: "id", C.COL_WEIGHTED: "total", C.COL_COMMENT: "note", **{r: "entry" for r in raters}}
    header, first, last = s.table(summary.form, styles=styles, validations=[(r, validation) for r in raters],
                                  widths={C.COL_COMMENT: 30, C.COL_MONTH: 9, **{r: 9 for r in raters}})
    layout = s.layout
    if len(summary.form):
        layout.autofilter = range_ref(header, 1, last, width)
    # the form's header repeats at the top of every page after the first
    layout.print = PrintSetup(orientation="landscape", fit_width=1, fit_height=0, title_rows=f"{header}:{header}",
                              header_right=C.PRIVATE, footer="第 &P 页，共 &N 页")
    if kept is not None:
        keys = [(m, cells.id_key(sid)) for m, sid in zip(summary.form[C.COL_MONTH], summary.form[C.GROUP_ID])]
        layout = kept.apply(layout, keys, header_row=header)
    return layout
