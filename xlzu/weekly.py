"""The weekly summary (SPEC 4): group and individual rankings of one school week.

Pure pandas over the record tables (``records.py`` format) and the members
of 分组 (``members.py`` format).  Everything a teacher reads on 周排名-小组,
周排名-个人 and 周历史 is computed here; the sheet layouts are made here too
(they are pure :class:`~xlzu.layout.Layout` descriptions).

Rules (also in the README):

- A group's weekly score is the sum of its 小组记录 points (the duty
  monitor's class sheet); a member's weekly score is the sum of their
  个人记录 points (the leader's member sheet).  The two never mix.
- Ranks: the highest total is 1st; ties share the best rank (1, 2, 2, 4).
- 明星小组 = every group with the highest total, 魔鬼小组 = every group with
  the lowest (labels from 设置).  When every group has the same total nobody
  stands out, and neither title is given.
- 小组捆绑: a member's 综合分 = 个人得分 + 小组捆绑权重 × the group's weekly
  score; 综合名次 ranks the class by it.  Inside a group the bundle adds the
  same amount to everyone, so 组内名次 ranks by 个人得分.
- A member belongs, for the week, to the group on their latest record of that
  week (records keep the group of the day); a member without records that
  week to their group on 分组.
- 上周 is the latest earlier week with 小组记录; 升降 = 上周名次 − 名次 (↑ up,
  ↓ down); 进步最快小组 = the group(s) that rose most places (at least one);
  学期累计 = every 小组记录 from 学期开始日期 to the week's Sunday.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Iterable

import numpy as np
import pandas as pd

from . import contract as C
from . import schema
from .cells import is_blank
from .dates import as_date, monday, short_date, week_days, week_number
from .errors import CellProblem
from .layout import Layout, PrintSetup, ChartSpec, cell_ref, clean_text, range_ref, table_layout
from .records import within
from .settings import Settings, parse_date, parse_number

DECIMALS = 4  # sums are rounded to this many decimals (no 0.30000000000000004)


# --------------------------------------------------------------------------
# Ranking helpers shared by every summary
# --------------------------------------------------------------------------
def rank_desc(values: pd.Series) -> pd.Series:
    """1 for the highest value; ties share the best rank (1, 2, 2, 4);
    missing values get no rank."""
    return pd.to_numeric(values, errors="coerce").astype("float64").rank(method="min", ascending=False).astype("Int64")


def top_set(values: pd.Series) -> list:
    """Index labels of every maximum (empty when all are equal or none)."""
    v = pd.to_numeric(values, errors="coerce").dropna()
    if v.empty or v.max() == v.min():
        return []
    return list(v.index[v == v.max()])


def bottom_set(values: pd.Series) -> list:
    """Index labels of every minimum (empty when all are equal or none)."""
    v = pd.to_numeric(values, errors="coerce").dropna()
    if v.empty or v.max() == v.min():
        return []
    return list(v.index[v == v.min()])


def tidy(x: pd.Series | pd.DataFrame):
    """Round away float noise from sums."""
    return x.round(DECIMALS)


def fmt_points(x: float | None) -> str:
    """14.0 → '14', 2.5 → '2.5', -2 → '-2'."""
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return ""
    x = round(float(x), DECIMALS)
    return str(int(x)) if x.is_integer() else f"{x:g}"


# --------------------------------------------------------------------------
# Who is in which group
# --------------------------------------------------------------------------
def group_names(members: pd.DataFrame, culture: pd.DataFrame, group_records: pd.DataFrame,
                person_records: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every group that exists (on 分组 or in the records): 组号, 组名.

    The name is the group table's 组名, else the members' 组名, else the
    latest record's 组名, else 第N组."""
    names: dict[int, str] = {}
    if person_records is not None and len(person_records):
        for g in person_records[C.REC_GROUP].dropna().unique():
            names.setdefault(int(g), "")

    def take(numbers: Iterable[Any], teams: Iterable[Any]) -> None:
        """Later sources override earlier ones where they name the group."""
        for g, team in zip(numbers, teams):
            if pd.notna(g):
                if isinstance(team, str) and team:
                    names[int(g)] = team
                else:
                    names.setdefault(int(g), "")

    if len(group_records):
        recs = group_records.dropna(subset=[C.REC_GROUP]).sort_values(C.REC_DATE, kind="stable")
        take(recs[C.REC_GROUP], recs[C.REC_TEAM])
    for table in (members, culture):
        if len(table):
            take(table[C.GROUP_NO], table[C.GROUP_TEAM_NAME])
    rows = [(g, names[g] or f"第{g}组") for g in sorted(names)]
    out = pd.DataFrame(rows, columns=[C.GROUP_NO, C.GROUP_TEAM_NAME])
    out[C.GROUP_NO] = out[C.GROUP_NO].astype("int64")
    out[C.GROUP_TEAM_NAME] = out[C.GROUP_TEAM_NAME].astype(object)
    return out


def group_label(group: int, team: str) -> str:
    """第3组 雄鹰队 (or just 第3组 when the group has no name of its own)."""
    base = f"第{int(group)}组"
    return base if not team or team == base else f"{base} {team}"


