"""Listing fixtures for the TT CMS: what parse_listing must read from hand-written pages.

Owns tests/test_listing_fixtures.py and tests/fixtures/listing_<case>.html/.json: a category
listing page 1 (full items, "Các bài khác", postback pager), the home page (several blocks,
an article listed twice, no pager) and a listing page past the end (empty list, no pager).
Each JSON holds "url" and "expected": article_urls (canonical, page order, de-duplicated),
pager [{target, argument, page}], form {action (absolute), fields [[name, value], ...] in
document order} and page_urls (the menu's category listings, canonical `?cn=..&gd=2`).
Written by hand from SITE.md section 7 and CONTRACTS.md, not from the extractor's output.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(
    p.name.removeprefix("listing_").removesuffix(".json") for p in FIXTURES.glob("listing_*.json")
)
REQUIRED_CASES = {"category_p1", "home", "past_end"}
KEYS = ["article_urls", "pager", "form", "page_urls"]

# Fields that a browser never submits with a postback: buttons and an unchecked checkbox.
NEVER_SUBMITTED = {
    "ctl16$ctl02$btnTimKiem",  # type=submit
    "ctl16$ctl06$btnGui",  # type=image
    "ctl16$ctl02$chkChinhXac",  # unchecked checkbox
}


def read_html(name: str) -> str:
    return (FIXTURES / f"{name}.html").read_bytes().decode("utf-8")


@cache
def meta(case: str) -> dict:
    return json.loads((FIXTURES / f"listing_{case}.json").read_text(encoding="utf-8"))


@cache
def parsed(case: str):
    from scraper.sites.tt import parse_listing

    return parse_listing(read_html(f"listing_{case}"), meta(case)["url"])


def actual_value(listing, key):
    if key == "article_urls":
        return list(listing.article_urls)
    if key == "page_urls":
        return list(listing.page_urls)
    if key == "pager":
        return [
            {"target": p.target, "argument": p.argument, "page": p.page} for p in listing.postbacks
        ]
    if key == "form":
        if listing.form is None:
            return None
        return {
            "action": listing.form.action,
            "fields": [[name, value] for name, value in listing.form.fields],
        }
    raise KeyError(key)


# --------------------------------------------------------------------------------------
# Fixture self-checks (no extractor involved)


def test_every_required_case_has_a_fixture():
    assert set(CASES) >= REQUIRED_CASES, sorted(REQUIRED_CASES - set(CASES))


@pytest.mark.parametrize("case", CASES)
def test_expected_json_is_complete(case):
    m = meta(case)
    assert set(m) == {"url", "expected"}
    assert list(m["expected"]) == KEYS
    e = m["expected"]
    assert len(e["article_urls"]) == len(set(e["article_urls"]))
    assert len(e["page_urls"]) == len(set(e["page_urls"]))
    names = [name for name, _ in e["form"]["fields"]]
    assert names[:3] == ["__EVENTTARGET", "__EVENTARGUMENT", "__VIEWSTATE"]
    assert not NEVER_SUBMITTED & set(names)
    html = read_html(f"listing_{case}")
    for needle in ('name="__VIEWSTATE"', "Xem tin theo ngày", "Thống kê truy cập", 'id="Menu"'):
        assert needle in html, needle
    for name in NEVER_SUBMITTED:
        assert f'name="{name}"' in html, name  # present in the page, so leaving it out is tested


def test_page_one_and_past_end_are_the_same_listing():
    assert meta("category_p1")["url"] == meta("past_end")["url"]
    assert meta("past_end")["expected"]["article_urls"] == []


# --------------------------------------------------------------------------------------
# Extractor checks


@pytest.mark.parametrize(
    ("case", "key"),
    [(case, key) for case in CASES for key in KEYS],
    ids=[f"{case}-{key}" for case in CASES for key in KEYS],
)
def test_listing_field(case, key):
    expected = meta(case)["expected"][key]
    actual = actual_value(parsed(case), key)
    if key == "form" and actual is not None:
        assert actual["action"] == expected["action"], f"{case}: form action"
        for i, (got, want) in enumerate(zip(actual["fields"], expected["fields"], strict=False)):
            assert got == want, f"{case}: form field #{i}"
    assert actual == expected, f"{case}: {key}"


@pytest.mark.parametrize("case", CASES)
def test_form_is_posted(case):
    form = parsed(case).form
    assert form is not None
    assert form.method.lower() == "post"
