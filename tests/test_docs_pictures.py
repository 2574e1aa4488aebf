"""The pictures in docs/ of every printed sheet and of the 喜报 are not stale:
what each is rendered from (read back from the saved demo workbook: cells,
styles, merges, widths, heights, print setup, charts; for a 喜报 its texts
and drawing code) hashes to what docs/pictures.json recorded when
``python tools/docs_pictures.py`` last drew them.  No LibreOffice here."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from xlzu import contract as C
from xlzu.book.files import FileBook
from xlzu.ops.printing import printable_sheets
from xlzu.poster import praise_only

ROOT = Path(__file__).resolve().parent.parent


def _tool():
    name = "xlzu_docs_pictures"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / "docs_pictures.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="module")
def tool():
    return _tool()


@pytest.fixture(scope="module")
def built(tool, tmp_path_factory):
    return tool.build(tmp_path_factory.mktemp("docs-pictures"))


def _sheet(tool, name: str):
    return next(p for p in tool.PICTURES if p.name == name)


@pytest.fixture(scope="module")
def slim(tool, built, tmp_path_factory):
    """The demo workbook with only the sheets changed below: quick to load and save."""
    wb = load_workbook(built.path)
    for sheet in wb.sheetnames:
        if sheet not in (C.WEEK_GROUPS, C.WEEK_HISTORY, C.CONSOLE, C.CERTIFICATES):
            del wb[sheet]
    path = tmp_path_factory.mktemp("slim") / "slim.xlsx"
    wb.save(path)
    return tool.Built(path, dict(built.posters))


def test_docs_pictures_are_current(tool, built):
    recorded = json.loads((ROOT / "docs" / "pictures.json").read_text(encoding="utf-8"))
    names = [p.name for p in tool.PICTURES]
    assert len(set(names)) == len(names)
    assert list(recorded) == names
    for name in names:
        png = ROOT / "docs" / f"{name}.png"
        assert png.is_file() and 5_000 < png.stat().st_size <= 150_000, name
    now = tool.digests(built)
    stale = [name for name in names if now[name] != recorded[name]]
    assert stale == [], f"docs pictures out of date: {stale}; run python tools/docs_pictures.py {' '.join(stale)}"


def test_every_printable_sheet_is_pictured_or_a_plain_table(tool, built):
    pictured = {p.sheet for p in tool.PICTURES if isinstance(p, tool.Sheet)}
    printable = printable_sheets(FileBook.open(built.path))
    assert [s for s in printable if s not in pictured and s not in tool.NOT_PICTURED] == []
    # every pictured sheet is in the demo workbook, or in the copy its prepare function makes
    assert {p.sheet for p in tool.PICTURES if isinstance(p, tool.Sheet) and p.prepare is None} <= set(printable)
    for p in tool.PICTURES:
        if isinstance(p, tool.Sheet) and p.prepare is not None:
            assert p.sheet in printable_sheets(FileBook.open(tool.workbook_of(p, built))), p.name
    for sheet in (C.WEEK_GROUPS, C.WEEK_PEOPLE, C.WEEK_HISTORY, C.MONTHLY, C.COMPREHENSIVE, C.TERM_AWARDS,
                  C.CERTIFICATES, C.RULES, C.SETTINGS, C.ROSTER, C.GROUPS, C.SEATS, C.DAILY_CLASS):
        assert sheet in pictured, sheet
    assert {p.kind for p in tool.PICTURES if isinstance(p, tool.Shared)} == {"week", "month"}


def test_one_group_and_one_personal_certificate(tool, slim):
    ws = load_workbook(slim.path)[C.CERTIFICATES]
    group, person = tool.page_of(_sheet(tool, "certificate"), ws), tool.page_of(_sheet(tool, "certificate-person"), ws)
    assert group != person
    breaks = [b.id for b in ws.row_breaks.brk]
    values = [list(r) for r in ws.iter_rows(values_only=True)]

    def page_text(k):  # rows of page k (1-based), cut at the sheet's page breaks
        edges = [0] + breaks + [len(values)]
        return " ".join(str(v) for row in values[edges[k - 1]:edges[k]] for v in row if v is not None)

    assert "全体同学：" in page_text(group) and "组员" in page_text(group)
    assert "全体同学：" not in page_text(person) and "同学：" in page_text(person)


def test_the_pictured_posters_praise_only(built):
    for kind in ("week", "month"):
        texts = built.posters[kind].texts()
        assert texts and praise_only(texts) == [], kind


# --------------------------------------------------------------------------
# The digest can fail: it sees a change of each kind of what is rendered
# --------------------------------------------------------------------------
def _changed(tool, slim, tmp_path, name, change) -> bool:
    """Does ``change(worksheet)``, saved, change the digest of picture ``name``?"""
    picture = _sheet(tool, name)
    before = tool.digest_of(picture, slim)
    copy = tool.Built(tmp_path / "changed.xlsx", dict(slim.posters))
    wb = load_workbook(slim.path)
    change(wb[picture.sheet])
    wb.save(copy.path)
    return tool.digest_of(picture, copy) != before


def _height(ws):
    ws.row_dimensions[5].height = (ws.row_dimensions[5].height or 15) + 1


def _width(ws):
    ws.column_dimensions["B"].width = (ws.column_dimensions["B"].width or 8) + 1


def _value(ws):
    ws.cell(6, 3).value = "改"


def _face(ws):
    from copy import copy

    font = copy(ws["A1"].font)
    font.name = "Arial"
    ws["A1"].font = font


def _merge(ws):
    ws.merge_cells("A40:B40")


def _orientation(ws):
    ws.page_setup.orientation = "portrait" if ws.page_setup.orientation == "landscape" else "landscape"


def _footer(ws):
    ws.oddFooter.center.text = "第 &P 页"


def _margin(ws):
    ws.page_margins.left += 0.1


SHEET_CHANGES = {"a row height": _height, "a column width": _width, "a value": _value, "a face": _face,
                 "a merge": _merge, "the orientation": _orientation, "the footer": _footer, "a margin": _margin}


@pytest.mark.parametrize("what", list(SHEET_CHANGES))
def test_the_digest_sees_a_changed_sheet(tool, slim, tmp_path, what):
    assert _changed(tool, slim, tmp_path, "week-ranking", SHEET_CHANGES[what]), what


def test_the_digest_sees_a_changed_chart(tool, slim, tmp_path):
    def axis(ws):
        ws._charts[0].y_axis.scaling.min = 0

    def smooth(ws):
        for s in ws._charts[0].series:
            s.smooth = True

    assert load_workbook(slim.path)[C.WEEK_HISTORY]._charts, "周历史 has its chart"
    assert _changed(tool, slim, tmp_path, "week-history", axis)
    assert _changed(tool, slim, tmp_path, "week-history", smooth)


def test_the_digest_ignores_only_the_console_clock(tool, slim, tmp_path):
    def clock(ws):
        for row in ws.iter_rows(min_row=C.CONSOLE_MESSAGES_ROW + 1, max_col=1):
            if isinstance(row[0].value, str) and row[0].value[:2] == "20":
                row[0].value = "2031-01-02 03:04"

    def message(ws):
        ws.cell(C.CONSOLE_MESSAGES_ROW + 1, 3).value = "另一条消息"

    assert not _changed(tool, slim, tmp_path, "console", clock)
    assert _changed(tool, slim, tmp_path, "console", message)


def test_the_digest_sees_a_changed_poster(tool, built, monkeypatch):
    picture = _sheet(tool, "poster-week")
    before = tool.digest_of(picture, built)
    changed = tool.Built(built.path, dict(built.posters))
    p = built.posters["week"]
    changed.posters["week"] = type(p)(p.class_name, p.period, p.entries[:1], p.day, p.school)
    assert tool.digest_of(picture, changed) != before  # what it says
    monkeypatch.setattr(tool.poster, "PAD", tool.poster.PAD + 1)
    assert tool.digest_of(picture, built) != before  # how it is drawn


def test_readme_shows_every_picture(tool):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert tool.readme_section() in readme, "README out of date: run python tools/docs_pictures.py"
    for p in tool.PICTURES:
        assert f"](docs/{p.name}.png)" in readme, p.name
