"""The revision rule: what an article's content is, and what counts as a change of it.

This module owns `revision_content` (the normalised content a revision is made of),
`content_hash` / `hash_content`, `changed_fields` (which CONTENT_FIELDS differ) and the
character counts of an edit (`text_paragraphs`, `diff_chars`, `text_chars`). Pure functions:
no database access.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections import Counter
from collections.abc import Iterable

from scraper import sites
from scraper.models import Article
from scraper.text import clean, clean_block, clean_or_none
from scraper.urls import file_key

__all__ = [
    "CONTENT_FIELDS",
    "NOT_HASHED",
    "changed_fields",
    "content_hash",
    "diff_chars",
    "hash_content",
    "revision_content",
    "text_chars",
    "text_paragraphs",
]

# The fields of a revision's content, in the order changed_fields lists them.
CONTENT_FIELDS = (
    "title",
    "published",
    "captions",
    "body",
    "source",
    "images",
    "attachments",
)
# Stored with each revision but not part of its content (SITE.md 7: a revision's content is
# title, date, captions, body, source, image and attachment URLs). The breadcrumb follows
# the site's menu, which is chrome: a re-filed article is not an edited one.
NOT_HASHED = ("category",)

# Word-diff guard: above this many word pairs a changed stretch is compared as bags of words.
_DIFF_LIMIT = 250_000


def revision_content(article: Article) -> dict:
    """The normalised content of an article: what a revision is made of.

    Strings NFC, &nbsp; as space, zero-width characters dropped, whitespace collapsed, empty
    paragraphs and captions dropped; published_raw only counts when published is None;
    image and attachment URLs compared as scraper.urls.file_key. Related links, body links
    that are not attachments, alt texts, url and site are not content. The category is
    kept as the site profile wrote it (it is stored, never hashed: NOT_HASHED).
    """
    published = clean_or_none(article.published)
    return {
        "title": clean_or_none(article.title),
        "published": published,
        "published_raw": None if published else clean_or_none(article.published_raw),
        "captions": [c for c in map(clean, article.captions or ()) if c],
        "body": clean_block(article.body) or None,
        "source": clean_or_none(article.source),
        "category": article.category,
        "images": [_file(img.url) for img in article.images or () if img.url],
        "attachments": [_file(link.url) for link in article.attachments if link.url],
    }


def _file(url: str) -> str:
    """A file URL as content compares it: file_key on the id host, so a file that moved with
    its site (thuathienhue.gov.vn -> hue.gov.vn, www. or not) is the same file."""
    key = file_key(url)
    host, sep, rest = key.partition("/")
    return sites.id_host(host) + sep + rest


def hash_content(content: dict) -> str:
    """sha256 of the canonical JSON of a revision_content dict (NOT_HASHED left out)."""
    content = {k: v for k, v in content.items() if k not in NOT_HASHED}
    data = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def content_hash(article: Article) -> str:
    """sha256 of the canonical JSON of revision_content(article)."""
    return hash_content(revision_content(article))


def changed_fields(old: dict, new: dict) -> list[str]:
    """Which CONTENT_FIELDS differ between two revision_content dicts."""
    out = []
    for name in CONTENT_FIELDS:
        if name == "published":
            differs = (old["published"], old["published_raw"]) != (
                new["published"],
                new["published_raw"],
            )
        else:
            differs = old[name] != new[name]
        if differs:
            out.append(name)
    return out


def text_paragraphs(content: dict) -> list[str]:
    """The text a diff counts: title, captions, body paragraphs, source (when the source is
    not simply the body's last paragraph, where it usually also stands)."""
    paras: list[str] = []
    if content["title"]:
        paras.append(content["title"])
    paras.extend(content["captions"])
    body = content["body"].split("\n\n") if content["body"] else []
    paras.extend(body)
    if content["source"] and (not body or body[-1] != content["source"]):
        paras.append(content["source"])
    return paras


def _chars(words: Iterable[str]) -> int:
    return sum(map(len, words))


def text_chars(content: dict) -> int:
    """Characters of every word of a revision_content's text (chars_added of a new article)."""
    return _chars(w for p in text_paragraphs(content) for w in p.split())


def _word_diff(a: list[str], b: list[str]) -> tuple[int, int]:
    if len(a) * len(b) > _DIFF_LIMIT:
        ca, cb = Counter(a), Counter(b)
        return _chars((cb - ca).elements()), _chars((ca - cb).elements())
    added = removed = 0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            removed += _chars(a[i1:i2])
        if tag in ("replace", "insert"):
            added += _chars(b[j1:j2])
    return added, removed


def diff_chars(old: list[str], new: list[str]) -> tuple[int, int]:
    """(chars_added, chars_removed): characters of the words inserted / deleted between two
    lists of paragraphs. Paragraph lists are aligned first; words are diffed only inside
    the changed stretches (pairwise when a stretch keeps its paragraph count)."""
    added = removed = 0
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "delete":
            removed += sum(_chars(p.split()) for p in old[i1:i2])
        elif tag == "insert":
            added += sum(_chars(p.split()) for p in new[j1:j2])
        elif i2 - i1 == j2 - j1:
            for a, b in zip(old[i1:i2], new[j1:j2], strict=True):
                plus, minus = _word_diff(a.split(), b.split())
                added += plus
                removed += minus
        else:
            old_words = [w for p in old[i1:i2] for w in p.split()]
            new_words = [w for p in new[j1:j2] for w in p.split()]
            plus, minus = _word_diff(old_words, new_words)
            added += plus
            removed += minus
    return added, removed
