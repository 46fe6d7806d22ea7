"""Datasette metadata for an archive, built from scraper.analysts.schema_doc, and the canned
queries analysts run most.

This module owns `CANNED_QUERIES` (name -> title, description, SQL with :named parameters)
and `build_metadata(db_name, conn=None)`, the dict Datasette 0.6x takes as `metadata=`
(or as metadata.json): title, table and column descriptions, units, `fts_table` for the
searchable table, facets on site, category and status, hidden internal tables, and the
canned queries. Given a connection, tables and columns the archive does not have are left
out (an older archive still serves), and so is a canned query that needs one of them.

Search in SQL: FTS5 answers an empty MATCH with a syntax error, so the search queries
match `""` (nothing) until a word is typed. The folded query folds `đ`/`Đ` itself: the
folded index's tokenizer (`remove_diacritics 2`) strips tone marks from the query as it
does from the text, but does not fold đ (scraper/search.py).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from scraper.analysts.schema_doc import PINT, SCHEMA, actual, connect_readonly

TITLE = "Thừa Thiên Huế news archive"
DESCRIPTION = (
    "Articles of the Thừa Thiên Huế government news portals, every revision of their "
    "content, and the crawl runs that fetched them. Times are UTC; text is NFC Vietnamese."
)

FACETS: dict[str, list[str]] = {
    "articles": ["site", "category", "status"],
    "article_latest": ["site", "category"],
    "revisions": ["category"],
    "revision_changes": ["site", "field"],
    "runs": ["status"],
    "fetches": ["method", "status"],
    "links": ["kind"],
    "articles_per_month": ["site"],
}
SORT_DESC: dict[str, str] = {
    "articles": "first_seen",
    "revisions": "fetched_at",
    "runs": "id",
    "fetches": "id",
}

_MATCH = "CASE WHEN trim(:q) = '' THEN '\"\"' ELSE {q} END"
_FOLD_Q = "replace(replace(:q, 'đ', 'd'), 'Đ', 'D')"


def _search_sql(table: str, query: str) -> str:
    return f"""SELECT a.id, a.site, a.published, a.title,
  snippet({table}, -1, '[', ']', '…', 16) AS snippet
FROM {table}
JOIN articles AS a ON a.rowid = {table}.rowid
WHERE {table} MATCH {_MATCH.format(q=query)}
ORDER BY bm25({table}, 3.0, 1.0, 1.0), a.id
LIMIT 100"""


# name -> (title, description, sql, tables and columns it needs as "table.column")
CANNED_QUERIES: dict[str, dict] = {
    "search": {
        "title": "Search (exact Vietnamese)",
        "description": "Tone marks count (má is not mà), case does not. FTS5 syntax: words "
        'are ANDed, "a phrase", OR, NOT, prefix*, title: word.',
        "sql": _search_sql("articles_fts", ":q"),
        "needs": ("articles_fts.title",),
    },
    "search_folded": {
        "title": "Search without tone marks",
        "description": "Accent-folded: 'da nang' and 'Đà Nẵng' find the same articles.",
        "sql": _search_sql("articles_fts_folded", _FOLD_Q),
        "needs": ("articles_fts_folded.title",),
    },
    "article_revisions": {
        "title": "One article's revisions",
        "description": "Every stored version of an article (id such as "
        "'stttt.thuathienhue.gov.vn/22380') with the fields each one changed.",
        "sql": """SELECT r.revision, r.fetched_at, r.changed_fields, r.chars_added,
  r.chars_removed, r.title, r.published, r.run_id
FROM revisions AS r
WHERE r.article_id = :id
ORDER BY r.revision""",
        "needs": ("revisions.changed_fields", "revisions.run_id"),
    },
    "changed_since": {
        "title": "Articles changed since a date",
        "description": "Revisions after the first stored on or after a date (YYYY-MM-DD), "
        "newest first.",
        "sql": """SELECT r.article_id, a.site, r.revision, r.fetched_at, r.changed_fields,
  r.chars_added, r.chars_removed, r.title
