"""A machine-readable description of every table, view and column of the archive.

This module owns `SCHEMA`: for each table and view, what one row is, whether it is internal
(hidden from Datasette's table list), and for each column what it means and its unit where
it has one. It is the single source from which scraper.analysts.metadata builds Datasette's
metadata (and the report's captions); README's schema section says the same in prose.

tests/test_analysts.py checks it against a real archive in both directions: every table and
column of a freshly crawled archive is documented here, and nothing documented here is
missing from that archive. A column or table added to scraper.store / scraper.views must
be added here too (the test fails until it is).

The FTS5 indexes' own storage tables (`<index>_data`, `_idx`, `_docsize`, `_config`) are
described by `_fts_storage`, the same for both indexes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Units, as words. Datasette's `units` take pint unit names: PINT maps the ones it knows.
TIME = "ISO-8601 UTC time"
DATE = "date (YYYY-MM-DD)"
BYTES = "bytes"
MS = "milliseconds"
CHARS = "characters"
COUNT = "count"
JSON_ARRAY = "JSON array"
JSON_OBJECT = "JSON object"
PINT = {BYTES: "B", MS: "ms"}


@dataclass(frozen=True)
class Column:
    description: str
    unit: str | None = None


@dataclass(frozen=True)
class Table:
    kind: str  # 'table' | 'view' | 'fts' (an FTS5 index) | 'internal' (FTS5's own storage)
    description: str
    columns: dict[str, Column] = field(default_factory=dict)
    hidden: bool = False  # internal: left out of Datasette's table list


_PROFILE = "the site profile that extracted it: 'tt', 'dnn', 'hue' or 'generic'"
_DATE_SOURCE = (
    "where `published` came from: 'label' (a date label on the page), 'meta', 'jsonld', "
    "'time' (<time datetime>), 'guid' (the DNN COMB GUID), 'url'; NULL without a date"
)


def _c(description: str, unit: str | None = None) -> Column:
    return Column(description, unit)


_ID = "the article: articles.id, '<host>/<tc>' (e.g. 'stttt.thuathienhue.gov.vn/22380')"
_TITLE = _c("the title")
_PUBLISHED = _c(
    "the publication date the page shows (its date label, else declared metadata; see "
    "published_source); NULL when it is missing, impossible, in the future or before 1990",
    DATE,
)
_PUBLISHED_RAW = _c("the label's date text as shown ('07/10/2020'), NULL without a label")
_BODY = _c("the body text, paragraphs joined by one blank line; captions are not in it")
_SOURCE = _c("the source / byline line, or NULL")
_CAPTIONS = _c("the image captions in page order ([] when none)", JSON_ARRAY)
_CATEGORY = _c("the breadcrumb, parts joined by ' >> ', or NULL")
_SITE = _c("the site's id host (e.g. 'sdl.thuathienhue.gov.vn')")


def _fts(how: str) -> Table:
    return Table(
        "fts",
        f"FTS5 index of articles.title, body and captions, {how}; external content "
        "`articles` (join on rowid)",
        {
            "title": _c("indexed articles.title"),
            "body": _c("indexed articles.body"),
            "captions": _c("indexed articles.captions"),
        },
        hidden=True,
    )


def _fts_storage(index: str) -> dict[str, Table]:
    what = f"FTS5's own storage for {index} (never edit it by hand)"
    return {
        f"{index}_data": Table(
            "internal",
            what + ": index b-tree blocks",
            {"id": _c("block id"), "block": _c("block bytes")},
            hidden=True,
        ),
        f"{index}_idx": Table(
            "internal",
            what + ": segment directory",
            {"segid": _c("segment id"), "term": _c("first term"), "pgno": _c("page number")},
            hidden=True,
        ),
        f"{index}_docsize": Table(
            "internal",
            what + ": token counts per row",
            {"id": _c("articles rowid"), "sz": _c("token counts per column (varints)")},
            hidden=True,
        ),
        f"{index}_config": Table(
            "internal",
            what + ": settings",
            {"k": _c("setting"), "v": _c("value")},
            hidden=True,
        ),
    }


SCHEMA: dict[str, Table] = {
    "articles": Table(
        "table",
        "One row per article: its latest content and its crawl state.",
        {
            "id": _c("primary key, '<host>/<tc>' (e.g. 'stttt.thuathienhue.gov.vn/22380')"),
            "url": _c("the canonical URL it was last fetched from"),
            "site": _SITE,
            "category": _CATEGORY,
            "title": _TITLE,
            "published": _PUBLISHED,
            "published_raw": _PUBLISHED_RAW,
            "body": _BODY,
            "source": _SOURCE,
            "captions": _CAPTIONS,
            "first_seen": _c("when the article was first stored", TIME),
            "last_seen": _c("the last time it was fetched and read, changed or not", TIME),
            "last_changed": _c("when its latest revision was stored", TIME),
            "revision": _c("the number of its latest revision (1, 2, ...)"),
            "status": _c(
                "'live', or 'gone' after it answered 404/410 in two different runs (rows "
                "and revisions are kept)"
            ),
            "content_hash": _c("sha256 of the normalised content of the latest revision"),
            "page_sha": _c("sha256 of the raw page last fetched (pages.sha256)"),
            "misses": _c("runs in a row that found it missing (404/410)", COUNT),
            "next_check_at": _c("when a crawl should fetch it again", TIME),
            "last_miss_run": _c("the run (runs.id) that last counted a miss"),
            "profile": _c(_PROFILE + " (of the latest revision)"),
            "published_source": _c(_DATE_SOURCE),
        },
    ),
    "revisions": Table(
        "table",
        "One row per version of an article's content (a new one only when the normalised "
        "content changes).",
        {
            "article_id": _c(_ID),
            "revision": _c("the version number, from 1"),
            "fetched_at": _c("when this version was fetched", TIME),
            "content_hash": _c("sha256 of this version's normalised content"),
            "title": _TITLE,
            "published": _PUBLISHED,
            "published_raw": _PUBLISHED_RAW,
            "body": _BODY,
            "source": _SOURCE,
            "captions": _CAPTIONS,
            "category": _c(_CATEGORY.description + " (stored, but not content)"),
            "changed_fields": _c(
                "content fields that differ from the previous revision, among title, "
                "published, captions, body, source, images, attachments ([] for revision 1)",
                JSON_ARRAY,
            ),
            "chars_added": _c("characters of the words inserted since the last revision", CHARS),
            "chars_removed": _c("characters of the words deleted since the last revision", CHARS),
            "page_sha": _c("the raw page this version was read from (pages.sha256), or NULL"),
            "run_id": _c("the run (runs.id) that stored it, or NULL"),
            "attachments": _c("attachment URLs in the body (PDF, DOC, ...)", JSON_ARRAY),
            "profile": _c(_PROFILE),
            "published_source": _c(_DATE_SOURCE),
            "stored_at": _c("when this row was written (fetched_at is the capture time)", TIME),
            "origin": _c("where the capture came from: 'crawl', 'wayback' or 'warc'"),
            "extractor_version": _c("the scraper version whose extractor derived this row"),
        },
    ),
    "sitemap_entries": Table(
        "table",
        "What sitemaps said last time: each sitemap file's and each listed page's <lastmod>, "
        "so an incremental run fetches only what changed.",
        {
            "url": _c("primary key: the sitemap file or page URL (canonical)"),
            "site": _c("the site it belongs to"),
            "kind": _c("'sitemap' (a sitemap file) or 'page' (a URL it lists)"),
            "lastmod": _c("its <lastmod> as the sitemap gave it, or NULL"),
            "seen_at": _c("when it was last read", TIME),
        },
        hidden=True,
    ),
    "captures": Table(
        "table",
        "Each capture imported from a web archive (scrape wayback) or a WARC file (scrape "
        "import): what it was and what became of it; a rerun skips the ones listed here.",
        {
            "id": _c("primary key"),
            "url": _c("the original URL captured (never the archive's replay URL)"),
            "fetched_at": _c("the capture time: the CDX timestamp or the WARC-Date", TIME),
            "origin": _c("'wayback' or 'warc'"),
            "digest": _c("the payload digest, 'sha1:BASE32'"),
            "status": _c("the captured HTTP status"),
            "page_sha": _c("the raw page (pages.sha256); NULL for a 404"),
            "article_id": _c("the article it was stored as, if any"),
            "source": _c("the Wayback endpoint or the WARC file's name"),
            "outcome": _c("what the import did with it (new, changed, unchanged, older, ...)"),
            "run_id": _c("the import's run (runs.id)"),
            "stored_at": _c("when the row was written", TIME),
        },
    ),
    "derivations": Table(
        "table",
        "Re-derivations of stored revisions by a newer extractor (scrape reextract): the "
        "revision rows are never rewritten; a derivation is kept beside them.",
        {
            "article_id": _c("the article (articles.id)"),
            "revision": _c("the revision re-derived"),
            "extractor_version": _c("the scraper version that derived it"),
            "derived_at": _c("when", TIME),
            "page_sha": _c("the raw page it was derived from (pages.sha256)"),
            "content_hash": _c("sha256 of the derived revision content"),
            "title": _TITLE,
            "published": _PUBLISHED,
            "published_raw": _PUBLISHED_RAW,
            "body": _c("the derived body"),
            "source": _c("the derived source / byline"),
            "captions": _c("the derived captions", JSON_ARRAY),
            "category": _c("the derived category"),
            "attachments": _c("the derived attachment URLs", JSON_ARRAY),
            "profile": _c(_PROFILE),
            "published_source": _c(_DATE_SOURCE),
            "changed_fields": _c("fields that differ from the stored revision", JSON_ARRAY),
        },
    ),
    "aliases": Table(
        "table",
        "Other ids an article is known by: the id its new URL would have after a redirect "
        "(the site moved), so it keeps one id and one history.",
        {
            "alias_id": _c("primary key: the other id"),
            "article_id": _c("the article it names (articles.id)"),
            "url": _c("the URL that id came from"),
            "first_seen": _c("when the alias was recorded", TIME),
        },
    ),
    "images": Table(
        "table",
        "The images of each revision, lead image first.",
        {
            "article_id": _c(_ID),
            "revision": _c("the revision (revisions.revision)"),
            "position": _c("0 = lead image, then body images in page order"),
            "url": _c("canonical absolute URL of the image file"),
            "caption": _c("its visible caption, or NULL"),
            "alt": _c("its alt text, or NULL (never used as a caption)"),
        },
    ),
    "links": Table(
        "table",
        "The links on each article's page as last fetched (not versioned): the link graph.",
        {
            "article_id": _c("the page the link is on: " + _ID),
            "position": _c("the link's order on the page"),
            "kind": _c("'body', 'attachment', 'same_group' or 'other_news'"),
            "url": _c("canonical absolute URL of the target"),
            "target_id": _c("the target's article id when it is an article of the same site"),
            "text": _c("the link text"),
            "date": _c("the date printed after a related-list link, or NULL", DATE),
        },
    ),
    "runs": Table(
        "table",
        "One row per `scrape crawl`.",
        {
            "id": _c("primary key"),
            "started_at": _c("when the run started", TIME),
            "finished_at": _c("when it ended (NULL while running)", TIME),
            "status": _c("'running', 'ok', 'failed' or 'interrupted'"),
            "pid": _c("the process id of the run"),
            "options": _c("the run's options (sites, full, max_articles, ...)", JSON_OBJECT),
            "fetched": _c("pages that answered (articles and listings)", COUNT),
            "new": _c("new articles", COUNT),
            "changed": _c("new revisions of known articles", COUNT),
            "unchanged": _c("articles fetched again without a change", COUNT),
            "gone": _c("articles that became gone", COUNT),
            "failed": _c("pages that could not be fetched or read", COUNT),
            "alarms": _c(
                "the run's alarms (site, kind: unreachable / fill_drop / profile_changed / "
                "stale, message, figures); [] without alarm, NULL when the run did not complete",
                JSON_ARRAY,
            ),
        },
    ),
    "run_sites": Table(
        "table",
        "The health of each site in each completed run: what it gave, and its alarms.",
        {
            "run_id": _c("the run (runs.id)"),
            "site": _c("the site (its id host)"),
            "profile": _c("the profile the site answered with in this run"),
            "pages": _c("HTTP answers from its hosts", COUNT),
            "listing_pages": _c("listing pages read", COUNT),
            "failures": _c("requests that got no usable answer", COUNT),
            "unreachable": _c("no answer at all this run, and why: dns, refused, timeout, tls"),
            "error": _c("the first failure's message"),
            "articles": _c("article pages extracted", COUNT),
            "stored": _c("new articles and new revisions stored", COUNT),
            "new": _c("new articles", COUNT),
            "fill": _c("per profile, the fill rate of each field (0-1)", JSON_OBJECT),
            "alarms": _c("this site's alarms in this run", JSON_ARRAY),
        },
    ),
    "fetches": Table(
        "table",
        "One row per HTTP request.",
        {
            "id": _c("primary key"),
            "run_id": _c("the run (runs.id)"),
            "url": _c("the URL requested"),
            "method": _c("GET, or POST for listing postbacks"),
            "status": _c("HTTP status of the final answer, NULL when none came"),
            "fetched_at": _c("when", TIME),
            "elapsed_ms": _c("time taken", MS),
            "bytes": _c("body size", BYTES),
            "attempts": _c("requests sent, retries included", COUNT),
            "error": _c("why it failed, or NULL"),
            "page_sha": _c("the raw page kept for it (pages.sha256), or NULL"),
        },
    ),
    "pages": Table(
        "table",
        "Raw article pages, deduplicated by sha256, compressed.",
        {
            "sha256": _c("primary key: sha256 of the raw bytes as received"),
            "size": _c("size before compression", BYTES),
            "stored": _c("size after compression", BYTES),
            "content_type": _c("the Content-Type header"),
            "data": _c("the compressed bytes (Archive(path).load_page(sha256) reads them)"),
            "codec": _c("'zstd' (with dict_id) or 'zlib' (NULL also means zlib)"),
            "dict_id": _c("the page_dicts.id a zstd page was compressed with"),
        },
        hidden=True,
    ),
    "page_dicts": Table(
        "table",
        "One compression dictionary per site (a raw page of the site, zlib-compressed).",
        {
            "id": _c("primary key"),
            "site": _c("the site it serves"),
            "created_at": _c("when it was made", TIME),
            "data": _c("the dictionary"),
        },
        hidden=True,
    ),
    "frontier": Table(
        "table",
        "Work queued by a run; what a killed run resumes.",
        {
            "key": _c("primary key: the article id (or listing key)"),
            "url": _c("what to fetch"),
            "kind": _c("'article', 'listing' or 'page'"),
            "site": _c("for which site"),
            "state": _c("'pending', 'done' or 'failed'"),
            "run_id": _c("the run that queued it"),
            "added_at": _c("when it was queued", TIME),
            "attempts": _c("times it was tried", COUNT),
            "error": _c("the last error, or NULL"),
        },
        hidden=True,
    ),
    "articles_fts": _fts("exact Vietnamese (tone marks count, case does not)"),
    **_fts_storage("articles_fts"),
    "articles_fts_folded": _fts("accent-folded ('da nang' finds 'Đà Nẵng'; đ indexed as d)"),
    **_fts_storage("articles_fts_folded"),
    "article_latest": Table(
        "view",
        "One row per live article, with its latest revision number and how often it changed.",
        {
            "id": _c(_ID),
            "site": _SITE,
            "url": _c("the canonical URL"),
            "category": _CATEGORY,
            "title": _TITLE,
            "published": _PUBLISHED,
            "source": _SOURCE,
            "latest_revision": _c("the number of its latest revision"),
            "changes": _c("revisions after the first", COUNT),
            "first_seen": _c("when first stored", TIME),
            "last_changed": _c("when its latest revision was stored", TIME),
            "last_seen": _c("when last fetched", TIME),
        },
    ),
    "revision_changes": Table(
        "view",
        "One row per (article, revision, changed field): changed_fields expanded.",
        {
            "article_id": _c(_ID),
            "site": _SITE,
            "revision": _c("the revision"),
            "fetched_at": _c("when that version was fetched", TIME),
            "field": _c("one changed field (title, published, captions, body, ...)"),
            "title": _c("the title of that revision"),
            "chars_added": _c("characters inserted by the revision", CHARS),
            "chars_removed": _c("characters deleted by the revision", CHARS),
            "run_id": _c("the run that stored it"),
        },
    ),
    "link_graph": Table(
        "view",
        "One row per link whose target is an article id.",
        {
            "source_id": _c("the article the link is on"),
            "source_title": _c("its title"),
            "target_id": _c("the linked article's id"),
            "target_title": _c("its title, NULL when it is not archived"),
            "kind": _c("'body', 'attachment', 'same_group' or 'other_news'"),
            "site": _SITE,
            "position": _c("the link's order on the page"),
            "url": _c("the target URL"),
            "text": _c("the link text"),
            "date": _c("the date printed after a related-list link", DATE),
        },
    ),
    "articles_per_month": Table(
        "view",
        "Articles per site and month of their published date.",
        {
            "site": _SITE,
            "month": _c("YYYY-MM of the published date"),
            "articles": _c("articles", COUNT),
            "live": _c("of which live", COUNT),
            "gone": _c("of which gone", COUNT),
        },
    ),
}


def describe(table: str, column: str | None = None) -> str | None:
    """The description of a table, or of one of its columns; None when undocumented."""
    doc = SCHEMA.get(table)
    if doc is None:
        return None
    if column is None:
        return doc.description
    col = doc.columns.get(column)
    return col.description if col else None


def documented() -> dict[str, set[str]]:
    """{table or view: its documented column names}."""
    return {name: set(doc.columns) for name, doc in SCHEMA.items()}


def actual(conn) -> dict[str, set[str]]:
    """{table or view: column names} of a sqlite3 connection's main database (sqlite_*
    tables, such as sqlite_stat1 written by PRAGMA optimize, left out)."""
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
            "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        )
    ]
    return {
        name: {row[1] for row in conn.execute(f"PRAGMA table_info([{name}])")} for name in names
    }


def connect_readonly(path):
    """A read-only sqlite3 connection to an archive file (mode=ro: sees the WAL's committed
    transactions, can write nothing)."""
    import sqlite3
    from pathlib import Path

    return sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
