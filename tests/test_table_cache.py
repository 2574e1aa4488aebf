"""The grids a workbook stores of its own record tables
(xlzu/book/tablecache.py): xlzu's save stores them inside the package as a
Custom XML part; a stored grid equals a fresh parse, is used only for
exactly the bytes it was made from, and anything wrong with it is a silent
miss (the table is parsed as before)."""

from __future__ import annotations

import base64
import math
import re
import shutil
import zipfile
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pandas as pd
import pytest

from xlzu import contract as C
from xlzu import daily, save, week
from xlzu.book import FileBook, tablecache
from xlzu.book.files import _context
from xlzu.book.package import LazySheetPart, Package, copy_compressed, stored_bytes
from xlzu.layout import Layout
from xlzu.records import read_table, records_layout
from xlzu.pdf import convert

from history import school_days, type_forms
from test_held_tables import full_load, held_values, make_class

RECORDS = (C.PERSON_RECORDS, C.GROUP_RECORDS)


@pytest.fixture(scope="module")
def class_2w(tmp_path_factory) -> Path:
    return make_class(tmp_path_factory.mktemp("stored"), 2)


@pytest.fixture
def copy(class_2w, tmp_path) -> Path:
    path = tmp_path / "班级.xlsx"
    shutil.copy(class_2w, path)
    return path


def items(path: Path) -> list[tuple[str, dict[str, tablecache.Stored]]]:
    """xlzu's Custom XML parts, found as Excel finds them: through the
    workbook's relationships."""
    pkg = Package(path.read_bytes())
    out = []
    for _, kind, target in pkg.relationships(pkg.workbook_part()):
        if kind == tablecache.REL_CUSTOM_XML:
            entries = tablecache.parse_item(pkg.read(target))
            if entries is not None:
                out.append((target, entries))
    return out


def records(path: Path, *, stored: bool) -> dict[str, list[list]]:
    values = held_values(path, stored=stored)
    return {s: values[s] for s in RECORDS}


def loaded_records(path: Path) -> dict[str, list[list]]:
    """The record tables as one full openpyxl load reads them."""
    values = full_load(path)
    return {s: values[s] for s in RECORDS}


def hits(path: Path) -> set[str]:
    """The held sheets whose stored grid matches the file's bytes."""
    book = FileBook.open(path)
    return {name for name, b in book._bulk.items() if b.cached is not None}


def rewrite(path: Path, change) -> None:
    """Rewrite parts of the package in place: change(name, bytes) → bytes;
    the parts it leaves as they were keep their bytes as stored."""
    pkg = Package(path.read_bytes())
    out = path.with_suffix(".tmp")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in pkg.zip.infolist():
            data = pkg.zip.read(info)
            new = change(info.filename, data)
            if new == data:
                copy_compressed(pkg.zip, info, z, info.filename)
            else:
                z.writestr(info.filename, new)
    out.replace(path)


