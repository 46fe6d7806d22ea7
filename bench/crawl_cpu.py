"""Benchmark (evidence): where a crawl's CPU goes, per article page.

Owns the breakdown behind the throughput figures. One full crawl in this process
(`run_crawl`, Politeness(delay=0, per_host=N, total=N)) against the replica in its own
process without latency, so the crawl is CPU-bound. The synchronous steps the crawl
loop calls are timed by thin wrappers measuring the CPU time of the thread that runs them
(`time.thread_time`: right whether the archive runs on the event loop's thread or its
own): page parsing (`scraper.sites.tt.parse_page`, `parse_listing`) and each
`scraper.store.Archive` method; every SQL statement is timed through a proxy on the
archive's connection. What is left of the process CPU time is the event loop, httpx and
the crawl logic. Wrappers cost about a microsecond a call. Then, for scale, the same
article URLs fetched alone (no parsing, no archive) through the crawler's Fetcher and
through one plain httpx.AsyncClient: the CPU cost of the HTTP layer per request.

    python bench/crawl_cpu.py [--articles 600] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import functools
import re
import sqlite3
import tempfile
import time
from pathlib import Path

import _common  # first of its section: drops bench/ from sys.path (bench/requests.py)
import httpx

import scraper.crawl as crawl
import scraper.sites.tt as tt
import scraper.store as store
from scraper.fetch import FetchConfig, Fetcher, Politeness

NAME = "crawl_cpu"
ARCHIVE_METHODS = (
    "store_page",
    "record_fetch",
    "save_article",
    "frontier_add",
    "frontier_done",
    "known_ids",
    "settled_ids",
    "last_page_sha",
    "touch_article",
    "record_missing",
)

seconds: collections.defaultdict[str, float] = collections.defaultdict(float)
calls: collections.Counter[str] = collections.Counter()
sql_seconds: collections.defaultdict[str, float] = collections.defaultdict(float)
sql_calls: collections.Counter[str] = collections.Counter()


def wrap(owner, name: str, label: str) -> None:
    fn = getattr(owner, name)

    @functools.wraps(fn)
    def timed(*args, **kwargs):
        start = time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            seconds[label] += time.thread_time() - start
            calls[label] += 1

    setattr(owner, name, timed)


class TimedConnection:
    """Times execute/executemany per statement (first 60 characters) and delegates."""

    def __init__(self, conn):
        self._conn = conn

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def _timed(self, method, sql, *args):
        key = re.sub(r"\s+", " ", sql.strip())[:60]
        start = time.thread_time()
        try:
            return method(sql, *args)
        finally:
            sql_seconds[key] += time.thread_time() - start
            sql_calls[key] += 1

    def execute(self, sql, *args):
        return self._timed(self._conn.execute, sql, *args)

    def executemany(self, sql, *args):
        return self._timed(self._conn.executemany, sql, *args)


def instrument() -> None:
    for name in ("parse_page", "parse_listing"):
        wrap(tt, name, f"parse: tt.{name}")
    for name in ARCHIVE_METHODS:
        wrap(store.Archive, name, f"archive: Archive.{name}")
    opened = store.Archive.__init__

    def init(self, path, **kwargs):
        opened(self, path, **kwargs)
        self.db.conn = TimedConnection(self.db.conn)

    store.Archive.__init__ = init


async def _drain(urls: list[str], concurrency: int, get) -> tuple[float, float]:
    todo = iter(urls)

    async def worker():
        for url in todo:
            await get(url)

    cpu0, wall0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - wall0, time.process_time() - cpu0


async def fetch_with_fetcher(urls: list[str], concurrency: int) -> tuple[float, float]:
    """(wall, CPU) seconds to GET urls through the crawler's Fetcher (politeness off)."""
    config = FetchConfig(politeness=Politeness(delay=0, per_host=concurrency, total=concurrency))
    async with Fetcher(config) as fetcher:
        await fetcher.get(urls[0])  # robots.txt and a first connection
        return await _drain(urls, concurrency, fetcher.get)


