"""Where the article's text is on a page nobody described: main-content scoring.

Owns the choice of the element(s) holding the article body on an unknown layout. Every
run of text is attributed to its nearest block element (a "paragraph"); paragraphs with
enough text score by length and commas and lend their score to their ancestors; link
text counts against. The best-scoring ancestor wins (readability's scheme, adapted to a
one-pass walk of the Lexbor tree), then siblings that look like more of the same
article are added. What a page declares wins over scores: a single element marked
`itemprop=articleBody`, or an <article> holding most of the paragraph text.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre center section article "
    "header footer address figure figcaption hr main aside nav details summary table tr td "
    "th tbody thead tfoot caption form fieldset body html".split()
)
POSITIVE = re.compile(
    r"article|body|content|entry|hentry|main|post|text|blog|story|detail|noi_?dung|chi_?tiet",
    re.IGNORECASE,
)
NEGATIVE = re.compile(
    r"comment|meta|footer|footnote|sidebar|widget|related|share|social|promo|sponsor|nav|menu"
    r"|banner|combx|masthead|media|hidden|shoutbox|tags|outbrain|teaser|card|list",
    re.IGNORECASE,
)
TAG_WEIGHT = {
    "div": 5,
    "article": 5,
    "main": 5,
    "section": 3,
    "pre": 3,
    "td": 3,
    "blockquote": 3,
    "address": -3,
    "ol": -3,
    "ul": -3,
    "dl": -3,
    "dd": -3,
    "dt": -3,
    "li": -3,
    "form": -3,
    "h1": -5,
    "h2": -5,
    "h3": -5,
    "h4": -5,
    "h5": -5,
    "h6": -5,
    "th": -5,
}
MIN_PARAGRAPH = 25
SELF_SCORING = frozenset("div td section article main".split())


class _Candidate:
    __slots__ = ("node", "score", "final")

    def __init__(self, node: LexborNode):
        self.node = node
        self.score = _class_weight(node) + TAG_WEIGHT.get(node.tag or "", 0)
        self.final = 0.0


def _class_weight(node: LexborNode) -> float:
    attrs = node.attributes
    weight = 0.0
    for key in ("class", "id"):
        value = attrs.get(key)
        if value:
            if NEGATIVE.search(value):
                weight -= 25
            if POSITIVE.search(value):
                weight += 25
    if (attrs.get("itemprop") or "").lower() == "articlebody":
        weight += 50
    return weight


def paragraphs(root: LexborNode) -> dict[int, list]:
    """{block mem_id: [block node, text length, link text length, commas]} for every block
    element holding text of its own (text nodes whose nearest block ancestor it is)."""
    own: dict[int, list] = {}
    for node in root.traverse(include_text=True):
        if node.tag != "-text":
            continue
        text = node.text_content
        if not text or text.isspace():
            continue
        size = len(text.strip())
        in_link = False
        parent = node.parent
        while parent is not None:
            tag = parent.tag
            if tag in BLOCK_TAGS:
                break
            if tag == "a":
                in_link = True
            parent = parent.parent
        else:
            continue
        key = parent.mem_id
        entry = own.get(key)
        if entry is None:
            entry = own[key] = [parent, 0, 0, 0]
        entry[1] += size
        if in_link:
            entry[2] += size
        entry[3] += text.count(",") + text.count("，")
    return own


def link_density(node: LexborNode) -> float:
    size = len(node.text())
    if not size:
        return 0.0
    links = sum(len(a.text()) for a in node.css("a"))
    return min(1.0, links / size)


def score(root: LexborNode) -> tuple[dict[int, _Candidate], list[_Candidate]]:
    """Candidates by mem_id, and the best ones sorted by final score (best first)."""
    candidates: dict[int, _Candidate] = {}
    for node, size, link_size, commas in paragraphs(root).values():
        if size < MIN_PARAGRAPH:
            continue
        value = (1 + commas + min(size / 100, 3)) * (1 - link_size / size)
        if value <= 0:
            continue
        # A div/td holding text of its own is a paragraph and a container at once
        # (a CMS that writes paragraphs as text and <br>s): it scores itself too.
        if node.tag in SELF_SCORING:
            key = node.mem_id
            candidate = candidates.get(key)
            if candidate is None:
                candidate = candidates[key] = _Candidate(node)
            candidate.score += value
            level = 1  # then its parent is one level further up
        else:
            level = 0
        ancestor = node.parent
        while ancestor is not None and level < 5:
            if ancestor.tag in ("html", "#document"):
                break
            key = ancestor.mem_id
            candidate = candidates.get(key)
            if candidate is None:
                candidate = candidates[key] = _Candidate(ancestor)
            divider = 1 if level == 0 else 2 if level == 1 else level * 3
            candidate.score += value / divider
            ancestor = ancestor.parent
            level += 1
    ranked = sorted(candidates.values(), key=lambda c: c.score, reverse=True)[:12]
    for candidate in ranked:
        candidate.final = candidate.score * (1 - link_density(candidate.node))
    ranked.sort(key=lambda c: c.final, reverse=True)
    return candidates, ranked


def _contains(ancestor: LexborNode, node: LexborNode) -> bool:
    target = ancestor.mem_id
    current: LexborNode | None = node
    while current is not None:
        if current.mem_id == target:
            return True
        current = current.parent
    return False


def _final(candidates: dict[int, _Candidate], node: LexborNode) -> float | None:
    candidate = candidates.get(node.mem_id)
    if candidate is None:
        return None
    if not candidate.final:
        candidate.final = candidate.score * (1 - link_density(node))
    return candidate.final


def declared_root(root: LexborNode) -> tuple[LexborNode | None, bool]:
    """(element, whole): the one element the page marks as the article body
    (itemprop=articleBody: taken whole), else the <article> holding most of the text
    (scored inside), else (None, False)."""
    marked = [n for n in root.css("[itemprop=articleBody], [itemprop=articlebody]")]
    if len(marked) == 1 and len(marked[0].text()) >= 200:
        return marked[0], True
    articles = [(len(n.text()), n) for n in root.css("article")]
    articles = [(size, n) for size, n in articles if size >= 500]
    if not articles:
        return None, False
    articles.sort(key=lambda a: a[0], reverse=True)
    if len(articles) == 1 or articles[0][0] > 2 * articles[1][0]:
        return articles[0][1], False
    return None, False


def main_content(root: LexborNode) -> list[LexborNode]:
    """The elements holding the article body, in page order (the best candidate and the
    siblings that belong with it); [] when the page has no run of text at all."""
    declared, whole = declared_root(root)
    if declared is not None:
        if whole:
            return [declared]
        found = _main_content(declared)
        if found:
            return found
    return _main_content(root)


def _main_content(root: LexborNode) -> list[LexborNode]:
    candidates, ranked = score(root)
    if not ranked:
        return []
    top = ranked[0]
    top_node = top.node
    # Several near-equal candidates under one ancestor: the ancestor is the article.
    alternatives = [c.node for c in ranked[1:6] if c.final >= 0.75 * top.final]
    if len(alternatives) >= 3:
        parent = top_node.parent
        while parent is not None and parent.tag not in ("body", "html"):
            inside = sum(1 for alt in alternatives if _contains(parent, alt))
            if inside >= 3:
                top_node = parent
                break
            parent = parent.parent
    # Climb while the parent scores better (the text was split across children).
    last = _final(candidates, top_node) or top.final
    threshold = last / 3
    parent = top_node.parent
    while parent is not None and parent.tag not in ("body", "html"):
        parent_score = _final(candidates, parent)
        if parent_score is None:
            parent = parent.parent
            continue
        if parent_score < threshold:
            break
        if parent_score > last:
            top_node = parent
            break
        last = parent_score
        parent = parent.parent
    # An only child stands for its parent.
    while top_node.parent is not None and top_node.parent.tag not in ("body", "html"):
        siblings = [c for c in top_node.parent.iter() if c.tag != "-comment"]
        if len(siblings) != 1:
            break
        top_node = top_node.parent
    return _with_siblings(candidates, top_node)


def _leaf(node: LexborNode) -> bool:
    """An element with inline content only (a lead written as a div)."""
    return not any(child.tag in BLOCK_TAGS for child in node.iter())


def _with_siblings(candidates: dict[int, _Candidate], top_node: LexborNode) -> list[LexborNode]:
    parent = top_node.parent
    if parent is None or parent.tag in ("html",):
        return [top_node]
    top_score = _final(candidates, top_node) or 0.0
    threshold = max(10.0, top_score * 0.2)
    top_class = top_node.attributes.get("class") or ""
    out = []
    for sibling in parent.iter():
        if sibling.mem_id == top_node.mem_id:
            out.append(sibling)
            continue
        if sibling.tag in ("-text", "-comment"):
            continue
        bonus = top_score * 0.2 if top_class and sibling.attributes.get("class") == top_class else 0
        value = _final(candidates, sibling)
        # A sibling joins on its score only with some text of its own: a class name that
        # sounds like content ("...-detail-title") must not bring a title or a tool bar.
        if value is not None and value + bonus >= threshold and len(sibling.text()) >= 100:
            out.append(sibling)
            continue
        if sibling.tag == "p" or (sibling.tag == "div" and _leaf(sibling)):
            text = " ".join(sibling.text().split())
            density = link_density(sibling)
            if (len(text) > 80 and density < 0.25) or (
                0 < len(text) <= 80 and density == 0 and re.search(r"\.( |$)", text)
            ):
                out.append(sibling)
    return out
