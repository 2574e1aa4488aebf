"""Live Excel without Excel: xlwings' remote engine, and what it recorded.

* :func:`payload` turns a real workbook file into the JSON that an xlwings
  client sends with a request (sheet values, names, visibility), so
  ``xw.Book(json=payload(path))`` is that workbook as the live backend sees it.
* :func:`replay` applies the actions the remote engine recorded
  (``book.json()["actions"]``) to that payload, giving the workbook Excel
  would show afterwards: values, sheets, fills, merges, validations, names,
  widths, freeze panes, print areas, charts (type, data, x values, titles,
  anchor), alerts.  Unknown actions raise, so a new kind of call cannot slip
  past the tests.
* :func:`file_state` reads a saved workbook into the same :class:`State`, so
  one assertion checks both backends.

Payload values are what openpyxl reads: a formula is its text (the file
backend reads the same), dates are ISO strings as the clients send them.
The payload names its client "Office.js": that is the client for which the
remote engine records alignment and data validation (it refuses them for its
VBA client); desktop Excel runs the COM / AppleScript engine instead, which
does all of it.
"""

from __future__ import annotations

import copy
import csv
import random
import re
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from xlzu.layout import parse_range, range_ref

ISO_SUFFIX = ".000Z"
# How the remote engine writes a date (2026-11-24) or a datetime (2026-11-24T08:30:00),
# and how clients send them (…T00:00:00.000Z); Excel stores either as a date.
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?Z?)?$")


# --------------------------------------------------------------------------
# Building a payload from a workbook file
# --------------------------------------------------------------------------
def _to_json(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S") + ISO_SUFFIX
    if isinstance(value, date):
        return value.strftime("%Y-%m-%dT00:00:00") + ISO_SUFFIX
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, str)):
        return value
    return str(value)


def payload(path: str | Path, *, client: str = "Office.js") -> dict:
    """The request JSON an xlwings client would send for this workbook."""
    import openpyxl
    import xlwings

    path = Path(path)
    wb = openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm")
    sheets = []
    for ws in wb.worksheets:
        # Charts as a client lists them (name, type, geometry): a button that
        # rewrites the sheet must replace them, not add to them.
        charts = [{"name": f"Chart {k}" if k > 1 else "Chart", "chart_type": "Line", "left": 0, "top": 0,
                   "width": 400, "height": 300} for k in range(1, len(ws._charts) + 1)]
        if ws.max_row == 1 and ws.max_column == 1 and ws.cell(1, 1).value is None:
            values: list[list[Any]] = [[""]]
        else:
            values = [[_to_json(v) for v in row] for row in ws.iter_rows(values_only=True)]
        sheets.append({
            "name": ws.title,
            "values": values,
            "visibility": "Visible" if ws.sheet_state == "visible" else "Hidden",
            "pictures": [], "shapes": [], "charts": charts, "notes": [], "tables": [],
            "print_area": None,
        })
    names = []
    for name, defined in wb.defined_names.items():
        names.append({
            "name": name, "sheet_index": None, "address": None, "book_scope": True,
            "scope_sheet_index": None, "scope_sheet_name": None,
            "refers_to": "=" + (defined.attr_text or ""),
        })
    active = wb.sheetnames.index(wb.active.title) if wb.active is not None else 0
    return {
        "client": client,
        "version": xlwings.__version__,
        "book": {"name": path.name, "active_sheet_index": active, "selection": "A1"},
        "names": names,
        "sheets": sheets,
    }


def remote_book(data: dict):
    """An xlwings Book on the remote engine (needs XLWINGS_LICENSE_KEY,
    which conftest sets for the tests)."""
    import xlwings as xw

    return xw.Book(json=copy.deepcopy(data))


