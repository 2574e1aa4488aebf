"""xlzu month and xlzu review on real workbooks: stars with their figures,
the school star-group recommendation, and forms whose typed values are kept."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from summary_helpers import demo_class_with_records, write_class
from xlzu import contract as C
from xlzu.book.files import FileBook
from xlzu.errors import InputError
from xlzu.layout import clean_text, find_row
from xlzu.ops.summary import month, review
from xlzu.records import from_rows
from xlzu.settings import DEFAULT


@pytest.fixture(scope="module")
def month_book(tmp_path_factory):
    """52 students in 7 groups; records in the last week of October and the
    first two weeks of November."""
    path = tmp_path_factory.mktemp("month") / "班级.xlsx"
    _, members, grecs, precs = demo_class_with_records(path, date(2026, 10, 26), 3, seed=5)
    return path, members, grecs, precs


@pytest.fixture
def book(month_book, tmp_path) -> Path:
    copy = tmp_path / "班级.xlsx"
    shutil.copy(month_book[0], copy)
    return copy


def section_table(values: list[list], title: str) -> tuple[int, pd.DataFrame]:
    """(Excel row of the header, table) of the section whose title is in column A."""
    at = find_row(values, title)
    assert at is not None, title
    header = next(i for i in range(at + 1, at + 4) if clean_text(values[i][0]) in (C.COL_AWARD, C.COL_RANK, C.COL_MONTH, C.COL_PERIOD))
    names = [clean_text(v) for v in values[header]]
    n = len([x for x in names if x])
    rows = []
    for row in values[header + 1:]:
        if all(v is None or clean_text(v) == "" for v in row[:n]):
            break
        rows.append(row[:n])
    return header + 1, pd.DataFrame(rows, columns=names[:n])


def test_month_stars_each_with_the_figure_that_won_it(book, month_book):
    _, members, grecs, precs = month_book
    month(book, "2026-11")
    values = FileBook.open(book).read_values(C.MONTHLY)
    assert values[0][0] == "初二(3)班 2026年11月 月度评价"
    _, stars = section_table(values, C.MONTH_SECTION_STARS)
    nov = precs.loc[(precs[C.REC_DATE] >= "2026-11-01") & (precs[C.REC_DATE] < "2026-12-01")]
    oct_ = precs.loc[(precs[C.REC_DATE] >= "2026-10-01") & (precs[C.REC_DATE] < "2026-11-01")]
    ids = pd.Index(members[C.GROUP_ID])
    assert list(dict.fromkeys(stars[C.COL_AWARD])) == list(C.STARS)  # every star has a row, awarded or not
    for star in C.STARS[:-1]:
        items = [i.name for i in DEFAULT.items if star in i.stars]
        figure = nov.loc[nov[C.REC_ITEM].isin(items)].groupby(C.REC_ID)[C.REC_POINTS].sum().reindex(ids, fill_value=0)
        winners = stars.loc[stars[C.COL_AWARD] == star]
        if figure.max() <= 0:
            assert len(winners) == 1 and winners[C.GROUP_NAME_COL].isna().all()
            assert winners[C.COL_BASIS].iloc[0].startswith("本月不评：没有人在")
            continue
        assert set(winners[C.GROUP_ID].astype(str)) == set(figure.index[figure == figure.max()])
        assert all(w == pytest.approx(figure.max()) for w in winners[C.COL_FIGURE])
        assert all("、".join(items) in b for b in winners[C.COL_BASIS])
    both = ids.intersection(nov[C.REC_ID]).intersection(oct_[C.REC_ID])  # a rise needs both months
    # points per recorded school day: October has 5 days of records here, November 10
    days_nov, days_oct = nov[C.REC_DATE].nunique(), oct_[C.REC_DATE].nunique()
    assert (days_nov, days_oct) == (10, 5)
    per_day = ((nov.groupby(C.REC_ID)[C.REC_POINTS].sum()[both] / days_nov).round(2)
               - (oct_.groupby(C.REC_ID)[C.REC_POINTS].sum()[both] / days_oct).round(2)).round(2)
    progress = stars.loc[stars[C.COL_AWARD] == C.STAR_PROGRESS]
    assert set(progress[C.GROUP_ID].astype(str)) == set(per_day.index[per_day == per_day.max()])
    assert progress[C.COL_FIGURE].iloc[0] == pytest.approx(per_day.max())
    assert "每天" in progress[C.COL_BASIS].iloc[0] and f"（{days_oct} 天）" in progress[C.COL_BASIS].iloc[0]

    # the month's best group is recommended to the school
    _, groups = section_table(values, C.MONTH_SECTION_GROUP)
    g_nov = grecs.loc[(grecs[C.REC_DATE] >= "2026-11-01")].groupby(C.REC_GROUP)[C.REC_POINTS].sum()
    recommended = groups.loc[groups[C.COL_AWARD].notna(), C.GROUP_NO]
    assert set(recommended) == set(g_nov.index[g_nov == g_nov.max()])
    assert groups.loc[groups[C.COL_AWARD].notna(), C.COL_AWARD].iloc[0] == "推荐校级明星小组"


def test_progress_star_needs_records_in_both_months(book, month_book):
    """A student with no October records (joined in November) has no rise to
    compare, however many points November brings."""
    _, members, grecs, precs = month_book
    newcomer = str(members[C.GROUP_ID].iloc[0])
    nov = precs[C.REC_DATE] >= pd.Timestamp("2026-11-01")
    mine = precs[C.REC_ID] == newcomer
    late = precs.loc[~mine | nov].copy()
    late.loc[late[C.REC_ID] == newcomer, C.REC_POINTS] = 3  # the best November of the class
    write_class(book, None, grecs, late)
    month(book, "2026-11")
    _, stars = section_table(FileBook.open(book).read_values(C.MONTHLY), C.MONTH_SECTION_STARS)
    progress = stars.loc[stars[C.COL_AWARD] == C.STAR_PROGRESS]
    assert len(progress) and newcomer not in set(progress[C.GROUP_ID].astype(str))
    assert all("10月" in b and "提高" in b for b in progress[C.COL_BASIS])
    # October's stars: nothing to compare with, and the row says so
    month(book, "2026-10")
    _, stars = section_table(FileBook.open(book).read_values(C.MONTHLY), C.MONTH_SECTION_STARS)
    progress = stars.loc[stars[C.COL_AWARD] == C.STAR_PROGRESS]
    assert len(progress) == 1 and progress[C.COL_BASIS].iloc[0] == "本月不评：2026年9月没有记录，无法比较进步"


def test_star_items_come_from_settings(book):
    """Re-mapping an item in 设置 changes which star it counts for."""
    wb = load_workbook(book)
    ws = wb[C.SETTINGS]
    for row in ws.iter_rows():
        if row[1].value == "作业" and row[0].value == C.CAT_SELF_STUDY:
            row[4].value = C.STAR_SHOWING  # 作业 now counts for 展示之星, not 勤奋之星
    wb.save(book)
    report = month(book, "2026-11")
    stars = report.data["stars"]
    assert all("作业" not in b for b in stars.loc[stars[C.COL_AWARD] == C.STAR_DILIGENCE, C.COL_BASIS])
    assert all("作业、展示" in b for b in stars.loc[stars[C.COL_AWARD] == C.STAR_SHOWING, C.COL_BASIS])


def type_raters(path: Path, values: dict[str, dict[str, object]], month_key: str) -> None:
    """A teacher types scores into the multi-rater form of 月度评价."""
    wb = load_workbook(path)
    ws = wb[C.MONTHLY]
    rows = list(ws.iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r[0] == C.MONTH_SECTION_RATERS)
    header_i = next(i for i in range(at + 1, at + 4) if rows[i][0] == C.COL_MONTH)
    header = list(rows[header_i])
    for i in range(header_i + 1, len(rows)):
        r = rows[i]
        if r[0] == month_key and str(r[1]) in values:
            for name, v in values[str(r[1])].items():
                ws.cell(i + 1, header.index(name) + 1, v)
    wb.save(path)


def test_typed_rater_values_are_kept_when_the_month_is_rerun(book, month_book):
    members = month_book[1]
    a, b = members[C.GROUP_ID].iloc[0], members[C.GROUP_ID].iloc[1]
    month(book, "2026-11")
    type_raters(book, {a: {"自评": 90, "组内互评": 80, "任课教师": 85, "班主任": 95, "家长": 100, C.COL_COMMENT: "进步很大"},
                       b: {"班主任": 70}}, "2026-11")
    # more records arrive, the month is run again, then another month
    extra = from_rows([{C.REC_DATE: pd.Timestamp("2026-11-16"), C.REC_ID: b, C.REC_NAME: None, C.REC_GROUP: 1,
                        C.REC_CATEGORY: C.CAT_SELF_STUDY, C.REC_ITEM: "预习", C.REC_POINTS: 3.0, C.REC_NOTE: None,
                        C.REC_SOURCE: "补录"}], "person")
    opened = FileBook.open(book)
    from xlzu.records import read_records
    from xlzu.records import records_layout

    old, _ = read_records(opened.read_values(C.PERSON_RECORDS), "person")
    opened.write_layout(C.PERSON_RECORDS, records_layout(pd.concat([old, extra], ignore_index=True), "person"))
    opened.save()
    month(book, "2026-11")
    month(book, "2026-10")
    _, form = section_table(FileBook.open(book).read_values(C.MONTHLY), C.MONTH_SECTION_RATERS)
    assert list(form.columns) == [C.COL_MONTH, C.GROUP_ID, C.GROUP_NAME_COL, C.GROUP_NO, C.GROUP_TEAM_NAME,
                                  "自评", "组内互评", "任课教师", "班主任", "家长", C.COL_WEIGHTED, C.COL_COMMENT]
    assert list(form[C.COL_MONTH].unique()) == ["2026-10", "2026-11"]
    assert (form[C.COL_MONTH] == "2026-11").sum() == (form[C.COL_MONTH] == "2026-10").sum() == 52
    nov = form.loc[form[C.COL_MONTH] == "2026-11"].set_index(C.GROUP_ID)
    assert list(nov.loc[a, ["自评", "组内互评", "任课教师", "班主任", "家长"]]) == [90, 80, 85, 95, 100]
    assert nov.at[a, C.COL_COMMENT] == "进步很大"
    assert nov.at[a, C.COL_WEIGHTED] == pytest.approx(0.1 * 90 + 0.2 * 80 + 0.2 * 85 + 0.3 * 95 + 0.2 * 100)  # 90.5
    assert nov.at[b, C.COL_WEIGHTED] == 70  # only 班主任 so far
    assert form.loc[form[C.COL_MONTH] == "2026-10", C.COL_WEIGHTED].isna().all()


def test_a_bad_typed_score_stops_the_month(book):
    month(book, "2026-11")
    values = FileBook.open(book).read_values(C.MONTHLY)
    first, form = section_table(values, C.MONTH_SECTION_RATERS)
    sid = str(form[C.GROUP_ID].iloc[3])
    type_raters(book, {sid: {"家长": "优秀"}}, "2026-11")
    with pytest.raises(InputError) as err:
        month(book, "2026-11")
    cell = f"J{first + 4}"  # header row, then the fourth student
    assert f"月度评价!{cell}" in err.value.text() and "0–100" in err.value.text()
    assert load_workbook(book)[C.MONTHLY][cell].value == "优秀"


def test_review_is_prefilled_from_the_records_and_keeps_typed_scores(book, month_book):
    grecs = month_book[2]
    report = review(book, "2026-11")
    form = report.data["form"]
    assert len(form) == 7 * 4 and list(form[C.COL_ASPECT].unique()) == list(C.ASPECTS)
    nov = grecs.loc[grecs[C.REC_DATE] >= "2026-11-01"]
    learn = nov.loc[nov[C.REC_CATEGORY].isin([C.CAT_SELF_STUDY, C.CAT_PARTICIPATION])].groupby(C.REC_GROUP)[C.REC_POINTS].sum()
    rows = form.loc[form[C.COL_ASPECT] == "学习情况"].set_index(C.GROUP_NO)

    def suggestion(points: pd.Series, g: int) -> float:
        """Around 80, one score point per record point at most, within 60–100."""
        f = min(40 / (points.max() - points.min()), 1)
        return round(80 + f * (points[g] - (points.max() + points.min()) / 2), 1)

    assert learn.max() - learn.min() <= 40  # a spread of 26 points: 26 score points, around 80
    best, worst = learn.idxmax(), learn.idxmin()
    assert rows.at[best, C.COL_SUGGESTED] - rows.at[worst, C.COL_SUGGESTED] == learn.max() - learn.min()
    assert rows.at[best, C.COL_SUGGESTED] + rows.at[worst, C.COL_SUGGESTED] == 160
    g = 3
    expected = suggestion(learn, g)
    assert rows.at[g, C.COL_SUGGESTED] == expected
    # the raters' columns are theirs: blank, not the suggestion six times over
    raters = [n for n, _ in DEFAULT.group_rater_weights]
    assert form[raters].isna().all().all() and form[C.COL_WEIGHTED].isna().all()
    # a small spread is not magnified: 行为习惯 points a few apart stay a few apart
    habits = nov.loc[nov[C.REC_CATEGORY].isin([C.CAT_ETIQUETTE, C.CAT_GOOD_DEEDS])].groupby(C.REC_GROUP)[C.REC_POINTS].sum()
    habits = habits.reindex(range(1, 8), fill_value=0)
    assert 0 < habits.max() - habits.min() <= 40
    hrows = form.loc[form[C.COL_ASPECT] == "行为习惯"].set_index(C.GROUP_NO)[C.COL_SUGGESTED]
    assert hrows.max() - hrows.min() == pytest.approx(habits.max() - habits.min())
    assert all(hrows[k] == suggestion(habits, k) for k in range(1, 8))
    assert f"= {learn[g]:g} 分" in rows.at[g, C.COL_RECORD_BASIS]
    # the teacher types 50 for 班主任 on group 3's 学习情况 and clears 组间互评 on its 常规要求
    wb = load_workbook(book)
    ws = wb[C.COMPREHENSIVE]
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(values) if r[0] == C.COL_PERIOD)
    cols = values[header]
    row_of = {(r[1], r[3]): i + 1 for i, r in enumerate(values) if i > header and r[0] == "2026-11"}
    ws.cell(row_of[(g, "学习情况")], cols.index("班主任") + 1, 50)
    ws.cell(row_of[(g, "常规要求")], cols.index("组间互评") + 1).value = None
    wb.save(book)
    # group 3 gets a prize; re-run: untouched cells follow the new suggestion, typed ones stay
    extra = pd.concat([grecs, from_rows([{C.REC_DATE: pd.Timestamp("2026-11-12"), C.REC_GROUP: g, C.REC_TEAM: None,
                                           C.REC_CATEGORY: C.CAT_PARTICIPATION, C.REC_ITEM: "加减分", C.REC_RAW: "40",
                                           C.REC_POINTS: 40.0, C.REC_NOTE: None, C.REC_SOURCE: "补录"}], "group")],
                      ignore_index=True)
    write_class(book, None, extra, None)
    again = review(book, "2026-11").data["form"]
    rows = again.loc[again[C.COL_ASPECT] == "学习情况"].set_index(C.GROUP_NO)
    learn[g] += 40
    new = suggestion(learn, g)
    assert learn.max() - learn.min() > 40 and new == 100  # now a wide spread, compressed onto 60–100
    assert rows.at[g, C.COL_SUGGESTED] == new != expected
    assert rows[C.COL_SUGGESTED].min() == 60
    assert rows.at[g, "班主任"] == 50  # typed: kept
    assert pd.isna(rows.at[g, "任课教师"])  # not scored: blank
    assert rows.at[g, C.COL_WEIGHTED] == 50  # only the 班主任 has scored
    regular = again.loc[again[C.COL_ASPECT] == "常规要求"].set_index(C.GROUP_NO)
    assert pd.isna(regular.at[g, "组间互评"])  # cleared by the teacher: stays blank, not counted
    res = review(book, "2026-11").data["results"].set_index(C.GROUP_NO)
    mine = again.loc[again[C.GROUP_NO] == g].set_index(C.COL_ASPECT)
    by_aspect = mine[C.COL_WEIGHTED].fillna(mine[C.COL_SUGGESTED])  # an aspect nobody scored counts its suggestion
    assert by_aspect[C.ASPECTS[0]] == 50
    assert res.at[g, C.COL_RESULT] == pytest.approx(round(by_aspect.mean(), 1))
    # a week is added to the sheet; November's typed score is still there
    review(book, "2026-11-10")
    kept = review(book, "2026-11").data["form"]
    assert set(kept[C.COL_PERIOD]) == {"2026-11", "第11周"}
    assert kept.loc[(kept[C.COL_PERIOD] == "2026-11") & (kept[C.GROUP_NO] == g) & (kept[C.COL_ASPECT] == "学习情况"), "班主任"].iloc[0] == 50


def test_review_learning_progress_compares_with_the_previous_period(book, month_book):
    grecs = month_book[2]
    form = review(book, "第11周").data["form"]
    prog = form.loc[form[C.COL_ASPECT] == C.ASPECT_PROGRESS].set_index(C.GROUP_NO)
    learn = grecs.loc[grecs[C.REC_CATEGORY].isin([C.CAT_SELF_STUDY, C.CAT_PARTICIPATION])]
    w11 = learn.loc[learn[C.REC_DATE] >= "2026-11-09"].groupby(C.REC_GROUP)[C.REC_POINTS].sum()
    w10 = learn.loc[(learn[C.REC_DATE] >= "2026-11-02") & (learn[C.REC_DATE] < "2026-11-09")].groupby(C.REC_GROUP)[C.REC_POINTS].sum()
    rise = w11 - w10
    f = min(40 / (rise.max() - rise.min()), 1)
    assert prog.at[rise.idxmax(), C.COL_SUGGESTED] == round(80 + f * (rise.max() - rise.min()) / 2, 1)
    assert prog.at[rise.idxmin(), C.COL_SUGGESTED] == round(80 - f * (rise.max() - rise.min()) / 2, 1)
    # the first week of records has nothing to compare with: no suggestion, the raters score it
    first = review(book, "第9周").data["form"]
    nine = first.loc[first[C.COL_PERIOD] == "第9周"]
    assert list(first[C.COL_PERIOD].unique()) == ["第9周", "第11周"]  # the period just run comes first
    assert nine.loc[nine[C.COL_ASPECT] == C.ASPECT_PROGRESS, C.COL_SUGGESTED].isna().all()
    assert nine.loc[nine[C.COL_ASPECT] == C.ASPECT_PROGRESS, C.COL_RECORD_BASIS].str.contains("请评委打分").all()


def test_rerunning_month_and_review_changes_no_cell(book):
    month(book, "2026-11")
    review(book, "2026-11")
    opened = FileBook.open(book)
    first = {s: opened.read_values(s) for s in (C.MONTHLY, C.COMPREHENSIVE)}
    month(book, "2026-11")
    review(book, "2026-11")
    opened = FileBook.open(book)
    assert first == {s: opened.read_values(s) for s in (C.MONTHLY, C.COMPREHENSIVE)}


def test_progress_star_compares_points_per_recorded_day_not_monthly_totals():
    """October had 5 days of records, November 10.  A scores 2 a day in October and 1.8 in
    November (+8 in total, but less each day); B 1 then 1.2 a day: B progressed, A did not."""
    from xlzu.monthly import Month, month_stars_and_reasons

    octo = [pd.Timestamp("2026-10-26") + pd.Timedelta(days=k) for k in range(5)]
    nov = [pd.Timestamp("2026-11-02") + pd.Timedelta(days=k) for k in range(12) if (k % 7) < 5][:10]
    rows = []
    for sid, name, before, after in (("1", "甲", 2.0, 1.8), ("2", "乙", 1.0, 1.2)):
        for days, points in ((octo, before), (nov, after)):
            for d in days:
                rows.append({C.REC_DATE: d, C.REC_ID: sid, C.REC_NAME: name, C.REC_GROUP: 1, C.REC_CATEGORY: C.CAT_SELF_STUDY,
                             C.REC_ITEM: "作业", C.REC_POINTS: points, C.REC_NOTE: None, C.REC_SOURCE: "t"})
    precs = from_rows(rows, "person")
    members = pd.DataFrame({C.GROUP_ID: ["1", "2"], C.GROUP_NAME_COL: ["甲", "乙"], C.GROUP_NO: [1, 1]})
    stars, why = month_stars_and_reasons(precs, members, DEFAULT, Month(2026, 11))
    progress = stars.loc[stars[C.COL_AWARD] == C.STAR_PROGRESS]
    assert list(progress[C.GROUP_NAME_COL]) == ["乙"] and progress[C.COL_FIGURE].iloc[0] == pytest.approx(0.2)
    assert progress[C.COL_BASIS].iloc[0] == "本月每天 1.2 分（10 天共 12 分），10月每天 1 分（5 天），每天提高 0.2 分"
    # nobody else qualifies for 纪律之星 (no 纪律 items recorded): a reason, not silence
    assert why[C.STAR_DISCIPLINE] == "本月不评：没有人在卫生、纪律、文明礼仪上得分"


def test_monthly_form_prints_its_header_on_every_page(book, soffice, poppler, tmp_path):
    from conftest import pdf_pages, pdf_text
    from xlzu.pdf import print_sheets

    month(book, "2026-11")
    ws = load_workbook(book)[C.MONTHLY]
    header, _ = section_table(FileBook.open(book).read_values(C.MONTHLY), C.MONTH_SECTION_RATERS)
    assert ws.print_title_rows == f"${header}:${header}" and ws.oddHeader.right.text == C.PRIVATE
    pdf = print_sheets(book, [C.MONTHLY], tmp_path / "月度评价.pdf")
    assert pdf_pages(pdf) >= 2
    for page in range(1, pdf_pages(pdf) + 1):
        text = pdf_text(pdf, page)
        assert C.PRIVATE in text
        if page > 1:
            assert all(word in text for word in (C.COL_MONTH, C.GROUP_ID, C.COL_WEIGHTED, C.COL_COMMENT))


def test_review_clears_the_suggestion_an_older_version_copied_into_every_rater(book):
    """Earlier versions wrote the 建议分 into all six rater cells.  Such a row is read as
    unscored (the cells come back blank); a single rater who typed the suggestion keeps it."""
    review(book, "2026-11")
    wb = load_workbook(book)
    ws = wb[C.COMPREHENSIVE]
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(values) if r[0] == C.COL_PERIOD)
    cols = values[header]
    raters = [n for n, _ in DEFAULT.group_rater_weights]
    body = [(i + 1, r) for i, r in enumerate(values) if i > header and r[0] == "2026-11" and r[cols.index(C.COL_SUGGESTED)] is not None]
    (old_row, old), (typed_row, typed) = body[0], body[1]
    for r in raters:  # the old version's prefill
        ws.cell(old_row, cols.index(r) + 1, old[cols.index(C.COL_SUGGESTED)])
    ws.cell(typed_row, cols.index("班主任") + 1, typed[cols.index(C.COL_SUGGESTED)])  # one rater agrees
    wb.save(book)
    form = review(book, "2026-11").data["form"].set_index([C.GROUP_NO, C.COL_ASPECT])
    cleared = form.loc[(old[1], old[3])]
    assert cleared[raters].isna().all()
    kept = form.loc[(typed[1], typed[3])]
    assert kept["班主任"] == typed[cols.index(C.COL_SUGGESTED)] and kept[[r for r in raters if r != "班主任"]].isna().all()


# --------------------------------------------------------------------------
# What the teacher added beside the forms, and raters removed from 设置
# --------------------------------------------------------------------------
def _form_rows(ws, first: str, second: str) -> tuple[int, list]:
    """(Excel row of a form's header, its header cells) on an openpyxl sheet."""
    for r in range(1, ws.max_row + 1):
        row = [c.value for c in ws[r]]
        if row and row[0] == first and second in row:
            return r, row
    raise AssertionError(first)


def _remove_rater(path: Path, section: str, rater: str, to: str) -> None:
    """The teacher deletes a rater's row in 设置 and gives its weight to ``to``."""
    wb = load_workbook(path)
    ws = wb[C.SETTINGS]
    at = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == section)
    rows, r = {}, at + 2
    while ws.cell(r, 1).value:  # the section's rows, to its first blank row
        rows[ws.cell(r, 1).value] = r
        r += 1
    gone = ws.cell(rows[rater], 2).value
    ws.cell(rows[to], 2).value = round(ws.cell(rows[to], 2).value + gone, 6)
    ws.delete_rows(rows[rater])
    wb.save(path)


