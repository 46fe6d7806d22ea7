"""The generic profile's extraction: an Article from any news article page.

Owns the order of the work and the fields that need the whole page: what the page
declares first (scraper.sites.generic.declared), then chrome removal (clean), the main
content (body), its blocks and captions (blocks); the title, the date when nothing is
declared (a date label or date text near the article, then the URL), the source line,
and the decision that a page holds no article (NotAnArticle).
"""

from __future__ import annotations

import re
from datetime import date

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.dates import find_date_text, parse_date, today_in_vietnam
from scraper.errors import NotAnArticle
from scraper.models import Article
from scraper.sites.generic.blocks import Walker, assemble, inline_text
from scraper.sites.generic.body import main_content
from scraper.sites.generic.clean import RELATED_LABELS, remove_chrome
from scraper.sites.generic.declared import Declared, read_declared
from scraper.sites.generic.links import dedupe, labelled_boxes
from scraper.text import clean, clean_or_none

MIN_BODY_CHARS = 200
SOURCE_MAX_CHARS = 60
# Elements that usually print the date or byline, by generic class/id words.
DATE_HOLDERS = (
    "time, [class*=date], [class*=Date], [id*=date], [class*=time], [class*=meta], "
    "[class*=byline], [class*=posted], [class*=publish], [class*=ngay]"
)
DATE_LABEL = re.compile(
    r"(?:ngày\s+(?:đăng|cập\s+nhật|xuất\s+bản|đưa\s+tin)|cập\s+nhật|đăng\s+(?:lúc|ngày)"
    r"|published|posted|updated)\s*(?:lúc|on|:)?",
    re.IGNORECASE,
)
URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:/|\b)")
AUTHOR_HOLDERS = (
    "[itemprop=author], [rel=author], [class*=author], [class*=byline], [class*=tacgia]"
)
TITLE_SEPARATORS = re.compile(r"\s+[|\-–—»:]\s+")


def extract_article(html: str, url: str, *, today: date | None = None) -> Article:
    """The Article of any news article page; raises NotAnArticle for other pages."""
    today = today or today_in_vietnam()
    tree = LexborHTMLParser(html)
    root = tree.body
    if root is None:
        raise NotAnArticle(f"empty page: {url}")
    declared = read_declared(tree, today=today)
    title = _title(tree, declared)
    published, published_raw, published_source = _date(root, declared, today, title)
    author = declared.author or _author(root)
    links: list = []
    remove_chrome(root, url, links)
    links += labelled_boxes(root, url)
    nodes = main_content(root)
    if title is None and nodes:
        title = _title_near(nodes[0]) or _title_before(nodes[0])
    if title is None:
        title = _title_tag(tree)
    if published_raw is None:
        published, published_raw, published_source = _date_near(nodes, url, today)
    walker = Walker(url, _title_node(root, title))
    for node in nodes:
        walker.walk_root(node)
    walker.end_block()
    body = assemble(walker.blocks)
    paragraphs = [(text, kind) for text, kind in body.paragraphs if text != title]
    text = "\n\n".join(text for text, _ in paragraphs)
    attachments = [link.text for link in walker.links if link.kind == "attachment" and link.text]
    # A page that names a title and whose body is its attachments' names (a decree
    # published as a file) is an article even when it shows no date.
    files_only = bool(paragraphs) and all(
        any(name in para for name in attachments) for para, _ in paragraphs
    )
    if len(text) < MIN_BODY_CHARS and not (
        (declared.is_article and text)
        or (title and published_raw and (text or attachments))
        or (title and files_only)
    ):
        raise NotAnArticle(f"no article text on the page: {url}")
    return Article(
        id=None,
        url=url,
        title=title,
        published=published,
        published_raw=published_raw,
        body=text or None,
        source=_source(paragraphs) or author,
        captions=body.captions,
        images=body.images,
        links=dedupe(walker.links + links),
        profile="generic",
        published_source=published_source,
    )


