"""xlzu week on real workbooks: the ranking tabs, 周历史 and its chart, printing."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from conftest import pdf_pages, pdf_text
from summary_helpers import demo_class_with_records, class_records, make_members, roster_of, school_days, write_class
from xlzu import contract as C
from xlzu.book.files import FileBook
from xlzu.errors import InputError
from xlzu.layout import clean_text, find_row
from xlzu.ops.summary import month, week
from xlzu.records import from_rows

FIRST_MONDAY = date(2026, 10, 26)  # 第9周; three weeks of records up to 2026-11-13 (第11周)
WEEKS = 3


@pytest.fixture(scope="module")
def term_book(tmp_path_factory) -> tuple[Path, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A class of 52 in 7 groups with three weeks of records (shared; copy before changing)."""
    path = tmp_path_factory.mktemp("week") / "班级.xlsx"
    _, members, grecs, precs = demo_class_with_records(path, FIRST_MONDAY, WEEKS, seed=11)
    return path, members, grecs, precs


@pytest.fixture
def book(term_book, tmp_path) -> Path:
    (tmp_path / "term").mkdir()
    copy = tmp_path / "term" / "班级.xlsx"
    shutil.copy(term_book[0], copy)
    return copy


def table_at(values: list[list], header_row: int) -> pd.DataFrame:
    """The table whose header is on Excel row ``header_row`` (to the first blank row)."""
    header = [clean_text(v) for v in values[header_row - 1]]
    n = len([h for h in header if h])
    rows = []
    for row in values[header_row:]:
        if all(v is None or clean_text(v) == "" for v in row[:n]):
            break
        rows.append(row[:n])
    return pd.DataFrame(rows, columns=header[:n])


def week_groups(values: list[list]) -> pd.DataFrame:
    """周排名-小组's detail table (组号, days, 合计, categories), below the printed announcement."""
    return table_at(values, find_row(values, C.WEEK_SECTION_DETAIL) + 2)


def week_people(values: list[list]) -> pd.DataFrame:
    """周排名-个人's table (its header under the title, the subtitle and the 个人考核 / 小组捆绑 band)."""
    return table_at(values, 4)