# --------------------------------------------------------------------------
# What a teacher would see: one state for both backends
# --------------------------------------------------------------------------
@dataclass
class Sheet:
    name: str
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)
    hidden: bool = False
    fills: dict[tuple[int, int], str] = field(default_factory=dict)
    merges: set[str] = field(default_factory=set)
    validations: list[tuple[str, str, tuple]] = field(default_factory=list)  # (ref, kind, detail)
    widths: dict[int, float] = field(default_factory=dict)  # characters
    heights: dict[int, float] = field(default_factory=dict)
    number_formats: list[tuple[str, str]] = field(default_factory=list)
    freeze: str | None = None
    print_area: str | None = None
    chart_list: list[dict] = field(default_factory=list)  # type, title, data, categories, anchor, x_title, y_title
    # live side only (a file's are not read back): cells with a border, vertical alignment per cell
    borders: set[tuple[int, int]] = field(default_factory=set)
    valigns: dict[tuple[int, int], str] = field(default_factory=dict)

    @property
    def charts(self) -> int:
        return len(self.chart_list)

    def values(self) -> list[list[Any]]:
        """Rows from A1 to the last non-blank cell, blanks as None."""
        if not self.cells:
            return []
        n_rows = max(r for r, _ in self.cells)
        n_cols = max(c for _, c in self.cells)
        return [[self.cells.get((r, c)) for c in range(1, n_cols + 1)] for r in range(1, n_rows + 1)]

    def cell(self, ref: str) -> Any:
        r, c, _, _ = parse_range(ref)
        return self.cells.get((r, c))

    def fill(self, ref: str) -> str | None:
        r, c, _, _ = parse_range(ref)
        return self.fills.get((r, c))


@dataclass
class State:
    sheets: list[Sheet]
    names: dict[str, str] = field(default_factory=dict)
    alerts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def sheet_names(self) -> list[str]:
        return [s.name for s in self.sheets]

    def __getitem__(self, name: str) -> Sheet:
        for s in self.sheets:
            if s.name == name:
                return s
        raise KeyError(name)


