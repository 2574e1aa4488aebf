"""The record tables kept out of openpyxl (xlzu/book/files.py with
package.py, cellread.py, cellwrite.py): what the file backend reads is what
openpyxl reads, python-calamine and the pure-Python reader agree, and the
workbooks it writes open in LibreOffice with every record, keep VBA and
buttons, and survive a round trip through LibreOffice's shared strings."""

from __future__ import annotations

import os
import shutil
import zipfile
from datetime import datetime, time, timedelta
from pathlib import Path

import openpyxl
import pytest

from xlzu import contract as C
from xlzu import daily, group, new_class, save, week
from xlzu.book import FileBook
from xlzu.book import cellread, tablecache
from xlzu.book.files import PURE_READER_ENV
from xlzu.layout import STYLES, Layout
from xlzu.pdf import convert
from xlzu.records import read_records, records_layout

from history import fill_weeks, school_days, type_forms
from summary_helpers import synthetic_roster

RECORDS = (C.PERSON_RECORDS, C.GROUP_RECORDS)


def need_calamine():
    if cellread.python_calamine is None:
        if os.environ.get("CI"):
            pytest.fail("python-calamine is not installed (pip install python-calamine)")
        pytest.skip("python-calamine is not installed")


def full_load(path: Path) -> dict[str, list[list]]:
    """Every sheet's values as a full openpyxl load gives them (trimmed,
    empty strings as blanks)."""
    return values_of(openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm"))


def values_of(wb: openpyxl.Workbook) -> dict[str, list[list]]:
    """Every sheet's values of a fully loaded workbook, as full_load gives
    them (for a test that also looks at the same load's formats)."""
    return {ws.title: cellread.trim([[None if v == "" else v for v in r] for r in ws.iter_rows(values_only=True)])
            for ws in wb.worksheets}


def held_values(path: Path, *, pure: bool = False, stored: bool = False) -> dict[str, list[list]]:
    """Every sheet as the file backend reads it: parsed (by python-calamine,
    or with ``pure`` by the pure-Python reader), or with ``stored`` from the
    grids the workbook stores when they match (tests/test_table_cache.py)."""
    old = {k: os.environ.pop(k, None) for k in (PURE_READER_ENV, tablecache.ENV)}
    if pure:
        os.environ[PURE_READER_ENV] = "1"
    if not stored:
        os.environ[tablecache.ENV] = "off"
    try:
        book = FileBook.open(path, require_contract=False)
        return {s: cellread.trim(book.read_values(s)) for s in book.sheet_names()}
    finally:
        for k, v in old.items():
            os.environ.pop(k, None)
            if v is not None:
                os.environ[k] = v


def make_class(folder: Path, weeks: int, suffix: str = ".xlsx", students: int = 40) -> Path:
    path = folder / f"班级{suffix}"
    new_class(path, synthetic_roster(folder / "名单.csv", students, seed=3), class_name="初二(3)班")
    group(path, seed=1)
    fill_weeks(path, weeks, seed=weeks, history=True)
    return path


@pytest.fixture(scope="module")
def class_4w(tmp_path_factory) -> Path:
    return make_class(tmp_path_factory.mktemp("held"), 4)


@pytest.fixture(scope="module")
def class_4w_libreoffice(class_4w, tmp_path_factory) -> Path:
    """class_4w as LibreOffice saves it (shared strings, its own parts);
    made once: tests copy it before they change it."""
    from conftest import need_tool

    need_tool("soffice")
    return convert(class_4w, "xlsx", tmp_path_factory.mktemp("lo4w"))


@pytest.fixture(scope="module")
def odd_values(tmp_path_factory) -> Path:
    """A workbook whose 个人记录 holds every kind of value a teacher can
    leave in a cell, written by openpyxl (so it is read as a held sheet)."""
    path = tmp_path_factory.mktemp("odd") / "odd.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = C.PERSON_RECORDS
    ws.append(list(C.PERSON_RECORD_COLUMNS) + ["老师加的列"])
    rows = [
        [datetime(2026, 9, 1), "202500001", "王伟", 1, "课堂", "展示", 2, " 前后有空格 ", "手工", True],
        [datetime(2026, 9, 1, 13, 30), "202500002", "李娜", 2, "课堂", "质疑", -1.5, "a&b<c>", None, 3.25],
        [datetime(2026, 9, 2), 202500003, "张三", None, "作业", "订正", 0, "多行\n备注", "手工", time(8, 15)],
        [None, None, None, None, None, None, None, None, None, None],  # a blank row inside the table
        [datetime(2026, 9, 3), "202500004", "=1+1", 3, "课堂", "展示", 1e-3, "", "手工", False],
    ]
    for r in rows:
        ws.append(r)
    ws.cell(8, 12).value = "远处的一格"
    ws.cell(6, 3).data_type = "s"  # typed text, not a formula
    ws.cell(3, 10).value = timedelta(hours=30)
    ws.cell(3, 10).number_format = "[h]:mm:ss"
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def odd_values_libreoffice(odd_values, tmp_path_factory) -> Path:
    """odd_values as LibreOffice saves it (shared strings, LibreOffice's
    styles); made once, read only."""
    from conftest import need_tool

    need_tool("soffice")
    return convert(odd_values, "xlsx", tmp_path_factory.mktemp("lo-odd"))


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------
def test_held_sheets_read_what_a_full_openpyxl_load_reads(class_4w, odd_values):
    for path in (class_4w, odd_values):
        book = FileBook.open(path, require_contract=False)
        assert C.PERSON_RECORDS in book._bulk  # the record cells really are kept out of openpyxl
        assert held_values(path) == full_load(path)
        assert held_values(path, pure=True) == full_load(path)


def test_calamine_and_the_pure_reader_give_the_same_grid(class_4w, odd_values, odd_values_libreoffice, soffice):
    need_calamine()
    resaved = odd_values_libreoffice  # shared strings, LibreOffice's styles
    for path in (class_4w, odd_values, resaved):
        fast, pure = held_values(path), held_values(path, pure=True)
        for sheet in RECORDS:
            if sheet in fast:
                assert fast[sheet] == pure[sheet], (path.name, sheet)
                assert [[type(v) for v in r] for r in fast[sheet]] == [[type(v) for v in r] for r in pure[sheet]]
    grid = held_values(odd_values)[C.PERSON_RECORDS]
    assert grid[2][0] == datetime(2026, 9, 1, 13, 30) and grid[2][6] == -1.5
    assert grid[1][7] == " 前后有空格 " and grid[1][9] is True and grid[4] == [None] * 12
    assert grid[5][2] == "=1+1" and not isinstance(grid[5][2], cellread.Formula)


def test_the_pure_reader_finds_plain_cells_at_c_speed_and_parses_the_rest_element_by_element(
        class_4w, odd_values, odd_values_libreoffice, soffice):
    """The pure reader's two ways agree on every file: cells found by a
    pattern (each distinct content converted once, by expat) where every
    cell carries its reference first, and expat over every element where
    one does not (then the pattern is not used at all)."""
    from xlzu.book.package import Package, SheetPart

    resaved = odd_values_libreoffice
    for path in (class_4w, odd_values, resaved):
        pkg = Package(path.read_bytes())
        book = FileBook.open(path, require_contract=False)
        shared = cellread.shared_strings(pkg.read(pkg.shared_strings_part())) if pkg.shared_strings_part() else []
        options = dict(date_styles=book.wb._date_formats, duration_styles=book.wb._timedelta_formats,
                       epoch=book.wb.epoch)
        part = SheetPart.split(pkg.read(pkg.sheet_parts()[C.PERSON_RECORDS]))
        body = part.body
        by_element = cellread.rectangle(cellread._expat_cells(body, shared, **options))
        plain = cellread._plain_cells(body, shared, **options)
        assert plain is not None and cellread.rectangle(plain) == by_element
        assert cellread.expat_grid(body, shared, **options) == by_element
        if not part.has_formulas:  # (LibreOffice writes TRUE as a formula: such a sheet is read by openpyxl's parser)
            assert by_element == full_load(path)[C.PERSON_RECORDS]
        # one cell without its reference (allowed: it follows the one before): the pattern stands aside
        first = body.index(b'<c r="B2"')
        unnamed = body[:first] + b"<c" + body[first + len(b'<c r="B2"'):]
        assert cellread._plain_cells(unnamed, shared, **options) is None
        assert cellread.expat_grid(unnamed, shared, **options) == by_element


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------
def test_text_that_starts_with_an_equals_sign_stays_text_and_formulas_stay_formulas(tmp_path):
    path = tmp_path / "f.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = C.PERSON_RECORDS
    ws.append(list(C.PERSON_RECORD_COLUMNS) + ["两倍"])
    ws.append([datetime(2026, 9, 1), "1", "王伟", 1, "课堂", "展示", 2, "=不是公式", "手工", "=G2*2"])
    ws["H2"].data_type = "s"  # typed text
    wb.save(path)
    book = FileBook.open(path, require_contract=False)
    values = book.read_values(C.PERSON_RECORDS)
    assert isinstance(values[1][9], cellread.Formula) and values[1][9] == "=G2*2"
    book.write_layout(C.PERSON_RECORDS, Layout(rows=values))
    book.save()
    ws = openpyxl.load_workbook(path)[C.PERSON_RECORDS]
    assert (ws["H2"].data_type, ws["H2"].value) == ("s", "=不是公式")
    assert (ws["J2"].data_type, ws["J2"].value) == ("f", "=G2*2")


def test_a_written_record_table_keeps_its_look(class_4w, tmp_path):
    path = tmp_path / "c.xlsx"
    shutil.copy(class_4w, path)
    book = FileBook.open(path, require_contract=False)
    person, _ = read_records(book.read_values(C.PERSON_RECORDS), "person")
    book.write_layout(C.PERSON_RECORDS, records_layout(person.iloc[::-1], "person"))  # a real change
    book.save()
    ws = openpyxl.load_workbook(path)[C.PERSON_RECORDS]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:I{len(person) + 1}"
    assert ws["A1"].font.name == STYLES["header"].font and ws["A1"].fill.fgColor.rgb.endswith(C.COLOR_HEADER)
    assert ws["A2"].number_format == "yyyy-mm-dd" and ws["A2"].is_date and ws["A2"].border.left.style == "thin"
    assert ws["B2"].number_format == "@" and ws["B2"].data_type == "s"
    assert ws.column_dimensions["A"].width == 12 and ws.column_dimensions["I"].width == 18
    back, problems = read_records(FileBook.open(path, require_contract=False).read_values(C.PERSON_RECORDS), "person")
    assert not problems and back.equals(read_records(records_layout(person.iloc[::-1], "person").grid(), "person")[0])


def test_libreoffice_opens_the_written_workbook_with_every_record(class_4w, tmp_path, soffice):
    path = tmp_path / "班级.xlsx"
    shutil.copy(class_4w, path)
    week(path)  # a save: openpyxl's workbook with the record parts put back
    before = held_values(path)
    back = convert(path, "xlsx", tmp_path / "lo")
    after = full_load(back)
    for sheet in RECORDS:
        assert len(before[sheet]) > 100
        assert after[sheet] == before[sheet], sheet


def test_a_workbook_resaved_by_libreoffice_is_read_and_written(class_4w_libreoffice, tmp_path, soffice):
    resaved = class_4w_libreoffice
    with zipfile.ZipFile(resaved) as z:
        assert b't="s"' in z.read("xl/worksheets/sheet7.xml")  # LibreOffice's shared strings
    path = tmp_path / "班级.xlsx"
    shutil.copy(resaved, path)
    original = full_load(path)
    assert held_values(path) == original
    week(path)  # records unchanged: spliced back with LibreOffice's strings
    once = full_load(path)
    for sheet in RECORDS:
        assert once[sheet] == original[sheet]
    assert held_values(path) == once
    days = school_days(path, 5)
    daily(path, days[-1])  # week 5: new records
    type_forms(path, seed=2)
    save(path)
    twice = full_load(path)
    assert len(twice[C.PERSON_RECORDS]) > len(original[C.PERSON_RECORDS])
    assert twice[C.PERSON_RECORDS][: len(original[C.PERSON_RECORDS])][1:5] == original[C.PERSON_RECORDS][1:5]
    assert held_values(path) == twice
    again = convert(path, "xlsx", tmp_path / "lo2")  # LibreOffice opens what was written on its strings
    assert full_load(again)[C.PERSON_RECORDS] == twice[C.PERSON_RECORDS]


def test_openpyxl_is_given_only_the_shared_strings_of_the_sheets_it_reads(class_4w_libreoffice, soffice):
    """A file saved by LibreOffice (or Excel, WPS) keeps every record's text
    in one shared table; openpyxl, which never sees the record cells, is
    given a table cut to its own sheets' strings (renumbered in them), and
    every sheet still reads as a full load reads it."""
    from xlzu.book.files import _without_bulk_cells
    from xlzu.book.package import Package, sst_inner

    resaved = class_4w_libreoffice
    data = resaved.read_bytes()
    _, stub, held = _without_bulk_cells(data)
    assert set(held) >= set(RECORDS)
    whole, given = Package(data), Package(stub)
    strings = [sst_inner(p.read(p.shared_strings_part()))[2] for p in (whole, given)]
    assert 0 < strings[1] < strings[0]
    values = full_load(resaved)
    theirs = {v for sheet, grid in values.items() if sheet not in held for row in grid for v in row if isinstance(v, str)}
    assert set(cellread.shared_strings(given.read(given.shared_strings_part()))) <= theirs
    assert held_values(resaved) == values


def calamine_records(path: Path) -> dict[str, list[list]]:
    """The record tables as python-calamine reads them (trimmed, empty
    strings as blanks): a reader independent of openpyxl and of xlzu's."""
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(path))
    return {sheet: cellread.trim([[None if v == "" else v for v in r] for r in book.get_sheet_by_name(sheet).to_python()])
            for sheet in RECORDS}


