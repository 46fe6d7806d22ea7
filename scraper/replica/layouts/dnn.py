"""The provincial portal on DNN (DotNetNuke): the replica's second layout (markup invented,
SITE.md sections 1, 2 and 8; the real pages were never seen).

Owns the DNN URL forms and their router: articles at
`/vi-vn/<Category, UTF-8 percent-encoded>/tid/<ascii-slug>/newsid/<GUID>/cid/<GUID>`
(looked up by the newsid GUID, case-insensitive; tid and category are not checked),
category listings at `/vi-vn/<Category>/cid/<GUID>?page=N` (plain links 'Trang sau', '»'),
the home page `/` (also `/vi-vn/`, `/Default.aspx`) with the newest articles, files under
`/Portals/0/` (the model's file path after that prefix), robots.txt without a sitemap;
no sitemap and no feed. Newsid GUIDs are SQL Server COMB GUIDs whose last 12 hex digits
encode the article's creation time (`comb_tail`, `decode_comb`). DNN chrome: `dnn_` ids,
module containers, a menu, a 'Đọc nhiều' box, 'Tin liên quan' / 'Tin khác' lists, a share
bar, view and visit counters, a footer. Date labels vary per article (`_modern.date_label`)
and about one article in seven shows none (the GUID is then the only date).
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import os
import random
import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from urllib.parse import quote, unquote, urlsplit

from scraper.replica.layouts import _modern as m
from scraper.replica.layouts._html import Enc, Response, esc, not_found_file, serve_file
from scraper.replica.model import Article, Block, Img, ReplicaSite
from scraper.replica.norm import norm, origin, url_path

PER_PAGE = 10
HOME_COUNT = 15
FILES = "/Portals/0"
_EPOCH = date(1900, 1, 1)
_ARTICLE = re.compile(
    r"/vi-vn/[^/]+/tid/[^/]*/newsid/([0-9a-fA-F-]{36})/cid/[0-9a-fA-F-]{36}/?", re.I
)
_LISTING = re.compile(r"/vi-vn/[^/]+/cid/([0-9a-fA-F-]{36})/?", re.I)
_HTML = "text/html; charset=utf-8"
PORTAL = "Cổng Thông tin điện tử tỉnh Thừa Thiên Huế"
_HEAD_OPEN = (
    '<!DOCTYPE html>\n<html lang="vi-VN">\n<head id="Head"><meta content="text/html; '
    'charset=UTF-8" http-equiv="Content-Type" />\n'
)
_HEAD_META = (
    '<meta id="MetaGenerator" name="GENERATOR" content="DotNetNuke " />\n'
    '<meta id="MetaRobots" name="ROBOTS" content="INDEX, FOLLOW" />'
)
_HEAD_CLOSE = (
    '\n<link href="/Portals/_default/default.css?cdv=143" type="text/css" rel="stylesheet" />\n'
    '<link href="/Portals/0/portal.css?cdv=143" type="text/css" rel="stylesheet" />\n'
    '<script src="/Resources/libraries/jQuery/01_09_01/jquery.js?cdv=143"></script>\n'
    '</head>\n<body id="Body">\n<form method="post" action="/vi-vn/" id="Form" '
    'enctype="multipart/form-data">\n'
)
_HEADER = (
    '<div id="dnn_wrapper">\n<div id="dnn_header"><a id="dnn_dnnLOGO_hypLogo" href="/vi-vn/">'
    f'<img src="/Portals/0/Skins/HueSkin/logo.png" alt="{PORTAL}" /></a>\n'
)
_SEARCH = (
    '<div id="dnn_dnnSEARCH_ClassicSearch"><input name="dnn$dnnSEARCH$txtSearch" type="text" '
    'maxlength="255" class="NormalTextBox" /><a id="dnn_dnnSEARCH_cmdSearch" class="SkinObject" '
    "href=\"javascript:__doPostBack('dnn$dnnSEARCH$cmdSearch','')\">Tìm kiếm</a></div>\n</div>\n"
)
_LINKS = (
    '<div class="DnnModule DnnModule-HTML"><div class="c_head"><h2 class="c_titleText">Liên kết'
    '</h2></div><div class="c_content"><ul class="links">'
    '<li><a href="https://dichvucong.thuathienhue.gov.vn/" target="_blank">Dịch vụ công trực '
    'tuyến</a></li><li><a href="https://hues.thuathienhue.gov.vn/" target="_blank">Hue-S</a>'
    '</li><li><a href="https://chinhphu.vn/" target="_blank">Cổng TTĐT Chính phủ</a></li>'
    "</ul></div></div>\n</div></div>\n"
)
_FOOTER_INFO = (
    '<div id="dnn_footer"><div class="footer-info">Cơ quan chủ quản: Ủy ban nhân dân tỉnh '
    "Thừa Thiên Huế<br />Địa chỉ: 16 Lê Lợi, thành phố Huế<br />Giấy phép số 01/GP-TTĐT cấp "
    "ngày 05/01/2015</div>\n"
)
_FOOTER_END = (
    '<a id="dnn_dnnCOPYRIGHT_lblCopyright" class="Footer">Bản quyền thuộc về UBND tỉnh Thừa '
    'Thiên Huế</a></div>\n</div>\n<input name="ScrollTop" type="hidden" id="ScrollTop" />\n'
    '<input name="__dnnVariable" type="hidden" id="__dnnVariable" value="`{`__scdoff`:`1`}" />'
    "\n</form>\n</body>\n</html>\n"
)


# --------------------------------------------------------------------------- GUIDs
def comb_tail(dt: datetime) -> str:
    """The 12 hex digits a SQL Server COMB GUID ends with: 4 of days since 1900-01-01 and
    8 of 1/300 s ticks since midnight (local time)."""
    days = (dt.date() - _EPOCH).days
    since = dt - datetime.combine(dt.date(), time())
    ticks = round(since.total_seconds() * 300)
    return f"{days:04X}{ticks:08X}"


def decode_comb(guid: str) -> datetime:
    """The local time a COMB GUID encodes (to 1/300 s)."""
    tail = guid.replace("-", "")[-12:]
    days, ticks = int(tail[:4], 16), int(tail[4:], 16)
    return datetime.combine(_EPOCH + timedelta(days=days), time()) + timedelta(
        microseconds=round(ticks * 1_000_000 / 300)
    )


def _guid(head: str, tail: str) -> str:
    hexs = (head + tail).upper()
    return f"{hexs[:8]}-{hexs[8:12]}-{hexs[12:16]}-{hexs[16:20]}-{hexs[20:32]}"


def news_guid(a: Article) -> str:
    """The article's newsid: uppercase COMB GUID of its creation time (never changes)."""
    head = hashlib.md5(f"newsid|{a.tc}".encode()).hexdigest()[:20]
    return _guid(head, comb_tail(a.created))