async def fetch_with_httpx(urls: list[str], concurrency: int) -> tuple[float, float]:
    """(wall, CPU) seconds to GET urls with one plain httpx.AsyncClient."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits) as client:
        await client.get(urls[0])

        async def get(url):
            response = await client.get(url)
            return response.content

        return await _drain(urls, concurrency, get)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--articles", type=int, default=600)
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    m = _common.header("where the crawl's CPU goes (CPU-bound crawl, instrumented)")
    instrument()
    n = args.concurrency
    with (
        _common.Replica(args.articles, seed=args.seed) as replica,
        tempfile.TemporaryDirectory() as tmp,
    ):
        print(f"replica: {replica.command}")
        config = crawl.CrawlConfig(
            sites=(replica.url,),
            fetch=FetchConfig(politeness=Politeness(delay=0, per_host=n, total=n)),
        )
        cpu0, wall0, rep0 = time.process_time(), time.perf_counter(), replica.cpu_seconds()
        result = crawl.run_crawl(Path(tmp) / "bench.db", config)
        cpu = time.process_time() - cpu0
        wall = time.perf_counter() - wall0
        replica_cpu = replica.cpu_seconds() - rep0
        urls = [
            row[0]
            for row in sqlite3.connect(Path(tmp) / "bench.db").execute(
                "SELECT url FROM articles ORDER BY id"
            )
        ]
        fetch_only = {
            "scraper.fetch.Fetcher": asyncio.run(fetch_with_fetcher(urls, n)),
            "bare httpx.AsyncClient": asyncio.run(fetch_with_httpx(urls, n)),
        }
    stats = result.stats
    articles = stats.new + stats.changed + stats.unchanged
    requests = stats.requests
    print(
        f"\ncrawl: {wall:.2f} s wall, {cpu:.2f} s CPU in this process ({cpu / wall:.0%}), "
        f"replica {replica_cpu:.2f} s CPU; {articles} articles, {requests} requests "
        f"(+ robots.txt); {cpu / articles * 1000:.2f} ms CPU per article page, "
        f"{cpu / requests * 1000:.2f} ms per request\n"
    )
    rows = []
    accounted = 0.0
    for label, s in sorted(seconds.items(), key=lambda kv: -kv[1]):
        accounted += s
        rows.append((label, s, calls[label]))
    rows.append(("rest: event loop, httpx, crawl logic", cpu - accounted, requests))
    # With the archive on its own thread, its CPU and the event loop's overlap on 2 cores:
    # process CPU can exceed wall time; the split above still adds up to process CPU.
    print(f"{'step':<40} {'seconds':>8} {'calls':>6} {'ms/call':>8} {'ms/article':>10} {'CPU':>6}")
    for label, s, c in rows:
        print(
            f"{label:<40} {s:>8.2f} {c:>6} {s / max(c, 1) * 1000:>8.3f} "
            f"{s / articles * 1000:>10.3f} {s / cpu:>6.1%}"
        )
    total_sql = sum(sql_seconds.values())
    print(
        f"\nSQL statements: {total_sql:.2f} s in all ({total_sql / cpu:.1%} of CPU), "
        f"{sum(sql_calls.values())} calls; the most expensive:"
    )
    top_sql = sorted(sql_seconds.items(), key=lambda kv: -kv[1])[:12]
    for sql, s in top_sql:
        c = sql_calls[sql]
        print(f"  {s:7.3f} s {c:6d} calls {s / c * 1000:7.3f} ms/call  {sql}")
    print(
        f"\nfetching alone, the same {len(urls)} article URLs at concurrency {n} "
        "(no parsing, no archive):"
    )
    for label, (f_wall, f_cpu) in fetch_only.items():
        print(
            f"  {label:<24} {f_wall:6.2f} s wall, {f_cpu:6.2f} s CPU = "
            f"{f_cpu / len(urls) * 1000:.2f} ms CPU per request"
        )
    _common.save(
        NAME,
        {
            "options": vars(args),
            "wall_seconds": wall,
            "cpu_seconds": cpu,
            "replica_cpu_seconds": replica_cpu,
            "articles": articles,
            "requests": requests,
            "cpu_ms_per_article": cpu / articles * 1000,
            "steps": [
                {"step": label, "seconds": s, "calls": c, "ms_per_article": s / articles * 1000}
                for label, s, c in rows
            ],
            "fetch_only": {
                label: {"wall": w, "cpu": c, "cpu_ms_per_request": c / len(urls) * 1000}
                for label, (w, c) in fetch_only.items()
            },
            "sql_seconds": total_sql,
            "top_sql": [{"sql": sql, "seconds": s, "calls": sql_calls[sql]} for sql, s in top_sql],
        },
        m,
    )


if __name__ == "__main__":
    main()