def structure(path: Path) -> openpyxl.Workbook:
    """The workbook as openpyxl loads it (VBA kept), with the record
    tables' cells left out of their sheet parts (every other part, and
    everything of those parts but <sheetData>, as it is): sheets, code
    names, print areas, validations, names and charts at term scale,
    without building 150,000 cells."""
    import io
    import re

    from xlzu.book.package import Package

    pkg = Package(path.read_bytes())
    parts = {pkg.sheet_parts()[sheet] for sheet in RECORDS}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in pkg.zip.infolist():
            body = pkg.zip.read(info)
            if info.filename in parts:
                body, n = re.subn(rb"<sheetData>.*</sheetData>", b"<sheetData/>", body, flags=re.S)
                assert n == 1, info.filename
            z.writestr(info, body)
    out.seek(0)
    return openpyxl.load_workbook(out, keep_vba=True)


def test_an_xlsm_keeps_vba_buttons_and_settings_through_a_term_save(tmp_path):
    from test_template import button_bindings

    from xlzu.template import template_path

    need_calamine()
    path = make_class(tmp_path, 20, ".xlsm", students=60)
    before = structure(path)
    values = calamine_records(path)
    assert len(values[C.PERSON_RECORDS]) > 15000
    week(path)
    with zipfile.ZipFile(path) as made, zipfile.ZipFile(template_path()) as template:
        assert made.read("xl/vbaProject.bin") == template.read("xl/vbaProject.bin")
        assert "macroEnabled" in made.read("[Content_Types].xml").decode()
    assert button_bindings(path) == {b.caption: b.macro for b in C.BUTTONS}
    after = structure(path)
    assert after.sheetnames == before.sheetnames
    for ws in before.worksheets:
        other = after[ws.title]
        assert other.sheet_state == ws.sheet_state, ws.title
        assert other.sheet_properties.codeName == ws.sheet_properties.codeName, ws.title
        if ws.title not in (C.CONSOLE, C.WEEK_GROUPS, C.WEEK_PEOPLE, C.WEEK_HISTORY):
            assert other.print_area == ws.print_area, ws.title
            assert len(other.data_validations.dataValidation) == len(ws.data_validations.dataValidation), ws.title
    assert set(after.defined_names) >= set(before.defined_names) - {C.MARKS_NAME}
    assert after[C.WEEK_HISTORY]._charts
    now = calamine_records(path)
    for sheet in RECORDS:
        assert now[sheet] == values[sheet]


