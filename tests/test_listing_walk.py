"""Listing walks on pagers the replica does not draw: a "next"-only pager, and a server
that answers every postback with page 1 again."""

from __future__ import annotations

from urllib.parse import parse_qs

from scraper.crawl import run_crawl
from tests._helpers import config_for, rows
from tests._http import Hit, Reply, Server

HTML = [("Content-Type", "text/html; charset=utf-8")]


def listing_page(articles: list[int], pager: str) -> bytes:
    items = "".join(
        f'<div class="TMCD2_DongTinLienQuan"><a class="TMCD2_TinLienQuan" '
        f'href="?gd=1&amp;cn=5&amp;tc={tc}">Bài số {tc}</a></div>'
        for tc in articles
    )
    return (
        '<html><body><form method="post" action="./?gd=2&amp;cn=5">'
        '<input type="hidden" name="__VIEWSTATE" value="vs-5">'
        f'<div class="TMCD2_Vien">{items}</div>{pager}</form></body></html>'
    ).encode()


def article_page(tc: int) -> bytes:
    return (
        '<html><body><div class="TT_TinChiTiet_Vien"><div class="TT_TinChiTiet_Nen">'
        f'<div class="TT_TinChiTiet_TieuDe">Bài số {tc}</div>'
        '<div class="TT_TinChiTiet_DocTin"><span><p>Nội dung của bài.</p></span></div>'
        "</div></div></body></html>"
    ).encode()


def site(listing_for_page) -> callable:
    """A one-category site: / links the category; articles answer; POSTs page the listing."""

    def app(hit: Hit) -> Reply:
        if hit.path == "/robots.txt":
            return Reply(404)
        if "tc=" in hit.path:
            return Reply(200, article_page(int(hit.path.rsplit("tc=", 1)[1])), HTML)
        if hit.path == "/":
            return Reply(200, b'<html><body><a href="?gd=2&amp;cn=5">Tin</a></body></html>', HTML)
        form = parse_qs(hit.body.decode()) if hit.method == "POST" else {}
        argument = form.get("__EVENTARGUMENT", [""])[0]
        return Reply(200, listing_for_page(argument), HTML)

    return app


NEXT = "<a href=\"javascript:__doPostBack('pager','Page$Next')\">Sau</a>"


def test_a_next_only_pager_is_walked_to_the_end(tmp_path):
    pages = {"": [30, 29, 28], "Page$Next": [27, 26, 25]}

    def listing(argument):
        # Page$Next from page 1 gives page 2; page 2 has no "next" link
        return listing_page(pages[argument], NEXT if argument == "" else "")

    with Server(site(listing)) as server:
        result = run_crawl(tmp_path / "a.db", config_for(server.url("/")))
    assert result.stats.new == 6


def test_a_pager_that_answers_page_one_again_ends_the_walk(tmp_path):
    pager = "".join(
        f"<a href=\"javascript:__doPostBack('pager','Page${n}')\">{n}</a>" for n in range(1, 9)
    )
    with Server(site(lambda argument: listing_page([12, 11, 10], pager))) as server:
        db = tmp_path / "a.db"
        result = run_crawl(db, config_for(server.url("/")))
    assert result.stats.new == 3
    posts = rows(db, "select count(*) n from fetches where method = 'POST'")[0]["n"]
    assert posts == 1  # page 2 came back as page 1: the walk stopped there


def test_a_page_listed_only_by_other_walks_is_known_ground_one_new_article_is_not():
    from types import SimpleNamespace

    from scraper.site_crawl import ListingWalk, SiteCrawl

    crawl = SimpleNamespace(listed={})
    child, parent = ListingWalk("http://h/?gd=2&cn=7"), ListingWalk("http://h/?gd=2&cn=5")
    check = SiteCrawl.listed_elsewhere
    assert check(crawl, child, {"h/1", "h/2", "h/3"}) is False  # first seen: new
    assert check(crawl, parent, {"h/1", "h/2"}) is True  # all listed by the child
    assert check(crawl, parent, {"h/3", "h/9"}) is False  # h/9 filed under the parent
    assert check(crawl, parent, {"h/9"}) is False  # listed by this walk itself only
    assert check(crawl, child, set()) is False
