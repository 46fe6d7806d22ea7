"""From the chosen content elements to paragraphs, images, captions and body links.

Owns the walk of the article's elements into blocks (paragraphs, headings, list items,
one paragraph per table row), the caption rules for any layout (figure/figcaption, an
element whose class says caption, a small table holding an image and a caption row, an
italic or centred line right under an image; `alt` is never a caption), and the
dropping of link lists and box headings that sit inside the content.

Long because: the walker and the caption rules it feeds are one state
machine (blocks, <br>s, images waiting for a caption); split, each half would need the
other's internals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

from scraper.dates import find_date_text
from scraper.models import Image, Link
from scraper.sites import markup
from scraper.sites.generic.clean import ARTICLE_MARKS, CHROME_LINE, RELATED_LABELS
from scraper.sites.generic.links import is_attachment, link_of, related_links
from scraper.sites.markup import ITALIC_TAGS, SKIP_TAGS, centred_attrs, italic_style
from scraper.text import clean, clean_or_none
from scraper.urls import canonical, resolve

BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre center section article "
    "header footer address figure figcaption hr main aside nav details summary form "
    "fieldset caption".split()
)
CONTAINERS = frozenset("div section ul ol dl table article header form".split())
HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
CAPTION_TABLE_MAX_CHARS = 400
CAPTION_MAX_CHARS = 400
# A short line that only says when the article was published or updated: the label, then
# its date within a few characters ("Cập nhật: 12/03/2024", "Published on Friday, 3 July
# 2020"). A sentence that only uses the word ("rà soát, cập nhật cơ sở dữ liệu và báo cáo
# trước ngày 1/11") is body.
DATE_LINE = re.compile(
    r"(?:published|updated|last updated|posted|ngày đăng|ngày cập nhật|cập nhật|đăng lúc"
    r"|ngày xuất bản|thời gian đăng|đăng ngày)\b[^\w\n]*(?:on|at|lúc|ngày|vào)?[^\d\n]{0,24}\d",
    re.IGNORECASE,
)
# A page's meta line counts its readers ("Lượt xem: 4386", "1.203 lượt đọc", "Views: 12"):
# a short line holding such a counter is the article's meta line, never body.
VIEW_COUNTER = re.compile(
    r"(?:lượt\s+(?:xem|đọc|truy\s+cập)|số\s+lần\s+xem|views?|hits|reads)\s*:?\s*[\d.,]+\b"
    r"|\b\d[\d.,]*\s+(?:lượt\s+(?:xem|đọc)|views|reads)\b",
    re.IGNORECASE,
)
# A paragraph of the body that points to another article with a label and a link
# ("Xem thêm: <a>...</a>", "Tin liên quan: <a>...</a>"): the author's text, kept (SITE.md 7:
# link text counts as text). A label alone, or a list after it, is still a related box.
CROSS_REFERENCE = re.compile(
    r"(?:xem\s+thêm|đọc\s+thêm|tin\s+liên\s+quan|bài\s+liên\s+quan)\s*:\s*\S",
    re.IGNORECASE,
)
_CAPTION_CLASS = re.compile(r"caption|legend|credit", re.IGNORECASE)
BOILERPLATE_LINES = frozenset(
    (
        "advertisement",
        "advert",
        "comments",
        "bình luận",
        "this slideshow requires javascript",
        "quảng cáo",
        "ads",
        "sponsored",
        "continue reading",
        "read more",
        "xem thêm",
        "share this article",
        "chia sẻ",
    )
)


def inline_text(node: LexborNode) -> str:
    """Visible text of a subtree, <br> and blocks as spaces, cleaned."""
    return clean(markup.inline_text(node, BLOCK_TAGS))


@dataclass
class Block:
    """Inline content between block boundaries: ("t", text, italic) | ("br",) | ("img", Image)."""

    items: list[tuple] = field(default_factory=list)
    centred: bool = False
    kind: str = "p"  # "p" | "h" | "li" | "row" | "caption"
    link_chars: int = 0

    def link_share(self) -> float:
        size = sum(len(item[1].strip()) for item in self.items if item[0] == "t")
        return self.link_chars / size if size else 0.0

    def has_text(self) -> bool:
        return any(item[0] == "t" and item[1].strip() for item in self.items)

    def images(self) -> list[Image]:
        return [item[1] for item in self.items if item[0] == "img"]

    def text(self) -> str:
        return clean(
            "".join(item[1] if item[0] == "t" else " " for item in self.items if item[0] != "img")
        )

    def wholly_italic(self) -> bool:
        texts = [item for item in self.items if item[0] == "t" and item[1].strip()]
        return bool(texts) and all(item[2] for item in texts)


@dataclass
class CaptionBox:
    images: list[Image]
    captions: list[str]


def _link_density(node: LexborNode, raw: str | None = None) -> tuple[int, float]:
    """(text size, share of it in links). A link to a document is not counted: its text
    is the document's name, the body of an attachment-only article."""
    size = len("".join((node.text() if raw is None else raw).split()))
    if not size:
        return 0, 0.0
    links = sum(
        len("".join(a.text().split()))
        for a in node.css("a")
        if not is_attachment(a.attributes.get("href") or "")
    )
    return size, links / size


