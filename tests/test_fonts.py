"""Chinese faces named in every style, nothing italic, and the faces found
on a machine without them (LibreOffice on Linux)."""

from __future__ import annotations

import os
import shutil
import subprocess

import openpyxl
import pytest

from xlzu import contract as C
from xlzu import fonts
from xlzu.layout import OVERLAY_STYLES, STYLES


def test_every_style_names_a_chinese_face_and_none_is_italic():
    for key, style in STYLES.items():
        assert not style.italic, key
        if key not in OVERLAY_STYLES:
            assert style.font in (fonts.BODY, fonts.HEADING, fonts.KAI), key
    assert STYLES["cert"].font == fonts.KAI
    assert STYLES["title"].font == STYLES["header"].font == fonts.HEADING
    assert STYLES["entry"].font == STYLES["text"].font == fonts.BODY


def test_a_class_workbook_is_in_chinese_faces(class_book):
    from xlzu.ops.daybook import daily
    from groupsheet import write_groups

    write_groups(class_book, 7)
    daily(class_book, "2026-11-24")
    wb = openpyxl.load_workbook(class_book)
    assert wb._fonts[0].name == fonts.BODY  # the default: a cell a teacher adds
    ws = wb[C.daily_group_sheet(1)]
    assert ws["A1"].font.name == fonts.HEADING and ws["A3"].font.name == fonts.HEADING
    assert ws["A5"].font.name == fonts.BODY and ws["A5"].font.sz == 10.5
    assert ws["A5"].font.scheme is None  # a theme scheme would make Excel show the theme's face
    faces = {c.font.name for sheet in wb.worksheets for row in sheet.iter_rows() for c in row if c.value is not None}
    assert faces <= {fonts.BODY, fonts.HEADING, fonts.KAI}, faces
    italic = [(sheet.title, c.coordinate) for sheet in wb.worksheets for row in sheet.iter_rows() for c in row
              if c.value is not None and c.font.i]
    assert italic == []


def test_libreoffice_finds_a_simplified_chinese_face_for_each(tmp_path):
    fc_match = shutil.which("fc-match")
    if fc_match is None or not os.path.exists("/etc/fonts/fonts.conf"):
        if os.environ.get("CI"):
            pytest.fail("fontconfig is not installed")
        pytest.skip("no fontconfig here")
    conf = tmp_path / "fonts.conf"
    conf.write_text(fonts.fontconfig_file(), encoding="utf-8")
    installed = subprocess.run(["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True).stdout
    for face in (fonts.BODY, fonts.HEADING, fonts.KAI):
        found = subprocess.run([fc_match, "-f", "%{family}", face], capture_output=True, text=True,
                               env={**os.environ, "FONTCONFIG_FILE": str(conf)}).stdout
        first = found.split(",")[0]
        assert first in fonts.FALLBACKS[face] or first == face, (face, found)
        assert first in installed or first == face, (face, found)
