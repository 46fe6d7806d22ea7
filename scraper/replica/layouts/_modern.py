"""Markup shared by the post-TT layouts (DNN portal, hue.gov.vn department CMS).

Owns the body blocks as a rich-text editor writes them (paragraphs, headings, lists,
tables, quotes, attachments, links; images through a layout callback), the Vietnamese
date label forms of SITE.md section 8 (`date_label`), ISO times with +07:00, a stable
per-article choice (`pick`) and a plain-links pager (`pager`). No site's classes here:
each layout wraps these pieces in its own chrome.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from datetime import datetime

from scraper.replica.layouts._html import SPACERS, Enc, esc
from scraper.replica.model import Article, Block, Img

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")


def pick(key: str, n: int) -> int:
    """A stable choice in range(n) for key (same key, same choice, on every run)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=4).digest(), "big") % n


def iso(dt: datetime) -> str:
    """'2020-07-17T15:54:00+07:00' of a local (UTC+7) naive datetime."""
    return dt.replace(microsecond=0).isoformat() + "+07:00"


def dmy(dt: datetime) -> str:
    return f"{dt.day:02d}/{dt.month:02d}/{dt.year}"


def hm(dt: datetime) -> str:
    return f"{dt.hour:02d}:{dt.minute:02d}"


DATE_FORMS = 8


def date_label(dt: datetime, form: int) -> str:
    """One of the date label forms seen on Vietnamese portals (form in range(DATE_FORMS))."""
    d = dmy(dt)
    return (
        f"Ngày đăng: {d} {hm(dt)}",
        f"{WEEKDAYS[dt.weekday()]}, {d}",
        f"Cập nhật lúc {hm(dt)} ngày {d}",
        f"Ngày xuất bản: {dt.day}/{dt.month}/{dt.year}",
        f"{hm(dt)} {d}",
        f"ngày {dt.day} tháng {dt.month} năm {dt.year}",
        f"Ngày cập nhật: {dt.day:02d}-{dt.month:02d}-{dt.year}",
        f"{d} {hm(dt)}",
    )[form % DATE_FORMS]


def pager(page: int, last: int, href: Callable[[int], str], cls: str) -> str:
    """Plain links: '« Trang trước', a window of page numbers, 'Trang sau', '»' (last)."""
    if last <= 1:
        return ""
    parts = []
    if page > 1:
        parts.append(f'<a class="prev" href="{esc(href(page - 1))}">« Trang trước</a>')
    start = max(1, min(page - 2, last - 4))
    for n in range(start, min(last, start + 4) + 1):
        if n == page:
            parts.append(f'<span class="current">{n}</span>')
        else:
            parts.append(f'<a href="{esc(href(n))}">{n}</a>')
    if page < last:
        parts.append(f'<a class="next" href="{esc(href(page + 1))}">Trang sau</a>')
        parts.append(f'<a class="last" href="{esc(href(last))}" title="Trang cuối">»</a>')
    return f'<div class="{cls}">' + " ".join(parts) + "</div>"


def _inline(b: Block, enc: Enc) -> str:
    text = b.text
    if b.lead_in and " " in text:
        words = text.split(" ")
        head, tail = " ".join(words[: b.lead_in]), " ".join(words[b.lead_in :])
        return f"<strong>{enc(head, False)}</strong> {enc(tail, False)}"
    if b.br and " " in text:
        i = text.find(" ", len(text) // 2)
        if i < 0:
            i = text.find(" ")
        return enc(text[:i], False) + "<br />" + enc(text[i + 1 :], False)
    return enc(text)


def block_html(
    b: Block,
    enc: Enc,
    image: Callable[[Img, Enc], str],
    href: Callable[[Block], str | None],
) -> str:
    """One model block in editor markup. href(block): the link of an attachment or an
    article link (None: the target is gone, the text stays without a link)."""
    k = b.kind
    if k == "p":
        align = ' style="text-align: justify;"' if b.style in ("justify", "div") else ""
        return f"<p{align}>{_inline(b, enc)}</p>"
    if k == "close":
        return f"<p>{enc(b.text)}</p>"
    if k == "h":
        tag = b.style if b.style in ("h3", "h4") else "h3"
        return f"<{tag}>{enc(b.text)}</{tag}>"
    if k == "li":
        return f"<li>{enc(b.text)}</li>"
    if k == "table":
        rows = []
        for i, row in enumerate(b.rows):
            cell = "th" if i == 0 else "td"
            rows.append("<tr>" + "".join(f"<{cell}>{enc(c)}</{cell}>" for c in row) + "</tr>")
        return f'<table class="table-bordered"><tbody>{"".join(rows)}</tbody></table>'
    if k == "img" and b.img:
        return image(b.img, enc)
    if k == "quote":
        if b.style == "center":
            return f'<p style="text-align: center;">{enc(b.text)}</p>'
        return f"<p><em>{enc(b.text)}</em></p>"
    if k == "bquote":
        return f"<blockquote><p>{enc(b.text)}</p></blockquote>"
    if k == "notice":
        return f'<p style="text-align: center;"><strong>{enc(b.text)}</strong></p>'
    if k in ("attach", "link"):
        target = href(b)
        if target is None:
            return f"<p>{enc(b.pre + b.text + b.post, False)}</p>"
        blank = ' target="_blank"' if k == "attach" else ""
        return (
            f'<p>{enc(b.pre, False)}<a href="{esc(target)}"{blank}>{enc(b.text, False)}</a>'
            f"{enc(b.post, False)}</p>"
        )
    if k == "source":
        return f'<p style="text-align: right;"><strong>{enc(b.text)}</strong></p>'
    return f"<p>{enc(b.text)}</p>"


def body_html(
    a: Article,
    enc: Enc,
    rng: random.Random,
    image: Callable[[Img, Enc], str],
    href: Callable[[Block], str | None],
) -> str:
    """Every block of the article, lists grouped, spacer paragraphs where its flags ask."""
    out: list[str] = []
    open_list = ""
    for i, b in enumerate(a.blocks):
        if b.kind == "li" and open_list != b.style:
            if open_list:
                out.append(f"</{open_list}>")
            out.append(f"<{b.style}>")
            open_list = b.style
        elif b.kind != "li" and open_list:
            out.append(f"</{open_list}>")
            open_list = ""
        out.append(block_html(b, enc, image, href))
        if enc.spacer and not open_list and b.kind != "img" and (i == 0 or rng.random() < 0.2):
            out.append(rng.choice(SPACERS))
    if open_list:
        out.append(f"</{open_list}>")
    return "\n".join(out)