class Walker:
    """Walks content elements into blocks; collects body links and related links."""

    def __init__(self, page_url: str, heading: LexborNode | None = None):
        self.page_url = page_url
        self.heading = heading.mem_id if heading is not None else None
        self.blocks: list[Block | CaptionBox] = []
        self.links: list[Link] = []
        self.current: Block | None = None
        self.flatten = 0
        self.skip_next_list = False
        self.in_figure = 0
        self.in_link = 0

    def _open(self, centred: bool) -> Block:
        if self.current is None:
            self.current = Block(centred=centred)
        return self.current

    def end_block(self, kind: str | None = None) -> None:
        block = self.current
        self.current = None
        if block is None:
            return
        if kind:
            block.kind = kind
        if self.in_figure and block.kind == "p" and block.has_text():
            block.kind = "caption"
        if block.kind == "p" and not block.images() and _labelled_date_line(block):
            return
        if block.has_text() or block.images():
            self.blocks.append(block)

    def _add_text(self, text: str, italic: bool, centred: bool) -> None:
        if not text or (self.current is None and text.isspace()):
            return
        block = self._open(centred)
        block.items.append(("t", text, italic))
        if self.in_link:
            block.link_chars += len(text.strip())

    def walk_root(self, node: LexborNode) -> None:
        """Walk one chosen content element itself (a short one may still be chrome)."""
        self.end_block()
        if len(node.text()) < 400 and self._skip(node, node.tag, node.attributes):
            return
        if node.tag == "table":
            self._table(node, False, False)
        elif node.tag == "img":
            image = self._image(node)
            if image is not None:
                self._open(False).items.append(("img", image))
        else:
            self.walk(node)
        self.end_block("h" if node.tag in HEADINGS else None)

    def walk(self, node: LexborNode, italic: bool = False, centred: bool = False) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                self._add_text(child.text_content or "", italic, centred)
                continue
            if tag is None or tag in SKIP_TAGS or tag[0] == "-":
                continue
            if tag == "br":
                current = self.current
                if current is not None:
                    if not self.flatten and _after_br(current.items):
                        self.end_block()  # <br><br>: a paragraph break
                    else:
                        current.items.append(("br",))
                continue
            attrs = child.attributes
            child_italic = italic or tag in ITALIC_TAGS or (bool(attrs) and italic_style(attrs))
            child_centred = centred or tag == "center" or (bool(attrs) and centred_attrs(attrs))
            if tag == "img":
                image = self._image(child, attrs)
                if image is not None:
                    self._open(child_centred).items.append(("img", image))
                continue
            if tag == "a":
                link = self._link(child, attrs)
                # Text of a link to a document is the document's name: body text.
                counted = link is None or link.kind != "attachment"
                self.in_link += counted
                self.walk(child, child_italic, child_centred)
                self.in_link -= counted
                continue
            if self.flatten:
                if tag in BLOCK_TAGS:
                    self._add_text(" ", italic, centred)
                self.walk(child, child_italic, child_centred)
                if tag in BLOCK_TAGS:
                    self._add_text(" ", italic, centred)
                continue
            if tag == "table":
                self._table(child, child_italic, child_centred)
                continue
            if tag not in BLOCK_TAGS:
                if attrs and _CAPTION_CLASS.search(attrs.get("class") or ""):
                    self.end_block()
                    self.walk(child, child_italic, child_centred)
                    self.end_block("caption")
                else:
                    self.walk(child, child_italic, child_centred)
                continue
            if self._skip(child, tag, attrs):
                continue
            self.end_block()
            if tag == "figcaption" or (
                tag != "figure" and _CAPTION_CLASS.search(attrs.get("class") or "")
            ):
                self.in_figure += 1
                self.walk(child, child_italic, child_centred)
                self.end_block("caption")
                self.in_figure -= 1
                continue
            if tag == "figure":
                self.in_figure += 1
                self.walk(child, child_italic, child_centred)
                self.end_block()
                self.in_figure -= 1
                continue
            self.walk(child, child_italic, child_centred)
            self.end_block("h" if tag in HEADINGS else "li" if tag in ("li", "dt", "dd") else None)

    def _skip(self, node: LexborNode, tag: str | None, attrs: dict) -> bool:
        """Chrome inside the content: link lists, their headings, the page title, lines
        that only carry a date or a box label."""
        if tag == "h1" or (tag == "header" and node.css_first("h1") is not None):
            heading = self.heading
            if heading is not None and any(
                h1.mem_id == heading for h1 in ([node] if tag == "h1" else node.css("h1"))
            ):
                # The body starts under the article's title: what came before it in
                # the same content (a section's name, a box label) is not the body.
                self.blocks = [b for b in self.blocks if isinstance(b, CaptionBox) or b.images()]
            return True
        container = tag in CONTAINERS
        line = tag in HEADINGS or tag == "p" or tag == "div"
        if not (container or line or tag == "li"):
            return False
        raw = node.text()  # native and cheap; computed once
        if not raw or raw.isspace():
            return container and node.css_first("img") is None
        if tag == "p" and len(raw) <= 400 and CROSS_REFERENCE.match(raw.lstrip()):
            return False  # the author's own pointer to another article, in the body
        if line and len(raw) <= 400 and tag == "div" and node.css_first(TEXT_BLOCKS) is not None:
            # A short div that holds headings or paragraphs (the title, a one-line body and
            # a date line) is checked child by child, never dropped whole as one line.
            line = False
        if line and len(raw) <= 400 and CHROME_LINE.match(raw.lstrip()):
            return True
        if line and len(raw) <= 400:
            text = " ".join(raw.split())  # enough for these checks (a <br> may glue words)
            if (
                _chrome_text(text) or (len(text) <= 120 and _meta_line(node, text))
            ) and node.css_first("img") is None:
                if len(text) <= 60 and RELATED_LABELS.search(text):
                    self.skip_next_list = True
                return True
        if container:
            if len(raw) >= 4000 and tag not in ("ul", "ol") and not self.skip_next_list:
                return False  # too long to be a link box whatever its links
            size, density = _link_density(node, raw)
            if size == 0:
                return node.css_first("img") is None
            if self.skip_next_list and density > 0.3:
                self.skip_next_list = False
                self.links.extend(related_links(node, self.page_url))
                return True
            # A box holding the article's heading is the article (a short body under a
            # long related list), not a link box.
            if (
                density > 0.5
                and (tag in ("ul", "ol") or size < 2000)
                and node.css_first(ARTICLE_MARKS) is None
            ):
                self.links.extend(related_links(node, self.page_url))
                return True
        if tag == "li":
            _, density = _link_density(node, raw)
            if density > 0.8:
                return True
        return False

    def _image(self, node: LexborNode, attrs: dict | None = None) -> Image | None:
        if attrs is None:
            attrs = node.attributes
        src = None
        for key in ("data-src", "data-lazy-src", "data-original", "src"):
            value = attrs.get(key)
            if value and not value.startswith("data:"):
                src = value
                break
        if src is None:
            srcset = attrs.get("srcset") or attrs.get("data-srcset")
            if srcset:
                src = srcset.split(",")[0].split()[0]
        url = resolve(self.page_url, src)
        if url is None:
            return None
        return Image(url=canonical(url), caption=None, alt=clean_or_none(attrs.get("alt")))

    def _link(self, node: LexborNode, attrs: dict | None = None) -> Link | None:
        link = link_of(node, self.page_url, "body", attrs)
        if link is not None:
            self.links.append(link)
        return link

    def _table(self, table: LexborNode, italic: bool, centred: bool) -> None:
        self.end_block()
        if _is_caption_table(table):
            images = [img for n in table.css("img") if (img := self._image(n)) is not None]
            for anchor in table.css("a[href]"):
                self._link(anchor)
            self.blocks.append(CaptionBox(images, _caption_cells(table)))
            return
        size, density = _link_density(table)
        if size and density > 0.5:
            return
        for row in _rows(table):
            nested = row.css_first("table") is not None
            if nested:  # a layout table: walk its cells as content
                for cell in row.iter():
                    if cell.tag in ("td", "th"):
                        self.walk(cell, italic, centred)
                        self.end_block()
                continue
            self.flatten += 1
            for cell in row.iter():
                if cell.tag in ("td", "th"):
                    self._add_text(" ", italic, centred)
                    self.walk(cell, italic, centred)
            self.flatten -= 1
            self.end_block("row")


