"""``xlzu demo``: the bundled sample class, taken through every operation."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Callable

DEMO_CLASS_NAME = "初二(3)班"
DEMO_WORKBOOK = "示例班级.xlsx"
DEMO_MACRO_WORKBOOK = "示例班级.xlsm"  # the same class with the Excel buttons
DEMO_GRADE_WORKBOOK = "初二年级.xlsx"  # the school (grade) workbook of the demo grade
# The demo class's two sister classes: (file, class name, students, roster seed, school days recorded)
DEMO_SISTERS = (("初二1班.xlsx", "初二(1)班", 46, 11, 5), ("初二2班.xlsx", "初二(2)班", 40, 12, 3))


def demo_roster_path() -> Path:
    """The synthetic sample class shipped inside the package (52 students)."""
    return Path(str(resources.files("xlzu") / "data" / "demo_roster.csv"))


def run_demo(directory: str | Path, echo: Callable[[str], None] = print) -> Path:
    """Build the demo workbook in ``directory`` and run every operation on it.
    Returns the workbook's path."""
    from .ops.classbook import new_class

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    book = directory / DEMO_WORKBOOK
    echo(f"== 1. 新建班级：{book}")
    report = new_class(book, demo_roster_path(), class_name=DEMO_CLASS_NAME, force=True)
    for line in report.lines:
        echo(line)
    demo_group(book, echo)
    demo_daily(book, echo)
    summaries_step(book, echo)
    grade_step(directory, book, echo)
    macro = directory / DEMO_MACRO_WORKBOOK
    echo(f"== 带按钮的工作簿：{macro}（同一个班级走完同样的流程；在 Excel 中打开，启用宏，点“控制台”上的按钮）")
    quiet: Callable[[str], None] = lambda line: None  # noqa: E731
    new_class(macro, demo_roster_path(), class_name=DEMO_CLASS_NAME, force=True)
    demo_group(macro, quiet)
    demo_daily(macro, quiet, print_pdf=False)
    summaries_step(macro, quiet)
    echo(f"完成。示例工作簿：{book.resolve()}，带按钮的：{macro.resolve()}")
    return book


def demo_group(book_path: str | Path, echo: Callable[[str], None] = print, *, seed: int = 1) -> None:
    """Group the demo class and print a short summary per group."""
    from .ops.groups import group

    echo("== 自动分组：分层、均衡分组、代号、职务、座位表")
    report = group(book_path, seed=seed)
    plan = report.data["plan"]
    for line in report.lines[:2]:
        echo(line)
    for rec in plan.summary().itertuples(index=False):
        echo(f"  {rec.组名}：{rec.人数}人（男{rec.男} 女{rec.女}，A{rec.A层} B{rec.B层} C{rec.C层} D{rec.D层}），"
             f"平均总分 {rec.平均总分:.1f}，标准差 {rec.总分标准差:.1f}，大组长 {rec.大组长}")


# --------------------------------------------------------------------------
# Daily sheets: a week generated, typed in, saved and printed
# --------------------------------------------------------------------------
DEMO_NOTES = ("迟到", "请假", "课堂展示优秀", "主动帮助同学", "作业未交", "积极纠错")
DEMO_GROUP_NOTES = ("值日认真", "课间追逐", "展示精彩", "早读迟到两人", "主动打扫走廊")


def _small(rng, lo: float, hi: float) -> int:
    """A non-zero whole number in [lo, hi], small magnitudes more likely."""
    values = [v for v in range(int(lo), int(hi) + 1) if v != 0] or [int(lo)]
    return rng.choices(values, weights=[1 / abs(v) if v else 1 for v in values])[0]


def _typed_grade(rng, key: str) -> str:
    """A grade as a teacher types it: mostly "A", sometimes "a" or full-width "Ａ"."""
    roll = rng.random()
    if roll < 0.1:
        return key.lower()
    if roll < 0.15:
        return chr(ord(key.upper()) + 0xFEE0)
    return key


def typed_entries(form, rng) -> dict[tuple[int, int], object]:
    """Plausible entries for one generated form, as the 大组长 / 值日班长
    would fill it: (row, column) → value."""
    from . import contract as C
    from .scoring import GRADE, PLACE

    cells: dict[tuple[int, int], object] = {}
    rows = [r for r, _ in form.rows]
    for col, e in form.entries:
        if e.kind == PLACE:
            keys = list(e.keys)
            chosen = rng.sample(rows, min(len(rows), len(keys)))
            for r, k in zip(chosen, keys):
                cells[(r, col)] = int(k)
            continue
        for r in rows:
            if e.kind == GRADE:
                if rng.random() < 0.95:
                    key = rng.choices(list(e.keys), weights=[45, 35, 15, 5][: len(e.keys)] + [1] * max(0, len(e.keys) - 4))[0]
                    cells[(r, col)] = _typed_grade(rng, key)
            elif form.kind == "group" and e.category == C.CAT_SELF_STUDY:
                if rng.random() < 0.85:
                    cells[(r, col)] = rng.choices(range(int(e.minimum), int(e.maximum) + 1),
                                                  weights=[1] * int(e.maximum - e.minimum - 1) + [3, 6])[0]
            else:
                chance = 0.4 if e.category == C.CAT_PARTICIPATION else 0.15
                if e.minimum >= 0 and e.category != C.CAT_PARTICIPATION or e.maximum < 0:
                    chance = 0.05
                if rng.random() < chance:
                    cells[(r, col)] = _small(rng, e.minimum, e.maximum)
    notes = DEMO_NOTES if form.kind == "group" else DEMO_GROUP_NOTES
    for r in rows:
        if rng.random() < 0.08:
            cells[(r, form.note_col)] = rng.choice(notes)
    return cells