def test_week_tabs_are_traceable_to_the_records(book, term_book):
    _, members, grecs, precs = term_book
    report = week(book)
    fb = FileBook.open(book)
    values = fb.read_values(C.WEEK_GROUPS)
    assert values[0][0] == "初二(3)班 第11周 小组周排名"
    assert "2026年11月9日—11月13日" in values[1][0]
    detail = find_row(values, C.WEEK_SECTION_DETAIL)
    groups = table_at(values, detail + 2)
    day_cols = ["周一 11/9", "周二 11/10", "周三 11/11", "周四 11/12", "周五 11/13"]
    assert list(groups.columns) == [C.COL_RANK, C.GROUP_NO, C.GROUP_TEAM_NAME, *day_cols, C.COL_TOTAL, *C.CATEGORIES, C.COL_AWARD]
    assert len(groups) == 7
    # independent sums of the records, by day and by category
    wk = grecs.loc[(grecs[C.REC_DATE] >= "2026-11-09") & (grecs[C.REC_DATE] <= "2026-11-13")]
    by_day = wk.pivot_table(index=C.REC_GROUP, columns=wk[C.REC_DATE].dt.day, values=C.REC_POINTS, aggfunc="sum", fill_value=0)
    by_cat = wk.pivot_table(index=C.REC_GROUP, columns=C.REC_CATEGORY, values=C.REC_POINTS, aggfunc="sum", fill_value=0)
    for row in groups.to_dict("records"):
        g = row[C.GROUP_NO]
        assert [row[c] for c in day_cols] == pytest.approx([by_day.at[g, d] for d in (9, 10, 11, 12, 13)])
        assert row[C.COL_TOTAL] == pytest.approx(by_day.loc[g].sum()) == pytest.approx(sum(row[c] for c in day_cols))
        assert [row[c] for c in C.CATEGORIES] == pytest.approx([by_cat.at[g, c] if c in by_cat.columns else 0 for c in C.CATEGORIES])
    totals = groups.set_index(C.GROUP_NO)[C.COL_TOTAL]
    star = set(totals.index[totals == totals.max()])
    devil = set(totals.index[totals == totals.min()])
    assert set(groups.loc[groups[C.COL_AWARD] == "明星小组", C.GROUP_NO]) == star
    assert set(groups.loc[groups[C.COL_AWARD] == "魔鬼小组", C.GROUP_NO]) == devil
    assert list(groups[C.COL_RANK]) == sorted(groups[C.COL_RANK])
    # the announcement above it: same groups in the same order, with last week's rank, the change and the term's total
    board = table_at(values, 4).iloc[: len(groups)]
    board.columns = [c.replace("\n", "") for c in board.columns]
    assert list(board.columns) == [C.COL_RANK, C.COL_GROUP, C.ROLE_LEADER, C.COL_WEEK_TOTAL, *C.CATEGORIES, C.COL_LAST_RANK,
                                   C.COL_CHANGE, C.COL_TERM_TOTAL, C.COL_AWARD]
    assert list(board[C.COL_WEEK_TOTAL]) == list(groups[C.COL_TOTAL])
    assert [b.startswith(f"第{g}组") for b, g in zip(board[C.COL_GROUP], groups[C.GROUP_NO])] == [True] * 7
    leaders = members.loc[members[C.GROUP_ROLES] == C.ROLE_LEADER].set_index(C.GROUP_NO)[C.GROUP_NAME_COL]
    assert list(board[C.ROLE_LEADER]) == [leaders[g] for g in groups[C.GROUP_NO]]
    last = grecs.loc[(grecs[C.REC_DATE] >= "2026-11-02") & (grecs[C.REC_DATE] <= "2026-11-06")].groupby(C.REC_GROUP)[C.REC_POINTS].sum()
    last_rank = last.rank(method="min", ascending=False).astype(int)
    term = grecs.loc[grecs[C.REC_DATE] <= "2026-11-13"].groupby(C.REC_GROUP)[C.REC_POINTS].sum()
    rise = {}
    for b, g in zip(board.to_dict("records"), groups[C.GROUP_NO]):
        assert b[C.COL_LAST_RANK] == last_rank[g]
        d = last_rank[g] - b[C.COL_RANK]
        rise[g] = d
        assert b[C.COL_CHANGE] == (f"↑{d}" if d > 0 else f"↓{-d}" if d < 0 else "—")
        assert b[C.COL_TERM_TOTAL] == pytest.approx(term[g])
    best = {g for g, d in rise.items() if d == max(rise.values()) and d > 0}
    assert set(report.data["summary"].progress) == best
    banner = values[2][0]
    assert banner.startswith("明星小组：") and (C.PROGRESS_GROUP in banner) == bool(best)
    # star and devil rows are coloured
    ws = load_workbook(book)[C.WEEK_GROUPS]
    for i, g in enumerate(groups[C.GROUP_NO], start=5):
        fill = ws.cell(i, 1).fill.fgColor.rgb[-6:]
        assert fill == (C.COLOR_STAR if g in star else C.COLOR_DEVIL if g in devil else "000000")
    # people: every student, own points = independent sum, composite = own + 0.5 × group
    pvalues = fb.read_values(C.WEEK_PEOPLE)
    assert C.PRIVATE in pvalues[1][0]
    assert [v for v in pvalues[2] if v] == [C.WEEK_PEOPLE_OWN, C.WEEK_PEOPLE_BUNDLE]
    people = table_at(pvalues, 4)
    assert len(people) == len(members) == 52
    pk = precs.loc[(precs[C.REC_DATE] >= "2026-11-09") & (precs[C.REC_DATE] <= "2026-11-13")]
    own = pk.groupby(C.REC_ID)[C.REC_POINTS].sum()
    for row in people.to_dict("records"):
        sid = str(row[C.GROUP_ID])
        assert row[C.COL_PERSONAL] == pytest.approx(own.get(sid, 0))
        assert row[C.COL_GROUP_SCORE] == pytest.approx(totals[row[C.GROUP_NO]])
        assert row[C.COL_COMPOSITE] == pytest.approx(row[C.COL_PERSONAL] + 0.5 * totals[row[C.GROUP_NO]])
    assert list(people[C.COL_COMPOSITE_RANK]) == sorted(people[C.COL_COMPOSITE_RANK])
    assert report.data["summary"].week.number == 11


