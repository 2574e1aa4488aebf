"""Measuring a printed page: text sizes from ``pdftotext -bbox`` and the
extent of a table's ruled grid from a rendering of the page (poppler).

A Chinese character (and full-width punctuation) is one em wide, so a word
made only of them is ``font size × characters`` wide in printed points: that
is how big the text prints (the box's height depends on the fallback
font's line metrics, its width does not).
"""

from __future__ import annotations

import html
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


@dataclass
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def size(self) -> float | None:
        """Printed font size (points) of an all-Chinese word, else None."""
        if self.text and all(_wide(ch) for ch in self.text):
            return (self.x1 - self.x0) / len(self.text)
        return None

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


def _wide(ch: str) -> bool:
    return 0x3000 <= ord(ch) <= 0x9FFF or 0xFF01 <= ord(ch) <= 0xFF5E


@dataclass
class Page:
    number: int
    width: float
    height: float
    words: list[Word]
    grid: tuple[float, float, float, float] | None  # x0, top, x1, bottom of the ruled table (points)

    def text(self) -> str:
        return "".join(w.text for w in self.words)

    def sizes(self) -> list[float]:
        return sorted(w.size for w in self.words if w.size is not None)


def pages(pdf: Path, *, grid: bool = True) -> list[Page]:
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    result: list[Page] = []
    for k, chunk in enumerate(out.split("<page ")[1:], start=1):
        m = _PAGE.match("<page " + chunk)
        words = [Word(html.unescape(w[4]), *map(float, w[:4])) for w in _WORD.findall(chunk)]
        result.append(Page(k, float(m.group(1)), float(m.group(2)), words, table_grid(pdf, k) if grid else None))
    return result


def table_grid(pdf: Path, page: int, dpi: int = 72) -> tuple[float, float, float, float] | None:
    """The box of the page's ruled grid: the top-most and bottom-most dark
    horizontal lines at least half the page wide, and the left-most and
    right-most dark vertical lines at least a quarter of the page tall
    (in points)."""
    import numpy as np

    png = subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                          str(pdf)], capture_output=True, check=True).stdout
    img = _pgm(png)
    dark = img < 160
    h, w = dark.shape
    rows = np.where(dark.sum(axis=1) > w * 0.5)[0]
    cols = np.where(dark.sum(axis=0) > h * 0.25)[0]
    if not len(rows) or not len(cols):
        return None
    scale = 72 / dpi
    return cols[0] * scale, rows[0] * scale, (cols[-1] + 1) * scale, (rows[-1] + 1) * scale


def _pgm(data: bytes):
    import numpy as np

    # pdftoppm -gray writes binary PGM: "P5\n<w> <h>\n<max>\n" then bytes.
    parts = data.split(b"\n", 3)
    w, h = map(int, parts[1].split())
    return np.frombuffer(parts[3][: w * h], dtype=np.uint8).reshape(h, w)
