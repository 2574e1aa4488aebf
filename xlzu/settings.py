"""设置: the class's settings, written as editable sections and read back.

A teacher edits 设置 in Excel; every operation reads it first, so the edits
take effect.  An invalid value stops the operation with a message that names
the cell and says what is expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from . import cells, schema
from . import contract as C
from . import paper
from .errors import CellProblem, SettingsError
from .layout import PrintSetup, Layout, Validation, cell_ref, clean_text, col_letter, excel_value, range_ref


@dataclass(frozen=True)
class Subject:
    name: str
    preview_days: tuple[int, ...]  # weekdays (0 = Monday) with a preview to grade
    note: str = field(default="", compare=False)


@dataclass(frozen=True)
class Settings:
    class_name: str = "初二(3)班"
    school: str = ""
    head_teacher: str = ""
    term_start: date = date(2026, 9, 1)
    school_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    periods: int = 7
    group_size: int = 8
    weight_total: float = 0.7
    weight_quality: float = 0.3
    bundle_weight: float = 0.5
    star_group_label: str = "明星小组"
    devil_group_label: str = "魔鬼小组"
    star_leader_rank: int = 20
    star_leader_progress: int = 10
    paper_forms: str = C.PAPER_DAILY
    subjects: tuple[Subject, ...] = tuple(Subject(s, (0, 1, 2, 3, 4)) for s in C.DEFAULT_SUBJECTS)
    items: tuple[C.Item, ...] = C.DEFAULT_ITEMS
    rules: tuple[C.Rule, ...] = C.DEFAULT_RULES
    rater_weights: tuple[tuple[str, float], ...] = C.DEFAULT_RATER_WEIGHTS
    group_rater_weights: tuple[tuple[str, float], ...] = C.DEFAULT_GROUP_RATER_WEIGHTS
    # Where each setting sits on 设置 (key → cell), filled when read back.
    cells: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    # ---- derived ------------------------------------------------------------
    @property
    def subject_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.subjects)

    def preview_subjects(self, day: date) -> tuple[str, ...]:
        """Subjects with a preview to grade on ``day``."""
        return tuple(s.name for s in self.subjects if day.weekday() in s.preview_days)

    def rule(self, key: str) -> C.Rule | None:
        for r in self.rules:
            if r.key == key:
                return r
        return None

    def item(self, name: str) -> C.Item | None:
        for i in self.items:
            if i.name == name:
                return i
        return None

    def is_school_day(self, day: date) -> bool:
        return day.weekday() in self.school_days

    def with_changes(self, **changes: Any) -> "Settings":
        return replace(self, **changes)


DEFAULT = Settings()


# --------------------------------------------------------------------------
# Parsing helpers (also used by the roster import)
# --------------------------------------------------------------------------
normalize_text = cells.normalize


_WEEKDAY_WORDS = {
    "一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6,
    "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6,
}


def parse_weekdays(value: Any, *, allow_all: bool = False, school_days: tuple[int, ...] = (0, 1, 2, 3, 4)) -> tuple[int, ...] | None:
    """“一,二,三,四,五” (also 周一、星期一, 1-5, 每天) → (0, 1, 2, 3, 4).
    None when it cannot be read; () for blank."""
    text = normalize_text(value)
    if text == "":
        return ()
    if allow_all and text in ("每天", "全部", "每日", "all"):
        return tuple(school_days)
    text = text.replace("星期", "").replace("周", "").replace("礼拜", "")
    m = re.fullmatch(r"([一二三四五六日1-7])\s*[-~至到]\s*([一二三四五六日1-7])", text)
    if m:
        a, b = _WEEKDAY_WORDS[m.group(1)], _WEEKDAY_WORDS[m.group(2)]
        return tuple(range(a, b + 1)) if a <= b else None
    parts = [p for p in re.split(r"[,，、;；\s/]+", text) if p]
    if len(parts) == 1 and len(parts[0]) > 1 and all(ch in _WEEKDAY_WORDS for ch in parts[0]):
        parts = list(parts[0])
    days = []
    for p in parts:
        if p not in _WEEKDAY_WORDS:
            return None
        days.append(_WEEKDAY_WORDS[p])
    return tuple(sorted(set(days)))


def format_weekdays(days: tuple[int, ...]) -> str:
    return ",".join(C.WEEKDAYS[d] for d in days)


parse_date = cells.to_date
parse_number = cells.number  # finite numbers only: nan and inf are not numbers


def _is_int(x: float) -> bool:
    return float(x).is_integer()


def _fmt(x: float) -> str:
    return str(int(x)) if _is_int(x) else f"{x:g}"


# --------------------------------------------------------------------------
# Reading 设置
# --------------------------------------------------------------------------
_SECTION_TITLES = (
    C.SECTION_BASIC,
    C.SECTION_SUBJECTS,
    C.SECTION_ITEMS,
    C.SECTION_RULES,
    C.SECTION_RATERS,
    C.SECTION_GROUP_RATERS,
)


_SECTION_TABLES = {
    C.SECTION_BASIC: schema.SETTINGS_BASIC,
    C.SECTION_SUBJECTS: schema.SETTINGS_SUBJECTS,
    C.SECTION_ITEMS: schema.SETTINGS_ITEMS,
    C.SECTION_RULES: schema.SETTINGS_RULES,
    C.SECTION_RATERS: schema.SETTINGS_RATERS,
    C.SECTION_GROUP_RATERS: schema.SETTINGS_RATERS,
}


def _title_row(values: list[list[Any]], title: str, start: int = 0) -> int | None:
    for i in range(start, len(values)):
        if any(clean_text(v) == title for v in values[i]):
            return i
    return None


def _section_rows(values: list[list[Any]], title: str) -> tuple[int, list[tuple[int, list[Any]]], list[int]] | None:
    """(header row index, [(row index, cells in the declared column order)],
    sheet column (1-based) of each declared column) of a section, or None.

    The section is its 【title】 line, then its declared header
    (:mod:`xlzu.schema`, found wherever columns were inserted), then rows
    up to the next section's title; a cleared row is skipped, not an end."""
    start = _title_row(values, title)
    if start is None:
        return None
    table = _SECTION_TABLES[title]
    hit = schema.find_header(values, table, start=start + 1, stop=start + 4)
    if hit is None:
        header, col = start + 1, {}
    else:
        header, col = hit
    first = min(col.values()) if col else next((j for j, v in enumerate(values[start]) if clean_text(v) == title), 0)
    cols = [col.get(n, first + k) for k, n in enumerate(table.names)]
    rows = []
    for i in range(header + 1, len(values)):
        row = list(values[i]) + [None] * 20
        if any(clean_text(v) in _SECTION_TITLES for v in values[i]):
            break
        if all(clean_text(v) == "" for v in values[i]):
            continue  # a cleared row is not the end of the section
        rows.append((i, [row[j] for j in cols] + [None] * 12))
    return header, rows, [j + 1 for j in cols]


