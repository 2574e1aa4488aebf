"""The live backend: the workbook open in Excel, through xlwings.

This module (with :mod:`xlzu.excel`) is the only place that talks to
xlwings, and it is imported only when a button runs: file work never loads
it.  Every read and write is a whole-range call, so a button costs a number
of Excel round trips that does not grow with the class:

* ``read_values``: one read of ``A1:<last used cell>``;
* ``write_layout``: one ``setValues`` for the whole grid, one call per style
  region and style property, per merge (a run of one-row merges over the
  same columns is one merge "across"), per validation, per run of equal
  column widths or row heights, a few per chart; sheet add /
  copy-from-form / clear;
* ``highlight``: one ``set_colors`` over the bounding box of the cells;
* defined names through ``book.names``; ``alert`` is Excel's message box.

Engines.  On Windows (COM) and macOS (AppleScript) xlwings' "excel" engine
drives the running Excel.  The tests drive the same code through xlwings'
"remote" engine, which records what Excel would do as a list of actions
(``book.json()["actions"]``) instead of doing it.  A few things xlwings has
no engine-neutral call for are done with the COM object model on Windows
only and skipped elsewhere, by name (:data:`NATIVE_ONLY`): page setup other
than the print area, freeze panes on the desktop engines, input/error
messages of data validation, autofilter, tab colour, hiding a defined name,
manual page breaks.
PDF export (:meth:`LiveBook.export_pdf`, the 打印日表 button) is Excel's own,
through xlwings' ``Book.to_pdf``; the remote engine has none and says so.
None of this has been run against a real Excel on the machine it was
written on.

Saving.  A live book is never saved by xlzu: the results are in the open
workbook and the teacher saves it as usual (Ctrl+S), or closes it and Excel
asks.  :meth:`LiveBook.save` is therefore a no-op.  Saving behind the
teacher's back would also write whatever else they had typed, and could not
keep the dated backup the CLI keeps.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from .. import contract as C
from ..layout import FORM_SAMPLES, STYLES, ChartSpec, Formula, Layout, PrintSetup, Validation, parse_cell, parse_range, range_ref
from ..errors import XlzuError
from ..fonts import HEADING
from .base import Book, decode_text_formula, encode_text_formula

XL_VERTICAL = -4166  # Excel's xlVertical: characters stacked top to bottom
BORDER_COLOR = "#808080"
ALERT_MAX_CHARS = 900  # Excel's MsgBox shows about 1024 characters
SET_COLORS_MAX = 10_000  # xlwings' limit for one Range.set_colors call
CM_TO_POINTS = 72 / 2.54
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384
PDF_UNAVAILABLE = (
    "这里的 Excel（网页版 Excel 或 xlwings Server）不能导出 PDF，日表没有打印。请在电脑上的 Excel 中点“打印日表”，"
    "或选中日表后用“文件 → 导出 → 创建 PDF”，或在命令行运行 xlzu print 班级.xlsx。")
_PAPER_SIZES = {"A4": 9, "A3": 8, "B5": 13, "LETTER": 1}  # XlPaperSize

#: What only the Windows COM engine gets (other engines skip it).
NATIVE_ONLY = (
    "page setup other than the print area (orientation, paper, fit to page, margins, centring, title rows, header, footer)",
    "freeze panes on the desktop engines (xlwings 0.37.8 implements them only for the remote engine)",
    "input and error messages of data validation",
    "autofilter",
    "tab colour",
    "hidden defined names",
    "manual page breaks (荣誉证书: one certificate per page)",
)

#: Layout chart kinds → xlwings chart types.
_CHART_TYPES = {"line": "line", "column": "column_clustered", "bar": "bar_clustered"}


class LiveBook(Book):
    """A workbook open in Excel (an ``xlwings.Book``)."""

    kind = "live"

    def __init__(self, book: Any):
        self.xl = book
        engine = book.app.engine.name  # "excel" (Windows, macOS) or "remote"
        self.remote = engine == "remote"
        self.com = engine == "excel" and sys.platform.startswith("win")
        self._names = [s.name for s in book.sheets]

    @classmethod
    def from_caller(cls, book: Any = None) -> "LiveBook":
        """The workbook whose button was pressed (``xw.Book.caller()``), or
        the given ``xlwings.Book`` / LiveBook."""
        if isinstance(book, LiveBook):
            return book
        if book is None:
            import xlwings as xw

            book = xw.Book.caller()
        return cls(book)

    # ---- protocol ------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.xl.name

    def sheet_names(self) -> list[str]:
        return list(self._names)

    def read_values(self, sheet: str) -> list[list[Any]]:
        self.require(sheet)
        sh = self.xl.sheets[sheet]
        last = sh.used_range.last_cell
        n_rows, n_cols = last.row, last.column
        values = sh.range((1, 1), (n_rows, n_cols)).options(ndim=2).value
        rows = [[_clean(v) for v in row] for row in values]
        if n_rows == 1 and n_cols == 1 and rows[0][0] is None:
            return []
        return rows

    def write_layout(
        self,
        sheet: str,
        layout: Layout,
        *,
        form: str | None = None,
        anchor: str = "A1",
        clear: str = "sheet",
        hidden: bool = False,
    ) -> None:
        top, left, _, _ = parse_range(anchor)
        dr, dc = top - 1, left - 1
        existed = sheet in self._names
        form_rows = form_cols = 0  # rows / columns whose sizes a copied form brought along
        if clear == "sheet" or not existed:
            sh, form_rows, form_cols = self._fresh_sheet(sheet, form)
        else:
            sh = self.xl.sheets[sheet]
            self._clear_below(sh, top)
        form_sheet = self.xl.sheets[form] if form is not None and form in self._names else None

        # Formats first: a text (@) column must be text before its values arrive.
        self._styles(sh, [(_shift(ref, dr, dc), key) for ref, key in layout.styles], form_sheet)
        grid = layout.grid()
        if grid and layout.n_cols:
            sh.range((top, left)).value = [[_as_text(v) for v in row] for row in grid]
        for ref, across in _merge_runs([_shift(ref, dr, dc) for ref in layout.merges]):
            sh.range(ref).merge(across)
        for v in layout.validations:
            self._validation(sh, v, _shift(v.ref, dr, dc))
        for first, last, width in _runs(layout.widths):
            sh.range((1, first), (1, last)).column_width = self._column_width(width)
        # The copy has the form's column widths too; columns the layout does
        # not size get default widths in a file: fit them again.
        unsized = {c: 0 for c in range(1, form_cols + 1) if c not in layout.widths}
        for first, last, _ in _runs(unsized):
            sh.range((1, first), (1, last)).columns.autofit()
        if form_rows:
            # The copy has the form's row heights (its sample rows); a file
            # gets default heights: let Excel fit the rows to what they hold.
            sh.range((1, 1), (max(form_rows, dr + layout.n_rows), 1)).rows.autofit()
        for first, last, height in _runs(layout.heights):
            sh.range((first + dr, 1), (last + dr, 1)).row_height = height
        if layout.freeze or (existed and clear == "sheet"):
            self._freeze(sh, _shift(layout.freeze, dr, dc) if layout.freeze else None)
        if layout.print is not None:
            self._print_setup(sh, layout, dr, dc)
        for chart in layout.charts:
            self._chart(sh, chart, dr, dc)
        if self.com:
            self._native_extras(sh, layout, dr, dc)
        if bool(sh.visible) == hidden:  # Windows reports -1 for visible
            sh.visible = not hidden

    def delete_sheet(self, sheet: str) -> None:
        if sheet in self._names:
            self.xl.sheets[sheet].delete()
            self._names.remove(sheet)

    def highlight(self, sheet: str, refs: Sequence[str], color: str | None = C.COLOR_BAD) -> None:
        """One ``set_colors`` over the bounding box (other cells kept as they
        are); one call per reference if the box is too big for that."""
        if not refs:
            return
        sh = self.xl.sheets[sheet]
        fill = "#" + color if color else None
        boxes = [parse_range(r) for r in refs]
        r1 = min(b[0] for b in boxes)
        c1 = min(b[1] for b in boxes)
        r2 = max(b[2] for b in boxes)
        c2 = max(b[3] for b in boxes)
        if (r2 - r1 + 1) * (c2 - c1 + 1) > SET_COLORS_MAX:
            for ref in refs:
                sh.range(ref).color = fill
            return
        matrix: list[list[Any]] = [[...] * (c2 - c1 + 1) for _ in range(r2 - r1 + 1)]
        for b1, k1, b2, k2 in boxes:
            for r in range(b1, b2 + 1):
                for c in range(k1, k2 + 1):
                    matrix[r - r1][c - c1] = fill
        sh.range((r1, c1), (r2, c2)).set_colors(matrix)

    def set_hidden(self, sheet: str, hidden: bool) -> None:
        sh = self.xl.sheets[sheet]
        if bool(sh.visible) == hidden:  # Windows reports -1 for visible
            sh.visible = not hidden

    def read_name(self, name: str) -> str | None:
        found = self._name(name)
        if found is None:
            return None
        return decode_text_formula(found.refers_to or "")

    def write_name(self, name: str, value: str | None) -> None:
        found = self._name(name)
        if not value:
            if found is not None:
                found.delete()
            return
        formula = encode_text_formula(value)
        if found is not None:
            found.refers_to = formula
        else:
            added = self.xl.names.add(name, formula)
            if self.com:
                added.api.Visible = False

    def alert(self, message: str, title: str = "xlzu") -> None:
        if len(message) > ALERT_MAX_CHARS:
            message = message[: ALERT_MAX_CHARS - 20].rstrip() + "\n……（其余见“控制台”）"
        self.xl.app.alert(message, title)

    def save(self) -> None:
        """Nothing: the teacher saves the open workbook (see module docs)."""

    @contextmanager
    def quiet(self) -> Iterator[None]:
        """Screen updating off while a button runs (desktop Excel), and the
        teacher's sheet active again afterwards (freezing panes activates
        other sheets).  The remote engine has no screen: nothing to do."""
        if self.remote:
            yield
            return
        app = self.xl.app
        start = self.xl.sheets.active.name
        app.screen_updating = False
        try:
            yield
        finally:
            if start in self._names:
                self.xl.sheets[start].activate()
            app.screen_updating = True

    @property
    def folder(self) -> Path | None:
        """The folder the workbook is saved in, or None (never saved, or on
        OneDrive / SharePoint as a web address xlwings could not map to a
        local folder, or the remote engine, which has no file)."""
        if self.remote:
            return None
        full = str(self.xl.fullname or "")
        if "://" in full:
            return None
        parent = Path(full).parent
        if str(parent) in ("", ".") or not parent.is_dir():
            return None
        return parent

    def require_pdf_export(self) -> None:
        """Raise, in Chinese, when this Excel cannot export PDF (the remote
        engine: Excel on the web / xlwings Server)."""
        if self.remote:
            raise XlzuError(PDF_UNAVAILABLE)

    def export_pdf(self, sheets: Sequence[str], path: str | os.PathLike) -> Path:
        """Excel's own PDF export of ``sheets``, one PDF, in workbook order,
        each sheet with its page setup and print area.

        xlwings' ``Book.to_pdf(include=...)``: it hides the other sheets,
        exports the workbook (Windows: ``Workbook.ExportAsFixedFormat``;
        macOS: ``save as PDF``) and shows them again."""
        self.require_pdf_export()
        target = Path(path)
        try:
            self.xl.to_pdf(str(target), include=list(sheets))
        except Exception as err:  # Excel's own error: a locked file, no printer driver, ...
            raise XlzuError(
                f"Excel 没能把日表导出为 PDF（{type(err).__name__}: {err}）。如果“{target.name}”正在别的程序中打开，"
                "请先关闭它再点一次；也可以选中日表后用 Excel 的“文件 → 导出 → 创建 PDF”。") from err
        return target

    # ---- sheets ----------------------------------------------------------------
    def _neighbours(self, sheet: str) -> tuple[Any, Any]:
        """(before, after) for a new sheet so it lands where the contract wants."""
        key = C.sheet_order_key(sheet)
        others = [n for n in self._names if n != sheet]
        index = sum(1 for n in others if C.sheet_order_key(n) <= key)
        if index == 0:
            return self.xl.sheets[others[0]], None
        return None, self.xl.sheets[others[index - 1]]

    def _fresh_sheet(self, sheet: str, form: str | None) -> tuple[Any, int, int]:
        """An empty sheet named ``sheet``: a copy of ``form`` (its page setup,
        header/footer and pictures; its sample cells cleared), the existing
        sheet cleared (charts included), or a new sheet where the contract
        places it.  Also returns how many rows and columns came from the form
        (their heights and widths need a reset)."""
        if form is not None and form in self._names:
            if sheet in self._names:
                self.delete_sheet(sheet)
            before, after = self._neighbours(sheet)
            source = self.xl.sheets[form]
            form_rows = source.used_range.last_cell.row
            form_cols = source.used_range.last_cell.column
            sh = source.copy(before=before, after=after, name=sheet)
            self._names = [s.name for s in self.xl.sheets]
            sh.clear()
            return sh, form_rows, form_cols
        if sheet in self._names:
            sh = self.xl.sheets[sheet]
            sh.clear()  # values, formats and merges
            sh.range((1, 1), (EXCEL_ROWS, EXCEL_COLUMNS)).data_validation.delete()
            for i in range(len(sh.charts), 0, -1):  # a re-run replaces its chart
                sh.charts[i - 1].delete()
            return sh, 0, 0
        before, after = self._neighbours(sheet)
        sh = self.xl.sheets.add(sheet, before=before, after=after)
        self._names = [s.name for s in self.xl.sheets]
        return sh, 0, 0

    def _clear_below(self, sh: Any, top: int) -> None:
        """Everything from row ``top`` down (validations may reach past the
        used range, so the whole extent of the sheet)."""
        block = sh.range((top, 1), (EXCEL_ROWS, EXCEL_COLUMNS))
        block.unmerge()
        block.clear()
        block.data_validation.delete()

    # ---- formats ---------------------------------------------------------------
    def _styles(self, sh: Any, regions: list[tuple[str, str]], form_sheet: Any) -> None:
        """Render style regions in few calls, with the same result as applying
        them one by one in order:

        * consecutive regions of one key that touch are merged into one;
        * the thin border and the vertical alignment, which most keys share,
          are set once over each block that touching regions exactly cover
          (a table; a sheet of stacked tables has one block each; borders
          only add; a key with another alignment still sets its own after);
        * consecutive regions that only set a fill (problem cells) become one
          ``set_colors`` over their bounding box;
        * a key sampled on the form sheet copies the sample cell's format.
        """
        regions = _coalesce(regions)
        sampled = {i for i, (_, key) in enumerate(regions) if form_sheet is not None and key in FORM_SAMPLES}
        plain = [(ref, key) for i, (ref, key) in enumerate(regions) if i not in sampled]
        blocks, bordered = _exact_blocks([(i, ref) for i, (ref, key) in enumerate(regions)
                                          if i not in sampled and STYLES[key].border])
        for block in blocks:
            sh.range(block).borders.set("all", line_style="continuous", color=BORDER_COLOR)
        valigns = [STYLES[key].valign for _, key in plain if STYLES[key].valign]
        common_valign = max(set(valigns), key=valigns.count) if valigns else None
        valigned: set[int] = set()
        if common_valign and not _valign_conflict(plain, common_valign):
            blocks, valigned = _exact_blocks([(i, ref) for i, (ref, key) in enumerate(regions)
                                              if i not in sampled and STYLES[key].valign == common_valign])
            for block in blocks:
                sh.range(block).vertical_alignment = common_valign

        fills: list[tuple[str, str]] = []  # a run of fill-only regions: (ref, colour)
        for i, (ref, key) in enumerate(regions):
            style = STYLES[key]
            if i not in sampled and _fill_only(style, i in valigned):
                fills.append((ref, style.fill))
                continue
            self._flush_fills(sh, fills)
            if i in sampled:
                self._copy_format(form_sheet.range(FORM_SAMPLES[key]), sh.range(ref))
            else:
                self._style(sh.range(ref), style, border=i not in bordered, valign=i not in valigned)
        self._flush_fills(sh, fills)

    def _flush_fills(self, sh: Any, fills: list[tuple[str, str]]) -> None:
        if len(fills) == 1:
            sh.range(fills[0][0]).color = "#" + fills[0][1]
        elif fills:
            by_color: dict[str, list[str]] = {}
            for ref, color in fills:
                by_color.setdefault(color, []).append(ref)
            if len(by_color) == 1:
                ((color, refs),) = by_color.items()
                self.highlight(sh.name, refs, color)
            else:
                for ref, color in fills:  # rare: several colours interleaved
                    sh.range(ref).color = "#" + color
        fills.clear()

    def _style(self, rng: Any, style: Any, *, border: bool = True, valign: bool = True) -> None:
        font = rng.font
        if style.font is not None:
            font.name = style.font
        if style.bold is not None:
            font.bold = style.bold
        if style.italic is not None:
            font.italic = style.italic
        if style.size is not None:
            font.size = style.size
        if style.color:
            font.color = "#" + style.color
        if style.fill:
            rng.color = "#" + style.fill
        if style.border and border:
            rng.borders.set("all", line_style="continuous", color=BORDER_COLOR)
        if style.halign:
            rng.horizontal_alignment = style.halign
        if style.valign and valign:
            rng.vertical_alignment = style.valign
        if style.wrap:
            rng.wrap_text = True
        if style.vertical and not self.remote:
            rng.api.Orientation = XL_VERTICAL  # the remote engine has no stacked text: the header stays level
        if style.number_format:
            rng.number_format = style.number_format
        if style.indent and self.com:
            rng.api.IndentLevel = style.indent
        if style.outline:
            rng.borders.set("outside", line_style=style.outline, color="#7F6000")

    def _copy_format(self, sample: Any, target: Any) -> None:
        """The sample cell's format over the whole target range."""
        if self.remote:
            target.copy_from(sample, copy_type="formats")
        else:
            # Desktop engines have no copy_from: copy the cell (no clipboard
            # involved) and drop the sample's value again.
            sample.copy(target)
            target.clear_contents()

    def _validation(self, sh: Any, v: Validation, ref: str) -> None:
        rng = sh.range(ref)
        dv = rng.data_validation
        if v.kind == "list":
            dv.set_list([str(x) for x in v.values])
        elif v.kind == "custom":
            formula = v.formula or ""
            dv.set_custom(formula if formula.startswith("=") else "=" + formula)
        else:
            setter = {"whole": dv.set_whole_number, "decimal": dv.set_decimal, "textLength": dv.set_text_length}[v.kind]
            if v.minimum is not None and v.maximum is not None:
                setter("between", _num(v.minimum), _num(v.maximum))
            elif v.minimum is not None:
                setter("greater_than_or_equal", _num(v.minimum))
            elif v.maximum is not None:
                setter("less_than_or_equal", _num(v.maximum))
        if self.com:
            native = rng.api.Validation
            native.IgnoreBlank = v.allow_blank
            native.ShowInput = bool(v.prompt)
            native.InputTitle = v.prompt_title[:32]
            native.InputMessage = v.prompt[:255]
            native.ShowError = True
            native.ErrorTitle = v.error_title[:32]
            native.ErrorMessage = v.error[:255]

    def _column_width(self, characters: float) -> float:
        """Widths are in characters on the desktop engines and in points on
        the remote engine (xlwings Server / Lite)."""
        if self.remote:
            return round((characters * 7 + 5) * 0.75, 2)
        return characters

    def _freeze(self, sh: Any, ref: str | None) -> None:
        if self.remote:
            if ref:
                sh.freeze_panes.freeze_at(ref)
            else:
                sh.freeze_panes.unfreeze()
        elif self.com:
            if not sh.visible:
                return  # a hidden sheet has no window to freeze
            sh.activate()
            window = self.xl.app.api.ActiveWindow
            window.FreezePanes = False
            if ref:
                row, col = parse_cell(ref)
                window.ScrollRow = 1
                window.ScrollColumn = 1
                window.SplitRow = row - 1
                window.SplitColumn = col - 1
                window.FreezePanes = True

    def _print_setup(self, sh: Any, layout: Layout, dr: int, dc: int) -> None:
        p: PrintSetup = layout.print
        area = p.sheet_area or (_shift(p.area, dr, dc) if p.area else _shift(layout.used_ref(), dr, dc))
        sh.page_setup.print_area = area
        if not self.com:
            return
        ps = sh.page_setup.api
        if p.orientation:
            ps.Orientation = 2 if p.orientation == "landscape" else 1
        if p.paper:
            ps.PaperSize = _PAPER_SIZES.get(p.paper.upper(), 9)
        if p.fit_width or p.fit_height:
            ps.Zoom = False
            ps.FitToPagesWide = p.fit_width or False
            ps.FitToPagesTall = p.fit_height or False
        else:
            # 0 × 0 = no fitting (100 %), even when the form sheet fits to a page:
            # Excel ignores manual page breaks on a sheet fitted to pages.
            ps.Zoom = 100
        if p.margins:
            top, right, bottom, left = (m * 72 for m in p.margins)
            ps.TopMargin, ps.RightMargin, ps.BottomMargin, ps.LeftMargin = top, right, bottom, left
            ps.HeaderMargin, ps.FooterMargin = min(18, top / 2), min(18, bottom / 2)
        if p.center_horizontally is not None:
            ps.CenterHorizontally = p.center_horizontally
        if p.center_vertically is not None:
            ps.CenterVertically = p.center_vertically
        if p.title_rows:
            a, b = p.title_rows.split(":")
            ps.PrintTitleRows = f"${int(a) + dr}:${int(b) + dr}"
        if p.footer:
            ps.CenterFooter = p.footer
        if p.header:
            ps.CenterHeader = f'&"{HEADING},常规"&14' + p.header
        if p.header_right:
            ps.RightHeader = p.header_right

    def _chart(self, sh: Any, spec: ChartSpec, dr: int, dc: int) -> None:
        """A native chart in at most five calls: add (with its data, one
        series per column, the header row naming them), x values, title and
        the two axis titles.  A re-run does not pile charts up: the sheet was
        cleared of its charts first (:meth:`_fresh_sheet`)."""
        data = sh.range(_shift(spec.data, dr, dc))
        kind = _CHART_TYPES.get(spec.kind, "line")
        if kind == "line" and spec.markers:
            kind = "line_markers"  # straight segments with a dot on each value
        chart = sh.charts.add(
            chart_type=kind,
            source=data,
            plot_by="columns",
            anchor=sh.range(_shift(spec.anchor, dr, dc)),
            width=round(spec.width_cm * CM_TO_POINTS, 2),
            height=round(spec.height_cm * CM_TO_POINTS, 2),
        )
        chart.set_x_axis_values(sh.range(_shift(spec.categories, dr, dc)))
        chart.title = spec.title
        if spec.x_title:
            chart.category_axis.title = spec.x_title
        if spec.y_title:
            chart.value_axis.title = spec.y_title
        if self.com and (spec.y_min is not None or spec.y_max is not None):
            axis = chart.api[1].Axes(2)  # xlValue
            if spec.y_min is not None:
                axis.MinimumScale = spec.y_min
            if spec.y_max is not None:
                axis.MaximumScale = spec.y_max

    def _native_extras(self, sh: Any, layout: Layout, dr: int, dc: int) -> None:
        """Windows COM only: autofilter, tab colour and manual page breaks
        (one call each: Excel adds page breaks one at a time)."""
        if layout.page_breaks:
            sh.api.ResetAllPageBreaks()
            for row in layout.page_breaks:
                sh.api.HPageBreaks.Add(Before=sh.range((row + dr + 1, 1)).api)
        if layout.autofilter:
            if sh.api.AutoFilterMode:
                sh.api.AutoFilterMode = False
            sh.range(_shift(layout.autofilter, dr, dc)).api.AutoFilter()
        if layout.tab_color:
            sh.api.Tab.Color = _bgr(layout.tab_color)

    # ---- names -------------------------------------------------------------------
    def _name(self, name: str) -> Any:
        for n in self.xl.names:
            if n.name == name:
                return n
        return None


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
def _coalesce(regions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Merge each region into the previous one when both have the same key
    and together form a rectangle (neighbouring columns with the same rows,
    or neighbouring rows with the same columns)."""
    out: list[tuple[str, str]] = []
    for ref, key in regions:
        if out and out[-1][1] == key:
            a1, b1, a2, b2 = parse_range(out[-1][0])
            r1, c1, r2, c2 = parse_range(ref)
            if (a1, a2) == (r1, r2) and c1 == b2 + 1:
                out[-1] = (range_ref(a1, b1, a2, c2), key)
                continue
            if (b1, b2) == (c1, c2) and r1 == a2 + 1:
                out[-1] = (range_ref(a1, b1, r2, b2), key)
                continue
        out.append((ref, key))
    return out


def _merge_runs(refs: list[str]) -> list[tuple[str, bool]]:
    """Merges as (range, across): consecutive one-row merges over the same
    columns on consecutive rows become one block merged "across" (Excel
    merges each row of it separately), so a table whose rows each merge a
    long last column costs one call, not one per row."""
    out: list[list[Any]] = []  # [r1, c1, r2, c2, across]
    for ref in refs:
        r1, c1, r2, c2 = parse_range(ref)
        if r1 == r2 and c2 > c1 and out:
            a1, b1, a2, b2, across = out[-1]
            if (across or a1 == a2) and (b1, b2) == (c1, c2) and r1 == a2 + 1:
                out[-1] = [a1, b1, r2, b2, True]
                continue
        out.append([r1, c1, r2, c2, False])
    return [(range_ref(a1, b1, a2, b2), across) for a1, b1, a2, b2, across in out]


def _exact_block(refs: list[str]) -> str | None:
    """The bounding box of ``refs`` if they cover it completely (so one call
    over the box equals one call per region), else None.  Needs two or more
    regions to be worth it."""
    if len(refs) < 2:
        return None
    boxes = [parse_range(r) for r in refs]
    r1, c1 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    r2, c2 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    for c in range(c1, c2 + 1):
        spans = sorted((b[0], b[2]) for b in boxes if b[1] <= c <= b[3])
        reach = r1 - 1
        for top, bottom in spans:
            if top > reach + 1:
                return None
            reach = max(reach, bottom)
        if reach < r2:
            return None
    return range_ref(r1, c1, r2, c2)


def _exact_blocks(items: list[tuple[int, str]]) -> tuple[list[str], set[int]]:
    """Group regions ``(index, ref)`` into clusters of regions that touch
    (share an edge or overlap); each cluster of two or more that exactly
    covers its bounding box is one block.  A cluster that does not (a table
    under a one-cell section title) is cut into bands of rows no region
    crosses, and consecutive bands that together are exact become one block.
    Returns the blocks and the indices of the regions they cover (the
    others are styled one by one)."""
    boxes = [parse_range(ref) for _, ref in items]
    parent = list(range(len(items)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for a in range(len(boxes)):
        for b in range(a + 1, len(boxes)):
            if _boxes_touch(boxes[a], boxes[b]):
                parent[root(a)] = root(b)
    clusters: dict[int, list[int]] = {}
    for k in range(len(items)):
        clusters.setdefault(root(k), []).append(k)
    blocks, covered = [], set()
    for members in sorted(clusters.values()):
        for band in _bands(members, boxes):
            block = _exact_block([items[k][1] for k in band])
            if block:
                blocks.append(block)
                covered |= {items[k][0] for k in band}
    return blocks, covered


def _bands(members: list[int], boxes: list[tuple[int, int, int, int]]) -> list[list[int]]:
    """``members`` as one group if they are exact, else as runs of row bands
    (cut between rows no member crosses), consecutive bands joined while
    their union stays exact."""
    refs = lambda ks: [range_ref(*boxes[k]) for k in ks]  # noqa: E731
    if _exact_block(refs(members)):
        return [members]
    top = min(boxes[k][0] for k in members)
    crossed = {r for k in members for r in range(boxes[k][0], boxes[k][2])}  # r: a member spans r and r + 1
    bands: dict[int, list[int]] = {}
    for k in members:
        start = max((r + 1 for r in range(top, boxes[k][0]) if r not in crossed), default=top)
        bands.setdefault(start, []).append(k)
    out: list[list[int]] = []
    for start in sorted(bands):
        if out and _exact_block(refs(out[-1] + bands[start])):
            out[-1] += bands[start]
        else:
            out.append(list(bands[start]))
    return out


def _boxes_touch(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """Overlap, or share an edge (not just a corner)."""
    rows_overlap = a[0] <= b[2] and b[0] <= a[2]
    cols_overlap = a[1] <= b[3] and b[1] <= a[3]
    rows_touch = a[0] <= b[2] + 1 and b[0] <= a[2] + 1
    cols_touch = a[1] <= b[3] + 1 and b[1] <= a[3] + 1
    return (rows_overlap and cols_touch) or (cols_overlap and rows_touch)


def _valign_conflict(regions: list[tuple[str, str]], common: str | None) -> bool:
    """True if a region with another vertical alignment is later overridden
    by an overlapping region with the common one (then setting the common
    alignment first, once, would give a different result)."""
    boxes = [parse_range(ref) for ref, _ in regions]
    for i, (_, key) in enumerate(regions):
        if STYLES[key].valign in (None, common):
            continue
        for j in range(i + 1, len(regions)):
            if STYLES[regions[j][1]].valign == common and _boxes_overlap(boxes[i], boxes[j]):
                return True
    return False


def _boxes_overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return not (a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1])


def _fill_only(style: Any, valign_done: bool) -> bool:
    """A style that only colours the background (problem / warning cells),
    its alignment (if any) already set over the block it lies in."""
    if not style.fill:
        return False
    rest = (style.font, style.bold, style.italic, style.size, style.color, style.border, style.halign, style.wrap, style.number_format)
    if any(v is not None and v is not False for v in rest):
        return False
    return style.valign is None or valign_done


_COERCIBLE = set("0123456789+-.,/:%eE年月日 ")


def _as_text(value: Any) -> Any:
    """A string Excel would turn into something else when it is written
    ("007" → 7, "3-5" → a date, "TRUE" → a boolean) gets the apostrophe
    prefix, as if the teacher had typed '007: Excel keeps it as text and
    does not show the apostrophe.  A file written by openpyxl keeps strings
    as strings, so both backends show the same."""
    if not isinstance(value, str) or not value or isinstance(value, Formula):
        return value
    if value[0] in "=+-@":
        return "'" + value  # typed text that Excel would take for a formula (or a number)
    if value.strip().upper() in ("TRUE", "FALSE"):
        return "'" + value
    if any(ch.isdigit() for ch in value) and set(value) <= _COERCIBLE:
        return "'" + value
    return value


def _clean(value: Any) -> Any:
    """A cell value as the file backend gives it: whole floats as ints."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    if value == "":
        return None
    return value


def _shift(ref: str, dr: int, dc: int) -> str:
    if not dr and not dc:
        return ref
    r1, c1, r2, c2 = parse_range(ref)
    return range_ref(r1 + dr, c1 + dc, r2 + dr, c2 + dc)


def _runs(sizes: dict[int, float]) -> Iterable[tuple[int, int, float]]:
    """Consecutive keys with the same size, as (first, last, size)."""
    run: list[Any] | None = None
    for key in sorted(sizes):
        size = sizes[key]
        if run is not None and key == run[1] + 1 and size == run[2]:
            run[1] = key
            continue
        if run is not None:
            yield tuple(run)  # type: ignore[misc]
        run = [key, key, size]
    if run is not None:
        yield tuple(run)  # type: ignore[misc]


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else float(x)


def _bgr(hex_rgb: str) -> int:
    """``RRGGBB`` → the BGR integer COM wants."""
    r, g, b = int(hex_rgb[0:2], 16), int(hex_rgb[2:4], 16), int(hex_rgb[4:6], 16)
    return r + (g << 8) + (b << 16)
