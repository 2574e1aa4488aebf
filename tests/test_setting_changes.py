"""A setting a teacher can change is tested by changing it on 设置.

Each test edits the 设置 sheet of a real workbook the way a teacher would
(openpyxl, the value cell beside the label), runs the operation, and checks
that what the teacher reads follows the new value: the 小组捆绑 weight on
周排名-个人, the 明星组长 thresholds on 期末评优, and which items count for a
star (with the rule that a star needs a figure above 0) on 月度评价.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from summary_helpers import demo_class_with_records, make_members, roster_of, write_class
from xlzu import contract as C
from xlzu import new_class
from xlzu.book.files import FileBook
from xlzu.demo import demo_roster_path
from xlzu.layout import clean_text
from xlzu.ops.summary import month, term, week
from xlzu.records import from_rows

MONDAY = date(2026, 11, 9)


def set_setting(path: Path, label: str, value) -> None:
    """Type ``value`` into the 值 cell beside ``label`` on 设置, and save."""
    wb = load_workbook(path)
    ws = wb[C.SETTINGS]
    for row in ws.iter_rows():
        if clean_text(row[0].value) == label:
            row[1].value = value
            break
    else:
        raise AssertionError(f"{label} not on 设置")
    wb.save(path)


def set_item_stars(path: Path, item: str, stars: str | None) -> None:
    """Change the 对应之星 cell of personal item ``item`` on 设置."""
    wb = load_workbook(path)
    ws = wb[C.SETTINGS]
    header = None
    for row in ws.iter_rows():
        texts = [clean_text(c.value) for c in row]
        if "对应之星" in texts and "项目" in texts:
            header = texts
            continue
        if header and clean_text(row[header.index("项目")].value) == item:
            row[header.index("对应之星")].value = stars
            break
    else:
        raise AssertionError(f"{item} not on 设置")
    wb.save(path)


def table_with(values: list[list], first_header: str) -> pd.DataFrame:
    """The table whose header row starts with ``first_header``."""
    for i, row in enumerate(values):
        if row and clean_text(row[0]) == first_header:
            header = [clean_text(v) for v in row]
            n = len([h for h in header if h])
            # table rows fill several cells; a note below the table fills one
            body = [r[:n] for r in values[i + 1:] if sum(v is not None and clean_text(v) != "" for v in r[:n]) >= 2]
            return pd.DataFrame(body, columns=header[:n])
    raise AssertionError(f"no table starting with {first_header}")


@pytest.fixture(scope="module")
def week_book(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("settings") / "班级.xlsx"
    demo_class_with_records(path, MONDAY, 1, seed=5)
    return path


@pytest.fixture
def copy_of(week_book, tmp_path):
    def make(name: str) -> Path:
        (tmp_path / name).mkdir()
        target = tmp_path / name / "班级.xlsx"
        shutil.copy(week_book, target)
        return target
    return make


@pytest.mark.parametrize("weight", [0, 2])
def test_bundle_weight_typed_on_settings_sets_every_composite(copy_of, weight):
    path = copy_of(f"w{weight}")
    set_setting(path, "小组捆绑权重", weight)
    week(path)
    people = table_with(FileBook.open(path).read_values(C.WEEK_PEOPLE), C.COL_COMPOSITE_RANK)
    assert len(people) == 52
    personal = people[C.COL_PERSONAL].astype(float)
    group = people[C.COL_GROUP_SCORE].astype(float)
    assert people[C.COL_BUNDLE].astype(float).tolist() == pytest.approx((weight * group).tolist())
    composite = people[C.COL_COMPOSITE].astype(float)
    assert composite.tolist() == pytest.approx((personal + weight * group).tolist())
    expected_rank = composite.rank(method="min", ascending=False).astype(int)
    assert people[C.COL_COMPOSITE_RANK].astype(int).tolist() == expected_rank.tolist()
    if weight == 0:  # nothing bundled: the class order is the personal order
        assert people[C.COL_COMPOSITE_RANK].astype(int).tolist() == people[C.COL_RANK_IN_CLASS].astype(int).tolist()


def test_a_bigger_bundle_weight_reorders_the_class(copy_of):
    ranks = {}
    for weight in (0, 3):
        path = copy_of(f"order{weight}")
        set_setting(path, "小组捆绑权重", weight)
        week(path)
        people = table_with(FileBook.open(path).read_values(C.WEEK_PEOPLE), C.COL_COMPOSITE_RANK).set_index(C.GROUP_ID)
        ranks[weight] = people[C.COL_COMPOSITE_RANK].astype(int)
        group_score = people[C.COL_GROUP_SCORE].astype(float)
    ranks[3] = ranks[3].reindex(ranks[0].index)
    assert not ranks[0].equals(ranks[3])
    # the students who gain places are those of the better groups
    best, worst = group_score.max(), group_score.min()
    gain = ranks[0] - ranks[3]
    assert gain[group_score == best].mean() > 0 > gain[group_score == worst].mean()


def test_a_weight_outside_its_range_is_refused_naming_the_cell(copy_of):
    path = copy_of("bad")
    set_setting(path, "小组捆绑权重", 9)
    before = FileBook.open(path).read_values(C.WEEK_PEOPLE)
    with pytest.raises(Exception) as info:
        week(path)
    message = str(info.value)
    row = next(i for i, r in enumerate(FileBook.open(path).read_values(C.SETTINGS), start=1) if r and r[0] == "小组捆绑权重")
    assert f"设置!B{row}" in message and "0–5" in message
    # nothing ranked with a weight the teacher has to correct; the cell is marked
    assert FileBook.open(path).read_values(C.WEEK_PEOPLE) == before
    fill = load_workbook(path)[C.SETTINGS][f"B{row}"].fill
    assert fill.fgColor.rgb.endswith(C.COLOR_BAD)


# ---- 明星组长: the two thresholds ----------------------------------------
# (学号, 组号, 层次, 职务, 期中, 期末)
LEADER_CLASS = [
    ("L1", 1, "A", "大组长", 610, 600),
    ("B1", 1, "B", "副组长", 400, 570),
    ("C1", 1, "C", "卫生组长", 380, 560),
    ("L2", 2, "A", "大组长", 600, 590),
    ("B2", 2, "B", "副组长", 330, 550),
    ("C2", 2, "C", "纪律组长", 310, 540),
    ("L3", 3, "A", "大组长", 500, 300),
    ("B3", 3, "B", "副组长", 300, 530),
    ("C3", 3, "C", "纪律组长", 350, 520),
]
# 期中 ranks: L1 1, L2 2, L3 3, B1 4, C1 5, C3 6, B2 7, C2 8, B3 9
# 期末 ranks: L1 1, L2 2, B1 3, C1 4, B2 5, C2 6, B3 7, C3 8, L3 9
# progress: B2 +2, C2 +2, B3 +2 (progress rank 1); B1 +1, C1 +1 (rank 4); C3 −2
# so (20, 10) → groups 1 and 2; (1, 10) → 1; (20, 1) and (2, 2) → 2; (1, 1) → none


def leader_members() -> pd.DataFrame:
    rows = [{C.GROUP_ID: sid, C.GROUP_NAME_COL: f"学生{sid}", C.GROUP_GENDER: "男", C.GROUP_LAYER: layer,
             C.GROUP_LAYER_OVERRIDE: None, C.GROUP_NO: g, C.GROUP_TEAM_NAME: f"{g}队", C.GROUP_CODE: f"{layer}1",
             C.GROUP_ROLES: roles, C.GROUP_LOCKED: None} for sid, g, layer, roles, _, _ in LEADER_CLASS]
    return pd.DataFrame(rows)


def expected_leaders(rank_limit: int, progress_limit: int) -> set[int]:
    e = pd.DataFrame([(s, a, b) for s, _, _, _, a, b in LEADER_CLASS], columns=["id", "a", "b"]).set_index("id")
    to_rank = e["b"].rank(method="min", ascending=False)
    gain = e["a"].rank(method="min", ascending=False) - to_rank
    gain_rank = gain.rank(method="min", ascending=False)
    good = set(gain_rank.index[(gain_rank <= progress_limit) & (gain > 0)])
    won = set()
    for sid, g, layer, _, _, _ in LEADER_CLASS:
        if layer == "A" and to_rank[sid] <= rank_limit and f"B{g}" in good and f"C{g}" in good:
            won.add(g)
    return won


@pytest.fixture(scope="module")
def leader_book(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("leaders") / "班级.xlsx"
    new_class(path, demo_roster_path(), class_name="初二(3)班")
    members = leader_members()
    day = pd.Timestamp(MONDAY)
    grecs = from_rows([{C.REC_DATE: day, C.REC_GROUP: g, C.REC_TEAM: f"{g}队", C.REC_CATEGORY: C.CAT_ETIQUETTE,
                        C.REC_ITEM: "文明礼仪", C.REC_RAW: str(g), C.REC_POINTS: float(g), C.REC_NOTE: None,
                        C.REC_SOURCE: C.DAILY_CLASS} for g in (1, 2, 3)], "group")
    exams = pd.DataFrame([(s, f"学生{s}", a, b) for s, _, _, _, a, b in LEADER_CLASS],
                         columns=[C.ROSTER_ID, C.ROSTER_NAME, "期中", "期末"])
    write_class(path, members, grecs, None, exams)
    return path


@pytest.mark.parametrize("rank_limit,progress_limit", [(20, 10), (1, 10), (20, 1), (2, 2), (1, 1)])
def test_star_leader_thresholds_typed_on_settings_decide_the_award(leader_book, tmp_path, rank_limit, progress_limit):
    path = tmp_path / "班级.xlsx"
    shutil.copy(leader_book, path)
    set_setting(path, "明星组长-总分名次", rank_limit)
    set_setting(path, "明星组长-进步名次", progress_limit)
    report = term(path, "期中", "期末", day="2027-01-22")
    leaders = report.data["leaders"]
    won = set(leaders.loc[leaders[C.COL_RESULT_TEXT] == C.AWARD_STAR_LEADER, C.GROUP_NO].astype(int))
    assert won == expected_leaders(rank_limit, progress_limit)
    # what the teacher reads: 期末评优 states the thresholds in force
    flat = " ".join(str(v) for row in FileBook.open(path).read_values(C.TERM_AWARDS) for v in row if v is not None)
    assert f"前{rank_limit}名" in flat
    certificates = " ".join(str(v) for row in FileBook.open(path).read_values(C.CERTIFICATES) for v in row if v is not None)
    assert certificates.count(C.AWARD_STAR_LEADER) >= len(won)


def test_the_thresholds_change_the_winners():
    """The parametrised cases above are not all the same answer."""
    answers = [expected_leaders(r, p) for r, p in [(20, 10), (1, 10), (20, 1), (2, 2), (1, 1)]]
    assert answers == [{1, 2}, {1}, {2}, {2}, set()]


# ---- stars: which items count (对应之星), and a figure must be above 0 -------

def star_book(tmp_path: Path, show_points: dict[int, float]) -> tuple[Path, list[str]]:
    """A class with one day of 展示 records: ``show_points`` maps a member's
    position in 分组 to their points (everyone else 0)."""
    path = tmp_path / "班级.xlsx"
    new_class(path, demo_roster_path(), class_name="初二(3)班")
    members = make_members(roster_of(path), 7)
    day = pd.Timestamp(MONDAY)
    rows = []
    for k, rec in enumerate(members.to_dict("records")):
        rows.append({C.REC_DATE: day, C.REC_ID: rec[C.GROUP_ID], C.REC_NAME: rec[C.GROUP_NAME_COL], C.REC_GROUP: rec[C.GROUP_NO],
                     C.REC_CATEGORY: C.CAT_PARTICIPATION, C.REC_ITEM: "展示", C.REC_POINTS: float(show_points.get(k, 0.0)),
                     C.REC_NOTE: None, C.REC_SOURCE: C.daily_group_sheet(rec[C.GROUP_NO])})
    write_class(path, members, None, from_rows(rows, "person"))
    return path, list(members[C.GROUP_ID])


def winners(report, star: str) -> set[str]:
    stars = report.data["stars"]
    return set(stars.loc[stars[C.COL_AWARD] == star, C.GROUP_ID])


def test_a_star_is_not_awarded_when_nobody_scored_above_zero(tmp_path):
    path, _ = star_book(tmp_path, {4: -1})
    report = month(path, "2026-11")
    assert winners(report, C.STAR_SHOWING) == set()
    assert any(line.startswith(f"{C.STAR_SHOWING}：") and "不评" in line for line in report.lines)


def test_a_star_goes_to_the_best_positive_figure(tmp_path):
    path, ids = star_book(tmp_path, {3: 2, 9: 2, 12: 1})
    report = month(path, "2026-11")
    assert winners(report, C.STAR_SHOWING) == {ids[3], ids[9]}  # a tie: both


def test_moving_an_item_to_another_star_on_settings_moves_its_points(tmp_path):
    path, ids = star_book(tmp_path, {5: 3})
    report = month(path, "2026-11")
    assert winners(report, C.STAR_SHOWING) == {ids[5]} and winners(report, C.STAR_QUESTIONING) == set()
    set_item_stars(path, "展示", C.STAR_QUESTIONING)
    report = month(path, "2026-11")
    assert winners(report, C.STAR_QUESTIONING) == {ids[5]}
    assert winners(report, C.STAR_SHOWING) == set()