def read_settings(values: list[list[Any]]) -> Settings:
    """Settings from the cell values of 设置 (as ``Book.read_values`` gives).

    Raises :class:`SettingsError` listing every invalid cell.
    """
    problems: list[CellProblem] = []
    sheet = C.SETTINGS
    changes: dict[str, Any] = {}
    cells: dict[str, str] = {}

    at: list[int] = list(range(1, 13))  # sheet column of each declared column of the current section

    def bad(row: int, col: int, value: Any, expected: str) -> None:
        """``col``: 1-based position among the section's declared columns."""
        problems.append(CellProblem(sheet, cell_ref(row + 1, at[col - 1]), excel_value(value), expected))

    def missing(title: str) -> None:
        problems.append(CellProblem(sheet, "", None, f"缺少“{title}”一节（可从新建的班级工作簿中复制）"))

    # ---- basic scalars -------------------------------------------------------
    basic = _section_rows(values, C.SECTION_BASIC)
    if basic is None:
        missing(C.SECTION_BASIC)
    else:
        at[:3] = basic[2]
        by_label = {clean_text(row[0]): (i, row[1]) for i, row in basic[1]}
        for s in C.DEFAULT_SCALARS:
            if s.label not in by_label:
                continue  # a missing line keeps its default
            i, raw = by_label[s.label]
            cells[s.key] = cell_ref(i + 1, at[1])
            parsed, expected = _parse_scalar(s, raw)
            if expected:
                bad(i, 2, raw, expected)
            else:
                changes[s.key] = parsed
    school_days = changes.get("school_days", DEFAULT.school_days)

    # ---- subjects ------------------------------------------------------------
    subjects = _section_rows(values, C.SECTION_SUBJECTS)
    if subjects is None:
        missing(C.SECTION_SUBJECTS)
    else:
        at[:3] = subjects[2]
        found: list[Subject] = []
        seen: set[str] = set()
        for i, row in subjects[1]:
            name = normalize_text(row[0])
            if not name:
                bad(i, 1, row[0], "应填写学科名称")
                continue
            if name in seen:
                bad(i, 1, row[0], "学科重复")
                continue
            seen.add(name)
            days = parse_weekdays(row[1], allow_all=True, school_days=school_days)
            if days is None:
                bad(i, 2, row[1], "应为预习的星期，如 一,三,五 或 每天；空白表示不检查预习")
                continue
            found.append(Subject(name, days, clean_text(row[2])))
        if not found:
            problems.append(CellProblem(sheet, cell_ref(subjects[0] + 2, at[0]), None, "至少要有一个学科"))
        changes["subjects"] = tuple(found)

    # ---- individual items ----------------------------------------------------
    items = _section_rows(values, C.SECTION_ITEMS)
    if items is None:
        missing(C.SECTION_ITEMS)
    else:
        at[:6] = items[2]
        found_items: list[C.Item] = []
        seen = set()
        for i, row in items[1]:
            category, name = normalize_text(row[0]), normalize_text(row[1])
            ok = True
            if category not in C.CATEGORIES:
                bad(i, 1, row[0], "类别应为 " + "、".join(C.CATEGORIES) + " 之一")
                ok = False
            if not name or name in seen:
                bad(i, 2, row[1], "项目名称不能为空或重复")
                ok = False
            lo, hi = parse_number(row[2]), parse_number(row[3])
            if lo is None:
                bad(i, 3, row[2], "最低分应为数字")
                ok = False
            if hi is None:
                bad(i, 4, row[3], "最高分应为数字")
                ok = False
            if lo is not None and hi is not None and lo >= hi:
                bad(i, 4, row[3], f"最高分应大于最低分 {_fmt(lo)}")
                ok = False
            stars = tuple(s for s in re.split(r"[,，、\s]+", normalize_text(row[4])) if s)
            wrong = [s for s in stars if s not in C.STARS]
            if wrong:
                bad(i, 5, row[4], "对应之星应为 " + "、".join(C.STARS) + " 中的一个或几个（用逗号分隔）")
                ok = False
            seen.add(name)
            if ok:
                found_items.append(C.Item(category, name, lo, hi, stars, clean_text(row[5])))
        if not items[1]:
            problems.append(CellProblem(sheet, cell_ref(items[0] + 2, at[0]), None, "至少要有一个考核项目"))
        changes["items"] = tuple(found_items)

    # ---- class-sheet rules ---------------------------------------------------
    rules = _section_rows(values, C.SECTION_RULES)
    if rules is None:
        missing(C.SECTION_RULES)
    else:
        kinds = {v: k for k, v in C.RULE_KINDS.items()}
        pers = {v: k for k, v in C.RULE_PER.items()}
        at[:9] = rules[2]
        found_rules: list[C.Rule] = []
        seen = set()
        for i, row in rules[1]:
            code = normalize_text(row[0])
            key = _RULE_KEYS.get(code, code)
            category, name = normalize_text(row[1]), normalize_text(row[2])
            kind, per = kinds.get(normalize_text(row[3])), pers.get(normalize_text(row[4]))
            lo, hi = parse_number(row[5]), parse_number(row[6])
            ok = True
            if not key or key in seen:
                bad(i, 1, row[0], "代码不能为空或重复（如 卫生纪律），程序用它识别这一栏")
                ok = False
            seen.add(key)
            if category not in C.CATEGORIES:
                bad(i, 2, row[1], "类别应为 " + "、".join(C.CATEGORIES) + " 之一")
                ok = False
            if not name:
                bad(i, 3, row[2], "项目名称不能为空")
                ok = False
            if kind is None:
                bad(i, 4, row[3], "类型应为 " + "、".join(C.RULE_KINDS.values()) + " 之一")
                ok = False
            if per is None:
                bad(i, 5, row[4], "“每”应为 " + "、".join(C.RULE_PER.values()) + " 之一")
                ok = False
            if lo is None or hi is None or lo > hi:
                bad(i, 6, row[5], "最低分、最高分应为数字，且最低分不大于最高分")
                ok = False
            mapping: tuple[tuple[str, float], ...] = ()
            if kind in ("grade", "place"):
                mapping = _parse_mapping(row[7], kind)
                if not mapping:
                    example = "A=3,B=2,C=1,D=0" if kind == "grade" else "1=5,2=4,3=3,4=2,5=1"
                    bad(i, 8, row[7], f"分值应写成 {example}")
                    ok = False
            if ok:
                found_rules.append(C.Rule(key, category, name, kind, per, lo, hi, mapping, clean_text(row[8])))
        changes["rules"] = tuple(found_rules)

    # ---- rater weights -------------------------------------------------------
    for title, attr in ((C.SECTION_RATERS, "rater_weights"), (C.SECTION_GROUP_RATERS, "group_rater_weights")):
        section = _section_rows(values, title)
        if section is None:
            missing(title)
            continue
        at[:3] = section[2]
        weights: list[tuple[str, float]] = []
        seen = set()
        total = 0.0
        for i, row in section[1]:
            name, w = normalize_text(row[0]), parse_number(row[1])
            if not name or name in seen:
                bad(i, 1, row[0], "评价人不能为空或重复")
                continue
            seen.add(name)
            if w is None or w < 0 or w > 1:
                bad(i, 2, row[1], "权重应为 0–1 之间的数字")
                continue
            weights.append((name, w))
            total += w
        if weights and abs(total - 1) > 1e-6 and section[1]:
            first, last = section[1][0][0] + 1, section[1][-1][0] + 1
            letter = col_letter(at[1])
            problems.append(CellProblem(sheet, f"{letter}{first}:{letter}{last}", None, f"权重之和应为 1（现在为 {total:g}）"))
        changes[attr] = tuple(weights)

    if "weight_total" in changes or "weight_quality" in changes:
        wt = changes.get("weight_total", DEFAULT.weight_total)
        wq = changes.get("weight_quality", DEFAULT.weight_quality)
        if wt + wq <= 0:
            problems.append(CellProblem(sheet, cells.get("weight_total", ""), None, "分层权重不能都为 0"))

    if problems:
        raise SettingsError("“设置”中有需要改正的内容：", problems)
    return replace(DEFAULT, cells=cells, **changes)


