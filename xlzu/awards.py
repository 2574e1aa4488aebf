"""Term awards (SPEC 5): 明星组长, 先进小组, 优秀组员, and their certificates.

Pure pandas.  Rules (also in the README):

- 明星组长 (compares two exams of 考试成绩, e.g. 期中 → 期末): the 大组长's class
  rank by the later exam's total is within 设置's 明星组长-总分名次 (20), AND
  the group has a 善学 (B) member and a 勤学 (C) member who are both within
  the class's top 明星组长-进步名次 (10) for rank improvement between the two
  exams.  Ranks: highest total 1st, ties share the best rank (1, 2, 2, 4),
  among the students with a score.  Improvement = earlier rank − later rank;
  only a real improvement (> 0) counts; its rank is taken among the students
  with both scores.  A student with a missing score has no rank (缺考).
  Layers are 分组's (指定层次 wins over 层次); a group's best B and best C
  member (by improvement rank) are shown with their figures.
- 先进小组: the groups placed 1st–contract.ADVANCED_GROUPS by the term's
  小组记录 total (ties share a place, so more may win); none without records.
- 优秀组员: in each group (as on 分组 now) the member(s) with the highest
  term total of 个人记录 (ties: all; a total of 0 or less wins nothing).
- 荣誉证书: one A4 landscape page per award winner (a group's certificate is
  one page for the whole group), made from the hidden form 表样-证书.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

import numpy as np
import pandas as pd

from . import cells, schema
from . import contract as C
from .dates import long_date
from .errors import CellProblem
from .layout import Layout, PrintSetup, range_ref
from .settings import Settings
from .stack import Stack
from .weekly import group_label, people, rank_desc, tidy



# --------------------------------------------------------------------------
# 考试成绩
# --------------------------------------------------------------------------
def read_exams(values: list[list[Any]], ids: Iterable[str] | None = None) -> tuple[pd.DataFrame, list[str], list[CellProblem]]:
    """(table, exam names, problems).  The table has 学号, 姓名 and one float
    column per exam (NaN = no score: blank or 缺考).

    The table is found by its header (学号 and the exam columns after 姓名)
    and read to the last used row; a cleared row is skipped.  学号 is
    written as 花名册 writes it (``ids``, the class's 学号): 12 typed for
    00012 is the same student.  A repeated 学号, and with ``ids`` a 学号 not
    in the class, is a problem naming its cell."""
    read = schema.read(values, schema.EXAMS)
    problems = list(read.problems)
    if not read.found:
        problems.append(CellProblem(C.EXAMS, "A1", None, "应有一行列名：学号、姓名，后面每次考试一列（如 期中、期末）"))
        return pd.DataFrame(columns=list(C.EXAM_FIXED_COLUMNS)), [], problems
    exams = list(read.open_columns)
    frame = read.frame
    known = {cells.id_key(i): i for i in ids} if ids is not None else None
    sids = []
    for sid, row in zip(frame[C.ROSTER_ID], frame["_row"]):
        if known is not None:
            if cells.id_key(sid) not in known:
                problems.append(CellProblem(C.EXAMS, read.ref(int(row), C.ROSTER_ID), sid,
                                            f"学号不在“{C.GROUPS}”中：请核对学号，或删掉这一行"))
            sid = known.get(cells.id_key(sid), sid)
        sids.append(sid)
    df = pd.DataFrame({C.ROSTER_ID: pd.Series(sids, dtype=object),
                       C.ROSTER_NAME: pd.Series(list(frame[C.ROSTER_NAME]), dtype=object)})
    for e in exams:
        df[e] = pd.to_numeric(pd.Series(list(frame[e]), dtype=object), errors="coerce").astype("float64")
    return df, exams, problems


def exams_with_scores(exams: pd.DataFrame, names: list[str]) -> list[str]:
    return [e for e in names if exams[e].notna().any()]


# --------------------------------------------------------------------------
# 明星组长
# --------------------------------------------------------------------------
def layer_member(layer: str) -> str:
    """善学生 / 勤学生"""
    return f"{C.LAYER_NAMES[layer]}生"


def exam_ranks(exams: pd.DataFrame, from_exam: str, to_exam: str) -> pd.DataFrame:
    """Per student: both ranks, the improvement and its rank (index 学号)."""
    df = exams.set_index(C.ROSTER_ID)
    out = pd.DataFrame(index=df.index)
    out["from_rank"] = rank_desc(df[from_exam])
    out["to_total"] = df[to_exam]
    out["to_rank"] = rank_desc(df[to_exam])
    both = out["from_rank"].notna() & out["to_rank"].notna()
    progress = (out["from_rank"].astype("float64") - out["to_rank"].astype("float64")).where(both)
    out["progress"] = progress
    out["progress_rank"] = rank_desc(progress)
    return out


def leader_ids(members: pd.DataFrame) -> list[str]:
    out = []
    for sid, roles in zip(members[C.GROUP_ID], members[C.GROUP_ROLES]):
        text = roles if isinstance(roles, str) else ""
        parts = [p.strip() for p in text.replace(",", C.ROLE_SEPARATOR).replace("，", C.ROLE_SEPARATOR).split(C.ROLE_SEPARATOR)]
        if C.ROLE_LEADER in parts:
            out.append(sid)
    return out


def star_leaders(exams: pd.DataFrame, members: pd.DataFrame, teams: pd.DataFrame, settings: Settings,
                 from_exam: str, to_exam: str) -> pd.DataFrame:
    """One row per 大组长 with the figures that decide 明星组长 (none without
    two exams)."""
    b, c = layer_member("B"), layer_member("C")
    cols = [C.GROUP_NO, C.GROUP_TEAM_NAME, C.ROLE_LEADER, f"{to_exam}总分", f"{to_exam}名次",
            b, f"{b}{C.COL_PROGRESS}", f"{b}{C.COL_PROGRESS_RANK}", c, f"{c}{C.COL_PROGRESS}", f"{c}{C.COL_PROGRESS_RANK}",
            C.COL_RESULT_TEXT]
    if not from_exam or not to_exam:
        return pd.DataFrame(columns=cols)
    ranks = exam_ranks(exams, from_exam, to_exam)
    who = people(members, pd.DataFrame(columns=[C.REC_DATE, C.REC_ID, C.REC_NAME]))
    names = dict(zip(teams[C.GROUP_NO].astype(int), teams[C.GROUP_TEAM_NAME]))
    limit_rank, limit_progress = settings.star_leader_rank, settings.star_leader_progress
    rows = []
    for sid in leader_ids(members):
        me = who.loc[who[C.GROUP_ID] == sid].iloc[0]
        g = me[C.GROUP_NO]
        mates = who.loc[(who[C.GROUP_NO] == g) & (who[C.GROUP_ID] != sid)] if pd.notna(g) else who.iloc[0:0]
        row: dict[str, Any] = {C.GROUP_NO: int(g) if pd.notna(g) else None,
                               C.GROUP_TEAM_NAME: names.get(int(g)) if pd.notna(g) else None,
                               C.ROLE_LEADER: me[C.GROUP_NAME_COL]}
        total = ranks["to_total"].get(sid, np.nan)
        rank = ranks["to_rank"].get(sid, pd.NA)
        row[f"{to_exam}总分"] = total
        row[f"{to_exam}名次"] = rank
        reasons = []
        if pd.isna(rank):
            reasons.append(f"缺{to_exam}成绩")
        elif int(rank) > limit_rank:
            reasons.append(f"{to_exam}名次 {int(rank)} 不在前{limit_rank}名")
        for layer, label in (("B", b), ("C", c)):
            pick = _best_progress(mates.loc[mates[C.GROUP_LAYER] == layer], ranks)
            if pick is None:
                row[label] = None
                row[f"{label}{C.COL_PROGRESS}"] = None
                row[f"{label}{C.COL_PROGRESS_RANK}"] = None
                reasons.append(f"本组没有{label}（{layer}层）" if not len(mates.loc[mates[C.GROUP_LAYER] == layer])
                               else f"{label}缺{from_exam}或{to_exam}成绩")
                continue
            name, progress, prank = pick
            row[label] = name
            row[f"{label}{C.COL_PROGRESS}"] = progress
            row[f"{label}{C.COL_PROGRESS_RANK}"] = prank
            if progress <= 0:
                reasons.append(f"{label}{name}名次没有进步")
            elif prank > limit_progress:
                reasons.append(f"{label}{name}进步名次 {prank} 不在前{limit_progress}名")
        row[C.COL_RESULT_TEXT] = C.AWARD_STAR_LEADER if not reasons else "未评上：" + "；".join(reasons)
        rows.append(row)
    out = pd.DataFrame(rows, columns=cols)
    for col in (f"{to_exam}名次", f"{b}{C.COL_PROGRESS}", f"{b}{C.COL_PROGRESS_RANK}", f"{c}{C.COL_PROGRESS}",
                f"{c}{C.COL_PROGRESS_RANK}", C.GROUP_NO):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("Int64")
    out[f"{to_exam}总分"] = pd.to_numeric(out[f"{to_exam}总分"], errors="coerce").astype("float64")
    return out.assign(_g=out[C.GROUP_NO].fillna(10**6)).sort_values("_g", kind="stable").drop(columns="_g").reset_index(drop=True)


def _best_progress(candidates: pd.DataFrame, ranks: pd.DataFrame) -> tuple[str, int, int] | None:
    """(name, improvement, improvement rank) of the candidate with the best
    improvement rank; None when nobody has both scores."""
    best = None
    for sid, name in zip(candidates[C.GROUP_ID], candidates[C.GROUP_NAME_COL]):
        if sid not in ranks.index or pd.isna(ranks.at[sid, "progress_rank"]):
            continue
        pr, p = int(ranks.at[sid, "progress_rank"]), int(ranks.at[sid, "progress"])
        if best is None or pr < best[2]:
            best = (name, p, pr)
    return best


# --------------------------------------------------------------------------
# 先进小组, 优秀组员
# --------------------------------------------------------------------------
def advanced_groups(group_records: pd.DataFrame, teams: pd.DataFrame) -> pd.DataFrame:
    recs = group_records.dropna(subset=[C.REC_GROUP])
    index = pd.Index(sorted(set(teams[C.GROUP_NO].astype(int)) | set(recs[C.REC_GROUP].astype(int))), dtype="int64")
    total = tidy(recs[C.REC_POINTS].groupby(recs[C.REC_GROUP].astype("int64")).sum().reindex(index, fill_value=0.0).astype("float64"))
    names = dict(zip(teams[C.GROUP_NO].astype(int), teams[C.GROUP_TEAM_NAME]))
    rank = rank_desc(total)
    out = pd.DataFrame({C.COL_RANK: rank.to_numpy(), C.GROUP_NO: index.to_numpy(),
                        C.GROUP_TEAM_NAME: [names.get(g, f"第{g}组") for g in index], C.COL_TOTAL: total.to_numpy()})
    won = (rank <= C.ADVANCED_GROUPS).to_numpy() & (len(recs) > 0)
    out[C.COL_AWARD] = pd.Series([C.AWARD_ADVANCED_GROUP if w else None for w in won], dtype=object)
    return out.sort_values([C.COL_RANK, C.GROUP_NO], kind="stable").reset_index(drop=True)


def outstanding_members(person_records: pd.DataFrame, members: pd.DataFrame, teams: pd.DataFrame) -> pd.DataFrame:
    who = people(members, person_records)
    who = who.loc[who[C.GROUP_NO].notna()]
    recs = person_records.dropna(subset=[C.REC_ID])
    total = tidy(recs[C.REC_POINTS].groupby(recs[C.REC_ID]).sum().reindex(pd.Index(who[C.GROUP_ID], dtype=object), fill_value=0.0).astype("float64"))
    names = dict(zip(teams[C.GROUP_NO].astype(int), teams[C.GROUP_TEAM_NAME]))
    rows = []
    for g in sorted(set(who[C.GROUP_NO].astype(int))):
        mine = who.loc[who[C.GROUP_NO] == g]
        t = total.reindex(pd.Index(mine[C.GROUP_ID], dtype=object))
        if not len(t) or t.max() <= 0:
            continue
        for sid in t.index[t == t.max()]:
            rows.append({C.GROUP_NO: g, C.GROUP_TEAM_NAME: names.get(g, f"第{g}组"), C.GROUP_ID: sid,
                         C.GROUP_NAME_COL: mine.loc[mine[C.GROUP_ID] == sid, C.GROUP_NAME_COL].iloc[0],
                         C.COL_TOTAL: float(t[sid]), C.COL_AWARD: C.AWARD_OUTSTANDING_MEMBER})
    out = pd.DataFrame(rows, columns=[C.GROUP_NO, C.GROUP_TEAM_NAME, C.GROUP_ID, C.GROUP_NAME_COL, C.COL_TOTAL, C.COL_AWARD])
    out[C.GROUP_NO] = out[C.GROUP_NO].astype("int64")
    out[C.COL_TOTAL] = out[C.COL_TOTAL].astype("float64")
    return out


# --------------------------------------------------------------------------
# The term's awards and their sheets
# --------------------------------------------------------------------------
def term_name(settings: Settings) -> str:
    """2026—2027学年第一学期 (a term starting August–January is the first)."""
    s = settings.term_start
    if s.month >= 8:
        return f"{s.year}—{s.year + 1}学年第一学期"
    if s.month == 1:
        return f"{s.year - 1}—{s.year}学年第一学期"
    return f"{s.year - 1}—{s.year}学年第二学期"


@dataclass
class TermSummary:
    from_exam: str | None
    to_exam: str | None
    leaders: pd.DataFrame
    groups: pd.DataFrame
    members: pd.DataFrame
    day: date

    def awards(self) -> pd.DataFrame:
        """Every award: 称号, 获奖者 (a person or a group), 组号 — one row per certificate."""
        rows = []
        for rec in self.leaders.to_dict("records"):
            if rec[C.COL_RESULT_TEXT] == C.AWARD_STAR_LEADER:
                rows.append({C.COL_AWARD: C.AWARD_STAR_LEADER, C.COL_AWARDEE: rec[C.ROLE_LEADER], C.GROUP_NO: rec[C.GROUP_NO],
                             "group": False})
        for rec in self.groups.to_dict("records"):
            if isinstance(rec[C.COL_AWARD], str) and rec[C.COL_AWARD]:
                rows.append({C.COL_AWARD: C.AWARD_ADVANCED_GROUP, C.COL_AWARDEE: group_label(rec[C.GROUP_NO], rec[C.GROUP_TEAM_NAME]),
                             C.GROUP_NO: rec[C.GROUP_NO], "group": True})
        for rec in self.members.to_dict("records"):
            rows.append({C.COL_AWARD: C.AWARD_OUTSTANDING_MEMBER, C.COL_AWARDEE: rec[C.GROUP_NAME_COL], C.GROUP_NO: rec[C.GROUP_NO],
                         "group": False})
        return pd.DataFrame(rows, columns=[C.COL_AWARD, C.COL_AWARDEE, C.GROUP_NO, "group"])


def term_layout(summary: TermSummary, settings: Settings) -> Layout:
    """期末评优: every decision with the figures behind it."""
    width = max(len(summary.leaders.columns), 6)
    s = Stack(width)
    span = f"（{summary.from_exam}→{summary.to_exam}）" if summary.from_exam else ""
    s.title(f"{settings.class_name} {term_name(settings)} 期末评优{span}")
    s.subtitle(f"{long_date(summary.day)}；证书见“{C.CERTIFICATES}”　{C.PRIVATE_NOTE}")
    s.blank()
    s.section(C.TERM_SECTION_LEADERS)
    b, c = layer_member("B"), layer_member("C")
    s.hint(f"标准：大组长{summary.to_exam or '后一次考试'}总分班级名次在前{settings.star_leader_rank}名以内，且本组 1 位{b}、"
           f"1 位{c}的名次进步（{summary.from_exam or '前一次'}名次 − {summary.to_exam or '后一次'}名次）都在全班前"
           f"{settings.star_leader_progress}名；名次并列按同一名次算，缺考没有名次。")
    if len(summary.leaders):
        # The 明星组长 first (then the others), each part by group: the highlighted rows are
        # one block, however many win.
        won = (summary.leaders[C.COL_RESULT_TEXT] == C.AWARD_STAR_LEADER).to_numpy()
        leaders = pd.concat([summary.leaders.loc[won], summary.leaders.loc[~won]], ignore_index=True)
        marks = [(i, "star") for i in range(int(won.sum()))]
        s.table(leaders, styles={C.COL_RESULT_TEXT: "left"}, widths={C.COL_RESULT_TEXT: 56}, row_styles=marks, fit_rows=True)
    else:
        s.hint(f"没有评比：{C.EXAMS}中需要两次考试的成绩，{C.GROUPS}中需要有大组长。")
    s.blank()
    s.section(C.TERM_SECTION_GROUPS)
    s.hint(f"按全学期{C.GROUP_RECORDS}的合计排名，前{C.ADVANCED_GROUPS}名（并列都算）为{C.AWARD_ADVANCED_GROUP}。")
    marks = [(i, "star") for i, a in enumerate(summary.groups[C.COL_AWARD]) if isinstance(a, str) and a]
    s.table(summary.groups, styles={C.COL_TOTAL: "total"}, row_styles=marks)
    s.blank()
    s.section(C.TERM_SECTION_MEMBERS)
    s.hint(f"每组全学期{C.PERSON_RECORDS}合计最高的组员（并列都算）。")
    if len(summary.members):
        s.table(summary.members, styles={C.GROUP_ID: "id", C.COL_TOTAL: "total"})
    else:
        s.hint("还没有个人记录。")
    layout = s.layout
    layout.print = PrintSetup(orientation="landscape", fit_width=1, fit_height=0, header_right=C.PRIVATE,
                              footer="第 &P 页，共 &N 页")
    return layout


# Certificate geometry: one landscape A4 page at 100 % per certificate, inside
# a double frame; 10 columns (a narrow one each side of the frame's inside).
CERT_COLS = 10
CERT_WIDTHS = (2,) + (12.5,) * 8 + (2,)  # characters (LibreOffice draws a character wider than Excel)
# (role, height in points): the block of one certificate, top to bottom; it sums
# to less than a landscape A4 page between the margins (523 pt).
CERT_ROWS = (("top", 18), ("title", 66), ("gap", 12), ("salute", 40), ("body", 104), ("award", 62),
             ("members", 48), ("closing", 34), ("gap2", 16), ("school", 26), ("signature", 30), ("date", 26), ("bottom", 22))
CERT_MARGINS = (0.5, 0.5, 0.5, 0.5)


@dataclass(frozen=True)
class CertificateText:
    """What one certificate says; the look is :func:`render_certificates`'s.

    ``members`` lists a group's members (printed under the award);
    ``sign`` is the three lines at the bottom right (issuer, signer, date)."""

    addressee: str  # 张三 同学： / 第3组 雄鹰 全体同学：
    reason: str  # 在…中，<what the award is for>，被评为
    award: str
    sign: tuple[str, str, str]
    members: tuple[str, ...] = ()


def award_reason(award: str, group: str, settings: Settings) -> str:
    """The sentence of a certificate that says what this award is for (no figures)."""
    if award == C.AWARD_STAR_LEADER:
        return (f"作为{group}的{C.ROLE_LEADER}，你以身作则、带领组员互帮互学，本人成绩优异，"
                f"组内{layer_member('B')}、{layer_member('C')}进步显著，")
    if award == C.AWARD_ADVANCED_GROUP:
        return "全组同学团结协作、互帮互学、积极进取，小组考核成绩名列全班前茅，"
    if award == C.AWARD_OUTSTANDING_MEMBER:
        return f"作为{group}的一员，你认真预习、积极展示、大胆质疑，个人考核成绩在组内最为突出，"
    return "表现优异，"


def certificates_layout(summary: TermSummary, settings: Settings, members: pd.DataFrame | None = None) -> Layout:
    """荣誉证书: one certificate per award, each with the award's own reason
    and, on a group's certificate, its members (分组 as it is now)."""
    term = term_name(settings)
    sign = (" ".join(x for x in (settings.school, settings.class_name) if x),
            f"班主任（签名）：{settings.head_teacher or ''}______________",
            f"{summary.day.year}年{summary.day.month}月{summary.day.day}日")
    teams = {int(g): t for g, t in zip(summary.groups[C.GROUP_NO], summary.groups[C.GROUP_TEAM_NAME])}
    certs = []
    for rec in summary.awards().to_dict("records"):
        g = rec[C.GROUP_NO]
        has_group = g is not None and pd.notna(g)
        group = group_label(int(g), teams.get(int(g), "")) if has_group else ""
        who = rec[C.COL_AWARDEE]
        certs.append(CertificateText(
            f"{who} 全体同学：" if rec["group"] else f"{who} 同学：",
            f"在{settings.class_name}{term}的小组合作学习中，" + award_reason(rec[C.COL_AWARD], group, settings) + "被评为",
            rec[C.COL_AWARD], sign,
            _members(members, int(g)) if rec["group"] and has_group else ()))
    return render_certificates(certs, "本学期还没有评出奖项（见“期末评优”）。")


def render_certificates(certs: list[CertificateText], empty_hint: str) -> Layout:
    """One landscape A4 certificate per page (manual page breaks between
    them), framed: the title, the salutation at the margin, the indented
    body, the award in large type, the members of a group, and at the bottom
    right the 落款 (issuer, signature line, date) with room for a seal.  The
    title and the award are styled from 表样-证书's samples (huge, big).
    Used by the class's 荣誉证书 and the school's 校级证书 alike."""
    layout = Layout()
    rows = layout.rows
    n = CERT_COLS
    inner = lambda r: range_ref(r, 2, r, n - 1)  # noqa: E731
    right = lambda r: range_ref(r, 6, r, n - 1)  # noqa: E731
    for k, cert in enumerate(certs):
        top = len(rows) + 1
        at = {role: top + i for i, (role, _) in enumerate(CERT_ROWS)}
        text = {
            "title": "荣 誉 证 书",
            "salute": cert.addressee,
            "body": cert.reason,
            "award": cert.award,
            "members": "组员：" + "、".join(cert.members) if cert.members else None,
            "closing": "特发此证，以资鼓励。",
            "school": cert.sign[0],
            "signature": cert.sign[1],
            "date": cert.sign[2],
        }
        for role, height in CERT_ROWS:
            r = at[role]
            row = [None] * n
            value = text.get(role)
            if role in ("school", "signature", "date"):
                row[5] = value
            elif value is not None:
                row[1] = value
            rows.append(row)
            layout.heights[r] = height
        for role, key in (("title", "huge"), ("salute", "cert_salute"), ("body", "cert_body"),
                          ("award", "big"), ("members", "cert_members"), ("closing", "cert_body")):
            layout.merges.append(inner(at[role]))
            layout.style(inner(at[role]), key)
        for role in ("school", "signature", "date"):
            layout.merges.append(right(at[role]))
            layout.style(right(at[role]), "cert_sign")
        layout.style(range_ref(top, 1, at["bottom"], n), "cert_frame")
        if k < len(certs) - 1:
            layout.page_breaks.append(at["bottom"])
    if not len(certs):
        rows.append([empty_hint])
        layout.style("A1", "hint")
    layout.widths = {j: w for j, w in enumerate(CERT_WIDTHS, start=1)}
    # No fitting: each block is one page at 100 %, the breaks separate them.
    layout.print = PrintSetup(orientation="landscape", paper="A4", fit_width=0, fit_height=0,
                              area=range_ref(1, 1, max(len(rows), 1), n),
                              margins=CERT_MARGINS, center_horizontally=True, center_vertically=True)
    return layout


def _members(members: pd.DataFrame | None, group: int) -> tuple[str, ...]:
    """A group's members: 大组长 first, then the others by 代号 (分组 as it is now)."""
    if members is None or not len(members):
        return ()
    mine = members.loc[pd.to_numeric(members[C.GROUP_NO], errors="coerce") == group]
    mine = mine.assign(_c=mine[C.GROUP_CODE].fillna("").astype(str), _l=[0 if sid in set(leader_ids(mine)) else 1
                                                                         for sid in mine[C.GROUP_ID]])
    return tuple(n for n in mine.sort_values(["_l", "_c"], kind="stable")[C.GROUP_NAME_COL] if isinstance(n, str) and n)
