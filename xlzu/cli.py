"""The ``xlzu`` command line: a few lines over each library function.

Every command opens the workbook file, calls one public function of the
package, prints its report, and turns an :class:`~xlzu.errors.XlzuError`
into ``错误：…`` with exit code 1 (a traceback only with ``--debug``).  Help
pages and usage errors are Chinese too (:mod:`xlzu.usage`); exit codes:
0 done, 1 refused, 2 the command is written wrong, 3 a program error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from . import __version__
from .errors import XlzuError
from .usage import EXIT_BUG, EXIT_REFUSED, ChineseGroup

app = typer.Typer(
    cls=ChineseGroup,
    name="xlzu",
    help="xlzu（小组）：班级合作学习小组的分组、日常考核、周汇总和评优，都在 Excel 工作簿里完成。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
template_app = typer.Typer(help="宏模板（templates/xlzu.xlsm）的构建与检查。", no_args_is_help=True)
app.add_typer(template_app, name="template")
web_app = typer.Typer(help="离线版：一个 HTML 文件，在浏览器中运行全部操作（不需要安装 Python）。", no_args_is_help=True)
app.add_typer(web_app, name="web")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
_state = {"debug": False}

WorkbookArg = typer.Argument(..., help="班级工作簿（.xlsx 或 .xlsm）", show_default=False, metavar="班级工作簿")


def _version(value: bool) -> None:
    if value:
        out.print(f"xlzu {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    debug: bool = typer.Option(False, "--debug", help="出错时显示 Python 的详细信息（给技术人员看）。"),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="显示版本号。"),
) -> None:
    _state["debug"] = debug


def show(report) -> None:
    """Print an operation's report."""
    for line in report.lines:
        out.print(line, markup=False)


