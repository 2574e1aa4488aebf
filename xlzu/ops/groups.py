"""自动分组: balanced groups, codes, roles and the seat chart.

Reads 设置, 花名册 and 分组 (through :mod:`xlzu.members`), computes the new
分组 with :func:`xlzu.grouping.plan_groups`, and only then writes 分组 and
座位表.
"""

from __future__ import annotations

import math
import os
from dataclasses import replace

import pandas as pd

from .. import contract as C
from .. import paper
from ..book.base import Book
from ..errors import InputError
from ..grouping import GroupPlan, plan_groups, team_labels
from ..layout import Layout, PrintSetup, Validation, cell_ref, range_ref, table_layout
from .. import schema
from ..cells import id_key
from ..members import read_culture_table, read_members_table
from ..roster import read_roster
from ..settings import Settings
from .common import Report, load_settings, run

TITLE = "自动分组"
HINT = (
    "微调：改“组号”即可把学生调到别的组，在“锁定”填“是”固定他；“指定层次”填 A–D 可指定层次。"
    "改完运行“自动分组”（xlzu group）重排代号、职务和座位，谁也不会被移动；"
    "加 --regroup 则重新搭配所有未锁定的学生。组名、组规、组训、小组目标、导师填在右边的小组表中。"
)
TARGET_SD = 0.02  # D_sd a class without outliers reaches (class SDs)
STATS_TITLE = "各组均衡情况（每次分组自动更新，不必填写）"
CULTURE_WIDTHS = {C.GROUP_NO: 6, C.GROUP_TEAM_NAME: 12, C.CULTURE_MOTTO_RULES: 30, C.CULTURE_MOTTO: 20,
                  C.CULTURE_GOAL: 24, C.CULTURE_MENTOR: 10}