def cat_guid(site: ReplicaSite, cn: int) -> str:
    """A category's cid GUID (a COMB GUID too, of a day in 2014)."""
    head = hashlib.md5(f"cid|{site.seed}|{cn}".encode()).hexdigest()[:20]
    born = datetime(2014, 3, 1, 8, 0) + timedelta(days=cn % 200, seconds=cn * 37)
    return _guid(head, comb_tail(born))


def _cat_segment(site: ReplicaSite, cn: int) -> str:
    return quote(site.categories[cn].name, safe="")


def _article_path(site: ReplicaSite, tc: int) -> str:
    a = site.articles[tc]
    return (
        f"/vi-vn/{_cat_segment(site, a.cat)}/tid/{a.alias}/newsid/{news_guid(a)}"
        f"/cid/{cat_guid(site, a.cat)}"
    )


def _listing_path(site: ReplicaSite, cn: int, page: int = 1) -> str:
    path = f"/vi-vn/{_cat_segment(site, cn)}/cid/{cat_guid(site, cn)}"
    return path if page <= 1 else f"{path}?page={page}"


def _label(site: ReplicaSite, a: Article) -> str | None:
    """The date text the article page shows, or None (no date on the page)."""
    if a.date_raw is None or m.pick(f"dnn-nodate|{a.tc}", 7) == 0:
        return None
    shown = site.shown_time(a.tc)
    if shown is None:  # a label that is not a valid date is printed as it is
        return f"Ngày đăng: {a.date_raw}"
    return m.date_label(shown, m.pick(f"dnn-date|{a.tc}", m.DATE_FORMS))


