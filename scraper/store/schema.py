"""The archive's schema: tables, columns, indexes, schema version, and how a file is opened.

This module owns the DDL (`TABLES`, `INDEXES`: their table and column names are the
product's public interface: columns are added, never renamed), the migration run on every
open (`migrate`), `SCHEMA_VERSION` and `SchemaError`, the connection set-up of a writing
`Archive` (`connect`) and of a reading one (`connect_read_only`, `check_archive`: which
SQLite files are our archives), the read opener `database(...)` that the query side (search,
export, status, views) uses on an Archive, a Database, a connection or a path, and
`Connected`, the small base every part of the `Archive` facade shares (its `db` and the
query helpers).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import sqlite_utils

from scraper.errors import ArchiveError, SchemaError

__all__ = [
    "CHUNK",
    "INDEXES",
    "SCHEMA_VERSION",
    "TABLES",
    "Connected",
    "SchemaError",
    "column_names",
    "check_file",
    "connect",
    "connect_read_only",
    "database",
    "json_text",
    "migrate",
    "refuse_foreign",
]

SCHEMA_VERSION = 1

# Column declarations, in contract order. New columns go at the end of a table's list and
# are added to existing archives by ALTER TABLE on open; a column is never renamed.
TABLES: dict[str, tuple[list[tuple[str, str]], list[str]]] = {
    "articles": (
        [
            ("id", "TEXT PRIMARY KEY"),
            ("url", "TEXT"),
            ("site", "TEXT"),
            ("category", "TEXT"),
            ("title", "TEXT"),
            ("published", "TEXT"),
            ("published_raw", "TEXT"),
            ("body", "TEXT"),
            ("source", "TEXT"),
            ("captions", "TEXT"),  # JSON array of strings
            ("first_seen", "TEXT"),
            ("last_seen", "TEXT"),
            ("last_changed", "TEXT"),
            ("revision", "INTEGER"),
            ("status", "TEXT NOT NULL DEFAULT 'live'"),  # 'live' | 'gone'
            ("content_hash", "TEXT"),
            ("page_sha", "TEXT"),
            ("misses", "INTEGER NOT NULL DEFAULT 0"),
            ("next_check_at", "TEXT"),
            ("last_miss_run", "INTEGER"),  # run that last counted a miss (once per run)
            ("profile", "TEXT"),  # profile of the latest revision: 'tt' | 'dnn' | 'hue' | 'generic'
            ("published_source", "TEXT"),  # 'label' | 'meta' | 'jsonld' | 'time' | 'guid' | 'url'
        ],
        [],
    ),
    "revisions": (
        [
            ("article_id", "TEXT NOT NULL REFERENCES articles(id)"),
            ("revision", "INTEGER NOT NULL"),
            ("fetched_at", "TEXT"),
            ("content_hash", "TEXT"),
            ("title", "TEXT"),
            ("published", "TEXT"),
            ("published_raw", "TEXT"),
            ("body", "TEXT"),
            ("source", "TEXT"),
            ("captions", "TEXT"),  # JSON array of strings
            ("category", "TEXT"),
            ("changed_fields", "TEXT"),  # JSON array of field names
            ("chars_added", "INTEGER"),
            ("chars_removed", "INTEGER"),
            ("page_sha", "TEXT"),
            ("run_id", "INTEGER"),
            ("attachments", "TEXT"),  # JSON array of attachment URLs (part of the content)
            ("profile", "TEXT"),  # the site profile that extracted this revision
            ("published_source", "TEXT"),  # where `published` came from (see articles)
            ("stored_at", "TEXT"),  # when the row was written (fetched_at: the capture time)
            ("origin", "TEXT"),  # 'crawl' | 'wayback' | 'warc'
            ("extractor_version", "TEXT"),  # the scraper version that derived the row
        ],
        ["PRIMARY KEY (article_id, revision)"],
    ),
    # What sitemaps said last time: each sitemap file's and each listed URL's <lastmod>, so
    # an incremental run fetches only the sitemaps and pages that changed since.
    "sitemap_entries": (
        [
            ("url", "TEXT PRIMARY KEY"),
            ("site", "TEXT"),
            ("kind", "TEXT"),  # 'sitemap' | 'page'
            ("lastmod", "TEXT"),
            ("seen_at", "TEXT"),
        ],
        [],
    ),
    # Other ids an article is known by: an article reached through a redirect from its old
    # URL keeps its id, and the id its new URL would have becomes an alias of it.
    "aliases": (
        [
            ("alias_id", "TEXT PRIMARY KEY"),
            ("article_id", "TEXT NOT NULL REFERENCES articles(id)"),
            ("url", "TEXT"),
            ("first_seen", "TEXT"),
        ],
        [],
    ),
    "images": (
        [
            ("article_id", "TEXT NOT NULL"),
            ("revision", "INTEGER NOT NULL"),
            ("position", "INTEGER NOT NULL"),
            ("url", "TEXT"),
            ("caption", "TEXT"),
            ("alt", "TEXT"),
        ],
        [
            "PRIMARY KEY (article_id, revision, position)",
            "FOREIGN KEY (article_id, revision) REFERENCES revisions(article_id, revision)",
        ],
    ),
    "links": (
        [
            ("article_id", "TEXT NOT NULL REFERENCES articles(id)"),
            ("position", "INTEGER NOT NULL"),
            ("kind", "TEXT"),
            ("url", "TEXT"),
            ("target_id", "TEXT"),
            ("text", "TEXT"),
            ("date", "TEXT"),
        ],
        ["PRIMARY KEY (article_id, position)"],
    ),
    "runs": (
        [
            ("id", "INTEGER PRIMARY KEY"),
            ("started_at", "TEXT"),
            ("finished_at", "TEXT"),
            ("status", "TEXT"),  # 'running' | 'ok' | 'failed' | 'interrupted'
            ("pid", "INTEGER"),
            ("options", "TEXT"),  # JSON object
            ("fetched", "INTEGER NOT NULL DEFAULT 0"),
            ("new", "INTEGER NOT NULL DEFAULT 0"),
            ("changed", "INTEGER NOT NULL DEFAULT 0"),
            ("unchanged", "INTEGER NOT NULL DEFAULT 0"),
            ("gone", "INTEGER NOT NULL DEFAULT 0"),
            ("failed", "INTEGER NOT NULL DEFAULT 0"),
            ("alarms", "TEXT"),  # JSON array of the run's alarms (scraper.health.Alarm.to_dict)
        ],
        [],
    ),
    # The health of one site in one run (scraper.health): what it answered, what was read
    # from it, and the alarms raised against its own trailing runs. Written when a run
    # completes.
    "run_sites": (
        [
            ("run_id", "INTEGER NOT NULL REFERENCES runs(id)"),
            ("site", "TEXT NOT NULL"),
            ("profile", "TEXT"),  # the profile the site answered with this run
            ("pages", "INTEGER NOT NULL DEFAULT 0"),  # HTTP answers from its hosts
            ("listing_pages", "INTEGER NOT NULL DEFAULT 0"),
            ("failures", "INTEGER NOT NULL DEFAULT 0"),  # requests that got no usable answer
            ("unreachable", "TEXT"),  # no answer at all this run: 'dns' | 'refused' | ...
            ("error", "TEXT"),  # the first failure's message
            ("articles", "INTEGER NOT NULL DEFAULT 0"),  # article pages extracted
            ("stored", "INTEGER NOT NULL DEFAULT 0"),  # new articles and new revisions
            ("new", "INTEGER NOT NULL DEFAULT 0"),
            ("fill", "TEXT"),  # JSON: profile -> field -> fill rate (see scraper.health)
            ("alarms", "TEXT"),  # JSON array of this site's alarms in this run
        ],
        ["PRIMARY KEY (run_id, site)"],
    ),
    "fetches": (
        [
            ("id", "INTEGER PRIMARY KEY"),
            ("run_id", "INTEGER"),
            ("url", "TEXT"),
            ("method", "TEXT"),
            ("status", "INTEGER"),
            ("fetched_at", "TEXT"),
            ("elapsed_ms", "INTEGER"),
            ("bytes", "INTEGER"),
            ("attempts", "INTEGER"),
            ("error", "TEXT"),
            ("page_sha", "TEXT"),
        ],
        [],
    ),
    "pages": (
        [
            ("sha256", "TEXT PRIMARY KEY"),
            ("size", "INTEGER"),  # bytes before compression
            ("stored", "INTEGER"),  # bytes after compression
            ("content_type", "TEXT"),
            ("data", "BLOB"),
            ("codec", "TEXT"),  # 'zstd' (with page_dicts.id = dict_id) or 'zlib' (NULL: zlib)
            ("dict_id", "INTEGER"),
        ],
        [],
    ),
    # One zstd dictionary per site: the raw bytes of the first page stored for it. Pages of
    # one site share most of their bytes (the chrome), so each page stores little more than
    # its own article: about 7 % of the raw size against 20 % for zlib (bench/README.md).
    "page_dicts": (
        [
            ("id", "INTEGER PRIMARY KEY"),
            ("site", "TEXT"),
            ("created_at", "TEXT"),
            ("data", "BLOB"),  # zlib-compressed raw page used as a raw-content dictionary
        ],
        [],
    ),
    # Every capture an import took in (scraper.captures.importer): one row per capture, so a
    # rerun skips what is done. outcome: 'new' | 'changed' | 'unchanged' | 'older' (older
    # than the article's last_seen: kept, not applied) | 'not_article' | 'gone' | 'missing'
    # (a 404 of an unknown article or one seen later) | 'other' (a status that is neither).
    "captures": (
        [
            ("id", "INTEGER PRIMARY KEY"),
            ("url", "TEXT"),  # the ORIGINAL URL
            ("fetched_at", "TEXT"),  # capture time (CDX timestamp, WARC-Date)
            ("origin", "TEXT"),  # 'wayback' | 'warc'
            ("digest", "TEXT"),  # 'sha1:BASE32' of the payload (the CDX digest for Wayback)
            ("status", "INTEGER"),
            ("page_sha", "TEXT"),  # raw bytes in `pages` (NULL for 404s)
            ("article_id", "TEXT"),
            ("source", "TEXT"),  # the Wayback endpoint or the WARC file's name
            ("outcome", "TEXT"),
            ("run_id", "INTEGER"),
            ("stored_at", "TEXT"),
        ],
        [],
    ),
    # A revision re-derived by `scrape reextract` with another extractor version whose
    # content differs from the stored revision row (which is kept as it was).
    "derivations": (
        [
            ("article_id", "TEXT NOT NULL"),
            ("revision", "INTEGER NOT NULL"),
            ("extractor_version", "TEXT NOT NULL"),
            ("derived_at", "TEXT"),
            ("page_sha", "TEXT"),
            ("content_hash", "TEXT"),
            ("title", "TEXT"),
            ("published", "TEXT"),
            ("published_raw", "TEXT"),
            ("body", "TEXT"),
            ("source", "TEXT"),
            ("captions", "TEXT"),  # JSON array of strings
            ("category", "TEXT"),
            ("attachments", "TEXT"),  # JSON array of attachment URLs
            ("profile", "TEXT"),
            ("published_source", "TEXT"),
            ("changed_fields", "TEXT"),  # JSON array: fields that differ from the stored row
        ],
        ["PRIMARY KEY (article_id, revision, extractor_version)"],
    ),
    "frontier": (
        [
            ("key", "TEXT PRIMARY KEY"),
            ("url", "TEXT"),
            ("kind", "TEXT"),  # 'article' | 'listing' | 'page'
            ("site", "TEXT"),
            ("state", "TEXT NOT NULL DEFAULT 'pending'"),  # 'pending' | 'done' | 'failed'
            ("run_id", "INTEGER"),
            ("added_at", "TEXT"),
            ("attempts", "INTEGER NOT NULL DEFAULT 0"),
            ("error", "TEXT"),
        ],
        [],
    ),
}

INDEXES: tuple[tuple[str, str, str], ...] = (
    ("idx_articles_site", "articles", "site, next_check_at"),
    ("idx_articles_next_check_at", "articles", "next_check_at"),
    ("idx_articles_url", "articles", "url"),
    ("idx_articles_content_hash", "articles", "content_hash"),
    ("idx_links_target_id", "links", "target_id"),
    ("idx_fetches_run_id", "fetches", "run_id"),
    ("idx_frontier_state", "frontier", "state"),
    ("idx_captures_url", "captures", "url, fetched_at"),
    ("idx_captures_article_id", "captures", "article_id, fetched_at"),
)

CHUNK = 500  # ids per IN (...) query


def column_names(table: str) -> tuple[str, ...]:
    """The columns of a table of TABLES, in contract order."""
    return tuple(name for name, _ in TABLES[table][0])


def json_text(value: Any) -> str:
    """The compact JSON (UTF-8 text, not escaped) that JSON columns hold."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# --------------------------------------------------------------------------- opening


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


# --------------------------------------------------------------------------- shared base


class Connected:
    """What every part of the Archive facade shares: the database and the query helpers."""

    db: sqlite_utils.Database

    def _one(self, sql: str, params: Iterable[Any] = ()) -> tuple | None:
        return self.db.execute(sql, list(params)).fetchone()

    def _dicts(self, sql: str, params: Iterable[Any] = ()) -> list[dict]:
        cursor = self.db.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def _ids_where(self, sql: str, ids: Iterable[str]) -> set[str]:
        """The first column of `sql` (with `{marks}` for the placeholders) run over the ids
        in chunks of CHUNK."""
        ids = list(dict.fromkeys(ids))
        found: set[str] = set()
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            query = sql.format(marks=",".join("?" * len(chunk)))
            found.update(row[0] for row in self.db.execute(query, chunk))
        return found
