"""个人记录 / 小组记录: reading what a teacher may have edited, and the upsert of a saved day."""

from __future__ import annotations

from datetime import date

import openpyxl
import pandas as pd
from hypothesis import given, settings, strategies as st

from xlzu import contract as C
from xlzu.book import open_book
from xlzu.records import from_rows, read_records, records_layout, replace_days


def person(day: str, sid: str, item: str, points: float, source: str = "日表-第1组!D5") -> dict:
    return {C.REC_DATE: pd.Timestamp(day), C.REC_ID: sid, C.REC_NAME: "甲", C.REC_GROUP: 1,
            C.REC_CATEGORY: C.CAT_SELF_STUDY, C.REC_ITEM: item, C.REC_POINTS: points, C.REC_NOTE: None,
            C.REC_SOURCE: source}


def test_records_round_trip_and_edited_rows_are_named(class_book):
    df = from_rows([person("2026-11-23", "001", "预习", 3), person("2026-11-24", "002", "作业", 2.5),
                    person("2026-11-24", "003", "作业", 1)], "person")
    book = open_book(class_book)
    book.write_layout(C.PERSON_RECORDS, records_layout(df, "person"))
    book.save()
    back, problems = read_records(open_book(class_book).read_values(C.PERSON_RECORDS), "person")
    assert problems == []
    pd.testing.assert_frame_equal(back, df, check_dtype=False)
    # the teacher types over two cells
    wb = openpyxl.load_workbook(class_book)
    ws = wb[C.PERSON_RECORDS]
    ws["G3"] = "两分"
    ws["A4"] = "昨天"
    ws["G2"] = "３"  # full-width is fine
    wb.save(class_book)
    back, problems = read_records(open_book(class_book).read_values(C.PERSON_RECORDS), "person")
    assert [str(p) for p in problems] == ["个人记录!G3：“两分” 分数应为数字", "个人记录!A4：“昨天” 应为日期"]
    assert list(back[C.REC_ID]) == ["001"] and back[C.REC_POINTS].tolist() == [3.0]


def test_replace_days_keeps_other_days_and_sources():
    old = from_rows([person("2026-11-23", "001", "预习", 3), person("2026-11-24", "001", "预习", 1),
                     person("2026-11-24", "001", "竞赛", 5, source="班主任录入")], "person")
    new = from_rows([person("2026-11-24", "001", "预习", 2)], "person")
    out = replace_days(old, new, [date(2026, 11, 24)], "person")
    assert sorted(zip(out[C.REC_DATE].dt.day, out[C.REC_ITEM], out[C.REC_POINTS])) == [
        (23, "预习", 3.0), (24, "竞赛", 5.0), (24, "预习", 2.0)]
    cleared = replace_days(out, from_rows([], "person"), [date(2026, 11, 24)], "person")
    assert list(cleared[C.REC_ITEM]) == ["预习", "竞赛"]  # the typed 预习 of the 24th is gone, 竞赛 kept


record = st.builds(
    person,
    st.sampled_from(["2026-11-23", "2026-11-24", "2026-11-25"]),
    st.sampled_from(["001", "002", "003"]),
    st.sampled_from(["预习", "作业", "展示"]),
    st.integers(-5, 5).map(float),
    st.sampled_from(["日表-第1组!D5", "日表-第2组!E6", "导入"]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(record, max_size=20), st.lists(record, max_size=10), st.sets(st.sampled_from([23, 24, 25]), min_size=1))
def test_saving_twice_changes_nothing(old, new, days):
    days = [date(2026, 11, d) for d in days]
    new = [r for r in new if r[C.REC_DATE].date() in days and r[C.REC_SOURCE].startswith("日表")]
    old_df, new_df = from_rows(old, "person"), from_rows(new, "person")
    once = replace_days(old_df, new_df, days, "person")
    twice = replace_days(once, new_df, days, "person")
    pd.testing.assert_frame_equal(once, twice)
    untouched = old_df[~(old_df[C.REC_DATE].dt.date.isin(days) & old_df[C.REC_SOURCE].str.startswith("日表"))]
    assert len(once) == len(untouched) + len(new_df)
