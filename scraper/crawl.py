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
children) counts as known too (`SiteCrawl.listed_elsewhere` in scraper.site_crawl).

Every discovered article is written to the `frontier` table before it is queued and
marked done after it is stored, so a killed run leaves its pending work in the archive
and the next run finishes it. Listing walks are not persisted: they are cheap to redo.

Every fetch outcome and every extracted article is also told to `Crawler.health`
(scraper.health.RunHealth, one-line hooks), which judges each site against its own past
runs when the run completes; the alarms go to `runs.alarms` and `CrawlResult.alarms`.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path

import httpx

from scraper import lock
from scraper.dates import utc_now
from scraper.errors import FetchError, HostUnreachable, RobotsDisallowed
from scraper.fetch import FetchConfig, Fetcher, Response
from scraper.health import Alarm, RunHealth
from scraper.site_crawl import ListingWalk, SiteCrawl, Task
from scraper.sites import Site, profile_for
from scraper.store import Archive

GONE_STATUSES = (404, 410)


@dataclass(frozen=True)
class CrawlConfig:
    """What one `scrape crawl` does. Frozen: built once by the CLI or a test."""

    sites: tuple[str | Site, ...]  # start URLs, or Sites (a site list entry's hosts)
    full: bool = False
    max_articles: int | None = None
    known_pages: int = 1  # listing pages in a row holding only known articles before a walk stops
    max_listing_pages: int = 5000  # a guard against a pager that never ends
    merge_aliases: bool = True  # thuathienhue.gov.vn and hue.gov.vn hosts are one site
    store_raw: bool = True
    fetch: FetchConfig = field(default_factory=FetchConfig)
    since: date | None = None  # date browse from this day (scraper.coverage)
    until: date | None = None  # ... to this day (default: today in Vietnam)
    sweep: bool = False  # probe unseen article numbers (scraper.coverage)
    sweep_misses: int = 100  # misses in a row that end a gap of the sweep


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
    alarms: list[Alarm] = field(default_factory=list)  # scraper.health: the run's alarms
    health: list[dict] = field(default_factory=list)  # the run's `run_sites` rows


