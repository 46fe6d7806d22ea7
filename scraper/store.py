"""The archive: one SQLite file (WAL) holding articles, their revisions, raw pages and crawl state.

This module owns the schema (its table and column names are the product's public interface:
columns are added, never renamed), the revision rule (what counts as a change of an article's
content, `revision_content` / `content_hash`), the re-check schedule (`CHECK_INTERVALS`,
`next_check_at`) and every write to the database (class `Archive`).

Times are ISO-8601 UTC strings with a 'Z', seconds precision ("2024-05-01T08:30:00Z"), so
they sort as text. Every write of one logical unit (one article, one run, one fetch) is one
transaction.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import sqlite3
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from scraper.models import Article, Image, Link
from scraper.sites import id_host
from scraper.text import clean, clean_block, clean_or_none
from scraper.urls import canonical, file_key, host_of, query_params

SCHEMA_VERSION = 1

# Column declarations, in contract order. New columns go at the end of a table's list and
# are added to existing archives by ALTER TABLE on open; a column is never renamed.
TABLES: dict[str, tuple[list[tuple[str, str]], list[str]]] = {
    "articles": (
        [
            ("id", "TEXT PRIMARY KEY"),
            ("url", "TEXT"),
            ("site", "TEXT"),
            ("category", "TEXT"),
            ("title", "TEXT"),
            ("published", "TEXT"),
            ("published_raw", "TEXT"),
            ("body", "TEXT"),
            ("source", "TEXT"),
            ("captions", "TEXT"),  # JSON array of strings
            ("first_seen", "TEXT"),
            ("last_seen", "TEXT"),
            ("last_changed", "TEXT"),
            ("revision", "INTEGER"),
            ("status", "TEXT NOT NULL DEFAULT 'live'"),  # 'live' | 'gone'
            ("content_hash", "TEXT"),
            ("page_sha", "TEXT"),
            ("misses", "INTEGER NOT NULL DEFAULT 0"),
            ("next_check_at", "TEXT"),
            ("last_miss_run", "INTEGER"),  # run that last counted a miss (once per run)
        ],
        [],
    ),
    "revisions": (
        [
            ("article_id", "TEXT NOT NULL REFERENCES articles(id)"),
            ("revision", "INTEGER NOT NULL"),
            ("fetched_at", "TEXT"),
            ("content_hash", "TEXT"),
            ("title", "TEXT"),
            ("published", "TEXT"),
            ("published_raw", "TEXT"),
            ("body", "TEXT"),
            ("source", "TEXT"),
            ("captions", "TEXT"),  # JSON array of strings
            ("category", "TEXT"),
            ("changed_fields", "TEXT"),  # JSON array of field names
            ("chars_added", "INTEGER"),
            ("chars_removed", "INTEGER"),
            ("page_sha", "TEXT"),
            ("run_id", "INTEGER"),
            ("attachments", "TEXT"),  # JSON array of attachment URLs (part of the content)
        ],
        ["PRIMARY KEY (article_id, revision)"],
    ),
    "images": (
        [
            ("article_id", "TEXT NOT NULL"),
            ("revision", "INTEGER NOT NULL"),
            ("position", "INTEGER NOT NULL"),
            ("url", "TEXT"),
            ("caption", "TEXT"),
            ("alt", "TEXT"),
        ],
        [
            "PRIMARY KEY (article_id, revision, position)",
            "FOREIGN KEY (article_id, revision) REFERENCES revisions(article_id, revision)",
        ],
    ),
    "links": (
        [
            ("article_id", "TEXT NOT NULL REFERENCES articles(id)"),
            ("position", "INTEGER NOT NULL"),
            ("kind", "TEXT"),
            ("url", "TEXT"),
            ("target_id", "TEXT"),
            ("text", "TEXT"),
            ("date", "TEXT"),
        ],
        ["PRIMARY KEY (article_id, position)"],
    ),
    "runs": (
        [
            ("id", "INTEGER PRIMARY KEY"),
            ("started_at", "TEXT"),
            ("finished_at", "TEXT"),
            ("status", "TEXT"),  # 'running' | 'ok' | 'failed' | 'interrupted'
            ("pid", "INTEGER"),
            ("options", "TEXT"),  # JSON object
            ("fetched", "INTEGER NOT NULL DEFAULT 0"),
            ("new", "INTEGER NOT NULL DEFAULT 0"),
            ("changed", "INTEGER NOT NULL DEFAULT 0"),
            ("unchanged", "INTEGER NOT NULL DEFAULT 0"),
            ("gone", "INTEGER NOT NULL DEFAULT 0"),
            ("failed", "INTEGER NOT NULL DEFAULT 0"),
        ],
        [],
    ),
    "fetches": (
        [
            ("id", "INTEGER PRIMARY KEY"),
            ("run_id", "INTEGER"),
            ("url", "TEXT"),
            ("method", "TEXT"),
            ("status", "INTEGER"),
            ("fetched_at", "TEXT"),
            ("elapsed_ms", "INTEGER"),
            ("bytes", "INTEGER"),
            ("attempts", "INTEGER"),
            ("error", "TEXT"),
            ("page_sha", "TEXT"),
        ],
        [],
    ),
    "pages": (
        [
            ("sha256", "TEXT PRIMARY KEY"),
            ("size", "INTEGER"),  # bytes before compression
            ("stored", "INTEGER"),  # bytes after compression
            ("content_type", "TEXT"),
            ("data", "BLOB"),
            ("codec", "TEXT"),  # 'zstd' (with page_dicts.id = dict_id) or 'zlib' (NULL: zlib)
            ("dict_id", "INTEGER"),
        ],
        [],
    ),
    # One zstd dictionary per site: the raw bytes of the first page stored for it. Pages of
    # one site share most of their bytes (the chrome), so each page stores little more than
    # its own article: about 7 % of the raw size against 20 % for zlib (bench/README.md).
    "page_dicts": (
        [
            ("id", "INTEGER PRIMARY KEY"),
            ("site", "TEXT"),
            ("created_at", "TEXT"),
            ("data", "BLOB"),  # zlib-compressed raw page used as a raw-content dictionary
        ],
        [],
    ),
    "frontier": (
        [
            ("key", "TEXT PRIMARY KEY"),
            ("url", "TEXT"),
            ("kind", "TEXT"),  # 'article' | 'listing' | 'page'
            ("site", "TEXT"),
            ("state", "TEXT NOT NULL DEFAULT 'pending'"),  # 'pending' | 'done' | 'failed'
            ("run_id", "INTEGER"),
            ("added_at", "TEXT"),
            ("attempts", "INTEGER NOT NULL DEFAULT 0"),
            ("error", "TEXT"),
        ],
        [],
    ),
}

INDEXES: tuple[tuple[str, str, str], ...] = (
    ("idx_articles_site", "articles", "site, next_check_at"),
    ("idx_articles_next_check_at", "articles", "next_check_at"),
    ("idx_articles_url", "articles", "url"),
    ("idx_links_target_id", "links", "target_id"),
    ("idx_fetches_run_id", "fetches", "run_id"),
    ("idx_frontier_state", "frontier", "state"),
)

# Re-check schedule: (articles younger than this, are re-checked this often). The last row
# has no bound. Age is measured from the last change (revision > 1), else the published date,
# else first_seen. A deterministic jitter of up to JITTER (from the id) is added.
CHECK_INTERVALS: tuple[tuple[timedelta | None, timedelta], ...] = (
    (timedelta(days=2), timedelta(hours=6)),
    (timedelta(days=7), timedelta(days=1)),
    (timedelta(days=30), timedelta(days=3)),
    (timedelta(days=365), timedelta(days=14)),
    (None, timedelta(days=60)),
)
JITTER = 0.10
# After a 404/410 the article is looked at again no sooner than this (a later run confirms).
MISS_RECHECK = timedelta(hours=1)

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
RUN_STATUSES = ("running", "ok", "failed", "interrupted")
RUN_COUNTS = ("fetched", "new", "changed", "unchanged", "gone", "failed")
FRONTIER_KINDS = ("article", "listing", "page")
FRONTIER_STATES = ("pending", "done", "failed")

# Word-diff guard: above this many word pairs a changed stretch is compared as bags of words.
_DIFF_LIMIT = 250_000
_CHUNK = 500  # ids per IN (...) query


class SchemaError(RuntimeError):
    """The archive was written by a newer version of the scraper (user_version too high)."""


@dataclass
class SaveResult:
    outcome: str  # 'new' | 'changed' | 'unchanged'
    revision: int
    changed_fields: list[str] = field(default_factory=list)
    chars_added: int = 0
    chars_removed: int = 0


# --------------------------------------------------------------------------- time


def iso_utc(value: str | datetime | None = None) -> str:
    """ISO-8601 UTC with 'Z', seconds precision. None = now. Naive values are taken as UTC;
    a date alone ('2020-10-07') is its midnight."""
    if value is None:
        dt = datetime.now(UTC)
    elif isinstance(value, datetime):
        dt = value
    else:
        dt = datetime.fromisoformat(value.strip())
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def check_interval(age: timedelta) -> timedelta:
    """How long until an article of this age is looked at again (no jitter)."""
    for bound, interval in CHECK_INTERVALS:
        if bound is None or age < bound:
            return interval
    raise AssertionError("CHECK_INTERVALS must end with an unbounded row")


def next_check_at(article_id: str, now: str, reference: str | None) -> str:
    """now + interval(now - reference), plus up to JITTER of it chosen by the id's hash."""
    now_dt = _parse(iso_utc(now))
    ref = _parse(reference) or now_dt
    age = max(now_dt - ref, timedelta(0))
    interval = check_interval(age)
    spread = int.from_bytes(hashlib.sha256(article_id.encode()).digest()[:4], "big") / 2**32
    return iso_utc(now_dt + interval * (1 + JITTER * spread))


