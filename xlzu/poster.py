"""喜报: a picture (PNG) of the week's 明星小组 or the month's stars for the
parents' WeChat group.

Praise only (《未成年人学校保护规定》: no scores or rankings are published):
the picture names the class, the date, the group(s) and their members, and
the title each earned.  It never carries a 魔鬼小组, a deduction, a score, a
rank or an exam figure: :func:`week_poster` and :func:`month_poster` build
its text from the summaries without any of those, and :func:`draw` draws
exactly the lines it is given (and returns them, so a test can read what
was drawn).

The picture is 1080 px wide (a phone screen at full width) with large type.
It needs a font with Chinese characters: ``XLZU_FONT`` if set, else one
found on the machine (fontconfig on Linux, the usual Windows and macOS
fonts).  Pillow is the only dependency (it also runs under Pyodide).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Sequence

import pandas as pd

from . import contract as C
from .errors import XlzuError

WIDTH = 1080
MARGIN = 70  # px between the card and the picture's edge
PAD = 60  # px inside the card
RED, DEEP_RED, GOLD, CREAM, INK = "#C8102E", "#9E0B22", "#F4C542", "#FFF8E6", "#3A2A1A"

FONT_ENV = "XLZU_FONT"
FONT_CANDIDATES = (
    # Windows
    r"C:\Windows\Fonts\msyhbd.ttc", r"C:\Windows\Fonts\msyh.ttc", r"C:\Windows\Fonts\simhei.ttf",
    r"C:\Windows\Fonts\simsun.ttc",
    # macOS
    "/System/Library/Fonts/PingFang.ttc", "/System/Library/Fonts/STHeiti Medium.ttc",
    "/System/Library/Fonts/Hiragino Sans GB.ttc", "/Library/Fonts/Arial Unicode.ttf",
    # Linux
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
# Words that must never be drawn: the poster is praise only.
FORBIDDEN = ("魔鬼", "待进步", "扣", "减分", "名次", "排名", "第一名", "最后", "考试", "成绩", "总分", "得分", "分数")


class FontMissing(XlzuError):
    pass


@dataclass
class Entry:
    """One honour on the poster: its title (明星小组), who (第1组 雄鹰队 or a
    student's name) and a few lines (大组长, 组员)."""

    title: str
    who: str
    lines: list[str] = field(default_factory=list)


@dataclass
class Poster:
    class_name: str
    period: str  # 第13周（11月23日—11月27日）, 2026年11月
    entries: list[Entry]
    day: date
    school: str = ""
    heading: str = "喜 报"
    closing: str = "祝贺以上同学！希望大家互帮互助、再接再厉！"

    def texts(self) -> list[str]:
        """Every text the picture carries (before wrapping)."""
        out = [self.heading, " ".join(x for x in (self.school, self.class_name) if x), self.period]
        for e in self.entries:
            out += [e.title, e.who, *e.lines]
        out += [self.closing, self.signature, date_text(self.day)]
        return out

    @property
    def signature(self) -> str:
        return f"{self.class_name} 班主任"


def date_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def praise_only(texts: Sequence[str]) -> list[str]:
    """The texts that break the praise-only rule (empty when none do): a
    forbidden word, or a figure that is not part of a date, a class or a
    group name (第3组, 初二(3)班, 2026年11月27日, 第13周)."""
    bad = []
    allowed = re.compile(r"第\s*\d+\s*[组周]|\d+\s*[年月日]|[（(]\s*\d+\s*[)）]\s*班|[初高]\s*[一二三]|\d+\s*班")
    for t in texts:
        if any(w in t for w in FORBIDDEN) or re.search(r"\d", allowed.sub("", t)):
            bad.append(t)
    return bad


# --------------------------------------------------------------------------
# What goes on the poster
# --------------------------------------------------------------------------
def _members_line(members: pd.DataFrame, group: int) -> list[str]:
    """大组长 and 组员 of a group from 分组 (current members), by 代号."""
    if not len(members):
        return []
    mine = members.loc[pd.to_numeric(members[C.GROUP_NO], errors="coerce") == group]
    if C.GROUP_CODE in mine.columns:
        mine = mine.assign(_c=mine[C.GROUP_CODE].fillna("").astype(str)).sort_values("_c", kind="stable")
    leaders, others = [], []
    for name, roles in zip(mine[C.GROUP_NAME_COL], mine.get(C.GROUP_ROLES, [None] * len(mine))):
        if not isinstance(name, str) or not name:
            continue
        parts = str(roles or "").replace("，", C.ROLE_SEPARATOR).replace(",", C.ROLE_SEPARATOR).split(C.ROLE_SEPARATOR)
        (leaders if C.ROLE_LEADER in [p.strip() for p in parts] else others).append(name)
    out = []
    if leaders:
        out.append(f"{C.ROLE_LEADER}：{'、'.join(leaders)}")
    if others:
        out.append(f"组员：{'、'.join(others)}")
    return out


def week_poster(summary, members: pd.DataFrame, settings, day: date | None = None) -> Poster | None:
    """The week's 明星小组 and 进步最快小组 with their members; None when no
    group stands out (every group the same)."""
    from .weekly import group_label

    names = dict(zip(summary.groups[C.GROUP_NO], summary.groups[C.GROUP_TEAM_NAME]))
    entries = [Entry(f"本周{settings.star_group_label}", group_label(g, names[g]), _members_line(members, g))
               for g in summary.stars]
    entries += [Entry(f"本周{C.PROGRESS_GROUP}", group_label(g, names[g]), _members_line(members, g))
                for g in summary.progress if g not in summary.stars]
    if not entries:
        return None
    w = summary.week
    return Poster(settings.class_name, f"{w.label}（{w.span()}）", entries, day or w.last, settings.school)


def month_poster(summary, members: pd.DataFrame, settings, day: date | None = None) -> Poster | None:
    """The month's stars (each star and its students) and the group
    recommended as 校级明星小组; None when nobody earned anything."""
    from .weekly import group_label

    entries = []
    g = summary.groups
    for number, team, award in zip(g[C.GROUP_NO], g[C.GROUP_TEAM_NAME], g[C.COL_AWARD]):
        if isinstance(award, str) and award:
            entries.append(Entry(f"本月{C.SCHOOL_STAR_GROUP}（推荐）", group_label(int(number), team),
                                 _members_line(members, int(number))))
    stars = summary.stars
    won = stars.loc[stars[C.GROUP_NAME_COL].notna()] if len(stars) else stars
    for star in C.STARS:
        who = [n for n, a in zip(won[C.GROUP_NAME_COL], won[C.COL_AWARD]) if a == star and isinstance(n, str)] if len(won) else []
        if who:
            entries.append(Entry(star, "、".join(who)))
    if not entries:
        return None
    m = summary.month
    last = day or (m.next.first - pd.Timedelta(days=1))
    return Poster(settings.class_name, m.label, entries, last, settings.school)


def poster_name(class_name: str, period_key: str) -> str:
    who = re.sub(r'[\\/:*?"<>|\s]+', "", class_name) or "班级"
    return f"{who}-喜报-{period_key}.png"


# --------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------
def find_font() -> tuple[str, int] | None:
    """(font file, face index) of a font with Chinese characters, or None."""
    env = os.environ.get(FONT_ENV)
    if env and Path(env).exists():
        return env, 0
    files: list[str] = []
    if shutil.which("fc-match"):
        for pattern in ("sans-serif:lang=zh-cn:weight=bold", "sans-serif:lang=zh-cn"):
            try:
                found = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True, timeout=10).stdout.strip()
            except (OSError, subprocess.SubprocessError):
                found = ""
            if found:
                files.append(found)
    files += list(FONT_CANDIDATES)
    for f in files:
        if f and Path(f).exists() and _has_chinese(f):
            return f, _simplified_face(f)
    return None


