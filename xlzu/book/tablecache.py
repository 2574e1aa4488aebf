"""A parsed copy of each large held table, kept inside the workbook itself.

Reading a term's 个人记录 and 小组记录 (a quarter of a million cells) costs
about 0.3 CPU-s every operation, most of it parsing the sheet XML.  So when
xlzu saves a workbook it also stores, for each held table, the grid a
reader gives of it, as one Custom XML part of the package (the mechanism
Excel itself uses to keep data beside a workbook; Excel, WPS and
LibreOffice keep or drop it and never show it).  Nothing leaves the file:
the copy is as private as the sheet it is made from.

An entry is used only for exactly the bytes it was made from.  Its key is
a hash of

* the sheet part's bytes as stored in the zip (compressed: the same stored
  bytes always inflate to the same part, and hashing them costs a
  fifteenth of inflating),
* the shared strings part, the styles part (which cells are dates) and the
  workbook part (the 1904 date system), byte for byte,
* everything the entry stores (so an entry damaged anywhere misses),
* xlzu's reader and writer code.

Any change of any of those bytes (a teacher's edit in Excel, WPS or
LibreOffice, a new xlzu) gives another key: the table is parsed as before
and xlzu's next save stores its grid again.  It is only a speed-up: a
missing, stale, damaged or foreign entry is a miss, never a message and
never other values.

Besides the grid, an entry keeps the sheet part's head and tail (all but
the cell data): an operation that only reads the table then never inflates
the part at all; its cells are inflated when a save rewrites them.

The stored grid is safe to read from any file: it is JSON for the distinct
values of each column and arrays of indices into them, compressed; nothing
in it is executed (no pickle).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import struct
import sys
import zlib
from array import array
from dataclasses import dataclass, replace
from operator import itemgetter
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Iterable
from xml.etree import ElementTree as ET

NS = "urn:xlzu:tables:1"
REL_CUSTOM_XML = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml"
REL_CUSTOM_XML_PROPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXmlProps"
CT_CUSTOM_XML_PROPS = "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"
NS_DS = "http://schemas.openxmlformats.org/officeDocument/2006/customXml"
ITEM_ID = "{5E0B7C3A-9F1D-4C59-8E2A-7A11C0DE2026}"  # the datastore id of xlzu's item
_MAGIC = b"XLZT1"
ENV = "XLZU_TABLE_CACHE"  # "off": neither use nor store grids (tests, the benchmark's cold runs)

Grid = list[list[Any]]
_NUMBERS = {bool, int, float}


def enabled() -> bool:
    return os.environ.get(ENV, "").strip().lower() not in ("off", "0", "no", "false")


# The code a stored grid depends on: the readers, the writer and how a
# written value is normalised (a new xlzu that reads differently misses).
# Not which reader ran: python-calamine and the pure-Python reader give the
# same grid (tests/test_held_tables.py), so the offline page (pure reader)
# uses the grids the CLI stored, and the other way round.
_CODE_FILES = ("book/tablecache.py", "book/cellread.py", "book/cellwrite.py", "book/files.py", "cells.py")


def _code_digest() -> bytes:
    h = hashlib.blake2b(digest_size=16)
    package = Path(__file__).resolve().parents[1]
    for name in _CODE_FILES:
        try:
            h.update((package / name).read_bytes())
        except OSError:  # pragma: no cover - a frozen build without sources
            h.update(b"frozen:" + name.encode())
    return h.digest()


_CODE: bytes | None = None


def digest(data: bytes | None) -> bytes:
    """The hash of one part's bytes (``None``: the part is absent)."""
    if data is None:
        return b"-"
    return hashlib.blake2b(data, digest_size=24).digest()


def key(part: bytes, context: Iterable[bytes]) -> str:
    """The key of a grid: the digest of its sheet part, the digests of the
    parts its reading depends on (:func:`digest` of each) and the code."""
    global _CODE
    if _CODE is None:
        _CODE = _code_digest()
    h = hashlib.blake2b(digest_size=24)
    h.update(_CODE)
    h.update(part)
    for d in context:
        h.update(b"|")
        h.update(d)
    return h.hexdigest()


# --------------------------------------------------------------------------
# A grid as bytes
# --------------------------------------------------------------------------
def _tag(v: Any) -> Any:
    t = v.__class__
    if v is None or t is str or t is bool or t is int:
        return v
    if t is float:
        return v if v == v and v not in (float("inf"), float("-inf")) else ["F", repr(v)]
    if t is datetime and v.tzinfo is None:
        return ["D", v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond]
    if t is date:
        return ["d", v.year, v.month, v.day]
    if t is time and v.tzinfo is None:
        return ["T", v.hour, v.minute, v.second, v.microsecond]
    if t is timedelta:
        return ["S", v.days, v.seconds, v.microseconds]
    raise TypeError(f"cannot store {t.__name__}")


def _untag(v: Any) -> Any:
    if v.__class__ is not list:
        return v
    kind, *f = v
    if kind == "D":
        return datetime(*f)
    if kind == "d":
        return date(*f)
    if kind == "T":
        return time(*f)
    if kind == "S":
        return timedelta(days=f[0], seconds=f[1], microseconds=f[2])
    if kind == "F":
        return float(f[0])
    raise ValueError(kind)


