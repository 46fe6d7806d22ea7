"""HTML of the replica: every page of the TT-CMS sub-site, chrome included, and the router.

Owns: the markup of SITE.md sections 3 and 7 (article page, category listing with its
postback pager, home, date browse, search, 404, robots.txt, files under /UploadFiles/),
which page a method + URL + posted form gives (`Renderer.handle`), the __VIEWSTATE
format (base64 of the page's identity plus per-request junk), and the re-encoding noise
(NFD, &nbsp;, zero-width characters, character references, whitespace, spacer
paragraphs) an article's flags ask for. Chrome is built once per Renderer and kept as
bytes; an article's own part is rendered once per (rev, variant) and cached; per
request only the counters, hidden fields and the 'Tin cùng nhóm' list are new.
"""

from __future__ import annotations

import base64
import email.utils
import html
import itertools
import os
import random
import re
import unicodedata
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from scraper.replica.content import (
    LINK_FORMS,
    Article,
    Block,
    Img,
    ReplicaSite,
    article_href,
    fmt_date,
)
from scraper.text import clean

PAGER_TARGET = "ctl16$ctl01$pager"
XEM_TARGET = "ctl16$ctl05$lbtXem"
SEARCH_TARGET = "ctl16$ctl04$lbtTim"
SEARCH_BOX = "ctl16$ctl04$txtTuKhoa"
DDL_DAY = "ctl16$ctl05$ddlNgay"
DDL_MONTH = "ctl16$ctl05$ddlThang"
DDL_YEAR = "ctl16$ctl05$ddlNam"
LINKS_SELECT = "ctl16$ctl07$ddlLienKet"
PER_PAGE = 10
HOME_COUNT = 12
BOM = b"\xef\xbb\xbf"
_VS_MAGIC = b"\xff\x01\x0f\x0f\x05TTVS|"


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


# --------------------------------------------------------------------------- viewstate
def encode_viewstate(payload: str, junk: int = 2400) -> str:
    """base64 of magic + 'k=L;cn=12;p=2' + '|' + random bytes (new on every request)."""
    raw = _VS_MAGIC + payload.encode() + b"|" + os.urandom(junk)
    return base64.b64encode(raw).decode("ascii")


def decode_viewstate(value: str | None) -> dict[str, str] | None:
    """The page identity a __VIEWSTATE carries, or None when it is not one of ours."""
    if not value:
        return None
    try:
        raw = base64.b64decode(value, validate=False)
    except (ValueError, TypeError):
        return None
    if not raw.startswith(_VS_MAGIC):
        return None
    payload = raw[len(_VS_MAGIC) :].split(b"|", 1)[0].decode("ascii", "replace")
    out = {}
    for item in payload.split(";"):
        key, _, val = item.partition("=")
        out[key] = val
    return out


# --------------------------------------------------------------------------- noise
_NONASCII = re.compile(r"[^\x00-\x7f]")
_NBSPS = ("&nbsp;", "\xa0", "&#160;", "&nbsp; ", " &nbsp;")
_WSS = ("  ", "\n", "\r\n\t\t\t", " \n   ", "\t")
_ZWS = (" \u200b", "\u200b ", " &#8203;", "\u200c ", " \ufeff", "&#x200B; ")
_SPACERS = (
    "<p>&nbsp;</p>",
    "<p> </p>",
    "<p><br /></p>",
    "<p>&nbsp;&nbsp;</p>",
    "<div>&nbsp;</div>",
)


class _Enc:
    """Escapes text for HTML and adds the re-encoding noise an article's flags ask for."""

    def __init__(self, noise: frozenset[str], rng: random.Random):
        self.rng = rng
        self.nfd = "nfd" in noise
        self.nbsp = "nbsp" in noise
        self.zw = "zero_width" in noise
        self.ref = "charref" in noise
        self.ws = "whitespace" in noise
        self.spacer = "spacer" in noise
        self.plain = not (self.nbsp or self.zw or self.ref or self.ws)

    def attr(self, text: str) -> str:
        if self.nfd:
            text = unicodedata.normalize("NFD", text)
        return html.escape(text, quote=True)

    def _charref(self, m: re.Match) -> str:
        x = self.rng.random()
        if x < 0.08:
            return f"&#{ord(m[0])};"
        if x < 0.15:
            return f"&#x{ord(m[0]):X};"
        return m[0]

    def __call__(self, text: str, edges: bool = True) -> str:
        if self.nfd:
            text = unicodedata.normalize("NFD", text)
        s = html.escape(text, quote=False)
        if self.plain:
            return s
        r = self.rng
        if self.ref:
            s = _NONASCII.sub(self._charref, s)
        parts = s.split(" ")
        out = [parts[0]]
        for part in parts[1:]:
            x = r.random()
            if self.nbsp and x < 0.1:
                out.append(r.choice(_NBSPS))
            elif self.ws and 0.1 <= x < 0.22:
                out.append(r.choice(_WSS))
            elif self.zw and 0.22 <= x < 0.28:
                out.append(r.choice(_ZWS))
            else:
                out.append(" ")
            out.append(part)
        s = "".join(out)
        if edges and self.ws and r.random() < 0.5:
            s = "\r\n\t\t" + s + " \n"
        if edges and self.zw and r.random() < 0.3:
            s = r.choice(("\u200b", "\ufeff", "&#8203;")) + s
        return s


