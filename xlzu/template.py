"""The macro template ``templates/xlzu.xlsm`` and class workbooks made from it.

The template is built on any machine (Linux included) from text sources:

* ``macros/*.bas`` / ``macros/*.cls`` -- xlzu's own VBA, one Sub per button,
  each a single ``RunPython "import xlzu.excel as x; x.<function>()"`` line;
* ``xlwings.bas`` and ``addin/Dictionary.cls`` taken from the *installed*
  xlwings (its standalone module: RunPython without the add-in), which must be
  the version pinned in ``pyproject.toml`` (:data:`XLWINGS_VERSION`);
* the workbook contract (:mod:`xlzu.contract`): every sheet, the buttons.

pyOpenVBA turns the sources into a ``vbaProject.bin`` (a throw-away
XlsxWriter workbook with the same number of sheets gets a fresh project, so
ThisWorkbook and Sheet1..N are real document modules), and XlsxWriter
assembles the template around it with a fixed creation date, so the same
sources give the same bytes.  ``xlzu template build`` writes it,
``xlzu template check`` fails when the committed file is stale.

XlsxWriter and pyOpenVBA are build-time tools (the ``build``/``test``
extras): they are imported only inside the build functions.  A teacher's
``xlzu new CLASS.xlsm`` needs only the committed template
(:func:`new_macro_book`), which it opens with openpyxl ``keep_vba=True``.
"""

from __future__ import annotations

import importlib.util
import io
import os
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from . import console
from . import contract as C
from .book.files import FileBook
from .errors import XlzuError
from .forms import form_layout
from .fonts import BODY, CHARSET, DEFAULT_SIZE, FAMILY
from .layout import STYLES, Layout, Style

#: The xlwings release whose standalone VBA module the template embeds.  The
#: module names its DLL and AppleScript by version, so the Python side must be
#: exactly this release too: pyproject pins ``xlwings==XLWINGS_VERSION``.
XLWINGS_VERSION = "0.37.8"
#: The tools that build the template, at the versions whose bytes are committed
#: (pinned in the ``build`` and ``test`` extras of pyproject.toml).
BUILD_TOOLS = {"XlsxWriter": "3.3.1", "pyOpenVBA": "6.5.0"}
TEMPLATE_NAME = "xlzu.xlsm"
#: Fixed creation date written into the template: same sources, same bytes.
BUILT_ON = datetime(2026, 1, 1, 0, 0, 0)
#: Custom document properties that say what the template was built for.
PROPERTY_XLWINGS = "xlzu_xlwings_version"
PROPERTY_TEMPLATE = "xlzu_template"
PROPERTY_BUILDERS = "xlzu_built_with"

_HERE = Path(__file__).resolve().parent


# --------------------------------------------------------------------------
# Where things are: source tree or installed wheel
# --------------------------------------------------------------------------
def macros_dir() -> Path:
    """``macros/`` of a source checkout, or ``xlzu/_macros`` in a wheel."""
    installed = _HERE / "_macros"
    return installed if installed.is_dir() else _HERE.parent / "macros"


def template_path() -> Path:
    """The committed template: ``templates/xlzu.xlsm`` of a source checkout,
    or ``xlzu/_templates/xlzu.xlsm`` in an installed wheel."""
    installed = _HERE / "_templates" / TEMPLATE_NAME
    return installed if installed.is_file() else _HERE.parent / "templates" / TEMPLATE_NAME


def xlwings_dir() -> Path:
    """The installed xlwings package, located without importing it."""
    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.origin:
        raise XlzuError(f"没有安装 xlwings。请运行 pip install xlwings=={XLWINGS_VERSION}。")
    return Path(spec.origin).parent