def _has_chinese(path: str) -> bool:
    from PIL import ImageFont

    try:
        font = ImageFont.truetype(path, 40)
    except OSError:
        return False
    # a font without the glyph draws the same 'missing' box for any character
    return font.getmask("喜").getbbox() != font.getmask("\ufffe").getbbox() and font.getmask("喜").getbbox() is not None


def _simplified_face(path: str) -> int:
    """In a font collection, the face for Simplified Chinese (Noto CJK: SC)."""
    from PIL import ImageFont

    if not path.lower().endswith(".ttc"):
        return 0
    for i in range(10):
        try:
            family = ImageFont.truetype(path, 12, index=i).getname()[0]
        except OSError:
            break
        if family.endswith((" SC", " CN")) or "GB" in family:
            return i
    return 0


def _wrap(draw, text: str, font, width: int) -> list[str]:
    """``text`` cut into lines no wider than ``width`` px: between names
    (after 、 or ：) when it can, else anywhere (Chinese); a line never
    starts with a closing punctuation mark."""
    chunks = re.findall(r"[^、：]+[、：]?|[、：]", text)
    lines, line = [], ""
    for chunk in chunks:
        if draw.textlength(line + chunk, font=font) <= width or not line:
            line += chunk
        else:
            lines.append(line)
            line = chunk
        while draw.textlength(line, font=font) > width and len(line) > 1:  # one chunk wider than a line
            cut = len(line)
            while cut > 1 and (draw.textlength(line[:cut], font=font) > width or line[cut:cut + 1] in "，。、；：！？）】”"):
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line:
        lines.append(line)
    return lines