def _after_br(items: list[tuple]) -> bool:
    """The block's last item, whitespace aside, is a <br> (after some text)."""
    for item in reversed(items):
        if item[0] == "t" and item[1].isspace():
            continue
        if item[0] != "br":
            return False
        # A <br> right after an image leads to its caption: not a paragraph break.
        return any(i[0] == "t" and not i[1].isspace() for i in items)
    return False


_DIGIT = re.compile(r"\d")


def _chrome_text(text: str) -> bool:
    """A short line that is a box label, a boilerplate line or only a date."""
    if len(text) <= 60 and RELATED_LABELS.search(text):
        return True
    if text.lower().strip(" :.!") in BOILERPLATE_LINES:
        return True
    if len(text) > 120 or not _DIGIT.search(text):
        return False
    return bool(DATE_LINE.search(text)) or (len(text) <= 80 and _date_only(text))


def _labelled_date_line(block: Block) -> bool:
    """A short run of text that is a labelled date line ("Updated <time>" in a box beside
    the title, "Ngày đăng: 01/10/2024" under the body)."""
    size = sum(len(item[1]) for item in block.items if item[0] == "t")
    if size == 0 or size > 400:
        return False
    text = " ".join(block.text().split())
    return len(text) <= 120 and DATE_LINE.search(text) is not None


