"""Imported captures and re-derived revisions: the store side of `scrape wayback`, `scrape
import`, `scrape export --format warc` and `scrape reextract`.

This module owns the `captures` table (one row per capture an import took in, so a rerun
skips it: `capture_done`, `record_capture`), the `derivations` table (a revision re-derived
by another extractor version: `write_derivation`), the reads those commands need
(`article_seen`, `raw_captures`, `revisions_with_pages`, `undecided_captures`) and the two
writes on articles that are not a save: `mark_gone_at` (a 404 capture later than the
article's last 200) and `refresh_article_content` (the latest revision as the current
extractor reads it, without a new revision).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scraper import __version__ as EXTRACTOR_VERSION
from scraper.models import Article
from scraper.store.schedule import MISS_RECHECK, iso_utc, utc_time
from scraper.store.schema import Connected, column_names, json_text

__all__ = ["CAPTURE_OUTCOMES", "CapturesMixin"]

CAPTURE_OUTCOMES = (
    "new",
    "changed",
    "unchanged",
    "older",
    "not_article",
    "gone",
    "missing",
    "other",
)
_CAPTURE_COLUMNS = column_names("captures")[1:]  # id is the rowid
_DERIVATION_COLUMNS = column_names("derivations")
GONE_STATUSES = (404, 410)


class CapturesMixin(Connected):
    """Archive methods for imported captures and re-derived revisions."""

    def capture_done(self, url: str, fetched_at: str, origin: str, digest: str | None) -> bool:
        """Whether this capture (same URL, time, origin and payload digest) was imported."""
        return (
            self._one(
                "SELECT 1 FROM captures WHERE url = ? AND fetched_at = ? AND origin = ? "
                "AND digest IS ?",
                [url, fetched_at, origin, digest],
            )
            is not None
        )

    def record_capture(
        self,
        *,
        url: str,
        fetched_at: str,
        origin: str,
        digest: str | None,
        status: int | None,
        page_sha: str | None,
        article_id: str | None,
        source: str | None,
        outcome: str,
        run_id: int | None,
    ) -> int:
        if outcome not in CAPTURE_OUTCOMES:
            raise ValueError(f"unknown capture outcome {outcome!r}")
        row = {
            "url": url,
            "fetched_at": fetched_at,
            "origin": origin,
            "digest": digest,
            "status": status,
            "page_sha": page_sha,
            "article_id": article_id,
            "source": source,
            "outcome": outcome,
            "run_id": run_id,
            "stored_at": iso_utc(),
        }
        marks = ", ".join("?" * len(_CAPTURE_COLUMNS))
        return self._insert(
            f"INSERT INTO captures ({', '.join(_CAPTURE_COLUMNS)}) VALUES ({marks})",
            [row[name] for name in _CAPTURE_COLUMNS],
        )

    def set_capture_outcome(self, capture_id: int, outcome: str, article_id: str | None) -> None:
        self.db.execute(
            "UPDATE captures SET outcome = ?, article_id = ? WHERE id = ?",
            [outcome, article_id, capture_id],
        )

    def article_seen(self, article_id: str) -> tuple[str, str | None, str] | None:
        """(last_seen, page_sha, status) of an article, None when unknown."""
        row = self._one(
            "SELECT last_seen, page_sha, status FROM articles WHERE id = ?", [article_id]
        )
        return (row[0], row[1], row[2]) if row else None

    def mark_gone_at(self, article_id: str, at: str) -> bool:
        """The article answered 404/410 at `at`, later than it was last seen: 'gone' (rows
        and revisions kept; misses counted as for two crawl runs). True when it changed."""
        with self.db.atomic():
            seen = self.article_seen(article_id)
            if seen is None or seen[0] >= at or seen[2] == "gone":
                return False
            self.db.execute(
                "UPDATE articles SET status = 'gone', misses = MAX(misses, 2), "
                "next_check_at = ? WHERE id = ?",
                [iso_utc(utc_time(at) + MISS_RECHECK), article_id],
            )
        return True

    def later_gone_capture(self, article_id: str, after: str) -> str | None:
        """The time of the article's latest imported capture when that is a 404/410 later
        than `after` (imported before the article was known: a capture of 'missing')."""
        row = self._one(
            "SELECT fetched_at, status FROM captures WHERE article_id = ? AND fetched_at > ? "
            "ORDER BY fetched_at DESC LIMIT 1",
            [article_id, after],
        )
        return row[0] if row and row[1] in GONE_STATUSES else None

    def raw_captures(self) -> Iterator[dict]:
        """Every capture the archive holds the raw page of (crawl fetches and imported
        captures), plus the 404/410 answers of known articles, oldest first; duplicates
        (same URL, time and page) once. Keys: url, fetched_at, status, page_sha,
        content_type, origin."""
        sql = (
            "SELECT f.url, f.fetched_at, f.status, f.page_sha, p.content_type, 'crawl' "
            "FROM fetches f LEFT JOIN pages p ON p.sha256 = f.page_sha "
            "WHERE f.status IS NOT NULL AND (f.page_sha IS NOT NULL OR (f.status IN (404, 410) "
            "AND EXISTS (SELECT 1 FROM articles a WHERE a.url = f.url))) "
            "UNION ALL "
            "SELECT c.url, c.fetched_at, c.status, c.page_sha, p.content_type, c.origin "
            "FROM captures c LEFT JOIN pages p ON p.sha256 = c.page_sha "
            "WHERE c.page_sha IS NOT NULL OR c.status IN (404, 410) "
            "ORDER BY 2, 1"
        )
        seen: set[tuple] = set()
        names = ("url", "fetched_at", "status", "page_sha", "content_type", "origin")
        for row in self.db.execute(sql):
            key = (row[0], row[1], row[3])
            if key in seen:
                continue
            seen.add(key)
            yield dict(zip(names, row, strict=True))

    def revisions_with_pages(self, site: str | None = None, since: str | None = None):
        """(article_id, revision, fetched_at, page_sha, url, latest revision, content_type)
        of every revision whose raw page is stored, by article and revision."""
        sql = (
            "SELECT r.article_id, r.revision, r.fetched_at, r.page_sha, a.url, a.revision, "
            "p.content_type FROM revisions r JOIN articles a ON a.id = r.article_id "
            "JOIN pages p ON p.sha256 = r.page_sha WHERE 1 = 1"
        )
        params: list[Any] = []
        if site is not None:
            sql += " AND a.site = ?"
            params.append(site)
        if since is not None:
            sql += " AND r.fetched_at >= ?"
            params.append(since)
        return self.db.execute(sql + " ORDER BY r.article_id, r.revision", params).fetchall()

    def undecided_captures(self, since: str | None = None) -> list[dict]:
        """Imported captures that were no article when imported, with their raw page."""
        sql = (
            "SELECT c.id, c.url, c.fetched_at, c.origin, c.digest, c.status, c.page_sha, "
            "c.source, p.content_type FROM captures c JOIN pages p ON p.sha256 = c.page_sha "
            "WHERE c.outcome = 'not_article'"
        )
        params: list[Any] = []
        if since is not None:
            sql += " AND c.fetched_at >= ?"
            params.append(since)
        return self._dicts(sql + " ORDER BY c.fetched_at, c.url", params)

    def write_derivation(
        self,
        article_id: str,
        revision: int,
        *,
        article: Article,
        content: dict,
        chash: str,
        page_sha: str | None,
        fields: list[str],
    ) -> None:
        """Keep the current extractor's reading of a stored revision (replaced when the same
        extractor version derives it again). The revision row itself is not touched."""
        from scraper.store.articles import _content_columns

        row = {
            "article_id": article_id,
            "revision": revision,
            "extractor_version": EXTRACTOR_VERSION,
            "derived_at": iso_utc(),
            "page_sha": page_sha,
            "content_hash": chash,
            **_content_columns(article, content),
            "attachments": json_text([link.url for link in article.attachments if link.url]),
            "changed_fields": json_text(fields),
        }
        marks = ", ".join("?" * len(_DERIVATION_COLUMNS))
        self.db.execute(
            f"INSERT OR REPLACE INTO derivations ({', '.join(_DERIVATION_COLUMNS)}) "
            f"VALUES ({marks})",
            [row[name] for name in _DERIVATION_COLUMNS],
        )

    def refresh_article_content(self, article: Article, content: dict, chash: str) -> None:
        """Rewrite the article row's content columns and content_hash from the current
        extractor's reading of its latest revision: no new revision, revision rows kept, so
        the next crawl compares like with like and an extractor change is never an edit."""
        from scraper.store.articles import _content_columns

        values = {**_content_columns(article, content), "content_hash": chash}
        sets = ", ".join(f"{name} = ?" for name in values)
        self.db.execute(f"UPDATE articles SET {sets} WHERE id = ?", [*values.values(), article.id])
