"""One error hierarchy.  Every message is the Chinese text a teacher sees.

An error that comes from bad input carries :class:`CellProblem` items, each
naming a sheet, a cell, the value found and what was expected, so the CLI can
list them, the workbook backends can highlight them and Excel can alert them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class CellProblem:
    """One bad cell: ``设置!B7：“十” 应为 1–12 的整数``."""

    sheet: str
    cell: str  # A1 reference, e.g. "D5"; "" when the problem is a whole row or sheet
    value: object
    expected: str
    row: int | None = None  # source row number when the cell is in an imported file (not a sheet of the workbook)

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        if self.row is not None:  # a file's row, and its cell when the column is known: 名单.xlsx 第7行 C7
            where = f"{self.sheet} 第{self.row}行" + (f" {self.cell}" if self.cell else "")
        shown = _shown(self.value)
        if shown:
            return f"{where}：{shown} {self.expected}"
        return f"{where}：{self.expected}"


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN
        return ""
    text = str(value)
    if text == "":
        return "空白，"
    return f"“{text}”"


class XlzuError(Exception):
    """Base of every error xlzu raises on purpose.  ``str()`` is Chinese."""

    def __init__(self, message: str, problems: Iterable[CellProblem] = ()):
        self.problems = list(problems)
        self.message = message
        super().__init__(self.text())

    def text(self) -> str:
        if not self.problems:
            return self.message
        lines = [self.message]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class InputError(XlzuError):
    """Something typed into (or imported into) the workbook is not usable."""


class SettingsError(InputError):
    """A value on 设置 is invalid."""


class RosterError(InputError):
    """The roster file cannot be imported at all (nothing is written)."""


class EntryError(InputError):
    """Daily-sheet entries are invalid; nothing of that date was saved."""


class SheetMissing(InputError):
    """A sheet the operation needs is not in the workbook."""

    def __init__(self, sheet: str, hint: str = ""):
        message = f"工作簿中找不到工作表“{sheet}”。"
        if hint:
            message += hint
        super().__init__(message)
        self.sheet = sheet


class WorkbookLocked(XlzuError):
    """The workbook is open in Excel/WPS (or otherwise cannot be replaced)."""

    def __init__(self, path: str, detail: str = ""):
        message = f"请先关闭工作簿“{path}”（它正在 Excel 或 WPS 中打开），然后再运行。文件没有被修改。"
        if detail:
            message += f"（{detail}）"
        super().__init__(message)
        self.path = path


class WorkbookNotFound(XlzuError):
    def __init__(self, path: str):
        super().__init__(f"找不到工作簿文件“{path}”。请检查文件名和所在文件夹。")
        self.path = path


class NotAClassWorkbook(XlzuError):
    def __init__(self, path: str, missing: Iterable[str]):
        names = "、".join(missing)
        super().__init__(
            f"“{path}”不是 xlzu 班级工作簿：缺少工作表 {names}。请用 xlzu new 创建班级工作簿。"
        )


class ToolMissing(XlzuError):
    """An outside program (LibreOffice) is needed but not installed."""


class WorkbookBusy(XlzuError):
    """Another xlzu command (or Excel button) is writing the workbook."""

    def __init__(self, path: str, waited: float):
        super().__init__(
            f"另一个 xlzu 命令正在修改工作簿“{path}”，等了 {waited:g} 秒仍未结束。"
            "请等它完成后再运行。本次没有修改文件。"
        )
        self.path = path


class WorkbookReadOnly(XlzuError):
    """The workbook file is marked read-only."""

    def __init__(self, path: str):
        super().__init__(
            f"工作簿“{path}”是只读文件，xlzu 没有修改它。"
            "如需修改，请在文件属性中取消“只读”后再运行。"
        )
        self.path = path


class FolderReadOnly(XlzuError):
    """The folder of the workbook does not allow new files."""

    def __init__(self, folder, path: str):
        super().__init__(
            f"工作簿“{path}”所在的文件夹“{folder}”不允许写入，无法保存，文件没有被修改。"
            "请把工作簿复制到可以写入的文件夹（如“文档”）后再运行。"
        )
        self.path = path


class FolderMissing(XlzuError):
    """The folder a workbook is to be saved in does not exist."""

    def __init__(self, folder, path: str):
        super().__init__(f"找不到文件夹“{folder}”，无法保存“{path}”。请先建好这个文件夹，或换一个位置。")
        self.path = path


class DiskFull(XlzuError):
    """The disk has no room for the new workbook (or its backup)."""

    def __init__(self, path: str):
        super().__init__(
            f"磁盘空间不足，无法保存工作簿“{path}”，文件没有被修改。"
            "请清理磁盘空间（或把工作簿移到有空间的位置）后再运行。"
        )
        self.path = path
