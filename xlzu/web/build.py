"""Assemble the offline page (离线版): one HTML file running xlzu under Pyodide.

``build_page(output)`` downloads the pinned packages (npm and PyPI only, kept
in a cache folder), checks every file against its pinned sha256 and every
wheel Pyodide ships against Pyodide's own lock, checks that each module xlzu
imports is either in the page or never run there, and writes one HTML file
holding everything: the page (``page.html``, ``page.css``, ``page.js`` in
this folder), Pyodide's core, the wheels, and xlzu's own current source.

The same inputs give the same bytes: files are embedded in a fixed order,
the xlzu source archive carries no timestamps.
"""

from __future__ import annotations

import ast
import base64
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import XlzuError
from . import pins

HERE = Path(__file__).resolve().parent
PACKAGE_DIR = HERE.parent  # the xlzu package being embedded
INDEX_URL = "https://xlzu.invalid/pyodide/"  # never fetched: the page answers it from memory
DEFAULT_NAME = "离线版.html"
SOURCE_ARCHIVE = "xlzu-source.zip"
COMPILED_ARCHIVE = "xlzu-compiled.zip"
MIME = {".wasm": "application/wasm", ".js": "text/javascript", ".json": "application/json", ".zip": "application/zip",
        ".whl": "application/zip"}


class WebBuildError(XlzuError):
    """The offline page cannot be built (download, checksum or import problem)."""


def cache_dir() -> Path:
    """Where downloads are kept between builds (XLZU_WEB_CACHE, else ~/.cache/xlzu-web)."""
    env = os.environ.get("XLZU_WEB_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "xlzu-web"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------
# Downloads (ordinary registry clients), each checked against its pin
# --------------------------------------------------------------------------
def _checked(path: Path, expected: str, what: str) -> bytes:
    data = path.read_bytes()
    got = sha256(data)
    if got != expected:
        raise WebBuildError(f"{what} 的 sha256 与固定值不符（应为 {expected}，实为 {got}）：{path}。"
                            f"删除这个文件后重新构建；仍不符则说明注册表上的文件变了，不能使用。")
    return data


def _run(cmd: list[str], cwd: Path) -> None:
    try:
        done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    except FileNotFoundError:
        raise WebBuildError(f"构建离线版需要命令 {cmd[0]}，但没有找到它。") from None
    if done.returncode != 0:
        raise WebBuildError(f"下载失败：{' '.join(cmd)}\n{(done.stderr or done.stdout).strip()[-2000:]}")


def npm_pyodide(cache: Path) -> bytes:
    """The npm package pyodide@<pinned> (tarball bytes)."""
    path = cache / f"pyodide-{pins.PYODIDE_VERSION}.tgz"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            _run(["npm", "pack", f"pyodide@{pins.PYODIDE_VERSION}", "--pack-destination", tmp, "--silent"], cache)
            shutil.move(str(Path(tmp) / path.name), path)
    return _checked(path, pins.PYODIDE_NPM_SHA256, f"npm 包 pyodide@{pins.PYODIDE_VERSION}")


def pypi_file(cache: Path, dist: str, version: str, filename: str, expected: str) -> bytes:
    """One wheel from PyPI (``pip download --no-deps``)."""
    path = cache / filename
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            _run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check",
                  "-q", "-d", tmp, f"{dist}=={version}"], cache)
            found = Path(tmp) / filename
            if not found.exists():
                raise WebBuildError(f"pip download {dist}=={version} 没有得到 {filename}（得到：{sorted(os.listdir(tmp))}）。")
            shutil.move(str(found), path)
    return _checked(path, expected, f"PyPI 包 {dist}=={version}")


# --------------------------------------------------------------------------
# Pyodide's core and lock; wheels checked against the lock
# --------------------------------------------------------------------------
def pyodide_core(tarball: bytes) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as tar:
        for name in pins.PYODIDE_CORE:
            member = tar.extractfile(f"package/{name}")
            if member is None:
                raise WebBuildError(f"npm 包 pyodide@{pins.PYODIDE_VERSION} 中缺少 {name}。")
            files[name] = member.read()
    return files


def verify_lock_wheel(name: str, data: bytes, lock: dict) -> None:
    """Refuse a wheel whose sha256 is not the one Pyodide's lock records."""
    entry = lock["packages"].get(name)
    if entry is None:
        raise WebBuildError(f"Pyodide {pins.PYODIDE_VERSION} 的锁文件中没有包 {name}。")
    got = sha256(data)
    if got != entry["sha256"]:
        raise WebBuildError(f"{entry['file_name']} 的 sha256 与 Pyodide {pins.PYODIDE_VERSION} 锁文件不符"
                            f"（锁文件：{entry['sha256']}，实为 {got}）：拒绝使用。")


