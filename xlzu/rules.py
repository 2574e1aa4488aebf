"""规则说明: how points become ranks and titles, in Chinese, written from a
class's own 设置 — for the teacher to print, show parents, and pin up.

:func:`explain` gives the text as sections of lines (every figure from the
settings: point ranges, grade and place points, the 小组捆绑 weight, the
titles, the 明星组长 thresholds, the raters' weights); :func:`rules_layout`
lays it out as the 规则说明 sheet (A4 portrait, large type, rows as tall as
their wrapped lines); :func:`rules_markdown` is the same text for the
README.  The text states the rules the summaries apply (:mod:`xlzu.weekly`,
:mod:`xlzu.monthly`, :mod:`xlzu.evaluation`, :mod:`xlzu.awards`): a change
of rule there is a change of text here.
"""

from __future__ import annotations

from collections import defaultdict

from . import contract as C
from . import paper
from .layout import Layout, PrintSetup, range_ref
from .scoring import mapping_text, range_text
from .settings import Settings, format_weekdays


def _pct(w: float) -> str:
    return f"{w * 100:g}%"


def _num(x: float) -> str:
    return f"{x:g}"


def _weights(pairs: tuple[tuple[str, float], ...]) -> str:
    return "、".join(f"{name} {_pct(w)}" for name, w in pairs)


def explain(s: Settings) -> list[tuple[str, list[str]]]:
    """The rules of the class with settings ``s``: (section title, lines)."""
    sections: list[tuple[str, list[str]]] = []

    # 一、每天记分 ------------------------------------------------------------
    days = f"上课日：星期{format_weekdays(s.school_days).replace(',', '、')}。"
    if s.paper_forms == C.PAPER_WEEKLY:
        lines = [days + "各组大组长每周一张“小组成员考核周表”（每人一行，每个考核项目按星期分栏），每天填当天的一栏；"
                 "值日班长每天填“班级考核表”（每组一行）；填好后录入并“保存日表”，周表每一栏存为当天的记录。"]
    else:
        lines = [days + "每天两张表：各组大组长填“小组成员考核表”（每人一行），"
                 "值日班长填“班级考核表”（每组一行）；填好后录入并“保存日表”。"]
    by_cat: dict[str, list[str]] = defaultdict(list)
    for item in s.items:
        note = f"（{item.note}）" if item.note else ""
        by_cat[item.category].append(f"{item.name} {range_text(item.minimum, item.maximum)} 分{note}")
    lines.append("小组成员考核（个人得分）：" + "；".join(f"{cat}——{'，'.join(parts)}" for cat, parts in by_cat.items())
                 + "。空白不计分，可填负数的项目可以扣分。")
    for rule in s.rules:
        if rule.per == "subject":
            subjects = "、".join(
                subj.name + ("" if subj.preview_days == s.school_days else f"（星期{format_weekdays(subj.preview_days).replace(',', '、')}）")
                for subj in s.subjects if subj.preview_days)
            what = f"每科（{subjects}）"
        elif rule.per == "period":
            what = f"每节课（每天 {s.periods} 节）"
        else:
            what = "每天"
        if rule.kind == "grade":
            value = f"按等级记分：{mapping_text(rule.mapping)}"
        elif rule.kind == "place":
            value = f"按名次记分：{mapping_text(rule.mapping)}，每个名次只给一个组，没有名次不得分"
        else:
            value = f"加减 {range_text(rule.minimum, rule.maximum)} 分"
        note = f"（{rule.note}）" if rule.note else ""
        category = "" if rule.category == rule.name else f"（{rule.category}）"
        lines.append(f"班级考核·{rule.name}{category}：{what}{value}{note}。")
    lines.append("个人得分只来自小组成员考核表，小组得分只来自班级考核表，两者分开计算、互不混入。")
    sections.append(("一、每天怎样记分", lines))

    # 二、每周 ----------------------------------------------------------------
    b = s.bundle_weight
    lines = [
        "小组周得分 = 本周班级考核表上该组各项得分之和。按周得分从高到低排名；同分名次相同，"
        "下一名次顺延（如 1、2、2、4）。",
        f"{s.star_group_label}：本周得分最高的小组（并列都评）；{s.devil_group_label}：本周得分最低的小组（并列都评）；"
        "各组得分全部相同时两个称号都不评。本周没有记录的小组按 0 分计。",
        f"个人周综合分 = 个人得分 + {_num(b)} × 所在小组周得分（小组捆绑：小组得分的 {_pct(b)} 加到组内每个人身上，"
        "所以同组同学加的一样多）。组内名次和班级名次按个人得分排。",
        "学生本周算在哪个组：看本周最后一条记录所在的组，没有记录则看“分组”表。",
    ]
    sections.append(("二、每周排名（一键周汇总）", lines))

    # 三、每月 ----------------------------------------------------------------
    stars: dict[str, list[str]] = defaultdict(list)
    for item in s.items:
        for star in item.stars:
            stars[star].append(item.name)
    lines = [f"{star}：本月“{'、'.join(names)}”得分之和最高的学生（并列都评；0 分及以下不评）。"
             for star, names in stars.items() if star != C.STAR_PROGRESS]
    lines += [
        f"{C.STAR_PROGRESS}：本月个人总分比上月提高最多的学生（须上月有记录，且提高大于 0）。",
        f"{C.SCHOOL_STAR_GROUP}：推荐本月小组得分最高的小组（并列都推荐）。",
        f"月度多元评价：每位学生由 {_weights(s.rater_weights)} 打分（0–100），加权得分为已打分各方的加权平均。",
    ]
    sections.append(("三、每月评比（月度评比）", lines))

    # 四、综合评价 ------------------------------------------------------------
    lines = [
        "每组评四个方面：学习情况（自主学习 + 课堂参与得分）、常规要求（卫生纪律得分）、"
        "行为习惯（文明礼仪 + 好人好事得分）、学习进步（学习情况得分比上一期的提高）。",
        f"评价人及权重：{_weights(s.group_rater_weights)}。建议分按记录换算到 "
        f"{C.SUGGEST_LOW}–{C.SUGGEST_HIGH} 分，评价人可以改；每个方面取已评各方的加权平均，"
        "综合得分为四个方面的平均，按综合得分排名。",
    ]
    sections.append(("四、小组综合评价", lines))

    # 五、期末 ----------------------------------------------------------------
    lines = [
        f"{C.AWARD_STAR_LEADER}：大组长后一次考试总分班级名次在前 {s.star_leader_rank} 名以内，"
        f"并且本组的善学生（B 层）和勤学生（C 层）各有一人进步名次在全班前 {s.star_leader_progress} 名以内"
        "（进步 = 前一次名次 − 后一次名次，只算进步）。",
        f"{C.AWARD_ADVANCED_GROUP}：全学期小组得分前 {C.ADVANCED_GROUPS} 名的小组（并列都评）。",
        f"{C.AWARD_OUTSTANDING_MEMBER}：每组全学期个人得分最高的组员（并列都评）。",
        "考试名次只在有成绩的学生中排，同分名次相同。",
    ]
    sections.append(("五、期中期末评比", lines))

    # 六、分组 ----------------------------------------------------------------
    lines = [
        f"每组约 {s.group_size} 人。按分层综合分（考试总分占 {_pct(s.weight_total)}、学习品质占 {_pct(s.weight_quality)}）"
        "把全班分成 A（学优生）、B（善学生）、C（勤学生）、D（学困生）四层，每组各层人数相当，男女搭配，"
        "各组平均分尽量接近。锁定的学生不会被调动。",
    ]
    sections.append(("六、怎样分组", lines))
    return sections


