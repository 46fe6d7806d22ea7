"""Links of any page: which ones a crawler may follow, and which lead to the next page of
a listing.

Owns the pagination forms of generic sites (SITE.md section 8): `rel="next"`, the query
parameters `page`, `p`, `trang`, `pg`, `paged`, `pageindex`, `pagenumber`, `currentpage`,
the paths `/page/N`, `/trang/N`, `/trang-N(.html)`, `/page-N(.html)`, and pager link texts
("Trang sau", "Tiếp", "Sau", "Next", "»", "›", ">"). Pagers driven by ASP.NET postbacks
(`javascript:__doPostBack`) are not links: the TT profile handles those.

`classify_links(page_url, html, host_set) -> PageLinks`:
- candidates: every in-scope link (host in host_set, or the page's host when host_set is
  empty), canonical (scraper.urls.canonical), in page order, no repeats, not the page
  itself, not a file (images, documents, archives, media, scripts, styles, feeds);
- next_pages: the subset that leads to the next page of this listing, best evidence first
  (rel="next", then pager text / label / class, then the page number + 1 in the URL);
- pager: every link to another page of this listing past the current one, in page order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser

from scraper.text import clean
from scraper.urls import MEMO, canonical, host_of, resolve

PAGE_PARAMS = frozenset(
    {"page", "p", "trang", "pg", "paged", "pageindex", "pagenumber", "currentpage"}
)
NEXT_TEXTS = frozenset(
    {"trang sau", "trang tiếp", "trang kế", "tiếp", "tiếp theo", "sau", "next", "next page",
     "»", "›", ">", "→"}
)  # fmt: skip
FILE_SUFFIXES = frozenset(
    ".jpg .jpeg .png .gif .webp .bmp .svg .ico .tif .tiff .pdf .doc .docx .xls .xlsx .ppt "
    ".pptx .odt .ods .rtf .txt .csv .zip .rar .7z .gz .tar .mp3 .mp4 .avi .wmv .flv .mov "
    ".wav .m4a .css .js .json .xml .rss .exe .apk .iso".split()
)
_PATH_PAGE = re.compile(
    r"(?:/(?:page|trang)/(\d{1,5})|[/-](?:trang|page)-(\d{1,5}))(?=/?(?:\.[a-z]{2,5})?$)",
    re.IGNORECASE,
)
_SUFFIX = re.compile(r"(\.(?:html?|aspx?|php|jsp))$|/+$", re.IGNORECASE)
_ARROWS = " \t\n»«›‹>→<←|-"


@dataclass(frozen=True)
class PageLinks:
    """The links of one page, sorted for a crawler (see module docstring)."""

    candidates: list[str] = field(default_factory=list)
    next_pages: list[str] = field(default_factory=list)
    pager: list[str] = field(default_factory=list)


@lru_cache(maxsize=MEMO)
def page_number(url: str) -> tuple[str, int] | None:
    """(listing key, N) when the URL names page N of a listing in one of the forms above,
    else None. The key is the same for every page of one listing, first page included:
    the URL without its page token, its suffix (.html, .aspx, ...) and trailing '/'."""
    parts = urlsplit(url)
    number = None
    query = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key.lower() in PAGE_PARAMS and value.isdigit() and number is None:
            number = int(value)
        else:
            query.append((key, value))
    path = parts.path
    match = _PATH_PAGE.search(path)
    if match and number is None:
        number = int(match.group(1) or match.group(2))
        path = path[: match.start()]
    if number is None:
        return None
    return listing_key(urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), ""))), number


def listing_key(url: str) -> str:
    """The URL a listing's pages share (see page_number): no suffix, no trailing '/'."""
    parts = urlsplit(canonical(url))
    path = _SUFFIX.sub("", parts.path) or "/"
    return urlunsplit((parts.scheme, parts.netloc, path.lower(), parts.query, ""))


def is_pagination_url(url: str) -> bool:
    """True when the URL names page N (N >= 2) of a listing."""
    found = page_number(url)
    return found is not None and found[1] >= 2


def classify_links(
    page_url: str,
    html: str | LexborHTMLParser,
    host_set: Iterable[str] = (),
) -> PageLinks:
    """The page's followable links and its next pages (see module docstring). html may
    be the decoded page or a Lexbor tree the caller already parsed."""
    tree = html if isinstance(html, LexborHTMLParser) else LexborHTMLParser(html or "")
    hosts = frozenset(h.lower() for h in host_set) or frozenset({host_of(page_url)})
    base = page_url
    base_node = tree.css_first("base[href]")
    if base_node is not None:
        base = resolve(page_url, base_node.attributes.get("href")) or page_url
    here = canonical(page_url)
    current = page_number(here)
    key, number = current if current else (listing_key(here), 1)

    candidates: list[str] = []
    seen: set[str] = set()
    by_rel: list[str] = []
    by_text: list[str] = []
    by_number: list[str] = []
    pager: list[str] = []
    for node in tree.css("link[rel][href]"):
        if "next" in (node.attributes.get("rel") or "").lower().split():
            url = _in_scope(base, node.attributes.get("href"), hosts)
            if url and url != here:
                by_rel.append(url)
    for node in tree.css("a[href]"):
        attrs = node.attributes
        url = _in_scope(base, attrs.get("href"), hosts)
        if not url or url == here:
            continue
        if url not in seen:
            seen.add(url)
            candidates.append(url)
        target = page_number(url)
        # the page number of url when it is a page of this same listing, else None
        same = target[1] if target is not None and target[0] == key else None
        if same is not None and same > number and url not in pager:
            pager.append(url)
        if target is not None and (same is None or same <= number):
            continue  # another listing, or a page already behind us
        if "next" in (attrs.get("rel") or "").lower().split():
            by_rel.append(url)
        elif _says_next(node):
            by_text.append(url)
        elif same == number + 1:
            by_number.append(url)
    next_pages = list(dict.fromkeys(by_rel + by_text + by_number))
    return PageLinks(candidates=candidates, next_pages=next_pages, pager=pager)


def _in_scope(base: str, href: str | None, hosts: frozenset[str]) -> str | None:
    url = resolve(base, href)
    if not url or host_of(url) not in hosts:
        return None
    path = urlsplit(url).path.lower()
    dot = path.rfind(".")
    if dot > path.rfind("/") and path[dot:] in FILE_SUFFIXES:
        return None
    return canonical(url)


def _says_next(node) -> bool:
    """Pager wording on the link: its text, title or aria-label, or a 'next' class on it
    or on its list item ("Trang sau »", "Tiếp", "›", class="next page-numbers")."""
    for raw in (node.text(), node.attributes.get("title"), node.attributes.get("aria-label")):
        text = clean(raw).lower()
        if not text:
            continue
        if text in NEXT_TEXTS or text.strip(_ARROWS) in NEXT_TEXTS:
            return True
    for holder in (node, node.parent):
        if holder is None:
            continue
        classes = (holder.attributes.get("class") or "").lower().split()
        if "next" in classes or "next-page" in classes or "pagination-next" in classes:
            return True
    return False