# --------------------------------------------------------------------------
# 分组
# --------------------------------------------------------------------------
def groups_layout(plan: GroupPlan, culture_read: schema.TableRead | None = None, class_name: str = "") -> Layout:
    """分组: the student table from A1, the group culture table from column
    contract.CULTURE_FIRST_COLUMN, and below it each group's balance figures.
    ``culture_read`` (the group table as it stood): the teacher's columns
    and notes beside it are written back (see :func:`keep_group_table`).
    The printed page is titled in its header (the table starts at A1)."""
    culture_read = _orphans_as_notes(plan, culture_read)
    k = plan.k
    table = plan.table.reset_index(drop=True)
    validations = [
        (C.GROUP_NO, Validation("", "whole", minimum=1, maximum=k, prompt_title=C.GROUP_NO,
                                prompt=f"1–{k}：改组号即把学生调到那一组", error=f"组号应为 1–{k} 的整数")),
        (C.GROUP_LAYER_OVERRIDE, Validation("", "list", values=C.LAYERS, prompt_title=C.GROUP_LAYER_OVERRIDE,
                                            prompt="A/B/C/D：指定后每次分组都保持；空白 = 自动分层",
                                            error="指定层次只能填 A、B、C、D")),
        (C.GROUP_LOCKED, Validation("", "list", values=(C.LOCKED_MARK,), prompt_title=C.GROUP_LOCKED,
                                    prompt="填“是”：重新分组时这位学生不动", error=f"锁定请填“{C.LOCKED_MARK}”或留空")),
    ]
    styles = {C.GROUP_ID: "id", C.GROUP_NO: "entry", C.GROUP_LAYER_OVERRIDE: "entry", C.GROUP_LOCKED: "entry",
              C.GROUP_ROLES: "left"}
    widths = {C.GROUP_ROLES: 26, C.GROUP_LAYER_OVERRIDE: 9, C.GROUP_LOCKED: 6, C.GROUP_TEAM_NAME: 10}
    layout = table_layout(table, column_styles=styles, validations=validations, widths=widths)
    n = len(table)

    # Culture table, right of the student table.
    first = C.CULTURE_FIRST_COLUMN
    culture = plan.culture
    width = len(C.CULTURE_COLUMNS)
    stats = plan.summary()
    stats_cols = list(stats.columns)
    notes = len(culture_read.notes) if culture_read is not None and culture_read.found else 0
    stats_top = k + 3 + notes  # title row of the figures (1-based), below the teacher's notes
    needed = max(n + 1, stats_top + 1 + k)
    while len(layout.rows) < needed:
        layout.rows.append([])
    for r in range(needed):
        row = layout.rows[r]
        row.extend([None] * (first - 1 + max(width, len(stats_cols)) - len(row)))
    for j, c in enumerate(C.CULTURE_COLUMNS):
        layout.rows[0][first - 1 + j] = c
    for i, rec in enumerate(culture.itertuples(index=False, name=None), start=1):
        for j, v in enumerate(rec):
            layout.rows[i][first - 1 + j] = v
    layout.style(range_ref(1, first, 1, first + width - 1), "header")
    if k:
        layout.style(range_ref(2, first, k + 1, first), "integer")
        layout.style(range_ref(2, first + 1, k + 1, first + 1), "entry")
        layout.style(range_ref(2, first + 2, k + 1, first + 4), "left")
        layout.style(range_ref(2, first + 5, k + 1, first + 5), "entry")
    for j, c in enumerate(C.CULTURE_COLUMNS):
        layout.widths[first + j] = CULTURE_WIDTHS[c]
    # Balance figures below the culture table.
    layout.rows[stats_top - 1][first - 1] = STATS_TITLE
    layout.style(cell_ref(stats_top, first), "section")
    for j, c in enumerate(stats_cols):
        layout.rows[stats_top][first - 1 + j] = c
    for i, rec in enumerate(stats.itertuples(index=False, name=None), start=stats_top + 1):
        for j, v in enumerate(rec):
            layout.rows[i][first - 1 + j] = v
    last_col = first + len(stats_cols) - 1
    layout.style(range_ref(stats_top + 1, first, stats_top + 1, last_col), "header")
    if k:
        layout.style(range_ref(stats_top + 2, first, stats_top + 1 + k, last_col), "text")
        mean_col = first + stats_cols.index("平均总分")
        layout.style(range_ref(stats_top + 2, mean_col, stats_top + 1 + k, mean_col + 1), "decimal")
    for j in range(width, len(stats_cols)):
        layout.widths.setdefault(first + j, 9)
    # How to adjust, below the student table.
    hint_row = n + 3
    while len(layout.rows) < hint_row:
        layout.rows.append([])
    layout.rows[hint_row - 1] = [HINT] + layout.rows[hint_row - 1][1:]
    layout.style(cell_ref(hint_row, 1), "hint")
    layout.print = PrintSetup(orientation="portrait", fit_width=1, fit_height=0, title_rows="1:1",
                              area=range_ref(1, 1, n + 1, len(C.GROUP_COLUMNS)),
                              header=f"{class_name}　{C.GROUPS}".strip("　"), footer="第 &P 页，共 &N 页")
    return keep_group_table(layout, plan, culture_read)


def _orphans_as_notes(plan: GroupPlan, read: schema.TableRead | None) -> schema.TableRead | None:
    """The group table as read, with the teacher's cells beside a group that
    no longer exists (fewer groups now) turned into notes: kept, not lost."""
    if read is None or not read.found or not read.extras:
        return read
    group_of = dict(zip(read.frame["_row"], read.frame[C.GROUP_NO]))
    gone = [r for r in read.extras if not (1 <= (group_of.get(r) or 0) <= plan.k)]
    if not gone:
        return read
    return replace(read, extras={r: e for r, e in read.extras.items() if r not in gone},
                   notes=read.notes + [read.extras[r] for r in sorted(gone)])


