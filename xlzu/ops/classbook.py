"""Making a class workbook, and (re)importing its roster."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from .. import cells, console, schema
from .. import contract as C
from ..members import read_members
from ..book.base import Book
from ..book.files import FileBook, ensure_not_locked
from ..book.safety import BACKUP_DIR, keep_replaced, writing
from ..errors import InputError, XlzuError
from ..forms import form_layout
from ..records import empty as empty_records, records_layout
from ..layout import Layout, cell_ref, placeholder_layout, range_ref, table_layout
from ..rules import rules_layout
from ..book.rosterfile import import_roster_file as read_roster_file, read_raw
from ..roster import RosterImport, normalize_roster, roster_layout
from ..settings import DEFAULT, Settings, settings_layout
from .common import Report, load_settings, run

PLACEHOLDERS = {
    C.SEATS: "运行“自动分组”（xlzu group）后在这里生成座位表。",
    C.DAILY_CLASS: "运行“生成日表”（xlzu daily）后在这里生成当天的班级考核表。",
    C.WEEK_GROUPS: "每周五运行“一键周汇总”（xlzu week）后在这里生成小组周排名。",
    C.WEEK_PEOPLE: "每周五运行“一键周汇总”（xlzu week）后在这里生成个人周排名。",
    C.WEEK_HISTORY: "每次周汇总后在这里追加各组的周得分和走势图。",
    C.MONTHLY: "每月运行“月度评比”（xlzu month）后在这里生成月度之星和多元评价表。",
    C.COMPREHENSIVE: "运行“小组综合评价”（xlzu review）后在这里生成小组综合评价表。",
    C.TERM_AWARDS: "期中、期末运行“期末评比”（xlzu term）后在这里列出明星组长、先进小组、优秀组员和评选依据。",
    C.CERTIFICATES: "期中、期末运行“期末评比”（xlzu term）后在这里生成荣誉证书。",
}
EXAMS_DEFAULT = ("期中", "期末")


def console_layout(settings: Settings) -> Layout:
    """控制台 of an .xlsx workbook (the .xlsm template has buttons here)."""
    rows = [
        [C.console_title(settings.class_name)],
        ["这个工作簿由 xlzu 管理。在命令行运行以下命令（宏工作簿 .xlsm 可直接点按钮）："],
        ["xlzu group 班级.xlsx —— 自动分组、排职务和座位"],
        ["xlzu daily 班级.xlsx --date 2026-11-24 —— 生成当天的日表（打印后填写）"],
        ["xlzu save 班级.xlsx —— 把填好的日表存入记录"],
        [f"xlzu week 班级.xlsx —— 一键周汇总：小组和个人周排名、{settings.star_group_label}、{settings.devil_group_label}"],
        ["xlzu month 班级.xlsx --month 2026-11 —— 月度之星和多元评价"],
        ["xlzu review 班级.xlsx --period 2026-11 —— 小组综合评价（四个方面、多方评价）"],
        ["xlzu term 班级.xlsx --from 期中 --to 期末 —— 明星组长、先进小组、优秀组员和证书"],
        ["每次运行的结果和需要核对的单元格列在下方“运行记录”中（最新的在最上面）。"],
    ]
    hints = len(rows)
    while len(rows) < C.CONSOLE_MESSAGES_ROW - 2:
        rows.append([])
    rows.append([console.LOG_LABEL])  # the 运行记录 table's header is the next row (written by each run)
    layout = Layout(rows=rows)
    layout.style("A1", "title_left")  # from column A rightwards: never cut at the left
    layout.heights[1] = console.TITLE_ROW
    layout.style(range_ref(2, 1, hints, 1), "hint")
    layout.style(cell_ref(len(rows), 1), "section")
    layout.widths = dict(console.WIDTHS)
    layout.print = console.print_setup(C.CONSOLE_MESSAGES_ROW)
    return layout


def groups_placeholder() -> Layout:
    """分组 before grouping: the two tables' headers, nothing else."""
    layout = table_layout(pd.DataFrame(columns=list(C.GROUP_COLUMNS)), freeze=False)
    first = C.CULTURE_FIRST_COLUMN
    layout.rows[0] += [None] + list(C.CULTURE_COLUMNS)
    layout.style(range_ref(1, first, 1, first + len(C.CULTURE_COLUMNS) - 1), "header")
    layout.rows += [[], ["运行“自动分组”（xlzu group）后在这里生成分组。"]]
    layout.style("A3", "hint")
    return layout


