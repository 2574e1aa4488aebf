"""The declared tables: found by their header, read whole, written back
keeping what the teacher added.  A property test over random tables on a
real file: read → write → read gives the same records and leaves the
teacher's cells where they were."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from datetime import datetime

from hypothesis import example, given, settings, strategies as st

from xlzu import cells, schema
from xlzu import contract as C
from xlzu.book.files import FileBook
from xlzu.layout import Layout
from xlzu.records import read_table, records_layout

COLS = list(C.PERSON_RECORD_COLUMNS)


@st.composite
def sheets(draw):
    n = draw(st.integers(0, 12))
    recs = []
    for k in range(n):
        recs.append([pd.Timestamp(2026, 11, draw(st.integers(23, 27))).to_pydatetime(),
                     f"S{draw(st.integers(1, 6)):02d}", "甲", draw(st.integers(1, 3)), C.CAT_SELF_STUDY,
                     draw(st.sampled_from(["预习", "作业", "展示"])) + str(k), draw(st.integers(-5, 5)),
                     draw(st.sampled_from([None, "请假", "==请假==", "=1/0"])), "日表-第1组!D5"])
    above = draw(st.lists(st.sampled_from([["说明：请勿删除"], [None], ["核对人", "王老师"]]), max_size=3))
    # teacher's columns: positions among the 9 + extras (0 = left of 日期)
    extra_at = draw(st.lists(st.integers(0, len(COLS)), max_size=3, unique=True))
    blanks = draw(st.lists(st.integers(0, max(n, 0)), max_size=4))
    marks = draw(st.lists(st.sampled_from(["√", "已核", 7, "=待查"]), min_size=n, max_size=n))
    return recs, above, sorted(extra_at), blanks, marks


def grid_of(recs, above, extra_at, blanks, marks):
    def spread(row, extras):
        out = []
        for j, v in enumerate(row + [None]):
            for e in extra_at:
                if e == j:
                    out.append(extras.get(e))
            if j < len(row):
                out.append(v)
        return out

    rows = [list(r) for r in above]
    rows.append(spread(COLS, {e: f"备用{e}" for e in extra_at}))
    body = [spread(list(r), {e: m for e in extra_at}) for r, m in zip(recs, marks)]
    for b in sorted(blanks, reverse=True):
        body.insert(min(b, len(body)), [None] * len(rows[-1]))
    return rows + body


def file_values(path: Path, sheet: str, layout: Layout) -> list[list]:
    book = FileBook.create(path)
    book.write_layout(sheet, layout)
    book.save()
    return FileBook.open(path, require_contract=False).read_values(sheet)


def extra_cells(read: schema.TableRead, df: pd.DataFrame) -> dict:
    """Record key → its teacher's cells (values as text)."""
    out = {}
    for rec, row in zip(df.itertuples(index=False), read.frame["_row"]):
        key = (getattr(rec, "日期"), getattr(rec, "学号"), getattr(rec, "项目"))
        out[key] = {read.extra_headers.get(j): cells.text(v) for j, v in read.extras.get(int(row), {}).items()}
    return out


@settings(max_examples=25, deadline=None)
@given(sheets())
@example(([[datetime(2026, 11, 23), "S01", "甲", 1, C.CAT_SELF_STUDY, "预习0", 2, "=1/0", "日表-第1组!D5"],
           [datetime(2026, 11, 24), "S02", "甲", 2, C.CAT_SELF_STUDY, "作业1", -1, None, "日表-第2组!D6"]],
          [["核对人", "王老师"]], [0, len(COLS)], [1], ["√", "=待查"]))
def test_read_write_read_keeps_records_and_teacher_cells(sheet):
    recs, above, extra_at, blanks, marks = sheet
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.xlsx"
        values = file_values(path, C.PERSON_RECORDS, Layout(rows=grid_of(*sheet)))
        df1, read1 = read_table(values, "person")
        assert read1.problems == []
        assert len(df1) == len(recs)  # blank rows skipped, not an end; rows above not records
        assert list(df1[C.REC_NOTE]) == [r[7] for r in recs]
        # each record carries the marks the teacher typed beside it, under the teacher's own headers
        expected = [{f"备用{e}": cells.text(m) for e in extra_at} for m in marks]
        assert list(extra_cells(read1, df1).values()) == expected
        values2 = file_values(path, C.PERSON_RECORDS, records_layout(df1, "person", read1))
        df2, read2 = read_table(values2, "person")
        pd.testing.assert_frame_equal(df1, df2)
        assert extra_cells(read1, df1) == extra_cells(read2, df2)
        assert {cells.text(v) for v in read1.extra_headers.values()} == {cells.text(v) for v in read2.extra_headers.values()}
        assert [[cells.text(v) for v in r if not cells.is_blank(v)] for r in read1.above] == \
               [[cells.text(v) for v in r if not cells.is_blank(v)] for r in read2.above]
        # the teacher's columns are where they were
        assert sorted(read1.extra_headers) == sorted(read2.extra_headers)
        assert read1.col == read2.col


def test_a_table_is_found_below_inserted_rows_and_right_of_inserted_columns():
    values = [["备忘"], [], [None, "学号", "姓名", "期中"], [None, "012", "甲", 500], [], [None, "013", "乙", "缺考"]]
    read = schema.read(values, schema.EXAMS)
    assert read.header == 2 and read.col[C.ROSTER_ID] == 1 and read.open_columns == ["期中"]
    assert list(read.frame[C.ROSTER_ID]) == ["012", "013"] and list(read.frame["_row"]) == [4, 6]
    assert read.frame["期中"].tolist() == [500.0, None]


def test_cell_vocabulary():
    assert cells.number("３") == 3 and cells.number("−2") == -2 and cells.number("nan") is None
    assert cells.number(float("inf")) is None and cells.form_number("−2") is None
    assert cells.id_key("00012") == cells.id_key(12) == cells.id_key(12.0) == "12"
    assert cells.to_date("2026年11月24日").isoformat() == "2026-11-24"
    assert cells.is_locked("√") and not cells.is_locked("否")
    assert cells.gender("女生") == "女" and cells.rating("优秀") == 5


def test_exam_ids_pasted_as_numbers_match_the_class():
    from xlzu.awards import read_exams

    values = [["学号", "姓名", "期中"], [12, "甲", 500], [None], ["0013", "乙", 480], [12.0, "甲", 1], [99, "丙", 3]]
    exams, names, problems = read_exams(values, ids=["00012", "00013"])
    assert names == ["期中"] and list(exams[C.ROSTER_ID])[:2] == ["00012", "00013"]
    assert [str(p) for p in problems] == ["考试成绩!A5：“12” 学号与第2行重复，请删掉重复的行",
                                          "考试成绩!A6：“99” 学号不在“分组”中：请核对学号，或删掉这一行"]
