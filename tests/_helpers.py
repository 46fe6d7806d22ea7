"""Helpers shared by the crawl tests: a quick crawl config for the replica, and reading an
archive's rows with plain sqlite3 (so the checks do not go through the code under test)."""

from __future__ import annotations

import sqlite3

from scraper.crawl import CrawlConfig
from scraper.fetch import FetchConfig, Politeness


def config_for(base_url: str, politeness: Politeness | None = None, **changes) -> CrawlConfig:
    """A crawl of the replica: no delay, 4 in flight, quick retries (tests wait for nothing)."""
    politeness = politeness or Politeness(delay=0.0, per_host=4, total=8, jitter=0.0)
    fetch = FetchConfig(politeness=politeness, attempts=4, backoff_base=0.01, backoff_cap=0.2)
    return CrawlConfig(sites=(base_url,), fetch=fetch, **changes)


def rows(db_path, sql, params=()):
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in conn.execute(sql, params)]
    finally:
        conn.close()


def scalar(db_path, sql, params=()):
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchone()[0]
    finally:
        conn.close()