def normalize(value: Any, *, iso_text: bool = True) -> Any:
    """Compare like with like: '' is blank, whole floats are ints, dates
    (datetimes or the ISO strings the remote engine writes) are dates.
    ``iso_text=False`` for a cell read from a file, where a string is text
    even if it looks like a date (the ISO date on a daily sheet)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value
    if iso_text and isinstance(value, str) and _ISO.match(value):
        parsed = datetime.fromisoformat(value.removesuffix("Z").removesuffix(".000"))
        return parsed.date() if parsed.time() == datetime.min.time() else parsed
    return value


def _decode_name(formula: str) -> str:
    from xlzu.book.live import decode_text_formula

    return decode_text_formula(formula)


def file_state(path: str | Path) -> State:
    """A saved workbook as a teacher would see it (through openpyxl)."""
    import openpyxl

    path = Path(path)
    wb = openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm")
    sheets = []
    for ws in wb.worksheets:
        s = Sheet(ws.title, hidden=ws.sheet_state != "visible")
        for row in ws.iter_rows():
            for cell in row:
                v = normalize(cell.value, iso_text=False)
                if v is not None:
                    s.cells[(cell.row, cell.column)] = v
                fill = cell.fill
                if fill is not None and fill.fill_type == "solid" and isinstance(fill.start_color.rgb, str):
                    s.fills[(cell.row, cell.column)] = fill.start_color.rgb[-6:].upper()
                if cell.number_format and cell.number_format != "General":
                    s.number_formats.append((cell.coordinate, cell.number_format))
        s.merges = {str(m) for m in ws.merged_cells.ranges}
        for dv in ws.data_validations.dataValidation:
            for rng in str(dv.sqref).split():
                s.validations.append((rng, dv.type, _dv_detail(dv.type, dv.formula1, dv.formula2)))
        for letter, dim in ws.column_dimensions.items():
            if dim.width and dim.customWidth:
                s.widths[dim.min or _col(letter)] = float(dim.width)
                for c in range((dim.min or _col(letter)) + 1, (dim.max or 0) + 1):
                    s.widths[c] = float(dim.width)
        for r, dim in ws.row_dimensions.items():
            if dim.height is not None:
                s.heights[r] = float(dim.height)
        s.freeze = ws.freeze_panes
        if ws.print_area:
            s.print_area = ws.print_area.split("!")[-1].replace("$", "")
        s.chart_list = [_file_chart(ch) for ch in ws._charts]
        sheets.append(s)
    names = {}
    for name, defined in wb.defined_names.items():
        names[name] = _decode_name("=" + (defined.attr_text or ""))
    return State(sheets, names)


def _file_chart(chart: Any) -> dict:
    """What a teacher sees of a chart in a file: type, title, axis titles,
    the data block (series names and values), the x values, the anchor cell."""
    from xlzu.layout import cell_ref

    def text(title: Any) -> str | None:
        if title is None or title.tx is None or title.tx.rich is None:
            return None
        return "".join(r.t for p in title.tx.rich.p for r in (p.r or []))

    def box(refs: list[str]) -> str:
        boxes = [parse_range(f.split("!")[-1].replace("$", "")) for f in refs]
        return range_ref(min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))

    series = list(chart.series)
    data = box([s.tx.strRef.f for s in series] + [s.val.numRef.f for s in series])
    categories = box([(s.cat.numRef or s.cat.strRef).f for s in series])
    anchor = chart.anchor._from
    kind = chart.tagname.removesuffix("Chart")
    if kind == "line" and series and all(s.marker is not None and s.marker.symbol not in (None, "none") for s in series):
        kind = "lineMarkers"  # Excel's chart type for a line with a dot on each value
    return {"type": kind, "title": text(chart.title), "data": data, "categories": categories,
            "anchor": cell_ref(anchor.row + 1, anchor.col + 1), "x_title": text(chart.x_axis.title),
            "y_title": text(chart.y_axis.title)}


def _col(letters: str) -> int:
    from xlzu.layout import col_number

    return col_number(letters)


def _dv_detail(kind: str, formula1: Any, formula2: Any) -> tuple:
    if kind == "list":
        return tuple(str(formula1).strip('"').split(","))
    if kind == "custom":
        return (str(formula1).lstrip("="),)
    return tuple(_number(f) for f in (formula1, formula2) if f is not None)


def _number(text: Any) -> float:
    return float(str(text).lstrip("="))


# --------------------------------------------------------------------------
# Replaying the remote engine's actions
# --------------------------------------------------------------------------
def payload_state(data: dict) -> State:
    sheets = []
    for sh in data["sheets"]:
        s = Sheet(sh["name"], hidden=sh.get("visibility", "Visible") != "Visible")
        s.chart_list = [{"name": c["name"]} for c in sh.get("charts", [])]
        for i, row in enumerate(sh["values"], start=1):
            for j, v in enumerate(row, start=1):
                v = normalize(v)
                if v is not None:
                    s.cells[(i, j)] = v
        sheets.append(s)
    names = {n["name"]: _decode_name(n.get("refers_to") or "") for n in data.get("names", [])}
    return State(sheets, names)


def _box(action: dict) -> tuple[int, int, int, int]:
    r1, c1 = action["start_row"] + 1, action["start_column"] + 1
    return r1, c1, r1 + action["row_count"] - 1, c1 + action["column_count"] - 1


def _inside(rc: tuple[int, int], box: tuple[int, int, int, int]) -> bool:
    return box[0] <= rc[0] <= box[2] and box[1] <= rc[1] <= box[3]


def _overlaps(ref: str, box: tuple[int, int, int, int]) -> bool:
    r1, c1, r2, c2 = parse_range(ref)
    return not (r2 < box[0] or r1 > box[2] or c2 < box[1] or c1 > box[3])


_IGNORED = {
    # formats the state does not model (their count is what the action tests check)
    "setFontProperty", "setHorizontalAlignment", "setWrapText", "activateSheet", "setScreenUpdating",
}


def replay(data: dict, actions: list[dict], initial: State | None = None) -> State:
    """The workbook after the recorded actions, as Excel would show it.

    ``initial`` is the workbook before them; by default what the payload
    carries (values only).  Pass ``file_state(path)`` of the file the payload
    was made from to start from its formats, validations and names as well.
    """
    state = copy.deepcopy(initial) if initial is not None else payload_state(data)
    sheets = state.sheets
    for a in actions:
        func = a["func"]
        args = a["args"]
        sh = sheets[a["sheet_position"]] if a.get("sheet_position") is not None and func not in ("addSheet",) else None
        if func == "setValues":
            r0, c0 = a["start_row"] + 1, a["start_column"] + 1
            for i, row in enumerate(a["values"]):
                for j, v in enumerate(row):
                    # Excel reads a leading apostrophe as "keep this as text".
                    v = v[1:] if isinstance(v, str) and v.startswith("'") else normalize(v)
                    if v is None:
                        sh.cells.pop((r0 + i, c0 + j), None)
                    else:
                        sh.cells[(r0 + i, c0 + j)] = v
        elif func == "addSheet":
            ix, name = args
            sheets.insert(ix, Sheet(name))
        elif func == "copySheet":
            position, target, name = args
            new = copy.deepcopy(sh)
            new.name = name
            sheets.insert(target if position == "Before" else target + 1, new)
        elif func == "setSheetName":
            sh.name = args[0]
        elif func == "sheetDelete":
            sheets.remove(sh)
        elif func == "setSheetVisibility":
            sh.hidden = args[0] != "Visible"
        elif func == "sheetClear":
            sh.cells.clear()
            sh.fills.clear()
            sh.merges.clear()
            sh.number_formats.clear()
            sh.borders.clear()
            sh.valigns.clear()
        elif func in ("rangeClear", "rangeClearContents"):
            box = _box(a)
            sh.cells = {k: v for k, v in sh.cells.items() if not _inside(k, box)}
            if func == "rangeClear":
                sh.fills = {k: v for k, v in sh.fills.items() if not _inside(k, box)}
                sh.merges = {m for m in sh.merges if not _overlaps(m, box)}
                sh.borders = {k for k in sh.borders if not _inside(k, box)}
                sh.valigns = {k: v for k, v in sh.valigns.items() if not _inside(k, box)}
        elif func == "rangeUnmerge":
            sh.merges = {m for m in sh.merges if not _overlaps(m, _box(a))}
        elif func == "rangeMerge":
            box = _box(a)
            if args and args[0]:  # across: each row of the range merged on its own
                sh.merges |= {range_ref(r, box[1], r, box[3]) for r in range(box[0], box[2] + 1)}
            else:
                sh.merges.add(range_ref(*box))
        elif func == "setRangeColor":
            box = _box(a)
            for r in range(box[0], box[2] + 1):
                for c in range(box[1], box[3] + 1):
                    _set_fill(sh, (r, c), args[0])
        elif func == "setRangeColors":
            box = _box(a)
            for i, row in enumerate(args[0]):
                for j, color in enumerate(row):
                    if color != "keep":
                        _set_fill(sh, (box[0] + i, box[1] + j), color)
        elif func == "setBorderProperty":
            # "all" (every edge and inside line): a cell of the range has a border; one outer
            # edge (a frame, "outside"): the cells along that edge
            box = _box(a)
            cells = {(r, c) for r in range(box[0], box[2] + 1) for c in range(box[1], box[3] + 1)}
            edge = {"edge_top": lambda k: k[0] == box[0], "edge_bottom": lambda k: k[0] == box[2],
                    "edge_left": lambda k: k[1] == box[1], "edge_right": lambda k: k[1] == box[3]}.get(args[0])
            sh.borders |= {k for k in cells if edge(k)} if edge else cells
        elif func == "setVerticalAlignment":
            box = _box(a)
            for r in range(box[0], box[2] + 1):
                for c in range(box[1], box[3] + 1):
                    sh.valigns[(r, c)] = args[0].lower()
        elif func == "setNumberFormat":
            sh.number_formats.append((range_ref(*_box(a)), args[0]))
        elif func == "copyFromRange":
            # A form's sample cell's format over a range (fills are what the state
            # models); a larger source is tiled over the target, as Excel pastes.
            source_position, address, copy_type = args[0], args[1], args[2]
            assert copy_type == "formats", a
            source = sheets[source_position]
            s1, k1, s2, k2 = parse_range(address.replace("$", ""))
            box = _box(a)
            for r in range(box[0], box[2] + 1):
                for c in range(box[1], box[3] + 1):
                    _set_fill(sh, (r, c), source.fills.get((s1 + (r - box[0]) % (s2 - s1 + 1), k1 + (c - box[1]) % (k2 - k1 + 1))))
        elif func == "setDataValidationList":
            sh.validations.append((range_ref(*_box(a)), "list", tuple(str(v) for v in args[0]["values"])))
        elif func == "setDataValidationRule":
            rule = args[0]
            kind = {"whole_number": "whole", "text_length": "textLength"}.get(rule["type"], rule["type"])
            if kind == "custom":
                detail: tuple = (rule["formula1"].lstrip("="),)
            else:
                detail = tuple(_number(f) for f in (rule["formula1"], rule["formula2"]) if f is not None)
            sh.validations.append((range_ref(*_box(a)), kind, detail))
        elif func == "deleteDataValidation":
            box = _box(a)
            sh.validations = [v for v in sh.validations if not _overlaps(v[0], box)]
        elif func == "setColumnWidth":
            box = _box(a)
            for c in range(box[1], box[3] + 1):
                sh.widths[c] = round((args[0] / 0.75 - 5) / 7, 2)  # points → characters
        elif func == "setRowHeight":
            box = _box(a)
            for r in range(box[0], box[2] + 1):
                sh.heights[r] = args[0]
        elif func == "setAutofit":
            # Fitted to the content: what a file's rows / columns of default size get.
            box = _box(a)
            if args[0] == "rows":
                sh.heights = {r: h for r, h in sh.heights.items() if not box[0] <= r <= box[2]}
            else:
                sh.widths = {c: w for c, w in sh.widths.items() if not box[1] <= c <= box[3]}
        elif func == "freezePaneAtRange":
            sh.freeze = args[0]
        elif func == "freezePaneUnfreeze":
            sh.freeze = None
        elif func == "setPrintArea":
            sh.print_area = args[0].replace("$", "")
        elif func == "addChart":
            _name, kind, _sheet, address, *_geometry, _plot_by, anchor, _style = args
            sh.chart_list.append({"type": kind[0].lower() + kind[1:], "title": None, "data": address.replace("$", ""),
                                  "categories": None, "anchor": (anchor or "").replace("$", "") or None,
                                  "x_title": None, "y_title": None})
        elif func == "deleteChart":
            del sh.chart_list[args[0]]
        elif func == "setChartTitle":
            sh.chart_list[args[0]]["title"] = args[1]
        elif func == "setChartXAxisValues":
            sh.chart_list[args[0]]["categories"] = args[2].replace("$", "")
        elif func == "setChartAxis":
            index, axis, values = args
            assert set(values) == {"title"} and axis in ("category", "value"), a
            sh.chart_list[index]["x_title" if axis == "category" else "y_title"] = values["title"]
        elif func == "namesAdd":
            state.names[args[0]] = _decode_name(args[1])
        elif func == "setNameRefersTo":
            state.names[args[0]] = _decode_name(args[3])
        elif func == "nameDelete":
            state.names.pop(args[2], None)
        elif func == "alert":
            state.alerts.append((args[1], args[0]))
        elif func in _IGNORED:
            continue
        else:
            raise AssertionError(f"replay: unknown action {func!r}")
    return state


def _set_fill(sheet: Sheet, rc: tuple[int, int], color: str | None) -> None:
    if color:
        sheet.fills[rc] = color.lstrip("#").upper()
    else:
        sheet.fills.pop(rc, None)


def count(actions: list[dict]) -> dict[str, int]:
    """Actions per kind."""
    out: dict[str, int] = {}
    for a in actions:
        out[a["func"]] = out.get(a["func"], 0) + 1
    return out


def by_sheet(data: dict, actions: list[dict]) -> dict[str, list[dict]]:
    """The actions grouped by the name of the sheet each one acts on (the
    name the sheet ends up with: a copy of a form is counted under the
    daily sheet it becomes).  Actions on no sheet (alerts, names) are under
    ""; a deleted sheet's last actions under its name."""
    sheets: list[list[Any]] = [[sh["name"], []] for sh in data["sheets"]]  # [name, actions]
    out: dict[str, list[dict]] = {}
    gone: list[list[Any]] = []
    for a in actions:
        func, position = a["func"], a.get("sheet_position")
        if func == "addSheet":
            sheets.insert(a["args"][0], [a["args"][1], [a]])
            continue
        if position is None or func in ("alert", "namesAdd", "setNameRefersTo", "nameDelete"):
            out.setdefault("", []).append(a)
            continue
        entry = sheets[position]
        if func == "copySheet":
            where, target, name = a["args"]
            sheets.insert(target if where == "Before" else target + 1, [name, [a]])
            continue
        entry[1].append(a)
        if func == "setSheetName":
            entry[0] = a["args"][0]
        elif func == "sheetDelete":
            gone.append(sheets.pop(position))
    for name, acts in gone + sheets:
        if acts:
            out.setdefault(name, []).extend(acts)
    return out


