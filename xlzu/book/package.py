"""The .xlsx/.xlsm package seen as parts: which part holds which sheet, a
sheet part cut into head / cell data / tail, and writing a package with
some parts replaced.

The file backend keeps the cell data of large plain sheets (个人记录,
小组记录, …) out of openpyxl: openpyxl loads a copy of the package whose
sheet parts for them hold the head and tail only (sheet view, columns,
filter, print setup: everything but the cells), and on save the cell data
is put back between openpyxl's head and tail.  Sheets are found through
``xl/workbook.xml`` and its relationships, never by part name, so a file
saved by Excel, WPS or LibreOffice works as well as one xlzu wrote.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from functools import cached_property
from xml.etree import ElementTree as ET

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_SST = NS_R + "/sharedStrings"
CT_SST = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"

_SHEETDATA = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)sheetData\b[^>]*?(/?)>")
_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?worksheet\b[^>]*>")
_XMLNS = re.compile(rb"""\sxmlns:[\w.-]+\s*=\s*(?:"[^"]*"|'[^']*')""")
_DIMENSION = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)dimension\b[^>]*/>")
_NOT_PLAIN = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:mergeCell|hyperlink)\b")
_SI = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s>/]")
_SST_ROOT = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)sst\b[^>]*?(/?)>")
_SST_COUNTS = re.compile(rb"""\s(?:count|uniqueCount)\s*=\s*(?:"[^"]*"|'[^']*')""")
_SST_CELL = re.compile(rb"""(<c\b[^>]*?\st=["']s["'][^>]*>\s*<v>)(\d+)(</v>)""")
_SST_TYPE = re.compile(rb"""\st\s*=\s*["']s["']""")
_SST_CELL_INDEX = re.compile(rb"""<c\b[^>]*?\st=["']s["'][^>]*>\s*<v>(\d+)</v>""")


class PackageError(Exception):
    """The package is not laid out as this module expects (the caller
    falls back to openpyxl for everything)."""