def rewrite_item(path: Path, change_entries) -> None:
    [(part, _)] = items(path)

    def change(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        return tablecache.item_xml(change_entries(tablecache.parse_item(data)))

    rewrite(path, change)


def resealed(path: Path, sheet: str, st: tablecache.Stored) -> tablecache.Stored:
    """``st`` with the key it would have if xlzu had stored it for ``sheet`` of ``path``."""
    pkg = Package(path.read_bytes())
    info = pkg.zip.getinfo(pkg.sheet_parts()[sheet])
    return st.sealed(tablecache.digest(b"%d:" % info.compress_type + stored_bytes(pkg.zip, info)), _context(pkg))


def tamper(path: Path) -> None:
    """The stored 个人记录 grid gets, in its first record, a name no parse
    could give, under a key that matches (as if xlzu had stored it)."""
    def change(entries):
        st = entries[C.PERSON_RECORDS]
        grid = tablecache.decode(st.grid)
        grid[1][2] = "存的值"
        return {**entries, C.PERSON_RECORDS: resealed(path, C.PERSON_RECORDS, replace(st, grid=tablecache.encode(grid)))}

    rewrite_item(path, change)


# --------------------------------------------------------------------------
def test_a_saved_workbook_stores_each_record_table_as_a_parse_reads_it(copy):
    [(part, entries)] = items(copy)
    assert set(entries) == set(RECORDS)
    pkg = Package(copy.read_bytes())
    # an ordinary Custom XML part: related from the workbook, with its properties part and content type
    props = [t for _, kind, t in pkg.relationships(part) if kind == tablecache.REL_CUSTOM_XML_PROPS]
    assert props and pkg.has(props[0]) and tablecache.ITEM_ID.encode() in pkg.read(props[0])
    assert f'PartName="/{props[0]}" ContentType="{tablecache.CT_CUSTOM_XML_PROPS}"'.encode() in pkg.read("[Content_Types].xml")
    assert hits(copy) == set(RECORDS)
    parsed = records(copy, stored=False)
    assert records(copy, stored=True) == parsed
    assert parsed == loaded_records(copy)
    for sheet in RECORDS:
        assert tablecache.decode(entries[sheet].grid) == parsed[sheet]
    assert len(pkg.read(part)) < 0.1 * sum(pkg.zip.getinfo(p).file_size for s, p in pkg.sheet_parts().items() if s in RECORDS)


def test_a_stored_grid_is_used_only_for_the_bytes_it_was_made_from(copy):
    tamper(copy)
    assert records(copy, stored=True)[C.PERSON_RECORDS][1][2] == "存的值"  # proof that the stored grid is what is read
    name = records(copy, stored=False)[C.PERSON_RECORDS][1][2]
    sheet_part = Package(copy.read_bytes()).sheet_parts()[C.PERSON_RECORDS]
    # one cell edited by another program, the stored grid left in the file: a miss, the edit is read
    rewrite(copy, lambda n, d: d.replace(name.encode(), "改过的名".encode(), 1) if n == sheet_part else d)
    assert hits(copy) == {C.GROUP_RECORDS}
    got = records(copy, stored=True)
    assert got[C.PERSON_RECORDS][1][2] == "改过的名"
    assert got == records(copy, stored=False) == loaded_records(copy)


def test_an_operation_that_only_reads_the_records_does_not_inflate_them(copy):
    book = FileBook.open(copy)
    for sheet in RECORDS:
        part = book._bulk[sheet].part
        assert isinstance(part, LazySheetPart)
        book.read_values(sheet)
        assert "body" not in part.__dict__  # the cell XML was never inflated
    truth = records(copy, stored=False)
    week(copy)  # the record parts copied as stored
    assert records(copy, stored=True) == records(copy, stored=False) == truth
    assert loaded_records(copy) == truth


def test_a_table_rewritten_from_an_uninflated_part_keeps_every_record(copy):
    """A record added to a table whose part was never inflated: the rows
    before it are copied from the part (inflated then), the new one written,
    and the workbook reads back as the table plus that record."""
    book = FileBook.open(copy)
    values = book.read_values(C.GROUP_RECORDS)
    part = book._bulk[C.GROUP_RECORDS].part
    assert isinstance(part, LazySheetPart) and "body" not in part.__dict__
    table, read = read_table(values, "group")
    added = table.iloc[[-1]].assign(**{C.REC_NOTE: "补记"})
    book.write_layout(C.GROUP_RECORDS, records_layout(pd.concat([table, added], ignore_index=True), "group", read))
    book.save()
    assert "body" in part.__dict__  # the rows before the new one were read from the part
    got = full_load(copy)[C.GROUP_RECORDS]
    note = values[0].index(C.REC_NOTE)
    assert got[:-1] == values and got[-1][:note] == values[-1][:note] and got[-1][note] == "补记"
    assert records(copy, stored=True) == records(copy, stored=False)
    assert hits(copy) == set(RECORDS)


def test_the_pure_reader_uses_the_grids_calamine_stored(copy):
    """The offline page (pure-Python reader) and the CLI (python-calamine)
    read the same grids, so each uses what the other stored."""
    tamper(copy)
    assert held_values(copy, pure=True, stored=True)[C.PERSON_RECORDS][1][2] == "存的值"


def test_a_changed_styles_part_is_a_miss(copy):
    tamper(copy)
    rewrite(copy, lambda n, d: d.replace(b"</styleSheet>", b" </styleSheet>") if n == "xl/styles.xml" else d)
    assert hits(copy) == set()
    assert records(copy, stored=True) == records(copy, stored=False)


def test_a_libreoffice_resave_is_parsed_and_stored_again_by_the_next_save(copy, tmp_path, soffice):
    tamper(copy)
    resaved = convert(copy, "xlsx", tmp_path / "lo")
    truth = loaded_records(resaved)
    assert records(resaved, stored=True) == truth
    week(resaved)
    assert hits(resaved) == set(RECORDS)
    assert records(resaved, stored=True) == records(resaved, stored=False) == truth


def test_save_and_week_leave_grids_that_match_what_they_wrote(copy):
    day = school_days(copy, 3)[-1]
    daily(copy, day)
    type_forms(copy, seed=5)  # openpyxl's save drops the stored grids
    assert items(copy) == []
    save(copy)  # a new day: its records added below the tables, which are not read (no grid to store)
    assert hits(copy) == set()
    truth = records(copy, stored=False)
    assert sum(1 for r in truth[C.PERSON_RECORDS] if r[0] == datetime(day.year, day.month, day.day)) > 0
    assert truth == loaded_records(copy)
    week(copy)  # reads the records: copied as they are, their grids stored
    assert hits(copy) == set(RECORDS)
    assert records(copy, stored=True) == records(copy, stored=False) == truth
    note_on_the_first_form(copy, "改过")  # the same day corrected
    save(copy)  # replaces that day's records: the tables read whole and written back, their grids stored
    assert hits(copy) == set(RECORDS)
    again = records(copy, stored=False)
    assert again != truth
    assert records(copy, stored=True) == again == loaded_records(copy)


def note_on_the_first_form(path: Path, note: str) -> None:
    """Type ``note`` in the 备注 of the first student on 日表-第1组, with openpyxl."""
    from openpyxl import load_workbook

    from formfill import read_sheet

    wb = load_workbook(path)
    ws = wb[C.daily_group_sheet(1)]
    form = read_sheet(ws)
    ws.cell(min(form.rows), form.note_col, note)
    wb.save(path)


@pytest.mark.parametrize("damage", ["base64", "cut", "index", "not xml", "json", "head"])
def test_a_damaged_stored_grid_is_a_silent_miss(copy, damage):
    truth = records(copy, stored=False)
    [(part, entries)] = items(copy)
    if damage == "not xml":
        rewrite(copy, lambda n, d: b"<tables xmlns='urn:xlzu:tables:1'><table" if n == part else d)
    else:
        def broken(payload: bytes) -> bytes:
            if damage == "cut":
                return payload[: len(payload) // 2]
            data = __import__("zlib").decompress(payload)
            if damage == "index":  # every index of the last column far out of its table
                return __import__("zlib").compress(data[: -100] + b"\xff" * 100)
            if damage == "json":
                return __import__("zlib").compress(data.replace(b'"rows"', b'"rowz"', 1))
            return payload

        def change(n: str, d: bytes) -> bytes:
            if n != part:
                return d
            if damage == "base64":
                return re.sub(rb"(<grid>)[A-Za-z0-9+/]{8}", rb"\1!!!!!!!!", d)
            if damage == "head":  # a sheet view that is not the part's: the key no longer matches
                return tablecache.item_xml({s: replace(st, head=st.head.replace(b"<sheetView ", b'<sheetView zoomScale="40" '))
                                            for s, st in entries.items()})
            return tablecache.item_xml({s: replace(st, grid=broken(st.grid)) for s, st in entries.items()})

        rewrite(copy, change)
    assert records(copy, stored=True) == truth
    week(copy)  # the operation works and stores good grids again
    assert hits(copy) == set(RECORDS)
    assert records(copy, stored=True) == records(copy, stored=False)


def test_values_that_might_not_read_back_as_written_are_not_stored(tmp_path):
    path = tmp_path / "t.xlsx"
    head = list(C.PERSON_RECORD_COLUMNS)
    rows = [[datetime(2026, 9, 1), f"2025{i:05d}", "王伟", 1, "课堂", "展示", 2, None, "手工"] for i in range(30)]
    for note in ("两行\r\n备注", "_x0041_"):  # XML turns CR into LF; readers decode Excel's _xHHHH_
        book = FileBook.create(path)
        book.write_layout(C.PERSON_RECORDS, Layout([head] + rows[:-1] + [rows[-1][:7] + [note, "手工"]]))
        book.write_layout(C.GROUP_RECORDS, Layout([["日期", "组号"], [datetime(2026, 9, 1), 1]]))
        book.save()
        assert set(items(path)[0][1]) == {C.GROUP_RECORDS}
        assert records(path, stored=True) == records(path, stored=False)


def test_the_off_switch_neither_uses_nor_stores(copy, monkeypatch):
    monkeypatch.setenv(tablecache.ENV, "off")
    assert hits(copy) == set()
    week(copy)
    assert items(copy) == [] or all(not e for _, e in items(copy))


def test_a_grid_comes_back_from_its_encoding_value_for_value_and_type_for_type():
    grid = [
        ["日期", 1, 1.0, True, None],
        [datetime(2026, 9, 1, 13, 30, 5, 7), date(2026, 9, 2), time(8, 15), timedelta(days=2, seconds=3), ""],
        [float("nan"), float("inf"), -0.0, 2**60, "=1+1"],
        [False, 0, 0.0, "多行\n备注", " 空格 "],
    ]
    back = tablecache.decode(tablecache.encode(grid))
    for a, b in zip(grid, back):
        assert [type(v) for v in a] == [type(v) for v in b]
        assert all(x == y or (isinstance(x, float) and math.isnan(x) and math.isnan(y)) for x, y in zip(a, b))
    assert tablecache.decode(tablecache.encode([])) == []
    big = [[f"s{i}", i] for i in range(70_000)]  # more distinct values than 16-bit indices hold
    assert tablecache.decode(tablecache.encode(big)) == big
    with pytest.raises(TypeError):
        tablecache.encode([[object()]])
    with pytest.raises(Exception):
        tablecache.decode(base64.b64decode("AAAA"))
