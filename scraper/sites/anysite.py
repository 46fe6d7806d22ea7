"""The generic profile: any news site whose CMS no other profile knows.

Articles are read by the generic extractor (scraper.sites.generic); listings by the
generic link rules (scraper.sites.links). Which links are articles is judged from the URL
alone (a slug of several words, a long number, a date in the path), and pages the
extractor finds no article on are walked as listings. Identity is the id host plus the
path, plus the sorted query when the page is addressed by one.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import unquote, urlsplit

from scraper.models import Article, Listing, Page, PageRequest
from scraper.sites import id_host, links, page_id
from scraper.sites import linkpages as link_rules
from scraper.sites.profile import next_from_pager
from scraper.urls import canonical, host_of

SLUG = re.compile(r"[^\W_]+(?:[-_][^\W_]+){3,}", re.UNICODE)  # four words or more
LONG_NUMBER = re.compile(r"(?:^|[^\d])\d{4,}(?:[^\d]|$)")
DATED_PATH = re.compile(r"/(?:19|20)\d\d/(?:0?[1-9]|1[0-2])/")


def looks_like_article(url: str) -> bool:
    parts = urlsplit(url)
    path = unquote(parts.path).rstrip("/")
    if links.page_number(url) is not None:  # a page of a listing
        return False
    if not link_rules.looks_like_listing(url):  # files and action pages are neither
        return False
    last = path.rsplit("/", 1)[-1]
    return bool(
        SLUG.search(last)
        or DATED_PATH.search(path + "/")
        or LONG_NUMBER.search(last)
        or LONG_NUMBER.search(parts.query)
    )


def article_id(url: str) -> str | None:
    return page_id(url) if looks_like_article(url) else None


class GenericProfile:
    """Any site, as a `scraper.sites.profile.Profile`."""

    name = "generic"

    def claims_url(self, url: str) -> bool:
        return True

    def claims_markup(self, html: str) -> bool:
        return True

    def article_id(self, url: str) -> str | None:
        # A link to a page another profile claims (a DNN newsid, a hue.gov.vn article) is
        # identified by that profile's rules; the rest by the URL's shape.
        from scraper.sites import profile_for

        owner = profile_for(url)
        return article_id(url) if owner is self else owner.article_id(url)

    def is_listing_url(self, url: str) -> bool:
        return link_rules.looks_like_listing(url)

    def extract_article(self, html: str, url: str, *, today: date | None = None) -> Article:
        from scraper.sites.generic import extract_article as generic_extract

        return self._own(generic_extract(html, url, today=today), url)

    def _own(self, article: Article, url: str) -> Article:
        article.profile = self.name
        article.id = page_id(url)
        article.url = canonical(url)
        article.site = id_host(host_of(url))
        return article

    def parse_page(self, html: str, url: str, *, today: date | None = None) -> Page:
        page = link_rules.parse_page(html, url, self, today=today)
        if page.article is not None:
            self._own(page.article, url)
        return page

    def parse_listing(self, html: str, url: str) -> Listing:
        return link_rules.parse_listing(html, url, self)

    def next_page(self, listing: Listing, page: int) -> PageRequest | None:
        return next_from_pager(listing, page)

    def seeds(self, start_url: str) -> list[str]:
        return [canonical(start_url)]


PROFILE = GenericProfile()
