"""xlzu school: a grade's class workbooks compared fairly in a school workbook.

Four class workbooks are built once (different rosters and entries): 初二(1)班
from the demo roster with records Oct 26 – Nov 13, 初二(2)班 started with
--settings-from 初二(1)班 but only records of Nov 9–13 (flagged: fewer days),
初二(3)班 with a different 预习 point rule (flagged), 初二(4)班 a small class
(both Nov 2–13).
Every figure is checked against a computation made here from the classes'
record tables read with pandas, not with xlzu's readers.
"""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from history import fill_weeks
from xlzu import contract as C
from xlzu.cli import app
from xlzu.errors import XlzuError
from xlzu.grouping import synthetic_class
from xlzu.ops import group, new_class
from xlzu.ops.schoolbook import school

CLASSES = ("初二1班.xlsx", "初二2班.xlsx", "初二3班.xlsx", "初二4班.xlsx")
NOV = (pd.Timestamp(2026, 11, 1), pd.Timestamp(2026, 11, 30))


def set_rule_mapping(path: Path, key: str, mapping: str) -> None:
    """Change a 班级考核规则's 分值 on 设置, as a teacher does in Excel."""
    wb = openpyxl.load_workbook(path)
    ws = wb[C.SETTINGS]
    code = C.RULE_CODE_LABELS.get(key, key)  # 设置 shows xlzu's own rule codes in Chinese
    rows = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == code]
    assert len(rows) == 1
    ws.cell(rows[0], 8).value = mapping
    wb.save(path)


@pytest.fixture(scope="module")
def grade_dir(tmp_path_factory) -> Path:
    from xlzu.demo import demo_roster_path

    d = tmp_path_factory.mktemp("grade")
    plan = [  # roster, weeks of records (first, count), setup
        (demo_roster_path(), (9, 3), None),
        (38, (11, 1), "settings_from"),
        (45, (10, 2), "odd_rules"),
        (30, (10, 2), None),
    ]
    for k, (roster, (first, weeks), setup) in enumerate(plan, start=1):
        if not isinstance(roster, Path):
            csv = d / f"名单{k}.csv"
            synthetic_class(roster, seed=k).to_csv(csv, index=False)
            roster = csv
        path = d / CLASSES[k - 1]
        extra = {"settings_from": d / CLASSES[0]} if setup == "settings_from" else {}
        new_class(path, roster, class_name=f"初二({k})班", **extra)
        if setup == "odd_rules":
            set_rule_mapping(path, "preview", "A=4,B=3,C=1,D=0")
        group(path, seed=k)
        fill_weeks(path, weeks, first_week=first, seed=k)
    return d


@pytest.fixture
def grade(grade_dir: Path, tmp_path: Path) -> Path:
    for name in CLASSES:
        shutil.copy2(grade_dir / name, tmp_path / name)
    return tmp_path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------
# The independent computation: the classes' records read with pandas
# --------------------------------------------------------------------------
def class_tables(path: Path):
    groups = pd.read_excel(path, engine="openpyxl", sheet_name=C.GROUP_RECORDS)
    person = pd.read_excel(path, engine="openpyxl", sheet_name=C.PERSON_RECORDS, dtype={"学号": str})
    members = pd.read_excel(path, engine="openpyxl", sheet_name=C.GROUPS, dtype={"学号": str})
    members = members.loc[members["学号"].notna() & members["组号"].notna(), ["学号", "姓名", "组号"]]
    settings = pd.read_excel(path, engine="openpyxl", sheet_name=C.SETTINGS, header=None)
    name = settings.loc[settings[0] == "班级名称", 1].iloc[0]
    return name, groups, person, members


def expected_figures(path: Path, start: pd.Timestamp, end: pd.Timestamp, tables=None):
    """(class name, recorded days, group figures, person figures) of a period
    (from ``tables``, the class's class_tables, when they were read already)."""
    name, groups, person, members = tables or class_tables(path)
    g = groups.loc[groups["日期"].between(start, end)]
    p = person.loc[person["日期"].between(start, end)]
    days = len(set(g["日期"]) | set(p["日期"]))
    size = members.groupby("组号").size()
    totals = g.groupby("组号")["分数"].sum()
    gf = pd.DataFrame({"total": totals, "members": size}).fillna({"total": 0.0})
    gf["fair"] = gf["total"] / gf["members"] / days if days else float("nan")
    pt = p.groupby("学号")["分数"].sum().reindex(members["学号"], fill_value=0.0)
    pf = pd.DataFrame({"total": pt, "fair": pt / days if days else float("nan")})
    return name, days, gf, pf


