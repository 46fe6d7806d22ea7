"""Full-text search of the archive: the two FTS5 indexes, their triggers, and the query side.

This module owns:

- `articles_fts`: exact Vietnamese search over articles.title, body and captions
  (tokenizer `unicode61 remove_diacritics 0`: case folds, tone marks count, so `má`, `mà`
  and `ma` are three words). External content `articles`, declared exactly as
  sqlite-utils' `enable_fts(["title", "body", "captions"], tokenize=...)` writes it, with
  triggers named as sqlite-utils names them (articles_ai / _ad / _au), so Datasette and
  sqlite-utils detect it as the search index of `articles`.
- `articles_fts_folded`: accent-folded search (tokenizer `unicode61 remove_diacritics 2`).
  That tokenizer does not fold `đ`/`Đ` (no Unicode decomposition), so its triggers index
  `replace(replace(x, 'đ', 'd'), 'Đ', 'D')` of each column: pure SQL, so a plain `sqlite3`
  shell can still write to the archive. External content `articles` too, so snippet() and
  highlight() show the original text with its diacritics (FTS5 maps token positions from
  the index onto the tokenized original; folding đ keeps the token count). Its declaration
  says content='articles' (quotes) on purpose: Datasette's and sqlite-utils' detectors look
  for content="articles" / content=[articles], so they pick articles_fts, never this one.
  Never run `INSERT INTO articles_fts_folded(articles_fts_folded) VALUES('rebuild')`: it
  would index the unfolded text. `rebuild_search(db)` repopulates both correctly.
- The update triggers fire only when rowid, title, body or captions change, so the crawler's
  frequent "seen again, unchanged" updates cost nothing here. The 'delete' command of an
  external-content FTS5 table must get the values that were indexed: the folded triggers
  pass the folded old values.
- `search(...)`: hits with a highlighted snippet, phrase matches of a plain multi-word
  query first, then bm25; newest first instead when more than RANK_LIMIT articles match;
  `search_counted(...)` (the hits and how many match, capped), `count_hits(...)` (how
  many without the limit, optionally capped), `sites(db)`;
  `SearchError` for a bad query or since later than until.

`PRAGMA recursive_triggers = ON` is set on every connection this module prepares (and
sqlite-utils sets it too): without it `INSERT OR REPLACE` skips the delete trigger and
leaves stale index entries behind.

Long because: the query side is one plan over the two indexes' schema (a capped pass that
counts and scores, the newest-first probe, the ranking, snippets for the kept rows), each
step written against the tables, tokenizers and folding declared above it.
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import sqlite_utils

from scraper.dates import iso_date
from scraper.errors import ScraperError
from scraper.store import database

FTS_TABLE = "articles_fts"
FOLDED_TABLE = "articles_fts_folded"
FTS_COLUMNS = ("title", "body", "captions")
# bm25 weights per column (title, body, captions): a word in the title counts more.
BM25_WEIGHTS = (3.0, 1.0, 1.0)
HIGHLIGHT = ("[", "]")
ELLIPSIS = "…"
SNIPPET_TOKENS = 16
# A query matching more than this many articles is listed newest first, not ranked.
RANK_LIMIT = 5_000
RELEVANCE = "relevance"
# Newest first, up to this limit: look the newest articles up one by one first (_newest).
PROBE_LIMIT = 100
NEWEST = "newest"


class SearchError(ScraperError):
    """A search could not run: bad FTS5 query syntax, empty query, bad date, no index."""


@dataclass
class Hit:
    id: str
    url: str | None
    title: str | None
    published: str | None
    snippet: str
    order: str = RELEVANCE  # or NEWEST: how search() ordered the list this hit is in

    def to_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------- folding


def fold(text: str) -> str:
    """Accent-fold like the folded index: NFC, then NFD with combining marks removed, đ/Đ
    to d/D. 'Đà Nẵng' -> 'Da Nang', 'thương' -> 'thuong'."""
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFC", text))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped.replace("đ", "d").replace("Đ", "D"))


def _sql_fold(expr: str) -> str:
    return f"replace(replace({expr}, 'đ', 'd'), 'Đ', 'D')"


# --------------------------------------------------------------------------- schema

_COLS = ", ".join(f"[{c}]" for c in FTS_COLUMNS)


def _values(prefix: str, folded: bool) -> str:
    cols = [f"{prefix}.[{c}]" for c in FTS_COLUMNS]
    return ", ".join(_sql_fold(c) if folded else c for c in cols)


def _changed_when() -> str:
    parts = ["old.rowid IS NOT new.rowid"]
    parts += [f"old.[{c}] IS NOT new.[{c}]" for c in FTS_COLUMNS]
    return " OR ".join(parts)


def _fts_ddl(table: str, tokenize: str, content: str) -> str:
    # Same text as sqlite-utils 4.2 enable_fts() writes for articles_fts (so that
    # enable_fts(..., replace=True) with the same arguments finds nothing to change).
    return (
        f"CREATE VIRTUAL TABLE [{table}] USING FTS5 (\n"
        f"    {_COLS},\n"
        f"    tokenize='{tokenize}',\n"
        f"    content={content}\n"
        ")"
    )


def _triggers(fts: str, prefix: str, folded: bool) -> dict[str, str]:
    new_values = _values("new", folded)
    insert_new = f"  INSERT INTO [{fts}] (rowid, {_COLS}) VALUES (new.rowid, {new_values});\n"
    return {
        f"{prefix}_ai": (
            f"CREATE TRIGGER [{prefix}_ai] AFTER INSERT ON [articles] BEGIN\n{insert_new}END"
        ),
        f"{prefix}_ad": (
            f"CREATE TRIGGER [{prefix}_ad] AFTER DELETE ON [articles] BEGIN\n"
            f"  INSERT INTO [{fts}] ([{fts}], rowid, {_COLS}) "
            f"VALUES ('delete', old.rowid, {_values('old', folded)});\n"
            "END"
        ),
        f"{prefix}_au": (
            f"CREATE TRIGGER [{prefix}_au] AFTER UPDATE ON [articles]\n"
            f"WHEN {_changed_when()}\nBEGIN\n"
            f"  INSERT INTO [{fts}] ([{fts}], rowid, {_COLS}) "
            f"VALUES ('delete', old.rowid, {_values('old', folded)});\n"
            f"{insert_new}"
            "END"
        ),
    }


# name -> (CREATE VIRTUAL TABLE sql, {trigger name: CREATE TRIGGER sql})
INDEXES: dict[str, tuple[str, dict[str, str]]] = {
    FTS_TABLE: (
        _fts_ddl(FTS_TABLE, "unicode61 remove_diacritics 0", "[articles]"),
        _triggers(FTS_TABLE, "articles", folded=False),
    ),
    FOLDED_TABLE: (
        _fts_ddl(FOLDED_TABLE, "unicode61 remove_diacritics 2", "'articles'"),
        _triggers(FOLDED_TABLE, FOLDED_TABLE, folded=True),
    ),
}

SCHEMA_NAMES = tuple(
    name for table, (_, triggers) in INDEXES.items() for name in (table, *triggers)
)


def _populate(db: sqlite_utils.Database, table: str) -> None:
    if table == FTS_TABLE:
        db.execute(f"INSERT INTO [{FTS_TABLE}] ([{FTS_TABLE}]) VALUES ('rebuild')")
    else:
        db.execute(f"INSERT INTO [{table}] ([{table}]) VALUES ('delete-all')")
        cols = ", ".join(_sql_fold(f"[{c}]") for c in FTS_COLUMNS)
        db.execute(f"INSERT INTO [{table}] (rowid, {_COLS}) SELECT rowid, {cols} FROM [articles]")


def ensure_search(db: Any, existing: set[str] | None = None) -> bool:
    """Create whatever is missing of both indexes and their triggers (idempotent; one
    sqlite_master query when all exist). An index whose table or any trigger was missing
    is (re)populated from `articles`, since writes may have happened without its triggers.
    `existing`: names already read from sqlite_master by the caller. Returns True when
    something was created."""
    db = database(db)
    db.execute("PRAGMA recursive_triggers = ON")
    if existing is None:
        marks = ",".join("?" * len(SCHEMA_NAMES))
        existing = {
            row[0]
            for row in db.execute(
                f"SELECT name FROM sqlite_master WHERE name IN ({marks})", SCHEMA_NAMES
            )
        }
    missing = [t for t, (_, trg) in INDEXES.items() if not {t, *trg} <= existing]
    if not missing:
        return False
    with db.atomic():
        for table in missing:
            create, triggers = INDEXES[table]
            if table not in existing:
                db.execute(create)
            for name, sql in triggers.items():
                if name not in existing:
                    db.execute(sql)
            _populate(db, table)
    return True


def rebuild_search(db: Any) -> None:
    """Repopulate both indexes from `articles` (the folded one with folded text), in one
    transaction. Use this instead of FTS5's 'rebuild' command on articles_fts_folded."""
    db = database(db)
    ensure_search(db)
    with db.atomic():
        for table in INDEXES:
            _populate(db, table)