def people(members: pd.DataFrame, person_records: pd.DataFrame) -> pd.DataFrame:
    """Every student on 分组 or in 个人记录: 学号, 姓名, 代号, 层次, 职务, 组号 (分组).

    Students who are only in the records (left the class) keep the name of
    their latest record."""
    cols = [C.GROUP_ID, C.GROUP_NAME_COL, C.GROUP_CODE, C.GROUP_LAYER, C.GROUP_ROLES, C.GROUP_NO]
    base = members.copy() if len(members) else pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    if C.GROUP_LAYER_OVERRIDE in base.columns:
        override = base[C.GROUP_LAYER_OVERRIDE]
        base[C.GROUP_LAYER] = override.where(override.notna() & (override.astype(object) != ""), base[C.GROUP_LAYER])
    base = base.reindex(columns=cols)
    known = set(base[C.GROUP_ID].dropna())
    extra = []
    if len(person_records):
        recs = person_records.sort_values(C.REC_DATE, kind="stable")
        for sid, name in zip(recs[C.REC_ID], recs[C.REC_NAME]):
            if sid and sid not in known:
                extra.append({C.GROUP_ID: sid, C.GROUP_NAME_COL: name})
    if extra:
        more = pd.DataFrame(extra).drop_duplicates(C.GROUP_ID, keep="last")
        base = pd.concat([base, more.reindex(columns=cols)], ignore_index=True)
    base[C.GROUP_NO] = pd.to_numeric(base[C.GROUP_NO], errors="coerce").astype("Int64")
    for c in cols:
        if c != C.GROUP_NO:
            base[c] = base[c].astype(object).where(base[c].notna(), None)
    return base.reset_index(drop=True)


# --------------------------------------------------------------------------
# Weeks
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Week:
    number: int  # 第N周 counted from 设置's 学期开始日期
    monday: date
    days: tuple[date, ...]  # the week's school days plus any day with records

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def first(self) -> date:
        return self.days[0]

    @property
    def last(self) -> date:
        return self.days[-1]

    @property
    def label(self) -> str:
        return f"第{self.number}周"

    def span(self) -> str:
        """11月23日—11月27日"""
        return f"{short_date(self.first)}—{short_date(self.last)}"

    def contains(self, stamps: pd.Series) -> pd.Series:
        return (stamps >= pd.Timestamp(self.monday)) & (stamps <= pd.Timestamp(self.sunday))


def record_days(*tables: pd.DataFrame) -> list[date]:
    days: set[date] = set()
    for t in tables:
        if len(t):  # each distinct day once (a term's records are tens of thousands of rows)
            days |= {d.date() for d in pd.to_datetime(t[C.REC_DATE].dropna()).dt.normalize().unique()}
    return sorted(days)


def latest_day(*tables: pd.DataFrame) -> date | None:
    days = record_days(*tables)
    return days[-1] if days else None


def make_week(day: date, settings: Settings, *tables: pd.DataFrame) -> Week:
    """The school week containing ``day``: its school days plus every other
    day of that week that has records."""
    start = monday(day)
    days = set(week_days(start, settings.school_days))
    days |= {d for d in record_days(*tables) if start <= d <= start + timedelta(days=6)}
    return Week(week_number(start, settings.term_start), start, tuple(sorted(days)))


def week_from_text(text: str, settings: Settings) -> date | None:
    """A day inside the week a teacher means: a date (2026-11-23), a week
    number (12, 第12周) counted from the term start; None if unreadable."""
    raw = clean_text(text)
    d = parse_date(raw)
    if d is not None:
        return d
    t = raw.replace("第", "").replace("周", "").strip()
    n = parse_number(t)
    if n is not None and float(n).is_integer() and 1 <= n <= 60:
        return monday(settings.term_start) + timedelta(weeks=int(n) - 1)
    return None


def day_label(day: date) -> str:
    """周二 11/24"""
    return f"周{C.WEEKDAYS[day.weekday()]} {day.month}/{day.day}"


def categories_in(records: pd.DataFrame) -> list[str]:
    """CATEGORIES, plus 其他 when some record has another 类别."""
    cats = list(C.CATEGORIES)
    if len(records) and (~records[C.REC_CATEGORY].isin(C.CATEGORIES)).any():
        cats.append(C.CAT_OTHER)
    return cats


def _category(records: pd.DataFrame) -> pd.Series:
    cat = records[C.REC_CATEGORY].astype(object)
    return cat.where(cat.isin(C.CATEGORIES), C.CAT_OTHER)


# --------------------------------------------------------------------------
# The week's tables
# --------------------------------------------------------------------------
@dataclass
class WeekSummary:
    week: Week
    groups: pd.DataFrame  # 名次 组号 组名 <days> 合计 <categories> 称号
    people: pd.DataFrame  # 综合名次 学号 姓名 组号 组名 代号 <days> 个人得分 组内名次 班级名次 小组得分 捆绑分 综合分
    day_columns: list[str]
    category_columns: list[str]
    stars: list[int] = field(default_factory=list)  # 组号
    devils: list[int] = field(default_factory=list)
    n_group_records: int = 0
    n_person_records: int = 0
    board: pd.DataFrame | None = None  # the announcement: see board_table
    previous: Week | None = None  # the latest earlier week with 小组记录 (上周)
    progress: list[int] = field(default_factory=list)  # 进步最快小组 (组号)
    leaders: dict[int, list[str]] = field(default_factory=dict)  # 组号 → 大组长


