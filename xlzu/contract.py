"""The workbook contract: every sheet name, table header and default setting.

This module is the single place where the names a teacher sees in the workbook
are spelled.  The pandas core, both workbook backends, the CLI, the Excel
buttons, the template builder and the tests all import them from here.
"""

from __future__ import annotations

from dataclasses import dataclass

# --------------------------------------------------------------------------
# Sheets, in workbook order
# --------------------------------------------------------------------------
CONSOLE = "控制台"
RULES = "规则说明"  # how points become ranks, in Chinese, from 设置 (xlzu.rules)
RULES_TITLE = "小组建设评分规则"
RULES_HINT = "本表根据本班“设置”生成：改了设置后点“一键周汇总”或运行 xlzu rules 即更新。"
SETTINGS = "设置"
ROSTER = "花名册"
GROUPS = "分组"
SEATS = "座位表"
DAILY_CLASS = "日表-班级"
DAILY_GROUP_PREFIX = "日表-第"  # 日表-第3组
PERSON_RECORDS = "个人记录"
GROUP_RECORDS = "小组记录"
WEEK_GROUPS = "周排名-小组"
WEEK_PEOPLE = "周排名-个人"
WEEK_HISTORY = "周历史"
MONTHLY = "月度评价"
COMPREHENSIVE = "综合评价"
EXAMS = "考试成绩"
TERM_AWARDS = "期末评优"  # the term's award decisions with the figures behind them
CERTIFICATES = "荣誉证书"

# Hidden form sheets: the styled originals the daily sheets and certificates
# are copied from, so a school restyles them once (fonts, colours, margins,
# header/footer) and every generated sheet follows.
FORM_GROUP = "表样-小组日表"
FORM_CLASS = "表样-班级日表"
FORM_CERTIFICATE = "表样-证书"
HIDDEN_FORMS = (FORM_GROUP, FORM_CLASS, FORM_CERTIFICATE)

# Only in macro workbooks (.xlsm): RunPython's settings, hidden.
XLWINGS_CONF = "xlwings.conf"

SHEETS_BEFORE_DAILY = (CONSOLE, SETTINGS, RULES, ROSTER, GROUPS, SEATS, DAILY_CLASS)
SHEETS_AFTER_DAILY = (
    PERSON_RECORDS,
    GROUP_RECORDS,
    WEEK_GROUPS,
    WEEK_PEOPLE,
    WEEK_HISTORY,
    MONTHLY,
    COMPREHENSIVE,
    EXAMS,
    TERM_AWARDS,
    CERTIFICATES,
)


def daily_group_sheet(group: int) -> str:
    """Name of the member sheet of group ``group`` (1-based): ``日表-第3组``."""
    return f"{DAILY_GROUP_PREFIX}{int(group)}组"


def parse_daily_group_sheet(name: str) -> int | None:
    """The group number of a ``日表-第N组`` sheet name, else None."""
    if name.startswith(DAILY_GROUP_PREFIX) and name.endswith("组"):
        middle = name[len(DAILY_GROUP_PREFIX) : -1]
        if middle.isdigit():
            return int(middle)
    return None


def workbook_sheets(n_groups: int = 0, *, macro: bool = False) -> list[str]:
    """Every sheet a class workbook has, in order, when it has ``n_groups``
    daily member sheets.  Hidden form sheets and ``xlwings.conf`` included."""
    names = list(SHEETS_BEFORE_DAILY)
    names += [daily_group_sheet(g) for g in range(1, n_groups + 1)]
    names += list(SHEETS_AFTER_DAILY)
    names += list(HIDDEN_FORMS)
    if macro:
        names.append(XLWINGS_CONF)
    return names


# Daily sheets of the other school days of a week (xlzu daily --all-weekdays):
# the chosen date keeps the usual names, each other day gets its weekday:
# 日表-班级(周三), 日表-第3组(周三).
DAILY_DAY_OPEN, DAILY_DAY_CLOSE = "(", ")"


def daily_day_sheet(sheet: str, weekday: int) -> str:
    """``日表-第3组`` of another weekday (0 = Monday): ``日表-第3组(周三)``."""
    return f"{sheet}{DAILY_DAY_OPEN}周{WEEKDAYS[weekday]}{DAILY_DAY_CLOSE}"