# --------------------------------------------------------------------------- queries


def _iso_date(value: str | date | None, name: str) -> str | None:
    try:
        return iso_date(value)
    except ValueError:
        raise SearchError(f"bad {name} date {value!r} (expected YYYY-MM-DD)") from None


def prepare_query(query: str, *, fold_marks: bool = False) -> str:
    """The FTS5 query sent to SQLite: NFC (an NFD query matches NFC text), accent-folded
    for the folded index."""
    text = unicodedata.normalize("NFC", query or "").strip()
    if not text:
        raise SearchError("empty search query")
    return fold(text) if fold_marks else text


def _query_error(query: str, exc: sqlite3.Error) -> SearchError:
    msg = str(exc)
    if "no such table" in msg:
        return SearchError(f"the archive has no search index ({msg}); run `scrape reindex`")
    hint = (
        'FTS5 syntax: words are ANDed, "a phrase" in double quotes, OR, NOT, prefix*, '
        "title:word; quote words that contain punctuation"
    )
    return SearchError(f"bad search query {query!r}: {msg} ({hint})")


_OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})
_SYNTAX = set('"*:()^+-{}')


def phrase_of(query: str) -> str | None:
    """The query as one FTS5 phrase ('"da nang"') when it is two or more plain words (no
    quotes, operators, prefixes or column filters), else None."""
    words = query.split()
    if len(words) < 2 or any(w in _OPERATORS or _SYNTAX & set(w) for w in words):
        return None
    return '"' + " ".join(words) + '"'


