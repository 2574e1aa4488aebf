"use strict";
// The offline page: Pyodide from embedded bytes (no network), one button per operation.
(function () {
  const manifest = JSON.parse(document.getElementById("xlzu-manifest").textContent);
  const BASE = manifest.indexURL;
  const WORK = "/xlzu-work";
  const realFetch = window.fetch ? window.fetch.bind(window) : null;
  const $ = (sel) => document.querySelector(sel);
  const $$ = (sel) => Array.from(document.querySelectorAll(sel));
  const state = { py: null, run: null, name: null, bytes: null, handle: null, busy: false };
  // The school (grade) workbook of 校级评比: kept apart from the class workbook.
  const school = { name: null, bytes: null, handle: null };
  const SCHOOL_NAME = "年级评比.xlsx";
  const timings = (window.xlzuTimings = { start: performance.now(), ready: null, ops: [] });

  // ---- embedded files ------------------------------------------------------
  function decode(id) {
    const el = document.getElementById(id);
    const text = el.textContent;
    if (Uint8Array.fromBase64) return Uint8Array.fromBase64(text);
    const bin = atob(text);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  async function fileBytes(name) {
    const f = manifest.files[name];
    if (!f) throw new Error("not embedded: " + name);
    let out = decode(f.id);
    if (f.encoding === "gzip") {
      const stream = new Blob([out]).stream().pipeThrough(new DecompressionStream("gzip"));
      out = new Uint8Array(await new Response(stream).arrayBuffer());
    }
    return out;
  }
  // Pyodide fetches its files from BASE: answer from memory.  Anything else is
  // refused, so the page can never reach the network.
  window.fetch = async function (input, init) {
    const url = typeof input === "string" ? input : (input && input.url) || String(input);
    if (url.startsWith(BASE)) {
      const name = decodeURIComponent(url.slice(BASE.length).split(/[?#]/)[0]);
      const f = manifest.files[name];
      if (!f) return new Response("", { status: 404, statusText: "Not embedded" });
      return new Response(await fileBytes(name), { status: 200, headers: { "Content-Type": f.type } });
    }
    if (realFetch && (url.startsWith("data:") || url.startsWith("blob:"))) return realFetch(input, init);
    throw new TypeError("离线版不联网：" + url);
  };
  async function loadScript(name) {
    const bytes = await fileBytes(name);
    return new Promise((resolve, reject) => {
      const url = URL.createObjectURL(new Blob([bytes], { type: "text/javascript" }));
      const s = document.createElement("script");
      s.src = url;
      s.onload = () => resolve();
      s.onerror = () => reject(new Error("无法加载 " + name));
      document.head.appendChild(s);
    });
  }

  // ---- status --------------------------------------------------------------
  function setState(s) { document.body.dataset.state = s; }
  function phase(name) { timings.phases = timings.phases || []; timings.phases.push([name, performance.now() - timings.start]); }
  function status(text, pct) {
    $("#status-text").textContent = text;
    if (pct != null) $("#progress").style.width = pct + "%";
  }
  // Let the browser paint the new state (a hidden tab gets no frames: then a short wait).
  const nextPaint = () => new Promise((r) => {
    let done = false;
    const go = () => { if (!done) { done = true; r(); } };
    requestAnimationFrame(() => setTimeout(go, 0));
    setTimeout(go, 100);
  });
  function refreshButtons() {
    const ready = !!state.py && !state.busy;
    $$("button[data-op]").forEach((b) => {
      const op = b.dataset.op;
      b.disabled = !ready || (op === "new" ? !$('[data-role="roster"]').files.length
        : op === "school" ? !$('[data-role="classes"]').files.length : !state.bytes);
    });
    $('[data-role="download"]').disabled = !state.bytes || state.busy;
    const saveas = $('[data-role="saveas"]');
    saveas.hidden = !window.showSaveFilePicker;
    saveas.disabled = !state.bytes || state.busy;
  }

  // ---- the log (as on 控制台) ------------------------------------------------
  function two(n) { return String(n).padStart(2, "0"); }
  function stamp() {
    const d = new Date();
    return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
  }
  function logEntry(title, lines, opts = {}) {
    const box = document.createElement("div");
    box.className = "entry" + (opts.fail ? " fail" : "");
    if (opts.op) box.dataset.op = opts.op;
    box.dataset.ok = opts.fail ? "0" : "1";
    const head = document.createElement("div");
    head.className = "head";
    head.textContent = `${stamp()}  ${title}` + (opts.seconds != null ? `（${opts.seconds.toFixed(1)} 秒）` : "");
    box.appendChild(head);
    for (const line of lines) {
      const p = document.createElement("div");
      p.className = "line";
      p.textContent = line;
      box.appendChild(p);
    }
    for (const note of opts.notes || []) {
      const p = document.createElement("div");
      p.className = "note";
      p.textContent = note;
      box.appendChild(p);
    }
    const log = $('[data-role="log"]');
    log.insertBefore(box, log.firstChild);
  }

  // ---- Python --------------------------------------------------------------
  async function boot() {
    setState("loading");
    status("正在启动 Python（约需 10–20 秒）…", 5);
    await nextPaint();
    phase("parsed");
    await loadScript("pyodide.js");
    await loadScript("pyodide.asm.js");
    phase("scripts");
    status("正在启动 Python…", 20);
    const py = await globalThis.loadPyodide({
      indexURL: BASE,
      lockFileURL: BASE + "pyodide-lock.json",
      stdout: (s) => console.log(s),
      stderr: (s) => console.warn(s),
    });
    phase("pyodide");
    status("正在加载 pandas 和 openpyxl…", 45);
    await py.loadPackage(manifest.packages, { checkIntegrity: false, messageCallback: () => {} });
    phase("packages");
    status("正在加载 xlzu…", 80);
    py.FS.mkdirTree("/xlzu-src");
    py.FS.writeFile("/xlzu-src/xlzu.zip", await fileBytes(manifest.source));
    py.FS.writeFile("/xlzu-src/compiled.zip", await fileBytes(manifest.compiled));
    py.runPython(`
import sys, zipfile, site
target = site.getsitepackages()[0]
for archive in ("/xlzu-src/xlzu.zip", "/xlzu-src/compiled.zip"):
    with zipfile.ZipFile(archive) as z:
        z.extractall(target)
import importlib; importlib.invalidate_caches()
import xlzu.web.inpage as _xlzu_page
_xlzu_page.check_imports()
`);
    phase("xlzu");
    py.FS.mkdirTree(WORK);
    state.run = py.globals.get("_xlzu_page").run;
    state.py = py;
    window.xlzuPyodide = py; // for diagnostics and benchmarks/web.py
    timings.ready = performance.now();
    const secs = ((timings.ready - timings.start) / 1000).toFixed(1);
    status(`已就绪（用时 ${secs} 秒）。请打开班级工作簿，或新建班级。`, 100);
    setState("ready");
    refreshButtons();
  }

  function clearWork() {
    const FS = state.py.FS;
    const wipe = (dir) => {
      for (const n of FS.readdir(dir)) {
        if (n === "." || n === "..") continue;
        const p = dir + "/" + n;
        if (FS.isDir(FS.stat(p).mode)) { wipe(p); FS.rmdir(p); } else FS.unlink(p);
      }
    };
    wipe(WORK);
  }

  function options(op) {
    const o = {};
    for (const el of $$("[data-opt]")) {
      if (el.dataset.for && el.dataset.for !== op) continue;
      o[el.dataset.opt] = el.type === "checkbox" ? el.checked : el.value;
    }
    return o;
  }

  const CAPTIONS = { new: "新建班级", roster: "导入花名册", group: "自动分组", keep: "重排职务座位", daily: "生成日表",
    save: "保存日表", week: "一键周汇总", month: "月度评比", review: "综合评价", term: "期末评比", school: "校级评比" };

  async function runOp(op) {
    if (state.busy || !state.py) return;
    const caption = CAPTIONS[op];
    // Asking for write access needs the button press itself: do it first.
    const target = op === "school" ? school : state;
    if (target.handle && op !== "new") await writable(target.handle);
    state.busy = true;
    setState("busy");
    refreshButtons();
    status(`正在运行“${caption}”…`, null);
    await nextPaint();
    const t0 = performance.now();
    let result;
    try {
      const FS = state.py.FS;
      clearWork();
      const o = options(op);
      const rosterFile = $('[data-role="roster"]').files[0];
      if (rosterFile && (op === "new" || op === "roster")) {
        FS.mkdirTree(WORK + "/roster");
        FS.writeFile(WORK + "/roster/" + rosterFile.name, new Uint8Array(await rosterFile.arrayBuffer()));
        o.roster = "roster/" + rosterFile.name;
      }
      const settingsFile = $('[data-role="settings-from"]').files[0];
      if (settingsFile && op === "new") {
        FS.mkdirTree(WORK + "/settings");
        FS.writeFile(WORK + "/settings/" + settingsFile.name, new Uint8Array(await settingsFile.arrayBuffer()));
        o.settings_from = "settings/" + settingsFile.name;
      }
      let name = target.name;
      if (op === "school") {
        // Each class in a folder of its own: two files of the same name stay two files.
        o.classes = [];
        const files = Array.from($('[data-role="classes"]').files);
        for (let k = 0; k < files.length; k++) {
          FS.mkdirTree(`${WORK}/classes/${k + 1}`);
          FS.writeFile(`${WORK}/classes/${k + 1}/${files[k].name}`, new Uint8Array(await files[k].arrayBuffer()));
          o.classes.push(`classes/${k + 1}/${files[k].name}`);
        }
        name = name || SCHOOL_NAME;
        if (school.bytes) FS.writeFile(WORK + "/" + name, school.bytes);
      } else if (op === "new") {
        const cls = (o.class_name || "").trim().replace(/[\\/:*?"<>|]/g, "");
        name = (cls || "班级") + ".xlsx";
      } else {
        FS.writeFile(WORK + "/" + name, state.bytes);
      }
      await nextPaint();
      result = JSON.parse(state.run(op, name, JSON.stringify(o)));
      const seconds = (performance.now() - t0) / 1000;
      timings.ops.push({ op, seconds, ok: result.ok });
      const notes = [];
      const path = WORK + "/" + name;
      const exists = FS.analyzePath(path).exists;
      const after = exists ? FS.readFile(path) : null;
      const changed = after && (!target.bytes || op === "new" || !sameBytes(after, target.bytes));
      if (op === "new" && result.ok) {
        state.name = name;
        state.handle = null;
        $('[data-role="roster"]').value = "";
      }
      if (op === "school" && result.ok) school.name = name;
      if (changed && (op !== "new" || result.ok)) {
        target.bytes = after;
        notes.push(await store(target));
      }
      logEntry(result.title + (result.ok ? "" : "：没有完成"), result.lines, { fail: !result.ok, op, seconds, notes });
      status(result.ok ? `“${caption}”已完成（${seconds.toFixed(1)} 秒）。` : `“${caption}”没有完成，原因见运行记录。`, 100);
    } catch (err) {
      console.error(err);
      if (!result) timings.ops.push({ op, seconds: (performance.now() - t0) / 1000, ok: false });
      logEntry(caption + "：没有完成", [`程序出错（${err && err.message ? err.message : err}）。请把这段文字发给技术人员。`],
        { fail: true, op });
      status(`“${caption}”出错。`, 100);
    } finally {
      state.busy = false;
      $("#book-name").textContent = state.name || "（还没有打开）";
      showSchool();
      setState("ready");
      refreshButtons();
    }
  }

  function sameBytes(a, b) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  // ---- saving: in place (File System Access) or download --------------------
  async function writable(handle) {
    if (!handle.queryPermission) return true;
    const opts = { mode: "readwrite" };
    if ((await handle.queryPermission(opts)) === "granted") return true;
    return (await handle.requestPermission(opts)) === "granted";
  }
  async function store(t = state) {
    if (t.handle) {
      try {
        const w = await t.handle.createWritable();
        await w.write(t.bytes);
        await w.close();
        return `已存回“${t.name}”。`;
      } catch (err) {
        console.warn(err);
      }
    }
    download(t);
    return `已下载“${t.name}”（浏览器不能直接存回原文件；请用下载的这个文件替换原来的工作簿）。`;
  }
  function download(t = state) {
    const blob = new Blob([t.bytes], { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = t.name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 60000);
  }

  async function openFile(file, handle) {
    if (!/\.(xlsx|xlsm)$/i.test(file.name)) {
      logEntry("打开工作簿：没有完成", [`“${file.name}”不是 .xlsx 或 .xlsm 工作簿。`], { fail: true });
      return;
    }
    state.bytes = new Uint8Array(await file.arrayBuffer());
    state.name = file.name;
    state.handle = handle || null;
    $("#book-name").textContent = file.name;
    $("#book-where").textContent = handle ? "（结果直接存回这个文件）" : "（结果以下载的方式保存）";
    logEntry("打开工作簿", [`已打开“${file.name}”。`]);
    refreshButtons();
  }

  // ---- wiring --------------------------------------------------------------
  const bookInput = $('[data-role="workbook"]');
  bookInput.addEventListener("change", () => { if (bookInput.files[0]) openFile(bookInput.files[0], null); bookInput.value = ""; });
  $("#open-label").addEventListener("click", async (ev) => {
    if (!window.showOpenFilePicker) return; // the plain file input opens
    ev.preventDefault();
    try {
      const [handle] = await window.showOpenFilePicker({
        types: [{ description: "班级工作簿", accept: { "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx", ".xlsm"] } }],
      });
      await openFile(await handle.getFile(), handle);
    } catch (err) {
      if (err && err.name !== "AbortError") console.warn(err);
    }
  });
  const drop = $("#drop");
  ["dragenter", "dragover"].forEach((t) => drop.addEventListener(t, (ev) => { ev.preventDefault(); drop.classList.add("over"); }));
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", async (ev) => {
    ev.preventDefault();
    drop.classList.remove("over");
    const item = ev.dataTransfer.items && ev.dataTransfer.items[0];
    let handle = null;
    if (item && item.getAsFileSystemHandle) {
      try { handle = await item.getAsFileSystemHandle(); } catch (err) { handle = null; }
    }
    const file = handle && handle.kind === "file" ? await handle.getFile() : ev.dataTransfer.files[0];
    if (file) openFile(file, handle && handle.kind === "file" ? handle : null);
  });
  $('[data-role="roster"]').addEventListener("change", refreshButtons);
  // ---- 校级评比: several class workbooks, an optional school workbook ----------
  function showSchool() {
    const n = $('[data-role="classes"]').files.length;
    $("#classes-count").textContent = n ? `已选 ${n} 个班级工作簿。` : "";
    $("#school-where").textContent = school.name
      ? `当前年级工作簿：${school.name}` + (school.handle ? "（结果直接存回这个文件）" : "（结果以下载的方式保存）")
      : `不选则新建“${SCHOOL_NAME}”。`;
  }
  async function openSchool(file, handle) {
    if (!/\.(xlsx|xlsm)$/i.test(file.name)) {
      logEntry("打开年级工作簿：没有完成", [`“${file.name}”不是 .xlsx 或 .xlsm 工作簿。`], { fail: true });
      return;
    }
    school.bytes = new Uint8Array(await file.arrayBuffer());
    school.name = file.name;
    school.handle = handle || null;
    logEntry("打开年级工作簿", [`已打开“${file.name}”。`]);
    showSchool();
  }
  $('[data-role="classes"]').addEventListener("change", () => { showSchool(); refreshButtons(); });
  const schoolInput = $('[data-role="school"]');
  schoolInput.addEventListener("change", () => { if (schoolInput.files[0]) openSchool(schoolInput.files[0], null); schoolInput.value = ""; });
  schoolInput.parentElement.addEventListener("click", async (ev) => {
    if (!window.showOpenFilePicker) return; // the plain file input opens
    ev.preventDefault();
    try {
      const [handle] = await window.showOpenFilePicker({
        types: [{ description: "年级工作簿", accept: { "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx", ".xlsm"] } }],
      });
      await openSchool(await handle.getFile(), handle);
    } catch (err) {
      if (err && err.name !== "AbortError") console.warn(err);
    }
  });
  showSchool();
  $('[data-role="download"]').addEventListener("click", () => { if (state.bytes) download(); });
  $('[data-role="saveas"]').addEventListener("click", async () => {
    try {
      const handle = await window.showSaveFilePicker({ suggestedName: state.name });
      state.handle = handle;
      const file = await handle.getFile().catch(() => null);
      state.name = (file && file.name) || handle.name || state.name;
      logEntry("另存", [await store()]);
      $("#book-name").textContent = state.name;
      $("#book-where").textContent = "（结果直接存回这个文件）";
    } catch (err) {
      if (err && err.name !== "AbortError") console.warn(err);
    }
  });
  $$("button[data-op]").forEach((b) => b.addEventListener("click", () => runOp(b.dataset.op)));
  window.addEventListener("dragover", (ev) => ev.preventDefault());
  window.addEventListener("drop", (ev) => ev.preventDefault());

  refreshButtons();
  boot().catch((err) => {
    console.error(err);
    setState("error");
    status(`离线版无法启动：${err && err.message ? err.message : err}。请换用新版 Chrome 或 Edge 打开。`, 100);
    logEntry("启动失败", [String(err && err.stack ? err.stack : err)], { fail: true });
  });
})();
