"""Profile of the provincial portal on DNN (thuathienhue.gov.vn, www., and hue.gov.vn).

Owns what SITE.md sections 1, 2 and 8 say of it: article URLs
`/vi-vn/<Category>/tid/<slug>/newsid/<GUID>/cid/<GUID>`, identity = the `newsid` GUID
(lowercased, case-insensitive), and the SQL Server "COMB" GUID whose last 12 hex digits
carry the time the row was written: the fallback `published` when the page shows no date.

The portal's markup has never been seen, so nothing here anchors on a class name: the
article is read by the generic extractor (declared metadata, date labels, structure),
and listings by the generic link rules. Markup markers (DNN's `dnn_` ids, `DnnModule`
containers, `/Portals/0/` files) only help recognise a page whose URL says nothing.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from scraper.models import Article
from scraper.sites import id_host, linkpages
from scraper.sites.profile import LinkProfile
from scraper.urls import host_of

GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
NEWSID = re.compile(r"/newsid/(" + GUID + r")(?:/|$|\?)", re.IGNORECASE)
MARKUP_MARKERS = ("DnnModule", 'id="dnn_', "/Portals/0/", "DotNetNuke")
COMB_EPOCH = datetime(1900, 1, 1)
# SQL Server COMB GUIDs: the last 6 bytes are 2 bytes of days since 1900-01-01 and 4 bytes
# of 1/300 s ticks since midnight (SITE.md 2: `...ABFB01064AC7` is 2020-07-17 15:54).
# ASSUMED: the server wrote them in local time (UTC+7), so the date part is the local date.
TICKS_PER_SECOND = 300


def newsid(url: str) -> str | None:
    """The lowercased newsid GUID of a DNN article URL, else None."""
    match = NEWSID.search(url)
    return match.group(1).lower() if match else None


def article_id(url: str) -> str | None:
    """'<id host>/<newsid>' for a DNN article URL: the GUID is the identity, the id host
    keeps thuathienhue.gov.vn and hue.gov.vn one site."""
    guid = newsid(url)
    return f"{id_host(host_of(url))}/{guid}" if guid else None


def comb_time(guid: str) -> datetime | None:
    """The time a COMB GUID encodes (naive, the writer's local time), or None when the
    digits cannot be one (out of range)."""
    digits = guid.replace("-", "")[-12:]
    if len(digits) != 12:
        return None
    try:
        days, ticks = int(digits[:4], 16), int(digits[4:], 16)
    except ValueError:
        return None
    if ticks >= 24 * 3600 * TICKS_PER_SECOND:
        return None
    return COMB_EPOCH + timedelta(days=days, seconds=ticks / TICKS_PER_SECOND)


def comb_date(guid: str, *, today: date | None = None) -> str | None:
    """ISO date of a COMB GUID's time, None when it is impossible (before 1990, future)."""
    from scraper.dates import EARLIEST, today_in_vietnam

    moment = comb_time(guid)
    if moment is None:
        return None
    day = moment.date()
    if day < EARLIEST or day > (today or today_in_vietnam()):
        return None
    return day.isoformat()


class DNNProfile(LinkProfile):
    """The DNN portal as a `scraper.sites.profile.Profile`."""

    name = "dnn"

    def claims_url(self, url: str) -> bool:
        return newsid(url) is not None

    def claims_markup(self, html: str) -> bool:
        return any(marker in html for marker in MARKUP_MARKERS)

    def article_id(self, url: str) -> str | None:
        return article_id(url)

    def is_listing_url(self, url: str) -> bool:
        return newsid(url) is None and linkpages.looks_like_listing(url)

    def own(self, article: Article, url: str, today: date | None) -> Article:
        """The generic reading made this profile's, with the GUID's date when the page
        showed none."""
        article = super().own(article, url, today)
        guid = newsid(url)
        if article.published is None and guid is not None:
            published = comb_date(guid, today=today)
            if published is not None:
                article.published = published
                article.published_source = "guid"
        return article


PROFILE = DNNProfile()