def _parse_scalar(s: C.Scalar, raw: Any) -> tuple[Any, str]:
    """(value, '') or (None, what is expected)."""
    if s.kind == "text":
        text = normalize_text(raw) if s.key != "class_name" else clean_text(raw)
        if s.key in ("class_name", "star_group_label", "devil_group_label") and not text:
            return None, "不能为空"
        return text, ""
    if s.kind == "date":
        d = parse_date(raw)
        return (d, "") if d else (None, "应为日期，如 2026-09-01")
    if s.kind == "choice":
        text = normalize_text(raw)
        if text not in s.choices:
            return None, "应为 " + " 或 ".join(f"“{c}”" for c in s.choices)
        return text, ""
    if s.kind == "weekdays":
        days = parse_weekdays(raw)
        if not days:
            return None, "应为上课的星期，用逗号分隔，如 一,二,三,四,五"
        return days, ""
    x = parse_number(raw)
    lo = s.minimum if s.minimum is not None else float("-inf")
    hi = s.maximum if s.maximum is not None else float("inf")
    if s.kind == "int":
        if x is None or not _is_int(x) or not lo <= x <= hi:
            return None, f"应为 {_fmt(lo)}–{_fmt(hi)} 的整数"
        return int(x), ""
    if x is None or not lo <= x <= hi:
        return None, f"应为 {_fmt(lo)}–{_fmt(hi)} 之间的数字"
    return float(x), ""


