"""规则说明: write the class's rules, in Chinese, from its own 设置 (xlzu.rules)."""

from __future__ import annotations

from .. import contract as C
from ..book.base import Book
from ..rules import rules_layout
from .common import Report, Target, load_settings, run

TITLE = "规则说明"


def write_rules(book: Book, settings) -> None:
    """(Re)write the 规则说明 sheet from ``settings``."""
    book.write_layout(C.RULES, rules_layout(settings))


def _rules(book: Book) -> Report:
    settings = load_settings(book)
    write_rules(book, settings)
    return Report(TITLE, [f"已按“{C.SETTINGS}”写好“{C.RULES}”（{settings.class_name}{C.RULES_TITLE}），可直接打印。"])


def rules(target: Target) -> Report:
    """规则说明: the rules of the class, from its 设置, on a printable sheet."""
    return run(TITLE, target, _rules)
