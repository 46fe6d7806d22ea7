"""Benchmark: peak resident memory of a full `scrape crawl`, by archive size.

Owns the figure "peak RSS". For each replica size (its own process, no latency), a full
crawl of a fresh archive by the real command line, as a child process:

    scrape crawl --site URL --db DB --concurrency 4 --delay 0 --quiet

Its peak RSS is the kernel's ru_maxrss for that child (os.wait4, what `/usr/bin/time -v`
reports as "Maximum resident set size"); psutil polls its RSS meanwhile, so the JSON
also holds how RSS moved during the crawl. A small replica gives the floor (the
interpreter, imports, the HTTP client): growth beyond it is what the crawl keeps.

    python bench/memory.py [--articles 100 1000 4000] [--concurrency 4] [--why 4000]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common  # first of its section: drops bench/ from sys.path (bench/requests.py)
import psutil

NAME = "memory"
TARGET_MB = 200.0
FLAT_MB = 25.0  # at most this much more at the largest size than at 1,000 articles


def scrape_command() -> list[str]:
    exe = shutil.which("scrape")
    if exe:
        return [exe]
    return [sys.executable, "-c", "import sys; from scraper.cli import main; sys.exit(main())"]


def crawl(url: str, db: Path, concurrency: int, poll: float) -> dict:
    argv = [
        *scrape_command(),
        "crawl",
        "--site",
        url,
        "--db",
        str(db),
        "--concurrency",
        str(concurrency),
        "--delay",
        "0",
        "--quiet",
    ]
    start = time.monotonic()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
        ps = psutil.Process(proc.pid)
        samples: list[tuple[float, float]] = []
        pid = status = 0
        while not pid:
            with contextlib.suppress(psutil.Error):
                samples.append(
                    (round(time.monotonic() - start, 3), round(ps.memory_info().rss / 2**20, 1))
                )
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if not pid:
                time.sleep(poll)
        seconds = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"scrape crawl exited {proc.returncode}: {stderr[-2000:]}")
    shown = ["scrape", *argv[len(scrape_command()) :]]
    return {
        "command": shlex.join(shown),
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "polled_peak_rss_mb": max((s[1] for s in samples), default=0.0),
        "seconds": seconds,
        "samples": samples[:: max(1, len(samples) // 60)],
    }


def why(articles: int, concurrency: int, seed: int) -> dict:
    """Where the retained Python heap is at the end of a crawl: one in-process crawl under
    tracemalloc, a snapshot taken when the crawl's queue is done (the crawl's own structures
    still alive), the top files and lines, and the fill of every memo cache."""
    import gc
    import tracemalloc

    import scraper.crawl as crawl
    import scraper.sites.tt as tt
    import scraper.urls as urls
    from scraper.fetch import FetchConfig, Politeness

    snapshots = []
    joined = crawl.asyncio.Queue.join

    async def join(queue):
        await joined(queue)
        gc.collect()
        snapshots.append(tracemalloc.take_snapshot())

    crawl.asyncio.Queue.join = join  # PriorityQueue inherits it
    try:
        with _common.Replica(articles, seed=seed) as replica, tempfile.TemporaryDirectory() as tmp:
            config = crawl.CrawlConfig(
                sites=(replica.url,),
                fetch=FetchConfig(
                    politeness=Politeness(delay=0, per_host=concurrency, total=concurrency)
                ),
            )
            tracemalloc.start(1)
            crawl.run_crawl(Path(tmp) / "bench.db", config)
            if not snapshots:  # the crawl no longer joins a queue: take it after the run
                snapshots.append(tracemalloc.take_snapshot())
            tracemalloc.stop()
    finally:
        crawl.asyncio.Queue.join = joined
    snap = snapshots[-1]
    total = sum(stat.size for stat in snap.statistics("filename"))
    files = [
        {"file": str(stat.traceback[0].filename), "mb": stat.size / 2**20, "blocks": stat.count}
        for stat in snap.statistics("filename")[:8]
    ]
    lines = [
        {
            "line": f"{stat.traceback[0].filename}:{stat.traceback[0].lineno}",
            "mb": stat.size / 2**20,
        }
        for stat in snap.statistics("lineno")[:10]
    ]
    caches = {}
    for module in (urls, tt):
        for name, value in vars(module).items():
            info = getattr(value, "cache_info", None)
            if info is not None and value.__module__.startswith("scraper"):
                caches[f"{value.__module__}.{name}"] = info()._asdict()
    print(
        f"\nretained Python heap at the end of a {articles}-article crawl (tracemalloc): "
        f"{total / 2**20:.1f} MB"
    )
    for f in files:
        print(f"  {f['mb']:7.2f} MB {f['blocks']:8d} blocks  {f['file']}")
    print("  top lines:")
    for line in lines:
        print(f"  {line['mb']:7.2f} MB  {line['line']}")
    print("  memo caches (entries / maxsize):")
    for name, info in caches.items():
        print(f"    {name}: {info['currsize']} / {info['maxsize']}")
    return {
        "articles": articles,
        "traced_mb": total / 2**20,
        "files": files,
        "lines": lines,
        "caches": caches,
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--articles", type=int, nargs="+", default=[100, 1000, 4000])
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--poll", type=float, default=0.05, help="psutil polling interval (s)")
    p.add_argument(
        "--why",
        type=int,
        default=None,
        metavar="N",
        help="also trace the retained heap of an in-process crawl of N articles (tracemalloc)",
    )
    p.add_argument("--tag", default=None, help="write bench/results/memory-TAG.json instead")
    args = p.parse_args(argv)
    m = _common.header("peak RSS of a full `scrape crawl`")

    sizes = []
    for n in args.articles:
        with _common.Replica(n, seed=args.seed) as replica, tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "bench.db"
            run = crawl(replica.url, db, args.concurrency, args.poll)
            archived = _common.archive_counts(db)["articles"]
            db_mb = sum(f.stat().st_size for f in Path(tmp).iterdir()) / 2**20
        run.update({"replica_articles": n, "archived": archived, "db_files_mb": db_mb})
        sizes.append(run)
        print(
            f"  {n:>5} articles ({archived} archived, {run['seconds']:.1f} s): peak RSS "
            f"{run['peak_rss_mb']:.1f} MB (polled {run['polled_peak_rss_mb']:.1f} MB)\n"
            f"        command: {run['command']}",
            flush=True,
        )

    verdicts = {}
    for run in sizes:
        if run["replica_articles"] >= 1000:
            verdicts[f"{run['replica_articles']} articles: peak RSS <= {TARGET_MB:g} MB"] = (
                round(run["peak_rss_mb"], 1),
                run["peak_rss_mb"] <= TARGET_MB,
            )
    by_size = {run["replica_articles"]: run for run in sizes}
    if 1000 in by_size and max(by_size) > 1000:
        largest = by_size[max(by_size)]
        growth = largest["peak_rss_mb"] - by_size[1000]["peak_rss_mb"]
        per_1000 = growth / ((largest["replica_articles"] - 1000) / 1000)
        verdicts[
            f"flat: peak RSS at {largest['replica_articles']} minus at 1000 <= {FLAT_MB:g} MB"
        ] = (round(growth, 1), growth <= FLAT_MB)
        print(
            f"\ngrowth 1000 -> {largest['replica_articles']}: {growth:+.1f} MB "
            f"({per_1000:+.1f} MB per 1,000 articles)"
        )
    traced = why(args.why, args.concurrency, args.seed) if args.why else None
    print("\nverdicts:")
    for k, (value, ok) in verdicts.items():
        print(f"  {k}: {value} -> {'met' if ok else 'MISSED'}")
    _common.save(
        f"{NAME}-{args.tag}" if args.tag else NAME,
        {
            "options": vars(args),
            "sizes": sizes,
            "retained_heap": traced,
            "verdicts": {k: {"value": v, "met": ok} for k, (v, ok) in verdicts.items()},
        },
        m,
    )


if __name__ == "__main__":
    main()
