"""TT CMS article page (part of the TT layout): title, breadcrumb, 'Ngày cập nhật' label,
lead image table, body blocks in the CMS editor's markup, share bar and related lists.

Owns how each model block is written on the TT CMS (SITE.md sections 3 and 7), the
article link spellings seen there (`article_href`), and the per-(rev, variant) cache of
an article's own part. `TTArticle` builds on `TTChrome` (the page assembly) and is a base
of `scraper.replica.layouts.tt.TTLayout`, which gives it the list items, the 404 page and
the canonical URL.
"""

from __future__ import annotations

import html
import random
import unicodedata
from urllib.parse import quote

from scraper.replica.layouts._html import SPACERS, Enc, Response, esc
from scraper.replica.layouts.tt_chrome import TTChrome
from scraper.replica.model import Article, Block, Img, ReplicaSite
from scraper.replica.norm import norm

_esc = esc


def article_href(form: str, tc: int, cn: int | None, base_url: str, amp: str = "&amp;") -> str:
    """An article link in one of the URL forms seen on the TT CMS (form: LINK_STYLES)."""
    a = amp
    if cn is None:
        return f"/?gd=1{a}tc={tc}"
    if form == "abs":
        return f"{base_url}?gd=1{a}cn={cn}{a}tc={tc}"
    if form == "query":
        return f"?cn={cn}{a}gd=1{a}tc={tc}"
    if form == "dot":
        return f"./?cn={cn}{a}gd=4{a}tc={tc}"
    if form == "reordered":
        return f"/?tc={tc}{a}gd=1{a}cn={cn}"
    return f"/?gd=1{a}cn={cn}{a}tc={tc}"


def block_href(b: Block, base_url: str, amp: str = "&amp;") -> str:
    """The href a body block writes: an attachment's %20-encoded path, or an article link."""
    if b.kind == "attach":
        path = quote(b.href, safe="/-_.~")
        return base_url.rstrip("/") + path if b.style == "abs" else path
    return article_href(b.style, b.target, b.cn, base_url, amp)


class TTArticle(TTChrome):
    """The article page of the TT CMS."""

    # ---- given by TTLayout ---------------------------------------------------------
    @staticmethod
    def canonical_url(site: ReplicaSite, tc: int, base_url: str) -> str:
        raise NotImplementedError

    def not_found(self, action: str, message: str = "Trang không tồn tại.") -> Response:
        raise NotImplementedError

    # ---- article -----------------------------------------------------------------
    def _article_core(self, a: Article) -> tuple[bytes, bytes, bytes]:
        """(title for <title>, everything from divTM to DongChucNang, the closing part)."""
        key = (a.tc, a.rev, a.variant)
        core = self._core.get(key)
        if core is not None:
            return core
        rng = random.Random(f"{self.site.seed}:{a.tc}:{a.variant}")
        enc = Enc(a.noise, rng)
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
        url = self.canonical_url(site, a.tc, self.base)
        qurl = quote(url, safe="")
        subject = quote(norm(a.title), safe="")
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

    def _img_tag(self, img: Img, enc: Enc, cls: str = "", size: str = "600px") -> str:
        alt = "" if img.alt is None else f' alt="{enc.attr(img.alt)}"'
        c = f' class="{cls}"' if cls else ""
        src = html.escape(img.src(self.base), quote=True)
        return f'<img{c}{alt} src="{src}" style="width: {size};" />'

    def _lead_html(self, img: Img, enc: Enc) -> str:
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

    def _inline(self, b: Block, enc: Enc, rng: random.Random) -> str:
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

    def _image_block(self, img: Img, enc: Enc, rng: random.Random) -> str:
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

    def _block_html(self, b: Block, enc: Enc, rng: random.Random) -> str:
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
            href = block_href(b, self.base, amp)
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

    def _body_html(self, a: Article, enc: Enc, rng: random.Random) -> str:
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
                out.append(rng.choice(SPACERS))
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