def _rewrite_sheet(path: Path, sheet: str, change) -> None:
    """Rewrite one sheet part of a package in place (found through the
    workbook's rels, as the backend finds it)."""
    from xlzu.book.package import Package

    data = path.read_bytes()
    pkg = Package(data)
    part = pkg.sheet_parts()[sheet]
    out = path.with_suffix(".tmp")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in pkg.zip.infolist():
            body = pkg.zip.read(info)
            z.writestr(info.filename, change(body) if info.filename == part else body)
    out.replace(path)


def excel_dialect(xml: bytes) -> bytes:
    """What Excel writes: mc/x14ac declared on the root, x14ac attributes
    and spans on every row."""
    import re

    xml = xml.replace(b"<worksheet ", b'<worksheet xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
                      b'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" mc:Ignorable="x14ac" ', 1)
    return re.sub(rb'<row r="(\d+)"', rb'<row r="\1" spans="1:9" x14ac:dyDescent="0.25"', xml)


def prefixed(xml: bytes) -> bytes:
    """The whole part in a prefixed namespace (<x:worksheet>, <x:c> …)."""
    import re

    xml = re.sub(rb"<(/?)([A-Za-z]+)([ />])", rb"<\1x:\2\3", xml)
    return xml.replace(b'<x:worksheet xmlns="', b'<x:worksheet xmlns:x="', 1)