def sheet_table(path: Path, sheet: str, first_header: str, after: str | None = None, before: str | None = None) -> pd.DataFrame:
    ws = openpyxl.load_workbook(path)[sheet]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    start = 0
    if after:
        start = next(i for i, r in enumerate(rows) if r[0] == after) + 1
    h = next(i for i in range(start, len(rows)) if rows[i][0] == first_header)
    stop = next((i for i in range(h, len(rows)) if before and rows[i][0] == before), len(rows))
    header = [v for v in rows[h] if v is not None]
    body = [r[: len(header)] for r in rows[h + 1: stop] if any(v is not None for v in r)]
    return pd.DataFrame(body, columns=header)


# --------------------------------------------------------------------------
# The month
# --------------------------------------------------------------------------
def test_month_against_the_records(grade: Path):
    paths = [grade / n for n in CLASSES]
    before = {p: digest(p) for p in paths}
    target = grade / "初二年级.xlsx"
    report = school(target, paths, month="2026-11", day="2026-11-30")
    assert {p: digest(p) for p in paths} == before  # the classes are only read

    table = sheet_table(target, C.SCHOOL_MONTHLY, C.COL_MONTH)
    assert list(table.columns[:len(C.SCHOOL_MONTH_COLUMNS)]) == list(C.SCHOOL_MONTH_COLUMNS)
    assert set(C.SCHOOL_TYPED_COLUMNS) <= set(table.columns)
    fair, days_of = {}, {}
    for p in paths:
        name, days, gf, _ = expected_figures(p, *NOV)
        days_of[name] = days
        best = gf["total"].max()
        picks = sorted(gf.index[gf["total"] == best])
        rows = table.loc[table[C.COL_CLASS] == name].sort_values(C.GROUP_NO)
        assert list(rows[C.GROUP_NO]) == picks, name
        for no, rec in zip(picks, rows.to_dict("records")):
            assert rec[C.COL_RECORDED_DAYS] == days
            assert rec[C.COL_MEMBERS_N] == gf.at[no, "members"]
            assert rec[C.COL_GROUP_POINTS] == pytest.approx(gf.at[no, "total"])
            assert rec[C.COL_FAIR_GROUP] == pytest.approx(gf.at[no, "fair"], abs=1e-4)
            fair[(name, no)] = gf.at[no, "fair"]
    # Flags: 初二(2)班 recorded one week of three; 初二(3)班 scores 预习 otherwise.
    flags = dict(zip(table[C.COL_CLASS], table[C.COL_FLAGS]))
    assert "记录偏少" in flags["初二(2)班"] and "5 天" in flags["初二(2)班"]
    assert "计分规则" in flags["初二(3)班"] and "A=4" in flags["初二(3)班"]
    assert pd.isna(flags["初二(1)班"]) and pd.isna(flags["初二(4)班"])
    # Only the classes without a flag are compared; the best 3 (default) of them win.
    most = max(days_of.values())
    assert {n for n, d in days_of.items() if d >= 0.8 * most} == {"初二(1)班", "初二(3)班", "初二(4)班"}
    compared = {k: v for k, v in fair.items() if k[0] in ("初二(1)班", "初二(4)班")}
    order = sorted(compared, key=lambda k: -compared[k])
    won = table.loc[table[C.COL_SCHOOL_RESULT] == C.SCHOOL_STAR_GROUP]
    assert sorted(zip(won[C.COL_CLASS], won[C.GROUP_NO])) == sorted(order[:3])
    assert table.loc[table[C.COL_CLASS].isin(["初二(2)班", "初二(3)班"]), C.COL_SCHOOL_RANK].isna().all()
    assert set(table.loc[table[C.COL_CLASS].isin(["初二(2)班", "初二(3)班"]), C.COL_SCHOOL_RESULT]) == {"未参评"}
    # The completeness sheet: days, missing days, the rules in use.
    classes = sheet_table(target, C.SCHOOL_CLASSES, C.COL_CLASS)
    two = classes.loc[classes[C.COL_CLASS] == "初二(2)班"].iloc[0]
    assert (two["有记录的周数"], two[C.COL_RECORDED_DAYS], two["应有上课日"], two["缺记录天数"]) == (1, 5, 10, 5)
    assert two["缺记录的日期"].startswith("11-02、11-03")
    rules = sheet_table(target, C.SCHOOL_CLASSES, "规则", after=C.SCHOOL_CLASSES_SECTION_RULES)
    preview = rules.loc[rules["规则"] == "班级规则：预习"].iloc[0]
    assert "A=3" in preview["多数班级"] and "A=4" in preview["初二(3)班"] and preview["初二(2)班"] == preview["多数班级"]
    # The report names the flagged classes and their files.
    text = report.text()
    assert "初二(2)班（初二2班.xlsx）" in text and "不参加比较" in text
    # Certificates: one A4 page per 校级明星小组, members listed, the class certificates' look.
    ws = openpyxl.load_workbook(target)[C.SCHOOL_CERTIFICATES]
    cells = [c.value for r in ws.iter_rows() for c in r if c.value]
    assert cells.count("校级明星小组") == len(won) and len(ws.row_breaks.brk) == len(won) - 1
    listed = sorted(sorted(v[3:].split("、")) for v in cells if isinstance(v, str) and v.startswith("组员："))
    expect = []
    for name, no in zip(won[C.COL_CLASS], won[C.GROUP_NO]):
        _, _, _, members = class_tables(grade / CLASSES[int(name[3]) - 1])
        expect.append(sorted(members.loc[members["组号"] == no, "姓名"]))
    assert listed == sorted(expect)
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize in (9, "9")


