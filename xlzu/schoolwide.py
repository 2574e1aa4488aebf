"""The school level (SPEC §9): a grade's classes compared fairly.

Pure pandas; the classes come in as their tables (read by the class
readers), the school workbook's sheets go out as Layouts.  Rules (also in
the README):

- **Period.**  A month (its calendar days) or the term (from each class's
  学期开始日期, or the earliest of them, to the latest record of any class, or
  ``until``).
- **Completeness.**  Per class: the school days (its 设置's 上课日) from the
  period's start (not before its 学期开始日期) to the period's last recorded
  day across all classes are *expected*; the dates with any record (小组记录 or
  个人记录) are *recorded*; the rest are *missing*.  A class is flagged when
  its recorded days are fewer than 学校设置's 记录天数下限 (0.8) × the most any
  class recorded, when it has no records at all, and when its point rules
  (设置's 个人考核项目, 班级考核规则, 每天节数, 预习学科) differ from those most
  classes use.  A flagged class is shown but not compared (unless 学校设置
  says 标出的班级也参评 = 是).
- **Fair figure.**  A group's points per member per recorded school day:
  the period's 小组记录 total of the group ÷ its members on 分组 ÷ the class's
  recorded days.  A student's: the period's 个人记录 total ÷ the class's
  recorded days.  Raw totals are shown beside it.
- **Month.**  Each class recommends its 明星小组 by its own rule (the group(s)
  with the month's highest 小组记录 total: :func:`xlzu.monthly.month_groups`);
  the recommendations are ranked by the fair figure; the top 每月校级明星小组数
  (ties: all) are 校级明星小组.
- **Term.**  Every group of every class ranked by the fair figure: the top
  每学期校级先进小组数 are 校级先进小组; every student by theirs: the top
  每学期校级优秀组员数 are 校级优秀组员 (ties: all; nothing for 0 or less).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Iterable

import pandas as pd

from . import contract as C
from .awards import CertificateText, render_certificates
from .dates import long_date, monday
from .errors import CellProblem, SettingsError
from .layout import Layout, PrintSetup, Validation, cell_ref, clean_text, find_row, frame_from_values
from .monthly import Month, month_groups
from .records import within
from .settings import Settings, format_mapping, format_weekdays, normalize_text, parse_number
from .stack import Stack
from .weekly import fmt_points, group_label, group_names, people, rank_desc, record_days, tidy

FAIR_DECIMALS = 4


# --------------------------------------------------------------------------
# 学校设置
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class SchoolSettings:
    school: str = ""
    title: str = ""
    month_groups: int = 3
    term_groups: int = 3
    term_members: int = 10
    coverage: float = 0.8
    include_flagged: bool = False
    issuer: str = "教导处"


YES = {"是", "y", "yes", "1", "√", "✓", "true", "对"}
NO = {"否", "n", "no", "0", "×", "false", "不", ""}


def _in_range(s: C.SchoolScalar, x: float) -> bool:
    return (s.minimum is None or x >= s.minimum) and (s.maximum is None or x <= s.maximum)


def scalar_expected(s: C.SchoolScalar) -> str:
    """What a 学校设置 value must be, from its declaration (contract.SCHOOL_SCALARS):
    the reader's check, its message and Excel's validation use the same range."""
    if s.kind == "yesno":
        return "应为 是 或 否"
    if s.kind == "text":
        return ""
    lo = fmt_points(s.minimum) if s.minimum is not None else None
    hi = fmt_points(s.maximum) if s.maximum is not None else None
    if lo is not None and hi is not None:
        span = f" {lo}–{hi} " + ("的" if s.kind == "int" else "之间的")
    elif lo is not None:
        span = f"不小于 {lo} 的"
    elif hi is not None:
        span = f"不大于 {hi} 的"
    else:
        span = ""
    return f"应为{span}整数" if s.kind == "int" else f"应为{span}数（如 0.8），或百分数（如 80%）"


def read_school_settings(values: list[list[Any]]) -> SchoolSettings:
    """学校设置 as the school left it; a bad value raises naming its cell."""
    problems: list[CellProblem] = []
    changes: dict[str, Any] = {}
    start = find_row(values, C.SCHOOL_SETTINGS_SECTION)
    rows = values[start + 2:] if start is not None else values
    offset = start + 2 if start is not None else 0
    by_label = {}
    for i, row in enumerate(rows):
        label = clean_text(row[0]) if row else ""
        if label:
            by_label.setdefault(label, (offset + i + 1, row[1] if len(row) > 1 else None))
    for s in C.SCHOOL_SCALARS:
        if s.label not in by_label:
            continue
        r, raw = by_label[s.label]
        ref = cell_ref(r, 2)
        if s.kind == "text":
            changes[s.key] = clean_text(raw)
            continue
        if s.kind == "yesno":
            text = normalize_text(raw).lower()
            if text in YES:
                changes[s.key] = True
            elif text in NO:
                changes[s.key] = False
            else:
                problems.append(CellProblem(C.SCHOOL_SETTINGS, ref, clean_text(raw), scalar_expected(s)))
            continue
        text = normalize_text(raw)
        share = text.endswith("%")
        x = parse_number(text[:-1] if share else raw)
        if s.kind == "int":
            if x is None or not float(x).is_integer() or not _in_range(s, x):
                problems.append(CellProblem(C.SCHOOL_SETTINGS, ref, clean_text(raw), scalar_expected(s)))
            else:
                changes[s.key] = int(x)
        else:  # share
            if x is not None and share:
                x = x / 100
            if x is None or not _in_range(s, x):
                problems.append(CellProblem(C.SCHOOL_SETTINGS, ref, clean_text(raw), scalar_expected(s)))
            else:
                changes[s.key] = float(x)
    if problems:
        raise SettingsError(f"“{C.SCHOOL_SETTINGS}”中有需要改正的内容：", problems)
    return replace(SchoolSettings(), **changes)


def school_settings_layout(s: SchoolSettings = SchoolSettings()) -> Layout:
    """学校设置: one line per setting (项目, 值, 说明); the school edits 值."""
    layout = Layout()
    rows = layout.rows
    rows.append(["学校（年级）评比设置（可直接修改；改后重新运行 xlzu school 即生效）"])
    layout.style("A1", "title")
    layout.merges.append("A1:C1")
    layout.heights[1] = 28
    rows.append([])
    rows.append([C.SCHOOL_SETTINGS_SECTION])
    layout.style("A3", "section")
    rows.append(list(C.SCHOOL_SETTINGS_COLUMNS))
    layout.style("A4:C4", "header")
    for k, scalar in enumerate(C.SCHOOL_SCALARS):
        value = getattr(s, scalar.key)
        if scalar.kind == "yesno":
            value = "是" if value else "否"
        rows.append([scalar.label, value, scalar.hint])
        r = 5 + k
        layout.style(cell_ref(r, 1), "text")
        layout.style(cell_ref(r, 2), "entry")
        layout.style(cell_ref(r, 3), "hint")
        if scalar.kind == "int":
            layout.validations.append(Validation(cell_ref(r, 2), "whole", minimum=scalar.minimum, maximum=scalar.maximum,
                                                 error=scalar.label + scalar_expected(scalar), prompt_title=scalar.label,
                                                 prompt=scalar.hint[:250]))
        elif scalar.kind == "yesno":
            layout.validations.append(Validation(cell_ref(r, 2), "list", values=("是", "否")))
    layout.widths = {1: 22, 2: 14, 3: 80}
    return layout


# --------------------------------------------------------------------------
# The classes and the period
# --------------------------------------------------------------------------
@dataclass
class SchoolClass:
    """One class as read from its workbook (read only)."""

    file: str
    settings: Settings
    members: pd.DataFrame
    culture: pd.DataFrame
    group_records: pd.DataFrame
    person_records: pd.DataFrame

    @property
    def name(self) -> str:
        return self.settings.class_name


@dataclass(frozen=True)
class Span:
    kind: str  # month, term
    key: str  # 2026-11 / 全学期
    label: str  # 2026年11月 / 2026—2027学年第一学期
    start: date
    end: date  # inclusive

    def contains(self, stamps: pd.Series) -> pd.Series:
        return (stamps >= pd.Timestamp(self.start)) & (stamps <= pd.Timestamp(self.end))


def month_span(m: Month) -> Span:
    return Span("month", m.key, m.label, m.first, m.next.first - timedelta(days=1))


def term_span(classes: list[SchoolClass], until: date | None = None) -> Span:
    from .awards import term_name

    start = min(c.settings.term_start for c in classes)
    last = max((d for c in classes for d in record_days(c.group_records, c.person_records) if d >= start), default=start)
    end = until or last
    names = Counter(term_name(c.settings) for c in classes)
    return Span("term", C.PERIOD_TERM, names.most_common(1)[0][0], start, end)


def point_rules(s: Settings) -> dict[str, str]:
    """What decides how many points a day can give: the rules compared across classes."""
    out: dict[str, str] = {}
    for i in s.items:
        out[f"个人项目：{i.name}"] = f"{i.category} {fmt_points(i.minimum)}～{fmt_points(i.maximum)}"
    for r in s.rules:
        text = f"{C.RULE_KINDS[r.kind]}，每{C.RULE_PER[r.per]}，{fmt_points(r.minimum)}～{fmt_points(r.maximum)}"
        if r.mapping:
            text += f"，{format_mapping(r.mapping)}"
        out[f"班级规则：{r.name}"] = text
    out["每天节数"] = str(s.periods)
    by_days: dict[tuple[int, ...], list[str]] = {}
    for x in s.subjects:
        if x.preview_days:
            by_days.setdefault(x.preview_days, []).append(x.name)
    out["预习学科"] = "；".join(f"{'、'.join(names)}（{'每天' if days == s.school_days else format_weekdays(days)}）"
                            for days, names in by_days.items()) or "无"
    return out


@dataclass
class Completeness:
    table: pd.DataFrame  # one row per class: SCHOOL_CLASS_COLUMNS
    rules: pd.DataFrame  # one row per rule, one column per class (+ 多数班级)
    flags: dict[str, list[str]]  # class name → flags ([] = compared)
    recorded: dict[str, int]  # class name → recorded school days in the period
    odd_rules: dict[str, list[str]] = field(default_factory=dict)  # class name → rules that differ

    def compared(self, name: str, include_flagged: bool) -> bool:
        if self.recorded.get(name, 0) == 0:
            return False
        return include_flagged or not self.flags.get(name)


def _days_text(days: list[date], limit: int = 12) -> str:
    shown = "、".join(f"{d.month}-{d.day:02d}" for d in days[:limit])
    return shown + (f" 等 {len(days)} 天" if len(days) > limit else "")


def completeness(classes: list[SchoolClass], span: Span, ss: SchoolSettings) -> Completeness:
    recorded: dict[str, list[date]] = {}
    for c in classes:
        recorded[c.name] = [d for d in record_days(within(c.group_records, span), within(c.person_records, span))]
    last = max((d[-1] for d in recorded.values() if d), default=span.end)
    most = max((len(d) for d in recorded.values()), default=0)
    rules = {c.name: point_rules(c.settings) for c in classes}
    fingerprints = Counter(tuple(sorted(r.items())) for r in rules.values())
    common_count = fingerprints.most_common(1)[0][1] if fingerprints else 0
    # The majority's rules; with no majority (every class differs) the first class's.
    majority = dict(fingerprints.most_common(1)[0][0]) if common_count > 1 or len(classes) == 1 else rules[classes[0].name]
    rows, flags, odd = [], {}, {}
    for c in classes:
        start = max(span.start, c.settings.term_start)
        expected = [start + timedelta(days=k) for k in range((last - start).days + 1)]
        expected = [d for d in expected if c.settings.is_school_day(d)]
        have = recorded[c.name]
        missing = sorted(set(expected) - set(have))
        mine = rules[c.name]
        differ = [k for k in sorted(set(mine) | set(majority), key=lambda k: (k not in majority, k)) if mine.get(k) != majority.get(k)]
        odd[c.name] = differ
        f: list[str] = []
        if not have:
            f.append(f"{span.label}没有记录")
        elif len(have) < ss.coverage * most:
            f.append(f"记录偏少：有记录 {len(have)} 天，最多的班级 {most} 天")
        if differ:
            f.append("计分规则与多数班级不同：" + "；".join(f"{k} 为“{mine.get(k, '无')}”（多数班级“{majority.get(k, '无')}”）"
                                                 for k in differ[:4]) + (f" 等 {len(differ)} 处" if len(differ) > 4 else ""))
        flags[c.name] = f
        n_students = int(c.members[C.GROUP_ID].notna().sum()) if len(c.members) else 0
        n_groups = int(c.members[C.GROUP_NO].dropna().nunique()) if len(c.members) else 0
        rows.append({
            C.COL_CLASS: c.name, C.COL_FILE: c.file, "学生数": n_students, "小组数": n_groups,
            "有记录的周数": len({monday(d) for d in have}), C.COL_RECORDED_DAYS: len(have), "应有上课日": len(expected),
            "缺记录天数": len(missing), "缺记录的日期": _days_text(missing) or None,
            "小组记录条数": int(len(within(c.group_records, span))), "个人记录条数": int(len(within(c.person_records, span))),
            "计分规则": "与多数班级相同" if not differ else f"有 {len(differ)} 处不同（见下表）",
            C.COL_FLAGS: "；".join(f) or None,
        })
    table = pd.DataFrame(rows, columns=list(C.SCHOOL_CLASS_COLUMNS))
    keys = list(majority) + [k for c in classes for k in rules[c.name] if k not in majority]
    keys = list(dict.fromkeys(keys))
    matrix = pd.DataFrame({"规则": keys, "多数班级": [majority.get(k) for k in keys]})
    for c in classes:
        matrix[c.name] = [rules[c.name].get(k) for k in keys]
    return Completeness(table, matrix, flags, {k: len(v) for k, v in recorded.items()}, odd)


# --------------------------------------------------------------------------
# Fair figures
# --------------------------------------------------------------------------
def member_counts(c: SchoolClass) -> pd.Series:
    """Members per group on 分组 (组号 → count)."""
    m = c.members.loc[c.members[C.GROUP_NO].notna()] if len(c.members) else c.members
    if not len(m):
        return pd.Series(dtype="int64")
    return m.groupby(m[C.GROUP_NO].astype("int64")).size()


def per_day(total: float, members: int, days: int) -> float | None:
    if not members or not days:
        return None
    return round(total / members / days, FAIR_DECIMALS)


def group_figures(c: SchoolClass, span: Span, days: int) -> pd.DataFrame:
    """Every group of the class in the period: 组号, 组名, 组员数, 合计, 每人每日得分."""
    g = within(c.group_records, span)
    teams = group_names(c.members, c.culture, g, within(c.person_records, span))
    recs = g.dropna(subset=[C.REC_GROUP])
    totals = recs[C.REC_POINTS].groupby(recs[C.REC_GROUP].astype("int64")).sum()
    counts = member_counts(c)
    rows = []
    for no, team in zip(teams[C.GROUP_NO], teams[C.GROUP_TEAM_NAME]):
        total = float(tidy(pd.Series([totals.get(no, 0.0)])).iloc[0])
        n = int(counts.get(no, 0))
        rows.append({C.GROUP_NO: int(no), C.GROUP_TEAM_NAME: team, C.COL_MEMBERS_N: n,
                     C.COL_GROUP_POINTS: total, C.COL_FAIR_GROUP: per_day(total, n, days)})
    return pd.DataFrame(rows, columns=[C.GROUP_NO, C.GROUP_TEAM_NAME, C.COL_MEMBERS_N, C.COL_GROUP_POINTS, C.COL_FAIR_GROUP])


def group_members(c: SchoolClass, group: int) -> tuple[str, ...]:
    """Names of the group's members on 分组, in 代号 order."""
    m = c.members.loc[c.members[C.GROUP_NO] == group] if len(c.members) else c.members
    if not len(m):
        return ()
    m = m.assign(_code=m[C.GROUP_CODE].fillna("Z9")).sort_values(["_code", "_row"], kind="stable")
    return tuple(n for n in m[C.GROUP_NAME_COL] if n)


