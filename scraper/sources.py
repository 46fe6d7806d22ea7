"""Sitemaps and feeds as sources of article URLs inside a crawl (issue: generic discovery).

After a site's home page is read, `start_sources` queues the sitemaps robots.txt names
(else `/sitemap.xml`, unless the site runs the TT CMS, which has none) and the feeds the
home page declares (else the common feed paths, when there is no sitemap either). Each
sitemap or feed fetched yields page URLs; every one is an article candidate (a page that
turns out to hold no article is walked as a listing by the crawl loop).

What keeps incremental runs cheap is the sitemap memory (scraper.store.sitemaps): a child
sitemap whose <lastmod> has not moved is not fetched again, and a listed page whose
<lastmod> has not moved is left to the re-check schedule. A page whose <lastmod> moved is
fetched again at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scraper.sites import discovery
from scraper.sites.feeds import common_feed_urls, feed_links, parse_feed
from scraper.urls import canonical, host_of

if TYPE_CHECKING:
    from scraper.fetch import Response
    from scraper.site_crawl import SiteCrawl, Task

SITEMAP, FEED = "sitemap", "feed"
MAX_SITEMAPS = 2000  # child sitemaps per site and run: a guard against endless indexes


def start_sources(site_crawl: SiteCrawl, home: Response) -> None:
    """Queue the site's sitemaps and feeds, once per run, from its home page."""
    if site_crawl.sources_started:
        return
    site_crawl.sources_started = True
    fetcher = site_crawl.crawler.fetcher
    robots = fetcher.robots_for(host_of(home.final_url)) if fetcher else None
    sitemaps = [url for url in (robots.sitemaps if robots else []) if site_crawl.site.owns(url)]
    if not sitemaps and site_crawl.profile.name != "tt":
        sitemaps = discovery.common_sitemap_urls(site_crawl.site.start_url)[:1]
    declared = feed_links(home.text, home.final_url) if home.text is not None else []
    feeds = [url for url in declared if site_crawl.site.owns(url)]
    if not feeds and not sitemaps and site_crawl.profile.name != "tt":
        feeds = common_feed_urls(site_crawl.site.start_url)[:2]
    for url in sitemaps:
        site_crawl.enqueue_source(SITEMAP, url, lastmod=None)
    for url in feeds:
        site_crawl.enqueue_source(FEED, url, lastmod=None)


async def fetch_source(site_crawl: SiteCrawl, task: Task) -> None:
    """Fetch one sitemap or feed and queue what it lists."""
    crawler = site_crawl.crawler
    response, _ = await crawler.fetch(task.url)
    if response is None or response.status != 200:
        return
    crawler.stats.listing_pages += 1
    if task.kind == FEED:
        items = parse_feed(response.final_url, response.content)
        await site_crawl.take_pages([(item.link, None) for item in items], record=False)
        return
    page = discovery.parse_sitemap(response.final_url, response.content)
    entries = [(canonical(e.loc), e.lastmod) for e in page.children + page.urls]
    seen = await crawler.db(site_crawl.archive.sitemap_seen, [url for url, _ in entries])
    changes = discovery.sitemap_changes(page, seen)
    for child in changes.children:
        if site_crawl.sources_queued < MAX_SITEMAPS and site_crawl.site.owns(child.loc):
            site_crawl.enqueue_source(SITEMAP, child.loc, lastmod=child.lastmod)
    changed = [(canonical(e.loc), e.lastmod) for e in changes.urls]
    await site_crawl.take_pages(changed, record=True)
    # The sitemap itself is done: the next run skips it while its <lastmod> stays put.
    await crawler.db(
        site_crawl.archive.sitemap_record,
        [(canonical(task.url), task.lastmod)],
        site=site_crawl.site.name,
        kind=SITEMAP,
    )