def summarize_week(
    group_records: pd.DataFrame,
    person_records: pd.DataFrame,
    members: pd.DataFrame,
    culture: pd.DataFrame,
    settings: Settings,
    day: date | None = None,
) -> WeekSummary:
    """The week containing ``day`` (default: the week of the latest record)."""
    if day is None:
        day = latest_day(group_records, person_records) or date.today()
    week = make_week(as_date(day), settings, group_records, person_records)
    grecs, precs = within(group_records, week), within(person_records, week)
    # Groups and students of this week: on 分组 now, or in this week's records
    # (a group or student that has since gone is not ranked in later weeks).
    teams = group_names(members, culture, grecs, precs)
    groups, day_cols, cat_cols = group_table(grecs, teams, week, settings)
    stars = [int(g) for g in groups.loc[groups[C.COL_AWARD] == settings.star_group_label, C.GROUP_NO]]
    devils = [int(g) for g in groups.loc[groups[C.COL_AWARD] == settings.devil_group_label, C.GROUP_NO]]
    table = people_table(precs, members, groups, week, settings)
    summary = WeekSummary(week, groups, table, day_cols, cat_cols, stars, devils, len(grecs), len(precs))
    summary.previous = previous_week(group_records, week, settings)
    last_ranks = pd.Series(dtype="Int64")
    if summary.previous is not None:
        p = summary.previous
        before, _, _ = group_table(within(group_records, p), group_names(members, culture, within(group_records, p)), p, settings)
        last_ranks = before.set_index(C.GROUP_NO)[C.COL_RANK]
    summary.leaders = leaders_of(members)
    summary.board, summary.progress = board_table(summary, group_records, last_ranks, settings)
    return summary


def previous_week(group_records: pd.DataFrame, week: Week, settings: Settings) -> Week | None:
    """The latest week before ``week`` that has 小组记录 (a holiday week is skipped)."""
    if not len(group_records):
        return None
    earlier = group_records.loc[group_records[C.REC_DATE] < pd.Timestamp(week.monday), C.REC_DATE]
    if earlier.empty:
        return None
    return make_week(earlier.max().date(), settings, group_records)


def leaders_of(members: pd.DataFrame) -> dict[int, list[str]]:
    """组号 → the names of its 大组长 (from 分组's 职务)."""
    out: dict[int, list[str]] = {}
    if not len(members) or C.GROUP_ROLES not in members.columns:
        return out
    for name, g, roles in zip(members[C.GROUP_NAME_COL], members[C.GROUP_NO], members[C.GROUP_ROLES]):
        if pd.isna(g) or not isinstance(roles, str):
            continue
        parts = [x.strip() for x in roles.replace(",", C.ROLE_SEPARATOR).replace("，", C.ROLE_SEPARATOR).split(C.ROLE_SEPARATOR)]
        if C.ROLE_LEADER in parts and isinstance(name, str):
            out.setdefault(int(g), []).append(name)
    return out


def change_text(last: Any, now: Any) -> str:
    """↑2 (two places up), ↓1, — (same place), 新 (no rank last week)."""
    if last is None or pd.isna(last) or now is None or pd.isna(now):
        return "新"
    d = int(last) - int(now)
    return f"↑{d}" if d > 0 else (f"↓{-d}" if d < 0 else "—")


def board_table(summary: WeekSummary, group_records: pd.DataFrame, last_ranks: pd.Series,
                settings: Settings) -> tuple[pd.DataFrame, list[int]]:
    """The announcement: 名次, 小组, 大组长, 本周得分, the categories, 上周名次,
    升降, 学期累计 (every 小组记录 from 学期开始日期 to this week's Sunday),
    称号; and the 进步最快小组: the group(s) that rose most places since
    上周 (a rise of at least one place; none without a 上周)."""
    g = summary.groups
    numbers = [int(x) for x in g[C.GROUP_NO]]
    start, end = pd.Timestamp(settings.term_start), pd.Timestamp(summary.week.sunday)
    recs = group_records.dropna(subset=[C.REC_GROUP])
    recs = recs.loc[(recs[C.REC_DATE] >= start) & (recs[C.REC_DATE] <= end)]
    term = tidy(recs[C.REC_POINTS].groupby(recs[C.REC_GROUP].astype("int64")).sum()) if len(recs) else pd.Series(dtype="float64")
    last = [last_ranks.get(n) if n in last_ranks.index else None for n in numbers]
    rise = pd.Series([int(l) - int(r) if l is not None and pd.notna(l) else np.nan for l, r in zip(last, g[C.COL_RANK])],
                     index=numbers, dtype="float64")
    progress = [int(x) for x in rise.index[rise == rise.max()]] if rise.notna().any() and rise.max() > 0 else []
    board = pd.DataFrame({
        C.COL_RANK: g[C.COL_RANK].to_numpy(),
        C.COL_GROUP: [group_label(n, t) for n, t in zip(numbers, g[C.GROUP_TEAM_NAME])],
        C.ROLE_LEADER: ["、".join(summary.leaders.get(n, [])) or None for n in numbers],
        C.COL_WEEK_TOTAL: g[C.COL_TOTAL].to_numpy(),
        **{c: g[c].to_numpy() for c in summary.category_columns},
        C.COL_LAST_RANK: pd.array([None if x is None or pd.isna(x) else int(x) for x in last], dtype="Int64"),
        C.COL_CHANGE: [change_text(l, r) for l, r in zip(last, g[C.COL_RANK])],
        C.COL_TERM_TOTAL: [float(term.get(n, 0.0)) for n in numbers],
        C.COL_AWARD: [a if isinstance(a, str) else (C.PROGRESS_GROUP if n in progress else None)
                      for n, a in zip(numbers, g[C.COL_AWARD])],
    })
    return board, progress


