"""Writing a workbook file so that no row is ever lost.

* **One writer at a time.**  :func:`writing` takes an exclusive lock of
  xlzu's own (a hidden ``.NAME.xlzu-lock`` file beside the workbook) for the
  whole read-modify-write of an operation; a second xlzu command on the same
  workbook waits :data:`LOCK_WAIT` seconds, then refuses in Chinese.  The
  lock is re-entrant within a process, so :func:`save` (which also takes it)
  works inside an operation's lock.  POSIX uses ``fcntl.flock``, Windows
  ``msvcrt.locking``; a platform with neither (Pyodide) falls back to an
  ``O_EXCL`` lock file with a stale-lock rule.
* **Atomic save.**  The new bytes are written to a hidden temp file beside the
  real workbook, flushed, then renamed over it in one step.  Symlinks are
  followed: the real file is replaced and the link kept.  The file's mode is
  kept.
* **Dated backups.**  Before the rename the old workbook is copied (temp +
  rename, so a kill mid-copy leaves no truncated backup) to
  ``xlzu备份/NAME 2026-12-01 115307.xlsx`` beside it; the last
  :data:`KEEP_BACKUPS` are kept.  :func:`keep_replaced` keeps a workbook that
  ``new --force`` replaces as ``NAME 替换前 2026-12-01 115307.xlsx``, which no
  later command deletes.
* **Plain reasons.**  A read-only file, a read-only folder, a missing folder
  and a full disk each get their own Chinese message, and leave the workbook
  as it was.

Stale hidden temp files (of a run that was killed) are removed under the lock.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import platform
import stat
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

from ..errors import DiskFull, FolderMissing, FolderReadOnly, WorkbookBusy, WorkbookLocked, WorkbookReadOnly

try:  # POSIX
    import fcntl
except ImportError:  # Windows, Pyodide
    fcntl = None  # type: ignore[assignment]
try:  # Windows
    import msvcrt
except ImportError:
    msvcrt = None  # type: ignore[assignment]

BACKUP_DIR = "xlzu备份"
KEEP_BACKUPS = 10
LOCK_WAIT = 5.0  # seconds a second command waits; XLZU_LOCK_WAIT overrides
STALE_LOCK_AGE = 600.0  # an O_EXCL lock file older than this is a crashed run's
_POLL = 0.1
_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}
_READ_ONLY_FS = {errno.EROFS, errno.EACCES, errno.EPERM}
# What flock/msvcrt.locking raise when another process holds the lock (any
# other error means the file system cannot lock at all).
_HELD = {errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES, getattr(errno, "EDEADLK", errno.EAGAIN),
         getattr(errno, "EDEADLOCK", errno.EAGAIN)}
_STAMP = "%Y-%m-%d %H%M%S"
_WINDOWS = os.name == "nt"

_held: dict[str, "_Lock"] = {}


# ---- paths -------------------------------------------------------------------
def real_path(path: str | os.PathLike) -> Path:
    """The file a path names, symlinks followed (the path itself if it does
    not exist yet, with its folder resolved)."""
    return Path(os.path.realpath(os.path.abspath(path)))


def backup_dir(path: str | os.PathLike) -> Path:
    """``xlzu备份`` beside the (real) workbook."""
    return real_path(path).parent / BACKUP_DIR


def _backup_pattern(real: Path) -> re.Pattern:
    return re.compile(
        rf"^{re.escape(real.stem)} (\d{{4}}-\d{{2}}-\d{{2}} \d{{6}})(?:-(\d+))?{re.escape(real.suffix)}$"
    )


def backups(path: str | os.PathLike) -> list[Path]:
    """The dated backups of a workbook, oldest first."""
    real = real_path(path)
    folder = real.parent / BACKUP_DIR
    if not folder.is_dir():
        return []
    pattern = _backup_pattern(real)
    found = []
    for p in folder.iterdir():
        m = pattern.match(p.name)
        if m:
            found.append(((m.group(1), int(m.group(2) or 0)), p))
    return [p for _, p in sorted(found)]


def latest_backup(path: str | os.PathLike) -> Path | None:
    found = backups(path)
    return found[-1] if found else None


def temp_path(real: Path) -> Path:
    """The hidden temp file a save writes before its rename."""
    return real.with_name(f".{real.stem}.tmp-{os.getpid()}{real.suffix}")


# ---- the lock ----------------------------------------------------------------
def lock_path(real: Path) -> Path:
    return real.with_name(f".{real.name}.xlzu-lock")


class _Lock:
    def __init__(self, real: Path):
        self.real = real
        self.path = lock_path(real)
        self.fd: int | None = None
        self.depth = 0
        self.exclusive_file = fcntl is None and msvcrt is None

    def acquire(self, wait: float) -> None:
        deadline = time.monotonic() + wait
        while True:
            if self._try():
                return
            if time.monotonic() >= deadline:
                raise WorkbookBusy(self.real.name, wait)
            time.sleep(_POLL)

    def _try(self) -> bool:
        if self.exclusive_file:
            return self._try_exclusive_file()
        try:
            try:
                fd, created = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644), True
            except FileExistsError:
                fd, created = os.open(self.path, os.O_RDWR), False
        except FileNotFoundError:
            return False  # removed by its holder between the two opens: try again
        except OSError as exc:
            raise _folder_error(exc, self.real) from exc
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            else:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            if exc.errno in _HELD:
                os.close(fd)
                return False
            # This file system cannot lock (Pyodide, some network drives):
            # degrade to an O_EXCL lock file; one we have just made is ours.
            self.exclusive_file = True
            if created:
                _write_owner(fd)
                self.fd = fd
                return True
            os.close(fd)
            return self._try_exclusive_file()
        # The holder before us may have removed the file after we opened it:
        # then we locked a file nobody else will see; try again.
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(self.path))
        except FileNotFoundError:
            same = False
        if not same:
            self._unlock_fd(fd)
            return False
        self.fd = fd
        _write_owner(fd)
        return True

    def _try_exclusive_file(self) -> bool:
        """No OS locking (Pyodide): the lock is the existence of the file."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            if self._stale():
                try:
                    os.unlink(self.path)
                except FileNotFoundError:
                    pass
            return False
        except OSError as exc:
            raise _folder_error(exc, self.real) from exc
        _write_owner(fd)
        self.fd = fd
        return True

    def _stale(self) -> bool:
        """A lock file left by a run that no longer runs: ours (this process
        holds no lock on it), one too old, or one of a dead process here."""
        try:
            info = json.loads(self.path.read_text(encoding="utf-8") or "{}")
            age = time.time() - float(info["time"])
        except (OSError, ValueError, KeyError, TypeError):
            try:
                age = time.time() - self.path.stat().st_mtime
            except OSError:
                return False
            info = {}
        if age > STALE_LOCK_AGE:
            return True
        if info.get("host") == platform.node():
            pid = info.get("pid")
            if pid == os.getpid():
                return True  # not in _held, so a leftover of an earlier run
            if isinstance(pid, int) and os.name == "posix" and hasattr(os, "kill"):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    return True
                except OSError:
                    return False
        return False

    def release(self) -> None:
        fd, self.fd = self.fd, None
        if fd is None:
            return
        if fcntl is not None and not self.exclusive_file:
            # Remove while still holding it: a waiter that opened this file
            # sees it is gone and opens a new one.
            _unlink(self.path)
            self._unlock_fd(fd)
        else:
            self._unlock_fd(fd)
            try:
                os.unlink(self.path)
            except OSError:  # Windows: another process has just opened it
                pass

    def _unlock_fd(self, fd: int) -> None:
        try:
            if self.exclusive_file:
                pass
            elif fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
            elif msvcrt is not None:
                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass
        finally:
            os.close(fd)