# --------------------------------------------------------------------------- chrome
_CSS_CLASSES = [
    "HT_Dang2",
    "TT_TinChiTiet_Vien",
    "TT_TinChiTiet_Nen",
    "TT_TinChiTiet_TieuDe",
    "TT_TinChiTiet_NgayCapNhat",
    "TT_TinChiTiet_DocTin",
    "TT_TinChiTiet_DongAnhMinhHoa",
    "TT_TinChiTiet_AnhMinhHoa",
    "TT_TinChiTiet_MoTaAnh",
    "TT_TinChiTiet_DongChucNang",
    "TT_TinChiTiet_ChucNang",
    "TT_TinChiTiet_TinLienQuanTieuDe",
    "TT_TinChiTiet_DongTinLienQuan",
    "TT_TinChiTiet_TinLienQuan",
    "TT_TinChiTiet_TinLienQuan_ThoiGian",
    "TMCD2_Vien",
    "TMCD2_DongTruongMuc",
    "TMCD2_TruongMuc",
    "TMCD2_Tin",
    "TMCD2_DongAnhMinhHoa",
    "TMCD2_AnhMinhHoa",
    "TMCD2_TieuDe",
    "TMCD2_NgayDang",
    "TMCD2_DongNoiDung",
    "TMCD2_TieuDeLienQuan",
    "TMCD2_DongTinLienQuan",
    "TMCD2_TinLienQuan",
    "TMCD2_PhanTrang",
    "TMCD2_TrangHienTai",
    "TMCD2_TieuDeKhoi",
    "KhoiTrai",
    "KhoiPhai",
    "TieuDeKhoi",
    "NoiDungKhoi",
    "MenuNgang",
    "MenuCon",
    "Banner",
    "ChanTrang",
    "XemTin_Ngay",
    "XemTin_Thang",
    "XemTin_Nam",
    "XemTin_Nut",
    "TimKiem_O",
    "TimKiem_Nut",
    "ThongKe_Dong",
    "LienKet_Chon",
    "TinMoi_Dong",
    "ThongBaoLoi",
]
_CSS_PROPS = [
    "font-family:Arial,Helvetica,sans-serif",
    "font-size:13px",
    "color:#333333",
    "line-height:20px",
    "padding:4px 6px 4px 6px",
    "margin:0px",
    "text-align:justify",
    "border-bottom:1px dotted #cccccc",
    "background-color:#ffffff",
    "font-weight:normal",
    "text-decoration:none",
    "overflow:hidden",
]


def _build_css() -> str:
    rules = []
    for i, cls in enumerate(_CSS_CLASSES):
        for j, suffix in enumerate(("", " a", " a:hover", " img", " span")):
            props = ";".join(_CSS_PROPS[(i + j + k) % len(_CSS_PROPS)] for k in range(6))
            rules.append(f".{cls}{suffix}{{{props};}}")
    return "\n".join(rules)


_SCRIPT = """
//<![CDATA[
var theForm = document.forms['form1'];
if (!theForm) { theForm = document.form1; }
function __doPostBack(eventTarget, eventArgument) {
    if (!theForm.onsubmit || (theForm.onsubmit() != false)) {
        theForm.__EVENTTARGET.value = eventTarget;
        theForm.__EVENTARGUMENT.value = eventArgument;
        theForm.submit();
    }
}
var coChu = 13;
function DatCoChu(n) {
    coChu = n;
    document.getElementById('divNoiDung').style.fontSize = coChu + 'px';
}
function ZoomIn() { DatCoChu(coChu + 1); }
function ZoomOut() { DatCoChu(coChu - 1); }
function ZoomReset() { DatCoChu(13); }
function MoLienKet(sel) {
    var u = sel.options[sel.selectedIndex].value;
    if (u != '') window.open(u);
}
function NhanEnterTimKiem(e) {
    var k = (window.event) ? window.event.keyCode : e.which;
    if (k == 13) { __doPostBack('ctl16$ctl04$lbtTim', ''); return false; }
    return true;
}
function HienMenu(id) { var m = document.getElementById(id); if (m) m.style.display = 'block'; }
function AnMenu(id) { var m = document.getElementById(id); if (m) m.style.display = 'none'; }
function DongHo() {
    var d = new Date();
    var thu = ['Chủ nhật', 'Thứ hai', 'Thứ ba', 'Thứ tư', 'Thứ năm', 'Thứ sáu', 'Thứ bảy'];
    var s = thu[d.getDay()] + ', ngày ' + d.getDate() + '/' + (d.getMonth() + 1) + '/'
        + d.getFullYear();
    var el = document.getElementById('lblNgayHienTai'); if (el) el.innerHTML = s;
}
window.onload = DongHo;
//]]>
"""


