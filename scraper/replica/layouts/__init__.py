"""Layouts of the replica: one renderer per CMS, chosen per server (`layout="tt"|"dnn"|"hue"`).

Owns the `Layout` protocol every layout class follows and the registry (`layout_class`,
`make_layout`). A layout turns the one site model into pages: it routes a method and
path+query to a page (`handle`), renders home, listings, articles, 404 and robots.txt
(sitemaps and feeds where the CMS has them), and gives the ground truth
(`scraper.replica.truth`) its URL spellings and date label through static hooks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from scraper.replica.layouts._html import Response
from scraper.replica.model import Block, ReplicaSite

LAYOUTS = ("tt", "dnn", "hue")


class Layout(Protocol):
    """What the server and the ground truth need from a layout.

    An instance renders one site at one base URL; the static hooks need no instance.
    """

    name: str
    site: ReplicaSite
    base: str

    def __init__(self, site: ReplicaSite, base_url: str, **options) -> None: ...

    def handle(
        self,
        method: str,
        path_qs: str,
        form: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """The response to one request (the router: home, listing pages, article, files,
        robots.txt, sitemap/feed where the CMS has them, 404 otherwise)."""
        ...

    def warm(self) -> None:
        """Render every article's cached part (server start)."""
        ...

    # ---- hooks of the ground truth
    @staticmethod
    def canonical_url(site: ReplicaSite, tc: int, base_url: str) -> str:
        """The article's URL as the archive spells it."""
        ...

    @staticmethod
    def page_url(site: ReplicaSite, tc: int, base_url: str) -> str: ...

    @staticmethod
    def file_url(path: str, base_url: str) -> str: ...

    @staticmethod
    def link_url(site: ReplicaSite, b: Block, base_url: str) -> str | None:
        """Canonical URL of a body link block; None when the page writes no link."""
        ...

    @staticmethod
    def dates(site: ReplicaSite, tc: int) -> tuple[str | None, str | None]:
        """(published YYYY-MM-DD, published_raw) of the article as this layout shows it."""
        ...

    @staticmethod
    def fault_key(method: str, path_qs: str, form: Mapping[str, str] | None) -> str: ...


def layout_class(name: str) -> type[Layout]:
    """The class of a layout by name ('tt', 'dnn', 'hue')."""
    if name == "tt":
        from scraper.replica.layouts.tt import TTLayout

        return TTLayout
    if name == "dnn":
        from scraper.replica.layouts.dnn import DNNLayout

        return DNNLayout
    if name == "hue":
        from scraper.replica.layouts.hue import HueLayout

        return HueLayout
    raise ValueError(f"unknown layout {name!r} (one of {', '.join(LAYOUTS)})")


def make_layout(name: str, site: ReplicaSite, base_url: str, **options) -> Layout:
    """A layout instance rendering site at base_url (options: crawl_delay, moved, ...)."""
    return layout_class(name)(site, base_url, **options)
