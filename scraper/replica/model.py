"""The replica's site model: categories, articles made of typed blocks, images, mutations.

Owns the data of one deterministic TT-era sub-site (built by `scraper.replica.generate`
from a seed), its indexes (listings newest first, by category, by day, files), the
article times every layout renders (`Article.created`, `ReplicaSite.shown_time`), the
per-article re-encoding flags a layout obeys, the case names an article exhibits, and the
mutation API of incremental-crawl tests (`edit`, `reencode`, `delete`, `add_articles`).
No HTML and no URL forms here: those belong to `scraper.replica.layouts`; what an
extractor must return is `scraper.replica.truth`.
"""

from __future__ import annotations

import bisect
import random
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from urllib.parse import quote

from scraper.replica.norm import norm, slugify
from scraper.replica.vocab import CASES

ICT = timezone(timedelta(hours=7))
MIN_DATE = date(1990, 1, 1)
_UNSET: object = object()


@dataclass
class Category:
    id: int
    name: str
    parent: int | None = None


@dataclass
class Img:
    """An image: `path` is the decoded path on the server ('/UploadFiles/TinTuc/...')."""

    path: str
    src_form: str = "root"  # "abs" | "root" | "rel"
    raw_space: bool = False  # spaces written raw in src instead of %20
    caption: str | None = None
    # lead: "td" | "empty" | "nbsp"; body: "none" | "table" | "br" | "em" | "i" |
    # "style_italic" | "align_center" | "style_center"
    cap_form: str = "none"
    alt: str | None = None  # None: no alt attribute

    def src(self, base_url: str) -> str:
        path = self.path if self.raw_space else quote(self.path, safe="/-_.~")
        if self.src_form == "abs":
            return base_url.rstrip("/") + path
        if self.src_form == "rel":
            return path.lstrip("/")
        return path


@dataclass
class Block:
    """One block of the body. kind:
    p (style '', 'justify', 'div'), h (style 'h3', 'h4', 'strong'), li (style 'ul', 'ol'),
    table (rows), img (img), quote (style 'em', 'i', 'italic', 'center': italic/centred
    text not after an image), bquote, notice (style 'center_strong', 'align_center',
    'center_em'), attach (pre + <a href=path>text</a> + post), link (same with an
    article link; style = link form), source (style '', 'right', 'em'), close.
    """

    kind: str
    text: str = ""
    style: str = ""  # for links: one of LINK_STYLES
    rows: list[list[str]] = field(default_factory=list)
    img: Img | None = None
    href: str = ""  # attach: decoded file path
    target: int = 0  # link: article tc
    cn: int | None = None  # link: category id written in the href (None: left out)
    pre: str = ""
    post: str = ""
    br: bool = False  # one space is written as <br /> (whitespace)
    lead_in: int = 0  # the first words are in <strong>

    def paragraphs(self) -> list[str]:
        if self.kind == "img":
            return []
        if self.kind == "table":
            return [" ".join(norm(c) for c in row) for row in self.rows]
        if self.kind in ("attach", "link"):
            return [self.pre + self.text + self.post]
        return [self.text]


# How a body link is written (a layout maps each style to one of its URL spellings).
LINK_STYLES = ("abs", "query", "dot", "reordered", "root")


@dataclass
class Article:
    tc: int
    cat: int
    title: str
    date_raw: str | None  # the date label text (dd/mm/yyyy); None: no label
    blocks: list[Block]
    lead: Img | None = None
    file_day: date = date(2020, 1, 1)  # folder of its files, Last-Modified of its files
    kind: str = "news"  # news | notice | attachment_only | long
    noise: frozenset[str] = frozenset()
    variant: int = 0  # bumped by reencode(): a different rendering of the same content
    rev: int = 0  # bumped by edit(): a content change
    date_case: str | None = None  # missing | impossible | future | pre1990
    alias: str = ""  # ASCII slug of the first title, unique in the site; kept across edits

    @property
    def created(self) -> datetime:
        """When the article was first published (local time, whole seconds): its file day
        at a time of day derived from its id. Never changes (DNN GUIDs encode it)."""
        return datetime.combine(self.file_day, _time_of_day(self.tc))

    def images(self) -> list[Img]:
        out = [self.lead] if self.lead else []
        out += [b.img for b in self.blocks if b.kind == "img" and b.img]
        return out

    def paragraphs(self) -> list[str]:
        """Cleaned, non-empty body paragraphs in order."""
        out = []
        for block in self.blocks:
            for text in block.paragraphs():
                text = norm(text)
                if text:
                    out.append(text)
        return out

    def source(self) -> str | None:
        paras = self.paragraphs()
        if len(paras) < 2:
            return None
        last_block = next(b for b in reversed(self.blocks) if any(map(norm, b.paragraphs())))
        if last_block.kind == "table":
            return None
        last = paras[-1]
        if len(last) <= 40 and not last.endswith("."):
            return last
        return None


