"""The Chinese faces xlzu names in its styles, and what stands in for them.

A workbook cell names one font.  xlzu names the three faces every Chinese
school document uses, under their Chinese names (as Chinese Excel and WPS
write them):

* :data:`BODY` 宋体 (SimSun) — body text, tables, entry cells; also the
  workbook's default font (so a cell a teacher adds is 宋体 too);
* :data:`HEADING` 黑体 (SimHei) — titles and table headers;
* :data:`KAI` 楷体 (KaiTi) — the body of a certificate.

They ship with Windows (every version since XP) and with WPS Office; Excel
and WPS on macOS map them to the system's 宋体-SC / 黑体-SC / 楷体-SC.  On
Linux (LibreOffice printing from the command line) they are usually absent:
:func:`fontconfig_file` gives fontconfig an alias list so each is printed in
the closest face installed (:data:`FALLBACKS`, e.g. 宋体 → Noto Serif CJK
SC, 黑体 → Noto Sans CJK SC) rather than a Japanese face picked by glyph
fallback.  ``charset=134`` (GB2312) and the family class travel with the
name in the file, which is what Excel uses to substitute a missing face.
"""

from __future__ import annotations

BODY = "宋体"
HEADING = "黑体"
KAI = "楷体"
#: The font size of the workbook's default (Normal) style.
DEFAULT_SIZE = 11
#: GB2312: tells Excel the face is a Simplified Chinese one.
CHARSET = 134
#: OOXML font family classes: 1 roman (serif), 2 swiss (sans), 4 script.
FAMILY = {BODY: 1, HEADING: 2, KAI: 4}

#: Each face's other names, then the faces that may stand in for it, best
#: first: macOS, then the free CJK faces of Linux distributions.
FALLBACKS: dict[str, tuple[str, ...]] = {
    BODY: ("SimSun", "NSimSun", "Songti SC", "STSong", "Noto Serif CJK SC", "Source Han Serif SC",
           "AR PL UMing CN", "Noto Sans CJK SC"),
    HEADING: ("SimHei", "Heiti SC", "STHeiti", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
              "Microsoft YaHei"),
    KAI: ("KaiTi", "KaiTi_GB2312", "STKaiti", "Kaiti SC", "AR PL UKai CN", "Noto Serif CJK SC", "Source Han Serif SC"),
}


def fontconfig_file(include: str = "/etc/fonts/fonts.conf") -> str:
    """A fontconfig configuration: the system's, plus each face's names and
    stand-ins as preferred aliases (used by :mod:`xlzu.pdf` for LibreOffice)."""
    aliases = []
    for face, others in FALLBACKS.items():
        prefer = "".join(f"<family>{name}</family>" for name in others)
        for name in (face, others[0]):
            aliases.append(f'  <alias binding="same"><family>{name}</family><prefer>{prefer}</prefer></alias>')
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f'  <include ignore_missing="yes">{include}</include>\n' + "\n".join(aliases) + "\n</fontconfig>\n"
    )
