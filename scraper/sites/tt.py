"""Profile of the "TT" CMS of the department and commune sub-sites (*.thuathienhue.gov.vn).

Owns everything that knows this CMS: its URL rules (article id = host + `tc`), its
markup (every CSS class and label is in the block of constants below, nowhere else),
the extraction of an Article from an article page, and the reading of listing pages
(article links, ASP.NET postback pager, the form to post back).

Extraction is a pure function of (page text, URL): no I/O, no clock unless `today` is
left out. The rules for each field are SITE.md section 7; the choices SITE.md leaves
open are marked ASSUMED below.

Long because: it is the one place that knows this CMS (markup constants, URL rules, body
walk, captions, related lists, postback pager, profile); split, the constants and the
rules that read them would live apart, and grep would no longer find the whole CMS here.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborCSSSelector, LexborHTMLParser, LexborNode

from scraper.dates import find_dmy, parse_dmy
from scraper.errors import NotAnArticle
from scraper.models import Article, Image, Link, Listing, Page, PageLink, PageRequest
from scraper.sites import id_host
from scraper.sites.markup import (
    ITALIC_TAGS,
    SKIP_TAGS,
    centred_attrs,
    inline_text,
    italic_style,
)
from scraper.sites.profile import next_from_pager
from scraper.text import clean, clean_or_none
from scraper.urls import MEMO, canonical, host_of, origin_and_path, query_params, resolve

# --- The markup of the TT CMS (SITE.md sections 3 and 7) --------------------------------
FRAME = "div.TT_TinChiTiet_Vien"
BREADCRUMB = "div.TMCD2_DongTruongMuc"
TITLE = "div.TT_TinChiTiet_TieuDe"
DATE_LINE = "div.TT_TinChiTiet_NgayCapNhat"
DATE_LABEL = "ngày cập nhật"
READ = "div.TT_TinChiTiet_DocTin"
LEAD_TABLE_CLASS = "TT_TinChiTiet_DongAnhMinhHoa"
LEAD_CAPTION = "td.TT_TinChiTiet_MoTaAnh"
LEAD_CAPTION_CLASS = LEAD_CAPTION.split(".", 1)[1]
RELATED_HEADING = "div.TT_TinChiTiet_TinLienQuanTieuDe"
RELATED_LINK = "a.TT_TinChiTiet_TinLienQuan"
RELATED_DATE = "span.TT_TinChiTiet_TinLienQuan_ThoiGian"
SAME_GROUP_BOX = "#divPhanTrang2"  # "Tin cùng nhóm"
OTHER_NEWS_BOX = "#divPhanTrang1"  # "Các tin khác"
SAME_GROUP_LABEL = "tin cùng nhóm"
OTHER_NEWS_LABEL = "các tin khác"
LISTING_BOX = "div.TMCD2_Vien"
# Chrome that may sit inside the reading area on some templates: never body text.
CHROME_CLASSES = frozenset(
    {
        "TT_TinChiTiet_DongChucNang",
        "TT_TinChiTiet_TinLienQuanTieuDe",
        "TT_TinChiTiet_DongTinLienQuan",
    }
)
BREADCRUMB_SEPARATOR = re.compile(r"\s*(?:>>|»|›)\s*")
POSTBACK = re.compile(r"""__doPostBack\(\s*['"]([^'"]*)['"]\s*,\s*['"]([^'"]*)['"]\s*\)""")
PAGER_ARGUMENT = re.compile(r"^Page\$(\d+)$")
DATE_BROWSE_LINK_TEXT = "xem"  # the "Xem" link of the "Xem tin theo ngày" box
ARTICLE_PARAM = "tc"
LISTING_PARAMS = ("gd", "2")  # /?gd=2&cn=<id>
CATEGORY_PARAM = "cn"
# ---------------------------------------------------------------------------------------

FILE_EXTENSIONS = frozenset(
    "pdf doc docx xls xlsx ppt pptx rtf odt ods odp zip rar 7z txt csv".split()
)
IMAGE_EXTENSIONS = frozenset(["jpg", "jpeg", "png", "gif", "bmp", "webp", "svg", "tif", "tiff"])
FILE_DIRECTORIES = ("/uploadfiles/", "/portals/")

BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre center section article "
    "header footer address figure figcaption hr main aside nav details summary".split()
)
LEAD_CAPTION_CLASS_FOLDED = LEAD_CAPTION_CLASS.lower()
_HTML_SPACE = re.compile("[ \t\n\f\r]+")  # what separates the words of a class attribute
# ASSUMED: a table holding an image is a caption table (its other text is the caption)
# only while it looks like one; a data table that happens to hold an icon is body text.
CAPTION_TABLE_MAX_CHARS = 400
SOURCE_MAX_CHARS = 40


# --- URLs -------------------------------------------------------------------------------
@lru_cache(maxsize=MEMO)
def article_id(url: str) -> str | None:
    """'<host>/<tc>' for an article URL of this CMS, else None. The host is the id host
    (www. dropped, hue.gov.vn mapped to thuathienhue.gov.vn) so ids survive the move."""
    tc = query_params(url).get(ARTICLE_PARAM, "").strip()
    if not tc.isdigit():
        return None
    return f"{id_host(host_of(url))}/{int(tc)}"


@lru_cache(maxsize=MEMO)
def article_url(url: str, category: str | None = None) -> str:
    """The one spelling of an article's URL: `<path>?cn=<category>&gd=1&tc=<tc>`, whatever
    form (gd, cn, order, ./, &amp;) a link used. ASSUMED (SITE.md 7): any gd renders an
    article, so the canonical form uses gd=1, the form seen first. The path is kept (`/`
    on the sites seen; an ASP.NET site may answer only at /Default.aspx), since re-checks
    fetch this URL."""
    params = query_params(url)
    tc = int(params[ARTICLE_PARAM])
    cn = category or params.get(CATEGORY_PARAM)
    scheme, netloc, path = origin_and_path(url)
    query = f"cn={cn}&gd=1&tc={tc}" if cn else f"gd=1&tc={tc}"
    return canonical(f"{scheme}://{netloc}{path or '/'}?{query}")


def is_listing_url(url: str) -> bool:
    params = query_params(url)
    return params.get(LISTING_PARAMS[0]) == LISTING_PARAMS[1] and CATEGORY_PARAM in params


def same_site(url: str, page_url: str) -> bool:
    return id_host(host_of(url)) == id_host(host_of(page_url))


# --- Selectors --------------------------------------------------------------------------
# node.css() runs on a selector engine its document creates at the first query; each page
# here is parsed once, so that set-up came with every page (10-35 us of a 0.26 ms parse,
# measured). One engine per thread serves every document instead.
_ENGINES = threading.local()


def _css(node: LexborNode, query: str) -> list[LexborNode]:
    """What node.css(query) returns."""
    engine = getattr(_ENGINES, "engine", None)
    if engine is None:
        engine = _ENGINES.engine = LexborCSSSelector()
    return engine.find(query, node)


def _css_first(node: LexborNode, query: str) -> LexborNode | None:
    """What node.css_first(query) returns (all matches are found: use on small subtrees)."""
    found = _css(node, query)
    return found[0] if found else None


# --- Text helpers -----------------------------------------------------------------------
def _inline_text(node: LexborNode) -> str:
    return inline_text(node, BLOCK_TAGS)


def _text(node: LexborNode | None) -> str:
    return clean(_inline_text(node)) if node is not None else ""


# --- The body walker --------------------------------------------------------------------
class _Block:
    """A run of inline content between block boundaries: text pieces, <br>s and images.
    What the caption rules ask of a block (any text? any image? all of it italic?) is
    kept up to date as items come in, so no rule scans the items again."""

    __slots__ = ("items", "centred", "kind", "has_text", "has_image", "has_upright_text")

    def __init__(self, centred: bool = False) -> None:
        self.items: list[tuple] = []  # ("t", text, italic) | ("br",) | ("img", Image)
        self.centred = centred
        self.kind = "p"  # "p" | "row" (a data-table row) | "figcaption"
        self.has_text = False  # a text piece that is not all whitespace
        self.has_image = False
        self.has_upright_text = False  # such a text piece that is not italic

    def add_text(self, text: str, italic: bool) -> None:
        self.items.append(("t", text, italic))
        if not text.isspace():
            self.has_text = True
            if not italic:
                self.has_upright_text = True

    def add_image(self, image: Image) -> None:
        self.items.append(("img", image))
        self.has_image = True

    def images(self) -> list[Image]:
        return [item[1] for item in self.items if item[0] == "img"]

    def text(self) -> str:
        items = self.items
        if len(items) == 1 and items[0][0] == "t":
            return clean(items[0][1])
        return clean(
            "".join([item[1] if item[0] == "t" else " " for item in items if item[0] != "img"])
        )

    def wholly_italic(self) -> bool:
        return self.has_text and not self.has_upright_text


@dataclass
class _CaptionTable:
    images: list[Image]


class _BodyWalker:
    """Turns the reading area into blocks (paragraphs, table rows, caption tables) and
    collects body links in page order."""

    def __init__(self, page_url: str):
        self.page_url = page_url
        self.blocks: list[_Block | _CaptionTable] = []
        self.links: list[Link] = []
        self.current: _Block | None = None
        self.flatten = 0  # > 0 inside a data-table row: blocks do not split it

    # Building blocks
    def _open(self, centred: bool) -> _Block:
        if self.current is None:
            self.current = _Block(centred=centred)
        return self.current

    def end_block(self, kind: str | None = None) -> None:
        block = self.current
        if block is None:
            return
        self.current = None
        if kind:
            block.kind = kind
        if block.has_text or block.has_image:
            self.blocks.append(block)

    def _add_text(self, text: str, italic: bool, centred: bool) -> None:
        block = self.current
        if block is None:
            if not text or text.isspace():
                return
            block = self.current = _Block(centred)
        elif not text:
            return
        block.add_text(text, italic)

    # Walking
    def walk(self, node: LexborNode, italic: bool = False, centred: bool = False) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                text = child.text_content
                if text:
                    block = self.current
                    blank = text.isspace()
                    if block is None:
                        if blank:
                            continue
                        block = self.current = _Block(centred)
                    block.items.append(("t", text, italic))  # _Block.add_text, inlined
                    if not blank:
                        block.has_text = True
                        if not italic:
                            block.has_upright_text = True
                continue
            if tag is None or tag in SKIP_TAGS or tag[0] == "-":
                continue
            if tag == "br":
                if self.current is not None:
                    self.current.items.append(("br",))
                continue
            child_italic = italic or tag in ITALIC_TAGS
            child_centred = centred or tag == "center"
            attrs = child.attributes  # read once: each read builds a dict
            if attrs:
                classes = attrs.get("class")
                if classes and not CHROME_CLASSES.isdisjoint(classes.split()):
                    continue
                if not child_italic:
                    child_italic = italic_style(attrs)
                if not child_centred:
                    child_centred = centred_attrs(attrs)
            if tag in BLOCK_TAGS and not self.flatten:
                self.end_block()
                first = child.first_child
                if first is not None and first.next is None and first.tag == "-text":
                    # One text node, as most paragraphs are: its block without a walk.
                    text = first.text_content
                    if text and not text.isspace():
                        block = _Block(child_centred)
                        block.add_text(text, child_italic)
                        if tag == "figcaption":
                            block.kind = "figcaption"
                        self.blocks.append(block)
                    continue
                self.walk(child, child_italic, child_centred)
                self.end_block("figcaption" if tag == "figcaption" else None)
            elif tag == "img":
                image = self._image(child, attrs)
                if image is not None:
                    self._open(child_centred).add_image(image)
            elif tag == "table":
                self._table(child, child_italic, child_centred)
            elif tag == "a":
                self._link(child)
                self.walk(child, child_italic, child_centred)
            elif tag in BLOCK_TAGS:  # inside a data-table row: blocks do not split it
                self._add_text(" ", italic, centred)
                self.walk(child, child_italic, child_centred)
                self._add_text(" ", italic, centred)
            else:
                self.walk(child, child_italic, child_centred)

    def _image(self, node: LexborNode, attrs: dict[str, str | None] | None = None) -> Image | None:
        if attrs is None:
            attrs = node.attributes
        url = resolve(self.page_url, attrs.get("src") or attrs.get("data-src"))
        if url is None:
            return None
        return Image(url=canonical(url), caption=None, alt=clean_or_none(attrs.get("alt")))

    def _link(self, node: LexborNode) -> None:
        url = resolve(self.page_url, node.attributes.get("href"))
        if url is None:
            return
        url = canonical(url)
        kind = "attachment" if is_file_url(url) else "body"
        target = article_id(url) if same_site(url, self.page_url) else None
        self.links.append(Link(kind=kind, url=url, text=_text(node) or None, target_id=target))

    def _table(self, table: LexborNode, italic: bool, centred: bool) -> None:
        if self.flatten:
            self._add_text(" ", italic, centred)
            self.walk(table, italic, centred)
            self._add_text(" ", italic, centred)
            return
        self.end_block()
        if _is_caption_table(table):
            self._caption_table(table)
            return
        for row in _rows(table):
            self.flatten += 1
            for cell in row.iter():
                tag = cell.tag
                if tag in ("td", "th"):
                    attrs = cell.attributes
                    self._add_text(" ", italic, centred)
                    self.walk(
                        cell,
                        italic or tag in ITALIC_TAGS or italic_style(attrs),
                        centred or tag == "center" or centred_attrs(attrs),
                    )
            self.flatten -= 1
            self.end_block("row")

    def _caption_table(self, table: LexborNode) -> None:
        # One walk of the (small) table instead of three css() calls, each of which
        # costs ~2.5 us however small the subtree is.
        images: list[Image] = []
        anchors: list[LexborNode] = []
        lead_caption = None
        lead_caption_unsure = False
        for node in table.traverse():
            tag = node.tag
            if tag == "img":
                image = self._image(node)
                if image is not None:
                    images.append(image)
            elif tag == "a":
                if "href" in node.attributes:
                    anchors.append(node)
            elif tag == "td" and lead_caption is None and not lead_caption_unsure:
                classes = node.attributes.get("class")
                if classes and LEAD_CAPTION_CLASS_FOLDED in classes.lower():
                    if LEAD_CAPTION_CLASS in _HTML_SPACE.split(classes):
                        lead_caption = node
                    else:  # a case the parser's class matching decides (quirks mode)
                        lead_caption_unsure = True
        if lead_caption_unsure:
            lead_caption = _css_first(table, LEAD_CAPTION)
        for anchor in anchors:
            self._link(anchor)
        captions = [_text(lead_caption)] if lead_caption is not None else _caption_cells(table)
        if len(captions) == len(images):
            for image, caption in zip(images, captions, strict=True):
                image.caption = caption or None
        elif images:
            images[0].caption = clean(" ".join(captions)) or None
        self.blocks.append(_CaptionTable(images))


def _rows(table: LexborNode):
    for child in table.iter():
        if child.tag == "tr":
            yield child
        elif child.tag in ("thead", "tbody", "tfoot"):
            yield from (row for row in child.iter() if row.tag == "tr")


def _is_caption_table(table: LexborNode) -> bool:
    if LEAD_TABLE_CLASS in (table.attributes.get("class") or "").split():
        return True
    if _css_first(table, "img") is None:
        return False
    text_rows = [row for row in _rows(table) if _css_first(row, "img") is None and _text(row)]
    return len(text_rows) <= 2 and len(_text(table)) <= CAPTION_TABLE_MAX_CHARS


def _caption_cells(table: LexborNode) -> list[str]:
    """Caption texts of a caption table: the text cells of its rows without an image."""
    texts: list[str] = []
    for row in _rows(table):
        if _css_first(row, "img") is not None:
            continue
        texts.extend(t for cell in row.iter() if cell.tag in ("td", "th") and (t := _text(cell)))
    return texts


def is_file_url(url: str) -> bool:
    path = url.split("?", 1)[0].split("#", 1)[0].lower()
    name = path.rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    if extension in FILE_EXTENSIONS:
        return True
    decoded = unquote(path)
    return any(d in decoded for d in FILE_DIRECTORIES) and extension not in IMAGE_EXTENSIONS


# --- From blocks to fields --------------------------------------------------------------
@dataclass
class _Body:
    paragraphs: list[tuple[str, str]]  # (text, block kind)
    images: list[Image]


def _assemble(blocks: list[_Block | _CaptionTable]) -> _Body:
    """Apply the caption rules (SITE.md section 7) and keep the rest as paragraphs."""
    paragraphs: list[tuple[str, str]] = []
    images: list[Image] = []
    index = 0
    while index < len(blocks):
        block = blocks[index]
        index += 1
        if isinstance(block, _CaptionTable):
            images.extend(block.images)
            continue
        if block.kind == "figcaption" and images and images[-1].caption is None:
            images[-1].caption = block.text() or None
            continue
        if not block.has_image:
            text = block.text()
            if text:
                paragraphs.append((text, block.kind))
            continue
        body_text, block_images, waiting = _split_image_block(block)
        images.extend(block_images)
        if body_text:
            paragraphs.append((body_text, block.kind))
        if waiting is not None and block.kind == "p" and index < len(blocks):
            following = blocks[index]
            if (
                isinstance(following, _Block)
                and following.kind in ("p", "figcaption")
                and not following.has_image
                and (
                    following.wholly_italic() or following.centred or following.kind == "figcaption"
                )
            ):
                waiting.caption = following.text() or None
                index += 1
    return _Body(paragraphs, images)


def _split_image_block(block: _Block) -> tuple[str, list[Image], Image | None]:
    """Split a block holding images into its body text, its images (with any caption
    written after a <br> following the image) and the image still waiting for a caption
    from the next block (when nothing but the image ends the block)."""
    body_parts: list[str] = []
    caption_parts: list[str] = []
    images: list[Image] = []
    last_image: Image | None = None
    state = "text"  # "text" | "after_image" | "caption"
    for item in block.items:
        kind = item[0]
        if kind == "img":
            if state == "caption" and last_image is not None:
                last_image.caption = clean("".join(caption_parts)) or None
            caption_parts = []
            last_image = item[1]
            images.append(last_image)
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
            if state == "caption":
                caption_parts.append(text)
            elif state == "after_image" and text.strip():
                state = "text"
                body_parts.append(text)
            else:
                body_parts.append(text)
    waiting = None
    if state == "caption" and last_image is not None:
        last_image.caption = clean("".join(caption_parts)) or None
        if last_image.caption is None:
            waiting = last_image
    elif state == "after_image":
        waiting = last_image
    return clean("".join(body_parts)), images, waiting


def _source(paragraphs: list[tuple[str, str]]) -> str | None:
    if len(paragraphs) < 2:
        return None
    text, kind = paragraphs[-1]
    if kind == "row" or len(text) > SOURCE_MAX_CHARS or text.endswith("."):
        return None
    return text


# --- Article pages ----------------------------------------------------------------------
def _label_text(node: LexborNode) -> str:
    return _text(node).lower()  # _text is NFC already


def _date(line: LexborNode) -> str | None:
    """The raw date text of the 'Ngày cập nhật' label in line (the date line, else the
    article frame), or None when there is no label."""
    for span in _css(line, "span"):
        own = _label_text(span)
        if own.startswith(DATE_LABEL):
            inner = next((c for c in span.iter() if c.tag == "span"), None)
            if inner is not None:
                return clean_or_none(_inline_text(inner))
            rest = clean(_text(span)[len(DATE_LABEL) :]).lstrip(":").strip()
            return find_dmy(rest) or rest or None
    text = _text(line)
    position = unicodedata.normalize("NFC", text).lower().find(DATE_LABEL)
    if position < 0:
        return None
    rest = text[position + len(DATE_LABEL) :].lstrip(" :")
    return find_dmy(rest) or clean_or_none(rest)


def _category_id(crumb: LexborNode | None, page_url: str) -> str | None:
    """The article's own category id: the cn of the breadcrumb's last listing link."""
    if crumb is None:
        return None
    page_base = _page_base(page_url)
    found = None
    for node in crumb.traverse():  # a few nodes: cheaper than a css() call
        if node.tag == "a":
            href = node.attributes.get("href")
            if href is not None and (category := _listing_category(page_base, href)) is not None:
                found = category
    return found


@lru_cache(maxsize=MEMO)
def _listing_category(page_base: str, href: str) -> str | None:
    """The category id of a listing link, None for any other link."""
    target = resolve(page_base, href)
    if target and is_listing_url(target):
        return query_params(target)[CATEGORY_PARAM]
    return None


def _category(crumb: LexborNode | None) -> str | None:
    """The breadcrumb as 'A >> B': cleaned first (so a separator that an invisible character
    split is still one), then split on any separator; empty parts dropped."""
    if crumb is None:
        return None
    return _category_text(_inline_text(crumb))


@lru_cache(maxsize=MEMO)
def _category_text(raw: str) -> str | None:
    parts = [clean(part) for part in BREADCRUMB_SEPARATOR.split(clean(raw))]
    return " >> ".join(part for part in parts if part) or None


_RELATED_DATE_TEXT = re.compile(r"\(\s*(\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{4})\s*\)\s*$")


def _related_link(anchor: LexborNode, kind: str, page_base: str, today: date) -> Link | None:
    # A related-list anchor holds inline text only (title, then the date span), so the
    # parser's own text() is right here and far cheaper than walking the nodes.
    fields = _related_fields(page_base, anchor.attrs.get("href") or "", anchor.text(), today)
    if fields is None:
        return None
    url, text, target, published, dated_in_text = fields
    if not dated_in_text:
        # The date printed after the anchor instead: "<a>title</a> <span>(dd/mm/yyyy)</span>".
        # (A date the raw text ends with is still there once cleaned, so dated_in_text
        # is False only when the raw text has none either.)
        sibling = anchor.next
        while (
            sibling is not None
            and sibling.tag == "-text"
            and not (sibling.text_content or "").strip()
        ):
            sibling = sibling.next
        if sibling is not None and sibling.tag == "span":
            date_text = find_dmy(sibling.text())
            if date_text:
                published = _parse_dmy(date_text, today)
    return Link(kind, url, text, target, published)


@lru_cache(maxsize=MEMO)
def _related_fields(
    page_base: str, href: str, raw_text: str, today: date
) -> tuple[str, str | None, str | None, str | None, bool] | None:
    """(url, text, target_id, date, whether the date came from the text) of a related-list
    link; the same link recurs on many pages."""
    url = resolve(page_base, href)
    if url is None:
        return None
    url = canonical(url)
    text = clean(raw_text)
    match = _RELATED_DATE_TEXT.search(text)
    published = None
    if match:
        published = parse_dmy(match.group(1), today=today)
        text = text[: match.start()].rstrip()
    target = article_id(url) if same_site(url, page_base) else None
    return url, text or None, target, published, match is not None


@lru_cache(maxsize=MEMO)
def _parse_dmy(text: str, today: date) -> str | None:
    return parse_dmy(text, today=today)


def _related_links(
    root: LexborNode,
    page_url: str,
    today: date,
    same_group: LexborNode | None,
    other_news: LexborNode | None,
) -> list[Link]:
    links: list[Link] = []
    found_box = False
    page_base = _page_base(page_url)
    for box, box_kind in ((same_group, "same_group"), (other_news, "other_news")):
        if box is None:
            continue
        found_box = True
        links.extend(
            link
            for anchor in _css(box, RELATED_LINK)
            if (link := _related_link(anchor, box_kind, page_base, today)) is not None
        )
    if found_box:
        return links
    # Without the boxes' ids: each link belongs to the list whose heading precedes it.
    kind: str | None = None
    for node in _css(root, f"{RELATED_HEADING}, {RELATED_LINK}"):
        if node.tag != "a":
            heading = _label_text(node)
            if SAME_GROUP_LABEL in heading:
                kind = "same_group"
            elif OTHER_NEWS_LABEL in heading:
                kind = "other_news"
            continue
        link = _related_link(node, kind or "other_news", page_base, today)
        if link is not None:
            links.append(link)
    return links


_LANDMARKS = (FRAME, BREADCRUMB, TITLE, DATE_LINE, READ, SAME_GROUP_BOX, OTHER_NEWS_BOX)
_DIV_CLASS_LANDMARKS = [sel for sel in _LANDMARKS if sel.startswith("div.")]
# `div:is(.a, .b)` matches what `div.a, div.b` does; Lexbor's cost grows with the number
# of selectors in a list (measured on replica pages: 19 us for this form, 30 for the list).
_LANDMARK_SELECTOR = ", ".join(
    [f"div:is({', '.join(sel[3:] for sel in _DIV_CLASS_LANDMARKS)})"]
    + [sel for sel in _LANDMARKS if sel not in _DIV_CLASS_LANDMARKS]
)
_BY_CLASS = {sel.split(".", 1)[1]: sel for sel in _LANDMARKS if "." in sel}
_BY_ID = {sel[1:]: sel for sel in _LANDMARKS if sel.startswith("#")}


def _landmarks(root: LexborNode) -> dict[str, LexborNode]:
    """The first node matching each landmark selector, from one pass over the page (one
    css() call costs what ten css_first() calls would)."""
    found: dict[str, LexborNode] = {}
    for node in _css(root, _LANDMARK_SELECTOR):
        attrs = node.attributes
        keys = [_BY_CLASS[c] for c in (attrs.get("class") or "").split() if c in _BY_CLASS]
        node_id = attrs.get("id")
        if node_id in _BY_ID:
            keys.append(_BY_ID[node_id])
        for key in keys:
            found.setdefault(key, node)
    return found


def _extract(tree: LexborHTMLParser, url: str, today: date | None) -> Article:
    root = tree.body or tree.root
    if root is None:
        raise NotAnArticle(f"empty page: {url}")
    marks = _landmarks(root)
    title_node, reading = marks.get(TITLE), marks.get(READ)
    if title_node is None and reading is None:
        raise NotAnArticle(f"no article on the page: {url}")
    frame = marks.get(FRAME) or root
    crumb = marks.get(BREADCRUMB)
    from scraper.dates import today_in_vietnam

    today = today or today_in_vietnam()

    walker = _BodyWalker(url)
    if reading is not None:
        walker.walk(reading)
        walker.end_block()
    body = _assemble(walker.blocks)
    published_raw = _date(marks.get(DATE_LINE) or frame)
    captions = [image.caption for image in body.images if image.caption]
    identity = article_id(url)
    published = _parse_dmy(published_raw, today) if published_raw else None
    return Article(
        id=identity,
        url=article_url(url, _category_id(crumb, url)) if identity else canonical(url),
        site=id_host(host_of(url)),
        category=_category(crumb),
        title=clean_or_none(_inline_text(title_node)) if title_node is not None else None,
        published=published,
        published_raw=published_raw,
        body="\n\n".join(text for text, _ in body.paragraphs) or None,
        source=_source(body.paragraphs),
        captions=captions,
        images=body.images,
        links=walker.links
        + _related_links(frame, url, today, marks.get(SAME_GROUP_BOX), marks.get(OTHER_NEWS_BOX)),
        profile="tt",
        published_source="label" if published else None,
    )


def extract_article(html: str, url: str, *, today: date | None = None) -> Article:
    """The Article of a TT-CMS article page. Raises NotAnArticle for other pages."""
    return _extract(LexborHTMLParser(html), url, today)


# --- Listing pages ----------------------------------------------------------------------
@dataclass
class PagerLink:
    """A postback pager link: javascript:__doPostBack('<target>','<argument>')."""

    target: str
    argument: str
    text: str | None = None
    page: int | None = None  # the page number when the argument is 'Page$N'

    @property
    def is_next(self) -> bool:
        """The pager's "next page" link (argument 'Page$Next')."""
        return self.argument.lower() == "page$next"