def _filters(
    column: str, site: str | None, since: str | None, until: str | None
) -> tuple[str, list[Any]]:
    """The --site and date bounds as conditions on `column` (an articles rowid), each a
    rowid set read from one index alone (idx_articles_site, idx_articles_published), so
    that no article row is read to filter a match. The leading + keeps SQLite from using
    the sets to drive the query (FTS5 would be asked one rowid at a time)."""
    where: list[str] = []
    params: list[Any] = []
    if site:
        where.append(f"+{column} IN (SELECT rowid FROM articles WHERE site = ?)")
        params.append(site)
    dates, date_params = _dates("published", since, until)
    if dates:
        where.append(f"+{column} IN (SELECT rowid FROM articles WHERE {dates})")
        params += date_params
    return "".join(f" AND {w}" for w in where), params


def _dates(column: str, since: str | None, until: str | None) -> tuple[str, list[Any]]:
    where, params = [], []
    if since:
        where.append(f"{column} >= ?")
        params.append(since)
    if until:
        where.append(f"{column} <= ?")
        params.append(until)
    return " AND ".join(where), params


def _bounds(since, until) -> tuple[str | None, str | None]:
    since_iso = _iso_date(since, "since")
    until_iso = _iso_date(until, "until")
    if since_iso and until_iso and since_iso > until_iso:
        raise SearchError(f"--since {since_iso} is later than --until {until_iso}: no date fits")
    return since_iso, until_iso


def _filtered_matches(
    table: str,
    select: str,
    site: str | None,
    since: str | None,
    until: str | None,
    at_most: int | None,
) -> tuple[str, list[Any]]:
    """SELECT `select` of the matches that pass the filters, in rowid order, at most
    at_most + 1 of them; and the parameters after the MATCH's."""
    filters, params = _filters("rowid", site, since, until)
    sql = f"SELECT {select} FROM [{table}] WHERE [{table}] MATCH ?{filters}"
    if at_most is not None:
        sql += f" LIMIT {int(at_most) + 1}"
    return sql, params


def _count(
    conn: sqlite3.Connection,
    table: str,
    match: str,
    site: str | None,
    since: str | None,
    until: str | None,
    at_most: int | None,
) -> int:
    inner, params = _filtered_matches(table, "rowid", site, since, until, at_most)
    return conn.execute(f"SELECT COUNT(*) FROM ({inner})", [match, *params]).fetchone()[0]


def _matching(
    conn: sqlite3.Connection,
    table: str,
    match: str,
    site: str | None,
    since: str | None,
    until: str | None,
    at_most: int | None,
) -> list[tuple[int, float]]:
    """(rowid, bm25 score) of the matches that pass the filters, in rowid order, at most
    at_most + 1: one pass over the index both counts them and scores them for _ranked."""
    weights = ", ".join(str(w) for w in BM25_WEIGHTS)
    scored = f"rowid, bm25([{table}], {weights})"
    sql, params = _filtered_matches(table, scored, site, since, until, at_most)
    return conn.execute(sql, [match, *params]).fetchall()


