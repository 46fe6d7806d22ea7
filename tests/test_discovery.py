"""Generic discovery (scraper.sites.discovery and the modules behind it): sitemaps,
robots.txt Sitemap lines, incremental lastmod, feeds, links, pagination, URL shapes.
Every sample is written here; nothing touches the network."""

from __future__ import annotations

import gzip
import json
import unicodedata

import pytest

from scraper.sites.discovery import (
    ARTICLE,
    LISTING,
    OTHER,
    Entry,
    UrlPatternLearner,
    classify_links,
    common_feed_urls,
    common_sitemap_urls,
    feed_links,
    is_pagination_url,
    page_number,
    parse_feed,
    parse_sitemap,
    read_feed,
    sitemap_changes,
    sitemaps_from_robots,
)
from scraper.sites.patterns import segment_shape, url_templates
from scraper.sites.xmlread import timestamp, timestamp_key, unpack
from scraper.urls import canonical

SITE = "https://sdl.hue.gov.vn"
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def urlset(*entries: tuple[str, str | None], ns: str = NS) -> bytes:
    rows = "".join(
        f"<url><loc>{loc}</loc>" + (f"<lastmod>{mod}</lastmod>" if mod else "") + "</url>"
        for loc, mod in entries
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {ns}>{rows}</urlset>'.encode()


MONTHLY_INDEX = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex {NS}>
  <sitemap><loc>{SITE}/sitemap-2024-03.xml</loc><lastmod>2024-03-31T23:00:00+07:00</lastmod></sitemap>
  <sitemap><loc>{SITE}/sitemap-2024-04.xml</loc><lastmod>2024-04-30</lastmod></sitemap>
  <sitemap><loc>{SITE}/sitemap-2024-05.xml.gz</loc><lastmod>2024-05-20T08:15:00Z</lastmod></sitemap>
  <sitemap><loc>{SITE}/sitemap-trang.xml</loc></sitemap>
</sitemapindex>""".encode()


# --------------------------------------------------------------------------- robots


def test_sitemaps_from_robots_reads_every_sitemap_line_in_any_case():
    robots = (
        "User-agent: *\nDisallow: /quan-tri/\n"
        f"SITEMAP: {SITE}/sitemap_index.xml\n"
        "User-agent: scraper\nAllow: /\n"
        f"sitemap:{SITE}/sitemap-tin.xml   # tin tức\n"
        f"Sitemap: {SITE}/sitemap_index.xml\n"
        "Sitemap: /sitemap-tuong-doi.xml\n"
    )
    assert sitemaps_from_robots(robots) == [
        f"{SITE}/sitemap_index.xml",
        f"{SITE}/sitemap-tin.xml",
    ]
    assert sitemaps_from_robots(robots, SITE + "/robots.txt")[-1] == (
        f"{SITE}/sitemap-tuong-doi.xml"
    )
    assert sitemaps_from_robots(f"\ufeffSitemap: {SITE}/s.xml\r\n") == [f"{SITE}/s.xml"]
    assert sitemaps_from_robots("") == []
    assert sitemaps_from_robots(None) == []


def test_common_paths_are_resolved_on_the_site():
    assert common_sitemap_urls(SITE + "/tin-tuc") == [
        f"{SITE}/sitemap.xml",
        f"{SITE}/sitemap_index.xml",
    ]
    assert common_feed_urls(SITE + "/") == [
        f"{SITE}/rss",
        f"{SITE}/rss.xml",
        f"{SITE}/feed",
        f"{SITE}/atom.xml",
    ]


def test_common_paths_of_a_site_that_is_no_web_site_are_none():
    # resolve() gives None off http(s): these lists were [None, None, ...] before, and the
    # crawl would have asked the fetcher for None.
    assert common_sitemap_urls("ftp://files.example.vn/") == []
    assert common_feed_urls("file:///srv/site/index.html") == []


# --------------------------------------------------------------------------- sitemaps


def test_urlset_with_namespace_gives_urls_and_normalised_lastmods():
    body = urlset(
        (f"{SITE}/tin-trong-tinh/khai-mac-tuan-le-van-hoa-hue.html", "2024-05-17T08:00:00+07:00"),
        (f"{SITE}/tin-trong-tinh/hoi-thao-du-lich-xanh.html", "2024-05-16"),
        (f"{SITE}/gioi-thieu.html", None),
    )
    page = parse_sitemap(f"{SITE}/sitemap.xml", body)
    assert page.kind == "urlset"
    assert page.reason is None
    assert page.children == []
    assert page.urls == [
        (f"{SITE}/tin-trong-tinh/khai-mac-tuan-le-van-hoa-hue.html", "2024-05-17T01:00:00Z"),
        (f"{SITE}/tin-trong-tinh/hoi-thao-du-lich-xanh.html", "2024-05-16"),
        (f"{SITE}/gioi-thieu.html", None),
    ]


def test_urlset_without_namespace_and_with_prefixed_namespace():
    plain = urlset((f"{SITE}/a.html", None), ns="")
    prefixed = (
        b'<sm:urlset xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sm:url><sm:loc> https://sdl.hue.gov.vn/b.html </sm:loc></sm:url></sm:urlset>"
    )
    assert parse_sitemap(SITE + "/s.xml", plain).urls == [(f"{SITE}/a.html", None)]
    page = parse_sitemap(SITE + "/s.xml", prefixed)
    assert page.kind == "urlset"
    assert page.urls == [(f"{SITE}/b.html", None)]


def test_index_of_monthly_sitemaps_lists_children_with_lastmod():
    page = parse_sitemap(f"{SITE}/sitemap_index.xml", MONTHLY_INDEX)
    assert page.kind == "index"
    assert page.urls == []
    assert [c.loc.rsplit("/", 1)[1] for c in page.children] == [
        "sitemap-2024-03.xml",
        "sitemap-2024-04.xml",
        "sitemap-2024-05.xml.gz",
        "sitemap-trang.xml",
    ]
    assert [c.lastmod for c in page.children] == [
        "2024-03-31T16:00:00Z",
        "2024-04-30",
        "2024-05-20T08:15:00Z",
        None,
    ]


def test_gzip_sitemap_is_read_by_its_magic_bytes_whatever_the_url():
    body = gzip.compress(urlset((f"{SITE}/tin-trong-tinh/le-hoi-dieu-hau.html", "2024-05-01")))
    for url in (f"{SITE}/sitemap-2024-05.xml.gz", f"{SITE}/sitemap.xml"):
        page = parse_sitemap(url, body)
        assert page.urls == [(f"{SITE}/tin-trong-tinh/le-hoi-dieu-hau.html", "2024-05-01")]
        assert page.reason is None


def test_gzip_bomb_and_huge_bodies_are_cut_at_the_limit():
    bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000)
    data, reason = unpack(bomb, max_bytes=100_000)
    assert len(data) == 100_000
    assert "truncated" in reason
    page = parse_sitemap(SITE + "/s.xml", bomb, max_bytes=100_000)
    assert page.urls == []
    assert "truncated" in page.reason
    big = urlset(*[(f"{SITE}/bai-{i}.html", None) for i in range(100)])
    page = parse_sitemap(SITE + "/s.xml", big, max_entries=10)
    assert len(page.urls) == 10
    assert "more than 10" in page.reason


def test_corrupt_and_short_gzip_never_raise():
    whole = gzip.compress(urlset((f"{SITE}/a.html", None)))
    page = parse_sitemap(SITE + "/s.xml.gz", whole[: len(whole) // 2])
    assert page.reason
    page = parse_sitemap(SITE + "/s.xml.gz", b"\x1f\x8b\x08\x00garbage-not-deflate")
    assert page.urls == []
    assert "gzip" in page.reason


def test_news_sitemap_gives_titles_and_publication_date_as_lastmod():
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset {NS} xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
 <url><loc>{SITE}/tin-trong-tinh/hue-don-doan-khach-quoc-te.html</loc>
  <news:news><news:publication><news:name>Sở Du lịch</news:name>
   <news:language>vi</news:language></news:publication>
   <news:publication_date>2024-05-18T09:30:00+07:00</news:publication_date>
   <news:title>Huế đón đoàn khách quốc tế đầu tiên của mùa hè</news:title></news:news>
 </url>
</urlset>""".encode()
    page = parse_sitemap(SITE + "/news-sitemap.xml", body)
    loc = f"{SITE}/tin-trong-tinh/hue-don-doan-khach-quoc-te.html"
    assert page.urls == [(loc, "2024-05-18T02:30:00Z")]
    assert page.news[loc].title == "Huế đón đoàn khách quốc tế đầu tiên của mùa hè"
    assert page.news[loc].published == "2024-05-18T02:30:00Z"


def test_image_locs_and_empty_atom_links_do_not_hide_the_real_ones():
    body = (
        f'<urlset {NS} xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">'
        f"<url><image:image><image:loc>{SITE}/UploadFiles/anh.jpg</image:loc></image:image>"
        f"<loc>{SITE}/tin-tuc/co-anh.html</loc></url></urlset>"
    ).encode()
    assert parse_sitemap(SITE + "/s.xml", body).urls == [(f"{SITE}/tin-tuc/co-anh.html", None)]
    rss = (
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
        f'<item><atom:link href="{SITE}/rss" rel="self"/><title>Có atom:link</title>'
        f"<link>{SITE}/tin-tuc/that.html</link></item></channel></rss>"
    ).encode()
    assert parse_feed(SITE + "/rss", rss)[0].link == f"{SITE}/tin-tuc/that.html"


def test_broken_xml_with_raw_ampersand_is_salvaged():
    body = (
        f'<?xml version="1.0"?><urlset {NS}>'
        f"<url><loc>{SITE}/tin-tuc/mot.html</loc></url>"
        "<url><loc>https://stttt.thuathienhue.gov.vn/?gd=1&cn=129&tc=22380</loc>"
        "<lastmod>2020-10-07</lastmod></url>"
        "<url><loc>https://stttt.thuathienhue.gov.vn/?gd=1&amp;cn=129&amp;tc=22381</loc></url>"
        "</urlset>"
    ).encode()
    page = parse_sitemap(SITE + "/s.xml", body)
    assert page.kind == "urlset"
    assert "salvaged" in page.reason
    assert page.urls == [
        (f"{SITE}/tin-tuc/mot.html", None),
        ("https://stttt.thuathienhue.gov.vn/?gd=1&cn=129&tc=22380", "2020-10-07"),
        ("https://stttt.thuathienhue.gov.vn/?gd=1&cn=129&tc=22381", None),
    ]


def test_records_never_closed_are_each_read_to_the_next_one():
    body = "<urlset>" + "".join(f"<url><loc>{SITE}/tin?a=1&b={i}</loc>" for i in range(300))
    page = parse_sitemap(SITE + "/s.xml", body.encode())
    assert [u.loc for u in page.urls] == [f"{SITE}/tin?a=1&b={i}" for i in range(300)]
    assert page.kind == "urlset"


def test_truncated_xml_keeps_the_records_read_before_the_cut():
    body = urlset(*[(f"{SITE}/bai-{i}.html", None) for i in range(5)])
    page = parse_sitemap(SITE + "/s.xml", body[: body.index(b"bai-4") - 20])
    assert [u.loc for u in page.urls] == [f"{SITE}/bai-{i}.html" for i in range(4)]
    assert "broken XML" in page.reason


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (
            b"<!DOCTYPE html><html><head><title>Kh\xc3\xb4ng t\xc3\xacm th\xe1\xba\xa5y</title>",
            "HTML",
        ),
        (b'<?xml version="1.0"?><catalog><book>S\xc3\xa1ch</book></catalog>', "not a sitemap"),
        (b"\x00\x01\x02 kh\xc3\xb4ng ph\xe1\xba\xa3i xml", "no XML"),
    ],
)
def test_garbage_gives_an_empty_page_and_a_reason(body, why):
    page = parse_sitemap(SITE + "/sitemap.xml", body)
    assert page.urls == [] and page.children == []
    assert page.kind == ""
    assert why in page.reason