def exams_layout(roster: pd.DataFrame, exams: tuple[str, ...] = EXAMS_DEFAULT) -> Layout:
    df = roster[[C.ROSTER_ID, C.ROSTER_NAME]].copy()
    for e in exams:
        df[e] = pd.Series([None] * len(df), dtype=object)
    from ..layout import PrintSetup, Validation

    return table_layout(
        df,
        column_styles={C.ROSTER_ID: "id", **{e: "entry" for e in exams}},
        validations=[(e, Validation("", "decimal", minimum=0, maximum=C.TOTAL_MAX, prompt_title=e,
                                    prompt="这次考试的总分（列名可改为考试名称，可再加列）",
                                    error=f"总分应为 0–{C.TOTAL_MAX} 的数字")) for e in exams],
        # exam figures by name: for the teacher's binder only (printed in the page header)
        print_setup=PrintSetup(orientation="portrait", fit_width=1, fit_height=0, title_rows="1:1", header_right=C.PRIVATE,
                               footer="第 &P 页，共 &N 页"),
    )


def build_class_sheets(book: Book, settings: Settings, roster: RosterImport) -> None:
    """Write every contract sheet of a new class workbook."""
    if not book.has_sheet(C.CONSOLE):  # a macro template brings its own, with buttons
        book.write_layout(C.CONSOLE, console_layout(settings))
    book.write_layout(C.SETTINGS, settings_layout(settings))
    book.write_layout(C.RULES, rules_layout(settings))
    book.write_layout(C.ROSTER, roster_layout(roster.roster, settings.subject_names, roster.flags,
                                               settings.class_name))
    book.write_layout(C.GROUPS, groups_placeholder())
    for sheet, hint in PLACEHOLDERS.items():
        book.write_layout(sheet, placeholder_layout(sheet, hint))
    book.write_layout(C.PERSON_RECORDS, records_layout(empty_records("person"), "person"))
    book.write_layout(C.GROUP_RECORDS, records_layout(empty_records("group"), "group"))
    book.write_layout(C.EXAMS, exams_layout(roster.roster))
    for form in C.HIDDEN_FORMS:
        if not book.has_sheet(form):
            book.write_layout(form, form_layout(form), hidden=True)


def new_class(
    path: str | os.PathLike,
    roster: str | os.PathLike,
    *,
    class_name: str | None = None,
    force: bool = False,
    settings: Settings | None = None,
    settings_from: str | os.PathLike | None = None,
) -> Report:
    """Create a class workbook (.xlsx, or .xlsm with the Excel buttons) from a
    roster file exported by the school system.  With ``settings_from`` (another
    class workbook of the grade) the new class starts with that class's 设置
    (every value but 班级名称 and 班主任), so the school compares the classes
    on equal rules."""
    path = Path(path)
    copied_from = None
    if settings_from is not None:
        settings, copied_from = _settings_of(Path(settings_from), path, class_name)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm"):
        raise XlzuError(f"班级工作簿的文件名应以 .xlsx 或 .xlsm 结尾（.xlsm 带按钮），而不是“{path.name}”。")
    if path.exists() and not force:
        raise XlzuError(f"“{path.name}”已经存在。要重新创建（旧文件会保存在旁边的“{BACKUP_DIR}”文件夹中）请加 --force。")
    ensure_not_locked(path)
    with writing(path):
        return _new_class(path, roster, class_name=class_name, settings=settings, copied_from=copied_from)