def lock_wheels(carrier: bytes, lock: dict) -> dict[str, bytes]:
    """The LOCK_PACKAGES wheels out of the carrier package, each checked against the lock."""
    wheels: dict[str, bytes] = {}
    with zipfile.ZipFile(io.BytesIO(carrier)) as z:
        for name in pins.LOCK_PACKAGES:
            entry = lock["packages"].get(name)
            if entry is None:
                raise WebBuildError(f"Pyodide {pins.PYODIDE_VERSION} 的锁文件中没有包 {name}。")
            try:
                data = z.read(pins.CARRIER_DIR + entry["file_name"])
            except KeyError:
                raise WebBuildError(f"{pins.CARRIER[0]} 中没有 {entry['file_name']}。") from None
            verify_lock_wheel(name, data, lock)
            wheels[name] = data
    missing = {d for n in pins.LOCK_PACKAGES for d in lock["packages"][n]["depends"]} - set(pins.LOCK_PACKAGES)
    if missing:
        raise WebBuildError(f"离线版缺少 Pyodide 包的依赖：{', '.join(sorted(missing))}。")
    return wheels


# --------------------------------------------------------------------------
# xlzu's own source, and what it imports
# --------------------------------------------------------------------------
def source_files(package_dir: Path = PACKAGE_DIR) -> list[Path]:
    """The files of the xlzu package, in a fixed order (no caches)."""
    out = []
    for path in sorted(package_dir.rglob("*")):
        rel = path.relative_to(package_dir)
        if path.is_dir() or "__pycache__" in rel.parts or path.suffix in (".pyc", ".pyo") or path.name.startswith("."):
            continue
        out.append(path)
    return out