# --------------------------------------------------------------------------
# The sheet
# --------------------------------------------------------------------------
BODY = 12  # points: readable when shown on a projector or pinned up
HEAD = 14
TITLE = 18
_COLUMNS = 8
_WIDTH_PT = paper.printable("portrait", (0.6, 0.5, 0.6, 0.5))[0] * 0.97


def rules_layout(s: Settings) -> Layout:
    """规则说明 as a printable sheet: title, then each section's numbered
    lines, one merged row each, as tall as its wrapped lines."""
    layout = Layout()
    col_units = paper.units(_WIDTH_PT / _COLUMNS)
    layout.widths = {c: col_units for c in range(1, _COLUMNS + 1)}
    width_pt = col_units * paper.PT_PER_UNIT * _COLUMNS

    def row(text: str, key: str, size: float, height: float) -> None:
        layout.rows.append([text] + [None] * (_COLUMNS - 1))
        r = len(layout.rows)
        layout.merges.append(range_ref(r, 1, r, _COLUMNS))
        layout.style(range_ref(r, 1, r, _COLUMNS), key)
        layout.style(range_ref(r, 1, r, _COLUMNS), f"size{size:g}")
        layout.heights[r] = height

    row(f"{s.class_name}　{C.RULES_TITLE}", "title", TITLE, paper.row_pt(1, TITLE) + 6)
    row(C.RULES_HINT, "subtitle", BODY, paper.row_pt(1, BODY))
    for title, lines in explain(s):
        row(title, "section", HEAD, paper.row_pt(1, HEAD) + 8)
        for k, line in enumerate(lines, start=1):
            text = f"{k}. {line}"
            n = paper.lines_needed(text, BODY, width_pt)
            row(text, "rule", BODY, paper.row_pt(n, BODY) + 2)
    layout.print = PrintSetup(orientation="portrait", fit_width=1, fit_height=0,
                              footer=f"{s.class_name} {C.RULES_TITLE}　第 &P 页，共 &N 页")
    return layout


def rules_markdown(s: Settings) -> str:
    """The same text for the README (no class name)."""
    out = []
    for title, lines in explain(s):
        out.append(f"**{title}**\n")
        out += [f"{k}. {line}" for k, line in enumerate(lines, start=1)]
        out.append("")
    return "\n".join(out).strip() + "\n"