def group_table(records: pd.DataFrame, teams: pd.DataFrame, week: Week, settings: Settings) -> tuple[pd.DataFrame, list[str], list[str]]:
    """One row per group: points per day, total, points per category, rank
    and title.  ``records`` are that week's 小组记录."""
    day_cols = [day_label(d) for d in week.days]
    cats = categories_in(records)
    groups = sorted(set(teams[C.GROUP_NO].astype(int)) | set(records[C.REC_GROUP].dropna().astype(int)))
    index = pd.Index(groups, name=C.GROUP_NO, dtype="int64")
    recs = records.dropna(subset=[C.REC_GROUP])
    g = recs[C.REC_GROUP].astype("int64")
    by_day = recs[C.REC_POINTS].groupby([g, recs[C.REC_DATE].dt.date]).sum().unstack(fill_value=0.0) if len(recs) else pd.DataFrame(index=index)
    by_day = by_day.reindex(index=index, columns=list(week.days), fill_value=0.0).astype("float64")
    by_day.columns = day_cols
    by_cat = recs[C.REC_POINTS].groupby([g, _category(recs)]).sum().unstack(fill_value=0.0) if len(recs) else pd.DataFrame(index=index)
    by_cat = by_cat.reindex(index=index, columns=cats, fill_value=0.0).astype("float64")
    total = tidy(recs[C.REC_POINTS].groupby(g).sum().reindex(index, fill_value=0.0).astype("float64"))
    names = dict(zip(teams[C.GROUP_NO].astype(int), teams[C.GROUP_TEAM_NAME]))
    out = pd.DataFrame(index=index)
    out[C.COL_RANK] = rank_desc(total)
    out[C.GROUP_TEAM_NAME] = pd.Series([names.get(x, f"第{x}组") for x in groups], index=index, dtype=object)
    out = pd.concat([out, tidy(by_day)], axis=1)
    out[C.COL_TOTAL] = total
    out = pd.concat([out, tidy(by_cat)], axis=1)
    titles = pd.Series([None] * len(index), index=index, dtype=object)
    titles.loc[bottom_set(total)] = settings.devil_group_label
    titles.loc[top_set(total)] = settings.star_group_label
    out[C.COL_AWARD] = titles
    out = out.reset_index()
    out = out[[C.COL_RANK, C.GROUP_NO, C.GROUP_TEAM_NAME, *day_cols, C.COL_TOTAL, *cats, C.COL_AWARD]]
    out = out.sort_values([C.COL_RANK, C.GROUP_NO], kind="stable").reset_index(drop=True)
    return out, day_cols, cats


def people_table(
    records: pd.DataFrame,
    members: pd.DataFrame,
    groups: pd.DataFrame,
    week: Week,
    settings: Settings,
) -> pd.DataFrame:
    """One row per student: points per day, own total, ranks, the group's
    total, the bundle share and the composite.  ``records`` are that week's
    个人记录; the students are those on 分组 and those in ``records``."""
    day_cols = [day_label(d) for d in week.days]
    who = people(members, records)
    # The group of the week: the latest record's 组号, else 分组's.
    recs = records.dropna(subset=[C.REC_ID])
    latest = recs.dropna(subset=[C.REC_GROUP]).sort_values(C.REC_DATE, kind="stable").drop_duplicates(C.REC_ID, keep="last")
    week_group = dict(zip(latest[C.REC_ID], latest[C.REC_GROUP].astype(int)))
    ids = list(who[C.GROUP_ID])
    index = pd.Index(ids, name=C.GROUP_ID, dtype=object)
    by_day = recs[C.REC_POINTS].groupby([recs[C.REC_ID], recs[C.REC_DATE].dt.date]).sum().unstack(fill_value=0.0) if len(recs) else pd.DataFrame(index=index)
    by_day = by_day.reindex(index=index, columns=list(week.days), fill_value=0.0).astype("float64")
    by_day.columns = day_cols
    own = tidy(recs[C.REC_POINTS].groupby(recs[C.REC_ID]).sum().reindex(index, fill_value=0.0).astype("float64"))
    group_of = pd.Series(
        [week_group.get(sid, g) for sid, g in zip(who[C.GROUP_ID], who[C.GROUP_NO])], index=index, dtype="Int64"
    )
    totals = groups.set_index(C.GROUP_NO)[C.COL_TOTAL]
    names = groups.set_index(C.GROUP_NO)[C.GROUP_TEAM_NAME]
    group_score = pd.Series([totals.get(int(g)) if pd.notna(g) else np.nan for g in group_of], index=index, dtype="float64")
    bundle = tidy(settings.bundle_weight * group_score.fillna(0.0))
    out = pd.DataFrame(index=index)
    out[C.GROUP_NAME_COL] = list(who[C.GROUP_NAME_COL])
    out[C.GROUP_NO] = group_of
    out[C.GROUP_TEAM_NAME] = pd.Series([names.get(int(g)) if pd.notna(g) else None for g in group_of], index=index, dtype=object)
    out[C.GROUP_CODE] = list(who[C.GROUP_CODE])
    out = pd.concat([out, tidy(by_day)], axis=1)
    out[C.COL_PERSONAL] = own
    in_group = own.groupby(group_of.fillna(-1).astype(int)).rank(method="min", ascending=False).astype("Int64")
    out[C.COL_RANK_IN_GROUP] = in_group.where(group_of.notna(), pd.NA)
    out[C.COL_RANK_IN_CLASS] = rank_desc(own)
    out[C.COL_GROUP_SCORE] = group_score
    out[C.COL_BUNDLE] = bundle.where(group_of.notna(), np.nan)
    out[C.COL_COMPOSITE] = tidy(own + bundle)
    out[C.COL_COMPOSITE_RANK] = rank_desc(out[C.COL_COMPOSITE])
    out = out.reset_index()
    out = out[[C.COL_COMPOSITE_RANK, C.GROUP_ID, C.GROUP_NAME_COL, C.GROUP_NO, C.GROUP_TEAM_NAME, C.GROUP_CODE, *day_cols,
               C.COL_PERSONAL, C.COL_RANK_IN_GROUP, C.COL_RANK_IN_CLASS, C.COL_GROUP_SCORE, C.COL_BUNDLE, C.COL_COMPOSITE]]
    code_key = out[C.GROUP_CODE].fillna("").astype(str)
    out = (out.assign(_g=out[C.GROUP_NO].fillna(10**6), _c=code_key)
              .sort_values([C.COL_COMPOSITE_RANK, "_g", "_c", C.GROUP_ID], kind="stable")
              .drop(columns=["_g", "_c"]).reset_index(drop=True))
    return out