def _award(ranks: pd.Series, eligible: pd.Series, fair: pd.Series, n: int) -> pd.Series:
    return eligible & ranks.notna() & (ranks.fillna(10**6) <= n) & (fair.fillna(0) > 0)


def _rank(fair: pd.Series, eligible: pd.Series) -> pd.Series:
    return rank_desc(fair.where(eligible))


# --------------------------------------------------------------------------
# The month
# --------------------------------------------------------------------------
def month_rows(classes: list[SchoolClass], m: Month, done: Completeness, ss: SchoolSettings) -> pd.DataFrame:
    """One row per class recommendation (ties: one row each) of month ``m``."""
    span = month_span(m)
    rows = []
    for c in classes:
        days = done.recorded[c.name]
        figures = group_figures(c, span, days)
        teams = figures[[C.GROUP_NO, C.GROUP_TEAM_NAME]]
        ranked = month_groups(c.group_records, teams, m, c.settings)
        picks = ranked.loc[ranked[C.COL_AWARD].notna(), C.GROUP_NO].tolist()
        base = {C.COL_MONTH: m.key, C.COL_CLASS: c.name, C.COL_FILE: c.file, C.COL_RECORDED_DAYS: days,
                C.COL_FLAGS: "；".join(done.flags[c.name]) or None, "_compared": done.compared(c.name, ss.include_flagged)}
        if not picks:
            rows.append({**base, C.GROUP_NO: None, C.COL_RECOMMENDED: None, C.COL_MEMBERS_N: None,
                         C.COL_GROUP_POINTS: None, C.COL_FAIR_GROUP: None, "_compared": False,
                         C.COL_FLAGS: base[C.COL_FLAGS] or "本月没有小组记录，没有推荐"})
            continue
        for no in picks:
            f = figures.loc[figures[C.GROUP_NO] == no].iloc[0]
            rows.append({**base, C.GROUP_NO: int(no), C.COL_RECOMMENDED: group_label(no, f[C.GROUP_TEAM_NAME]),
                         C.COL_MEMBERS_N: int(f[C.COL_MEMBERS_N]), C.COL_GROUP_POINTS: float(f[C.COL_GROUP_POINTS]),
                         C.COL_FAIR_GROUP: f[C.COL_FAIR_GROUP]})
    df = pd.DataFrame(rows)
    fair = pd.to_numeric(df[C.COL_FAIR_GROUP], errors="coerce").astype("float64")
    eligible = df["_compared"].astype(bool) & fair.notna()
    ranks = _rank(fair, eligible)
    won = _award(ranks, eligible, fair, ss.month_groups)
    df[C.COL_SCHOOL_RANK] = ranks
    recommended = df[C.GROUP_NO].notna()
    df[C.COL_SCHOOL_RESULT] = [C.AWARD_SCHOOL_STAR_GROUP if w else ("未参评" if r and not e else None)
                               for w, e, r in zip(won, eligible, recommended)]
    df[C.GROUP_NO] = pd.to_numeric(df[C.GROUP_NO], errors="coerce").astype("Int64")
    df[C.COL_MEMBERS_N] = pd.to_numeric(df[C.COL_MEMBERS_N], errors="coerce").astype("Int64")
    df[C.COL_GROUP_POINTS] = pd.to_numeric(df[C.COL_GROUP_POINTS], errors="coerce").astype("float64")
    df[C.COL_FAIR_GROUP] = fair
    df = df.assign(_r=ranks.fillna(10**6)).sort_values(["_r", C.COL_CLASS], kind="stable").drop(columns=["_r", "_compared"])
    return df.reindex(columns=list(C.SCHOOL_MONTH_COLUMNS)).reset_index(drop=True)