def keep_group_table(layout: Layout, plan: GroupPlan, read: schema.TableRead | None) -> Layout:
    """``layout`` with the teacher's columns beside 分组's group table (at
    their place relative to it, each cell with its 组号) and notes below it
    (above the balance figures, where the next read finds them).  Rows above
    the table belong to the whole sheet (the student table's write-back)."""
    if read is None or not read.found:
        return layout
    by_group = {int(g): read.extras.get(int(r)) for g, r in zip(read.frame[C.GROUP_NO], read.frame["_row"])
                if not pd.isna(g)}
    first = C.CULTURE_FIRST_COLUMN
    start = min(read.col.values())  # 0-based sheet column of the table as it stood
    return schema.keep(layout, replace(read, above=[]), [by_group.get(g) for g in range(1, plan.k + 1)],
                       first_col=first, shift=first - 1 - start, notes_row=plan.k + 2)


# --------------------------------------------------------------------------
# 座位表
# --------------------------------------------------------------------------
def _plan_columns(k: int) -> int:
    """How many groups sit side by side across the classroom."""
    if k <= 4:
        return max(k, 1)
    if k <= 10:
        return math.ceil(k / 2)
    return math.ceil(k / 3)


def seat_caption(plan: GroupPlan) -> str:
    """The line under the title: what the chart draws, from the seats it
    actually has (three-seat rows only when some group has them)."""
    text = ("面对面坐的两人是学习对子（8 人组从前往后：" + "、".join(f"{a}|{b}" for a, b in C.SEAT_PAIRS)
            + "）；A 层坐中间，B、C 层坐两端")
    if any(len(row) > 2 for rows in plan.seats.values() for row in rows):
        text += "；单数人数的组，多出的一人和同层同学写在同一格，并排坐（三人一排）"
    return text + "。"


def seats_layout(plan: GroupPlan, settings: Settings) -> Layout:
    """座位表: each group as its facing pairs, the groups as a classroom plan
    (讲台 at the top, group 1 front left), on one A4 landscape page."""
    k = plan.k
    table = plan.table
    per_row = _plan_columns(k)
    n_plan_rows = math.ceil(k / per_row) if k else 0
    mentors = any(isinstance(v, str) and v for v in plan.culture[C.CULTURE_MENTOR])
    seat_w, gap_w = 17.0, 3.0
    n_cols = per_row * 3 - 1
    layout = Layout()
    rows = layout.rows

    def blank() -> list:
        return [None] * n_cols

    rows.append([f"{settings.class_name} 座位表"] + [None] * (n_cols - 1))
    layout.merges.append(range_ref(1, 1, 1, n_cols))
    layout.style(range_ref(1, 1, 1, n_cols), "title")
    layout.heights[1] = 30
    caption = seat_caption(plan)
    rows.append([caption] + [None] * (n_cols - 1))
    layout.merges.append(range_ref(2, 1, 2, n_cols))
    # wrapped inside the chart's width: a centred line wider than the page is cut at both edges
    layout.style(range_ref(2, 1, 2, n_cols), "subtitle_wrap")
    chart_pt = (per_row * 2 * seat_w + (per_row - 1) * gap_w) * paper.PT_PER_UNIT
    layout.heights[2] = paper.row_pt(paper.lines_needed(caption, 11, chart_pt), 11)
    # 讲台, centred.
    desk = blank()
    mid = n_cols // 2
    lo, hi = max(mid - 1, 0), min(mid + 1, n_cols - 1)
    desk[lo] = "讲  台"
    rows.append(desk)
    layout.merges.append(range_ref(3, lo + 1, 3, hi + 1))
    layout.style(range_ref(3, lo + 1, 3, hi + 1), "category")
    layout.heights[3] = 24
    rows.append(blank())

    by_group = {g: table[table[C.GROUP_NO] == g] for g in range(1, k + 1)}
    for pr in range(n_plan_rows):
        groups = list(range(pr * per_row + 1, min((pr + 1) * per_row, k) + 1))
        depth = max((len(plan.seats[g]) for g in groups), default=0)
        top = len(rows) + 1
        rows.append(blank())
        if mentors:
            rows.append(blank())
        seat_top = len(rows) + 1
        triple: set[int] = set()
        for _ in range(depth):
            rows.append(blank())
        for pos, (g, label) in enumerate(zip(groups, team_labels(plan.culture, groups))):
            c = pos * 3  # 0-based left seat column
            rows[top - 1][c] = f"第{g}组 · {label}" if label != f"第{g}组" else label
            layout.merges.append(range_ref(top, c + 1, top, c + 2))
            layout.style(range_ref(top, c + 1, top, c + 2), "category")
            if mentors:
                mentor = plan.culture.loc[plan.culture[C.GROUP_NO] == g, C.CULTURE_MENTOR]
                who = mentor.iloc[0] if len(mentor) and isinstance(mentor.iloc[0], str) else None
                rows[top][c] = f"导师：{who}" if who else "导师："
                layout.merges.append(range_ref(top + 1, c + 1, top + 1, c + 2))
                layout.style(range_ref(top + 1, c + 1, top + 1, c + 2), "subtitle")
            members = by_group[g].set_index(C.GROUP_CODE)

            def who(code):
                if code is None or code not in members.index:
                    return None
                m = members.loc[code]
                roles = m[C.GROUP_ROLES] or ""
                return f"{code} {m[C.GROUP_NAME_COL]}" + (f"\n{roles}" if roles else "")

            for r, row in enumerate(plan.seats[g]):
                # A three-seat row (odd group): the third member sits beside the left one.
                left = "\n".join(t for t in (who(row[0]), who(row[2]) if len(row) > 2 else None) if t)
                rows[seat_top - 1 + r][c] = left or None
                rows[seat_top - 1 + r][c + 1] = who(row[1])
                if len(row) > 2:
                    triple.add(r)
            layout.style(range_ref(seat_top, c + 1, seat_top + max(depth, 1) - 1, c + 2), "seat")
        layout.heights[top] = 22
        for r in range(depth):
            layout.heights[seat_top + r] = 80 if r in triple else 44
        rows.append(blank())
    for pos in range(per_row):
        layout.widths[pos * 3 + 1] = seat_w
        layout.widths[pos * 3 + 2] = seat_w
        if pos < per_row - 1:
            layout.widths[pos * 3 + 3] = gap_w
    layout.print = PrintSetup(orientation="landscape", fit_width=1, fit_height=1,
                              margins=(0.4, 0.4, 0.4, 0.4), center_horizontally=True, center_vertically=True,
                              area=range_ref(1, 1, len(rows), n_cols))
    return layout