def _meta_line(node: LexborNode, text: str) -> bool:
    """A line of inline elements only that counts the article's readers: its meta line
    (time, category, "Lượt xem: 4386")."""
    return VIEW_COUNTER.search(text) is not None and not _holds_blocks(node)


# What makes a short div more than one line of chrome.
TEXT_BLOCKS = "h1, h2, h3, h4, h5, h6, p, ul, ol, table, blockquote"


def _holds_blocks(node: LexborNode) -> bool:
    return any(child.tag in BLOCK_TAGS for child in node.iter())


def _date_only(text: str) -> bool:
    """A line that is a date with a few words around it (a place, a weekday)."""
    found = find_date_text(text)
    if not found:
        return False
    return len(text) - len(found) <= 25


def _rows(table: LexborNode):
    for child in table.iter():
        if child.tag == "tr":
            yield child
        elif child.tag in ("thead", "tbody", "tfoot"):
            yield from (row for row in child.iter() if row.tag == "tr")


def _is_caption_table(table: LexborNode) -> bool:
    # css() matches the node itself: more than one table means a nested one.
    if table.css_first("img") is None or len(table.css("table")) > 1:
        return False
    text_rows = [row for row in _rows(table) if row.css_first("img") is None and inline_text(row)]
    return 1 <= len(text_rows) <= 2 and len(inline_text(table)) <= CAPTION_TABLE_MAX_CHARS