def installed_version(package: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return None


def installed_xlwings_version() -> str | None:
    return installed_version("xlwings")


def check_build_tools() -> None:
    """The template's bytes depend on its builders: refuse other versions."""
    wrong = {name: installed_version(name) for name, pinned in BUILD_TOOLS.items() if installed_version(name) != pinned}
    if wrong:
        found = "，".join(f"{name} {v or '未安装'}（需要 {BUILD_TOOLS[name]}）" for name, v in wrong.items())
        pins = " ".join(f"{name}=={v}" for name, v in BUILD_TOOLS.items())
        raise XlzuError(f"生成宏模板需要固定版本的工具：{found}。请运行 pip install {pins}。")


# --------------------------------------------------------------------------
# VBA sources
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class VbaSource:
    """One VBA module to put into the project."""

    name: str  # the module name (Attribute VB_Name)
    text: str  # source with CRLF line ends
    is_class: bool
    origin: Path


def _module_name(text: str, origin: Path) -> str:
    for line in text.splitlines():
        if line.startswith("Attribute VB_Name"):
            return line.split("=", 1)[1].strip().strip('"')
    raise XlzuError(f"VBA 源文件 {origin.name} 缺少 Attribute VB_Name 行。")


def read_vba_source(path: Path) -> VbaSource:
    """A .bas/.cls file, checked: ASCII only, CRLF line ends (what the VBA
    editor exports and what Excel reads without mangling)."""
    raw = path.read_bytes()
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError as exc:
        raise XlzuError(f"VBA 源文件 {path.name} 含非 ASCII 字符（第 {exc.start} 字节）：中文请写在 Python 里。") from exc
    if "\n" in text.replace("\r\n", ""):
        raise XlzuError(f"VBA 源文件 {path.name} 的换行不是 CRLF。")
    return VbaSource(_module_name(text, path), text, path.suffix.lower() == ".cls", path)


def vba_sources(macros: Path | None = None) -> list[VbaSource]:
    """xlzu's modules (sorted by file name), then xlwings' standalone module
    and its Dictionary class from the installed xlwings."""
    macros = macros or macros_dir()
    found = installed_xlwings_version()
    if found != XLWINGS_VERSION:
        raise XlzuError(
            f"宏模板要嵌入 xlwings {XLWINGS_VERSION} 的 VBA 模块，但本机安装的是 {found or '（未安装）'}。"
            f"请运行 pip install xlwings=={XLWINGS_VERSION}。"
        )
    own = sorted(p for p in macros.iterdir() if p.suffix.lower() in (".bas", ".cls"))
    if not own:
        raise XlzuError(f"{macros} 中没有 .bas 文件。")
    xw = xlwings_dir()
    sources = [read_vba_source(p) for p in own]
    sources += [read_vba_source(xw / "xlwings.bas"), read_vba_source(xw / "addin" / "Dictionary.cls")]
    names = [s.name.casefold() for s in sources]
    if len(set(names)) != len(names):
        raise XlzuError("VBA 模块重名：" + "、".join(s.name for s in sources))
    return sources


def build_vba_project(n_sheets: int, sources: list[VbaSource]) -> bytes:
    """A ``vbaProject.bin`` whose document modules are ThisWorkbook and
    Sheet1..``n_sheets`` (XlsxWriter's default code names) plus ``sources``."""
    import xlsxwriter
    from pyopenvba import ExcelFile
    from pyopenvba.vba import VBAModuleKind
    import zipfile

    with tempfile.TemporaryDirectory(prefix="xlzu-vba-") as tmp:
        blank = Path(tmp) / "blank.xlsm"
        made = Path(tmp) / "made.xlsm"
        wb = xlsxwriter.Workbook(str(blank))
        for _ in range(n_sheets):
            wb.add_worksheet()
        wb.set_properties({"created": BUILT_ON})
        wb.close()
        with ExcelFile(blank) as f:
            project = f.add_vba_project()
            for src in sources:
                kind = VBAModuleKind.other if src.is_class else VBAModuleKind.standard
                project.add_module(src.name, src.text, kind=kind)
            f.save(made)
        with zipfile.ZipFile(made) as z:
            return z.read("xl/vbaProject.bin")


# --------------------------------------------------------------------------
# The template workbook
# --------------------------------------------------------------------------
def template_sheets() -> list[str]:
    """Every fixed contract sheet, hidden forms and xlwings.conf included."""
    return C.workbook_sheets(0, macro=True)


CONSOLE_TITLE = "xlzu 小组建设 控制台"
CONSOLE_HINT = "点按钮运行对应的操作。每次运行的结果、需要核对的单元格列在下方“运行记录”中。"
CONSOLE_LOG_LABEL = console.LOG_LABEL
SHEET_HINT = "用 xlzu new 班级.xlsm --roster 名单.xlsx 创建班级工作簿后，这里会自动填好。"
CONF_NOTES = (
    "xlwings 的设置：A 列为设置名，B 列为值，从 A1 起连续填写，中间不留空行。由 xlzu new 写入本机的 Python。",
    f"本工作簿的按钮对应 xlwings {XLWINGS_VERSION}（pip install xlwings=={XLWINGS_VERSION}）。",
)
CONF_NOTE_COLUMN = 4  # D: never read by xlwings (keys in A, values in B)
BUTTON_WIDTH_PX = 200
BUTTON_HEIGHT_PX = 32
BUTTON_ROW_HEIGHT = 30  # points
CONSOLE_WIDTHS = console.WIDTHS  # the buttons span 时间 and 操作 (BUTTON_WIDTH_PX)


def _xlsx_format(workbook, style: Style):
    props: dict[str, object] = {}
    if style.font:
        props["font_name"] = style.font
        props["font_charset"] = CHARSET
        props["font_family"] = FAMILY[style.font]
    if style.bold:
        props["bold"] = True
    if style.italic:
        props["italic"] = True
    if style.size:
        props["font_size"] = style.size
    if style.color:
        props["font_color"] = "#" + style.color
    if style.fill:
        props["bg_color"] = "#" + style.fill
        props["pattern"] = 1
    if style.border:
        props["border"] = 1
        props["border_color"] = "#808080"
    if style.halign:
        props["align"] = style.halign
    if style.valign:
        props["valign"] = "vcenter" if style.valign == "center" else style.valign
    if style.wrap:
        props["text_wrap"] = True
    if style.vertical:
        props["rotation"] = 270  # XlsxWriter's stacked text
    if style.number_format:
        props["num_format"] = style.number_format
    return workbook.add_format(props)


def build_template_bytes(macros: Path | None = None) -> bytes:
    """The template as bytes; the same sources always give the same bytes."""
    import xlsxwriter

    check_build_tools()
    sheets = template_sheets()
    vba = build_vba_project(len(sheets), vba_sources(macros))
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "default_format_properties": {
        "font_name": BODY, "font_size": DEFAULT_SIZE, "font_charset": CHARSET, "font_family": FAMILY[BODY]}})
    wb.set_properties({
        "title": "xlzu 班级工作簿模板",
        "subject": "小组建设",
        "author": "xlzu",
        "comments": f"Built by xlzu template build for xlwings {XLWINGS_VERSION}",
        "created": BUILT_ON,
    })
    wb.set_custom_property(PROPERTY_XLWINGS, XLWINGS_VERSION)
    wb.set_custom_property(PROPERTY_TEMPLATE, "1")
    wb.set_custom_property(PROPERTY_BUILDERS, ", ".join(f"{k} {v}" for k, v in BUILD_TOOLS.items()))
    wb.add_vba_project(io.BytesIO(vba), is_stream=True)
    fmt = {key: _xlsx_format(wb, style) for key, style in STYLES.items()}
    for name in sheets:
        ws = wb.add_worksheet(name)
        if name == C.CONSOLE:
            _console(ws, fmt)
        elif name == C.XLWINGS_CONF:
            for i, note in enumerate(CONF_NOTES):
                ws.write_string(i, CONF_NOTE_COLUMN - 1, note, fmt["hint"])
            ws.hide()
        else:
            ws.write_string(0, 0, name, fmt["title"])
            ws.write_string(1, 0, SHEET_HINT, fmt["hint"])
            ws.set_column(0, 0, 60)
            if name in C.HIDDEN_FORMS:
                ws.hide()
    wb.get_worksheet_by_name(C.CONSOLE).activate()
    wb.close()
    return out.getvalue()


