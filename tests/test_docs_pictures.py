"""The pictures of printed sheets in docs/ are not stale: what each is
rendered from (layout, styles, faces) hashes to what docs/pictures.json
recorded when ``python tools/docs_pictures.py`` last drew them."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _tool():
    spec = importlib.util.spec_from_file_location("docs_pictures", ROOT / "tools" / "docs_pictures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_pictures_are_current(tmp_path):
    tool = _tool()
    recorded = json.loads((ROOT / "docs" / "pictures.json").read_text(encoding="utf-8"))
    assert set(recorded) == set(tool.PICTURES)
    for name in tool.PICTURES:
        assert (ROOT / "docs" / f"{name}.png").is_file(), name
    now = tool.digests(tmp_path)
    stale = [name for name in tool.PICTURES if now[name] != recorded[name]]
    assert stale == [], f"docs pictures out of date: {stale}; run python tools/docs_pictures.py"


def test_the_digest_sees_a_changed_layout(tmp_path):
    tool = _tool()
    _, layouts = tool.demo_class(tmp_path)
    sheet, layout, form = layouts["daily-member-sheet"]
    before = tool.digest(layout, form)
    layout.heights[5] = layout.heights.get(5, 15) + 1
    assert tool.digest(layout, form) != before