def test_entity_declarations_are_never_expanded():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b"<urlset><url><loc>https://sdl.hue.gov.vn/&b;</loc></url>"
        b"<url><loc>https://sdl.hue.gov.vn/that.html</loc></url></urlset>"
    )
    page = parse_sitemap(SITE + "/s.xml", bomb)
    assert "entities" in page.reason
    assert f"{SITE}/that.html" in [u.loc for u in page.urls]
    assert all("aaaa" not in u.loc for u in page.urls)


def test_plain_text_sitemap_and_feed_used_as_sitemap():
    text = f"{SITE}/tin-tuc/mot.html\n\n{SITE}/tin-tuc/hai.html\r\nkhông phải url\n".encode()
    page = parse_sitemap(SITE + "/sitemap.txt", text)
    assert page.kind == "text"
    assert [u.loc for u in page.urls] == [f"{SITE}/tin-tuc/mot.html", f"{SITE}/tin-tuc/hai.html"]
    page = parse_sitemap(SITE + "/sitemap.xml", RSS)
    assert page.kind == "feed"
    assert page.urls[0] == (
        f"{SITE}/tin-trong-tinh/hue-khai-mac-festival.html",
        "2024-06-07T01:00:00Z",
    )


def test_windows_1258_sitemap_is_decoded_by_its_declaration():
    title = "Thừa Thiên Huế"
    # windows-1258 has ư and ê but writes tone marks as combining characters.
    legacy = "Th\u01b0\u0300a Thi\u00ean Hu\u00ea\u0301"
    assert unicodedata.normalize("NFC", legacy) == title
    body = (
        '<?xml version="1.0" encoding="windows-1258"?>'
        f'<urlset {NS} xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"<url><loc>{SITE}/a.html</loc><news:news><news:title>{legacy}</news:title>"
        "</news:news></url></urlset>"
    ).encode("cp1258")
    page = parse_sitemap(SITE + "/s.xml", body)
    assert page.news[f"{SITE}/a.html"].title == title


