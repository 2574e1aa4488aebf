"""设置: written with defaults, edited by the teacher, read back by every operation."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from xlzu import contract as C
from xlzu import import_roster
from xlzu.book import open_book
from xlzu.errors import SettingsError
from xlzu.ops import load_settings
from xlzu.settings import DEFAULT, parse_weekdays


def find(ws, label: str, column: int = 1) -> int:
    """Row of the first cell in ``column`` (A) that says ``label``."""
    for row in ws.iter_rows(min_col=column, max_col=column):
        if row[0].value == label:
            return row[0].row
    raise AssertionError(f"{label} not on 设置")


def test_defaults_round_trip(class_book):
    settings = load_settings(open_book(class_book))
    assert settings.class_name == "初二(3)班"
    assert settings.subject_names == C.DEFAULT_SUBJECTS
    assert settings.items == C.DEFAULT_ITEMS
    assert settings.rules == C.DEFAULT_RULES
    assert settings.rater_weights == C.DEFAULT_RATER_WEIGHTS
    assert settings.group_rater_weights == C.DEFAULT_GROUP_RATER_WEIGHTS
    assert (settings.term_start, settings.school_days, settings.periods, settings.group_size) == (
        DEFAULT.term_start, (0, 1, 2, 3, 4), 7, 8)
    assert settings == DEFAULT.with_changes(class_name="初二(3)班")


def test_teacher_edits_take_effect(class_book):
    wb = openpyxl.load_workbook(class_book)
    ws = wb[C.SETTINGS]
    ws.cell(find(ws, "每天节数"), 2).value = 8
    ws.cell(find(ws, "上课日"), 2).value = "周一至周五"
    ws.cell(find(ws, "学期开始日期"), 2).value = "2026/8/31"
    ws.cell(find(ws, "魔鬼小组称号"), 2).value = "待进步小组"
    ws.cell(find(ws, "每组人数"), 2).value = "６"  # full-width digit
    # a seventh subject, graded on Mondays and Wednesdays only
    last_subject = find(ws, "历史")
    ws.insert_rows(last_subject + 1)
    ws.cell(last_subject + 1, 1).value = "生物"
    ws.cell(last_subject + 1, 2).value = "一、三"
    ws.cell(find(ws, "作业", 2), 4).value = 5  # 作业 max 3 → 5
    wb.save(class_book)

    s = load_settings(open_book(class_book))
    assert s.periods == 8 and s.group_size == 6
    assert s.school_days == (0, 1, 2, 3, 4)
    assert s.term_start == date(2026, 8, 31)
    assert s.devil_group_label == "待进步小组"
    assert s.subject_names[-1] == "生物"
    assert s.preview_subjects(date(2026, 11, 23)) == (*C.DEFAULT_SUBJECTS, "生物")  # Monday
    assert s.preview_subjects(date(2026, 11, 24)) == C.DEFAULT_SUBJECTS  # Tuesday
    assert s.item("作业").maximum == 5


@pytest.mark.parametrize(
    "label, column, value, expected",
    [
        ("每天节数", 2, "十", "应为 1–12 的整数"),
        ("每组人数", 2, 12, "应为 6–10 的整数"),
        ("上课日", 2, "周八", "上课的星期"),
        ("学期开始日期", 2, "开学那天", "应为日期"),
        ("小组捆绑权重", 2, "一半", "之间的数字"),
    ],
)
def test_invalid_setting_names_the_cell(class_book, label, column, value, expected):
    wb = openpyxl.load_workbook(class_book)
    ws = wb[C.SETTINGS]
    row = find(ws, label)
    ws.cell(row, column).value = value
    wb.save(class_book)
    with pytest.raises(SettingsError) as info:
        load_settings(open_book(class_book))
    text = str(info.value)
    assert f"设置!B{row}" in text and expected in text and str(value) in text


def test_every_bad_cell_is_listed_at_once(class_book):
    wb = openpyxl.load_workbook(class_book)
    ws = wb[C.SETTINGS]
    ws.cell(find(ws, "每天节数"), 2).value = 0
    ws.cell(find(ws, "预习", 2), 1).value = "学习"  # not a category
    ws.cell(find(ws, "展示", 2), 3).value = 5  # min 5 ≥ max 3
    ws.cell(find(ws, "质疑", 2), 5).value = "提问之星"  # no such star
    ws.cell(find(ws, "家长"), 2).value = 0.5  # weights now sum to 1.3
    ws.cell(find(ws, C.RULE_CODE_LABELS["preview"]), 8).value = "A=3,B=two"
    wb.save(class_book)
    with pytest.raises(SettingsError) as info:
        load_settings(open_book(class_book))
    problems = info.value.problems
    cells = {p.cell for p in problems}
    assert f"B{find(ws, '每天节数')}" in cells
    assert f"A{find(ws, '学习')}" in cells
    assert f"D{find(ws, '展示', 2)}" in cells
    assert f"E{find(ws, '质疑', 2)}" in cells
    assert f"H{find(ws, C.RULE_CODE_LABELS['preview'])}" in cells
    weights = [p for p in problems if "权重之和" in p.expected]
    assert len(weights) == 1 and "1.3" in weights[0].expected and weights[0].cell.startswith("B")
    assert len(problems) == 6


def test_an_operation_on_bad_settings_highlights_and_changes_nothing_else(class_book):
    wb = openpyxl.load_workbook(class_book)
    ws = wb[C.SETTINGS]
    row = find(ws, "每天节数")
    ws.cell(row, 2).value = "十"
    roster_before = [[c.value for c in r] for r in wb[C.ROSTER].iter_rows()]
    wb.save(class_book)
    with pytest.raises(SettingsError):
        import_roster(class_book)
    wb = openpyxl.load_workbook(class_book)
    assert wb[C.SETTINGS].cell(row, 2).fill.fgColor.rgb[-6:] == C.COLOR_BAD
    assert [[c.value for c in r] for r in wb[C.ROSTER].iter_rows()] == roster_before
    console = " ".join(str(v) for r in wb[C.CONSOLE].iter_rows(values_only=True) for v in r if v)
    assert f"设置!B{row}" in console and "没有完成" in console
    # corrected: the next run succeeds and clears the highlight it left
    wb[C.SETTINGS].cell(row, 2).value = 7
    wb.save(class_book)
    import_roster(class_book)
    wb = openpyxl.load_workbook(class_book)
    assert wb[C.SETTINGS].cell(row, 2).fill.fill_type is None
    assert C.MARKS_NAME not in wb.defined_names


def test_missing_section_is_named(class_book):
    wb = openpyxl.load_workbook(class_book)
    ws = wb[C.SETTINGS]
    ws.cell(find(ws, C.SECTION_RATERS), 1).value = "权重"
    wb.save(class_book)
    with pytest.raises(SettingsError, match="月度多元评价权重"):
        load_settings(open_book(class_book))


@pytest.mark.parametrize(
    "text, days",
    [("一,二,三,四,五", (0, 1, 2, 3, 4)), ("周一至周五", (0, 1, 2, 3, 4)), ("星期一、星期三", (0, 2)),
     ("1-6", (0, 1, 2, 3, 4, 5)), ("一三五", (0, 2, 4)), ("，一 ,二", (0, 1))],
)
def test_weekday_spellings(text, days):
    assert parse_weekdays(text) == days


def test_settings_sheet_has_validation_on_numbers(class_book):
    ws = openpyxl.load_workbook(class_book)[C.SETTINGS]
    row = find(ws, "每组人数")
    hits = [dv for dv in ws.data_validations.dataValidation if any(r.min_row == row and r.min_col == 2 for r in dv.sqref.ranges)]
    assert len(hits) == 1 and (hits[0].type, hits[0].formula1, hits[0].formula2) == ("whole", "6", "10")


def test_rule_codes_are_chinese_and_read_back(class_book):
    wb = openpyxl.load_workbook(class_book)
    ws = wb[C.SETTINGS]
    column_a = [c.value for c in ws["A"]]
    assert all(label in column_a for label in C.RULE_CODE_LABELS.values())
    assert not any(key in column_a for key in C.RULE_CODE_LABELS)
    s = load_settings(open_book(class_book))
    assert [r.key for r in s.rules] == [r.key for r in DEFAULT.rules]  # read back to xlzu's own keys
    # A teacher renames a code to Chinese text of their own: accepted; a repeated one is refused.
    r = column_a.index(C.RULE_CODE_LABELS["deeds"]) + 1
    ws.cell(r, 1).value = "好事加分"
    wb.save(class_book)
    assert "好事加分" in [rule.key for rule in load_settings(open_book(class_book)).rules]
    ws.cell(r, 1).value = C.RULE_CODE_LABELS["hygiene"]
    wb.save(class_book)
    with pytest.raises(SettingsError, match=f"A{r}"):
        load_settings(open_book(class_book))
