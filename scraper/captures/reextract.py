"""Re-deriving articles and revisions from the stored raw captures, offline.

This module owns `reextract(archive, site=None, since=None)`, the library of `scrape
reextract`. The current extractor reads again the raw page of every stored revision (the
page the revision was derived from) and:

- where its reading equals the stored revision's content, nothing is written;
- where it differs, the reading is kept in `derivations` (article, revision, this
  extractor_version, the content and the fields that differ). The revision row is never
  rewritten and no revision is added: a change of extractor is never counted as an edit;
- for an article's latest revision, the article row takes the new reading (content
  columns and content_hash; the old reading stays in the revision row), so the next crawl
  compares the live page with what the current extractor makes of the stored one.

Captures an import judged "no article" are read again too: one the current extractor
finds an article in is applied as an import would (scraper.captures.importer).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from scraper import sites
from scraper.captures.importer import Importer
from scraper.decode import decode_html
from scraper.store.revision import changed_fields, hash_content, revision_content

__all__ = ["reextract"]


def reextract(
    archive, *, site: str | None = None, since: str | None = None, run_id: int | None = None
) -> Counter:
    """Re-derive (see the module docstring). site: the archive's site name; since:
    'YYYY-MM-DD', revisions and captures fetched on or after it. Returns counts: 'read',
    'same', 'derived', 'articles_refreshed', 'no_article', 'missing_page', and the outcomes
    of re-read captures ('capture_<outcome>')."""
    counts: Counter = Counter()
    for aid, rev, fetched_at, sha, url, latest, ctype in archive.revisions_with_pages(site, since):
        counts["read"] += 1
        try:
            body = archive.load_page(sha)
        except KeyError:
            counts["missing_page"] += 1
            continue
        _, text = decode_html(body, ctype)
        profile = sites.profile_for_page(url, text)
        article = profile.parse_page(text, url, today=date.fromisoformat(fetched_at[:10])).article
        if article is None:
            counts["no_article"] += 1
            continue
        article.id = aid
        content = revision_content(article)
        chash = hash_content(content)
        stored = archive._revision_content(aid, rev)
        if hash_content(stored) == chash:
            counts["same"] += 1
            continue
        with archive.db.atomic():
            archive.write_derivation(
                aid,
                rev,
                article=article,
                content=content,
                chash=chash,
                page_sha=sha,
                fields=changed_fields(stored, content),
            )
            counts["derived"] += 1
            if rev == latest:
                archive.refresh_article_content(article, content, chash)
                counts["articles_refreshed"] += 1
    for row in archive.undecided_captures(since):
        if site is not None and sites.Site.from_url(row["url"]).name != site:
            continue
        importer = Importer(archive, origin=row["origin"], source=row["source"], run_id=run_id)
        body = archive.load_page(row["page_sha"])
        with archive.db.atomic():
            outcome, aid = importer.apply_page(
                row["url"], body, row["content_type"], row["fetched_at"], row["page_sha"]
            )
            if outcome != "not_article":
                archive.set_capture_outcome(row["id"], outcome, aid)
        counts[f"capture_{outcome}"] += 1
    return counts