def _lunar_table() -> str:
    rng = random.Random(20201007)
    nums = ",".join(f"0x{rng.randint(0, 0xFFFFF):05x}" for _ in range(400))
    return f"var LUNAR_INFO = [{nums}];\nfunction NgayAm(y){{return LUNAR_INFO[y-1900];}}\n"


_EXTERNAL_LINKS = [
    ("Cổng thông tin điện tử tỉnh", "https://thuathienhue.gov.vn/"),
    ("Dịch vụ công trực tuyến", "https://dichvucong.thuathienhue.gov.vn/"),
    ("Báo Thừa Thiên Huế", "https://baothuathienhue.vn/"),
    ("Chính phủ", "https://chinhphu.vn/"),
    ("Bộ Thông tin và Truyền thông", "https://mic.gov.vn/"),
    ("Hue-S", "https://hues.thuathienhue.gov.vn/"),
    ("Sở Du lịch", "https://sdl.thuathienhue.gov.vn/"),
    ("Sở Y tế", "https://syt.thuathienhue.gov.vn/"),
    ("Sở Tư pháp", "https://stp.thuathienhue.gov.vn/"),
    ("Trung tâm IOC", "https://ioc.thuathienhue.gov.vn/"),
    ("Công báo tỉnh", "https://congbao.thuathienhue.gov.vn/"),
    ("Văn bản pháp luật", "https://vbpl.vn/thuathienhue/"),
    ("Trung tâm Bảo tồn Di tích Cố đô Huế", "https://hueworldheritage.org.vn/"),
    ("Đài Phát thanh Truyền hình", "https://trt.com.vn/"),
    ("Cổng dữ liệu quốc gia", "https://data.gov.vn/"),
    ("Tạp chí Sông Hương", "https://tapchisonghuong.com.vn/"),
]


def _esc(s: str) -> str:
    return html.escape(s, quote=True)


