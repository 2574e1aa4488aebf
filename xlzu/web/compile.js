// Build step, run by node: boot the page's own Pyodide with the page's own
// packages and xlzu source, import every module the page imports (an import
// the page cannot satisfy fails here, at build time), and write the bytecode
// of every module that was loaded as one archive (unchecked-hash .pyc, so the
// page need not compile them again at each start).
"use strict";
const path = require("path");
const fs = require("fs");
const dir = process.argv[2];
const { loadPyodide } = require(path.join(dir, "pyodide.js"));

const PY = `
import importlib, importlib.util, os, py_compile, site, sys, zipfile
sp = site.getsitepackages()[0]
with zipfile.ZipFile("/tmp/xlzu-source.zip") as z:
    z.extractall(sp)
importlib.invalidate_caches()
import xlzu.web.inpage as page
page.check_imports()
# Open, make and save a workbook once, so the modules loaded only then (the
# roster readers, openpyxl's writer) are compiled too.
from xlzu import ops
from xlzu.demo import demo_roster_path
os.makedirs("/tmp/warm", exist_ok=True)
ops.new_class("/tmp/warm/class.xlsx", demo_roster_path(), class_name="warm")
ops.import_roster("/tmp/warm/class.xlsx")
files = sorted({m.__file__ for m in list(sys.modules.values())
                if isinstance(getattr(m, "__file__", None), str) and m.__file__.startswith(sp + "/") and m.__file__.endswith(".py")})
with zipfile.ZipFile("/tmp/compiled.zip", "w") as out:
    for f in files:
        cfile = importlib.util.cache_from_source(f)
        py_compile.compile(f, cfile=cfile, doraise=True, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        info = zipfile.ZipInfo(os.path.relpath(cfile, sp), date_time=(1980, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(cfile, "rb") as fh:
            out.writestr(info, fh.read(), compresslevel=9)
# The standard library comes as .py files in a zip, compiled again at each
# start: its modules that were loaded get .pyc files beside them in the zip
# (zipimport prefers an unchecked-hash .pyc).
stdzip = next(p for p in sys.path if p.endswith(".zip"))
std = sorted({m.__file__ for m in list(sys.modules.values())
              if isinstance(getattr(m, "__file__", None), str) and m.__file__.startswith(stdzip + "/") and m.__file__.endswith(".py")})
with zipfile.ZipFile(stdzip) as src, zipfile.ZipFile("/tmp/stdlib-pyc.zip", "w") as out:
    for f in std:
        rel = f[len(stdzip) + 1:]
        source = src.read(rel)
        code = compile(source, f, "exec", dont_inherit=True)
        data = importlib._bootstrap_external._code_to_hash_pyc(code, importlib.util.source_hash(source), False)
        info = zipfile.ZipInfo(rel[:-3] + ".pyc", date_time=(1980, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        out.writestr(info, data, compresslevel=9)
print(f"compiled {len(files)} modules, {len(std)} of the standard library")
`;

(async () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
  const py = await loadPyodide({
    indexURL: dir + path.sep,
    env: { PYTHONHASHSEED: "0" },
    stdout: (s) => process.stdout.write(s + "\n"),
    stderr: (s) => process.stderr.write(s + "\n"),
  });
  await py.loadPackage(manifest.packages, { messageCallback: () => {} });
  py.FS.writeFile("/tmp/xlzu-source.zip", fs.readFileSync(path.join(dir, manifest.source)));
  py.runPython(PY);
  fs.writeFileSync(path.join(dir, "compiled.zip"), py.FS.readFile("/tmp/compiled.zip"));
  fs.writeFileSync(path.join(dir, "stdlib-pyc.zip"), py.FS.readFile("/tmp/stdlib-pyc.zip"));
})().catch((err) => {
  process.stderr.write(String(err && err.message ? err.message : err) + "\n");
  process.exit(1);
});