def test_rerunning_the_week_changes_no_cell(book):
    week(book, "2026-11-04")
    week(book)
    sheets = (C.WEEK_GROUPS, C.WEEK_PEOPLE, C.WEEK_HISTORY)
    opened = FileBook.open(book)
    first = {s: opened.read_values(s) for s in sheets}
    week(book)
    opened = FileBook.open(book)
    again = {s: opened.read_values(s) for s in sheets}
    assert first == again
    history = table_at(first[C.WEEK_HISTORY], 1)
    assert sorted(set(history[C.COL_WEEK])) == [10, 11] and len(history) == 14


def test_history_upserts_weeks_under_a_chart_that_survives_other_operations(book):
    for which in ("9", "第10周", None):  # weeks 9, 10, 11 (the latest)
        week(book, which)
    values = FileBook.open(book).read_values(C.WEEK_HISTORY)
    history = table_at(values, 1)
    assert list(history.columns) == list(C.WEEK_HISTORY_COLUMNS)
    assert sorted(set(history[C.COL_WEEK])) == [9, 10, 11] and len(history) == 21
    week10 = history.loc[history[C.COL_WEEK] == 10].reset_index(drop=True)
    week(book, "2026-11-04")  # week 10 again: replaced, not appended
    again = table_at(FileBook.open(book).read_values(C.WEEK_HISTORY), 1)
    assert len(again) == 21
    pd.testing.assert_frame_equal(again.loc[again[C.COL_WEEK] == 10].reset_index(drop=True), week10)

    def chart_of(path):
        ws = load_workbook(path)[C.WEEK_HISTORY]
        assert len(ws._charts) == 1
        chart = ws._charts[0]
        refs = [s.val.numRef.f for s in chart.series]
        cats = chart.series[0].cat.strRef.f if chart.series[0].cat.strRef is not None else chart.series[0].cat.numRef.f
        return chart.tagname, refs, cats

    kind, refs, cats = chart_of(book)
    # readable from the first week: a dot on every value, straight segments, an axis starting near the data
    chart = load_workbook(book)[C.WEEK_HISTORY]._charts[0]
    assert all(s.marker.symbol == "circle" and not s.smooth for s in chart.series)
    totals = history[C.COL_TOTAL]
    assert 0 < chart.y_axis.scaling.min <= totals.min() and chart.y_axis.scaling.max >= totals.max()
    assert totals.min() - chart.y_axis.scaling.min < (totals.max() - totals.min())
    assert kind == "lineChart"
    assert len(refs) == 7 and all(r.startswith("'周历史'!") for r in refs)
    assert cats.startswith("'周历史'!") and cats.endswith("$27")  # three weeks: rows 25–27 under the chart
    # the chart's data block holds each group's weekly totals
    header = find_row(values, C.COL_WEEK, column=10)
    assert header == 23 and values[24][9] == "第9周"
    # another operation loads and saves the workbook: the chart is still there
    month(book, "2026-11")
    assert chart_of(book) == (kind, refs, cats)


def test_week_prints_on_one_a4_page(book, soffice, poppler, tmp_path):
    from xlzu.pdf import print_sheets

    week(book)
    pdf = print_sheets(book, [C.WEEK_GROUPS], tmp_path / "week.pdf")
    assert pdf_pages(pdf) == 1
    text = pdf_text(pdf)
    assert "初二(3)班" in text and "第11周" in text
    for name in ("雄鹰队", "启航队", "星火队", "飞翔队", "朝阳队", "破浪队", "青松队"):
        assert name in text
    assert "明星小组" in text and "魔鬼小组" in text


