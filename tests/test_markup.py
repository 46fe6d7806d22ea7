"""Shared HTML reading (scraper.sites.markup): inline styles are read whatever their case,
in the shared helpers and in both walkers that use them (TT profile, generic extractor)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from scraper.sites import tt
from scraper.sites.generic import extract_article as generic_extract
from scraper.sites.markup import TABLE_PARTS, centred_attrs, inline_text, italic_style

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize(
    "style, italic",
    [
        ("font-style: italic;", True),
        ("FONT-STYLE: Italic", True),
        ("color: red; font-style:italic", True),
        ("font-weight: bold", False),
        ("", False),
    ],
)
def test_italic_style_ignores_case_and_spaces(style, italic):
    assert italic_style({"style": style}) is italic


@pytest.mark.parametrize(
    "attrs, centred",
    [
        ({"align": "center"}, True),
        ({"align": " CENTER "}, True),
        ({"style": "TEXT-ALIGN: Center"}, True),
        ({"style": "text-align: left"}, False),
        ({"align": None}, False),
    ],
)
def test_centred_attrs_ignores_case_and_spaces(attrs, centred):
    assert centred_attrs(attrs) is centred


def test_inline_text_spaces_blocks_cells_and_breaks_and_skips_scripts():
    node = LexborHTMLParser(
        "<div>Một<br>hai<p>ba</p><table><tr><td>bốn</td><td>năm</td></tr></table>"
        "<script>x()</script><span>sáu</span></div>"
    ).css_first("div")
    assert "td" in TABLE_PARTS
    text = " ".join(inline_text(node, frozenset({"p"})).split())
    assert text == "Một hai ba bốn năm sáu"


def _shouted(html: str) -> str:
    return html.replace("font-style: italic", "FONT-STYLE: ITALIC").replace(
        "text-align: center", "TEXT-ALIGN: CENTER"
    )


@pytest.mark.parametrize("case", ["captions_italic", "captions_centred"])
@pytest.mark.parametrize("extract", [tt.extract_article, generic_extract], ids=["tt", "generic"])
def test_upper_case_styles_extract_like_lower_case(case, extract):
    html = (FIXTURES / f"article_{case}.html").read_text(encoding="utf-8")
    meta = json.loads((FIXTURES / f"article_{case}.json").read_text(encoding="utf-8"))
    shouted = _shouted(html)
    assert shouted != html
    today = date.fromisoformat(meta["today"])
    expected = extract(html, meta["url"], today=today)
    assert expected.captions
    assert extract(shouted, meta["url"], today=today) == expected
