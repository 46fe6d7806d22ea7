"""The hue.gov.vn-era department CMS: the replica's third layout (markup invented, SITE.md
sections 1 and 8; only its URLs were ever seen).

Owns its URL forms and router: articles at `/tin-trong-tinh/<slug>.html` (the model's
alias), the section listing `/tin-trong-tinh/` then `/tin-trong-tinh/trang-N.html`,
category listings `/chuyen-muc/<slug>.html?page=N` (plain links 'Trang sau', '»'), the
home page `/`, robots.txt with a `Sitemap:` line, `/sitemap.xml` (an index of per-month
sitemaps `/sitemap-YYYY-MM.xml` with `<lastmod>`), the RSS feed `/rss.xml` (announced by
`<link rel="alternate" type="application/rss+xml">`), files at the model's paths. Pages
declare OpenGraph (`og:title`, `og:url`, `article:published_time` with +07:00), on two
articles in three JSON-LD NewsArticle, and use `<article>` and `<time datetime>`.
With `moved=True` the old TT URLs (`/?gd=1&cn=..&tc=..`, any query with `tc`) answer
301 to the article's new URL, and `/?gd=2&cn=..` to its category listing.
"""

from __future__ import annotations

import email.utils
import html
import itertools
import json
import random
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, timezone
from urllib.parse import parse_qsl, unquote, urlsplit

from scraper.replica.layouts import _modern as m
from scraper.replica.layouts._html import Enc, Response, esc, not_found_file, serve_file
from scraper.replica.model import Article, Block, Img, ReplicaSite
from scraper.replica.norm import norm, origin, slugify, url_path

PER_PAGE = 12
SECTION = "/tin-trong-tinh/"
FEED_COUNT = 20
SITE_NAME = "Sở Văn hóa và Thể thao tỉnh Thừa Thiên Huế"
_ICT = timezone(timedelta(hours=7))
_HTML = "text/html; charset=utf-8"


def slug_of(site: ReplicaSite, tc: int) -> str:
    """The article's slug in its URL (its alias: kept when the title is edited)."""
    return site.articles[tc].alias


def _article_path(site: ReplicaSite, tc: int) -> str:
    return f"{SECTION}{slug_of(site, tc)}.html"


def _cat_slug(site: ReplicaSite, cn: int) -> str:
    return f"{slugify(site.categories[cn].name)}-{cn}"


def _cat_path(site: ReplicaSite, cn: int, page: int = 1) -> str:
    path = f"/chuyen-muc/{_cat_slug(site, cn)}.html"
    return path if page <= 1 else f"{path}?page={page}"


def _section_path(page: int) -> str:
    return SECTION if page <= 1 else f"{SECTION}trang-{page}.html"


def _visible(site: ReplicaSite, a: Article) -> tuple[str | None, datetime | None]:
    """(date text the page shows, its machine-readable time): (None, None) without a
    label; (text, None) for a label that is not a valid date."""
    if a.date_raw is None:
        return None, None
    shown = site.shown_time(a.tc)
    if shown is None:
        return f"Ngày đăng: {a.date_raw}", None
    form = (7, 1, 4, 0)[m.pick(f"hue-date|{a.tc}", 4)]
    return m.date_label(shown, form), shown


def _lastmod(site: ReplicaSite, a: Article) -> datetime:
    """When the sitemap says the article last changed: its creation, or after an edit a
    time on the site's 'today' that grows with each revision."""
    if a.rev == 0:
        return a.created
    return datetime.combine(site.today, time(9, 0)) + timedelta(minutes=a.rev)


