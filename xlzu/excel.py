"""The Excel buttons: one function per button on 控制台.

Each button's VBA macro (``macros/xlzu.bas``) is a single line,
``RunPython "import xlzu.excel as x; x.weekly_summary()"``.  The function
opens the calling workbook through the live backend
(:class:`xlzu.book.live.LiveBook`) and runs the same library operation the
CLI runs on a file.  Tests and scripts pass ``book`` (any ``xlwings.Book``).

What the teacher sees: the operation's messages on 控制台, problem cells
highlighted, and on failure an Excel message box in Chinese plus the same
text on 控制台.  A Python traceback is shown only when the environment
variable ``XLZU_DEBUG`` is set (to anything but ``0``): then the error is
re-raised and xlwings shows it.

The operations are imported when a button is pressed, so a button whose
operation this installation lacks says so instead of failing to load.
"""

from __future__ import annotations

import importlib
import os
from typing import Any, Callable

from . import contract as C
from .errors import XlzuError

DEBUG_ENV = "XLZU_DEBUG"


def debug() -> bool:
    return os.environ.get(DEBUG_ENV, "") not in ("", "0")


def _caption(function: str) -> str:
    for button in C.BUTTONS:
        if button.function == function:
            return button.caption
    raise KeyError(function)


def press(function: str, run: Callable[[Any], Any], book: Any = None):
    """Run ``run(live_book)`` for the button that calls ``function``, and turn
    any failure into a message box plus a 控制台 line.  Returns the
    operation's report, or None when it failed."""
    from .book.live import LiveBook

    caption = _caption(function)
    live = LiveBook.from_caller(book)
    with live.quiet():
        try:
            report = run(live)
        except XlzuError as err:
            if debug():
                raise
            # Same words as the file run's 控制台 (ops.common): an operation
            # checks everything before it writes, so nothing else changed.
            _fail(live, caption, err.text(), "没有完成，工作簿未作其他改动：")
            return None
        except ImportError as err:
            if debug():
                raise
            if (err.name or "").startswith("xlzu.ops"):
                text = f"这个版本的 xlzu 还没有“{caption}”功能。请安装新版本的 xlzu（在新版本的源代码文件夹里运行 pip install .，或 pip install 新的 .whl 文件）"
            else:
                text = _bug_text(err)
            _fail(live, caption, text)
            return None
        except Exception as err:  # a bug: no traceback for the teacher
            if debug():
                raise
            _fail(live, caption, _bug_text(err))
            return None
    if report is not None and getattr(report, "problems", None):
        live.alert(f"“{caption}”已完成，但有 {len(report.problems)} 处需要核对（已标成红色），详见“控制台”。", caption)
    return report


def _bug_text(err: BaseException) -> str:
    return (
        f"程序出错（{type(err).__name__}: {err}）。工作簿可能只改了一部分，请先不要保存，"
        f"把这段文字发给技术人员。设置环境变量 {DEBUG_ENV}=1 后再点按钮可看到详细信息。"
    )


def _fail(live, caption: str, text: str, first: str = "没有完成：") -> None:
    try:
        live.log(caption, [first, *text.splitlines()])
    except Exception:  # e.g. 控制台 was damaged: the message box still tells the teacher
        if debug():
            raise
    live.alert(text, f"{caption}：没有完成")


# --------------------------------------------------------------------------
# One function per button (names: xlzu.contract.BUTTONS)
# --------------------------------------------------------------------------
def _op(module: str, name: str, **options: Any) -> Callable[[Any], Any]:
    """``xlzu.ops.<module>.<name>(live, **options)``, imported when the
    button is pressed (a missing one is reported as an ImportError naming
    the module, which ``press`` turns into "this version lacks it")."""

    def run(live: Any) -> Any:
        found = importlib.import_module(f"{__package__}.ops.{module}")
        operation = getattr(found, name, None)
        if operation is None:
            raise ImportError(f"cannot import name {name!r}", name=found.__name__)
        return operation(live, **options)

    return run


def import_roster(book: Any = None):
    """导入花名册: tidy what was pasted into 花名册 (header aliases,
    full-width characters, spaces), flag the rows that need a look."""
    return press("import_roster", _op("classbook", "import_roster"), book)


def auto_group(book: Any = None):
    """自动分组: balanced groups, codes, roles and seats (locked students stay)."""
    return press("auto_group", _op("groups", "group"), book)


def reassign_roles(book: Any = None):
    """重排职务座位: keep the groups as they stand, redo codes, roles, seats."""
    return press("reassign_roles", _op("groups", "group", keep=True), book)


def make_daily(book: Any = None):
    """生成日表: the class sheet and member sheets of today, or of the next
    school day of 设置 when today is not one (the current ones saved first)."""
    return press("make_daily", _op("daybook", "daily"), book)


def save_daily(book: Any = None):
    """保存日表: the filled daily sheets into 个人记录 / 小组记录."""
    return press("save_daily", _op("daybook", "save"), book)


def print_daily(book: Any = None):
    """打印日表: the daily sheets in the workbook as one PDF beside it, named by
    class and date, made by Excel's own PDF export; its path goes on 控制台.
    (Excel on the web / the remote engine cannot export: a Chinese message.)"""
    return press("print_daily", _op("daybook", "print_daily"), book)


def weekly_summary(book: Any = None):
    """一键周汇总: weekly rankings, star and devil groups, 周历史."""
    return press("weekly_summary", _op("summary", "week"), book)


def monthly_review(book: Any = None):
    """月度评比: the month's stars and the multi-rater form."""
    return press("monthly_review", _op("summary", "month"), book)


def term_review(book: Any = None):
    """期末评比: 明星组长, 先进小组, 优秀组员 and their certificates."""
    return press("term_review", _op("summary", "term"), book)


def group_review(book: Any = None):
    """小组综合评价: this month's comprehensive evaluation of every group
    (four aspects, several raters), suggested scores from the records."""
    return press("group_review", _op("summary", "review"), book)


def share_poster(book: Any = None):
    """生成喜报: the 喜报 pictures (PNG) of the latest week's 明星小组 and the
    month's stars, beside the workbook (or in 文档), for the parents' group."""
    return press("share_poster", _op("summary", "posters"), book)