def _console(ws, fmt) -> None:
    for col, width in CONSOLE_WIDTHS.items():
        ws.set_column(col - 1, col - 1, width)
    ws.set_row(0, 28)
    ws.write_string(0, 0, CONSOLE_TITLE, fmt["title_left"])  # from column A rightwards: never cut at the left
    ws.write_string(1, 0, CONSOLE_HINT, fmt["hint"])
    for i, button in enumerate(C.BUTTONS):
        row = C.CONSOLE_BUTTON_ROW - 1 + i
        ws.set_row(row, BUTTON_ROW_HEIGHT)
        ws.insert_button(row, 0, {
            "macro": button.macro,
            "caption": button.caption,
            "width": BUTTON_WIDTH_PX,
            "height": BUTTON_HEIGHT_PX,
            "x_offset": 4,
            "y_offset": 4,
            "description": button.description,
        })
        ws.write_string(row, 2, button.description, fmt["left"])
    label_row = C.CONSOLE_MESSAGES_ROW - 2
    ws.write_string(label_row, 0, CONSOLE_LOG_LABEL, fmt["section"])
    header = C.CONSOLE_MESSAGES_ROW - 1
    for j, text in enumerate(C.CONSOLE_COLUMNS):
        ws.write_string(header, j, text, fmt["header"])
    # the page each run keeps (xlzu.console.print_setup): one portrait A4 page, title to 运行记录
    top, right, bottom, left = console.MARGINS
    ws.set_portrait()
    ws.set_paper(9)
    ws.fit_to_pages(1, 1)
    ws.set_margins(left=left, right=right, top=top, bottom=bottom)
    ws.center_horizontally()
    ws.print_area(0, 0, header, len(C.CONSOLE_COLUMNS) - 1)


