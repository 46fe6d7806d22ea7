"""The pure helpers every stage relies on: canonical URLs, site hosts, text and dates."""

import unicodedata
from datetime import date

import pytest

from scraper.dates import parse_dmy
from scraper.sites import Site, id_host
from scraper.sites.tt import article_id, is_file_url, is_listing_url
from scraper.text import clean, clean_block
from scraper.urls import canonical, file_key, resolve


@pytest.mark.parametrize(
    "url",
    [
        "https://sdl.thuathienhue.gov.vn/?gd=1&cn=129&tc=22380",
        "https://SDL.thuathienhue.gov.vn:443/?tc=22380&gd=1&cn=129",
        "https://sdl.thuathienhue.gov.vn/./?cn=129&amp;gd=1&amp;tc=22380#top",
    ],
)
def test_canonical_orders_parameters_and_normalises_spelling(url):
    assert canonical(url) == "https://sdl.thuathienhue.gov.vn/?cn=129&gd=1&tc=22380"


def test_resolve_handles_relative_forms_and_skips_scripts():
    page = "https://stp.thuathienhue.gov.vn/?gd=1&cn=5&tc=9"
    assert (
        resolve(page, "./?cn=28&gd=4&tc=11669")
        == "https://stp.thuathienhue.gov.vn/?cn=28&gd=4&tc=11669"
    )
    # hrefs come from the parser with entities decoded; canonical() decodes pasted ones
    assert resolve(page, "?cn=28&gd=1&tc=7") == "https://stp.thuathienhue.gov.vn/?cn=28&gd=1&tc=7"
    assert canonical(resolve(page, "?cn=28&amp;gd=1&amp;tc=7")) == (
        "https://stp.thuathienhue.gov.vn/?cn=28&gd=1&tc=7"
    )
    assert resolve(page, "javascript:__doPostBack('a','b')") is None
    assert resolve(page, "mailto:x@y.vn") is None


def test_article_identity_is_host_and_tc_across_gd_cn_and_the_2025_move():
    ids = {
        article_id("https://sdl.thuathienhue.gov.vn/?gd=1&cn=129&tc=22380"),
        article_id("https://sdl.thuathienhue.gov.vn/?tc=22380&gd=4"),
        article_id("https://www.sdl.thuathienhue.gov.vn/?cn=7&gd=1&tc=22380"),
        article_id("https://sdl.hue.gov.vn/?gd=1&cn=129&tc=22380"),
    }
    assert ids == {"sdl.thuathienhue.gov.vn/22380"}
    assert article_id("http://127.0.0.1:8123/?gd=1&tc=5") == "127.0.0.1:8123/5"
    assert article_id("https://sdl.thuathienhue.gov.vn/?gd=2&cn=129") is None
    assert is_listing_url("https://sdl.thuathienhue.gov.vn/?cn=129&gd=2")


def test_site_owns_its_alias_hosts_only():
    site = Site.from_url("https://sdl.thuathienhue.gov.vn/")
    assert site.owns("https://sdl.hue.gov.vn/tin-trong-tinh/a.html")
    assert site.owns("http://www.sdl.thuathienhue.gov.vn/?tc=1")
    assert not site.owns("https://stp.thuathienhue.gov.vn/?tc=1")
    assert not site.owns("https://www.facebook.com/sharer.php?u=https://sdl.thuathienhue.gov.vn/")
    assert not Site.from_url("https://sdl.thuathienhue.gov.vn/", merge_aliases=False).owns(
        "https://sdl.hue.gov.vn/"
    )
    assert id_host("hue.gov.vn") == "thuathienhue.gov.vn"


def test_file_urls_compare_decoded_and_case_insensitively():
    assert file_key("https://a.vn/UploadFiles/TinTuc/Ke%20hoach.PDF") == file_key(
        "https://a.vn/uploadfiles/tintuc/Ke hoach.pdf"
    )
    assert is_file_url("https://a.vn/uploadfiles/TinTuc/2021/3/5/Ke%20hoach.pdf")
    assert is_file_url("https://a.vn/UploadFiles/TinTuc/2021/3/5/bieu-mau")
    assert not is_file_url("https://a.vn/UploadFiles/TinTuc/2021/3/5/anh.jpg")


def test_clean_makes_nfc_drops_invisibles_and_collapses_whitespace():
    nfd = unicodedata.normalize("NFD", "Thừa Thiên Huế")
    assert clean(f"  {nfd}\u00a0\u200bmở\u200c rộng\ufeff \n\t ") == "Thừa Thiên Huế mở rộng"
    assert clean_block("một\n\n\n  \n hai  ba\n\n\u00a0") == "một\n\nhai ba"