def test_worked_example_in_a_workbook(class_book):
    """SPEC 3b typed as the class sheet produces it: group 1 scores 14 on the day."""
    members = make_members(roster_of(class_book), 7)
    day = pd.Timestamp("2026-11-24")

    def rec(group, category, item, raw, points, note=None):
        return {C.REC_DATE: day, C.REC_GROUP: group, C.REC_TEAM: None, C.REC_CATEGORY: category, C.REC_ITEM: item,
                C.REC_RAW: raw, C.REC_POINTS: points, C.REC_NOTE: note, C.REC_SOURCE: C.DAILY_CLASS}

    rows = [rec(1, C.CAT_SELF_STUDY, "语文预习", "A", 3), rec(1, C.CAT_SELF_STUDY, "数学预习", "B", 2),
            rec(1, C.CAT_SELF_STUDY, "英语预习", "D", 0), rec(1, C.CAT_PARTICIPATION, "第1节名次", "1", 5),
            rec(1, C.CAT_PARTICIPATION, "第4节名次", "3", 3), rec(1, C.CAT_HYGIENE_DISCIPLINE, "卫生纪律", "-2", -2, "迟到"),
            rec(1, C.CAT_GOOD_DEEDS, "好人好事", "3", 3, "竞赛获奖"),
            rec(2, C.CAT_SELF_STUDY, "语文预习", "C", 1), rec(2, C.CAT_PARTICIPATION, "第1节名次", "2", 4)]
    write_class(class_book, members, from_rows(rows, "group"), None)
    week(class_book)
    groups = week_groups(FileBook.open(class_book).read_values(C.WEEK_GROUPS)).set_index(C.GROUP_NO)
    assert groups.at[1, "周二 11/24"] == 14 and groups.at[1, C.COL_TOTAL] == 14
    assert [groups.at[1, c] for c in C.CATEGORIES] == [5, 8, -2, 0, 3]
    assert groups.at[1, C.COL_RANK] == 1 and groups.at[1, C.COL_AWARD] == "明星小组"
    assert groups.at[2, C.COL_TOTAL] == 5 and groups.at[2, C.COL_RANK] == 2
    # groups without records that week score 0 and share the last place
    assert all(groups.at[g, C.COL_TOTAL] == 0 and groups.at[g, C.COL_RANK] == 3 for g in range(3, 8))
    assert all(groups.at[g, C.COL_AWARD] == "魔鬼小组" for g in range(3, 8))


def test_a_dissolved_group_and_students_who_left_are_ranked_only_in_their_weeks(book, term_book):
    """Group 7 is dissolved after 第9周 and its students leave: 分组 lists groups 1–6
    only, and group 7's records stop.  Later weeks rank only who was there."""
    _, members, grecs, precs = term_book
    stayed = members.loc[members[C.GROUP_NO] != 7]
    left = set(members.loc[members[C.GROUP_NO] == 7, C.GROUP_ID])

    def until_dissolved(recs):
        return recs.loc[(recs[C.REC_DATE] < pd.Timestamp("2026-11-02")) | (recs[C.REC_GROUP] != 7)]

    write_class(book, stayed, until_dissolved(grecs), until_dissolved(precs))
    week(book)  # 第11周
    fb = FileBook.open(book)
    groups = week_groups(fb.read_values(C.WEEK_GROUPS))
    people = week_people(fb.read_values(C.WEEK_PEOPLE))
    assert sorted(groups[C.GROUP_NO]) == [1, 2, 3, 4, 5, 6]
    assert set(people[C.GROUP_ID].astype(str)) == set(stayed[C.GROUP_ID])
    totals = groups.set_index(C.GROUP_NO)[C.COL_TOTAL]
    assert set(groups.loc[groups[C.COL_AWARD] == "魔鬼小组", C.GROUP_NO]) == set(totals.index[totals == totals.min()])
    week(book, "9")  # the week group 7 still worked: it and its students are ranked
    fb = FileBook.open(book)
    assert 7 in set(week_groups(fb.read_values(C.WEEK_GROUPS))[C.GROUP_NO])
    assert left <= set(week_people(fb.read_values(C.WEEK_PEOPLE))[C.GROUP_ID].astype(str))


def test_award_names_are_the_teachers_labels_from_settings(book):
    """SPEC 4: a teacher who finds 魔鬼小组 too harsh calls it 待进步小组; the logic stays."""
    wb = load_workbook(book)
    ws = wb[C.SETTINGS]
    label_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "魔鬼小组称号")
    ws.cell(label_row, 2).value = "待进步小组"
    wb.save(book)
    report = week(book)
    groups = week_groups(FileBook.open(book).read_values(C.WEEK_GROUPS))
    totals = groups.set_index(C.GROUP_NO)[C.COL_TOTAL]
    devils = set(totals.index[totals == totals.min()])
    assert set(groups.loc[groups[C.COL_AWARD] == "待进步小组", C.GROUP_NO]) == devils
    assert set(groups.loc[groups[C.COL_AWARD] == "明星小组", C.GROUP_NO]) == set(totals.index[totals == totals.max()])
    shown = load_workbook(book)
    output = [v for sheet in (C.WEEK_GROUPS, C.WEEK_PEOPLE, C.WEEK_HISTORY) for row in shown[sheet].iter_rows(values_only=True) for v in row]
    output += [v for row in shown[C.CONSOLE].iter_rows(min_row=C.CONSOLE_MESSAGES_ROW, values_only=True) for v in row]
    assert "待进步小组" in str(output) and "魔鬼" not in str(output)
    ws = shown[C.WEEK_GROUPS]
    for i, g in enumerate(groups[C.GROUP_NO], start=5):  # the announcement lists the groups in the same order
        if g in devils:
            assert ws.cell(i, 1).fill.fgColor.rgb[-6:] == C.COLOR_DEVIL  # still highlighted
    assert any(line.startswith("待进步小组：") for line in report.lines)


