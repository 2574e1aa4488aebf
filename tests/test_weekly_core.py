"""The weekly summary's pandas core: properties on random records, the
worked example of SPEC 3b, and the reader of the record tables."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from reference_records import reference_read_records
from xlzu import contract as C
from xlzu.members import read_culture, read_members
from xlzu.records import empty, from_rows, read_records
from xlzu.settings import DEFAULT
from xlzu.weekly import history_rows, rank_desc, summarize_week, upsert_history

MONDAY = date(2026, 11, 23)  # 第13周 of a term starting 2026-09-01
NO_MEMBERS, _ = read_members([])
NO_CULTURE = read_culture([])
POINTS = st.integers(-10, 10).map(lambda k: k / 2)  # -5 … 5 in halves


def group_rec(day: date, group: int, category: str, points: float, raw=None, item="项目", note=None) -> dict:
    return {C.REC_DATE: pd.Timestamp(day), C.REC_GROUP: group, C.REC_TEAM: None, C.REC_CATEGORY: category,
            C.REC_ITEM: item, C.REC_RAW: raw, C.REC_POINTS: points, C.REC_NOTE: note, C.REC_SOURCE: C.DAILY_CLASS}


def person_rec(day: date, sid: str, group: int | None, category: str, item: str, points: float) -> dict:
    return {C.REC_DATE: pd.Timestamp(day), C.REC_ID: sid, C.REC_NAME: f"学生{sid}", C.REC_GROUP: group,
            C.REC_CATEGORY: category, C.REC_ITEM: item, C.REC_POINTS: points, C.REC_NOTE: None, C.REC_SOURCE: "日表-第1组"}


group_records = st.lists(
    st.tuples(st.integers(-3, 10), st.integers(1, 6), st.sampled_from(C.CATEGORIES + ("其他",)), POINTS),
    max_size=60,
).map(lambda rows: from_rows([group_rec(MONDAY + timedelta(days=d), g, c, p) for d, g, c, p in rows], "group"))

person_records = st.lists(
    st.tuples(st.integers(-3, 10), st.integers(1, 12), st.sampled_from([i.name for i in DEFAULT.items]), POINTS),
    max_size=60,
).map(lambda rows: from_rows([person_rec(MONDAY + timedelta(days=d), f"S{s:02d}", (s - 1) % 4 + 1,
                                         DEFAULT.item(i).category, i, p) for d, s, i, p in rows], "person"))


def in_week(records: pd.DataFrame) -> pd.DataFrame:
    d = records[C.REC_DATE]
    return records.loc[(d >= pd.Timestamp(MONDAY)) & (d <= pd.Timestamp(MONDAY + timedelta(days=6)))]


@hsettings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grecs=group_records, precs=person_records)
def test_group_totals_ranks_and_titles_follow_the_records(grecs, precs):
    s = summarize_week(grecs, precs, NO_MEMBERS, NO_CULTURE, DEFAULT, MONDAY + timedelta(days=2))
    g = s.groups.set_index(C.GROUP_NO)
    week = in_week(grecs)
    # every group with a record this week is listed (a group with records only in other weeks,
    # e.g. one that has since been dissolved, is not ranked); its total is the sum of its records of the week
    assert set(g.index) == set(week[C.REC_GROUP].astype(int)) | set(in_week(precs)[C.REC_GROUP].dropna().astype(int))
    for group, row in g.iterrows():
        expected = week.loc[week[C.REC_GROUP] == group, C.REC_POINTS].sum()
        assert row[C.COL_TOTAL] == pytest.approx(expected, abs=1e-9)
        assert sum(row[c] for c in s.day_columns) == pytest.approx(row[C.COL_TOTAL], abs=1e-9)
        assert sum(row[c] for c in s.category_columns) == pytest.approx(row[C.COL_TOTAL], abs=1e-9)
    totals = g[C.COL_TOTAL]
    for group, row in g.iterrows():  # rank = 1 + number of groups strictly ahead; ties share
        assert row[C.COL_RANK] == 1 + int((totals > row[C.COL_TOTAL]).sum())
    stars = set(g.index[g[C.COL_AWARD] == DEFAULT.star_group_label])
    devils = set(g.index[g[C.COL_AWARD] == DEFAULT.devil_group_label])
    if len(totals) and totals.max() != totals.min():
        assert stars == set(totals.index[totals == totals.max()]) == set(s.stars)
        assert devils == set(totals.index[totals == totals.min()]) == set(s.devils)
    else:  # nobody stands out: no titles
        assert stars == devils == set()
    # the table is in rank order
    assert list(s.groups[C.COL_RANK]) == sorted(s.groups[C.COL_RANK])


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grecs=group_records, precs=person_records)
def test_people_totals_bundle_and_ranks(grecs, precs):
    s = summarize_week(grecs, precs, NO_MEMBERS, NO_CULTURE, DEFAULT, MONDAY)
    p = s.people.set_index(C.GROUP_ID)
    week = in_week(precs)
    group_total = s.groups.set_index(C.GROUP_NO)[C.COL_TOTAL]
    for sid, row in p.iterrows():
        own = week.loc[week[C.REC_ID] == sid, C.REC_POINTS].sum()
        assert row[C.COL_PERSONAL] == pytest.approx(own, abs=1e-9)
        assert sum(row[c] for c in s.day_columns) == pytest.approx(own, abs=1e-9)
        if pd.notna(row[C.GROUP_NO]):
            assert row[C.COL_GROUP_SCORE] == pytest.approx(group_total.get(int(row[C.GROUP_NO]), 0.0))
            assert row[C.COL_COMPOSITE] == pytest.approx(own + DEFAULT.bundle_weight * row[C.COL_GROUP_SCORE], abs=1e-9)
            mates = p.loc[p[C.GROUP_NO] == row[C.GROUP_NO], C.COL_PERSONAL]
            assert row[C.COL_RANK_IN_GROUP] == 1 + int((mates > row[C.COL_PERSONAL]).sum())
        assert row[C.COL_RANK_IN_CLASS] == 1 + int((p[C.COL_PERSONAL] > row[C.COL_PERSONAL]).sum())
        assert row[C.COL_COMPOSITE_RANK] == 1 + int((p[C.COL_COMPOSITE] > row[C.COL_COMPOSITE]).sum())


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grecs=group_records, precs=person_records, other=group_records)
def test_rerunning_a_week_changes_nothing(grecs, precs, other):
    first = summarize_week(grecs, precs, NO_MEMBERS, NO_CULTURE, DEFAULT, MONDAY)
    again = summarize_week(grecs, precs, NO_MEMBERS, NO_CULTURE, DEFAULT, MONDAY + timedelta(days=4))
    pd.testing.assert_frame_equal(first.groups, again.groups)
    pd.testing.assert_frame_equal(first.people, again.people)
    # 周历史: another week, then this week twice — one row per group per week
    before = summarize_week(other, empty("person"), NO_MEMBERS, NO_CULTURE, DEFAULT, MONDAY - timedelta(days=7))
    history = upsert_history(upsert_history(history_rows(before), history_rows(first)), history_rows(again))
    once = upsert_history(history_rows(before), history_rows(first))
    pd.testing.assert_frame_equal(history, once)
    assert not history.duplicated([C.COL_WEEK, C.GROUP_NO]).any()


def test_rank_ties_share_the_best_place():
    assert list(rank_desc(pd.Series([10.0, 8.0, 8.0, 5.0]))) == [1, 2, 2, 4]
    assert list(rank_desc(pd.Series([3.0, 3.0, 3.0]))) == [1, 1, 1]


def worked_example() -> pd.DataFrame:
    """SPEC 3b: graded A, B, D in three previews (3+2+0), placed 1st and 3rd in
    two periods (5+3), −2 for lateness, +3 for a competition prize."""
    day = MONDAY + timedelta(days=1)
    rows = [
        group_rec(day, 1, C.CAT_SELF_STUDY, 3, "A", "语文预习"),
        group_rec(day, 1, C.CAT_SELF_STUDY, 2, "B", "数学预习"),
        group_rec(day, 1, C.CAT_SELF_STUDY, 0, "D", "英语预习"),
        group_rec(day, 1, C.CAT_PARTICIPATION, 5, "1", "第1节名次"),
        group_rec(day, 1, C.CAT_PARTICIPATION, 3, "3", "第4节名次"),
        group_rec(day, 1, C.CAT_HYGIENE_DISCIPLINE, -2, "-2", "卫生纪律", "迟到"),
        group_rec(day, 1, C.CAT_GOOD_DEEDS, 3, "3", "好人好事", "竞赛获奖"),
        # group 2 the same day: B, B, C (5), 2nd in one period (4): 9
        group_rec(day, 2, C.CAT_SELF_STUDY, 2, "B", "语文预习"),
        group_rec(day, 2, C.CAT_SELF_STUDY, 2, "B", "数学预习"),
        group_rec(day, 2, C.CAT_SELF_STUDY, 1, "C", "英语预习"),
        group_rec(day, 2, C.CAT_PARTICIPATION, 4, "2", "第1节名次"),
    ]
    return from_rows(rows, "group")


def test_worked_example_scores_14():
    s = summarize_week(worked_example(), empty("person"), NO_MEMBERS, NO_CULTURE, DEFAULT)
    g = s.groups.set_index(C.GROUP_NO)
    assert s.day_columns[1] == "周二 11/24"
    assert g.at[1, "周二 11/24"] == 14
    assert g.at[1, C.COL_TOTAL] == 14
    assert [g.at[1, c] for c in C.CATEGORIES] == [5, 8, -2, 0, 3]
    assert g.at[2, C.COL_TOTAL] == 9
    assert (g.at[1, C.COL_RANK], g.at[2, C.COL_RANK]) == (1, 2)
    assert s.stars == [1] and s.devils == [2]
    assert s.week.number == 13 and (s.week.first, s.week.last) == (MONDAY, MONDAY + timedelta(days=4))


# --------------------------------------------------------------------------
# The fast reader of the record tables equals records.read_records
# --------------------------------------------------------------------------
messy_date = st.one_of(st.none(), st.just(""), st.datetimes(datetime(2026, 9, 1), datetime(2027, 1, 31)),
                       st.sampled_from(["2026-11-24", "2026/11/24", "2026年11月24日", "昨天", "  ", "2026-13-01"]),
                       st.integers(46000, 46100))
messy_number = st.one_of(st.none(), st.just(""), st.integers(-5, 8), st.floats(-5, 5, allow_nan=False),
                         st.sampled_from(["３", " 2 ", "+3", "－2", "abc", "1.5", "2.0"]))
messy_text = st.one_of(st.none(), st.just(""), st.sampled_from(["预习", " 纪律 ", "迟到", "日表-第1组!D5", "2025001", "Ａ"]),
                       st.integers(1, 3))


def messy_rows(kind: str):
    columns = list(C.PERSON_RECORD_COLUMNS if kind == "person" else C.GROUP_RECORD_COLUMNS)

    def cell(name):
        if name == C.REC_DATE:
            return messy_date
        if name in (C.REC_POINTS, C.REC_GROUP):
            return messy_number
        if name == C.REC_ID:
            return st.one_of(messy_text, st.sampled_from(["2025 001", "２０２５００１", 2025001.0]))
        return messy_text

    row = st.tuples(*[cell(c) for c in columns]).map(list)
    return st.lists(row, max_size=25).map(lambda rows: [columns] + rows)


@hsettings(max_examples=150, deadline=None)
@given(data=st.data(), kind=st.sampled_from(["person", "group"]))
def test_fast_reader_equals_the_reference_reader(data, kind):
    values = data.draw(messy_rows(kind))
    ref, ref_problems = reference_read_records(values, kind)
    fast, fast_problems = read_records(values, kind)
    pd.testing.assert_frame_equal(ref, fast)
    assert [str(p) for p in ref_problems] == [str(p) for p in fast_problems]


def test_fast_reader_wrong_header_and_empty():
    for values in ([], [["日期", "乱"]], [list(C.GROUP_RECORD_COLUMNS)]):
        a, pa = reference_read_records(values, "group")
        b, pb = read_records(values, "group")
        pd.testing.assert_frame_equal(a, b)
        assert [str(p) for p in pa] == [str(p) for p in pb]


def test_groups_without_names_and_members_with_blanks():
    """分组 as read from the sheet (blank 组名, 代号, 职务): no 'nan' anywhere."""
    values = [list(C.GROUP_COLUMNS),
              ["S01", "张三", "男", "A", None, 1, None, "A1", "大组长", None],
              ["S02", "李四", "女", "B", "C", 2, "飞鹰", None, None, None]]
    members, problems = read_members(values)
    assert problems == []
    precs = from_rows([person_rec(MONDAY, "S01", 1, C.CAT_SELF_STUDY, "预习", 3)], "person")
    s = summarize_week(worked_example(), precs, members, read_culture(values), DEFAULT)
    names = dict(zip(s.groups[C.GROUP_NO], s.groups[C.GROUP_TEAM_NAME]))
    assert names == {1: "第1组", 2: "飞鹰"}
    p = s.people.set_index(C.GROUP_ID)
    assert p.at["S01", C.COL_PERSONAL] == 3 and p.at["S02", C.COL_PERSONAL] == 0
    assert pd.isna(p.at["S02", C.GROUP_CODE])  # written as a blank cell
