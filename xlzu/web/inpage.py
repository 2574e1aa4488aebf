"""What the offline page calls inside the browser (Pyodide): one function
per button, on a workbook file in Pyodide's in-memory file system.

The page writes the teacher's workbook to ``WORK/<name>``, calls
:func:`run`, shows the returned lines and writes the file's new bytes back
(or downloads them).  Each operation is the same library call the command
line makes on a file, so the workbook gets the same content.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import traceback
from pathlib import Path
from typing import Any

WORK = Path("/xlzu-work")

# data-op → (控制台 caption, ops module, function)
OPS = {
    "new": ("新建班级", "classbook", "new_class"),
    "roster": ("导入花名册", "classbook", "import_roster"),
    "group": ("自动分组", "groups", "group"),
    "keep": ("重排职务座位", "groups", "group"),
    "daily": ("生成日表", "daybook", "daily"),
    "save": ("保存日表", "daybook", "save"),
    "week": ("一键周汇总", "summary", "week"),
    "month": ("月度评比", "summary", "month"),
    "review": ("综合评价", "summary", "review"),
    "term": ("期末评比", "summary", "term"),
    "school": ("校级评比", "schoolbook", "school"),
}
from .pins import PAGE_SKIPS as SKIPPED  # never imported in the page (command line, live Excel, templates)


def check_imports() -> list[str]:
    """Import every xlzu module the page may use; a failure stops the page
    with the module named (xlzu gained a dependency the page lacks)."""
    import xlzu

    loaded = []
    for info in pkgutil.walk_packages(xlzu.__path__, "xlzu."):
        if info.name in SKIPPED or any(info.name.startswith(s + ".") for s in SKIPPED):
            continue
        importlib.import_module(info.name)
        loaded.append(info.name)
    return loaded


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _call(op: str, path: Path, o: dict[str, Any]):
    from xlzu import ops

    if op == "new":
        source = WORK / o["settings_from"] if o.get("settings_from") else None
        return ops.new_class(path, WORK / o["roster"], class_name=_text(o.get("class_name")), settings_from=source)
    if op == "roster":
        return ops.import_roster(path, WORK / o["roster"] if o.get("roster") else None)
    if op == "group":
        seed = _text(o.get("seed"))
        return ops.group(path, seed=int(seed) if seed else 0, regroup=bool(o.get("regroup")))
    if op == "keep":
        return ops.group(path, keep=True)
    if op == "daily":
        return ops.daily(path, _text(o.get("date")), all_weekdays=bool(o.get("all_weekdays")))
    if op == "save":
        return ops.save(path)
    if op == "week":
        return ops.week(path, _text(o.get("week")))
    if op == "month":
        return ops.month(path, _text(o.get("month")))
    if op == "review":
        return ops.review(path, _text(o.get("period")))
    if op == "term":
        return ops.term(path, _text(o.get("from")), _text(o.get("to")), _text(o.get("date")))
    if op == "school":
        from xlzu.ops.schoolbook import school

        classes = [WORK / c for c in o.get("classes") or []]
        term = bool(o.get("school_term"))
        return school(path, classes, month=None if term else _text(o.get("school_month")), term=term,
                      until=_text(o.get("school_until")) if term else None, day=_text(o.get("school_date")))
    raise KeyError(op)


def run(op: str, name: str, options: str = "{}") -> str:
    """Run one operation on ``WORK/name``; returns JSON: ok, title, lines
    (as written to 控制台), problems (cells named) and, on a refusal, error."""
    from xlzu.errors import XlzuError

    title = OPS[op][0]
    o = json.loads(options)
    path = WORK / name
    try:
        report = _call(op, path, o)
    except XlzuError as err:
        return json.dumps({"ok": False, "title": title, "lines": ["没有完成，工作簿未作其他改动：", *err.text().splitlines()],
                           "problems": [str(p) for p in err.problems], "error": err.text()}, ensure_ascii=False)
    except Exception as err:  # a bug: say so plainly
        traceback.print_exc()
        text = f"程序出错（{type(err).__name__}: {err}）。请把这段文字发给技术人员。"
        return json.dumps({"ok": False, "title": title, "lines": [text], "problems": [], "error": text, "bug": True},
                          ensure_ascii=False)
    return json.dumps({"ok": True, "title": title, "lines": list(report.lines),
                       "problems": [str(p) for p in report.problems]}, ensure_ascii=False)
