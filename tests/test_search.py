"""Full-text search: exact and accent-folded indexes, their triggers, queries, CLI."""

from __future__ import annotations

import json
import sqlite3
import unicodedata

import pytest
import sqlite_utils
from click.testing import CliRunner

from scraper.cli import main
from scraper.models import Article
from scraper.search import (
    FOLDED_TABLE,
    FTS_COLUMNS,
    FTS_TABLE,
    SearchError,
    count_hits,
    ensure_search,
    fold,
    rebuild_search,
    search,
    search_counted,
)
from scraper.store import Archive

SITE = "127.0.0.1:8123"
OTHER = "stp.thuathienhue.gov.vn"
T0 = "2024-05-02T08:00:00Z"
T1 = "2024-05-03T08:00:00Z"


def make(n: int, title: str, body: str, *, site: str = SITE, **fields) -> Article:
    fields.setdefault("published", "2024-04-30")
    return Article(
        id=f"{site}/{n}",
        url=f"http://{site}/?gd=1&tc={n}",
        site=site,
        title=title,
        body=body,
        **fields,
    )


def save(archive: Archive, article: Article, when: str = T0):
    return archive.save_article(article, fetched_at=when, page_sha=None, run_id=None)


def ids(hits) -> list[str]:
    return [hit.id for hit in hits]


@pytest.fixture
def archive(tmp_path):
    with Archive(tmp_path / "a.db") as arch:
        save(arch, make(1, "Chuyện bên bếp lửa", "Người má hiền lặng lẽ nấu cơm chiều."))
        save(arch, make(2, "Một buổi chiều mưa", "Trời mưa mà đường vẫn đông người qua lại."))
        save(arch, make(3, "Truyện kể dân gian", "Chuyện con ma ở gốc đa đầu làng."))
        save(
            arch,
            make(
                4,
                "Đà Nẵng đón đoàn khách",
                "Đoàn công tác của thành phố Đà Nẵng đến thăm Huế vào mùa đông.",
                captions=["Quang cảnh buổi đón tiếp"],
                published="2023-12-01",
            ),
        )
        save(
            arch,
            make(
                5,
                "Lễ hội trên sông",
                "Lễ hội diễn ra suốt ba ngày.",
                site=OTHER,
                captions=["Thuyền rồng trên sông Hương, Huế"],
                published="2024-02-10",
            ),
        )
        yield arch


def fts_terms(archive: Archive, table: str) -> dict[str, int]:
    """term -> number of documents holding it, read from the index itself (fts5vocab)."""
    archive.db.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab_{table} "
        f"USING fts5vocab('main', '{table}', 'row')"
    )
    return dict(archive.db.execute(f"SELECT term, doc FROM temp.vocab_{table}"))


