"""Chrome removal for any page: what is never article text, found by generic markers only.

Owns the words and tags that mark boilerplate on any site (menus, share bars, comments,
related lists, sidebars, footers, newsletter and cookie boxes, ads), the removal of such
elements from a parsed page before the main content is looked for, and the collection of
the related-article links they hold (they are removed, but their links are kept).
No site's class names here: only generic English words and ARIA roles.
"""

from __future__ import annotations

import re
from functools import lru_cache

from selectolax.lexbor import LexborNode

# Elements that never hold article text.
DROP_TAGS = (
    "script, style, noscript, template, svg, iframe, object, embed, canvas, button, select, "
    "textarea, input, label, dialog, nav, footer, aside, menu"
)
# Class/id words of chrome. A token is a run of letters in the class or id.
CHROME_TOKENS = frozenset(
    "nav navbar navigation navi menu menus mainmenu submenu topmenu footer foot share shares "
    "sharing sharebar social socials comment comments commentlist disqus related relatedposts "
    "sidebar widget widgets promo promos promotion newsletter newsletters ad ads adv advert "
    "adverts advertisement advertising adslot adunit banner breadcrumb breadcrumbs cookie "
    "cookies consent gdpr subscribe subscription signup popup modal overlay sponsor sponsored "
    "masthead toolbar tags tagcloud pagination pager print outbrain taboola recommended "
    "trending popular mostread most readmore moreinfo rightcol leftcol skip skiplink "
    "login register author-bio bio tools utility byline dateline paywall".split()
)
# Substrings that mark chrome even inside a compound word ("sharebuttons", "relatedArticles").
CHROME_PARTS = (
    "share",
    "social",
    "comment",
    "related",
    "sidebar",
    "newsletter",
    "breadcrumb",
    "cookie",
    "promo",
    "widget",
    "subscri",
    "advert",
    "footer",
    "navbar",
    "navigation",
    "banner",
    "recommend",
    "popular",
    "trending",
)
# Words that may name the whole page's wrapper ("has-sidebar", "content-with-comments"):
# an element also named with one of these is kept.
KEEP_PARTS = (
    "article",
    "content",
    "entry",
    "main",
    "post",
    "story",
    "body",
    "text",
    "page",
    "embed",
    "tweet",
    "quote",
)
# Names are read on boxes only, not on inline elements (a, span, li, img are 40 % of the
# named elements of a page and sit inside a box when they are chrome). One broad
# selector and a tag test cost a quarter of a selector list naming each box tag.
BOXES = frozenset("div section ul ol dl p table td header form h2 h3 h4 h5 h6".split())
NAMED = "[class], [id], [role], [hidden], [style], [aria-hidden]"
# Inline pop-ups (a person's card shown on hover) hold text that is not the article's.
_POPUP = re.compile(r"rollover|tooltip|popover|hovercard|popup", re.IGNORECASE)
CHROME_ROLES = frozenset("navigation banner contentinfo complementary search menu menubar".split())
# An element holding one of these holds the article: never chrome, whatever its name.
ARTICLE_MARKS = "h1, article, [itemprop=articleBody], [itemprop=headline]"
_CHROME = re.compile(
    r"(?<![a-z])(?:"
    + "|".join(sorted(CHROME_TOKENS, key=len, reverse=True))
    + r")(?![a-z])|"
    + "|".join(CHROME_PARTS)
)
# The same generic words in Vietnamese, as CMSs write them without diacritics
# ("ChanTrang" footer, "BanQuyen" copyright, "CotPhai" right column, "ThongKe" counters,
# "ChiaSe" share, "LienQuan" related, "GopY" feedback, "QuangCao" ads, "LienKet" links).
_CHROME_VI = re.compile(
    r"chan\W?trang|ban\W?quyen|cot\W?(?:trai|phai)|thong\W?ke|chia\W?se|lien\W?quan"
    r"|\bgop\W?y\b|quang\W?cao|tin\W?khac|lien\W?ket|dang\W?nhap|binh\W?luan"
)
_KEEP = re.compile("|".join(KEEP_PARTS) + r"|noi\W?dung")
_CAMEL = re.compile(r"([a-z])([A-Z])")

