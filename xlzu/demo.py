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
    demo_group(book, echo)
    echo(f"完成。示例工作簿：{book.resolve()}")
    return book


def demo_group(book_path: str | Path, echo: Callable[[str], None] = print, *, seed: int = 1) -> None:
    """Group the demo class and print a short summary per group."""
    from .ops.group import group

    echo("== 自动分组：分层、均衡分组、代号、职务、座位表")
    report = group(book_path, seed=seed)
    plan = report.data["plan"]
    for line in report.lines[:2]:
        echo(line)
    for rec in plan.summary().itertuples(index=False):
        echo(f"  {rec.组名}：{rec.人数}人（男{rec.男} 女{rec.女}，A{rec.A层} B{rec.B层} C{rec.C层} D{rec.D层}），"
             f"平均总分 {rec.平均总分:.1f}，标准差 {rec.总分标准差:.1f}，大组长 {rec.大组长}")
