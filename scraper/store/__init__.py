"""The archive: one SQLite file (WAL) holding articles, their revisions, raw pages and crawl state.

A package, one module per concern; every name below is importable from `scraper.store`:

- schema.py    tables, columns, indexes, SCHEMA_VERSION, SchemaError, the shared base
- connection.py  opening a file for writing (with its migration) or reading, which files
               are archives (check_archive), and the read opener `database(...)` of the
               query side (search, export, status, views)
- revision.py  the revision rule: what an article's content is and what counts as a change
- schedule.py  the re-check schedule and the archive's time helpers (iso_utc)
- pages.py     the raw-page store (zstd with one dictionary per site)
- frontier.py  the crawl frontier
- runs.py      crawl runs and the fetch log
- health.py    run health per site (`run_sites`) and the history alarms compare with
- articles.py  articles, revisions, images, links: saving and reading them (SaveResult)
- captures.py  imported captures (`captures`) and re-derived revisions (`derivations`)
- aliases.py   other ids of an article that moved (`aliases`)
- sitemaps.py  what sitemaps said last time (`sitemap_entries`)
- archive.py   the `Archive` facade that gathers the methods of the modules above

Times are ISO-8601 UTC strings with a 'Z', seconds precision ("2024-05-01T08:30:00Z"), so
they sort as text. Every write of one logical unit (one article, one run, one fetch) is one
transaction.
"""

from __future__ import annotations

from scraper.errors import ArchiveError, SchemaError
from scraper.store.archive import Archive
from scraper.store.articles import ARTICLE_COLUMNS, IMAGE_COLUMNS, REVISION_COLUMNS, SaveResult
from scraper.store.connection import database
from scraper.store.frontier import FRONTIER_KINDS, FRONTIER_STATES
from scraper.store.revision import (
    CONTENT_FIELDS,
    NOT_HASHED,
    changed_fields,
    content_hash,
    diff_chars,
    hash_content,
    revision_content,
    text_chars,
    text_paragraphs,
)
from scraper.store.runs import RUN_COUNTS, RUN_STATUSES
from scraper.store.schedule import (
    CHECK_INTERVALS,
    JITTER,
    MISS_RECHECK,
    check_interval,
    iso_utc,
    next_check_at,
    parse_time,
)
from scraper.store.schema import INDEXES, SCHEMA_VERSION, TABLES, column_names

__all__ = [
    "ARTICLE_COLUMNS",
    "CHECK_INTERVALS",
    "CONTENT_FIELDS",
    "FRONTIER_KINDS",
    "FRONTIER_STATES",
    "IMAGE_COLUMNS",
    "INDEXES",
    "JITTER",
    "MISS_RECHECK",
    "NOT_HASHED",
    "REVISION_COLUMNS",
    "RUN_COUNTS",
    "RUN_STATUSES",
    "SCHEMA_VERSION",
    "TABLES",
    "Archive",
    "ArchiveError",
    "SaveResult",
    "SchemaError",
    "changed_fields",
    "check_interval",
    "column_names",
    "content_hash",
    "database",
    "diff_chars",
    "hash_content",
    "iso_utc",
    "next_check_at",
    "parse_time",
    "revision_content",
    "text_chars",
    "text_paragraphs",
]