def set_school_settings(target: Path, changes: dict) -> None:
    """Type values into 学校设置, as the school does in Excel."""
    wb = openpyxl.load_workbook(target)
    ws = wb[C.SCHOOL_SETTINGS]
    cell = {ws.cell(r, 1).value: ws.cell(r, 2) for r in range(1, ws.max_row + 1)}
    for label, value in changes.items():
        cell[label].value = value
    wb.save(target)


def test_school_settings_are_used(grade: Path):
    paths = [grade / n for n in CLASSES]
    target = grade / "年级.xlsx"
    school(target, paths, month="2026-11")
    assert "记录偏少" in sheet_table(target, C.SCHOOL_MONTHLY, C.COL_MONTH).set_index(C.COL_CLASS).at["初二(2)班", C.COL_FLAGS]
    set_school_settings(target, {"每月校级明星小组数": 1, "标出的班级也参评": "是", "学校名称": "竹市镇中学",
                                 "记录天数下限": "50%"})
    school(target, paths, month="2026-11")
    table = sheet_table(target, C.SCHOOL_MONTHLY, C.COL_MONTH)
    fair = {}
    for p in paths:
        name, _, gf, _ = expected_figures(p, *NOV)
        for no in gf.index[gf["total"] == gf["total"].max()]:
            fair[(name, no)] = gf.at[no, "fair"]
    best = max(fair, key=fair.get)  # every class compared now, flagged ones too
    won = table.loc[table[C.COL_SCHOOL_RESULT] == C.SCHOOL_STAR_GROUP]
    assert list(zip(won[C.COL_CLASS], won[C.GROUP_NO])) == [best]
    assert table[C.COL_SCHOOL_RANK].notna().all()
    flags = dict(zip(table[C.COL_CLASS], table[C.COL_FLAGS]))
    assert pd.isna(flags["初二(2)班"])  # 5 days of 10 is enough at 50 %
    assert "计分规则" in flags["初二(3)班"]  # still flagged on the sheet, though compared
    cert = [c.value for r in openpyxl.load_workbook(target)[C.SCHOOL_CERTIFICATES].iter_rows() for c in r if c.value]
    assert "竹市镇中学" in cert and "教导处" in cert
    # A bad setting is refused with its cell named, and nothing changes.
    wb = openpyxl.load_workbook(target)
    ws = wb[C.SCHOOL_SETTINGS]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "每月校级明星小组数")
    ws.cell(row, 2).value = "三个"
    wb.save(target)
    was = digest(target)
    with pytest.raises(XlzuError, match=f"{C.SCHOOL_SETTINGS}!B{row}"):
        school(target, paths, month="2026-11")
    assert digest(target) == was


