"""``xlzu demo``: the bundled sample class, taken through every operation."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Callable

DEMO_CLASS_NAME = "初二(3)班"
DEMO_WORKBOOK = "示例班级.xlsx"
DEMO_MACRO_WORKBOOK = "示例班级.xlsm"  # the same class with the Excel buttons


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
    macro = directory / DEMO_MACRO_WORKBOOK
    echo(f"== 带按钮的工作簿：{macro}（在 Excel 中打开，启用宏，点“控制台”上的按钮）")
    new_class(macro, demo_roster_path(), class_name=DEMO_CLASS_NAME, force=True)
    echo(f"完成。示例工作簿：{book.resolve()}")
    return book