def source_archive(package_dir: Path = PACKAGE_DIR) -> bytes:
    """xlzu's current source as a zip with fixed timestamps (same files, same bytes)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for path in source_files(package_dir):
            info = zipfile.ZipInfo("xlzu/" + path.relative_to(package_dir).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, path.read_bytes(), compresslevel=9)
    return buf.getvalue()


@dataclass
class ImportUse:
    module: str  # the xlzu module that imports
    path: str
    line: int
    name: str  # the top-level module imported
    lazy: bool  # inside a function body
    guarded: bool  # inside try/except ImportError


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    names = []
    t = handler.type
    if t is None:
        return True
    for node in (t.elts if isinstance(t, ast.Tuple) else [t]):
        if isinstance(node, ast.Name):
            names.append(node.id)
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
    return any(n in ("ImportError", "ModuleNotFoundError", "Exception", "BaseException") for n in names)


def imports_of(path: Path, module: str) -> list[ImportUse]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    uses: list[ImportUse] = []

    def visit(node: ast.AST, lazy: bool, guarded: bool) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if isinstance(node, ast.ImportFrom) and node.level:
                return
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for n in names:
                uses.append(ImportUse(module, str(path), node.lineno, n.split(".")[0], lazy, guarded))
            return
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child, lazy, guarded)
            return
        if isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            catches = any(_catches_import_error(h) for h in node.handlers)
            for child in node.body:
                visit(child, lazy, guarded or catches)
            for child in [*node.handlers, *node.orelse, *node.finalbody]:
                visit(child, lazy, guarded)
            return
        inner = lazy or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        for child in ast.iter_child_nodes(node):
            visit(child, inner, guarded)

    visit(tree, False, False)
    return uses


def module_name(path: Path, package_dir: Path = PACKAGE_DIR) -> str:
    parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def provided_modules(lock: dict) -> set[str]:
    """Top-level modules the page can import besides the standard library."""
    names = {"xlzu", "pyodide", "js", "_pyodide", "pyodide_js"}
    for n in pins.LOCK_PACKAGES:
        names.update(lock["packages"][n]["imports"])
    for _dist, _v, _f, _s, imports in pins.PYPI_WHEELS:
        names.update(imports)
    return names


def import_problems(provided: set[str], package_dir: Path = PACKAGE_DIR) -> list[str]:
    """Every import in xlzu the page could run but cannot satisfy (English, for developers)."""
    stdlib = set(sys.stdlib_module_names) - set(pins.STDLIB_MISSING)
    problems = []
    for path in source_files(package_dir):
        if path.suffix != ".py":
            continue
        module = module_name(path, package_dir)
        if module in pins.PAGE_SKIPS:
            continue
        for use in imports_of(path, module):
            if use.name in stdlib or use.name in provided or use.guarded:
                continue
            if use.name in pins.NOT_IN_PAGE and use.lazy:
                continue  # e.g. rich for the command line's table: the page never calls it
            rel = Path(use.path).relative_to(package_dir.parent)
            if use.name in pins.NOT_IN_PAGE:
                why = (f"{use.name} is left out of the offline page ({pins.NOT_IN_PAGE[use.name]}); "
                       f"import it inside the function that needs it")
            else:
                why = (f"the offline page does not provide {use.name}: add its wheel to xlzu/web/pins.py, or import it "
                       f"inside try/except ImportError beside a pure-Python path")
            problems.append(f"{rel}:{use.line}: {why}")
    return problems


def check_imports(lock: dict, package_dir: Path = PACKAGE_DIR) -> None:
    problems = import_problems(provided_modules(lock), package_dir)
    if problems:
        raise WebBuildError("xlzu 导入了离线版没有的模块，离线版不能构建：\n" + "\n".join(problems))


# --------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------
@dataclass
class Parts:
    """Everything the page embeds, by the name Pyodide asks for."""

    files: dict[str, bytes] = field(default_factory=dict)
    packages: list[str] = field(default_factory=list)  # load order, names in the page's lock


def collect(cache: Path | None = None, *, package_dir: Path = PACKAGE_DIR, echo: Callable[[str], None] = lambda s: None,
            reuse_compiled: bool = True) -> Parts:
    """Everything the page embeds: downloaded (or taken from ``cache``) and
    checked, xlzu's source from ``package_dir``, its bytecode compiled."""
    cache = cache or cache_dir()
    echo(f"下载缓存：{cache}")
    core = pyodide_core(npm_pyodide(cache))
    lock = json.loads(core["pyodide-lock.json"])
    if lock.get("info", {}).get("version") != pins.PYODIDE_VERSION:
        raise WebBuildError(f"pyodide-lock.json 不是 Pyodide {pins.PYODIDE_VERSION} 的。")
    check_imports(lock, package_dir)
    dist, version, carrier_sha = pins.CARRIER
    carrier = pypi_file(cache, dist, version, f"{dist.replace('-', '_')}-{version}-py3-none-any.whl", carrier_sha)
    wheels = lock_wheels(carrier, lock)

    parts = Parts()
    for name in ("pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip"):
        parts.files[name] = core[name]
    page_lock = {"info": lock["info"], "packages": {}}
    for name in pins.LOCK_PACKAGES:
        entry = dict(lock["packages"][name])
        entry["unvendored_tests"] = False
        page_lock["packages"][name] = entry
        parts.files[entry["file_name"]] = wheels[name]
        parts.packages.append(name)
    for dist, version, filename, expected, imports in pins.PYPI_WHEELS:
        data = pypi_file(cache, dist, version, filename, expected)
        name = dist.lower().replace("_", "-")
        page_lock["packages"][name] = {
            "name": name, "version": version, "file_name": filename, "install_dir": "site", "sha256": expected,
            "package_type": "package", "imports": list(imports), "depends": [], "unvendored_tests": False,
        }
        parts.files[filename] = data
        parts.packages.append(name)
    parts.files["pyodide-lock.json"] = json.dumps(page_lock, sort_keys=True, ensure_ascii=False).encode()
    parts.files[SOURCE_ARCHIVE] = source_archive(package_dir)
    echo("在 Pyodide 中导入 xlzu 并预编译字节码（node）…")
    site_pyc, stdlib_pyc = compiled(parts, cache / "compiled" if reuse_compiled else None)
    parts.files[COMPILED_ARCHIVE] = site_pyc
    parts.files["python_stdlib.zip"] = with_bytecode(parts.files["python_stdlib.zip"], stdlib_pyc)
    return parts


