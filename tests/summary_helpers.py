"""Building class workbooks with groups, records and exams for the summary tests.

Everything is written through the Book protocol (``write_layout``) in the
contract's formats: 分组 with contract.GROUP_COLUMNS (and the group table at
contract.CULTURE_FIRST_COLUMN), 个人记录 / 小组记录 via records.records_layout,
考试成绩 as 学号, 姓名, one column per exam.  ``benchmarks/summaries.py``
uses it too.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Iterable

import pandas as pd

from xlzu import contract as C
from xlzu.book.files import FileBook
from xlzu.layout import range_ref, table_layout
from xlzu.records import from_rows, records_layout
from xlzu.settings import DEFAULT, Settings

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鑫宇浩然子涵梓轩欣怡雨萱佳琪俊熙博文思远诗婷晨阳若曦嘉怡一诺"
TEAM_NAMES = ("雄鹰队", "启航队", "星火队", "飞翔队", "朝阳队", "破浪队", "青松队", "追梦队", "腾龙队", "凌云队")


def synthetic_roster(path: Path, n: int, seed: int = 1) -> Path:
    """A roster CSV of ``n`` students (学号, 姓名, 性别, 总分, 学习品质, 组织能力)."""
    rng = random.Random(seed)
    names = set()
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow([C.ROSTER_ID, C.ROSTER_NAME, C.ROSTER_GENDER, C.ROSTER_TOTAL, C.ROSTER_QUALITY, C.ROSTER_LEADERSHIP])
        for i in range(n):
            while True:
                name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
                if name not in names:
                    names.add(name)
                    break
            w.writerow([f"2025{i + 1:05d}", name, rng.choice(C.GENDERS), rng.randint(300, 680), rng.randint(1, 5), rng.randint(1, 5)])
    return path


def make_members(roster: pd.DataFrame, n_groups: int) -> pd.DataFrame:
    """A plain snake-draft grouping in the 分组 format: layers by quarters of
    总分, codes A1 A2 …, 大组长 = A1 of each group."""
    r = roster.sort_values(C.ROSTER_TOTAL, ascending=False, kind="stable").reset_index(drop=True)
    n = len(r)
    layers = [C.LAYERS[min(3, i * 4 // n)] for i in range(n)]
    r[C.GROUP_LAYER] = layers
    group_of = []
    for i in range(n):
        lap, pos = divmod(i, n_groups)
        group_of.append(pos + 1 if lap % 2 == 0 else n_groups - pos)
    r[C.GROUP_NO] = group_of
    r["_k"] = r.groupby([C.GROUP_NO, C.GROUP_LAYER]).cumcount() + 1
    r[C.GROUP_CODE] = r[C.GROUP_LAYER] + r["_k"].astype(str)
    roles = []
    for code in r[C.GROUP_CODE]:
        roles.append({"A1": C.ROLE_LEADER, "A2": C.ROLE_STUDY, "B1": C.ROLE_DEPUTY, "C1": C.ROLE_HYGIENE}.get(code, C.ROLE_DISCIPLINE))
    r[C.GROUP_ROLES] = roles
    r[C.GROUP_TEAM_NAME] = [TEAM_NAMES[(g - 1) % len(TEAM_NAMES)] for g in r[C.GROUP_NO]]
    out = pd.DataFrame({
        C.GROUP_ID: r[C.ROSTER_ID].astype(object), C.GROUP_NAME_COL: r[C.ROSTER_NAME].astype(object),
        C.GROUP_GENDER: r[C.ROSTER_GENDER].astype(object), C.GROUP_LAYER: r[C.GROUP_LAYER].astype(object),
        C.GROUP_LAYER_OVERRIDE: None, C.GROUP_NO: r[C.GROUP_NO].astype("int64"), C.GROUP_TEAM_NAME: r[C.GROUP_TEAM_NAME].astype(object),
        C.GROUP_CODE: r[C.GROUP_CODE].astype(object), C.GROUP_ROLES: r[C.GROUP_ROLES].astype(object), C.GROUP_LOCKED: None,
    })
    return out.sort_values([C.GROUP_NO, C.GROUP_CODE], kind="stable").reset_index(drop=True)


def members_layout(members: pd.DataFrame):
    """分组: the student table from A1 and the group table beside it."""
    layout = table_layout(members[list(C.GROUP_COLUMNS)], column_styles={C.GROUP_ID: "id"}, freeze=False)
    culture = members.drop_duplicates(C.GROUP_NO)[[C.GROUP_NO, C.GROUP_TEAM_NAME]]
    first = C.CULTURE_FIRST_COLUMN
    rows = [list(C.CULTURE_COLUMNS)] + [[g, t, None, None, None, None] for g, t in zip(culture[C.GROUP_NO], culture[C.GROUP_TEAM_NAME])]
    for i, row in enumerate(rows):
        while len(layout.rows) <= i:
            layout.rows.append([])
        target = layout.rows[i]
        target.extend([None] * (first - 1 - len(target)))
        target[first - 1 : first - 1 + len(row)] = row
    layout.style(range_ref(1, first, 1, first + len(C.CULTURE_COLUMNS) - 1), "header")
    return layout


def class_records(members: pd.DataFrame, days: Iterable[date], settings: Settings = DEFAULT, seed: int = 7,
                  items_per_day: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Plausible records, as the daily sheets produce them: 小组记录 from the
    class sheet (preview grades, period places and extras, hygiene, etiquette,
    good deeds) and 个人记录 from the member sheets."""
    rng = random.Random(seed)
    groups = sorted(set(members[C.GROUP_NO]))
    teams = dict(zip(members[C.GROUP_NO], members[C.GROUP_TEAM_NAME]))
    grades = dict(C.GRADE_POINTS)
    places = dict(C.PLACE_POINTS)
    grows: list[dict] = []
    prows: list[dict] = []
    for day in days:
        stamp = pd.Timestamp(day)
        for g in groups:
            base = {C.REC_DATE: stamp, C.REC_GROUP: g, C.REC_TEAM: teams[g], C.REC_SOURCE: C.DAILY_CLASS}
            for subj in settings.preview_subjects(day):
                grade = rng.choices("ABCD", weights=(4, 3, 2, 1))[0]
                grows.append({**base, C.REC_CATEGORY: C.CAT_SELF_STUDY, C.REC_ITEM: f"{subj}预习", C.REC_RAW: grade,
                              C.REC_POINTS: grades[grade], C.REC_NOTE: None})
            if rng.random() < 0.15:
                v = rng.choice((-3, -2, -1, 1, 2, 3))
                grows.append({**base, C.REC_CATEGORY: C.CAT_HYGIENE_DISCIPLINE, C.REC_ITEM: "卫生纪律", C.REC_RAW: str(v),
                              C.REC_POINTS: float(v), C.REC_NOTE: "迟到" if v < 0 else "值日认真"})
            if rng.random() < 0.1:
                v = rng.choice((-2, 1, 2))
                grows.append({**base, C.REC_CATEGORY: C.CAT_ETIQUETTE, C.REC_ITEM: "文明礼仪", C.REC_RAW: str(v),
                              C.REC_POINTS: float(v), C.REC_NOTE: None})
            if rng.random() < 0.05:
                grows.append({**base, C.REC_CATEGORY: C.CAT_GOOD_DEEDS, C.REC_ITEM: "好人好事", C.REC_RAW: "3",
                              C.REC_POINTS: 3.0, C.REC_NOTE: "竞赛获奖"})
        for period in range(1, settings.periods + 1):
            order = rng.sample(groups, k=min(5, len(groups)))
            for place, g in enumerate(order, start=1):
                grows.append({C.REC_DATE: stamp, C.REC_GROUP: g, C.REC_TEAM: teams[g], C.REC_CATEGORY: C.CAT_PARTICIPATION,
                              C.REC_ITEM: f"第{period}节名次", C.REC_RAW: str(place), C.REC_POINTS: places[str(place)],
                              C.REC_NOTE: None, C.REC_SOURCE: C.DAILY_CLASS})
        for rec in members.to_dict("records"):
            for item in rng.sample(list(settings.items), k=min(items_per_day, len(settings.items))):
                lo, hi = int(item.minimum), int(item.maximum)
                v = rng.randint(max(lo, 0), hi) if lo >= 0 else rng.choice([0, 0, 0, 1, -1, 2, -2])
                prows.append({C.REC_DATE: stamp, C.REC_ID: rec[C.GROUP_ID], C.REC_NAME: rec[C.GROUP_NAME_COL],
                              C.REC_GROUP: rec[C.GROUP_NO], C.REC_CATEGORY: item.category, C.REC_ITEM: item.name,
                              C.REC_POINTS: float(v), C.REC_NOTE: None, C.REC_SOURCE: C.daily_group_sheet(rec[C.GROUP_NO])})
    return from_rows(grows, "group"), from_rows(prows, "person")