def test_rerun_replaces_the_month_and_keeps_what_the_school_typed(grade: Path):
    paths = [grade / n for n in CLASSES]
    target = grade / "初二年级.xlsx"
    october = school(target, paths, month="2026-10")
    # In October only 初二(1)班 has records: the others are reported by file, not compared.
    assert "初二2班.xlsx" in october.text() and "2026年10月没有记录" in october.text()
    school(target, paths, month="2026-11")
    wb = openpyxl.load_workbook(target)
    ws = wb[C.SCHOOL_MONTHLY]
    h = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == C.COL_MONTH)
    header = [c.value for c in ws[h]]
    ws.cell(h, len([x for x in header if x]) + 1).value = "奖品"  # a column the school added
    header = [c.value for c in ws[h]]
    col = {v: i + 1 for i, v in enumerate(header) if v}
    typed = {}
    for r in range(h + 1, ws.max_row + 1):
        key = (ws.cell(r, 1).value, ws.cell(r, col[C.COL_CLASS]).value, ws.cell(r, col[C.GROUP_NO]).value)
        if key[1]:
            typed[key] = (f"评语{r}", "是", f"奖品{r}")
            for name, v in zip((C.COL_COMMENT, C.COL_CONFIRM, "奖品"), typed[key]):
                ws.cell(r, col[name]).value = v
    wb.save(target)
    before = sheet_table(target, C.SCHOOL_MONTHLY, C.COL_MONTH)
    school(target, paths, month="2026-11")
    after = sheet_table(target, C.SCHOOL_MONTHLY, C.COL_MONTH)
    assert sorted(after[C.COL_MONTH].unique()) == ["2026-10", "2026-11"]  # October kept
    assert len(after) == len(before)
    for rec in after.to_dict("records"):
        key = (rec[C.COL_MONTH], rec[C.COL_CLASS], None if pd.isna(rec[C.GROUP_NO]) else rec[C.GROUP_NO])
        assert (rec[C.COL_COMMENT], rec[C.COL_CONFIRM], rec["奖品"]) == typed[key]
    pd.testing.assert_frame_equal(before.sort_values([C.COL_MONTH, C.COL_CLASS]).reset_index(drop=True),
                                  after.sort_values([C.COL_MONTH, C.COL_CLASS]).reset_index(drop=True))


