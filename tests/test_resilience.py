"""Against the replica's fault mode: the archive equals the fault-free one, and the
politeness rules hold, as the replica's own request log shows."""

from __future__ import annotations

import itertools

from scraper.crawl import run_crawl
from scraper.fetch import Politeness
from scraper.replica import ReplicaServer, build_site
from tests._helpers import config_for, rows
from tests.archive_snapshot import snapshot

DISALLOWED = ("/?gd=99", "/admin/")


def test_faults_change_nothing_in_the_archive_and_retry_after_is_respected(tmp_path):
    site = build_site(seed=9, n_articles=60)
    # A small delay between requests: with several requests in flight and none between
    # them, one sent just before a 429 arrives lands inside the pause, which no client can
    # avoid (the fetcher then sends one request at a time to that host).
    gentle = Politeness(delay=0.05, per_host=2, total=8, jitter=0.0)
    with ReplicaServer(site) as server:
        clean_db, faulty_db = tmp_path / "clean.db", tmp_path / "faulty.db"
        run_crawl(clean_db, config_for(server.base_url))
        server.faults = 4  # 5xx, 429 + Retry-After, resets, truncated bodies, slow answers
        result = run_crawl(faulty_db, config_for(server.base_url, gentle))
        faults = {r["fault"] for r in server.requests if r["fault"]}
        violations = list(server.violations)
    assert {"5xx", "429", "reset", "truncated"} <= faults
    assert result.status == "ok" and result.stats.failed == 0
    assert snapshot(faulty_db) == snapshot(clean_db)
    duplicates = rows(
        faulty_db,
        "select article_id, content_hash, count(*) n from revisions "
        "group by article_id, content_hash having n > 1",
    )
    assert duplicates == []
    assert violations == []  # no request came while a Retry-After pause was running


def test_requests_in_flight_never_exceed_the_cap_and_keep_the_delay(tmp_path):
    site = build_site(seed=4, n_articles=25)
    delay = 0.1
    politeness = Politeness(delay=delay, per_host=2, total=8, jitter=0.0)
    with ReplicaServer(site, latency=0.01) as server:
        run_crawl(tmp_path / "archive.db", config_for(server.base_url, politeness))
        log = sorted(server.requests, key=lambda r: r["start"])
    assert max(r["in_flight_at_start"] for r in log) <= 2
    gaps = [b["start"] - a["start"] for a, b in itertools.pairwise(log)]
    # The replica stamps a request when its thread gets to it, which can be late by tens
    # of milliseconds; the client spaced the starts by `delay`.
    assert min(gaps) >= delay / 2
    assert sum(gaps) / len(gaps) >= delay


def test_robots_disallowed_and_off_site_urls_are_never_requested(tmp_path):
    site = build_site(seed=6, n_articles=40)
    db = tmp_path / "archive.db"
    with ReplicaServer(site) as server:
        run_crawl(db, config_for(server.base_url))
        paths = [r["path_qs"].lower() for r in server.requests]
        base = server.base_url
    assert "/robots.txt" in paths
    assert not [p for p in paths if p.startswith(DISALLOWED)]
    fetched = [r["url"] for r in rows(db, "select url from fetches")]
    assert fetched and all(url.startswith(base) for url in fetched)