@dataclass
class Form:
    """The page's ASP.NET form: where it posts and every field it would send."""

    action: str
    method: str = "post"
    fields: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class DateBrowse:
    """The "Xem tin theo ngày" box: the Xem link's postback target and the names of its
    day, month and year selects with their option values (SITE.md 7: read from the form)."""

    target: str
    day: tuple[str, dict[int, str]]
    month: tuple[str, dict[int, str]]
    year: tuple[str, dict[int, str]]


@dataclass
class PostbackListing(Listing):
    """A TT listing page: the generic Listing plus the ASP.NET form and postback links
    its pager is made of (the `pager` entries are these links turned into requests), and
    the date-browse box when the page has one."""

    form: Form | None = None
    postbacks: list[PagerLink] = field(default_factory=list)
    date_browse: DateBrowse | None = None


def _int_options(select: LexborNode) -> dict[int, str]:
    values: dict[int, str] = {}
    for option in _css(select, "option"):
        value = (option.attributes.get("value") or clean(option.text())).strip()
        if value.isdigit():
            values.setdefault(int(value), value)
    return values


def _date_browse(root: LexborNode) -> DateBrowse | None:
    """The date-browse box: its selects told apart by their options (days 1-31, months
    1-12, four-digit years), and the postback of its "Xem" link."""
    target = None
    for anchor in _css(root, "a[href]"):
        if clean(anchor.text()).lower() == DATE_BROWSE_LINK_TEXT:
            match = POSTBACK.search(anchor.attributes.get("href") or "")
            if match:
                target = match.group(1)
                break
    if target is None:
        return None
    found: dict[str, tuple[str, dict[int, str]]] = {}
    for select in _css(root, "select[name]"):
        options = _int_options(select)
        if not options:
            continue
        low, high = min(options), max(options)
        kind = (
            "year" if low >= 1990 and high < 2100
            else "day" if low == 1 and high >= 28 and high <= 31
            else "month" if low == 1 and high == 12
            else None
        )  # fmt: skip
        if kind and kind not in found:
            found[kind] = (select.attributes["name"] or "", options)
    if len(found) != 3:
        return None
    return DateBrowse(target, found["day"], found["month"], found["year"])


