"""Benchmark: stored bytes per article against the raw HTML fetched for it.

Owns the figure "storage". For each replica size (its own process, no latency), a full
crawl of a fresh archive (ours: `run_crawl` in a fresh process, Politeness(delay=0,
per_host=4, total=4), raw pages kept, as by default), then `PRAGMA
wal_checkpoint(TRUNCATE)` and the archive file's size; bytes per table and index from
SQLite's `dbstat` (each FTS5 index's shadow tables added up under the index's name);
and the raw HTML fetched: `SUM(fetches.bytes)` of the article page fetches, and of all
fetches (listings and postbacks too). The size after `VACUUM INTO` (free pages dropped)
is shown for information, and so is what the raw pages would take compressed one by
one with zlib -6 instead of the per-site zstd dictionary.

    python bench/storage.py [--articles 1000 4000]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import zlib
from pathlib import Path

import _common  # first of its section: drops bench/ from sys.path (bench/requests.py)

NAME = "storage"
TARGET_SHARE = 0.25
FTS_SUFFIXES = ("_data", "_idx", "_docsize", "_config", "_content")


def zlib_size(db: Path) -> int:
    """What the raw pages would take compressed one by one with zlib level 6 (the store's
    other codec), for comparison with the per-site zstd dictionary."""
    from scraper.store import Archive

    archive = Archive(db)
    try:
        shas = [row[0] for row in archive.db.execute("SELECT sha256 FROM pages").fetchall()]
        return sum(len(zlib.compress(archive.load_page(sha), 6)) for sha in shas)
    finally:
        archive.close()


def measure(db: Path, tmp: Path) -> dict:
    con = sqlite3.connect(db)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = db.stat().st_size
        wal = db.with_name(db.name + "-wal")
        wal_size = wal.stat().st_size if wal.exists() else 0
        page_size = con.execute("PRAGMA page_size").fetchone()[0]
        free_pages = con.execute("PRAGMA freelist_count").fetchone()[0]
        fts = {
            row[0]
            for row in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE "
                "'CREATE VIRTUAL TABLE%USING FTS5%'"
            )
        }
        owner = {
            row[0]: row[1]
            for row in con.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'")
        }
        by_object: dict[str, int] = {}
        for name, nbytes in con.execute(
            "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
        ):
            key = name
            for table in fts:
                if any(name == table + suffix for suffix in FTS_SUFFIXES):
                    key = f"{table} (FTS5 index)"
            if name in owner:
                key = f"{owner[name]} (indexes)"
            elif name.startswith("sqlite_autoindex_"):
                key = name.removeprefix("sqlite_autoindex_").rsplit("_", 1)[0] + " (indexes)"
            by_object[key] = by_object.get(key, 0) + nbytes
        one = con.execute
        articles = one("SELECT COUNT(*) FROM articles").fetchone()[0]
        raw_articles = one(
            f"SELECT COALESCE(SUM(bytes), 0) FROM fetches WHERE {_common.ARTICLE_FETCH}"
        ).fetchone()[0]
        raw_all = one("SELECT COALESCE(SUM(bytes), 0) FROM fetches").fetchone()[0]
        pages_size, pages_stored = one("SELECT SUM(size), SUM(stored) FROM pages").fetchone()
        dict_bytes = one("SELECT COALESCE(SUM(LENGTH(data)), 0) FROM page_dicts").fetchone()[0]
        zlib_bytes = zlib_size(db)
        vacuumed = tmp / "vacuumed.db"
        con.execute("VACUUM INTO ?", (str(vacuumed),))
        vacuum_size = vacuumed.stat().st_size
    finally:
        con.close()
    return {
        "articles": articles,
        "file_bytes": size,
        "wal_bytes_after_checkpoint": wal_size,
        "page_size": page_size,
        "free_pages": free_pages,
        "vacuumed_bytes": vacuum_size,
        "bytes_per_article": size / articles,
        "raw_html_article_bytes": raw_articles,
        "raw_html_all_bytes": raw_all,
        "raw_per_article": raw_articles / articles,
        "share_of_article_html": size / raw_articles,
        "share_of_all_html": size / raw_all,
        "pages_table": {
            "raw_bytes": pages_size,
            "stored_bytes": pages_stored,
            "ratio": pages_stored / pages_size,
            "dictionary_bytes": dict_bytes,
            "zlib6_bytes": zlib_bytes,
            "zlib6_ratio": zlib_bytes / pages_size,
        },
        "by_object": by_object,
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--articles", type=int, nargs="+", default=[1000, 4000])
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    m = _common.header("stored bytes per article vs raw HTML fetched")

    sizes = []
    for n in args.articles:
        with _common.Replica(n, seed=args.seed) as replica, tempfile.TemporaryDirectory() as tmp:
            print(f"replica: {replica.command}", flush=True)
            db = Path(tmp) / "bench.db"
            crawl = _common.ours(replica.url, db, args.concurrency)
            res = measure(db, Path(tmp))
        res["replica_articles"] = n
        res["crawl_seconds"] = crawl["seconds"]
        sizes.append(res)
        mb = 2**20
        print(
            f"  {n} articles: archive {res['file_bytes'] / mb:.2f} MB after checkpoint "
            f"(WAL {res['wal_bytes_after_checkpoint']} bytes; "
            f"{res['vacuumed_bytes'] / mb:.2f} MB vacuumed) = "
            f"{res['bytes_per_article'] / 1024:.1f} KB per article; raw HTML fetched "
            f"{res['raw_html_article_bytes'] / mb:.1f} MB for articles "
            f"({res['raw_per_article'] / 1024:.1f} KB each), {res['raw_html_all_bytes'] / mb:.1f}"
            f" MB in all\n"
            f"  archive / article HTML {res['share_of_article_html']:.1%}, "
            f"archive / all HTML {res['share_of_all_html']:.1%}; raw pages kept at "
            f"{res['pages_table']['ratio']:.1%} of their size (zlib -6 one by one: "
            f"{res['pages_table']['zlib6_ratio']:.1%})",
            flush=True,
        )
        for name, nbytes in sorted(res["by_object"].items(), key=lambda kv: -kv[1]):
            print(
                f"    {name:<40} {nbytes / mb:8.2f} MB  {nbytes / res['articles']:8.0f} B/article"
                f"  {nbytes / res['file_bytes']:6.1%}"
            )

    verdicts = {}
    for res in sizes:
        share = res["share_of_article_html"]
        verdicts[f"{res['replica_articles']} articles: archive <= 25% of article HTML"] = (
            round(share, 4),
            share <= TARGET_SHARE,
        )
    print("\nverdicts:")
    for k, (value, ok) in verdicts.items():
        print(f"  {k}: {value} -> {'met' if ok else 'MISSED'}")
    _common.save(
        NAME,
        {
            "options": vars(args),
            "commands": {
                "ours": "python bench/_common.py crawl --site URL --db DB "
                f"--concurrency {args.concurrency} --delay 0",
            },
            "sizes": sizes,
            "verdicts": {k: {"value": v, "met": ok} for k, (v, ok) in verdicts.items()},
        },
        m,
    )


if __name__ == "__main__":
    main()
