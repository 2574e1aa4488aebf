"""The cell vocabulary: what a typed cell means, in one place.

Every reader of the workbook (the declared tables of :mod:`xlzu.schema`,
设置, the daily forms, the roster import) turns a cell into a value with
these functions, so a blank, a number, a full-width digit, a date, a grade,
a place or a lock word is read the same way everywhere.  Pure Python and
pandas only: no workbook library.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime
from typing import Any

import pandas as pd

from . import contract as C


# --------------------------------------------------------------------------
# Raw values
# --------------------------------------------------------------------------
def plain(value: Any) -> Any:
    """A cell value as plain Python: None for blanks/NaN/NA, ints for whole
    floats, datetimes for dates, numpy scalars unwrapped."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool):
        return value
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalar
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
        if isinstance(value, float) and math.isnan(value):
            return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def text(value: Any) -> str:
    """A cell as stripped text ('' for blanks); 3.0 → '3', a date → 2026-11-24."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def is_blank(value: Any) -> bool:
    """Nothing in the cell but spaces (full-width ones too)."""
    return normalize(value) == ""


def normalize(value: Any) -> str:
    """Full-width → half-width (９０ → 90, Ａ → A, （ → ( ), surrounding
    spaces (also the ideographic space) stripped."""
    t = unicodedata.normalize("NFKC", text(value))
    return t.replace("\u3000", " ").strip()


def shown(value: Any) -> str | None:
    """What a message shows of a cell: its text, None when blank (never 'nan')."""
    return text(value) or None


# --------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def form_number(value: Any) -> float | None:
    """A number as the daily forms' 合计 formula reads it: 3, 2.5, "３",
    "+3", "－2" (full-width), " 2 ".  Text that is not plainly a number
    (1e3, 三, −2 with a math minus, nan, inf) is not."""
    value = plain(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    t = normalize(value)
    if not _NUMBER.fullmatch(t):
        return None
    return float(t)


def number(value: Any) -> float | None:
    """A number from any other cell: what :func:`form_number` reads, plus
    the math minus (−2) and inner spaces ("1 200").  Never NaN or infinite."""
    x = form_number(value)
    if x is not None:
        return x
    value = plain(value)
    if not isinstance(value, str):
        return None
    t = normalize(value).replace("−", "-").replace(" ", "")
    return float(t) if _NUMBER.fullmatch(t) else None


def whole(value: Any) -> int | None:
    """A whole number (3, "３", 3.0), else None."""
    x = number(value)
    return int(x) if x is not None and x.is_integer() else None


def fmt(x: float) -> str:
    """3.0 → '3', 2.5 → '2.5'."""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")


def to_date(value: Any) -> date | None:
    """A date cell, an Excel serial, or text such as 2026-11-24, 2026/11/24, 2026年11月24日."""
    value = plain(value)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and 20000 < value < 80000:  # an Excel serial
        return date.fromordinal(date(1899, 12, 30).toordinal() + int(value))
    m = _DATE.fullmatch(normalize(value))
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


# --------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------
_CJK = r"[\u3400-\u9fff\uf900-\ufaff]"


def student_id(value: Any) -> str:
    """学号 as text: 12, 12.0, "１２", " 12 " → "12".  Leading zeros are
    kept ("0012"): see :func:`id_key` for matching."""
    value = plain(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    t = re.sub(r"\s+", "", normalize(value))
    if re.fullmatch(r"\d+\.0+", t):
        t = t.split(".")[0]
    return t


def id_key(value: Any) -> str:
    """The key two 学号 are matched by: all digits → without leading zeros
    (00012 and 12, as a pasted number loses its zeros); else as written."""
    t = student_id(value)
    if t.isdigit():
        return t.lstrip("0") or "0"
    return t


def person_name(value: Any) -> str:
    """姓名: full-width folded, 张 三 → 张三, runs of spaces made one."""
    t = normalize(value)
    t = re.sub(rf"(?<={_CJK})\s+(?={_CJK})", "", t)
    return re.sub(r"\s+", " ", t).strip()


def gender(value: Any) -> str | None:
    """男 / 女 from 男, 男生, M, male, 1 …; None when blank or not a gender."""
    t = normalize(value).lower().replace(" ", "")
    return C.GENDER_ALIASES.get(t) if t else None


RATING_WORDS = {
    "优秀": 5, "优": 5, "A": 5, "良好": 4, "良": 4, "B": 4, "中等": 3, "中": 3, "C": 3,
    "合格": 2, "及格": 2, "D": 2, "待提高": 1, "差": 1, "较差": 1, "E": 1,
}


def rating(value: Any) -> float | None:
    """学习品质 / 组织能力: a number, or a word (优秀 = 5 … 差 = 1)."""
    x = number(value)
    if x is not None:
        return x
    return RATING_WORDS.get(normalize(value).upper().replace(" ", ""))


MISSING_SCORE = ("缺考", "缺", "免考", "缓考", "未考", "作弊", "无", "-", "/", "—", "请假")


def is_missing_score(value: Any) -> bool:
    """缺考, 免考, - … : no score, on purpose."""
    return normalize(value) in MISSING_SCORE


# --------------------------------------------------------------------------
# Codes
# --------------------------------------------------------------------------
def layer(value: Any) -> str | None:
    """层次 A–D ('' → None); ``False`` when it is something else."""
    t = normalize(value).upper()
    if not t:
        return None
    return t if t in C.LAYERS else False  # type: ignore[return-value]


LOCK_WORDS = {"是", "y", "yes", "1", "√", "✓", "锁", "锁定", "true", "x", "✔"}


def is_locked(value: Any) -> bool:
    """锁定: 是, Y, 1, √, 锁 … all count."""
    return normalize(value).lower() in LOCK_WORDS


def grade(value: Any, keys: tuple[str, ...]) -> str | None:
    """A grade letter among ``keys`` (A/B/C/D), full-width and lower case folded."""
    if not isinstance(plain(value), str):
        return None
    t = normalize(value).upper()
    return t if t in keys else None


def place(value: Any, keys: tuple[str, ...]) -> int | None:
    """A place (1–5) among ``keys``."""
    x = form_number(value)
    if x is None or not x.is_integer():
        return None
    return int(x) if str(int(x)) in keys else None


def header_key(value: Any) -> str:
    """How two headers are compared: NFKC, no spaces, lower case, no
    trailing colon or star, no bracketed note such as 总分(750)."""
    t = unicodedata.normalize("NFKC", text(value))
    t = re.sub(r"\s+", "", t).lower()
    t = re.sub(r"[\(（\[【].*?[\)）\]】]$", "", t)
    return t.rstrip(":：*")