# --------------------------------------------------------------------------- revision rule


def _category(text: str | None) -> str | None:
    if not text:
        return None
    parts = [clean(p) for p in text.split(">>")]
    return " >> ".join(p for p in parts if p) or None


def revision_content(article: Article) -> dict:
    """The normalised content of an article: what a revision is made of.

    Strings NFC, &nbsp; as space, zero-width characters dropped, whitespace collapsed, empty
    paragraphs and captions dropped; published_raw only counts when published is None;
    image and attachment URLs compared as scraper.urls.file_key. Related links, body links
    that are not attachments, alt texts, url and site are not content.
    """
    published = clean_or_none(article.published)
    return {
        "title": clean_or_none(article.title),
        "published": published,
        "published_raw": None if published else clean_or_none(article.published_raw),
        "captions": [c for c in map(clean, article.captions or ()) if c],
        "body": clean_block(article.body) or None,
        "source": clean_or_none(article.source),
        "category": _category(article.category),
        "images": [file_key(img.url) for img in article.images or () if img.url],
        "attachments": [file_key(link.url) for link in article.attachments if link.url],
    }


def _hash_content(content: dict) -> str:
    content = {k: v for k, v in content.items() if k not in NOT_HASHED}
    data = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def content_hash(article: Article) -> str:
    """sha256 of the canonical JSON of revision_content(article)."""
    return _hash_content(revision_content(article))


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
            a = [w for p in old[i1:i2] for w in p.split()]
            b = [w for p in new[j1:j2] for w in p.split()]
            plus, minus = _word_diff(a, b)
            added += plus
            removed += minus
    return added, removed


