"""What a page declares about itself: JSON-LD, OpenGraph and other <meta>, itemprop, <time>.

Owns reading the machine-readable metadata of any news page, before any heuristic runs:
the article's headline, its publication date (raw and as a local UTC+7 ISO date, with
where it came from), its author or publisher, the JSON-LD `articleBody` when present,
and whether the page declares itself an article at all.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.dates import parse_date
from scraper.text import clean, clean_or_none

ARTICLE_TYPES = frozenset(
    "article newsarticle blogposting reportagenewsarticle analysisnewsarticle "
    "opinionnewsarticle backgroundnewsarticle reviewnewsarticle socialmediaposting "
    "liveblogposting techarticle scholarlyarticle report pressrelease".split()
)
# <meta> names/properties that carry a publication date, most specific first.
DATE_METAS = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "published_time",
    "date.issued",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
    "dc.date.created",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "date",
    "og:published_time",
    "article:modified_time",
    "og:updated_time",
    "dc.date.modified",
    "datemodified",
    "lastmod",
)
TITLE_METAS = ("og:title", "twitter:title", "dc.title", "title", "headline")
AUTHOR_METAS = ("author", "article:author", "dc.creator", "byl", "sailthru.author")


@dataclass
class Declared:
    title: str | None = None
    published: str | None = None
    published_raw: str | None = None
    published_source: str | None = None
    author: str | None = None
    article_body: str | None = None
    is_article: bool = False  # JSON-LD article type or og:type article


def _walk_jsonld(value, out: list[dict]) -> None:
    if isinstance(value, list):
        for item in value:
            _walk_jsonld(item, out)
    elif isinstance(value, dict):
        out.append(value)
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
            if key in value and isinstance(value[key], list | dict):
                _walk_jsonld(value[key], out)


def _types(obj: dict) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).lower() for k in kinds if k}


def _name(value) -> str | None:
    """A person's or organisation's name from a JSON-LD author/publisher value."""
    if isinstance(value, list):
        names = [n for n in (_name(v) for v in value) if n]
        return ", ".join(dict.fromkeys(names)) or None
    if isinstance(value, dict):
        return clean_or_none(str(value.get("name") or "")) if value.get("name") else None
    if isinstance(value, str):
        text = clean(value)
        return None if text.startswith("http") else text or None
    return None


def jsonld_objects(tree: LexborHTMLParser) -> list[dict]:
    out: list[dict] = []
    for script in tree.css('script[type="application/ld+json"]'):
        raw = script.text() or ""
        try:
            data = json.loads(raw)
        except ValueError:
            try:  # common defects: trailing commas, raw newlines inside strings
                data = json.loads(re.sub(r",\s*([}\]])", r"\1", raw).replace("\n", " "))
            except ValueError:
                continue
        _walk_jsonld(data, out)
    return out


def _metas(tree: LexborHTMLParser) -> dict[str, str]:
    """First content of every <meta name|property|itemprop>, keys lower-cased."""
    found: dict[str, str] = {}
    for meta in tree.css("meta[content]"):
        attrs = meta.attributes
        content = attrs.get("content")
        if not content:
            continue
        for key in ("property", "name", "itemprop"):
            name = attrs.get(key)
            if name:
                found.setdefault(name.strip().lower(), content)
    return found


def read_declared(tree: LexborHTMLParser, *, today: date | None = None) -> Declared:
    declared = Declared()
    articles = [obj for obj in jsonld_objects(tree) if _types(obj) & ARTICLE_TYPES]
    metas = _metas(tree)
    if articles:
        declared.is_article = True
        # The article with a body or a date first (a page may also list related articles).
        obj = max(
            articles, key=lambda o: (bool(o.get("articleBody")), bool(o.get("datePublished")))
        )
        headline = obj.get("headline") or obj.get("name")
        if isinstance(headline, str):
            declared.title = clean_or_none(headline)
        for key in ("datePublished", "dateCreated", "dateModified"):
            raw = obj.get(key)
            if isinstance(raw, str) and raw.strip():
                iso = parse_date(raw, today=today)
                if declared.published_raw is None or iso:
                    declared.published_raw = clean(raw)
                    declared.published = iso
                    declared.published_source = "jsonld" if iso else None
                if iso:
                    break
        declared.author = _name(obj.get("author"))
        body = obj.get("articleBody")
        if isinstance(body, str) and body.strip():
            declared.article_body = body
    if (metas.get("og:type") or "").lower() == "article":
        declared.is_article = True
    if declared.title is None:
        for key in TITLE_METAS:
            if metas.get(key):
                declared.title = clean_or_none(metas[key])
                break
    if declared.published is None:
        for key in DATE_METAS:
            raw = metas.get(key)
            if raw and raw.strip():
                iso = parse_date(raw, today=today)
                if iso:
                    declared.published_raw = clean(raw)
                    declared.published = iso
                    declared.published_source = "meta"
                    break
                declared.published_raw = declared.published_raw or clean(raw)
    if declared.published is None:
        _time_date(tree, declared, today)
    if declared.author is None:
        for key in AUTHOR_METAS:
            value = metas.get(key)
            if value and not value.strip().startswith("http"):
                declared.author = clean_or_none(value)
                break
    return declared


def _article_rank(obj: dict) -> tuple[bool, bool]:
    return bool(obj.get("articleBody")), bool(obj.get("datePublished"))


def _time_rank(node: LexborNode) -> int:
    attrs = node.attributes
    marked = (attrs.get("itemprop") or "").lower() == "datepublished" or "pubdate" in attrs
    return 0 if marked else 1


def _time_date(tree: LexborHTMLParser, declared: Declared, today: date | None) -> None:
    """A <time datetime> (or an itemprop=datePublished element) of the page: the first
    one marked as the publication date, else the first one at all."""
    nodes: list[LexborNode] = tree.css("[itemprop=datePublished], time[datetime], time[pubdate]")
    nodes.sort(
        key=lambda n: (
            0
            if (n.attributes.get("itemprop") or "").lower() == "datepublished"
            or "pubdate" in n.attributes
            else 1
        )
    )
    for node in nodes:
        attrs = node.attributes
        raw = attrs.get("datetime") or attrs.get("content") or node.text() or ""
        iso = parse_date(raw, today=today)
        if iso:
            declared.published_raw = clean(raw)
            declared.published = iso
            declared.published_source = "time"
            return
