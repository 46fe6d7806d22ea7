"""TT CMS chrome (part of the TT layout): constants of its ASP.NET form, the __VIEWSTATE
format, CSS, scripts, menus, side boxes, widgets and the page assembly.

Owns the bytes around a page's own content (SITE.md section 3): built once per layout
instance and kept as bytes; per request only the counters and hidden fields are new.
`TTChrome` is the base of `scraper.replica.layouts.tt_article.TTArticle` and so of
`scraper.replica.layouts.tt.TTLayout`, which gives it the list items (`_item`).
"""

from __future__ import annotations

import base64
import itertools
import os
import random
from datetime import date
from urllib.parse import quote

from scraper.replica.layouts._html import BOM, Response, esc
from scraper.replica.model import ReplicaSite

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
_VS_MAGIC = b"\xff\x01\x0f\x0f\x05TTVS|"


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


_esc = esc


def _fmt_count(n: int) -> str:
    return f"{n:,}".replace(",", ".")


class TTChrome:
    """Static chrome of a TT page and the page assembly (`_page`)."""

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

    def _item(self, tc: int, style: str, salt: int) -> str:
        """One article link, given by TTLayout."""
        raise NotImplementedError

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
