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

from scraper.models import Article
from scraper.sites import linkpages, links, page_id
from scraper.sites.profile import LinkProfile

SLUG = re.compile(r"[^\W_]+(?:[-_][^\W_]+){3,}", re.UNICODE)  # four words or more
LONG_NUMBER = re.compile(r"(?:^|[^\d])\d{4,}(?:[^\d]|$)")
DATED_PATH = re.compile(r"/(?:19|20)\d\d/(?:0?[1-9]|1[0-2])/")


def looks_like_article(url: str) -> bool:
    parts = urlsplit(url)
    path = unquote(parts.path).rstrip("/")
    if links.page_number(url) is not None:  # a page of a listing
        return False
    if not linkpages.looks_like_listing(url):  # files and action pages are neither
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


class GenericProfile(LinkProfile):
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
        return linkpages.looks_like_listing(url)

    def own(self, article: Article, url: str, today: date | None) -> Article:
        article = super().own(article, url, today)
        article.id = page_id(url)  # a page read as an article is one, whatever its URL
        return article


PROFILE = GenericProfile()