def demo_daily(book_path: str | Path, echo: Callable[[str], None] = print, *, seed: int = 20261123,
               week: int = 13, print_pdf: bool = True) -> Path | None:
    """Generate week ``week`` of daily sheets, type plausible entries into
    them (seeded), save each day, and print the week's PDF when LibreOffice
    is present.  Skipped (None) while 分组 has no groups."""
    import random
    from datetime import timedelta

    from . import contract as C
    from .book.files import FileBook
    from .book.safety import writing
    from .dates import long_date, monday, week_days
    from .members import read_members
    from .ops.common import load_settings
    from .ops.daybook import daily, print_daily, save
    from .pdf import libreoffice

    book_path = Path(book_path)
    with writing(book_path):  # the whole read-modify-write of the week under xlzu's lock
        book = FileBook.open(book_path)
        members, _ = read_members(book.read_values(C.GROUPS)) if book.has_sheet(C.GROUPS) else (None, [])
        if members is None or not members[C.GROUP_NO].notna().any():
            echo("== 日表：跳过（“分组”中还没有小组，请先运行 xlzu group）。")
            return None
        settings = load_settings(book)
        start = monday(settings.term_start) + timedelta(weeks=week - 1)
        days = week_days(start, settings.school_days)
        echo(f"== 日表：第{week}周（{long_date(days[0])} 至 {long_date(days[-1])}），生成、填写、保存")
        rng = random.Random(seed)
        for d in days:
            report = daily(book, d)
            for form in report.data["forms"]:
                book.write_layout(form.sheet, form.filled(typed_entries(form, rng)), form=form.form)
            report = save(book)
            book.save()
            for line in report.lines[1:2]:
                echo("  " + line)
    if not print_pdf:
        return None
    if libreoffice() is None:
        echo("  没有安装 LibreOffice，跳过打印 PDF。")
        return None
    pdf = book_path.with_name(f"{book_path.stem}-日表-第{week}周.pdf")
    report = print_daily(book_path, days[0], pdf, all_weekdays=True)
    for line in report.lines:
        echo("  " + line)
    return pdf


def summaries_step(book: Path, echo: Callable[[str], None] = print) -> bool:
    """The week's ranking, the month's stars, the comprehensive evaluation and
    the term's certificates, from the records the earlier steps saved.
    Returns False (and says so) when there are no records yet."""
    from . import contract as C
    from .book.files import FileBook
    from .book.safety import writing
    from .ops.summary import month, review, term, week, week_table_text

    with writing(book):  # 考试成绩 filled: read, change, save under xlzu's lock
        opened = FileBook.open(book)
        if not any(len(opened.read_values(s)) > 1 for s in (C.GROUP_RECORDS, C.PERSON_RECORDS) if opened.has_sheet(s)):
            echo("== 周汇总、月度评比、期末评比：还没有记录（分组和日表步骤保存记录后才会运行）。")
            return False
        if _fill_demo_exams(opened):
            opened.save()
    echo("== 一键周汇总（xlzu week）")
    report = week(book, poster=book.parent)
    echo(week_table_text(report))
    for line in report.lines:
        echo(line)
    for title, fn in (("月度评比（xlzu month）", lambda b: month(b, poster=b.parent)), ("小组综合评价（xlzu review）", review),
                      ("期末评比（xlzu term）", term)):
        echo(f"== {title}")
        for line in fn(book).lines:
            echo(line)
    return True


