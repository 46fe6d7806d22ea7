"""Tests of the replica's DNN and hue layouts (scraper.replica.layouts): routes, pagination
that reaches every article, determinism, the COMB GUID time encoding, the hue moved mode
(301 from old TT URLs), sitemaps and feed, epochs. Not extraction: the profiles that read
these layouts are tested elsewhere; here pages are only checked against the model."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from collections import Counter
from datetime import date, datetime
from urllib.parse import unquote, urljoin, urlsplit

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser

from scraper.replica import ReplicaServer, build_site, expected
from scraper.replica.layouts.dnn import comb_tail, decode_comb, news_guid
from scraper.replica.truth import article_id

TODAY = date(2025, 3, 15)
LAYOUTS = ("dnn", "hue")


@pytest.fixture(scope="module")
def site():
    return build_site(3, 90, today=TODAY)


@pytest.fixture(scope="module", params=LAYOUTS)
def served(request, site):
    with ReplicaServer(site, layout=request.param) as srv:
        yield request.param, srv


@pytest.fixture(scope="module")
def client():
    with httpx.Client(timeout=10) as c:
        yield c


def key(url: str) -> str:
    """A URL compared by its decoded path and query (host ignored)."""
    parts = urlsplit(url)
    return unquote(parts.path) + (f"?{parts.query}" if parts.query else "")


def truth_urls(site, srv, layout) -> dict[str, int]:
    return {key(expected(site, tc, srv.base_url, layout)["url"]): tc for tc in site.tcs()}


def links(page_html: str, selector: str) -> list[str]:
    return [a.attributes["href"] for a in LexborHTMLParser(page_html).css(selector)]


def next_link(page_html: str) -> str | None:
    """The 'Trang sau' link of a listing page, if any."""
    for a in LexborHTMLParser(page_html).css("a[href]"):
        if a.text().strip() == "Trang sau":
            return a.attributes["href"]
    return None


def walk(client, url: str, item_selector: str) -> list[str]:
    """Every item link of a listing, following 'Trang sau' to the end."""
    found, seen = [], set()
    while url and url not in seen:
        seen.add(url)
        r = client.get(url)
        assert r.status_code == 200, url
        found += [urljoin(url, h) for h in links(r.text, item_selector)]
        nxt = next_link(r.text)
        url = urljoin(url, nxt) if nxt else None
    return found


# --------------------------------------------------------------------------- routes
def test_routes_answer(site, served, client):
    layout, srv = served
    home = client.get(srv.base_url)
    assert home.status_code == 200 and home.headers["content-type"].startswith("text/html")
    robots = client.get(srv.url("robots.txt"))
    assert robots.status_code == 200 and "User-agent: *" in robots.text
    assert client.get(srv.url("khong/co/trang/nay")).status_code == 404
    plain = [t for t in site.tcs() if "nfd" not in site.articles[t].noise]
    for tc in plain[::15]:
        exp = expected(site, tc, srv.base_url, layout)
        r = client.get(exp["url"])
        assert r.status_code == 200, exp["url"]
        assert html.escape(site.articles[tc].title, quote=False) in r.text
        for img in exp["images"][:1]:
            f = client.get(img["url"])
            assert f.status_code == 200 and f.headers["etag"]
            assert (
                client.get(img["url"], headers={"If-None-Match": f.headers["etag"]}).status_code
                == 304
            )
        for att in exp["attachments"][:1]:
            assert client.get(att).status_code == 200
    if layout == "dnn":
        assert (
            "/Portals/0/"
            in expected(site, site.cases()["lead_caption"][0], srv.base_url, layout)["images"][0][
                "url"
            ]
        )
        assert "Sitemap" not in robots.text
        for path in ("sitemap.xml", "rss.xml", "rss"):
            assert client.get(srv.url(path)).status_code == 404
        assert 'id="dnn_dnnNAV"' in home.text and "Đọc nhiều" in home.text
    else:
        assert f"Sitemap: {srv.base_url}sitemap.xml" in robots.text
        assert '<link rel="alternate" type="application/rss+xml"' in home.text


def test_article_urls_have_the_documented_form(site, served):
    layout, srv = served
    for tc in site.tcs():
        path = urlsplit(expected(site, tc, srv.base_url, layout)["url"]).path
        if layout == "dnn":
            m = re.fullmatch(
                r"/vi-vn/([^/]+)/tid/([a-z0-9-]+)/newsid/([0-9A-F-]{36})/cid/([0-9A-F-]{36})", path
            )
            assert m, path
            assert unquote(m[1]) == site.categories[site.articles[tc].cat].name
            assert "%" in m[1] or m[1].isascii()
        else:
            assert re.fullmatch(r"/tin-trong-tinh/[a-z0-9-]+\.html", path), path


def test_unknown_guid_and_slug_are_404(site, served, client):
    layout, srv = served
    url = expected(site, site.tcs()[5], srv.base_url, layout)["url"]
    if layout == "dnn":
        guid = re.search(r"/newsid/([0-9A-F-]{36})/", url)[1]
        wrong = url.replace(guid, "0" * 8 + guid[8:])
        assert client.get(url.replace(guid, guid.lower())).status_code == 200  # case-insensitive
    else:
        wrong = url.replace(".html", "-khong-co.html")
    assert client.get(wrong).status_code == 404


# --------------------------------------------------------------------------- pagination
def test_pagination_reaches_every_article(site, served, client):
    layout, srv = served
    want = truth_urls(site, srv, layout)
    home = client.get(srv.base_url).text
    if layout == "dnn":
        menu = [urljoin(srv.base_url, h) for h in links(home, "#dnn_dnnNAV a[href*='/cid/']")]
        assert len(menu) == len(site.categories)
        got: list[str] = []
        for url in menu:
            got += walk(client, url, "div.news-list h3 a")
        # a parent lists its children's articles too: every article at least once
        assert {key(u) for u in got} == set(want)
        listed = [key(u) for u in links(home, "div.news-list h3 a")]
        assert [want[k] for k in listed] == site.listing()[: len(listed)] and len(listed) >= 10
    else:
        got = walk(client, srv.url("tin-trong-tinh/"), "section.post-list h3 a")
        assert [want[key(u)] for u in got] == site.listing()  # newest first, each once
        assert client.get(srv.url("tin-trong-tinh/trang-2.html")).status_code == 200
        page2 = links(client.get(srv.url("tin-trong-tinh/?page=2")).text, "section.post-list h3 a")
        assert [want[key(u)] for u in page2] == site.listing()[12:24]
        parent = next(cn for cn in site.categories if site.children(cn))
        name = site.categories[parent].name
        nav = LexborHTMLParser(home).css("nav.main-nav a")
        cat_url = next(urljoin(srv.base_url, a.attributes["href"]) for a in nav if a.text() == name)
        in_cat = walk(client, cat_url, "section.post-list h3 a")
        assert [want[key(u)] for u in in_cat] == site.listing(parent)


# --------------------------------------------------------------------------- determinism
_VOLATILE = re.compile(
    r'(__VIEWSTATE" value="[^"]*"|Lượt (truy cập|xem): [\d,]+|Đang trực tuyến: <span>\d+)'
)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_layouts_are_deterministic(layout):
    from scraper.replica import make_layout

    base = "http://127.0.0.1:9/"
    a, b, c = (build_site(s, 40, today=TODAY) for s in (21, 21, 22))
    la, lb = make_layout(layout, a, base), make_layout(layout, b, base)
    assert [expected(a, t, base, layout) for t in a.tcs()] == [
        expected(b, t, base, layout) for t in b.tcs()
    ]
    for tc in a.tcs()[::7]:
        path = expected(a, tc, base, layout)["url"][len(base) - 1 :]
        pa, pb = la.handle("GET", path).body.decode(), lb.handle("GET", path).body.decode()
        assert _VOLATILE.sub("", pa) == _VOLATILE.sub("", pb)
    urls_c = {expected(c, t, base, layout)["url"] for t in c.tcs()}
    assert urls_c != {expected(a, t, base, layout)["url"] for t in a.tcs()}


# --------------------------------------------------------------------------- DNN dates
def test_guid_time_round_trips(site):
    assert decode_comb("6F9619FF-8B86-D011-B42D-ABFB01064AC7").strftime("%Y-%m-%d %H:%M") == (
        "2020-07-17 15:54"
    )
    t = datetime(2020, 7, 17, 15, 54, 28)
    assert (
        comb_tail(t)[:4] == "ABFB" and int(comb_tail(t)[4:], 16) == (15 * 3600 + 54 * 60 + 28) * 300
    )
    assert decode_comb(comb_tail(t)) == t
    for tc in site.tcs():
        a = site.articles[tc]
        guid = news_guid(a)
        assert re.fullmatch(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}", guid)
        assert decode_comb(guid) == a.created
    assert len({news_guid(site.articles[t]) for t in site.tcs()}) == len(site.tcs())


def test_dnn_date_labels_vary_and_undated_pages_fall_back_to_the_guid(site):
    base = "http://127.0.0.1:9/"
    exps = [expected(site, tc, base, "dnn") for tc in site.tcs()]
    raws = [e["published_raw"] for e in exps if e["published_raw"]]
    forms = Counter(re.sub(r"\d", "9", r) for r in raws)
    assert len(forms) >= 6
    assert any(r.startswith("Thứ ") for r in raws) and any("Cập nhật lúc" in r for r in raws)
    undated = [(tc, e) for tc, e in zip(site.tcs(), exps, strict=True) if not e["published_raw"]]
    assert len(undated) >= 5
    for tc, e in undated:
        assert e["published"] == decode_comb(e["guid"]).date().isoformat()
        assert e["published"] == site.articles[tc].created.date().isoformat()
    for tc in site.cases()["date_future"]:
        e = expected(site, tc, base, "dnn")
        if e["published_raw"]:
            assert e["published"] == site.articles[tc].created.date().isoformat()


def test_dnn_captions_take_several_forms(site, client):
    with ReplicaServer(site, layout="dnn") as srv:
        seen = Counter()
        for tc in site.tcs():
            exp = expected(site, tc, srv.base_url, "dnn")
            if not exp["captions"]:
                continue
            page = client.get(exp["url"]).text
            body = page[page.find("news-body") : page.find("news-share")]
            seen["figcaption"] += "<figcaption>" in body
            seen["table"] += 'class="image-caption"' in body
            seen["em"] += bool(re.search(r"</p>\n<p style=\"text-align: center;\"><em>", body))
        assert all(seen[k] >= 2 for k in ("figcaption", "table", "em")), seen


# --------------------------------------------------------------------------- hue
def test_hue_declares_dates_opengraph_and_json_ld(site, client):
    with ReplicaServer(site, layout="hue") as srv:
        with_ld = without_ld = 0
        for tc in site.tcs():
            exp = expected(site, tc, srv.base_url, "hue")
            tree = LexborHTMLParser(client.get(exp["url"]).text)
            og = tree.css_first('meta[property="og:title"]').attributes["content"]
            assert og == site.articles[tc].title
            assert tree.css_first('meta[property="og:url"]').attributes["content"] == exp["url"]
            meta = tree.css_first('meta[property="article:published_time"]')
            time_node = tree.css_first("article time[datetime]")
            if exp["published"]:
                stamp = meta.attributes["content"]
                assert stamp.startswith(exp["published"] + "T") and stamp.endswith("+07:00")
                assert time_node.attributes["datetime"] == stamp
                ld = tree.css_first('script[type="application/ld+json"]')
                with_ld += ld is not None
                without_ld += ld is None
            else:
                assert meta is None and time_node is None
        assert with_ld >= 10 and without_ld >= 5


def test_hue_sitemap_index_and_feed(site, client):
    s = build_site(3, 90, today=TODAY)
    with ReplicaServer(s, layout="hue") as srv:
        index = client.get(srv.url("sitemap.xml"))
        assert index.status_code == 200 and "<sitemapindex" in index.text
        months = re.findall(r"<loc>([^<]+)</loc><lastmod>([^<]+)</lastmod>", index.text)
        assert len(months) >= 10 and all(m.endswith("+07:00") for _, m in months)
        locs = []
        for url, _ in months:
            assert re.search(r"/sitemap-\d{4}-\d{2}\.xml$", url)
            locs += re.findall(r"<url><loc>([^<]+)</loc>", client.get(url).text)
        assert {key(u) for u in locs} == set(truth_urls(s, srv, "hue"))
        tc = s.tcs()[0]
        url = expected(s, tc, srv.base_url, "hue")["url"]
        month = s.articles[tc].created.strftime("%Y-%m")

        def lastmod():
            text = client.get(srv.url(f"sitemap-{month}.xml")).text
            return re.search(re.escape(url) + r"</loc><lastmod>([^<]+)<", text)[1]

        before = lastmod()
        s.edit(tc, title="Tiêu đề mới sau khi sửa")
        assert lastmod() > before
        feed = client.get(srv.url("rss.xml"))
        assert feed.headers["content-type"].startswith("application/rss+xml")
        items = re.findall(r"<item><title>[^<]*</title><link>([^<]+)</link>", feed.text)
        want = truth_urls(s, srv, "hue")
        assert [want[key(u)] for u in items] == s.listing()[:20]


def test_moved_mode_answers_old_urls_with_301(site, client):
    s = build_site(3, 90, today=TODAY)
    with ReplicaServer(s, layout="hue", moved=True) as srv:
        for tc in s.tcs()[::20]:
            a = s.articles[tc]
            exp = expected(s, tc, srv.base_url, "hue")
            old = srv.url(f"?gd=1&cn={a.cat}&tc={tc}")
            r = client.get(old)
            assert r.status_code == 301 and r.headers["location"] == exp["url"]
            followed = client.get(old, follow_redirects=True)
            assert followed.status_code == 200 and str(followed.url) == exp["url"]
            # the article keeps its id across the move
            assert article_id(s, tc, srv.base_url, "tt") == article_id(s, tc, srv.base_url, "hue")
            assert expected(s, tc, srv.base_url, "tt")["body"] == exp["body"]
        cn = next(iter(s.categories))
        r = client.get(srv.url(f"?gd=2&cn={cn}"))
        assert r.status_code == 301 and "/chuyen-muc/" in r.headers["location"]
        gone = s.tcs()[3]
        s.delete(gone)
        assert client.get(srv.url(f"?gd=1&tc={gone}")).status_code == 404
    with ReplicaServer(s, layout="hue") as srv:  # not moved: old URLs are just the home page
        assert client.get(srv.url(f"?gd=1&tc={s.tcs()[0]}")).status_code == 200


@pytest.mark.parametrize("layout", LAYOUTS)
def test_fault_mode_works_for_every_layout(layout):
    s = build_site(6, 30, today=TODAY)
    with ReplicaServer(s, layout=layout, faults=2, fault_rate=0.5) as srv:
        with httpx.Client(timeout=10) as c:
            for tc in s.tcs():
                url = expected(s, tc, srv.base_url, layout)["url"]
                for _attempt in range(3):  # never more than two failures in a row
                    try:
                        if c.get(url).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                else:
                    raise AssertionError(url)
        kinds = {r["fault"] for r in srv.requests if r["fault"]}
        assert {"5xx", "429", "reset"} <= kinds
    with pytest.raises(ValueError):  # only hue has a moved mode
        ReplicaServer(s, layout=layout if layout == "dnn" else "tt", moved=True)


# --------------------------------------------------------------------------- epochs
@pytest.mark.parametrize("layout", LAYOUTS)
def test_epochs_change_pages_and_truth(layout, client):
    s = build_site(5, 40, today=TODAY)
    with ReplicaServer(s, layout=layout) as srv:
        tc = s.tcs()[10]
        url = expected(s, tc, srv.base_url, layout)["url"]
        s.edit(tc, title="Bài đã sửa tiêu đề", body_paragraphs=["Đoạn mới.", "Đoạn hai."])
        exp = expected(s, tc, srv.base_url, layout)
        assert exp["url"] == url  # the URL survives a title edit
        assert exp["title"] == "Bài đã sửa tiêu đề" and exp["body"] == "Đoạn mới.\n\nĐoạn hai."
        page = client.get(url).text
        assert "Bài đã sửa tiêu đề" in page and "Đoạn hai." in page
        s.edit(tc, date=date(2024, 5, 6))
        exp = expected(s, tc, srv.base_url, layout)
        if exp["published_raw"]:
            assert exp["published"] == "2024-05-06"
        gone = s.tcs()[11]
        gone_url = expected(s, gone, srv.base_url, layout)["url"]
        s.delete(gone)
        assert client.get(gone_url).status_code == 404
        new = s.add_articles(2)
        home = client.get(srv.base_url).text
        for t in new:
            path = urlsplit(expected(s, t, srv.base_url, layout)["url"]).path
            assert path in home
            assert client.get(expected(s, t, srv.base_url, layout)["url"]).status_code == 200


def test_cli_serves_a_layout():
    proc = subprocess.Popen(
        [sys.executable, "-m", "scraper.replica", "--port", "0", "--articles", "20"]
        + ["--layout", "dnn"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base = proc.stdout.readline().strip()
        r = httpx.get(base, timeout=5)
        assert r.status_code == 200 and 'id="dnn_dnnNAV"' in r.text
    finally:
        proc.terminate()
        proc.wait(timeout=5)