def _ranked(
    conn: sqlite3.Connection, table: str, match: str, scored: list[tuple[int, float]], limit: int
) -> list[int]:
    """The best of these matches (every match that passes the filters, with its bm25
    score): phrase matches of a plain multi-word query first, then bm25, title weighted;
    ties by article id."""
    if not scored:
        return []
    in_phrase: set[int] = set()
    phrase = phrase_of(match)
    if phrase is not None:
        rowids = [rowid for rowid, _ in scored]
        # rowid bounds: FTS5 seeks to them instead of matching the phrase everywhere
        sql = f"SELECT rowid FROM [{table}] WHERE [{table}] MATCH ? AND rowid BETWEEN ? AND ?"
        in_phrase = {row[0] for row in conn.execute(sql, [phrase, min(rowids), max(rowids)])}
    keyed = sorted((rowid not in in_phrase, score, rowid) for rowid, score in scored)
    if 0 <= limit < len(keyed):
        worst_kept = keyed[limit - 1][:2] if limit else None
        keyed = [k for k in keyed if worst_kept is not None and k[:2] <= worst_kept]
    # ties: by article id, read for the kept rows only
    sql = "SELECT rowid, id FROM articles WHERE rowid IN (SELECT value FROM json_each(?))"
    ids = dict(conn.execute(sql, [json.dumps([k[2] for k in keyed])]).fetchall())
    keyed.sort(key=lambda k: (k[0], k[1], ids.get(k[2], "")))
    return [k[2] for k in (keyed if limit < 0 else keyed[:limit])]


def _newest(
    conn: sqlite3.Connection,
    table: str,
    match: str,
    site: str | None,
    since: str | None,
    until: str | None,
    limit: int,
) -> list[int]:
    """Rowids of the matches, newest published first (undated last), read down
    idx_articles_published; ties by rowid, the later stored first.

    First the newest 2 x limit articles that pass the filters are looked up in the index
    one by one (FTS5 answers 'MATCH and rowid = ?' with a seek, ~0.1 ms): a very common
    word is in most of them, and that is done. Otherwise the set of every match is read
    (its whole posting list, ~25 ms for 100,000 matches) and the date index walked
    until `limit` of them are found."""
    site_filter, params = _filters("a.rowid", site, None, None)
    dates, date_params = _dates("a.published", since, until)
    where = f"{site_filter}{' AND ' + dates if dates else ''}"
    params += date_params
    if 0 <= limit <= PROBE_LIMIT:
        newest = [
            row[0]
            for row in conn.execute(
                f"SELECT a.rowid FROM articles AS a WHERE 1{where} "
                "ORDER BY a.published DESC, a.rowid DESC LIMIT ?",
                [*params, 2 * limit],
            )
        ]
        probe = (
            f"SELECT rowid FROM [{table}] WHERE [{table}] MATCH ? "
            "AND rowid IN (SELECT value FROM json_each(?))"
        )
        matched = {row[0] for row in conn.execute(probe, [match, json.dumps(newest)])}
        found = [rowid for rowid in newest if rowid in matched]
        if len(found) >= limit or len(newest) < 2 * limit:
            return found[:limit]
    sql = (
        f"SELECT a.rowid FROM articles AS a "
        f"WHERE +a.rowid IN (SELECT rowid FROM [{table}] WHERE [{table}] MATCH ?){where} "
        f"ORDER BY a.published DESC, a.rowid DESC LIMIT ?"
    )
    return [row[0] for row in conn.execute(sql, [match, *params, limit])]


def _hits(
    conn: sqlite3.Connection, table: str, match: str, rowids: list[int], order: str
) -> list[Hit]:
    """The hits of these rowids, in this order, each with its snippet (drawn for these
    rows only: a snippet tokenizes the whole article)."""
    left, right = HIGHLIGHT
    # a few rows: FTS5 seeks to each; many (limit None): one pass over the matches is cheaper
    seek = "" if len(rowids) <= PROBE_LIMIT else "+"
    sql = (
        f"SELECT a.rowid, a.id, a.url, a.title, a.published, "
        f"snippet([{table}], -1, ?, ?, ?, {SNIPPET_TOKENS}) "
        f"FROM [{table}] JOIN articles AS a ON a.rowid = [{table}].rowid "
        f"WHERE [{table}] MATCH ? AND {seek}[{table}].rowid IN (SELECT value FROM json_each(?))"
    )
    params = [left, right, ELLIPSIS, match, json.dumps(rowids)]
    found = {row[0]: row[1:] for row in conn.execute(sql, params)}
    return [
        Hit(id, url, title, published, _tidy(snippet), order)
        for id, url, title, published, snippet in (found[r] for r in rowids if r in found)
    ]


