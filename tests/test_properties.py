"""Property-based tests (hypothesis) of the parsing and normalising code.

- the TT extractor and listing parser raise nothing but scraper.errors.ScraperError on any
  HTML (a grammar of tags, attributes and text: broken nesting, huge attribute values,
  NUL bytes), and each call ends within HANG_LIMIT seconds (a hang guard, not a benchmark);
- URL canonicalisation (scraper.urls.canonical, the TT article_url) is idempotent;
- the date parser never raises and returns only dates in [1990-01-01, today];
- content_hash ignores the re-encodings SITE.md section 7 lists.
"""

from __future__ import annotations

import time
import unicodedata
from datetime import date

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scraper.dates import EARLIEST, parse_dmy, today_in_vietnam
from scraper.errors import ScraperError
from scraper.models import Article, Image, Link, Listing
from scraper.sites import tt
from scraper.store import content_hash
from scraper.urls import canonical

HANG_LIMIT = 1.0  # seconds per page
TODAY = date(2026, 12, 4)
# No example database: runs stay reproducible from the code alone, and write nothing here.
FAST = settings(max_examples=40, deadline=None, database=None)  # time asserted by hand
QUICK = settings(max_examples=80, deadline=None, database=None)

# --------------------------------------------------------------------------- HTML grammar

# The CMS's own classes and ids, taken from the profile so random pages reach deep paths.
TT_CLASSES = sorted(
    {
        sel.split(".", 1)[1]
        for sel in (tt.FRAME, tt.BREADCRUMB, tt.TITLE, tt.DATE_LINE, tt.READ, tt.LISTING_BOX)
        + (tt.LEAD_CAPTION, tt.RELATED_HEADING, tt.RELATED_LINK, tt.RELATED_DATE)
    }
    | {tt.LEAD_TABLE_CLASS}
    | set(tt.CHROME_CLASSES)
)
TT_IDS = [tt.SAME_GROUP_BOX.lstrip("#"), tt.OTHER_NEWS_BOX.lstrip("#")]
TAGS = (
    "div span p a table tbody tr td th img em i b strong font center br hr ul ol li h1 h2 "
    "h3 form input select option textarea script style iframe svg noscript blockquote pre "
    "frameset template xmp plaintext"
).split()
VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
)
WORDS = [
    "Ngày cập nhật",
    "Tin cùng nhóm",
    "Các tin khác",
    "12/03/2024",
    "31/02/2020",
    "01/01/1989",
    "29/02/2024",
    "&nbsp;",
    "&amp;",
    "&#0;",
    "&#x110000;",
    "&#8203;",
    "\x00",
    "\ufeff",
    "\u200b",
    "<",
    ">",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    ">>",
    "»",
    "Ảnh: Minh Châu",
    "./.",
]
HREFS = [
    "/?gd=1&tc=12",
    "./?cn=5&gd=4&tc=0034",
    "?gd=2&cn=7",
    "http://sdl.thuathienhue.gov.vn/?gd=1&amp;cn=3&tc=99999999999999999999",
    "javascript:__doPostBack('ctl00$pager','Page$3')",
    "javascript:__doPostBack('ctl00$pager','Page$Next')",
    "javascript:__doPostBack(",
    "/UploadFiles/van%20ban/quyet-dinh.pdf",
    "http://[::1",
    "http://%zz/",
    "mailto:x@y",
    "",
    "#",
    "//other.example.com/?tc=1",
]

text = st.one_of(
    st.sampled_from(WORDS),
    st.text(alphabet=VIETNAMESE + " \t\n", max_size=40),
    st.text(max_size=20),  # any code point, surrogates excluded by hypothesis
)
attr_value = st.one_of(
    st.sampled_from(TT_CLASSES + TT_IDS + HREFS),
    st.sampled_from(["font-style: italic", "text-align:center", "center", "italic", "utf-8"]),
    text,
    # huge values: up to 200 KB of one character
    st.builds(lambda c, n: c * n, st.sampled_from("x\"'<>& \x00"), st.integers(0, 200_000)),
)
attr_name = st.sampled_from(
    "class id href src alt style align name value type action method selected title".split()
) | st.text(alphabet="abcxyz-:", min_size=1, max_size=6)