def parse_daily_sheet(name: str) -> tuple[int | None, int | None] | None:
    """(group or None for the class sheet, weekday or None) of any daily
    sheet name (日表-班级, 日表-第3组, 日表-班级(周三), 日表-第3组(周三));
    None for every other name."""
    weekday = None
    base = name
    if name.endswith(DAILY_DAY_CLOSE) and DAILY_DAY_OPEN + "周" in name:
        base, _, label = name[: -len(DAILY_DAY_CLOSE)].rpartition(DAILY_DAY_OPEN + "周")
        if label not in WEEKDAYS:
            return None
        weekday = WEEKDAYS.index(label)
    if base == DAILY_CLASS:
        return None, weekday
    group = parse_daily_group_sheet(base)
    if group is None:
        return None
    return group, weekday


# The per-group weekly form (设置 纸质表格 = 每周): 周表-第3组, one per group
# for the school week it is dated with; the class sheets stay daily.
WEEK_FORM_PREFIX = "周表-第"
WEEK_FORM_TITLE = "小组成员常规考核周表"


def week_group_sheet(group: int) -> str:
    """Name of group ``group``'s weekly form: ``周表-第3组``."""
    return f"{WEEK_FORM_PREFIX}{int(group)}组"


def parse_week_group_sheet(name: str) -> int | None:
    """The group number of a ``周表-第N组`` sheet name, else None."""
    if name.startswith(WEEK_FORM_PREFIX) and name.endswith("组"):
        middle = name[len(WEEK_FORM_PREFIX) : -1]
        if middle.isdigit():
            return int(middle)
    return None


def sheet_order_key(name: str) -> tuple[int, int]:
    """Sort key that places any sheet where the contract wants it."""
    if name in SCHOOL_SHEETS[:-1]:  # a school workbook's own sheets, before its hidden form
        return (-1, SCHOOL_SHEETS.index(name))
    base = workbook_sheets(0, macro=True)
    daily = parse_daily_sheet(name)
    if daily is not None and daily[1] is not None:  # another weekday's daily sheet
        return (base.index(DAILY_CLASS), 1000 * (daily[1] + 1) + (daily[0] or 0))
    group = parse_daily_group_sheet(name)
    if group is not None:
        return (base.index(DAILY_CLASS), group)
    group = parse_week_group_sheet(name)
    if group is not None:  # after the week's class sheets
        return (base.index(DAILY_CLASS), 100000 + group)
    if name in base:
        return (base.index(name), 0)
    return (len(base), 0)


# --------------------------------------------------------------------------
# Table headers
# --------------------------------------------------------------------------
# 花名册: fixed columns; one more per subject named in 设置 follows 备注.
ROSTER_ID = "学号"
ROSTER_NAME = "姓名"
ROSTER_GENDER = "性别"
ROSTER_TOTAL = "总分"
ROSTER_QUALITY = "学习品质"
ROSTER_LEADERSHIP = "组织能力"
ROSTER_NOTE = "备注"
ROSTER_COLUMNS = (
    ROSTER_ID,
    ROSTER_NAME,
    ROSTER_GENDER,
    ROSTER_TOTAL,
    ROSTER_QUALITY,
    ROSTER_LEADERSHIP,
    ROSTER_NOTE,
)
GENDERS = ("男", "女")

# Header aliases seen in school-system exports; compared after normalising
# width and removing spaces.  Keys are canonical roster headers.
ROSTER_ALIASES: dict[str, tuple[str, ...]] = {
    ROSTER_ID: ("学号", "学籍号", "学生学号", "考号", "编号", "学生编号", "学生id", "id", "学籍编号"),
    ROSTER_NAME: ("姓名", "学生姓名", "名字", "学生", "姓 名", "name"),
    ROSTER_GENDER: ("性别", "男女", "gender", "sex"),
    ROSTER_TOTAL: ("总分", "成绩", "总成绩", "考试总分", "总 分", "期末总分", "入学成绩", "total"),
    ROSTER_QUALITY: ("学习品质", "品质", "学习态度", "学习习惯"),
    ROSTER_LEADERSHIP: ("组织能力", "领导力", "组织", "性格外向", "外向"),
    ROSTER_NOTE: ("备注", "说明", "备 注"),
}
GENDER_ALIASES = {
    "男": "男", "男生": "男", "m": "男", "male": "男", "boy": "男", "1": "男",
    "女": "女", "女生": "女", "f": "女", "female": "女", "girl": "女", "2": "女",
}
TOTAL_MAX = 2000  # sanity bound for an exam total
SUBJECT_MAX = 200  # sanity bound for one subject score
RATING_MIN, RATING_MAX = 1, 5  # 学习品质, 组织能力

