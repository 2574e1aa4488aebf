"""The offline page (离线版) in a real browser: Debian's Chromium, headless.

One browser session drives the whole flow a teacher follows: a new class
from a roster, 自动分组, a day's 日表 typed with openpyxl between steps
(download, type, upload), 保存日表, 一键周汇总.  The same steps run through
the command line on the same roster and entries; both workbooks must hold
the same values.  The page must make no network request.

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
    for args in (["save", str(cli)], ["week", str(cli), "--week", DAY]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    seen["cli_book"] = cli
    return seen


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