# --------------------------------------------------------------------------
# The term
# --------------------------------------------------------------------------
def test_term_against_the_records(grade: Path):
    paths = [grade / n for n in CLASSES]
    before = {p: digest(p) for p in paths}
    target = grade / "初二年级.xlsx"
    report = school(target, paths, term=True, day="2027-01-20")
    assert {p: digest(p) for p in paths} == before
    start, end = pd.Timestamp(2026, 9, 1), pd.Timestamp(2026, 11, 13)
    groups = sheet_table(target, C.SCHOOL_TERM, C.COL_SCHOOL_RANK, after=C.SCHOOL_TERM_SECTION_GROUPS,
                         before=C.SCHOOL_TERM_SECTION_MEMBERS)
    members = sheet_table(target, C.SCHOOL_TERM, C.COL_SCHOOL_RANK, after=C.SCHOOL_TERM_SECTION_MEMBERS)
    group_fair, person_fair, names, days_of = {}, {}, {}, {}
    for p in paths:
        tables = class_tables(p)  # read once for the figures and the roster
        name, days, gf, pf = expected_figures(p, start, end, tables)
        days_of[name] = days
        roster = tables[3]
        names.update({(name, sid): n for sid, n in zip(roster["学号"], roster["姓名"])})
        for no in gf.index:
            group_fair[(name, no)] = gf.at[no, "fair"]
        for sid in pf.index:
            person_fair[(name, sid)] = pf.at[sid, "fair"]
        mine = groups.loc[groups[C.COL_CLASS] == name]
        assert len(mine) == len(gf)
        for rec in mine.to_dict("records"):
            assert rec[C.COL_FAIR_GROUP] == pytest.approx(gf.at[rec[C.GROUP_NO], "fair"], abs=1e-4)
            assert rec[C.COL_GROUP_POINTS] == pytest.approx(gf.at[rec[C.GROUP_NO], "total"])
    # Compared: the classes with at least 0.8 × the most recorded days (the default
    # 记录天数下限) and the common rules (初二(3)班 scores 预习 otherwise).
    most = max(days_of.values())
    compared = {n for n, d in days_of.items() if d >= 0.8 * most and n != "初二(3)班"}
    assert compared == {"初二(1)班"}  # over the term 初二(4)班's 10 days of 15 are too few
    g = {k: v for k, v in group_fair.items() if k[0] in compared}
    cut = sorted(g.values(), reverse=True)[2]
    expect = sorted(k for k, v in g.items() if v >= cut - 1e-9)
    won = groups.loc[groups[C.COL_SCHOOL_RESULT] == C.AWARD_SCHOOL_ADVANCED_GROUP]
    assert sorted(zip(won[C.COL_CLASS], won[C.GROUP_NO])) == expect
    m = {k: v for k, v in person_fair.items() if k[0] in compared}
    cut = sorted(m.values(), reverse=True)[9]
    expect = sorted(k for k, v in m.items() if v >= cut - 1e-9)
    got = members.loc[members[C.COL_SCHOOL_RESULT] == C.AWARD_SCHOOL_OUTSTANDING_MEMBER]
    assert sorted(zip(got[C.COL_CLASS], got[C.GROUP_ID].astype(str))) == expect
    for rec in got.to_dict("records"):
        assert rec[C.GROUP_NAME_COL] == names[(rec[C.COL_CLASS], str(rec[C.GROUP_ID]))]
        assert rec[C.COL_FAIR_PERSON] == pytest.approx(person_fair[(rec[C.COL_CLASS], str(rec[C.GROUP_ID]))], abs=1e-4)
    ws = openpyxl.load_workbook(target)[C.SCHOOL_CERTIFICATES]
    cells = [c.value for r in ws.iter_rows() for c in r if c.value]
    assert cells.count(C.AWARD_SCHOOL_ADVANCED_GROUP) == len(won)
    assert cells.count(C.AWARD_SCHOOL_OUTSTANDING_MEMBER) == len(got)
    assert len(ws.row_breaks.brk) == len(won) + len(got) - 1
    assert "2027年1月20日" in cells
    assert C.AWARD_SCHOOL_ADVANCED_GROUP in report.text()
    # Mid-term: --until cuts the term; fewer awards and another issuer set on 学校设置.
    set_school_settings(target, {"每学期校级先进小组数": 1, "每学期校级优秀组员数": 2, "发证单位": "初二年级组"})
    school(target, paths, term=True, until="2026-11-06")
    name, days, gf, pf = expected_figures(paths[0], start, pd.Timestamp(2026, 11, 6))  # the only class compared
    groups = sheet_table(target, C.SCHOOL_TERM, C.COL_SCHOOL_RANK, after=C.SCHOOL_TERM_SECTION_GROUPS,
                         before=C.SCHOOL_TERM_SECTION_MEMBERS)
    members = sheet_table(target, C.SCHOOL_TERM, C.COL_SCHOOL_RANK, after=C.SCHOOL_TERM_SECTION_MEMBERS)
    won = groups.loc[groups[C.COL_SCHOOL_RESULT] == C.AWARD_SCHOOL_ADVANCED_GROUP]
    assert sorted(won[C.GROUP_NO]) == sorted(gf.index[gf["fair"] >= gf["fair"].max() - 1e-9])
    got = members.loc[members[C.COL_SCHOOL_RESULT] == C.AWARD_SCHOOL_OUTSTANDING_MEMBER]
    cut = sorted(pf["fair"], reverse=True)[1]
    assert sorted(got[C.GROUP_ID].astype(str)) == sorted(pf.index[pf["fair"] >= cut - 1e-9])
    cells = [c.value for r in openpyxl.load_workbook(target)[C.SCHOOL_CERTIFICATES].iter_rows() for c in r if c.value]
    assert "初二年级组" in cells and "教导处" not in cells
    early = sheet_table(target, C.SCHOOL_CLASSES, C.COL_CLASS, before=C.SCHOOL_CLASSES_SECTION_RULES)
    early = early.loc[early[C.COL_CLASS].isin(days_of)]  # the class rows (a note follows them)
    assert dict(zip(early[C.COL_CLASS], early[C.COL_RECORDED_DAYS])) == {"初二(1)班": 10, "初二(2)班": 0, "初二(3)班": 5, "初二(4)班": 5}