def build_template(path: str | os.PathLike | None = None, macros: Path | None = None) -> Path:
    """Write the template (default: ``templates/xlzu.xlsm`` of the source tree)."""
    if path is None:
        if not (_HERE.parent / "macros").is_dir():
            raise XlzuError("这里不是 xlzu 的源代码目录：请用 --output 指定模板文件的位置。")
        path = _HERE.parent / "templates" / TEMPLATE_NAME
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(build_template_bytes(macros))
    return target


def check_template(path: str | os.PathLike | None = None, macros: Path | None = None) -> Path:
    """Raise :class:`XlzuError` unless ``path`` (default: the committed
    template) equals a fresh build byte for byte."""
    target = Path(path) if path is not None else template_path()
    if not target.is_file():
        raise XlzuError(f"找不到宏模板 {target}。请运行 xlzu template build。")
    if target.read_bytes() != build_template_bytes(macros):
        raise XlzuError(f"宏模板 {target} 已过时（与 macros/ 和工作簿约定不一致）。请运行 xlzu template build 并提交。")
    return target


# --------------------------------------------------------------------------
# Class workbooks from the template
# --------------------------------------------------------------------------
def _site_dirs() -> list[Path]:
    dirs = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")}
    try:
        import site

        dirs.update(site.getsitepackages())
        dirs.add(site.getusersitepackages())
    except (AttributeError, ImportError):  # embedded / virtualenv oddities
        pass
    return [Path(d).resolve() for d in dirs if d]