# --------------------------------------------------------------------------- lastmod


def test_incremental_run_fetches_only_changed_children_and_new_or_changed_urls():
    index = parse_sitemap(f"{SITE}/sitemap_index.xml", MONTHLY_INDEX)
    seen = {
        canonical(f"{SITE}/sitemap-2024-03.xml"): "2024-03-31T16:00:00Z",  # same instant
        canonical(f"{SITE}/sitemap-2024-04.xml"): "2024-04-30",  # unchanged date
        canonical(f"{SITE}/sitemap-2024-05.xml.gz"): "2024-05-19T00:00:00Z",  # older
        canonical(f"{SITE}/sitemap-trang.xml"): None,  # never had a lastmod
    }
    changes = sitemap_changes(index, seen)
    assert [c.loc.rsplit("/", 1)[1] for c in changes.children] == [
        "sitemap-2024-05.xml.gz",
        "sitemap-trang.xml",
    ]
    assert changes.unchanged_children == 2

    month = parse_sitemap(
        f"{SITE}/sitemap-2024-05.xml",
        urlset(
            (f"{SITE}/tin-trong-tinh/bai-cu-khong-doi.html", "2024-05-02"),
            (f"{SITE}/tin-trong-tinh/bai-sua-lai.html", "2024-05-20T10:00:00+07:00"),
            (f"{SITE}/tin-trong-tinh/bai-moi.html", "2024-05-20"),
            (f"{SITE}/tin-trong-tinh/bai-khong-ngay.html", None),
        ),
    )
    seen_urls = {
        canonical(f"{SITE}/tin-trong-tinh/bai-cu-khong-doi.html"): "2024-05-02",
        canonical(f"{SITE}/tin-trong-tinh/bai-sua-lai.html"): "2024-05-19",
        canonical(f"{SITE}/tin-trong-tinh/bai-khong-ngay.html"): None,
    }
    changes = sitemap_changes(month, seen_urls)
    assert [u.loc.rsplit("/", 1)[1] for u in changes.urls] == [
        "bai-sua-lai.html",
        "bai-moi.html",
    ]
    assert changes.unchanged_urls == 2
    # A first run fetches everything.
    assert len(sitemap_changes(month, {}).urls) == 4