def _title(tree: LexborHTMLParser, declared: Declared) -> str | None:
    # The first few h1s only (a listing-like page may have dozens); <br> kept as a space.
    h1s = [t for node in tree.css("h1")[:3] if (t := inline_text(node))]
    if declared.title:
        # An h1 that the declared title contains is the title without the site's name.
        for h1 in h1s:
            if h1 in declared.title:
                return h1
        return declared.title
    if h1s:
        return h1s[0]
    return None


def _title_tag(tree: LexborHTMLParser) -> str | None:
    """The <title>, without the site's name when a separator sets it apart."""
    node = tree.css_first("title")
    if node is None:
        return None
    text = clean(node.text())
    parts = TITLE_SEPARATORS.split(text)
    return clean_or_none(max(parts, key=len)) if parts else None


TITLE_CLASSES = (
    "[class*=title i], [class*=tieude i], [class*=tieu_de i], [class*=headline i], "
    "[id*=title i], [id*=tieude i]"
)


def _title_near(node: LexborNode) -> str | None:
    """A page that names no title: an element named as a title (generic words) within
    the article's nearest ancestors, skipping box labels and links."""
    ancestor = node
    for _ in range(3):
        if ancestor.parent is None or ancestor.parent.tag == "body":
            break
        ancestor = ancestor.parent
    for candidate in ancestor.css(TITLE_CLASSES):
        text = inline_text(candidate)
        if not 10 <= len(text) <= 250 or RELATED_LABELS.search(text) or _date_line(text):
            continue
        anchors = candidate.css("a")
        if anchors and sum(len(a.text()) for a in anchors) >= len(text) / 2:
            continue
        return text
    return None


def _title_before(node: LexborNode) -> str | None:
    """A page that names no title: the nearest short text before the article body that is
    not a date line nor a link (a bold line or heading in an old layout)."""
    current = node
    for _ in range(6):
        sibling = current.prev
        while sibling is not None:
            if sibling.tag not in ("-text", "-comment"):
                text = inline_text(sibling)
                if 10 <= len(text) <= 250 and not _date_line(text):
                    anchors = sibling.css("a")
                    if not anchors or sum(len(a.text()) for a in anchors) < len(text) / 2:
                        return text
            sibling = sibling.prev
        parent = current.parent
        if parent is None or parent.tag == "body":
            return None
        current = parent
    return None


def _date_line(text: str) -> bool:
    found = find_date_text(text)
    if not found:
        return False
    return len(text) - len(found) <= 40


def _date(
    root: LexborNode, declared: Declared, today: date, title: str | None = None
) -> tuple[str | None, str | None, str | None]:
    """(ISO date, raw text, source) from what the page declares, else from the date text
    nearest the article's title: the first element named as a date that follows the title
    within the article's container (the meta line under it, a date line after the body),
    else the first date label, else the first element named as a date elsewhere that is
    not chrome (a header's today-date widget, a related list's dates). The date chosen
    decides: when it is rejected (future, before 1990) the raw text is kept and nothing
    else is tried, since another date on the page is more likely some other article's."""
    if declared.published or declared.published_raw:
        return declared.published, declared.published_raw, declared.published_source
    heading = _title_node(root, title)
    before: list[str] = []  # dates above the title, in its container or (no title) anywhere
    for node in root.css(DATE_HOLDERS):
        text = clean(node.text())
        if not text or len(text) > 200:
            continue
        found = find_date_text(text)
        if not found or _in_link_item(node):
            continue
        if heading is None:
            before.append(found)
            continue
        place = _place(heading, node, CONTAINER_LEVELS)
        if place == "after":
            return _dated(found, today)
        if place == "before":
            before.append(found)
    text = clean(root.text())
    for match in DATE_LABEL.finditer(text):
        found = find_date_text(text[match.end() : match.end() + 60])
        if found:
            return _dated(found, today)
    for found in before:
        # A header's current-date widget prints today (the site's today, maybe not ours).
        iso = parse_date(found, today=today)
        if iso is None or abs((date.fromisoformat(iso) - today).days) > 1:
            return _dated(found, today)
    return None, None, None


# How far above the title the article's container may be (h1 > header > article > main).
CONTAINER_LEVELS = 4


