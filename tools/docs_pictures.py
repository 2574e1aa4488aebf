"""Regenerate the pictures of printed sheets in docs/ and their record.

Run by hand (``python tools/docs_pictures.py``) with LibreOffice and poppler
installed; the PNGs are committed so the README shows what prints:

* ``docs/daily-class-sheet.png`` and ``docs/daily-member-sheet.png``: the
  demo class grouped by ``xlzu.group`` (as ``xlzu demo`` does), one day
  generated, filled with the demo's typed entries, saved and printed;
* ``docs/rules.png``: the first page of 规则说明 of that class.

``docs/pictures.json`` records, per picture, a digest of what its rendering
is made from (the sheet's layout: values, styles, merges, widths, heights,
print setup; the style table and the faces) — ``tests/test_docs_pictures.py``
recomputes it without LibreOffice and fails when a picture is stale.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from xlzu import contract as C  # noqa: E402
from xlzu import fonts, group, new_class, paper  # noqa: E402
from xlzu.book.files import FileBook  # noqa: E402
from xlzu.demo import DEMO_CLASS_NAME, demo_roster_path, typed_entries  # noqa: E402
from xlzu.forms import form_layout  # noqa: E402
from xlzu.layout import FORM_SAMPLES, STYLES  # noqa: E402
from xlzu.ops.common import load_settings  # noqa: E402
from xlzu.ops.daybook import daily, save  # noqa: E402
from xlzu.pdf import print_sheets  # noqa: E402
from xlzu.rules import rules_layout  # noqa: E402

DAY = date(2026, 11, 24)
DOCS = ROOT / "docs"
RECORD = DOCS / "pictures.json"
PICTURES = ("daily-class-sheet", "daily-member-sheet", "rules")


def demo_class(folder: Path) -> tuple[Path, dict]:
    """The demo class with one day typed and saved; the layouts pictured."""
    path = folder / "班级.xlsx"
    new_class(path, demo_roster_path(), class_name=DEMO_CLASS_NAME)
    group(path)
    book = FileBook.open(path)
    rng = random.Random(3)
    forms = daily(book, DAY).data["forms"]
    filled = {}
    for form in forms:
        filled[form.sheet] = form.filled(typed_entries(form, rng))
        book.write_layout(form.sheet, filled[form.sheet], form=form.form)
    save(book)
    book.save()
    layouts = {
        "daily-class-sheet": (C.DAILY_CLASS, filled[C.DAILY_CLASS], C.FORM_CLASS),
        "daily-member-sheet": (C.daily_group_sheet(1), filled[C.daily_group_sheet(1)], C.FORM_GROUP),
        "rules": (C.RULES, rules_layout(load_settings(FileBook.open(path))), None),
    }
    return path, layouts


def digest(layout, form: str | None) -> str:
    """What a picture is rendered from, hashed."""
    def plain(x):
        if dataclasses.is_dataclass(x):
            return {k: plain(v) for k, v in dataclasses.asdict(x).items()}
        if isinstance(x, dict):
            return {str(k): plain(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [plain(v) for v in x]
        return x if isinstance(x, (int, float, str, type(None), bool)) else str(x)

    sample = form_layout(form) if form else None
    used = {key for _, key in layout.styles} | ({key for _, key in sample.styles} if sample else set())
    inputs = {
        "layout": plain(layout),
        "form": plain(sample),
        "styles": {key: plain(STYLES[key]) for key in sorted(used)},  # the keys these sheets use
        "samples": FORM_SAMPLES,
        "fonts": [fonts.BODY, fonts.HEADING, fonts.KAI, fonts.DEFAULT_SIZE, plain(fonts.FALLBACKS)],
        "paper": [paper.PT_PER_UNIT, paper.CELL_PAD, paper.HALF],
    }
    text = json.dumps(inputs, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def digests(folder: Path) -> dict[str, str]:
    _, layouts = demo_class(folder)
    return {name: digest(layout, form) for name, (_, layout, form) in layouts.items()}


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        path, layouts = demo_class(Path(tmp))
        for name, (sheet, _, _) in layouts.items():
            pdf = Path(tmp) / f"{name}.pdf"
            print_sheets(path, [sheet], pdf)
            subprocess.run(["pdftoppm", "-png", "-r", "90", "-f", "1", "-l", "1", "-singlefile",
                            str(pdf), str(DOCS / name)], check=True)
            print(DOCS / f"{name}.png")
        record = {name: digest(layout, form) for name, (_, layout, form) in layouts.items()}
    RECORD.write_text(json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(RECORD)


if __name__ == "__main__":
    main()