FROM revisions AS r
JOIN articles AS a ON a.id = r.article_id
WHERE r.revision > 1 AND r.fetched_at >= :since
ORDER BY r.fetched_at DESC, r.article_id
LIMIT 1000""",
        "needs": ("revisions.changed_fields",),
    },
    "gone_articles": {
        "title": "Gone articles",
        "description": "Articles that answered 404/410 in two runs; their text is kept.",
        "sql": """SELECT a.id, a.site, a.title, a.published, a.last_seen, a.misses,
  a.last_miss_run, a.url
FROM articles AS a
WHERE a.status = 'gone'
ORDER BY a.last_seen DESC""",
        "needs": ("articles.status", "articles.misses"),
    },
    "run_health": {
        "title": "Run health",
        "description": "Each crawl run: its counts, requests, failed requests, duration and "
        "the share of pages that failed.",
        "sql": """SELECT r.id, r.status, r.started_at, r.finished_at,
  CAST(round((julianday(r.finished_at) - julianday(r.started_at)) * 86400) AS INTEGER)
    AS seconds,
  r.fetched, r.new, r.changed, r.unchanged, r.gone, r.failed,
  (SELECT COUNT(*) FROM fetches AS f WHERE f.run_id = r.id) AS requests,
  (SELECT COUNT(*) FROM fetches AS f WHERE f.run_id = r.id
     AND (f.error IS NOT NULL OR f.status >= 500)) AS failed_requests,
  round(100.0 * r.failed / max(r.fetched + r.failed, 1), 1) AS failed_pct
FROM runs AS r
ORDER BY r.id DESC""",
        "needs": ("runs.failed", "fetches.run_id"),
    },
}


def _present(conn: sqlite3.Connection | None) -> dict[str, set[str]] | None:
    return None if conn is None else actual(conn)


def _has(present: dict[str, set[str]] | None, needs: tuple[str, ...]) -> bool:
    if present is None:
        return True
    for need in needs:
        table, _, column = need.partition(".")
        if table not in present or (column and column not in present[table]):
            return False
    return True


def table_metadata(name: str, present_columns: set[str] | None = None) -> dict:
    """Datasette metadata of one table or view from SCHEMA."""
    doc = SCHEMA[name]
    cols = {
        col: c
        for col, c in doc.columns.items()
        if present_columns is None or col in present_columns
    }
    meta: dict = {"description": doc.description}
    meta["columns"] = {
        col: c.description + (f" ({c.unit})" if c.unit and c.unit not in PINT else "")
        for col, c in cols.items()
    }
    units = {col: PINT[c.unit] for col, c in cols.items() if c.unit in PINT}
    if units:
        meta["units"] = units
    if doc.hidden:
        meta["hidden"] = True
    facets = [f for f in FACETS.get(name, []) if f in cols]
    if facets:
        meta["facets"] = facets
    if name in SORT_DESC and SORT_DESC[name] in cols:
        meta["sort_desc"] = SORT_DESC[name]
    if name == "articles":
        meta["fts_table"] = "articles_fts"
        meta["fts_pk"] = "rowid"
    return meta


def canned_queries(conn: sqlite3.Connection | None = None) -> dict[str, dict]:
    """Datasette's `queries`: every canned query, or, given a connection, those whose tables
    and columns the archive has."""
    present = _present(conn)
    return {
        name: {k: v for k, v in q.items() if k != "needs"}
        for name, q in CANNED_QUERIES.items()
        if _has(present, q["needs"])
    }


def build_metadata(db_name: str = "archive", conn: sqlite3.Connection | None = None) -> dict:
    """Datasette metadata for a database named db_name (the file's stem). With conn, tables
    and columns the archive lacks are left out."""
    present = _present(conn)
    tables = {
        name: table_metadata(name, None if present is None else present[name])
        for name in SCHEMA
        if present is None or name in present
    }
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "about": "scraper",
        "databases": {
            db_name: {
                "title": TITLE,
                "description": DESCRIPTION,
                "tables": tables,
                "queries": canned_queries(conn),
            }
        },
    }


def metadata_for(db_path) -> dict:
    """build_metadata for an archive file, read-only (the database is named by its stem)."""
    path = Path(db_path)
    conn = connect_readonly(path)
    try:
        return build_metadata(path.stem, conn)
    finally:
        conn.close()
