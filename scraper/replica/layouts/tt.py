"""The TT CMS layout of the replica: routes, listings, home, date browse, search, 404,
robots.txt and files, plus the TT URL forms the ground truth needs.

Owns what a method + URL + posted form gives on a TT sub-site (`TTLayout.handle`: the
`?gd=&cn=&tc=` parameters, the postback pager, date browse and search), list items in the
TMCD2 markup, and the layout hooks of `scraper.replica.truth` (canonical article URL,
link and file URLs, the date label). With `tt_chrome` (page chrome, __VIEWSTATE) and
`tt_article` (article page), this is the only replica code that names TT classes,
labels or URL parameters.
"""

from __future__ import annotations

import html
import re
import unicodedata
import zlib
from collections.abc import Mapping
from datetime import date
from urllib.parse import parse_qsl, unquote, urlsplit

from scraper.replica.layouts._html import Response, esc, not_found_file, serve_file
from scraper.replica.layouts.tt_article import TTArticle, article_href
from scraper.replica.layouts.tt_chrome import (
    DDL_DAY,
    DDL_MONTH,
    DDL_YEAR,
    HOME_COUNT,
    PAGER_TARGET,
    PER_PAGE,
    SEARCH_BOX,
    SEARCH_TARGET,
    XEM_TARGET,
    decode_viewstate,
)
from scraper.replica.model import LINK_STYLES, Block, ReplicaSite, fmt_date, parse_published
from scraper.replica.norm import norm, origin, url_path

_esc = esc


