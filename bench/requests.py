"""Benchmark: HTTP requests per archived article, full crawl and no-change rerun.

Owns the figure "requests per article". For each replica size (its own process, no
latency), a full crawl of a fresh archive (ours: `run_crawl` in a fresh process,
Politeness(delay=0, per_host=4, total=4), robots.txt obeyed), counted from the archive's
`fetches` table (attempts, so retries would count) plus robots.txt; the Scrapy spider
(bench/scrapy_spider.py, concurrency 4) on the same replica, counted from its stat
`downloader/request_count` (robots.txt included). Then a no-change rerun on the same
archive right after the full crawl: its requests and seconds.

Named after the figure; it imports nothing that needs the `requests` package (and
bench/_common.py drops bench/ from sys.path for the scripts that could).

    python bench/requests.py [--articles 1000 4000] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
from pathlib import Path

import _common  # first of its section: drops bench/ from sys.path (bench/requests.py)

NAME = "requests"
TARGET_PER_ARTICLE = 1.12
TARGET_RERUN_SHARE = 0.05


def breakdown(db: Path, run_id: int) -> dict:
    """Requests of one run by kind: article pages, listing GETs, listing postbacks."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute(
            f"SELECT CASE WHEN {_common.ARTICLE_FETCH} THEN 'article' "
            "WHEN method = 'POST' THEN 'listing_postback' ELSE 'listing_get' END AS kind, "
            "COUNT(*), SUM(attempts) FROM fetches WHERE run_id = ? GROUP BY kind",
            (run_id,),
        ).fetchall()
    finally:
        con.close()
    return {kind: {"rows": n, "attempts": a} for kind, n, a in rows}


def one_size(articles: int, concurrency: int, seed: int) -> dict:
    with (
        _common.Replica(articles, seed=seed) as replica,
        tempfile.TemporaryDirectory() as tmp,
    ):
        print(f"replica: {replica.command} (ready in {replica.startup:.1f} s)", flush=True)
        db = Path(tmp) / "bench.db"
        full = _common.ours(replica.url, db, concurrency, replica=replica)
        full_counts = _common.archive_counts(db, full["run_id"])
        rerun = _common.ours(replica.url, db, concurrency, replica=replica)
        rerun_counts = _common.archive_counts(db, rerun["run_id"])
        full_kinds = breakdown(db, full["run_id"])
        rerun_kinds = breakdown(db, rerun["run_id"])
        scrapy = _common.scrapy_run(replica.url, concurrency, replica=replica)
    archived = full_counts["articles"]
    full_requests = full_counts["attempts"] + 1  # + robots.txt
    rerun_requests = rerun_counts["attempts"] + 1
    out = {
        "replica_articles": articles,
        "ours_full": {
            "archived": archived,
            "requests": full_requests,
            "fetch_rows": full_counts["fetches"],
            "by_kind": full_kinds,
            "failed": full_counts["failed_fetches"],
            "seconds": full["seconds"],
            "per_article": full_requests / archived,
        },
        "ours_rerun": {
            "requests": rerun_requests,
            "by_kind": rerun_kinds,
            "stats": rerun["stats"],
            "seconds": rerun["seconds"],
            "wall": rerun["wall"],
            "share_of_full": rerun_requests / full_requests,
        },
        "scrapy_full": {
            "articles": scrapy["articles"],
            "requests": scrapy["requests"],
            "robots_requests": scrapy["robots_requests"],
            "seconds": scrapy["seconds"],
            "per_article": scrapy["requests"] / max(scrapy["articles"], 1),
            "command": scrapy["command"],
        },
    }
    o, r, s = out["ours_full"], out["ours_rerun"], out["scrapy_full"]
    kinds = ", ".join(f"{k} {v['attempts']}" for k, v in sorted(o["by_kind"].items()))
    print(
        f"  {articles} articles: ours full crawl {o['requests']} requests for {archived} "
        f"archived = {o['per_article']:.3f} per article ({kinds}, robots.txt 1) "
        f"in {o['seconds']:.1f} s\n"
        f"  {articles} articles: no-change rerun {r['requests']} requests "
        f"({r['share_of_full']:.2%} of the full crawl) in {r['seconds']:.2f} s "
        f"(process wall {r['wall']:.2f} s); stats {r['stats']}\n"
        f"  {articles} articles: Scrapy {s['requests']} requests for {s['articles']} articles "
        f"= {s['per_article']:.3f} per article in {s['seconds']:.1f} s",
        flush=True,
    )
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--articles", type=int, nargs="+", default=[1000, 4000])
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    m = _common.header("requests per archived article; no-change rerun")
    sizes = [one_size(n, args.concurrency, args.seed) for n in args.articles]

    print(
        f"\n{'replica':>8} {'ours req':>9} {'per art':>8} {'Scrapy req':>10} {'per art':>8} "
        f"{'rerun req':>9} {'% of full':>9} {'rerun s':>8}"
    )
    for size in sizes:
        o, r, s = size["ours_full"], size["ours_rerun"], size["scrapy_full"]
        print(
            f"{size['replica_articles']:>8} {o['requests']:>9} {o['per_article']:>8.3f} "
            f"{s['requests']:>10} {s['per_article']:>8.3f} {r['requests']:>9} "
            f"{r['share_of_full']:>9.2%} {r['seconds']:>8.2f}"
        )
    verdicts = {}
    for size in sizes:
        n = size["replica_articles"]
        per = size["ours_full"]["per_article"]
        share = size["ours_rerun"]["share_of_full"]
        verdicts[f"{n} articles: requests per article <= {TARGET_PER_ARTICLE}"] = (
            round(per, 3),
            per <= TARGET_PER_ARTICLE,
        )
        verdicts[f"{n} articles: rerun requests <= 5% of full"] = (
            round(share, 4),
            share <= TARGET_RERUN_SHARE,
        )
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        growth = large["ours_rerun"]["requests"] / small["ours_rerun"]["requests"]
        time_growth = large["ours_rerun"]["seconds"] / small["ours_rerun"]["seconds"]
        label = f"{small['replica_articles']} -> {large['replica_articles']}"
        verdicts[f"rerun requests flat {label} (ratio <= 1.25)"] = (
            round(growth, 2),
            growth <= 1.25,
        )
        verdicts[f"rerun seconds flat {label} (ratio <= 1.25)"] = (
            round(time_growth, 2),
            time_growth <= 1.25,
        )
    print("\nverdicts:")
    for k, (value, ok) in verdicts.items():
        print(f"  {k}: {value} -> {'met' if ok else 'MISSED'}")
    _common.save(
        NAME,
        {
            "options": vars(args),
            "commands": {
                "replica": "python -m scraper.replica --port P --seed 1 --articles N --latency 0.0",
                "ours": "python bench/_common.py crawl --site URL --db DB "
                f"--concurrency {args.concurrency} --delay 0",
                "scrapy": sizes[0]["scrapy_full"]["command"],
            },
            "sizes": sizes,
            "verdicts": {k: {"value": v, "met": ok} for k, (v, ok) in verdicts.items()},
        },
        m,
    )


if __name__ == "__main__":
    main()