def with_bytecode(stdlib: bytes, pyc: bytes) -> bytes:
    """Pyodide's standard-library zip with the .pyc of the modules the page
    loads added beside their .py (same entries otherwise, same order)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(stdlib)) as src, zipfile.ZipFile(io.BytesIO(pyc)) as extra, \
            zipfile.ZipFile(buf, "w") as out:
        for archive, info in [*((src, i) for i in src.infolist()), *((extra, i) for i in extra.infolist())]:
            data = archive.read(info.filename)
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.external_attr = info.external_attr or (0o644 << 16)
            entry.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(entry, data, compresslevel=9)
    return buf.getvalue()


def compiled(parts: Parts, store: Path | None) -> tuple[bytes, bytes]:
    """The bytecode of every module the page imports, made by the page's own
    Pyodide under node (``compile.js``).  Importing there is the build's
    proof that xlzu runs on what the page holds: an import error stops the
    build.  Kept in ``store`` by the hash of everything it depends on."""
    key = hashlib.sha256()
    for name, data in sorted(parts.files.items()):
        key.update(name.encode() + b"\0" + sha256(data).encode())
    key.update((HERE / "compile.js").read_bytes())
    key.update(json.dumps(parts.packages).encode())
    kept = store / f"{key.hexdigest()}.zip" if store else None
    kept_std = store / f"{key.hexdigest()}-stdlib.zip" if store else None
    if kept and kept.exists() and kept_std.exists():
        return kept.read_bytes(), kept_std.read_bytes()
    with tempfile.TemporaryDirectory(prefix="xlzu-web-") as tmp:
        d = Path(tmp)
        for name, data in parts.files.items():
            (d / name).write_bytes(data)
        (d / "manifest.json").write_text(json.dumps({"packages": parts.packages, "source": SOURCE_ARCHIVE}))
        try:
            done = subprocess.run(["node", str(HERE / "compile.js"), str(d)], capture_output=True, text=True)
        except FileNotFoundError:
            raise WebBuildError("构建离线版需要 node（与 npm 一起安装），但没有找到它。") from None
        if done.returncode != 0:
            raise WebBuildError("xlzu 在离线版的 Pyodide 中无法导入，离线版不能构建：\n"
                                + (done.stderr.strip() or done.stdout.strip())[-3000:])
        data = (d / "compiled.zip").read_bytes()
        std = (d / "stdlib-pyc.zip").read_bytes()
    if kept:
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_bytes(data)
        kept_std.write_bytes(std)
    return data, std


def render(parts: Parts, version: str) -> bytes:
    """The HTML file (bytes) from the parts."""
    manifest = {"indexURL": INDEX_URL, "packages": parts.packages, "source": SOURCE_ARCHIVE,
                "compiled": COMPILED_ARCHIVE, "version": version,
                "pyodide": pins.PYODIDE_VERSION, "files": {}}
    blobs = []
    for i, (name, data) in enumerate(sorted(parts.files.items())):
        bid = f"xz{i}"
        manifest["files"][name] = {"id": bid, "type": MIME.get(Path(name).suffix, "application/octet-stream"),
                                   "size": len(data)}
        packed = gzip.compress(data, compresslevel=9, mtime=0)
        if len(packed) < 0.9 * len(data):  # the wasm and the scripts; wheels are zips already
            manifest["files"][name]["encoding"] = "gzip"
            data = packed
        blobs.append(f'<script type="application/x-base64" id="{bid}">{base64.b64encode(data).decode("ascii")}</script>')
    html = (HERE / "page.html").read_text(encoding="utf-8")
    css = (HERE / "page.css").read_text(encoding="utf-8")
    js = (HERE / "page.js").read_text(encoding="utf-8")
    for text, what in ((css, "page.css"), (js, "page.js")):
        if "</" in text.replace("<\\/", ""):
            raise WebBuildError(f"{what} 中不能出现 “</”（会提前结束 HTML 中的元素）。")
    manifest_json = json.dumps(manifest, sort_keys=True, ensure_ascii=False).replace("</", "<\\/")
    html = (html.replace("{{VERSION}}", version)
                .replace("{{CSS}}", css)
                .replace("{{MANIFEST}}", manifest_json)
                .replace("{{BLOBS}}", "\n".join(blobs))
                .replace("{{JS}}", js))
    return html.encode("utf-8")


def build_page(output: str | os.PathLike | None = None, *, cache: str | os.PathLike | None = None,
               echo: Callable[[str], None] = lambda s: None, reuse_compiled: bool = True) -> Path:
    """Build the offline page; returns its path (default ``离线版.html`` in the current folder)."""
    from .. import __version__

    out = Path(output) if output is not None else Path(DEFAULT_NAME)
    if out.suffix.lower() not in (".html", ".htm"):
        raise WebBuildError(f"离线版的文件名应以 .html 结尾，而不是“{out.name}”。")
    parts = collect(Path(cache) if cache is not None else None, echo=echo, reuse_compiled=reuse_compiled)
    data = render(parts, __version__)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, out)
    return out