# 分组: one row per student (left table) and one row per group (right table).
GROUP_ID = "学号"
GROUP_NAME_COL = "姓名"
GROUP_GENDER = "性别"
GROUP_LAYER = "层次"
GROUP_LAYER_OVERRIDE = "指定层次"  # typed by the teacher; sticks on every run
GROUP_NO = "组号"
GROUP_TEAM_NAME = "组名"
GROUP_CODE = "代号"
GROUP_ROLES = "职务"
GROUP_LOCKED = "锁定"
GROUP_COLUMNS = (
    GROUP_ID,
    GROUP_NAME_COL,
    GROUP_GENDER,
    GROUP_LAYER,
    GROUP_LAYER_OVERRIDE,
    GROUP_NO,
    GROUP_TEAM_NAME,
    GROUP_CODE,
    GROUP_ROLES,
    GROUP_LOCKED,
)
LOCKED_MARK = "是"  # what a locked row shows; "是", "Y", "1", "√", "锁" all count
CULTURE_MOTTO_RULES = "组规"
CULTURE_MOTTO = "组训"
CULTURE_GOAL = "小组目标"
CULTURE_MENTOR = "导师"
CULTURE_COLUMNS = (GROUP_NO, GROUP_TEAM_NAME, CULTURE_MOTTO_RULES, CULTURE_MOTTO, CULTURE_GOAL, CULTURE_MENTOR)
CULTURE_FIRST_COLUMN = len(GROUP_COLUMNS) + 2  # one blank column between the tables

# Layers: code, name, rank order (A is the top quarter).
LAYERS = ("A", "B", "C", "D")
LAYER_NAMES = {"A": "乐学", "B": "善学", "C": "勤学", "D": "D层"}

# Roles inside a group.
ROLE_LEADER = "大组长"
ROLE_DEPUTY = "副组长"
ROLE_STUDY = "学习组长"
ROLE_HYGIENE = "卫生组长"
ROLE_DISCIPLINE = "纪律组长"
ROLE_SUBJECT_SUFFIX = "组长"  # 语文组长, 数学组长, ... (学科组长)
ROLE_SEPARATOR = "、"
# Posts for members still without a role once the roles above are given
# (a big group with few subjects): every member holds at least one role.
SPARE_ROLES = ("记分员", "资料员", "联络员", "宣传员", "监督员")
# Seats: (left, right) facing pairs from the front of the group to the back.
SEAT_PAIRS = (("B1", "C2"), ("A1", "D2"), ("A2", "D1"), ("C1", "B2"))

# Record tables (long format).  One row per (date, who, item).
REC_DATE = "日期"
REC_ID = "学号"
REC_NAME = "姓名"
REC_GROUP = "组号"
REC_TEAM = "组名"
REC_CATEGORY = "类别"
REC_ITEM = "项目"
REC_POINTS = "分数"
REC_RAW = "原始"  # what was typed when it is not the points (grade "A", place 2)
REC_NOTE = "备注"
REC_SOURCE = "来源"  # sheet!cell it was typed in, or another origin
PERSON_RECORD_COLUMNS = (REC_DATE, REC_ID, REC_NAME, REC_GROUP, REC_CATEGORY, REC_ITEM, REC_POINTS, REC_NOTE, REC_SOURCE)
GROUP_RECORD_COLUMNS = (REC_DATE, REC_GROUP, REC_TEAM, REC_CATEGORY, REC_ITEM, REC_RAW, REC_POINTS, REC_NOTE, REC_SOURCE)
PERSON_RECORD_KEY = (REC_DATE, REC_ID, REC_ITEM)
GROUP_RECORD_KEY = (REC_DATE, REC_GROUP, REC_ITEM)

# Evaluation categories (SPEC 3), in display order.
CAT_SELF_STUDY = "自主学习"
CAT_PARTICIPATION = "课堂参与"
CAT_HYGIENE_DISCIPLINE = "卫生纪律"
CAT_ETIQUETTE = "文明礼仪"
CAT_GOOD_DEEDS = "好人好事"
CATEGORIES = (CAT_SELF_STUDY, CAT_PARTICIPATION, CAT_HYGIENE_DISCIPLINE, CAT_ETIQUETTE, CAT_GOOD_DEEDS)

# 考试成绩: 学号, 姓名, then one column per exam (期中, 期末, ...).
EXAM_FIXED_COLUMNS = (ROSTER_ID, ROSTER_NAME)

# 控制台: the last run's messages, below the buttons.
CONSOLE_MESSAGES_ROW = 16  # first row of the message table (header)
CONSOLE_COLUMNS = ("时间", "操作", "消息")
CONSOLE_MAX_LINES = 200  # lines of all runs kept on 控制台
CONSOLE_RUNS = 10  # the runs kept on 控制台, newest first


