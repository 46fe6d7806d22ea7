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


def next_from_pager(listing: Listing, page: int) -> PageRequest | None:
    """The usual pager rule: the link to page + 1, else the pager's "next" link."""
    following = next((link for link in listing.pager if link.page == page + 1), None)
    if following is None:
        following = next((link for link in listing.pager if link.is_next), None)
    return following.request if following is not None else None