def _write_owner(fd: int) -> None:
    """Who holds the lock (read by the stale-lock rule)."""
    try:
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, json.dumps({"pid": os.getpid(), "host": platform.node(), "time": time.time()}).encode())
    except OSError:
        pass


def _lock_wait() -> float:
    try:
        return float(os.environ.get("XLZU_LOCK_WAIT", LOCK_WAIT))
    except ValueError:
        return LOCK_WAIT


@contextmanager
def locked(path: str | os.PathLike, wait: float | None = None) -> Iterator[Path]:
    """Hold xlzu's exclusive lock on a workbook (re-entrant in a process).
    Yields the real path (symlinks followed)."""
    real = real_path(path)
    key = os.path.normcase(str(real))
    lock = _held.get(key)
    if lock is None:
        if not real.parent.is_dir():
            raise FolderMissing(real.parent, real.name)
        lock = _Lock(real)
        lock.acquire(_lock_wait() if wait is None else wait)
        _held[key] = lock
        try:
            _remove_stale_temps(real)
        except BaseException:
            del _held[key]
            lock.release()
            raise
    lock.depth += 1
    try:
        yield real
    finally:
        lock.depth -= 1
        if lock.depth == 0:
            del _held[key]
            lock.release()


@contextmanager
def writing(path: str | os.PathLike, wait: float | None = None) -> Iterator[Path]:
    """Open a workbook for writing: refuse a read-only file or folder and a
    missing folder before anything is read, then hold the lock for the whole
    read-modify-write.  Yields the real path."""
    with locked(path, wait) as real:
        check_writable(real)
        yield real


def check_writable(real: Path) -> None:
    """Refuse a workbook marked read-only (checked by its mode, so that an
    administrator's account refuses it too)."""
    try:
        mode = real.stat().st_mode
    except FileNotFoundError:
        return
    if not mode & stat.S_IWUSR:
        raise WorkbookReadOnly(real.name)