def _dated(found: str, today: date) -> tuple[str | None, str | None, str | None]:
    iso = parse_date(found, today=today)
    return iso, found, "label" if iso else None


def _title_node(root: LexborNode, title: str | None) -> LexborNode | None:
    """The page's heading that prints the article's title (an h1, else h2), or None."""
    if not title:
        return None
    for selector in ("h1", "h2"):
        for node in root.css(selector)[:5]:
            text = inline_text(node)
            if text and (text == title or text in title or title in text):
                return node
    return None


def _in_link_item(node: LexborNode) -> bool:
    """A date inside a link or a list item that holds a link: some other article's date
    (a related list, a sidebar)."""
    current: LexborNode | None = node
    for _ in range(4):
        if current is None:
            return False
        if current.tag == "a":
            return True
        if current.tag in ("li", "dt", "dd", "tr"):
            return current.css_first("a[href]") is not None
        current = current.parent
    return False


def _place(heading: LexborNode, node: LexborNode, levels: int) -> str | None:
    """ "after" or "before" when node sits under one of heading's `levels` nearest
    ancestors (the article's container), by page order; None when it is outside it (or
    inside the heading)."""
    path: dict[int, LexborNode] = {}  # ancestor mem_id -> its child on heading's path
    child, ancestor = heading, heading.parent
    for _ in range(levels):
        if ancestor is None or ancestor.tag in ("body", "html"):
            break
        path[ancestor.mem_id] = child
        child, ancestor = ancestor, ancestor.parent
    child, ancestor = node, node.parent
    while ancestor is not None and ancestor.mem_id not in path:
        if ancestor.mem_id == heading.mem_id:
            return None
        child, ancestor = ancestor, ancestor.parent
    if ancestor is None:
        return None
    mine, theirs = child.mem_id, path[ancestor.mem_id].mem_id
    for sibling in ancestor.iter():
        if sibling.mem_id == theirs:
            return "after"
        if sibling.mem_id == mine:
            return "before"
    return None


DATE_LINE_ELEMENTS = "p, div, span, time, td, em, i, b, strong, small, font, h4, h5, h6"


def _date_near(
    nodes: list[LexborNode], url: str, today: date
) -> tuple[str | None, str | None, str | None]:
    """No date declared nor labelled: the first date line in the article's surroundings
    (its nearest ancestors, chrome removed): an element whose text is a date with a few
    words, not inside a related list's item and not today's date; then a date in the URL
    (/2020/07/17/). A date inside a sentence of the body is not the article's date."""
    if nodes:
        scope = nodes[0]
        for _ in range(2):
            if scope.parent is not None and scope.parent.tag != "body":
                scope = scope.parent
        for node in scope.css(DATE_LINE_ELEMENTS):
            raw = node.text()
            if len(raw) > 120 or not any(ch.isdigit() for ch in raw):
                continue
            text = clean(raw)
            if not text or not _date_line(text) or _in_link_item(node):
                continue
            found = find_date_text(text)
            if found is None:  # not reached: _date_line found it
                continue
            iso = parse_date(found, today=today)
            if iso and abs((date.fromisoformat(iso) - today).days) <= 1:
                continue  # a current-date widget
            return _dated(found, today)
    match = URL_DATE.search(url)
    if match:
        year, month, day = (int(g) for g in match.groups())
        iso = parse_date(f"{day}/{month}/{year}", today=today)
        if iso:
            return iso, match.group(0).strip("/"), "url"
    return None, None, None


def _author(root: LexborNode) -> str | None:
    for node in root.css(AUTHOR_HOLDERS):
        text = clean(node.text())
        if 2 < len(text) <= SOURCE_MAX_CHARS:
            return text
    return None


def _source(paragraphs: list[tuple[str, str]]) -> str | None:
    """A short last line (not a sentence, not a table row) names the source or author."""
    if len(paragraphs) < 2:
        return None
    text, kind = paragraphs[-1]
    if kind not in ("p",) or len(text) > SOURCE_MAX_CHARS or text.endswith((".", "?", "!", ":")):
        return None
    return text
