"""Sheets that print readably, printed through LibreOffice from the demo
class of the docs pictures (two weeks of records, every run logged on
控制台): 控制台 on one page with its title, help lines and the 运行记录
table whole; 设置 with its labels unclipped and each section's title on
the page of its table; 分组 and 周历史 titled; 座位表's caption inside the
page."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from conftest import pdf_pages, pdf_text, pdf_words
from xlzu import console
from xlzu import contract as C
from xlzu.pdf import print_sheets

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    name = "xlzu_docs_pictures"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / "docs_pictures.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name].build(tmp_path_factory.mktemp("printed")).path


ORDER = (C.CONSOLE, C.SETTINGS, C.GROUPS, C.WEEK_HISTORY, C.SEATS)


@pytest.fixture(scope="module")
def printed(demo, tmp_path_factory) -> dict[str, SimpleNamespace]:
    """The five sheets printed in one LibreOffice run, in ORDER, each from a
    new page: sheet → its page numbers, its words (pdf_words) and its text.
    Each sheet's first page is the first page after the sheet before's
    whose first line is its title (its page header, printed on each of its
    pages, or else its A1 title, printed on its first); its pages run to
    the next sheet's first page."""
    from conftest import need_tool

    for tool in ("soffice", "pdftotext", "pdfinfo"):
        need_tool(tool)
    pdf = print_sheets(demo, ORDER, tmp_path_factory.mktemp("printed-pdf") / "sheets.pdf")
    n = pdf_pages(pdf)
    wb = load_workbook(demo)

    def plain(text) -> str:
        return "".join(str(text or "").split())

    heads = [plain(pdf_text(pdf, k).strip().split("\n")[0]) for k in range(1, n + 1)]
    starts: list[int] = []
    for sheet in ORDER:
        title = plain(wb[sheet].oddHeader.center.text or wb[sheet]["A1"].value)
        start = next((k for k in range((starts[-1] if starts else 0) + 1, n + 1) if heads[k - 1] == title), None)
        assert start, (sheet, title, heads)
        starts.append(start)
    assert starts[0] == 1
    words = pdf_words(pdf)
    out = {}
    for sheet, first, after in zip(ORDER, starts, starts[1:] + [n + 1]):
        pages = list(range(first, after))
        out[sheet] = SimpleNamespace(pages=pages, words=[w for w in words if w["page"] in pages],
                                     text="".join(pdf_text(pdf, k) for k in pages), first_page=pdf_text(pdf, first))
    return out


def test_console_prints_on_one_page_with_its_log_whole(demo, printed, soffice, poppler):
    printed = printed[C.CONSOLE]
    assert len(printed.pages) == 1
    words = printed.words
    w, h = words[0]["width"], words[0]["height"]
    assert h > w  # portrait
    assert all(x["x0"] >= 20 and x["x1"] <= w - 20 for x in words)  # nothing runs off the page's sides
    text = "".join(x["text"] for x in words)
    ws = load_workbook(demo)[C.CONSOLE]
    values = [[c.value for c in row] for row in ws.iter_rows(max_col=3)]
    for row in values[: C.CONSOLE_MESSAGES_ROW]:  # title, every help line, 运行记录 and the header
        for v in row:
            if v:
                assert str(v).replace(" ", "") in text, v
    # the print area ends at the last run it holds; every message of those runs is printed whole
    last = int(ws.print_area.split("$")[-1])
    assert last >= C.CONSOLE_MESSAGES_ROW + 25
    messages = [row[2] for row in values[C.CONSOLE_MESSAGES_ROW:last] if row[2]]
    assert any(console.message_lines(m) > 1 for m in messages)  # some wrap inside the 消息 column
    for m in messages:
        assert str(m).replace(" ", "") in text, m
    # the newest run first; the page is printed at a readable size (a row of text ≥ 8 pt tall)
    stamps = [x for x in words if x["text"].count(":") == 1 and x["text"][:2].isdigit()]
    assert stamps and min(x["y1"] - x["y0"] for x in stamps) >= 8
    # wrapped lines do not print over each other (no two words' boxes overlap by more than a sliver)
    for i, a in enumerate(words):
        for b in words[i + 1:]:
            dx = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
            dy = min(a["y1"], b["y1"]) - max(a["y0"], b["y0"])
            assert dx <= 1 or dy <= 0.3 * min(a["y1"] - a["y0"], b["y1"] - b["y0"]), (a["text"], b["text"])


def test_settings_labels_whole_and_sections_kept_with_their_tables(demo, printed, soffice, poppler):
    printed = printed[C.SETTINGS]
    n = len(printed.pages)
    words = printed.words
    text = printed.text
    for label in ("分层权重-学习品质", "明星组长-总分名次", "明星组长-进步名次"):
        assert label in text.replace(" ", "")
    # 上课日's value stays inside its cell: it ends left of where its hint starts
    value = next(x for x in words if x["text"].startswith("一,二,三"))
    hint = next(x for x in words if x["text"].startswith("用逗号") and abs(x["y1"] - value["y1"]) < 3)
    assert value["x1"] < hint["x0"]
    # every section title is followed on its page by its table's header
    titles = [x for x in words if x["text"].startswith("【")]
    assert len(titles) == 6
    for t in titles:
        below = [x for x in words if x["page"] == t["page"] and x["y0"] > t["y1"] - 1]
        assert below, f"{t['text']} is alone at the bottom of page {t['page']}"
    assert n <= 3
    ws = load_workbook(demo)[C.SETTINGS]
    assert ws.row_breaks.brk  # the sections are kept whole by manual page breaks


def test_groups_and_week_history_are_titled_and_the_seat_caption_fits(printed, soffice, poppler):
    groups, history, seats = printed[C.GROUPS], printed[C.WEEK_HISTORY], printed[C.SEATS]
    assert groups.first_page.split()[:2] == ["初二(3)班", "分组"]
    assert "初二(3)班 周历史" in history.first_page.split("\n")[0].replace("　", " ").strip()
    words = seats.words
    w = words[0]["width"]
    caption = [x for x in words if x["y0"] < 120 and x["text"] not in ("初二(3)班", "座位表")]
    assert caption and all(x["x0"] >= 10 and x["x1"] <= w - 10 for x in words)
    assert "面对面坐的两人是学习对子" in seats.text.replace(" ", "")