# --------------------------------------------------------------------------
# The term
# --------------------------------------------------------------------------
def term_groups(classes: list[SchoolClass], span: Span, done: Completeness, ss: SchoolSettings) -> pd.DataFrame:
    frames = []
    for c in classes:
        f = group_figures(c, span, done.recorded[c.name])
        f.insert(0, C.COL_CLASS, c.name)
        f[C.COL_RECORDED_DAYS] = done.recorded[c.name]
        f[C.COL_FLAGS] = "；".join(done.flags[c.name]) or None
        f["_compared"] = done.compared(c.name, ss.include_flagged)
        frames.append(f)
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*C.SCHOOL_TERM_GROUP_COLUMNS, "_compared"])
    return _ranked(df, C.COL_FAIR_GROUP, ss.term_groups, C.AWARD_SCHOOL_ADVANCED_GROUP, C.SCHOOL_TERM_GROUP_COLUMNS)


def term_members(classes: list[SchoolClass], span: Span, done: Completeness, ss: SchoolSettings) -> pd.DataFrame:
    frames = []
    for c in classes:
        p = within(c.person_records, span)
        who = people(c.members, p)
        totals = p[C.REC_POINTS].groupby(p[C.REC_ID]).sum() if len(p) else pd.Series(dtype="float64")
        days = done.recorded[c.name]
        rows = []
        for sid, name, no in zip(who[C.GROUP_ID], who[C.GROUP_NAME_COL], who[C.GROUP_NO]):
            if not sid:
                continue
            total = round(float(totals.get(sid, 0.0)), FAIR_DECIMALS)
            rows.append({C.COL_CLASS: c.name, C.GROUP_ID: sid, C.GROUP_NAME_COL: name, C.GROUP_NO: no,
                         C.COL_RECORDED_DAYS: days, C.COL_PERSON_POINTS: total, C.COL_FAIR_PERSON: per_day(total, 1, days),
                         C.COL_FLAGS: "；".join(done.flags[c.name]) or None,
                         "_compared": done.compared(c.name, ss.include_flagged)})
        frames.append(pd.DataFrame(rows))
    df = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) \
        else pd.DataFrame(columns=[*C.SCHOOL_TERM_MEMBER_COLUMNS, "_compared"])
    return _ranked(df, C.COL_FAIR_PERSON, ss.term_members, C.AWARD_SCHOOL_OUTSTANDING_MEMBER, C.SCHOOL_TERM_MEMBER_COLUMNS)


