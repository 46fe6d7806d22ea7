"""The archive: schema contract, revision rule, schedule, raw pages, misses, frontier, runs."""

from __future__ import annotations

import sqlite3
import unicodedata
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from scraper import store
from scraper.models import Article, Image, Link
from scraper.store import (
    Archive,
    SchemaError,
    check_interval,
    content_hash,
    diff_chars,
    iso_utc,
    next_check_at,
    revision_content,
)

SITE = "127.0.0.1:8123"
T0 = "2024-05-02T08:00:00Z"
T1 = "2024-05-03T08:00:00Z"
T2 = "2024-05-04T08:00:00Z"


def make_article(n: int = 57, **changes) -> Article:
    article = Article(
        id=f"{SITE}/{n}",
        url=f"http://{SITE}/?cn=28&gd=1&tc={n}",
        site=SITE,
        category="Tin tức >> Tin trong tỉnh",
        title="Hội nghị tổng kết công tác chuyển đổi số năm 2023",
        published="2024-04-30",
        published_raw="30/04/2024",
        body=(
            "Sáng nay, Sở Thông tin và Truyền thông tổ chức hội nghị tổng kết.\n\n"
            "Các đại biểu đã thảo luận về kế hoạch triển khai trong năm tới.\n\n"
            "Hội nghị kết thúc vào buổi trưa cùng ngày.\n\n"
            "Minh Anh"
        ),
        source="Minh Anh",
        captions=["Quang cảnh hội nghị"],
        images=[
            Image(
                f"http://{SITE}/UploadFiles/TinTuc/2024/4/30/hoi%20nghi.jpg", "Quang cảnh hội nghị"
            ),
            Image(f"http://{SITE}/UploadFiles/TinTuc/2024/4/30/dai-bieu.jpg", None, "đại biểu"),
        ],
        links=[
            Link("attachment", f"http://{SITE}/UploadFiles/TinTuc/2024/kehoach.pdf", "Kế hoạch"),
            Link("body", "https://example.org/trang", "trang ngoài"),
            Link("same_group", f"http://{SITE}/?cn=28&gd=1&tc=50", "Tin A", f"{SITE}/50"),
            Link(
                "other_news",
                f"http://{SITE}/?cn=28&gd=1&tc=40",
                "Tin B",
                f"{SITE}/40",
                "2024-04-01",
            ),
        ],
    )
    return replace(article, **changes)


@pytest.fixture
def archive(tmp_path):
    arch = Archive(tmp_path / "archive.db")
    yield arch
    arch.close()


def save(archive, article, at=T0, run_id=None, page_sha=None):
    return archive.save_article(article, fetched_at=at, page_sha=page_sha, run_id=run_id)


def rows(archive, sql, params=()):
    return archive.db.execute(sql, list(params)).fetchall()


# ----------------------------------------------------------------- schema


# fmt: off
EXPECTED_COLUMNS = {
    "articles": [
        "id", "url", "site", "category", "title", "published", "published_raw", "body",
        "source", "captions", "first_seen", "last_seen", "last_changed", "revision", "status",
        "content_hash", "page_sha", "misses", "next_check_at", "last_miss_run", "profile",
        "published_source",
    ],
    "revisions": [
        "article_id", "revision", "fetched_at", "content_hash", "title", "published",
        "published_raw", "body", "source", "captions", "category", "changed_fields",
        "chars_added", "chars_removed", "page_sha", "run_id", "attachments", "profile",
        "published_source", "stored_at", "origin", "extractor_version",
    ],
    "aliases": ["alias_id", "article_id", "url", "first_seen"],
    "images": ["article_id", "revision", "position", "url", "caption", "alt"],
    "links": ["article_id", "position", "kind", "url", "target_id", "text", "date"],
    "runs": [
        "id", "started_at", "finished_at", "status", "pid", "options", "fetched", "new",
        "changed", "unchanged", "gone", "failed", "alarms",
    ],
    "run_sites": [
        "run_id", "site", "profile", "pages", "listing_pages", "failures", "unreachable",
        "error", "articles", "stored", "new", "fill", "alarms",
    ],
    "fetches": [
        "id", "run_id", "url", "method", "status", "fetched_at", "elapsed_ms", "bytes",
        "attempts", "error", "page_sha",
    ],
    "pages": ["sha256", "size", "stored", "content_type", "data", "codec", "dict_id"],
    "page_dicts": ["id", "site", "created_at", "data"],
    "frontier": [
        "key", "url", "kind", "site", "state", "run_id", "added_at", "attempts", "error",
    ],
    "captures": [
        "id", "url", "fetched_at", "origin", "digest", "status", "page_sha", "article_id",
        "source", "outcome", "run_id", "stored_at",
    ],
    "derivations": [
        "article_id", "revision", "extractor_version", "derived_at", "page_sha",
        "content_hash", "title", "published", "published_raw", "body", "source", "captions",
        "category", "attachments", "profile", "published_source", "changed_fields",
    ],
}
# fmt: on

