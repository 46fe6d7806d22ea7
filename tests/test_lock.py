"""The archive lock: one run at a time, a dead holder's lock taken over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from scraper.errors import Locked, ScraperError
from scraper.lock import acquire, lock_path

HOLDER = textwrap.dedent(
    """
    import sys, time
    from scraper.lock import acquire
    with acquire(sys.argv[1]):
        print("held", flush=True)
        time.sleep(60)
    """
)

TRY = textwrap.dedent(
    """
    import sys
    from scraper.errors import Locked
    from scraper.lock import acquire
    try:
        with acquire(sys.argv[1]):
            print("acquired")
    except Locked as exc:
        print("locked:", exc)
    """
)


def python(code: str, *args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True, **kw
    )


@pytest.fixture
def holder(tmp_path):
    """A child process holding the lock of tmp_path/archive.db."""
    db = tmp_path / "archive.db"
    proc = python(HOLDER, str(db))
    try:
        assert proc.stdout.readline().strip() == "held"
        yield db, proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        proc.stdout.close()


def test_lock_file_names_the_holder(tmp_path):
    db = tmp_path / "archive.db"
    with acquire(db) as info:
        assert info.pid == os.getpid() and info.path == lock_path(db)
        pid, started = lock_path(db).read_text().split()
        assert int(pid) == os.getpid() and started.endswith("Z")
        with pytest.raises(Locked), acquire(db):  # a second open file in the same process
            pass
    with acquire(db):  # released on exit
        pass


def test_second_process_is_refused(holder):
    db, proc = holder
    with pytest.raises(Locked) as info, acquire(db):
        pass
    message = str(info.value)
    assert message == f"another scrape run (pid {proc.pid}) holds archive.db; exit"
    assert isinstance(info.value, ScraperError) and "\n" not in message
    other = python(TRY, str(db))
    out, _ = other.communicate(timeout=30)
    assert out.startswith("locked: another scrape run") and f"pid {proc.pid}" in out


def test_lock_of_a_killed_holder_is_taken_over(holder):
    db, proc = holder
    with pytest.raises(Locked), acquire(db):
        pass
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert lock_path(db).read_text().split()[0] == str(proc.pid)  # stale content left behind
    with acquire(db) as info:
        assert info.pid == os.getpid()
        assert lock_path(db).read_text().split()[0] == str(os.getpid())
    other = python(TRY, str(db))
    out, _ = other.communicate(timeout=30)
    assert out.strip() == "acquired"


def test_no_lock_file_is_left_after_a_run(tmp_path):
    db = tmp_path / "archive.db"
    with acquire(db):
        assert lock_path(db).exists()
    assert not lock_path(db).exists()
    assert list(tmp_path.iterdir()) == []


def test_a_lock_deleted_by_its_holder_is_not_shared(tmp_path, monkeypatch):
    """A process that opened the lock file just before the holder deleted it must not lock
    the deleted inode: it sees the path names another inode and starts again."""
    import scraper.lock as lock_module

    db = tmp_path / "archive.db"
    path = lock_path(db)
    stale = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # the old inode, opened early
    os.unlink(path)
    opened = []
    real_open = os.open

    def open_once_stale(name, flags, mode=0o777):
        if not opened:
            opened.append(name)
            return os.dup(stale)  # as if opened before the previous holder's unlink
        return real_open(name, flags, mode)

    monkeypatch.setattr(lock_module.os, "open", open_once_stale)
    with acquire(db):
        assert len(opened) == 1 and path.exists()  # retried on the file the path names
        assert os.stat(path).st_ino != os.fstat(stale).st_ino
    os.close(stale)


def test_a_lock_in_a_read_only_place_is_one_output_error(tmp_path):
    from scraper.errors import OutputError

    with pytest.raises(OutputError) as info, acquire(tmp_path / "missing-dir" / "archive.db"):
        pass
    assert "cannot create the lock file" in str(info.value) and "\n" not in str(info.value)