def draw(poster: Poster, path: str | os.PathLike, font: tuple[str, int] | None = None) -> list[str]:
    """Draw ``poster`` as a PNG at ``path``; returns every line drawn, in order."""
    from PIL import Image, ImageDraw, ImageFont

    font = font or find_font()
    if font is None:
        raise FontMissing("没有找到中文字体，无法生成喜报图片。请安装中文字体（如 思源黑体 / Noto Sans CJK），"
                          f"或把字体文件的路径写在环境变量 {FONT_ENV} 中。")
    file, index = font

    def face(size: int):
        return ImageFont.truetype(file, size, index=index)

    inner = WIDTH - 2 * MARGIN - 2 * PAD
    scratch = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    # (text, font size, colour, alignment, gap after) — laid out first, so the picture's height fits them
    plan: list[tuple[str, int, str, str, int]] = []

    def add(text: str, size: int, color: str, align: str = "center", gap: int = 14) -> None:
        for k, line in enumerate(_wrap(scratch, text, face(size), inner)):
            plan.append((line, size, color, align, gap if k == len(_wrap(scratch, text, face(size), inner)) - 1 else 8))

    add(" ".join(x for x in (poster.school, poster.class_name) if x), 46, INK, gap=10)
    add(poster.period, 38, INK, gap=44)
    for e in poster.entries:
        add(f"★ {e.title} ★", 50, RED, gap=12)
        add(e.who, 64, INK, gap=16)
        for line in e.lines:
            add(line, 36, INK, "left", gap=10)
        plan[-1] = plan[-1][:4] + (46,)
    add(poster.closing, 38, RED, gap=50)
    add(poster.signature, 36, INK, "right", gap=8)
    add(date_text(poster.day), 36, INK, "right", gap=0)

    head_h = 230
    body_h = sum(face(size).getbbox("国")[3] + gap for _, size, _, _, gap in plan)
    height = MARGIN + head_h + PAD + body_h + PAD + MARGIN
    img = Image.new("RGB", (WIDTH, height), RED)
    d = ImageDraw.Draw(img)
    # the card, with a gold double frame
    box = (MARGIN, MARGIN + head_h, WIDTH - MARGIN, height - MARGIN)
    d.rectangle(box, fill=CREAM, outline=GOLD, width=8)
    d.rectangle((box[0] + 14, box[1] + 14, box[2] - 14, box[3] - 14), outline=GOLD, width=3)
    # the heading on the red band
    big = face(150)
    tw = d.textlength(poster.heading, font=big)
    d.text(((WIDTH - tw) / 2, MARGIN - 20), poster.heading, font=big, fill=GOLD)
    drawn = [poster.heading]
    y = MARGIN + head_h + PAD
    for text, size, color, align, gap in plan:
        f = face(size)
        w = d.textlength(text, font=f)
        x = {"center": (WIDTH - w) / 2, "left": MARGIN + PAD, "right": WIDTH - MARGIN - PAD - w}[align]
        d.text((x, y), text, font=f, fill=color)
        drawn.append(text)
        y += f.getbbox("国")[3] + gap
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, "PNG", optimize=True)
    return drawn