@pytest.mark.parametrize("which", ["month", "review"])
def test_teacher_columns_beside_the_rater_forms_stay_with_their_rows(book, which):
    """A column the teacher adds right of a form (核对 √ on some rows) and a
    note below it survive re-running this period and running another one,
    each cell beside the same 月份 + 学号 (周期 + 组号 + 方面)."""
    run, other, sheet = ((month, "2026-10", C.MONTHLY) if which == "month" else (review, "第11周", C.COMPREHENSIVE))
    first, second = (C.COL_MONTH, C.GROUP_ID) if which == "month" else (C.COL_PERIOD, C.COL_ASPECT)
    key = (lambda r: (r[0], str(r[1]))) if which == "month" else (lambda r: (r[0], r[1], r[3]))
    run(book, "2026-11")
    wb = load_workbook(book)
    ws = wb[sheet]
    head, header = _form_rows(ws, first, second)
    extra = len([h for h in header if h]) + 2  # one blank column, then the teacher's
    ws.cell(head, extra).value = "核对"
    ticked = {}
    for r in (head + 2, head + 5, head + 9):
        ws.cell(r, extra).value = f"√{r}"
        ticked[key([c.value for c in ws[r]])] = f"√{r}"
    last = max(r for r in range(head, ws.max_row + 1) if ws.cell(r, 1).value)
    ws.cell(last + 2, extra).value = "月底前核对完"
    wb.save(book)
    for period in ("2026-11", other, "2026-11"):
        run(book, period)
        ws = load_workbook(book)[sheet]
        head, header = _form_rows(ws, first, second)
        at = header.index("核对") + 1
        assert header[: len(header)].index(first) == 0  # the form still starts in column A
        found = {key([c.value for c in ws[r]]): ws.cell(r, at).value for r in range(head + 1, ws.max_row + 1)
                 if ws.cell(r, at).value and ws.cell(r, 1).value}
        assert found == ticked
        notes = [ws.cell(r, at).value for r in range(head + 1, ws.max_row + 1)
                 if ws.cell(r, at).value and not ws.cell(r, 1).value]
        assert notes == ["月底前核对完"]


