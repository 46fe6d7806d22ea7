"""One site's part of a crawl: its priority queue, its workers, and what they discover.

`SiteCrawl` owns the queue of one site (listing pages first, then articles, then
re-checks: see scraper.crawl), the listing walks and when they stop, the frontier writes
that make a killed run resumable, and the hand-offs to discovery from sitemaps and feeds
(scraper.sources) and to the opt-in coverage (scraper.coverage). The fetching, recording
and storing of pages is the `Crawler`'s (scraper.crawl), shared by all sites of a run.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scraper import coverage, sources
from scraper.dates import utc_now
from scraper.models import Listing, PageRequest
from scraper.sites import Site, page_id, profile_for, profile_for_page
from scraper.sites.profile import Profile
from scraper.urls import canonical

if TYPE_CHECKING:
    from scraper.crawl import Crawler

LISTING_PAGE, ARTICLE, RECHECK = 0, 1, 2


@dataclass
class ListingWalk:
    """A category listing being walked page by page."""

    url: str
    page: int = 1
    known_streak: int = 0
    seen: set[frozenset[str]] = field(default_factory=set)  # the article sets of its pages


@dataclass(order=True)
class Task:
    priority: int
    order: int
    kind: str = field(compare=False)  # "article" | "listing" | "sitemap" | "feed"
    url: str = field(compare=False)
    key: str | None = field(compare=False, default=None)  # article id
    walk: ListingWalk | None = field(compare=False, default=None)
    data: tuple[tuple[str, str], ...] | None = field(compare=False, default=None)  # a POST
    lastmod: str | None = field(compare=False, default=None)  # a sitemap's, from its index
    seed: bool = field(compare=False, default=False)  # a seed page (the home page)
    status: int | None = field(compare=False, default=None)  # the answer's, once fetched


class SiteCrawl:
    """The crawl of one site: its queue, its workers and what they discover."""

    def __init__(self, crawler: Crawler, site: Site):
        self.crawler = crawler
        self.site = site
        self.archive = crawler.archive
        self.profile = profile_for(site.start_url)
        self.queue: asyncio.PriorityQueue[Task] = asyncio.PriorityQueue()
        self.queued: set[str] = set()  # article ids and listing URLs queued this run
        self.listed: dict[str, str] = {}  # article id -> the listing walk that listed it first
        self.order = itertools.count()
        self.sources_started = False  # sitemaps and feeds (scraper.sources) queued
        self.sources_queued = 0

    # Queueing
    def _put(self, priority: int, kind: str, url: str, **extra) -> None:
        self.queue.put_nowait(Task(priority, next(self.order), kind, url, **extra))

    def fresh_articles(self, urls) -> dict[str, str]:
        """id -> URL of the articles among urls not yet queued in this run (now marked)."""
        fresh: dict[str, str] = {}
        for url in urls:
            key = self.profile.article_id(url)
            if key is not None and key not in self.queued and self.site.owns(url):
                fresh.setdefault(key, url)
        self.queued.update(fresh)
        return fresh

    def enqueue_source(self, kind: str, url: str, *, lastmod: str | None) -> None:
        """Queue a sitemap or feed (scraper.sources) once per run."""
        url = canonical(url)
        if url not in self.queued:
            self.queued.add(url)
            self.sources_queued += 1
            self._put(LISTING_PAGE, kind, url, lastmod=lastmod)

    async def take_pages(self, entries: list[tuple[str, str | None]], *, record: bool) -> None:
        """Queue the pages a sitemap or feed lists ((url, lastmod) pairs): new ones as
        articles, known ones whose lastmod moved as re-checks; with record, remember each
        lastmod (scraper.store.sitemaps) in the same transaction as the frontier."""
        owned = [(url, lastmod) for url, lastmod in entries if self.site.owns(url)]
        keyed = {url: self.page_key(url) for url, _ in owned}
        fresh: dict[str, str] = {}
        for url, key in keyed.items():
            if key not in self.queued:
                fresh.setdefault(key, url)
        self.queued.update(fresh)
        new = await self.crawler.db(self._take_pages_work, fresh, owned if record else [])
        self.put_articles(new)
        self.enqueue_known([(k, u) for k, u in fresh.items() if k not in new], RECHECK)

    def _take_pages_work(self, fresh: dict[str, str], entries: list[tuple[str, str | None]]):
        """(archive thread)"""
        with self.archive.db.atomic():
            new = self.add_to_frontier(fresh)
            if entries:
                self.archive.sitemap_record(entries, site=self.site.name, kind="page")
            return new

    def page_key(self, url: str) -> str:
        """The id a listed page is stored under: its article id, else the page's own."""
        return self.profile.article_id(url) or page_id(url)

    def add_to_frontier(self, fresh: dict[str, str]) -> dict[str, str]:
        """(archive thread) The articles of fresh the archive does not hold, written to the
        frontier so a killed run can resume them; with --full, all of them."""
        if not fresh:
            return {}
        aliased = self.archive.alias_targets(fresh)
        if aliased:  # a new URL of an article we hold under its old id
            fresh = {aliased.get(key, key): url for key, url in fresh.items()}
            self.queued.update(fresh)
        known = self.archive.known_ids(fresh) if not self.crawler.config.full else set()
        new = {key: url for key, url in fresh.items() if key not in known}
        if new:
            self.archive.frontier_add(
                ((key, url, "article", self.site.name) for key, url in new.items()),
                self.crawler.run_id,
            )
        return new

    def put_articles(self, new: dict[str, str], priority: int = ARTICLE) -> None:
        for key, url in new.items():
            self._put(priority, "article", url, key=key)

    def enqueue_known(self, items: list[tuple[str, str]], priority: int) -> None:
        for key, url in items:
            if key not in self.queued:
                self.queued.add(key)
                self._put(priority, "article", url, key=key)

    def enqueue_listing(self, url: str) -> None:
        url = canonical(url)
        if url not in self.queued and self.site.owns(url):
            self.queued.add(url)
            self._put(LISTING_PAGE, "listing", url, walk=ListingWalk(url))

    def page_profile(self, url: str, html: str) -> Profile:
        """The profile that reads a page: the site's own when it is a known CMS that claims
        the URL or the markup, else whichever profile the page itself points to."""
        own = self.profile
        if own.name != "generic" and (own.claims_url(url) or own.claims_markup(html)):
            return own
        return profile_for_page(url, html)

    # Running
    async def run(self) -> None:
        await self.seed()
        # Twice as many workers as requests allowed in flight: while one worker extracts and
        # stores a page, another's request already holds the slot. The fetcher's per-host
        # semaphore, not the worker count, is what caps requests in flight.
        in_flight = max(1, self.crawler.config.fetch.politeness.per_host)
        workers = [asyncio.create_task(self.worker()) for _ in range(2 * in_flight)]
        await self.queue.join()
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        if self.crawler.config.sweep:
            await coverage.sweep(self)

    def enqueue_request(self, request: PageRequest) -> None:
        """Queue a listing page reached by a request of its own (a date-browse postback)."""
        self._put(LISTING_PAGE, "listing", request.url, walk=None, data=request.data)

    def known_numbers(self) -> list[int]:
        """(archive thread) The article numbers of the site's known articles (id sweep)."""
        numbers = (
            self.profile.probe_number(row["id"])
            for row in self.archive.iter_articles(self.site.name)
        )
        return sorted(n for n in numbers if n is not None)

    async def seed(self) -> None:
        pending, known = await self.crawler.db(self._seed_work)
        self.enqueue_known(pending, ARTICLE)
        for seed in self.profile.seeds(self.site.start_url):
            if seed not in self.queued:
                self.queued.add(seed)
                self._put(LISTING_PAGE, "listing", seed, walk=None, seed=True)
        self.enqueue_known(known, ARTICLE if self.crawler.config.full else RECHECK)

    def _seed_work(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """(archive thread) A killed run's pending articles, and the known articles to
        fetch again: all live ones with --full, else those whose re-check is due."""
        pending = self.archive.frontier_pending(site=self.site.name, kind="article")
        if self.crawler.config.full:
            live = self.archive.iter_articles(self.site.name)
            known = [(a["id"], a["url"]) for a in live if a["status"] == "live"]
            # in the frontier too, so that a run stopped half-way leaves the rest to the next
            rows = ((key, url, "article", self.site.name) for key, url in known)
            self.archive.frontier_add(rows, self.crawler.run_id)
        else:
            known = self.archive.due_for_check(self.site.name, utc_now())
        return [(item["key"], item["url"]) for item in pending], known

    async def worker(self) -> None:
        while True:
            task = await self.queue.get()
            try:
                if task.kind == "article":
                    await self.crawler.fetch_article(self, task)
                elif task.kind in (sources.SITEMAP, sources.FEED):
                    await sources.fetch_source(self, task)
                else:
                    await self.fetch_listing(task)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # one bad page never stops the crawl
                self.crawler.stats.failed += 1
                self.crawler.report_error(task.url, exc)
                if task.kind == "article":  # its extraction failed: no field was read
                    self.crawler.health.of(self.site.name).no_article(self.profile.name)
            finally:
                self.queue.task_done()

    async def fetch_listing(self, task: Task) -> None:
        crawler = self.crawler
        response, _ = await crawler.fetch(task.url, data=task.data)
        if response is None or response.status != 200 or response.text is None:
            return  # text is the decoded HTML: None when the answer is no HTML page
        crawler.stats.listing_pages += 1
        profile = self.page_profile(response.final_url, response.text)
        crawler.health.of(self.site.name).listing(profile.name, seed=task.seed)
        if task.seed:  # the page tells which CMS the site runs now
            self.profile = profile
            sources.start_sources(self, response)
        listing = profile.parse_listing(response.text, response.final_url)
        if task.seed:
            coverage.queue_days(self, listing)
        await self.take_listing(profile, listing, task.walk)

    async def take_listing(
        self, profile: Profile, listing: Listing, walk: ListingWalk | None
    ) -> None:
        """Queue a listing page's new articles, its listings, and the walk's next page."""
        crawler = self.crawler
        # Known means first stored by a run that completed, or listed in this run by another
        # category's walk (see listed_elsewhere).
        ids = {aid for url in listing.article_urls if (aid := profile.article_id(url)) is not None}
        covered = walk is not None and self.listed_elsewhere(walk, ids)
        fresh = self.fresh_articles(listing.article_urls + listing.linked_urls)
        settled, new = await crawler.db(self._listing_work, ids, fresh)
        all_known = bool(ids) and (covered or ids <= settled)
        self.put_articles(new)
        for page_url in listing.page_urls:
            if profile.is_listing_url(page_url):
                self.enqueue_listing(page_url)
        if walk is not None:
            self.continue_walk(profile, walk, listing, frozenset(ids), all_known)

    def listed_elsewhere(self, walk: ListingWalk, ids: set[str]) -> bool:
        """Whether every article of this page of the walk was already listed in this run by
        another listing walk (the page's articles are then recorded as listed by this one).
        A parent category relists its children's articles: once a page of it holds only
        articles its children's walks have listed, it counts as known ground. One article
        no other walk has listed (filed directly under the parent) keeps the walk going."""
        listed = self.listed
        covered = bool(ids) and all(listed.get(key, walk.url) != walk.url for key in ids)
        for key in ids:
            listed.setdefault(key, walk.url)
        return covered

    def _listing_work(self, ids: set[str], fresh: dict[str, str]):
        """(archive thread) Which of a listing page's articles are settled, and its new ones."""
        with self.archive.db.atomic():
            return self.archive.settled_ids(ids), self.add_to_frontier(fresh)

    def continue_walk(
        self,
        profile: Profile,
        walk: ListingWalk,
        listing: Listing,
        page_ids: frozenset[str],
        all_known: bool,
    ) -> None:
        """Queue the listing's next page unless the walk has reached known ground or the end."""
        config = self.crawler.config
        if not listing.article_urls or not listing.pager:
            return
        walk.known_streak = walk.known_streak + 1 if all_known else 0
        if walk.known_streak >= config.known_pages or walk.page >= config.max_listing_pages:
            return
        if page_ids in walk.seen:  # the server answered an earlier page again: the end
            return
        walk.seen.add(page_ids)
        following: PageRequest | None = profile.next_page(listing, walk.page)
        if following is None:
            return
        walk.page += 1
        self._put(LISTING_PAGE, "listing", following.url, walk=walk, data=following.data)
