"""One writer per archive: an exclusive lock file `<db_path>.lock` held for the whole run.

The lock is `fcntl.flock(LOCK_EX | LOCK_NB)` on the open lock file. The kernel releases a
flock when its holder dies (even by SIGKILL or a crash), so a lock left by a dead process
is simply taken over by the next run: there is no stale-lock cleanup to do, and the pid
written in the file is informative only (it names the holder in the error message). The
file itself is never deleted (deleting a flock'ed file lets two processes lock two
different inodes); it is emptied on release. flock is advisory and local: it does not
protect an archive on a network file system shared between machines.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from scraper.errors import Locked


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


@contextmanager
def acquire(db_path: str | Path) -> Iterator[LockInfo]:
    """Hold the archive's lock for the life of the block (the run); raise Locked at once
    when another live process holds it. Writes "<pid> <start time>" into the lock file."""
    path = lock_path(db_path)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _holder(fd)
            raise Locked(
                f"another scrape run (pid {pid}) holds {Path(db_path).name}; exit"
            ) from None
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
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