@st.composite
def open_tag(draw) -> str:
    tag = draw(st.sampled_from(TAGS) | st.text(alphabet="abcdef123-", min_size=1, max_size=5))
    attrs = draw(st.lists(st.tuples(attr_name, attr_value), max_size=4))
    quote = draw(st.sampled_from(['"', "'", ""]))
    rendered = "".join(f" {k}={quote}{v}{quote}" for k, v in attrs)
    return f"<{tag}{rendered}{draw(st.sampled_from(['', '/', ' /']))}>"


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A nested element, closed properly, wrongly or never."""

    @st.composite
    def build(draw) -> str:
        start = draw(open_tag())
        name = start[1:].split(" ", 1)[0].rstrip("/>")
        inner = "".join(draw(st.lists(children, max_size=4)))
        close = draw(st.sampled_from([f"</{name}>", "", "</div>", "</td></tr>", "</span"]))
        return start + inner + close

    return build()


fragment = st.recursive(
    text | open_tag() | st.sampled_from(["</div>", "</table>", "</p>", "</a>", "</form>"]),
    _element,
    max_leaves=25,
)


@st.composite
def tt_skeleton(draw) -> str:
    """Random fragments inside the landmarks of a TT article page (or some of them)."""

    def box(selector: str, inner: str) -> str:
        tag, _, cls = selector.partition(".")
        if tag.startswith("#"):
            return f'<div id="{tag[1:]}">{inner}</div>'
        return f'<{tag or "div"} class="{cls}">{inner}</{tag or "div"}>'

    parts = [
        box(tt.BREADCRUMB, draw(fragment)),
        box(tt.TITLE, draw(fragment)),
        box(tt.DATE_LINE, f"Ngày cập nhật: {draw(text)} " + draw(fragment)),
        box(tt.READ, draw(fragment) + f"<span>{draw(fragment)}</span>"),
        box(tt.SAME_GROUP_BOX, draw(fragment)),
        box(tt.OTHER_NEWS_BOX, draw(fragment)),
        box(tt.LISTING_BOX, draw(fragment)),
    ]
    keep = draw(st.lists(st.booleans(), min_size=len(parts), max_size=len(parts)))
    kept = [p for p, k in zip(parts, keep, strict=True) if k] or parts
    head = draw(st.sampled_from(["", "<!DOCTYPE html><html><head><title>t</title></head><body>"]))
    return head + box(tt.FRAME, "".join(kept)) + draw(fragment)


page_html = st.one_of(fragment, tt_skeleton(), st.text(max_size=200))
page_url = st.sampled_from(
    [
        "https://sdl.thuathienhue.gov.vn/?gd=1&cn=5&tc=123",
        "http://vanphong.thuathienhue.gov.vn/?gd=2&cn=7",
        "https://sdl.thuathienhue.gov.vn/",
        "http://xa.example.vn:8080/Default.aspx?tc=7",
    ]
)


def bounded(call, *args, **kwargs):
    """Run call; only ScraperError may escape (returned, not raised); assert the time."""
    started = time.perf_counter()
    try:
        result = call(*args, **kwargs)
    except ScraperError as exc:
        result = exc
    elapsed = time.perf_counter() - started
    assert elapsed < HANG_LIMIT, f"{call.__name__} took {elapsed:.2f} s"
    return result


@FAST
@given(page_html, page_url)
def test_extract_article_raises_only_scraper_errors(html, url):
    result = bounded(tt.extract_article, html, url, today=TODAY)
    assert isinstance(result, (Article, ScraperError))


@FAST
@given(page_html, page_url)
def test_parse_page_and_listing_raise_nothing(html, url):
    page = bounded(tt.parse_page, html, url, today=TODAY)
    assert isinstance(page, tt.Page)
    listing = bounded(tt.parse_listing, html, url)
    assert isinstance(listing, Listing)
    for link in listing.article_urls + listing.linked_urls:
        assert canonical(link) == link  # what the crawler queues is already canonical


def test_grammar_reaches_an_article():
    """The grammar can build a page the extractor accepts, so the tests above are not only
    exercising the NotAnArticle exit."""
    html = (
        f'<div class="{tt.FRAME.split(".")[1]}"><div class="{tt.TITLE.split(".")[1]}">Tiêu đề'
        f'</div><div class="{tt.READ.split(".")[1]}"><span><p>Nội dung bài.</p></span></div>'
        "</div>"
    )
    article = tt.extract_article(html, "https://sdl.thuathienhue.gov.vn/?gd=1&tc=5", today=TODAY)
    assert article.title == "Tiêu đề"


# --------------------------------------------------------------------------------- URLs

host = st.sampled_from(
    ["sdl.thuathienhue.gov.vn", "SDL.ThuaThienHue.gov.vn", "www.hue.gov.vn:80", "a.vn:8443"]
)
segment = st.text(alphabet="abcĐđ-_.%20~ +", max_size=8) | st.sampled_from(
    ["..", ".", "%2e", "%2F", "UploadFiles", "v%C4%83n", "%25", "%41"]
)
param = st.tuples(
    st.sampled_from(["gd", "cn", "tc", "GD", "a b", "x", "đ"]),
    st.text(alphabet="0123456789abc &=%+;#", max_size=6),
)


@st.composite
def url(draw) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTP"]))
    path = "/".join(draw(st.lists(segment, max_size=4)))
    sep = draw(st.sampled_from(["&", "&amp;"]))
    query = sep.join(f"{k}={v}" for k, v in draw(st.lists(param, max_size=4)))
    frag = draw(st.sampled_from(["", "#top", "#"]))
    return f"{scheme}://{draw(host)}/{path}" + (f"?{query}" if query else "") + frag


@QUICK
@given(url())
def test_canonical_is_idempotent(u):
    once = canonical(u)
    assert canonical(once) == once


@QUICK
@given(url(), st.integers(0, 10**12), st.sampled_from([None, "5", "12"]))
def test_article_url_is_idempotent(u, tc, category):
    u = u.split("#")[0] + ("&" if "?" in u else "?") + f"tc={tc}"
    assume(tt.article_id(u) is not None)  # the crawler asks article_url only of articles
    once = tt.article_url(u, category)
    assert tt.article_url(once) == once
    assert canonical(once) == once
    assert tt.article_id(once) == tt.article_id(u)


# -------------------------------------------------------------------------------- dates

number = st.integers(-5, 10_000).map(str) | st.text(alphabet="0123456789٠١٢३", max_size=5)


@QUICK
@given(
    st.one_of(
        st.text(),
        st.tuples(number, st.sampled_from("/.- "), number, st.sampled_from("/.-"), number).map(
            "".join
        ),
    ),
    st.one_of(st.none(), st.dates(min_value=date(1980, 1, 1), max_value=date(2100, 1, 1))),
)
def test_parse_dmy_returns_only_real_dates_in_range(textual, today):
    value = parse_dmy(textual, today=today)
    if value is not None:
        day = date.fromisoformat(value)
        assert EARLIEST <= day <= (today or today_in_vietnam())


def test_parse_dmy_examples():
    assert parse_dmy("Ngày cập nhật: 4/12/2026", today=TODAY) == "2026-12-04"
    assert parse_dmy("5/12/2026", today=TODAY) is None  # tomorrow
    assert parse_dmy("31/12/1989", today=TODAY) is None
    assert parse_dmy("29/02/2023", today=TODAY) is None


# ------------------------------------------------------------------------ content hash

word = st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + "0123456789,.:;()", min_size=1)
paragraph = st.lists(word, min_size=1, max_size=8).map(" ".join)
ZERO_WIDTH = ["\u200b", "\u200c", "\ufeff"]


@st.composite
def article(draw) -> Article:
    paragraphs = draw(st.lists(paragraph, min_size=1, max_size=5))
    return Article(
        id="sdl.thuathienhue.gov.vn/1",
        url="https://sdl.thuathienhue.gov.vn/?gd=1&tc=1",
        title=draw(paragraph),
        published=draw(st.sampled_from([None, "2024-03-12"])),
        published_raw="12/03/2024",
        body="\n\n".join(paragraphs),
        source=draw(st.none() | paragraph),
        category=draw(st.none() | st.just("Tin tức >> Tin trong tỉnh")),
        captions=draw(st.lists(paragraph, max_size=2)),
        images=[Image(url="https://sdl.thuathienhue.gov.vn/UploadFiles/anh%201.jpg")],
        links=[Link(kind="attachment", url="https://sdl.thuathienhue.gov.vn/UploadFiles/a.pdf")],
    )


@st.composite
def reencode(draw, value: str, *, block: bool = False) -> str:
    """value as a page might spell it again: NFD or NFC, spaces as U+00A0 (what `&nbsp;`
    parses to) or runs of whitespace, zero-width characters sprinkled in, and (in a block)
    empty spacer paragraphs between the paragraphs."""
    form = draw(st.sampled_from(["NFC", "NFD"]))

    def spell(par: str) -> str:
        words = par.split(" ")
        gaps = draw(
            st.lists(
                st.sampled_from([" ", "\u00a0", "  ", " \t ", "\u00a0 ", "\n"]),
                min_size=len(words),
                max_size=len(words),
            )
        )
        out = "".join(w + g for w, g in zip(words, gaps, strict=True)).rstrip("\n")
        chars = list(unicodedata.normalize(form, out))
        for _ in range(draw(st.integers(0, 3))):
            chars.insert(draw(st.integers(0, len(chars))), draw(st.sampled_from(ZERO_WIDTH)))
        lead = draw(st.sampled_from(["", " ", "\u00a0", "\t"]))
        return lead + "".join(chars)

    if not block:
        return spell(value)
    out = []
    for par in value.split("\n\n"):
        out.append(spell(par))
        if draw(st.booleans()):
            out.append(draw(st.sampled_from(["", "\u00a0", " \u200b ", "\ufeff"])))
    return "\n\n".join(out)


@settings(max_examples=50, deadline=None, database=None)
@given(st.data())
def test_content_hash_ignores_reencoding(data):
    original = data.draw(article())
    again = Article(
        id=original.id,
        url=original.url,
        title=data.draw(reencode(original.title)),
        published=original.published,
        published_raw=original.published_raw,
        body=data.draw(reencode(original.body, block=True)),
        source=data.draw(reencode(original.source)) if original.source else None,
        category=original.category,
        captions=[data.draw(reencode(c)) for c in original.captions],
        images=[Image(url=original.images[0].url.replace("UploadFiles", "uploadfiles"))],
        links=original.links,
    )
    assert content_hash(again) == content_hash(original)


@settings(max_examples=30, deadline=None, database=None)
@given(article(), paragraph)
def test_content_hash_sees_a_real_change(original, extra):
    changed = Article(**{**original.__dict__, "body": original.body + "\n\n" + extra})
    assert content_hash(changed) != content_hash(original)


@settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # ids differ per example
)
@given(st.data())
def test_saving_a_reencoded_article_adds_no_revision(archive, data):
    original = data.draw(article())
    original.id = f"sdl.thuathienhue.gov.vn/{data.draw(st.integers(1, 10**9))}"
    again = Article(**{**original.__dict__, "body": data.draw(reencode(original.body, block=True))})
    first = archive.save_article(
        original, fetched_at="2026-12-01T00:00:00Z", page_sha=None, run_id=None
    )
    second = archive.save_article(
        again, fetched_at="2026-12-02T00:00:00Z", page_sha=None, run_id=None
    )
    if first.outcome == "new":
        assert second.outcome == "unchanged" and second.revision == 1
    else:  # the same id drawn twice: whatever the first save did, nothing new now
        assert second.outcome == "unchanged"