@pytest.mark.parametrize(
    "raw",
    [
        "plain ascii",
        " edge spaces ",
        "double  space",
        "Huế đã sẵn sàng",
        unicodedata.normalize("NFD", "Huế đã sẵn sàng"),
        "a\u2003b\u3000c\u00a0d",
        "zero\u200bwidth\u00adsoft",
        "\ufeffbom",
        " ",
        "\t\n",
    ],
)
def test_clean_shortcuts_give_what_the_full_rule_gives(raw):
    # The rule in its plain form: drop invisibles, collapse whitespace, NFC.
    invisible = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
    expected = unicodedata.normalize("NFC", " ".join(raw.translate(invisible).split()))
    assert clean(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("07/10/2020", "2020-10-07"),
        ("7/3/2021", "2021-03-07"),
        ("31/02/2019", None),
        ("01/01/1989", None),
        ("01/01/2031", None),
        ("không rõ", None),
        (None, None),
    ],
)
def test_dates_are_day_first_and_rejected_when_impossible_early_or_future(raw, expected):
    assert parse_dmy(raw, today=date(2026, 11, 28)) == expected


def test_an_article_url_has_one_spelling_and_keeps_its_path():
    from scraper.sites.tt import article_url

    forms = [
        "https://sdl.thuathienhue.gov.vn/?gd=4&cn=9&tc=57",
        "https://sdl.thuathienhue.gov.vn/?tc=57&gd=1",
        "https://SDL.thuathienhue.gov.vn/./?cn=3&gd=1&tc=57",
    ]
    assert {article_url(url, "12") for url in forms} == {
        "https://sdl.thuathienhue.gov.vn/?cn=12&gd=1&tc=57"
    }
    assert article_url("https://x.vn/Default.aspx?gd=4&tc=57", "12") == (
        "https://x.vn/Default.aspx?cn=12&gd=1&tc=57"
    )


# URLs the plain-URL shortcuts of scraper.urls take, and near misses they must leave to
# urllib: every shortcut has to give what the general path gives.
URL_FORMS = [
    "http://127.0.0.1:8123/?gd=1&cn=198&tc=10068",
    "http://127.0.0.1:8123/?tc=5&GD=1&cn=2&gd=4",
    "https://sdl.thuathienhue.gov.vn/Default.aspx?cn=1&gd=2",
    "https://sdl.thuathienhue.gov.vn:443/a/b.jpg",
    "http://h:80/",
    "http://h:99999/x",
    "http://h:0/x",
    "http://h",
    "http://h/?",
    "http://h/a b.jpg",
    "http://h/a b ",
    "http://h/hoi%20nghi%201.jpg",
    "http://h/a%2e/b",
    "http://h/%41",
    "http://h/a/./b",
    "http://h/a/../b",
    "http://h/a/.hidden",
    "http://h/a;p?x=1",
    "http://h/a?x=1&&y=2",
    "http://h/a?x&y=2",
    "http://h/a?x=a+b",
    "http://h/a?x=1#f",
    "http://h/a?cn=1&amp;tc=2",
    "http://u@h/a",
    "HTTP://H/A",
    "http://h./a",
    "http://[::1]/a",
    "http://h/ệ.jpg",
    "https://www.facebook.com/sharer/sharer.php?u=http%3A%2F%2Fh%2F%3Ftc%3D1",
]
BASES = ["http://127.0.0.1:8123/", "https://h.gov.vn/Default.aspx", "http://h/a/b", "http://h/a//b"]
HREFS = [
    *URL_FORMS,
    "/?gd=1&tc=7",
    "?cn=28&gd=1&tc=7",
    "./?cn=28&gd=4&tc=11669",
    "./",
    "./a.jpg",
    ".//a.jpg",
    "UploadFiles/TinTuc/anh 1.png",
    "uploadfiles/a%20b.pdf",
    "a:b/c",
    "a//b",
    "../a",
    "a/./b",
    "//other.vn/a",
    "/a?x=1 ",
    "?",
]


def _outcome(fn, *args):
    try:
        return fn(*args)
    except ValueError as error:
        return type(error)


@pytest.mark.parametrize("url", URL_FORMS)
def test_plain_url_shortcuts_agree_with_urllib(url):
    from scraper import urls

    pairs = [
        (urls.canonical.__wrapped__, urls._canonical_general),
        (urls.host_of.__wrapped__, urls._host_of_general),
        (urls._query_params.__wrapped__, urls._query_params_general),
        (urls.origin_and_path, urls._origin_and_path_general),
    ]
    for shortcut, general in pairs:
        assert _outcome(shortcut, url) == _outcome(general, url), shortcut


@pytest.mark.parametrize("base", BASES)
def test_plain_joins_agree_with_urljoin(base):
    from scraper import urls

    for href in HREFS:
        href = href.strip()
        if href and not href.startswith("#"):
            got = _outcome(urls._resolve.__wrapped__, base, href)
            assert got == _outcome(urls._join_general, base, href), (base, href)


def test_the_cms_link_forms_take_the_shortcut():
    from scraper import urls

    page = "http://127.0.0.1:8123/"
    for href in ("/?gd=1&tc=7", "?cn=2&gd=1&tc=7", "./?cn=2&gd=4&tc=7", "UploadFiles/a b.jpg"):
        assert urls._join_plain(page, href) is not None, href
