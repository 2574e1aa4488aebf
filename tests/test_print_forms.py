"""The daily forms on paper: printed through LibreOffice and measured from
the PDF (text size from word widths, the ruled table from a rendering).

Every form of a day, for the default 设置 and for a crowded one (9 subjects
and 8 periods), must print its text at 10 pt or more (五号 10.5 pt where it
fits), its table covering at least 70 % of the printable height, no header
word broken across lines, no 0 in an untouched 合计, the date shown once."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from xlzu import contract as C
from xlzu import new_class
from xlzu.demo import demo_roster_path
from xlzu.ops.daybook import daily, print_daily
from xlzu.paper import words

from groupsheet import write_groups
from printcheck import Page, pages

DAY = date(2026, 11, 24)
N_GROUPS = 7
MIN_SIZE = 9.95  # 10 pt, less what measuring word widths from the PDF can be off by
MIN_COVER = 0.70


def _edit_settings(path: Path, subjects: tuple[str, ...], periods: int) -> None:
    """Add subjects (previewed every day) and set 每天节数 by typing into 设置."""
    wb = load_workbook(path)
    ws = wb[C.SETTINGS]
    rows = {str(ws.cell(r, 1).value).strip(): r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}
    ws.cell(rows["每天节数"], 2, periods)
    r = rows[C.SECTION_SUBJECTS] + 2
    while ws.cell(r, 1).value not in (None, ""):
        r += 1
    ws.insert_rows(r, len(subjects))
    for k, subject in enumerate(subjects):
        ws.cell(r + k, 1, subject)
        ws.cell(r + k, 2, "每天")
    wb.save(path)


def _print(path: Path, pdf: Path) -> SimpleNamespace:
    forms = daily(path, DAY).data["forms"]
    print_daily(path, DAY, pdf)
    wb = load_workbook(path)
    return SimpleNamespace(path=path, forms=forms, pages=pages(pdf), wb=wb)


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    """The default 设置, 7 groups, one blank day printed."""
    path = tmp_path_factory.mktemp("plain") / "班级.xlsx"
    new_class(path, demo_roster_path(), class_name="初二(3)班")
    write_groups(path, N_GROUPS)
    return _print(path, path.with_suffix(".pdf"))


@pytest.fixture(scope="module")
def crowded(plain, tmp_path_factory):
    """9 subjects (three added, one of them five characters) and 8 periods."""
    path = tmp_path_factory.mktemp("crowded") / "班级.xlsx"
    shutil.copy(plain.path, path)
    _edit_settings(path, ("生物", "地理", "道德与法治"), 8)
    return _print(path, path.with_suffix(".pdf"))


def _printable_height(ws, page: Page) -> float:
    return page.height - 72 * (ws.page_margins.top + ws.page_margins.bottom)


def _header_labels(form) -> tuple[list[str], str]:
    """Every header text of a form, line by line, except those set to stand
    vertically (one character per line by design), and those characters."""
    stacked = {ref for ref, key in form.layout.styles if key == "vheader"}
    from xlzu.layout import cell_ref

    first_body = min(r for r, _ in form.rows)
    labels, upright = [], ""
    for r in range(3, first_body):
        for c, v in enumerate(form.layout.rows[r - 1], start=1):
            if isinstance(v, str) and cell_ref(r, c) not in stacked:
                labels += [line for line in v.split("\n") if line]
            elif isinstance(v, str):
                upright += v
    return labels, upright


def _broken(page: Page, labels: list[str], upright: str, top: float, bottom: float) -> list[str]:
    """Pieces of header text on the page that end or start inside a word of
    the label they belong to (文明礼 + 仪)."""
    found = [w.text for w in page.words if top <= w.cy <= bottom]
    bad = []
    for piece in found:
        if len(piece) == 1 and piece in upright:
            continue  # a character of a header standing vertically
        owners = [label for label in labels if piece in label and piece != label]
        if not owners:
            continue
        ok = False
        for label in owners:
            ends = {0}
            k = 0
            for w in words(label):
                k += len(w)
                ends.add(k)
            start = label.find(piece)
            while start != -1:
                if start in ends and start + len(piece) in ends:
                    ok = True
                start = label.find(piece, start + 1)
        if not ok and not any(piece == label for label in labels):
            bad.append(piece)
    return bad


@pytest.mark.parametrize("case", ["plain", "crowded"])
def test_every_form_fills_its_page_at_a_writable_size(case, request, soffice, poppler):
    printed = request.getfixturevalue(case)
    assert len(printed.pages) == N_GROUPS + 1  # one page per form
    for form, page in zip(printed.forms, printed.pages):
        ws = printed.wb[form.sheet]
        sizes = page.sizes()
        assert sizes and sizes[0] >= MIN_SIZE, (form.sheet, sizes[:5])
        assert page.grid is not None, form.sheet
        _, top, _, bottom = page.grid
        cover = (bottom - top) / _printable_height(ws, page)
        assert cover >= MIN_COVER, (form.sheet, round(cover, 3))
        # Rows a digit can be written in: every body row of the saved sheet at least 24 pt (8.5 mm).
        heights = {r: ws.row_dimensions[r].height for r in range(3, form.rows[-1][0] + 1)}
        assert all(heights[r] is not None and heights[r] >= 24 for r, _ in form.rows), (form.sheet, heights)
        header_bottom = top + sum(heights[r] or 15 for r in range(3, form.rows[0][0]))  # printed at 100 %
        assert _broken(page, *_header_labels(form), top, header_bottom) == [], form.sheet
        if case == "plain":  # the default 设置 prints at 五号 (10.5 pt) everywhere
            assert sizes[0] >= 10.4, (form.sheet, sizes[:3])


def test_blank_forms_print_no_totals_and_the_date_once(plain, soffice, poppler):
    for form, page in zip(plain.forms, plain.pages):
        text = page.text()
        assert text.count("2026年11月24日") == 1, form.sheet
        assert "2026-11-24" not in text  # the date the program reads is not printed
        assert "0" not in [w.text for w in page.words], form.sheet  # nothing typed: no 0 in 合计
    # The formulas are there and blank: LibreOffice's recalculated values.
    from xlzu.pdf import convert

    recalc = load_workbook(convert(plain.path, "xlsx", plain.path.parent / "recalc"), data_only=True)
    for form in plain.forms:
        assert str(plain.wb[form.sheet].cell(form.rows[0][0], form.total_col).value).startswith("=IF(")
        assert [recalc[form.sheet].cell(r, form.total_col).value for r, _ in form.rows] == [None] * len(form.rows)


def test_the_crowded_class_sheet_stands_its_rule_names_up(crowded):
    cls = crowded.forms[0]
    assert cls.kind == "class"
    assert any(key == "vheader" for _, key in cls.layout.styles)
    items = [e.item for _, e in cls.entries]
    assert "道德与法治预习" in items and "第8节名次" in items


# --------------------------------------------------------------------------
# 设置 and 花名册 on paper
# --------------------------------------------------------------------------
def test_settings_and_roster_print_readably(plain, tmp_path, soffice, poppler):
    from xlzu.pdf import print_sheets

    # both sheets printed in one LibreOffice run, 设置 first, each from a new page: 花名册's pages are the
    # ones its page header (its title, on each of its pages) heads, 设置's the pages before them
    both = pages(print_sheets(plain.path, [C.SETTINGS, C.ROSTER], tmp_path / "both.pdf"), grid=False)

    def headed(page: Page, title: tuple[str, ...]) -> bool:
        top = [w.text for w in page.words if w.y1 < page.words[0].y1 + 30]  # the first line(s)
        return all(any(part in t for t in top) for part in title)

    roster = next((k for k, page in enumerate(both) if k and headed(page, ("初二(3)班", "花名册"))), None)
    assert roster, [p.text()[:30] for p in both]
    for sheet, most_pages, title in ((C.SETTINGS, 3, ("初二(3)班", "设置")), (C.ROSTER, 2, ("初二(3)班", "花名册"))):
        printed = both[:roster] if sheet == C.SETTINGS else both[roster:]
        assert len(printed) <= most_pages, sheet
        top = [w.text for w in printed[0].words if w.y1 < printed[0].words[0].y1 + 30]  # the first line(s)
        assert all(any(part in t for t in top) for part in title), (sheet, top)
        for page in printed:
            assert page.sizes()[0] >= MIN_SIZE, (sheet, page.number, page.sizes()[:3])
            # One page wide: nothing printed past the right margin.
            assert max(w.x1 for w in page.words) <= page.width - 72 * 0.3, (sheet, page.number)
        text = "".join(p.text() for p in printed)
        if sheet == C.SETTINGS:  # the rule codes in Chinese, no English
            assert all(label in text for label in C.RULE_CODE_LABELS.values())
            assert not any(key in text for key in C.RULE_CODE_LABELS)


def test_the_broken_word_check_catches_a_break_inside_a_word():
    from printcheck import Word

    def page(*texts: str) -> Page:
        return Page(1, 600, 800, [Word(t, 0, 10 + 12 * k, 10 * len(t), 20 + 12 * k) for k, t in enumerate(texts)], None)

    labels = ["文明礼仪", "-5～5", "讨论/纠错", "预习"]
    assert _broken(page("文明", "礼仪", "-5～5", "讨论/纠错", "预习"), labels, "", 0, 800) == []
    assert _broken(page("文明礼", "仪"), labels, "", 0, 800) == ["文明礼", "仪"]
    assert _broken(page("讨论/纠", "错"), labels, "", 0, 800) == ["讨论/纠", "错"]
    assert _broken(page("预", "习"), labels, "预习", 0, 800) == []  # standing vertically: one character a line