def assert_indexes_match_articles(archive: Archive) -> None:
    """Both indexes hold exactly what a fresh build from `articles` would hold."""
    # exact: FTS5 can compare an external-content index with its content table itself
    archive.db.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")
    # folded: compare every (term, doc, column, offset) with an index built from scratch
    cols = ", ".join(f"replace(replace({c}, 'đ', 'd'), 'Đ', 'D')" for c in FTS_COLUMNS)
    archive.db.execute("DROP TABLE IF EXISTS temp.fresh")
    archive.db.execute(
        "CREATE VIRTUAL TABLE temp.fresh USING fts5(title, body, captions, "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    archive.db.execute(
        f"INSERT INTO temp.fresh (rowid, title, body, captions) SELECT rowid, {cols} FROM articles"
    )
    for name, table in (("got", FOLDED_TABLE), ("want", "fresh")):
        schema = "main" if name == "got" else "temp"
        archive.db.execute(f"DROP TABLE IF EXISTS temp.{name}")
        archive.db.execute(
            f"CREATE VIRTUAL TABLE temp.{name} USING fts5vocab('{schema}', '{table}', 'instance')"
        )
    got = archive.db.execute("SELECT * FROM temp.got ORDER BY 1, 2, 3, 4").fetchall()
    want = archive.db.execute("SELECT * FROM temp.want ORDER BY 1, 2, 3, 4").fetchall()
    assert got and got == want


# --------------------------------------------------------------------------- exact


def test_exact_mode_tells_tones_apart(archive):
    assert ids(search(archive, "má")) == [f"{SITE}/1"]
    assert ids(search(archive, "mà")) == [f"{SITE}/2"]
    assert ids(search(archive, "ma")) == [f"{SITE}/3"]


def test_exact_mode_folds_case_but_not_marks(archive):
    assert ids(search(archive, "HUẾ")) == ids(search(archive, "huế"))
    assert set(ids(search(archive, "Huế"))) == {f"{SITE}/4", f"{OTHER}/5"}
    assert search(archive, "Hue") == []
    assert search(archive, "da nang") == []


def test_nfd_query_matches_nfc_text(archive):
    nfd = unicodedata.normalize("NFD", "má")
    assert nfd != "má"
    assert ids(search(archive, nfd)) == [f"{SITE}/1"]
    assert set(ids(search(archive, unicodedata.normalize("NFD", "Huế"), fold=True))) == {
        f"{SITE}/4",
        f"{OTHER}/5",
    }


# --------------------------------------------------------------------------- folded


def test_folded_mode_finds_words_typed_without_marks(archive):
    assert set(ids(search(archive, "Hue", fold=True))) == {f"{SITE}/4", f"{OTHER}/5"}
    assert ids(search(archive, "da nang", fold=True)) == [f"{SITE}/4"]
    assert set(ids(search(archive, "dong", fold=True))) == {f"{SITE}/2", f"{SITE}/4"}
    assert set(ids(search(archive, "ma", fold=True))) == {f"{SITE}/1", f"{SITE}/2", f"{SITE}/3"}
    # marks typed in the query are folded too
    assert ids(search(archive, "Đà Nẵng", fold=True)) == [f"{SITE}/4"]


def test_folded_snippet_shows_the_original_text(archive):
    (hit,) = search(archive, '"da nang"', fold=True)
    assert "[Đà Nẵng]" in hit.snippet  # a phrase is highlighted as one
    (hit,) = search(archive, "thuyen rong", fold=True)
    assert "[Thuyền] [rồng]" in hit.snippet
    assert '["' not in hit.snippet  # a caption snippet is shown as text, not JSON


def test_fold_function():
    assert fold("Đà Nẵng, thương, HUẾ") == "Da Nang, thuong, HUE"
    assert fold(unicodedata.normalize("NFD", "Quảng Điền")) == "Quang Dien"


def test_folded_index_holds_folded_terms_only(archive):
    terms = fts_terms(archive, FOLDED_TABLE)
    assert "da" in terms and "nang" in terms and "hue" in terms
    assert not any("đ" in term for term in terms)
    exact = fts_terms(archive, FTS_TABLE)
    assert "đà" in exact and "nẵng" in exact and "huế" in exact


# --------------------------------------------------------------------------- triggers


def test_triggers_follow_insert_update_and_delete(archive):
    assert_indexes_match_articles(archive)
    article = make(9, "Nghề truyền thống", "Làng nghề làm nón lá ven sông.")
    save(archive, article)
    assert_indexes_match_articles(archive)
    assert ids(search(archive, "nón")) == [f"{SITE}/9"]
    assert ids(search(archive, "non la", fold=True)) == [f"{SITE}/9"]

    article.body = "Làng nghề đúc đồng bên bờ sông."
    result = save(archive, article, T1)
    assert result.outcome == "changed" and result.revision == 2
    assert search(archive, "nón") == []
    assert search(archive, "non la", fold=True) == []
    assert ids(search(archive, "đúc đồng")) == [f"{SITE}/9"]
    assert ids(search(archive, "duc dong", fold=True)) == [f"{SITE}/9"]
    # the old words left the indexes themselves, not just the results
    assert "non" not in fts_terms(archive, FOLDED_TABLE)
    assert "nón" not in fts_terms(archive, FTS_TABLE)
    assert_indexes_match_articles(archive)

    with archive.db.atomic():
        for table in ("images", "revisions", "links"):
            archive.db.execute(f"DELETE FROM {table} WHERE article_id = ?", [article.id])
        archive.db.execute("DELETE FROM articles WHERE id = ?", [article.id])
    assert search(archive, "đúc đồng") == []
    assert search(archive, "duc dong", fold=True) == []
    # the folded delete got the folded values: 'duc' and 'dong' are fully gone / back to
    # the documents that still hold them
    folded = fts_terms(archive, FOLDED_TABLE)
    assert "duc" not in folded
    assert folded["dong"] == 2  # articles 2 and 4
    assert_indexes_match_articles(archive)


def test_unchanged_visit_does_not_touch_the_indexes(archive):
    def index_state():
        return [
            archive.db.execute(f"SELECT COUNT(*), MAX(id) FROM {t}_data").fetchone()
            for t in (FTS_TABLE, FOLDED_TABLE)
        ]

    before = index_state()
    result = save(
        archive, make(1, "Chuyện bên bếp lửa", "Người má hiền lặng lẽ nấu cơm chiều."), T1
    )
    assert result.outcome == "unchanged"
    assert index_state() == before


def test_recursive_triggers_on_and_insert_or_replace_keeps_index_clean(archive, tmp_path):
    assert archive.db.execute("PRAGMA recursive_triggers").fetchone()[0] == 1
    conn = sqlite3.connect(archive.path)
    conn.execute("PRAGMA recursive_triggers = ON")
    conn.execute("PRAGMA foreign_keys = OFF")
    with conn:
        conn.execute(
            "INSERT OR REPLACE INTO articles (id, url, site, title, body, captions) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [f"{SITE}/3", "x", SITE, "Truyện kể dân gian", "Một câu chuyện khác.", "[]"],
        )
    conn.close()
    assert search(archive, "ma") == []
    assert "ma" not in fts_terms(archive, FTS_TABLE)
    assert ids(search(archive, "câu chuyện")) == [f"{SITE}/3"]
    assert_indexes_match_articles(archive)


def test_rebuild_search_repairs_a_wrong_folded_rebuild(archive):
    archive.db.execute(f"INSERT INTO {FOLDED_TABLE}({FOLDED_TABLE}) VALUES ('rebuild')")
    assert search(archive, "da nang", fold=True) == []  # FTS5's rebuild indexed 'đa'
    with pytest.raises(AssertionError):
        assert_indexes_match_articles(archive)
    rebuild_search(archive)
    assert_indexes_match_articles(archive)
    assert ids(search(archive, "da nang", fold=True)) == [f"{SITE}/4"]
    assert ids(search(archive, "má")) == [f"{SITE}/1"]


def test_ensure_is_idempotent_and_repairs_a_dropped_index(tmp_path):
    path = tmp_path / "b.db"
    schema_sql = (
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    with Archive(path) as arch:
        save(arch, make(1, "Đà Nẵng", "Thành phố biển."))
        schema = arch.db.execute(schema_sql).fetchall()
        assert ensure_search(arch) is False
    with Archive(path) as arch:
        assert arch.db.execute(schema_sql).fetchall() == schema
        # an analyst drops the index (sqlite-utils disable-fts) and writes without triggers
        sqlite_utils.Database(arch.db.conn)["articles"].disable_fts()
        assert arch.db["articles"].detect_fts() is None  # the folded index is never detected
        arch.db.execute(f"DROP TABLE {FOLDED_TABLE}")
        for name in ("ai", "ad", "au"):
            arch.db.execute(f"DROP TRIGGER IF EXISTS {FOLDED_TABLE}_{name}")
        save(arch, make(2, "Hội An", "Phố cổ đèn lồng."))
    with Archive(path) as arch:  # opening recreates and repopulates both
        assert ids(search(arch, "đèn lồng")) == [f"{SITE}/2"]
        assert ids(search(arch, "da nang", fold=True)) == [f"{SITE}/1"]
        assert ids(search(arch, "den long", fold=True)) == [f"{SITE}/2"]


def test_datasette_and_sqlite_utils_detect_the_exact_index(archive):
    db = sqlite_utils.Database(archive.path)
    assert db["articles"].detect_fts() == FTS_TABLE
    rows = list(db["articles"].search("má"))
    assert [row["id"] for row in rows] == [f"{SITE}/1"]
    # Datasette's detector (datasette.utils.detect_fts_sql) finds only articles_fts
    found = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE rootpage = 0 AND ("
            "sql LIKE '%VIRTUAL TABLE%USING FTS%content=\"articles\"%' "
            "OR sql LIKE '%VIRTUAL TABLE%USING FTS%content=[articles]%' "
            "OR (tbl_name = 'articles' AND sql LIKE '%VIRTUAL TABLE%USING FTS%'))"
        )
    ]
    assert found == [FTS_TABLE]


# --------------------------------------------------------------------------- queries


def test_bad_and_empty_queries_raise_search_error(archive):
    for query in ('"unterminated', "má AND", "Thừa-Thiên", "   ", ""):
        with pytest.raises(SearchError) as info:
            search(archive, query)
        assert "\n" not in str(info.value)
    with pytest.raises(SearchError, match="since"):
        search(archive, "má", since="30/04/2024")


def test_fts_syntax_works(archive):
    assert ids(search(archive, "title:mưa")) == [f"{SITE}/2"]
    assert ids(search(archive, '"con ma"')) == [f"{SITE}/3"]
    assert set(ids(search(archive, "má OR mà"))) == {f"{SITE}/1", f"{SITE}/2"}
    assert ids(search(archive, "Đà*")) == [f"{SITE}/4"]


def test_ranking_prefers_the_title(archive):
    save(archive, make(7, "Mùa đông ở Huế", "Bài viết về thời tiết."))
    assert ids(search(archive, "Huế"))[0] == f"{SITE}/7"


def test_site_since_until_filters(archive):
    assert ids(search(archive, "Huế", site=OTHER)) == [f"{OTHER}/5"]
    assert ids(search(archive, "Huế", site=SITE)) == [f"{SITE}/4"]
    assert ids(search(archive, "Huế", since="2024-01-01")) == [f"{OTHER}/5"]
    assert ids(search(archive, "Huế", until="2023-12-31")) == [f"{SITE}/4"]
    assert ids(search(archive, "Huế", since="2023-12-01", until="2023-12-01")) == [f"{SITE}/4"]
    assert search(archive, "Huế", since="2024-03-01") == []
    assert len(search(archive, "Huế", limit=1)) == 1


# --------------------------------------------------------------------------- CLI


def test_cli_json_output(archive):
    runner = CliRunner()
    result = runner.invoke(
        main, ["search", "hue", "--fold", "--db", str(archive.path), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert isinstance(hits, list) and len(hits) == 2
    for hit in hits:
        assert set(hit) >= {"id", "url", "title", "published", "snippet"}
        assert "[" in hit["snippet"]
    assert {hit["id"] for hit in hits} == {f"{SITE}/4", f"{OTHER}/5"}


def test_cli_filters_and_table_output(archive):
    runner = CliRunner()
    db = ["--db", str(archive.path)]
    result = runner.invoke(main, ["search", "Huế", "--site", f"https://{OTHER}/", *db])
    assert result.exit_code == 0, result.output
    assert f"{OTHER}/5" in result.stdout and f"{SITE}/4" not in result.stdout
    assert "[Huế]" in result.stdout
    result = runner.invoke(
        main, ["search", "Huế", "--since", "2023-11-01", "--until", "2023-12-31", *db]
    )
    assert result.exit_code == 0
    assert f"{SITE}/4" in result.stdout and f"{OTHER}/5" not in result.stdout


def test_cli_bad_query_and_missing_archive(archive, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["search", '"oops', "--db", str(archive.path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "bad search query" in result.stderr and "Traceback" not in result.stderr
    missing = tmp_path / "none.db"
    result = runner.invoke(main, ["search", "Huế", "--db", str(missing)])
    assert result.exit_code == 1
    assert "no archive" in result.stderr
    assert not missing.exists()


# ----------------------------------------------------------------- issue 12: ranking, counts


def test_folded_phrase_matches_come_before_words_apart(tmp_path):
    """'da nang' folded matches 'đã ... nâng' too; every 'Đà Nẵng' must come first, even
    when the words-apart article would win on bm25 (both words in its short title)."""
    with Archive(tmp_path / "a.db") as arch:
        save(arch, make(1, "Nâng cấp đường đã xong", "Đường đã được nâng cấp."))
        save(arch, make(2, "Nâng cao chất lượng", "Chất lượng đã được nâng cao."))
        long_body = "Đoàn công tác làm việc với các sở. " * 30 + "Khách đến từ Đà Nẵng."
        save(arch, make(3, "Đón đoàn khách", long_body))
        bm25_only = search(arch, "da AND nang", fold=True)  # an operator: no phrase first
        hits = search(arch, "da nang", fold=True)
        exact = search(arch, "Đà Nẵng")
    assert set(ids(hits)) == {f"{SITE}/1", f"{SITE}/2", f"{SITE}/3"}
    assert ids(hits)[0] == f"{SITE}/3"
    assert ids(exact) == [f"{SITE}/3"]
    assert ids(bm25_only)[-1] == f"{SITE}/3"  # bm25 alone ranks it last: the case above


def test_a_query_with_syntax_is_not_turned_into_a_phrase():
    from scraper.search import phrase_of

    assert phrase_of("da nang") == '"da nang"'
    assert phrase_of("Hue") is None
    for query in ('"da nang"', "da OR nang", "title:da nang", "da* nang", "da NOT nang"):
        assert phrase_of(query) is None, query


def test_limit_says_how_many_match_in_all(tmp_path):
    db = tmp_path / "a.db"
    with Archive(db) as arch:
        for n in range(1, 21):
            save(arch, make(n, f"Bản tin số {n}", "Tin tức về di sản Huế hôm nay."))
    result = CliRunner().invoke(main, ["search", "--db", str(db), "di sản", "--limit", "3"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "3 of 20 hits"
    every = CliRunner().invoke(main, ["search", "--db", str(db), "di sản", "--limit", "20"])
    assert every.stdout.splitlines()[-1] == "20 hits"
    one = CliRunner().invoke(main, ["search", "--db", str(db), "số", "--limit", "1"])
    assert one.stdout.splitlines()[-1] == "1 of 20 hits"


def test_unknown_site_and_reversed_dates_say_why_with_exit_2(archive):
    db = str(archive.path)
    runner = CliRunner()
    unknown = runner.invoke(main, ["search", "--db", db, "Huế", "--site", "nope.gov.vn"])
    assert unknown.exit_code == 2, unknown.output
    assert len(unknown.stderr.strip().splitlines()) == 1
    assert "no site 'nope.gov.vn'" in unknown.stderr and OTHER in unknown.stderr
    known = runner.invoke(main, ["search", "--db", db, "Huế", "--site", f"https://{OTHER}/"])
    assert known.exit_code == 0, known.output
    args = ["search", "--db", db, "Huế", "--since", "2024-06-01", "--until", "2024-01-01"]
    reversed_dates = runner.invoke(main, args)
    assert reversed_dates.exit_code == 2
    assert len(reversed_dates.stderr.strip().splitlines()) == 1
    assert "later than --until" in reversed_dates.stderr
    with pytest.raises(SearchError, match="later than"):
        search(sqlite3.connect(db), "Huế", since="2024-06-01", until="2024-01-01")


# ------------------------------------------------- issue 14: broad queries, newest first


@pytest.fixture
def dated(tmp_path):
    """Eight articles with 'Huế': two in a short title (bm25's best), one undated, the rest
    published on different days in an order unlike their ids and rowids."""
    days = ["2024-03-05", "2024-01-20", None, "2024-06-01", "2023-11-11", "2024-02-29"]
    with Archive(tmp_path / "a.db") as arch:
        for n, day in enumerate(days, start=1):
            body = f"Bản tin {n}: tin tức về Huế và các vùng lân cận trong tuần qua."
            save(arch, make(n, f"Bản tin số {n}", body, published=day))
        save(arch, make(7, "Huế", "Hội nghị ở Huế bàn về Huế.", published="2023-05-01"))
        save(arch, make(8, "Tin Huế", "Huế mưa.", site=OTHER, published="2024-04-10"))
        yield arch


NEWEST_FIRST = [4, 8, 1, 6, 2, 5, 7, 3]  # by published, undated last


def test_a_query_matching_more_than_rank_limit_lists_newest_first(dated, monkeypatch):
    import scraper.search

    ranked = search(dated, "Huế")
    assert ranked[0].id == f"{OTHER}/8" and {h.order for h in ranked} == {"relevance"}
    monkeypatch.setattr(scraper.search, "RANK_LIMIT", 5)
    hits = search(dated, "Huế")
    want = [f"{OTHER if n == 8 else SITE}/{n}" for n in NEWEST_FIRST]
    assert ids(hits) == want
    assert {h.order for h in hits} == {"newest"}
    assert all("[Huế]" in h.snippet for h in hits)
    assert ids(search(dated, "hue", fold=True, limit=3)) == want[:3]
    since = search(dated, "Huế", since="2023-06-01")  # six: all dated but 7
    assert ids(since) == [h for h in want if h not in (f"{SITE}/3", f"{SITE}/7")]
    assert json.loads(json.dumps(hits[0].to_dict()))["order"] == "newest"


def test_filters_count_before_choosing_the_order(dated, monkeypatch):
    """Five matches left by --site (or dates) are few enough to rank."""
    import scraper.search

    monkeypatch.setattr(scraper.search, "RANK_LIMIT", 6)
    assert {h.order for h in search(dated, "Huế")} == {"newest"}
    hits = search(dated, "Huế", site=SITE)
    assert len(hits) == 7 and {h.order for h in hits} == {"newest"}
    hits = search(dated, "Huế", since="2024-01-01")
    assert len(hits) == 5 and {h.order for h in hits} == {"relevance"}
    assert hits[0].id == f"{OTHER}/8"  # short title with the word: bm25's best


def test_count_hits_stops_past_at_most(dated):
    assert count_hits(dated, "Huế") == 8
    assert count_hits(dated, "Huế", at_most=5) == 6
    assert count_hits(dated, "Huế", at_most=8) == 8
    assert count_hits(dated, "Huế", site=OTHER, at_most=5) == 1
    assert count_hits(dated, "hue", fold=True, since="2024-01-01", at_most=3) == 4


def test_search_counted_counts_up_to_rank_limit_or_limit(dated, monkeypatch):
    import scraper.search

    hits, total = search_counted(dated, "Huế", limit=3)
    assert (len(hits), total, hits[0].order) == (3, 8, "relevance")
    monkeypatch.setattr(scraper.search, "RANK_LIMIT", 5)
    hits, total = search_counted(dated, "Huế", limit=3)
    assert (len(hits), total, hits[0].order) == (3, 6, "newest")  # 6: more than 5
    assert search_counted(dated, "Huế", limit=7)[1] == 8  # counted up to the limit
    assert search_counted(dated, "Huế", site=OTHER)[1] == 1


def test_cli_says_when_hits_are_newest_first(dated, monkeypatch):
    import scraper.search

    db = ["--db", str(dated.path)]
    ranked = CliRunner().invoke(main, ["search", "Huế", "--limit", "3", *db])
    assert ranked.exit_code == 0, ranked.output
    assert "newest first" not in ranked.stdout
    assert ranked.stdout.splitlines()[-1] == "3 of 8 hits"
    monkeypatch.setattr(scraper.search, "RANK_LIMIT", 5)
    broad = CliRunner().invoke(main, ["search", "Huế", "--limit", "3", *db])
    assert broad.exit_code == 0, broad.output
    *_, note, total = broad.stdout.splitlines()
    assert note.startswith("newest first: more than 5 articles match")
    assert total == "3 of more than 5 hits"
    every = CliRunner().invoke(main, ["search", "Huế", "--limit", "8", *db])
    assert every.stdout.splitlines()[-1] == "8 hits"
    as_json = CliRunner().invoke(main, ["search", "Huế", "--format", "json", *db])
    assert [hit["order"] for hit in json.loads(as_json.stdout)] == ["newest"] * 8


def test_newest_first_reads_past_newer_articles_without_the_word(dated, monkeypatch):
    import scraper.search

    for n in range(11, 17):
        save(dated, make(n, "Tin mới", "Thời tiết hôm nay.", published=f"2025-01-{n}"))
    monkeypatch.setattr(scraper.search, "RANK_LIMIT", 5)
    hits = search(dated, "Huế", limit=3)
    assert ids(hits) == [f"{SITE}/4", f"{OTHER}/8", f"{SITE}/1"]
    assert ids(search(dated, "Huế", limit=3, site=SITE)) == [f"{SITE}/4", f"{SITE}/1", f"{SITE}/6"]


def test_many_hits_read_in_one_pass_keep_their_order(dated, monkeypatch):
    import scraper.search

    few = search(dated, "Huế", limit=None)
    monkeypatch.setattr(scraper.search, "PROBE_LIMIT", 2)  # 8 hits: "many"
    many = search(dated, "Huế", limit=None)
    assert [h.to_dict() for h in many] == [h.to_dict() for h in few]
    monkeypatch.setattr(scraper.search, "RANK_LIMIT", 5)
    assert ids(search(dated, "Huế", limit=None)) == [
        f"{OTHER if n == 8 else SITE}/{n}" for n in NEWEST_FIRST
    ]
