"""What sitemaps said last time: the `sitemap_entries` table.

Each sitemap file a crawl reads, and each page URL it lists, is recorded with its
`<lastmod>`, so the next run fetches only the sitemaps and pages that changed since
(scraper.sites.discovery.sitemap_changes decides; this module only remembers).
"""

from __future__ import annotations

from collections.abc import Iterable

from scraper.store.schedule import iso_utc
from scraper.store.schema import CHUNK, Connected

__all__ = ["SitemapsMixin"]


class SitemapsMixin(Connected):
    """Archive methods for the sitemap memory."""

    def sitemap_seen(self, urls: Iterable[str]) -> dict[str, str | None]:
        """url -> recorded lastmod (None when it had none), for the urls recorded before."""
        urls = list(dict.fromkeys(urls))
        seen: dict[str, str | None] = {}
        for start in range(0, len(urls), CHUNK):
            chunk = urls[start : start + CHUNK]
            marks = ",".join("?" * len(chunk))
            seen.update(
                self.db.execute(
                    f"SELECT url, lastmod FROM sitemap_entries WHERE url IN ({marks})", chunk
                ).fetchall()
            )
        return seen

    def sitemap_record(
        self, entries: Iterable[tuple[str, str | None]], *, site: str, kind: str
    ) -> None:
        """Remember each (url, lastmod) of a sitemap ('sitemap' files or 'page' URLs)."""
        now = iso_utc()
        with self.db.atomic():
            self.db.conn.executemany(
                "INSERT INTO sitemap_entries (url, site, kind, lastmod, seen_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET "
                "lastmod = excluded.lastmod, seen_at = excluded.seen_at",
                [(url, site, kind, lastmod, now) for url, lastmod in entries],
            )