# --------------------------------------------------------------------------
# The operation
# --------------------------------------------------------------------------
def report_lines(plan: GroupPlan) -> list[str]:
    """What the teacher reads on 控制台 and in the terminal."""
    lines = list(plan.lines)
    f = plan.figures
    summary = plan.summary()
    if f:
        lines += balance_lines(plan)
    moved = [m for m in plan.moves if m.why in ("regroup", "manual")]
    joined = [m for m in plan.moves if m.why in ("new", "placed")]
    gone = [m for m in plan.moves if m.why == "gone"]
    if plan.mode == "regroup":
        lines.append(f"换组的学生（{len(moved)} 人）：" if moved else "没有学生换组。")
        lines += [f"  {m.text()}" for m in moved]
    elif moved:
        lines.append(f"手动调整过的学生（{len(moved)} 人），已按新组号安排：")
        lines += [f"  {m.text()}" for m in moved]
    elif plan.mode in ("update", "keep"):
        lines.append("没有学生换组。")
    lines += [m.text() + "。" for m in joined if plan.mode != "new"]
    lines += [m.text() + "。" for m in gone]
    for rec in summary.itertuples(index=False):
        mean = f"，平均总分 {rec.平均总分:.1f}" if rec.平均总分 is not None and not pd.isna(rec.平均总分) else ""
        leader = rec.大组长 if isinstance(rec.大组长, str) and rec.大组长 else "—"
        lines.append(f"{rec.组名}：{rec.人数} 人（男 {rec.男}，女 {rec.女}），大组长 {leader}{mean}。")
    lines.append(f"已写入“{C.GROUPS}”和“{C.SEATS}”。")
    return lines


