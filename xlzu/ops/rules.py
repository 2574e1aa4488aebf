"""规则说明: write the class's rules, in Chinese, from its own 设置 (xlzu.rules)."""

from __future__ import annotations

from .. import contract as C
from ..book.base import Book
from ..layout import clean_text
from ..rules import rules_layout
from .common import Report, Target, load_settings, run

TITLE = "规则说明"


def write_rules(book: Book, settings, *, only_if_changed: bool = False) -> bool:
    """(Re)write the 规则说明 sheet from ``settings``; with
    ``only_if_changed`` only when its text is not already what they give
    (reading costs no round trip worth counting; a rewrite costs many in
    live Excel).  True if written."""
    layout = rules_layout(settings)
    if only_if_changed and book.has_sheet(C.RULES):
        shown = [clean_text(row[0]) for row in book.read_values(C.RULES) if row and clean_text(row[0])]
        if shown == [clean_text(row[0]) for row in layout.rows if clean_text(row[0])]:
            return False
    book.write_layout(C.RULES, layout)
    return True


def _rules(book: Book) -> Report:
    settings = load_settings(book)
    write_rules(book, settings)
    return Report(TITLE, [f"已按“{C.SETTINGS}”写好“{C.RULES}”（{settings.class_name}{C.RULES_TITLE}），可直接打印。"])


def rules(target: Target) -> Report:
    """规则说明: the rules of the class, from its 设置, on a printable sheet."""
    return run(TITLE, target, _rules)