def _caption_cells(table: LexborNode) -> list[str]:
    texts: list[str] = []
    for row in _rows(table):
        if row.css_first("img") is not None:
            continue
        for cell in row.iter():
            if cell.tag in ("td", "th"):
                text = inline_text(cell)
                if text:
                    texts.append(text)
    return texts


@dataclass
class Body:
    paragraphs: list[tuple[str, str]]  # (text, block kind)
    images: list[Image]
    captions: list[str]


def assemble(blocks: list[Block | CaptionBox]) -> Body:
    """Apply the caption rules; everything else becomes a paragraph."""
    paragraphs: list[tuple[str, str]] = []
    images: list[Image] = []
    captions: list[str] = []

    def caption(image: Image | None, text: str) -> None:
        if not text:
            return
        captions.append(text)
        if image is not None and image.caption is None:
            image.caption = text

    index = 0
    while index < len(blocks):
        block = blocks[index]
        index += 1
        if isinstance(block, CaptionBox):
            images.extend(block.images)
            if len(block.captions) == len(block.images):
                for image, text in zip(block.images, block.captions, strict=True):
                    caption(image, text)
            elif block.images:
                caption(block.images[0], clean(" ".join(block.captions)))
            continue
        block_images = block.images()
        if block.kind == "caption":
            images.extend(block_images)
            text = block.text()
            if len(text) <= CAPTION_MAX_CHARS:
                caption(images[-1] if images else None, text)
            else:
                paragraphs.append((text, "p"))
            continue
        if not block_images:
            text = block.text()
            # A paragraph that is nothing but a link points elsewhere ("read also").
            if text and not (
                block.kind == "p" and block.link_share() >= 0.9 and not CROSS_REFERENCE.match(text)
            ):
                paragraphs.append((text, block.kind))
            continue
        images.extend(block_images)
        body_text, waiting = _split_image_block(block, caption)
        if body_text:
            paragraphs.append((body_text, block.kind))
        if waiting is not None and index < len(blocks):
            following = blocks[index]
            if (
                isinstance(following, Block)
                and following.kind in ("p", "caption")
                and not following.images()
                and (following.wholly_italic() or following.centred or following.kind == "caption")
                and len(following.text()) <= CAPTION_MAX_CHARS
            ):
                caption(waiting, following.text())
                index += 1
    return Body(paragraphs, images, captions)


def _split_image_block(block: Block, caption) -> tuple[str, Image | None]:
    """Body text of a block holding images; a short italic/centred text right after an
    image and a <br> is its caption. Returns (body text, image waiting for a caption)."""
    body_parts: list[str] = []
    caption_parts: list[str] = []
    last_image: Image | None = None
    state = "text"
    for item in block.items:
        kind = item[0]
        if kind == "img":
            if state == "caption" and last_image is not None:
                caption(last_image, clean("".join(caption_parts)))
            caption_parts = []
            last_image = item[1]
            state = "after_image"
        elif kind == "br":
            if state == "after_image":
                state = "caption"
            elif state == "caption":
                caption_parts.append(" ")
            else:
                body_parts.append(" ")
        else:
            text = item[1]
            if state == "caption" and (item[2] or block.centred):
                caption_parts.append(text)
            elif state in ("after_image", "caption") and text.strip():
                if caption_parts:
                    caption(last_image, clean("".join(caption_parts)))
                    caption_parts = []
                    last_image = None
                state = "text"
                body_parts.append(text)
            else:
                body_parts.append(text)
    waiting = None
    if state == "caption" and last_image is not None:
        text = clean("".join(caption_parts))
        if text:
            caption(last_image, text)
        else:
            waiting = last_image
    elif state == "after_image":
        waiting = last_image
    return clean("".join(body_parts)), waiting
