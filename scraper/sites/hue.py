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
from urllib.parse import unquote, urlsplit

from scraper.sites import id_host, linkpages
from scraper.sites.profile import LinkProfile
from scraper.urls import host_of

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


class HueProfile(LinkProfile):
    """The hue.gov.vn-era CMS as a `scraper.sites.profile.Profile`."""

    name = "hue"

    def claims_url(self, url: str) -> bool:
        return article_id(url) is not None

    def claims_markup(self, html: str) -> bool:
        return False  # its markup has never been seen: claimed by URL (or by its links)

    def article_id(self, url: str) -> str | None:
        return article_id(url)

    def is_listing_url(self, url: str) -> bool:
        return article_id(url) is None and linkpages.looks_like_listing(url)


PROFILE = HueProfile()