def _fmt_count(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _http_date(d: date) -> str:
    ts = datetime.combine(d, time(8, 0), tzinfo=UTC).timestamp()
    return email.utils.formatdate(ts, usegmt=True)


# --------------------------------------------------------------------------- renderer
class Renderer:
    """Renders every page of one ReplicaSite served at one base URL."""

    def __init__(self, site: ReplicaSite, base_url: str, *, crawl_delay: float | None = None):
        self.site = site
        self.base = base_url if base_url.endswith("/") else base_url + "/"
        self.crawl_delay = crawl_delay
        self.rng = random.Random()
        self._hits = itertools.count(2_702_474 + 1000 * (site.seed % 97))
        self._core: dict[tuple, tuple[bytes, bytes, bytes]] = {}
        self._items: dict[tuple, str] = {}
        self._cached: dict[tuple, bytes] = {}
        self._chrome_rev = -1
        self._build_static()

    # ---- static chrome -------------------------------------------------------
    def _build_static(self) -> None:
        site = self.site
        css = _build_css()
        self._head_pre = (
            b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
            b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\r\n'
            b'<html xmlns="http://www.w3.org/1999/xhtml" lang="vi">\r\n<head>'
            b'<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />\r\n<title>'
        )
        self._head_post = (
            f" - {_esc(site.name)}</title>\r\n"
            '<meta name="keywords" content="Thừa Thiên Huế, thông tin, truyền thông" />\r\n'
            '<meta name="description" content="Trang thông tin điện tử" />\r\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1" />\r\n'
            '<link rel="shortcut icon" href="/Images/favicon.ico" />\r\n'
            f'<style type="text/css">\r\n{css}\r\n</style>\r\n'
            f'<script type="text/javascript">\r\n{_lunar_table()}</script>\r\n'
            "</head>\r\n<body>\r\n"
        ).encode()
        self._script = (f'<script type="text/javascript">{_SCRIPT}</script>\r\n').encode()
        menu = ['<div class="MenuNgang"><ul id="menu">', '<li><a href="./">Trang chủ</a></li>']
        for root in sorted(site.roots()):
            cat = site.categories[root]
            menu.append(
                f"<li onmouseover=\"HienMenu('m{root}')\" onmouseout=\"AnMenu('m{root}')\">"
                f'<a href="/?gd=2&amp;cn={root}">{_esc(cat.name)}</a>'
            )
            kids = site.children(root)
            if kids:
                menu.append(f'<ul class="MenuCon" id="m{root}" style="display:none">')
                for kid in kids:
                    href = f"/?gd=2&cn={kid}" if kid % 2 else f"./?gd=2&amp;cn={kid}"
                    menu.append(f'<li><a href="{href}">{_esc(site.categories[kid].name)}</a></li>')
                menu.append("</ul>")
            menu.append("</li>")
        menu.append("</ul></div>\r\n")
        banner = (
            '<div class="Banner"><a href="./"><img src="/Images/banner.jpg" alt="'
            f'{_esc(site.name)}" width="1000" height="150" /></a>'
            '<div class="NgayHienTai"><span id="lblNgayHienTai"></span></div></div>\r\n'
        )
        self._top = (banner + "".join(menu)).encode()
        self._layout_open = (
            b'<table class="KhungChinh" width="1000" align="center" cellpadding="0" '
            b'cellspacing="0"><tr><td class="CotTrai" valign="top" width="220">\r\n'
        )
        links = "".join(
            f'<div class="LienKet_Dong"><a href="{u}" target="_blank">{_esc(t)}</a></div>'
            for t, u in _EXTERNAL_LINKS
        )
        self._left_tail = (
            '<div class="KhoiTrai"><div class="TieuDeKhoi">Liên kết</div>'
            f'<div class="NoiDungKhoi">{links}</div></div>\r\n'
            '</td><td class="CotGiua" valign="top">\r\n'
        ).encode()
        options = "".join(f'<option value="{u}">{_esc(t)}</option>' for t, u in _EXTERNAL_LINKS)
        self._right_pre = (
            '</td><td class="CotPhai" valign="top" width="220">\r\n'
            '<div class="KhoiPhai"><div class="TieuDeKhoi">Liên kết website</div>'
            f'<select name="{LINKS_SELECT}" id="ctl16_ctl07_ddlLienKet" class="LienKet_Chon" '
            'onchange="MoLienKet(this)"><option selected="selected" value="">-- Chọn liên kết --'
            f"</option>{options}</select></div>\r\n"
            '<div class="KhoiPhai"><div class="TieuDeKhoi">Thống kê truy cập</div>'
            '<div class="NoiDungKhoi">'
        ).encode()
        share = quote(self.base, safe="")
        self._right_post = (
            "</div></div>\r\n"
            '<div class="KhoiPhai"><div class="TieuDeKhoi">Chia sẻ</div><div class="NoiDungKhoi">'
            f'<a href="https://www.facebook.com/sharer/sharer.php?u={share}" target="_blank">'
            '<img src="/Images/facebook.png" alt="Facebook" /></a> '
            f'<a href="https://twitter.com/intent/tweet?url={share}" target="_blank">Twitter</a> '
            f'<a href="mailto:?subject=Trang%20th%C3%B4ng%20tin&amp;body={share}">E-mail</a> '
            '<a href="javascript:window.print();">In trang</a></div></div>\r\n'
            '<div class="KhoiPhai TinNhiemMang"><a href="https://tinnhiemmang.vn/danh-ba-tin-nhiem/'
            'stttt-thuathienhue-gov-vn-1634798542" title="Chung nhan Tin Nhiem Mang" '
            'target="_blank"><img src="/Images/tinnhiemmang.png" width="150" '
            'alt="Chung nhan Tin Nhiem Mang" /></a></div>\r\n'
            "</td></tr></table>\r\n"
        ).encode()
        self._footer = (
            '<div class="ChanTrang"><div>Cơ quan chủ quản: Sở Thông tin và Truyền thông tỉnh '
            "Thừa Thiên Huế</div><div>Địa chỉ: Số 8 Hoàng Hoa Thám, thành phố Huế, tỉnh Thừa "
            "Thiên Huế</div><div>Điện thoại: 0234.3822.888 - Fax: 0234.3822.999 - Email: "
            "stttt@thuathienhue.gov.vn</div><div>Chịu trách nhiệm chính: Giám đốc Sở Thông tin "
            "và Truyền thông</div><div>Giấy phép số 28/GP-TTĐT do Sở Thông tin và Truyền thông "
            "cấp ngày 12/3/2016</div><div>Ghi rõ nguồn khi phát hành lại thông tin từ trang "
            "thông tin điện tử này.</div></div>\r\n"
            f"{self._script.decode()}</form>\r\n</body>\r\n</html>\r\n"
        ).encode()
        self._search_default = self._search_widget("")
        self._date_default = self._date_widget(site.today)

    def _search_widget(self, value: str) -> bytes:
        return (
            '<div class="KhoiTrai"><div class="TieuDeKhoi">Tìm kiếm tin tức</div>'
            f'<div class="NoiDungKhoi"><input name="{SEARCH_BOX}" type="text" '
            f'value="{_esc(value)}" id="ctl16_ctl04_txtTuKhoa" class="TimKiem_O" '
            'onkeypress="return NhanEnterTimKiem(event)" /> '
            f'<a id="ctl16_ctl04_lbtTim" class="TimKiem_Nut" '
            f"href=\"javascript:__doPostBack('{SEARCH_TARGET}','')\">Tìm</a></div></div>\r\n"
        ).encode()

    def _date_widget(self, d: date) -> bytes:
        def select(name: str, ident: str, cls: str, values, chosen: int, label) -> str:
            sel = ' selected="selected"'
            opts = "".join(
                f'<option{sel if v == chosen else ""} value="{v}">{label(v)}</option>'
                for v in values
            )
            return f'<select name="{name}" id="{ident}" class="{cls}">{opts}</select>'

        years = range(2005, max(self.site.today.year, d.year) + 1)
        return (
            '<div class="KhoiTrai"><div class="TieuDeKhoi">Xem tin theo ngày</div>'
            '<div class="NoiDungKhoi">'
            + select(DDL_DAY, "ctl16_ctl05_ddlNgay", "XemTin_Ngay", range(1, 32), d.day, str)
            + select(
                DDL_MONTH,
                "ctl16_ctl05_ddlThang",
                "XemTin_Thang",
                range(1, 13),
                d.month,
                lambda v: f"Tháng {v}",
            )
            + select(DDL_YEAR, "ctl16_ctl05_ddlNam", "XemTin_Nam", years, d.year, str)
            + f' <a id="ctl16_ctl05_lbtXem" class="XemTin_Nut" '
            f"href=\"javascript:__doPostBack('{XEM_TARGET}','')\">Xem</a></div></div>\r\n"
        ).encode()

    def _newest_box(self) -> bytes:
        key = ("newest", self.site.rev)
        cached = self._cached.get(key)
        if cached is None:
            items = "".join(
                f'<div class="TinMoi_Dong">{self._item(tc, "plain", 3)}</div>'
                for tc in self.site.listing()[:6]
            )
            cached = (
                '<div class="KhoiTrai"><div class="TieuDeKhoi">Tin mới đăng</div>'
                f'<div class="NoiDungKhoi">{items}</div></div>\r\n'
            ).encode()
            self._cached[key] = cached
        return cached

    # ---- page assembly --------------------------------------------------------
    def _page(
        self,
        title: str,
        action: str,
        vs_payload: str,
        content: list[bytes],
        *,
        status: int = 200,
        date_widget: bytes | None = None,
        search_widget: bytes | None = None,
        bom: bool = False,
        meta_only: bool = False,
        title_bytes: bytes | None = None,
    ) -> Response:
        total = next(self._hits)
        current = self.rng.randint(20, 180)
        hidden1 = (
            f'<form method="post" action="{_esc(action)}" id="form1">\r\n<div class="aspNetHidden">'
            '<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="" />\r\n'
            '<input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="" />\r\n'
            '<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="'
            f'{encode_viewstate(vs_payload, 2000 + self.rng.randint(0, 1200))}" />\r\n</div>\r\n'
        ).encode()
        stats = (
            f'<div class="ThongKe_Dong">Truy cập tổng <span id="ctl16_ctl06_lblTong">'
            f"{_fmt_count(total)}</span></div>"
            f'<div class="ThongKe_Dong">Truy cập hiện tại <span id="ctl16_ctl06_lblHienTai">'
            f"{current}</span></div>"
        ).encode()
        ev = base64.b64encode(os.urandom(120 + self.rng.randint(0, 60))).decode("ascii")
        hidden2 = (
            '<div class="aspNetHidden"><input type="hidden" name="__VIEWSTATEGENERATOR" '
            'id="__VIEWSTATEGENERATOR" value="CA0B0334" />\r\n'
            '<input type="hidden" name="__EVENTVALIDATION" id="__EVENTVALIDATION" '
            f'value="{ev}" /></div>\r\n'
        ).encode()
        parts = [
            BOM if bom else b"",
            self._head_pre,
            title_bytes if title_bytes is not None else _esc(title).encode(),
            self._head_post,
            hidden1,
            self._top,
            self._layout_open,
            search_widget or self._search_default,
            date_widget or self._date_default,
            self._newest_box(),
            self._left_tail,
            *content,
            self._right_pre,
            stats,
            self._right_post,
            hidden2,
            self._footer,
        ]
        ctype = "text/html" if meta_only else "text/html; charset=utf-8"
        headers = [
            ("Content-Type", ctype),
            ("Cache-Control", "private"),
            ("X-AspNet-Version", "4.0.30319"),
            ("X-Powered-By", "ASP.NET"),
        ]
        return Response(status, headers, b"".join(parts))

    # ---- links and list items --------------------------------------------------
    def _href(self, tc: int, salt: int) -> str:
        a = self.site.articles.get(tc)
        cn = a.cat if a else None
        h = (tc * 2654435761 + salt * 40503) & 0xFFFFFFFF
        form = LINK_FORMS[h % len(LINK_FORMS)]
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

    # ---- article -----------------------------------------------------------------
    def _article_core(self, a: Article) -> tuple[bytes, bytes, bytes]:
        """(title for <title>, everything from divTM to DongChucNang, the closing part)."""
        key = (a.tc, a.rev, a.variant)
        core = self._core.get(key)
        if core is not None:
            return core
        rng = random.Random(f"{self.site.seed}:{a.tc}:{a.variant}")
        enc = _Enc(a.noise, rng)
        site = self.site
        crumbs = []
        for i, cat in enumerate(site.category_path(a.cat)):
            href = f"/?gd=2&amp;cn={cat.id}" if (a.tc + i) % 2 else f"./?gd=2&cn={cat.id}"
            crumbs.append(f'<a class="TMCD2_TruongMuc" href="{href}">{enc(cat.name, False)}</a>')
        sep = rng.choice((" &gt;&gt; ", " >> ", "&nbsp;&gt;&gt;&nbsp;"))
        date_html = (
            f"&nbsp;<span>Ngày cập nhật <span>{_esc(a.date_raw)}</span></span>"
            if a.date_raw is not None
            else ""
        )
        lead = self._lead_html(a.lead, enc) if a.lead else ""
        body = self._body_html(a, enc, rng)
        url = site.article_url(a.tc, self.base)
        qurl = quote(url, safe="")
        subject = quote(clean(a.title), safe="")
        head = (
            '<div id="ctl16_ctl00_divTM" class="HT_Dang2">\r\n<!-- FitcBatDauDocTin -->\r\n'
            '<div class="TT_TinChiTiet_Vien">\r\n'
            f'<div class="TMCD2_DongTruongMuc">{sep.join(crumbs)}</div>\r\n'
            '<div class="TT_TinChiTiet_Nen">\r\n'
            f'<div class="TT_TinChiTiet_TieuDe">{enc(a.title)}</div>\r\n'
            '<div class="TT_TinChiTiet_NgayCapNhat">'
            '<a href="javascript:ZoomIn();" class="TT_TinChiTiet_CoChu" title="Tăng cỡ chữ">'
            "A+</a> "
            '<a href="javascript:ZoomOut();" class="TT_TinChiTiet_CoChu" title="Giảm cỡ chữ">'
            "A-</a> "
            '<a href="javascript:ZoomReset();" class="TT_TinChiTiet_CoChu" title="Cỡ chữ mặc '
            f'định">A</a>{date_html}</div>\r\n'
            f'<div class="TT_TinChiTiet_DocTin" id="divNoiDung">{lead}<span>{body}</span></div>\r\n'
            '<div class="TT_TinChiTiet_DongChucNang">'
            '<a href="javascript:window.print();" class="TT_TinChiTiet_ChucNang">'
            '<img src="/Images/print.gif" alt="" /> In trang</a> '
            f'<a href="mailto:?subject={subject}&amp;body={qurl}" class="TT_TinChiTiet_ChucNang">'
            '<img src="/Images/email.gif" alt="" /> Gửi email</a> '
            f'<a href="https://www.facebook.com/sharer/sharer.php?u={qurl}" target="_blank" '
            'class="TT_TinChiTiet_ChucNang"><img src="/Images/facebook.png" alt="" /> Chia sẻ</a> '
            f'<a href="https://twitter.com/intent/tweet?url={qurl}" target="_blank" '
            'class="TT_TinChiTiet_ChucNang">Tweet</a> '
            '<a href="javascript:history.go(-1);" class="TT_TinChiTiet_ChucNang">Trở về</a>'
            "</div>\r\n"
            '<div class="TT_TinChiTiet_TinLienQuanTieuDe">Tin cùng nhóm</div>\r\n'
        )
        title = a.title
        if "nfd" in a.noise:
            title = unicodedata.normalize("NFD", title)
        core = (_esc(title).encode(), head.encode(), b"")
        self._core[key] = core
        return core

    def _img_tag(self, img: Img, enc: _Enc, cls: str = "", size: str = "600px") -> str:
        alt = "" if img.alt is None else f' alt="{enc.attr(img.alt)}"'
        c = f' class="{cls}"' if cls else ""
        src = html.escape(img.src(self.base), quote=True)
        return f'<img{c}{alt} src="{src}" style="width: {size};" />'

    def _lead_html(self, img: Img, enc: _Enc) -> str:
        if img.cap_form == "td":
            cap = enc(img.caption or "")
        elif img.cap_form == "nbsp":
            cap = "&nbsp;"
        else:
            cap = ""
        return (
            '<table class="TT_TinChiTiet_DongAnhMinhHoa" align="center" border="0" '
            'cellpadding="0" cellspacing="0"><tr><td align="center">'
            f"{self._img_tag(img, enc, 'TT_TinChiTiet_AnhMinhHoa', '450px')}</td></tr>"
            f'<tr><td class="TT_TinChiTiet_MoTaAnh">{cap}</td></tr></table>\r\n'
        )

    def _inline(self, b: Block, enc: _Enc, rng: random.Random) -> str:
        text = b.text
        if b.lead_in and " " in text:
            words = text.split(" ")
            head, tail = " ".join(words[: b.lead_in]), " ".join(words[b.lead_in :])
            return f"<strong>{enc(head, False)}</strong> {enc(tail, False)}"
        if b.br and " " in text:
            i = text.find(" ", len(text) // 2)
            if i < 0:
                i = text.find(" ")
            br = rng.choice(("<br />", "<br>", "<br/>\r\n"))
            return enc(text[:i], False) + br + enc(text[i + 1 :], False)
        return enc(text)

    def _image_block(self, img: Img, enc: _Enc, rng: random.Random) -> str:
        tag = self._img_tag(img, enc)
        form = img.cap_form
        cap = enc(img.caption or "")
        if form == "table":
            cell = f"<em>{cap}</em>" if rng.random() < 0.5 else cap
            return (
                '<table align="center" border="0" cellpadding="3" cellspacing="0" '
                'style="width: 600px;"><tbody><tr><td>'
                f'{tag}</td></tr><tr><td style="text-align: center;">{cell}</td></tr>'
                "</tbody></table>"
            )
        if form == "br":
            br = rng.choice(("<br />", "<br>"))
            if rng.random() < 0.5:
                cap = f"<em>{cap}</em>"
            return f'<p style="text-align: center;">{tag}{br}{cap}</p>'
        own = rng.choice(
            (
                f'<p style="text-align: center;">{tag}</p>',
                f"<p>{tag}</p>",
                f'<div style="text-align:center">{tag}</div>',
            )
        )
        if form == "none":
            return own
        if form == "em":
            after = rng.choice(
                (f"<p><em>{cap}</em></p>", f'<p style="text-align: center;"><em>{cap}</em></p>')
            )
        elif form == "i":
            after = f"<p><i>{cap}</i></p>"
        elif form == "style_italic":
            after = rng.choice(
                (
                    f'<p style="font-style: italic;">{cap}</p>',
                    f'<div style="font-style:italic;text-align:center">{cap}</div>',
                )
            )
        elif form == "align_center":
            after = f'<p align="center">{cap}</p>'
        else:  # style_center
            after = rng.choice(
                (
                    f'<p style="text-align:center">{cap}</p>',
                    f'<div style="text-align: center;">{cap}</div>',
                )
            )
        return own + "\r\n" + after

    def _block_html(self, b: Block, enc: _Enc, rng: random.Random) -> str:
        k = b.kind
        if k == "p":
            inner = self._inline(b, enc, rng)
            if b.style == "div":
                return f'<div style="text-align: justify;">{inner}</div>'
            if b.style == "justify":
                return f'<p style="text-align: justify;">{inner}</p>'
            return f"<p>{inner}</p>"
        if k == "close":
            return f'<p style="text-align: justify;">{enc(b.text)}</p>'
        if k == "h":
            if b.style in ("h3", "h4"):
                return f"<{b.style}>{enc(b.text)}</{b.style}>"
            return f"<p><strong>{enc(b.text)}</strong></p>"
        if k == "li":
            return f"<li>{enc(b.text)}</li>"
        if k == "table":
            rows = []
            for i, row in enumerate(b.rows):
                if i == 0:
                    cells = "".join(f"<td><strong>{enc(c)}</strong></td>" for c in row)
                else:
                    cells = "".join(f"<td>{enc(c)}</td>" for c in row)
                rows.append(f"<tr>{cells}</tr>")
            return (
                '<table border="1" cellpadding="3" cellspacing="0" style="width:100%;">'
                f"<tbody>{''.join(rows)}</tbody></table>"
            )
        if k == "img" and b.img:
            return self._image_block(b.img, enc, rng)
        if k == "quote":
            t = enc(b.text)
            return {
                "em": f"<p><em>{t}</em></p>",
                "i": f"<p><i>{t}</i></p>",
                "italic": f'<p style="font-style: italic;">{t}</p>',
            }.get(b.style, f'<p style="text-align: center;">{t}</p>')
        if k == "bquote":
            return f"<blockquote>{enc(b.text)}</blockquote>"
        if k == "notice":
            t = enc(b.text)
            if b.style == "align_center":
                return f'<p align="center"><b>{t}</b></p>'
            if b.style == "center_em":
                return f'<p style="text-align: center;"><em>{t}</em></p>'
            return f'<p style="text-align: center;"><strong>{t}</strong></p>'
        if k in ("attach", "link"):
            amp = rng.choice(("&amp;", "&"))
            href = b.href_for(self.base, amp)
            target = ' target="_blank"' if k == "attach" else ""
            return (
                f'<p>{enc(b.pre, False)}<a href="{href}"{target}>{enc(b.text, False)}</a>'
                f"{enc(b.post, False)}</p>"
            )
        if k == "source":
            t = enc(b.text)
            if b.style == "right":
                return f'<p style="text-align: right;"><strong>{t}</strong></p>'
            if b.style == "em":
                return f'<p style="text-align: right;"><em>{t}</em></p>'
            return f"<p>{t}</p>"
        return f"<p>{enc(b.text)}</p>"

    def _body_html(self, a: Article, enc: _Enc, rng: random.Random) -> str:
        out: list[str] = []
        sep = "\r\n" if enc.ws or rng.random() < 0.7 else ""
        open_list = ""
        blocks = a.blocks
        for i, b in enumerate(blocks):
            if b.kind == "li":
                if open_list != b.style:
                    if open_list:
                        out.append(f"</{open_list}>")
                    out.append(f"<{b.style}>")
                    open_list = b.style
            elif open_list:
                out.append(f"</{open_list}>")
                open_list = ""
            out.append(self._block_html(b, enc, rng))
            nxt = blocks[i + 1] if i + 1 < len(blocks) else None
            in_list = b.kind == "li" and nxt is not None and nxt.kind == "li"
            if enc.spacer and b.kind != "img" and not in_list and (i == 0 or rng.random() < 0.25):
                if open_list:
                    out.append(f"</{open_list}>")
                    open_list = ""
                out.append(rng.choice(_SPACERS))
        if open_list:
            out.append(f"</{open_list}>")
        return sep.join(out)

    def _related(self, tcs: list[int], salt: int) -> str:
        arts = self.site.articles
        return "".join(self._item(tc, "related", salt) for tc in tcs if tc in arts)

    def article_page(self, tc: int, action: str) -> Response:
        site = self.site
        a = site.articles.get(tc)
        if a is None:
            return self.not_found(action, "Tin không tồn tại hoặc đã bị gỡ bỏ.")
        title, head, _ = self._article_core(a)
        same = [x for x in site.same_category(tc) if x != tc]
        group = self.rng.sample(same, min(5, len(same)))
        group_html = f'<div id="divPhanTrang2">\r\n{self._related(group, 1)}</div>\r\n'.encode()
        key = ("other", tc, site.rev)
        other = self._cached.get(key)
        if other is None:
            older = site.older_in_category(tc, 10)
            other = (
                '<div class="TT_TinChiTiet_TinLienQuanTieuDe">Các tin khác</div>\r\n'
                f'<div id="divPhanTrang1">\r\n{self._related(older, 2)}</div>\r\n'
                "</div>\r\n</div>\r\n<!-- FitcKetThucDocTin -->\r\n</div>\r\n"
            ).encode()
            self._cached[key] = other
        return self._page(
            "",
            action,
            f"k=A;tc={tc}",
            [head, group_html, other],
            title_bytes=title,
            bom="bom" in a.noise,
            meta_only="meta_charset_only" in a.noise,
        )

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
        q = clean(query).casefold()
        hits = []
        if q:
            for tc in self.site.listing():
                if q in clean(self.site.articles[tc].title).casefold():
                    hits.append(tc)
                    if len(hits) >= 20:
                        break
        head = f'<div class="TMCD2_TieuDeKhoi">Kết quả tìm kiếm: {_esc(clean(query))}</div>'
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
            name, day = decoded, date(2016, 3, 12)
        else:
            found = self.site.file(decoded)
            if found is None:
                return Response(
                    404, [("Content-Type", "text/html; charset=utf-8")], b"<h1>404 Not Found</h1>"
                )
            name, day = found
        low = name.lower()
        ext = low.rsplit(".", 1)[-1] if "." in low else ""
        ctype, magic = _FILE_TYPES.get(ext, ("application/octet-stream", b""))
        body = magic + b"replica file " + name.encode() + b"\n" + bytes(range(64)) * 4
        etag = f'"{zlib.crc32(body):08x}"'
        last_mod = _http_date(day)
        common = [
            ("ETag", etag),
            ("Last-Modified", last_mod),
            ("Accept-Ranges", "bytes"),
            ("Cache-Control", "public, max-age=86400"),
        ]
        inm = headers.get("if-none-match")
        ims = headers.get("if-modified-since")
        not_modified = False
        if inm is not None:
            tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
            not_modified = "*" in tags or etag in tags
        elif ims:
            try:
                since = email.utils.parsedate_to_datetime(ims)
                mod = email.utils.parsedate_to_datetime(last_mod)
                not_modified = since >= mod
            except (TypeError, ValueError):
                not_modified = False
        if not_modified:
            return Response(304, common, b"")
        return Response(200, [("Content-Type", ctype), *common], body)

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


_FILE_TYPES = {
    "jpg": ("image/jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    "gif": ("image/gif", b"GIF89a"),
    "ico": ("image/x-icon", b"\x00\x00\x01\x00"),
    "pdf": ("application/pdf", b"%PDF-1.4\n"),
    "doc": ("application/msword", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
    ),
    "xls": ("application/vnd.ms-excel", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
}


def _quirks(key: str) -> tuple[bool, bool]:
    """(starts with a BOM, charset only in <meta>) for a non-article page, by its identity."""
    h = zlib.crc32(key.encode())
    return h % 13 == 0, h % 7 == 0
