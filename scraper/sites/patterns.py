"""URL shapes of an unknown site: learn from pages already seen which URLs are articles
and which are listings, then score new URLs so a crawler fetches likely articles first
and follows likely listings, and leaves the rest for last.

A URL's shape is a template of its path and query, host left out:
  - a segment of digits is `{n}`; a GUID or a run of 16+ hex digits is `{id}`;
  - a slug (4+ words joined by '-' or '_', or 30+ characters) is `{slug}`, and a slug
    ending in a number of 3+ digits that is not a year `{slug}-{n}`; a short word keeps
    its spelling (`tin-tuc`, `tid`);
  - the suffix (`.html`, `.aspx`, ...) is kept; query names are kept, sorted, and their
    values shaped the same way; page tokens (scraper.sites.links.page_number) and
    tracking parameters (utm_*, fbclid) are left out.
So `/tin-tuc/2024/05/le-hoi-hue-mo-rong-12345.html` is `/tin-tuc/{n}/{n}/{slug}-{n}.html`.

Three templates per URL, from exact to loose, and the learner answers from the most
exact one it has seen: (1) every literal kept; (2) the first segment and short
keyword-like literals (`tid`, `newsid`, `mlid`) kept, other literals `{w}`; (3) every
literal `{w}`. A new category of a known layout (`/tin-trong-nuoc/<slug>.html` after
`/tin-trong-tinh/<slug>.html`) thus still scores as an article. With nothing learned, a
few fixed hints answer, with low confidence (a page token means listing, a long slug or
id in the last segment means article).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, unquote, urlsplit

from scraper.sites.links import PAGE_PARAMS, PageLinks, page_number
from scraper.urls import MEMO

ARTICLE, LISTING, OTHER = "article", "listing", "other"
KINDS = (ARTICLE, LISTING, OTHER)
LEVEL_WEIGHT = (1.0, 0.9, 0.75)  # confidence kept at each template level
SLUG_WORDS = 4
SLUG_CHARS = 30
LISTING_EVIDENCE = 5  # article-looking links that make a non-article page a listing
_SUFFIX = re.compile(r"\.(html?|shtml|aspx?|php|jsp|cfm)$", re.IGNORECASE)
_GUID = re.compile(r"^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$", re.I)
_HEX = re.compile(r"^(?=.*\d)[0-9a-f]{16,}$", re.IGNORECASE)
_SLUG_NUMBER = re.compile(r"^(.*[a-z].*?)[-_.](\d{3,})$", re.IGNORECASE)
_YEAR = re.compile(r"^(19|20)\d\d$")
_WORD_SPLIT = re.compile(r"[-_+\s]+")
_KEYWORD = re.compile(r"^[a-z]{1,12}$")
_TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|zarsrc|_ga)$", re.IGNORECASE)


@dataclass(frozen=True)
class UrlScore:
    """kind: ARTICLE, LISTING or OTHER; confidence in 0..1; template: the URL's shape
    at the level that answered ('' for the fixed hints); learned: False for hints."""

    kind: str
    confidence: float
    template: str
    learned: bool


@lru_cache(maxsize=MEMO)
def segment_shape(segment: str) -> str:
    """Shape of one path segment or query value (see module docstring)."""
    text = unquote(segment).strip().lower()
    suffix = ""
    match = _SUFFIX.search(text)
    if match:
        suffix, text = match.group(0), text[: match.start()]
    if not text:
        return suffix
    if text.isdigit():
        return "{n}" + suffix
    if _GUID.match(text) or _HEX.match(text):
        return "{id}" + suffix
    number = _SLUG_NUMBER.match(text)
    if number and not _YEAR.match(number.group(2)) and _is_slug(number.group(1), relaxed=True):
        return "{slug}-{n}" + suffix
    if _is_slug(text):
        return "{slug}" + suffix
    if any(c.isdigit() for c in text):
        return re.sub(r"\d+", "{n}", text) + suffix
    return text + suffix


def _is_slug(text: str, *, relaxed: bool = False) -> bool:
    words = [w for w in _WORD_SPLIT.split(text) if w]
    return len(words) >= (2 if relaxed else SLUG_WORDS) or len(text) >= SLUG_CHARS


@lru_cache(maxsize=MEMO)
def url_templates(url: str) -> tuple[tuple[str, str, str], bool]:
    """((exact, middle, loose) templates of url, whether it carries a page token)."""
    parts = urlsplit(url)
    page = page_number(url)
    paged = page is not None
    path = parts.path
    if page is not None:  # the page token is not part of the shape
        path = urlsplit(page[0]).path
    segments = [s for s in path.split("/") if s]
    shapes = [segment_shape(s) for s in segments]
    query = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        name = key.lower()
        if name in PAGE_PARAMS or _TRACKING.match(name):
            continue
        shape = segment_shape(value) if value else ""
        query.append(f"{name}={shape if len(shape) <= 20 else '{v}'}")
    tail = ("?" + "&".join(sorted(query))) if query else ""
    if path.endswith("/") and segments:
        tail = "/" + tail
    exact: list[str] = []
    middle: list[str] = []
    loose: list[str] = []
    for i, shape in enumerate(shapes):
        variable = "{" in shape
        exact.append(shape)
        stem = _SUFFIX.sub("", shape)
        suffix = shape[len(stem) :]
        keep = variable or i == 0 or bool(_KEYWORD.match(stem))
        middle.append(shape if keep else "{w}" + suffix)
        loose.append(shape if variable else "{w}" + suffix)
    return (
        "/" + "/".join(exact) + tail,
        "/" + "/".join(middle) + tail,
        "/" + "/".join(loose) + tail,
    ), paged


class UrlPatternLearner:
    """Counts, per template level, how often each shape was an article, a listing or
    other; scores new URLs from those counts. Cheap: a few dict lookups per URL."""

    def __init__(self) -> None:
        self.counts: tuple[dict[str, Counter[str]], ...] = ({}, {}, {})

    def learn(self, url: str, kind: str) -> None:
        """Record that url is of kind (ARTICLE, LISTING or OTHER)."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        templates, _ = url_templates(url)
        for level, template in zip(self.counts, templates, strict=True):
            level.setdefault(template, Counter())[kind] += 1

    def observe_page(self, url: str, *, is_article: bool, links: PageLinks | None = None) -> str:
        """Learn from a fetched page and return the kind learned: an article when the
        extractor found one; else a listing when it has a next page or at least
        LISTING_EVIDENCE links that score as articles; else other."""
        kind = OTHER
        if is_article:
            kind = ARTICLE
        elif links is not None and (
            links.next_pages
            or sum(self.score(u).kind == ARTICLE for u in links.candidates) >= LISTING_EVIDENCE
        ):
            kind = LISTING
        self.learn(url, kind)
        return kind

    def score(self, url: str) -> UrlScore:
        """The URL's likely kind (see module docstring)."""
        templates, paged = url_templates(url)
        for level, template in enumerate(templates):
            counts = self.counts[level].get(template)
            if not counts:
                continue
            total = sum(counts.values())
            kind, hits = max(((k, counts[k]) for k in KINDS), key=lambda kv: kv[1])
            confidence = (hits + 0.5) / (total + 1.5) * LEVEL_WEIGHT[level]
            if paged and kind != LISTING:
                return UrlScore(LISTING, 0.8, template, True)
            return UrlScore(kind, round(confidence, 3), template, True)
        return _hint(url, templates[0], paged)

    def rank(self, urls: Iterable[str]) -> list[tuple[str, UrlScore]]:
        """URLs with their scores: likely articles first, then listings, then the rest;
        most confident first within each kind, page order kept among equals."""
        scored = [(url, self.score(url)) for url in urls]
        order = {kind: i for i, kind in enumerate(KINDS)}
        scored.sort(key=lambda pair: (order[pair[1].kind], -pair[1].confidence))
        return scored

    def to_dict(self) -> dict:
        """Plain data (JSON-ready) to keep the learned counts between runs."""
        return {"levels": [{t: dict(c) for t, c in level.items()} for level in self.counts]}

    @classmethod
    def from_dict(cls, data: dict) -> UrlPatternLearner:
        learner = cls()
        for mine, saved in zip(learner.counts, data.get("levels", ()), strict=False):
            for template, counts in saved.items():
                mine[template] = Counter({k: int(v) for k, v in counts.items() if k in KINDS})
        return learner


def _hint(url: str, template: str, paged: bool) -> UrlScore:
    """Fixed guesses for a URL of a shape nothing was learned about."""
    if paged:
        return UrlScore(LISTING, 0.5, "", False)
    path = urlsplit(url).path
    segments = [s for s in path.split("/") if s]
    if not segments and not urlsplit(url).query:
        return UrlScore(LISTING, 0.4, "", False)
    last = template.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    query = template.split("?", 1)[1] if "?" in template else ""
    if any(token in last for token in ("{slug}", "{id}")) or "{id}" in query:
        return UrlScore(ARTICLE, 0.4, "", False)
    if re.search(r"\d{4,}", segments[-1] if segments else urlsplit(url).query):
        return UrlScore(ARTICLE, 0.3, "", False)
    if len(segments) <= 2:
        return UrlScore(LISTING, 0.2, "", False)
    return UrlScore(OTHER, 0.1, "", False)
