"""End to end against the local replica: coverage, every field against the replica's
ground truth, postback paging, and re-crawls that add no false revision."""

from __future__ import annotations

import json
import unicodedata

import pytest

from scraper.crawl import run_crawl
from scraper.replica import ReplicaServer, build_site
from tests._helpers import config_for, rows, scalar

CHROME = (
    "Truy cập",
    "Thống kê",
    "Tìm kiếm",
    "__VIEWSTATE",
    "Các tin khác",
    "Tin cùng nhóm",
    "Xem tin theo ngày",
    "Chung nhan Tin Nhiem Mang",
)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """One full crawl of a 160-article replica, shared by the read-only tests below."""
    site = build_site(seed=7, n_articles=160)
    db = tmp_path_factory.mktemp("crawl") / "archive.db"
    with ReplicaServer(site) as server:
        result = run_crawl(db, config_for(server.base_url))
        yield site, server, db, result


def test_full_crawl_reaches_every_article(crawled):
    site, server, db, result = crawled
    assert result.status == "ok"
    expected_ids = {site.article_id(tc, server.base_url) for tc in site.tcs()}
    stored_ids = {row["id"] for row in rows(db, "select id from articles")}
    assert stored_ids == expected_ids
    assert result.stats.failed == 0


def test_listing_pages_past_the_first_are_reached_by_postback(crawled):
    _, _, db, _ = crawled
    posts = rows(db, "select url, status from fetches where method = 'POST'")
    assert posts, "no postback was made"
    assert all(post["status"] == 200 for post in posts)


def test_nothing_is_fetched_twice(crawled):
    site, _, db, _ = crawled
    article_gets = rows(
        db, "select url, count(*) n from fetches where url like '%tc=%' group by url having n > 1"
    )
    assert article_gets == []
    assert scalar(db, "select count(*) from fetches where url like '%tc=%'") == len(site.tcs())
    # one request per listing page at most (the POST bodies differ by page; count them)
    listing_requests = scalar(db, "select count(*) from fetches where url not like '%tc=%'")
    listing_pages = sum(-(-len(site.listing(cn)) // 10) for cn in site.categories)
    assert listing_requests <= listing_pages + 1  # + the home page


def test_every_field_matches_the_replica_ground_truth(crawled):
    site, server, db, _ = crawled
    stored = {row["id"]: row for row in rows(db, "select * from articles")}
    images = {}
    for row in rows(db, "select * from images order by article_id, revision, position"):
        images.setdefault(row["article_id"], []).append(
            {"url": row["url"], "caption": row["caption"], "alt": row["alt"]}
        )
    attachments = {}
    for row in rows(db, "select * from links where kind = 'attachment' order by position"):
        attachments.setdefault(row["article_id"], []).append(row["url"])
    mismatches = []
    for tc in site.tcs():
        truth = site.expected(tc, server.base_url)
        row = stored[truth["id"]]
        got = {
            "title": row["title"],
            "category": row["category"],
            "published": row["published"],
            "published_raw": row["published_raw"],
            "body": row["body"] or "",
            "source": row["source"],
            "captions": json.loads(row["captions"]),
            "images": images.get(truth["id"], []),
            "attachments": attachments.get(truth["id"], []),
        }
        for name, value in got.items():
            if value != truth[name]:
                mismatches.append((tc, name, value, truth[name]))
    assert mismatches == []


def test_no_chrome_and_only_nfc_text_in_the_archive(crawled):
    _, _, db, _ = crawled
    for row in rows(db, "select title, body, source, captions, category from articles"):
        for name, value in row.items():
            if value is None:
                continue
            assert unicodedata.is_normalized("NFC", value), name
            if name != "category":
                assert not any(marker in value for marker in CHROME), (name, value[:80])


def test_raw_pages_are_kept_for_every_article(crawled):
    _, _, db, _ = crawled
    assert scalar(db, "select count(*) from articles where page_sha is null") == 0
    missing = scalar(
        db,
        "select count(*) from articles a left join pages p on p.sha256 = a.page_sha "
        "where p.sha256 is null",
    )
    assert missing == 0


def test_a_second_crawl_of_an_unchanged_site_adds_no_revision(tmp_path):
    site = build_site(seed=3, n_articles=60)
    db = tmp_path / "archive.db"
    with ReplicaServer(site) as server:
        first = run_crawl(db, config_for(server.base_url))
        again = run_crawl(db, config_for(server.base_url))
        full = run_crawl(db, config_for(server.base_url, full=True))
    articles = len(site.tcs())
    assert first.stats.new == articles
    assert (again.stats.new, again.stats.changed) == (0, 0)
    assert (full.stats.new, full.stats.changed) == (0, 0)
    assert full.stats.unchanged == articles  # --full re-fetched every article
    assert scalar(db, "select count(*) from revisions") == articles
    # the incremental rerun costs the home page and the first page of each listing
    rerun_requests = scalar(db, "select count(*) from fetches where run_id = ?", (again.run_id,))
    first_requests = scalar(db, "select count(*) from fetches where run_id = ?", (first.run_id,))
    assert rerun_requests < first_requests / 3
    assert scalar(db, "pragma integrity_check") == "ok"


def test_fetched_pages_waiting_for_the_archive_are_bounded_across_sites(tmp_path, monkeypatch):
    """Three sites, four workers each, one request in flight in all: at most 4 x total
    article pages are held at once, not one per worker."""
    from contextlib import ExitStack
    from dataclasses import replace

    from scraper.crawl import Crawler
    from scraper.fetch import Politeness

    held = {"now": 0, "most": 0}
    original = Crawler._fetch_article

    async def counting(self, site_crawl, task):
        held["now"] += 1
        held["most"] = max(held["most"], held["now"])
        try:
            await original(self, site_crawl, task)
        finally:
            held["now"] -= 1

    monkeypatch.setattr(Crawler, "_fetch_article", counting)
    politeness = Politeness(delay=0.0, per_host=2, total=1, jitter=0.0)
    with ExitStack() as stack:
        servers = [
            stack.enter_context(ReplicaServer(build_site(seed=seed, n_articles=20)))
            for seed in (3, 4, 5)
        ]
        config = config_for(servers[0].base_url, politeness)
        config = replace(config, sites=tuple(server.base_url for server in servers))
        result = run_crawl(tmp_path / "archive.db", config)
    assert result.stats.new == 60
    assert 1 <= held["most"] <= 4
