"""The printed page in points: paper sizes, how wide a text prints, and how
wide a column must be for a header to wrap between words.

Column widths in a workbook are counted in digits of the default font (宋体
11, :mod:`xlzu.fonts`): one unit prints about 6.15 pt in LibreOffice and
6 pt (+3.75 pt per column) in Excel.  A cell's text area is its width less
about 3 pt.  A Chinese character is one em wide; digits and Latin letters
about half of one (0.55 em is used: a little more than 宋体 digits, about 黑体 ones).

Wrapping: Excel and LibreOffice break a line of Chinese between any two
characters, so 文明礼仪 in a column three characters wide prints 文明礼/仪.
:func:`column_pt` finds the narrowest width at which a header breaks only
between words (two-character words, or after / 、 ，), both at LibreOffice's
and at Excel's width.
"""

from __future__ import annotations

import math

A4 = (595.3, 841.9)  # points, portrait
PT_PER_UNIT = 6.15
EXCEL_EXTRA = 2.0  # an Excel column prints about this much wider than LibreOffice's
CELL_PAD = 3.5  # a cell's text area is its width less this (LibreOffice: 3 pt)
HALF = 0.55
LINE = 1.25  # line height, in ems


def printable(orientation: str, margins: tuple[float, float, float, float]) -> tuple[float, float]:
    """Width and height (points) inside the margins (top, right, bottom,
    left, inches) of an A4 page."""
    w, h = A4 if orientation == "portrait" else (A4[1], A4[0])
    top, right, bottom, left = margins
    return w - 72 * (left + right), h - 72 * (top + bottom)


def wide(ch: str) -> bool:
    return ord(ch) >= 0x2E80


def text_pt(text: str, size: float) -> float:
    return sum(size if wide(ch) else HALF * size for ch in text)


def units(pt: float) -> float:
    """A column width (in the workbook's units) that prints ``pt`` wide."""
    return round(pt / PT_PER_UNIT, 2)


def words(text: str) -> list[str]:
    """The pieces a line may break between: two-character words of a run of
    Chinese (a run of three, or an odd tail of three, stays whole); a number
    or range with what is attached to it (第1节, -5～5) as one piece;
    punctuation kept with what precedes it."""
    if "/" in text:  # LibreOffice breaks neither before nor after a slash between Chinese words
        return [text]
    runs: list[list[str]] = []  # [kind, text]; kind "c" Chinese, "n" number/Latin
    for ch in text:
        kind = "n" if (not wide(ch) or ch == "～") else "c"
        if runs and runs[-1][0] == kind:
            runs[-1][1] += ch
        else:
            runs.append([kind, ch])
    # A single Chinese character next to a number belongs to it (第1节, 3分).
    merged: list[list[str]] = []
    for i, (kind, t) in enumerate(runs):
        if kind == "c" and len(t) == 1 and ((i > 0 and runs[i - 1][0] == "n") or (i + 1 < len(runs) and runs[i + 1][0] == "n")):
            kind = "n"
        if merged and merged[-1][0] == "n" and kind == "n":
            merged[-1][1] += t
        else:
            merged.append([kind, t])
    pieces: list[str] = []
    for kind, t in merged:
        if kind == "n":
            pieces.append(t)
            continue
        k = 0
        while k < len(t):
            take = 3 if len(t) - k == 3 else 2
            pieces.append(t[k : k + take])
            k += take
    out: list[str] = []
    for p in pieces:  # punctuation stays with what precedes it
        while p and p[0] in "/、，,；;：:）)。" and out:
            out[-1] += p[0]
            p = p[1:]
        if p:
            out.append(p)
    return out


def wrap(text: str, size: float, area: float) -> list[str]:
    """How a renderer wraps ``text`` in a text area ``area`` points wide:
    greedily, breaking between any two Chinese characters (a run of
    digits/Latin only where it starts or ends)."""
    lines: list[str] = []
    for para in text.split("\n"):
        tokens: list[str] = []
        for ch in para:
            if not wide(ch) and tokens and not wide(tokens[-1][-1]) and tokens[-1][-1] not in "/":
                tokens[-1] += ch
            else:
                tokens.append(ch)
        line = ""
        for tok in tokens:
            if line and text_pt(line + tok, size) > area:
                # Closing punctuation never starts a line: it pulls the previous character along.
                lines.append(line)
                line = tok
            else:
                line += tok
        lines.append(line)
    return lines


def _good(text: str, lines: list[str]) -> bool:
    """True if ``lines`` break ``text`` only between its words."""
    ends: set[int] = set()
    k = 0
    for w in words(text):
        k += len(w)
        ends.add(k)
    k = 0
    for line in lines[:-1]:
        k += len(line)
        if k not in ends:
            return False
    return True


def column_pt(texts: list[str], size: float, minimum: float = 0.0, *, most: float = 400.0) -> float:
    """The narrowest width (points) at least ``minimum`` at which every one
    of ``texts`` (lines split at \\n) wraps only between words, at
    LibreOffice's and Excel's width, with no word wider than the column."""
    paras = [p for t in texts for p in t.split("\n") if p]
    widest_word = max((text_pt(w, size) for p in paras for w in words(p)), default=0.0)
    width = max(minimum, widest_word + CELL_PAD + 1)
    width = math.ceil(width * 2) / 2
    # The text area LibreOffice gives (±1 pt around ours) and Excel's.
    slack = (-1.0, 0.0, 1.0, EXCEL_EXTRA)
    while width < most:
        if all(_good(p, wrap(p, size, width - CELL_PAD + d)) for p in paras for d in slack):
            return width
        width += 0.5
    return width


def lines_needed(text: str, size: float, width: float) -> int:
    return sum(len(wrap(p, size, width - CELL_PAD)) for p in text.split("\n"))


def row_pt(lines: int, size: float) -> float:
    """Height of a row showing ``lines`` lines at ``size``."""
    return math.ceil(lines * size * LINE + 6)
