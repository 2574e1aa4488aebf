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


def _run_demo(out: Path) -> str:
    from typer.testing import CliRunner

    from xlzu.cli import app

    out.mkdir(parents=True, exist_ok=True)
    result = CliRunner().invoke(app, ["demo", str(out)])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory, worker_id) -> tuple[Path, str]:
    """`xlzu demo` run once for the whole session: (its folder, what it
    printed).  Its users only read the folder (or copy from it), so the
    xdist workers share one run: the first to need it runs it under a lock
    in the session's common temporary folder, the others wait for it and
    read the same folder."""
    try:
        import fcntl
    except ImportError:  # no flock (Windows): each worker runs its own
        fcntl = None
    if worker_id == "master" or fcntl is None:
        out = tmp_path_factory.mktemp("demo")
        return out, _run_demo(out)
    common = tmp_path_factory.getbasetemp().parent
    out, printed = common / "demo", common / "demo-output.txt"
    with open(common / "demo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not printed.is_file():
            shutil.rmtree(out, ignore_errors=True)  # a run that failed half-way
            printed.write_text(_run_demo(out), encoding="utf-8")
    return out, printed.read_text(encoding="utf-8")


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