# ---- saving ------------------------------------------------------------------
def save(target: str | os.PathLike, write: Callable[[Path], None]) -> Path:
    """Save a workbook to ``target`` atomically: ``write(tmp)`` produces the
    bytes in a temp file beside the real file, the old file goes to a dated
    backup, and the temp file replaces the real file in one rename.  Returns
    the real path written.  On any failure the workbook is as it was."""
    with locked(target) as real:
        check_writable(real)
        tmp = temp_path(real)
        try:
            try:
                write(tmp)
                _fsync_file(tmp)
                if real.exists():
                    shutil.copymode(real, tmp)
                    backup(real)
                os.replace(tmp, real)
            except OSError as exc:
                raise _save_error(exc, real) from exc
        except BaseException:
            _unlink(tmp)
            raise
        _fsync_dir(real.parent)
        return real


def backup(real: Path) -> Path:
    """Copy the workbook to a new dated backup (temp + rename) and keep the
    last :data:`KEEP_BACKUPS`."""
    folder = real.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stamp = datetime.now().strftime(_STAMP)
    name = f"{real.stem} {stamp}{real.suffix}"
    n = 1
    while (folder / name).exists():
        n += 1
        name = f"{real.stem} {stamp}-{n}{real.suffix}"
    made = _copy_atomically(real, folder / name)
    for old in backups(real)[:-KEEP_BACKUPS]:
        _unlink(old)
    return made


def keep_replaced(path: str | os.PathLike) -> Path | None:
    """Before ``new --force`` replaces a workbook: keep it as
    ``xlzu备份/NAME 替换前 <date>.xlsx``, a name no later command deletes."""
    with locked(path) as real:
        if not real.exists():
            return None
        folder = real.parent / BACKUP_DIR
        try:
            folder.mkdir(exist_ok=True)
            stamp = datetime.now().strftime(_STAMP)
            name = f"{real.stem} 替换前 {stamp}{real.suffix}"
            n = 1
            while (folder / name).exists():
                n += 1
                name = f"{real.stem} 替换前 {stamp}-{n}{real.suffix}"
            return _copy_atomically(real, folder / name)
        except OSError as exc:
            raise _save_error(exc, real) from exc


def _copy_atomically(src: Path, dst: Path) -> Path:
    tmp = dst.with_name(f".{dst.name}.tmp-{os.getpid()}")
    try:
        with open(src, "rb") as fsrc, open(tmp, "wb") as fdst:
            shutil.copyfileobj(fsrc, fdst)
            fdst.flush()
            try:
                os.fsync(fdst.fileno())
            except OSError:
                pass
        shutil.copystat(src, tmp)
        os.replace(tmp, dst)
    except BaseException:
        _unlink(tmp)
        raise
    return dst


def _remove_stale_temps(real: Path) -> None:
    """Hidden temp files of this workbook left by a run that was killed (we
    hold the lock, so no live xlzu run owns them)."""
    patterns = [
        (real.parent, re.compile(rf"^\.{re.escape(real.stem)}\.tmp-\d+{re.escape(real.suffix)}$")),
        (real.parent / BACKUP_DIR, re.compile(
            rf"^\.{re.escape(real.stem)} (替换前 )?\d{{4}}-\d{{2}}-\d{{2}} \d{{6}}(-\d+)?{re.escape(real.suffix)}\.tmp-\d+$")),
    ]
    for folder, pattern in patterns:
        if not folder.is_dir():
            continue
        for p in folder.iterdir():
            if pattern.match(p.name):
                try:
                    p.unlink()
                except OSError:
                    pass  # a read-only folder: the save will say so


# ---- errors --------------------------------------------------------------------
def _folder_error(exc: OSError, real: Path) -> Exception:
    if isinstance(exc, FileNotFoundError):
        return FolderMissing(real.parent, real.name)
    if exc.errno in _FULL:
        return DiskFull(real.name)
    if exc.errno in _READ_ONLY_FS or isinstance(exc, PermissionError):
        return FolderReadOnly(real.parent, real.name)
    return exc


def _save_error(exc: OSError, real: Path) -> Exception:
    if exc.errno in _FULL:
        return DiskFull(real.name)
    if isinstance(exc, FileNotFoundError) and not real.parent.is_dir():
        return FolderMissing(real.parent, real.name)
    if exc.errno == errno.EROFS:
        return FolderReadOnly(real.parent, real.name)
    if isinstance(exc, PermissionError):
        if _WINDOWS:  # Windows: Excel or another program holds the file
            return WorkbookLocked(real.name, "文件被占用")
        return FolderReadOnly(real.parent, real.name)
    return exc


def _fsync_file(path: Path) -> None:
    _fsync(path)


def _fsync_dir(folder: Path) -> None:
    if os.name == "posix":  # a folder cannot be opened for fsync on Windows
        _fsync(folder)


def _fsync(path: Path) -> None:
    """Flush ``path`` (a file or, on POSIX, a folder) to disk; best effort."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