def test_a_child_whose_lastmod_went_back_or_is_unreadable_in_the_archive():
    page = parse_sitemap(SITE + "/i.xml", MONTHLY_INDEX)
    first = page.children[0]
    assert first not in sitemap_changes(page, {canonical(first.loc): "2025-01-01"}).children
    assert first in sitemap_changes(page, {canonical(first.loc): "hôm qua"}).children


def test_timestamps_in_every_form_sites_write():
    assert timestamp("2024-05-17") == "2024-05-17"
    assert timestamp("2024-05") == "2024-05-01"
    assert timestamp("2024-05-17T08:00+07:00") == "2024-05-17T01:00:00Z"
    assert timestamp("2024-05-17T08:00:00.123Z") == "2024-05-17T08:00:00Z"
    assert timestamp("2024-05-17 08:00:00") == "2024-05-17T01:00:00Z"  # local time
    assert timestamp("Fri, 17 May 2024 08:00:00 +0700") == "2024-05-17T01:00:00Z"
    assert timestamp("Fri, 17 May 2024 08:00:00 GMT") == "2024-05-17T08:00:00Z"
    assert timestamp("17/05/2024 15:54") == "2024-05-17T08:54:00Z"
    assert timestamp("Thứ Sáu, 15:54 17/5/2024") == "2024-05-17T08:54:00Z"
    assert timestamp("17/05/2024") == "2024-05-17"
    for bad in ("", None, "hôm qua", "2024-02-30", "31/02/2024", "1985-01-01", "2999-01-01"):
        assert timestamp(bad) is None, bad
    assert timestamp_key("2024-05-17") < timestamp_key("2024-05-17T01:00:00Z")


# --------------------------------------------------------------------------- feeds

RSS = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>Sở Du lịch Thừa Thiên Huế</title>
<item><title>Huế khai mạc Festival nghệ thuật quốc tế</title>
 <link>{SITE}/tin-trong-tinh/hue-khai-mac-festival.html</link>
 <pubDate>Fri, 07 Jun 2024 08:00:00 +0700</pubDate></item>
<item><title><![CDATA[Đêm nhạc <b>Trịnh</b> bên sông Hương]]></title>
 <link>/tin-trong-tinh/dem-nhac-ben-song-huong.html</link>
 <dc:date>2024-06-06T20:00:00+07:00</dc:date></item>
<item><title>Chỉ có guid</title>
 <guid isPermaLink="true">{SITE}/tin-trong-tinh/chi-co-guid.html</guid></item>