def conf_entries(
    platform: str | None = None,
    executable: str | None = None,
    package_parent: Path | None = None,
    site_dirs: list[Path] | None = None,
) -> list[tuple[str, str]]:
    """The ``xlwings.conf`` keys that make the buttons run this computer's
    Python: ``Interpreter_Win`` on Windows, ``Interpreter_Mac`` on macOS, and
    ``PYTHONPATH`` only when xlzu is not installed into that Python (running
    from a source checkout).  Only keys with a value: an empty key would
    still override the teacher's own xlwings settings."""
    platform = platform or sys.platform
    executable = executable or sys.executable
    package_parent = (package_parent or _HERE.parent).resolve()
    site_dirs = _site_dirs() if site_dirs is None else site_dirs
    entries: list[tuple[str, str]] = []
    if executable:
        if platform.startswith("win"):
            entries.append(("Interpreter_Win", executable))
        elif platform == "darwin":
            entries.append(("Interpreter_Mac", executable))
    if package_parent not in site_dirs:
        entries.append(("PYTHONPATH", str(package_parent)))
    return entries


def conf_layout(entries: list[tuple[str, str]]) -> Layout:
    """``xlwings.conf``: keys in column A from A1 down with no gaps, values
    in B, the notes in column D (never read by xlwings)."""
    n = max(len(entries), len(CONF_NOTES))
    rows: list[list[object]] = []
    for i in range(n):
        key, value = entries[i] if i < len(entries) else (None, None)
        note = CONF_NOTES[i] if i < len(CONF_NOTES) else None
        rows.append([key, value, None, note])
    layout = Layout(rows=rows)
    layout.widths = {1: 18, 2: 60, 4: 90}
    layout.style(f"D1:D{len(CONF_NOTES)}", "hint")
    return layout


def new_macro_book(path: str | os.PathLike, class_name: str | None = None) -> FileBook:
    """A new (unsaved) class workbook at ``path`` made from the macro
    template: its VBA and buttons kept, 控制台 titled with the class name,
    the form sheets written like those of an .xlsx workbook, and
    ``xlwings.conf`` pointing at this computer's Python.
    :func:`xlzu.ops.classbook.new_class` writes the other sheets."""
    template = template_path()
    if not template.is_file():
        raise XlzuError(f"找不到宏模板 {template}。请重新安装 xlzu（pip install --force-reinstall xlzu）。")
    book = FileBook.create(path, template=template)
    if class_name:
        book.wb[C.CONSOLE]["A1"].value = C.console_title(class_name)  # the template's title style stays
    for form in C.HIDDEN_FORMS:
        book.write_layout(form, form_layout(form), hidden=True)
    write_conf(book)
    return book


def write_conf(book: FileBook, entries: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """(Re)write ``xlwings.conf`` for this computer; returns the keys written."""
    entries = conf_entries() if entries is None else entries
    book.write_layout(C.XLWINGS_CONF, conf_layout(entries), hidden=True)
    return entries


def read_conf(values: list[list[object]]) -> dict[str, str]:
    """Keys and values of an ``xlwings.conf`` sheet, read the way xlwings
    reads them (column A from A1 down to the first blank)."""
    conf: dict[str, str] = {}
    for row in values:
        key = row[0] if row else None
        if key is None or str(key) == "":
            break
        conf[str(key)] = "" if len(row) < 2 or row[1] is None else str(row[1])
    return conf


def use_this_python(path: str | os.PathLike):
    """Point an existing class workbook's buttons at this computer's Python
    (``xlzu template python CLASS.xlsm``): after moving to another computer
    or reinstalling Python."""
    from .ops.common import Report

    path = Path(path)
    if path.suffix.lower() != ".xlsm":
        raise XlzuError(f"“{path.name}”不是带按钮的 .xlsm 工作簿，不需要设置 Python。")
    from .book.safety import writing

    with writing(path):  # the whole read-modify-write under xlzu's lock
        book = FileBook.open(path)
        entries = write_conf(book)
        book.save()
    report = Report("设置 Python", [f"已把“{path.name}”的按钮设为使用本机的 Python："])
    report.lines += [f"  {key} = {value}" for key, value in entries]
    if not any(key.startswith("Interpreter_") for key, _ in entries):
        report.add("  （这台电脑不是 Windows 或 macOS：按钮将使用 Excel 所在电脑 PATH 中的 python。）")
    return report
