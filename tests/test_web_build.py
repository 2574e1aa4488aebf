"""Building the offline page (离线版): checksums, imports, the embedded source.

These need no network: they run the builder's own checks on real files made
here.  The full build (downloads, node, the HTML) is exercised by
tests/test_web_page.py, which also checks that two builds give the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

import xlzu
from xlzu.web import build, pins
from xlzu.web.build import WebBuildError

PACKAGE = Path(xlzu.__file__).parent


def wheel(files: dict[str, str | bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buf.getvalue()


def fake_lock(wheels: dict[str, bytes]) -> dict:
    return {"info": {"version": pins.PYODIDE_VERSION}, "packages": {
        name: {"name": name, "file_name": f"{name}-1.0-py3-none-any.whl", "sha256": hashlib.sha256(data).hexdigest(),
               "depends": [], "imports": [name.replace("-", "_")]}
        for name, data in wheels.items()}}


def carrier(wheels: dict[str, bytes]) -> bytes:
    return wheel({pins.CARRIER_DIR + f"{name}-1.0-py3-none-any.whl": data for name, data in wheels.items()})


def test_a_wheel_matching_the_lock_is_taken(monkeypatch):
    good = {n: wheel({f"{n}/__init__.py": f"# {n}\n"}) for n in ("six", "pytz")}
    monkeypatch.setattr(pins, "LOCK_PACKAGES", ("six", "pytz"))
    lock = fake_lock(good)
    taken = build.lock_wheels(carrier(good), lock)
    assert taken == good


def test_a_wheel_differing_from_the_lock_is_refused(monkeypatch):
    good = {n: wheel({f"{n}/__init__.py": f"# {n}\n"}) for n in ("six", "pytz")}
    lock = fake_lock(good)
    bad = dict(good, pytz=wheel({"pytz/__init__.py": "# changed\n"}))
    monkeypatch.setattr(pins, "LOCK_PACKAGES", ("six", "pytz"))
    with pytest.raises(WebBuildError) as err:
        build.lock_wheels(carrier(bad), lock)
    assert "pytz-1.0-py3-none-any.whl 的 sha256 与 Pyodide" in str(err.value)
    assert lock["packages"]["pytz"]["sha256"] in str(err.value)


def test_a_download_differing_from_its_pin_is_refused(tmp_path):
    path = tmp_path / "openpyxl-3.1.5-py2.py3-none-any.whl"
    path.write_bytes(b"not the wheel")
    with pytest.raises(WebBuildError) as err:
        build.pypi_file(tmp_path, "openpyxl", "3.1.5", path.name, pins.PYPI_WHEELS[1][3])
    assert "sha256 与固定值不符" in str(err.value)


def test_every_lock_package_the_page_uses_has_its_dependencies_in_the_page(monkeypatch):
    good = {n: wheel({f"{n}/__init__.py": ""}) for n in ("six", "pandas")}
    lock = fake_lock(good)
    lock["packages"]["pandas"]["depends"] = ["six", "numpy"]
    monkeypatch.setattr(pins, "LOCK_PACKAGES", ("six", "pandas"))
    with pytest.raises(WebBuildError, match="numpy"):
        build.lock_wheels(carrier(good), lock)


def test_the_source_archive_is_xlzu_as_it_is_now_and_the_same_bytes_each_time():
    data = build.source_archive()
    assert data == build.source_archive()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = set(z.namelist())
        for path in PACKAGE.rglob("*.py"):
            if "__pycache__" in path.parts:
                continue
            name = "xlzu/" + path.relative_to(PACKAGE).as_posix()
            assert name in names
            assert z.read(name) == path.read_bytes(), name
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in z.infolist())


PROVIDED = {"xlzu", "numpy", "pandas", "openpyxl", "xlrd", "dateutil", "pytz", "six", "et_xmlfile"}


def copy_package(tmp_path: Path) -> Path:
    dest = tmp_path / "xlzu"
    shutil.copytree(PACKAGE, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def test_xlzu_as_it_is_imports_only_what_the_page_provides():
    assert build.import_problems(PROVIDED) == []


def test_a_new_dependency_stops_the_build_naming_the_line(tmp_path):
    pkg = copy_package(tmp_path)
    (pkg / "chart.py").write_text('"""x"""\nimport os\nfrom matplotlib import pyplot\n', encoding="utf-8")
    problems = build.import_problems(PROVIDED, pkg)
    assert len(problems) == 1
    assert problems[0].startswith("xlzu/chart.py:3: the offline page does not provide matplotlib")


def test_an_optional_compiled_dependency_beside_a_pure_python_path_is_allowed(tmp_path):
    pkg = copy_package(tmp_path)
    (pkg / "fastread.py").write_text(
        "try:\n    import python_calamine\nexcept ImportError:  # pure-Python path\n    python_calamine = None\n\n"
        "def read():\n    try:\n        from PIL import Image\n    except (ImportError, OSError):\n        return None\n",
        encoding="utf-8")
    assert build.import_problems(PROVIDED, pkg) == []


def test_command_line_only_modules_must_be_imported_lazily_in_modules_the_page_runs(tmp_path):
    pkg = copy_package(tmp_path)
    (pkg / "ops" / "extra.py").write_text("import typer\n\ndef table():\n    import rich\n", encoding="utf-8")
    problems = build.import_problems(PROVIDED, pkg)
    assert problems == ["xlzu/ops/extra.py:1: typer is left out of the offline page (the command line); "
                        "import it inside the function that needs it"]
    # The command line itself may import typer at the top: the page never loads it.
    assert not any("cli.py" in p for p in problems)


def test_an_unavailable_standard_module_is_caught(tmp_path):
    pkg = copy_package(tmp_path)
    (pkg / "store.py").write_text("import sqlite3\n", encoding="utf-8")
    assert build.import_problems(PROVIDED, pkg) == [
        "xlzu/store.py:1: the offline page does not provide sqlite3: add its wheel to xlzu/web/pins.py, "
        "or import it inside try/except ImportError beside a pure-Python path"]


def test_import_xlzu_does_not_load_the_command_line_or_excel():
    import subprocess
    import sys

    code = "import sys, xlzu, xlzu.ops.summary, xlzu.web.inpage; print(sorted(m for m in ('typer', 'xlwings', 'rich', 'click') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PACKAGE.parent)
    assert out.stdout.strip() == "[]"


def test_build_refuses_a_name_that_is_not_html(tmp_path):
    result = CliRunner().invoke(__import__("xlzu.cli", fromlist=["app"]).app,
                                ["web", "build", "--output", str(tmp_path / "page.txt"), "--cache", str(tmp_path)])
    assert result.exit_code == 1
    assert "离线版的文件名应以 .html 结尾" in result.output
