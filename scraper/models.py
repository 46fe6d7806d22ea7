"""The data that flows between stages: what an extractor returns for one page.

Plain frozen-ish dataclasses, no behaviour beyond conversion to JSON-able dicts, so
every stage (extractor, store, CLI, tests) can be exercised alone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Image:
    """An image of the article (lead image first, then body images in page order)."""

    url: str
    caption: str | None = None
    alt: str | None = None


@dataclass
class Link:
    """A link found on an article page.

    kind is one of 'same_group', 'other_news' (the two related lists), 'body' (a link in
    the body text) or 'attachment' (a file under UploadFiles: PDF, DOC, ...).
    target_id is the article id of the target when it is an article of a known site.
    date is ISO YYYY-MM-DD when the list prints one.
    """

    kind: str
    url: str
    text: str | None = None
    target_id: str | None = None
    date: str | None = None


@dataclass
class Article:
    """One article page, extracted. Every string is NFC, whitespace collapsed."""

    id: str | None
    url: str
    site: str | None = None
    category: str | None = None
    title: str | None = None
    published: str | None = None
    published_raw: str | None = None
    body: str | None = None
    source: str | None = None
    captions: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    # Which profile extracted the page ("tt", "dnn", "hue", "generic"), and where
    # `published` came from: "label" (a date label on the page), "meta", "jsonld",
    # "time" (<time datetime>), "guid" (a DNN COMB GUID), "url"; None when unknown.
    profile: str | None = None
    published_source: str | None = None

    @property
    def attachments(self) -> list[Link]:
        return [link for link in self.links if link.kind == "attachment"]

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class PageRequest:
    """How to request one page: a GET of url, or a POST of form fields (data) to url."""

    url: str
    data: tuple[tuple[str, str], ...] | None = None


@dataclass
class PageLink:
    """A link of a listing's pager: the page it leads to and how to request that page."""

    request: PageRequest
    page: int | None = None  # the page number, when the link shows one
    is_next: bool = False  # the pager's "next page" link
    text: str | None = None


@dataclass
class Listing:
    """What a non-article page (home, category listing, search/date result) offers.

    article_urls: canonical URLs of the articles in the page's main list, in page order
        (newest first on a listing).
    linked_urls: other same-site article URLs anywhere else on the page (sidebars).
    page_urls: other same-site pages worth visiting (category listings from the menu).
    pager: the links to the listing's other pages, each with the request that fetches it
        (a profile decides how: a plain URL, or a form posted back).
    """

    url: str
    article_urls: list[str] = field(default_factory=list)
    linked_urls: list[str] = field(default_factory=list)
    page_urls: list[str] = field(default_factory=list)
    pager: list[PageLink] = field(default_factory=list)


@dataclass
class Page:
    """One parse of a page: its article (None when it is not an article page) and what it
    offers to discovery (for an article page, the article links found around it)."""

    article: Article | None
    listing: Listing