def _time_of_day(tc: int) -> time:
    """07:00:00 to 17:59:59, spread by the article id (no draw from the generator's rng)."""
    s = (tc * 2654435761) % (11 * 3600)
    return time(7 + s // 3600, s // 60 % 60, s % 60)


def parse_published(raw: str | None, today: date) -> str | None:
    """ISO date of a 'dd/mm/yyyy' label, None when missing, impossible, future or < 1990."""
    if not raw:
        return None
    m = re.fullmatch(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*", raw)
    if not m:
        return None
    try:
        d = date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None
    if d > today or d < MIN_DATE:
        return None
    return d.isoformat()


def fmt_date(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


class ReplicaSite:
    """The whole sub-site: categories, articles, indexes, ground truth and mutations.

    Thread-safe enough for one writer (a test) and many readers (server threads):
    mutations take a lock and bump `rev`; index caches are rebuilt when `rev` moves.
    """

    name = "Trang thông tin điện tử Sở Thông tin và Truyền thông tỉnh Thừa Thiên Huế"

    def __init__(self, seed: int, today: date):
        self.seed = seed
        self.today = today
        self.categories: dict[int, Category] = {}
        self.articles: dict[int, Article] = {}
        self.deleted: set[int] = set()
        self.rev = 0
        self._lock = threading.RLock()
        self._index_rev = -1
        self._index: dict = {}
        self._next_tc = 1
        self._added = 0
        self._aliases: set[str] = set()

    def new_alias(self, title: str) -> str:
        """A slug of title not used by any article before (suffix -2, -3... if needed)."""
        base = slugify(title)
        alias, k = base, 1
        while alias in self._aliases:
            k += 1
            alias = f"{base}-{k}"
        self._aliases.add(alias)
        return alias

    def by_alias(self, alias: str) -> int | None:
        """The live article whose alias this is (case-insensitive), or None."""
        return self._ix()["aliases"].get(alias.lower())

    # ---- indexes
    def _ix(self) -> dict:
        if self._index_rev != self.rev:
            with self._lock:
                tcs = sorted(self.articles)
                by_cat: dict[int, list[int]] = {cn: [] for cn in self.categories}
                by_day: dict[str, list[int]] = {}
                for tc in tcs:
                    a = self.articles[tc]
                    by_cat.setdefault(a.cat, []).append(tc)
                    pub = parse_published(a.date_raw, self.today)
                    if pub:
                        by_day.setdefault(pub, []).append(tc)
                listing: dict[int, list[int]] = {}
                for cn in self.categories:
                    members = set(by_cat.get(cn, []))
                    for child in self.children(cn):
                        members.update(by_cat.get(child, []))
                    listing[cn] = sorted(members, reverse=True)
                self._index = {
                    "tcs": tcs,
                    "by_cat": by_cat,
                    "by_day": by_day,
                    "listing": listing,
                    "files": self._files(),
                    "aliases": {self.articles[tc].alias: tc for tc in tcs},
                }
                self._index_rev = self.rev
        return self._index

    def _files(self) -> dict[str, tuple[str, date]]:
        files: dict[str, tuple[str, date]] = {}
        for a in self.articles.values():
            for img in a.images():
                files[img.path.lower()] = (img.path, a.file_day)
            for b in a.blocks:
                if b.kind == "attach":
                    files[b.href.lower()] = (b.href, a.file_day)
        return files

    def tcs(self) -> list[int]:
        """Live article ids, ascending."""
        return list(self._ix()["tcs"])

    def children(self, cn: int) -> list[int]:
        return [c.id for c in self.categories.values() if c.parent == cn]

    def roots(self) -> list[int]:
        return [c.id for c in self.categories.values() if c.parent is None]

    def category_path(self, cn: int) -> list[Category]:
        cat = self.categories[cn]
        return [self.categories[cat.parent], cat] if cat.parent else [cat]

    def category_label(self, cn: int) -> str:
        return " >> ".join(norm(c.name) for c in self.category_path(cn))

    def listing(self, cn: int | None = None) -> list[int]:
        """Newest first; a parent includes its children's articles; None: every article."""
        ix = self._ix()
        if cn is None:
            return ix["tcs"][::-1]
        return list(ix["listing"].get(cn, []))

    def same_category(self, tc: int) -> list[int]:
        """Articles of the article's own category, ascending."""
        return self._ix()["by_cat"].get(self.articles[tc].cat, [])

    def older_in_category(self, tc: int, k: int = 10) -> list[int]:
        """The k next-older articles of the same category, newest first ('Các tin khác')."""
        same = self.same_category(tc)
        i = bisect.bisect_left(same, tc)
        return same[max(0, i - k) : i][::-1]

    def on_day(self, day: date) -> list[int]:
        """Articles whose valid date is that day, newest first (date browse)."""
        return self._ix()["by_day"].get(day.isoformat(), [])[::-1]

    def published(self, tc: int) -> str | None:
        return parse_published(self.articles[tc].date_raw, self.today)

    def file(self, path: str) -> tuple[str, date] | None:
        """(stored path, day) of a file, looked up percent-decoded and case-insensitively."""
        return self._ix()["files"].get(path.lower())

    def shown_time(self, tc: int) -> datetime | None:
        """The local date and time a page shows: the label's valid date at the article's
        time of day, None when the label is missing or not a valid date."""
        a = self.articles[tc]
        pub = parse_published(a.date_raw, self.today)
        if pub is None:
            return None
        return datetime.combine(date.fromisoformat(pub), a.created.time())

    def article_url(self, tc: int, base_url: str, layout: str = "tt") -> str:
        """Canonical URL of the article under a layout (default: the TT layout)."""
        from scraper.replica.layouts import layout_class

        return layout_class(layout).canonical_url(self, tc, base_url)

    def article_id(self, tc: int, base_url: str, layout: str = "tt") -> str:
        from scraper.replica.truth import article_id

        return article_id(self, tc, base_url, layout)

    # ---- ground truth
    def expected(self, tc: int, base_url: str, layout: str = "tt") -> dict:
        """What an extractor must return for article tc served at base_url (from the model);
        see scraper.replica.truth."""
        from scraper.replica.truth import expected

        with self._lock:
            return expected(self, tc, base_url, layout)

    def cases(self) -> dict[str, list[int]]:
        """Every case name of CASES -> the live tcs that exhibit it."""
        out: dict[str, list[int]] = {name: [] for name in CASES}
        for tc in self.tcs():
            for name in article_cases(self.articles[tc]):
                out.setdefault(name, []).append(tc)
        return out

    # ---- mutations
    def edit(
        self,
        tc: int,
        *,
        title: str | None = None,
        body_paragraphs: list[str] | None = None,
        captions: list[str | None] | None = None,
        date: object = _UNSET,
    ) -> None:
        """Change an article's content (a new revision for a crawler).

        body_paragraphs replaces the whole body with plain paragraphs (body images and
        attachments go; the lead image stays). captions sets the captions of the article's
        images in order (lead first); None or "" removes one. date: a datetime.date, a raw
        label string (e.g. "31/02/2019"), or None to drop the date label.
        """
        with self._lock:
            a = self.articles[tc]
            if title is not None:
                a.title = unicodedata.normalize("NFC", title)
            if body_paragraphs is not None:
                a.blocks = [
                    Block("p", text=unicodedata.normalize("NFC", t)) for t in body_paragraphs
                ]
                a.kind = "news"
            if captions is not None:
                images = a.images()
                if len(captions) > len(images):
                    raise ValueError(f"article {tc} has {len(images)} images")
                for img, cap in zip(images, captions, strict=False):
                    cap = unicodedata.normalize("NFC", cap) if cap else None
                    img.caption = cap
                    if img is a.lead:
                        img.cap_form = "td" if cap else "empty"
                    elif cap and img.cap_form == "none":
                        img.cap_form = "table"
                    elif not cap:
                        img.cap_form = "none"
            if date is not _UNSET:
                if date is None:
                    a.date_raw = None
                elif isinstance(date, str):
                    a.date_raw = date
                else:
                    a.date_raw = fmt_date(date)  # type: ignore[arg-type]
            a.rev += 1
            self.rev += 1

    def reencode(self, tc: int) -> None:
        """Same content, different bytes: NFD toggled, &nbsp;, whitespace, zero-width
        characters, character references and spacer paragraphs. Not a new revision."""
        with self._lock:
            a = self.articles[tc]
            keep = a.noise & {"bom", "meta_charset_only"}
            flags = {"nbsp", "zero_width", "charref", "whitespace", "spacer"}
            if "nfd" not in a.noise:
                flags.add("nfd")
            a.noise = frozenset(flags | keep)
            a.variant += 1
            self.rev += 1

    def delete(self, tc: int) -> None:
        """The article disappears: its URL answers 404, listings and related lists drop it."""
        with self._lock:
            del self.articles[tc]
            self.deleted.add(tc)
            self.rev += 1

    def add_articles(self, n: int) -> list[int]:
        """n new articles with the newest ids, dated yesterday; returns their tcs."""
        with self._lock:
            self._added += 1
            rng = random.Random(f"{self.seed}-add-{self._added}")
            from scraper.replica.generate import Gen

            gen = Gen(rng, self)
            day = self.today - timedelta(days=1)
            cats = _leafish(self)
            new = []
            for _ in range(n):
                tc = self._next_tc
                self._next_tc += 1 + (rng.randint(1, 3) if rng.random() < 0.1 else 0)
                f = {"lead_caption", "source"} if rng.random() < 0.5 else {"attachment"}
                older = sorted(self.articles)
                a = gen.article(tc, rng.choice(cats), day, "news", f, older)
                self.articles[tc] = a
                new.append(tc)
            self.rev += 1
            return new


def _leafish(site: ReplicaSite) -> list[int]:
    """Categories articles go to: children and standalone categories (parents rarely)."""
    return [c.id for c in site.categories.values() if not site.children(c.id)]


def article_cases(a: Article) -> set[str]:
    """The case names (CASES) this article exhibits, derived from the model."""
    s: set[str] = set()
    imgs = a.images()
    if not imgs:
        s.add("no_image")
    if a.lead:
        s.add(
            {"td": "lead_caption", "empty": "lead_empty_caption", "nbsp": "lead_nbsp_caption"}[
                a.lead.cap_form
            ]
        )
        if norm(a.lead.alt):
            s.add("lead_alt")
    for img in imgs:
        s.add({"abs": "src_absolute", "root": "src_root", "rel": "src_relative"}[img.src_form])
        if img.raw_space:
            s.add("src_raw_space")
    for b in a.blocks:
        k = b.kind
        if k == "img" and b.img:
            s.add("body_image_nocap" if b.img.cap_form == "none" else "cap_" + b.img.cap_form)
        elif k in ("table", "blockquote"):
            s.add(k)
        elif k == "bquote":
            s.add("blockquote")
        elif k == "h":
            s.add("heading")
        elif k == "li":
            s.add("list")
        elif k == "quote":
            s.add("centred_text_block" if b.style == "center" else "italic_text_block")
        elif k == "notice":
            s.add("notice_heading")
            s.add("italic_text_block" if b.style == "center_em" else "centred_text_block")
        elif k == "attach":
            s.add("attachment")
            if b.href.startswith("/uploadfiles/"):
                s.add("attachment_lowercase")
            if " " in b.href:
                s.add("attachment_space")
        elif k == "link":
            s.add("body_link")
        elif k == "p" and b.style == "div":
            s.add("div_block")
        if b.br:
            s.add("br_in_paragraph")
    if a.kind == "attachment_only":
        s.add("attachment_only")
    if a.source():
        s.add("source")
        if a.blocks[-1].kind == "source" and a.blocks[-1].style == "em":
            s.add("italic_source")
    paras = a.paragraphs()
    if paras and paras[-1].endswith("./."):
        s.add("notice_end")
    if a.date_case:
        s.add("date_" + a.date_case)
    if len(paras) >= 200:
        s.add("long")
    s.update(a.noise)
    return s


def _today_ict() -> date:
    return datetime.now(ICT).date()
