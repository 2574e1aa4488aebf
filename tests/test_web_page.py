"""The offline page (离线版) in a real browser: Debian's Chromium, headless.

One browser session drives the whole flow a teacher follows: a new class
from a roster, 自动分组, a day's 日表 typed with openpyxl between steps
(download, type, upload), 保存日表, 一键周汇总.  The same steps run through
the command line on the same roster and entries; both workbooks must hold
the same values.  After the class flow the same session runs 校级评比 on the
page's class and two classes made natively (refused first with the same
class twice), and a new class with another class's 设置 (settings-from); both
are compared with the same library calls made here.  The page must make no
network request.

The page is built once per session from the download cache (see
tests/webpage.py); building it the first time needs npm and PyPI.
"""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from formfill import Typed, points_by_key, type_day
from webpage import Page, browser_missing, built_page

DAY = "2026-11-23"  # a Monday of the default term
CLASS = "初二(3)班"


def _need_browser() -> None:
    why = browser_missing()
    if why:
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)


@pytest.fixture(scope="module")
def page_html() -> Path:
    _need_browser()
    return built_page()


@pytest.fixture(scope="module")
def flow(page_html: Path, tmp_path_factory) -> dict:
    """The whole teacher's flow in one browser session; returns what it saw."""
    from xlzu.demo import demo_roster_path

    tmp = tmp_path_factory.mktemp("web")
    downloads = tmp / "downloads"
    downloads.mkdir()
    grade = grade_classes(tmp / "grade")
    page = Page(page_html, downloads)
    seen: dict = {"ops": {}}
    try:
        seen["ready_seconds"] = page.wait_ready(timeout=180)
        seen["state_after_load"] = page.state()

        page.upload("roster", demo_roster_path())
        page.set_option("class_name", CLASS)
        seen["ops"]["new"] = page.run("new")
        book = page.downloaded(f"{CLASS}.xlsx")
        seen["new_book"] = keep(book, tmp / "1-new.xlsx")

        # A refusal: no groups yet, so no daily sheets; the page names why.
        page.upload("workbook", book)
        page.set_option("date", DAY, op="daily")
        seen["ops"]["daily_refused"] = page.run("daily")
        page.clear_downloads()

        page.upload("workbook", book)
        seen["ops"]["group"] = page.run("group")
        book = page.downloaded(f"{CLASS}.xlsx")

        seen["ops"]["daily"] = page.run("daily")
        book = page.downloaded(f"{CLASS}.xlsx")
        typed = Typed()
        type_day(book, random.Random(15), typed)
        seen["typed"] = typed
        page.upload("workbook", book)
        seen["ops"]["save"] = page.run("save")
        book = page.downloaded(f"{CLASS}.xlsx")

        page.set_option("week", DAY)
        seen["ops"]["week"] = page.run("week")
        book = page.downloaded(f"{CLASS}.xlsx")
        seen["book"] = keep(book, tmp / "5-week.xlsx")

        # 校级评比: the same class twice is refused; then three classes for November.
        ours = keep(book, grade / f"{CLASS}.xlsx")
        page.upload_many("classes", [ours, keep(book, tmp / f"{CLASS}-副本.xlsx")])
        seen["ops"]["school_refused"] = page.run("school")
        seen["school_classes"] = [ours, *grade_others(grade)]
        page.upload_many("classes", seen["school_classes"])
        page.set_option("school_month", "2026-11")
        page.set_option("school_date", SCHOOL_DAY)
        seen["ops"]["school"] = page.run("school")
        seen["school_book"] = keep(page.downloaded(SCHOOL_BOOK), tmp / SCHOOL_BOOK)
        # The term, into that school workbook opened again.
        page.upload("school", seen["school_book"])
        page.set_option("school_term", True)
        seen["ops"]["school_term"] = page.run("school")
        seen["school_term_book"] = keep(page.downloaded(SCHOOL_BOOK), tmp / f"term-{SCHOOL_BOOK}")

        # A new class with another class's 设置.
        page.upload("roster", demo_roster_path())
        page.upload("settings-from", grade / OTHERS[0])
        page.set_option("class_name", "初二(5)班")
        seen["ops"]["new_settings_from"] = page.run("new")
        seen["settings_from_book"] = keep(page.downloaded("初二(5)班.xlsx"), tmp / "初二(5)班.xlsx")
        seen["network"] = page.network_requests()
        seen["all_requests"] = page.request_urls()
    finally:
        page.close()

    # The same steps through the command line.
    cli = tmp / "cli" / f"{CLASS}.xlsx"
    cli.parent.mkdir()
    runner = CliRunner()
    from xlzu.cli import app

    for args in (["new", str(cli), "--roster", str(demo_roster_path()), "--class-name", CLASS],
                 ["group", str(cli)], ["daily", str(cli), "--date", DAY]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    type_day(cli, random.Random(15), Typed())
    for args in (["save", str(cli)], ["week", str(cli), "--week", DAY, "--no-poster"]):  # the page draws no 喜报
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    seen["cli_book"] = cli
    return seen


SCHOOL_BOOK = "年级评比.xlsx"
SCHOOL_DAY = "2026-11-30"
OTHERS = ("初二(4)班.xlsx", "初二(6)班.xlsx")


def grade_classes(d: Path) -> Path:
    """Two more classes of the grade, made natively: 初二(4)班 with a changed
    名次 rule on 设置, 初二(6)班 started from its 设置; a week of records from
    Nov 23 (the page's class has that Monday only)."""
    from history import fill_weeks
    from test_school import set_rule_mapping
    from xlzu.grouping import synthetic_class
    from xlzu.ops import group, new_class

    d.mkdir()
    for k, name in zip((4, 6), OTHERS):
        csv = d / f"名单{k}.csv"
        synthetic_class(30 + k, seed=k).to_csv(csv, index=False)
        extra = {"settings_from": d / OTHERS[0]} if k == 6 else {}
        new_class(d / name, csv, class_name=name.removesuffix(".xlsx"), **extra)
        if k == 4:
            set_rule_mapping(d / name, "place", "1=6,2=4,3=3,4=2,5=1")
        group(d / name, seed=k)
        fill_weeks(d / name, 1, first_week=13, seed=k)
    return d


def grade_others(d: Path) -> list[Path]:
    return [d / name for name in OTHERS]


def keep(path: Path, where: Path) -> Path:
    shutil.copy2(path, where)
    return where


def test_page_loads_and_every_operation_succeeds(flow):
    assert flow["state_after_load"] == "ready"
    for op in ("new", "group", "daily", "save", "week"):
        entry = flow["ops"][op]
        assert entry["ok"], (op, entry["lines"])
        assert entry["lines"], op
        assert any("已下载" in n for n in entry["notes"]), entry["notes"]
    assert flow["ops"]["new"]["lines"][0] == f"已创建班级工作簿“{CLASS}.xlsx”（{CLASS}）。"


def test_a_refusal_is_shown_as_on_the_console(flow):
    entry = flow["ops"]["daily_refused"]
    assert not entry["ok"]
    assert entry["lines"][0] == "没有完成，工作簿未作其他改动："
    assert any("分组" in line for line in entry["lines"][1:]), entry["lines"]


def test_the_page_made_no_network_request(flow):
    assert flow["network"] == []
    # The flow did request things: the page itself, and the downloads as blob: URLs.
    assert any(u.startswith("file:") for u in flow["all_requests"])


def test_new_class_from_roster_in_the_page(flow):
    wb = load_workbook(flow["new_book"], read_only=True)
    assert {"设置", "花名册", "分组", "控制台"} <= set(wb.sheetnames)
    ids = [r[0] for r in wb["花名册"].iter_rows(min_row=2, values_only=True) if r[0] is not None]
    wb.close()
    from xlzu.demo import demo_roster_path

    expected = [line.split(",")[0] for line in demo_roster_path().read_text(encoding="utf-8-sig").splitlines()[1:] if line.strip()]
    assert [str(i) for i in ids] == expected


def test_typed_day_is_recorded_and_ranked_by_the_page(flow):
    person, group = points_by_key(flow["book"])
    typed = flow["typed"]
    assert typed.person and typed.group
    assert person == typed.person
    assert group == typed.group
    wb = load_workbook(flow["book"], read_only=True)
    assert {"周排名-小组", "周排名-个人", "周历史"} <= set(wb.sheetnames)
    rows = list(wb["周排名-小组"].iter_rows(values_only=True))
    wb.close()
    head = next(i for i, r in enumerate(rows) if r[:2] == ("名次", "组号"))
    total = rows[head].index("合计")
    ranked = [r for r in rows[head + 1:] if isinstance(r[0], int)]
    assert sorted(r[1] for r in ranked) == list(range(1, 8))  # the 7 groups, each once
    totals = [r[total] for r in ranked]
    assert totals == sorted(totals, reverse=True) and totals[0] > 0


def values(path: Path) -> dict[str, list[tuple]]:
    wb = load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        if ws.title == "控制台":  # its log rows carry the time of each run
            continue
        out[ws.title] = [tuple(c.value for c in row) for row in ws.iter_rows()]
    wb.close()
    return out


def test_page_and_command_line_make_the_same_workbook(flow):
    page, cli = values(flow["book"]), values(flow["cli_book"])
    assert list(page) == list(cli)
    for sheet in page:
        assert page[sheet] == cli[sheet], sheet


def test_console_lines_match_the_command_line(flow):
    """控制台 gets the same report lines from the page as from the CLI (times aside)."""
    def lines(path):
        wb = load_workbook(path, read_only=True)
        found = [tuple(v for v in r[1:] if v is not None) for r in wb["控制台"].iter_rows(values_only=True)]
        wb.close()
        return [r for r in found if r]

    assert lines(flow["book"]) == lines(flow["cli_book"])


def test_the_build_gives_the_same_bytes_for_the_same_inputs(page_html, tmp_path):
    """A second build, compiling the bytecode afresh (node) rather than taking
    it from the cache, writes the same file byte for byte; it fits in 40 MB."""
    from xlzu.web.build import build_page, cache_dir

    again = build_page(tmp_path / "离线版.html", cache=cache_dir(), reuse_compiled=False)
    assert again.read_bytes() == page_html.read_bytes()
    assert page_html.stat().st_size <= 40 * 1024 * 1024


def test_the_page_embeds_the_current_source(page_html):
    import base64
    import gzip
    import io
    import json
    import re
    import zipfile

    import xlzu

    html = page_html.read_text(encoding="utf-8")
    manifest = json.loads(re.search(r'<script type="application/json" id="xlzu-manifest">(.*?)</script>', html, re.S).group(1))
    entry = manifest["files"][manifest["source"]]
    blob = re.search(rf'<script type="application/x-base64" id="{entry["id"]}">(.*?)</script>', html, re.S).group(1)
    data = base64.b64decode(blob)
    if entry.get("encoding") == "gzip":
        data = gzip.decompress(data)
    package = Path(xlzu.__file__).parent
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.read("xlzu/ops/summary.py") == (package / "ops" / "summary.py").read_bytes()
        assert z.read("xlzu/web/inpage.py") == (package / "web" / "inpage.py").read_bytes()


def test_an_import_the_page_cannot_satisfy_stops_the_build(page_html, tmp_path):
    """An import the static check cannot see (made at run time) is caught when
    the build imports xlzu in the page's own Pyodide: the build fails, naming it."""
    import xlzu
    from xlzu.web.build import WebBuildError, cache_dir, collect

    pkg = tmp_path / "xlzu"
    shutil.copytree(Path(xlzu.__file__).parent, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    (pkg / "poster.py").write_text('import importlib\n\nImage = importlib.import_module("PIL.Image")\n', encoding="utf-8")
    with pytest.raises(WebBuildError) as err:
        collect(cache_dir(), package_dir=pkg, reuse_compiled=False)
    assert "xlzu 在离线版的 Pyodide 中无法导入" in str(err.value)
    assert "No module named 'PIL'" in str(err.value)


# --------------------------------------------------------------------------
# 校级评比 and settings-from in the page
def test_school_in_the_page_refuses_the_same_class_twice(flow):
    entry = flow["ops"]["school_refused"]
    assert not entry["ok"]
    assert entry["lines"][0] == "没有完成，工作簿未作其他改动："
    assert any("同一个班级给了两次" in line for line in entry["lines"][1:]), entry["lines"]


def test_school_in_the_page_gives_the_library_result(flow, tmp_path):
    """The school workbook downloaded from the page holds the values of
    xlzu.school run here on the same class files, for the month and then
    (the page's workbook opened again) the term; there are winners."""
    import xlzu
    from xlzu import contract as C

    entry = flow["ops"]["school"]
    assert entry["ok"], entry["lines"]
    assert any("已下载“年级评比.xlsx”" in n for n in entry["notes"]), entry["notes"]
    native = tmp_path / SCHOOL_BOOK
    report = xlzu.school(native, flow["school_classes"], month="2026-11", day=SCHOOL_DAY)
    assert entry["lines"] == list(report.lines)
    page, lib = values(flow["school_book"]), values(native)
    assert list(page) == list(lib)
    assert {C.SCHOOL_SETTINGS, C.SCHOOL_CLASSES, C.SCHOOL_MONTHLY, C.SCHOOL_CERTIFICATES} <= set(page)
    for sheet in page:
        assert page[sheet] == lib[sheet], sheet
    # The term, in the page into the same school workbook opened again.
    term = flow["ops"]["school_term"]
    assert term["ok"], term["lines"]
    report = xlzu.school(native, flow["school_classes"], term=True, day=SCHOOL_DAY)
    assert term["lines"] == list(report.lines)
    page_term, lib_term = values(flow["school_term_book"]), values(native)
    assert list(page_term) == list(lib_term)
    for sheet in page_term:
        assert page_term[sheet] == lib_term[sheet], sheet
    assert page_term[C.SCHOOL_MONTHLY] == page[C.SCHOOL_MONTHLY]  # the month kept
    results = [v for r in page_term[C.SCHOOL_TERM] for v in r]
    assert C.AWARD_SCHOOL_ADVANCED_GROUP in results and C.AWARD_SCHOOL_OUTSTANDING_MEMBER in results
    rows = page[C.SCHOOL_MONTHLY]
    head = next(i for i, r in enumerate(rows) if C.COL_MONTH in r and C.COL_CLASS in r)
    result = rows[head].index(C.COL_SCHOOL_RESULT)
    classes = {r[rows[head].index(C.COL_CLASS)] for r in rows[head + 1:] if r[0] == "2026-11"}
    assert classes == {CLASS, "初二(4)班", "初二(6)班"}
    assert any(r[result] for r in rows[head + 1:] if r[0] == "2026-11"), rows  # a 校级明星小组 is named


def test_new_class_with_settings_from_in_the_page(flow, tmp_path):
    """The page's 新建班级 with 沿用设置 gives the 设置 the library gives
    (the source's changed 名次 rule included, 班级名称 the new one's)."""
    from xlzu import contract as C
    from xlzu.demo import demo_roster_path
    from xlzu.ops import new_class

    entry = flow["ops"]["new_settings_from"]
    assert entry["ok"], entry["lines"]
    source = flow["school_classes"][1]
    native = tmp_path / "初二(5)班.xlsx"
    new_class(native, demo_roster_path(), class_name="初二(5)班", settings_from=source)
    page = values(flow["settings_from_book"])[C.SETTINGS]
    assert page == values(native)[C.SETTINGS]
    labels = {r[0]: r for r in reversed(page)}  # the first row of each label
    assert labels[C.RULE_CODE_LABELS["place"]][7] == "1=6,2=4,3=3,4=2,5=1"
    assert labels["班级名称"][1] == "初二(5)班"