def guarded(fn):
    """Run a command body; XlzuError → Chinese message and exit code 1."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except XlzuError as exc:
            if _state["debug"]:
                raise
            err.print(f"错误：{exc.text()}", markup=False)
            raise typer.Exit(EXIT_REFUSED)
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug: say so plainly, no traceback for teachers
            if _state["debug"]:
                raise
            err.print(f"程序出错（{type(exc).__name__}: {exc}）。请加 --debug 重新运行，把显示的内容发给技术人员。", markup=False)
            raise typer.Exit(EXIT_BUG)

    return wrapper


@app.command()
@guarded
def new(
    workbook: Path = WorkbookArg,
    roster: Path = typer.Option(..., "--roster", "-r", help="学校系统导出的名单（.xlsx、.xls 或 .csv）。", show_default=False),
    class_name: Optional[str] = typer.Option(None, "--class-name", "-n", help="班级名称，如 初二(3)班。"),
    force: bool = typer.Option(False, "--force", help="工作簿已存在时重新创建（旧文件保存在旁边的 xlzu备份 文件夹里）。"),
    settings_from: Optional[Path] = typer.Option(None, "--settings-from", help="同年级另一个班级的工作簿：照搬它的“设置”（班级名称和班主任除外），全年级计分规则相同。"),
) -> None:
    """新建班级工作簿：导入名单，写好设置和所有工作表（.xlsm 带按钮）。"""
    from .ops.classbook import new_class

    show(new_class(workbook, roster, class_name=class_name, force=force, settings_from=settings_from))


@app.command()
@guarded
def roster(
    workbook: Path = WorkbookArg,
    source: Optional[Path] = typer.Option(None, "--from", help="新的名单文件；不给则整理粘贴在“花名册”中的内容。"),
) -> None:
    """重新导入花名册（从名单文件，或整理粘贴到花名册的内容）。"""
    from .ops.classbook import import_roster

    show(import_roster(workbook, source))


@app.command()
@guarded
def group(
    workbook: Path = WorkbookArg,
    seed: int = typer.Option(0, "--seed", help="随机种子：同一种子总得到同样的分组，换一个数可得到另一种同样均衡的分法。"),
    regroup: bool = typer.Option(False, "--regroup", help="已分过组时重新搭配所有未锁定的学生（锁定的不动）。"),
    keep: bool = typer.Option(False, "--keep", help="谁也不动，层次也不变，只重排代号、职务和座位。"),
) -> None:
    """自动分组：分层、均衡分组、排代号职务和座位；已分组时保留现有分组，只重排职务和座位。"""
    from .ops.groups import group as run_group

    show(run_group(workbook, seed=seed, regroup=regroup, keep=keep))


@app.command()
@guarded
def daily(
    workbook: Path = WorkbookArg,
    date: Optional[str] = typer.Option(None, "--date", "-d", help="日期，如 2026-11-24；不给则为今天（今天不上课则为下一个上课日）。", show_default=False),
    all_weekdays: bool = typer.Option(False, "--all-weekdays", help="同时生成这一周其他上课日的日表（表名带星期，如 日表-班级(周三)），一起打印。"),
) -> None:
    """生成某天的日表：班级考核表（日表-班级）和每组的小组日表（日表-第N组）。先保存当前日表。"""
    from .ops.daybook import daily as make_daily

    show(make_daily(workbook, date, all_weekdays=all_weekdays))


@app.command()
@guarded
def save(workbook: Path = WorkbookArg) -> None:
    """把填好的日表存入个人记录和小组记录（同一天再存会覆盖，不会重复）。"""
    from .ops.daybook import save as save_daily

    show(save_daily(workbook))


@app.command("print")
@guarded
def print_(
    workbook: Path = WorkbookArg,
    date: Optional[str] = typer.Option(None, "--date", "-d", help="日期，如 2026-11-24；不给则打印工作簿中现有的日表。", show_default=False),
    pdf: Optional[Path] = typer.Option(None, "--pdf", help="PDF 文件名；不给则放在工作簿旁边。"),
    all_weekdays: bool = typer.Option(False, "--all-weekdays", help="打印这一周所有上课日的日表。"),
    sheet: Optional[list[str]] = typer.Option(None, "--sheet", "-s", help="打印这张工作表而不是日表，如 周排名-小组、荣誉证书；可写多次。", show_default=False),
) -> None:
    """用 LibreOffice 把日表（工作簿中现有的，或某天、整周的）或任一张工作表（--sheet）打印成 PDF。"""
    if sheet:
        if date is not None or all_weekdays:
            raise XlzuError("--sheet 打印指定的工作表，不能和 --date、--all-weekdays 一起用。")
        from .ops.printing import print_sheets

        show(print_sheets(workbook, sheet, pdf))
        return
    from .ops.daybook import print_daily

    show(print_daily(workbook, date, pdf, all_weekdays=all_weekdays))


@app.command()
@guarded
def week(
    workbook: Path = WorkbookArg,
    which: Optional[str] = typer.Option(None, "--week", "-w", help="要汇总的周：这周里的某一天（如 2026-11-23）或周次（如 12）；默认最近有记录的一周。"),
    poster: bool = typer.Option(True, "--poster/--no-poster", help="同时在工作簿旁生成本周喜报图片（PNG，可发家长群）。"),
) -> None:
    """一键周汇总：小组和个人周排名、第一名和最后一名小组（称号在设置中），记入周历史；生成喜报图片。"""
    from .ops.summary import week as run_week, week_table

    report = run_week(workbook, which, poster=workbook.resolve().parent if poster else None)
    out.print(week_table(report))
    show(report)


@app.command()
@guarded
def rules(workbook: Path = WorkbookArg) -> None:
    """规则说明：按本班“设置”写出评分和评比规则（中文，可打印给学生和家长看）。"""
    from .ops.rules import rules as run_rules

    show(run_rules(workbook))


@app.command()
@guarded
def month(
    workbook: Path = WorkbookArg,
    which: Optional[str] = typer.Option(None, "--month", "-m", help="月份，如 2026-11；默认最近有记录的月份。"),
    poster: bool = typer.Option(True, "--poster/--no-poster", help="同时在工作簿旁生成本月喜报图片（PNG，可发家长群）。"),
) -> None:
    """月度评比：本月之星、推荐校级明星小组、每位学生的多元评价表；生成喜报图片。"""
    from .ops.summary import month as run_month

    show(run_month(workbook, which, poster=workbook.resolve().parent if poster else None))


@app.command()
@guarded
def review(
    workbook: Path = WorkbookArg,
    period: Optional[str] = typer.Option(None, "--period", "-p", help="评价周期：2026-11（一个月）、2026-11-23 或 第12周（一周）、学期；默认最近有记录的月份。"),
) -> None:
    """小组综合评价：学习情况、常规要求、行为习惯、学习进步，多方评价，按记录预填。"""
    from .ops.summary import review as run_review

    show(run_review(workbook, period))


@app.command()
@guarded
def term(
    workbook: Path = WorkbookArg,
    from_exam: Optional[str] = typer.Option(None, "--from", help="前一次考试（考试成绩表的列名），如 期中。"),
    to_exam: Optional[str] = typer.Option(None, "--to", help="后一次考试，如 期末；两个都不给则用最后两次有成绩的考试。"),
    day: Optional[str] = typer.Option(None, "--date", help="证书上的日期，如 2027-01-20；默认今天。"),
) -> None:
    """期末评优：明星组长、先进小组、优秀组员，并生成荣誉证书。"""
    from .ops.summary import term as run_term

    show(run_term(workbook, from_exam, to_exam, day))


@app.command()
@guarded
def school(
    workbook: Path = typer.Argument(..., help="学校（年级）工作簿，如 初二年级.xlsx；没有则新建。", show_default=False),
    classes: list[Path] = typer.Argument(..., help="各班的班级工作簿（只读取，不修改）。", show_default=False),
    which: Optional[str] = typer.Option(None, "--month", "-m", help="月份，如 2026-11；默认各班最近有记录的月份。"),
    term: bool = typer.Option(False, "--term", help="期中、期末：评校级先进小组和校级优秀组员（从学期开始到最近的记录）。"),
    until: Optional[str] = typer.Option(None, "--until", help="与 --term 同用：只算到这一天，如期中 2026-11-13。"),
    day: Optional[str] = typer.Option(None, "--date", help="证书上的日期，如 2026-11-30；默认今天。"),
) -> None:
    """校级评比：由各班的班级工作簿生成学校（年级）工作簿：每月校级明星小组，期中期末校级先进小组、优秀组员和证书。"""
    from .ops.schoolbook import school as run_school

    if until is not None and not term:
        raise XlzuError("--until 只和 --term 一起用（期中评比算到哪一天）。")
    show(run_school(workbook, classes, month=which, term=term, until=until, day=day))


@app.command()
@guarded
def demo(
    directory: Path = typer.Argument(Path("xlzu-demo"), help="示例工作簿放在这个文件夹。", metavar="文件夹"),
) -> None:
    """用自带的示例班级走一遍全部流程，生成示例工作簿。"""
    from .demo import run_demo

    run_demo(directory, echo=lambda line: out.print(line, markup=False))


@template_app.command("build")
@guarded
def template_build(
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="写到这个文件（默认：源代码中的 templates/xlzu.xlsm）。"),
) -> None:
    """由 macros/ 中的 VBA 和工作簿约定重新生成宏模板（每次生成的字节完全相同）。"""
    from .template import build_template

    out.print(f"已生成宏模板：{build_template(output)}", markup=False)


@template_app.command("check")
@guarded
def template_check(
    path: Optional[Path] = typer.Argument(None, help="要检查的模板（默认：xlzu 自带的模板）。", show_default=False, metavar="模板"),
) -> None:
    """检查宏模板是否与 macros/ 和工作簿约定一致（过时则失败）。"""
    from .template import check_template

    out.print(f"宏模板是最新的：{check_template(path)}", markup=False)


@template_app.command("python")
@guarded
def template_python(workbook: Path = WorkbookArg) -> None:
    """让 .xlsm 班级工作簿的按钮使用本机的 Python（换了电脑或重装 Python 后运行）。"""
    from .template import use_this_python

    show(use_this_python(workbook))


@web_app.command("build")
@guarded
def web_build(
    output: Path = typer.Option(Path("离线版.html"), "--output", "-o", help="写到这个文件。"),
    cache: Optional[Path] = typer.Option(None, "--cache", help="下载缓存文件夹（默认 ~/.cache/xlzu-web）。", show_default=False),
) -> None:
    """构建离线版：从 npm 和 PyPI 下载固定版本的 Pyodide 和依赖（逐个核对 sha256），连同当前的 xlzu 装进一个 HTML 文件。"""
    from .web.build import build_page

    path = build_page(output, cache=cache, echo=lambda line: out.print(line, markup=False))
    size = path.stat().st_size / 1e6
    out.print(f"已生成离线版：{path}（{size:.1f} MB）。用 Chrome 或 Edge 打开即可使用，不需要联网。", markup=False)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except SystemExit as exc:
        sys.exit(exc.code)


if __name__ == "__main__":
    main()