# --------------------------------------------------------------------------
# Refusals, and what is only read
# --------------------------------------------------------------------------
def test_refusals_name_the_file_and_write_nothing(grade: Path, tmp_path: Path):
    paths = [grade / n for n in CLASSES]
    target = grade / "初二年级.xlsx"
    with pytest.raises(XlzuError, match="同一个班级工作簿给了两次：“初二1班.xlsx”"):
        school(target, [paths[0], paths[1], paths[0]])
    twin = grade / "初二1班副本.xlsx"
    shutil.copy2(paths[0], twin)
    with pytest.raises(XlzuError, match="“初二1班.xlsx”和“初二1班副本.xlsx”的班级名称都是“初二\\(1\\)班”"):
        school(target, [paths[0], twin])
    csv = grade / "名单.csv"
    csv.write_text("学号,姓名\n1,张三\n", encoding="utf-8")
    with pytest.raises(XlzuError, match="“名单.csv”不是 .xlsx"):
        school(target, [csv, paths[0]])
    other = grade / "成绩.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "成绩"
    wb.save(other)
    with pytest.raises(XlzuError, match="“成绩.xlsx”不是 xlzu 班级工作簿"):
        school(target, [other, paths[0]])
    with pytest.raises(XlzuError, match="2026年9月各班都没有记录（“初二1班.xlsx”、“初二2班.xlsx”"):
        school(target, paths, month="2026-09")
    with pytest.raises(XlzuError, match="“初二1班.xlsx”是班级工作簿，不是学校工作簿"):
        school(paths[0], paths[1:])
    with pytest.raises(XlzuError, match="不是 xlzu 学校工作簿"):
        school(other, paths)
    with pytest.raises(XlzuError, match="学校工作簿的文件名应以 .xlsx 结尾"):
        school(grade / "初二年级.xlsm", paths)
    # A bad cell in a class's records: refused, the file and the cell named.
    broken = grade / CLASSES[3]
    wb = openpyxl.load_workbook(broken)
    wb[C.GROUP_RECORDS]["G5"] = "很多"  # 分数
    wb.save(broken)
    with pytest.raises(XlzuError, match="班级工作簿“初二4班.xlsx”") as err:
        school(target, paths)
    assert "小组记录!G5" in err.value.text()
    assert not target.exists()  # nothing was written by any refusal


def test_a_class_open_in_excel_is_still_read(grade: Path):
    paths = [grade / n for n in CLASSES]
    lock = grade / "~$初二1班.xlsx"  # what Excel leaves beside a workbook it has open
    lock.write_bytes(b"owner")
    wps = grade / ".~lock.初二3班.xlsx#"
    wps.write_text("wps", encoding="utf-8")
    report = school(grade / "初二年级.xlsx", paths, month="2026-11")
    assert "初二(1)班（初二1班.xlsx）" in report.text()


def test_bytes_and_file_objects_give_the_same_school_workbook(grade: Path):
    """The offline page hands over the files a teacher chose, as bytes."""
    paths = [grade / n for n in CLASSES]
    by_path = school(grade / "a.xlsx", paths, month="2026-11", day="2026-11-30")
    given = [(paths[0].name, paths[0].read_bytes()), io.BytesIO(paths[1].read_bytes()),
             (paths[2].name, paths[2].read_bytes()), (paths[3].name, paths[3].read_bytes())]
    given[1].name = paths[1].name
    by_bytes = school(grade / "b.xlsx", given, month="2026-11", day="2026-11-30")
    pd.testing.assert_frame_equal(by_path.data["month"], by_bytes.data["month"])
    assert sheet_table(grade / "a.xlsx", C.SCHOOL_MONTHLY, C.COL_MONTH).equals(
        sheet_table(grade / "b.xlsx", C.SCHOOL_MONTHLY, C.COL_MONTH))


