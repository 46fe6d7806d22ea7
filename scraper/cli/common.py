"""Helpers the `scrape` commands share: opening an existing archive, writing UTF-8 to stdout
(quietly ending when the reader closes the pipe), turning option values into the library's
arguments, SIGTERM handled as Ctrl-C (`sigterm_as_interrupt`, `Terminated`). Errors are
raised as scraper.errors classes, never printed here: the group's handler
(scraper.cli.ScrapeGroup) prints them.
"""

from __future__ import annotations

import io
import os
import sqlite3
import sys
from contextlib import contextmanager, suppress
from pathlib import Path

from scraper.errors import InputError, OutputError


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that a run stops the same way (exit 143, not 130)."""


@contextmanager
def sigterm_as_interrupt():
    """Within the block, SIGTERM stops the program as Ctrl-C does (asyncio's handler
    cancels the running crawl; elsewhere a KeyboardInterrupt is raised), and the
    KeyboardInterrupt that ends the block is re-raised as Terminated. Main thread only."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    terminated = False

    def on_sigterm(signum, frame):
        nonlocal terminated
        terminated = True
        on_sigint = signal.getsignal(signal.SIGINT)
        if callable(on_sigint):
            on_sigint(signal.SIGINT, frame)  # asyncio.run's own, or default_int_handler
        else:  # SIGINT ignored (a background job of a script): stop anyway
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    except KeyboardInterrupt as exc:
        if terminated and not isinstance(exc, Terminated):
            raise Terminated(*exc.args) from exc
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)


def open_existing(db_path, *, write: bool = False):
    """The Archive at db_path, read-only unless write (then migrated as a crawl would);
    InputError when there is no file (it is never created), ArchiveError (one line) for a
    file that is not one of our archives or comes from a newer scraper."""
    from scraper.store import Archive

    path = Path(db_path)
    if not path.exists():
        raise InputError(f"no archive at {db_path} (run `scrape crawl` first)")
    if path.is_dir():
        raise InputError(f"{db_path} is a directory, not an archive")
    try:
        archive = Archive.read_only(path)
        if not write:
            return archive
        archive.close()  # checked: ours, not newer; now open it for writing
        return Archive(path)
    except sqlite3.Error as exc:
        raise OutputError(f"cannot open {db_path} for writing: {exc}") from exc


@contextmanager
def archive_at(db_path, *, write: bool = False):
    """An existing archive (read-only unless write), closed at the end; an SQLite error is
    one line: InputError when reading, OutputError when writing."""
    archive = open_existing(db_path, write=write)
    try:
        yield archive
    except sqlite3.Error as exc:
        if write:
            raise OutputError(f"cannot write {db_path}: {exc}") from exc
        older = "no such table" in str(exc) or "no such column" in str(exc)
        hint = " (an archive older than this scraper: `scrape reindex` upgrades it)"
        raise InputError(f"cannot read {db_path}: {exc}{hint if older else ''}") from exc
    finally:
        with suppress(sqlite3.Error):
            archive.close()


@contextmanager
def stdout_utf8():
    """stdout as a UTF-8 text stream that leaves line ends alone (CSV writes CRLF)."""
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
    try:
        yield out
        out.flush()
    except BrokenPipeError:
        quiet_exit()
    finally:
        with suppress(BrokenPipeError, ValueError):
            out.detach()


def quiet_exit() -> None:
    """End quietly and successfully (exit 0) after the reader of stdout went away
    (`scrape export | head -1`): the reader took what it wanted, nothing failed."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    with suppress(OSError, ValueError, io.UnsupportedOperation):
        os.dup2(devnull, sys.stdout.fileno())
    sys.exit(0)


def iso_day(value) -> str | None:
    """YYYY-MM-DD of a click DateTime value, None for None."""
    return value.date().isoformat() if value is not None else None


def site_name(site: str | None) -> str | None:
    """The archive's site name for --site given as a host or a URL."""
    if not site:
        return None
    if "://" in site:
        from scraper.sites import Site

        return Site.from_url(site).name
    return site.strip().lower()
