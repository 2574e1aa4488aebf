"""Typed values → points, forms → records: the rules of 设置, checked cell by cell."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from xlzu import contract as C
from xlzu.dailysheets import Member, Team, class_form, member_form
from xlzu.layout import cell_ref
from xlzu.records import from_rows
from xlzu.scoring import Entry, apply_forms, evaluate, parse_form, parse_forms
from xlzu.settings import DEFAULT, Subject

DAY = date(2026, 11, 24)
GRADE = Entry("语文预习", C.CAT_SELF_STUDY, "grade", 0, 3, C.GRADE_POINTS)
PLACE = Entry("第1节名次", C.CAT_PARTICIPATION, "place", 1, 5, C.PLACE_POINTS)


def fw(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@pytest.mark.parametrize("typed, points", [
    ("A", 3), ("a", 3), (fw("A"), 3), (fw("a"), 3), (" b ", 2), ("C", 1), ("d", 0), ("\u3000Ｄ", 0),
])
def test_grades_in_any_case_and_width(typed, points):
    assert evaluate(GRADE, typed) == (typed.strip().strip("\u3000").upper().translate(
        {ord(fw(k)): k for k in "ABCD"}), points)


@pytest.mark.parametrize("typed", ["E", "AB", 3, "优", "A+", True])
def test_not_a_grade(typed):
    assert evaluate(GRADE, typed) is None


@pytest.mark.parametrize("typed, points", [(1, 5), (2.0, 4), ("3", 3), (fw("4"), 2), (5, 1)])
def test_places(typed, points):
    assert evaluate(PLACE, typed)[1] == points


@pytest.mark.parametrize("typed", [0, 6, 2.5, "一", "1st", -1])
def test_not_a_place(typed):
    assert evaluate(PLACE, typed) is None


@hsettings(max_examples=200, deadline=None)
@given(lo=st.integers(-10, 5), span=st.integers(1, 10), x=st.integers(-15, 15),
       form=st.sampled_from(["int", "float", "text", "fullwidth"]))
def test_points_within_the_range_of_settings(lo, span, x, form):
    hi = lo + span
    entry = Entry("卫生", C.CAT_HYGIENE_DISCIPLINE, "points", lo, hi)
    typed = {"int": x, "float": float(x), "text": f" {x} ",
             "fullwidth": ("－" + fw(str(-x))) if x < 0 else fw(str(x))}[form]
    result = evaluate(entry, typed)
    if lo <= x <= hi:
        assert result == (x, x)
    else:
        assert result is None


@pytest.mark.parametrize("typed", ["好", "1e3", "−2", "2-", "", None])
def test_text_is_not_points(typed):
    entry = Entry("卫生", C.CAT_HYGIENE_DISCIPLINE, "points", -5, 5)
    assert evaluate(entry, typed) is None


# --------------------------------------------------------------------------
# Forms as their cell values
# --------------------------------------------------------------------------
TEAMS = [
    Team(1, "星火队", [Member("1001", "张三", "A1", "大组长"), Member("1002", "李四", "B1", "副组长")]),
    Team(2, "雄鹰队", [Member("2001", "王五", "A1", "大组长"), Member("2002", "赵六", "B1", None)]),
    Team(3, "追梦队", [Member("3001", "孙七", "A1", "大组长")]),
]


def grid(form, typed: dict[str, object]) -> list[list[object]]:
    """The sheet's values after typing (ref → value)."""
    from xlzu.layout import parse_cell

    return form.filled({parse_cell(ref): v for ref, v in typed.items()}).grid()


def col_of(form, item: str) -> int:
    return next(c for c, e in form.entries if e.item == item)


def test_every_bad_cell_is_reported_at_once():
    cls = class_form(DEFAULT, DAY, TEAMS)
    grp = member_form(DEFAULT, DAY, TEAMS[0])
    r1, r2, r3 = (r for r, _ in cls.rows)
    m1, m2 = (r for r, _ in grp.rows)
    bad_class = {
        cell_ref(r1, col_of(cls, "语文预习")): "E",
        cell_ref(r1, col_of(cls, "第1节名次")): 6,
        cell_ref(r2, col_of(cls, "第2节名次")): 2,
        cell_ref(r3, col_of(cls, "第2节名次")): 2,
        cell_ref(r1, col_of(cls, "重大违纪")): -1,  # -5～-2
        cell_ref(r2, col_of(cls, "好人好事")): "很多",
    }
    good_class = {cell_ref(r3, col_of(cls, "数学预习")): "b", cell_ref(r1, col_of(cls, "第3节名次")): 1}
    bad_member = {cell_ref(m1, col_of(grp, "预习")): 4, cell_ref(m2, col_of(grp, "卫生")): "x"}
    forms, problems = parse_forms({cls.sheet: grid(cls, {**bad_class, **good_class}),
                                   grp.sheet: grid(grp, bad_member)}, DEFAULT)
    named = {(p.sheet, p.cell) for p in problems}
    assert named == {(cls.sheet, ref) for ref in bad_class} | {(grp.sheet, ref) for ref in bad_member}
    text = {p.cell: p.expected for p in problems}
    assert "等级" in text[cell_ref(r1, col_of(cls, "语文预习"))]
    assert "填了 2 次" in text[cell_ref(r2, col_of(cls, "第2节名次"))]
    assert "-5～-2" in text[cell_ref(r1, col_of(cls, "重大违纪"))]
    assert "0～3" in text[cell_ref(m1, col_of(grp, "预习"))]


