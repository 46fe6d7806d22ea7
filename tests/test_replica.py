"""Tests of the local replica (scraper.replica): pages, postbacks, ground truth, mutations,
fault mode and files. A small reference extractor written here from SITE.md section 7
checks that every article's HTML and its expected() ground truth agree."""

from __future__ import annotations

import concurrent.futures
import email.utils
import json
import re
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from datetime import date
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser

from scraper.replica import CASES, ReplicaServer, build_site, decode_viewstate
from scraper.replica.layouts.tt_chrome import DDL_DAY, DDL_MONTH, DDL_YEAR, PAGER_TARGET, XEM_TARGET
from scraper.replica.model import parse_published
from scraper.text import clean
from scraper.urls import canonical

TODAY = date(2025, 3, 15)
FILE_EXTS = {"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "rtf", "odt", "ods", "zip", "rar"}
IMAGE_EXTS = {"jpg", "jpeg", "png", "gif", "bmp", "webp"}
SECTION3 = [
    'id="ctl16_ctl00_divTM" class="HT_Dang2"',
    "<!-- FitcBatDauDocTin -->",
    'class="TT_TinChiTiet_Vien"',
    'class="TMCD2_DongTruongMuc"',
    'class="TT_TinChiTiet_Nen"',
    'class="TT_TinChiTiet_TieuDe"',
    'class="TT_TinChiTiet_NgayCapNhat"',
    'class="TT_TinChiTiet_DocTin"',
    'class="TT_TinChiTiet_DongChucNang"',
    'class="TT_TinChiTiet_TinLienQuanTieuDe">Tin cùng nhóm',
    'id="divPhanTrang2"',
    'class="TT_TinChiTiet_TinLienQuanTieuDe">Các tin khác',
    'id="divPhanTrang1"',
    "<!-- FitcKetThucDocTin -->",
]


@pytest.fixture(scope="module")
def site():
    return build_site(1, 240, today=TODAY)


@pytest.fixture(scope="module")
def server(site):
    with ReplicaServer(site) as srv:
        yield srv


@pytest.fixture(scope="module")
def client():
    with httpx.Client(timeout=10) as c:
        yield c


def article_url(site, srv, tc):
    return f"{srv.base_url}?gd=1&cn={site.articles[tc].cat}&tc={tc}"


def tc_of(href: str) -> int:
    return int(dict(parse_qsl(urlsplit(href).query))["tc"])


def form_fields(tree) -> tuple[str, list[tuple[str, str]]]:
    """The form's action and every field a browser would post (no event target yet)."""
    form = tree.css_first("form")
    fields = []
    for node in form.css("input, select, textarea"):
        name = node.attributes.get("name")
        if not name or node.attributes.get("type") in ("submit", "button", "image"):
            continue
        if node.tag == "select":
            opt = node.css_first("option[selected]") or node.css_first("option")
            fields.append((name, opt.attributes.get("value") or ""))
        else:
            fields.append((name, node.attributes.get("value") or ""))
    return form.attributes["action"], fields


def postback(client, page_url, html_text, target, argument="", **overrides):
    action, fields = form_fields(LexborHTMLParser(html_text))
    data = dict(fields)
    data.update({"__EVENTTARGET": target, "__EVENTARGUMENT": argument, **overrides})
    return client.post(urljoin(page_url, action), data=data)


def listed_tcs(html_text) -> list[int]:
    tree = LexborHTMLParser(html_text)
    vien = tree.css_first("div.TMCD2_Vien")
    return [tc_of(a.attributes["href"]) for a in vien.css("a.TMCD2_TieuDe, a.TMCD2_TinLienQuan")]


# --------------------------------------------------------------------------- reference
BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote"}


def _italic(node) -> bool:
    style = (node.attributes.get("style") or "").replace(" ", "").lower()
    if "font-style:italic" in style:
        return True
    text = clean(node.text())
    return bool(text) and text == clean("".join(e.text() for e in node.css("em, i")))


def _centred(node) -> bool:
    style = (node.attributes.get("style") or "").replace(" ", "").lower()
    return (node.attributes.get("align") or "").lower() == "center" or "text-align:center" in style


def ref_extract(html_text: str, url: str) -> dict:
    """Article fields read from HTML by the rules of SITE.md section 7 (test oracle)."""
    html_text = re.sub(r"(<br\s*/?>)", r"\1\n", html_text, flags=re.I)
    tree = LexborHTMLParser(html_text)
    crumb = tree.css_first("div.TT_TinChiTiet_Vien div.TMCD2_DongTruongMuc")
    category = " >> ".join(clean(p) for p in crumb.text().split(">>")) if crumb else None
    raw = None
    for sp in tree.css("div.TT_TinChiTiet_NgayCapNhat > span"):
        if clean(sp.text()).startswith("Ngày cập nhật"):
            # css_first() on a node can match the node itself: take the child span
            raw = clean(next(c for c in sp.iter() if c.tag == "span").text())
    doc = tree.css_first("div.TT_TinChiTiet_DocTin")
    images, paras = [], []
    lead = doc.css_first("table.TT_TinChiTiet_DongAnhMinhHoa")
    if lead:
        img = lead.css_first("img")
        cap = clean(lead.css_first("td.TT_TinChiTiet_MoTaAnh").text()) or None
        images.append((img, cap))
    span = next(c for c in doc.iter() if c.tag == "span")
    items = []

    def walk(node):
        for child in node.iter():
            if child.tag == "table":
                if child.css_first("img"):
                    items.append(("imgtable", child))
                else:
                    items.extend(("row", tr) for tr in child.css("tr"))
            elif child.tag in ("ul", "ol"):
                walk(child)
            elif child.tag in BLOCKS:
                items.append(("img" if child.css_first("img") else "text", child))

    walk(span)
    pending = None  # index in images of a body image still without caption
    last_kind = None
    for kind, node in items:
        if kind == "imgtable":
            rows = [tr for tr in node.css("tr") if not tr.css_first("img")]
            images.append((node.css_first("img"), clean(" ".join(r.text() for r in rows)) or None))
            pending = None
        elif kind == "img":
            parts = re.split(r"<br\s*/?>", node.html, maxsplit=1, flags=re.I)
            cap = None
            if len(parts) == 2:
                cap = clean(LexborHTMLParser(parts[1]).body.text()) or None
            images.append((node.css_first("img"), cap))
            pending = len(images) - 1 if cap is None else None
        elif kind == "row":
            text = clean(" ".join(clean(td.text()) for td in node.css("td, th")))
            if text:
                paras.append(text)
                last_kind = "row"
                pending = None
        else:
            text = clean(node.text())
            if not text:
                continue
            if pending is not None and (_italic(node) or _centred(node)):
                images[pending] = (images[pending][0], text)
                pending = None
                continue
            paras.append(text)
            last_kind = "block"
            pending = None
    source = None
    if len(paras) >= 2 and last_kind == "block" and len(paras[-1]) <= 40:
        source = None if paras[-1].endswith(".") else paras[-1]
    out_images = [
        {
            "url": canonical(urljoin(url, img.attributes["src"])),
            "caption": cap,
            "alt": clean(img.attributes.get("alt")) or None,
        }
        for img, cap in images
    ]
    attachments = []
    for a in span.css("a[href]"):
        target = canonical(urljoin(url, a.attributes["href"]))
        path = urlsplit(target).path.lower()
        ext = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
        if ext in FILE_EXTS or (path.startswith("/uploadfiles/") and ext not in IMAGE_EXTS):
            attachments.append(target)
    return {
        "title": clean(tree.css_first("div.TT_TinChiTiet_TieuDe").text()),
        "category": category,
        "published": parse_published(raw, TODAY),
        "published_raw": raw,
        "body": "\n\n".join(paras),
        "source": source,
        "captions": [c for _, c in images if c],
        "images": out_images,
        "attachments": attachments,
    }


def assert_matches(site, srv, client, tc):
    url = article_url(site, srv, tc)
    r = client.get(url)
    assert r.status_code == 200
    got = ref_extract(r.content.decode("utf-8-sig"), url)
    want = site.expected(tc, srv.base_url)
    for key, value in got.items():
        assert value == want[key], (tc, key)
    return r


# --------------------------------------------------------------------------- tests
def test_build_is_deterministic():
    a = build_site(7, 60, today=TODAY)
    b = build_site(7, 60, today=TODAY)
    c = build_site(8, 60, today=TODAY)
    base = "http://127.0.0.1:9/"
    assert a.tcs() == b.tcs()
    assert [a.expected(t, base) for t in a.tcs()] == [b.expected(t, base) for t in b.tcs()]
    assert [a.expected(t, base)["body"] for t in a.tcs()[:5]] != [
        c.expected(t, base)["body"] for t in c.tcs()[:5]
    ]
    assert 8 <= len(a.categories) <= 12
    assert any(a.children(cn) for cn in a.categories)


def test_ids_grow_with_dates(site):
    tcs = site.tcs()
    assert len(tcs) == 240 and tcs == sorted(tcs)
    assert tcs[-1] - tcs[0] > len(tcs) - 1  # a few ids skipped
    dates = [site.published(t) for t in tcs if site.published(t)]
    assert dates == sorted(dates)


def test_home_lists_newest(site, server, client):
    r = client.get(server.base_url)
    assert r.status_code == 200
    got = listed_tcs(r.text)
    assert got == site.listing()[: len(got)] and 10 <= len(got) <= 15
    assert "javascript:__doPostBack('ctl16$ctl01$pager'" not in r.text
    for cn in site.categories:
        assert f"cn={cn}" in r.text


def test_listing_pages_and_postback(site, server, client):
    parent = next(cn for cn in site.categories if site.children(cn))
    expected = site.listing(parent)
    child_tcs = {t for c in site.children(parent) for t in site.listing(c)}
    assert child_tcs and child_tcs <= set(expected)
    url = f"{server.base_url}?gd=2&cn={parent}"
    r1 = client.get(url)
    page1 = listed_tcs(r1.text)
    assert page1 == expected[:10]
    tree = LexborHTMLParser(r1.text)
    assert tree.css_first("div.TMCD2_Vien img.TMCD2_AnhMinhHoa")
    assert tree.css_first("td.TMCD2_TieuDeLienQuan").text() == "Các bài khác"
    assert tree.css("span.TMCD2_NgayDang")
    vs = decode_viewstate(tree.css_first("input[name=__VIEWSTATE]").attributes["value"])
    assert vs == {"k": "L", "cn": str(parent), "p": "1"}
    assert "'Page$2'" in r1.text
    r2 = postback(client, url, r1.text, PAGER_TARGET, "Page$2")
    assert r2.status_code == 200
    assert listed_tcs(r2.text) == expected[10:20]
    r3 = postback(client, url, r2.text, PAGER_TARGET, "Page$3")
    assert listed_tcs(r3.text) == expected[20:30]
    # a viewstate from another listing gives page 1
    other = next(cn for cn in site.categories if cn != parent)
    other_html = client.get(f"{server.base_url}?gd=2&cn={other}").text
    other_vs = LexborHTMLParser(other_html).css_first("input[name=__VIEWSTATE]")
    wrong = postback(
        client, url, r1.text, PAGER_TARGET, "Page$2", __VIEWSTATE=other_vs.attributes["value"]
    )
    assert listed_tcs(wrong.text) == expected[:10]
    last = (len(expected) + 9) // 10
    past = postback(client, url, r1.text, PAGER_TARGET, f"Page${last + 1}")
    assert past.status_code == 200 and listed_tcs(past.text) == []
    # hidden fields change on every request
    again = LexborHTMLParser(client.get(url).text).css_first("input[name=__VIEWSTATE]")
    assert (
        again.attributes["value"] != tree.css_first("input[name=__VIEWSTATE]").attributes["value"]
    )


def test_listing_includes_undated_articles(site, server, client):
    tc = site.cases()["date_missing"][0]
    cn = site.articles[tc].cat
    pos = site.listing(cn).index(tc)
    url = f"{server.base_url}?gd=2&cn={cn}"
    r = client.get(url)
    for _ in range(pos // 10):
        page = decode_viewstate(
            LexborHTMLParser(r.text).css_first("input[name=__VIEWSTATE]").attributes["value"]
        )["p"]
        r = postback(client, url, r.text, PAGER_TARGET, f"Page${int(page) + 1}")
    assert tc in listed_tcs(r.text)


def test_article_page_structure(site, server, client):
    tc = site.tcs()[120]
    url = article_url(site, server, tc)
    r1, r2 = client.get(url), client.get(url)
    for r in (r1, r2):
        assert r.status_code == 200 and "etag" not in r.headers
        positions = [r.text.find(marker) for marker in SECTION3]
        assert all(p >= 0 for p in positions), positions
        assert positions == sorted(positions)
        assert 40_000 <= len(r.content) <= 100_000
        for widget in (
            "Tìm kiếm tin tức",
            "Xem tin theo ngày",
            "ctl16$ctl05$ddlNgay",
            "javascript:__doPostBack('ctl16$ctl05$lbtXem','')",
            "Thống kê truy cập",
            "Chung nhan Tin Nhiem Mang",
            "https://www.facebook.com/sharer/sharer.php?u=",
            "__VIEWSTATEGENERATOR",
            "__EVENTVALIDATION",
        ):
            assert widget in r.text
    counters = [re.search(r"Truy cập tổng <span[^>]*>([\d.]+)<", r.text)[1] for r in (r1, r2)]
    assert counters[0] != counters[1]
    tree = LexborHTMLParser(r1.text)
    older = [tc_of(a.attributes["href"]) for a in tree.css("#divPhanTrang1 a")]
    assert older == site.older_in_category(tc, 10)
    same = {tc_of(a.attributes["href"]) for a in tree.css("#divPhanTrang2 a")}
    assert same and same <= set(site.same_category(tc)) - {tc}
    for a in tree.css("#divPhanTrang1 a.TT_TinChiTiet_TinLienQuan"):
        last = list(a.iter())[-1]
        assert last.attributes.get("class") == "TT_TinChiTiet_TinLienQuan_ThoiGian"
    # any gd renders the article, cn may be missing
    for variant in (f"?gd=4&tc={tc}", f"?tc={tc}&gd=1&cn=1"):
        other = client.get(server.base_url + variant)
        assert other.status_code == 200
        assert ref_extract(other.text, url)["title"] == site.expected(tc, server.base_url)["title"]


def test_oldest_article_keeps_empty_other_news(site, server, client):
    cn = next(cn for cn in site.categories if site.listing(cn))
    oldest = min(site._ix()["by_cat"][site.articles[site.listing(cn)[0]].cat])
    tree = LexborHTMLParser(client.get(article_url(site, server, oldest)).text)
    assert "Các tin khác" in tree.body.text()
    assert tree.css_first("#divPhanTrang1") is not None
    assert tree.css("#divPhanTrang1 a") == []


def test_unknown_article_is_404_with_chrome(server, client):
    for path in ("?gd=1&cn=5&tc=1", "?gd=1&tc=abc", "Trang/khong/co"):
        r = client.get(server.base_url + path)
        assert r.status_code == 404
        assert "Thống kê truy cập" in r.text and "__VIEWSTATE" in r.text


def test_robots_and_disallowed_paths(site, client):
    with ReplicaServer(site, crawl_delay=1.5) as srv:
        text = client.get(srv.url("robots.txt")).text
        assert "User-agent: *" in text and "Disallow: /?gd=99" in text
        assert "Disallow: /Admin/" in text and "Crawl-delay: 1.5" in text
        assert client.get(srv.url("?gd=99&tk=Huế")).status_code == 200
        assert client.get(srv.url("Admin/")).status_code == 200
        assert [r["path_qs"] for r in srv.requests][-2:] == ["/?gd=99&tk=Hu%E1%BA%BF", "/Admin/"]
    with ReplicaServer(site) as srv:
        assert "Crawl-delay" not in client.get(srv.url("robots.txt")).text


def _all_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _all_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _all_strings(v)


def test_expected_is_nfc_and_covers_every_case(site, server):
    base = server.base_url
    for tc in site.tcs():
        exp = site.expected(tc, base)
        for s in _all_strings(exp):
            assert unicodedata.is_normalized("NFC", s), (tc, s)
            assert "\u200b" not in s and "\xa0" not in s
        assert exp["id"] == f"127.0.0.1:{server.port}/{tc}"
    cases = site.cases()
    assert set(CASES) <= set(cases)
    for name in CASES:
        assert len(cases[name]) >= 2, name
    for tc in cases["date_missing"]:
        assert site.expected(tc, base)["published_raw"] is None
    for name in ("date_impossible", "date_future", "date_pre1990"):
        for tc in cases[name]:
            exp = site.expected(tc, base)
            assert exp["published"] is None and exp["published_raw"]
    for tc in cases["attachment_only"]:
        exp = site.expected(tc, base)
        assert len(exp["attachments"]) == 1 and "\n" not in exp["body"] and not exp["source"]
    for tc in cases["notice_end"]:
        exp = site.expected(tc, base)
        assert exp["body"].endswith("./.") and exp["source"] is None
    for tc in cases["source"]:
        assert site.expected(tc, base)["source"]
    for tc in cases["long"]:
        assert site.expected(tc, base)["body"].count("\n\n") >= 200
    for tc in cases["lead_empty_caption"] + cases["lead_nbsp_caption"]:
        lead = site.expected(tc, base)["images"][0]
        assert lead["caption"] is None and lead["alt"]
    for tc in cases["no_image"]:
        assert site.expected(tc, base)["images"] == []
    lowercase = [
        u
        for tc in cases["attachment_lowercase"]
        for u in site.expected(tc, base)["attachments"]
        if "/uploadfiles/" in u
    ]
    assert lowercase and any(
        "%20" in u
        for tc in cases["attachment_space"]
        for u in site.expected(tc, base)["attachments"]
    )


def test_cases_show_in_html(site, server, client):
    cases = site.cases()
    pages = {}

    def page(tc):
        if tc not in pages:
            pages[tc] = client.get(article_url(site, server, tc))
        return pages[tc]

    for tc in cases["nfd"][:3]:
        text = page(tc).content.decode("utf-8-sig")
        assert unicodedata.normalize("NFC", text) != text
    assert any(re.search(r"<p>(&nbsp;|\s|<br />)*</p>", page(tc).text) for tc in cases["spacer"])
    assert any("&nbsp;" in page(tc).text for tc in cases["nbsp"])
    assert any(
        "\u200b" in page(tc).text or "&#8203;" in page(tc).text for tc in cases["zero_width"]
    )
    assert any(re.search(r"&#x?[0-9A-Fa-f]{3,4};", page(tc).text) for tc in cases["charref"])
    for tc in cases["bom"][:2]:
        assert page(tc).content.startswith(b"\xef\xbb\xbf")
    for tc in cases["meta_charset_only"][:2]:
        assert page(tc).headers["content-type"] == "text/html"
        assert 'charset=utf-8"' in page(tc).text
    for tc in cases["date_missing"][:2]:
        assert "Ngày cập nhật" not in page(tc).text
    for tc in cases["date_impossible"][:1]:
        assert site.articles[tc].date_raw in page(tc).text


def test_reference_extractor_agrees_with_expected(site, server, client):
    for tc in site.tcs():
        assert_matches(site, server, client, tc)


def test_date_browse(site, server, client):
    home = client.get(server.base_url)
    day_counts = Counter(site.published(t) for t in site.tcs() if site.published(t))
    iso = max(day_counts, key=lambda d: (day_counts[d], d))
    day = date.fromisoformat(iso)
    fields = {DDL_DAY: str(day.day), DDL_MONTH: str(day.month), DDL_YEAR: str(day.year)}
    r = postback(client, server.base_url, home.text, XEM_TARGET, **fields)
    assert r.status_code == 200
    got = listed_tcs(r.text)
    assert got == site.on_day(day) and len(got) == day_counts[iso]
    assert f'<option selected="selected" value="{day.year}">' in r.text
    # dates that are not valid never appear
    for name in ("date_future", "date_pre1990"):
        tc = site.cases()[name][0]
        d, m, y = (int(x) for x in site.articles[tc].date_raw.split("/"))
        r = postback(
            client,
            server.base_url,
            home.text,
            XEM_TARGET,
            **{DDL_DAY: str(d), DDL_MONTH: str(m), DDL_YEAR: str(y)},
        )
        assert tc not in listed_tcs(r.text)
    # without a viewstate, no postback happens
    r = client.post(server.base_url, data={"__EVENTTARGET": XEM_TARGET, **fields})
    assert listed_tcs(r.text) == site.listing()[: len(listed_tcs(r.text))]


def test_search(site, server, client):
    tc = site.tcs()[50]
    word = site.articles[tc].title.split()[-1]
    r = client.get(server.url(f"?gd=99&tk={word}"))
    assert tc in listed_tcs(r.text) or len(listed_tcs(r.text)) == 20
    home = client.get(server.base_url)
    title = site.articles[tc].title
    r = postback(
        client, server.base_url, home.text, "ctl16$ctl04$lbtTim", **{"ctl16$ctl04$txtTuKhoa": title}
    )
    assert tc in listed_tcs(r.text)


def test_mutations(client):
    site = build_site(4, 80, today=TODAY)
    with ReplicaServer(site) as srv:
        tcs = site.tcs()
        # edit: title, body, captions, date
        tc = site.cases()["lead_caption"][0]
        before = site.expected(tc, srv.base_url)
        site.edit(
            tc,
            title="Tiêu đề đã sửa",
            body_paragraphs=["Đoạn một.", "Đoạn hai."],
            captions=["Chú thích mới"],
            date=date(2024, 1, 2),
        )
        after = site.expected(tc, srv.base_url)
        assert after["title"] == "Tiêu đề đã sửa" and after["body"] == "Đoạn một.\n\nĐoạn hai."
        assert after["captions"] == ["Chú thích mới"] and after["published"] == "2024-01-02"
        assert after != before
        assert_matches(site, srv, client, tc)
        site.edit(tc, date=None)
        assert site.expected(tc, srv.base_url)["published_raw"] is None
        assert_matches(site, srv, client, tc)
        site.edit(tc, date="31/02/2019")
        assert site.expected(tc, srv.base_url)["published_raw"] == "31/02/2019"
        assert_matches(site, srv, client, tc)
        # reencode: same ground truth, different bytes
        tc2 = tcs[10]
        exp = site.expected(tc2, srv.base_url)
        old = client.get(article_url(site, srv, tc2)).text
        site.reencode(tc2)
        new = assert_matches(site, srv, client, tc2).text

        def body(t):
            return t[t.find("FitcBatDauDocTin") : t.find("Tin cùng nhóm")]

        assert body(old) != body(new)
        assert site.expected(tc2, srv.base_url) == exp
        # delete
        gone = tcs[20]
        site.delete(gone)
        assert client.get(article_url_raw(srv, gone)).status_code == 404
        assert gone not in site.listing() and gone not in site.tcs()
        # add
        new_tcs = site.add_articles(3)
        assert min(new_tcs) > max(tcs)
        home = listed_tcs(client.get(srv.base_url).text)
        assert home[:3] == sorted(new_tcs, reverse=True)
        for t in new_tcs:
            assert_matches(site, srv, client, t)


def article_url_raw(srv, tc):
    return f"{srv.base_url}?gd=1&tc={tc}"


def test_files_etag_and_304(site, server, client):
    tc = site.cases()["lead_caption"][0]
    url = site.expected(tc, server.base_url)["images"][0]["url"]
    r = client.get(url)
    assert r.status_code == 200 and r.headers["etag"] and r.headers["last-modified"]
    etag, modified = r.headers["etag"], r.headers["last-modified"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    earlier = email.utils.formatdate(0, usegmt=True)
    assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
    parts = urlsplit(url)
    swapped = url.replace(parts.path, parts.path.swapcase())
    assert client.get(swapped).headers.get("etag") == etag  # case-insensitive paths
    att_tc = site.cases()["attachment"][0]
    att = site.expected(att_tc, server.base_url)["attachments"][0]
    r = client.get(att)
    assert r.status_code == 200 and r.headers["etag"]
    assert client.get(server.url("UploadFiles/khong-co.pdf")).status_code == 404


def _fetch_with_retries(client, url, max_tries=6):
    for attempt in range(1, max_tries + 1):
        try:
            r = client.get(url)
            if r.status_code < 400:
                return attempt
        except httpx.HTTPError:
            pass
    raise AssertionError(f"{url} failed {max_tries} times")


def _max_fail_streak(requests) -> dict[str, int]:
    streaks: dict[str, int] = {}
    current: dict[str, int] = {}
    for rec in sorted(requests, key=lambda r: r["start"]):
        key = rec["path_qs"]
        failed = rec["fault"] in ("5xx", "429", "reset", "truncated")
        current[key] = current.get(key, 0) + 1 if failed else 0
        streaks[key] = max(streaks.get(key, 0), current[key])
    return streaks


def test_fault_mode(tmp_path):
    site = build_site(5, 120, today=TODAY)
    log = tmp_path / "requests.jsonl"
    with ReplicaServer(site, faults=11, log_path=str(log)) as srv:
        urls = [article_url(site, srv, tc) for tc in site.tcs()]
        urls += [f"{srv.base_url}?gd=2&cn={cn}" for cn in site.categories]

        def work(chunk):
            with httpx.Client(timeout=10) as c:
                return [_fetch_with_retries(c, u) for u in chunk]

        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            tries = [t for chunk in pool.map(work, [urls[i::6] for i in range(6)]) for t in chunk]
        assert max(tries) <= 3  # never more than two failures in a row
        faults = Counter(r["fault"] for r in srv.requests)
        for kind in ("5xx", "429", "reset", "truncated", "slow"):
            assert faults[kind] > 0, kind
        assert {r["status"] for r in srv.requests if r["fault"] == "5xx"} <= {500, 502, 503, 504}
        assert max(_max_fail_streak(srv.requests).values()) <= 2
        assert srv.violations  # retried at once after 429s
        assert all(v["at"] < v["until"] for v in srv.violations)
        assert max(r["in_flight_at_start"] for r in srv.requests) >= 2
    lines = log.read_text().splitlines()  # complete once the server has stopped
    assert len(lines) == len(srv.requests)
    assert json.loads(lines[0])["method"] == "GET"


def _retry_after_seconds(value: str) -> float:
    if value.isdigit():
        return float(value)
    return email.utils.parsedate_to_datetime(value).timestamp() - time.time()


def test_fault_mode_is_deterministic():
    site = build_site(6, 30, today=TODAY)
    runs = []
    for _ in range(2):
        with ReplicaServer(site, faults=3, fault_rate=0.5) as srv, httpx.Client(timeout=10) as c:
            for tc in site.tcs()[:12]:
                _fetch_with_retries(c, article_url(site, srv, tc))
            runs.append([(r["path_qs"], r["fault"], r["status"]) for r in srv.requests])
    assert runs[0] == runs[1]
    assert any(fault for _, fault, _ in runs[0])


def test_retry_after_pending_is_recorded():
    site = build_site(6, 40, today=TODAY)
    with ReplicaServer(site, faults=5, fault_rate=0.6) as srv, httpx.Client(timeout=10) as c:
        polite = impolite = None
        for tc in site.tcs():
            url = article_url(site, srv, tc)
            try:
                r = c.get(url)
            except httpx.HTTPError:
                continue
            if r.status_code != 429:
                continue
            if polite is None:  # honour this one
                time.sleep(max(0.0, _retry_after_seconds(r.headers["retry-after"])) + 0.1)
                polite = len(srv.requests)
                _fetch_with_retries(c, url)
            else:  # ask again at once
                impolite = len(srv.requests)
                _fetch_with_retries(c, url)
                break
        assert polite is not None and impolite is not None
        assert srv.requests[polite]["early"] is False
        assert srv.requests[impolite]["early"] is True
        assert srv.violations and srv.violations[-1]["path_qs"] == srv.requests[impolite]["path_qs"]


def test_render_is_cached_and_html_has_one_form(site, server, client):
    r = client.get(article_url(site, server, site.tcs()[3]))
    assert r.text.count("<form ") == 1 and 'method="post"' in r.text
    action = LexborHTMLParser(r.text).css_first("form").attributes["action"]
    assert action.startswith("./?")


def test_cli_serves_and_prints_base_url():
    proc = subprocess.Popen(
        [sys.executable, "-m", "scraper.replica", "--port", "0", "--articles", "20"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base = proc.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:")
        assert httpx.get(base + "robots.txt", timeout=5).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=5)
