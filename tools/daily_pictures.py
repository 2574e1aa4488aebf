"""Regenerate docs/daily-class-sheet.png and docs/daily-member-sheet.png.

Run by hand (python tools/daily_pictures.py) with LibreOffice and poppler
installed; the PNGs are committed so the README shows what prints.  The demo
class is grouped by ``xlzu.group`` (as ``xlzu demo`` does), one day is
generated and filled with the demo's typed entries, saved and printed.
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from xlzu import group, new_class  # noqa: E402
from xlzu.book.files import FileBook  # noqa: E402
from xlzu.demo import DEMO_CLASS_NAME, demo_roster_path, typed_entries  # noqa: E402
from xlzu.ops.daybook import daily, print_daily, save  # noqa: E402

DAY = date(2026, 11, 24)


def main() -> None:
    docs = ROOT / "docs"
    docs.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "班级.xlsx"
        new_class(path, demo_roster_path(), class_name=DEMO_CLASS_NAME)
        group(path)
        book = FileBook.open(path)
        rng = random.Random(3)
        for form in daily(book, DAY).data["forms"]:
            book.write_layout(form.sheet, form.filled(typed_entries(form, rng)), form=form.form)
        save(book)
        book.save()
        pdf = Path(tmp) / "day.pdf"
        print_daily(path, DAY, pdf)
        for page, name in ((1, "daily-class-sheet"), (2, "daily-member-sheet")):
            subprocess.run(["pdftoppm", "-png", "-r", "90", "-f", str(page), "-l", str(page), "-singlefile",
                            str(pdf), str(docs / name)], check=True)
            print(docs / f"{name}.png")


if __name__ == "__main__":
    main()