class TTLayout(TTArticle):
    """Renders every page of one ReplicaSite, TT CMS style, served at one base URL."""

    name = "tt"

    # ---- hooks of the ground truth (no instance needed) ------------------------------
    @staticmethod
    def canonical_url(site: ReplicaSite, tc: int, base_url: str) -> str:
        """The article's URL as the archive spells it (query sorted by name)."""
        return f"{origin(base_url)}/?cn={site.articles[tc].cat}&gd=1&tc={tc}"

    @staticmethod
    def page_url(site: ReplicaSite, tc: int, base_url: str) -> str:
        """The article's URL as its links write it (the usual `?gd=1&cn=&tc=` order)."""
        return f"{origin(base_url)}/?gd=1&cn={site.articles[tc].cat}&tc={tc}"

    @staticmethod
    def file_url(path: str, base_url: str) -> str:
        """Canonical URL of a model file path (images, attachments)."""
        return origin(base_url) + url_path(path)

    @staticmethod
    def link_url(site: ReplicaSite, b: Block, base_url: str) -> str:
        """Canonical URL of a body link block (the spelling it writes, normalised)."""
        if b.cn is None:
            return f"{origin(base_url)}/?gd=1&tc={b.target}"
        gd = 4 if b.style == "dot" else 1
        return f"{origin(base_url)}/?cn={b.cn}&gd={gd}&tc={b.target}"

    @staticmethod
    def dates(site: ReplicaSite, tc: int) -> tuple[str | None, str | None]:
        """(published, published_raw): the 'Ngày cập nhật' label and its valid date."""
        raw = site.articles[tc].date_raw
        return parse_published(raw, site.today), norm(raw) or None

    @staticmethod
    def fault_key(method: str, path_qs: str, form: Mapping[str, str] | None) -> str:
        """What identifies a request for the fault mode: a postback counts by its event
        target and argument (a pager page, a date), not by its per-request hidden fields."""
        if not form:
            return f"{method} {path_qs}"
        target = form.get("__EVENTTARGET", "")
        extra = form.get("__EVENTARGUMENT", "")
        if target == XEM_TARGET:
            extra = "/".join(v for k, v in sorted(form.items()) if "ddl" in k)
        elif target != PAGER_TARGET:
            extra = ""
        return f"{method} {path_qs} {target} {extra}"

    # ---- links and list items --------------------------------------------------
    def _href(self, tc: int, salt: int) -> str:
        a = self.site.articles.get(tc)
        cn = a.cat if a else None
        h = (tc * 2654435761 + salt * 40503) & 0xFFFFFFFF
        form = LINK_STYLES[h % len(LINK_STYLES)]
        amp = "&" if (h >> 8) % 3 == 0 else "&amp;"
        if (h >> 12) % 11 == 0:
            cn = None
        return article_href(form, tc, cn, self.base, amp)

    def _item(self, tc: int, style: str, salt: int) -> str:
        """One article link; style: 'related' (TT_TinChiTiet_...), 'other' (TMCD2_...),
        'plain' (chrome box). Cached per article revision and link form."""
        a = self.site.articles[tc]
        form = (tc * 7 + salt) % 6
        key = (tc, a.rev, a.variant, style, form)
        out = self._items.get(key)
        if out is not None:
            return out
        href = self._href(tc, form)
        title = a.title
        if "nfd" in a.noise:
            title = unicodedata.normalize("NFD", title)
        title = html.escape(title, quote=False)
        raw = a.date_raw
        if style == "related":
            span = (
                f'<span class="TT_TinChiTiet_TinLienQuan_ThoiGian"> ({_esc(raw)})</span>'
                if raw
                else ""
            )
            out = (
                '<div class="TT_TinChiTiet_DongTinLienQuan">'
                f'<a class="TT_TinChiTiet_TinLienQuan" href="{href}">{title}{span}</a></div>\r\n'
            )
        elif style == "other":
            span = f' <span class="TMCD2_NgayDang">({_esc(raw)})</span>' if raw else ""
            out = (
                '<div class="TMCD2_DongTinLienQuan">'
                f'<a class="TMCD2_TinLienQuan" href="{href}">{title}</a>{span}</div>\r\n'
            )
        else:
            out = f'<a href="{href}">{title}</a>'
        self._items[key] = out
        return out

    def _full_item(self, tc: int, salt: int) -> str:
        a = self.site.articles[tc]
        href = self._href(tc, salt)
        title = html.escape(a.title, quote=False)
        thumb = a.lead.src(self.base) if a.lead else "/Images/no-image.jpg"
        paras = a.paragraphs()
        summary = paras[0] if paras else ""
        words = summary.split()
        if len(words) > 45:
            summary = " ".join(words[:45]) + "..."
        date_span = (
            f' <span class="TMCD2_NgayDang">({_esc(a.date_raw)})</span>' if a.date_raw else ""
        )
        return (
            '<div class="TMCD2_Tin"><div class="TMCD2_DongAnhMinhHoa">'
            f'<a href="{href}"><img class="TMCD2_AnhMinhHoa" src="{_esc(thumb)}" '
            f'alt="{_esc(a.title)}" /></a></div>'
            f'<div class="TMCD2_DongTieuDe"><a class="TMCD2_TieuDe" href="{href}">{title}</a>'
            f"{date_span}</div>"
            f'<div class="TMCD2_DongNoiDung">{html.escape(summary, quote=False)}</div>'
            '<div style="clear:both"></div></div>\r\n'
        )

    def _list_block(self, head: str, tcs: list[int], full: int, pager: str, salt: int) -> bytes:
        parts = [f'<div id="ctl16_ctl01_divTM" class="HT_Dang2"><div class="TMCD2_Vien">{head}']
        for tc in tcs[:full]:
            parts.append(self._full_item(tc, salt))
        rest = tcs[full:]
        if rest:
            parts.append(
                '<table class="TMCD2_KhungLienQuan" width="100%" cellpadding="0" cellspacing="0">'
                '<tr><td class="TMCD2_TieuDeLienQuan">Các bài khác</td></tr>'
                '<tr><td class="TMCD2_NoiDungLienQuan">'
            )
            parts += [self._item(tc, "other", salt) for tc in rest]
            parts.append("</td></tr></table>")
        if pager:
            parts.append(f'<div class="TMCD2_PhanTrang">{pager}</div>')
        parts.append("</div></div>\r\n")
        return "".join(parts).encode()

    # ---- listings ------------------------------------------------------------------
    def _pager(self, page: int, last: int) -> str:
        def link(n: int, text: str) -> str:
            return (
                f"<a href=\"javascript:__doPostBack('{PAGER_TARGET}','Page${n}')\" "
                f'class="TMCD2_Trang">{text}</a>'
            )

        if last <= 1:
            return ""
        parts = []
        cur = min(page, last)
        if page > 1:
            parts += [link(1, "&lt;&lt;"), link(cur - 1 if page <= last else last, "&lt;")]
        start = max(1, min(cur - 2, last - 4))
        for n in range(start, min(last, start + 4) + 1):
            if n == page:
                parts.append(f'<span class="TMCD2_TrangHienTai">{n}</span>')
            else:
                parts.append(link(n, str(n)))
        if page < last:
            parts += [link(page + 1, "&gt;"), link(last, "&gt;&gt;")]
        return " ".join(parts)

    def listing_page(self, cn_raw: str, page: int, action: str) -> Response:
        site = self.site
        cn = int(cn_raw) if cn_raw.isdigit() else -1
        page = max(1, page)
        key = ("list", cn, page, site.rev)
        content = self._cached.get(key)
        if content is None:
            if cn in site.categories:
                tcs = site.listing(cn)
                crumbs = " &gt;&gt; ".join(
                    f'<a class="TMCD2_TruongMuc" href="/?gd=2&amp;cn={c.id}">{_esc(c.name)}</a>'
                    for c in site.category_path(cn)
                )
            else:
                tcs, crumbs = [], ""
            last = (len(tcs) + PER_PAGE - 1) // PER_PAGE
            chunk = tcs[(page - 1) * PER_PAGE : page * PER_PAGE]
            head = f'<div class="TMCD2_DongTruongMuc">{crumbs}</div>'
            content = self._list_block(head, chunk, 3 + cn % 2, self._pager(page, last), page)
            self._cached[key] = content
        title = site.categories[cn].name if cn in site.categories else "Danh mục"
        bom, meta = _quirks(f"L{cn}:{page}")
        return self._page(
            title, action, f"k=L;cn={cn};p={page}", [content], bom=bom, meta_only=meta
        )

    def home(self, action: str) -> Response:
        key = ("home", self.site.rev)
        content = self._cached.get(key)
        if content is None:
            head = '<div class="TMCD2_TieuDeKhoi">Tin mới nhất</div>'
            content = self._list_block(head, self.site.listing()[:HOME_COUNT], 4, "", 0)
            self._cached[key] = content
        return self._page("Trang chủ", action, "k=H", [content])

    def date_page(self, form: Mapping[str, str], action: str) -> Response:
        try:
            day = date(
                int(form.get(DDL_YEAR, "")),
                int(form.get(DDL_MONTH, "")),
                int(form.get(DDL_DAY, "")),
            )
        except ValueError:
            day = None
        if day is None:
            head = '<div class="TMCD2_TieuDeKhoi">Ngày không hợp lệ</div>'
            content = self._list_block(head, [], 0, "", 0)
            widget = None
        else:
            tcs = self.site.on_day(day)
            head = f'<div class="TMCD2_TieuDeKhoi">Tin ngày {fmt_date(day)}</div>'
            content = self._list_block(head, tcs, 0, "", 5)
            widget = self._date_widget(day)
        vs = f"k=D;d={day.isoformat() if day else ''}"
        return self._page("Xem tin theo ngày", action, vs, [content], date_widget=widget)

    def search_page(self, query: str, action: str) -> Response:
        q = norm(query).casefold()
        hits = []
        if q:
            for tc in self.site.listing():
                if q in norm(self.site.articles[tc].title).casefold():
                    hits.append(tc)
                    if len(hits) >= 20:
                        break
        head = f'<div class="TMCD2_TieuDeKhoi">Kết quả tìm kiếm: {_esc(norm(query))}</div>'
        content = self._list_block(head, hits, 0, "", 7)
        return self._page(
            "Tìm kiếm", action, "k=S", [content], search_widget=self._search_widget(query)
        )

    def not_found(self, action: str, message: str = "Trang không tồn tại.") -> Response:
        content = (
            '<div id="ctl16_ctl00_divTM" class="HT_Dang2"><div class="TMCD2_Vien">'
            f'<div class="ThongBaoLoi">{_esc(message)}</div></div></div>\r\n'
        ).encode()
        return self._page("Không tìm thấy", action, "k=E", [content], status=404)

    # ---- other resources -------------------------------------------------------------
    def robots(self) -> Response:
        lines = ["User-agent: *", "Disallow: /?gd=99", "Disallow: /Admin/"]
        if self.crawl_delay is not None:
            lines.append(f"Crawl-delay: {self.crawl_delay:g}")
        body = ("\n".join(lines) + "\n").encode()
        return Response(200, [("Content-Type", "text/plain")], body)

    def admin(self) -> Response:
        body = (
            '<!DOCTYPE html><html><head><meta charset="utf-8" /><title>Quản trị</title></head>'
            '<body><form method="post" action="/Admin/Login.aspx"><div>Đăng nhập quản trị</div>'
            '<input name="txtTenDangNhap" type="text" /><input name="txtMatKhau" type="password" />'
            '<input type="submit" name="btnDangNhap" value="Đăng nhập" /></form></body></html>'
        ).encode()
        return Response(200, [("Content-Type", "text/html; charset=utf-8")], body)

    def file(self, path: str, headers: Mapping[str, str]) -> Response:
        """A file under /UploadFiles/ (or /Images/): fake bytes with ETag and Last-Modified."""
        decoded = unquote(path)
        if decoded.lower().startswith("/images/"):
            return serve_file(decoded, date(2016, 3, 12), headers)
        found = self.site.file(decoded)
        if found is None:
            return not_found_file()
        return serve_file(*found, headers)

    # ---- router ------------------------------------------------------------------------
    def handle(
        self,
        method: str,
        path_qs: str,
        form: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """The response to one request. form: the posted fields (POST); headers: request
        headers with lower-case names (only the conditional ones are read)."""
        if self._chrome_rev != self.site.rev:
            self._cached.clear()
            self._chrome_rev = self.site.rev
        parts = urlsplit(path_qs)
        path = unquote(parts.path) or "/"
        low = path.lower()
        if low == "/robots.txt":
            return self.robots()
        if low.startswith(("/uploadfiles/", "/images/")):
            return self.file(parts.path, headers or {})
        action = "./?" + parts.query if parts.query else "./"
        if low.startswith("/admin"):
            return self.admin()
        if low not in ("/", "/default.aspx"):
            return self.not_found(action)
        q: dict[str, str] = {}
        for k, v in parse_qsl(parts.query, keep_blank_values=True):
            q.setdefault(k.lower(), v)
        if method == "POST" and form:
            target = form.get("__EVENTTARGET", "")
            vs = decode_viewstate(form.get("__VIEWSTATE"))
            if vs is not None and target == XEM_TARGET:
                return self.date_page(form, action)
            if vs is not None and target == SEARCH_TARGET:
                return self.search_page(form.get(SEARCH_BOX, ""), action)
            if target == PAGER_TARGET and "tc" not in q and "cn" in q:
                page = 1
                m = re.fullmatch(r"Page\$(\d+)", form.get("__EVENTARGUMENT", ""))
                if m and vs and vs.get("k") == "L" and vs.get("cn") == q["cn"]:
                    page = int(m[1])
                return self.listing_page(q["cn"], page, action)
        if "tc" in q:
            tc = q["tc"]
            if not tc.isdigit():
                return self.not_found(action, "Tin không tồn tại hoặc đã bị gỡ bỏ.")
            return self.article_page(int(tc), action)
        if q.get("gd") == "99":
            return self.search_page(q.get("tk", ""), action)
        if "cn" in q:
            return self.listing_page(q["cn"], 1, action)
        return self.home(action)

    def warm(self) -> None:
        """Render every article's cached part now (server start), so requests stay cheap."""
        for tc in self.site.tcs():
            a = self.site.articles.get(tc)
            if a is not None:
                self._article_core(a)


def _quirks(key: str) -> tuple[bool, bool]:
    """(starts with a BOM, charset only in <meta>) for a non-article page, by its identity."""
    h = zlib.crc32(key.encode())
    return h % 13 == 0, h % 7 == 0