def _ranked(df: pd.DataFrame, fair_col: str, n: int, award: str, columns: Iterable[str]) -> pd.DataFrame:
    fair = pd.to_numeric(df[fair_col], errors="coerce").astype("float64")
    eligible = df["_compared"].astype(bool) & fair.notna()
    ranks = _rank(fair, eligible)
    won = _award(ranks, eligible, fair, n)
    df = df.copy()
    df[fair_col] = fair
    df[C.COL_SCHOOL_RANK] = ranks
    df[C.COL_SCHOOL_RESULT] = [award if w else (None if e else "未参评") for w, e in zip(won, eligible)]
    df[C.GROUP_NO] = pd.to_numeric(df[C.GROUP_NO], errors="coerce").astype("Int64")
    df = df.assign(_r=ranks.fillna(10**6), _f=-fair.fillna(-10**9)).sort_values(["_r", "_f", C.COL_CLASS], kind="stable")
    return df.reindex(columns=list(columns)).reset_index(drop=True)


# --------------------------------------------------------------------------
# Keeping what the school typed
# --------------------------------------------------------------------------
def read_table_at(values: list[list[Any]], header_first: str, *, after: str | None = None,
                  before: str | None = None) -> pd.DataFrame:
    """The table whose header row starts with ``header_first`` (below the
    row whose first cell is ``after``, when given), read to the last used row
    (or to the row whose first cell is ``before``); blank rows inside are
    skipped, not the end.  Empty when absent.  Columns are the header's texts."""
    start = 0
    if after is not None:
        at = find_row(values, after)
        if at is None:
            return pd.DataFrame()
        start = at + 1
    header = find_row(values, header_first, start=start)
    if header is None:
        return pd.DataFrame()
    end = find_row(values, before, start=header) if before is not None else None
    return frame_from_values(values[:end] if end is not None else values, header_row=header, stop_at_blank_row=False)


