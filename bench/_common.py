"""Shared helpers of the benchmarks (not a benchmark itself).

Owns: the machine description every script prints, the exact command line, the JSON
result files under bench/results/, the replica run in its own process
(`python -m scraper.replica`), one crawl of ours in a fresh process (`python
bench/_common.py crawl ...`, what `ours()` runs), the Scrapy spider in a fresh process,
and the counts read back from an archive.

Importing this module drops bench/ from sys.path: bench/requests.py would otherwise
shadow the `requests` package for every script run from this directory.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import resource
import shlex
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results"
SPIDER = BENCH_DIR / "scrapy_spider.py"

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))


# --------------------------------------------------------------------------- reporting
def machine() -> dict:
    """nproc, CPU model, Python and library versions: printed with every figure."""
    model = "unknown"
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    try:
        nproc = int(subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip())
    except (OSError, ValueError):
        nproc = os.cpu_count() or 0
    versions = {}
    for name in ("selectolax", "httpx", "trafilatura", "scrapy", "sqlite_utils"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version

            versions[name] = version(name.replace("_", "-"))
    git = {}
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "scraper"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.split("\n")
        git = {"head": head, "uncommitted_in_scraper": [d[3:] for d in dirty if d.strip()]}
    return {
        "git": git,
        "nproc": nproc,
        "cpu_model": model,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "versions": versions,
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def command() -> str:
    """The command line as typed (python + script + options)."""
    return shlex.join(["python", *sys.argv])


def header(title: str) -> dict:
    m = machine()
    print(f"# {title}")
    print(f"command: {command()}")
    print(
        f"machine: nproc={m['nproc']}, CPU {m['cpu_model']}, Python {m['python']}, "
        f"SQLite {m['sqlite']}, load average {m['loadavg_at_start']}"
    )
    print(f"versions: {', '.join(f'{k} {v}' for k, v in m['versions'].items())}")
    git = m.get("git") or {}
    if git:
        dirty = git["uncommitted_in_scraper"]
        print(
            f"code: commit {git['head'][:10]}"
            + (f", uncommitted: {' '.join(dirty)}" if dirty else "")
        )
    print(flush=True)
    return m


def save(name: str, data: dict, m: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    out = {
        "benchmark": name,
        "command": command(),
        "when": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": m,
        **data,
    }
    path.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nresult written to {path.relative_to(ROOT)}")
    return path


def fmt_s(seconds: float) -> str:
    return f"{seconds:.2f} s"


# --------------------------------------------------------------------------- the replica
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Replica:
    """`python -m scraper.replica` in its own process (its own GIL), as a context manager."""

    def __init__(self, articles: int, *, seed: int = 1, latency: float = 0.0):
        self.articles = articles
        self.seed = seed
        self.latency = latency
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.url = ""
        self.argv = [
            sys.executable,
            "-m",
            "scraper.replica",
            "--port",
            str(self.port),
            "--seed",
            str(seed),
            "--articles",
            str(articles),
            "--latency",
            str(latency),
        ]

    @property
    def command(self) -> str:
        return shlex.join(["python", *self.argv[1:]])

    def __enter__(self) -> Replica:
        started = time.monotonic()
        self.proc = subprocess.Popen(
            self.argv, cwd=ROOT, stdout=subprocess.PIPE, text=True, start_new_session=True
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("http"):
            self.__exit__()
            raise RuntimeError(f"replica did not start: {line!r}")
        self.url = line
        self.startup = time.monotonic() - started
        return self

    def cpu_seconds(self) -> float:
        """User + system CPU time the replica process has used so far."""
        import psutil

        assert self.proc is not None
        t = psutil.Process(self.proc.pid).cpu_times()
        return t.user + t.system

    def __exit__(self, *exc) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        self.proc = None


# --------------------------------------------------------------------------- our crawl
def ours(
    site_url: str,
    db: Path,
    concurrency: int,
    *,
    delay: float = 0.0,
    replica: Replica | None = None,
) -> dict:
    """One `run_crawl` in a fresh Python process (caches and heap start empty), with
    Politeness(delay, per_host=N, total=N), robots.txt obeyed. Returns the child's report
    (seconds inside run_crawl, its stats, its CPU time) plus wall time and, given the
    replica, the replica's CPU seconds during the crawl."""
    argv = [
        sys.executable,
        str(Path(__file__)),
        "crawl",
        "--site",
        site_url,
        "--db",
        str(db),
        "--concurrency",
        str(concurrency),
        "--delay",
        str(delay),
    ]
    before = replica.cpu_seconds() if replica else 0.0
    t0 = time.monotonic()
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    wall = time.monotonic() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"crawl failed ({proc.returncode}): {proc.stderr[-2000:]}")
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    report["wall"] = wall
    if replica:
        report["replica_cpu"] = replica.cpu_seconds() - before
    return report