@pytest.mark.parametrize("dialect", [excel_dialect, prefixed])
def test_sheet_parts_in_other_writers_dialects_are_read_and_written(class_4w, tmp_path, soffice, dialect):
    path = tmp_path / "班级.xlsx"
    shutil.copy(class_4w, path)
    _rewrite_sheet(path, C.PERSON_RECORDS, dialect)
    original = full_load(path)
    assert held_values(path) == original and held_values(path, pure=True) == original
    week(path)  # the table is put back unchanged inside openpyxl's sheet part
    assert full_load(path)[C.PERSON_RECORDS] == original[C.PERSON_RECORDS]
    back = convert(path, "xlsx", tmp_path / "lo")
    assert full_load(back)[C.PERSON_RECORDS] == original[C.PERSON_RECORDS]


def _body(path: Path, sheet: str) -> bytes:
    from xlzu.book.package import Package, SheetPart

    pkg = Package(path.read_bytes())
    return SheetPart.split(pkg.read(pkg.sheet_parts()[sheet])).body


def test_a_saved_day_keeps_the_earlier_rows_as_they_were_written(class_4w, tmp_path):
    path = tmp_path / "班级.xlsx"
    shutil.copy(class_4w, path)
    before = full_load(path)[C.PERSON_RECORDS]
    day = school_days(path, 5)[-1]
    daily(path, day)
    type_forms(path, seed=4)  # typed and saved as Excel would (here: openpyxl)
    before_body = _body(path, C.PERSON_RECORDS)
    save(path)
    after = full_load(path)[C.PERSON_RECORDS]
    assert len(after) > len(before) and after[: len(before)] == before  # a later day: rows added at the end
    assert held_values(path)[C.PERSON_RECORDS] == after
    assert _body(path, C.PERSON_RECORDS).startswith(before_body)  # the earlier rows' XML, unchanged
    # a change in the middle: the rows from there on are written again, with their formats
    book = FileBook.open(path)
    person, _ = read_records(book.read_values(C.PERSON_RECORDS), "person")
    person.loc[10, C.REC_NOTE] = "改过"
    book.write_layout(C.PERSON_RECORDS, records_layout(person, "person"))
    book.save()
    wb = openpyxl.load_workbook(path)
    ws = wb[C.PERSON_RECORDS]
    assert ws["H12"].value == "改过" and ws["H11"].value == after[10][7] and ws["H13"].value == after[12][7]
    assert ws["H12"].alignment.horizontal == "left" and ws["A12"].number_format == "yyyy-mm-dd"
    assert values_of(wb)[C.PERSON_RECORDS][12:] == after[12:]