def _parse_mapping(raw: Any, kind: str) -> tuple[tuple[str, float], ...]:
    text = normalize_text(raw).upper()
    pairs = []
    for part in re.split(r"[,，、;；\s]+", text):
        if not part:
            continue
        m = re.fullmatch(r"([A-Z]|\d+)\s*[=:：]\s*(-?\d+(?:\.\d+)?)", part)
        if not m:
            return ()
        key = m.group(1)
        if kind == "grade" and not key.isalpha():
            return ()
        if kind == "place" and not key.isdigit():
            return ()
        pairs.append((key, float(m.group(2))))
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        return ()
    return tuple(pairs)


_RULE_KEYS = {label: key for key, label in C.RULE_CODE_LABELS.items()}


def format_mapping(mapping: tuple[tuple[str, float], ...]) -> str:
    return ",".join(f"{k}={_fmt(v)}" for k, v in mapping)


# --------------------------------------------------------------------------
# Writing 设置
# --------------------------------------------------------------------------
# Landscape A4, one page wide at about 100 % (≈ 770 pt inside the margins).
SETTINGS_WIDTHS = {1: 14, 2: 12, 3: 10, 4: 8, 5: 17, 6: 8, 7: 8, 8: 21, 9: 30}


def settings_layout(settings: Settings = DEFAULT) -> Layout:
    """设置 as editable sections, with validations on the value cells."""
    layout = Layout()
    rows = layout.rows

    titles: list[int] = []  # each section's title row

    def section(title: str, header: tuple[str, ...]) -> int:
        if rows:
            rows.append([])
        rows.append([title])
        titles.append(len(rows))
        layout.style(cell_ref(len(rows), 1), "section")
        rows.append(list(header))
        layout.style(range_ref(len(rows), 1, len(rows), len(header)), "header")
        return len(rows) + 1  # first data row

    rows.append([f"{settings.class_name} · 设置（可直接修改；改后重新运行相应按钮即生效）"])
    layout.style("A1", "title")
    layout.merges.append("A1:I1")
    layout.heights[1] = 28

    first = section(C.SECTION_BASIC, C.BASIC_COLUMNS)
    for k, s in enumerate(C.DEFAULT_SCALARS):
        value = getattr(settings, s.key)
        if s.kind == "weekdays":
            value = format_weekdays(value)
        rows.append([s.label, value, s.hint])
        r = first + k
        layout.style(cell_ref(r, 1), "text")
        layout.style(cell_ref(r, 2), "date" if s.kind == "date" else "entry")
        layout.style(cell_ref(r, 3), "hint")
        layout.merges.append(range_ref(r, 3, r, 9))
        if s.kind in ("int", "float") and s.minimum is not None:
            layout.validations.append(
                Validation(cell_ref(r, 2), "whole" if s.kind == "int" else "decimal", minimum=s.minimum, maximum=s.maximum,
                           error=f"{s.label}应为 {_fmt(s.minimum)}–{_fmt(s.maximum)} 的{'整数' if s.kind == 'int' else '数字'}",
                           prompt_title=s.label, prompt=s.hint[:250])
            )
        if s.kind == "choice":
            layout.validations.append(
                Validation(cell_ref(r, 2), "list", values=s.choices, prompt_title=s.label, prompt=s.hint[:250],
                           error=f"{s.label}应为 " + " 或 ".join(s.choices)))
    first = section(C.SECTION_SUBJECTS, C.SUBJECT_COLUMNS)
    for k, subj in enumerate(settings.subjects):
        days = "每天" if subj.preview_days == settings.school_days else format_weekdays(subj.preview_days)
        hint = "预习日：这些天的班级考核表有该科预习等级一栏；空白 = 不检查预习" if k == 0 else None
        rows.append([subj.name, days, subj.note or hint])
        r = first + k
        layout.style(range_ref(r, 1, r, 2), "entry")
        layout.style(cell_ref(r, 3), "hint")
    first = section(C.SECTION_ITEMS, C.ITEM_COLUMNS)
    for k, item in enumerate(settings.items):
        rows.append([item.category, item.name, item.minimum, item.maximum, ",".join(item.stars), item.note])
        r = first + k
        layout.style(range_ref(r, 1, r, 5), "entry")
        layout.style(cell_ref(r, 6), "hint")
    n_items = len(settings.items)
    layout.validations.append(
        Validation(range_ref(first, 1, first + n_items + 5, 1), "list", values=C.CATEGORIES[:4],
                   error="类别应为 " + "、".join(C.CATEGORIES[:4]) + " 之一")
    )
    first = section(C.SECTION_RULES, C.RULE_COLUMNS)
    for k, rule in enumerate(settings.rules):
        rows.append([C.RULE_CODE_LABELS.get(rule.key, rule.key), rule.category, rule.name, C.RULE_KINDS[rule.kind], C.RULE_PER[rule.per],
                     rule.minimum, rule.maximum, format_mapping(rule.mapping), rule.note])
        r = first + k
        layout.style(range_ref(r, 1, r, 8), "entry")
        layout.style(cell_ref(r, 9), "hint")
        layout.style(cell_ref(r, 9), "wrap")
        lines = paper.lines_needed(rule.note or "", 11, SETTINGS_WIDTHS[9] * paper.PT_PER_UNIT)
        if lines > 1:  # a wrapped note: the row as tall as its lines (no row grows by itself in print)
            layout.heights[r] = paper.row_pt(lines, 11)
    last = first + len(settings.rules) + 5
    layout.validations.append(Validation(range_ref(first, 4, last, 4), "list", values=tuple(C.RULE_KINDS.values())))
    layout.validations.append(Validation(range_ref(first, 5, last, 5), "list", values=tuple(C.RULE_PER.values())))
    for title, weights, note in (
        (C.SECTION_RATERS, settings.rater_weights, "每月每位学生的多元评价，权重之和为 1"),
        (C.SECTION_GROUP_RATERS, settings.group_rater_weights, "小组综合评价，权重之和为 1"),
    ):
        first = section(title, C.RATER_COLUMNS)
        for k, (name, w) in enumerate(weights):
            rows.append([name, w, note if k == 0 else None])
            r = first + k
            layout.style(range_ref(r, 1, r, 2), "entry")
            layout.style(cell_ref(r, 3), "hint")
        layout.validations.append(
            Validation(range_ref(first, 2, first + len(weights) - 1, 2), "decimal", minimum=0, maximum=1,
                       error="权重应为 0–1 之间的数字")
        )
    layout.widths = dict(SETTINGS_WIDTHS)
    for col in (1, 2):  # 项目 and 值: as wide as the longest label or value (分层权重-学习品质, 一,二,三,四,五)
        layout.widths[col] = max(SETTINGS_WIDTHS[col], _fitting_width(layout, titles, col))
    layout.print = PrintSetup(orientation="landscape", fit_width=1, fit_height=0, margins=SETTINGS_MARGINS,
                              footer=f"{settings.class_name} 设置　第 &P 页，共 &N 页")
    layout.page_breaks = _section_breaks(layout, titles)
    return layout