def shown_fills(sheet: Sheet) -> dict[tuple[int, int], str]:
    """The fills a teacher sees: a merged range shows its first cell's fill
    (Excel colours every cell of a range it formats, a file written by
    openpyxl only the first one of a merged range)."""
    hidden = set()
    for m in sheet.merges:
        r1, c1, r2, c2 = parse_range(m)
        hidden |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)} - {(r1, c1)}
    return {k: v for k, v in sheet.fills.items() if k not in hidden}


def assert_same(file_side: State, live_side: State, *, console_time: bool = False, layout: bool = True) -> None:
    """What the teacher sees is the same on both sides: sheet names and
    order, visibility, values, fills, merges, validations, defined names;
    with ``layout`` also freeze panes, print areas, row heights, column
    widths and charts.
    ``console_time``: also the run's time stamp on 控制台 (off by default:
    the two runs may fall in different minutes)."""
    from xlzu import contract as C

    assert live_side.sheet_names == file_side.sheet_names
    for f, v in zip(file_side.sheets, live_side.sheets):
        assert v.hidden == f.hidden, f.name
        fv, vv = f.values(), v.values()
        if f.name == C.CONSOLE and not console_time:
            row = C.CONSOLE_MESSAGES_ROW  # 1-based header row; the stamp is the next row's column A
            if len(fv) > row and len(vv) > row:
                fv[row][0] = vv[row][0] = None
        assert vv == fv, f.name
        assert shown_fills(v) == shown_fills(f), f.name
        assert v.merges == f.merges, f.name
        assert sorted(v.validations) == sorted(f.validations), f.name
        if layout:
            assert v.freeze == f.freeze, f.name
            assert v.print_area == f.print_area, f.name
            if f.name != C.CONSOLE:  # 运行记录's rows: a file sizes wrapped ones, live Excel fits them itself
                assert v.heights == f.heights, f.name
            # widths: the remote engine sets points, a file characters (rounded both ways)
            assert {c: round(w, 1) for c, w in v.widths.items()} == {c: round(w, 1) for c, w in f.widths.items()}, f.name
            assert v.chart_list == f.chart_list, f.name
    assert live_side.names == file_side.names