def test_records_from_a_typed_class_sheet():
    cls = class_form(DEFAULT, DAY, TEAMS)
    r1, r2, _ = (r for r, _ in cls.rows)
    typed = {cell_ref(r1, col_of(cls, "语文预习")): "ａ", cell_ref(r2, col_of(cls, "第4节名次")): 1,
             cell_ref(r2, col_of(cls, "第4节加减分")): -2, cell_ref(r1, cls.note_col): "值日认真"}
    form, problems = parse_form(grid(cls, typed), cls.sheet, DEFAULT)
    assert problems == [] and form.day == DAY
    recs = {(r[C.REC_GROUP], r[C.REC_ITEM]): r for r in form.groups}
    assert recs[(1, "语文预习")][C.REC_RAW] == "A" and recs[(1, "语文预习")][C.REC_POINTS] == 3
    assert recs[(1, "语文预习")][C.REC_NOTE] == "值日认真" and recs[(1, "语文预习")][C.REC_TEAM] == "星火队"
    assert recs[(2, "第4节名次")][C.REC_POINTS] == 5 and recs[(2, "第4节加减分")][C.REC_POINTS] == -2
    assert recs[(2, "第4节名次")][C.REC_CATEGORY] == C.CAT_PARTICIPATION
    assert recs[(2, "第4节名次")][C.REC_SOURCE] == f"{cls.sheet}!{cell_ref(r2, col_of(cls, '第4节名次'))}"


def test_a_note_alone_is_kept_with_zero_points():
    grp = member_form(DEFAULT, DAY, TEAMS[0])
    m1 = grp.rows[0][0]
    form, problems = parse_form(grid(grp, {cell_ref(m1, grp.note_col): "请假"}), grp.sheet, DEFAULT)
    assert problems == []
    assert [(r[C.REC_ITEM], r[C.REC_POINTS], r[C.REC_NOTE], r[C.REC_GROUP]) for r in form.person] == [(C.NOTE_ITEM, 0.0, "请假", 1)]


def test_form_typed_before_settings_changed_is_still_read():
    old = class_form(DEFAULT, DAY, TEAMS)
    r1 = old.rows[0][0]
    typed = {cell_ref(r1, col_of(old, "第7节名次")): 1, cell_ref(r1, col_of(old, "历史预习")): "B"}
    changed = DEFAULT.with_changes(periods=5, subjects=DEFAULT.subjects[:5] + (Subject("生物", (0, 1, 2, 3, 4)),))
    form, problems = parse_form(grid(old, typed), old.sheet, changed)
    assert problems == []
    assert {r[C.REC_ITEM] for r in form.groups} == {"第7节名次", "历史预习"}
    # A rule removed from 设置 is a problem only where something was typed under it.
    no_extra = DEFAULT.with_changes(rules=tuple(r for r in DEFAULT.rules if r.key != "extra"))
    assert parse_form(grid(old, typed), old.sheet, no_extra)[1] == []
    typed[cell_ref(r1, col_of(old, "第2节加减分"))] = 1
    _, problems = parse_form(grid(old, typed), old.sheet, no_extra)
    assert len(problems) == 1 and "设置中没有这一栏" in problems[0].expected


def test_points_follow_settings_mapping():
    rules = tuple(r if r.key != "preview" else C.Rule(r.key, r.category, r.name, r.kind, r.per, 0, 5,
                                                       (("A", 5.0), ("B", 3.0), ("C", 1.0), ("D", 0.0)))
                  for r in DEFAULT.rules)
    custom = DEFAULT.with_changes(rules=rules)
    cls = class_form(custom, DAY, TEAMS)
    r1 = cls.rows[0][0]
    form, _ = parse_form(grid(cls, {cell_ref(r1, col_of(cls, "语文预习")): "A"}), cls.sheet, custom)
    assert form.groups[0][C.REC_POINTS] == 5
    total = cls.layout.rows[r1 - 1][cls.total_col - 1]
    assert total.startswith("=") and "{5,5,5,3,3,3,1,1,1,0,0,0}" in total


