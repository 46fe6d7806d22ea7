"""Listing pages read by links alone: the rules every profile without a known listing markup
shares (DNN, the hue.gov.vn-era CMS, any unknown site).

A profile supplies identity (`article_id`) and what a listing URL looks like
(`is_listing_url`); this module finds, on any page, the same-site article links, the other
listing pages worth visiting, and the pager (rel="next", page-number parameters and paths,
"Trang sau" / "Tiếp" / "»" links), each as a plain GET request.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.errors import NotAnArticle
from scraper.models import Listing, Page, PageLink, PageRequest
from scraper.sites import id_host
from scraper.urls import canonical, host_of, resolve

if TYPE_CHECKING:
    from scraper.sites.profile import Profile

# Same-site links that are never listings: files, feeds, and pages that only act on others.
NOT_A_PAGE = re.compile(
    r"\.(?:pdf|docx?|xlsx?|pptx?|rtf|od[tsp]|zip|rar|7z|txt|csv|jpe?g|png|gif|bmp|webp|svg"
    r"|tiff?|mp[34]|avi|wmv|flv|mov|css|js|ico|xml|rss|json)$",
    re.IGNORECASE,
)
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
    if NOT_A_PAGE.search(parts.path) or ACTION_WORDS.search(parts.path + "?" + parts.query):
        return False
    return parts.query.count("&") + 1 <= MAX_QUERY_PARAMS if parts.query else True


# Pagination as Vietnamese CMSs write it (SITE.md 8): ?page=N, ?p=N, ?trang=N, /page/N,
# /trang-N(.html), and "next" links by rel or by text.
PAGE_NUMBER = re.compile(
    r"(?:[?&](?:page|p|trang|pageindex|pagenumber)=(\d+))|(?:/(?:page|trang)[/-](\d+)(?:\.html?)?/?$)",
    re.IGNORECASE,
)
NEXT_TEXTS = frozenset({"trang sau", "tiếp", "tiếp theo", "sau", "»", "›", ">", ">>", "next"})


def pagination_links(root: LexborNode, page_url: str) -> list[PageLink]:
    """The page's pager: links whose URL names a page number, and "next" links (rel="next",
    or a text such as "Trang sau", "Tiếp", "»"), same-site only, in page order."""
    links: dict[str, PageLink] = {}
    for anchor, url in _anchors(root, page_url):
        text = " ".join(anchor.text().split()).lower()
        rel = (anchor.attributes.get("rel") or "").lower().split()
        match = PAGE_NUMBER.search(url)
        number = int(match.group(1) or match.group(2)) if match else None
        if text.isdigit() and number is None and "next" not in rel:
            continue  # a bare number that is not a page link (a count, a date)
        is_next = "next" in rel or text in NEXT_TEXTS
        if number is None and not is_next:
            continue
        link = links.get(url)
        if link is None:
            links[url] = PageLink(PageRequest(url), page=number, is_next=is_next, text=text or None)
        elif is_next:
            link.is_next = True
    return list(links.values())


def _anchors(root: LexborNode, page_url: str):
    for anchor in root.css("a[href]"):
        url = resolve(page_url, anchor.attributes.get("href"))
        if url is not None and same_site(url, page_url):
            yield anchor, canonical(url)


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
    pager = pagination_links(root, url)
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
