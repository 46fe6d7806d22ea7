"""Profile of the CMS the sites run since the 2025 move to hue.gov.vn.

SEEN (SITE.md 1 and 8) only as URLs: department sites answer
`<dept>.hue.gov.vn/tin-trong-tinh/<slug>.html`, the portal `/Trang-chu/.../Chi-tiet/mlid/<guid>`.
The markup is unknown, so articles are read by the generic extractor and listings by the
generic link rules. Identity is host plus path: the id host keeps `thuathienhue.gov.vn`
and `hue.gov.vn` one site, and an article reached through a redirect from its old URL
keeps the id it had (the crawler records the new URL as an alias).
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import unquote, urlsplit

from scraper.models import Article, Listing, Page, PageRequest
from scraper.sites import id_host
from scraper.sites import linkpages as link_rules
from scraper.sites.profile import next_from_pager
from scraper.urls import canonical, host_of

# ASSUMED from the URLs seen: an article is `/<news section>/<slug>.html`, where the section
# is a "tin-..." (news) section such as `tin-trong-tinh` and the slug has three words or
# more, or a `Chi-tiet` page naming an `mlid` GUID; a section's list is `/<section>/` or
# `/<section>.html`, paged as `/<section>/trang-N.html` or `?page=N`.
ARTICLE_PATH = re.compile(
    r"^/tin-[\w\-]+/(?:[\w\-]+/)*\w+(?:-\w+){2,}\.html?$|/chi-tiet/(?:.*/)?mlid/[0-9a-f\-]{32,36}/?$",
    re.IGNORECASE,
)
PAGED_PATH = re.compile(r"/trang-\d+\.html?$", re.IGNORECASE)


def article_id(url: str) -> str | None:
    """'<id host><path>' for an article URL of this CMS, else None."""
    path = unquote(urlsplit(url).path)
    if not ARTICLE_PATH.search(path) or PAGED_PATH.search(path):
        return None
    return f"{id_host(host_of(url))}{path.lower()}"


class HueProfile:
    """The hue.gov.vn-era CMS as a `scraper.sites.profile.Profile`."""

    name = "hue"

    def claims_url(self, url: str) -> bool:
        return article_id(url) is not None

    def claims_markup(self, html: str) -> bool:
        return False  # its markup has never been seen: claimed by URL only

    def article_id(self, url: str) -> str | None:
        return article_id(url)

    def is_listing_url(self, url: str) -> bool:
        return article_id(url) is None and link_rules.looks_like_listing(url)

    def extract_article(self, html: str, url: str, *, today: date | None = None) -> Article:
        from scraper.sites.generic import extract_article as generic_extract

        return self._own(generic_extract(html, url, today=today), url)

    def _own(self, article: Article, url: str) -> Article:
        article.profile = self.name
        article.id = article_id(url)
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


PROFILE = HueProfile()
