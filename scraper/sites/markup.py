"""HTML reading every profile's body walker shares, whatever the CMS: the tags whose
content is never text, a subtree's inline text with block boundaries kept as spaces, and
the inline styles that make text italic or centred (what caption rules ask)."""

from __future__ import annotations

from selectolax.lexbor import LexborNode

SKIP_TAGS = frozenset(
    "script style noscript template iframe object embed input select textarea button "
    "option map area svg head title meta link".split()
)
ITALIC_TAGS = frozenset({"em", "i"})
TABLE_PARTS = frozenset({"td", "th", "tr", "table"})


def italic_style(attrs: dict[str, str | None]) -> bool:
    """The element's style says font-style: italic (CSS keywords ignore case)."""
    style = attrs.get("style")
    if not style:
        return False
    style = style.lower()
    return "italic" in style and "font-style:italic" in style.replace(" ", "")


def centred_attrs(attrs: dict[str, str | None]) -> bool:
    """align="center", or a style that says text-align: center."""
    if (attrs.get("align") or "").strip().lower() == "center":
        return True
    style = attrs.get("style")
    if not style:
        return False
    style = style.lower()
    return "center" in style and "text-align:center" in style.replace(" ", "")


def inline_text(node: LexborNode, block_tags: frozenset[str]) -> str:
    """Visible text of a subtree with <br>, table cells and block_tags as spaces
    (selectolax's text() glues them together), scripts and styles left out. Not cleaned."""
    parts: list[str] = []
    _collect(node, parts, block_tags)
    return "".join(parts)


def _collect(node: LexborNode, parts: list[str], block_tags: frozenset[str]) -> None:
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            parts.append(child.text_content or "")
        elif tag is None or tag in SKIP_TAGS or tag[0] == "-":
            continue
        elif tag == "br":
            parts.append(" ")
        elif tag in block_tags or tag in TABLE_PARTS:
            parts.append(" ")
            _collect(child, parts, block_tags)
            parts.append(" ")
        else:
            _collect(child, parts, block_tags)
