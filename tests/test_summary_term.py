"""Term awards: the 明星组长 rule on hand-made exam tables, 先进小组 and
优秀组员, and the printed certificates."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from conftest import pdf_pages, pdf_text, pdf_words
from summary_helpers import class_records, make_members, roster_of, school_days, write_class
from xlzu import contract as C
from xlzu.book.files import FileBook
from xlzu.cli import app
from xlzu.errors import InputError
from xlzu.members import read_culture
from xlzu.ops.summary import term
from xlzu.settings import DEFAULT
from xlzu.awards import read_exams, star_leaders, term_name
from xlzu.weekly import group_names

# (学号, 组号, 层次, 职务, 期中, 期末); None = no score (缺考)
CLASS = [
    ("L1", 1, "A", "大组长", 610, 600),
    ("B1", 1, "B", "副组长", 400, 570),
    ("C1", 1, "C", "卫生组长", 380, 560),
    ("L2", 2, "A", "大组长、数学组长", 600, 590),
    ("B2", 2, "B", "副组长", 450, 550),
    ("C2", 2, "C", "纪律组长", 420, 540),
    ("L3", 3, "A", "大组长", 595, 590),
    ("B3", 3, "B", "副组长", 300, 530),  # group 3 has no 勤学 (C) member
    ("L4", 4, "A", "大组长", 620, "缺考"),
    ("B4", 4, "B", "副组长", None, 520),
    ("C4", 4, "C", "学习组长", 560, 300),
    ("L5", 5, "A", "大组长", 500, 580),
    ("B5", 5, "B", "副组长", 580, 510),
    ("C5", 5, "C", "纪律组长", 570, 500),
    ("X1", None, None, None, 590, 580),  # in the exams, not in a group
    ("X2", None, None, None, 550, 490),
]
# 期中 ranks: L4 1, L1 2, L2 3, L3 4, X1 5, B5 6, C5 7, C4 8, X2 9, L5 10, B2 11, C2 12, B1 13, C1 14, B3 15
# 期末 ranks: L1 1, L2 2, L3 2, X1 4, L5 4, B1 6, C1 7, B2 8, C2 9, B3 10, B4 11, B5 12, C5 13, X2 14, C4 15
# improvement: B1 7, C1 7, L5 6, B3 5, B2 3, C2 3, L3 2, L1 1, L2 1, X1 1, X2 -5, B5 -6, C5 -6, C4 -7
# improvement rank: B1 1, C1 1, L5 3, B3 4, B2 5, C2 5, L3 7, L1/L2/X1 8, X2 11, B5/C5 12, C4 14


def members_frame() -> pd.DataFrame:
    rows = []
    for sid, g, layer, roles, _, _ in CLASS:
        if g is None:
            continue
        rows.append({C.GROUP_ID: sid, C.GROUP_NAME_COL: f"学生{sid}", C.GROUP_GENDER: "男", C.GROUP_LAYER: layer,
                     C.GROUP_LAYER_OVERRIDE: None, C.GROUP_NO: g, C.GROUP_TEAM_NAME: f"{g}队", C.GROUP_CODE: f"{layer}1",
                     C.GROUP_ROLES: roles, C.GROUP_LOCKED: False})
    out = pd.DataFrame(rows)
    out[C.GROUP_NO] = out[C.GROUP_NO].astype("Int64")
    return out


def exam_values() -> list[list]:
    return [[C.ROSTER_ID, C.ROSTER_NAME, "期中", "期末"]] + [[sid, f"学生{sid}", a, b] for sid, _, _, _, a, b in CLASS]


def test_star_leader_rule_with_ties_missing_scores_and_missing_layers():
    exams, names, problems = read_exams(exam_values())
    assert names == ["期中", "期末"] and problems == []
    members = members_frame()
    teams = group_names(members, read_culture([]), pd.DataFrame(columns=[C.REC_DATE, C.REC_GROUP, C.REC_TEAM]))
    settings = DEFAULT.with_changes(star_leader_rank=2, star_leader_progress=5)
    t = star_leaders(exams, members, teams, settings, "期中", "期末").set_index(C.GROUP_NO)
    result = t[C.COL_RESULT_TEXT]
    assert result[1] == "明星组长"  # rank 1; B1 and C1 share improvement rank 1
    assert result[2] == "明星组长"  # rank 2 tied with L3 (≤ 2); B2 and C2 tied at improvement rank 5 (≤ 5)
    assert result[3].startswith("未评上") and "本组没有勤学生" in result[3]
    assert "缺期末成绩" in result[4] and "善学生缺期中或期末成绩" in result[4] and "勤学生学生C4名次没有进步" in result[4]
    assert "期末名次 4 不在前2名" in result[5] and "名次没有进步" in result[5]
    # the figures that decided it
    row = t.loc[2]
    assert (row["期末总分"], row["期末名次"]) == (590, 2)
    assert (row["善学生"], row["善学生进步"], row["善学生进步名次"]) == ("学生B2", 3, 5)
    assert (row["勤学生"], row["勤学生进步"], row["勤学生进步名次"]) == ("学生C2", 3, 5)
    assert pd.isna(t.at[4, "期末名次"]) and np.isnan(t.at[4, "期末总分"])
    assert t.at[3, "善学生进步名次"] == 4 and pd.isna(t.at[3, "勤学生"])
    # tighter thresholds: group 2 falls out (improvement rank 5 > 4)
    tight = star_leaders(exams, members, teams, settings.with_changes(star_leader_progress=4), "期中", "期末")
    assert list(tight.loc[tight[C.COL_RESULT_TEXT] == "明星组长", C.GROUP_NO]) == [1]


def test_exam_table_problems_are_named():
    values = exam_values()
    values[3][3] = "五百"
    values[5][2] = 5000
    _, _, problems = read_exams(values)
    assert [str(p) for p in problems] == ["考试成绩!D4：“五百” 应为 0–2000 的总分，或空白/缺考",
                                          "考试成绩!C6：“5000” 应为 0–2000 的总分，或空白/缺考"]
    _, _, problems = read_exams([["学生", "期中"], ["1", 3]])
    assert problems and problems[0].cell == "A1"


def independent_star_leaders(exams: pd.DataFrame, members: pd.DataFrame, a: str, b: str, rank_limit=20, progress_limit=10) -> set[str]:
    """The SPEC 5 rule written out again, plainly."""
    e = exams.set_index(C.ROSTER_ID)
    to_rank = e[b].rank(method="min", ascending=False)
    both = e[a].notna() & e[b].notna()
    gain = (e[a].rank(method="min", ascending=False) - to_rank)[both]
    gain_rank = gain.rank(method="min", ascending=False)
    good = set(gain_rank.index[(gain_rank <= progress_limit) & (gain > 0)])
    won = set()
    for rec in members.to_dict("records"):
        if C.ROLE_LEADER not in str(rec[C.GROUP_ROLES]).split("、"):
            continue
        sid = rec[C.GROUP_ID]
        if not (sid in to_rank.index and pd.notna(to_rank[sid]) and to_rank[sid] <= rank_limit):
            continue
        mates = members.loc[members[C.GROUP_NO] == rec[C.GROUP_NO]]
        if (set(mates.loc[mates[C.GROUP_LAYER] == "B", C.GROUP_ID]) & good) and (set(mates.loc[mates[C.GROUP_LAYER] == "C", C.GROUP_ID]) & good):
            won.add(sid)
    return won


def test_term_awards_and_certificates(class_book, soffice, poppler, tmp_path):
    roster = roster_of(class_book)
    members = make_members(roster, 7)
    grecs, precs = class_records(members, school_days(date(2026, 11, 2), 1), seed=3, items_per_day=3)
    rng = np.random.default_rng(4)
    mid = roster[C.ROSTER_TOTAL].round().astype("int64")
    exams = pd.DataFrame({C.ROSTER_ID: roster[C.ROSTER_ID], C.ROSTER_NAME: roster[C.ROSTER_NAME],
                          "期中": mid, "期末": mid + rng.integers(-80, 80, len(mid))})
    exams.loc[5, "期末"] = None  # one student missed the final
    write_class(class_book, members, grecs, precs, exams)
    report = term(class_book, "期中", "期末", day="2027-01-22")
    opened = FileBook.open(class_book)
    first = {s: opened.read_values(s) for s in (C.TERM_AWARDS, C.CERTIFICATES)}
    term(class_book, "期中", "期末", day="2027-01-22")  # re-running changes nothing
    opened = FileBook.open(class_book)
    assert first == {s: opened.read_values(s) for s in (C.TERM_AWARDS, C.CERTIFICATES)}
    typed, _, _ = read_exams(opened.read_values(C.EXAMS))
    expected = independent_star_leaders(typed, members, "期中", "期末")
    leaders = report.data["leaders"]
    won = set(members.set_index(C.GROUP_NAME_COL).loc[leaders.loc[leaders[C.COL_RESULT_TEXT] == "明星组长", C.ROLE_LEADER], C.GROUP_ID])
    assert won == expected
    assert len(leaders) == 7  # every 大组长 is listed with the figures that decided it
    # 先进小组: the three best groups by records; 优秀组员: the best member of each group
    totals = grecs.groupby(C.REC_GROUP)[C.REC_POINTS].sum()
    best3 = set(totals.index[totals.rank(method="min", ascending=False) <= 3])
    groups = report.data["groups"]
    assert set(groups.loc[groups[C.COL_AWARD].notna(), C.GROUP_NO]) == best3
    own = precs.groupby(C.REC_ID)[C.REC_POINTS].sum()
    by_group = members.assign(t=members[C.GROUP_ID].map(own).fillna(0)).groupby(C.GROUP_NO)["t"].transform("max")
    best_members = set(members.loc[members[C.GROUP_ID].map(own).fillna(0) == by_group, C.GROUP_ID])
    assert set(report.data["members"][C.GROUP_ID]) == best_members
    # 期末评优 shows it all
    values = FileBook.open(class_book).read_values(C.TERM_AWARDS)
    assert values[0][0] == f"初二(3)班 {term_name(DEFAULT)} 期末评优（期中→期末）"
    flat = {v for row in values for v in row if v is not None}
    assert {C.TERM_SECTION_LEADERS, C.TERM_SECTION_GROUPS, C.TERM_SECTION_MEMBERS} <= flat
    # certificates: one sheet, one landscape page per award, made from 表样-证书
    awards = report.data["awards"]
    n = len(awards)
    assert n == len(won) + len(best3) + len(best_members)
    ws = load_workbook(class_book)[C.CERTIFICATES]
    assert ws.page_setup.orientation == "landscape" and len(ws.row_breaks.brk) == n - 1
    assert not ws.sheet_properties.pageSetUpPr.fitToPage
    from xlzu.pdf import print_sheets

    # 荣誉证书 and 期末评优 printed in one LibreOffice run, in that order, each from a new page: 期末评优's
    # pages are the ones its page header marks (C.PRIVATE, on each of its pages), the certificates' the
    # pages before them
    pdf = print_sheets(class_book, [C.CERTIFICATES, C.TERM_AWARDS], tmp_path / "证书.pdf")
    private = [k for k in range(1, pdf_pages(pdf) + 1) if C.PRIVATE in pdf_text(pdf, k)]
    assert private and private == list(range(private[0], pdf_pages(pdf) + 1))
    assert private[0] - 1 == n  # one page per award
    words = [w for w in pdf_words(pdf) if w["page"] <= n]
    for page, rec in enumerate(awards.to_dict("records"), start=1):
        text = pdf_text(pdf, page)
        assert "荣誉证书" in text.replace(" ", "") and "初二(3)班" in text and "2027年1月22日" in text
        assert rec[C.COL_AWARDEE] in text and rec[C.COL_AWARD] in text
        assert "班主任（签名）：____" in text.replace(" ", "")  # a line to sign on
        on_page = [w for w in words if w["page"] == page]
        W, H = on_page[0]["width"], on_page[0]["height"]
        # the 落款 (class, signature line, date) in the lower right quarter, the title above the middle
        for word in ("2027年1月22日", "班主任（签名）："):
            (found,) = [w for w in on_page if w["text"].startswith(word)]
            assert found["x0"] > W / 2 and found["y0"] > H / 2, (word, found)
        title = [w for w in on_page if w["text"] in ("荣", "荣誉证书")]
        assert title and title[0]["y1"] < H / 3
        # the salutation at the left margin, the body indented from it
        said = next(w for w in on_page if w["text"].endswith("同学："))
        salute = min(w["x0"] for w in on_page if abs(w["y0"] - said["y0"]) < 2)
        body = next(w for w in on_page if w["text"].startswith("在初二(3)班"))
        assert salute < W / 6 and body["x0"] > salute + 10
        if rec["group"]:  # a group's certificate names its members
            mine = members.loc[members[C.GROUP_NO] == rec[C.GROUP_NO], C.GROUP_NAME_COL]
            assert all(name in text for name in mine)
            assert f"第{rec[C.GROUP_NO]}组" in text
    # 期末评优: exam figures by name are for the teacher only, and no two lines of text overlap
    ws = load_workbook(class_book)[C.TERM_AWARDS]
    assert ws.oddHeader.right.text == C.PRIVATE and C.PRIVATE in str(values[1][0])
    assert_no_overlap([w for w in pdf_words(pdf) if w["page"] > n])


def assert_no_overlap(words: list[dict]) -> None:
    """No two printed words on a page cover the same spot (lines printed over each other)."""
    for page in {w["page"] for w in words}:
        on = [w for w in words if w["page"] == page]
        for i, a in enumerate(on):
            for b in on[i + 1:]:
                dx = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
                dy = min(a["y1"], b["y1"]) - max(a["y0"], b["y0"])
                assert dx <= 0.5 or dy <= 0.5, (a, b)


def test_term_needs_the_named_exams(class_book):
    with pytest.raises(InputError, match="没有“期终”这一列"):
        term(class_book, "期中", "期终")
    report = term(class_book)  # no scores yet: no 明星组长, no records: no other awards
    assert "要有两次考试的成绩" in report.lines[0]
    assert len(report.data["awards"]) == 0
    values = FileBook.open(class_book).read_values(C.CERTIFICATES)
    assert "还没有评出奖项" in values[0][0]


def test_a_bad_certificate_date_gets_a_chinese_message(class_book):
    result = CliRunner().invoke(app, ["term", str(class_book), "--date", "2027-13-01"])
    assert result.exit_code == 1
    assert "日期应写成 2026-11-24 这样的格式，而不是“2027-13-01”" in result.output
    assert "程序出错" not in result.output and "Traceback" not in result.output