def test_cli_school(grade: Path):
    runner = CliRunner()
    args = ["school", str(grade / "初二年级.xlsx"), *[str(grade / n) for n in CLASSES], "--month", "2026-11"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "校级明星小组：" in result.output and "班级工作簿没有改动" in result.output
    result = runner.invoke(app, ["school", str(grade / "初二年级.xlsx"), str(grade / CLASSES[0]), str(grade / CLASSES[0])])
    assert result.exit_code == 1 and "错误：同一个班级工作簿给了两次" in result.output
    result = runner.invoke(app, ["school", str(grade / "初二年级.xlsx"), str(grade / CLASSES[0]), "--until", "2026-11-06"])
    assert result.exit_code == 1 and "--until 只和 --term 一起用" in result.output


# --------------------------------------------------------------------------
# A grade shares one rule set: new --settings-from
# --------------------------------------------------------------------------
def test_new_class_takes_another_class_settings(grade: Path, demo_roster: Path):
    source = grade / CLASSES[0]
    set_rule_mapping(source, "place", "1=6,2=4,3=3,4=2,5=1")  # a point value changed in the source class
    wb = openpyxl.load_workbook(source)
    ws = wb[C.SETTINGS]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "班主任")
    ws.cell(row, 2).value = "王老师"
    wb.save(source)
    runner = CliRunner()
    result = runner.invoke(app, ["new", str(grade / "初二5班.xlsx"), "--roster", str(demo_roster),
                                 "--class-name", "初二(5)班", "--settings-from", str(source)])
    assert result.exit_code == 0, result.output
    assert "“设置”来自“初二1班.xlsx”" in result.output
    new = openpyxl.load_workbook(grade / "初二5班.xlsx")[C.SETTINGS]
    values = {}
    for r in range(1, new.max_row + 1):  # the first line of each label (班主任 is also a rater further down)
        values.setdefault(new.cell(r, 1).value, [new.cell(r, c).value for c in range(2, 9)])
    assert values[C.RULE_CODE_LABELS["place"]][6] == "1=6,2=4,3=3,4=2,5=1"
    assert values["班级名称"][0] == "初二(5)班" and values["班主任"][0] in (None, "")
    # The school now finds the two classes on equal rules, and the others different.
    group(grade / "初二5班.xlsx", seed=5)
    fill_weeks(grade / "初二5班.xlsx", 1, first_week=11, seed=5)
    report = school(grade / "年级.xlsx", [source, grade / "初二5班.xlsx", grade / CLASSES[3]], month="2026-11")
    flags = dict(zip(report.data["classes"][C.COL_CLASS], report.data["classes"][C.COL_FLAGS]))
    assert "名次" in flags["初二(4)班"] and "1=5" in flags["初二(4)班"]
    assert "计分规则" not in (flags["初二(5)班"] or "")
    result = runner.invoke(app, ["new", str(grade / "初二6班.xlsx"), "--roster", str(demo_roster),
                                 "--settings-from", str(grade / "没有.xlsx")])
    assert result.exit_code == 1 and "无法从“没有.xlsx”复制设置" in result.output


def test_certificates_print_one_page_each(grade: Path, soffice, poppler):
    from conftest import pdf_pages, pdf_text
    from xlzu.pdf import print_sheets

    paths = [grade / n for n in CLASSES]
    target = grade / "初二年级.xlsx"
    report = school(target, paths, month="2026-11", day="2026-11-30")
    pdf = print_sheets(target, [C.SCHOOL_CERTIFICATES], grade / "证书.pdf")
    n = len(report.data["awards"])
    assert n >= 1 and pdf_pages(pdf) == n
    for page, (award, who, members) in enumerate(report.data["awards"], start=1):
        text = pdf_text(pdf, page)
        assert award in text and who.split(" ")[0] in text and members[0] in text