# --------------------------------------------------------------------------- archive


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Archive:
    """The archive database. One sqlite_utils.Database (`db`); not thread-safe.

    Opening creates the tables or adds missing columns, sets WAL, foreign keys on and
    synchronous=NORMAL. Use `with Archive(path) as archive:` or call close().
    """

    def __init__(self, path: str | Path, *, any_thread: bool = False):
        """any_thread: the connection may be used from another thread than the one that
        opened it (the crawl writes from one archive thread; never from two at once)."""
        self.path = Path(path)
        connection = sqlite3.connect(self.path, check_same_thread=not any_thread)
        self.db = sqlite_utils.Database(connection)
        self._own_runs: set[int] = set()
        self._codecs: dict[int, tuple] = {}  # page dictionary id -> (compressor, decompressor)
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA busy_timeout = 10000")
        self.db.enable_wal()
        self.db.execute("PRAGMA synchronous = NORMAL")
        self._migrate()

    # ------------------------------------------------------------------ schema

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise SchemaError(
                f"{self.path} has schema version {version}; this scraper knows {SCHEMA_VERSION}"
            )
        with self.db.atomic():
            for name, (columns, constraints) in TABLES.items():
                if not self.db.execute(
                    "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", [name]
                ).fetchone():
                    lines = [f"[{col}] {decl}" for col, decl in columns] + constraints
                    self.db.execute(f"CREATE TABLE [{name}] (\n  " + ",\n  ".join(lines) + "\n)")
                    continue
                have = {row[1] for row in self.db.execute(f"PRAGMA table_info([{name}])")}
                for col, decl in columns:
                    if col not in have:
                        decl = decl.replace("PRIMARY KEY", "").replace("NOT NULL", "")
                        self.db.execute(f"ALTER TABLE [{name}] ADD COLUMN [{col}] {decl}")
            for index, table, cols in INDEXES:
                self.db.execute(f"CREATE INDEX IF NOT EXISTS [{index}] ON [{table}] ({cols})")
            if version != SCHEMA_VERSION:
                self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        from scraper.views import ensure_analysis  # search indexes, views (scraper/views.py)

        ensure_analysis(self.db)

    def close(self) -> None:
        try:
            self.db.execute("PRAGMA optimize")
        finally:
            self.db.close()

    def checkpoint(self) -> None:
        """Fold the WAL into the main file (after a big batch)."""
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _one(self, sql: str, params: Iterable[Any] = ()) -> tuple | None:
        return self.db.execute(sql, list(params)).fetchone()

    def _dicts(self, sql: str, params: Iterable[Any] = ()) -> list[dict]:
        cursor = self.db.execute(sql, list(params))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    # ------------------------------------------------------------------ runs

    def start_run(self, options: dict) -> int:
        with self.db.atomic():
            cursor = self.db.execute(
                "INSERT INTO runs (started_at, status, pid, options) VALUES (?, 'running', ?, ?)",
                [iso_utc(), os.getpid(), _json(options)],
            )
        run_id = cursor.lastrowid
        self._own_runs.add(run_id)
        return run_id

    def finish_run(self, run_id: int, status: str, counts: dict[str, int]) -> None:
        if status not in RUN_STATUSES or status == "running":
            raise ValueError(f"bad run status {status!r}")
        unknown = set(counts) - set(RUN_COUNTS)
        if unknown:
            raise ValueError(f"unknown run counts {sorted(unknown)}")
        sets = "".join(f", [{name}] = ?" for name in counts)
        with self.db.atomic():
            self.db.execute(
                f"UPDATE runs SET finished_at = ?, status = ?{sets} WHERE id = ?",
                [iso_utc(), status, *(int(v) for v in counts.values()), run_id],
            )
        self._own_runs.discard(run_id)

    def mark_interrupted_runs(self) -> list[int]:
        """Runs still 'running' that this Archive did not start -> 'interrupted' (finished_at =
        their last fetch, else their start). Call it while holding scraper.lock: then no other
        live process can own a run (pids are not checked: they get reused). Returns their ids."""
        ids = [
            row[0]
            for row in self.db.execute("SELECT id FROM runs WHERE status = 'running'")
            if row[0] not in self._own_runs
        ]
        with self.db.atomic():
            for run_id in ids:
                self.db.execute(
                    "UPDATE runs SET status = 'interrupted', finished_at = COALESCE("
                    "(SELECT MAX(fetched_at) FROM fetches WHERE run_id = ?), started_at) "
                    "WHERE id = ?",
                    [run_id, run_id],
                )
        return ids

    # ------------------------------------------------------------------ raw pages

    def store_page(self, content: bytes, content_type: str, site: str | None = None) -> str:
        """Keep a page's raw bytes once (content-addressed); returns their sha256. With a
        site, the page is compressed with that site's zstd dictionary (made from the first
        page stored for it)."""
        sha = hashlib.sha256(content).hexdigest()
        if self._one("SELECT 1 FROM pages WHERE sha256 = ?", [sha]):
            return sha
        with self.db.atomic():
            if site is None:
                codec, dict_id, data = "zlib", None, zlib.compress(content, 6)
            else:
                dict_id, compressor, _ = self._page_codec(site, content)
                codec, data = "zstd", compressor.compress(content)
            self.db.execute(
                "INSERT OR IGNORE INTO pages (sha256, size, stored, content_type, data, codec, "
                "dict_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [sha, len(content), len(data), content_type, data, codec, dict_id],
            )
        return sha

    def load_page(self, sha: str) -> bytes:
        row = self._one("SELECT data, codec, dict_id FROM pages WHERE sha256 = ?", [sha])
        if row is None:
            raise KeyError(sha)
        data, codec, dict_id = row
        if codec == "zstd":
            return self._dictionary(dict_id)[1].decompress(data)
        return zlib.decompress(data)

    def _page_codec(self, site: str, sample: bytes):
        """(dict_id, compressor, decompressor) for a site; the first page makes the dictionary."""
        row = self._one("SELECT id FROM page_dicts WHERE site = ? ORDER BY id LIMIT 1", [site])
        if row is None:
            self.db.execute(
                "INSERT INTO page_dicts (site, created_at, data) VALUES (?, ?, ?)",
                [site, iso_utc(), zlib.compress(sample, 9)],
            )
            row = self._one("SELECT id FROM page_dicts WHERE site = ? ORDER BY id LIMIT 1", [site])
        compressor, decompressor = self._dictionary(row[0])
        return row[0], compressor, decompressor

    def _dictionary(self, dict_id: int):
        cached = self._codecs.get(dict_id)
        if cached is None:
            import zstandard

            row = self._one("SELECT data FROM page_dicts WHERE id = ?", [dict_id])
            if row is None:
                raise KeyError(f"page dictionary {dict_id}")
            dictionary = zstandard.ZstdCompressionDict(
                zlib.decompress(row[0]), dict_type=zstandard.DICT_TYPE_RAWCONTENT
            )
            cached = self._codecs[dict_id] = (
                zstandard.ZstdCompressor(level=3, dict_data=dictionary),
                zstandard.ZstdDecompressor(dict_data=dictionary),
            )
        return cached

    def record_fetch(
        self,
        run_id: int | None,
        url: str,
        method: str,
        status: int | None,
        fetched_at: str,
        elapsed_ms: int | None,
        nbytes: int | None,
        attempts: int | None,
        error: str | None = None,
        page_sha: str | None = None,
    ) -> int:
        with self.db.atomic():
            cursor = self.db.execute(
                "INSERT INTO fetches (run_id, url, method, status, fetched_at, elapsed_ms, "
                "bytes, attempts, error, page_sha) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    run_id,
                    url,
                    method,
                    status,
                    iso_utc(fetched_at),
                    elapsed_ms,
                    nbytes,
                    attempts,
                    error,
                    page_sha,
                ],
            )
        return cursor.lastrowid

    # ------------------------------------------------------------------ articles

    def save_article(
        self,
        article: Article,
        *,
        fetched_at: str,
        page_sha: str | None,
        run_id: int | None,
    ) -> SaveResult:
        """Store one successful extraction: a new article (revision 1), a new revision when
        its content hash differs from the latest one, else 'unchanged' (last_seen, page_sha,
        misses, status, next_check_at and url refreshed). The article's links are replaced
        by article.links in every case. One transaction."""
        if not article.id:
            raise ValueError(f"article without id: {article.url}")
        now = iso_utc(fetched_at)
        content = revision_content(article)
        chash = _hash_content(content)
        with self.db.atomic():
            row = self._one(
                "SELECT revision, content_hash, first_seen, last_changed, published "
                "FROM articles WHERE id = ?",
                [article.id],
            )
            if row is None:
                added = _chars(w for p in text_paragraphs(content) for w in p.split())
                result = SaveResult("new", 1, [], added, 0)
                ref = content["published"] or now
                self.db.execute(
                    "INSERT INTO articles (id, url, site, category, title, published, "
                    "published_raw, body, source, captions, first_seen, last_seen, "
                    "last_changed, revision, status, content_hash, page_sha, misses, "
                    "next_check_at) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 'live', ?, ?, 0, ?)",
                    [
                        article.id,
                        article.url,
                        article.site,
                        content["category"],
                        content["title"],
                        content["published"],
                        clean_or_none(article.published_raw),
                        content["body"],
                        content["source"],
                        _json(content["captions"]),
                        now,
                        now,
                        now,
                        chash,
                        page_sha,
                        next_check_at(article.id, now, ref),
                    ],
                )
                self._write_revision_rows(article, content, chash, result, now, page_sha, run_id)
            else:
                revision, old_hash, first_seen, last_changed, published = row
                result = None
                if old_hash != chash:
                    old = self._revision_content(article.id, revision)
                    if _hash_content(old) == chash:  # the rule changed, the content did not
                        self.db.execute(
                            "UPDATE articles SET content_hash = ? WHERE id = ?",
                            [chash, article.id],
                        )
                    else:
                        fields = changed_fields(old, content)
                        plus, minus = diff_chars(text_paragraphs(old), text_paragraphs(content))
                        result = SaveResult("changed", revision + 1, fields, plus, minus)
                if result is None:
                    result = SaveResult("unchanged", revision)
                    ref = last_changed if revision > 1 else (published or first_seen)
                    self.db.execute(
                        "UPDATE articles SET last_seen = ?, page_sha = ?, misses = 0, "
                        "last_miss_run = NULL, status = 'live', next_check_at = ?, url = ? "
                        "WHERE id = ?",
                        [
                            now,
                            page_sha,
                            next_check_at(article.id, now, ref),
                            article.url,
                            article.id,
                        ],
                    )
                else:
                    self.db.execute(
                        "UPDATE articles SET url = ?, site = ?, category = ?, title = ?, "
                        "published = ?, published_raw = ?, body = ?, source = ?, captions = ?, "
                        "last_seen = ?, last_changed = ?, revision = ?, status = 'live', "
                        "content_hash = ?, page_sha = ?, misses = 0, last_miss_run = NULL, "
                        "next_check_at = ? WHERE id = ?",
                        [
                            article.url,
                            article.site,
                            content["category"],
                            content["title"],
                            content["published"],
                            clean_or_none(article.published_raw),
                            content["body"],
                            content["source"],
                            _json(content["captions"]),
                            now,
                            now,
                            result.revision,
                            chash,
                            page_sha,
                            next_check_at(article.id, now, now),
                            article.id,
                        ],
                    )
                    self._write_revision_rows(
                        article, content, chash, result, now, page_sha, run_id
                    )
            self._replace_links(article.id, article.links)
        return result

    def _write_revision_rows(
        self,
        article: Article,
        content: dict,
        chash: str,
        result: SaveResult,
        now: str,
        page_sha: str | None,
        run_id: int | None,
    ) -> None:
        self.db.execute(
            "INSERT INTO revisions (article_id, revision, fetched_at, content_hash, title, "
            "published, published_raw, body, source, captions, category, changed_fields, "
            "chars_added, chars_removed, page_sha, run_id, attachments) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                article.id,
                result.revision,
                now,
                chash,
                content["title"],
                content["published"],
                clean_or_none(article.published_raw),
                content["body"],
                content["source"],
                _json(content["captions"]),
                content["category"],
                _json(result.changed_fields),
                result.chars_added,
                result.chars_removed,
                page_sha,
                run_id,
                _json([link.url for link in article.attachments if link.url]),
            ],
        )
        images = [img for img in article.images or () if img.url]
        if images:
            self.db.conn.executemany(
                "INSERT INTO images (article_id, revision, position, url, caption, alt) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        article.id,
                        result.revision,
                        pos,
                        img.url,
                        clean_or_none(img.caption),
                        clean_or_none(img.alt),
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
        row = self._one(
            "SELECT title, published, published_raw, body, source, captions, category, "
            "attachments FROM revisions WHERE article_id = ? AND revision = ?",
            [article_id, n],
        )
        if row is None:
            return None
        title, published, published_raw, body, source, captions, category, attachments = row
        images = [
            Image(url, caption, alt)
            for url, caption, alt in self.db.execute(
                "SELECT url, caption, alt FROM images WHERE article_id = ? AND revision = ? "
                "ORDER BY position",
                [article_id, n],
            )
        ]
        links = [Link("attachment", url) for url in json.loads(attachments or "[]")]
        return Article(
            id=article_id,
            url="",
            category=category,
            title=title,
            published=published,
            published_raw=published_raw,
            body=body,
            source=source,
            captions=json.loads(captions or "[]"),
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
            row = self._one(
                "SELECT revision, first_seen, last_changed, published FROM articles WHERE id = ?",
                [article_id],
            )
            if row is None:
                raise KeyError(article_id)
            revision, first_seen, last_changed, published = row
            ref = last_changed if revision > 1 else (published or first_seen)
            self.db.execute(
                "UPDATE articles SET last_seen = ?, page_sha = ?, misses = 0, "
                "last_miss_run = NULL, status = 'live', next_check_at = ? WHERE id = ?",
                [now, page_sha, next_check_at(article_id, now, ref), article_id],
            )
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
                [misses, run_id, new_status, iso_utc(_parse(now) + MISS_RECHECK), article_id],
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

    def _ids_where(self, sql: str, ids: Iterable[str]) -> set[str]:
        ids = list(dict.fromkeys(ids))
        found: set[str] = set()
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            query = sql.format(marks=",".join("?" * len(chunk)))
            found.update(row[0] for row in self.db.execute(query, chunk))
        return found

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
        for key in ("captions", "changed_fields", "attachments"):
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
        """The id of the article named by its id, its canonical URL, or (TT CMS) any URL with
        its host and tc. None when unknown."""
        text = id_or_url.strip()
        if "://" not in text:
            row = self._one("SELECT id FROM articles WHERE id = ?", [text])
            return row[0] if row else None
        row = self._one("SELECT id FROM articles WHERE url = ? LIMIT 1", [canonical(text)])
        if row:
            return row[0]
        tc = query_params(text).get("tc", "").strip()
        if tc.isdigit():
            row = self._one(
                "SELECT id FROM articles WHERE id = ?", [f"{id_host(host_of(text))}/{int(tc)}"]
            )
            if row:
                return row[0]
        return None

    # ------------------------------------------------------------------ frontier

    def frontier_add(
        self, items: Iterable[tuple[str, str, str, str | None]], run_id: int | None
    ) -> int:
        """Insert (key, url, kind, site) items as 'pending'; existing keys are left alone
        (whatever their state: only frontier_reset puts a done item back). Returns how many
        were new."""
        now = iso_utc()
        rows = []
        for key, url, kind, site in items:
            if kind not in FRONTIER_KINDS:
                raise ValueError(f"bad frontier kind {kind!r}")
            rows.append((key, url, kind, site, run_id, now))
        if not rows:
            return 0
        with self.db.atomic():
            before = self.db.conn.total_changes
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO frontier (key, url, kind, site, state, run_id, added_at, "
                "attempts) VALUES (?, ?, ?, ?, 'pending', ?, ?, 0)",
                rows,
            )
            return self.db.conn.total_changes - before

    def frontier_pending(self, site: str | None = None, kind: str | None = None) -> list[dict]:
        """Pending items (all columns) in the order they were added."""
        sql = "SELECT * FROM frontier WHERE state = 'pending'"
        params: list[Any] = []
        if site is not None:
            sql += " AND site = ?"
            params.append(site)
        if kind is not None:
            sql += " AND kind = ?"
            params.append(kind)
        return self._dicts(sql + " ORDER BY rowid", params)

    def frontier_done(self, key: str, state: str = "done", error: str | None = None) -> None:
        """Mark an item 'done' or 'failed' (attempts + 1, error kept)."""
        if state not in FRONTIER_STATES:
            raise ValueError(f"bad frontier state {state!r}")
        with self.db.atomic():
            self.db.execute(
                "UPDATE frontier SET state = ?, error = ?, attempts = attempts + 1 WHERE key = ?",
                [state, error, key],
            )

    def frontier_reset(
        self, keys: Iterable[str] | None = None, *, states: Iterable[str] = ("done", "failed")
    ) -> int:
        """Put items back to 'pending' (the given keys, else every item in `states`)."""
        states = list(states)
        marks = ",".join("?" * len(states))
        total = 0
        with self.db.atomic():
            if keys is None:
                total = self.db.execute(
                    f"UPDATE frontier SET state = 'pending', error = NULL WHERE state IN ({marks})",
                    states,
                ).rowcount
            else:
                keys = list(keys)
                for start in range(0, len(keys), _CHUNK):
                    chunk = keys[start : start + _CHUNK]
                    total += self.db.execute(
                        f"UPDATE frontier SET state = 'pending', error = NULL "
                        f"WHERE state IN ({marks}) AND key IN ({','.join('?' * len(chunk))})",
                        states + chunk,
                    ).rowcount
        return total

    def frontier_clear_done(self) -> int:
        """Delete 'done' items (at the end of a complete run); failed ones stay."""
        with self.db.atomic():
            return self.db.execute("DELETE FROM frontier WHERE state = 'done'").rowcount

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
