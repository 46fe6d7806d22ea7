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
