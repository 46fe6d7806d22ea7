"""The crawl frontier: what a run still has to visit, so an interrupted run can resume.

This module owns the `frontier` table: items keyed by the caller's key, each 'pending',
'done' or 'failed' (`FRONTIER_STATES`), of kind 'article', 'listing' or 'page'
(`FRONTIER_KINDS`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scraper.store.schedule import iso_utc
from scraper.store.schema import CHUNK, Connected

__all__ = ["FRONTIER_KINDS", "FRONTIER_STATES", "FrontierMixin"]

FRONTIER_KINDS = ("article", "listing", "page")
FRONTIER_STATES = ("pending", "done", "failed")


class FrontierMixin(Connected):
    """Archive methods for the frontier."""

    def frontier_add(
        self, items: Iterable[tuple[str, str, str, str | None]], run_id: int | None
    ) -> int:
        """Insert (key, url, kind, site) items as 'pending'; existing keys are left alone
        (whatever their state: only frontier_reset puts a done item back). Returns how many
        were new."""
        now = iso_utc()
        rows = []
        for key, url, kind, site in items:
            if kind not in FRONTIER_KINDS:
                raise ValueError(f"bad frontier kind {kind!r}")
            rows.append((key, url, kind, site, run_id, now))
        if not rows:
            return 0
        with self.db.atomic():
            before = self.db.conn.total_changes
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO frontier (key, url, kind, site, state, run_id, added_at, "
                "attempts) VALUES (?, ?, ?, ?, 'pending', ?, ?, 0)",
                rows,
            )
            return self.db.conn.total_changes - before

    def frontier_pending(self, site: str | None = None, kind: str | None = None) -> list[dict]:
        """Pending items (all columns) in the order they were added."""
        sql = "SELECT * FROM frontier WHERE state = 'pending'"
        params: list[Any] = []
        if site is not None:
            sql += " AND site = ?"
            params.append(site)
        if kind is not None:
            sql += " AND kind = ?"
            params.append(kind)
        return self._dicts(sql + " ORDER BY rowid", params)

    def frontier_done(self, key: str, state: str = "done", error: str | None = None) -> None:
        """Mark an item 'done' or 'failed' (attempts + 1, error kept)."""
        if state not in FRONTIER_STATES:
            raise ValueError(f"bad frontier state {state!r}")
        with self.db.atomic():
            self.db.execute(
                "UPDATE frontier SET state = ?, error = ?, attempts = attempts + 1 WHERE key = ?",
                [state, error, key],
            )

    def frontier_reset(
        self, keys: Iterable[str] | None = None, *, states: Iterable[str] = ("done", "failed")
    ) -> int:
        """Put items back to 'pending' (the given keys, else every item in `states`)."""
        states = list(states)
        marks = ",".join("?" * len(states))
        total = 0
        with self.db.atomic():
            if keys is None:
                total = self.db.execute(
                    f"UPDATE frontier SET state = 'pending', error = NULL WHERE state IN ({marks})",
                    states,
                ).rowcount
            else:
                keys = list(keys)
                for start in range(0, len(keys), CHUNK):
                    chunk = keys[start : start + CHUNK]
                    total += self.db.execute(
                        f"UPDATE frontier SET state = 'pending', error = NULL "
                        f"WHERE state IN ({marks}) AND key IN ({','.join('?' * len(chunk))})",
                        states + chunk,
                    ).rowcount
        return total

    def frontier_clear_done(self) -> int:
        """Delete 'done' items (at the end of a complete run); failed ones stay."""
        with self.db.atomic():
            return self.db.execute("DELETE FROM frontier WHERE state = 'done'").rowcount