EXPECTED_PKS = {
    "articles": ["id"],
    "revisions": ["article_id", "revision"],
    "images": ["article_id", "revision", "position"],
    "links": ["article_id", "position"],
    "runs": ["id"],
    "fetches": ["id"],
    "pages": ["sha256"],
    "page_dicts": ["id"],
    "frontier": ["key"],
    "aliases": ["alias_id"],
    "captures": ["id"],
    "derivations": ["article_id", "revision", "extractor_version"],
    "run_sites": ["run_id", "site"],
}


def test_schema_columns_and_keys_are_the_contract(archive):
    # the contract's tables, plus the full-text indexes' own tables (scraper/search.py)
    assert set(EXPECTED_COLUMNS) <= set(archive.db.table_names())
    for table, columns in EXPECTED_COLUMNS.items():
        assert list(archive.db[table].columns_dict) == columns, table
        assert list(archive.db[table].pks) == EXPECTED_PKS[table], table


def test_pragmas_indexes_and_integrity(archive):
    db = archive.db
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert db.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION >= 1
    indexed = {(t.name, ix.columns[0]) for t in db.tables for ix in t.indexes}
    for expected in [
        ("articles", "site"),
        ("articles", "next_check_at"),
        ("articles", "url"),
        ("fetches", "run_id"),
        ("frontier", "state"),
    ]:
        assert expected in indexed
    save(archive, make_article())
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_reopen_keeps_data_and_adds_missing_columns(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE articles (id TEXT PRIMARY KEY, url TEXT, title TEXT)")
    conn.execute("INSERT INTO articles (id, url, title) VALUES ('a/1', 'http://a/?tc=1', 'x')")
    conn.commit()
    conn.close()
    with Archive(path) as arch:
        assert set(arch.db["articles"].columns_dict) == set(EXPECTED_COLUMNS["articles"])
        assert rows(arch, "SELECT id, title, misses, status FROM articles") == [
            ("a/1", "x", 0, "live")
        ]
        assert arch.db.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
        save(arch, make_article())
    with Archive(path) as arch:
        assert arch.known_ids(["a/1", f"{SITE}/57", "nope"]) == {"a/1", f"{SITE}/57"}


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(SchemaError):
        Archive(path)


def test_read_only_archive_reads_and_refuses_what_is_not_ours(tmp_path):
    from scraper.errors import ArchiveError

    path = tmp_path / "a.db"
    with Archive(path) as arch:
        save(arch, make_article())
    reader = Archive.read_only(path)
    try:
        assert reader.known_ids([f"{SITE}/57"]) == {f"{SITE}/57"}
        assert not reader.writable and not reader.immutable
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.db.execute("DELETE FROM articles")
    finally:
        reader.close()
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(ArchiveError, match="not a scrape archive"):
        Archive.read_only(other)
    with pytest.raises(ArchiveError, match="not a scrape archive"):
        Archive(other)  # the writer refuses it too, and leaves it as it was
    assert sqlite3.connect(other).execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    text = tmp_path / "notes.txt"
    text.write_text("không phải SQLite", encoding="utf-8")
    for opener in (Archive, Archive.read_only):
        with pytest.raises(ArchiveError, match="not an SQLite database"):
            opener(text)


def test_schema_error_is_an_archive_error():
    from scraper import errors

    assert SchemaError is errors.SchemaError and store.ArchiveError is errors.ArchiveError
    assert issubclass(SchemaError, errors.ArchiveError)
    assert issubclass(errors.ArchiveError, errors.ScraperError)


# ----------------------------------------------------------------- revisions


def test_new_changed_unchanged(archive):
    first = save(archive, make_article(), T0, page_sha="p1")
    assert (first.outcome, first.revision, first.changed_fields) == ("new", 1, [])
    assert first.chars_added > 0 and first.chars_removed == 0

    same = save(archive, make_article(), T1, page_sha="p2")
    assert (same.outcome, same.revision) == ("unchanged", 1)

    edited = make_article(title="Hội nghị tổng kết công tác chuyển đổi số năm 2024")
    changed = save(archive, edited, T2, page_sha="p3")
    assert (changed.outcome, changed.revision, changed.changed_fields) == ("changed", 2, ["title"])

    (row,) = archive._dicts("SELECT * FROM articles")
    assert row["revision"] == 2 and row["status"] == "live" and row["misses"] == 0
    assert row["title"].endswith("2024")
    assert (row["first_seen"], row["last_seen"], row["last_changed"]) == (T0, T2, T2)
    assert row["page_sha"] == "p3"
    assert row["content_hash"] == content_hash(edited)
    history = archive.history(f"{SITE}/57")
    assert [h["revision"] for h in history] == [1, 2]
    assert history[0]["title"].endswith("2023") and history[1]["changed_fields"] == ["title"]
    assert history[0]["captions"] == ["Quang cảnh hội nghị"]
    assert history[0]["attachments"] == [f"http://{SITE}/UploadFiles/TinTuc/2024/kehoach.pdf"]
    assert archive.revision(f"{SITE}/57", 3) is None


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


BASE = make_article()
NOT_A_CHANGE = {
    "extra whitespace": dict(
        title="  Hội nghị  tổng kết công tác\tchuyển đổi số năm 2023 ",
        body=BASE.body.replace("Sáng nay, ", "Sáng nay,   \n "),
    ),
    "nbsp": dict(title=BASE.title.replace(" ", "\u00a0"), captions=["Quang\u00a0cảnh hội nghị"]),
    "nfd": dict(title=nfd(BASE.title), body=nfd(BASE.body), captions=[nfd(BASE.captions[0])]),
    "zero width": dict(
        title=BASE.title.replace("tổng", "tổ\u200bng\ufeff"), source="Minh\u200c Anh"
    ),
    "empty paragraphs": dict(body=BASE.body.replace("\n\n", "\n\n \n\n\u00a0\n\n")),
    "empty caption": dict(captions=["Quang cảnh hội nghị", " ", "\u00a0"]),
    "date label form when parsed": dict(published_raw="30/4/2024"),
    "alt text": dict(images=[replace(BASE.images[0], alt="ảnh"), BASE.images[1]]),
    "file url spelling": dict(
        images=[
            Image(
                f"http://{SITE}/uploadfiles/tintuc/2024/4/30/Hoi Nghi.JPG", "Quang cảnh hội nghị"
            ),
            BASE.images[1],
        ]
    ),
    "related and body links": dict(
        links=[
            BASE.links[0],
            Link("body", "https://example.org/khac", "trang khác"),
            Link("same_group", f"http://{SITE}/?cn=28&gd=1&tc=51", "Tin C", f"{SITE}/51"),
        ]
    ),
    "url and site": dict(url=f"http://{SITE}/?gd=4&tc=57"),
}


@pytest.mark.parametrize("case", list(NOT_A_CHANGE))
def test_re_encoding_is_not_a_revision(archive, case):
    save(archive, BASE, T0)
    variant = make_article(**NOT_A_CHANGE[case])
    assert content_hash(variant) == content_hash(BASE)
    result = save(archive, variant, T1)
    assert (result.outcome, result.revision) == ("unchanged", 1)
    assert rows(archive, "SELECT COUNT(*) FROM revisions") == [(1,)]


def test_stored_strings_are_nfc(archive):
    save(archive, make_article(title=nfd(BASE.title), body=nfd(BASE.body)))
    title, body = rows(archive, "SELECT title, body FROM revisions")[0]
    assert title == BASE.title and body == BASE.body


@pytest.mark.parametrize(
    "changes, fields, added, removed",
    [
        (
            dict(body=BASE.body.replace("buổi trưa", "buổi chiều")),
            ["body"],
            len("chiều"),
            len("trưa"),
        ),
        (
            dict(body=BASE.body.replace("Minh Anh", "Các sở ngành phối hợp.\n\nMinh Anh")),
            ["body"],
            len("Cácsởngànhphốihợp."),
            0,
        ),
        (dict(captions=["Quang cảnh buổi hội nghị"]), ["captions"], len("buổi"), 0),
        (dict(published="2024-05-01", published_raw="01/05/2024"), ["published"], 0, 0),
        (dict(published=None, published_raw="31/02/2024"), ["published"], 0, 0),
        (dict(source="TĐKT", body=BASE.body.replace("Minh Anh", "TĐKT")), ["body", "source"], 4, 7),
        (dict(images=BASE.images[:1]), ["images"], 0, 0),
        (
            dict(links=[Link("attachment", f"http://{SITE}/UploadFiles/b.docx", "B")]),
            ["attachments"],
            0,
            0,
        ),
        (
            dict(title="Tổng kết chuyển đổi số", captions=[]),
            ["title", "captions"],
            len("Tổng"),
            len("Hộinghịtổngcôngtácnăm2023") + len("Quangcảnhhộinghị"),
        ),
    ],
)
def test_content_edits_make_revision_two(archive, changes, fields, added, removed):
    save(archive, BASE, T0)
    result = save(archive, make_article(**changes), T1, run_id=None)
    assert (result.outcome, result.revision, result.changed_fields) == ("changed", 2, fields)
    assert (result.chars_added, result.chars_removed) == (added, removed)
    rev = archive.revision(BASE.id, 2)
    assert rev["changed_fields"] == fields
    assert (rev["chars_added"], rev["chars_removed"]) == (added, removed)
    # and back to the original: revision 3, not a match against revision 1
    assert save(archive, BASE, T2).revision == 3


def test_revision_content_rules():
    content = revision_content(BASE)
    assert content["published_raw"] is None  # only counts when published is None
    assert revision_content(make_article(published=None))["published_raw"] == "30/04/2024"
    assert content["attachments"] == [f"{SITE}/uploadfiles/tintuc/2024/kehoach.pdf"]
    assert len(content["images"]) == 2
    assert "links" not in content and "url" not in content
    assert content_hash(make_article(category=" Tin tức>>Tin trong  tỉnh ")) == content_hash(BASE)


def test_diff_chars_on_long_bodies():
    old = [f"Đoạn văn số {i} nói về công tác chuyển đổi số của tỉnh." for i in range(300)]
    new = list(old)
    new[150] = new[150].replace("tỉnh", "thành phố")
    new.insert(10, "Một đoạn mới")
    del new[200]
    added, removed = diff_chars(old, new)
    assert added == len("thànhphố.") + len("Mộtđoạnmới")
    assert removed == len("tỉnh.") + sum(len(w) for w in old[199].split())
    # a complete rewrite of a long paragraph list stays correct (bag of words beyond the guard)
    rewritten = [" ".join(["chữ"] * 2000)] * 2
    assert diff_chars([" ".join(["từ"] * 2000)] * 2, rewritten) == (3 * 4000, 2 * 4000)


def test_links_replaced_without_revision(archive):
    save(archive, BASE, T0)
    assert [r[0] for r in rows(archive, "SELECT kind FROM links ORDER BY position")] == [
        "attachment",
        "body",
        "same_group",
        "other_news",
    ]
    fewer = make_article(links=[BASE.links[0], Link("same_group", f"http://{SITE}/?tc=9", "Tin D")])
    assert save(archive, fewer, T1).outcome == "unchanged"
    assert rows(archive, "SELECT position, kind, url, text FROM links ORDER BY position") == [
        (0, "attachment", BASE.links[0].url, "Kế hoạch"),
        (1, "same_group", f"http://{SITE}/?tc=9", "Tin D"),
    ]
    more = make_article(links=BASE.links + [Link("other_news", f"http://{SITE}/?tc=8", "Tin E")])
    save(archive, more, T2)
    assert rows(archive, "SELECT COUNT(*) FROM links") == [(5,)]
    assert rows(archive, "SELECT COUNT(*) FROM revisions") == [(1,)]


def test_images_stored_per_revision(archive):
    save(archive, BASE, T0)
    save(archive, make_article(images=[Image(f"http://{SITE}/UploadFiles/moi.png", "Ảnh mới")]), T1)
    assert rows(archive, "SELECT revision, position, caption, alt FROM images ORDER BY 1, 2") == [
        (1, 0, "Quang cảnh hội nghị", None),
        (1, 1, None, "đại biểu"),
        (2, 0, "Ảnh mới", None),
    ]
    assert [img["url"] for img in archive.revision(BASE.id, 2)["images"]] == [
        f"http://{SITE}/UploadFiles/moi.png"
    ]


def test_save_is_one_transaction(archive, monkeypatch):
    def boom(*args):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(archive, "_replace_links", boom)
    with pytest.raises(RuntimeError):
        save(archive, BASE)
    for table in ("articles", "revisions", "images", "links"):
        assert rows(archive, f"SELECT COUNT(*) FROM {table}") == [(0,)], table


def test_touch_and_last_page_sha(archive):
    assert archive.last_page_sha(BASE.id) is None
    save(archive, BASE, T0, page_sha="aa")
    assert archive.last_page_sha(BASE.id) == "aa"
    result = archive.touch_article(BASE.id, fetched_at=T2, page_sha="aa")
    assert (result.outcome, result.revision) == ("unchanged", 1)
    assert rows(archive, "SELECT last_seen FROM articles") == [(T2,)]
    with pytest.raises(KeyError):
        archive.touch_article("nope/1", fetched_at=T2, page_sha="aa")


def test_save_requires_an_id(archive):
    with pytest.raises(ValueError):
        save(archive, make_article(id=None))


# ----------------------------------------------------------------- pages and fetches


def test_pages_deduplicated_and_round_trip(archive):
    page = ("<html>" + "Thừa Thiên Huế " * 500 + "</html>").encode()
    sha = archive.store_page(page, "text/html; charset=utf-8")
    assert archive.store_page(page, "text/html; charset=utf-8") == sha
    assert rows(archive, "SELECT COUNT(*) FROM pages") == [(1,)]
    size, stored, ctype = rows(archive, "SELECT size, stored, content_type FROM pages")[0]
    assert size == len(page) and stored < size and ctype.startswith("text/html")
    assert archive.load_page(sha) == page
    other = archive.store_page(b"%PDF-1.4", "application/pdf")
    assert other != sha and archive.load_page(other) == b"%PDF-1.4"
    with pytest.raises(KeyError):
        archive.load_page("0" * 64)


def test_record_fetch(archive):
    run = archive.start_run({})
    fid = archive.record_fetch(run, "http://x/", "GET", 200, T0, 12, 3456, 1, page_sha="ab")
    archive.record_fetch(run, "http://x/2", "POST", None, T0, 0, 0, 3, "timeout")
    assert rows(archive, "SELECT id, method, status, bytes, error FROM fetches ORDER BY id") == [
        (fid, "GET", 200, 3456, None),
        (fid + 1, "POST", None, 0, "timeout"),
    ]


# ----------------------------------------------------------------- misses, schedule


def test_record_missing_gone_only_after_two_runs(archive):
    save(archive, BASE, T0)
    save(archive, make_article(title="Tiêu đề đã sửa"), T1)
    run1, run2, run3 = (archive.start_run({}) for _ in range(3))
    assert archive.record_missing(BASE.id, run_id=run1, fetched_at=T1) is False
    assert archive.record_missing(BASE.id, run_id=run1, fetched_at=T1) is False  # same run
    assert rows(archive, "SELECT misses, status FROM articles") == [(1, "live")]
    assert archive.record_missing(BASE.id, run_id=run2, fetched_at=T2) is True
    assert rows(archive, "SELECT misses, status FROM articles") == [(2, "gone")]
    assert archive.record_missing(BASE.id, run_id=run3, fetched_at=T2) is False  # already gone
    assert rows(archive, "SELECT COUNT(*) FROM revisions") == [(2,)]
    assert rows(archive, "SELECT COUNT(*) FROM links") == [(4,)]
    assert archive.due_for_check(SITE, "2030-01-01T00:00:00Z") == []  # gone is not re-checked
    assert archive.record_missing("nope/1", run_id=run3, fetched_at=T2) is False
    # it comes back: live again, misses reset
    assert save(archive, make_article(title="Tiêu đề đã sửa"), T2).outcome == "unchanged"
    assert rows(archive, "SELECT misses, status FROM articles") == [(0, "live")]


def test_a_miss_reset_by_a_successful_fetch(archive):
    save(archive, BASE, T0)
    run1, run2 = archive.start_run({}), archive.start_run({})
    archive.record_missing(BASE.id, run_id=run1, fetched_at=T0)
    save(archive, BASE, T1)
    assert archive.record_missing(BASE.id, run_id=run2, fetched_at=T2) is False
    assert rows(archive, "SELECT misses, status FROM articles") == [(1, "live")]


def _hours(a: str, b: str) -> float:
    return (datetime.fromisoformat(b) - datetime.fromisoformat(a)) / timedelta(hours=1)


def test_check_interval_table():
    assert check_interval(timedelta(hours=1)) == timedelta(hours=6)
    assert check_interval(timedelta(days=3)) == timedelta(days=1)
    assert check_interval(timedelta(days=10)) == timedelta(days=3)
    assert check_interval(timedelta(days=100)) == timedelta(days=14)
    assert check_interval(timedelta(days=4000)) == timedelta(days=60)
    due = next_check_at("a/1", T0, "2024-04-28")
    assert 24 <= _hours(T0, due) <= 24 * 1.1
    assert next_check_at("a/1", T0, "2024-04-28") == due  # deterministic
    assert 6 <= _hours(T0, next_check_at("a/1", T0, "2024-05-01")) <= 6.6  # 32 hours old
    spread = {next_check_at(f"a/{i}", T0, None) for i in range(20)}
    assert len(spread) > 10
    assert all(6 <= _hours(T0, t) <= 6.6 for t in spread)


def test_due_for_check_respects_the_schedule(archive):
    fresh = make_article(1, published="2024-04-28")
    old = make_article(2, published="2020-01-01")
    undated = make_article(3, published=None, published_raw=None)
    other_site = make_article(4, site="other.example")
    for article in (fresh, old, undated, other_site):
        save(archive, article, T0)
    schedule = dict(rows(archive, "SELECT id, next_check_at FROM articles"))
    assert 24 <= _hours(T0, schedule[fresh.id]) <= 24 * 1.1
    assert 60 * 24 <= _hours(T0, schedule[old.id]) <= 66 * 24
    assert 6 <= _hours(T0, schedule[undated.id]) <= 6.6  # age from first_seen

    assert archive.due_for_check(SITE, T0) == []
    in_7h = iso_utc(datetime.fromisoformat(T0) + timedelta(hours=7))
    assert archive.due_for_check(SITE, in_7h) == [(undated.id, undated.url)]
    in_2d = iso_utc(datetime.fromisoformat(T0) + timedelta(days=2))
    assert archive.due_for_check(SITE, in_2d) == [(undated.id, undated.url), (fresh.id, fresh.url)]
    assert archive.due_for_check(SITE, in_2d, limit=1) == [(undated.id, undated.url)]
    assert len(archive.due_for_check(SITE, "2025-01-01T00:00:00Z")) == 3

    # a change restarts the clock from last_changed; an unchanged visit of an old one does not
    save(archive, replace(old, title="Sửa lại tiêu đề"), T1)
    assert (
        6
        <= _hours(T1, archive._one("SELECT next_check_at FROM articles WHERE id=?", [old.id])[0])
        <= 6.6
    )
    save(archive, fresh, T2)
    assert _hours(T2, dict(rows(archive, "SELECT id, next_check_at FROM articles"))[fresh.id]) >= 24


# ----------------------------------------------------------------- lookups


def test_known_ids_many(archive):
    for n in range(3):
        save(archive, make_article(n))
    asked = [f"{SITE}/{n}" for n in range(1200)]
    assert archive.known_ids(asked) == {f"{SITE}/0", f"{SITE}/1", f"{SITE}/2"}
    assert archive.known_ids([]) == set()


def test_find_article(archive):
    save(archive, BASE)
    assert archive.find_article(BASE.id) == BASE.id
    assert archive.find_article(BASE.url) == BASE.id
    assert archive.find_article(f"http://{SITE}/?tc=57&gd=1&amp;cn=28#x") == BASE.id
    assert archive.find_article(f"http://{SITE}/?gd=4&tc=57") == BASE.id  # other spelling
    assert archive.find_article(f"http://{SITE}/?gd=1&tc=58") is None
    assert archive.find_article("127.0.0.1:8123/999") is None


def test_iter_articles(archive):
    save(archive, make_article(1))
    save(archive, make_article(2, site="other.example"))
    assert [a["id"] for a in archive.iter_articles(SITE)] == [f"{SITE}/1"]
    assert [a["captions"] for a in archive.iter_articles()] == [["Quang cảnh hội nghị"]] * 2


# ----------------------------------------------------------------- frontier and runs


def test_frontier(archive):
    run1 = archive.start_run({})
    items = [
        ("s/1", "http://s/?tc=1", "article", "s"),
        ("s/2", "http://s/?tc=2", "article", "s"),
        ("http://s/?cn=2&gd=2", "http://s/?cn=2&gd=2", "listing", "s"),
        ("t/1", "http://t/?tc=1", "article", "t"),
    ]
    assert archive.frontier_add(items, run1) == 4
    assert archive.frontier_add(items[:2], run1) == 0
    assert [i["key"] for i in archive.frontier_pending(site="s", kind="article")] == ["s/1", "s/2"]
    assert len(archive.frontier_pending()) == 4
    archive.frontier_done("s/1")
    archive.frontier_done("s/2", state="failed", error="HTTP 500")
    run2 = archive.start_run({})
    assert archive.frontier_add(items[:2], run2) == 0  # done stays done
    assert [i["key"] for i in archive.frontier_pending(site="s")] == ["http://s/?cn=2&gd=2"]
    failed = rows(archive, "SELECT state, error, attempts FROM frontier WHERE key='s/2'")
    assert failed == [("failed", "HTTP 500", 1)]
    assert archive.frontier_reset(["s/2"]) == 1
    assert [i["key"] for i in archive.frontier_pending(kind="article")] == ["s/2", "t/1"]
    assert archive.frontier_clear_done() == 1
    assert rows(archive, "SELECT key FROM frontier WHERE key='s/1'") == []
    with pytest.raises(ValueError):
        archive.frontier_add([("x", "http://x/", "banana", "s")], run2)


def test_runs(tmp_path):
    path = tmp_path / "runs.db"
    with Archive(path) as dead:
        dead_run = dead.start_run({"site": ["http://a/"]})
        dead.record_fetch(dead_run, "http://a/", "GET", 200, T1, 5, 10, 1)
    with Archive(path) as arch:
        mine = arch.start_run({"full": True})
        assert arch.mark_interrupted_runs() == [dead_run]
        assert rows(arch, "SELECT status, finished_at FROM runs WHERE id=?", [dead_run]) == [
            ("interrupted", T1)
        ]
        arch.finish_run(mine, "ok", {"fetched": 3, "new": 2, "unchanged": 1})
        (row,) = arch._dicts("SELECT * FROM runs WHERE id=?", [mine])
        assert row["status"] == "ok" and row["finished_at"] and row["pid"] > 0
        assert (row["fetched"], row["new"], row["changed"], row["unchanged"]) == (3, 2, 0, 1)
        assert row["options"] == '{"full":true}'
        with pytest.raises(ValueError):
            arch.finish_run(mine, "ok", {"bogus": 1})
        with pytest.raises(ValueError):
            arch.finish_run(mine, "fine", {})


def test_iso_utc():
    assert iso_utc("2024-05-02T15:00:00+07:00") == "2024-05-02T08:00:00Z"
    assert iso_utc("2024-05-02T08:00:00.123456Z") == "2024-05-02T08:00:00Z"
    assert iso_utc("2024-05-02") == "2024-05-02T00:00:00Z"
    assert iso_utc().endswith("Z") and len(iso_utc()) == 20


def test_category_is_stored_as_the_profile_wrote_it(archive):
    # The site profile normalises its breadcrumb (scraper.sites.tt); the store knows no
    # separator and keeps the text it is given.
    category = "Tin tức>>Tin trong tỉnh"
    save(archive, make_article(category=category))
    assert rows(archive, "SELECT category FROM articles") == [(category,)]
    assert rows(archive, "SELECT category FROM revisions") == [(category,)]


def test_a_changed_breadcrumb_alone_makes_no_revision(archive):
    archive.save_article(BASE, fetched_at="2024-01-01T00:00:00Z", page_sha=None, run_id=None)
    moved = make_article(category="Tin tức >> Chuyển đổi số")
    result = archive.save_article(
        moved, fetched_at="2024-01-02T00:00:00Z", page_sha=None, run_id=None
    )
    assert result.outcome == "unchanged"
    assert len(archive.history(BASE.id)) == 1


def test_pages_of_a_site_share_a_dictionary_and_round_trip(archive):
    chrome = "".join(f"<li><a href='/?gd=2&cn={i}'>Chuyên mục số {i}</a></li>" for i in range(400))
    pages = [
        f"<html><ul>{chrome}</ul><p>Bài số {n}: nội dung riêng.</p></html>".encode()
        for n in range(5)
    ]
    shas = [archive.store_page(page, "text/html", site="sdl.thuathienhue.gov.vn") for page in pages]
    assert [archive.load_page(sha) for sha in shas] == pages
    sizes = archive.db.execute("select size, stored, codec from pages order by rowid").fetchall()
    assert {codec for _, _, codec in sizes} == {"zstd"}
    # every page after the first is stored as little more than what differs
    assert all(stored < size / 20 for size, stored, _ in sizes[1:])
    assert archive.db.execute("select count(*) from page_dicts").fetchone()[0] == 1
    assert archive.load_page(archive.store_page(b"plain", "text/plain")) == b"plain"


def test_codecs_of_many_sites_are_bounded_and_pages_still_round_trip(archive):
    from scraper.store.pages import CODECS_KEPT

    sites = [f"xa{n}.thuathienhue.gov.vn" for n in range(CODECS_KEPT + 8)]
    page = "<html><p>Trang của {} số {}: nội dung riêng.</p>{}</html>"
    stored = {}
    for round_ in range(2):  # the second round needs the dropped codecs again
        for site in sites:
            content = page.format(site, round_, "<li>mục</li>" * 300).encode()
            stored[archive.store_page(content, "text/html", site=site)] = content
        assert len(archive._codecs) == CODECS_KEPT
    assert all(archive.load_page(sha) == content for sha, content in stored.items())
    assert archive.db.execute("select count(*) from page_dicts").fetchone()[0] == len(sites)


def test_new_store_writes_leave_no_transaction_open(archive):
    """Every write of the sitemap memory and of aliases commits on its own: a transaction
    left open would be lost, with everything after it, when the archive closes."""
    from scraper.models import Article

    archive.sitemap_record([("https://a.vn/sitemap.xml", None)], site="a.vn", kind="sitemap")
    assert not archive.db.conn.in_transaction
    archive.save_article(
        Article(id="a.vn/1", url="https://a.vn/1", site="a.vn", title="Tiêu đề", body="Nội dung"),
        fetched_at="2024-01-01T00:00:00Z",
        page_sha=None,
        run_id=None,
    )
    archive.add_alias("a.vn/tin/bai-moi.html", "a.vn/1", "https://a.vn/tin/bai-moi.html")
    assert not archive.db.conn.in_transaction
    assert archive.alias_targets(["a.vn/tin/bai-moi.html"]) == {"a.vn/tin/bai-moi.html": "a.vn/1"}
    assert archive.sitemap_seen(["https://a.vn/sitemap.xml", "x"]) == {
        "https://a.vn/sitemap.xml": None
    }