# --------------------------------------------------------------------------- layout
class DNNLayout:
    """Renders every page of one ReplicaSite as the DNN provincial portal."""

    name = "dnn"

    def __init__(self, site: ReplicaSite, base_url: str, *, crawl_delay: float | None = None):
        self.site = site
        self.base = base_url if base_url.endswith("/") else base_url + "/"
        self.crawl_delay = crawl_delay
        self.rng = random.Random()
        self._visits = itertools.count(18_245_310 + 1000 * (site.seed % 89))
        self._cores: dict[tuple, str] = {}
        self._cached: dict[tuple, str] = {}
        self._rev = -1
        self._guid_index: tuple[int, dict[str, int]] = (-1, {})

    # ---- hooks of the ground truth ------------------------------------------------
    @staticmethod
    def canonical_url(site: ReplicaSite, tc: int, base_url: str) -> str:
        return origin(base_url) + url_path(unquote(_article_path(site, tc)))

    @staticmethod
    def page_url(site: ReplicaSite, tc: int, base_url: str) -> str:
        """The page is served at its canonical URL."""
        return DNNLayout.canonical_url(site, tc, base_url)

    @staticmethod
    def file_url(path: str, base_url: str) -> str:
        return origin(base_url) + url_path(FILES + path)

    @staticmethod
    def link_url(site: ReplicaSite, b: Block, base_url: str) -> str | None:
        if b.target not in site.articles:
            return None
        return DNNLayout.canonical_url(site, b.target, base_url)

    @staticmethod
    def dates(site: ReplicaSite, tc: int) -> tuple[str | None, str | None]:
        """(published, published_raw): the label's date when it is valid, else the date
        the newsid GUID encodes; raw: the label text, None when the page shows no date."""
        a = site.articles[tc]
        label = _label(site, a)
        shown = site.shown_time(tc) if label else None
        day = shown.date() if shown else decode_comb(news_guid(a)).date()
        return day.isoformat(), norm(label) or None

    @staticmethod
    def fault_key(method: str, path_qs: str, form: Mapping[str, str] | None) -> str:
        return f"{method} {path_qs}"

    # ---- pieces ---------------------------------------------------------------------
    def _href(self, tc: int) -> str:
        return _article_path(self.site, tc)

    def _title(self, a: Article) -> str:
        t = unicodedata.normalize("NFD", a.title) if "nfd" in a.noise else a.title
        return html.escape(t, quote=False)

    def _item(self, tc: int, with_date: bool = True) -> str:
        a = self.site.articles[tc]
        shown = self.site.shown_time(tc)
        span = f' <span class="date">({m.dmy(shown)})</span>' if with_date and shown else ""
        return f'<li><a href="{self._href(tc)}">{self._title(a)}</a>{span}</li>'

    def _most_read(self) -> str:
        key = ("most", self.site.rev)
        if key not in self._cached:
            tcs = sorted(self.site.tcs(), key=lambda t: m.pick(f"read|{t}", 10_007))[:6]
            items = "".join(self._item(tc, False) for tc in tcs)
            self._cached[key] = (
                '<div class="DnnModule DnnModule-NewsMostRead"><div class="c_head">'
                '<h2 class="c_titleText">Đọc nhiều</h2></div>'
                f'<div class="c_content"><ol class="most-read">{items}</ol></div></div>'
            )
        return self._cached[key]

    def _menu(self) -> str:
        site = self.site
        out = ['<nav id="dnn_dnnNAV" class="dnnNav"><ul class="topLevel">']
        out.append('<li class="item first"><a href="/vi-vn/">Trang chủ</a></li>')
        for root in sorted(site.roots()):
            kids = site.children(root)
            cls = "item haschild" if kids else "item"
            name = esc(site.categories[root].name)
            out.append(f'<li class="{cls}"><a href="{_listing_path(site, root)}">{name}</a>')
            if kids:
                out.append('<ul class="subLevel">')
                for kid in kids:
                    kname = esc(site.categories[kid].name)
                    out.append(
                        f'<li class="item"><a href="{_listing_path(site, kid)}">{kname}</a></li>'
                    )
                out.append("</ul>")
            out.append("</li>")
        out.append("</ul></nav>")
        return "".join(out)

    def _image(self, img: Img, enc: Enc) -> str:
        src = esc(url_path(FILES + img.path))
        alt = f' alt="{enc.attr(img.alt)}"' if img.alt is not None else ""
        tag = f'<img src="{src}"{alt} style="width: 100%; max-width: 640px;" />'
        if not img.caption:
            return f'<p style="text-align: center;">{tag}</p>'
        cap = enc(img.caption)
        form = m.pick(f"dnn-cap|{img.path}", 3)
        if form == 0:
            return f'<figure class="image">{tag}<figcaption>{cap}</figcaption></figure>'
        if form == 1:
            return (
                '<table class="image-center" align="center" border="0" cellpadding="2">'
                f'<tbody><tr><td>{tag}</td></tr><tr><td class="image-caption">{cap}</td></tr>'
                "</tbody></table>"
            )
        centre = '<p style="text-align: center;">'
        return f"{centre}{tag}</p>\n{centre}<em>{cap}</em></p>"

    def _block_href(self, b: Block) -> str | None:
        if b.kind == "attach":
            return url_path(FILES + b.href)
        return self._href(b.target) if b.target in self.site.articles else None

    # ---- page assembly ----------------------------------------------------------------
    def _page(self, title: str, pane: str, *, status: int = 200, head: str = "") -> Response:
        vs = base64.b64encode(os.urandom(180 + self.rng.randint(0, 200))).decode("ascii")
        visits = next(self._visits)
        online = self.rng.randint(40, 400)
        today = self.site.today
        date_token = (
            f"{m.WEEKDAYS[today.weekday()]}, {today.day:02d}/{today.month:02d}/{today.year}"
        )
        parts = [
            _HEAD_OPEN,
            f"<title>{title} - {PORTAL}</title>\n",
            _HEAD_META,
            head,
            _HEAD_CLOSE,
            f'<div class="aspNetHidden"><input type="hidden" name="__VIEWSTATE" '
            f'id="__VIEWSTATE" value="{vs}" /></div>\n',
            _HEADER,
            f'<span id="dnn_dnnCURRENTDATE_lblDate" class="DateToken">{date_token}</span>\n',
            _SEARCH,
            self._menu(),
            '\n<div id="dnn_main" class="row"><div id="dnn_ContentPane" class="col-md-8 '
            f'contentPane">\n{pane}\n</div>',
            '<div id="dnn_RightPane" class="col-md-4 rightPane">\n',
            self._most_read(),
            _LINKS,
            _FOOTER_INFO,
            f'<div id="dnn_visitCounter" class="counter">Lượt truy cập: <span>{visits:,}</span>'
            f" - Đang trực tuyến: <span>{online}</span></div>\n",
            _FOOTER_END,
        ]
        headers = [("Content-Type", _HTML), ("X-Powered-By", "ASP.NET")]
        return Response(status, headers, "".join(parts).encode())

    def _module(self, mid: int, title: str, inner: str) -> str:
        return (
            f'<div class="DnnModule DnnModule-NewsArticles DnnModule-{mid}"><a name="{mid}"></a>'
            f'<div class="c_container c_head_title"><div class="c_head"><h2 class="c_titleText">'
            f'<span id="dnn_ctr{mid}_dnnTITLE_titleLabel" class="TitleHead">{title}</span></h2>'
            f'</div><div id="dnn_ctr{mid}_ContentPane" class="c_content">'
            f'<div id="dnn_ctr{mid}_ModuleContent" class="DNNModuleContent ModNewsArticlesC">'
            f"{inner}</div></div></div></div>"
        )

    # ---- article ---------------------------------------------------------------------
    def _core(self, a: Article) -> str:
        key = (a.tc, a.rev, a.variant)
        if key in self._cores:
            return self._cores[key]
        site = self.site
        rng = random.Random(f"{site.seed}:dnn:{a.tc}:{a.variant}")
        enc = Enc(a.noise, rng)
        crumbs = " » ".join(
            f'<a href="{_listing_path(site, c.id)}">{esc(c.name)}</a>'
            for c in site.category_path(a.cat)
        )
        label = _label(site, a)
        date_html = f'<span class="news-date">{esc(label)}</span>' if label else ""
        lead = self._image(a.lead, enc) if a.lead else ""
        body = m.body_html(a, enc, rng, self._image, self._block_href)
        at_end = m.pick(f"dnn-pos|{a.tc}", 4) == 0
        meta = "" if at_end else date_html
        tail = (
            f'<div class="news-update" style="text-align: right;">{date_html}</div>'
            if at_end
            else ""
        )
        share = quote(self.canonical_url(site, a.tc, self.base), safe="")
        core = (
            '<div class="news-detail"><div class="breadcrumb"><a href="/vi-vn/">Trang chủ</a> » '
            f"{crumbs}</div>"
            f'<h1 class="news-title">{enc(a.title)}</h1>'
            f'<div class="news-meta">{meta} <span class="news-views">Lượt xem: VIEWS</span></div>'
            '<div class="news-body" id="dnn_ctr1391_ViewNews_divContent">'
            f"{lead}\n{body}</div>{tail}"
            '<div class="news-share"><a href="https://www.facebook.com/sharer/sharer.php?u='
            f'{share}" target="_blank">Facebook</a> <a href="https://zalo.me/share?u={share}" '
            'target="_blank">Zalo</a> <a href="javascript:window.print()">In bài</a> '
            f'<a href="mailto:?body={share}">Gửi email</a></div>'
        )
        self._cores[key] = core
        return core

    def article(self, tc: int) -> Response:
        site = self.site
        a = site.articles.get(tc)
        if a is None:
            return self.not_found()
        same = site.same_category(tc)
        older = site.older_in_category(tc, 5)
        newer = [t for t in same if t > tc][:5]
        related = "".join(self._item(t) for t in older)
        other = "".join(self._item(t) for t in newer)
        core = self._core(a).replace("VIEWS", str(self.rng.randint(50, 9000)), 1)
        inner = (
            f'{core}<div class="news-related"><h3>Tin liên quan</h3><ul>{related}</ul></div>'
            f'<div class="news-other"><h3>Tin khác</h3><ul>{other}</ul></div></div>'
        )
        pane = self._module(1391, esc(site.categories[a.cat].name), inner)
        head = f'\n<meta id="MetaDescription" name="DESCRIPTION" content="{esc(a.title)}" />'
        return self._page(self._title(a), pane, head=head)

    # ---- listings ----------------------------------------------------------------------
    def _listing_item(self, tc: int) -> str:
        a = self.site.articles[tc]
        href = self._href(tc)
        thumb = url_path(FILES + a.lead.path) if a.lead else "/Portals/0/Skins/HueSkin/noimage.jpg"
        shown = self.site.shown_time(tc)
        date_html = f'<span class="news-item-date">{m.dmy(shown)}</span>' if shown else ""
        paras = a.paragraphs()
        words = (paras[0] if paras else "").split()
        summary = " ".join(words[:40]) + ("..." if len(words) > 40 else "")
        return (
            f'<div class="news-item"><a href="{href}"><img class="news-thumb" '
            f'src="{esc(thumb)}" alt="" /></a>'
            f'<h3 class="news-item-title"><a href="{href}">{self._title(a)}</a></h3>{date_html}'
            f'<p class="news-sapo">{html.escape(summary, quote=False)}</p></div>'
        )

    def listing(self, cn: int, page: int) -> Response:
        site = self.site
        key = ("list", cn, page, site.rev)
        if key not in self._cached:
            tcs = site.listing(cn)
            last = max(1, (len(tcs) + PER_PAGE - 1) // PER_PAGE)
            chunk = tcs[(page - 1) * PER_PAGE : page * PER_PAGE]
            items = "".join(self._listing_item(tc) for tc in chunk) or (
                '<div class="news-empty">Không có tin nào.</div>'
            )
            nav = m.pager(page, last, lambda n: _listing_path(site, cn, n), "news-pager")
            self._cached[key] = self._module(
                1390, esc(site.categories[cn].name), f'<div class="news-list">{items}</div>{nav}'
            )
        return self._page(esc(site.categories[cn].name), self._cached[key])

    def home(self) -> Response:
        key = ("home", self.site.rev)
        if key not in self._cached:
            items = "".join(self._listing_item(tc) for tc in self.site.listing()[:HOME_COUNT])
            self._cached[key] = self._module(
                1388, "Tin mới", f'<div class="news-list">{items}</div>'
            )
        return self._page("Trang chủ", self._cached[key])

    def not_found(self) -> Response:
        pane = self._module(
            404,
            "Thông báo",
            '<div class="dnnFormMessage dnnFormWarning">Trang bạn tìm không tồn tại.</div>',
        )
        return self._page("Không tìm thấy trang", pane, status=404)

    def robots(self) -> Response:
        lines = [
            "User-agent: *",
            "Disallow: /admin/",
            "Disallow: /DesktopModules/",
            "Disallow: /Providers/",
        ]
        if self.crawl_delay is not None:
            lines.append(f"Crawl-delay: {self.crawl_delay:g}")
        return Response(200, [("Content-Type", "text/plain")], ("\n".join(lines) + "\n").encode())

    # ---- router ------------------------------------------------------------------------
    def _guids(self) -> dict[str, int]:
        """newsid (upper case) -> live article id, rebuilt when the site changes."""
        rev, index = self._guid_index
        if rev != self.site.rev:
            index = {news_guid(self.site.articles[t]): t for t in self.site.tcs()}
            self._guid_index = (self.site.rev, index)
        return index

    def _cats(self) -> dict[str, int]:
        return {cat_guid(self.site, cn): cn for cn in self.site.categories}

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
        if low == "/robots.txt":
            return self.robots()
        if low.startswith("/portals/0/skins/") or low.startswith("/portals/_default/"):
            return serve_file(path, date(2019, 5, 20), headers or {})
        if low.startswith("/portals/0/"):
            found = self.site.file(path[len(FILES) :])
            return serve_file(*found, headers or {}) if found else not_found_file()
        if low in ("/", "/vi-vn", "/vi-vn/", "/default.aspx", "/vi-vn/trang-chu"):
            return self.home()
        hit = _ARTICLE.fullmatch(parts.path)
        if hit:
            tc = self._guids().get(hit[1].upper())
            return self.article(tc) if tc is not None else self.not_found()
        hit = _LISTING.fullmatch(parts.path)
        if hit:
            cn = self._cats().get(hit[1].upper())
            page = re.fullmatch(r"page=(\d+)", parts.query or "")
            if cn is not None:
                return self.listing(cn, max(1, int(page[1])) if page else 1)
        return self.not_found()

    def warm(self) -> None:
        for tc in self.site.tcs():
            self._core(self.site.articles[tc])