def _new_class(path: Path, roster: str | os.PathLike, *, class_name: str | None, settings: Settings | None,
               copied_from: str | None = None) -> Report:
    suffix = path.suffix.lower()
    settings = settings or DEFAULT
    if class_name:
        settings = settings.with_changes(class_name=class_name.strip())
    imported = read_roster_file(roster, settings.subject_names)  # a duplicate 学号 stops here
    if suffix == ".xlsm":
        from ..template import new_macro_book

        book = new_macro_book(path, settings.class_name)
    else:
        book = FileBook.create(path)
    build_class_sheets(book, settings, imported)
    report = Report("新建班级", imported.report(), data={"roster": imported.roster, "import": imported})
    report.lines.insert(0, f"已创建班级工作簿“{path.name}”（{settings.class_name}）。")
    kept = keep_replaced(path)  # `new --force`: the old workbook under a name never pruned
    if kept is not None:
        report.add(f"原来的工作簿保存为“{BACKUP_DIR}/{kept.name}”（以后的命令不会覆盖它）。")
    if copied_from:
        report.lines.insert(1, f"“设置”来自“{copied_from}”（班级名称和班主任除外），与该班的计分规则相同。")
    book.log(report.title, report.lines)
    book.save()
    return report


def _settings_of(source: Path, path: Path, class_name: str | None) -> tuple[Settings, str]:
    """Another class's 设置 for a new class: its values, with the new class's
    name (--class-name, else the new file's name) and no 班主任."""
    if source.resolve() == path.resolve():
        raise XlzuError(f"--settings-from 给的是要新建的工作簿本身“{path.name}”：请给同年级另一个班级的工作簿。")
    try:
        settings = load_settings(FileBook.open(source))
    except XlzuError as exc:
        kind = InputError if isinstance(exc, InputError) else XlzuError
        raise kind(f"无法从“{source.name}”复制设置：{exc.message}", exc.problems) from exc
    name = (class_name or "").strip() or path.stem
    return settings.with_changes(class_name=name, head_teacher=""), source.name


def _import_roster(book: Book, rows: list[list] | None, source: str) -> Report:
    settings = load_settings(book)
    if rows is None:
        rows = book.read_values(C.ROSTER)
    in_workbook = source == C.ROSTER
    imported = normalize_roster(rows, settings.subject_names, source, in_workbook=in_workbook)
    layout = roster_layout(imported.roster, settings.subject_names, imported.flags, settings.class_name)
    if in_workbook:
        # 花名册 tidied in place: the teacher's own columns (家长电话 …) and
        # notes stay, each with its student.
        read = schema.read(rows, schema.roster_table(settings.subject_names))
        by_id = {cells.id_key(sid): read.extras.get(int(r)) for sid, r in zip(read.frame[C.ROSTER_ID], read.frame["_row"])}
        layout = schema.keep(layout, read, [by_id.get(cells.id_key(sid)) for sid in imported.roster[C.ROSTER_ID]])
    book.write_layout(C.ROSTER, layout)
    report = Report("导入花名册", imported.report(), data={"roster": imported.roster, "import": imported})
    if book.has_sheet(C.GROUPS):
        groups, _ = read_members(book.read_values(C.GROUPS))
        if len(groups):
            grouped = {v for v in groups[C.GROUP_ID] if v}
            current = set(imported.roster[C.ROSTER_ID])
            new, gone = sorted(current - grouped), sorted(grouped - current)
            if new or gone:
                report.add(f"与分组相比：新增 {len(new)} 人，减少 {len(gone)} 人。请运行“自动分组”更新分组（锁定的学生不会移动）。")
    return report


def import_roster(target: Book | str | os.PathLike, source: str | os.PathLike | None = None) -> Report:
    """Re-import 花名册: from a roster file, or (with no file) clean up what
    was pasted into the 花名册 sheet itself (aliases, full-width, spaces)."""
    if source is not None:
        rows = read_raw(source)
        return run("导入花名册", target, _import_roster, rows, Path(source).name)
    return run("导入花名册", target, _import_roster, None, C.ROSTER)
