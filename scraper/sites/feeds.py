"""News feeds on any site: where a page says its feeds are, and what a feed lists.

Pure functions over text and bytes the crawler already fetched (through
scraper.fetch.Fetcher, the one polite client): nothing here does HTTP.

- `feed_links(html, page_url)`: feed URLs a page declares (`<link rel="alternate"
  type="application/rss+xml|atom+xml|rdf+xml">`, then `<a>` links whose path looks like
  a feed: `.rss`, `/rss`, `rss.xml`, `/feed`, `atom.xml`), absolute, in page order.
- `common_feed_urls(site_url)`: the usual places to try when a site declares none.
- `read_feed(url, body)` / `parse_feed(url, body)`: the items of an RSS 2.0, RSS 1.0
  (RDF) or Atom feed, gzipped or not, broken or not (never raises; see
  scraper.sites.xmlread for the safety and salvage rules).

An item is (link, published, title): link absolute (RSS `<link>`, else a permalink
`<guid>`; Atom `<link rel="alternate">` or a link without rel; RDF `<link>` or
`rdf:about`), published as scraper.sites.xmlread.timestamp() writes it (RSS `pubDate`
or `dc:date`, Atom `published` else `updated`), title as clean NFC text (markup dropped).
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import NamedTuple

from selectolax.lexbor import LexborHTMLParser

from scraper.sites.xmlread import (
    absolute_url,
    find_text,
    local,
    read_records,
    timestamp,
    unpack,
    xml_text,
)
from scraper.text import clean_or_none
from scraper.urls import resolve

COMMON_FEED_PATHS: tuple[str, ...] = ("/rss", "/rss.xml", "/feed", "/atom.xml")
FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/rss"}
)
MAX_FEED_BYTES = 10 * 1024 * 1024
MAX_FEED_ITEMS = 10_000
FEED_ROOTS = frozenset({"rss", "feed", "RDF", "channel"})
_RECORDS = frozenset({"item", "entry"})
_FEEDISH_PATH = re.compile(r"(\.rss|/rss|rss\.xml|/feed|atom\.xml|\.atom)/?$", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]*>")
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", re.IGNORECASE)


class FeedItem(NamedTuple):
    link: str
    published: str | None
    title: str | None


@dataclass(frozen=True)
class Feed:
    """A read feed: kind 'rss', 'rdf', 'atom' or '' (not a feed), its items, and why
    the reading was not clean (None when it was)."""

    kind: str
    items: list[FeedItem] = field(default_factory=list)
    reason: str | None = None


def feed_links(html: str | LexborHTMLParser, page_url: str) -> list[str]:
    """Absolute feed URLs the page declares or links to, declared ones first, no repeats."""
    tree = html if isinstance(html, LexborHTMLParser) else LexborHTMLParser(html or "")
    base = page_url
    base_node = tree.css_first("base[href]")
    if base_node is not None:
        base = resolve(page_url, base_node.attributes.get("href")) or page_url
    found: list[str] = []
    for node in tree.css("link[href]"):
        rel = (node.attributes.get("rel") or "").lower().split()
        kind = (node.attributes.get("type") or "").lower().split(";")[0].strip()
        if "alternate" in rel and kind in FEED_TYPES:
            url = resolve(base, node.attributes.get("href"))
            if url:
                found.append(url)
    for node in tree.css("a[href]"):
        url = resolve(base, node.attributes.get("href"))
        if url and _FEEDISH_PATH.search(url.split("?", 1)[0].split("#", 1)[0]):
            found.append(url)
    return list(dict.fromkeys(found))


def common_feed_urls(site_url: str) -> list[str]:
    """The usual feed locations of the site (tried only when no page declares a feed)."""
    return [url for path in COMMON_FEED_PATHS if (url := resolve(site_url, path))]


def parse_feed(url: str, body: bytes | str) -> list[FeedItem]:
    """Items of the feed at url (empty when it is no feed or unreadable; never raises)."""
    return read_feed(url, body).items


def read_feed(
    url: str,
    body: bytes | str,
    *,
    max_bytes: int = MAX_FEED_BYTES,
    max_items: int = MAX_FEED_ITEMS,
) -> Feed:
    """The feed's kind, items and reading problems (see module docstring)."""
    data, cut = unpack(body, max_bytes)
    records = read_records(data, _RECORDS, lambda elem: feed_item(url, elem), max_items)
    kind = {"rss": "rss", "channel": "rss", "RDF": "rdf", "feed": "atom"}.get(records.root, "")
    reason = cut or records.reason
    if not kind:
        why = f"not a feed (root element {records.root!r})" if records.root else "not a feed"
        return Feed("", [], "; ".join(r for r in (why, reason) if r))
    seen: set[str] = set()
    items: list[FeedItem] = []
    for item in records.items:
        if item.link not in seen:
            seen.add(item.link)
            items.append(item)
    return Feed(kind, items, reason)


def feed_item(feed_url: str, elem: ET.Element) -> FeedItem | None:
    """One RSS `<item>` or Atom `<entry>` element as a FeedItem (None without a link);
    the sitemap reader uses it too, since a sitemap may be a feed."""
    href = _atom_link(elem) if local(elem.tag) == "entry" else _rss_link(elem)
    link = absolute_url(feed_url, href)
    if not link:
        return None
    if local(elem.tag) == "entry":
        when = find_text(elem, "published") or find_text(elem, "updated")
    else:
        when = find_text(elem, "pubDate") or find_text(elem, "date")
    return FeedItem(link, timestamp(when), _title(find_text(elem, "title")))


def _rss_link(elem: ET.Element) -> str | None:
    link = find_text(elem, "link")
    if link:
        return link
    for sub in elem.iter():
        if local(sub.tag) == "guid" and sub.text:
            permalink = sub.get("isPermaLink", "true").strip().lower() != "false"
            if permalink and sub.text.strip().startswith(("http://", "https://")):
                return sub.text.strip()
    for key, value in elem.attrib.items():  # RSS 1.0: <item rdf:about="...">
        if local(key) == "about" and value.strip():
            return value.strip()
    return None


def _atom_link(elem: ET.Element) -> str | None:
    fallback = None
    for sub in elem.iter():
        if sub is elem or local(sub.tag) != "link":
            continue
        href = (sub.get("href") or "").strip()
        rel = (sub.get("rel") or "alternate").strip().lower()
        if href and rel == "alternate":
            kind = (sub.get("type") or "text/html").lower()
            if "html" in kind:
                return href
            fallback = fallback or href
    return fallback


def _title(raw: str | None) -> str | None:
    """Feed titles often carry escaped markup or double-escaped entities: drop tags,
    decode one more level of references, then clean (NFC, whitespace)."""
    if not raw:
        return None
    if "<" in raw:
        raw = _TAGS.sub(" ", raw)
    if "&" in raw and _ENTITY.search(raw):
        raw = html.unescape(raw)
    return clean_or_none(xml_text(raw) if "<![CDATA[" in raw else raw)