# --------------------------------------------------------------------------
# 周排名-小组 and 周排名-个人
# --------------------------------------------------------------------------
def week_title(summary: WeekSummary, settings: Settings, what: str) -> str:
    return f"{settings.class_name} {summary.week.label} {what}"


def week_subtitle(summary: WeekSummary, settings: Settings) -> str:
    w = summary.week
    text = f"{w.first.year}年{w.span()}"
    names = dict(zip(summary.groups[C.GROUP_NO], summary.groups[C.GROUP_TEAM_NAME]))
    if summary.stars:
        text += f"　{settings.star_group_label}：" + "、".join(group_label(g, names[g]) for g in summary.stars)
    if summary.devils:
        text += f"　{settings.devil_group_label}：" + "、".join(group_label(g, names[g]) for g in summary.devils)
    return text


def week_banner(summary: WeekSummary, settings: Settings) -> str:
    """The praise line of the announcement: 明星小组 and 进步最快小组."""
    names = dict(zip(summary.groups[C.GROUP_NO], summary.groups[C.GROUP_TEAM_NAME]))
    parts = []
    if summary.stars:
        parts.append(f"{settings.star_group_label}：" + "、".join(group_label(g, names[g]) for g in summary.stars))
    if summary.progress:
        parts.append(f"{C.PROGRESS_GROUP}：" + "、".join(group_label(g, names[g]) for g in summary.progress))
    return "　　".join(parts) or "本周各组得分相同，继续加油！"


def _number_styles(columns: Iterable[str]) -> dict[str, str]:
    # 'text' is General: 14 shows as 14 and 2.5 as 2.5 in every spreadsheet
    return {c: "text" for c in columns}


# The announcement is printed on one landscape A4 page, fitted: the sheet's
# columns and rows are sized so its shape is the page's, so fitting scales it
# up to the whole page instead of leaving a strip at the top.
BOARD_MARGINS = (0.45, 0.4, 0.45, 0.4)  # inches: top, right, bottom, left
_A4_LANDSCAPE = (11.69, 8.27)  # inches


def _width_points(characters: float) -> float:
    """A column of ``characters`` width in points (Excel: 7 px a character + 5 px padding, 96 dpi)."""
    return (characters * 7 + 5) * 0.75


def _board_width(text: Any, size: float) -> float:
    """Column width (characters) that holds ``text`` in ``size`` pt."""
    from .layout import _display_width

    return _display_width(clean_text(text)) * size / 11 + 2