def test_a_grid_normalised_through_a_table_of_its_values_is_normalised_value_by_value():
    """normal_rows maps a quarter of a million cells through a table of their
    distinct values; values that compare equal but normalise differently
    (True == 1 == 1.0, NaN, floats and ints beyond 2**53) go value by value."""
    values = [1.0, 1, 2.5, "", "a", None, datetime(2026, 1, 5), datetime(2026, 1, 5).date(), time(1, 2),
              timedelta(1), 3.0, -0.0, 1e15]
    grids = [[values[i:] + values[:i] for i in range(len(values))],
             [[True, 1.0, 1], [False, 0.0, ""]], [[float("nan"), 1.0]], [[1e20, 10**20, 2.0]]]
    for grid in grids:
        fast, slow = cellread.normal_rows(grid), cellread._normal_rows_slowly(grid)
        assert fast == slow
        assert [[type(v) for v in row] for row in fast] == [[type(v) for v in row] for row in slow]
    assert cellread.normal_rows([[True, 1.0, ""]]) == [[True, 1, None]]


def test_a_column_read_once_per_distinct_value_reads_as_cell_by_cell():
    """schema.read parses each distinct value of a column once; a column
    mixing values that compare equal (1 and True, 1.0) is read cell by cell,
    with the same values and the same problems."""
    from xlzu import schema

    header = list(C.PERSON_RECORD_COLUMNS)
    rows = [header]
    for k in range(40):
        row = [datetime(2026, 11, 23 + k % 5), f"2025{k % 7:05d}", "某某", 1 + k % 3, "课堂", "发言",
               [1, 1.0, True, "2", "x", None][k % 6], None, "日表"]
        rows.append(row[:len(header)])
    rows.append([None] * len(header))  # a cleared row is skipped, not an end
    rows.append([datetime(2026, 12, 1), "202500001", "某某", 2, "课堂", "发言", 2, None, "老师"])
    read = schema.read(rows, schema.PERSON_RECORDS)
    by_cell = [schema.PERSON_RECORDS.column(n).parse(r[header.index(n)]) for r in rows[1:41] for n in [C.REC_POINTS]]
    assert [c.cell for c in read.problems] == [f"G{i + 2}" for i, (_, p) in enumerate(by_cell) if p]
    assert len(read.frame) == 41 - len(read.problems)
    assert read.frame[C.REC_POINTS].tolist() == [v for v, p in by_cell if not p] + [2]