def test_group_number_zero_in_the_records_is_refused(book):
    wb = load_workbook(book)
    ws = wb[C.GROUP_RECORDS]
    col = next(c.column_letter for c in ws[1] if c.value == C.REC_GROUP)
    ws[f"{col}5"] = 0
    wb.save(book)
    with pytest.raises(InputError) as err:
        week(book)
    assert f"小组记录!{col}5" in err.value.text() and "组号应为正整数" in err.value.text()


def test_a_bad_record_stops_the_week_and_names_the_cell(book):
    ws_book = load_workbook(book)
    ws_book[C.GROUP_RECORDS]["G5"] = "三分"
    ws_book.save(book)
    before = FileBook.open(book).read_values(C.WEEK_GROUPS)
    with pytest.raises(InputError) as err:
        week(book)
    assert "小组记录!G5" in err.value.text() and "分数应为数字" in err.value.text()
    after = load_workbook(book)
    assert [list(r) for r in after[C.WEEK_GROUPS].iter_rows(values_only=True)] == before
    assert after[C.GROUP_RECORDS]["G5"].fill.fgColor.rgb[-6:] == C.COLOR_BAD


def test_week_without_records_or_outside_them(class_book):
    with pytest.raises(InputError, match="还没有任何记录"):
        week(class_book)
    members = make_members(roster_of(class_book), 7)
    grecs, _ = class_records(members, school_days(FIRST_MONDAY, 1), items_per_day=0)
    write_class(class_book, members, grecs, None)
    with pytest.raises(InputError, match="第20周.*没有任何记录"):
        week(class_book, "20")
    with pytest.raises(InputError, match="看不懂"):
        week(class_book, "下周")


def test_cli_week_prints_the_ranking(book, class_book):
    from xlzu.cli import app

    result = CliRunner().invoke(app, ["week", str(book), "--week", "2026-11-10"])
    assert result.exit_code == 0, result.output
    assert "第11周" in result.output and "明星小组" in result.output and "雄鹰队" in result.output
    bad = CliRunner().invoke(app, ["week", str(class_book), "--week", "明天"])
    assert bad.exit_code == 1 and "错误：" in bad.output


def test_demo_step_ends_with_the_week_month_and_term(book, class_book):
    from xlzu.demo import summaries_step

    lines: list[str] = []
    assert not summaries_step(class_book, lines.append)
    assert "还没有记录" in lines[0]
    lines.clear()
    assert summaries_step(book, lines.append)
    text = "\n".join(lines)
    assert "第11周（11月9日—11月13日）小组周排名" in text and "明星小组" in text
    assert "纪律之星" in text and "推荐校级明星小组" in text and "明星组长" in text
    # the demo gave the class two exams so 明星组长 could be judged; certificates were made
    opened = FileBook.open(book)
    assert opened.read_values(C.EXAMS)[0][2:4] == ["期中", "期末"]
    assert any(str(v).replace(" ", "") == "荣誉证书" for row in opened.read_values(C.CERTIFICATES) for v in row)


def test_a_bad_layer_on_groups_does_not_block_the_week_but_a_bad_group_number_does(book):
    wb = load_workbook(book)
    ws = wb[C.GROUPS]
    layer_col = C.GROUP_COLUMNS.index(C.GROUP_LAYER_OVERRIDE) + 1
    group_col = C.GROUP_COLUMNS.index(C.GROUP_NO) + 1
    ws.cell(3, layer_col).value = "E"
    wb.save(book)
    week(book)  # 层次 plays no part in the weekly ranking
    with pytest.raises(InputError, match="分组!E3"):
        from xlzu.ops.summary import term

        term(book)  # …but 明星组长 needs the layers
    wb = load_workbook(book)
    wb[C.GROUPS].cell(4, group_col).value = "二"
    wb.save(book)
    with pytest.raises(InputError, match="分组!F4"):
        week(book)