<item><title>Guid không phải đường dẫn</title><guid isPermaLink="false">abc-123</guid></item>
</channel></rss>""".encode()

ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Tin tức</title>
<entry><title type="html">Ph&amp;#7889; c&amp;#7893; H&amp;#7897;i An</title>
 <link rel="self" href="{SITE}/atom/1"/>
 <link href="{SITE}/tin-tuc/pho-co.html" rel="alternate" type="text/html"/>
 <published>2024-06-01T07:00:00Z</published><updated>2024-06-02T07:00:00Z</updated></entry>
<entry><title>Chỉ có updated</title><link href="/tin-tuc/chi-co-updated.html"/>
 <updated>2024-06-03T10:00:00+07:00</updated></entry>
</feed>""".encode()

RDF = f"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="{SITE}/rss"><title>Kênh RDF</title></channel>
<item rdf:about="{SITE}/tin-tuc/lang-nghe-non-la.html"><title>Làng nghề nón lá Phú Cam</title>
 <link>{SITE}/tin-tuc/lang-nghe-non-la.html</link><dc:date>2024-04-30</dc:date></item>
<item rdf:about="{SITE}/tin-tuc/chi-co-about.html"><title>Chỉ có about</title></item>
</rdf:RDF>""".encode()


def test_rss2_items_with_links_dates_and_clean_titles():
    feed = read_feed(SITE + "/rss.xml", RSS)
    assert feed.kind == "rss"
    assert feed.reason is None
    assert feed.items == [
        (
            f"{SITE}/tin-trong-tinh/hue-khai-mac-festival.html",
            "2024-06-07T01:00:00Z",
            "Huế khai mạc Festival nghệ thuật quốc tế",
        ),
        (
            f"{SITE}/tin-trong-tinh/dem-nhac-ben-song-huong.html",
            "2024-06-06T13:00:00Z",
            "Đêm nhạc Trịnh bên sông Hương",
        ),
        (f"{SITE}/tin-trong-tinh/chi-co-guid.html", None, "Chỉ có guid"),
    ]


def test_atom_entries_prefer_alternate_link_and_published():
    items = parse_feed(SITE + "/atom.xml", ATOM)
    assert items[0] == (f"{SITE}/tin-tuc/pho-co.html", "2024-06-01T07:00:00Z", "Phố cổ Hội An")
    assert items[1] == (
        f"{SITE}/tin-tuc/chi-co-updated.html",
        "2024-06-03T03:00:00Z",
        "Chỉ có updated",
    )
    assert read_feed(SITE + "/atom.xml", ATOM).kind == "atom"


def test_rss1_rdf_items_use_link_or_about():
    feed = read_feed(SITE + "/rss", RDF)
    assert feed.kind == "rdf"
    assert feed.items == [
        (f"{SITE}/tin-tuc/lang-nghe-non-la.html", "2024-04-30", "Làng nghề nón lá Phú Cam"),
        (f"{SITE}/tin-tuc/chi-co-about.html", None, "Chỉ có about"),
    ]


def test_feed_nfd_titles_become_nfc_and_gzip_feeds_are_read():
    nfd = unicodedata.normalize("NFD", "Huế")
    body = RSS.replace("Huế khai mạc".encode(), f"{nfd} khai mạc".encode())
    items = parse_feed(SITE + "/rss", gzip.compress(body))
    assert items[0].title == "Huế khai mạc Festival nghệ thuật quốc tế"
    assert unicodedata.is_normalized("NFC", items[0].title)


def test_broken_feeds_never_raise():
    broken = RSS.replace(b"</channel></rss>", b"<item><title>cut").replace(
        b"hue-khai-mac-festival.html", b"a.html?x=1&y=2"
    )
    feed = read_feed(SITE + "/rss", broken)
    assert feed.reason and "broken XML" in feed.reason
    assert feed.items[0].link == f"{SITE}/tin-trong-tinh/a.html?x=1&y=2"
    assert len(feed.items) == 3
    assert parse_feed(SITE + "/rss", b"<html><body>404</body></html>") == []
    assert read_feed(SITE + "/rss", b"").kind == ""
    assert parse_feed(SITE + "/rss", b"\x1f\x8b\x08garbage") == []


def test_feed_links_declared_first_then_feed_looking_anchors():
    html = f"""<html><head><base href="{SITE}/vi/">
<link rel="alternate" type="application/rss+xml" title="Tin mới" href="rss/tin-moi.rss">
<link rel="Alternate" type="application/atom+xml; charset=utf-8" href="{SITE}/atom.xml">
<link rel="alternate" hreflang="en" href="/en/">
<link rel="stylesheet" type="text/css" href="/style.css"></head>
<body><a href="/rss/thoi-su.rss">Thời sự</a> <a href="/tin-tuc/rss-la-gi.html">RSS là gì</a>
<a href="{SITE}/atom.xml">Atom</a> <a href="/feed/">Feed</a></body></html>"""
    assert feed_links(html, SITE + "/vi/trang-chu.html") == [
        f"{SITE}/vi/rss/tin-moi.rss",
        f"{SITE}/atom.xml",
        f"{SITE}/rss/thoi-su.rss",
        f"{SITE}/feed/",
    ]
    assert feed_links("", SITE) == []


# --------------------------------------------------------------------------- links, pagination

HOSTS = {"sdl.hue.gov.vn", "sdl.thuathienhue.gov.vn"}


def page(body: str) -> str:
    return f"<html><head><title>Tin trong tỉnh</title></head><body>{body}</body></html>"


def test_candidates_are_in_scope_canonical_unique_and_not_files():
    html = page(
        f"""<a href="/tin-trong-tinh/bai-mot.html">Bài một</a>
