"""What a teacher announces and shares: 周排名-小组 filling a landscape page,
``xlzu print --sheet`` for any sheet, the 喜报 pictures (praise only)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from conftest import pdf_pages, pdf_text, pdf_words
from summary_helpers import demo_class_with_records
from xlzu import contract as C
from xlzu.cli import app
from xlzu.ops.summary import month, posters, week
from xlzu.poster import FORBIDDEN, Entry, Poster, draw, find_font, praise_only

FIRST_MONDAY = date(2026, 10, 26)  # 第9周; three weeks of records


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("announce") / "班级.xlsx"
    demo_class_with_records(path, FIRST_MONDAY, 3, seed=5)
    return path


@pytest.fixture
def book(shared, tmp_path) -> Path:
    (tmp_path / "b").mkdir()
    copy = tmp_path / "b" / "班级.xlsx"
    shutil.copy(shared, copy)
    return copy


def test_group_ranking_fills_a_landscape_page_in_large_type(book, soffice, poppler, tmp_path):
    week(book)
    result = CliRunner().invoke(app, ["print", str(book), "--sheet", C.WEEK_GROUPS])
    assert result.exit_code == 0, result.output
    pdf = book.with_name("初二(3)班-周排名-小组.pdf")
    assert pdf.exists() and pdf_pages(pdf) == 1
    words = pdf_words(pdf)
    w, h = words[0]["width"], words[0]["height"]
    assert w > h  # landscape
    x0, y0 = min(x["x0"] for x in words), min(x["y0"] for x in words)
    x1, y1 = max(x["x1"] for x in words), max(x["y1"] for x in words)
    covered = (x1 - x0) * (y1 - y0) / (w * h)
    assert covered >= 0.6, covered
    # large type: a group's line is at least 14 pt tall on paper
    body = [x for x in words if x["text"].startswith("第") and x["text"].endswith("组")]
    assert body and min(x["y1"] - x["y0"] for x in body) >= 14
    text = pdf_text(pdf)
    for word in ("第11周", C.COL_LAST_RANK, C.COL_TERM_TOTAL, C.ROLE_LEADER, "明星小组", "魔鬼小组"):
        assert word in text
    assert "周一 11/9" not in text  # the day-by-day detail stays on the sheet, below the page


def test_print_any_sheet_and_refuse_what_is_not_printable(book, soffice, poppler, tmp_path):
    week(book)
    pdf = tmp_path / "两张.pdf"
    result = CliRunner().invoke(app, ["print", str(book), "-s", C.WEEK_HISTORY, "-s", C.WEEK_PEOPLE, "--pdf", str(pdf)])
    assert result.exit_code == 0, result.output
    text = pdf_text(pdf)
    assert text.index("各小组周得分走势") < text.index("个人周排名")  # in the order asked for
    assert C.PRIVATE in pdf_text(pdf, page=pdf_pages(pdf))  # the page header of 周排名-个人
    for bad in ([C.FORM_CERTIFICATE], ["没有这张表"]):
        result = CliRunner().invoke(app, ["print", str(book), "--sheet", bad[0]])
        assert result.exit_code == 1 and f"没有可打印的工作表“{bad[0]}”" in result.output and C.WEEK_GROUPS in result.output
    result = CliRunner().invoke(app, ["print", str(book), "--sheet", C.WEEK_GROUPS, "--date", "2026-11-10"])
    assert result.exit_code == 1 and "--sheet" in result.output


def test_week_and_month_posters_praise_only(book, tmp_path):
    if find_font() is None:
        pytest.fail("no Chinese font on this machine (apt-get install fonts-noto-cjk)")
    folder = tmp_path / "喜报"
    report = week(book, poster=folder)
    summary = report.data["summary"]
    (path, drawn), = report.data["posters"]
    assert path == folder / "初二(3)班-喜报-第11周.png"
    img = Image.open(path)
    assert img.size[0] == 1080 and 1000 <= img.size[1] <= 4000
    names = dict(zip(summary.groups[C.GROUP_NO], summary.groups[C.GROUP_TEAM_NAME]))
    joined = "".join(drawn)
    assert "初二(3)班" in joined and "第11周" in joined and "2026年11月13日" in joined
    for g in summary.stars:
        assert f"第{g}组 {names[g]}" in drawn
    for g in summary.devils:
        if g not in summary.stars + summary.progress:
            assert f"第{g}组" not in joined
    # every member of the star group is named (by 分组)
    star_members = set(summary.people.loc[summary.people[C.GROUP_NO] == summary.stars[0], C.GROUP_NAME_COL])
    assert all(n in joined for n in star_members)
    assert praise_only(drawn) == [] and not any(w in joined for w in FORBIDDEN)
    assert not any(f"{v:g}" in joined for v in summary.groups[C.COL_TOTAL] if v >= 40)  # no week's score
    mreport = month(book, "2026-11", poster=folder)
    (mpath, mdrawn), = mreport.data["posters"]
    assert mpath.name == "初二(3)班-喜报-2026年11月.png" and Image.open(mpath).size[0] == 1080
    stars = mreport.data["stars"]
    assert any(isinstance(w, str) and w for w in stars[C.GROUP_NAME_COL])  # some star was won and must be drawn
    for star, who in zip(stars[C.COL_AWARD], stars[C.GROUP_NAME_COL]):
        if isinstance(who, str) and who:
            assert f"★ {star} ★" in mdrawn and who in "".join(mdrawn)
    assert praise_only(mdrawn) == []
    # the Excel door's operation: both pictures, no sheet changed
    from xlzu.book.files import FileBook

    def sheets() -> dict:
        opened = FileBook.open(book)
        return {s: opened.read_values(s) for s in opened.sheet_names() if s != C.CONSOLE}

    before = sheets()
    again = posters(book, tmp_path / "again")
    assert len(again.data["posters"]) == 2
    assert sheets() == before  # only 控制台's run log is written


def test_praise_only_catches_what_must_not_be_shared():
    assert praise_only(["第3组 雄鹰队", "初二(3)班", "2026年11月27日", "第13周（11月23日—11月27日）"]) == []
    assert praise_only(["魔鬼小组：第6组", "本周 165 分", "综合名次 1", "期末考试"]) == \
        ["魔鬼小组：第6组", "本周 165 分", "综合名次 1", "期末考试"]


def test_draw_draws_exactly_what_it_was_given(tmp_path):
    if find_font() is None:
        pytest.fail("no Chinese font on this machine (apt-get install fonts-noto-cjk)")
    names = "、".join(f"同学{chr(0x4E00 + k)}{chr(0x4E10 + k)}" for k in range(9))
    poster = Poster("初一(1)班", "第2周（9月7日—9月11日）", [Entry("本周明星小组", "第2组 追梦队", ["大组长：张三", f"组员：{names}"])],
                    date(2026, 9, 11), school="竹市镇中学")
    drawn = draw(poster, tmp_path / "p.png")
    assert drawn[0] == "喜 报" and "竹市镇中学 初一(1)班" in drawn
    # a long list of members wraps between names, never inside one
    lines = [d for d in drawn if "同学" in d and "祝贺" not in d]
    assert len(lines) >= 2 and all(line.rstrip("、").split("、")[-1].startswith("同学") for line in lines)
    assert "".join(lines) == f"组员：{names}"


def test_excel_door_draws_both_posters_and_changes_no_sheet(book, tmp_path, monkeypatch):
    """xlzu.excel.share_poster on the remote engine: the workbook has no folder there, so the
    pictures go to 文档 (here a temporary home); the only sheet written is 控制台's log."""
    import xlzu.excel as X
    from remote import by_sheet, live_run, payload

    if find_font() is None:
        pytest.fail("no Chinese font on this machine (apt-get install fonts-noto-cjk)")
    week(book)
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    data = payload(book)
    report, actions = live_run(data, X.share_poster)
    assert report is not None and len(report.data["posters"]) == 2
    made = sorted(p.name for p in (home / "Documents").iterdir())
    assert made == ["初二(3)班-喜报-2026年11月.png", "初二(3)班-喜报-第11周.png"]
    assert set(by_sheet(data, actions)) <= {C.CONSOLE, ""}
    assert all(praise_only(drawn) == [] for _, drawn in report.data["posters"])


def test_sheets_with_individual_ranks_or_exam_figures_say_they_stay_with_the_teacher(book, class_book):
    from openpyxl import load_workbook

    assert load_workbook(class_book)[C.EXAMS].oddHeader.right.text == C.PRIVATE  # a new class's 考试成绩
    week(book)
    wb = load_workbook(book)
    assert wb[C.WEEK_PEOPLE].oddHeader.right.text == C.PRIVATE and C.PRIVATE in wb[C.WEEK_PEOPLE]["A2"].value
    assert wb[C.WEEK_GROUPS].oddHeader.right.text in (None, "")  # groups, not individuals: for the wall
    assert wb[C.WEEK_PEOPLE].print_title_rows == "$1:$4" and wb[C.WEEK_PEOPLE].page_setup.orientation == "portrait"
