"""Benchmark: crawl throughput against the replica, ours side by side with a Scrapy spider.

Owns the figure "crawl throughput". The replica runs in its own process
(`python -m scraper.replica --latency 0.05`, so it does not share our GIL); each crawl is
a fresh process on a fresh archive: ours is `run_crawl` with Politeness(delay=0,
per_host=N, total=N) and robots.txt obeyed (bench/_common.py crawl), Scrapy's is
bench/scrapy_spider.py (CONCURRENT_REQUESTS_PER_DOMAIN=N, DOWNLOAD_DELAY 0,
ROBOTSTXT_OBEY True, no extraction). Both reach the same articles; rounds alternate
which one goes first; best of N per contender and concurrency.

Figures: article pages/s and all pages/s (every HTTP response, robots.txt included),
each against its bound: N / latency for all pages, and that times the article share of
the requests for article pages. The CPU seconds of each crawler and of the replica
during the crawl show which side is saturated (2 cores in all). Then the same crawls
against a replica without latency (CPU-bound).

    python bench/crawl_throughput.py [--articles 600] [--concurrency 1 4 16] [--repeat 2]
        [--repeat-c1 1] [--cpu-bound 4 16]

The default run takes about 3.5 minutes (concurrency 1 alone is 2 x 42 s); the recorded
one (bench/README.md) used --repeat 3 --cpu-bound 4 16 and took about 5.5.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import _common  # first of its section: drops bench/ from sys.path (bench/requests.py)

NAME = "crawl_throughput"
TARGET_BOUND_SHARE = 0.80  # of the bound, at concurrency 4
TARGET_VS_SCRAPY = 1.5  # article pages/s at concurrency 16


def run_ours(replica: _common.Replica, concurrency: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        rep = _common.ours(replica.url, db, concurrency, replica=replica)
        counts = _common.archive_counts(db)
    requests = counts["attempts"] + 1  # + robots.txt (not a row of `fetches`)
    return {
        "contender": "ours",
        "seconds": rep["seconds"],
        "articles": counts["articles"],
        "article_pages": counts["article_fetches"],
        "requests": requests,
        "crawler_cpu": rep["cpu_crawl"],
        "replica_cpu": rep["replica_cpu"],
        "failed": counts["failed_fetches"],
        "wall": rep["wall"],
    }


def run_scrapy(replica: _common.Replica, concurrency: int) -> dict:
    rep = _common.scrapy_run(replica.url, concurrency, replica=replica)
    return {
        "contender": "scrapy",
        "seconds": rep["seconds"],
        "articles": rep["articles"],
        "article_pages": rep["articles"],
        "requests": rep["requests"],
        "crawler_cpu": rep["cpu_crawl"],
        "replica_cpu": rep["replica_cpu"],
        "failed": rep["stats"].get("downloader/response_status_count/404", 0),
        "wall": rep["wall"],
        "command": rep["command"],
    }


def rates(run: dict, concurrency: int, latency: float) -> dict:
    s = run["seconds"]
    out = {
        **run,
        "article_pages_per_s": run["article_pages"] / s,
        "pages_per_s": run["requests"] / s,
        "crawler_cpu_share": run["crawler_cpu"] / s,
        "replica_cpu_share": run["replica_cpu"] / s,
    }
    if latency > 0:
        bound = concurrency / latency
        share = run["article_pages"] / run["requests"]
        out["bound_pages_per_s"] = bound
        out["bound_article_pages_per_s"] = bound * share
        out["pages_vs_bound"] = out["pages_per_s"] / bound
        out["article_pages_vs_bound"] = out["article_pages_per_s"] / (bound * share)
    return out


def series(replica: _common.Replica, concurrency: int, repeat: int, latency: float) -> dict:
    runs: dict[str, list[dict]] = {"ours": [], "scrapy": []}
    for r in range(repeat):
        order = [("ours", run_ours), ("scrapy", run_scrapy)]
        for name, fn in order if r % 2 == 0 else order[::-1]:
            run = rates(fn(replica, concurrency), concurrency, latency)
            runs[name].append(run)
            print(
                f"  N={concurrency:<2} latency={latency:g} {name:<6} round {r + 1}: "
                f"{run['seconds']:6.2f} s, {run['article_pages']} articles, "
                f"{run['requests']} requests, {run['article_pages_per_s']:6.1f} articles/s, "
                f"{run['pages_per_s']:6.1f} pages/s, CPU crawler {run['crawler_cpu_share']:.0%} "
                f"replica {run['replica_cpu_share']:.0%}",
                flush=True,
            )
    for name, rs in runs.items():
        for run in rs:
            if run["article_pages"] < replica.articles or run["failed"]:
                print(
                    f"  WARNING: {name} fetched {run['article_pages']} of {replica.articles} "
                    f"articles, {run['failed']} failed requests"
                )
    best = {name: min(rs, key=lambda x: x["seconds"]) for name, rs in runs.items()}
    return {
        "concurrency": concurrency,
        "latency": latency,
        "rounds": repeat,
        "best": best,
        "all_runs": runs,
        "ours/scrapy_article_pages_per_s": best["ours"]["article_pages_per_s"]
        / best["scrapy"]["article_pages_per_s"],
    }


def table(rows: list[dict]) -> None:
    print(
        f"\n{'N':>3} {'lat s':>5} {'crawler':<7} {'seconds':>8} {'articles':>8} {'requests':>8} "
        f"{'art/s':>7} {'(bound)':>8} {'pages/s':>8} {'(bound)':>8} {'%bound':>7} "
        f"{'CPU crawler':>11} {'CPU replica':>11}"
    )
    for row in rows:
        for name in ("ours", "scrapy"):
            b = row["best"][name]
            lat = row["latency"]
            bound_a = f"{b['bound_article_pages_per_s']:.1f}" if lat else "CPU"
            bound_p = f"{b['bound_pages_per_s']:.0f}" if lat else "CPU"
            share = f"{b['pages_vs_bound']:.0%}" if lat else "-"
            print(
                f"{row['concurrency']:>3} {lat:>5g} {name:<7} {b['seconds']:>8.2f} "
                f"{b['article_pages']:>8} {b['requests']:>8} {b['article_pages_per_s']:>7.1f} "
                f"{bound_a:>8} {b['pages_per_s']:>8.1f} {bound_p:>8} {share:>7} "
                f"{b['crawler_cpu_share']:>11.0%} {b['replica_cpu_share']:>11.0%}"
            )
        print(
            f"{'':>3} {'':>5} ours/scrapy article pages/s: "
            f"{row['ours/scrapy_article_pages_per_s']:.2f}"
        )


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--articles", type=int, default=600)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--latency", type=float, default=0.05)
    p.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16])
    p.add_argument("--repeat", type=int, default=2, help="rounds per concurrency (best of)")
    p.add_argument("--repeat-c1", type=int, default=1, help="rounds at concurrency 1")
    p.add_argument(
        "--cpu-bound",
        type=int,
        nargs="*",
        default=[4],
        help="concurrencies also run against a replica without latency",
    )
    args = p.parse_args(argv)
    m = _common.header("crawl throughput against the replica (separate process)")

    rows = []
    commands = {}
    with _common.Replica(args.articles, seed=args.seed, latency=args.latency) as replica:
        commands["replica"] = replica.command
        print(f"replica: {replica.command} (ready in {replica.startup:.1f} s)")
        run_ours(replica, 16)  # warm-up: the replica renders and caches each page once
        for n in args.concurrency:
            rows.append(series(replica, n, args.repeat_c1 if n == 1 else args.repeat, args.latency))
    if args.cpu_bound:
        with _common.Replica(args.articles, seed=args.seed, latency=0.0) as replica:
            commands["replica_no_latency"] = replica.command
            print(f"replica: {replica.command} (ready in {replica.startup:.1f} s)")
            run_ours(replica, 16)
            for n in args.cpu_bound:
                rows.append(series(replica, n, args.repeat, 0.0))
    commands["ours"] = (
        "python bench/_common.py crawl --site URL --db DB --concurrency N --delay 0  "
        "(run_crawl, Politeness(delay=0, per_host=N, total=N), robots obeyed)"
    )
    commands["scrapy"] = rows[0]["best"]["scrapy"]["command"]
    table(rows)

    verdicts = {}
    for row in rows:
        n, lat = row["concurrency"], row["latency"]
        ours = row["best"]["ours"]
        if n == 4 and lat > 0:
            verdicts[f"N=4 latency {lat:g}: all pages/s >= 80% of bound"] = (
                round(ours["pages_vs_bound"], 3),
                ours["pages_vs_bound"] >= TARGET_BOUND_SHARE,
            )
            verdicts[f"N=4 latency {lat:g}: article pages/s >= 80% of bound"] = (
                round(ours["article_pages_vs_bound"], 3),
                ours["article_pages_vs_bound"] >= TARGET_BOUND_SHARE,
            )
        if n == 16:
            ratio = row["ours/scrapy_article_pages_per_s"]
            verdicts[f"N=16 latency {lat:g}: article pages/s >= 1.5x Scrapy"] = (
                round(ratio, 2),
                ratio >= TARGET_VS_SCRAPY,
            )
    print("\nverdicts:")
    for k, (value, ok) in verdicts.items():
        print(f"  {k}: {value} -> {'met' if ok else 'MISSED'}")
    print("\ncommands:\n  " + "\n  ".join(f"{k}: {v}" for k, v in commands.items()))
    _common.save(
        NAME,
        {
            "options": vars(args),
            "commands": commands,
            "series": rows,
            "verdicts": {k: {"value": v, "met": ok} for k, (v, ok) in verdicts.items()},
        },
        m,
    )


if __name__ == "__main__":
    main()
