"""Listing pages read by links alone: the rules every profile without a known listing markup
shares (DNN, the hue.gov.vn-era CMS, any unknown site).

A profile supplies identity (`article_id`) and what a listing URL looks like
(`is_listing_url`); this module finds, on any page, the same-site article links and the
other listing pages worth visiting, and takes the pager (rel="next", page numbers in the
query or path, "Trang sau" / "Tiếp" / "»") from scraper.sites.links, each page a GET.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.errors import NotAnArticle
from scraper.models import Listing, Page, PageLink, PageRequest
from scraper.sites import id_host, links
from scraper.urls import canonical, host_of, resolve

if TYPE_CHECKING:
    from scraper.sites.profile import Profile

# Same-site links that are never listings: pages that only act on others.
ACTION_WORDS = re.compile(
    r"(?:^|[/_\-=?&.])(?:login|logout|dang-?nhap|dang-?ky|register|search|tim-?kiem|print|"
    r"in-?bai|share|sendmail|gui-?email|rss|feed|lien-?he|contact|sitemap|admin|ctl|"
    r"javascript|mailto|calendar|lich)(?:$|[/_\-=?&.])",
    re.IGNORECASE,
)
MAX_QUERY_PARAMS = 2  # a listing URL carries a category and a page at most


def same_site(url: str, page_url: str) -> bool:
    return id_host(host_of(url)) == id_host(host_of(page_url))


def looks_like_listing(url: str) -> bool:
    """A same-site page that may list articles: not a file, not an action page, not a
    query-laden URL (search results, calendars, session links)."""
    parts = urlsplit(url)
    path = parts.path.lower()
    dot = path.rfind(".")
    if dot > path.rfind("/") and path[dot:] in links.FILE_SUFFIXES:
        return False
    if ACTION_WORDS.search(parts.path + "?" + parts.query):
        return False
    return parts.query.count("&") + 1 <= MAX_QUERY_PARAMS if parts.query else True


def _anchors(root: LexborNode, page_url: str):
    for anchor in root.css("a[href]"):
        url = resolve(page_url, anchor.attributes.get("href"))
        if url is not None and same_site(url, page_url):
            yield anchor, canonical(url)


def _pager(tree: LexborHTMLParser, url: str) -> list[PageLink]:
    """The listing's later pages (scraper.sites.links): each a GET, with its page number
    when the URL names one, and the "next" links marked."""
    found = links.classify_links(url, tree)
    following = set(found.next_pages)
    pager: list[PageLink] = []
    for page_url in dict.fromkeys(found.pager + found.next_pages):
        number = links.page_number(page_url)
        pager.append(
            PageLink(
                PageRequest(page_url),
                page=number[1] if number else None,
                is_next=page_url in following,
            )
        )
    return pager


def listing_from_tree(tree: LexborHTMLParser, url: str, profile: Profile) -> Listing:
    """Article links, listing links and pager of any page, by the profile's URL rules."""
    root = tree.body or tree.root
    page_url = canonical(url)
    if root is None:
        return Listing(url=page_url)
    articles: dict[str, str] = {}
    pages: dict[str, None] = {}
    for _, link in _anchors(root, url):
        key = profile.article_id(link)
        if key is not None:
            articles.setdefault(key, link)
        elif link != page_url and profile.is_listing_url(link):
            pages.setdefault(link, None)
    pager = _pager(tree, url)
    pager_urls = {link.request.url for link in pager}
    return Listing(
        url=page_url,
        article_urls=list(articles.values()),
        page_urls=[u for u in pages if u not in pager_urls],
        pager=pager,
    )


def parse_listing(html: str, url: str, profile: Profile) -> Listing:
    return listing_from_tree(LexborHTMLParser(html), url, profile)


def parse_page(html: str, url: str, profile: Profile, *, today: date | None = None) -> Page:
    """Article (None when the page holds none) and listing view of a page. An article
    page's listing holds only the article links around it."""
    tree = LexborHTMLParser(html)
    listing = listing_from_tree(tree, url, profile)
    try:
        article = profile.extract_article(html, url, today=today)
    except NotAnArticle:
        return Page(article=None, listing=listing)
    own = profile.article_id(url)
    others = [u for u in listing.article_urls if profile.article_id(u) != own]
    return Page(article=article, listing=Listing(url=article.url, linked_urls=others))