<a href="https://sdl.thuathienhue.gov.vn/tin-trong-tinh/bai-hai.html#binh-luan">Bài hai</a>
<a href="{SITE}/tin-trong-tinh/bai-mot.html">lặp lại</a>
<a href="https://baochinhphu.vn/tin.html">ngoài site</a>
<a href="/UploadFiles/TinTuc/2024/5/anh.JPG">ảnh</a> <a href="/van-ban/quyet-dinh.pdf">pdf</a>
<a href="javascript:__doPostBack('pager','Page$2')">2</a> <a href="mailto:a@b.vn">thư</a>
<a href="#top">lên đầu</a> <a href="/tin-trong-tinh.html">tự nó</a>
<a href="/tim-kiem?q=hu%E1%BA%BF&amp;loai=tin">tìm</a>"""
    )
    links = classify_links(f"{SITE}/tin-trong-tinh.html", html, HOSTS)
    assert links.candidates == [
        f"{SITE}/tin-trong-tinh/bai-mot.html",
        "https://sdl.thuathienhue.gov.vn/tin-trong-tinh/bai-hai.html",
        f"{SITE}/tim-kiem?loai=tin&q=hu%E1%BA%BF",
    ]
    assert links.next_pages == []
    # No host set: the page's own host only.
    only_here = classify_links(f"{SITE}/tin-trong-tinh.html", html, ())
    assert "https://sdl.thuathienhue.gov.vn/tin-trong-tinh/bai-hai.html" not in (
        only_here.candidates
    )


@pytest.mark.parametrize(
    ("page_url", "pager_html", "expected"),
    [
        (  # rel="next" in the head
            f"{SITE}/tin-tuc",
            '<link rel="next" href="/tin-tuc?page=2">',
            f"{SITE}/tin-tuc?page=2",
        ),
        (  # ?page=N, numbers only
            f"{SITE}/tin-tuc?page=2",
            '<a href="?page=1">1</a><a href="?page=2">2</a><a href="?page=3">3</a>',
            f"{SITE}/tin-tuc?page=3",
        ),
        (  # ?p=N with "Next"
            f"{SITE}/news.php?cat=5",
            '<a href="news.php?cat=5&p=2">Next</a>',
            f"{SITE}/news.php?cat=5&p=2",
        ),
        (  # /page/N with "»"
            f"{SITE}/chuyen-muc/van-hoa/page/3/",
            '<a href="/chuyen-muc/van-hoa/page/2/">«</a>'
            '<a href="/chuyen-muc/van-hoa/page/4/">»</a>',
            f"{SITE}/chuyen-muc/van-hoa/page/4/",
        ),
        (  # /trang-N.html with "Trang sau"
            f"{SITE}/tin-trong-tinh.html",
            '<a href="/tin-trong-tinh/trang-2.html">Trang sau &raquo;</a>',
            f"{SITE}/tin-trong-tinh/trang-2.html",
        ),
        (  # ?trang=N with "Tiếp"
            f"{SITE}/thong-bao.aspx?trang=4",
            '<a href="thong-bao.aspx?trang=5"> Tiếp </a><a href="thong-bao.aspx?trang=9">Cuối</a>',
            f"{SITE}/thong-bao.aspx?trang=5",
        ),
        (  # "Sau" without any page token in the URL
            f"{SITE}/su-kien",
            '<a href="/su-kien/tiep-theo-xyz">Sau</a>',
            f"{SITE}/su-kien/tiep-theo-xyz",
        ),
        (  # ">" and a class "next" on the list item
            f"{SITE}/tin-tuc/trang-7.html",
            '<ul><li><a href="/tin-tuc/trang-6.html">&lt;</a></li>'
            '<li class="next"><a href="/tin-tuc/trang-8.html">&gt;</a></li></ul>',
            f"{SITE}/tin-tuc/trang-8.html",
        ),
        (  # rel="next" on the link itself
            f"{SITE}/a",
            '<a rel="next" href="/a/page/2">2</a>',
            f"{SITE}/a/page/2",
        ),
    ],
)
def test_next_page_in_each_form(page_url, pager_html, expected):
    html = f"<html><head>{pager_html if '<link' in pager_html else ''}</head><body>"
    html += f"<a href='/tin-tuc/mot-bai-viet-bat-ky.html'>Bài</a>{pager_html}</body></html>"
    links = classify_links(page_url, html, HOSTS)
    assert links.next_pages[0] == expected
    assert expected in links.candidates or "<link" in pager_html


def test_pager_lists_later_pages_and_no_next_on_the_last_page():
    pager = "".join(f'<a href="/tin-tuc/trang-{n}.html">{n}</a>' for n in range(1, 6))
    links = classify_links(
        f"{SITE}/tin-tuc/trang-2.html", page(pager + '<a href="/tin-tuc/trang-1.html">«</a>'), HOSTS
    )
    assert links.pager == [f"{SITE}/tin-tuc/trang-{n}.html" for n in (3, 4, 5)]
    assert links.next_pages == [f"{SITE}/tin-tuc/trang-3.html"]
    last = classify_links(
        f"{SITE}/tin-tuc/trang-5.html",
        page(pager + '<a href="/tin-tuc/trang-1.html">»»</a><a href="/lien-he.html">Tiếp</a>'),
        HOSTS,
    )
    assert last.pager == []
    assert last.next_pages == [f"{SITE}/lien-he.html"]  # text alone is taken as next
    other_listing = classify_links(
        f"{SITE}/tin-tuc?page=2", page('<a href="/thong-bao?page=3">3</a>'), HOSTS
    )
    assert other_listing.next_pages == [] and other_listing.pager == []


def test_page_number_and_listing_key():
    assert page_number(f"{SITE}/tin-tuc/trang-2.html") == (f"{SITE}/tin-tuc", 2)
    assert page_number(f"{SITE}/tin-tuc-trang-12.html") == (f"{SITE}/tin-tuc", 12)
    assert page_number(f"{SITE}/tin-tuc/page/3/") == (f"{SITE}/tin-tuc", 3)
    assert page_number(f"{SITE}/tin-tuc?cat=2&page=4") == (f"{SITE}/tin-tuc?cat=2", 4)
    assert page_number(f"{SITE}/tin-tuc.html") is None
    assert page_number(f"{SITE}/tin-tuc/bai-viet-2024.html") is None
    assert is_pagination_url(f"{SITE}/x?trang=2")
    assert not is_pagination_url(f"{SITE}/x?trang=1")


# --------------------------------------------------------------------------- URL patterns

GUID_A = "3A5B6C7D-1234-4ABC-9DEF-ABFB01064AC7"
GUID_B = "8F2E1D3C-5678-4DEF-8ABC-0123456789AB"


def dnn(category: str, slug: str, news: str) -> str:
    return f"https://thuathienhue.gov.vn/vi-vn/{category}/tid/{slug}/newsid/{news}/cid/{GUID_B}"


ARTICLES = [
    f"{SITE}/tin-trong-tinh/hoi-nghi-tong-ket-cong-tac-du-lich-nam-2023.html",
    f"{SITE}/tin-trong-tinh/khai-mac-tuan-le-van-hoa-am-thuc-hue.html",
    f"{SITE}/tin-trong-tinh/don-doan-khach-quoc-te-dau-tien.html",
    f"{SITE}/tin-trong-tinh/ra-mat-tour-dem-dai-noi-hue.html",
    dnn("Tin-tuc-su-kien", "Hoi-nghi-tong-ket-nam-2023", GUID_A),
    dnn("Tin%20t%E1%BB%A9c", "Trien-khai-nhiem-vu-nam-moi", GUID_A.replace("3A", "4B")),
    "https://baohue.vn/tin-tuc/2024/05/le-hoi-dieu-hue-mo-rong-quy-mo-12345.html",
    "https://baohue.vn/tin-tuc/2024/04/nong-dan-thu-hoach-lua-dong-xuan-12001.html",
    "https://stttt.thuathienhue.gov.vn/?gd=1&cn=129&tc=22380",
    "https://stttt.thuathienhue.gov.vn/?cn=28&gd=4&tc=11669",
]
LISTINGS = [
    f"{SITE}/tin-trong-tinh.html",
    f"{SITE}/thong-bao.html",
    f"{SITE}/tin-trong-tinh/trang-2.html",
    f"https://thuathienhue.gov.vn/vi-vn/Tin-tuc-su-kien/cid/{GUID_B}",
    "https://baohue.vn/tin-tuc",
    "https://stttt.thuathienhue.gov.vn/?gd=2&cn=129",
]
OTHERS = [f"{SITE}/lien-he.html", f"{SITE}/gioi-thieu/so-do-to-chuc"]


def trained() -> UrlPatternLearner:
    learner = UrlPatternLearner()
    for url in ARTICLES:
        learner.learn(url, ARTICLE)
    for url in LISTINGS:
        learner.learn(url, LISTING)
    for url in OTHERS:
        learner.learn(url, OTHER)
    return learner


def test_segment_shapes():
    assert segment_shape("12345") == "{n}"
    assert segment_shape(GUID_A) == "{id}"
    assert segment_shape("9f86d081884c7d659a2feaa0c55ad015") == "{id}"
    assert segment_shape("le-hoi-dieu-hue-mo-rong-12345.html") == "{slug}-{n}.html"
    assert segment_shape("hoi-nghi-tong-ket-nam-2023.html") == "{slug}.html"
    assert segment_shape("tin-trong-tinh.html") == "tin-trong-tinh.html"
    assert segment_shape("Tin%20t%E1%BB%A9c") == "tin tức"
    assert segment_shape("trang2") == "trang{n}"
    templates, paged = url_templates(
        "https://baohue.vn/tin-tuc/2024/05/le-hoi-dieu-hue-mo-rong-quy-mo-12345.html?utm_source=x"
    )
    assert templates[0] == "/tin-tuc/{n}/{n}/{slug}-{n}.html"
    assert templates[2] == "/{w}/{n}/{n}/{slug}-{n}.html"
    assert not paged
    assert url_templates("https://stttt.thuathienhue.gov.vn/?tc=1&gd=1&cn=2")[0][0] == (
        "/?cn={n}&gd={n}&tc={n}"
    )


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        (f"{SITE}/tin-trong-tinh/trien-lam-anh-di-san-co-do-hue.html", ARTICLE),
        (f"{SITE}/tin-trong-nuoc/hoi-cho-du-lich-quoc-te-tai-ha-noi.html", ARTICLE),  # new category
        (dnn("Kinh-te", "Thu-hut-dau-tu-vao-khu-kinh-te", GUID_A.replace("3A", "5C")), ARTICLE),
        ("https://baohue.vn/tin-tuc/2024/06/mua-he-xanh-tren-pha-tam-giang-13000.html", ARTICLE),
        ("https://stttt.thuathienhue.gov.vn/?tc=30000&gd=1&cn=7", ARTICLE),
        (f"{SITE}/tin-trong-tinh/trang-5.html", LISTING),
        (f"{SITE}/thong-bao/trang-3.html", LISTING),
        ("https://baohue.vn/tin-tuc?page=9", LISTING),
        (f"https://thuathienhue.gov.vn/vi-vn/Van-hoa-the-thao/cid/{GUID_A}", LISTING),
        ("https://stttt.thuathienhue.gov.vn/?cn=31&gd=2", LISTING),
        (f"{SITE}/lien-he.html", OTHER),
    ],
)
def test_learner_scores_unseen_urls_of_learned_shapes(url, kind):
    score = trained().score(url)
    assert score.kind == kind, score
    assert score.learned


def test_learner_hints_without_learning_and_ranks_articles_first():
    fresh = UrlPatternLearner()
    assert fresh.score(f"{SITE}/tin-tuc?page=3").kind == LISTING
    assert fresh.score(f"{SITE}/tin-tuc/hoi-nghi-tong-ket-cong-tac-nam.html").kind == ARTICLE
    assert fresh.score(f"{SITE}/").kind == LISTING
    assert not fresh.score(f"{SITE}/").learned
    urls = [
        f"{SITE}/lien-he.html",
        f"{SITE}/tin-trong-tinh/trang-3.html",
        f"{SITE}/tin-trong-tinh/nghe-nhan-lam-hoa-giay-thanh-tien.html",
    ]
    ranked = [url for url, _ in trained().rank(urls)]
    assert ranked == [urls[2], urls[1], urls[0]]


def test_observe_page_learns_article_listing_and_other():
    learner = trained()
    links = classify_links(
        f"{SITE}/du-lich.html",
        page(
            "".join(f'<a href="/du-lich/bai-viet-ve-du-lich-so-{w}.html">x</a>' for w in "abcdef")
        ),
        HOSTS,
    )
    assert learner.observe_page(f"{SITE}/du-lich.html", is_article=False, links=links) == LISTING
    assert learner.observe_page(f"{SITE}/hoi-dap.html", is_article=False, links=None) == OTHER
    url = f"{SITE}/du-lich/bai-viet-ve-du-lich-so-a.html"
    assert learner.observe_page(url, is_article=True) == ARTICLE
    with pytest.raises(ValueError):
        learner.learn(url, "bài")


def test_learner_round_trips_through_json():
    learner = trained()
    again = UrlPatternLearner.from_dict(json.loads(json.dumps(learner.to_dict())))
    for url in ARTICLES + LISTINGS + OTHERS:
        assert again.score(url) == learner.score(url)


def test_entry_is_a_plain_pair():
    loc, lastmod = Entry("https://x.vn/a", None)
    assert (loc, lastmod) == ("https://x.vn/a", None)
