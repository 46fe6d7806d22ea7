"""The analysts' layer of the archive: SQL views and indexes, created when an archive opens.

This module owns the views (`VIEWS`) and the extra indexes (`ANALYSIS_INDEXES`) for the
questions analysts ask, and `ensure_analysis(db)`, which scraper.store.Archive calls on
open to make sure the search indexes (scraper.search), the views and these indexes exist.
It is idempotent and cheap when everything exists (one sqlite_master query). Views are
`CREATE VIEW IF NOT EXISTS`: like the tables, a view's columns are added, never renamed.

- article_latest: live articles with their latest revision number and how many times
  their content changed.
- revision_changes: one row per (article, revision, changed field), changed_fields
  expanded with json_each (revision 1 has no changed fields, so no rows).
- link_graph: source article -> target article for links whose target is an article id
  (target_title is NULL when the target is not in the archive).
- articles_per_month: articles per site and month of their published date.
"""

from __future__ import annotations

from typing import Any

from scraper.search import SCHEMA_NAMES, ensure_search
from scraper.store import database

VIEWS: dict[str, str] = {
    "article_latest": """
SELECT
  a.id,
  a.site,
  a.url,
  a.category,
  a.title,
  a.published,
  a.source,
  (SELECT MAX(r.revision) FROM revisions AS r WHERE r.article_id = a.id) AS latest_revision,
  (SELECT COUNT(*) FROM revisions AS r WHERE r.article_id = a.id AND r.revision > 1)
    AS changes,
  a.first_seen,
  a.last_changed,
  a.last_seen
FROM articles AS a
WHERE a.status = 'live'
""",
    "revision_changes": """
SELECT
  r.article_id,
  a.site,
  r.revision,
  r.fetched_at,
  j.value AS field,
  r.title,
  r.chars_added,
  r.chars_removed,
  r.run_id
FROM revisions AS r
JOIN articles AS a ON a.id = r.article_id
JOIN json_each(CASE WHEN json_valid(r.changed_fields) THEN r.changed_fields ELSE '[]' END)
  AS j
""",
    "link_graph": """
SELECT
  l.article_id AS source_id,
  s.title AS source_title,
  l.target_id,
  t.title AS target_title,
  l.kind,
  s.site,
  l.position,
  l.url,
  l.text,
  l.date
FROM links AS l
LEFT JOIN articles AS s ON s.id = l.article_id
LEFT JOIN articles AS t ON t.id = l.target_id
WHERE l.target_id IS NOT NULL
""",
    "articles_per_month": """
SELECT
  site,
  substr(published, 1, 7) AS month,
  COUNT(*) AS articles,
  SUM(status = 'live') AS live,
  SUM(status = 'gone') AS gone
FROM articles
WHERE published IS NOT NULL
GROUP BY site, month
ORDER BY month, site
""",
}

# (name, table, columns): indexes for date-range filters and per-run counts.
ANALYSIS_INDEXES: tuple[tuple[str, str, str], ...] = (
    ("idx_articles_published", "articles", "published"),
    ("idx_revisions_fetched_at", "revisions", "fetched_at"),
    ("idx_revisions_run_id", "revisions", "run_id"),
    # status per site and due_for_check without reading article rows (covering)
    ("idx_articles_site_status", "articles", "site, status, next_check_at, id"),
)

_NAMES = (*SCHEMA_NAMES, *VIEWS, *(name for name, _, _ in ANALYSIS_INDEXES))


def ensure_views(db: Any) -> None:
    """Create the views and indexes that do not exist yet."""
    db = database(db)
    with db.atomic():
        for name, sql in VIEWS.items():
            db.execute(f"CREATE VIEW IF NOT EXISTS [{name}] AS{sql.rstrip()}")
        for name, table, cols in ANALYSIS_INDEXES:
            db.execute(f"CREATE INDEX IF NOT EXISTS [{name}] ON [{table}] ({cols})")


def ensure_analysis(db: Any) -> None:
    """Search indexes and triggers, views and indexes: create what is missing."""
    db = database(db)
    marks = ",".join("?" * len(_NAMES))
    existing = {
        row[0]
        for row in db.execute(f"SELECT name FROM sqlite_master WHERE name IN ({marks})", _NAMES)
    }
    ensure_search(db, existing)
    if not set(_NAMES) - set(SCHEMA_NAMES) <= existing:
        ensure_views(db)
