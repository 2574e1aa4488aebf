"""The macro template: reproducible, every button bound to a macro whose
RunPython line names a real function, readable by oletools and LibreOffice,
and kept intact in class workbooks through the CLI operations."""

from __future__ import annotations

import re
import shutil
import tomllib
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import warnings

import openpyxl
import pytest
from typer.testing import CliRunner

with warnings.catch_warnings():  # oletools uses pyparsing's old names
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.mraptor import MacroRaptor
    from oletools.olevba import VBA_Parser

import xlzu.excel
from xlzu import contract as C
from xlzu import template as T
from xlzu.cli import app
from xlzu.errors import XlzuError

ROOT = Path(__file__).resolve().parents[1]
RUNPYTHON = re.compile(r'^\s*RunPython "import xlzu\.excel as x; x\.([A-Za-z_]\w*)\(\)"\s*$')
runner = CliRunner()


def vba_modules(path: Path) -> dict[str, str]:
    """Module name → source, as olevba extracts them."""
    parser = VBA_Parser(str(path))
    try:
        return {Path(name).stem: code for (_f, _s, name, code) in parser.extract_macros()}
    finally:
        parser.close()


def subs(code: str) -> dict[str, list[str]]:
    """Sub name → its body lines."""
    out: dict[str, list[str]] = {}
    current = None
    for line in code.splitlines():
        m = re.match(r"^\s*(?:Public\s+|Private\s+)?(?:Sub|Function)\s+(\w+)\s*\(", line)
        if m:
            current = m.group(1)
            out[current] = []
        elif re.match(r"^\s*End\s+(Sub|Function)", line):
            current = None
        elif current:
            out[current].append(line)
    return out