def _child_crawl(args: argparse.Namespace) -> None:
    from scraper.crawl import CrawlConfig, run_crawl
    from scraper.fetch import FetchConfig, Politeness

    n = args.concurrency
    config = CrawlConfig(
        sites=(args.site,),
        fetch=FetchConfig(politeness=Politeness(delay=args.delay, per_host=n, total=n)),
    )
    cpu0 = time.process_time()
    result = run_crawl(args.db, config)
    cpu_crawl = time.process_time() - cpu0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    stats = result.stats
    print(
        json.dumps(
            {
                "status": result.status,
                "run_id": result.run_id,
                "seconds": result.seconds,
                "stats": {**stats.counts(), "listing_pages": stats.listing_pages},
                "requests_sent": stats.requests,
                "cpu": usage.ru_utime + usage.ru_stime,
                "cpu_crawl": cpu_crawl,
                "maxrss_mb": usage.ru_maxrss / 1024,
            }
        )
    )


# --------------------------------------------------------------------------- Scrapy
def scrapy_argv(site_url: str, concurrency: int, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "scrapy",
        "runspider",
        str(SPIDER.relative_to(ROOT)),
        "-a",
        f"start={site_url}",
        "-a",
        f"out={out}",
        "-s",
        f"CONCURRENT_REQUESTS={concurrency}",
        "-s",
        f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}",
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "ROBOTSTXT_OBEY=True",
        "-s",
        "LOG_LEVEL=WARNING",
    ]


def scrapy_run(site_url: str, concurrency: int, *, replica: Replica | None = None) -> dict:
    """The Scrapy spider in a fresh process; returns its stats (seconds = Scrapy's own
    elapsed_time_seconds, start to finish of the crawl) plus wall time and CPU."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "stats.json"
        argv = scrapy_argv(site_url, concurrency, out)
        before = replica.cpu_seconds() if replica else 0.0
        t0 = time.monotonic()
        proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _, _, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - t0
        stdout, stderr = proc.communicate()
        if not out.exists():
            raise RuntimeError(f"scrapy failed: {stderr.decode()[-2000:]}")
        stats = json.loads(out.read_text())
    report = {
        "seconds": stats["elapsed_time_seconds"],
        "articles": stats.get("bench/article_pages", 0),
        "pages": stats.get("response_received_count", 0),
        "requests": stats.get("downloader/request_count", 0),
        "robots_requests": stats.get("robotstxt/request_count", 0),
        "stats": stats,
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "cpu_crawl": stats.get("bench/cpu_crawl"),
        "maxrss_mb": usage.ru_maxrss / 1024,
        "command": shlex.join(["python", *argv[1:]]),
    }
    if replica:
        report["replica_cpu"] = replica.cpu_seconds() - before
    return report


# --------------------------------------------------------------------------- the archive
ARTICLE_FETCH = "method = 'GET' AND (url LIKE '%?tc=%' OR url LIKE '%&tc=%')"


def archive_counts(db: Path, run_id: int | None = None) -> dict:
    """Requests and articles read back from an archive (one run, or all)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        where = "WHERE run_id = ?" if run_id is not None else ""
        args = (run_id,) if run_id is not None else ()

        def one(sql: str, params=()) -> int:
            return con.execute(sql, params).fetchone()[0] or 0

        and_run = f"AND run_id = {int(run_id)}" if run_id is not None else ""
        return {
            "fetches": one(f"SELECT COUNT(*) FROM fetches {where}", args),
            "attempts": one(f"SELECT SUM(attempts) FROM fetches {where}", args),
            "article_fetches": one(f"SELECT COUNT(*) FROM fetches WHERE {ARTICLE_FETCH} {and_run}"),
            "post_fetches": one(f"SELECT COUNT(*) FROM fetches WHERE method = 'POST' {and_run}"),
            "failed_fetches": one(
                f"SELECT COUNT(*) FROM fetches WHERE (status IS NULL OR status >= 400) {and_run}"
            ),
            "articles": one("SELECT COUNT(*) FROM articles"),
        }
    finally:
        con.close()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="helpers of the benchmarks (child processes)")
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("crawl", help="one run_crawl, report as one JSON line")
    c.add_argument("--site", required=True)
    c.add_argument("--db", required=True)
    c.add_argument("--concurrency", type=int, default=4)
    c.add_argument("--delay", type=float, default=0.0)
    args = p.parse_args(argv)
    if args.cmd == "crawl":
        _child_crawl(args)


if __name__ == "__main__":
    main()