def school_days(start: date, weeks: int, settings: Settings = DEFAULT) -> list[date]:
    first = start - timedelta(days=start.weekday())
    return [first + timedelta(days=7 * w + d) for w in range(weeks) for d in settings.school_days]


def write_class(path: Path, members: pd.DataFrame | None = None, group_records: pd.DataFrame | None = None,
                person_records: pd.DataFrame | None = None, exams: pd.DataFrame | None = None) -> Path:
    """Write the given tables into the class workbook at ``path`` and save it."""
    book = FileBook.open(path)
    if members is not None:
        book.write_layout(C.GROUPS, members_layout(members))
    if group_records is not None:
        book.write_layout(C.GROUP_RECORDS, records_layout(group_records, "group"))
    if person_records is not None:
        book.write_layout(C.PERSON_RECORDS, records_layout(person_records, "person"))
    if exams is not None:
        book.write_layout(C.EXAMS, table_layout(exams, column_styles={C.ROSTER_ID: "id"}))
    book.save()
    return path


def roster_of(path: Path) -> pd.DataFrame:
    """花名册 of a class workbook, typed."""
    from xlzu.roster import read_roster

    book = FileBook.open(path)
    roster, _ = read_roster(book.read_values(C.ROSTER), DEFAULT.subject_names)
    return roster


def sheet_values(path: Path, sheet: str) -> list[list]:
    return FileBook.open(path).read_values(sheet)


def demo_class_with_records(path: Path, first_monday: date, weeks: int, seed: int,
                            items_per_day: int = 3) -> tuple[Path, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The demo roster as 初二(3)班 in 7 snake-drafted groups, with ``weeks``
    school weeks of plausible records from ``first_monday``; saved at ``path``.
    Returns the path, 分组, 小组记录 and 个人记录 as written."""
    from xlzu import new_class
    from xlzu.demo import demo_roster_path

    new_class(path, demo_roster_path(), class_name="初二(3)班")
    members = make_members(roster_of(path), 7)
    grecs, precs = class_records(members, school_days(first_monday, weeks), seed=seed, items_per_day=items_per_day)
    write_class(path, members, grecs, precs)
    return path, members, grecs, precs