def test_missing_date_and_duplicate_student_are_problems():
    grp = member_form(DEFAULT, DAY, TEAMS[0])
    m1 = grp.rows[0][0]
    values = grid(grp, {cell_ref(m1, col_of(grp, "预习")): 2})
    values[1] = [v if v != DAY.isoformat() else None for v in values[1]]
    _, problems = parse_form(values, grp.sheet, DEFAULT)
    assert [p.cell for p in problems] == [grp.date_cell]
    # The same student typed on two group sheets of the same date.
    other = member_form(DEFAULT, DAY, Team(2, "雄鹰队", [Member("1001", "张三")]))
    _, problems = parse_forms({grp.sheet: grid(grp, {cell_ref(m1, col_of(grp, "预习")): 2}),
                               other.sheet: grid(other, {cell_ref(other.rows[0][0], col_of(other, "预习")): 3})}, DEFAULT)
    assert len(problems) == 1 and problems[0].sheet == other.sheet


def test_placeholder_is_not_a_form():
    assert parse_form([[C.DAILY_CLASS], ["运行“生成日表”…"]], C.DAILY_CLASS, DEFAULT) == (None, [])


# --------------------------------------------------------------------------
# Saving: the upsert
# --------------------------------------------------------------------------
def _existing() -> tuple[pd.DataFrame, pd.DataFrame]:
    stamp = pd.Timestamp(DAY)
    person = from_rows([
        {C.REC_DATE: stamp, C.REC_ID: "1001", C.REC_NAME: "张三", C.REC_GROUP: 1, C.REC_CATEGORY: C.CAT_SELF_STUDY,
         C.REC_ITEM: "预习", C.REC_POINTS: 1, C.REC_SOURCE: "日表-第1组!E5"},  # on the form: replaced
        {C.REC_DATE: stamp, C.REC_ID: "1001", C.REC_NAME: "张三", C.REC_GROUP: 1, C.REC_CATEGORY: C.CAT_SELF_STUDY,
         C.REC_ITEM: "作业", C.REC_POINTS: 2, C.REC_SOURCE: "日表-第1组!F5"},  # cleared on the form: removed
        {C.REC_DATE: stamp, C.REC_ID: "1001", C.REC_NAME: "张三", C.REC_GROUP: 1, C.REC_CATEGORY: C.CAT_SELF_STUDY,
         C.REC_ITEM: "背诵", C.REC_POINTS: 2, C.REC_SOURCE: "日表-第1组!M5"},  # item no longer on the form: kept
        {C.REC_DATE: stamp, C.REC_ID: "9999", C.REC_NAME: "转走", C.REC_GROUP: 1, C.REC_CATEGORY: C.CAT_SELF_STUDY,
         C.REC_ITEM: "预习", C.REC_POINTS: 3, C.REC_SOURCE: "日表-第1组!E9"},  # student not on the form: kept
        {C.REC_DATE: stamp, C.REC_ID: "1002", C.REC_NAME: "李四", C.REC_GROUP: 1, C.REC_CATEGORY: C.CAT_GOOD_DEEDS,
         C.REC_ITEM: "预习", C.REC_POINTS: 2, C.REC_SOURCE: "补录"},  # another source: kept
        {C.REC_DATE: pd.Timestamp(date(2026, 11, 23)), C.REC_ID: "1001", C.REC_NAME: "张三", C.REC_GROUP: 1,
         C.REC_CATEGORY: C.CAT_SELF_STUDY, C.REC_ITEM: "预习", C.REC_POINTS: 0, C.REC_SOURCE: "日表-第1组!E5"},
    ], "person")
    return person, from_rows([], "group")


def test_save_replaces_exactly_the_cells_of_the_forms():
    person, groups = _existing()
    grp = member_form(DEFAULT, DAY, TEAMS[0])
    m1 = grp.rows[0][0]
    form, _ = parse_form(grid(grp, {cell_ref(m1, col_of(grp, "预习")): 3}), grp.sheet, DEFAULT)
    new_p, new_g, changes = apply_forms(person, groups, [form])
    got = {(r[C.REC_DATE].date(), r[C.REC_ID], r[C.REC_ITEM], r[C.REC_SOURCE]): r[C.REC_POINTS] for r in new_p.to_dict("records")}
    assert got == {
        (DAY, "1001", "预习", f"{grp.sheet}!{cell_ref(m1, col_of(grp, '预习'))}"): 3,
        (DAY, "1001", "背诵", "日表-第1组!M5"): 2,
        (DAY, "9999", "预习", "日表-第1组!E9"): 3,
        (DAY, "1002", "预习", "补录"): 2,
        (date(2026, 11, 23), "1001", "预习", "日表-第1组!E5"): 0,
    }
    assert (changes[0].added, changes[0].changed, changes[0].removed) == (0, 1, 1)
    again, _, changes = apply_forms(new_p, new_g, [form])
    pd.testing.assert_frame_equal(again, new_p)
    assert (changes[0].added, changes[0].changed, changes[0].removed) == (0, 0, 0)