def typed_columns(existing: pd.DataFrame, computed: Iterable[str]) -> list[str]:
    """The school's own columns of a table read back: 评语, 确认 and every
    column it added (anything not computed)."""
    computed = set(computed)
    extra = [c for c in existing.columns if c != "_row" and c not in computed and not str(c).startswith("Unnamed")
             and clean_text(c)]
    return list(dict.fromkeys([*C.SCHOOL_TYPED_COLUMNS, *extra]))


def _key(values: Iterable[Any]) -> tuple:
    out = []
    for v in values:
        n = parse_number(v)
        out.append(int(n) if n is not None and float(n).is_integer() else clean_text(v))
    return tuple(out)


def keep_typed(new: pd.DataFrame, existing: pd.DataFrame, keys: list[str], computed: Iterable[str]) -> tuple[pd.DataFrame, list[str]]:
    """``new`` with the school's columns filled from ``existing`` by ``keys``;
    also the typed values whose row is gone (for the report)."""
    extra = typed_columns(existing, computed)
    out = new.copy()
    for c in extra:
        out[c] = pd.Series([None] * len(out), dtype=object, index=out.index)
    if not len(existing) or not all(k in existing.columns for k in keys):
        return out, []
    old = {}
    for rec in existing.to_dict("records"):
        old[_key(rec[k] for k in keys)] = rec
    used = set()
    for i, rec in zip(out.index, out.to_dict("records")):
        k = _key(rec[kk] for kk in keys)
        if k in old:
            used.add(k)
            for c in extra:
                v = old[k].get(c)
                out.at[i, c] = v if clean_text(v) else None
    lost = []
    for k, rec in old.items():
        if k in used:
            continue
        typed = [f"{c}“{clean_text(rec.get(c))}”" for c in extra if clean_text(rec.get(c))]
        if typed:
            lost.append(f"{'、'.join(str(x) for x in k if x != '')}：{'，'.join(typed)}")
    return out, lost


