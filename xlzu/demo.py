"""``xlzu demo``: the bundled sample class, taken through every operation."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Callable

DEMO_CLASS_NAME = "初二(3)班"
DEMO_WORKBOOK = "示例班级.xlsx"


def demo_roster_path() -> Path:
    """The synthetic sample class shipped inside the package (52 students)."""
    return Path(str(resources.files("xlzu") / "data" / "demo_roster.csv"))


def run_demo(directory: str | Path, echo: Callable[[str], None] = print) -> Path:
    """Build the demo workbook in ``directory`` and run every operation on it.
    Returns the workbook's path."""
    from .ops.classbook import new_class

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    book = directory / DEMO_WORKBOOK
    echo(f"== 1. 新建班级：{book}")
    report = new_class(book, demo_roster_path(), class_name=DEMO_CLASS_NAME, force=True)
    for line in report.lines:
        echo(line)
    summaries_step(book, echo)
    echo(f"完成。示例工作簿：{book.resolve()}")
    return book


def summaries_step(book: Path, echo: Callable[[str], None] = print) -> bool:
    """The week's ranking, the month's stars, the comprehensive evaluation and
    the term's certificates, from the records the earlier steps saved.
    Returns False (and says so) when there are no records yet."""
    from . import contract as C
    from .book.files import FileBook
    from .ops.summary import month, review, term, week, week_table_text

    opened = FileBook.open(book)
    if not any(len(opened.read_values(s)) > 1 for s in (C.GROUP_RECORDS, C.PERSON_RECORDS) if opened.has_sheet(s)):
        echo("== 周汇总、月度评比、期末评比：还没有记录（分组和日表步骤保存记录后才会运行）。")
        return False
    if _fill_demo_exams(opened):
        opened.save()
    echo("== 一键周汇总（xlzu week）")
    report = week(book)
    echo(week_table_text(report))
    for line in report.lines:
        echo(line)
    for title, fn in (("月度评比（xlzu month）", month), ("小组综合评价（xlzu review）", review),
                      ("期末评比（xlzu term）", term)):
        echo(f"== {title}")
        for line in fn(book).lines:
            echo(line)
    return True


def _fill_demo_exams(book) -> bool:
    """Give the demo class two exams (期中 from 花名册's 总分, 期末 around it)
    when 考试成绩 has no scores yet, so 明星组长 can be judged."""
    import random

    import pandas as pd

    from . import contract as C
    from .layout import table_layout
    from .roster import read_roster
    from .settings import parse_number

    values = book.read_values(C.EXAMS) if book.has_sheet(C.EXAMS) else []
    if any(parse_number(v) is not None for row in values[1:] for v in row[2:]):
        return False
    roster, _ = read_roster(book.read_values(C.ROSTER), ())
    rng = random.Random(2026)
    mid = [round(t) if pd.notna(t) else None for t in roster[C.ROSTER_TOTAL]]
    final = [None if m is None else max(0, min(C.TOTAL_MAX, m + rng.randint(-60, 60))) for m in mid]
    exams = pd.DataFrame({C.ROSTER_ID: roster[C.ROSTER_ID], C.ROSTER_NAME: roster[C.ROSTER_NAME], "期中": mid, "期末": final})
    book.write_layout(C.EXAMS, table_layout(exams, column_styles={C.ROSTER_ID: "id"}))
    return True
