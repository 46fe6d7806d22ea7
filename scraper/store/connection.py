"""How an archive file is opened: for writing (`connect`), for reading (`connect_read_only`),
and which SQLite files are our archives (`check_file`, `check_archive`, `refuse_foreign`);
the migration run on every writing open (`migrate`: missing tables, columns, indexes);
plus `database(...)`, the opener the query side (search, export, status, views) uses on an
Archive, a Database, a connection or a path.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import sqlite_utils

from scraper.errors import ArchiveError, SchemaError
from scraper.store.schema import INDEXES, SCHEMA_VERSION, TABLES

__all__ = [
    "check_archive",
    "check_file",
    "connect",
    "connect_read_only",
    "database",
    "migrate",
    "refuse_foreign",
]


SQLITE_MAGIC = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file
REQUIRED_TABLES = ("articles", "revisions")  # what makes an SQLite file one of our archives


def check_file(path: str | Path) -> None:
    """ArchiveError unless path is empty, missing or starts like an SQLite database (so a
    text file or a PDF given as --db is refused in one line, never opened)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ArchiveError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if head and head != SQLITE_MAGIC:
        raise ArchiveError(f"{path} is not an SQLite database (not a scrape archive)")


def connect(path: str | Path, *, any_thread: bool = False) -> sqlite_utils.Database:
    """A writing connection: foreign keys on, a 10 s busy timeout, WAL, synchronous=NORMAL.
    any_thread: the connection may be used from another thread than the one that opened it.
    ArchiveError for a file that is not an SQLite database."""
    check_file(path)
    connection = sqlite3.connect(Path(path), check_same_thread=not any_thread)
    db = sqlite_utils.Database(connection)
    try:
        refuse_foreign(db, path)  # before WAL is set: that would change someone else's file
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA busy_timeout = 10000")
        db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")
    except ArchiveError:
        connection.close()
        raise
    except sqlite3.DatabaseError as exc:
        connection.close()
        if isinstance(exc, sqlite3.OperationalError):
            raise  # read-only file or directory, disk full: the caller says it cannot write
        raise ArchiveError(f"{path} is not a usable SQLite database: {exc}") from exc
    return db


def connect_read_only(path: str | Path) -> tuple[sqlite_utils.Database, bool]:
    """(database, immutable) for reading an existing archive: never writes a byte to it.

    Opens `file:<path>?mode=ro`. Reading a WAL database needs its -shm file; in a directory
    the reader may not write (a read-only mount, someone else's files) SQLite cannot create
    it, and the archive is opened with `immutable=1` instead (immutable True): SQLite then
    reads the main file only and ignores a -wal file, so changes a writer has not yet
    checkpointed are not seen (a crawl checkpoints when it ends). Raises ArchiveError for a
    file that is not an SQLite database or not one of our archives, SchemaError for an
    archive of a newer scraper. The caller checks that the file exists."""
    check_file(path)
    uri = Path(path).resolve().as_uri()
    errors = []
    for query, immutable in (("mode=ro", False), ("mode=ro&immutable=1", True)):
        try:
            connection = sqlite3.connect(f"{uri}?{query}", uri=True, check_same_thread=False)
        except sqlite3.Error as exc:
            errors.append(exc)
            continue
        try:
            connection.execute("PRAGMA query_only = ON")
            check_archive(connection, path)
        except sqlite3.OperationalError as exc:
            connection.close()
            if not immutable and _cannot_make_shm(exc):
                errors.append(exc)
                continue  # the -shm file cannot be created here: read the main file alone
            raise ArchiveError(f"cannot read {path}: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            connection.close()
            raise ArchiveError(f"{path} is not a usable SQLite database: {exc}") from exc
        except ArchiveError:
            connection.close()
            raise
        return sqlite_utils.Database(connection), immutable
    raise ArchiveError(f"cannot read {path}: {errors[-1]}")


def refuse_foreign(db: sqlite3.Connection | sqlite_utils.Database, path) -> None:
    """ArchiveError for an SQLite file that holds tables but is not one of our archives (no
    schema version and no articles table): the writer never touches someone else's file.
    An empty file and an archive from before schema versions (it has articles) pass."""
    if db.execute("PRAGMA user_version").fetchone()[0] != 0:
        return
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if tables and "articles" not in tables:
        raise ArchiveError(
            f"{path} is an SQLite database but not a scrape archive (no articles table); "
            "nothing was written"
        )


def _cannot_make_shm(exc: sqlite3.OperationalError) -> bool:
    """Whether opening a WAL database failed for want of a writable place for its -shm."""
    message = str(exc).lower()
    return "unable to open" in message or "readonly" in message or "read-only" in message


def check_archive(connection: sqlite3.Connection | sqlite_utils.Database, path) -> None:
    """ArchiveError unless the database is one of our archives (tables `articles` and
    `revisions`, a schema version set); SchemaError when a newer scraper wrote it."""
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise SchemaError(
            f"{path} has schema version {version}; this scraper knows {SCHEMA_VERSION} "
            "(upgrade the scraper to read it)"
        )
    names = {
        row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
    }
    missing = [name for name in REQUIRED_TABLES if name not in names]
    if missing:
        raise ArchiveError(f"{path} is not a scrape archive (no {' or '.join(missing)} table)")
    if version < 1:
        raise ArchiveError(f"{path} is not a scrape archive (no schema version)")


def database(db: Any) -> sqlite_utils.Database:
    """A sqlite_utils.Database for an Archive, a Database, a sqlite3.Connection or a path."""
    if isinstance(db, sqlite_utils.Database):
        return db
    inner = getattr(db, "db", None)  # scraper.store.Archive
    if isinstance(inner, sqlite_utils.Database):
        return inner
    if isinstance(db, sqlite3.Connection | str | Path):
        return sqlite_utils.Database(db)  # sets recursive_triggers on
    raise TypeError(f"not a database: {db!r}")


def migrate(db: sqlite_utils.Database, path: str | Path) -> None:
    """Create missing tables, add missing columns and indexes, set the schema version, then
    make sure the search indexes and views exist (scraper.views). Raises SchemaError for an
    archive written by a newer scraper (path only names the file in the message)."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise SchemaError(
            f"{path} has schema version {version}; this scraper knows {SCHEMA_VERSION} "
            "(upgrade the scraper to use it)"
        )
    refuse_foreign(db, path)
    with db.atomic():
        for name, (columns, constraints) in TABLES.items():
            if not db.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", [name]
            ).fetchone():
                lines = [f"[{col}] {decl}" for col, decl in columns] + constraints
                db.execute(f"CREATE TABLE [{name}] (\n  " + ",\n  ".join(lines) + "\n)")
                continue
            have = {row[1] for row in db.execute(f"PRAGMA table_info([{name}])")}
            for col, decl in columns:
                if col not in have:
                    decl = decl.replace("PRIMARY KEY", "").replace("NOT NULL", "")
                    db.execute(f"ALTER TABLE [{name}] ADD COLUMN [{col}] {decl}")
        for index, table, cols in INDEXES:
            db.execute(f"CREATE INDEX IF NOT EXISTS [{index}] ON [{table}] ({cols})")
        if version != SCHEMA_VERSION:
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    from scraper.views import ensure_analysis  # search indexes, views (scraper/views.py)

    ensure_analysis(db)