# --------------------------------------------------------------------------
# Classes of any size
# --------------------------------------------------------------------------
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "浩宇轩子豪博文杰俊明泽睿凯鹏涛磊晨阳宸铭瑞辰毅翔康峻皓航哲远诚彬鑫欣怡雨萱梓涵诗琪佳悦思彤可馨嘉琳若曦雅婷梦瑶晓慧静雯佩珊丹蕾颖妍璐"


def write_roster(path: str | Path, n: int, seed: int = 7) -> Path:
    """A synthetic roster CSV of ``n`` students (school-export headers)."""
    rng = random.Random(seed)
    path = Path(path)
    used: set[str] = set()
    rows = []
    for i in range(1, n + 1):
        while True:
            name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))
            if name not in used:
                used.add(name)
                break
        scores = [rng.randint(40, 120) for _ in range(6)]
        rows.append([f"2026{i:04d}", name, rng.choice("男女"), sum(scores), rng.randint(1, 5), rng.randint(1, 5), "", *scores])
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["学籍号", "学生姓名", "性别", "总成绩", "学习品质", "组织能力", "备注", "语文", "数学", "英语", "物理", "化学", "历史"])
        w.writerows(rows)
    return path


__all__ = [
    "State", "Sheet", "assert_same", "by_sheet", "shown_fills", "count", "file_state", "normalize", "payload", "payload_state", "remote_book", "replay",
    "write_roster", "copy_of", "live_run", "refused_alike",
]


