"""Articles and their revisions: every write and read of the article tables.

This module owns the `articles`, `revisions`, `images` and `links` tables: `save_article`
(new article, new revision or unchanged, by the revision rule of scraper.store.revision),
`touch_article`, `record_missing`, and the reads (`history`, `revision`, `find_article`,
`iter_articles`, `known_ids`, `settled_ids`, `due_for_check`, `last_page_sha`).

The statements are built from the column lists of scraper.store.schema.TABLES
(`ARTICLE_COLUMNS`, `REVISION_COLUMNS`, `IMAGE_COLUMNS`): a row is a dict over those names,
so a column is named in one place and a row that lacks one fails loudly. It knows no site:
an article id is read from a URL by scraper.sites.article_id, and the category is stored as
the site profile wrote it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from scraper import __version__ as EXTRACTOR_VERSION
from scraper import sites
from scraper.models import Article, Image, Link
from scraper.store.aliases import AliasesMixin
from scraper.store.revision import (
    changed_fields,
    diff_chars,
    hash_content,
    revision_content,
    text_chars,
    text_paragraphs,
)
from scraper.store.schedule import MISS_RECHECK, iso_utc, next_check_at, utc_time
from scraper.store.schema import column_names, json_text
from scraper.text import clean_or_none
from scraper.urls import canonical

__all__ = [
    "ARTICLE_COLUMNS",
    "IMAGE_COLUMNS",
    "REVISION_COLUMNS",
    "ArticlesMixin",
    "SaveResult",
]

ARTICLE_COLUMNS = column_names("articles")
REVISION_COLUMNS = column_names("revisions")
IMAGE_COLUMNS = column_names("images")


def _insert(table: str, columns: Iterable[str]) -> str:
    columns = tuple(columns)
    marks = ", ".join("?" * len(columns))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"


def _update(table: str, columns: Iterable[str]) -> str:
    sets = ", ".join(f"{name} = ?" for name in columns)
    return f"UPDATE {table} SET {sets} WHERE id = ?"


def _select(table: str, columns: Iterable[str], where: str) -> str:
    return f"SELECT {', '.join(columns)} FROM {table} WHERE {where}"


def _values(columns: Iterable[str], row: dict[str, Any]) -> list[Any]:
    return [row[name] for name in columns]


# A new revision rewrites every column of the article but its key and first_seen.
_CHANGED_COLUMNS = tuple(c for c in ARTICLE_COLUMNS if c not in ("id", "first_seen"))
# Seen again (or its page bytes identical): a live article, misses forgotten, next check set.
_SEEN_COLUMNS = ("last_seen", "page_sha", "misses", "last_miss_run", "status", "next_check_at")
# What save_article compares a page against, and what rebuilds a stored revision.
_STATE_COLUMNS = ("revision", "content_hash", "first_seen", "last_changed", "published")
_REVISION_ARTICLE_COLUMNS = (
    "title",
    "published",
    "published_raw",
    "body",
    "source",
    "captions",
    "category",
    "attachments",
)

_INSERT_ARTICLE = _insert("articles", ARTICLE_COLUMNS)
_UPDATE_CHANGED = _update("articles", _CHANGED_COLUMNS)
_UPDATE_SEEN = _update("articles", (*_SEEN_COLUMNS, "url"))
_UPDATE_TOUCHED = _update("articles", _SEEN_COLUMNS)
_SELECT_STATE = _select("articles", _STATE_COLUMNS, "id = ?")
_INSERT_REVISION = _insert("revisions", REVISION_COLUMNS)
_SELECT_REVISION_ARTICLE = _select(
    "revisions", _REVISION_ARTICLE_COLUMNS, "article_id = ? AND revision = ?"
)
_INSERT_IMAGE = _insert("images", IMAGE_COLUMNS)
_JSON_COLUMNS = ("captions", "changed_fields", "attachments")


def _content_columns(article: Article, content: dict) -> dict[str, Any]:
    """The columns an article row and a revision row share, from revision_content."""
    return {
        "category": content["category"],
        "title": content["title"],
        "published": content["published"],
        "published_raw": clean_or_none(article.published_raw),
        "body": content["body"],
        "source": content["source"],
        "captions": json_text(content["captions"]),
        "profile": article.profile,
        "published_source": article.published_source if content["published"] else None,
    }


def _seen_columns(now: str, page_sha: str | None, next_check: str) -> dict[str, Any]:
    return {
        "last_seen": now,
        "page_sha": page_sha,
        "misses": 0,
        "last_miss_run": None,
        "status": "live",
        "next_check_at": next_check,
    }


@dataclass
class SaveResult:
    outcome: str  # 'new' | 'changed' | 'unchanged'
    revision: int
    changed_fields: list[str] = field(default_factory=list)
    chars_added: int = 0
    chars_removed: int = 0


class ArticlesMixin(AliasesMixin):
    """Archive methods for articles, revisions, images and links (an article found again
    under another CMS's URL records that URL's id as an alias)."""

    def save_article(
        self,
        article: Article,
        *,
        fetched_at: str,
        page_sha: str | None,
        run_id: int | None,
        origin: str = "crawl",
    ) -> SaveResult:
        """Store one successful extraction: a new article (revision 1), a new revision when
        its content hash differs from the latest one, else 'unchanged' (last_seen, page_sha,
        misses, status, next_check_at and url refreshed). The article's links are replaced
        by article.links in every case. One transaction. fetched_at is the capture time;
        origin says where the capture came from ('crawl', 'wayback', 'warc')."""
        if not article.id:
            raise ValueError(f"article without id: {article.url}")
        now = iso_utc(fetched_at)
        content = revision_content(article)
        chash = hash_content(content)
        with self.db.atomic():
            row = self._one(_SELECT_STATE, [article.id])
            if row is None and (moved := self._moved_from(article, chash)) is not None:
                # The same content under another CMS's URL on the same site: the site moved,
                # and an article that moves is the same article (SITE.md 8).
                self.add_alias(article.id, moved, article.url)
                article.id = moved
                return self.save_article(
                    article, fetched_at=fetched_at, page_sha=page_sha, run_id=run_id, origin=origin
                )
            if row is None:
                result = SaveResult("new", 1, [], text_chars(content), 0)
                ref = content["published"] or now
                values = {
                    "id": article.id,
                    "url": article.url,
                    "site": article.site,
                    **_content_columns(article, content),
                    "first_seen": now,
                    "last_changed": now,
                    "revision": 1,
                    "content_hash": chash,
                    **_seen_columns(now, page_sha, next_check_at(article.id, now, ref)),
                }
                self.db.execute(_INSERT_ARTICLE, _values(ARTICLE_COLUMNS, values))
                self._write_revision_rows(
                    article, content, chash, result, now, page_sha, run_id, origin
                )
            else:
                revision, old_hash, first_seen, last_changed, published = row
                changed: SaveResult | None = None
                if old_hash != chash:
                    old = self._revision_content(article.id, revision)
                    if hash_content(old) == chash:  # the rule changed, the content did not
                        self.db.execute(
                            "UPDATE articles SET content_hash = ? WHERE id = ?",
                            [chash, article.id],
                        )
                    else:
                        fields = changed_fields(old, content)
                        plus, minus = diff_chars(text_paragraphs(old), text_paragraphs(content))
                        changed = SaveResult("changed", revision + 1, fields, plus, minus)
                if changed is None:
                    result = SaveResult("unchanged", revision)
                    ref = last_changed if revision > 1 else (published or first_seen)
                    values = {
                        **_seen_columns(now, page_sha, next_check_at(article.id, now, ref)),
                        "url": article.url,
                    }
                    self.db.execute(
                        _UPDATE_SEEN, [*_values((*_SEEN_COLUMNS, "url"), values), article.id]
                    )
                else:
                    result = changed
                    values = {
                        "url": article.url,
                        "site": article.site,
                        **_content_columns(article, content),
                        "last_changed": now,
                        "revision": result.revision,
                        "content_hash": chash,
                        **_seen_columns(now, page_sha, next_check_at(article.id, now, now)),
                    }
                    self.db.execute(
                        _UPDATE_CHANGED, [*_values(_CHANGED_COLUMNS, values), article.id]
                    )
                    self._write_revision_rows(
                        article, content, chash, result, now, page_sha, run_id, origin
                    )
            self._replace_links(article.id, article.links)
        return result

    def _moved_from(self, article: Article, chash: str) -> str | None:
        """A live article of the same site, extracted by another profile, whose content is
        this one's: the article the site moved to article's URL."""
        if not article.site or not article.profile:
            return None
        row = self._one(
            "SELECT id FROM articles WHERE content_hash = ? AND site = ? AND status = 'live' "
            "AND (profile IS NULL OR profile != ?) LIMIT 1",
            [chash, article.site, article.profile],
        )
        return row[0] if row else None

    def _write_revision_rows(
        self,
        article: Article,
        content: dict,
        chash: str,
        result: SaveResult,
        now: str,
        page_sha: str | None,
        run_id: int | None,
        origin: str,
    ) -> None:
        values = {
            "article_id": article.id,
            "revision": result.revision,
            "fetched_at": now,
            "content_hash": chash,
            **_content_columns(article, content),
            "changed_fields": json_text(result.changed_fields),
            "chars_added": result.chars_added,
            "chars_removed": result.chars_removed,
            "page_sha": page_sha,
            "run_id": run_id,
            "attachments": json_text([link.url for link in article.attachments if link.url]),
            "stored_at": iso_utc(),
            "origin": origin,
            "extractor_version": EXTRACTOR_VERSION,
        }
        self.db.execute(_INSERT_REVISION, _values(REVISION_COLUMNS, values))
        images = [img for img in article.images or () if img.url]
        if images:
            self.db.conn.executemany(
                _INSERT_IMAGE,
                [
                    _values(
                        IMAGE_COLUMNS,
                        {
                            "article_id": article.id,
                            "revision": result.revision,
                            "position": pos,
                            "url": img.url,
                            "caption": clean_or_none(img.caption),
                            "alt": clean_or_none(img.alt),
                        },
                    )
                    for pos, img in enumerate(images)
                ],
            )

    def _replace_links(self, article_id: str, links: Iterable[Link]) -> None:
        """Make the article's links exactly `links`, writing only the positions that differ
        (most of a page's related links are the same on every visit; rewriting all of them
        was the largest cost of a save)."""
        new = [
            (link.kind, link.url, link.target_id, clean_or_none(link.text), link.date)
            for link in links or ()
        ]
        old = {
            row[0]: row[1:]
            for row in self.db.execute(
                "SELECT position, kind, url, target_id, text, date FROM links WHERE article_id = ?",
                [article_id],
            )
        }
        if max(old, default=-1) >= len(new):
            self.db.execute(
                "DELETE FROM links WHERE article_id = ? AND position >= ?", [article_id, len(new)]
            )
        changed = [(article_id, pos, *row) for pos, row in enumerate(new) if old.get(pos) != row]
        self.db.conn.executemany(
            "INSERT INTO links (article_id, position, kind, url, target_id, text, date) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (article_id, position) DO UPDATE SET "
            "kind = excluded.kind, url = excluded.url, target_id = excluded.target_id, "
            "text = excluded.text, date = excluded.date",
            changed,
        )

    def _revision_article(self, article_id: str, n: int) -> Article | None:
        row = self._one(_SELECT_REVISION_ARTICLE, [article_id, n])
        if row is None:
            return None
        stored = dict(zip(_REVISION_ARTICLE_COLUMNS, row, strict=True))
        images = [
            Image(url, caption, alt)
            for url, caption, alt in self.db.execute(
                "SELECT url, caption, alt FROM images WHERE article_id = ? AND revision = ? "
                "ORDER BY position",
                [article_id, n],
            )
        ]
        links = [Link("attachment", url) for url in json.loads(stored["attachments"] or "[]")]
        return Article(
            id=article_id,
            url="",
            category=stored["category"],
            title=stored["title"],
            published=stored["published"],
            published_raw=stored["published_raw"],
            body=stored["body"],
            source=stored["source"],
            captions=json.loads(stored["captions"] or "[]"),
            images=images,
            links=links,
        )

    def _revision_content(self, article_id: str, n: int) -> dict:
        article = self._revision_article(article_id, n)
        if article is None:
            raise KeyError(f"{article_id} revision {n}")
        return revision_content(article)

    def touch_article(
        self, article_id: str, *, fetched_at: str, page_sha: str | None
    ) -> SaveResult:
        """The page's bytes are identical to last time: 'unchanged' without extraction
        (links kept as they are). Raises KeyError for an unknown article."""
        now = iso_utc(fetched_at)
        with self.db.atomic():
            row = self._one(_SELECT_STATE, [article_id])
            if row is None:
                raise KeyError(article_id)
            revision, _, first_seen, last_changed, published = row
            ref = last_changed if revision > 1 else (published or first_seen)
            values = _seen_columns(now, page_sha, next_check_at(article_id, now, ref))
            self.db.execute(_UPDATE_TOUCHED, [*_values(_SEEN_COLUMNS, values), article_id])
        return SaveResult("unchanged", revision)

    def last_page_sha(self, article_id: str) -> str | None:
        row = self._one("SELECT page_sha FROM articles WHERE id = ?", [article_id])
        return row[0] if row else None

    def record_missing(self, article_id: str, *, run_id: int, fetched_at: str) -> bool:
        """A 404/410 for a known article: misses + 1 (once per run); it becomes 'gone' when
        misses >= 2 (so two different runs). Returns True when it just became gone. Rows and
        revisions are kept; a later successful fetch makes it live again."""
        now = iso_utc(fetched_at)
        with self.db.atomic():
            row = self._one(
                "SELECT misses, status, last_miss_run FROM articles WHERE id = ?", [article_id]
            )
            if row is None:
                return False
            misses, status, last_run = row
            if last_run is not None and last_run == run_id:
                return False
            misses += 1
            became_gone = status != "gone" and misses >= 2
            new_status = "gone" if misses >= 2 else status
            self.db.execute(
                "UPDATE articles SET misses = ?, last_miss_run = ?, status = ?, "
                "next_check_at = ? WHERE id = ?",
                [misses, run_id, new_status, iso_utc(utc_time(now) + MISS_RECHECK), article_id],
            )
        return became_gone

    def known_ids(self, ids: Iterable[str]) -> set[str]:
        """The ids among ids that the archive holds."""
        return self._ids_where("SELECT id FROM articles WHERE id IN ({marks})", ids)

    def settled_ids(self, ids: Iterable[str]) -> set[str]:
        """The ids among ids first stored by a run that completed ('ok'). Articles stored
        by the running run or by a killed one are not settled: the listing walks that would
        have found them may not have finished."""
        return self._ids_where(
            "SELECT r.article_id FROM revisions r JOIN runs u ON u.id = r.run_id "
            "WHERE r.revision = 1 AND u.status = 'ok' AND r.article_id IN ({marks})",
            ids,
        )

    def due_for_check(self, site: str, now: str, limit: int | None = None) -> list[tuple[str, str]]:
        """(id, url) of the site's live articles whose next_check_at <= now, most overdue first."""
        sql = (
            "SELECT id, url FROM articles WHERE site = ? AND status = 'live' "
            "AND next_check_at <= ? ORDER BY next_check_at, id"
        )
        params: list[Any] = [site, iso_utc(now)]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        return [(row[0], row[1]) for row in self.db.execute(sql, params)]

    @staticmethod
    def _decode(row: dict) -> dict:
        for key in _JSON_COLUMNS:
            if key in row and row[key] is not None:
                row[key] = json.loads(row[key])
        return row

    def history(self, article_id: str) -> list[dict]:
        """Every revision row of the article, oldest first; JSON columns decoded."""
        rows = self._dicts(
            "SELECT * FROM revisions WHERE article_id = ? ORDER BY revision", [article_id]
        )
        return [self._decode(row) for row in rows]

    def revision(self, article_id: str, n: int) -> dict | None:
        """One revision row (JSON decoded) with its 'images' (list of dicts), or None."""
        rows = self._dicts(
            "SELECT * FROM revisions WHERE article_id = ? AND revision = ?", [article_id, n]
        )
        if not rows:
            return None
        row = self._decode(rows[0])
        row["images"] = self._dicts(
            "SELECT position, url, caption, alt FROM images WHERE article_id = ? "
            "AND revision = ? ORDER BY position",
            [article_id, n],
        )
        return row

    def find_article(self, id_or_url: str) -> str | None:
        """The id of the article named by its id, its canonical URL, or any URL from which
        its site profile reads that id (scraper.sites.article_id). None when unknown."""
        text = id_or_url.strip()
        if "://" not in text:
            row = self._one("SELECT id FROM articles WHERE id = ?", [text])
            return row[0] if row else None
        row = self._one("SELECT id FROM articles WHERE url = ? LIMIT 1", [canonical(text)])
        if row:
            return row[0]
        article_id = sites.article_id(text)
        if article_id:
            row = self._one(
                "SELECT id FROM articles WHERE id = ? UNION ALL "
                "SELECT article_id FROM aliases WHERE alias_id = ?",
                [article_id, article_id],
            )
            if row:
                return row[0]
        return None

    def article_ids(self, site: str) -> list[str]:
        """The ids of the site's articles (live or gone)."""
        return [row[0] for row in self.db.execute("SELECT id FROM articles WHERE site = ?", [site])]

    def iter_articles(self, site: str | None = None) -> Iterator[dict]:
        """Every article row (JSON decoded), by id."""
        sql = "SELECT * FROM articles"
        params: list[Any] = []
        if site is not None:
            sql += " WHERE site = ?"
            params.append(site)
        cursor = self.db.execute(sql + " ORDER BY id", params)
        names = [d[0] for d in cursor.description]
        for row in cursor:
            yield self._decode(dict(zip(names, row, strict=True)))
