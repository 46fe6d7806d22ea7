"""Crawl runs and the fetch log.

This module owns the `runs` table (`start_run`, `finish_run` with the run's alarms,
`mark_interrupted_runs`; `RUN_STATUSES`, `RUN_COUNTS`) and the `fetches` table
(`record_fetch`: one row per request, whatever its outcome).
"""

from __future__ import annotations

import os

from scraper.store.schedule import iso_utc
from scraper.store.schema import Connected, json_text

__all__ = ["RUN_COUNTS", "RUN_STATUSES", "RunsMixin"]

RUN_STATUSES = ("running", "ok", "failed", "interrupted")
RUN_COUNTS = ("fetched", "new", "changed", "unchanged", "gone", "failed")


class RunsMixin(Connected):
    """Archive methods for runs and fetches. Needs `self._own_runs` (set) set by the Archive."""

    _own_runs: set[int]  # runs this Archive started and has not finished

    def start_run(self, options: dict) -> int:
        with self.db.atomic():
            run_id = self._insert(
                "INSERT INTO runs (started_at, status, pid, options) VALUES (?, 'running', ?, ?)",
                [iso_utc(), os.getpid(), json_text(options)],
            )
        self._own_runs.add(run_id)
        return run_id

    def finish_run(
        self,
        run_id: int,
        status: str,
        counts: dict[str, int],
        alarms: list[dict] | None = None,
    ) -> None:
        """Close a run: its status, counts and alarms (a JSON array; [] when it had none,
        NULL when its health was not judged)."""
        if status not in RUN_STATUSES or status == "running":
            raise ValueError(f"bad run status {status!r}")
        unknown = set(counts) - set(RUN_COUNTS)
        if unknown:
            raise ValueError(f"unknown run counts {sorted(unknown)}")
        sets = "".join(f", [{name}] = ?" for name in counts)
        with self.db.atomic():
            self.db.execute(
                f"UPDATE runs SET finished_at = ?, status = ?, alarms = ?{sets} WHERE id = ?",
                [
                    iso_utc(),
                    status,
                    None if alarms is None else json_text(alarms),
                    *(int(v) for v in counts.values()),
                    run_id,
                ],
            )
        self._own_runs.discard(run_id)

    def mark_interrupted_runs(self) -> list[int]:
        """Runs still 'running' that this Archive did not start -> 'interrupted' (finished_at =
        their last fetch, else their start). Call it while holding scraper.lock: then no other
        live process can own a run (pids are not checked: they get reused). Returns their ids."""
        ids = [
            row[0]
            for row in self.db.execute("SELECT id FROM runs WHERE status = 'running'")
            if row[0] not in self._own_runs
        ]
        with self.db.atomic():
            for run_id in ids:
                self.db.execute(
                    "UPDATE runs SET status = 'interrupted', finished_at = COALESCE("
                    "(SELECT MAX(fetched_at) FROM fetches WHERE run_id = ?), started_at) "
                    "WHERE id = ?",
                    [run_id, run_id],
                )
        return ids

    def record_fetch(
        self,
        run_id: int | None,
        url: str,
        method: str,
        status: int | None,
        fetched_at: str,
        elapsed_ms: int | None,
        nbytes: int | None,
        attempts: int | None,
        error: str | None = None,
        page_sha: str | None = None,
    ) -> int:
        with self.db.atomic():
            fetch_id = self._insert(
                "INSERT INTO fetches (run_id, url, method, status, fetched_at, elapsed_ms, "
                "bytes, attempts, error, page_sha) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    run_id,
                    url,
                    method,
                    status,
                    iso_utc(fetched_at),
                    elapsed_ms,
                    nbytes,
                    attempts,
                    error,
                    page_sha,
                ],
            )
        return fetch_id