def balance_lines(plan: GroupPlan) -> list[str]:
    """The balance figures in a teacher's words: how far apart the groups'
    average 总分 and their 标准差 are (points and class SDs, population SDs
    throughout), the girls per group, and, when one student's score makes
    equal spreads impossible, the least difference any grouping could reach
    and how close this one is."""
    f = plan.figures
    sd = f["class_sd"] or 1.0
    girls = plan.summary()["女"]
    lines = [
        f"均衡情况：各组平均分相差 {f['D_means'] * sd:.1f} 分（{f['D_means']:.3f} 个标准差），"
        f"各组标准差相差 {f['D_sd'] * sd:.1f} 分（{f['D_sd']:.3f} 个标准差），每组女生 {int(girls.min())}–{int(girls.max())} 人。"
        "（标准差按总体标准差计算，单位“个标准差”指全班总分的标准差。）"
    ]
    bound = f.get("bound", 0.0)
    if bound > TARGET_SD and (f.get("bound_student") is not None or f.get("bound_exact")):
        if f.get("bound_student") is not None:
            kind = "突出" if f.get("bound_high") else "落后"
            who = f"本班有成绩特别{kind}的同学（{f['bound_name']}），"
        else:
            who = "本班的成绩分布使"
        if f.get("bound_exact"):  # every allowed split was checked: none does better
            how = "这次分组已是本班可能的最好结果。"
        else:
            how = f"这次分组相差 {f['D_sd']:.3f}，是最好可能结果的 {f['D_sd'] / bound:.2f} 倍。"
        lines.append(f"{who}各组标准差最多只能接近到相差 {bound * sd:.1f} 分（{bound:.3f} 个标准差）；{how}")
    return lines


def _group(book: Book, seed: int, regroup: bool, keep: bool, effort) -> Report:
    settings = load_settings(book)
    book.require(C.ROSTER, hint="请用 xlzu new 创建班级工作簿。")
    roster, roster_problems = read_roster(book.read_values(C.ROSTER), settings.subject_names)
    if book.has_sheet(C.GROUPS):
        values = book.read_values(C.GROUPS)
    else:
        values = []
    members, read = read_members_table(values)
    culture, culture_read = read_culture_table(values)
    problems = read.problems + culture_read.problems
    if problems:
        raise InputError(f"“{C.GROUPS}”中有需要改正的内容（没有做任何改动）：", problems)
    plan = plan_groups(
        roster, members, culture,
        subjects=settings.subject_names, group_size=settings.group_size,
        weight_total=settings.weight_total, weight_quality=settings.weight_quality,
        seed=seed, regroup=regroup, keep=keep, effort=effort,
    )
    groups = groups_layout(plan, culture_read, settings.class_name)
    if read.found:
        # The teacher's own columns beside the student table stay, each cell with its student.
        by_id = {id_key(sid): read.extras.get(int(r)) for sid, r in zip(read.frame[C.GROUP_ID], read.frame["_row"])}
        groups = schema.keep(groups, read, [by_id.get(id_key(sid)) for sid in plan.table[C.GROUP_ID]])
    seats = seats_layout(plan, settings)
    # Every check has passed: write.
    book.write_layout(C.GROUPS, groups)
    book.write_layout(C.SEATS, seats)
    lines = report_lines(plan)
    if roster_problems:
        lines.append(f"“{C.ROSTER}”中有 {len(roster_problems)} 处需要核对（已标红，按空白处理）：")
        lines += [f"  - {p}" for p in roster_problems]
    return Report(TITLE, lines, problems=list(roster_problems), data={"plan": plan, "summary": plan.summary()})


def group(target: Book | str | os.PathLike, *, seed: int = 0, regroup: bool = False, keep: bool = False,
          effort: str = "full") -> Report:
    """自动分组 on a class workbook (path or live :class:`Book`).

    First run: layers and a balanced split.  Later runs keep every group as
    it stands (new students join, students gone from 花名册 leave, a teacher's
    manual move is locked and reported) and recompute codes, roles and
    seats; ``regroup=True`` re-optimises everyone not locked; ``keep=True``
    leaves layers as 分组 shows them too.  ``seed`` makes the split
    reproducible.
    """
    return run(TITLE, target, _group, seed, regroup, keep, effort)
