"""The operations: one public function per thing a teacher does.

Each takes a workbook path or a :class:`~xlzu.book.Book` and returns a
:class:`Report`.  The CLI commands and the Excel buttons call these.
"""

from .classbook import import_roster, new_class
from .common import Report, load_settings, run
from .group import group

__all__ = ["Report", "group", "import_roster", "load_settings", "new_class", "run"]