def rels_path(part: str) -> str:
    """xl/workbook.xml → xl/_rels/workbook.xml.rels"""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(source_part: str, target: str) -> str:
    """A relationship target as a part name (no leading slash)."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


@dataclass
class SheetPart:
    """A worksheet part cut around its cell data."""

    head: bytes  # from the start to just before <sheetData…>
    body: bytes  # what is between <sheetData> and </sheetData>
    tail: bytes  # after </sheetData>
    prefix: bytes  # namespace prefix of sheetData ("x:" or "")
    namespaces: bytes  # xmlns:… declarations of the root element, for the body

    @classmethod
    def split(cls, xml: bytes) -> "SheetPart":
        m = _SHEETDATA.search(xml)
        if m is None:
            raise PackageError("no sheetData")
        prefix = m.group(1)
        root = _ROOT.search(xml, 0, m.start())
        namespaces = b"".join(_XMLNS.findall(root.group(0))) if root else b""
        if m.group(2):
            return cls(xml[: m.start()], b"", xml[m.end():], prefix, namespaces)
        close = b"</" + prefix + b"sheetData>"
        j = xml.rfind(close)
        if j < m.end():
            raise PackageError("unclosed sheetData")
        return cls(xml[: m.start()], xml[m.end(): j], xml[j + len(close):], prefix, namespaces)

    def stub(self) -> bytes:
        """The part without cells (what openpyxl is given)."""
        return self.head + b"<" + self.prefix + b"sheetData/>" + self.tail

    @property
    def plain(self) -> bool:
        """No merged cells or hyperlinks: nothing openpyxl would hang on
        cells while loading the head and tail."""
        return _NOT_PLAIN.search(self.tail) is None

    @cached_property
    def has_formulas(self) -> bool:
        f = b"<" + self.prefix + b"f"
        if f not in self.body:  # one scan settles the usual case
            return False
        return any(f + end in self.body for end in (b">", b" ", b"/", b"\t", b"\n", b"\r"))

    @cached_property
    def uses_shared_strings(self) -> bool:
        if b'"s"' not in self.body and b"'s'" not in self.body:
            return False
        return re.search(rb"""\st\s*=\s*["']s["']""", self.body) is not None

    def dimension(self) -> bytes | None:
        m = _DIMENSION.search(self.head)
        return m.group(0) if m else None


class LazySheetPart(SheetPart):
    """A sheet part whose head, tail and flags are known without reading it
    (stored beside its grid, see :mod:`.tablecache`); the cell data is read
    from the package only when something needs it."""

    def __init__(self, head: bytes, tail: bytes, prefix: bytes, namespaces: bytes, shared_strings: bool,
                 load):
        self.head, self.tail, self.prefix, self.namespaces = head, tail, prefix, namespaces
        self.__dict__["uses_shared_strings"] = shared_strings
        self.__dict__["has_formulas"] = False  # a grid with formulas is never stored
        self._load = load

    def __getattr__(self, name: str):
        if name != "body":
            raise AttributeError(name)
        whole = SheetPart.split(self._load())
        if (whole.head, whole.tail, whole.prefix) != (self.head, self.tail, self.prefix):
            raise PackageError("the stored head or tail is not the part's")
        self.body = whole.body
        return self.body


class Package:
    """A zip package read into memory."""

    def __init__(self, data: bytes):
        self.data = data
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise PackageError(str(exc)) from exc
        self.names = set(self.zip.namelist())

    def read(self, part: str) -> bytes:
        return self.zip.read(part)

    def has(self, part: str) -> bool:
        return part in self.names

    def relationships(self, part: str) -> list[tuple[str, str, str]]:
        """(Id, Type, target part) of ``part``'s relationships."""
        path = rels_path(part) if part else "_rels/.rels"
        if path not in self.names:
            return []
        root = ET.fromstring(self.read(path))
        out = []
        for rel in root.iter(f"{{{NS_PKG}}}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            out.append((rel.get("Id", ""), rel.get("Type", ""), resolve(part, rel.get("Target", ""))))
        return out

    def workbook_part(self) -> str:
        for _, kind, target in self.relationships(""):
            if kind.endswith("/officeDocument"):
                return target
        raise PackageError("no workbook part")

    def sheet_parts(self) -> dict[str, str]:
        """Sheet name → worksheet part, from xl/workbook.xml and its rels
        (chart sheets and dialog sheets are left out)."""
        wb = self.workbook_part()
        rels = {rid: (kind, target) for rid, kind, target in self.relationships(wb)}
        root = ET.fromstring(self.read(wb))
        out = {}
        for sheet in root.iter(f"{{{NS_MAIN}}}sheet"):
            kind, target = rels.get(sheet.get(f"{{{NS_R}}}id", ""), ("", ""))
            if kind.endswith("/worksheet") and target in self.names:
                out[sheet.get("name", "")] = target
        return out

    def shared_strings_part(self) -> str | None:
        for _, kind, target in self.relationships(self.workbook_part()):
            if kind == REL_SST or kind.endswith("/sharedStrings"):
                return target if target in self.names else None
        return None

    def sheet_has_cell_relations(self, part: str) -> bool:
        """Comments bind to cells when openpyxl loads them."""
        return any(kind.endswith("/comments") for _, kind, _ in self.relationships(part))

    def with_parts(self, replaced: dict[str, bytes]) -> bytes:
        """The package with some parts' bytes replaced (stored, not
        compressed: it is only read back in memory)."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
            for info in self.zip.infolist():
                data = replaced.get(info.filename)
                z.writestr(info.filename, data if data is not None else self.zip.read(info))
        return out.getvalue()


# --------------------------------------------------------------------------
# Shared strings
# --------------------------------------------------------------------------
def sst_inner(xml: bytes) -> tuple[bytes, bytes, int]:
    """(root start tag, inner xml, number of strings) of a sharedStrings part."""
    m = _SST_ROOT.search(xml)
    if m is None:
        raise PackageError("no sst")
    if m.group(2):
        return m.group(0)[:-2].rstrip() + b">", b"", 0
    close = b"</" + m.group(1) + b"sst>"
    j = xml.rfind(close)
    inner = xml[m.end(): j]
    return m.group(0), inner, len(_SI.findall(inner))


def merged_sst(original: bytes, written: bytes | None) -> tuple[bytes, int]:
    """A sharedStrings part holding ``original``'s strings first (so cell
    data copied from the original file keeps its indices) and then those
    of ``written`` (openpyxl's); returns it and how far ``written``'s
    indices move."""
    root, inner, n = sst_inner(original)
    extra = b""
    if written:
        wroot, winner, wn = sst_inner(written)
        if wn and f'xmlns="{NS_MAIN}"'.encode() not in root:
            raise PackageError("shared strings in another namespace layout")
        extra, n_extra = winner, wn
    else:
        n_extra = 0
    root = _SST_COUNTS.sub(b"", root)
    root = root[:-1].rstrip(b"/ ") + f' count="{n + n_extra}" uniqueCount="{n + n_extra}">'.encode()
    close = b"</" + (re.match(rb"<((?:[\w.-]+:)?)sst", root).group(1)) + b"sst>"
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + root + inner + extra + close, n


def sst_item_starts(inner: bytes) -> list[int]:
    """Where each <si> item of a sharedStrings part's inner XML starts, and
    its end."""
    return [m.start() for m in _SI.finditer(inner)] + [len(inner)]


def compact_sst(sst: bytes, parts: dict[str, bytes]) -> tuple[bytes, dict[str, bytes]]:
    """A sharedStrings part holding only the strings the cells of ``parts``
    use, and those parts with their indices renumbered to it (the parts
    that use none are left out of the result).

    A term's records saved by Excel, WPS or LibreOffice put tens of
    thousands of strings in the shared table; openpyxl, which is given the
    workbook with those sheets' cells held back, would read them all (about
    a third of a second) for the few hundred its sheets use."""
    root, inner, _ = sst_inner(sst)
    starts = sst_item_starts(inner)
    used: dict[str, list[int]] = {}
    wanted: set[int] = set()
    for name, xml in parts.items():
        found = [int(i) for i in _SST_CELL_INDEX.findall(xml)]
        if len(found) != len(_SST_TYPE.findall(xml)):  # a cell this pattern does not see (a prefix, spaces)
            raise PackageError("shared string cells laid out otherwise")
        if found:
            used[name] = found
            wanted.update(found)
    if any(i >= len(starts) - 1 for i in wanted):
        raise PackageError("a shared string index beyond the table")
    order = sorted(wanted)
    new = {old: k for k, old in enumerate(order)}
    items = b"".join(inner[starts[i]: starts[i + 1]] for i in order)
    root = _SST_COUNTS.sub(b"", root)
    root = root[:-1].rstrip(b"/ ") + f' count="{len(order)}" uniqueCount="{len(order)}">'.encode()
    close = b"</" + (re.match(rb"<((?:[\w.-]+:)?)sst", root).group(1)) + b"sst>"
    out = {name: _SST_CELL.sub(lambda m: m.group(1) + str(new[int(m.group(2))]).encode() + m.group(3), parts[name])
           for name in used}
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + root + items + close, out


def shift_sst_indices(sheet_xml: bytes, by: int) -> bytes:
    if not by:
        return sheet_xml
    return _SST_CELL.sub(lambda m: m.group(1) + str(int(m.group(2)) + by).encode() + m.group(3), sheet_xml)


def add_sst_part(content_types: bytes, workbook_rels: bytes, sst_part: str) -> tuple[bytes, bytes]:
    """[Content_Types].xml and the workbook's rels with a sharedStrings
    part added (when missing)."""
    name = "/" + sst_part
    if name.encode() not in content_types:
        content_types = content_types.replace(
            b"</Types>", f'<Override PartName="{name}" ContentType="{CT_SST}"/></Types>'.encode())
    if REL_SST.encode() not in workbook_rels:
        ids = set(re.findall(rb'Id="([^"]+)"', workbook_rels))
        k = 1
        while f"rIdSst{k}".encode() in ids:
            k += 1
        workbook_rels = workbook_rels.replace(
            b"</Relationships>",
            f'<Relationship Id="rIdSst{k}" Type="{REL_SST}" Target="{name}"/></Relationships>'.encode())
    return content_types, workbook_rels


# --------------------------------------------------------------------------
# Writing a zip
# --------------------------------------------------------------------------
def stored_bytes(src: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """One entry's bytes as stored in the zip (compressed, not inflated)."""
    fp = src.fp
    fp.seek(info.header_offset)
    header = fp.read(30)
    if header[:4] != b"PK\x03\x04":
        raise PackageError("bad local header")
    n, m = struct.unpack("<HH", header[26:30])
    fp.seek(info.header_offset + 30 + n + m)
    return fp.read(info.compress_size)


def _write_stored(dst: zipfile.ZipFile, zi: zipfile.ZipInfo, raw: bytes) -> None:
    zi.header_offset = dst.fp.tell()
    dst.fp.write(zi.FileHeader())
    dst.fp.write(raw)
    dst.filelist.append(zi)
    dst.NameToInfo[zi.filename] = zi
    dst.start_dir = dst.fp.tell()
    dst._didModify = True


def copy_compressed(src: zipfile.ZipFile, info: zipfile.ZipInfo, dst: zipfile.ZipFile, name: str) -> None:
    """Copy one entry's compressed bytes as they are, under ``name``: the
    part is byte for byte the original and costs no compression."""
    raw = stored_bytes(src, info)
    zi = zipfile.ZipInfo(name, date_time=info.date_time)
    zi.compress_type = info.compress_type
    zi.CRC, zi.compress_size, zi.file_size = info.CRC, info.compress_size, info.file_size
    zi.external_attr = info.external_attr
    _write_stored(dst, zi, raw)


def write_deflated(dst: zipfile.ZipFile, name: str, data: bytes, level: int) -> bytes:
    """Write ``data`` deflated under ``name`` (as ZipFile.writestr does) and
    return the compressed bytes as stored."""
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    raw = c.compress(data) + c.flush()
    zi = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    zi.compress_type = zipfile.ZIP_DEFLATED
    zi.CRC, zi.compress_size, zi.file_size = zlib.crc32(data), len(raw), len(data)
    _write_stored(dst, zi, raw)
    return raw