def day_request(listing: Listing, day: date) -> PageRequest | None:
    """The postback that lists one day's articles, from a page with the date-browse box."""
    if not isinstance(listing, PostbackListing) or listing.form is None:
        return None
    browse = listing.date_browse
    if browse is None:
        return None
    chosen = {}
    for (name, options), value in (
        (browse.day, day.day),
        (browse.month, day.month),
        (browse.year, day.year),
    ):
        if value not in options:
            return None  # a year the select does not offer
        chosen[name] = options[value]
    data = [
        (name, chosen.get(name, value))
        for name, value in postback_data(listing.form, browse.target, "")
    ]
    return PageRequest(listing.form.action, tuple(data))


def _form(root: LexborNode, page_url: str) -> Form | None:
    form = _css_first(root, "form")
    if form is None:
        return None
    action = resolve(page_url, form.attributes.get("action")) or page_url
    fields: list[tuple[str, str]] = []
    for node in _css(form, "input, select, textarea"):
        name = node.attributes.get("name")
        if not name or "disabled" in node.attributes:
            continue
        if node.tag == "input":
            kind = (node.attributes.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                continue
            if kind in ("checkbox", "radio") and "checked" not in node.attributes:
                continue
            value = node.attributes.get("value")
            fields.append(
                (name, value if value is not None else ("on" if kind == "checkbox" else ""))
            )
        elif node.tag == "select":
            options = _css(node, "option")
            chosen = next(
                (o for o in options if "selected" in o.attributes), options[0] if options else None
            )
            if chosen is not None:
                value = chosen.attributes.get("value")
                fields.append((name, value if value is not None else clean(chosen.text())))
        else:
            fields.append((name, node.text() or ""))
    return Form(
        action=canonical(action),
        method=(form.attributes.get("method") or "get").lower(),
        fields=fields,
    )


def postback_data(form: Form, target: str, argument: str) -> list[tuple[str, str]]:
    """The fields a browser posts for javascript:__doPostBack(target, argument)."""
    data = [(k, v) for k, v in form.fields if k not in ("__EVENTTARGET", "__EVENTARGUMENT")]
    return [("__EVENTTARGET", target), ("__EVENTARGUMENT", argument), *data]


def _page_links(form: Form | None, postbacks: list[PagerLink]) -> list[PageLink]:
    """The pager as requests: each postback link is the form posted back with its event.
    The form's viewstate must come from the same listing, or page 1 comes back (SITE.md 7),
    which is why the request is built from this page's form."""
    if form is None:
        return []
    return [
        PageLink(
            request=PageRequest(
                form.action, tuple(postback_data(form, link.target, link.argument))
            ),
            page=link.page,
            is_next=link.is_next,
            text=link.text,
        )
        for link in postbacks
    ]


@lru_cache(maxsize=MEMO)
def _classify(page_base: str, href: str) -> tuple[str, str | None, str | None]:
    """What a same-page href is: ("article", canonical URL, id), ("listing", canonical URL,
    category id), ("postback", target, argument) or ("other", None, None). page_base is the
    page URL without its query (all that resolution needs), so pages share entries."""
    if href.lstrip().lower().startswith("javascript:"):
        match = POSTBACK.search(href)
        return ("postback", match[1], match[2]) if match else ("other", None, None)
    absolute = href.strip()
    if absolute.startswith(("http://", "https://")):
        # Resolving keeps a non-empty host: another site's link (a share button carrying
        # this page's URL, new on every page) needs no urljoin to be told apart.
        host = host_of(absolute)
        if host and id_host(host) != id_host(host_of(page_base)):
            return ("other", None, None)
    url = resolve(page_base, href)
    if url is None or not same_site(url, page_base):
        return ("other", None, None)
    key = article_id(url)
    if key is not None:
        return ("article", canonical(url), key)
    if is_listing_url(url):
        return ("listing", canonical(url), query_params(url)[CATEGORY_PARAM])
    return ("other", None, None)


def _page_base(url: str) -> str:
    return url.split("#", 1)[0].split("?", 1)[0]


def _article_links(nodes, page_url: str) -> list[str]:
    seen: dict[str, str] = {}
    base = _page_base(page_url)
    # Each distinct href once, in page order: menus and related lists repeat links.
    for href in dict.fromkeys([anchor.attrs.get("href") or "" for anchor in nodes]):
        kind, url, key = _classify(base, href)
        if url is None or key is None:  # "other"
            continue
        if kind == "article" and key not in seen:
            seen[key] = url
    return list(seen.values())


def _listing(tree: LexborHTMLParser, url: str) -> PostbackListing:
    root = tree.body or tree.root
    if root is None:
        return PostbackListing(url=canonical(url))
    boxes = _css(root, LISTING_BOX)
    main = _article_links((a for box in boxes for a in _css(box, "a[href]")), url) if boxes else []
    everywhere = _article_links(_css(root, "a[href]"), url)
    if not boxes:
        main, everywhere = everywhere, []
    main_set = set(main)
    pages: dict[str, str] = {}
    pager: list[PagerLink] = []
    seen_postbacks: set[tuple[str, str]] = set()
    base = _page_base(url)
    for anchor in _css(root, "a[href]"):
        kind, first, second = _classify(base, anchor.attributes.get("href") or "")
        if first is None or second is None:  # "other"
            continue
        if kind == "listing":
            pages.setdefault(second, first)
        elif (
            kind == "postback"
            and second.startswith("Page$")
            and (first, second) not in seen_postbacks
        ):
            seen_postbacks.add((first, second))
            number = PAGER_ARGUMENT.match(second)
            pager.append(
                PagerLink(
                    target=first,
                    argument=second,
                    text=clean_or_none(anchor.text()),
                    page=int(number.group(1)) if number else None,
                )
            )
    form = _form(root, url)
    return PostbackListing(
        date_browse=_date_browse(root),
        url=canonical(url),
        article_urls=main,
        linked_urls=[u for u in everywhere if u not in main_set],
        page_urls=list(pages.values()),
        pager=_page_links(form, pager),
        form=form,
        postbacks=pager,
    )


def parse_listing(html: str, url: str) -> PostbackListing:
    """Article links, category pages, postback pager and form of any TT-CMS page."""
    return _listing(LexborHTMLParser(html), url)


def parse_page(html: str, url: str, *, today: date | None = None) -> Page:
    """Article and listing view of a page from a single parse (what the crawler uses).
    For an article page the listing holds only the article links found elsewhere on the
    page (sidebars): an article page has no pager to post back and its menu is the home
    page's."""
    tree = LexborHTMLParser(html)
    try:
        article = _extract(tree, url, today)
    except NotAnArticle:
        return Page(article=None, listing=_listing(tree, url))
    root = tree.body or tree.root
    assert root is not None  # _extract raised NotAnArticle on a page without a root
    linked = {link.target_id for link in article.links if link.target_id}
    others = [u for u in _article_links(_css(root, "a[href]"), url) if article_id(u) not in linked]
    return Page(article=article, listing=Listing(url=article.url, linked_urls=others))


# --- The profile ------------------------------------------------------------------------
MARKUP_MARKERS = ("TT_TinChiTiet_", "TMCD2_")


class TTProfile:
    """The TT CMS as a `scraper.sites.profile.Profile`."""

    name = "tt"

    def claims_url(self, url: str) -> bool:
        return article_id(url) is not None or is_listing_url(url)

    def claims_markup(self, html: str) -> bool:
        return any(marker in html for marker in MARKUP_MARKERS)

    def article_id(self, url: str) -> str | None:
        return article_id(url)

    def is_listing_url(self, url: str) -> bool:
        return is_listing_url(url)

    def extract_article(self, html: str, url: str, *, today: date | None = None) -> Article:
        return extract_article(html, url, today=today)

    def parse_page(self, html: str, url: str, *, today: date | None = None) -> Page:
        return parse_page(html, url, today=today)

    def parse_listing(self, html: str, url: str) -> Listing:
        return parse_listing(html, url)

    def next_page(self, listing: Listing, page: int) -> PageRequest | None:
        # A pager with only "next" links (ASP.NET's NextPrevious mode) is followed too.
        return next_from_pager(listing, page)

    def seeds(self, start_url: str) -> list[str]:
        # The home page lists the newest articles and links every category (SITE.md 7).
        return [canonical(start_url)]

    def day_request(self, listing: Listing, day: date) -> PageRequest | None:
        return day_request(listing, day)

    def probe_url(self, start_url: str, number: int) -> str | None:
        parts = urlsplit(start_url)
        return article_url(f"{parts.scheme}://{parts.netloc}{parts.path or '/'}?tc={number}")

    def probe_number(self, article_id: str) -> int | None:
        tail = article_id.rsplit("/", 1)[-1]
        return int(tail) if tail.isdigit() else None


PROFILE = TTProfile()