# ---- a new day added below the record tables, which are not read ---------------
def _row_numbers(body: bytes) -> list[int]:
    import re

    return [int(r) for r in re.findall(rb'<row r="(\d+)"', body)]


def _saved_both_ways(src: Path, tmp_path: Path, monkeypatch) -> tuple[Path, Path]:
    """``src`` saved as xlzu saves it, and saved with the record tables read
    whole and written back (what saving did before rows could be added)."""
    fast, whole = tmp_path / "added.xlsx", tmp_path / "whole.xlsx"
    shutil.copy(src, fast)
    shutil.copy(src, whole)
    save(fast)
    with monkeypatch.context() as m:
        m.setattr(FileBook, "table_end", lambda self, sheet, top=20: None)  # this backend cannot tell: read whole
        save(whole)
    return fast, whole


@pytest.mark.parametrize("writer", ["LibreOffice", "Excel"])
def test_a_new_day_goes_below_the_tables_whose_rows_stay_byte_for_byte(class_4w, class_4w_libreoffice, tmp_path,
                                                                        soffice, monkeypatch, writer):
    """Saving a day the records do not hold yet adds its rows below the last
    row of each table: the rows above, as the teacher's program wrote them
    (LibreOffice's shared strings; Excel's row attributes and declarations),
    are kept byte for byte, the workbook reads as one whose tables were read
    whole and written back does, with the same formats, the filter covers
    the new rows and LibreOffice opens it with every record."""
    src = tmp_path / "班级.xlsx"
    if writer == "LibreOffice":
        shutil.copy(class_4w_libreoffice, src)
    else:
        shutil.copy(class_4w, src)
        for sheet in RECORDS:
            _rewrite_sheet(src, sheet, excel_dialect)
    daily(src, school_days(src, 5)[-1])
    type_forms(src, seed=4)  # typed and saved by a spreadsheet program (here openpyxl: the tables stay as written)
    form = openpyxl.load_workbook(src)  # a 备注 typed like a formula: it must reach the records as text
    ws = form[C.daily_group_sheet(1)]
    note = next(c for row in ws.iter_rows(max_row=5) for c in row if c.value == C.REC_NOTE)
    ws.cell(note.row + 2, note.column).value = "=1+2"
    ws.cell(note.row + 2, note.column).data_type = "s"
    student = ws.cell(note.row + 2, 1).value
    form.save(src)
    before = {s: _body(src, s) for s in RECORDS}
    typed = openpyxl.load_workbook(src)  # one load for the values and the views
    earlier = values_of(typed)
    views = {s: typed[s].freeze_panes for s in RECORDS}
    assert views[C.PERSON_RECORDS] == ("A2" if writer == "Excel" else None)
    fast, whole = _saved_both_ways(src, tmp_path, monkeypatch)
    added_ws, whole_ws = openpyxl.load_workbook(fast), openpyxl.load_workbook(whole)
    got, expected = values_of(added_ws), values_of(whole_ws)
    assert got[C.PERSON_RECORDS] == expected[C.PERSON_RECORDS] and got[C.GROUP_RECORDS] == expected[C.GROUP_RECORDS]
    assert held_values(fast) == got and held_values(fast, pure=True) == got
    for sheet in RECORDS:
        n = len(earlier[sheet])
        assert len(got[sheet]) > n  # the day's rows
        body = _body(fast, sheet)
        assert body.startswith(before[sheet]) and len(body) > len(before[sheet])
        rows = _row_numbers(body)
        assert rows == sorted(set(rows))
        ws, other = added_ws[sheet], whole_ws[sheet]
        assert ws.auto_filter.ref == f"A1:I{len(got[sheet])}"
        assert ws.freeze_panes == views[sheet]  # the view as the program left it (headless LibreOffice drops the freeze)
        for r in (n + 1, len(got[sheet])):
            for c in range(1, 10):
                mine, theirs = ws.cell(r, c), other.cell(r, c)
                assert (mine.number_format, mine.alignment.horizontal, mine.font.name, mine.border.left.style) == \
                       (theirs.number_format, theirs.alignment.horizontal, theirs.font.name, theirs.border.left.style)
    ws = added_ws[C.PERSON_RECORDS]
    head = [c.value for c in ws[1]]
    who, what = head.index(C.REC_ID), head.index(C.REC_NOTE)
    noted = [r for r in ws.iter_rows(min_row=len(earlier[C.PERSON_RECORDS]) + 1)
             if str(r[who].value) == str(student) and r[what].value == "=1+2"]
    assert noted and all(r[what].data_type == "s" for r in noted)  # text, as typed: never a formula
    if writer == "LibreOffice":  # and it opens what was added to its own file
        back = full_load(convert(fast, "xlsx", tmp_path / "back"))
        for sheet in RECORDS:
            assert back[sheet] == got[sheet]