def console_title(class_name: str) -> str:
    """控制台's title line (A1) in a class workbook."""
    return f"{class_name} · 小组建设 控制台"


WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")

# Workbook-level defined name that remembers which cells the last failed run
# highlighted, so the next successful run clears exactly those.
MARKS_NAME = "xlzu_marks"
MARKS_MAX = 300


# --------------------------------------------------------------------------
# Default 设置
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Item:
    """One individual evaluation item of the member sheet (SPEC 3a)."""

    category: str
    name: str
    minimum: float
    maximum: float
    stars: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Rule:
    """One column rule of the class sheet (SPEC 3b).

    ``kind`` is ``grade`` (A/B/C/D mapped to points), ``place`` (1–5 mapped to
    points), or ``points`` (a signed number within [minimum, maximum]).
    ``per`` is ``subject`` (one column per subject with a preview that day),
    ``period`` (one column per class period) or ``day`` (one column).
    """

    key: str
    category: str
    name: str
    kind: str
    per: str
    minimum: float
    maximum: float
    mapping: tuple[tuple[str, float], ...] = ()
    note: str = ""


STAR_DISCIPLINE = "纪律之星"
STAR_DILIGENCE = "勤奋之星"
STAR_PREVIEW = "预习之星"
STAR_SHOWING = "展示之星"
STAR_QUESTIONING = "质疑之星"
STAR_PROGRESS = "进步之星"
STARS = (STAR_DISCIPLINE, STAR_DILIGENCE, STAR_PREVIEW, STAR_SHOWING, STAR_QUESTIONING, STAR_PROGRESS)

DEFAULT_ITEMS: tuple[Item, ...] = (
    Item(CAT_SELF_STUDY, "预习", 0, 3, (STAR_PREVIEW, STAR_DILIGENCE), "预习完成情况"),
    Item(CAT_SELF_STUDY, "作业", 0, 3, (STAR_DILIGENCE,), "作业完成及正确率"),
    Item(CAT_PARTICIPATION, "展示", 0, 3, (STAR_SHOWING,), "课堂展示、发言"),
    Item(CAT_PARTICIPATION, "质疑", 0, 3, (STAR_QUESTIONING,), "大胆质疑、提问"),
    Item(CAT_PARTICIPATION, "讨论/纠错", 0, 3, (STAR_QUESTIONING,), "讨论积极、主动纠错"),
    Item(CAT_HYGIENE_DISCIPLINE, "卫生", -5, 5, (STAR_DISCIPLINE,), "值日、保洁"),
    Item(CAT_HYGIENE_DISCIPLINE, "纪律", -5, 5, (STAR_DISCIPLINE,), "迟到、早退、违纪"),
    Item(CAT_ETIQUETTE, "文明礼仪", -5, 5, (STAR_DISCIPLINE,), "衣着发型、礼貌、桌凳摆放"),
)

GRADE_POINTS = (("A", 3.0), ("B", 2.0), ("C", 1.0), ("D", 0.0))
PLACE_POINTS = (("1", 5.0), ("2", 4.0), ("3", 3.0), ("4", 2.0), ("5", 1.0))

DEFAULT_RULES: tuple[Rule, ...] = (
    Rule("preview", CAT_SELF_STUDY, "预习", "grade", "subject", 0, 3, GRADE_POINTS,
         "科任教师评 A/B/C/D：A 全对 3 分，B 大部分对 2 分，C 小部分对 1 分，D 未做或全错 0 分"),
    Rule("place", CAT_PARTICIPATION, "名次", "place", "period", 1, 5, PLACE_POINTS,
         "每节课前五名小组填名次 1–5，分别得 5–1 分；空白不得分"),
    Rule("extra", CAT_PARTICIPATION, "加减分", "points", "period", -3, 3, (),
         "课堂表现优秀或违纪，每次加减 1–3 分"),
    Rule("hygiene", CAT_HYGIENE_DISCIPLINE, "卫生纪律", "points", "day", -5, 5, (),
         "值日卫生、迟到早退、课堂违纪、课余追逐、两操集会，加减 1–5 分"),
    Rule("major", CAT_HYGIENE_DISCIPLINE, "重大违纪", "points", "day", -5, -2, (),
         "有损班级形象、让班级受辱，扣 2–5 分"),
    Rule("etiquette", CAT_ETIQUETTE, "文明礼仪", "points", "day", -5, 5, (),
         "衣着发型、行为礼貌、桌凳摆放，加减 1–5 分"),
    Rule("deeds", CAT_GOOD_DEEDS, "好人好事", "points", "day", 2, 5, (),
         "为班级争得荣誉或有贡献、竞赛获奖，加 2–5 分"),
)