def encode(grid: Grid) -> bytes:
    """The grid as compressed bytes (raises TypeError on a value it cannot
    store exactly; the caller then stores nothing)."""
    width = max((len(r) for r in grid), default=0)
    if any(len(r) != width for r in grid):
        raise ValueError("ragged grid")
    columns = [list(map(itemgetter(j), grid)) for j in range(width)]
    tables = []
    arrays = []
    for col in columns:
        kinds = set(map(type, col))
        if len(kinds & _NUMBERS) > 1:  # 1, 1.0 and True compare equal: keyed by (type, value)
            index: dict[tuple[type, Any], int] = {}
            idx = [index.setdefault(k, len(index)) for k in zip(map(type, col), col)]
            distinct = [v for _, v in index]
        else:  # one kind of number at most: the values themselves are the keys (at C speed)
            distinct = list(dict.fromkeys(col))
            position = {v: i for i, v in enumerate(distinct)}
            idx = list(map(position.__getitem__, col))
        tables.append([_tag(v) for v in distinct])
        a = array("I" if len(distinct) > 0xFFFF else "H", idx)
        if sys.byteorder != "little":  # pragma: no cover
            a.byteswap()
        arrays.append((a.typecode, a.tobytes()))
    head = json.dumps({"rows": len(grid), "width": width, "tables": tables,
                       "types": [t for t, _ in arrays]}, ensure_ascii=False, separators=(",", ":")).encode()
    return zlib.compress(_MAGIC + struct.pack("<I", len(head)) + head + b"".join(b for _, b in arrays), 1)


def decode(payload: bytes) -> Grid:
    """The grid of :func:`encode` (raises on anything that is not one)."""
    data = zlib.decompress(payload)
    if not data.startswith(_MAGIC):
        raise ValueError("not a stored grid")
    (n,) = struct.unpack_from("<I", data, len(_MAGIC))
    at = len(_MAGIC) + 4
    head = json.loads(data[at:at + n].decode())
    at += n
    rows, width, tables, types = head["rows"], head["width"], head["tables"], head["types"]
    if len(tables) != width or len(types) != width:
        raise ValueError("bad header")
    columns = []
    for table, code in zip(tables, types):
        if code not in ("H", "I"):
            raise ValueError("bad index type")
        a = array(code)
        size = a.itemsize * rows
        a.frombytes(data[at:at + size])
        if len(a) != rows:
            raise ValueError("cut short")
        if sys.byteorder != "little":  # pragma: no cover
            a.byteswap()
        at += size
        values = [_untag(v) for v in table]
        columns.append(list(map(values.__getitem__, a)))  # IndexError on a bad index
    if at != len(data):
        raise ValueError("trailing bytes")
    if not width:
        return [[] for _ in range(rows)]
    return list(map(list, zip(*columns)))


# --------------------------------------------------------------------------
# The Custom XML part
# --------------------------------------------------------------------------
@dataclass
class Stored:
    """What the workbook stores of one held sheet: the key, the encoded
    grid and, so that an operation need not even inflate the sheet part,
    the part's head and tail (everything around ``<sheetData>``), its
    namespace prefix and root declarations, and whether its cells use the
    shared strings."""

    key: str
    grid: bytes
    head: bytes = b""
    tail: bytes = b""
    prefix: bytes = b""
    namespaces: bytes = b""
    shared_strings: bool = False

    def _own(self) -> list[bytes]:
        """Digests of what is stored: an entry damaged anywhere has another key."""
        return [digest(self.grid), digest(self.head), digest(self.tail), digest(self.prefix),
                digest(self.namespaces), b"sst" if self.shared_strings else b"inline"]

    def sealed(self, part: bytes, context: Iterable[bytes]) -> "Stored":
        """This entry with the key of a sheet part (:func:`digest` of its
        bytes as stored) and of the parts its reading depends on."""
        return replace(self, key=key(part, [*context, *self._own()]))

    def matches(self, part: bytes, context: Iterable[bytes]) -> bool:
        return self.key == key(part, [*context, *self._own()])


_PIECES = ("grid", "head", "tail", "namespaces")


def item_xml(entries: dict[str, Stored]) -> bytes:
    """The part holding ``entries`` (sheet name → what is stored of it)."""
    root = ET.Element(f"{{{NS}}}tables")
    for sheet, st in entries.items():
        el = ET.SubElement(root, f"{{{NS}}}table", {"sheet": sheet, "key": st.key, "prefix": st.prefix.decode(),
                                                      "sst": "1" if st.shared_strings else "0"})
        for piece in _PIECES:
            ET.SubElement(el, f"{{{NS}}}{piece}").text = base64.b64encode(getattr(st, piece)).decode("ascii")
    ET.register_namespace("", NS)
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + ET.tostring(root, encoding="utf-8",
                                                                                    xml_declaration=False)


def props_xml() -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
            b'<ds:datastoreItem ds:itemID="' + ITEM_ID.encode() + b'" xmlns:ds="' + NS_DS.encode() + b'">'
            b'<ds:schemaRefs/></ds:datastoreItem>')


_OURS = re.compile(rb"<(?:[\w.-]+:)?tables\b[^>]*" + re.escape(NS.encode()))


def parse_item(xml: bytes) -> dict[str, Stored] | None:
    """The entries of a Custom XML part, or None when it is not xlzu's."""
    if _OURS.search(xml[:512]) is None:
        return None
    root = ET.fromstring(xml)
    if root.tag != f"{{{NS}}}tables":
        return None
    out = {}
    for el in root.iter(f"{{{NS}}}table"):
        sheet, k = el.get("sheet"), el.get("key")
        pieces = {}
        for piece in _PIECES:
            child = el.find(f"{{{NS}}}{piece}")
            pieces[piece] = base64.b64decode((child.text or "").strip(), validate=True) if child is not None else b""
        if sheet and k and pieces["grid"]:
            out[sheet] = Stored(k, pieces["grid"], pieces["head"], pieces["tail"], (el.get("prefix") or "").encode(),
                                pieces["namespaces"], el.get("sst") == "1")
    return out
