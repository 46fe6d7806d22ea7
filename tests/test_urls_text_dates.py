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