DEFAULT_SUBJECTS = ("语文", "数学", "英语", "物理", "化学", "历史")
# Multi-rater monthly evaluation of each student (SPEC 5), weights sum to 1.
DEFAULT_RATER_WEIGHTS = (("自评", 0.1), ("组内互评", 0.2), ("任课教师", 0.2), ("班主任", 0.3), ("家长", 0.2))
# Comprehensive group evaluation (SPEC 5): aspects and raters.
ASPECTS = ("学习情况", "常规要求", "行为习惯", "学习进步")
DEFAULT_GROUP_RATER_WEIGHTS = (
    ("班主任", 0.3), ("任课教师", 0.2), ("学生干部", 0.1), ("大组长", 0.1), ("小组自评", 0.15), ("组间互评", 0.15),
)


@dataclass(frozen=True)
class Scalar:
    """One scalar setting: the label in column A of 设置, its default and a hint."""

    key: str
    label: str
    default: object
    kind: str  # text, date, int, float, weekdays, list, choice (one of ``choices``)
    hint: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()


#: 纸质表格 (paper_forms): what 生成日表 writes for the groups' 大组长.
PAPER_DAILY, PAPER_WEEKLY = "每日", "每周"

DEFAULT_SCALARS: tuple[Scalar, ...] = (
    Scalar("class_name", "班级名称", "初二(3)班", "text", "打印在所有表头"),
    Scalar("school", "学校", "", "text", "可不填"),
    Scalar("head_teacher", "班主任", "", "text", "可不填；打印在证书上"),
    Scalar("term_start", "学期开始日期", "2026-09-01", "date", "第1周从这一天所在的周一算起"),
    Scalar("school_days", "上课日", "一,二,三,四,五", "weekdays", "用逗号分隔的星期，如 一,二,三,四,五"),
    Scalar("periods", "每天节数", 7, "int", "课堂参与每节课一栏", 1, 12),
    Scalar("group_size", "每组人数", 8, "int", "6–10 人，默认 2A+2B+2C+2D", 6, 10),
    Scalar("weight_total", "分层权重-总分", 0.7, "float", "分层综合分中总分的权重", 0, 1),
    Scalar("weight_quality", "分层权重-学习品质", 0.3, "float", "分层综合分中学习品质的权重", 0, 1),
    Scalar("bundle_weight", "小组捆绑权重", 0.5, "float", "个人周综合分 = 个人得分 + 权重 × 小组得分", 0, 5),
    Scalar("star_group_label", "明星小组称号", "明星小组", "text", "每周第一名小组的称号"),
    Scalar("devil_group_label", "魔鬼小组称号", "魔鬼小组", "text", "每周最后一名小组的称号，可改为“待进步小组”"),
    Scalar("star_leader_rank", "明星组长-总分名次", 20, "int", "大组长考试总分班级名次须在此之内", 1, 100),
    Scalar("star_leader_progress", "明星组长-进步名次", 10, "int", "所带善学生、勤学生进步名次须在此之内", 1, 100),
    Scalar("paper_forms", "纸质表格", PAPER_DAILY, "choice",
           "每日：每组每天一张小组日表；每周：每组每周一张小组周表（班级考核表仍每天一张）",
           choices=(PAPER_DAILY, PAPER_WEEKLY)),
)

# Section titles in 设置 (the parser finds sections by these).
SECTION_BASIC = "【基本设置】"
SECTION_SUBJECTS = "【学科】"
SECTION_ITEMS = "【个人考核项目】"
SECTION_RULES = "【班级考核规则】"
SECTION_RATERS = "【月度多元评价权重】"
SECTION_GROUP_RATERS = "【综合评价权重】"
BASIC_COLUMNS = ("项目", "值", "说明")
SUBJECT_COLUMNS = ("学科", "预习日", "说明")
ITEM_COLUMNS = ("类别", "项目", "最低分", "最高分", "对应之星", "说明")
RULE_COLUMNS = ("代码", "类别", "项目", "类型", "每", "最低分", "最高分", "分值", "说明")
RATER_COLUMNS = ("评价人", "权重", "说明")
RULE_KINDS = {"grade": "等级", "place": "名次", "points": "加减分"}
#: What 设置 shows in the 代码 column for xlzu's own class-sheet rules (read
#: back to the rule's key); a rule a teacher adds is coded by what they type.
RULE_CODE_LABELS = {"preview": "预习等级", "place": "课堂名次", "extra": "课堂加减分", "hygiene": "卫生纪律",
                    "major": "重大违纪", "etiquette": "文明礼仪", "deeds": "好人好事"}
