"""The hidden form sheets (表样): styled originals of the printed sheets.

Each daily sheet and certificate is made as a copy of one of these, so its
page setup (paper, orientation, margins, header/footer) comes from the form,
and each style key (title, header, entry cell, …) is copied from the form's
sample cell at :data:`xlzu.layout.FORM_SAMPLES`.  A school restyles the
sample cells once (unhide the sheet: 右键工作表标签 → 取消隐藏) and every day
follows.
"""

from __future__ import annotations

from . import contract as C
from .layout import FORM_SAMPLES, STYLES, Layout, PrintSetup, parse_cell

_LABELS = {
    "title": "标题",
    "subtitle": "副标题（日期、组名）",
    "category": "类别表头（自主学习、课堂参与…）",
    "header": "项目表头",
    "text": "代号、姓名等文字",
    "left": "左对齐文字（职务）",
    "entry": "填写格",
    "total": "合计",
    "note": "备注",
    "sign": "签字行",
    "hint": "提示文字",
    "big": "证书大字（称号）",
    "huge": "证书标题（荣誉证书）",
    "cert": "证书正文（楷体）",
    "vheader": "竖排表头（列太窄时）",
}
_SAMPLES = {
    "title": "初二(3)班 第1组 小组成员常规考核量化表",
    "subtitle": "2026年11月24日 星期二",
    "category": "自主学习",
    "header": "代号",
    "text": "张三",
    "left": "大组长",
    "entry": 3,
    "total": 12,
    "note": "备注",
    "sign": "大组长签字：__________",
    "hint": "提示：每格按设置中的分值范围填写",
    "big": "明星组长",
    "huge": "荣 誉 证 书",
    "cert": "在本学期的小组建设中表现突出，特发此证，以资鼓励。",
    "vheader": "加减分",
}
_ORIENTATION = {C.FORM_GROUP: "portrait", C.FORM_CLASS: "landscape", C.FORM_CERTIFICATE: "landscape"}
#: Page margins of each form (top, right, bottom, left; inches): the daily
#: forms are laid out to fill what is inside them.
MARGINS = {C.FORM_GROUP: (0.6, 0.5, 0.6, 0.5), C.FORM_CLASS: (0.5, 0.4, 0.5, 0.4),
           C.FORM_CERTIFICATE: (0.6, 0.6, 0.6, 0.6)}
#: Font sizes of the daily forms' samples: 五号 (10.5 pt) for the table.
BODY_SIZE = 10.5
SIZES = {"title": 18, "subtitle": 12, "sign": 12, "big": 28, "huge": 40, "cert": 20}


def form_layout(form: str) -> Layout:
    """The default look of a form sheet: every style sample, labelled."""
    layout = Layout()
    cells: dict[tuple[int, int], object] = {}
    for key, ref in FORM_SAMPLES.items():
        cells[parse_cell(ref)] = _SAMPLES[key]
    note_col = 10  # J: what each sample is for
    cells[(1, note_col)] = f"这是“{form}”的打印表样：修改左边样例单元格的字体、颜色、边框、对齐，以及本表的页面设置（纸张、方向、页边距、页眉页脚），之后生成的表都照此样式。请勿删除或改名。"
    for i, (key, ref) in enumerate(FORM_SAMPLES.items(), start=2):
        cells[(i, note_col)] = f"{ref}：{_LABELS[key]}"
    n_rows = max(r for r, _ in cells)
    n_cols = note_col
    layout.rows = [[cells.get((r, c)) for c in range(1, n_cols + 1)] for r in range(1, n_rows + 1)]
    for key, ref in FORM_SAMPLES.items():
        layout.style(ref, key)
        size = SIZES.get(key, BODY_SIZE)
        if STYLES[key].size != size:
            layout.style(ref, f"size{size:g}")
    layout.style("J1", "hint")
    layout.widths = {c: 12 for c in range(1, 10)}
    layout.widths[note_col] = 70
    layout.heights = {1: 28, 11: 40, 12: 52}
    orientation = _ORIENTATION[form]
    layout.print = PrintSetup(orientation=orientation, fit_width=1, fit_height=1, area="A1:G9", margins=MARGINS[form])
    return layout
