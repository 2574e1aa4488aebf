"""xlzu (小组): a class's cooperative-learning group system in an Excel workbook.

Library first: every operation is a public function that takes a workbook
path (file mode, openpyxl) or a :class:`xlzu.book.Book` (e.g. live Excel
through xlwings).  The CLI and the Excel buttons are thin calls into these.
"""

__version__ = "0.1.0"

from .errors import CellProblem, XlzuError  # noqa: E402

_OPS = ("Report", "daily", "group", "import_roster", "load_settings", "month", "new_class", "print_daily", "review",
        "run", "save", "school", "term", "week")
__all__ = ["CellProblem", "XlzuError", "__version__", *_OPS]


def __getattr__(name: str):
    # The operations load on first use (PEP 562): a command such as
    # ``xlzu group`` imports only the modules it needs.
    if name in _OPS:
        from . import ops

        return getattr(ops, name)
    raise AttributeError(f"module 'xlzu' has no attribute {name!r}")