# --------------------------------------------------------------------------
# Sheets
# --------------------------------------------------------------------------
PRIVATE = "仅供学校留存"
LINE_HEIGHT = 15  # points per line of wrapped text


def _fit_heights(layout: Layout, first: int, df: pd.DataFrame, wrapped: dict[str, float]) -> None:
    """Rows tall enough for the wrapped text of ``wrapped`` columns (name →
    width in characters; a Chinese character is two)."""
    from .layout import _display_width

    for i, rec in enumerate(df.to_dict("records")):
        lines = 1
        for col, width in wrapped.items():
            text = rec.get(col)
            if isinstance(text, str) and text:
                lines = max(lines, -(-int(_display_width(text)) // max(int(width) - 1, 1)))
        if lines > 1:
            layout.heights[first + i] = LINE_HEIGHT * lines


def classes_layout(done: Completeness, span: Span, title: str) -> Layout:
    s = Stack(len(C.SCHOOL_CLASS_COLUMNS))
    s.title(f"{title} 各班记录和计分规则（{span.label}）")
    s.subtitle(f"{span.start:%Y-%m-%d} 至 {span.end:%Y-%m-%d}；比较之前先看各班的记录是否齐全、计分规则是否相同")
    s.blank()
    marks = [(i, "warn") for i, f in enumerate(done.table[C.COL_FLAGS]) if isinstance(f, str) and f]
    wide = {C.COL_FLAGS: 40, "缺记录的日期": 24, "计分规则": 14}
    _, first, _ = s.table(done.table, styles={C.COL_FLAGS: "left", "缺记录的日期": "left", C.COL_FILE: "left", "计分规则": "left"},
                          widths={**wide, C.COL_FILE: 14}, row_styles=marks)
    _fit_heights(s.layout, first, done.table, wide)
    s.hint("应有上课日：各班“设置”中的上课日，从本期开始（不早于学期开始日期）到各班最后有记录的那天；"
           "有记录上课日：小组记录或个人记录中出现的日期。标黄的班级不参加比较（学校设置中可改）。")
    s.blank()
    s.section(C.SCHOOL_CLASSES_SECTION_RULES)
    s.hint("每个班级“设置”中决定每天能得多少分的规则；与多数班级不同的格标成红色。")
    wide = {c: 18 if c == "规则" else 26 for c in done.rules.columns}
    header, first, _ = s.table(done.rules, styles={c: "left" for c in done.rules.columns}, widths=wide)
    _fit_heights(s.layout, first, done.rules, wide)
    for j, col in enumerate(done.rules.columns[2:], start=3):
        for i, (mine, common) in enumerate(zip(done.rules[col], done.rules["多数班级"])):
            if mine != common:
                s.layout.style(cell_ref(first + i, j), "bad")
    layout = s.layout
    layout.print = PrintSetup(orientation="landscape", fit_width=1, fit_height=0)
    return layout


def month_layout(table: pd.DataFrame, title: str, latest: str) -> Layout:
    width = len(table.columns)
    s = Stack(width)
    s.title(f"{title} 校级明星小组")
    s.subtitle(f"最近评比：{latest}；每月一段，重新评比只替换该月；“评语”“确认”和学校加的列保留")
    s.hint("比较的是每人每日得分 = 推荐小组本月小组得分合计 ÷ 组员数 ÷ 本班有记录的上课日数（班级大小、记录天数不同也能比）；"
           "小组得分合计是原始分。有“标记”的班级不参加比较（见“各班概况”）。")
    s.blank()
    marks = [(i, "star") for i, r in enumerate(table[C.COL_SCHOOL_RESULT]) if r == C.AWARD_SCHOOL_STAR_GROUP]
    marks += [(i, "warn") for i, f in enumerate(table[C.COL_FLAGS]) if isinstance(f, str) and f and (i, "star") not in marks]
    _, first, _ = s.table(table, styles={C.COL_FAIR_GROUP: "decimal", C.COL_GROUP_POINTS: "total", C.COL_FLAGS: "left",
                                         C.COL_FILE: "left", C.COL_COMMENT: "left", C.COL_MONTH: "id"},
                          widths={C.COL_FLAGS: 36, C.COL_COMMENT: 24}, row_styles=sorted(marks))
    _fit_heights(s.layout, first, table, {C.COL_FLAGS: 36, C.COL_COMMENT: 24})
    layout = s.layout
    layout.print = PrintSetup(orientation="landscape", fit_width=1, fit_height=0)
    return layout


def _award_table(s: Stack, frame: pd.DataFrame, award: str, styles: dict[str, str]) -> None:
    """One ranked table of the term sheet: the awarded rows starred, the
    flags and comments left-aligned and their rows as tall as their text."""
    marks = [(i, "star") for i, r in enumerate(frame[C.COL_SCHOOL_RESULT]) if r == award]
    _, first, _ = s.table(frame, styles={**styles, C.COL_FLAGS: "left", C.COL_COMMENT: "left"},
                          widths={C.COL_FLAGS: 30}, row_styles=marks)
    _fit_heights(s.layout, first, frame, {C.COL_FLAGS: 30})


def term_layout(groups: pd.DataFrame, members: pd.DataFrame, span: Span, title: str, ss: SchoolSettings) -> Layout:
    width = max(len(groups.columns), len(members.columns))
    s = Stack(width)
    s.title(f"{title} {span.label} 校级评优（{PRIVATE}）")
    s.subtitle(f"{span.start:%Y-%m-%d} 至 {span.end:%Y-%m-%d}；“评语”“确认”和学校加的列在重新评比时保留")
    s.blank()
    s.section(C.SCHOOL_TERM_SECTION_GROUPS)
    s.hint(f"按每人每日得分（小组得分合计 ÷ 组员数 ÷ 本班有记录的上课日数）排名，前 {ss.term_groups} 名（并列都算）为"
           f"{C.AWARD_SCHOOL_ADVANCED_GROUP}。有“标记”的班级不参加比较。")
    _award_table(s, groups, C.AWARD_SCHOOL_ADVANCED_GROUP, {C.COL_FAIR_GROUP: "decimal", C.COL_GROUP_POINTS: "total"})
    s.blank()
    s.section(C.SCHOOL_TERM_SECTION_MEMBERS)
    s.hint(f"按每日得分（个人得分合计 ÷ 本班有记录的上课日数）排名，前 {ss.term_members} 名（并列都算）为"
           f"{C.AWARD_SCHOOL_OUTSTANDING_MEMBER}。")
    _award_table(s, members, C.AWARD_SCHOOL_OUTSTANDING_MEMBER,
                 {C.GROUP_ID: "id", C.COL_FAIR_PERSON: "decimal", C.COL_PERSON_POINTS: "total"})
    layout = s.layout
    layout.print = PrintSetup(orientation="landscape", fit_width=1, fit_height=0)
    return layout


def school_certificates(awards: list[tuple[str, str, tuple[str, ...]]], span: Span, ss: SchoolSettings,
                        school: str, day: date) -> Layout:
    """校级证书: (award, addressee, members) → one A4 page each, the class
    certificates' look (:func:`xlzu.awards.render_certificates`)."""
    when = span.label if span.kind == "month" else f"{span.label}"
    sign = (school or " ", ss.issuer or " ", long_date(day).split(" ")[0])
    certs = [CertificateText(who, f"在{when}的小组合作学习中表现突出，被评为", award, sign, members)
             for award, who, members in awards]
    return render_certificates(certs, "这次评比没有评出奖项（见评比表）。")