def test_typed_values_of_a_row_that_is_gone_are_reported():
    """A recommendation that changed (records corrected) takes its row away: what
    the school typed there is named in the report, not silently dropped."""
    from xlzu.schoolwide import keep_typed

    old = pd.DataFrame({C.COL_MONTH: ["2026-11", "2026-11"], C.COL_CLASS: ["初二(1)班", "初二(2)班"],
                        C.GROUP_NO: [3, 5], C.COL_COMMENT: ["好", None], C.COL_CONFIRM: ["是", None], "奖品": ["书", None],
                        "_row": [5, 6]})
    new = pd.DataFrame({C.COL_MONTH: ["2026-11", "2026-11"], C.COL_CLASS: ["初二(1)班", "初二(2)班"], C.GROUP_NO: [4, 5]})
    out, lost = keep_typed(new, old, [C.COL_MONTH, C.COL_CLASS, C.GROUP_NO], list(new.columns))
    assert list(out.columns) == [*new.columns, C.COL_COMMENT, C.COL_CONFIRM, "奖品"]
    assert out[[C.COL_COMMENT, C.COL_CONFIRM, "奖品"]].isna().all().all()
    assert lost == ["2026-11、初二(1)班、3：评语“好”，确认“是”，奖品“书”"]


# --------------------------------------------------------------------------
# 学校设置's ranges come from their declaration (contract.SCHOOL_SCALARS)
# --------------------------------------------------------------------------
def school_settings_file(path: Path, changes: dict) -> tuple[Path, dict[str, str]]:
    """A real 学校设置 sheet written by xlzu, then typed into; (path, label → 值 cell)."""
    from xlzu.book.files import FileBook
    from xlzu.schoolwide import school_settings_layout

    book = FileBook.create(path)
    book.write_layout(C.SCHOOL_SETTINGS, school_settings_layout())
    book.save()
    set_school_settings(path, changes)
    ws = openpyxl.load_workbook(path)[C.SCHOOL_SETTINGS]
    return path, {ws.cell(r, 1).value: ws.cell(r, 2).coordinate for r in range(1, ws.max_row + 1)}


def read_file_settings(path: Path):
    from xlzu.book.files import FileBook
    from xlzu.schoolwide import read_school_settings

    return read_school_settings(FileBook.open(path, require_contract=False).read_values(C.SCHOOL_SETTINGS))


@pytest.mark.parametrize("label,typed,expected", [
    ("每月校级明星小组数", 0, "应为 1–100 的整数"),
    ("每学期校级优秀组员数", 101, "应为 1–100 的整数"),
    ("每学期校级先进小组数", 2.5, "应为 1–100 的整数"),
    ("记录天数下限", 1.5, "应为 0–1 之间的数（如 0.8），或百分数（如 80%）"),
    ("记录天数下限", "120%", "应为 0–1 之间的数（如 0.8），或百分数（如 80%）"),
    ("记录天数下限", -0.1, "应为 0–1 之间的数（如 0.8），或百分数（如 80%）"),
])
def test_a_school_setting_out_of_range_is_refused_naming_its_cell(tmp_path, label, typed, expected):
    path, cell = school_settings_file(tmp_path / "年级.xlsx", {label: typed})
    with pytest.raises(XlzuError) as err:
        read_file_settings(path)
    shown = str(typed).rstrip("0").rstrip(".") if isinstance(typed, float) else str(typed)
    assert f"{C.SCHOOL_SETTINGS}!{cell[label]}：“{shown}” {expected}" in err.value.text()


def test_school_setting_ranges_are_read_from_the_declaration(tmp_path, monkeypatch):
    """Narrow one declared range: the reader, its message and Excel's validation all follow."""
    from dataclasses import replace

    scalars = tuple(replace(s, maximum=5) if s.key == "month_groups" else s for s in C.SCHOOL_SCALARS)
    monkeypatch.setattr(C, "SCHOOL_SCALARS", scalars)
    path, cell = school_settings_file(tmp_path / "年级.xlsx", {"每月校级明星小组数": 5})
    assert read_file_settings(path).month_groups == 5
    set_school_settings(path, {"每月校级明星小组数": 6})
    with pytest.raises(XlzuError) as err:
        read_file_settings(path)
    assert f"{C.SCHOOL_SETTINGS}!{cell['每月校级明星小组数']}：“6” 应为 1–5 的整数" in err.value.text()
    ws = openpyxl.load_workbook(path)[C.SCHOOL_SETTINGS]
    rule = next(dv for dv in ws.data_validations.dataValidation if cell["每月校级明星小组数"] in str(dv.sqref))
    assert (rule.type, rule.formula1, rule.formula2) == ("whole", "1", "5") and "1–5" in rule.error
