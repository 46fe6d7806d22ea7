"""Coverage beyond listings (issue: the portal family, item 6): the TT date browse
(`--since/--until`) and the id sweep (`--sweep`)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import httpx
from click.testing import CliRunner

from scraper.cli import main
from scraper.coverage import days_between, sweep_candidates
from scraper.crawl import run_crawl
from scraper.replica import ReplicaServer, build_site
from scraper.sites.tt import day_request, parse_listing
from tests._helpers import config_for, rows

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = date(2026, 11, 20)


def test_days_between_is_inclusive_and_newest_first():
    assert days_between(date(2024, 2, 28), date(2024, 3, 1)) == [
        date(2024, 3, 1),
        date(2024, 2, 29),
        date(2024, 2, 28),
    ]
    assert days_between(date(2024, 3, 2), date(2024, 3, 1)) == []


def drive(known, misses, articles):
    """Run sweep_candidates against a set of numbers that exist; the numbers probed."""
    probed = []
    candidates = sweep_candidates(known, misses)
    try:
        number = next(candidates)
        while True:
            probed.append(number)
            number = candidates.send(number not in articles)
    except StopIteration:
        return probed


def test_sweep_fills_gaps_and_stops_after_a_run_of_misses():
    probed = drive([10, 20], misses=3, articles={12, 21, 22})
    # gap 11..19: 11 (miss), 12 (hit), 13, 14, 15 (three misses: jump to 20); then 21, 22
    # (hits) and 23, 24, 25 (three misses past the highest known: the end)
    assert probed == [11, 12, 13, 14, 15, 21, 22, 23, 24, 25]
    assert drive([], misses=3, articles=set()) == []


def test_date_browse_posts_one_request_per_day_and_finds_that_days_articles(tmp_path):
    site = build_site(seed=4, n_articles=60, today=TODAY)
    days = sorted(
        {date.fromisoformat(site.published(tc)) for tc in site.tcs() if site.published(tc)}
    )
    since, until = days[-3], days[-1]
    db = tmp_path / "archive.db"
    with ReplicaServer(site) as server:
        result = run_crawl(db, config_for(server.base_url, since=since, until=until))
        wanted = {
            site.article_id(tc, server.base_url)
            for day in days_between(since, until)
            for tc in site.on_day(day)
        }
    assert result.status == "ok"
    posts = rows(db, "select url from fetches where method = 'POST'")
    assert len(posts) >= (until - since).days + 1
    stored = {row["id"] for row in rows(db, "select id from articles")}
    assert wanted and wanted <= stored


def test_date_browse_answers_are_the_days_lists(tmp_path):
    """The replica answers a date-browse postback with that day's articles only: the crawl's
    posted fields must name the day, month and year."""
    site = build_site(seed=4, n_articles=40, today=TODAY)
    day = date.fromisoformat(max(site.published(tc) for tc in site.tcs() if site.published(tc)))
    with ReplicaServer(site) as server:
        home = httpx.get(server.base_url).text
        request = day_request(parse_listing(home, server.base_url), day)
        assert request is not None and request.data is not None
        answer = httpx.post(request.url, data=dict(request.data)).text
    on_day = {f"tc={tc}" for tc in site.on_day(day)}
    found = set(re.findall(r"tc=\d+", answer))
    assert on_day and on_day <= found


def tt_site(existing: set[int], listed: set[int]) -> httpx.MockTransport:
    """A TT site in memory: the home page lists `listed`; article pages exist for
    `existing` (the fixture page with its own title); any other tc is a 404."""
    article = (FIXTURES / "article_basic.html").read_text(encoding="utf-8")
    title = "Tập huấn chuyển đổi số cho cán bộ, công chức cấp xã năm 2020"
    links = "".join(
        f'<div class="TMCD2_DongTinLienQuan"><a class="TMCD2_TinLienQuan" '
        f'href="/?gd=1&amp;tc={tc}">Bài {tc}</a></div>'
        for tc in sorted(listed)
    )
    home = f'<html><body><div class="TMCD2_Vien">{links}</div></body></html>'

    def handle(request: httpx.Request) -> httpx.Response:
        tc = request.url.params.get("tc")
        if request.url.path == "/" and tc is None:
            return httpx.Response(200, text=home, headers={"Content-Type": "text/html"})
        if tc and tc.isdigit() and int(tc) in existing:
            page = article.replace(title, f"Bài viết số {tc} của trang")
            return httpx.Response(200, text=page, headers={"Content-Type": "text/html"})
        return httpx.Response(404, text="<html><body>Không tìm thấy</body></html>")

    return httpx.MockTransport(handle)


def test_the_sweep_finds_articles_no_listing_shows(tmp_path):
    db = tmp_path / "archive.db"
    base = "https://stttt.thuathienhue.gov.vn/"
    existing, listed = {100, 101, 104, 107, 109}, {100, 109}
    transport = tt_site(existing, listed)
    first = run_crawl(db, config_for(base), transport=transport)
    assert first.stats.new == 2
    swept = run_crawl(db, config_for(base, sweep=True, sweep_misses=5), transport=transport)
    ids = {row["id"] for row in rows(db, "select id from articles")}
    assert ids == {f"stttt.thuathienhue.gov.vn/{tc}" for tc in existing}
    assert swept.stats.new == 3
    probed = [
        int(m.group(1))
        for row in rows(db, "select url from fetches where run_id = ?", (swept.run_id,))
        if (m := re.search(r"tc=(\d+)", row["url"]))
    ]
    # the gap 101..108 and five misses past 109, nothing further
    assert max(probed) == 114 and 115 not in probed


def test_crawl_takes_since_until_and_sweep_options():
    help_text = CliRunner().invoke(main, ["crawl", "--help"]).output
    for option in ("--since", "--until", "--sweep"):
        assert option in help_text