RULE_PER = {"subject": "学科", "period": "节次", "day": "每天"}

# Daily sheets (SPEC 3a, 3b): fixed headers and texts besides the contract's
# column names (学号, 代号, 姓名, 职务, 组号, 组名, 备注).
DAILY_TOTAL = "合计"
DAILY_GROUP_TITLE = "小组成员常规考核量化表"
DAILY_CLASS_TITLE = "班级考核表"
DAILY_SIGN_LEADER = "大组长签字"
DAILY_SIGN_MONITOR = "值日班长签字"
DAILY_SIGN_TEACHER = "班主任审核"
DAILY_LEGEND = "说明"  # first word of the legend line below a daily table
PERIOD_LABEL = "第{}节"  # header of one class period's columns; record items 第3节名次
NOTE_ITEM = REC_NOTE  # 项目 of a record that only carries a row's 备注 (0 points)

# Colours (hex RGB) shared by both backends.
COLOR_BAD = "FFC7CE"  # a cell the teacher must look at
COLOR_WARN = "FFEB9C"
COLOR_STAR = "C6EFCE"
COLOR_DEVIL = "F8CBAD"
COLOR_HEADER = "DDEBF7"
COLOR_TITLE = "1F4E78"



# --------------------------------------------------------------------------
# Buttons on 控制台 (macro workbooks): caption, VBA macro, xlzu.excel function
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Button:
    """One button on 控制台: its Chinese caption, the VBA Sub it runs (in
    ``macros/xlzu.bas``), the function in :mod:`xlzu.excel` that Sub calls
    through RunPython, and the one-line explanation printed beside it."""

    caption: str
    macro: str
    function: str
    description: str


BUTTONS: tuple[Button, ...] = (
    Button("导入花名册", "ImportRoster", "import_roster",
           "整理粘贴到“花名册”里的名单（列名、全角字符、空格），有问题的学生标红并列在下方"),
    Button("自动分组", "AutoGroup", "auto_group",
           "按分层把全班分成均衡的小组，排好代号、职务和座位表（锁定的学生不动）"),
    Button("重排职务座位", "ReassignRoles", "reassign_roles",
           "分组不变（包括手工调整过的），重新排代号、职务和座位表"),
    Button("生成日表", "MakeDaily", "make_daily",
           "生成今天的班级考核表和各组成员考核表；设置里纸质表格选“每周”时，生成本周各组的周表（先保存当前日表）"),
    Button("保存日表", "SaveDaily", "save_daily",
           "把填好的日表存入个人记录和小组记录；填错的格子标红，什么也不存"),
    Button("打印日表", "PrintDaily", "print_daily",
           "把当天的日表导出为 PDF（在工作簿所在文件夹），用于打印"),
    Button("一键周汇总", "WeeklySummary", "weekly_summary",
           "生成本周小组和个人排名，评出第一名和最后一名小组（称号在设置中），更新周历史和走势图"),
    Button("月度评比", "MonthlyReview", "monthly_review",
           "评出本月各项之星和校级明星小组，生成多元评价表"),
    Button("期末评比", "TermReview", "term_review",
           "评出明星组长、先进小组、优秀组员，生成荣誉证书"),
    Button("小组综合评价", "GroupReview", "group_review",
           "按记录预填最近一个月的小组综合评价表（学习情况、常规要求、行为习惯、学习进步，多方评价），已填的分数保留"),
    Button("生成喜报", "SharePoster", "share_poster",
           "把本周明星小组和本月之星做成喜报图片（PNG，在工作簿所在文件夹），只有表扬，可发家长群"),
)
CONSOLE_BUTTON_ROW = 3  # first button row on 控制台; one row per button


# --------------------------------------------------------------------------
# Summaries: weekly ranking, monthly stars, comprehensive evaluation, term
# --------------------------------------------------------------------------
CAT_OTHER = "其他"  # records whose 类别 is none of CATEGORIES (typed by hand)
COL_RANK = "名次"
COL_TOTAL = "合计"
COL_AWARD = "称号"
COL_NOTE = "说明"

