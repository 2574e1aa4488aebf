"""Driving the offline page (离线版) in Debian's Chromium, headless, through
selenium and chromedriver.  Shared by the browser test and benchmarks/web.py.

The page is built once per cache folder (``XLZU_WEB_CACHE``, else
~/.cache/xlzu-web): the build downloads from npm and PyPI the first time only.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

CHROMIUM = os.environ.get("XLZU_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("XLZU_CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,1600")
OFFLINE_SCHEMES = ("file:", "data:", "blob:")


def browser_missing() -> str | None:
    """Why the browser test cannot run here, or None."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).exists():
            return f"{path} is missing (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install '.[test]')"
    return None


def built_page(cache: Path | None = None) -> Path:
    """The offline page built from the current source (download cache reused).

    Each checkout builds into its own folder under the shared cache, so test
    runs of two checkouts at once never open each other's page."""
    import hashlib

    from xlzu.web.build import PACKAGE_DIR, build_page, cache_dir

    cache = cache or cache_dir()
    checkout = hashlib.sha256(str(PACKAGE_DIR.resolve()).encode()).hexdigest()[:12]
    return build_page(cache / "page" / checkout / "离线版.html", cache=cache)


class Page:
    """One Chromium session on the offline page."""

    def __init__(self, html: Path, downloads: Path, *, watch_network: bool = True):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.downloads = downloads
        self.profile = Path(tempfile.mkdtemp(prefix="xlzu-chromium-"))
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for flag in FLAGS:
            opts.add_argument(flag)
        opts.add_argument(f"--user-data-dir={self.profile}")
        if watch_network:
            opts.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
        opts.add_experimental_option("prefs", {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "profile.default_content_setting_values.automatic_downloads": 1,
        })
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
        self.driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
        if watch_network:
            self.driver.execute_cdp_cmd("Network.enable", {})
        self.requests: list[str] = []
        self.t_open = time.perf_counter()
        self.driver.get(html.resolve().as_uri())

    # ---- state ---------------------------------------------------------------
    def state(self) -> str:
        return self.driver.execute_script("return document.body.dataset.state")

    def wait_state(self, wanted: str, timeout: float = 120) -> float:
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            s = self.state()
            if s == wanted:
                return time.perf_counter()
            if s == "error":
                raise AssertionError("page error: " + self.driver.execute_script(
                    "return document.querySelector('[data-role=status]').textContent"))
            time.sleep(0.05)
        raise TimeoutError(f"page still {self.state()!r} after {timeout} s")

    def wait_ready(self, timeout: float = 120) -> float:
        """Seconds from opening the page to ready."""
        return self.wait_state("ready", timeout) - self.t_open

    # ---- actions ---------------------------------------------------------------
    def upload(self, role: str, path: Path, timeout: float = 30) -> None:
        """Choose a file in an input; for the workbook, wait until the page has read it."""
        before = self.entries()
        el = self.driver.find_element("css selector", f'input[data-role="{role}"]')
        el.send_keys(str(Path(path).resolve()))
        if role not in ("workbook", "school"):  # the page reads these and says so in the log
            return
        end = time.perf_counter() + timeout
        while self.entries() == before:
            if time.perf_counter() > end:
                raise TimeoutError(f"the page did not open {path}")
            time.sleep(0.02)

    def upload_many(self, role: str, paths: list[Path]) -> None:
        """Choose several files at once in a ``multiple`` input (replacing any chosen before)."""
        el = self.driver.find_element("css selector", f'input[data-role="{role}"]')
        self.driver.execute_script("arguments[0].value = '';", el)
        el.send_keys("\n".join(str(Path(p).resolve()) for p in paths))

    def set_option(self, opt: str, value: str, op: str | None = None) -> None:
        sel = f'[data-opt="{opt}"]' + (f'[data-for="{op}"]' if op else "")
        self.driver.execute_script(
            "const el = document.querySelector(arguments[0]);"
            "if (el.type === 'checkbox') el.checked = !!arguments[1]; else el.value = arguments[1];",
            sel, value)

    def entries(self) -> int:
        return self.driver.execute_script("return document.querySelectorAll('[data-role=log] .entry').length")

    def run(self, op: str, timeout: float = 300) -> dict:
        """Press an operation's button; wait until done.  Returns the log entry
        (ok, lines) and the seconds the page measured."""
        n = self.ops_done()
        self.clear_downloads()
        button = self.driver.find_element("css selector", f'button[data-op="{op}"]')
        end = time.perf_counter() + 30
        while not button.is_enabled():
            if time.perf_counter() > end:
                raise AssertionError(f"button {op} stays disabled")
            time.sleep(0.05)
        button.click()
        end = time.perf_counter() + timeout
        while self.ops_done() == n or self.state() != "ready":
            if time.perf_counter() > end:
                raise TimeoutError(f"{op} still running after {timeout} s")
            time.sleep(0.05)
        return self.driver.execute_script("""
            const t = window.xlzuTimings.ops[window.xlzuTimings.ops.length - 1];
            const e = document.querySelector('[data-role=log] .entry');
            return {op: t.op, seconds: t.seconds, ok: e.dataset.ok === '1',
                    lines: Array.from(e.querySelectorAll('.line')).map(x => x.textContent),
                    notes: Array.from(e.querySelectorAll('.note')).map(x => x.textContent)};""")

    def clear_downloads(self) -> None:
        for path in self.downloads.iterdir():
            path.unlink()

    def ops_done(self) -> int:
        return self.driver.execute_script("return window.xlzuTimings.ops.length")

    def downloaded(self, name: str, timeout: float = 30) -> Path:
        """Wait for ``name`` in the download folder; move it out (so the next
        download keeps the same name) and return where it went."""
        path = self.downloads / name
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            if path.exists() and not list(self.downloads.glob("*.crdownload")):
                time.sleep(0.1)
                kept = Path(tempfile.mkdtemp(prefix="xlzu-dl-")) / name
                shutil.move(str(path), kept)
                return kept
            time.sleep(0.05)
        raise TimeoutError(f"no download of {name} (have: {sorted(p.name for p in self.downloads.iterdir())})")

    # ---- network -------------------------------------------------------------
    def request_urls(self) -> list[str]:
        """Every URL the page requested so far (CDP Network events)."""
        for entry in self.driver.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            method = msg.get("method")
            params = msg.get("params", {})
            # Only the page's own requests (the browser's start tab is not the page).
            if method == "Network.requestWillBeSent" and params.get("documentURL", "").startswith("chrome:"):
                continue
            if method in ("Network.requestWillBeSent", "Network.webSocketCreated"):
                self.requests.append(params.get("request", {}).get("url") or params.get("url", ""))
        return list(self.requests)

    def network_requests(self) -> list[str]:
        return [u for u in self.request_urls() if not u.startswith(OFFLINE_SCHEMES)]

    def phases(self) -> list:
        return self.driver.execute_script("return window.xlzuTimings.phases")

    def close(self) -> None:
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)
