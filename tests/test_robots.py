"""Tests of the robots.txt parser (scraper.robots): RFC 9309 plus path+query prefixes."""

from __future__ import annotations

import pytest

from scraper.robots import Robots, normalise, target_of


def allowed(txt: str, url: str, token: str = "scraper") -> bool:
    return Robots.parse(txt, token).allows(url)


def test_prefix_matches_path_and_query():
    txt = "User-agent: *\nDisallow: /?gd=99\n"
    assert not allowed(txt, "https://sdl.thuathienhue.gov.vn/?gd=99")
    assert not allowed(txt, "https://sdl.thuathienhue.gov.vn/?gd=99&cn=3")
    assert not allowed(txt, "/?gd=990")  # a prefix, not a parameter match
    assert allowed(txt, "/?gd=9")
    assert allowed(txt, "/?cn=1&gd=99")  # order matters: the rule is a plain prefix
    assert allowed(txt, "/")


def test_empty_path_is_slash():
    assert target_of("http://127.0.0.1:8123") == "/"
    assert target_of("http://h/a?b=1#frag") == "/a?b=1"
    assert not allowed("User-agent: *\nDisallow: /\n", "http://h")


def test_our_group_beats_star_and_token_is_case_insensitive():
    txt = (
        "User-agent: *\nDisallow: /\n\n"
        "User-agent: SCRAPER/2.0\nDisallow: /private\n\n"
        "User-agent: otherbot\nAllow: /\n"
    )
    assert allowed(txt, "/news")
    assert not allowed(txt, "/private/x")
    assert not allowed(txt, "/news", token="somebot")  # falls back to *


def test_groups_for_us_are_merged_and_agents_share_a_group():
    txt = (
        "User-agent: a\nUser-agent: scraper\nDisallow: /one\n\n"
        "User-agent: *\nDisallow: /star\n\n"
        "User-agent: scraper\nDisallow: /two\n"
    )
    robots = Robots.parse(txt)
    assert not robots.allows("/one") and not robots.allows("/two")
    assert robots.allows("/star")


def test_no_matching_group_allows_all():
    assert allowed("User-agent: googlebot\nDisallow: /\n", "/x")
    assert allowed("", "/x")
    assert allowed("Disallow: /\n", "/x")  # rules before any user-agent belong to no group


def test_longest_match_wins_and_allow_wins_ties():
    txt = "User-agent: *\nDisallow: /tin\nAllow: /tin/moi\nDisallow: /tin/moi/cu\n"
    assert not allowed(txt, "/tin/abc")
    assert allowed(txt, "/tin/moi/1")
    assert not allowed(txt, "/tin/moi/cu/2")
    tie = "User-agent: *\nDisallow: /page\nAllow: /page\n"
    assert allowed(tie, "/page")
    tie_other_order = "User-agent: *\nAllow: /page\nDisallow: /page\n"
    assert allowed(tie_other_order, "/page")


@pytest.mark.parametrize(
    ("rule", "url", "expected"),
    [
        ("/*.pdf$", "/UploadFiles/a.pdf", False),
        ("/*.pdf$", "/UploadFiles/a.pdf?x=1", True),
        ("/*.pdf", "/UploadFiles/a.pdf?x=1", False),
        ("/*?*gd=99", "/?cn=1&gd=99", False),
        ("/*?*gd=99", "/news", True),
        ("/exact$", "/exact", False),
        ("/exact$", "/exactly", True),
        ("*/print", "/a/print", False),
        ("/a**b", "/a-x-b", False),
        ("/a.b", "/aXb", True),  # '.' is literal, not a regex dot
    ],
)
def test_wildcards(rule, url, expected):
    assert allowed(f"User-agent: *\nDisallow: {rule}\n", url) is expected


def test_wildcard_length_is_pattern_length():
    # "/*.html" (7) is longer than "/tin" (4): the allow wins for HTML under /tin
    txt = "User-agent: *\nDisallow: /tin\nAllow: /*.html\n"
    assert allowed(txt, "/tin/a.html")
    assert not allowed(txt, "/tin/a.pdf")


def test_empty_disallow_allows():
    assert allowed("User-agent: *\nDisallow:\n", "/anything")


def test_comments_blank_lines_case_and_bom():
    txt = "\ufeff# hello\nUSER-AGENT: * # all\n\nDISALLOW: /x # no\nsitemap: http://h/s.xml\n"
    assert not allowed(txt, "/x/1")
    assert allowed(txt, "/y")


def test_percent_encoding_compared_normalised():
    txt = "User-agent: *\nDisallow: /tin-t%E1%BB%A9c\nDisallow: /%7Euser\nDisallow: /a%2fb\n"
    assert not allowed(txt, "/tin-tức/1")  # non-ASCII in the URL is compared as UTF-8 %XX
    assert not allowed(txt, "/tin-t%e1%bb%a9c")  # hex case does not matter
    assert not allowed(txt, "/~user")  # %7E is '~', unreserved: decoded
    assert allowed(txt, "/a/b")  # %2F is reserved: stays encoded, no match
    assert not allowed("User-agent: *\nDisallow: /tin-tức\n", "/tin-t%E1%BB%A9c")
    assert normalise("/a b") == "/a%20b"


def test_robots_txt_itself_always_allowed():
    assert allowed("User-agent: *\nDisallow: /\n", "/robots.txt")
    assert Robots.disallow_all("down").allows("/robots.txt")


def test_crawl_delay_of_chosen_group():
    txt = (
        "User-agent: *\nCrawl-delay: 7\n\n"
        "User-agent: scraper\nCrawl-delay: 2.5\nDisallow: /x\nCrawl-delay: bad\n"
    )
    assert Robots.parse(txt).crawl_delay == 2.5
    assert Robots.parse(txt, "other").crawl_delay == 7
    assert Robots.parse("User-agent: *\nDisallow: /\n").crawl_delay is None


def test_allow_all_and_disallow_all_carry_reason():
    assert Robots.allow_all("robots.txt: HTTP 404").allows("/x")
    robots = Robots.disallow_all("robots.txt unreachable")
    assert not robots.allows("/") and robots.reason == "robots.txt unreachable"


def test_pattern_without_leading_slash():
    assert not allowed("User-agent: *\nDisallow: private\n", "/private/1")