def test_rows_formatted_below_the_table_give_way_to_the_new_rows(class_4w, tmp_path, monkeypatch):
    """Empty rows a program wrote below the table (formatted, no value) are
    where the new rows go: each row number stays once, in order, and a
    formatted row further down stays."""
    import re

    src = tmp_path / "班级.xlsx"
    shutil.copy(class_4w, src)
    last = len(full_load(src)[C.PERSON_RECORDS])
    far = last + 5000

    def formatted_rows(xml: bytes) -> bytes:
        extra = (f'<row r="{last + 1}" s="3" customFormat="1"><c r="A{last + 1}" s="3"/></row>'
                 f'<row r="{last + 2}" ht="20" customHeight="1"/>'
                 f'<row r="{far}" s="3" customFormat="1"><c r="B{far}" s="3"/></row>').encode()
        return re.sub(rb"</sheetData>", extra + b"</sheetData>", xml, count=1)

    _rewrite_sheet(src, C.PERSON_RECORDS, formatted_rows)
    daily(src, school_days(src, 5)[-1])
    type_forms(src, seed=4)
    fast, whole = _saved_both_ways(src, tmp_path, monkeypatch)
    got = full_load(fast)[C.PERSON_RECORDS]
    assert got == full_load(whole)[C.PERSON_RECORDS] and len(got) > last
    rows = _row_numbers(_body(fast, C.PERSON_RECORDS))
    assert rows == sorted(set(rows)) and rows[-1] == far and last + 1 in rows


