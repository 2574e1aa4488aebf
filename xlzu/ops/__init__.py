"""The operations: one public function per thing a teacher does.

Each takes a workbook path or a :class:`~xlzu.book.Book` and returns a
:class:`Report`.  The CLI commands and the Excel buttons call these.
"""

import importlib

# Where each operation lives; a module is imported on first use (PEP 562),
# so ``xlzu group`` does not load the daily forms, the summaries or the
# school book.
_WHERE = {
    "Report": "common", "load_settings": "common", "run": "common",
    "import_roster": "classbook", "new_class": "classbook",
    "daily": "daybook", "print_daily": "daybook", "save": "daybook",
    "group": "groups",
    "school": "schoolbook",
    "month": "summary", "review": "summary", "term": "summary", "week": "summary",
}
__all__ = sorted(_WHERE, key=str.lower)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_WHERE))
