"""规则说明: the rules in Chinese, written from the class's own 设置 — changed
by typing into 设置, the sheet follows; printed, it is readable; the
README's teacher part carries the same text for the default 设置."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from xlzu import contract as C
from xlzu.cli import app
from xlzu.rules import explain, rules_markdown
from xlzu.settings import DEFAULT

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent


def sheet_text(path: Path) -> str:
    ws = openpyxl.load_workbook(path)[C.RULES]
    return "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)


def set_basic(path: Path, **values) -> None:
    """Type values into 设置's 【基本设置】 by their labels, as a teacher would."""
    wb = openpyxl.load_workbook(path)
    ws = wb[C.SETTINGS]
    rows = {str(ws.cell(r, 1).value).strip(): r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}
    for label, value in values.items():
        ws.cell(rows[label], 2).value = value
    wb.save(path)


def test_a_new_class_has_its_rules(class_book):
    text = sheet_text(class_book)
    assert f"初二(3)班　{C.RULES_TITLE}" in text
    for title, lines in explain(DEFAULT.with_changes(class_name="初二(3)班")):
        assert title in text
        assert all(line in text for line in lines)
    # The figures of the default 设置 are stated.
    assert "0.5 × 所在小组周得分" in text and "前 20 名以内" in text and "前 10 名以内" in text
    assert "1=5 2=4 3=3 4=2 5=1" in text and "A=3 B=2 C=1 D=0" in text


def test_the_sheet_follows_changed_settings(class_book):
    set_basic(class_book, 小组捆绑权重=0.8, **{"明星组长-总分名次": 15, "明星组长-进步名次": 5,
                                          "魔鬼小组称号": "待进步小组", "每天节数": 6})
    result = runner.invoke(app, ["rules", str(class_book)])
    assert result.exit_code == 0, result.output
    text = sheet_text(class_book)
    assert "0.8 × 所在小组周得分" in text and "小组得分的 80%" in text and "0.5 ×" not in text
    assert "前 15 名以内" in text and "前 5 名以内" in text and "前 20 名" not in text
    assert "待进步小组：本周得分最低的小组" in text and "魔鬼小组" not in text
    assert "每天 6 节" in text and "每天 7 节" not in text


def test_changed_points_and_items_follow(class_book):
    wb = openpyxl.load_workbook(class_book)
    ws = wb[C.SETTINGS]
    rows = {str(ws.cell(r, 1).value).strip(): r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}
    ws.cell(rows[C.RULE_CODE_LABELS["preview"]], 8).value = "A=5,B=3,C=1,D=0"
    wb.save(class_book)
    runner.invoke(app, ["rules", str(class_book)])
    text = sheet_text(class_book)
    assert "A=5 B=3 C=1 D=0" in text and "A=3 B=2" not in text


def test_the_weekly_summary_refreshes_the_rules(demo_run, tmp_path):
    import shutil

    from xlzu.demo import DEMO_WORKBOOK

    # The demo class after a term, its 设置 then changed and a week summarised again.
    path = tmp_path / DEMO_WORKBOOK
    shutil.copy(demo_run[0] / DEMO_WORKBOOK, path)
    set_basic(path, 小组捆绑权重=1.5)
    result = runner.invoke(app, ["week", str(path)])
    assert result.exit_code == 0, result.output
    assert "1.5 × 所在小组周得分" in sheet_text(path)


def test_rules_print_readably(class_book, tmp_path, soffice, poppler):
    from printcheck import pages
    from xlzu.pdf import print_sheets

    printed = pages(print_sheets(class_book, [C.RULES], tmp_path / "rules.pdf"), grid=False)
    assert len(printed) <= 2
    for page in printed:
        body = [w.size for w in page.words if w.size and w.y1 < page.height - 72 * 0.6]  # the footer is 11 pt
        assert min(body) >= 11.9, page.number  # 12 pt body, 14 pt headings
        assert max(w.x1 for w in page.words) <= page.width - 72 * 0.4
    # Rows are as tall as their wrapped lines: no two lines of text overlap.
    for page in printed:
        lines = sorted({(round(w.y0, 1), round(w.y1, 1)) for w in page.words})
        assert all(b[0] >= a[1] - 0.5 for a, b in zip(lines, lines[1:])), page.number


def test_the_readme_states_the_rules_in_chinese():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert rules_markdown(DEFAULT) in readme, "README's 评分规则 section is stale: paste rules_markdown(DEFAULT)"
