"""Regenerate the pictures of what the summaries print and share:
docs/week-ranking.png (周排名-小组), docs/certificate.png (a group's 荣誉证书),
docs/poster-week.png and docs/poster-month.png (the 喜报 pictures).

Run by hand (python tools/summary_pictures.py) with LibreOffice, poppler and
a Chinese font installed; the PNGs are committed so the README shows what
prints.  The demo class is grouped and two school weeks (第12、13周) of daily
sheets are typed in as ``xlzu demo`` does, so the ranking shows last week's
places and the change.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from PIL import Image  # noqa: E402

from xlzu import contract as C  # noqa: E402
from xlzu import new_class  # noqa: E402
from xlzu.book.files import FileBook  # noqa: E402
from xlzu.demo import DEMO_CLASS_NAME, _fill_demo_exams, demo_daily, demo_group, demo_roster_path  # noqa: E402
from xlzu.ops.printing import print_sheets  # noqa: E402
from xlzu.ops.summary import month, term, week  # noqa: E402

QUIET = lambda line: None  # noqa: E731


def page_png(pdf: Path, page: int, target: Path, dpi: int = 80) -> None:
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(target.with_suffix(""))], check=True)
    print(target)


def main() -> None:
    docs = ROOT / "docs"
    docs.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "班级.xlsx"
        new_class(path, demo_roster_path(), class_name=DEMO_CLASS_NAME)
        demo_group(path, QUIET)
        demo_daily(path, QUIET, week=12, seed=20261116, print_pdf=False)
        demo_daily(path, QUIET, week=13, print_pdf=False)
        book = FileBook.open(path)
        _fill_demo_exams(book)
        book.save()
        week(path, "12")
        shared = Path(tmp) / "shared"
        report = week(path, poster=shared)
        (week_png, _), = report.data["posters"]
        (month_png, _), = month(path, "2026-11", poster=shared).data["posters"]
        term(path, day="2027-01-20")
        pdf = Path(tmp) / "ranking.pdf"
        print_sheets(path, [C.WEEK_GROUPS], pdf)
        page_png(pdf, 1, docs / "week-ranking.png")
        pdf = Path(tmp) / "certificates.pdf"
        print_sheets(path, [C.CERTIFICATES], pdf)
        values = FileBook.open(path).read_values(C.CERTIFICATES)
        titles = [i for i, row in enumerate(values) if row and row[1] and str(row[1]).endswith("全体同学：")]
        starts = [i for i, row in enumerate(values) if row and row[1] == "荣 誉 证 书"]
        page = next((k for k, s in enumerate(starts, start=1) if titles and s < titles[0] < s + 5), 1)
        page_png(pdf, page, docs / "certificate.png")
        for src, name in ((week_png, "poster-week.png"), (month_png, "poster-month.png")):
            img = Image.open(src)
            img.resize((540, round(img.height * 540 / img.width)), Image.LANCZOS).save(docs / name, optimize=True)
            print(docs / name)


if __name__ == "__main__":
    main()
