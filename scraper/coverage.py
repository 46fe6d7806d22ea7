"""Coverage beyond listings, opt-in and polite (for CMSs that offer it: the TT CMS today).

- Date browse (`scrape crawl --since D --until D`): after a site's home page is read, one
  request per day of the range through the profile's `day_request` ("Xem tin theo ngày"
  on the TT CMS: a postback of the day/month/year selects), newest day first; each answer
  is a listing of that day's articles.
- Id sweep (`scrape crawl --sweep`): after the crawl's queue is done, the article numbers
  between the site's known ones that no listing showed are probed one at a time through
  the profile's `probe_url`, in ascending order. A run of `sweep_misses` answers that hold
  no article (404 / 410) ends a gap and moves on to the next known number; past the
  highest known number it ends the sweep.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scraper.models import Listing
    from scraper.site_crawl import SiteCrawl


def days_between(since: date, until: date) -> list[date]:
    """Every day from until back to since (newest first: recent news matters most)."""
    count = (until - since).days + 1
    return [until - timedelta(days=n) for n in range(max(count, 0))]


def queue_days(site_crawl: SiteCrawl, listing: Listing) -> int:
    """Queue the date-browse request of every day of the crawl's range; how many."""
    config = site_crawl.crawler.config
    if config.since is None:
        return 0
    from scraper.dates import today_in_vietnam

    queued = 0
    for day in days_between(config.since, config.until or today_in_vietnam()):
        request = site_crawl.profile.day_request(listing, day)
        if request is None:
            break  # no date browse on this CMS (or this page), or a year it does not offer
        site_crawl.enqueue_request(request)
        queued += 1
    return queued


def sweep_candidates(known: list[int], misses: int):
    """A generator of the numbers to probe, told after each probe whether it missed
    (`send(True)`): the gaps between known numbers, then beyond the highest."""
    if not known:
        return
    known_set = set(known)
    ordered = sorted(known_set)
    highest = ordered[-1]
    number, streak = ordered[0], 0
    while True:
        number += 1
        if number in known_set:
            streak = 0
            continue
        if streak >= misses:
            if number > highest:
                return
            number = min(n for n in ordered if n > number) - 1  # the next known island
            streak = 0
            continue
        missed = yield number
        streak = streak + 1 if missed else 0


async def sweep(site_crawl: SiteCrawl) -> int:
    """Probe the unseen article numbers of the site (see the module docstring); the number
    of probes made."""
    from scraper.crawl import GONE_STATUSES
    from scraper.site_crawl import ARTICLE, Task

    crawler, profile = site_crawl.crawler, site_crawl.profile
    if profile.probe_url(site_crawl.site.start_url, 1) is None:
        return 0
    known = await crawler.db(site_crawl.known_numbers)
    candidates = sweep_candidates(known, crawler.config.sweep_misses)
    probes = 0
    try:
        number = next(candidates)
        while True:
            url = profile.probe_url(site_crawl.site.start_url, number)
            key = profile.article_id(url) if url else None
            missed = True
            if url and key and key not in site_crawl.queued:
                site_crawl.queued.add(key)
                task = Task(ARTICLE, next(site_crawl.order), "article", url, key=key)
                await crawler.fetch_article(site_crawl, task)
                probes += 1
                missed = task.status in GONE_STATUSES
            number = candidates.send(missed)
    except StopIteration:
        pass
    return probes
