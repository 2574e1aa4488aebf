"""Shared fixtures: real workbooks on disk, LibreOffice, the remote xlwings engine."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

# xlwings' remote engine (tests only) needs this before xlwings is first imported.
# The package itself never needs it: it uses only open-source xlwings.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import pytest  # noqa: E402

from xlzu.demo import demo_roster_path  # noqa: E402


def need_tool(name: str) -> str:
    """Path of an outside program a test needs: skip without it locally,
    fail without it in CI (CI installs it)."""
    from xlzu.pdf import libreoffice

    found = libreoffice() if name == "soffice" else shutil.which(name)
    if found:
        return found
    message = f"{name} is not installed (apt-get install -y libreoffice-calc-nogui fonts-noto-cjk poppler-utils)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def soffice() -> str:
    return need_tool("soffice")


@pytest.fixture
def poppler() -> None:
    need_tool("pdftotext")
    need_tool("pdfinfo")


def pdf_pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise AssertionError(f"no page count in pdfinfo output for {pdf}")


def pdf_text(pdf: Path, page: int | None = None) -> str:
    cmd = ["pdftotext", "-layout"]
    if page is not None:
        cmd += ["-f", str(page), "-l", str(page)]
    return subprocess.run(cmd + [str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def demo_roster() -> Path:
    return demo_roster_path()


@pytest.fixture
def class_book(tmp_path: Path, demo_roster: Path) -> Path:
    """A fresh class workbook (.xlsx) made from the demo roster."""
    from xlzu import new_class

    path = tmp_path / "班级.xlsx"
    new_class(path, demo_roster, class_name="初二(3)班")
    return path


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> tuple[Path, str]:
    """`xlzu demo` run once for the whole session: (its folder, what it printed)."""
    from typer.testing import CliRunner

    from xlzu.cli import app

    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(app, ["demo", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


def pdf_words(pdf: Path) -> list[dict]:
    """Every word LibreOffice printed, page by page: {page, text, x0, y0, x1, y1, width, height}
    (points, origin top left; width/height are the page's)."""
    import re

    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    words = []
    for k, page in enumerate(re.findall(r"<page (.*?)</page>", out, flags=re.S), start=1):
        w, h = (float(x) for x in re.match(r'width="([\d.]+)" height="([\d.]+)"', page).groups())
        for x0, y0, x1, y1, text in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page):
            words.append({"page": k, "text": text, "x0": float(x0), "y0": float(y0), "x1": float(x1), "y1": float(y1),
                          "width": w, "height": h})
    return words