Progress = Callable[[str, CrawlStats], None]


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
            site
            if isinstance(site, Site)
            else Site.from_url(site, merge_aliases=config.merge_aliases)
            for site in config.sites
        ]
        self.hosts = frozenset(itertools.chain.from_iterable(site.hosts for site in self.sites))
        self.run_id = 0
        self.fetcher: Fetcher | None = None
        self.articles_started = 0
        self.errors: list[tuple[str, str]] = []  # (url, what went wrong)
        self.health = RunHealth(self.sites)  # what each site gave (scraper.health)
        # Every archive call runs on this one thread, one at a time: SQLite and zstd release
        # the GIL, so storing a page overlaps with fetching and parsing the next ones.
        self._archive_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archive")
        # Article pages fetched and not yet stored, across all sites: with many sites (four
        # workers each) the archive thread is the slowest stage, and without this bound every
        # worker would hold a fetched page while it waits (~800 pages for 200 sites).
        self.pages_in_hand = asyncio.Semaphore(4 * config.fetch.politeness.total)

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
            self.health.fetched(url, exc)
            await self.db(self._record_failure, url, method, fetched_at, exc)
            self.report_error(url, exc)
            return None, None
        except RobotsDisallowed as exc:
            await self.db(self._record_failure, url, method, fetched_at, exc)
            return None, None
        except FetchError as exc:
            self.stats.failed += 1
            self.health.fetched(url, exc)
            await self.db(self._record_failure, url, method, fetched_at, exc)
            self.report_error(url, exc)
            self._progress("failed")
            return None, None
        self.stats.fetched += 1
        self.health.fetched(url)
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

    async def fetch_article(self, site_crawl: SiteCrawl, task: Task) -> None:
        """Fetch, extract and store one article page (at most `pages_in_hand` at once)."""
        async with self.pages_in_hand:
            await self._fetch_article(site_crawl, task)

    async def _fetch_article(self, site_crawl: SiteCrawl, task: Task) -> None:
        config = self.config
        if config.max_articles is not None and self.articles_started >= config.max_articles:
            return
        self.articles_started += 1
        key = task.key
        response, page_sha = await self.fetch(task.url, keep_raw_for=site_crawl.site.name)
        task.status = response.status if response is not None else None
        archive = self.archive
        if response is None:
            await self.db(archive.frontier_done, key, state="failed", error="fetch failed")
            return
        if response.status in GONE_STATUSES:
            if await self.db(self._record_gone, key):
                self.stats.gone += 1
            self._progress("gone")
            return
        if response.status != 200 or response.text is None:  # text None: no HTML page
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
        judged_by_shape = profile_for(response.final_url).name == "generic"
        if page.article is None and judged_by_shape and page.listing.article_urls:
            # A URL judged an article by its shape alone that is a list of articles: walk it.
            # (A URL a CMS's rules name an article's stays a failure: it is counted.)
            await self.db(archive.frontier_done, key)
            await site_crawl.take_listing(profile, page.listing, ListingWalk(task.url))
            return
        if page.article is None:
            self.stats.failed += 1
            self.health.of(site_crawl.site.name).no_article(profile.name)
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
        self.health.of(site_crawl.site.name).article(article, result.outcome)
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
        key = article.id  # save_article may find it is a moved article, under another id
        with self.archive.db.atomic():
            result = self.archive.save_article(
                article, fetched_at=utc_now(), page_sha=page_sha, run_id=self.run_id
            )
            if alias:
                self.archive.add_alias(alias, article.id, article.url)
            self.archive.frontier_done(key)
            return result, site_crawl.add_to_frontier(fresh)

    async def run(self) -> CrawlStats:
        try:
            async with Fetcher(
                self.config.fetch, allowed_hosts=self.allowed, transport=self.transport
            ) as fetcher:
                self.fetcher = fetcher
                await asyncio.gather(*(SiteCrawl(self, site).run() for site in self.sites))
        finally:
            # Interrupted: the archive job running finishes its transaction; the queued ones
            # are dropped (their articles stay in the frontier for the next run), so Ctrl-C
            # with many sites in flight stops at once instead of storing the backlog first.
            self._archive_thread.shutdown(wait=True, cancel_futures=True)
        return self.stats


def run_crawl(
    db_path: str | Path,
    config: CrawlConfig,
    *,
    progress: Progress | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> CrawlResult:
    """Lock the archive, run one crawl to the end, record the run ('ok', 'failed', or
    'interrupted' when a KeyboardInterrupt stops it: its pending work stays in the frontier
    for the next run). Raises Locked when another run holds the archive."""
    import time

    started = time.monotonic()
    with lock.acquire(db_path):
        archive = Archive(db_path, any_thread=True)
        try:
            archive.mark_interrupted_runs()
            run_id = archive.start_run(_options(config))
            crawler = Crawler(archive, config, progress=progress, transport=transport)
            crawler.run_id = run_id
            status, alarms = "failed", None
            try:
                asyncio.run(crawler.run())
                alarms = crawler.health.judge(archive, run_id)  # a completed run only
                status = "ok"
            except KeyboardInterrupt:  # Ctrl-C, or SIGTERM turned into one by the CLI
                status = "interrupted"
                raise
            finally:
                judged = None if alarms is None else [alarm.to_dict() for alarm in alarms]
                archive.finish_run(run_id, status, crawler.stats.counts(), alarms=judged)
                if status == "ok":
                    archive.frontier_clear_done()
            health = archive.run_site_rows(run_id)
        finally:
            archive.close()
    seconds = time.monotonic() - started
    return CrawlResult(run_id, status, crawler.stats, seconds, crawler.errors, alarms or [], health)


def _options(config: CrawlConfig) -> dict:
    politeness = config.fetch.politeness
    return {
        "sites": [site if isinstance(site, str) else site.start_url for site in config.sites],
        "full": config.full,
        "max_articles": config.max_articles,
        "known_pages": config.known_pages,
        "delay": politeness.delay,
        "per_host": politeness.per_host,
        "since": config.since.isoformat() if config.since else None,
        "until": config.until.isoformat() if config.until else None,
        "sweep": config.sweep,
    }
