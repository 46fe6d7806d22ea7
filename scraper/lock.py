"""One writer per archive: an exclusive lock file `<db_path>.lock` held for the whole run.

The lock is `fcntl.flock(LOCK_EX | LOCK_NB)` on the open lock file. The kernel releases a
flock when its holder dies (even by SIGKILL or a crash), so a lock left by a dead process
is simply taken over by the next run: there is no stale-lock cleanup to do, and the pid
written in the file is informative only (it names the holder in the error message).

The holder deletes the file when it releases the lock (so no empty `.lock` stays beside
the archive), while it still holds the flock. Deleting a flock'ed file could let two
processes lock two different inodes, so whoever takes the lock then checks that the path
still names the inode it locked, and starts again when it does not. A lock file that
cannot be created (a read-only directory) is an OutputError, one line. flock is advisory
and local: it does not protect an archive on a network file system shared between
machines.
"""

from __future__ import annotations

import errno
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from scraper.errors import Locked, OutputError


@dataclass(frozen=True)
class LockInfo:
    path: Path  # the lock file
    pid: int
    started_at: str  # ISO-8601 UTC with 'Z'


def lock_path(db_path: str | Path) -> Path:
    return Path(f"{db_path}.lock")


def _holder(fd: int) -> str:
    """The pid the current holder wrote ('?' when unreadable or not written yet)."""
    try:
        text = os.pread(fd, 200, 0).decode("ascii", "replace")
    except OSError:
        return "?"
    first = text.split()[0] if text.split() else ""
    return first if first.isdigit() else "?"


def _open_locked(path: Path, db_path: str | Path) -> int:
    """An fd of the lock file at path, flock'ed, whose inode is still the one path names."""
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            hint = ""
            if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                hint = " (the archive's directory must be writable to change the archive)"
            raise OutputError(
                f"cannot create the lock file {path}: {exc.strerror or exc}{hint}"
            ) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _holder(fd)
            os.close(fd)
            raise Locked(
                f"another scrape run (pid {pid}) holds {Path(db_path).name}; exit"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # the previous holder deleted it after we opened it: take the new one


@contextmanager
def acquire(db_path: str | Path) -> Iterator[LockInfo]:
    """Hold the archive's lock for the life of the block (the run); raise Locked at once
    when another live process holds it. Writes "<pid> <start time>" into the lock file,
    and deletes the file on release."""
    path = lock_path(db_path)
    fd = _open_locked(path, db_path)
    try:
        info = LockInfo(
            path=path,
            pid=os.getpid(),
            started_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{info.pid} {info.started_at}\n".encode("ascii"), 0)
        try:
            yield info
        finally:
            with suppress(OSError):
                os.unlink(path)  # still holding the flock: see the module docstring
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