def test_scores_under_a_rater_removed_from_settings_are_not_lost(book, month_book):
    sid = month_book[1][C.GROUP_ID].iloc[2]
    month(book, "2026-11")
    type_raters(book, {sid: {"家长": 95, "班主任": 80}}, "2026-11")
    _remove_rater(book, C.SECTION_RATERS, "家长", "班主任")
    with pytest.raises(InputError) as err:
        month(book, "2026-11")
    wb = load_workbook(book)  # as the refused run left it: checked, then the teacher's edit made on it
    ws = wb[C.MONTHLY]
    head, header = _form_rows(ws, C.COL_MONTH, C.GROUP_ID)
    at = header.index("家长") + 1
    ref = ws.cell(head, at).coordinate
    assert f"月度评价!{ref}：“家长”不是“设置”中的评价人" in err.value.text()
    assert C.SECTION_RATERS in err.value.text() and "清空这一列" in err.value.text()
    assert [ws.cell(r, at).value for r in range(head + 1, ws.max_row + 1) if ws.cell(r, at).value] == [95]
    # the teacher clears the column (keeps the header): the rater's column goes, the rest is kept
    for r in range(head + 1, wb[C.MONTHLY].max_row + 1):
        wb[C.MONTHLY].cell(r, at).value = None
    wb.save(book)
    report = month(book, "2026-11")
    form = report.data["form"].set_index([C.COL_MONTH, C.GROUP_ID])
    assert "家长" not in report.data["form"].columns and form.at[("2026-11", sid), "班主任"] == 80
    _, header = _form_rows(load_workbook(book)[C.MONTHLY], C.COL_MONTH, C.GROUP_ID)
    assert "家长" not in header


