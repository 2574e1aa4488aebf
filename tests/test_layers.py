"""The layering, made checkable: an import-linter contract run from the test
suite (so the README's one test command covers it).

    front doors   xlzu.__main__  >  xlzu.cli  >  xlzu.demo, xlzu.excel, xlzu.usage, xlzu.web
    operations    xlzu.ops, xlzu.template (which holds `template python`, an operation)
    tools         xlzu.pdf, xlzu.poster (LibreOffice)
    backends      xlzu.book   (files = openpyxl, live = xlwings, roster files)
    core          every other module: pandas rules that know nothing of Excel

No module imports one above it; the core never imports openpyxl, xlrd,
xlwings, typer or rich; ``xlzu.book`` imports no operation.  A module not
named below is core: a new front door or tool must be placed here on purpose.
"""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import xlzu

ROOT = Path(__file__).resolve().parents[1]

# Modules named here that this checkout lacks are left out (branches add them).
MAIN = ["xlzu.__main__"]
FRONT = ["xlzu.cli"]
FRONT_HELPERS = ["xlzu.demo", "xlzu.excel", "xlzu.usage", "xlzu.web"]
OPERATIONS = ["xlzu.ops", "xlzu.template"]
TOOLS = ["xlzu.pdf", "xlzu.poster"]
BACKENDS = ["xlzu.book"]
EXCEL_AND_CLI_LIBRARIES = ["openpyxl", "xlrd", "xlwings", "typer", "rich", "click", "xlsxwriter"]


def top_modules() -> list[str]:
    return sorted(f"xlzu.{m.name}" for m in pkgutil.iter_modules(xlzu.__path__))


def core_modules() -> list[str]:
    placed = set(MAIN + FRONT + FRONT_HELPERS + OPERATIONS + TOOLS + BACKENDS)
    return [m for m in top_modules() if m not in placed]


def contract() -> str:
    core = core_modules()
    here = set(top_modules())
    main, front, helpers, operations, tools, backends = (
        [m for m in layer if m in here] for layer in (MAIN, FRONT, FRONT_HELPERS, OPERATIONS, TOOLS, BACKENDS))
    lines = [
        "[importlinter]",
        "root_packages =",
        "    xlzu",
        "include_external_packages = True",
        "",
        "[importlinter:contract:core-knows-no-excel]",
        "name = The core never imports openpyxl, xlrd, xlwings, typer or rich",
        "type = forbidden",
        "source_modules =",
        *[f"    {m}" for m in core],
        "forbidden_modules =",
        *[f"    {m}" for m in EXCEL_AND_CLI_LIBRARIES],
        "",
        "[importlinter:contract:book-imports-no-operation]",
        "name = xlzu.book imports no operation (nor anything above it)",
        "type = forbidden",
        "source_modules =",
        "    xlzu.book",
        "forbidden_modules =",
        *[f"    {m}" for m in main + front + helpers + operations + tools],
        "",
        "[importlinter:contract:layers]",
        "name = No module imports one above it",
        "type = layers",
        "layers =",
        *[f"    {' : '.join(layer)}" for layer in (main, front, helpers, operations, tools, backends)],
        f"    {' : '.join(core)}",
        "",
    ]
    return "\n".join(lines)


def need_import_linter() -> None:
    """Skip without import-linter locally; fail in CI (CI installs '.[test]')."""
    try:
        import importlinter  # noqa: F401
    except ImportError:
        message = "import-linter is not installed (pip install '.[test]')"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _lint(root, tmp_path):
    """import-linter's verdict on the package under ``root`` with our contract."""
    config = tmp_path / "importlinter.ini"
    config.write_text(contract(), encoding="utf-8")
    script = ("import sys; from importlinter.cli import lint_imports; "
              f"sys.exit(lint_imports(config_filename={str(config)!r}, no_cache=True))")
    return subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(root)})


def test_the_import_contract_holds(tmp_path):
    need_import_linter()
    result = _lint(ROOT, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout, result.stdout


def test_the_core_is_what_is_left():
    core = core_modules()
    assert {"xlzu.roster", "xlzu.layout", "xlzu.settings", "xlzu.contract", "xlzu.grouping"} <= set(core)
    assert not {"xlzu.cli", "xlzu.book", "xlzu.ops"} & set(core)


def test_the_contract_fails_when_the_core_reaches_for_openpyxl(tmp_path):
    """The contract can fail: a copy of the package whose core imports
    openpyxl (and an operation) is refused."""
    need_import_linter()
    import shutil

    copy = tmp_path / "pkg"
    shutil.copytree(ROOT / "xlzu", copy / "xlzu", ignore=shutil.ignore_patterns("__pycache__", "data", "_templates"))
    dates = copy / "xlzu" / "dates.py"
    dates.write_text(dates.read_text(encoding="utf-8") + "\nimport openpyxl  # noqa\nfrom .ops import common  # noqa\n",
                     encoding="utf-8")
    result = _lint(copy, tmp_path)
    assert result.returncode != 0
    assert "xlzu.dates -> openpyxl" in result.stdout and "xlzu.dates -> xlzu.ops.common" in result.stdout, result.stdout