def search(
    db: Any,
    query: str,
    *,
    fold: bool = False,
    site: str | None = None,
    since: str | date | None = None,
    until: str | date | None = None,
    limit: int | None = 20,
) -> list[Hit]:
    """Articles matching an FTS5 query, best first, with a snippet whose matches are in
    [brackets].

    Best first: when the query is two or more plain words, articles where they stand
    together as a phrase come first ('da nang' folded also matches an article with 'đã'
    and 'nâng' apart: that one comes after every 'Đà Nẵng'); then bm25, title weighted.
    When more than RANK_LIMIT articles match (filters applied), they are not ranked but
    listed newest published first (undated last), each hit's `order` says which:
    "relevance" or "newest". bm25 would score every match before keeping the best, a cost
    that grows with the archive; the newest ones are read from the date index.
    fold=False: exact Vietnamese (tone marks count; case does not). fold=True: accent-folded
    ('Hue' finds 'Huế', 'da nang' finds 'Đà Nẵng'); the query is folded the same way.
    site: articles.site equals it. since/until: published date bounds, inclusive (articles
    without a published date are left out when either is given; SearchError when since is
    later than until). limit None = all.
    """
    hits, _ = search_counted(db, query, fold=fold, site=site, since=since, until=until, limit=limit)
    return hits


def search_counted(
    db: Any,
    query: str,
    *,
    fold: bool = False,
    site: str | None = None,
    since: str | date | None = None,
    until: str | date | None = None,
    limit: int | None = 20,
) -> tuple[list[Hit], int]:
    """search(...) and how many articles match in all, counted up to max(RANK_LIMIT,
    limit): a bigger answer is that + 1, "more than". search() has to count them to choose
    the order, so the count costs nothing more (what `scrape search` prints)."""
    table = FOLDED_TABLE if fold else FTS_TABLE
    match = prepare_query(query, fold_marks=fold)
    since_iso, until_iso = _bounds(since, until)
    at_most = None if limit is None else max(RANK_LIMIT, int(limit))
    conn = database(db).conn
    try:
        matching = _matching(conn, table, match, site, since_iso, until_iso, at_most)
        rows = -1 if limit is None else limit
        if len(matching) > RANK_LIMIT:
            newest = _newest(conn, table, match, site, since_iso, until_iso, rows)
            return _hits(conn, table, match, newest, NEWEST), len(matching)
        ranked = _ranked(conn, table, match, matching, rows)
        return _hits(conn, table, match, ranked, RELEVANCE), len(matching)
    except sqlite3.OperationalError as exc:
        raise _query_error(query, exc) from None


def count_hits(
    db: Any,
    query: str,
    *,
    fold: bool = False,
    site: str | None = None,
    since: str | date | None = None,
    until: str | date | None = None,
    at_most: int | None = None,
) -> int:
    """How many articles search(...) would return without a limit. at_most: stop counting
    past it (the answer is then at_most + 1, read "more than at_most"): a count of every
    match of a common word reads its whole posting list."""
    table = FOLDED_TABLE if fold else FTS_TABLE
    match = prepare_query(query, fold_marks=fold)
    since_iso, until_iso = _bounds(since, until)
    try:
        return _count(database(db).conn, table, match, site, since_iso, until_iso, at_most)
    except sqlite3.OperationalError as exc:
        raise _query_error(query, exc) from None


def sites(db: Any) -> list[str]:
    """The site names the archive holds articles of."""
    rows = database(db).conn.execute("SELECT DISTINCT site FROM articles ORDER BY site")
    return [row[0] for row in rows if row[0]]


def _tidy(snippet: str | None) -> str:
    """One line of text: whitespace collapsed (body paragraphs are apart by a blank line),
    and a snippet drawn from the captions column, a piece of a JSON array, shown as text
    ('["Ảnh: [Huế]","Cầu"]' -> 'Ảnh: [Huế] · Cầu')."""
    if not snippet:
        return ""
    snippet = " ".join(snippet.split())  # paragraph breaks of the body: one line
    text = snippet.removeprefix(ELLIPSIS)
    tail = text.removesuffix(ELLIPSIS)
    if not (text.startswith('["') or tail.endswith('"]') or '","' in text):
        return snippet
    head = snippet.startswith(ELLIPSIS)
    end = snippet.endswith(ELLIPSIS) and len(snippet) > 1
    body = tail.removeprefix('["').removesuffix('"]').replace('","', " · ").replace('\\"', '"')
    return (ELLIPSIS if head else "") + body + (ELLIPSIS if end else "")