# Headings of related-article lists and other boxes in Vietnamese and English.
RELATED_LABELS = re.compile(
    r"^(?:tin|bài|bài viết|tin tức)\s+(?:liên quan|khác|cùng chuyên mục|cùng loại|cùng nhóm|mới"
    r"|đã đưa)"
    r"|^(?:các|những)\s+(?:tin|bài)\s+(?:khác|liên quan|đã đưa)"
    r"|^(?:đọc|xem)\s+(?:nhiều|thêm|tiếp)|^tin\s+nổi\s+bật|^tiêu\s+điểm"
    r"|^(?:related|more|read more|recommended|most (?:read|popular|viewed)|popular|trending"
    r"|you may also like|see also|also read|further reading|latest|more from|more on)\b",
    re.IGNORECASE,
)


# Lines that are page chrome whatever their markup: copyright, visitor counters, tools.
CHROME_LINE = re.compile(
    r"^(?:bản quyền|copyright|©|\(c\)\s|all rights reserved|lượt truy cập|truy cập"
    r"|đang (?:online|truy cập)|thống kê truy cập|góp ý|in bài viết|gửi email|quay lại"
    r"|chia sẻ|share this|sharing is caring|follow us|theo dõi chúng tôi"
    r"|(?:read|see) more\s*:|(?:also|further) read(?:ing)?\s*:|related\s*:|don'?t miss"
    r"|(?:xem|đọc) (?:thêm|tiếp)\s*:|\d+\s+(?:comments?|bình luận)$)",
    re.IGNORECASE,
)


def chrome_name(attrs: dict) -> bool:
    """True when an element's class or id names chrome (and not also the content)."""
    names = attrs.get("class")
    ident = attrs.get("id")
    if ident:
        names = f"{names} {ident}" if names else ident
    return bool(names) and _chrome_words(names)


@lru_cache(maxsize=16384)
def _chrome_words(names: str) -> bool:
    low = _CAMEL.sub(r"\1 \2", names).lower()
    chrome = _CHROME.search(low) is not None or _CHROME_VI.search(low) is not None
    return chrome and _KEEP.search(low) is None


def hidden(attrs: dict) -> bool:
    if "hidden" in attrs or (attrs.get("aria-hidden") or "").lower() == "true":
        return True
    style = attrs.get("style")
    if style:
        style = style.replace(" ", "").lower()
        return "display:none" in style or "visibility:hidden" in style
    return False


def remove_chrome(root: LexborNode, page_url: str, links: list) -> None:
    """Drop every chrome element from the tree (in place), keeping the links of related
    lists in `links`. An element is spared when it holds most of the page's text or the
    article's own marks (a whole-page wrapper with an unlucky class name)."""
    from scraper.sites.generic.links import related_links

    boxes = []
    for node in root.css(DROP_TAGS):
        if node.tag in ("nav", "aside", "footer", "menu"):
            boxes.append(node)
        else:
            node.decompose(recursive=False)
    total = len(root.text())
    for node in boxes:
        size = len(node.text())
        if size > 500 and (size > 0.5 * total or node.css_first(ARTICLE_MARKS) is not None):
            continue
        node.decompose(recursive=False)
    flagged = []
    for node in root.css(NAMED):
        tag = node.tag
        if tag in ("html", "body", "article", "main"):
            continue
        attrs = node.attributes
        role = attrs.get("role")
        if (
            (tag in BOXES and chrome_name(attrs))
            or (tag == "span" and _POPUP.search(attrs.get("class") or ""))
            or hidden(attrs)
            or (role and role.lower() in CHROME_ROLES)
        ):
            names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower()
            flagged.append((node, True, names))
    if not flagged:
        return
    removed: set[int] = set()
    for node, check_size, names in flagged:
        key = node.mem_id
        if _inside_removed(node, removed):
            continue
        if check_size:
            size = len(node.text())
            if size > 500 and (size > 0.5 * total or node.css_first(ARTICLE_MARKS) is not None):
                continue
            if "relat" in names or "recommend" in names:
                links.extend(related_links(node, page_url))
        removed.add(key)
        # Detach without freeing: other flagged nodes inside it stay valid.
        node.decompose(recursive=False)


def _inside_removed(node: LexborNode, removed: set[int]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.mem_id in removed:
            return True
        parent = parent.parent
    return False
