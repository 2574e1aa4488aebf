"""Printing to PDF through LibreOffice headless (file mode).

In Excel the print buttons use Excel's own PDF export; on the command line
(and in the tests) LibreOffice opens the workbook, recalculates every formula
and prints the chosen sheets.  Only the sheets asked for are printed: the
others are hidden in a temporary copy, which LibreOffice does not print.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterable

from .errors import ToolMissing, XlzuError
from .fonts import fontconfig_file

_CANDIDATES = ("soffice", "libreoffice", "/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice",
               "/Applications/LibreOffice.app/Contents/MacOS/soffice",
               r"C:\Program Files\LibreOffice\program\soffice.exe")

# Recalculate every formula on load (files written by openpyxl carry no
# cached results), never ask, and treat Chinese text as Simplified Chinese.
_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Linguistic/General"><prop oor:name="DefaultLocale_CJK" oor:op="fuse"><value>zh-CN</value></prop></item>
</oor:items>
"""


def libreoffice() -> str | None:
    """Path of the LibreOffice executable, or None."""
    env = os.environ.get("XLZU_SOFFICE")
    if env:
        return env
    for c in _CANDIDATES:
        found = shutil.which(c) or (c if os.path.isabs(c) and os.path.exists(c) else None)
        if found:
            return found
    return None


def _new_profile(parent: Path) -> Path:
    """A fresh LibreOffice user profile that recalculates on load.  One per
    conversion: conversions can run side by side, and a profile left locked
    by a killed LibreOffice can never make a later one wait."""
    user = parent / "lo-profile" / "user"
    user.mkdir(parents=True)
    (user / "registrymodifications.xcu").write_text(_PROFILE, encoding="utf-8")
    return user.parent


_SYSTEM_FONTCONFIG = Path("/etc/fonts/fonts.conf")


def _environment(parent: Path) -> dict[str, str]:
    """LibreOffice's environment: where fontconfig is the font system
    (Linux), xlzu's faces (宋体, 黑体, 楷体) aliased to the closest installed
    ones (:func:`xlzu.fonts.fontconfig_file`)."""
    env = dict(os.environ)
    base = Path(env.get("FONTCONFIG_FILE") or _SYSTEM_FONTCONFIG)
    if base.exists():
        conf = parent / "fonts.conf"
        conf.write_text(fontconfig_file(str(base)), encoding="utf-8")
        env["FONTCONFIG_FILE"] = str(conf)
    return env


def convert(path: str | os.PathLike, fmt: str, outdir: str | os.PathLike, *, timeout: float = 180) -> Path:
    """Convert a workbook with LibreOffice headless (fmt: pdf, xlsx, xls, csv…)."""
    soffice = libreoffice()
    if soffice is None:
        raise ToolMissing(
            "需要 LibreOffice 才能在命令行打印 PDF，但没有找到。请安装 LibreOffice"
            "（Linux：apt-get install libreoffice-calc-nogui），或在 Excel 中用“打印日表”按钮。"
        )
    path, outdir = Path(path), Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xlzu-lo-") as tmp:
        profile = _new_profile(Path(tmp))
        cmd = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", fmt, "--outdir", str(outdir), str(path)]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=timeout, text=True, env=_environment(Path(tmp)))
        except subprocess.TimeoutExpired as exc:
            raise XlzuError(f"LibreOffice 处理“{path.name}”超时。") from exc
    target = outdir / (path.stem + "." + fmt.split(":")[0])
    if done.returncode != 0 or not target.exists():
        raise XlzuError(f"LibreOffice 无法转换“{path.name}”：{(done.stderr or done.stdout).strip()[:300]}")
    return target


def print_sheets(path: str | os.PathLike, sheets: Iterable[str], pdf: str | os.PathLike) -> Path:
    """Print only ``sheets`` of the workbook at ``path`` to ``pdf``."""
    from openpyxl import load_workbook

    path, pdf = Path(path), Path(pdf)
    wanted = list(sheets)
    with tempfile.TemporaryDirectory(prefix="xlzu-print-") as tmp:
        wb = load_workbook(path)
        missing = [s for s in wanted if s not in wb.sheetnames]
        if missing:
            raise XlzuError(f"工作簿中没有要打印的工作表：{'、'.join(missing)}。")
        for ws in wb.worksheets:
            ws.sheet_state = "visible" if ws.title in wanted else "hidden"
            if ws.title not in wanted:
                ws.print_area = None  # LibreOffice prints a hidden sheet that has a print area
        # Print in the order asked for.
        order = [wb.sheetnames.index(s) for s in wanted]
        rest = [i for i in range(len(wb.sheetnames)) if i not in order]
        wb._sheets = [wb._sheets[i] for i in order + rest]
        wb.active = 0
        for ws in wb.worksheets:
            for view in ws.views.sheetView:
                view.tabSelected = ws.title == wanted[0]
        stem = pdf.stem
        tmp_book = Path(tmp) / f"{stem}.xlsx"
        wb.save(tmp_book)
        made = convert(tmp_book, "pdf", tmp)
        pdf.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(made), pdf)
    return pdf
