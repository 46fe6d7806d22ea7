"""scraper.fetch.Fetcher through its `transport=` seam (httpx.MockTransport, no sockets):
robots.txt, answers that are not retried, redirects inside and outside the site."""

from __future__ import annotations

import asyncio
import gzip

import pytest

from scraper.errors import OffSite, RobotsDisallowed, TooLarge
from scraper.fetch import FetchConfig, Fetcher, Politeness
from scraper.urls import host_of

SITE = "https://sdl.example.vn"
PAGE = "<html><body><p>Đoàn công tác thăm làng nghề nón lá ở Huế.</p></body></html>"
HTML = "text/html; charset=utf-8"
CONFIG = FetchConfig(
    politeness=Politeness(delay=0.0, jitter=0.0), attempts=3, backoff_base=0.0, backoff_cap=0.0
)


def fetch_all(transport, urls, allowed=None, config=CONFIG):
    """Fetch urls in order with one Fetcher; each result is a Response or the exception."""

    async def main():
        results = []
        async with Fetcher(config, transport=transport, allowed_hosts=allowed) as fetcher:
            for url in urls:
                try:
                    results.append(await fetcher.get(url))
                except Exception as exc:  # the tests look at what was raised
                    results.append(exc)
            return results, fetcher.stats

    return asyncio.run(main())


def test_robots_txt_is_fetched_once_and_obeyed(mock_site):
    mock_site.add(f"{SITE}/robots.txt", "User-agent: *\nDisallow: /private\n")
    mock_site.add(f"{SITE}/tin/1", PAGE, content_type=HTML)
    results, stats = fetch_all(
        mock_site.transport, [f"{SITE}/tin/1", f"{SITE}/private/a", f"{SITE}/tin/1"]
    )
    ok, refused, again = results
    assert ok.status == 200 and ok.text == PAGE
    assert isinstance(refused, RobotsDisallowed)
    assert again.status == 200
    # robots.txt first and once; the disallowed URL is never requested
    assert mock_site.urls == [f"{SITE}/robots.txt", f"{SITE}/tin/1", f"{SITE}/tin/1"]
    assert stats.robots == 1 and stats.requests == 3


def test_missing_robots_txt_allows_everything(mock_site):
    mock_site.add(f"{SITE}/private/a", PAGE, content_type=HTML)  # robots.txt: default 404
    [resp], _ = fetch_all(mock_site.transport, [f"{SITE}/private/a"])
    assert resp.status == 200
    assert mock_site.urls == [f"{SITE}/robots.txt", f"{SITE}/private/a"]


def test_404_is_an_answer_not_retried(mock_site):
    mock_site.add(f"{SITE}/robots.txt", "User-agent: *\nAllow: /\n")
    mock_site.add(
        f"{SITE}/gone", "<html><body>Không tìm thấy</body></html>", 404, content_type=HTML
    )
    [resp], stats = fetch_all(mock_site.transport, [f"{SITE}/gone"])
    assert resp.status == 404 and resp.attempts == 1
    assert "Không tìm thấy" in resp.text
    assert mock_site.urls.count(f"{SITE}/gone") == 1 and stats.retries == 0


def test_503_is_retried_through_the_transport(mock_site):
    mock_site.add(f"{SITE}/robots.txt", "")
    mock_site.add(f"{SITE}/busy", "", 503)
    [failed], stats = fetch_all(mock_site.transport, [f"{SITE}/busy"])
    assert mock_site.urls.count(f"{SITE}/busy") == CONFIG.attempts
    assert failed.status == 503 and failed.attempts == CONFIG.attempts
    assert stats.retries == CONFIG.attempts - 1


def test_redirect_inside_the_site_is_followed(mock_site):
    mock_site.add(f"{SITE}/robots.txt", "User-agent: *\nDisallow: /private\n")
    mock_site.add(f"{SITE}/cu", "", 301, location="/tin/2?x=1")
    mock_site.add(f"{SITE}/tin/2?x=1", PAGE, content_type=HTML)
    [resp], stats = fetch_all(
        mock_site.transport, [f"{SITE}/cu"], allowed=lambda host: host == host_of(SITE)
    )
    assert resp.url == f"{SITE}/cu" and resp.final_url == f"{SITE}/tin/2?x=1"
    assert resp.status == 200 and resp.text == PAGE
    assert stats.redirects == 1
    assert mock_site.urls == [f"{SITE}/robots.txt", f"{SITE}/cu", f"{SITE}/tin/2?x=1"]


def test_redirect_into_a_disallowed_path_is_refused(mock_site):
    mock_site.add(f"{SITE}/robots.txt", "User-agent: *\nDisallow: /private\n")
    mock_site.add(f"{SITE}/cu", "", 302, location=f"{SITE}/private/b")
    [refused], _ = fetch_all(mock_site.transport, [f"{SITE}/cu"])
    assert isinstance(refused, RobotsDisallowed)
    assert f"{SITE}/private/b" not in mock_site.urls


def test_redirect_off_site_is_not_requested(mock_site):
    mock_site.add(f"{SITE}/robots.txt", "")
    mock_site.add(f"{SITE}/ra", "", 302, location="https://other.example.com/x")
    [refused], _ = fetch_all(
        mock_site.transport, [f"{SITE}/ra"], allowed=lambda host: host == host_of(SITE)
    )
    assert isinstance(refused, OffSite)
    assert not any("other.example.com" in url for url in mock_site.urls)


def test_headers_and_gzip_through_the_transport(mock_site):
    mock_site.add(f"{SITE}/robots.txt", "")
    mock_site.add(
        f"{SITE}/nen",
        gzip.compress(PAGE.encode("utf-8")),
        content_type=HTML,
        content_encoding="gzip",
    )
    [resp], _ = fetch_all(mock_site.transport, [f"{SITE}/nen"])
    assert resp.text == PAGE
    sent = mock_site.log[-1]
    assert sent.headers["user-agent"] == CONFIG.user_agent
    assert "gzip" in sent.headers["accept-encoding"]


def test_body_over_the_cap_is_refused(mock_site):
    mock_site.add(f"{SITE}/robots.txt", "")
    mock_site.add(f"{SITE}/to", "x" * 5000, content_type=HTML)
    small = FetchConfig(politeness=CONFIG.politeness, max_bytes=1000)
    [refused], _ = fetch_all(mock_site.transport, [f"{SITE}/to"], config=small)
    assert isinstance(refused, TooLarge)


@pytest.mark.parametrize("obey", [True, False])
def test_obey_robots_false_skips_robots_txt(mock_site, obey):
    mock_site.add(f"{SITE}/robots.txt", "User-agent: *\nDisallow: /\n")
    mock_site.add(f"{SITE}/a", PAGE, content_type=HTML)
    config = FetchConfig(politeness=Politeness(delay=0.0, jitter=0.0, obey_robots=obey))
    [result], _ = fetch_all(mock_site.transport, [f"{SITE}/a"], config=config)
    if obey:
        assert isinstance(result, RobotsDisallowed)
        assert mock_site.urls == [f"{SITE}/robots.txt"]
    else:
        assert result.status == 200
        assert mock_site.urls == [f"{SITE}/a"]
