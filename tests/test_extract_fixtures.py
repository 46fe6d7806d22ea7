"""Extraction fixtures for the TT CMS: every Article field of every hand-written article page.

Owns tests/test_extract_fixtures.py and the article fixtures in tests/fixtures/:
`article_<case>.html` is a full page of the TT CMS (ASP.NET form with __VIEWSTATE, menu,
search and "Xem tin theo ngày" widgets, visit counters, share links, badge, footer) and
`article_<case>.json` holds "url" (the page URL), "today" (ISO date to pass) and "expected"
(every Article field). The expectations were written by hand from SITE.md (sections 3, 5, 7)
and CONTRACTS.md, never from the extractor's output. `notfound_404.html` is the 404 page.

The tests fall in two groups: fixture self-checks (the fixtures and expectations are complete
and self-consistent; no extractor needed) and extractor checks (scraper.sites.tt).
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from datetime import date
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from scraper.models import Article, Image, Link

FIXTURES = Path(__file__).parent / "fixtures"
ARTICLE_FIELDS = [f.name for f in dataclasses.fields(Article)]
IMAGE_KEYS = {f.name for f in dataclasses.fields(Image)}
LINK_KEYS = {f.name for f in dataclasses.fields(Link)}
CASES = sorted(
    p.name.removeprefix("article_").removesuffix(".json") for p in FIXTURES.glob("article_*.json")
)

# The cases the brief asks for (a missing file must fail loudly, not shrink the parametrisation).
REQUIRED_CASES = {
    "basic",
    "no_image",
    "captions_table",
    "captions_br",
    "captions_italic",
    "captions_centred",
    "nfd",
    "entities",
    "table",
    "attachments",
    "attachment_only",
    "byline",
    "notice",
    "missing_date",
    "impossible_date",
    "date_future",
    "date_old",
    "long",
    "related",
    "oldest",
}

# Chrome text that every fixture page carries and no content field may contain.
CHROME = (
    "Truy cập",
    "Thống kê",
    "Tìm kiếm",
    "__VIEWSTATE",
    "Các tin khác",
    "Tin cùng nhóm",
    "Xem tin theo ngày",
    "Ngày cập nhật",
    "Chia sẻ",
    "Gửi email",
    "In bài viết",
    "Tin Nhiem Mang",
    "Bản quyền",
    "Liên kết website",
    "Góp ý",
)
ZERO_WIDTH = ("\u200b", "\u200c", "\ufeff")
ATTACHMENT_EXTENSIONS = ("pdf doc docx xls xlsx ppt pptx rtf odt ods zip rar 7z txt").split()


def read_html(name: str) -> str:
    # Fixtures are UTF-8 without BOM; decoding is the fetcher's business, not the extractor's.
    return (FIXTURES / f"{name}.html").read_bytes().decode("utf-8")


@cache
def meta(case: str) -> dict:
    return json.loads((FIXTURES / f"article_{case}.json").read_text(encoding="utf-8"))


@cache
def extracted(case: str) -> Article:
    from scraper.sites.tt import extract_article

    m = meta(case)
    return extract_article(
        read_html(f"article_{case}"), m["url"], today=date.fromisoformat(m["today"])
    )


def plain(value):
    """Dataclasses, tuples and lists as JSON-like values, to compare with the expected JSON."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def strings(value):
    """Every string inside a JSON-like value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def content_texts(article: dict) -> dict[str, str]:
    """The content fields that must stay free of chrome, by name."""
    texts = {
        "title": article["title"] or "",
        "body": article["body"] or "",
        "source": article["source"] or "",
    }
    for i, caption in enumerate(article["captions"]):
        texts[f"captions[{i}]"] = caption
    for i, image in enumerate(article["images"]):
        texts[f"images[{i}].caption"] = image["caption"] or ""
    return texts


# --------------------------------------------------------------------------------------
# Fixture self-checks (no extractor involved)


def test_every_required_case_has_a_fixture():
    assert set(CASES) >= REQUIRED_CASES, sorted(REQUIRED_CASES - set(CASES))
    for case in CASES:
        assert (FIXTURES / f"article_{case}.html").is_file(), case
    assert (FIXTURES / "notfound_404.html").is_file()


@pytest.mark.parametrize("case", CASES)
def test_fixture_is_a_full_page_with_chrome(case):
    html = read_html(f"article_{case}")
    assert html.startswith("<!DOCTYPE html")
    for needle in (
        '<form method="post"',
        'name="__VIEWSTATE"',
        'name="__EVENTVALIDATION"',
        'id="Menu"',
        "Tìm kiếm tin tức",
        "Xem tin theo ngày",
        "<select name=",
        "Thống kê truy cập",
        "Truy cập tổng",
        "Truy cập hiện tại",
        "TT_TinChiTiet_DongChucNang",
        "Chung nhan Tin Nhiem Mang",
        "Bản quyền",
        "<!-- FitcBatDauDocTin -->",
        "<!-- FitcKetThucDocTin -->",
        "Các tin khác",
        'id="divPhanTrang1"',
    ):
        assert needle in html, f"{case}: fixture lacks {needle!r}"


@pytest.mark.parametrize("case", CASES)
def test_expected_json_is_complete(case):
    m = meta(case)
    assert set(m) == {"url", "today", "expected"}
    date.fromisoformat(m["today"])
    expected = m["expected"]
    assert list(expected) == ARTICLE_FIELDS
    for image in expected["images"]:
        assert set(image) == IMAGE_KEYS
    for link in expected["links"]:
        assert set(link) == LINK_KEYS
        assert link["kind"] in {"body", "attachment", "same_group", "other_news"}


@pytest.mark.parametrize("case", CASES)
def test_expected_json_is_self_consistent(case):
    m = meta(case)
    e = m["expected"]
    tc = parse_qs(urlsplit(m["url"]).query)["tc"][0]
    assert e["id"] == f"{e['site']}/{tc}"
    assert e["site"] == urlsplit(m["url"]).hostname
    # the captions list is the images' captions in page order
    assert e["captions"] == [i["caption"] for i in e["images"] if i["caption"] is not None]
    # source: the last body paragraph, short, not ending with "." and not the only paragraph
    paragraphs = e["body"].split("\n\n") if e["body"] else []
    if e["source"] is not None:
        assert paragraphs[-1] == e["source"] and len(paragraphs) > 1
        assert len(e["source"]) <= 40 and not e["source"].endswith(".")
    elif paragraphs and len(paragraphs) > 1:
        last = paragraphs[-1]
        assert len(last) > 40 or last.endswith("."), last
    # published: the raw date when it is real, not after today and not before 1990
    if e["published"] is not None:
        d, mth, y = (int(x) for x in e["published_raw"].split("/"))
        assert date.fromisoformat(e["published"]) == date(y, mth, d)
        assert date(1990, 1, 1) <= date(y, mth, d) <= date.fromisoformat(m["today"])
    # related links come after body links, "Tin cùng nhóm" before "Các tin khác"
    order = {"body": 0, "attachment": 0, "same_group": 1, "other_news": 2}
    kinds = [order[link["kind"]] for link in e["links"]]
    assert kinds == sorted(kinds)
    for link in e["links"]:
        if link["date"] is not None:
            # a related article is never dated after the day the page was fetched
            assert link["date"] <= m["today"], link
        if link["kind"] == "attachment":
            path = urlsplit(link["url"]).path.lower()
            assert "/uploadfiles/" in path or path.rsplit(".", 1)[-1] in ATTACHMENT_EXTENSIONS
    for text in strings(e):
        assert unicodedata.is_normalized("NFC", text), text
    for name, text in content_texts(e).items():
        for chrome in CHROME:
            assert chrome not in text, f"{case}: expected {name} holds chrome {chrome!r}"


def test_nfd_fixture_really_is_nfd():
    html = read_html("article_nfd")
    title = meta("nfd")["expected"]["title"]
    assert unicodedata.normalize("NFD", title) in html
    assert title not in html


def test_entities_fixture_really_has_references_and_invisibles():
    html = read_html("article_entities")
    for needle in ("&nbsp;", "&#7871;", "&#8203;", "&#xFEFF;", "\u200b", "\u200c", "\ufeff"):
        assert needle in html, needle


def test_long_fixture_is_long():
    html = read_html("article_long")
    assert html.count("<p") >= 300
    assert len(meta("long")["expected"]["body"].split("\n\n")) >= 300


# --------------------------------------------------------------------------------------
# Extractor checks


@pytest.mark.parametrize(
    ("case", "field"),
    [(case, field) for case in CASES for field in ARTICLE_FIELDS],
    ids=[f"{case}-{field}" for case in CASES for field in ARTICLE_FIELDS],
)
def test_article_field(case, field):
    expected = meta(case)["expected"][field]
    actual = plain(getattr(extracted(case), field))
    if field == "body" and isinstance(actual, str) and isinstance(expected, str):
        # paragraph by paragraph first, so a failure names the paragraph
        assert actual.split("\n\n") == expected.split("\n\n"), f"{case}: body paragraphs"
    if field in ("images", "links") and isinstance(actual, list):
        for i, (got, want) in enumerate(zip(actual, expected, strict=False)):
            assert got == want, f"{case}: {field}[{i}]"
    assert actual == expected, f"{case}: {field}"


@pytest.mark.parametrize("case", CASES)
def test_every_string_is_nfc(case):
    article = plain(extracted(case))
    for text in strings(article):
        assert unicodedata.is_normalized("NFC", text), f"{case}: not NFC: {text[:80]!r}"


@pytest.mark.parametrize("case", CASES)
def test_no_chrome_in_content(case):
    article = plain(extracted(case))
    for name, text in content_texts(article).items():
        for chrome in CHROME:
            assert chrome not in text, f"{case}: {name} holds chrome text {chrome!r}"


@pytest.mark.parametrize("case", CASES)
def test_text_is_clean(case):
    article = plain(extracted(case))
    for text in strings(article):
        assert "\xa0" not in text, f"{case}: no-break space in {text[:80]!r}"
        for zw in ZERO_WIDTH:
            assert zw not in text, f"{case}: zero-width {zw!r} in {text[:80]!r}"
    for name, text in content_texts(article).items():
        for paragraph in text.split("\n\n") if name == "body" else [text]:
            assert paragraph == paragraph.strip(), f"{case}: {name} not trimmed"
            assert not re.search(r"\s\s|[\t\n\r]", paragraph), f"{case}: {name} whitespace"
            if text:
                assert paragraph, f"{case}: empty paragraph in {name}"


@pytest.mark.parametrize(
    "name",
    ["notfound_404", "listing_category_p1", "listing_home", "listing_past_end"],
)
def test_page_without_article_raises_not_an_article(name):
    from scraper.errors import NotAnArticle
    from scraper.sites.tt import extract_article

    info = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    with pytest.raises(NotAnArticle):
        extract_article(read_html(name), info["url"], today=date(2023, 1, 1))


def test_a_processing_instruction_in_the_body_is_skipped():
    # selectolax gives a `<?...?>` node no tag (None): the walker skips it like a comment.
    from scraper.sites.tt import extract_article

    m = meta("basic")
    html = read_html("article_basic").replace("</p>", "</p><?php echo 1; ?>")
    article = extract_article(html, m["url"], today=date.fromisoformat(m["today"]))
    assert article == extracted("basic")


@pytest.mark.parametrize(
    "crumb",
    [
        "Tin tức&gt;\u200b&gt;Tin trong tỉnh",  # an invisible character splits the separator
        " Tin tức&gt;&gt;  Tin trong\u00a0tỉnh &gt;&gt; ",  # odd spacing, an empty last part
        "Tin tức » Tin trong tỉnh",
    ],
)
def test_breadcrumb_is_normalised_by_the_extractor(crumb):
    # The archive stores Article.category as it comes: the profile owns its normal form.
    from scraper.sites.tt import extract_article

    m = meta("basic")
    html = re.sub(
        r'(TMCD2_DongTruongMuc">).*?(</div>)',
        lambda found: found.group(1) + crumb + found.group(2),
        read_html("article_basic"),
        count=1,
    )
    article = extract_article(html, m["url"], today=date.fromisoformat(m["today"]))
    assert article.category == "Tin tức >> Tin trong tỉnh"