def copy_of(src: Path, folder: Path, name: str = "班级.xlsx") -> Path:
    """A copy of a prepared workbook, to run one side of a comparison on."""
    path = folder / name
    shutil.copy(src, path)
    return path


def live_run(data: dict, run) -> tuple[object, list[dict]]:
    """``run(xlwings_book)`` on a fresh remote book of ``data``: (its result, the actions)."""
    xl = remote_book(data)
    result = run(xl)
    return result, xl.json()["actions"]


def refused_alike(bad_path: Path, folder: Path, op, button: str, error: type[Exception]):
    """Run a refused operation both ways on copies of ``bad_path``: ``op`` in
    file mode must raise ``error``; the Excel button must return nothing and
    leave the workbook as the file side left it (same 控制台 text, highlights
    and marks).  Returns what a test looks at next: ``live`` (state after the
    button), ``title`` and ``message`` of its one alert, ``before`` (state
    before) and ``touched`` (the button's actions by sheet)."""
    from types import SimpleNamespace

    import xlzu.excel as X

    on_file = copy_of(bad_path, folder)
    try:
        op(on_file)
    except error:
        pass
    else:
        raise AssertionError(f"{op.__name__} accepted {bad_path.name}")
    data = payload(bad_path)
    report, actions = live_run(data, getattr(X, button))
    assert report is None
    before = file_state(bad_path)
    live = replay(data, actions, before)
    assert_same(file_state(on_file), live)
    ((title, message),) = live.alerts
    assert "Traceback" not in message
    return SimpleNamespace(live=live, title=title, message=message, before=before, touched=by_sheet(data, actions))
