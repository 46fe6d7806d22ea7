"""Links of any article page: which are attachments, which lists are related articles.

Owns the file extensions that make a link an attachment and the building of Link
records (kind 'attachment', 'related', 'body') from anchors.
"""

from __future__ import annotations

from urllib.parse import unquote

from selectolax.lexbor import LexborNode

from scraper.models import Link
from scraper.text import clean_or_none
from scraper.urls import canonical, resolve

ATTACHMENT_EXTENSIONS = frozenset("pdf doc docx xls xlsx ppt pptx zip rar".split())


def is_attachment(url: str) -> bool:
    """A link to a document file (pdf, doc(x), xls(x), ppt(x), zip, rar)."""
    path = unquote(url.split("?", 1)[0].split("#", 1)[0]).lower()
    name = path.rsplit("/", 1)[-1]
    return "." in name and name.rsplit(".", 1)[-1] in ATTACHMENT_EXTENSIONS


def link_of(anchor: LexborNode, page_url: str, kind: str) -> Link | None:
    url = resolve(page_url, anchor.attributes.get("href"))
    if url is None:
        return None
    url = canonical(url)
    if is_attachment(url):
        kind = "attachment"
    return Link(kind=kind, url=url, text=clean_or_none(anchor.text()))


def related_links(node: LexborNode, page_url: str) -> list[Link]:
    """Links of a related-articles box: anchors with text (an article title)."""
    out = []
    for anchor in node.css("a[href]"):
        link = link_of(anchor, page_url, "related")
        if link is not None and link.text and len(link.text) >= 15:
            out.append(link)
    return out


def dedupe(links: list[Link]) -> list[Link]:
    seen: set[tuple[str, str]] = set()
    out = []
    for link in links:
        key = (link.kind, link.url)
        if key not in seen:
            seen.add(key)
            out.append(link)
    return out
