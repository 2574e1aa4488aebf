"""The operations: one public function per thing a teacher does.

Each takes a workbook path or a :class:`~xlzu.book.Book` and returns a
:class:`Report`.  The CLI commands and the Excel buttons call these.
"""

from .classbook import import_roster, new_class
from .common import Report, load_settings, run
from .daybook import daily, print_daily, save
from .groups import group
from .schoolbook import school
from .summary import month, review, term, week

__all__ = [
    "Report", "daily", "group", "import_roster", "load_settings", "month", "new_class", "print_daily", "review",
    "run", "save", "school", "term", "week",
]