# 周排名-小组 / 周排名-个人
COL_PERSONAL = "个人得分"
COL_RANK_IN_GROUP = "组内名次"
COL_RANK_IN_CLASS = "班级名次"
COL_GROUP_SCORE = "小组得分"
COL_BUNDLE = "捆绑分"  # bundle_weight × 小组得分
COL_COMPOSITE = "综合分"  # 个人得分 + 捆绑分
COL_COMPOSITE_RANK = "综合名次"
# 周排名-小组 as an announcement (the detail table keeps 组号, the days and 合计 below it)
COL_GROUP = "小组"
COL_WEEK_TOTAL = "本周得分"
COL_LAST_RANK = "上周名次"
COL_CHANGE = "升降"
COL_TERM_TOTAL = "学期累计"
PROGRESS_GROUP = "进步最快小组"
WEEK_SECTION_DETAIL = "【每日得分明细】"
WEEK_PEOPLE_OWN = "个人考核"  # the band over the member's own points on 周排名-个人
WEEK_PEOPLE_BUNDLE = "小组捆绑"  # the band over 小组得分 and 捆绑分
PRIVATE = "仅供班主任留存"  # on every sheet with individual ranks or exam figures (《未成年人学校保护规定》)
PRIVATE_NOTE = "仅供班主任留存，请勿张贴、转发（含个人排名或考试成绩）"

# 周历史: one row per group per week (left), the chart's data block (right).
COL_WEEK = "周次"
COL_WEEK_START = "开始日期"
COL_WEEK_END = "结束日期"
WEEK_HISTORY_COLUMNS = (COL_WEEK, COL_WEEK_START, COL_WEEK_END, GROUP_NO, GROUP_TEAM_NAME, COL_TOTAL, COL_RANK, COL_AWARD)

# 月度评价
COL_MONTH = "月份"
COL_BASIS = "依据"
COL_FIGURE = "得分"
COL_WEIGHTED = "加权得分"
COL_COMMENT = "评语"
SCHOOL_STAR_GROUP = "校级明星小组"
MONTH_SECTION_STARS = "【本月之星】"
MONTH_SECTION_GROUP = "【校级明星小组推荐】"
MONTH_SECTION_RATERS = "【多元评价】"
RATING_MIN_SCORE, RATING_MAX_SCORE = 0, 100  # every rater scores 0–100 (百分制)

# 综合评价: one row per (period, group, aspect); rater columns from 设置.
COL_PERIOD = "周期"
COL_ASPECT = "方面"
COL_RECORD_BASIS = "记录依据"
COL_SUGGESTED = "建议分"
COL_RESULT = "综合得分"
REVIEW_SECTION_RESULT = "【本期结果】"
REVIEW_SECTION_FORM = "【评分表】"
PERIOD_TERM = "全学期"
# What the records say about each aspect: the categories whose group points
# make the aspect's suggestion.  学习进步 is the rise of 学习情况 points
# against the previous period of the same length.
ASPECT_CATEGORIES: dict[str, tuple[str, ...]] = {
    "学习情况": (CAT_SELF_STUDY, CAT_PARTICIPATION),
    "常规要求": (CAT_HYGIENE_DISCIPLINE,),
    "行为习惯": (CAT_ETIQUETTE, CAT_GOOD_DEEDS),
    "学习进步": (),
}
ASPECT_PROGRESS = "学习进步"
SUGGEST_LOW, SUGGEST_HIGH = 60, 100  # suggestion: around the middle (80), never outside 60–100
SUGGEST_STEP = 1  # record points per suggestion point at most: a small difference is not magnified

# 期末评优 / 荣誉证书
AWARD_STAR_LEADER = "明星组长"
AWARD_ADVANCED_GROUP = "先进小组"
AWARD_OUTSTANDING_MEMBER = "优秀组员"
ADVANCED_GROUPS = 3  # 先进小组: the groups placed 1st–3rd over the term (ties all)
TERM_SECTION_LEADERS = "【明星组长】"
TERM_SECTION_GROUPS = "【先进小组】"
TERM_SECTION_MEMBERS = "【优秀组员】"
COL_RESULT_TEXT = "结果"
COL_PROGRESS = "进步"  # rank improvement between the two exams (positive = better)
COL_PROGRESS_RANK = "进步名次"
COL_AWARDEE = "获奖者"
COL_DATE = "日期"


# --------------------------------------------------------------------------
# The school (or grade) workbook, built from class workbooks (SPEC §9)
# --------------------------------------------------------------------------
SCHOOL_SETTINGS = "学校设置"
SCHOOL_CLASSES = "各班概况"  # completeness and point rules of each class, for the last run's period
SCHOOL_MONTHLY = "校级明星小组"  # one row per class (its recommendation) per month; months kept
SCHOOL_TERM = "校级评优"  # 校级先进小组 and 校级优秀组员 of the term
SCHOOL_CERTIFICATES = "校级证书"
SCHOOL_SHEETS = (SCHOOL_SETTINGS, SCHOOL_CLASSES, SCHOOL_MONTHLY, SCHOOL_TERM, SCHOOL_CERTIFICATES, FORM_CERTIFICATE)

