"""The generic profile: an Article from any news article page whose layout nobody wrote
rules for (issue 10). `extract_article(html, url, *, today=None) -> Article`.

Modules: declared (JSON-LD, OpenGraph, meta, <time>), clean (chrome removal), body
(main-content scoring), blocks (paragraphs, captions, images, links), links (attachments,
related lists), extract (the whole page → Article), __main__ (JSON on stdout).
"""

from scraper.sites.generic.extract import extract_article

__all__ = ["extract_article"]
