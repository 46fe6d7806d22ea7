"""Ground truth of the replica: what an extractor must return for each article, per layout.

Owns `expected(site, tc, base_url, layout)`: computed from the model, never by parsing
HTML, following the field rules of SITE.md section 7 and CONTRACTS.md. Text goes through
the replica's own `norm` (scraper.replica.norm), URLs are built from the layout's own
spellings already in canonical form: nothing here imports the code it checks
(`scraper.text`, `scraper.urls`, extractors, profiles).

Fields: id, site, url, title, category, published (YYYY-MM-DD local date or None),
published_raw (the date text the page shows, or None), body (paragraphs joined by a blank
line), source, captions, images [{url, caption, alt}], attachments, body_links; plus
`guid` on DNN and `slug` on hue.
"""

from __future__ import annotations

from scraper.replica.model import ReplicaSite
from scraper.replica.norm import id_host, norm


def article_id(site: ReplicaSite, tc: int, base_url: str, layout: str = "tt") -> str:
    """The archive id of an article: '<host>/<tc>' on TT and hue (an article that moves
    from TT URLs to hue URLs keeps it), '<host>/<newsid GUID, lower case>' on DNN."""
    if layout == "dnn":
        from scraper.replica.layouts.dnn import news_guid

        return f"{id_host(base_url)}/{news_guid(site.articles[tc]).lower()}"
    return f"{id_host(base_url)}/{tc}"


def expected(site: ReplicaSite, tc: int, base_url: str, layout: str = "tt") -> dict:
    """What an extractor must return for article tc of site served at base_url."""
    from scraper.replica.layouts import layout_class

    lay = layout_class(layout)
    a = site.articles[tc]
    images = [
        {
            "url": lay.file_url(img.path, base_url),
            "caption": norm(img.caption) or None,
            "alt": norm(img.alt) or None,
        }
        for img in a.images()
    ]
    published, raw = lay.dates(site, tc)
    out = {
        "id": article_id(site, tc, base_url, layout),
        "site": id_host(base_url),
        "url": lay.canonical_url(site, tc, base_url),
        "title": norm(a.title),
        "category": site.category_label(a.cat),
        "published": published,
        "published_raw": raw,
        "body": "\n\n".join(a.paragraphs()),
        "source": a.source(),
        "captions": [i["caption"] for i in images if i["caption"]],
        "images": images,
        "attachments": [lay.file_url(b.href, base_url) for b in a.blocks if b.kind == "attach"],
        "body_links": [
            url
            for b in a.blocks
            if b.kind == "link" and (url := lay.link_url(site, b, base_url)) is not None
        ],
    }
    if layout == "dnn":
        from scraper.replica.layouts.dnn import news_guid

        out["guid"] = news_guid(a)
    elif layout == "hue":
        from scraper.replica.layouts.hue import slug_of

        out["slug"] = slug_of(site, tc)
    return out
