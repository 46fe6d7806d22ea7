"""Run health in the archive: the `run_sites` table and the history the alarms compare with.

This module owns writing one row per site and run (`record_run_sites`) and reading them
back: a site's earlier runs, newest first (`site_runs`), the rows of one run
(`run_site_rows`), and what a site's rhythm is judged from (`site_rhythm`: the newest
publication days of its articles and when it last gave a new one). The rules (what is
measured, when an alarm is raised) live in scraper.health; this module only stores.
"""

from __future__ import annotations

import json

from scraper.store.schema import Connected, column_names, json_text

__all__ = ["RUN_SITE_COLUMNS", "HealthMixin", "HealthReader"]

RUN_SITE_COLUMNS = column_names("run_sites")
_JSON_COLUMNS = ("fill", "alarms")


def _decode(row: dict) -> dict:
    for name in _JSON_COLUMNS:
        if name in row:
            try:
                row[name] = json.loads(row[name]) if row[name] else None
            except ValueError:
                row[name] = None
    return row


class HealthMixin(Connected):
    """Archive methods for run health (the `run_sites` table)."""

    def record_run_sites(self, run_id: int, rows: list[dict]) -> None:
        """Write the health rows of one run (one per site; fill and alarms as JSON)."""
        names = [name for name in RUN_SITE_COLUMNS if name != "run_id"]
        marks = ", ".join("?" * (len(names) + 1))
        with self.db.atomic():
            for row in rows:
                values = [
                    json_text(row.get(name)) if name in _JSON_COLUMNS else row.get(name)
                    for name in names
                ]
                self.db.execute(
                    f"INSERT OR REPLACE INTO run_sites (run_id, {', '.join(names)}) "
                    f"VALUES ({marks})",
                    [run_id, *values],
                )

    def site_runs(
        self, site: str, *, before_run: int | None = None, limit: int = 50, completed: bool = True
    ) -> list[dict]:
        """The site's health rows, newest run first, each with its run's `finished_at` and
        `status`. completed: only runs that finished 'ok'; before_run: only older runs."""
        where = ["s.site = ?"]
        params: list = [site]
        if completed:
            where.append("r.status = 'ok'")
        if before_run is not None:
            where.append("s.run_id < ?")
            params.append(before_run)
        rows = self._dicts(
            "SELECT s.*, r.finished_at AS finished_at, r.status AS status FROM run_sites AS s "
            f"JOIN runs AS r ON r.id = s.run_id WHERE {' AND '.join(where)} "
            "ORDER BY s.run_id DESC LIMIT ?",
            [*params, limit],
        )
        return [_decode(row) for row in rows]

    def run_site_rows(self, run_id: int) -> list[dict]:
        """The health rows of one run, by site name."""
        rows = self._dicts("SELECT * FROM run_sites WHERE run_id = ? ORDER BY site", [run_id])
        return [_decode(row) for row in rows]

    def site_rhythm(self, site: str, limit: int = 50) -> tuple[list[str], str | None]:
        """(the distinct publication days of the site's newest `limit` dated articles,
        newest first; when its newest article was first seen, None when it has none)."""
        days = [
            row[0]
            for row in self.db.execute(
                "SELECT DISTINCT substr(published, 1, 10) AS day FROM articles "
                "WHERE site = ? AND published IS NOT NULL ORDER BY day DESC LIMIT ?",
                [site, limit],
            )
        ]
        last = self._one("SELECT MAX(first_seen) FROM articles WHERE site = ?", [site])
        return days, (last[0] if last else None)


class HealthReader(HealthMixin):
    """The reading methods of HealthMixin over any database (scraper.store.database):
    what `scrape status` uses on an archive it only reads."""

    def __init__(self, db) -> None:
        from scraper.store.connection import database

        self.db = database(db)

    def has_table(self) -> bool:
        """False for an archive written before run health existed (no `run_sites`)."""
        return "run_sites" in self.db.table_names()
