"""The crawl loop: discover a site's articles, fetch them, extract, and hand them to the archive.

Per site, 2 x `per_host` workers take tasks from one priority queue (the fetcher caps the
requests in flight at `per_host`; the extra workers keep every slot busy while others
extract and store):

    0  listing pages: the profile's seeds (the home page), each category's first page,
       then its next pages (however the profile says to request them)
    1  article pages (new discoveries; with --full also every known article)
    2  known articles whose re-check is due (incremental runs)

Listing pages go first so that discovery runs ahead of fetching and the queue never runs
dry while a category's pages are walked one after another. A walk stops once
`known_pages` pages in a row hold only articles that a completed run stored, so an
incremental run costs the home page, the first page of each category and the re-checks
that are due. A first crawl walks every listing to its end, except that a page holding
only articles another category's walk already listed in this run (a parent relisting its
children) counts as known too (`_SiteCrawl.listed_elsewhere`).

Every discovered article is written to the `frontier` table before it is queued and
marked done after it is stored, so a killed run leaves its pending work in the archive
and the next run finishes it. Listing walks are not persisted: they are cheap to redo.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import httpx

from scraper import lock
from scraper.dates import utc_now
from scraper.errors import FetchError, HostUnreachable, RobotsDisallowed
from scraper.fetch import FetchConfig, Fetcher, Response
from scraper.models import Listing, PageRequest
from scraper.sites import Site, profile_for, profile_for_page
from scraper.sites.profile import Profile
from scraper.store import Archive
from scraper.urls import canonical

LISTING_PAGE, ARTICLE, RECHECK = 0, 1, 2
GONE_STATUSES = (404, 410)


@dataclass(frozen=True)
class CrawlConfig:
    """What one `scrape crawl` does. Frozen: built once by the CLI or a test."""

    sites: tuple[str, ...]
    full: bool = False
    max_articles: int | None = None
    known_pages: int = 1  # listing pages in a row holding only known articles before a walk stops
    max_listing_pages: int = 5000  # a guard against a pager that never ends
    merge_aliases: bool = True  # thuathienhue.gov.vn and hue.gov.vn hosts are one site
    store_raw: bool = True
    fetch: FetchConfig = field(default_factory=FetchConfig)


@dataclass
class CrawlStats:
    """The counts a run reports and records in `runs`."""

    fetched: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    gone: int = 0
    failed: int = 0
    listing_pages: int = 0
    requests: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "fetched": self.fetched,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "gone": self.gone,
            "failed": self.failed,
        }


@dataclass
class CrawlResult:
    run_id: int
    status: str
    stats: CrawlStats
    seconds: float
    errors: list[tuple[str, str]] = field(default_factory=list)  # (url, what went wrong)


@dataclass
class _ListingWalk:
    """A category listing being walked page by page."""

    url: str
    page: int = 1
    known_streak: int = 0
    seen: set[frozenset[str]] = field(default_factory=set)  # the article sets of its pages


@dataclass(order=True)
class _Task:
    priority: int
    order: int
    kind: str = field(compare=False)  # "article" | "listing"
    url: str = field(compare=False)
    key: str | None = field(compare=False, default=None)  # article id
    walk: _ListingWalk | None = field(compare=False, default=None)
    data: tuple[tuple[str, str], ...] | None = field(compare=False, default=None)  # a POST


Progress = Callable[[str, CrawlStats], None]


class _SiteCrawl:
    """The crawl of one site: its queue, its workers and what they discover."""

    def __init__(self, crawler: Crawler, site: Site):
        self.crawler = crawler
        self.site = site
        self.archive = crawler.archive
        self.profile = profile_for(site.start_url)
        self.queue: asyncio.PriorityQueue[_Task] = asyncio.PriorityQueue()
        self.queued: set[str] = set()  # article ids and listing URLs queued this run
        self.listed: dict[str, str] = {}  # article id -> the listing walk that listed it first
        self.order = itertools.count()

    # Queueing
    def _put(self, priority: int, kind: str, url: str, **extra) -> None:
        self.queue.put_nowait(_Task(priority, next(self.order), kind, url, **extra))

    def fresh_articles(self, urls) -> dict[str, str]:
        """id -> URL of the articles among urls not yet queued in this run (now marked)."""
        fresh: dict[str, str] = {}
        for url in urls:
            key = self.profile.article_id(url)
            if key is not None and key not in self.queued and self.site.owns(url):
                fresh.setdefault(key, url)
        self.queued.update(fresh)
        return fresh

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
            self._put(LISTING_PAGE, "listing", url, walk=_ListingWalk(url))

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

    async def seed(self) -> None:
        pending, known = await self.crawler.db(self._seed_work)
        self.enqueue_known(pending, ARTICLE)
        for seed in self.profile.seeds(self.site.start_url):
            if seed not in self.queued:
                self.queued.add(seed)
                self._put(LISTING_PAGE, "listing", seed, walk=None)
        self.enqueue_known(known, ARTICLE if self.crawler.config.full else RECHECK)

    def _seed_work(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """(archive thread) A killed run's pending articles, and the known articles to
        fetch again: all live ones with --full, else those whose re-check is due."""
        pending = self.archive.frontier_pending(site=self.site.name, kind="article")
        if self.crawler.config.full:
            live = self.archive.iter_articles(self.site.name)
            known = [(a["id"], a["url"]) for a in live if a["status"] == "live"]
        else:
            known = self.archive.due_for_check(self.site.name, utc_now())
        return [(item["key"], item["url"]) for item in pending], known

    async def worker(self) -> None:
        while True:
            task = await self.queue.get()
            try:
                if task.kind == "article":
                    await self.crawler.fetch_article(self, task)
                else:
                    await self.fetch_listing(task)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # one bad page never stops the crawl
                self.crawler.stats.failed += 1
                self.crawler.report_error(task.url, exc)
            finally:
                self.queue.task_done()

    async def fetch_listing(self, task: _Task) -> None:
        crawler = self.crawler
        response, _ = await crawler.fetch(task.url, data=task.data)
        if response is None or response.status != 200 or not response.is_html:
            return
        crawler.stats.listing_pages += 1
        profile = self.page_profile(response.final_url, response.text)
        if task.walk is None:  # a seed: the page tells which CMS the site runs now
            self.profile = profile
        listing = profile.parse_listing(response.text, response.final_url)
        await self.take_listing(profile, listing, task.walk)

    async def take_listing(
        self, profile: Profile, listing: Listing, walk: _ListingWalk | None
    ) -> None:
        """Queue a listing page's new articles, its listings, and the walk's next page."""
        crawler = self.crawler
        # Known means first stored by a run that completed, or listed in this run by another
        # category's walk (see listed_elsewhere).
        ids = {profile.article_id(url) for url in listing.article_urls} - {None}
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

    def listed_elsewhere(self, walk: _ListingWalk, ids: set[str]) -> bool:
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
        walk: _ListingWalk,
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


class Crawler:
    """Runs one crawl over several sites with one fetcher and one archive."""

    def __init__(
        self,
        archive: Archive,
        config: CrawlConfig,
        *,
        progress: Progress | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self.archive = archive
        self.config = config
        self.progress = progress
        self.transport = transport  # replaces the network (tests: httpx.MockTransport)
        self.stats = CrawlStats()
        self.sites = [
            Site.from_url(url, merge_aliases=config.merge_aliases) for url in config.sites
        ]
        self.hosts = frozenset(itertools.chain.from_iterable(site.hosts for site in self.sites))
        self.run_id = 0
        self.fetcher: Fetcher | None = None
        self.articles_started = 0
        self.errors: list[tuple[str, str]] = []  # (url, what went wrong)
        # Every archive call runs on this one thread, one at a time: SQLite and zstd release
        # the GIL, so storing a page overlaps with fetching and parsing the next ones.
        self._archive_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archive")

    async def db(self, fn, /, *args, **kwargs):
        """Run fn(*args, **kwargs) on the archive thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._archive_thread, partial(fn, *args, **kwargs))

    def allowed(self, host: str) -> bool:
        """Whether a redirect may go to host (the fetcher passes host_of(target))."""
        return host.lower() in self.hosts

    def report_error(self, url: str, exc: BaseException) -> None:
        self.errors.append((url, str(exc)))

    def _progress(self, event: str) -> None:
        if self.progress is not None:
            self.progress(event, self.stats)

    async def fetch(
        self,
        url: str,
        data: tuple[tuple[str, str], ...] | None = None,
        *,
        keep_raw_for: str | None = None,
    ) -> tuple[Response | None, str | None]:
        """GET (or POST data) through the fetcher; every outcome is written to `fetches`.
        With keep_raw_for (a site name), a 200 page's bytes go to the archive's page store,
        compressed with that site's dictionary; its sha is returned."""
        assert self.fetcher is not None
        method = "POST" if data is not None else "GET"
        fetched_at = utc_now()
        self.stats.requests += 1
        try:
            if data is None:
                response = await self.fetcher.get(url)
            else:
                response = await self.fetcher.post(url, data)
        except HostUnreachable as exc:
            self.stats.failed += 1
            await self.db(self._record_failure, url, method, fetched_at, exc)
            self.report_error(url, exc)
            return None, None
        except RobotsDisallowed as exc:
            await self.db(self._record_failure, url, method, fetched_at, exc)
            return None, None
        except FetchError as exc:
            self.stats.failed += 1
            await self.db(self._record_failure, url, method, fetched_at, exc)
            self.report_error(url, exc)
            self._progress("failed")
            return None, None
        self.stats.fetched += 1
        keep = keep_raw_for if self.config.store_raw and response.status == 200 else None
        page_sha = await self.db(self._record_response, url, method, fetched_at, response, keep)
        return response, page_sha

    def _record_failure(self, url: str, method: str, fetched_at: str, exc: FetchError) -> None:
        """(archive thread)"""
        error = exc.error if exc.status is not None else str(exc)
        self.archive.record_fetch(
            self.run_id, url, method, exc.status, fetched_at, 0, 0, exc.attempts, error
        )

    def _record_response(
        self, url: str, method: str, fetched_at: str, response: Response, site: str | None
    ) -> str | None:
        """(archive thread) Keep the raw page when site is given; record the fetch."""
        with self.archive.db.atomic():
            page_sha = None
            if site is not None:
                page_sha = self.archive.store_page(
                    response.content, response.content_type, site=site
                )
            self.archive.record_fetch(
                self.run_id,
                url,
                method,
                response.status,
                fetched_at,
                int(response.elapsed * 1000),
                len(response.content),
                response.attempts,
                None,
                page_sha,
            )
            return page_sha

    async def fetch_article(self, site_crawl: _SiteCrawl, task: _Task) -> None:
        config = self.config
        if config.max_articles is not None and self.articles_started >= config.max_articles:
            return
        self.articles_started += 1
        key = task.key
        response, page_sha = await self.fetch(task.url, keep_raw_for=site_crawl.site.name)
        archive = self.archive
        if response is None:
            await self.db(archive.frontier_done, key, state="failed", error="fetch failed")
            return
        if response.status in GONE_STATUSES:
            if await self.db(self._record_gone, key):
                self.stats.gone += 1
            self._progress("gone")
            return
        if response.status != 200 or not response.is_html:
            self.stats.failed += 1
            error = f"HTTP {response.status}"
            await self.db(archive.frontier_done, key, state="failed", error=error)
            self._progress("failed")
            return
        if page_sha is not None and await self.db(self._touch_if_same_bytes, key, page_sha):
            self.stats.unchanged += 1
            self._progress("unchanged")
            return
        profile = site_crawl.page_profile(response.final_url, response.text)
        page = profile.parse_page(response.text, response.final_url)
        if page.article is None and profile.name != "tt" and page.listing.article_urls:
            # A link-judged "article" that is a list of articles (an unknown CMS): walk it.
            await self.db(archive.frontier_done, key, state="not_article")
            await site_crawl.take_listing(profile, page.listing, _ListingWalk(task.url))
            return
        if page.article is None:
            self.stats.failed += 1
            error = "no article on the page"
            await self.db(archive.frontier_done, key, state="failed", error=error)
            self.report_error(task.url, ValueError(error))
            self._progress("failed")
            return
        article = page.article
        alias = None
        if article.id != key:  # reached through a redirect (the site moved): keep our id
            alias, article.id = article.id, key
        discovered = [link.url for link in article.links if link.target_id]
        fresh = site_crawl.fresh_articles(discovered + page.listing.linked_urls)
        result, new = await self.db(
            self._store_article, site_crawl, article, page_sha, fresh, alias
        )
        setattr(self.stats, result.outcome, getattr(self.stats, result.outcome) + 1)
        site_crawl.put_articles(new)
        self._progress(result.outcome)

    def _record_gone(self, key: str) -> bool:
        """(archive thread) A 404/410: one more miss; True when the article just became gone."""
        with self.archive.db.atomic():
            gone = self.archive.record_missing(key, run_id=self.run_id, fetched_at=utc_now())
            self.archive.frontier_done(key)
            return gone

    def _touch_if_same_bytes(self, key: str, page_sha: str) -> bool:
        """(archive thread) Bytes identical to the last fetch: unchanged, nothing to extract."""
        if page_sha != self.archive.last_page_sha(key):
            return False
        with self.archive.db.atomic():
            self.archive.touch_article(key, fetched_at=utc_now(), page_sha=page_sha)
            self.archive.frontier_done(key)
        return True

    def _store_article(
        self, site_crawl, article, page_sha, fresh: dict[str, str], alias: str | None = None
    ):
        """(archive thread) Save the article (and the id its new URL would have, as an
        alias) and queue its new links, in one transaction."""
        with self.archive.db.atomic():
            result = self.archive.save_article(
                article, fetched_at=utc_now(), page_sha=page_sha, run_id=self.run_id
            )
            if alias:
                self.archive.add_alias(alias, article.id, article.url)
            self.archive.frontier_done(article.id)
            return result, site_crawl.add_to_frontier(fresh)

    async def run(self) -> CrawlStats:
        try:
            async with Fetcher(
                self.config.fetch, allowed_hosts=self.allowed, transport=self.transport
            ) as fetcher:
                self.fetcher = fetcher
                await asyncio.gather(*(_SiteCrawl(self, site).run() for site in self.sites))
        finally:
            self._archive_thread.shutdown(wait=True)
        return self.stats


def run_crawl(
    db_path: str | Path,
    config: CrawlConfig,
    *,
    progress: Progress | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> CrawlResult:
    """Lock the archive, run one crawl to the end, record the run. Raises Locked when
    another run holds the archive."""
    import time

    started = time.monotonic()
    with lock.acquire(db_path):
        archive = Archive(db_path, any_thread=True)
        try:
            archive.mark_interrupted_runs()
            run_id = archive.start_run(_options(config))
            crawler = Crawler(archive, config, progress=progress, transport=transport)
            crawler.run_id = run_id
            status = "failed"
            try:
                asyncio.run(crawler.run())
                status = "ok"
            finally:
                archive.finish_run(run_id, status, crawler.stats.counts())
                if status == "ok":
                    archive.frontier_clear_done()
        finally:
            archive.close()
    return CrawlResult(run_id, status, crawler.stats, time.monotonic() - started, crawler.errors)


def _options(config: CrawlConfig) -> dict:
    politeness = config.fetch.politeness
    return {
        "sites": list(config.sites),
        "full": config.full,
        "max_articles": config.max_articles,
        "known_pages": config.known_pages,
        "delay": politeness.delay,
        "per_host": politeness.per_host,
    }
