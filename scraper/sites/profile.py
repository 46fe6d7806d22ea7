"""The Profile protocol: the one door through which the crawl loop, the store and the CLI
reach site knowledge.

A profile knows one CMS. It says which pages it claims (by URL, and by markup markers
when the URL is not enough), what an article's identity is, how to read an article page
and a listing page, how to request a listing's next page, and where discovery starts.
Callers hold a `Profile` and never look at a site's classes, labels or URL parameters.

Profiles are chosen by `scraper.sites.profile_for` (by URL) and
`scraper.sites.profile_for_page` (by URL, then markup).
"""

from __future__ import annotations

from datetime import date
from typing import Protocol, runtime_checkable

from scraper.models import Article, Listing, Page, PageRequest


@runtime_checkable
class Profile(Protocol):
    """What every site profile provides (see scraper/sites/tt.py for a complete one)."""

    name: str  # recorded with each revision: "tt", "dnn", "hue", "generic"

    def claims_url(self, url: str) -> bool:
        """Whether URLs of this shape belong to this CMS (an article or listing URL)."""
        ...

    def claims_markup(self, html: str) -> bool:
        """Whether the page's markup carries this CMS's markers."""
        ...

    def article_id(self, url: str) -> str | None:
        """The article's identity for an article URL of this CMS, else None."""
        ...

    def is_listing_url(self, url: str) -> bool:
        """Whether the URL is a listing page worth walking (a category, a news list)."""
        ...

    def extract_article(self, html: str, url: str, *, today: date | None = None) -> Article:
        """The Article of an article page; raises NotAnArticle for any other page."""
        ...

    def parse_page(self, html: str, url: str, *, today: date | None = None) -> Page:
        """Article and listing view of a page from one parse (what the crawler calls)."""
        ...

    def parse_listing(self, html: str, url: str) -> Listing:
        """The articles, other listings and pager of a listing page."""
        ...

    def next_page(self, listing: Listing, page: int) -> PageRequest | None:
        """The request for the page after page number `page` of this listing, or None."""
        ...

    def seeds(self, start_url: str) -> list[str]:
        """The URLs a crawl of the site starting at start_url fetches first."""
        ...

    def day_request(self, listing: Listing, day: date) -> PageRequest | None:
        """The request for the list of one day's articles ("Xem tin theo ngày") made from
        a page of the site, or None when the CMS has no date browse."""
        ...

    def probe_url(self, start_url: str, number: int) -> str | None:
        """The URL of article number `number` for an id sweep, or None when the CMS's ids
        are not numbers that can be probed."""
        ...

    def probe_number(self, article_id: str) -> int | None:
        """The number of an article id for an id sweep (None when it has none)."""
        ...


def next_from_pager(listing: Listing, page: int) -> PageRequest | None:
    """The usual pager rule: the link to page + 1, else the pager's "next" link."""
    following = next((link for link in listing.pager if link.page == page + 1), None)
    if following is None:
        following = next((link for link in listing.pager if link.is_next), None)
    return following.request if following is not None else None


class LinkProfile:
    """What the profiles read by links alone share (DNN, the hue.gov.vn-era CMS, generic):
    articles by the generic extractor made the profile's own (`own`), listings and pagers
    by scraper.sites.linkpages, the start URL as the only seed, and no date browse or id
    sweep. A subclass sets `name` and gives `claims_url`, `claims_markup`, `article_id`
    and `is_listing_url`."""

    name = "generic"

    def article_id(self, url: str) -> str | None:
        raise NotImplementedError

    def own(self, article: Article, url: str, today: date | None) -> Article:
        """The generic reading made this profile's: its name, identity, URL and site."""
        from scraper.sites import id_host
        from scraper.urls import canonical, host_of

        article.profile = self.name
        article.id = self.article_id(url)
        article.url = canonical(url)
        article.site = id_host(host_of(url))
        return article

    def extract_article(self, html: str, url: str, *, today: date | None = None) -> Article:
        from scraper.sites.generic import extract_article as generic_extract

        return self.own(generic_extract(html, url, today=today), url, today)

    def parse_page(self, html: str, url: str, *, today: date | None = None) -> Page:
        from scraper.sites import linkpages

        page = linkpages.parse_page(html, url, self, today=today)  # type: ignore[arg-type]
        if page.article is not None:
            page.article = self.own(page.article, url, today)
        return page

    def parse_listing(self, html: str, url: str) -> Listing:
        from scraper.sites import linkpages

        return linkpages.parse_listing(html, url, self)  # type: ignore[arg-type]

    def next_page(self, listing: Listing, page: int) -> PageRequest | None:
        return next_from_pager(listing, page)

    def seeds(self, start_url: str) -> list[str]:
        from scraper.urls import canonical

        return [canonical(start_url)]

    def day_request(self, listing: Listing, day: date) -> PageRequest | None:
        return None

    def probe_url(self, start_url: str, number: int) -> str | None:
        return None

    def probe_number(self, article_id: str) -> int | None:
        return None