def test_review_scores_under_a_rater_removed_from_settings_are_not_lost(book):
    review(book, "2026-11")
    wb = load_workbook(book)
    ws = wb[C.COMPREHENSIVE]
    head, header = _form_rows(ws, C.COL_PERIOD, C.COL_ASPECT)
    at = header.index("学生干部") + 1
    ws.cell(head + 3, at).value = 88
    wb.save(book)
    _remove_rater(book, C.SECTION_GROUP_RATERS, "学生干部", "班主任")
    for period in ("2026-11", "第11周"):
        with pytest.raises(InputError) as err:
            review(book, period)
        assert f"综合评价!{ws.cell(head, at).coordinate}：“学生干部”不是“设置”中的评价人" in err.value.text()
        assert load_workbook(book)[C.COMPREHENSIVE].cell(head + 3, at).value == 88


def test_a_student_twice_in_one_month_of_the_form_is_refused_not_dropped(book, month_book):
    sid = month_book[1][C.GROUP_ID].iloc[0]
    month(book, "2026-11")
    wb = load_workbook(book)
    ws = wb[C.MONTHLY]
    head, header = _form_rows(ws, C.COL_MONTH, C.GROUP_ID)
    rows = [r for r in range(head + 1, ws.max_row + 1) if str(ws.cell(r, 2).value) == sid]
    copy = ws.max_row + 1
    for c in range(1, len(header) + 1):
        ws.cell(copy, c).value = ws.cell(rows[0], c).value
    ws.cell(copy, header.index("家长") + 1).value = 77  # typed on the copy
    ws.cell(copy + 1, 2).value = "20250399"  # a row without 月份 holding a score
    ws.cell(copy + 1, header.index("班主任") + 1).value = 66
    wb.save(book)
    with pytest.raises(InputError) as err:
        month(book, "2026-11")
    text = err.value.text()
    assert f"月度评价!B{copy}：“{sid}” 2026年11月的这位学生与第{rows[0]}行重复" in text
    assert f"月度评价!A{copy + 1}：这一行填有评分，应写明月份" in text
    assert load_workbook(book)[C.MONTHLY].cell(copy, header.index("家长") + 1).value == 77