def button_bindings(path: Path) -> dict[str, str]:
    """Caption → macro of every form button in the workbook's VML drawings."""
    bindings = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith(".vml"):
                text = z.read(name).decode("utf-8")
                for shape in re.findall(r"<v:shape .*?</v:shape>", text, flags=re.S):
                    macro = re.search(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", shape)
                    caption = re.search(r"<font[^>]*>([^<]+)</font>", shape)
                    if macro and caption:
                        bindings[caption.group(1)] = macro.group(1)
    return bindings


# --------------------------------------------------------------------------
# Built from text, reproducibly
# --------------------------------------------------------------------------
def test_committed_template_equals_a_fresh_build():
    committed = T.template_path()
    assert committed == ROOT / "templates" / "xlzu.xlsm"
    assert committed.read_bytes() == T.build_template_bytes()
    T.check_template()  # what `xlzu template check` runs
    result = runner.invoke(app, ["template", "check"])
    assert result.exit_code == 0, result.output


def test_check_fails_when_a_macro_changed(tmp_path):
    macros = tmp_path / "macros"
    shutil.copytree(ROOT / "macros", macros)
    bas = macros / "xlzu.bas"
    bas.write_bytes(bas.read_bytes().replace(b"Sub TermReview()", b"Sub TermReview2()"))
    with pytest.raises(XlzuError, match="已过时"):
        T.check_template(macros=macros)


def test_build_command_writes_the_same_bytes(tmp_path):
    out = tmp_path / "t.xlsm"
    result = runner.invoke(app, ["template", "build", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == T.template_path().read_bytes()


@pytest.mark.parametrize("content, message", [
    ("Attribute VB_Name = \"Bad\"\r\nSub A()\r\n    RunPython \"x\" ' 中文\r\nEnd Sub\r\n".encode("utf-8"), "非 ASCII"),
    (b"Attribute VB_Name = \"Bad\"\nSub A()\nEnd Sub\n", "CRLF"),
    (b"Sub A()\r\nEnd Sub\r\n", "VB_Name"),
])
def test_vba_sources_must_be_ascii_crlf_and_named(tmp_path, content, message):
    bad = tmp_path / "bad.bas"
    bad.write_bytes(content)
    with pytest.raises(XlzuError, match=message):
        T.read_vba_source(bad)


def test_our_vba_is_ascii_crlf_one_runpython_line_per_sub():
    for path in sorted((ROOT / "macros").glob("*.bas")):
        raw = path.read_bytes()
        raw.decode("ascii")
        assert b"\n" not in raw.replace(b"\r\n", b"")
        for name, body in subs(raw.decode("ascii")).items():
            code = [line for line in body if line.strip() and not line.strip().startswith("'")]
            assert len(code) == 1 and RUNPYTHON.match(code[0]), (name, code)


def test_pyproject_pins_the_embedded_xlwings_and_ships_the_template():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert f"xlwings=={T.XLWINGS_VERSION}" in project["project"]["dependencies"]
    assert T.installed_xlwings_version() == T.XLWINGS_VERSION
    for extra in ("build", "test"):
        for name, pinned in T.BUILD_TOOLS.items():
            assert f"{name}=={pinned}" in project["project"]["optional-dependencies"][extra]
    include = project["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert include["templates"] == "xlzu/_templates" and include["macros"] == "xlzu/_macros"
    wb = openpyxl.load_workbook(T.template_path(), keep_vba=True)
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props[T.PROPERTY_XLWINGS] == T.XLWINGS_VERSION
    assert props[T.PROPERTY_BUILDERS] == "XlsxWriter 3.3.1, pyOpenVBA 6.5.0"
    modules = vba_modules(T.template_path())
    assert f'XLWINGS_VERSION As String = "{T.XLWINGS_VERSION}"' in modules["xlwings"]


def test_an_installed_wheel_finds_its_own_template_and_macros(tmp_path, monkeypatch):
    pkg = tmp_path / "site-packages" / "xlzu"
    (pkg / "_templates").mkdir(parents=True)
    (pkg / "_macros").mkdir()
    shutil.copy(T.template_path(), pkg / "_templates" / "xlzu.xlsm")
    shutil.copy(ROOT / "macros" / "xlzu.bas", pkg / "_macros" / "xlzu.bas")
    monkeypatch.setattr(T, "_HERE", pkg)
    assert T.template_path() == pkg / "_templates" / "xlzu.xlsm"
    assert T.macros_dir() == pkg / "_macros"
    T.check_template()  # the wheel's template against its own macros
    with pytest.raises(XlzuError, match="--output"):
        T.build_template()


# --------------------------------------------------------------------------
# What oletools sees
# --------------------------------------------------------------------------
def test_olevba_lists_every_module_and_mraptor_finds_no_autorun():
    modules = vba_modules(T.template_path())
    sheets = T.template_sheets()
    documents = ["ThisWorkbook"] + [f"Sheet{i}" for i in range(1, len(sheets) + 1)]
    assert sorted(modules) == sorted(documents + ["xlzuButtons", "xlwings", "Dictionary"])
    # one document module per sheet, with XlsxWriter's code names in sheet order
    wb = openpyxl.load_workbook(T.template_path(), keep_vba=True)
    assert wb.sheetnames == sheets
    assert [ws.sheet_properties.codeName for ws in wb.worksheets] == documents[1:]
    assert "Copyright (C) 2014-present, Zoomer Analytics LLC" in modules["xlwings"]  # BSD-3 header kept
    for name, code in modules.items():
        raptor = MacroRaptor(code)
        raptor.scan()
        assert not raptor.autoexec, name
        assert not raptor.suspicious, name


def test_every_button_runs_its_macro_which_runs_a_function_of_xlzu_excel():
    modules = vba_modules(T.template_path())
    ours = subs(modules["xlzuButtons"])
    theirs = set(subs(modules["xlwings"])) | set(subs(modules["Dictionary"]))
    bindings = button_bindings(T.template_path())
    assert bindings == {b.caption: b.macro for b in C.BUTTONS}
    assert [b.caption for b in C.BUTTONS] == [
        "导入花名册", "自动分组", "重排职务座位", "生成日表", "保存日表", "打印日表", "一键周汇总", "月度评比", "期末评比",
        "小组综合评价", "生成喜报",
    ]
    for button in C.BUTTONS:
        assert button.macro in ours, button
        assert button.macro not in theirs and button.macro.casefold() not in {m.casefold() for m in modules}
        (line,) = [ln for ln in ours[button.macro] if ln.strip()]
        function = RUNPYTHON.match(line).group(1)
        assert function == button.function
        assert callable(getattr(xlzu.excel, function)), function
    assert set(ours) == {b.macro for b in C.BUTTONS}


def test_console_of_the_template_explains_each_button():
    wb = openpyxl.load_workbook(T.template_path(), keep_vba=True)
    ws = wb[C.CONSOLE]
    for i, button in enumerate(C.BUTTONS):
        assert ws.cell(C.CONSOLE_BUTTON_ROW + i, 3).value == button.description
    assert [c.value for c in ws[C.CONSOLE_MESSAGES_ROW][:3]] == list(C.CONSOLE_COLUMNS)
    assert {n: wb[n].sheet_state for n in (*C.HIDDEN_FORMS, C.XLWINGS_CONF)} == dict.fromkeys(
        (*C.HIDDEN_FORMS, C.XLWINGS_CONF), "hidden")


# --------------------------------------------------------------------------
# Class workbooks made from it
# --------------------------------------------------------------------------
@pytest.mark.parametrize("platform, executable, expected_key", [
    ("win32", r"C:\Python311\python.exe", "Interpreter_Win"),
    ("darwin", "/Users/t/.venv/bin/python", "Interpreter_Mac"),
    ("linux", "/usr/bin/python3", None),
])
def test_conf_names_this_python_only_with_keys_that_have_values(tmp_path, platform, executable, expected_key):
    site = tmp_path / "site-packages"
    installed = T.conf_entries(platform, executable, package_parent=site, site_dirs=[site.resolve()])
    assert installed == ([(expected_key, executable)] if expected_key else [])
    checkout = T.conf_entries(platform, executable, package_parent=ROOT, site_dirs=[site.resolve()])
    assert checkout[-1] == ("PYTHONPATH", str(ROOT))
    layout = T.conf_layout(checkout)
    conf = T.read_conf(layout.grid())
    assert all(value for value in conf.values()) and list(conf) == [k for k, _ in checkout]


@pytest.fixture(scope="module")
def cycled(tmp_path_factory) -> Path:
    """A class workbook made with `xlzu new X.xlsm`, then taken through the
    whole cycle on the command line: roster, grouping, a week of daily
    sheets typed in (openpyxl, keep_vba) and saved, the weekly summary, the
    month, the review and the term."""
    import random

    from formfill import Typed, type_day
    from xlzu.demo import demo_roster_path

    folder = tmp_path_factory.mktemp("cycle")
    book = folder / "班级.xlsm"
    steps = [
        ["new", str(book), "--roster", str(demo_roster_path()), "--class-name", "初二(3)班"],
        ["roster", str(book)],
        ["roster", str(book), "--from", str(demo_roster_path())],
        ["group", str(book)],
    ]
    rng = random.Random(5)
    for day in ("2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"):
        steps.append(["daily", str(book), "--date", day])
        steps.append(lambda: type_day(book, rng, Typed()))
        steps.append(["save", str(book)])
    steps += [["week", str(book)], ["month", str(book)], ["review", str(book)], ["term", str(book)],
              ["template", "python", str(book)]]
    for step in steps:
        if callable(step):
            step()
            continue
        result = runner.invoke(app, step)
        assert result.exit_code == 0, (step, result.output)
    return book


def test_class_workbook_keeps_vba_buttons_and_code_names_after_cli_operations(cycled):
    with zipfile.ZipFile(cycled) as made, zipfile.ZipFile(T.template_path()) as template:
        assert made.read("xl/vbaProject.bin") == template.read("xl/vbaProject.bin")
        assert "macroEnabled" in made.read("[Content_Types].xml").decode()
    assert button_bindings(cycled) == {b.caption: b.macro for b in C.BUTTONS}
    assert set(vba_modules(cycled)) == set(vba_modules(T.template_path()))
    wb = openpyxl.load_workbook(cycled, keep_vba=True)
    template = openpyxl.load_workbook(T.template_path(), keep_vba=True)
    codes = {ws.title: ws.sheet_properties.codeName for ws in wb.worksheets}
    assert {t: codes[t] for t in template.sheetnames} == {ws.title: ws.sheet_properties.codeName for ws in template.worksheets}
    assert wb[C.CONSOLE]["A1"].value == C.console_title("初二(3)班")  # titled for the class
    font, styled = wb[C.CONSOLE]["A1"].font, template[C.CONSOLE]["A1"].font
    assert (font.b, font.sz, font.name) == (styled.b, styled.sz, styled.name) == (False, 16, "黑体")  # the template's title style
    assert wb[C.CONSOLE]["A1"].alignment.horizontal == "left"  # runs right from A1: never cut at the left
    assert wb[C.CONSOLE].cell(C.CONSOLE_MESSAGES_ROW + 1, 2).value == "期末评比"  # the last run's log
    # the cycle really ran: records, rankings and certificates are in the macro workbook
    assert wb[C.PERSON_RECORDS].max_row > 100 and wb[C.GROUP_RECORDS].max_row > 50
    assert wb[C.WEEK_GROUPS]["A1"].value and "第13周" in str(wb[C.WEEK_GROUPS]["A1"].value)
    assert wb[C.WEEK_HISTORY]._charts, "the 周历史 chart is in the macro workbook"
    assert wb[C.ROSTER]["B2"].value  # the roster itself
    assert wb[C.FORM_GROUP]["A1"].value != C.FORM_GROUP  # real form content, not the template's placeholder
    leftovers = [ws.title for ws in wb.worksheets if any(T.SHEET_HINT in r for r in ws.iter_rows(values_only=True))]
    assert leftovers == []  # every template placeholder was replaced by the real sheet
    conf = T.read_conf([list(r) for r in wb[C.XLWINGS_CONF].iter_rows(values_only=True)])
    assert conf == dict(T.conf_entries())
    assert wb[C.XLWINGS_CONF].sheet_state == "hidden"


def test_new_xlsm_writes_the_forms_like_an_xlsx_workbook(cycled, class_book):
    macro = openpyxl.load_workbook(cycled, keep_vba=True)
    plain = openpyxl.load_workbook(class_book)
    for form in C.HIDDEN_FORMS:
        a = [list(r) for r in macro[form].iter_rows(values_only=True)]
        b = [list(r) for r in plain[form].iter_rows(values_only=True)]
        assert a == b
        assert macro[form].sheet_state == "hidden"
    # 控制台 of the .xlsm is the template's (with buttons), not the .xlsx text console
    groups = {ws.title for ws in macro.worksheets if C.parse_daily_group_sheet(ws.title)}
    assert macro.sheetnames == C.workbook_sheets(len(groups), macro=True)


@pytest.fixture(scope="module")
def libreoffice_xml(cycled, tmp_path_factory) -> dict[str, ET.Element]:
    from conftest import need_tool
    from xlzu.pdf import convert

    need_tool("soffice")
    out = tmp_path_factory.mktemp("lo")
    trees = {}
    for label, path in (("template", T.template_path()), ("class", cycled)):
        fods = convert(path, "fods", out / label)
        trees[label] = ET.parse(fods).getroot()
    return trees


NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "form": "urn:oasis:names:tc:opendocument:xmlns:form:1.0",
    "script": "urn:oasis:names:tc:opendocument:xmlns:script:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
    "ooo": "http://openoffice.org/2004/office",
}


@pytest.mark.parametrize("which", ["template", "class"])
def test_libreoffice_shows_every_button_on_the_console_bound_to_its_macro(libreoffice_xml, which):
    root = libreoffice_xml[which]
    tables = {t.get(f"{{{NS['table']}}}name"): t for t in root.iter(f"{{{NS['table']}}}table")}
    console = tables[C.CONSOLE]
    bound = {}
    for button in console.iter(f"{{{NS['form']}}}button"):
        listener = button.find(".//script:event-listener", NS)
        bound[button.get(f"{{{NS['form']}}}label")] = listener.get(f"{{{NS['xlink']}}}href")
    assert bound == {
        b.caption: f"vnd.sun.star.script:VBAProject.xlzuButtons.{b.macro}?language=Basic&location=document"
        for b in C.BUTTONS
    }
    for other in (n for n in tables if n != C.CONSOLE):
        assert not list(tables[other].iter(f"{{{NS['form']}}}button")), other
    # LibreOffice imported the VBA modules, ours included
    modules = {m.get(f"{{{NS['ooo']}}}name"): m for m in root.iter(f"{{{NS['ooo']}}}module")}
    assert {"xlzuButtons", "xlwings", "Dictionary"} <= set(modules)
    source = "".join(modules["xlzuButtons"].itertext())
    for b in C.BUTTONS:
        assert f"Sub {b.macro}()" in source


def test_demo_also_makes_a_workbook_with_buttons(demo_run):
    from xlzu.demo import DEMO_MACRO_WORKBOOK

    folder, output = demo_run
    macro = folder / DEMO_MACRO_WORKBOOK
    assert button_bindings(macro) == {b.caption: b.macro for b in C.BUTTONS}
    assert "xlzuButtons" in vba_modules(macro)
    assert DEMO_MACRO_WORKBOOK in output


def test_other_builder_versions_are_refused(monkeypatch):
    monkeypatch.setitem(T.BUILD_TOOLS, "XlsxWriter", "0.0.1")
    with pytest.raises(XlzuError, match="XlsxWriter==0.0.1"):
        T.build_template_bytes()
