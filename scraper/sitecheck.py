"""`scrape sites --check`: probe each site of the list once, politely, and say what it is.

For each site: robots.txt (read, missing, or the host unreachable and why), the home page
(status, where it redirects), the profile its page is read with, and the sitemap and feed
discovery would use. All requests go through the one fetcher (scraper.fetch), so robots.txt,
the per-host delay and the environment's proxies (HTTP_PROXY, HTTPS_PROXY, NO_PROXY) apply.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass

from scraper.errors import FetchError
from scraper.fetch import FetchConfig, Fetcher
from scraper.sites import Site, discovery, profile_for_page
from scraper.sites.feeds import common_feed_urls, feed_links
from scraper.urls import host_of


@dataclass
class SiteCheck:
    """What one probe of a site found."""

    site: str
    url: str
    robots: str = "-"  # 'ok', 'none' (no robots.txt: all allowed) or why it failed
    home: str = "-"  # 'HTTP 200', 'HTTP 200 via <url>', or the error
    profile: str | None = None
    sitemap: str | None = None
    feed: str | None = None
    ok: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


async def _first_ok(fetcher: Fetcher, urls: list[str], sitemap: bool) -> str | None:
    for url in urls:
        try:
            response = await fetcher.get(url)
        except FetchError:
            continue
        if response.status != 200:
            continue
        if sitemap and discovery.parse_sitemap(response.final_url, response.content).kind:
            return response.final_url
        if not sitemap and discovery.parse_feed(response.final_url, response.content):
            return response.final_url
    return None


async def check_site(fetcher: Fetcher, site: Site) -> SiteCheck:
    result = SiteCheck(site=site.name, url=site.start_url)
    try:
        home = await fetcher.get(site.start_url)
    except FetchError as exc:
        result.home = str(exc)
        robots = fetcher.robots_for(host_of(site.start_url))
        if robots is not None and robots.reason:
            result.robots = robots.reason
        return result
    moved = f" via {home.final_url}" if home.final_url != site.start_url else ""
    result.home = f"HTTP {home.status}{moved}"
    robots = fetcher.robots_for(host_of(home.final_url)) or fetcher.robots_for(
        host_of(site.start_url)
    )
    result.robots = "ok" if robots is not None and robots.reason is None else "none"
    if home.status != 200 or home.text is None:  # text None: no HTML page
        return result
    result.profile = profile_for_page(home.final_url, home.text).name
    sitemaps = robots.sitemaps if robots is not None else []
    result.sitemap = (
        sitemaps[0]
        if sitemaps
        else await _first_ok(
            fetcher, discovery.common_sitemap_urls(home.final_url)[:1], sitemap=True
        )
    )
    declared = feed_links(home.text, home.final_url)
    result.feed = (
        declared[0]
        if declared
        else await _first_ok(fetcher, common_feed_urls(home.final_url)[:2], sitemap=False)
    )
    result.ok = True
    return result


async def _check_all(sites: list[Site], config: FetchConfig) -> list[SiteCheck]:
    hosts = frozenset(host for site in sites for host in site.hosts)
    async with Fetcher(config, allowed_hosts=lambda host: host.lower() in hosts) as fetcher:
        return list(await asyncio.gather(*(check_site(fetcher, site) for site in sites)))


def check_sites(sites: list[Site], config: FetchConfig | None = None) -> list[SiteCheck]:
    """Probe every site once, concurrently across sites, politely within each."""
    return asyncio.run(_check_all(sites, config or FetchConfig()))


def format_table(checks: list[SiteCheck]) -> list[str]:
    """The checks as aligned text lines, a header first."""
    head = ("site", "robots.txt", "home page", "profile", "sitemap", "feed")
    rows = [
        (c.url, c.robots, c.home, c.profile or "-", c.sitemap or "-", c.feed or "-") for c in checks
    ]
    widths = [max(len(str(row[i])) for row in [head, *rows]) for i in range(len(head))]
    return [
        "  ".join(
            str(value).ljust(width) for value, width in zip(row, widths, strict=True)
        ).rstrip()
        for row in [head, *rows]
    ]