class HueLayout:
    """Renders every page of one ReplicaSite as a hue.gov.vn department site."""

    name = "hue"

    def __init__(
        self,
        site: ReplicaSite,
        base_url: str,
        *,
        crawl_delay: float | None = None,
        moved: bool = False,
    ):
        self.site = site
        self.base = base_url if base_url.endswith("/") else base_url + "/"
        self.origin = origin(self.base)
        self.crawl_delay = crawl_delay
        self.moved = moved
        self.rng = random.Random()
        self._views = itertools.count(1_204_377 + 1000 * (site.seed % 83))
        self._cores: dict[tuple, tuple[str, str]] = {}
        self._cached: dict[tuple, str] = {}
        self._rev = -1

    # ---- hooks of the ground truth ------------------------------------------------
    @staticmethod
    def canonical_url(site: ReplicaSite, tc: int, base_url: str) -> str:
        return origin(base_url) + url_path(_article_path(site, tc))

    @staticmethod
    def page_url(site: ReplicaSite, tc: int, base_url: str) -> str:
        """The page is served at its canonical URL."""
        return HueLayout.canonical_url(site, tc, base_url)

    @staticmethod
    def file_url(path: str, base_url: str) -> str:
        return origin(base_url) + url_path(path)

    @staticmethod
    def link_url(site: ReplicaSite, b: Block, base_url: str) -> str | None:
        if b.target not in site.articles:
            return None
        return HueLayout.canonical_url(site, b.target, base_url)

    @staticmethod
    def dates(site: ReplicaSite, tc: int) -> tuple[str | None, str | None]:
        """(published, published_raw): the valid shown date (also in `<time datetime>` and
        `article:published_time`) and the visible date text; None when absent/invalid."""
        text, shown = _visible(site, site.articles[tc])
        return (shown.date().isoformat() if shown else None), norm(text) or None

    @staticmethod
    def fault_key(method: str, path_qs: str, form: Mapping[str, str] | None) -> str:
        return f"{method} {path_qs}"

    # ---- pieces ---------------------------------------------------------------------
    def _title(self, a: Article) -> str:
        t = unicodedata.normalize("NFD", a.title) if "nfd" in a.noise else a.title
        return html.escape(t, quote=False)

    def _image(self, img: Img, enc: Enc) -> str:
        alt = f' alt="{enc.attr(img.alt)}"' if img.alt is not None else ' alt=""'
        tag = f'<img src="{esc(url_path(img.path))}"{alt} loading="lazy" />'
        if not img.caption:
            return f'<figure class="image">{tag}</figure>'
        cap = enc(img.caption)
        if m.pick(f"hue-cap|{img.path}", 3) == 0:
            return f'<p class="image">{tag}</p>\n<p class="image-caption"><em>{cap}</em></p>'
        return f'<figure class="image">{tag}<figcaption>{cap}</figcaption></figure>'

    def _block_href(self, b: Block) -> str | None:
        if b.kind == "attach":
            return url_path(b.href)
        return _article_path(self.site, b.target) if b.target in self.site.articles else None

    def _card(self, tc: int) -> str:
        a = self.site.articles[tc]
        href = _article_path(self.site, tc)
        shown = self.site.shown_time(tc)
        when = f'<time datetime="{m.iso(shown)}">{m.dmy(shown)}</time>' if shown is not None else ""
        paras = a.paragraphs()
        words = (paras[0] if paras else "").split()
        sapo = " ".join(words[:35]) + ("…" if len(words) > 35 else "")
        thumb = url_path(a.lead.path) if a.lead else "/themes/hue/images/no-image.png"
        return (
            f'<div class="post-card"><a class="thumb" href="{href}"><img src="{esc(thumb)}" '
            f'alt="" /></a><h3 class="post-card-title"><a href="{href}">{self._title(a)}</a>'
            f'</h3>{when}<p class="post-card-sapo">{html.escape(sapo, quote=False)}</p></div>'
        )

    def _latest(self) -> str:
        key = ("latest", self.site.rev)
        if key not in self._cached:
            items = "".join(
                f'<li><a href="{_article_path(self.site, t)}">'
                f"{self._title(self.site.articles[t])}</a></li>"
                for t in self.site.listing()[:6]
            )
            self._cached[key] = (
                f'<section class="widget widget-latest"><h3>Tin mới nhất</h3><ul>{items}</ul>'
                "</section>"
            )
        return self._cached[key]

    def _page(self, title: str, main: str, *, head: str = "", status: int = 200) -> Response:
        site = self.site
        nav = "".join(
            f'<li><a href="{_cat_path(site, cn)}">{esc(site.categories[cn].name)}</a></li>'
            for cn in sorted(site.roots())
        )
        views = next(self._views)
        body = (
            '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8" />\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1" />\n'
            f"<title>{title} | {SITE_NAME}</title>\n{head}"
            '<link rel="alternate" type="application/rss+xml" title="Tin trong tỉnh" '
            'href="/rss.xml" />\n'
            '<link rel="stylesheet" href="/themes/hue/css/style.css?v=2.3.1" />\n'
            "</head>\n<body>\n"
            '<header class="site-header"><div class="topbar">Đường dây nóng: 0234.3822.555'
            '</div><a class="logo" href="/"><img src="/themes/hue/images/logo.png" '
            f'alt="{SITE_NAME}" /></a><nav class="main-nav"><ul><li><a href="/">Trang chủ</a>'
            f'</li><li><a href="{SECTION}">Tin trong tỉnh</a></li>{nav}</ul></nav>'
            '<form class="search" action="/tim-kiem" method="get"><input name="q" '
            'placeholder="Tìm kiếm..." /></form></header>\n'
            f'<main class="container"><div class="row"><div class="col-main">\n{main}\n</div>'
            f'<aside class="col-side">{self._latest()}'
            '<section class="widget"><h3>Liên kết website</h3><ul>'
            '<li><a href="https://hue.gov.vn/">Cổng thông tin điện tử Huế</a></li>'
            '<li><a href="https://dichvucong.hue.gov.vn/">Dịch vụ công</a></li></ul>'
            "</section></aside></div></main>\n"
            f'<footer class="site-footer"><p>{SITE_NAME}</p><p>Địa chỉ: 01 Điện Biên Phủ, '
            "thành phố Huế</p><p>Ghi rõ nguồn khi phát hành lại thông tin từ website này."
            f'</p><p class="counter">Lượt truy cập: {views:,}</p></footer>\n'
            '<script src="/themes/hue/js/main.js?v=2.3.1"></script>\n</body>\n</html>\n'
        )
        return Response(status, [("Content-Type", _HTML)], body.encode())

    # ---- article ---------------------------------------------------------------------
    def _core(self, a: Article) -> tuple[str, str]:
        """(head tags, the <article>) of an article, cached per revision and variant."""
        key = (a.tc, a.rev, a.variant)
        if key in self._cores:
            return self._cores[key]
        site = self.site
        rng = random.Random(f"{site.seed}:hue:{a.tc}:{a.variant}")
        enc = Enc(a.noise, rng)
        url = self.canonical_url(site, a.tc, self.base)
        text, shown = _visible(site, a)
        cat = site.categories[a.cat].name
        image = self.file_url(a.lead.path, self.base) if a.lead else None
        head = [
            f'<link rel="canonical" href="{esc(url)}" />',
            '<meta property="og:type" content="article" />',
            f'<meta property="og:title" content="{esc(a.title)}" />',
            f'<meta property="og:url" content="{esc(url)}" />',
            f'<meta property="og:site_name" content="{SITE_NAME}" />',
            f'<meta property="article:section" content="{esc(cat)}" />',
        ]
        if image:
            head.append(f'<meta property="og:image" content="{esc(image)}" />')
        if shown is not None:
            head.append(f'<meta property="article:published_time" content="{m.iso(shown)}" />')
            if m.pick(f"hue-ld|{a.tc}", 3):
                ld = {
                    "@context": "https://schema.org",
                    "@type": "NewsArticle",
                    "headline": norm(a.title),
                    "datePublished": m.iso(shown),
                    "dateModified": m.iso(_lastmod(site, a)),
                    "mainEntityOfPage": url,
                    "articleSection": cat,
                    "publisher": {"@type": "Organization", "name": SITE_NAME},
                }
                if image:
                    ld["image"] = [image]
                blob = json.dumps(ld, ensure_ascii=False).replace("</", "<\\/")
                head.append(f'<script type="application/ld+json">{blob}</script>')
        if text is None:
            when = ""
        elif shown is None:
            when = f'<span class="post-date">{esc(text)}</span>'
        else:
            when = f'<time class="post-date" datetime="{m.iso(shown)}">{esc(text)}</time>'
        lead = self._image(a.lead, enc) if a.lead else ""
        body = m.body_html(a, enc, rng, self._image, self._block_href)
        article = (
            f'<nav class="breadcrumb"><a href="/">Trang chủ</a> › <a href="{SECTION}">Tin trong '
            f'tỉnh</a> › <a href="{_cat_path(site, a.cat)}">{esc(cat)}</a></nav>\n'
            f'<article class="post-detail">\n<h1 class="post-title">{enc(a.title)}</h1>\n'
            f'<div class="post-meta">{when} <span class="post-cat">{esc(cat)}</span> '
            '<span class="post-views">Lượt xem: VIEWS</span></div>\n'
            f'<div class="post-content">\n{lead}\n{body}\n</div>\n'
            '<div class="post-share"><a class="fb" href="https://www.facebook.com/sharer/'
            f'sharer.php?u={esc(url)}" target="_blank">Chia sẻ</a> <a class="print" '
            'href="javascript:window.print()">In bài viết</a></div>\n</article>'
        )
        core = ("\n".join(head) + "\n", article)
        self._cores[key] = core
        return core

    def article(self, tc: int) -> Response:
        site = self.site
        a = site.articles.get(tc)
        if a is None:
            return self.not_found()
        head, article = self._core(a)
        related = "".join(
            f'<li><a href="{_article_path(site, t)}">{self._title(site.articles[t])}</a></li>'
            for t in site.older_in_category(tc, 6)
        )
        main = (
            article.replace("VIEWS", str(self.rng.randint(20, 5000)), 1)
            + f'\n<section class="related-posts"><h2>Tin cùng chuyên mục</h2><ul>{related}</ul>'
            "</section>"
        )
        return self._page(self._title(a), main, head=head)

    # ---- listings ----------------------------------------------------------------------
    def _list_page(self, key: tuple, title: str, tcs: list[int], page: int, href) -> Response:
        if key not in self._cached:
            last = max(1, (len(tcs) + PER_PAGE - 1) // PER_PAGE)
            chunk = tcs[(page - 1) * PER_PAGE : page * PER_PAGE]
            cards = "".join(self._card(t) for t in chunk) or "<p>Chưa có bài viết.</p>"
            nav = m.pager(page, last, href, "pagination")
            self._cached[key] = (
                f'<section class="post-list"><h1 class="section-title">{title}</h1>'
                f"{cards}{nav}</section>"
            )
        return self._page(title, self._cached[key])

    def section(self, page: int) -> Response:
        key = ("section", page, self.site.rev)
        return self._list_page(key, "Tin trong tỉnh", self.site.listing(), page, _section_path)

    def category(self, cn: int, page: int) -> Response:
        site = self.site
        title = esc(site.categories[cn].name)
        key = ("cat", cn, page, site.rev)
        tcs = site.listing(cn)
        return self._list_page(key, title, tcs, page, lambda n: _cat_path(site, cn, n))

    def home(self) -> Response:
        key = ("home", self.site.rev)
        if key not in self._cached:
            cards = "".join(self._card(t) for t in self.site.listing()[:10])
            self._cached[key] = (
                f'<section class="home-news"><h2><a href="{SECTION}">Tin trong tỉnh</a></h2>'
                f"{cards}</section>"
            )
        return self._page("Trang chủ", self._cached[key])

    def not_found(self) -> Response:
        main = '<div class="error-404"><h1>404</h1><p>Không tìm thấy trang yêu cầu.</p></div>'
        return self._page("Không tìm thấy trang", main, status=404)

    # ---- discovery ---------------------------------------------------------------------
    def robots(self) -> Response:
        lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /tim-kiem"]
        if self.crawl_delay is not None:
            lines.append(f"Crawl-delay: {self.crawl_delay:g}")
        lines.append(f"Sitemap: {self.origin}/sitemap.xml")
        return Response(200, [("Content-Type", "text/plain")], ("\n".join(lines) + "\n").encode())

    def _months(self) -> dict[str, list[int]]:
        months: dict[str, list[int]] = {}
        for tc in self.site.tcs():
            months.setdefault(self.site.articles[tc].created.strftime("%Y-%m"), []).append(tc)
        return months

    def sitemap(self, month: str | None) -> Response:
        site, months = self.site, self._months()
        if month is None:
            entries = "".join(
                f"<sitemap><loc>{self.origin}/sitemap-{mo}.xml</loc><lastmod>"
                f"{m.iso(max(_lastmod(site, site.articles[t]) for t in tcs))}</lastmod></sitemap>"
                for mo, tcs in sorted(months.items())
            )
            tag = "sitemapindex"
        elif month in months:
            entries = "".join(
                f"<url><loc>{self.origin}{url_path(_article_path(site, t))}</loc><lastmod>"
                f"{m.iso(_lastmod(site, site.articles[t]))}</lastmod></url>"
                for t in months[month]
            )
            tag = "urlset"
        else:
            return not_found_file()
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<{tag} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</{tag}>\n'
        )
        return Response(200, [("Content-Type", "application/xml; charset=utf-8")], body.encode())

    def feed(self) -> Response:
        site = self.site
        items = []
        for tc in site.listing()[:FEED_COUNT]:
            a = site.articles[tc]
            when = (site.shown_time(tc) or a.created).replace(tzinfo=_ICT)
            url = self.canonical_url(site, tc, self.base)
            items.append(
                f"<item><title>{esc(a.title)}</title><link>{url}</link>"
                f'<guid isPermaLink="true">{url}</guid>'
                f"<pubDate>{email.utils.format_datetime(when)}</pubDate>"
                f"<category>{esc(site.categories[a.cat].name)}</category></item>"
            )
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            f"<title>Tin trong tỉnh - {SITE_NAME}</title><link>{self.origin}{SECTION}</link>"
            f"<description>Tin tức mới nhất</description><language>vi</language>"
            f"{''.join(items)}</channel></rss>\n"
        )
        return Response(
            200, [("Content-Type", "application/rss+xml; charset=utf-8")], body.encode()
        )

    # ---- router ------------------------------------------------------------------------
    def _redirect(self, path: str) -> Response:
        location = self.origin + url_path(path)
        return Response(301, [("Location", location), ("Content-Type", _HTML)], b"")

    def _old_url(self, query: str) -> Response | None:
        """The 301 of an old TT URL in moved mode (None: not an old URL)."""
        q: dict[str, str] = {}
        for k, v in parse_qsl(query, keep_blank_values=True):
            q.setdefault(k.lower(), v)
        if "tc" in q:
            tc = int(q["tc"]) if q["tc"].isdigit() else -1
            return (
                self._redirect(_article_path(self.site, tc))
                if tc in self.site.articles
                else (self.not_found())
            )
        if "cn" in q and q["cn"].isdigit() and int(q["cn"]) in self.site.categories:
            return self._redirect(_cat_path(self.site, int(q["cn"])))
        return None

    def _cat_by_slug(self, slug: str) -> int | None:
        return next((cn for cn in self.site.categories if _cat_slug(self.site, cn) == slug), None)

    def handle(
        self,
        method: str,
        path_qs: str,
        form: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        if self._rev != self.site.rev:
            self._cached.clear()
            self._rev = self.site.rev
        parts = urlsplit(path_qs)
        path = unquote(parts.path) or "/"
        low = path.lower()
        query = dict(parse_qsl(parts.query))
        page = int(query["page"]) if query.get("page", "").isdigit() else 1
        if low == "/robots.txt":
            return self.robots()
        if low == "/sitemap.xml":
            return self.sitemap(None)
        if low.startswith("/sitemap-") and low.endswith(".xml"):
            return self.sitemap(low[len("/sitemap-") : -len(".xml")])
        if low in ("/rss.xml", "/rss"):
            return self.feed()
        if low.startswith("/themes/"):
            return serve_file(path, date(2023, 9, 4), headers or {})
        if low in ("/", "/default.aspx", "/index.html"):
            if self.moved and parts.query:
                old = self._old_url(parts.query)
                if old is not None:
                    return old
            return self.home()
        if low in (SECTION, SECTION.rstrip("/")):
            return self.section(max(1, page))
        if low.startswith(SECTION) and low.endswith(".html"):
            slug = path[len(SECTION) : -len(".html")]
            if slug.startswith("trang-") and slug[6:].isdigit():
                return self.section(max(1, int(slug[6:])))
            tc = self.site.by_alias(slug)
            return self.article(tc) if tc is not None else self.not_found()
        if low.startswith("/chuyen-muc/") and low.endswith(".html"):
            cn = self._cat_by_slug(low[len("/chuyen-muc/") : -len(".html")])
            if cn is not None:
                return self.category(cn, max(1, page))
        found = self.site.file(path)
        if found is not None:
            return serve_file(*found, headers or {})
        return self.not_found()

    def warm(self) -> None:
        for tc in self.site.tcs():
            self._core(self.site.articles[tc])