def group_ranking_layout(summary: WeekSummary, settings: Settings) -> Layout:
    """周排名-小组: an announcement filling one landscape A4 page in large
    type (名次, 小组, 大组长, 本周得分 and its categories, 上周名次 and 升降,
    学期累计, 称号), and below the printed page the day-by-day detail (组号,
    each day, 合计, categories) that ties every figure to 小组记录."""
    board = summary.board
    cols = [str(c) for c in board.columns]
    n = len(cols)
    layout = Layout()
    rows = layout.rows
    full = lambda r: range_ref(r, 1, r, n)  # noqa: E731

    def line(text: str, key: str, height: float) -> int:
        rows.append([text] + [None] * (n - 1))
        r = len(rows)
        layout.merges.append(full(r))
        layout.style(full(r), key)
        layout.heights[r] = height
        return r

    line(week_title(summary, settings, "小组周排名"), "board_title", 46)
    line(f"{summary.week.first.year}年{summary.week.span()}", "board_subtitle", 26)
    line(week_banner(summary, settings), "board_banner", 36)
    header = len(rows) + 1
    rows.append([c[: len(c) // 2] + "\n" + c[len(c) // 2:] if len(c) >= 4 else c for c in cols])  # 本周/得分
    layout.style(full(header), "board_header")
    first = header + 1
    for rec in board.itertuples(index=False, name=None):
        rows.append(list(rec))
    last = header + len(board)
    marks = [(i, "star") for i, t in enumerate(board[C.COL_AWARD]) if t == settings.star_group_label]
    marks += [(i, "devil") for i, t in enumerate(board[C.COL_AWARD]) if t == settings.devil_group_label]
    for pos, key in marks:
        layout.style(full(first + pos), key)
    if len(board):
        for j, c in enumerate(cols, start=1):
            key = "board_total" if c == C.COL_WEEK_TOTAL else "board_cell"
            layout.style(range_ref(first, j, last, j), key)
    # widths: each column holds its widest value in the body's type size.  The
    # figures' columns share one width (a live workbook sizes them in one call
    # however the figures run); 小组, 大组长 and 称号 are wider than that.
    def needed(j: int, c: str) -> float:
        values = [board.iloc[i, j - 1] for i in range(len(board))]
        body = max([_board_width(fmt_points(v) if isinstance(v, float) else v, 22) for v in values] + [0])
        return max(body, _board_width(c[: (len(c) + 1) // 2] if len(c) >= 4 else c, 16) + 1)  # long headers on two lines

    wide = (C.COL_GROUP, C.ROLE_LEADER, C.COL_AWARD)
    figure = round(max([needed(j, c) for j, c in enumerate(cols, start=1) if c not in wide] + [9]) + 0.4)
    widths = {j: float(figure) for j, c in enumerate(cols, start=1)}
    widths[cols.index(C.COL_GROUP) + 1] = max(round(needed(cols.index(C.COL_GROUP) + 1, C.COL_GROUP)), figure + 3)
    leader = max(round(needed(cols.index(C.ROLE_LEADER) + 1, C.ROLE_LEADER)), figure + 1)
    widths[cols.index(C.ROLE_LEADER) + 1] = leader + (0.5 if leader == widths[cols.index(C.COL_GROUP) + 1] else 0)
    widths[cols.index(C.COL_AWARD) + 1] = max(round(needed(cols.index(C.COL_AWARD) + 1, C.COL_AWARD)), figure + 2)
    layout.widths = widths
    prev = summary.previous
    note = (f"{C.COL_LAST_RANK}：{prev.label}（{prev.span()}）；" if prev is not None else f"{C.COL_LAST_RANK}：本学期第一次汇总，没有上周；")
    note += (f"{C.COL_CHANGE}：↑ 上升、↓ 下降的名次；{C.COL_TERM_TOTAL}：{settings.term_start.month}月{settings.term_start.day}日开学以来"
             f"全部{C.GROUP_RECORDS}之和；{C.PROGRESS_GROUP}：比上周上升名次最多的小组。{C.COL_WEEK_TOTAL}相同的小组名次相同；"
             f"每一分都在“{C.GROUP_RECORDS}”中，下方“{C.WEEK_SECTION_DETAIL}”逐日列出。")
    layout.heights[header] = 46
    line(note, "board_note", 34)
    sign_text = "值日班长：______________" + "　" * 16 + "班主任审核：______________"
    sign_row = line(sign_text, "board_sign", 34)
    # rows fill the page: the body rows take what the page's shape leaves
    total_w = sum(_width_points(w) for w in widths.values())
    page_w = (_A4_LANDSCAPE[0] - BOARD_MARGINS[1] - BOARD_MARGINS[3]) * 72
    page_h = (_A4_LANDSCAPE[1] - BOARD_MARGINS[0] - BOARD_MARGINS[2]) * 72
    fixed = sum(layout.heights.values())
    body = max(total_w * page_h / page_w * 0.97 - fixed, 0)
    row_h = round(min(max(body / max(len(board), 1), 30), 90), 1)
    for r in range(first, last + 1):
        layout.heights[r] = row_h
    area = range_ref(1, 1, sign_row, n)
    # ---- below the printed page: the detail, traceable to 小组记录 ------------
    rows.append([])
    rows.append([])
    sec = len(rows) + 1
    rows.append([C.WEEK_SECTION_DETAIL])
    layout.style(cell_ref(sec, 1), "section")
    df = summary.groups
    dcols = [str(c) for c in df.columns]
    dh = len(rows) + 1
    rows.append(dcols)
    for rec in df.itertuples(index=False, name=None):
        rows.append(list(rec))
    layout.style(range_ref(dh, 1, dh, len(dcols)), "header")
    if len(df):
        layout.style(range_ref(dh + 1, 1, dh + len(df), len(dcols)), "text")
    layout.print = PrintSetup(orientation="landscape", fit_width=1, fit_height=1, area=area, margins=BOARD_MARGINS,
                              center_horizontally=True, center_vertically=True)
    return layout


def people_ranking_layout(summary: WeekSummary, settings: Settings) -> Layout:
    """周排名-个人: the class by 综合分, with every figure that makes it; a
    band over the header separates the member's own points (个人考核) from
    the group's share (小组捆绑).  Individual ranks: 仅供班主任留存 on the
    sheet and in the page header."""
    df = summary.people
    styles = _number_styles([C.COL_COMPOSITE_RANK, C.GROUP_NO, *summary.day_columns, C.COL_PERSONAL, C.COL_RANK_IN_GROUP,
                             C.COL_RANK_IN_CLASS, C.COL_GROUP_SCORE, C.COL_BUNDLE])
    styles[C.COL_COMPOSITE] = "total"
    styles[C.GROUP_ID] = "id"
    # four-character headers on one line (a narrower column breaks them mid-word: 综合名/次)
    widths = {C.COL_COMPOSITE_RANK: 8.5, C.GROUP_NO: 5, C.GROUP_CODE: 5, C.GROUP_ID: 11, C.COL_PERSONAL: 8.5,
              C.COL_RANK_IN_GROUP: 8.5, C.COL_RANK_IN_CLASS: 8.5, C.COL_GROUP_SCORE: 8.5, C.COL_BUNDLE: 7, C.COL_COMPOSITE: 7}
    widths.update({c: 6 for c in summary.day_columns})
    weight = fmt_points(settings.bundle_weight)
    subtitle = (f"{summary.week.first.year}年{summary.week.span()}　{C.COL_COMPOSITE} = {C.COL_PERSONAL} + {C.COL_BUNDLE}"
                f"（{weight} × {C.COL_GROUP_SCORE}，小组捆绑：先小组再个人）　{C.PRIVATE}")
    layout = table_layout(
        df,
        title=week_title(summary, settings, "个人周排名"),
        subtitle=subtitle,
        column_styles=styles,
        widths=widths,
        print_setup=None,
        autofilter=True,
    )
    n_cols = layout.n_cols
    # the band above the header: 个人考核 | 小组捆绑 (| 综合分 alone)
    cols = [str(c) for c in df.columns]
    own_first = cols.index(summary.day_columns[0]) + 1 if summary.day_columns else cols.index(C.COL_PERSONAL) + 1
    own_last = cols.index(C.COL_RANK_IN_CLASS) + 1
    bundle_first, bundle_last = cols.index(C.COL_GROUP_SCORE) + 1, cols.index(C.COL_BUNDLE) + 1
    band = [None] * n_cols
    band[own_first - 1] = C.WEEK_PEOPLE_OWN
    band[bundle_first - 1] = C.WEEK_PEOPLE_BUNDLE
    layout.rows.insert(2, band)
    layout.styles = [(_down(ref, 3), key) for ref, key in layout.styles]
    layout.merges = [_down(ref, 3) for ref in layout.merges]
    layout.heights = {r + 1 if r >= 3 else r: h for r, h in layout.heights.items()}
    layout.freeze = _down(layout.freeze, 3) if layout.freeze else None
    layout.autofilter = _down(layout.autofilter, 3) if layout.autofilter else None
    layout.merges += [range_ref(3, own_first, 3, own_last), range_ref(3, bundle_first, 3, bundle_last)]
    layout.style(range_ref(3, own_first, 3, own_last), "category")
    layout.style(range_ref(3, bundle_first, 3, bundle_last), "category")
    layout.heights[4] = 30
    layout.print = PrintSetup(orientation="portrait", fit_width=1, fit_height=0, title_rows="1:4",
                              margins=(0.6, 0.4, 0.6, 0.4), header_right=C.PRIVATE, footer="第 &P 页，共 &N 页")
    foot = layout.n_rows + 2
    layout.rows.append([])
    layout.rows.append([
        f"核对：{C.COL_PERSONAL} = 各天得分之和，明细在“{C.PERSON_RECORDS}”（按{C.REC_ID}、{C.REC_DATE}筛选）；"
        f"{C.COL_BUNDLE} = {weight} × {C.COL_GROUP_SCORE}；{C.COL_COMPOSITE} = {C.COL_PERSONAL} + {C.COL_BUNDLE}。"
        f"{C.PRIVATE_NOTE}。"
    ])
    layout.merges.append(range_ref(foot, 1, foot, n_cols))
    layout.style(range_ref(foot, 1, foot, n_cols), "board_note")
    layout.heights[foot] = 30
    return layout


def _down(ref: str, at: int) -> str:
    """``ref`` with every row from ``at`` on moved one row down (a row inserted above ``at``)."""
    from .layout import parse_range

    r1, c1, r2, c2 = parse_range(ref)
    return range_ref(r1 + (r1 >= at), c1, r2 + (r2 >= at), c2)


# --------------------------------------------------------------------------
# 周历史: one row per group per week, and the trend chart
# --------------------------------------------------------------------------
def history_rows(summary: WeekSummary) -> pd.DataFrame:
    g = summary.groups
    out = pd.DataFrame({
        C.COL_WEEK: pd.Series([summary.week.number] * len(g), dtype="int64"),
        C.COL_WEEK_START: pd.Series([pd.Timestamp(summary.week.first)] * len(g), dtype="datetime64[ns]"),
        C.COL_WEEK_END: pd.Series([pd.Timestamp(summary.week.last)] * len(g), dtype="datetime64[ns]"),
        C.GROUP_NO: g[C.GROUP_NO].astype("int64").to_numpy(),
        C.GROUP_TEAM_NAME: g[C.GROUP_TEAM_NAME].astype(object).to_numpy(),
        C.COL_TOTAL: g[C.COL_TOTAL].astype("float64").to_numpy(),
        C.COL_RANK: g[C.COL_RANK].astype("Int64").to_numpy(),
        C.COL_AWARD: g[C.COL_AWARD].astype(object).to_numpy(),
    })
    return out.sort_values(C.GROUP_NO, kind="stable").reset_index(drop=True)


def empty_history() -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype=object) for c in C.WEEK_HISTORY_COLUMNS})
    return _typed_history(out)


def _typed_history(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df[C.COL_WEEK] = pd.to_numeric(df[C.COL_WEEK], errors="coerce").astype("int64")
    for c in (C.COL_WEEK_START, C.COL_WEEK_END):
        df[c] = pd.to_datetime(df[c]).astype("datetime64[ns]") if len(df) else pd.Series(dtype="datetime64[ns]")
    df[C.GROUP_NO] = pd.to_numeric(df[C.GROUP_NO], errors="coerce").astype("int64")
    df[C.COL_TOTAL] = pd.to_numeric(df[C.COL_TOTAL], errors="coerce").astype("float64")
    df[C.COL_RANK] = pd.to_numeric(df[C.COL_RANK], errors="coerce").astype("Int64")
    for c in (C.GROUP_TEAM_NAME, C.COL_AWARD):
        df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df.reset_index(drop=True)


def read_history(values: list[list]) -> tuple[pd.DataFrame, list[CellProblem]]:
    """周历史's table (from A1).  A sheet that has no table yet (the
    placeholder) has no history; a row the teacher broke is reported."""
    read = schema.read(values, schema.WEEK_HISTORY)
    if not read.found:
        # The placeholder (title, hint) has no history; anything more is a
        # history whose header was broken: never rewrite it as empty.
        if any(not is_blank(v) for r in values[2:] for v in r):
            return empty_history(), [CellProblem(C.WEEK_HISTORY, "A1", None, "应有一行列名：" + "、".join(C.WEEK_HISTORY_COLUMNS))]
        return empty_history(), []
    rows = []
    for rec in read.frame.to_dict("records"):
        rows.append({C.COL_WEEK: rec[C.COL_WEEK], C.COL_WEEK_START: rec[C.COL_WEEK_START],
                     C.COL_WEEK_END: rec[C.COL_WEEK_END], C.GROUP_NO: rec[C.GROUP_NO],
                     C.GROUP_TEAM_NAME: rec[C.GROUP_TEAM_NAME], C.COL_TOTAL: rec[C.COL_TOTAL],
                     C.COL_RANK: rec[C.COL_RANK], C.COL_AWARD: rec[C.COL_AWARD]})
    if not rows:
        return empty_history(), read.problems
    return _typed_history(pd.DataFrame(rows, columns=list(C.WEEK_HISTORY_COLUMNS))), read.problems


def upsert_history(existing: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """``existing`` with the week of ``new`` replaced (by its first day's
    week: the Monday of 开始日期), sorted by week then group."""
    if not len(new):
        return existing
    week_monday = lambda s: s.dt.normalize() - pd.to_timedelta(s.dt.day_of_week, unit="D")  # noqa: E731
    replaced = set(week_monday(new[C.COL_WEEK_START]))
    kept = existing.loc[~week_monday(existing[C.COL_WEEK_START]).isin(replaced)] if len(existing) else existing
    out = pd.concat([kept, new], ignore_index=True) if len(kept) else new.copy()
    out = _typed_history(out)
    return out.sort_values([C.COL_WEEK_START, C.GROUP_NO], kind="stable").reset_index(drop=True)


HISTORY_CHART_COLUMN = len(C.WEEK_HISTORY_COLUMNS) + 2  # one blank column after the table
HISTORY_CHART_ROWS = 23  # rows the chart covers above its data block


def history_layout(history: pd.DataFrame, settings: Settings) -> Layout:
    """The history table from A1; to its right a native line chart of each
    group's weekly total, over the block of data it draws (周次 × 组)."""
    styles = {C.COL_WEEK: "text", C.COL_WEEK_START: "date", C.COL_WEEK_END: "date", C.GROUP_NO: "text",
              C.COL_TOTAL: "text", C.COL_RANK: "text", C.COL_AWARD: "text"}
    layout = table_layout(history, column_styles=styles, autofilter=True,
                          widths={C.COL_WEEK_START: 12, C.COL_WEEK_END: 12, C.COL_AWARD: 12, C.GROUP_TEAM_NAME: 12})
    if not len(history):
        return layout
    # the chart's data: one row per week, one column per group
    pivot = history.pivot_table(index=[C.COL_WEEK_START, C.COL_WEEK], columns=C.GROUP_NO, values=C.COL_TOTAL, aggfunc="sum")
    pivot = pivot.sort_index()
    latest_names = history.sort_values(C.COL_WEEK_START, kind="stable").drop_duplicates(C.GROUP_NO, keep="last")
    names = dict(zip(latest_names[C.GROUP_NO], latest_names[C.GROUP_TEAM_NAME]))
    groups = list(pivot.columns)
    left = HISTORY_CHART_COLUMN
    top = HISTORY_CHART_ROWS + 1
    need_rows = top + len(pivot)
    while len(layout.rows) < need_rows:
        layout.rows.append([])
    header = [C.COL_WEEK] + [group_label(g, names.get(g) or "") for g in groups]
    _put(layout.rows, top, left, header)
    for k, ((_, week), values) in enumerate(pivot.iterrows(), start=1):
        _put(layout.rows, top + k, left, [f"第{int(week)}周"] + [None if pd.isna(v) else float(v) for v in values])
    right = left + len(groups)
    last = top + len(pivot)
    layout.style(range_ref(top, left, top, right), "header")
    layout.style(range_ref(top + 1, left, last, right), "text")
    for j in range(left, right + 1):
        layout.widths[j] = 12 if j > left else 8
    layout.charts.append(ChartSpec(
        kind="line",
        title=f"{settings.class_name} 各小组周得分走势",
        data=range_ref(top, left + 1, last, right),
        categories=range_ref(top + 1, left, last, left),
        anchor=cell_ref(1, left),
        x_title=C.COL_WEEK,
        y_title="周得分",
        width_cm=max(16, min(30, 3 + 1.2 * len(pivot))),
        height_cm=11,
        markers=True,
        smooth=False,
        **dict(zip(("y_min", "y_max"), axis_bounds(pivot.to_numpy(dtype="float64")))),
    ))
    # titled in the page header: the table stays at A1, the chart beside it
    layout.print = PrintSetup(orientation="landscape", fit_width=1, fit_height=0,
                              header=f"{settings.class_name}　{C.WEEK_HISTORY}（各小组每周得分）".lstrip("　"),
                              footer="第 &P 页，共 &N 页")
    return layout


def axis_bounds(values: Any) -> tuple[float | None, float | None]:
    """A value axis that starts near the data (not at 0): the lowest and
    highest values with a margin, on a round step (1, 2, 5, 10, 20, 50 …)."""
    v = np.asarray(values, dtype="float64")
    v = v[~np.isnan(v)]
    if not v.size:
        return None, None
    lo, hi = float(v.min()), float(v.max())
    span = hi - lo if hi > lo else max(abs(hi), 10.0) * 0.5
    raw = span / 5
    magnitude = 10 ** np.floor(np.log10(raw)) if raw > 0 else 1.0
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    low = float(np.floor((lo - 0.1 * span) / step) * step)
    high = float(np.ceil((hi + 0.1 * span) / step) * step)
    return low, high


def _put(rows: list[list], row: int, col: int, values: list) -> None:
    r = rows[row - 1]
    need = col - 1 + len(values)
    if len(r) < need:
        r.extend([None] * (need - len(r)))
    r[col - 1 : need] = values
