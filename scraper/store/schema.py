"""The archive's schema: tables, columns, indexes, schema version, and how a file is opened.

This module owns the DDL (`TABLES`, `INDEXES`: their table and column names are the
product's public interface: columns are added, never renamed), the migration run on every
open is scraper.store.connection's `migrate`), `SCHEMA_VERSION` and `SchemaError`, and
`Connected`, the small base every part of the `Archive` facade shares (its `db` and the
query helpers). How a file is opened is scraper.store.connection's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlite_utils

from scraper.errors import SchemaError

__all__ = [
    "CHUNK",
    "INDEXES",
    "SCHEMA_VERSION",
    "TABLES",
    "Connected",
    "SchemaError",
    "column_names",
    "json_text",
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


# --------------------------------------------------------------------------- shared base


class Connected:
    """What every part of the Archive facade shares: the database and the query helpers."""

    db: sqlite_utils.Database

    def _one(self, sql: str, params: Iterable[Any] = ()) -> tuple | None:
        return self.db.execute(sql, list(params)).fetchone()

    def _insert(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run a one-row INSERT; the new row's id."""
        row_id = self.db.execute(sql, list(params)).lastrowid
        assert row_id is not None, "sqlite3 sets lastrowid after every successful INSERT"
        return row_id

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