SETTINGS_MARGINS = (0.6, 0.5, 0.6, 0.5)
SETTINGS_ROW = 15.0  # points: a row without a height of its own
SETTINGS_PAGE_FILL = 0.94  # of the page's height a section may end at (the estimate's margin)


def _fitting_width(layout: Layout, titles: list[int], col: int) -> float:
    """The width (units) column ``col`` needs for its widest cell, section
    titles and the sheet title left out (they run across empty cells)."""
    widest = 0.0
    for r, row in enumerate(layout.rows, start=1):
        if r == 1 or r in titles or len(row) < col or row[col - 1] is None:
            continue
        v = row[col - 1]
        text = v.strftime("%Y-%m-%d") if isinstance(v, date) else str(v)
        widest = max(widest, paper.text_pt(text, 11))
    return paper.units(widest + paper.CELL_PAD + paper.EXCEL_EXTRA + 2)


def _section_breaks(layout: Layout, titles: list[int]) -> list[int]:
    """Manual page breaks that keep each section's title with its table: a
    break above a section that would not end on the page it starts on (rows
    measured at the scale that fits the columns to the page's width)."""
    width, height = paper.printable("landscape", SETTINGS_MARGINS)
    scale = min(1.0, width / (sum(layout.widths.values()) * paper.PT_PER_UNIT))
    room = height * SETTINGS_PAGE_FILL / scale
    tall = lambda r: layout.heights.get(r, SETTINGS_ROW)  # noqa: E731
    ends = titles[1:] + [layout.n_rows + 2]  # a section runs to the blank row before the next title
    breaks: list[int] = []
    used = sum(tall(r) for r in range(1, titles[0])) if titles else 0.0
    for title, end in zip(titles, ends):
        block = sum(tall(r) for r in range(title - (1 if title > 1 else 0), end - 1))
        if used + block > room and used > 0 and title > 2:
            breaks.append(title - 1)  # below the blank row: the section's title starts the page
            used = sum(tall(r) for r in range(title, end - 1))
        else:
            used += block
        while used > room:  # a section longer than a page flows on
            used -= room
    return breaks