def _fill_demo_exams(book) -> bool:
    """Give the demo class two exams when 考试成绩 has no scores yet, so
    明星组长 can be judged: 期中 is 花名册's 总分; 期末 moves around it, and
    members of groups that scored well in the records gain a little more
    (the premise of the whole system, and it makes the demo's awards show)."""
    import random

    import pandas as pd

    from . import contract as C
    from .layout import table_layout
    from .members import read_members
    from .records import read_records
    from .roster import read_roster
    from .settings import parse_number

    values = book.read_values(C.EXAMS) if book.has_sheet(C.EXAMS) else []
    if any(parse_number(v) is not None for row in values[1:] for v in row[2:]):
        return False
    roster, _ = read_roster(book.read_values(C.ROSTER), ())
    members, _ = read_members(book.read_values(C.GROUPS))
    group_of = dict(zip(members[C.GROUP_ID], members[C.GROUP_NO]))
    records, _ = read_records(book.read_values(C.GROUP_RECORDS), "group")
    points = records.groupby(C.REC_GROUP)[C.REC_POINTS].sum()
    spread = float(points.std()) if len(points) > 1 and points.std() > 0 else 1.0
    bonus = {int(g): 25 * (p - points.mean()) / spread for g, p in points.items()}
    rng = random.Random(2026)
    mid = [round(t) if pd.notna(t) else None for t in roster[C.ROSTER_TOTAL]]
    final = []
    for sid, m in zip(roster[C.ROSTER_ID], mid):
        if m is None:
            final.append(None)
            continue
        g = group_of.get(sid)
        lift = bonus.get(int(g), 0.0) if g is not None and pd.notna(g) else 0.0
        final.append(max(0, min(C.TOTAL_MAX, round(m + rng.gauss(0, 25) + lift))))
    exams = pd.DataFrame({C.ROSTER_ID: roster[C.ROSTER_ID], C.ROSTER_NAME: roster[C.ROSTER_NAME], "期中": mid, "期末": final})
    book.write_layout(C.EXAMS, table_layout(exams, column_styles={C.ROSTER_ID: "id"}))
    return True


# --------------------------------------------------------------------------
# A small grade: the demo class and two sister classes, compared by the school
# --------------------------------------------------------------------------
def grade_step(directory: Path, demo_book: Path, echo: Callable[[str], None] = print, *, week: int = 13) -> Path | None:
    """Two more classes of the grade (made-up rosters, started with the demo
    class's 设置 through ``settings_from``, grouped, a week of entries typed
    in: one class only three days), then the school month (``xlzu school``)
    over the three classes.  Returns the grade workbook (None without records)."""
    from datetime import timedelta

    from . import contract as C
    from .book.files import FileBook
    from .dates import monday, week_days
    from .grouping import synthetic_class
    from .ops.classbook import new_class
    from .ops.common import load_settings
    from .ops.groups import group
    from .ops.schoolbook import school

    opened = FileBook.open(demo_book)
    if not any(len(opened.read_values(s)) > 1 for s in (C.GROUP_RECORDS, C.PERSON_RECORDS) if opened.has_sheet(s)):
        echo("== 年级评比：跳过（示例班级还没有记录）。")
        return None
    settings = load_settings(opened)
    days = week_days(monday(settings.term_start) + timedelta(weeks=week - 1), settings.school_days)
    echo(f"== 年级：再建两个班（xlzu new … --settings-from {demo_book.name}，计分规则相同），分组，录入第{week}周的日表")
    paths = [demo_book]
    for file, name, n, seed, n_days in DEMO_SISTERS:
        path = directory / file
        roster = directory / f"{path.stem}名单.csv"
        synthetic_class(n, seed=seed, subjects=settings.subject_names).to_csv(roster, index=False, encoding="utf-8-sig")
        new_class(path, roster, class_name=name, force=True, settings_from=demo_book)
        group(path, seed=seed)
        typed = demo_records(path, days[:n_days], seed=seed)
        echo(f"  {name}：{n} 人，录入 {n_days} 天，{typed} 条记录（{path.name}）")
        paths.append(path)
    target = directory / DEMO_GRADE_WORKBOOK
    if target.exists():
        target.unlink()
    echo(f"== 校级评比（xlzu school {target.name} {' '.join(p.name for p in paths)}）")
    report = school(target, paths, month=f"{days[0]:%Y-%m}")
    for line in report.lines:
        echo(line)
    return target


def demo_records(book_path: Path, days, *, seed: int = 0) -> int:
    """Type plausible entries into ``days``' daily forms and save them, in
    memory: the forms the library makes (``day_forms``), filled like the
    demo week (``typed_entries``), read back and upserted the way ``xlzu
    save`` does (``parse_forms`` → ``apply_forms``); both record tables
    written once.  Returns the number of records saved."""
    import random

    from . import contract as C
    from .book.files import FileBook
    from .book.safety import writing
    from .dailysheets import day_forms, teams_on
    from .errors import EntryError
    from .members import read_culture, read_members
    from .ops.common import load_settings
    from .records import empty, records_layout
    from .scoring import apply_forms, parse_forms

    with writing(book_path):  # the whole read-modify-write under xlzu's lock
        book = FileBook.open(book_path)
        settings = load_settings(book)
        values = book.read_values(C.GROUPS)
        members, _ = read_members(values)
        teams = teams_on(empty("person"), members, read_culture(values))
        rng = random.Random(seed)
        typed = []
        for day in days:
            sheets = {f.sheet: f.filled(typed_entries(f, rng)).grid() for f in day_forms(settings, day, teams)}
            parsed, problems = parse_forms(sheets, settings)
            if problems:
                raise EntryError("示例日表填写有误：", problems)
            typed += parsed
        person, groups, _ = apply_forms(empty("person"), empty("group"), typed)
        book.write_layout(C.PERSON_RECORDS, records_layout(person, "person"))
        book.write_layout(C.GROUP_RECORDS, records_layout(groups, "group"))
        book.save()
    return len(person) + len(groups)