AWARD_SCHOOL_STAR_GROUP = SCHOOL_STAR_GROUP
AWARD_SCHOOL_ADVANCED_GROUP = "校级先进小组"
AWARD_SCHOOL_OUTSTANDING_MEMBER = "校级优秀组员"


@dataclass(frozen=True)
class SchoolScalar:
    key: str
    label: str
    kind: str  # text, int, share, yesno
    default: object
    hint: str
    minimum: float | None = None  # int and share: the range the reader, its message and Excel's validation use
    maximum: float | None = None


SCHOOL_SETTINGS_SECTION = "【评比设置】"
SCHOOL_SETTINGS_COLUMNS = ("项目", "值", "说明")
SCHOOL_SCALARS = (
    SchoolScalar("school", "学校名称", "text", "", "印在证书上；空白则用班级工作簿“设置”里的学校名称"),
    SchoolScalar("title", "名称", "text", "", "如 初二年级；空白则用学校工作簿的文件名"),
    SchoolScalar("month_groups", "每月校级明星小组数", "int", 3, "每月从各班推荐的明星小组中评出几个（并列都算）", 1, 100),
    SchoolScalar("term_groups", "每学期校级先进小组数", "int", 3, "期中、期末从各班所有小组中评出几个（并列都算）", 1, 100),
    SchoolScalar("term_members", "每学期校级优秀组员数", "int", 10, "期中、期末从各班所有学生中评出几个（并列都算）", 1, 100),
    SchoolScalar("coverage", "记录天数下限", "share", 0.8,
                 "一个班有记录的上课日少于各班最多天数的这个比例（如 0.8 即 80%）时标出，不参加比较", 0, 1),
    SchoolScalar("include_flagged", "标出的班级也参评", "yesno", False,
                 "填“是”则计分规则不同或记录偏少的班级也参加评比（仍在表中标出）"),
    SchoolScalar("issuer", "发证单位", "text", "教导处", "印在证书落款"),
)

COL_CLASS = "班级"
COL_FILE = "文件"
COL_MEMBERS_N = "组员数"
COL_GROUP_POINTS = "小组得分合计"
COL_PERSON_POINTS = "个人得分合计"
COL_RECORDED_DAYS = "有记录上课日"
COL_FAIR_GROUP = "每人每日得分"  # group points ÷ members ÷ recorded school days
COL_FAIR_PERSON = "每日得分"  # personal points ÷ recorded school days
COL_SCHOOL_RANK = "校级名次"
COL_SCHOOL_RESULT = "评选结果"
COL_FLAGS = "标记"
COL_CONFIRM = "确认"
COL_RECOMMENDED = "推荐明星小组"
SCHOOL_TYPED_COLUMNS = (COL_COMMENT, COL_CONFIRM)  # empty columns the school types into (kept on re-runs)
SCHOOL_MONTH_COLUMNS = (COL_MONTH, COL_CLASS, GROUP_NO, COL_RECOMMENDED, COL_MEMBERS_N, COL_RECORDED_DAYS,
                        COL_GROUP_POINTS, COL_FAIR_GROUP, COL_SCHOOL_RANK, COL_SCHOOL_RESULT, COL_FLAGS, COL_FILE)
SCHOOL_TERM_GROUP_COLUMNS = (COL_SCHOOL_RANK, COL_CLASS, GROUP_NO, GROUP_TEAM_NAME, COL_MEMBERS_N, COL_RECORDED_DAYS,
                             COL_GROUP_POINTS, COL_FAIR_GROUP, COL_SCHOOL_RESULT, COL_FLAGS)
SCHOOL_TERM_MEMBER_COLUMNS = (COL_SCHOOL_RANK, COL_CLASS, GROUP_ID, GROUP_NAME_COL, GROUP_NO, COL_RECORDED_DAYS,
                              COL_PERSON_POINTS, COL_FAIR_PERSON, COL_SCHOOL_RESULT, COL_FLAGS)
SCHOOL_TERM_SECTION_GROUPS = "【校级先进小组】"
SCHOOL_TERM_SECTION_MEMBERS = "【校级优秀组员】"
SCHOOL_CLASS_COLUMNS = (COL_CLASS, COL_FILE, "学生数", "小组数", "有记录的周数", COL_RECORDED_DAYS, "应有上课日",
                        "缺记录天数", "缺记录的日期", "小组记录条数", "个人记录条数", "计分规则", COL_FLAGS)
SCHOOL_CLASSES_SECTION_RULES = "【各班计分规则】"
