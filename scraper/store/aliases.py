"""Aliases: the other ids an article is known by (the `aliases` table).

When a site moves to another CMS, an article reached through a redirect from its old URL,
or found again by its content under a new URL, keeps the id it had; the id its new URL
would have is recorded here, so discovery maps the new URL back to the article.
"""

from __future__ import annotations

from collections.abc import Iterable

from scraper.store.schedule import iso_utc
from scraper.store.schema import CHUNK, Connected

__all__ = ["AliasesMixin"]


class AliasesMixin(Connected):
    """Archive methods for aliases."""

    def add_alias(self, alias_id: str, article_id: str, url: str | None = None) -> None:
        """Record that alias_id (the id a new URL of the article would have) names article_id."""
        if alias_id == article_id:
            return
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO aliases (alias_id, article_id, url, first_seen) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (alias_id) DO UPDATE SET url = excluded.url",
                [alias_id, article_id, url, iso_utc()],
            )

    def alias_targets(self, ids: Iterable[str]) -> dict[str, str]:
        """alias id -> article id, for the ids among ids that are aliases."""
        ids = list(dict.fromkeys(ids))
        found: dict[str, str] = {}
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            marks = ",".join("?" * len(chunk))
            found.update(
                self.db.execute(
                    f"SELECT alias_id, article_id FROM aliases WHERE alias_id IN ({marks})",
                    chunk,
                ).fetchall()
            )
        return found
