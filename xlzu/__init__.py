"""xlzu (小组): a class's cooperative-learning group system in an Excel workbook.

Library first: every operation is a public function that takes a workbook
path (file mode, openpyxl) or a :class:`xlzu.book.Book` (e.g. live Excel
through xlwings).  The CLI and the Excel buttons are thin calls into these.
"""

__version__ = "0.1.0"

from .errors import CellProblem, XlzuError  # noqa: E402
from .ops import *  # noqa: E402,F401,F403
from .ops import __all__ as _ops_all  # noqa: E402

__all__ = ["CellProblem", "XlzuError", "__version__", *_ops_all]
