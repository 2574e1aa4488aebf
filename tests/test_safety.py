"""Never lose a row on disk: xlzu's own lock for a whole operation, dated
backups written safely, symlinks followed, and a Chinese reason for every way
a save can be refused (read-only file or folder, missing folder, full disk).

Each case runs a real command on a real workbook.  Where a second process is
the point (two commands at once, a kill mid-backup) the command runs as
``python -m xlzu``; a read-only folder and a full disk are real file systems
(a read-only bind mount, a size-limited tmpfs) in a private mount namespace.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from xlzu import contract as C
from xlzu.book import backups, open_book, safety
from xlzu.cli import app
from xlzu.layout import Layout

ROOT = Path(__file__).resolve().parents[1]
RENAMED = "改名测试"


def xlzu_process(*args: str, wait: float = 120, **kw) -> subprocess.Popen:
    """``python -m xlzu ARGS`` in its own process, on this worktree's xlzu."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XLZU_LOCK_WAIT": str(wait)}
    return subprocess.Popen([sys.executable, "-m", "xlzu", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def until_idle(proc: subprocess.Popen, most: float) -> None:
    """Wait until ``proc`` has gone idle: asleep with its CPU time unchanged
    for a second (it is polling xlzu's lock, everything it does before
    taking the lock done), or has ended; at most ``most`` seconds, all of
    them where there is no /proc to look at."""
    stat = Path(f"/proc/{proc.pid}/stat")
    if not stat.exists():
        time.sleep(most)
        return
    deadline = time.monotonic() + most
    last, since = None, time.monotonic()
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            return
        state, cpu, now = fields[0], int(fields[11]) + int(fields[12]), time.monotonic()  # utime + stime
        if state != "S" or cpu != last:
            last, since = cpu, now
        elif now - since >= 1.0:
            return
        time.sleep(0.05)


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


def roster_names(path: Path) -> list[str]:
    return list(pd.read_excel(path, sheet_name=C.ROSTER, engine="openpyxl")[C.ROSTER_NAME])


def grouped(path: Path) -> int:
    ids = pd.read_excel(path, sheet_name=C.GROUPS, engine="openpyxl", dtype=str)[C.GROUP_ID]
    return int(ids.str.fullmatch(r"\d{9}").sum())


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if ".tmp-" in p.name or p.name.endswith(".xlzu-lock"))


@pytest.fixture
def renamed_roster(tmp_path: Path, demo_roster: Path) -> Path:
    """The demo roster with the first student renamed: an update one can see."""
    df = pd.read_csv(demo_roster, dtype=str, encoding="utf-8-sig")
    df.iloc[0, 1] = RENAMED
    path = tmp_path / "新名单.csv"
    df.to_csv(path, index=False, encoding="utf-8-sig")
    return path


# ---- two commands at once ------------------------------------------------------
def test_a_command_waits_for_the_one_writing_and_reads_its_work(class_book, renamed_roster):
    """The lock covers read-modify-write: the second command reads the
    workbook only after the first has saved, so both updates are there."""
    with safety.writing(class_book):  # as an operation does: read, change, save
        book = open_book(class_book)
        proc = xlzu_process("roster", str(class_book), "--from", str(renamed_roster))
        until_idle(proc, 4)  # the other command is up and waiting on the lock
        assert proc.poll() is None, proc.communicate()
        book.write_layout(C.SEATS, Layout(rows=[["先到的命令写的"]]))
        book.save()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert openpyxl.load_workbook(class_book)[C.SEATS]["A1"].value == "先到的命令写的"
    assert RENAMED in roster_names(class_book)
    assert leftovers(class_book.parent) == []


def test_a_command_that_waited_too_long_is_refused_in_chinese(class_book, renamed_roster):
    before = class_book.read_bytes()
    with safety.writing(class_book):
        proc = xlzu_process("roster", str(class_book), "--from", str(renamed_roster), wait=1)
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert "另一个 xlzu 命令" in err and "班级.xlsx" in err and "没有修改" in err
    assert "Traceback" not in err
    assert class_book.read_bytes() == before


def test_two_commands_started_together_both_count(class_book, renamed_roster):
    """自动分组 and a roster import at the same moment: without the lock the
    later save silently dropped the other's update."""
    procs = [xlzu_process("group", str(class_book)),
             xlzu_process("roster", str(class_book), "--from", str(renamed_roster))]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    assert grouped(class_book) == 52  # 自动分组's update is there
    assert RENAMED in roster_names(class_book)  # and so is the import's
    assert len(backups(class_book)) == 2
    assert leftovers(class_book.parent) == []


# ---- backups -------------------------------------------------------------------
KILL_DURING_BACKUP = """
import os, shutil, signal, sys
real_copy = shutil.copyfileobj
def half_then_killed(fsrc, fdst, length=0):
    if "xlzu备份" not in str(getattr(fdst, "name", "")):
        return real_copy(fsrc, fdst, length)
    data = fsrc.read()
    fdst.write(data[: len(data) // 2])
    fdst.flush()
    os.kill(os.getpid(), signal.SIGKILL)
shutil.copyfileobj = half_then_killed  # the OS boundary: the copy's bytes
from xlzu.cli import main
sys.argv = ["xlzu", "roster", sys.argv[1]]
main()
"""


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_a_kill_during_the_backup_leaves_no_truncated_backup(class_book):
    before = class_book.read_bytes()
    cli("roster", str(class_book))  # one good backup first
    after_first = class_book.read_bytes()
    good = backups(class_book)
    proc = subprocess.run([sys.executable, "-c", KILL_DURING_BACKUP, str(class_book)], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
    assert proc.returncode == -9
    backup_dir = class_book.parent / "xlzu备份"
    stale = leftovers(class_book.parent)
    assert any(p.startswith(".班级 ") for p in stale), stale  # killed mid-copy of the backup
    assert any(p.startswith(".班级.tmp-") for p in stale), stale  # (after the new file was written)
    assert class_book.read_bytes() == after_first  # the workbook is untouched
    assert backups(class_book) == good  # no backup under a real name is half a file
    for p in backups(class_book):
        openpyxl.load_workbook(p)
    assert good[0].read_bytes() == before

    result = cli("roster", str(class_book))  # the next command cleans up and works
    assert result.exit_code == 0, result.output
    assert leftovers(class_book.parent) == []
    assert [p.name for p in backup_dir.iterdir() if p.name.startswith(".")] == []
    assert backups(class_book)[-1].read_bytes() == after_first


def test_new_force_keeps_the_replaced_workbook_for_good(class_book, demo_roster):
    cli("roster", str(class_book))
    old = class_book.read_bytes()
    result = cli("new", str(class_book), "--roster", str(demo_roster), "--force")
    assert result.exit_code == 0, result.output
    kept = [p for p in (class_book.parent / "xlzu备份").iterdir() if " 替换前 " in p.name]
    assert len(kept) == 1 and kept[0].read_bytes() == old
    assert kept[0].name in result.output
    for i in range(safety.KEEP_BACKUPS + 2):  # more saves than dated backups kept
        book = open_book(class_book)
        book.write_layout(C.SEATS, Layout(rows=[[f"第{i}次"]]))
        book.save()
    assert len(backups(class_book)) == safety.KEEP_BACKUPS
    assert kept[0].read_bytes() == old  # still there, never overwritten


# ---- symlinks ------------------------------------------------------------------
@pytest.mark.skipif(os.name != "posix", reason="symlinks need privileges on Windows")
def test_saving_through_a_symlink_updates_the_real_workbook(class_book, tmp_path, renamed_roster):
    elsewhere = tmp_path / "桌面"
    elsewhere.mkdir()
    link = elsewhere / "我的班级.xlsx"
    link.symlink_to(class_book)
    result = cli("roster", str(link), "--from", str(renamed_roster))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == class_book.resolve()
    assert RENAMED in roster_names(class_book)
    assert len(backups(class_book)) == 1 and backups(class_book)[0].parent == class_book.parent / "xlzu备份"
    assert sorted(p.name for p in elsewhere.iterdir()) == ["我的班级.xlsx"]
    assert leftovers(tmp_path) == []


# ---- refusals --------------------------------------------------------------------
def test_a_read_only_workbook_is_refused_and_stays_read_only(class_book, renamed_roster):
    class_book.chmod(0o444)
    before = class_book.read_bytes()
    result = cli("roster", str(class_book), "--from", str(renamed_roster))
    assert result.exit_code == 1
    assert "只读文件" in result.output and "班级.xlsx" in result.output
    assert class_book.read_bytes() == before
    assert stat.S_IMODE(class_book.stat().st_mode) == 0o444
    assert backups(class_book) == [] and leftovers(class_book.parent) == []


def test_a_missing_folder_gets_its_own_message(tmp_path, demo_roster):
    target = tmp_path / "没有这个文件夹" / "班级.xlsx"
    result = cli("new", str(target), "--roster", str(demo_roster))
    assert result.exit_code == 1
    assert "找不到文件夹" in result.output and "没有这个文件夹" in result.output
    assert "程序出错" not in result.output
    assert not target.parent.exists()


def namespace_prefix() -> list[str]:
    """A private mount namespace (root, or an unprivileged user namespace)."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare is not installed")
    prefix = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-rm"]
    probe = subprocess.run([*prefix, "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"no private mount namespace here: {probe.stderr.decode(errors='replace')}")
    return prefix


def run_in_namespace(script: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PY": sys.executable}
    return subprocess.run([*namespace_prefix(), "sh", "-c", script, "sh", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions and mounts")
def test_a_read_only_folder_gets_its_own_message(class_book, renamed_roster):
    folder = class_book.parent
    before = class_book.read_bytes()
    args = ["roster", str(class_book), "--from", str(renamed_roster)]
    if os.geteuid() != 0:  # an ordinary user: the folder's permissions
        folder.chmod(0o555)
        try:
            result = cli(*args)
        finally:
            folder.chmod(0o755)
        rc, output = result.exit_code, result.output
    else:  # root may write anywhere: a read-only mount of the folder
        proc = run_in_namespace('mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" && '
                                '"$PY" -m xlzu "$2" "$3" "$4" "$5"', str(folder), *args)
        rc, output = proc.returncode, proc.stdout + proc.stderr
    assert rc == 1, output
    assert "不允许写入" in output and "正在 Excel" not in output
    assert class_book.read_bytes() == before
    assert backups(class_book) == [] and leftovers(folder) == []


FULL_DISK = """
set -e
mount -t tmpfs -o size="$3" tmpfs "$1"
cp "$2" "$1/班级.xlsx"
set +e
"$PY" -m xlzu roster "$1/班级.xlsx" > "$4/out.txt" 2>&1
echo $? > "$4/rc.txt"
cp "$1/班级.xlsx" "$4/after.xlsx"
(cd "$1" && find . -mindepth 1 | sort) > "$4/files.txt"
"""


@pytest.mark.skipif(os.name != "posix", reason="tmpfs")
@pytest.mark.parametrize("size", ["40k", "80k"], ids=["no room for the new file", "no room for the backup"])
def test_a_full_disk_gets_its_own_message_and_changes_nothing(class_book, tmp_path, size):
    """A real full disk: a tmpfs just big enough for the workbook (40k) or for
    it and the new file but not the backup (80k); the workbook is ~35 KB
    (规则说明 included)."""
    disk, results = tmp_path / "小磁盘", tmp_path / "结果"
    disk.mkdir(), results.mkdir()
    assert 32_000 < class_book.stat().st_size < 38_000
    proc = run_in_namespace(FULL_DISK, str(disk), str(class_book), size, str(results))
    assert proc.returncode == 0, proc.stderr
    output = (results / "out.txt").read_text(encoding="utf-8")
    assert (results / "rc.txt").read_text().strip() == "1", output
    assert "磁盘空间不足" in output and "程序出错" not in output
    assert (results / "after.xlsx").read_bytes() == class_book.read_bytes()
    files = (results / "files.txt").read_text(encoding="utf-8").split()
    assert [f for f in files if f not in ("./班级.xlsx", "./xlzu备份")] == [], files


# ---- platforms without OS locking (Pyodide) ---------------------------------------
def test_without_os_locking_an_exclusive_lock_file_with_a_stale_rule(class_book, monkeypatch):
    import json
    import platform

    from xlzu.errors import WorkbookBusy

    monkeypatch.setattr(safety, "fcntl", None)
    monkeypatch.setattr(safety, "msvcrt", None)
    lock = safety.lock_path(class_book)
    here = platform.node()
    lock.write_text(json.dumps({"pid": 1, "host": here, "time": time.time()}))  # a live process
    with pytest.raises(WorkbookBusy):
        with safety.writing(class_book, wait=0.3):
            pass
    assert lock.exists()

    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    lock.write_text(json.dumps({"pid": int(finished.stdout), "host": here, "time": time.time()}))  # a dead one
    result = cli("roster", str(class_book))
    assert result.exit_code == 0, result.output
    assert not lock.exists() and len(backups(class_book)) == 1

    lock.write_text(json.dumps({"pid": 1, "host": "另一台电脑", "time": time.time() - safety.STALE_LOCK_AGE - 1}))
    result = cli("roster", str(class_book))  # too old to be a run still going
    assert result.exit_code == 0, result.output
    assert not lock.exists()


FULL_DISK_AT_THE_OS_BOUNDARY = """
import builtins, errno, io, os, sys
folder, room = os.path.realpath(sys.argv[1]), int(sys.argv[2])
real_open, written = io.open, [0]

class OnFullDisk:
    '''A file on a disk with `room` bytes left in all: writes beyond fail as the OS fails them.'''
    def __init__(self, f):
        self._f = f
    def write(self, data):
        written[0] += len(data)
        if written[0] > room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self._f.write(data)
    def __getattr__(self, name):
        return getattr(self._f, name)
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        self._f.close()
    def __iter__(self):
        return iter(self._f)

def on_full_disk(file, mode="r", *args, **kwargs):
    f = real_open(file, mode, *args, **kwargs)
    writing = any(c in mode for c in "wax+")
    if writing and isinstance(file, (str, os.PathLike)) and os.path.realpath(file).startswith(folder):
        return OnFullDisk(f)
    return f

builtins.open = io.open = on_full_disk
from xlzu.cli import main
sys.argv = ["xlzu", "roster", sys.argv[3]]
main()
"""


@pytest.mark.parametrize("room", [0, 40_000], ids=["no room at all", "room for the new file, not the backup"])
def test_a_full_disk_at_the_os_boundary(class_book, room):
    """The same case without a mount (any machine, any user): every file xlzu
    opens for writing in the workbook's folder fails with ENOSPC once `room`
    bytes are used, as a full disk fails it."""
    before = class_book.read_bytes()
    proc = subprocess.run([sys.executable, "-c", FULL_DISK_AT_THE_OS_BOUNDARY, str(class_book.parent), str(room),
                           str(class_book)], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "磁盘空间不足" in proc.stderr and "程序出错" not in proc.stderr
    assert class_book.read_bytes() == before
    assert backups(class_book) == [] and leftovers(class_book.parent) == []


def test_a_file_system_that_cannot_lock_degrades_to_the_lock_file(class_book, monkeypatch):
    """flock failing with ENOSYS (Pyodide, some network drives) is not "held
    by another": xlzu falls back to the O_EXCL lock file and runs."""
    import errno
    import fcntl
    import types

    def cannot(fd, op):
        if op & fcntl.LOCK_UN:
            return None
        raise OSError(errno.ENOSYS, os.strerror(errno.ENOSYS))

    monkeypatch.setattr(safety, "fcntl", types.SimpleNamespace(LOCK_EX=fcntl.LOCK_EX, LOCK_NB=fcntl.LOCK_NB,
                                                               LOCK_UN=fcntl.LOCK_UN, flock=cannot))
    started = time.monotonic()
    result = cli("roster", str(class_book))
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < safety.LOCK_WAIT  # not mistaken for a busy workbook
    assert len(backups(class_book)) == 1 and leftovers(class_book.parent) == []


# ---- the demo's own steps ----------------------------------------------------------
DEMO_STEP = """
import sys
from datetime import date
from pathlib import Path
from xlzu import demo
step, path = sys.argv[1], Path(sys.argv[2])
if step == "daily":
    demo.demo_daily(path, print_pdf=False)
else:
    demo.demo_records(path, [date(2026, 11, 23), date(2026, 11, 24)])
"""


@pytest.mark.parametrize("step", ["daily", "records"])
def test_the_demo_steps_hold_the_lock_for_their_whole_read_modify_write(class_book, step):
    """A demo step that reads the workbook, types the week and saves waits
    for a command already writing, then reads its work: both are kept
    (before, the step read at once and saved over the other's change)."""
    from xlzu import group

    group(class_book, effort="fast")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XLZU_LOCK_WAIT": "120"}
    with safety.writing(class_book):  # another command: read, change, save
        book = open_book(class_book)
        proc = subprocess.Popen([sys.executable, "-c", DEMO_STEP, step, str(class_book)], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        until_idle(proc, 6)  # the demo step is up (and, without the lock, has read the workbook)
        book.write_layout(C.SEATS, Layout(rows=[["先到的命令写的"]]))
        book.save()
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    wb = openpyxl.load_workbook(class_book, read_only=True)
    assert wb[C.SEATS]["A1"].value == "先到的命令写的"
    assert wb[C.PERSON_RECORDS].max_row > 50  # and the demo's records are there too
    wb.close()
    assert leftovers(class_book.parent) == []
