"""Every replica layout, crawled from its home page alone, yields every article with its
fields right; the site's move from the TT CMS to the hue.gov.vn-era CMS keeps each
article's id and history (issue: the portal family)."""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from datetime import date

import pytest

from scraper.crawl import CrawlConfig, run_crawl
from scraper.fetch import FetchConfig, Politeness
from scraper.replica import ReplicaServer, build_site
from scraper.urls import canonical

TODAY = date(2026, 11, 20)
FIELDS = ("title", "published", "body", "captions", "source")


def config_for(base_url: str, **changes) -> CrawlConfig:
    politeness = Politeness(delay=0.0, per_host=4, total=8, jitter=0.0)
    fetch = FetchConfig(politeness=politeness, attempts=3, backoff_base=0.01, backoff_cap=0.1)
    return CrawlConfig(sites=(base_url,), fetch=fetch, **changes)


def rows(db, sql, params=()):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in conn.execute(sql, params)]
    finally:
        conn.close()


def stored_fields(row: dict) -> dict:
    return {
        "title": row["title"],
        "published": row["published"],
        "body": row["body"] or "",
        "captions": json.loads(row["captions"] or "[]"),
        "source": row["source"],
    }


@pytest.fixture(scope="module", params=["tt", "dnn", "hue"])
def crawled(request, tmp_path_factory):
    layout = request.param
    site = build_site(seed=11, n_articles=48, today=TODAY)
    db = tmp_path_factory.mktemp(layout) / "archive.db"
    with ReplicaServer(site, layout=layout) as server:
        result = run_crawl(db, config_for(server.base_url))
        truths = {tc: site.expected(tc, server.base_url, layout) for tc in site.tcs()}
        yield layout, site, server, db, result, truths


def test_every_article_is_found_from_the_home_page_alone(crawled):
    layout, site, server, db, result, truths = crawled
    assert result.status == "ok"
    stored = {row["url"] for row in rows(db, "select url from articles")}
    expected = {canonical(truth["url"]) for truth in truths.values()}
    assert expected - stored == set(), f"{layout}: articles not found"
    assert stored - expected == set(), f"{layout}: pages stored that are no articles"


def test_every_field_matches_the_layouts_truth(crawled):
    layout, site, server, db, result, truths = crawled
    by_url = {row["url"]: row for row in rows(db, "select * from articles")}
    mismatches = []
    for tc, truth in truths.items():
        row = by_url.get(canonical(truth["url"]))
        if row is None:
            continue  # reported by the coverage test
        got = stored_fields(row)
        for name in FIELDS:
            want = truth[name] if name != "body" else truth["body"] or ""
            if got[name] != want:
                mismatches.append((tc, name, got[name], want))
    assert mismatches == [], f"{layout}: {len(mismatches)} field mismatches, first {mismatches[:3]}"


def test_the_profile_and_date_source_are_recorded(crawled):
    layout, site, server, db, result, truths = crawled
    profiles = {row["profile"] for row in rows(db, "select distinct profile from revisions")}
    assert profiles == {layout}
    sources = {
        row["published_source"]
        for row in rows(db, "select published_source from articles where published is not null")
    }
    expected_sources = {"tt": {"label"}, "dnn": {"label", "guid"}, "hue": None}[layout]
    if expected_sources is not None:
        assert sources <= expected_sources and sources
    assert all(
        unicodedata.is_normalized("NFC", row["body"] or "")
        for row in rows(db, "select body from articles")
    )


def test_dnn_ids_are_the_lowercased_newsid(crawled):
    layout, site, server, db, result, truths = crawled
    if layout != "dnn":
        pytest.skip("DNN only")
    ids = {row["id"] for row in rows(db, "select id from articles")}
    assert ids == {truth["id"] for truth in truths.values()}
    assert all(i == i.lower() for i in ids)


def test_an_unchanged_second_crawl_adds_nothing_and_stays_cheap(crawled, tmp_path):
    layout, site, server, db, result, truths = crawled
    again = run_crawl(db, config_for(server.base_url))
    assert (again.stats.new, again.stats.changed) == (0, 0), layout
    first_requests = rows(db, "select count(*) n from fetches where run_id = ?", (result.run_id,))
    rerun_requests = rows(db, "select count(*) n from fetches where run_id = ?", (again.run_id,))
    assert rerun_requests[0]["n"] < first_requests[0]["n"] / 3, layout


def test_a_site_that_moved_keeps_its_ids_and_history(tmp_path):
    """Crawled on the TT CMS, then served by the new CMS whose old URLs answer 301: a
    --full re-check reaches every article through its redirect, keeps its id, adds no
    revision, and records the new URL's id as an alias."""
    site = build_site(seed=5, n_articles=30, today=TODAY)
    db = tmp_path / "archive.db"
    with ReplicaServer(site, layout="tt") as old:
        first = run_crawl(db, config_for(old.base_url))
        port = int(old.base_url.rsplit(":", 1)[1].rstrip("/"))
    assert first.stats.new == len(site.tcs())
    before = {row["id"]: row["revision"] for row in rows(db, "select id, revision from articles")}
    with ReplicaServer(site, port=port, layout="hue", moved=True) as new:
        moved = run_crawl(db, config_for(new.base_url, full=True))
    assert moved.stats.new == 0
    assert moved.stats.changed == 0
    after = {row["id"]: row["revision"] for row in rows(db, "select id, revision from articles")}
    assert after == before
    aliases = rows(db, "select alias_id, article_id, url from aliases")
    assert len(aliases) == len(site.tcs())
    assert all("/tin-trong-tinh/" in alias["url"] for alias in aliases)
