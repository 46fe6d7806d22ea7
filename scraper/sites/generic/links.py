"""Links of any article page: which are attachments, which lists are related articles.

Owns the file extensions that make a link an attachment and the building of Link
records (kind 'attachment', 'related', 'body') from anchors.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from selectolax.lexbor import LexborNode

from scraper.dates import parse_date
from scraper.models import Link
from scraper.text import clean_or_none
from scraper.urls import canonical, resolve

ATTACHMENT_EXTENSIONS = frozenset("pdf doc docx xls xlsx ppt pptx zip rar".split())


def is_attachment(url: str) -> bool:
    """A link to a document file (pdf, doc(x), xls(x), ppt(x), zip, rar)."""
    path = unquote(url.split("?", 1)[0].split("#", 1)[0]).lower()
    name = path.rsplit("/", 1)[-1]
    return "." in name and name.rsplit(".", 1)[-1] in ATTACHMENT_EXTENSIONS


def link_of(anchor: LexborNode, page_url: str, kind: str, attrs: dict | None = None) -> Link | None:
    url = resolve(page_url, (anchor.attributes if attrs is None else attrs).get("href"))
    if url is None:
        return None
    url = canonical(url)
    if is_attachment(url):
        kind = "attachment"
    return Link(kind=kind, url=url, text=clean_or_none(anchor.text()))


_DATED_TITLE = re.compile(r"^(.*\S)\s*[(\[]\s*([^()\[\]]{6,30})\s*[)\]]$")


def related_links(node: LexborNode, page_url: str) -> list[Link]:
    """Links of a related-articles box: anchors with text (an article title); a date
    printed after the title, '(02/01/2019)', goes to Link.date."""
    out = []
    for anchor in node.css("a[href]"):
        link = link_of(anchor, page_url, "related")
        if link is None or not link.text or len(link.text) < 15:
            continue
        match = _DATED_TITLE.match(link.text)
        if match:
            published = parse_date(match.group(2))
            if published:
                link.text, link.date = match.group(1), published
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


# Short elements that may head a box of links.
BOX_HEADINGS = "h2, h3, h4, h5, h6, b, strong, [class*=title], [class*=heading]"


def labelled_boxes(root: LexborNode, page_url: str) -> list[Link]:
    """Related links of every box headed by a related-list label ("Tin liên quan",
    "Các tin khác", "Related"): the titled links of the heading's nearest container."""
    from scraper.sites.generic.clean import RELATED_LABELS

    out: list[Link] = []
    done: set[int] = set()
    for heading in root.css(BOX_HEADINGS):
        text = heading.text()
        if len(text) > 60 or not RELATED_LABELS.search(" ".join(text.split())):
            continue
        box = heading.parent
        for _ in range(3):
            if box is None or box.tag == "body":
                break
            found = related_links(box, page_url)
            if found:
                if box.mem_id not in done:
                    done.add(box.mem_id)
                    out.extend(found)
                break
            box = box.parent
    return out