def test_an_unreadable_old_record_does_not_stop_a_new_day_but_stops_a_rewrite(class_4w, tmp_path):
    """A record the teacher edited into something unreadable (分数 "abc")
    stays as typed: a new day is saved below it (the table is not written
    back), while saving a day that replaces records (the table is written
    back) refuses, naming the cell."""
    from formfill import type_cells

    from xlzu.errors import InputError

    path = tmp_path / "班级.xlsx"
    shutil.copy(class_4w, path)
    daily(path, school_days(path, 5)[-1])  # the forms of a new day
    type_forms(path, seed=4)
    type_cells(path, {(C.PERSON_RECORDS, "G5"): "abc"})
    rows = len(full_load(path)[C.PERSON_RECORDS])
    save(path)
    values = full_load(path)[C.PERSON_RECORDS]
    assert values[4][6] == "abc" and len(values) > rows
    with pytest.raises(InputError) as refused:  # saved again: that day's records are replaced, the table written back
        save(path)
    assert f"{C.PERSON_RECORDS}!G5" in refused.value.text()
    assert full_load(path)[C.PERSON_RECORDS] == values


def test_daily_saves_the_typed_day_below_and_makes_the_next_without_reading_the_records(class_4w, tmp_path,
                                                                                       monkeypatch):
    """``daily`` saves the forms in the workbook and makes the next day's:
    when neither day is in the records yet, the typed day goes below the
    tables and the new forms are made without reading them, exactly as
    when the tables are read whole."""
    src = tmp_path / "班级.xlsx"
    shutil.copy(class_4w, src)
    days = school_days(src, 5)
    daily(src, days[-2])
    type_forms(src, seed=4)
    before = {s: _body(src, s) for s in RECORDS}
    fast, whole = tmp_path / "added.xlsx", tmp_path / "whole.xlsx"
    shutil.copy(src, fast)
    shutil.copy(src, whole)
    with monkeypatch.context() as m:
        def unread(self, sheet, bulk):
            raise AssertionError(f"{sheet} read")

        m.setattr(FileBook, "_part_grid", unread)  # neither record table is read
        daily(fast, days[-1])
    with monkeypatch.context() as m:
        m.setattr(FileBook, "table_end", lambda self, sheet, top=20: None)
        daily(whole, days[-1])
    loaded = {p: openpyxl.load_workbook(p) for p in (fast, whole)}  # one load each for the values and the widths
    got, expected, typed = values_of(loaded[fast]), values_of(loaded[whole]), full_load(src)
    forms = [s for s in expected if s.startswith("日表")]
    assert forms and {s: got[s] for s in forms} == {s: expected[s] for s in forms}
    for sheet in RECORDS:
        assert got[sheet] == expected[sheet] and len(got[sheet]) > len(typed[sheet])
        assert _body(fast, sheet).startswith(before[sheet])  # added below: the rows above as they were
        widths = [{k: round(d.width, 1) for k, d in loaded[p][sheet].column_dimensions.items()}
                  for p in (fast, whole)]
        assert widths[0] == widths[1]  # columns as wide as the rewritten table's


@pytest.mark.parametrize("prefix", ["", "x:"])
def test_shared_strings_read_one_at_a_time_read_as_the_whole_table_does(prefix):
    """The header of a term's records needs a few of the shared strings:
    each is read alone, inside the part's own root (a prefixed part too),
    and reads as reading the whole part gives it (rich text flattened,
    phonetic runs left out, spaces kept)."""
    p = prefix
    xml = (f'<?xml version="1.0"?><{p}sst xmlns{":x" if p else ""}="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           f'<{p}si><{p}t>日期</{p}t></{p}si>'
           f'<{p}si><{p}r><{p}t>学</{p}t></{p}r><{p}r><{p}rPr/><{p}t>号</{p}t></{p}r></{p}si>'
           f'<{p}si><{p}t xml:space="preserve"> a&amp;b </{p}t><{p}rPh sb="0" eb="1"><{p}t>x</{p}t></{p}rPh></{p}si>'
           f'</{p}sst>').encode()
    whole = cellread.shared_strings(xml)
    one_by_one = cellread.SharedStringsOnDemand(xml)
    assert [one_by_one[i] for i in (2, 0, 1)] == [whole[2], whole[0], whole[1]] == [" a&b ", "日期", "学号"]
    with pytest.raises(IndexError):
        one_by_one[3]
