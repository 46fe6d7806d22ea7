"""Benchmark: one crawl of many sites at once with the default politeness.

Owns the figure "many sites". A server process runs SITES replica sites (`ReplicaServer`,
each `build_site(seed=k, ARTICLES)`, no latency) on as many loopback ports: a host is a
host:port, so each is its own politeness key. A crawler process runs `run_crawl` over all
of them with the default `FetchConfig()` (Politeness(delay=1.0, per_host=2, total=8),
robots.txt obeyed) on a fresh archive, and is stopped with SIGINT after SECONDS (the sites
are too big to finish in that time, on purpose). The figures come from the servers' own
request logs (request start times, `time.monotonic()` of the server process):

- rate per host: requests per second each host received over the window, and the
  shortest gap between two request starts to one host (the delay is 1 s, plus up to 10 %
  jitter: a gap under 1 s is a politeness violation);
- fairness: min / median / max requests per host (none starved, none over its rate);
- total request rate against SITES req/s, the crawler's CPU per request (its rusage
  over the requests the servers saw) and its peak RSS (`ru_maxrss`).

    python bench/many_sites.py [--sites 200] [--seconds 60] [--articles 150]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common  # first of its section: drops bench/ from sys.path (bench/requests.py)

NAME = "many_sites"


def serve(args: argparse.Namespace) -> None:
    """(child) Start the servers, print their URLs, then 'ready'; on stdin EOF write every
    server's request start times to args.out and exit."""
    from scraper.replica import ReplicaServer, build_site

    servers = []
    for k in range(args.sites):
        server = ReplicaServer(build_site(k + 1, args.articles)).start()
        servers.append(server)
        print(server.base_url, flush=True)
    print("ready", flush=True)
    sys.stdin.read()
    log = {s.base_url: [r["start"] for r in s.requests] for s in servers}
    Path(args.out).write_text(json.dumps({"requests": log, "cpu": time.process_time()}))
    for s in servers:
        s.stop()


def crawl(args: argparse.Namespace) -> None:
    """(child) One run_crawl over the sites with the default politeness until SIGINT."""
    from scraper.crawl import CrawlConfig, run_crawl
    from scraper.fetch import FetchConfig, Politeness

    sites = tuple(Path(args.sites_file).read_text().split())
    status = "finished"
    t0 = time.monotonic()
    try:
        fetch = FetchConfig()
        if args.total:
            fetch = FetchConfig(politeness=Politeness(total=args.total))
        run_crawl(args.db, CrawlConfig(sites=sites, fetch=fetch))
    except KeyboardInterrupt:
        status = "interrupted"
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "status": status,
                "seconds": time.monotonic() - t0,
                "cpu": usage.ru_utime + usage.ru_stime,
                "maxrss_mb": usage.ru_maxrss / 1024,
            }
        )
    )


def run(n_sites: int, seconds: float, articles: int, totals: list[int]) -> dict:
    """One server session; one crawl per value of totals (0: the default politeness),
    each on a fresh archive, one after the other; the server's log split by crawl."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        log_path = tmp / "requests.json"
        server = subprocess.Popen(
            [sys.executable, __file__, "serve", "--sites", str(n_sites), "--articles",
             str(articles), "--out", str(log_path)],
            cwd=_common.ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            start_new_session=True,
        )  # fmt: skip
        assert server.stdout is not None and server.stdin is not None
        t0 = time.monotonic()
        urls = []
        for line in server.stdout:
            line = line.strip()
            if line == "ready":
                break
            urls.append(line)
        startup = time.monotonic() - t0
        (tmp / "sites.txt").write_text("\n".join(urls))
        crawls = []
        for k, total in enumerate(totals):
            argv = [sys.executable, __file__, "crawl", "--sites-file", str(tmp / "sites.txt"),
                    "--db", str(tmp / f"archive{k}.db"), "--total", str(total)]  # fmt: skip
            started = time.monotonic()
            crawler = subprocess.Popen(argv, cwd=_common.ROOT, stdout=subprocess.PIPE, text=True)
            try:
                crawler.wait(timeout=seconds)
            except subprocess.TimeoutExpired:
                crawler.send_signal(signal.SIGINT)
                try:
                    crawler.wait(timeout=30)
                except subprocess.TimeoutExpired:  # still draining: the figures are in
                    crawler.kill()
            _, _, usage = os.wait4(crawler.pid, 0) if crawler.returncode is None else (0, 0, None)
            ended = time.monotonic()
            out = crawler.stdout.read() if crawler.stdout else ""
            lines = out.strip().splitlines()
            report = json.loads(lines[-1]) if lines else {"status": "killed"}
            if usage is not None:  # the kernel's figures when the child did not report
                report.setdefault("cpu", usage.ru_utime + usage.ru_stime)
                report.setdefault("maxrss_mb", usage.ru_maxrss / 1024)
            crawls.append((total, started, ended, report))
            time.sleep(2)  # let the last answers drain
        server.stdin.close()
        server.wait(timeout=120)
        served = json.loads(log_path.read_text())
    runs = []
    for total, started, ended, report in crawls:
        per_host = {
            u: sorted(t for t in ts if started <= t <= ended)
            for u, ts in served["requests"].items()
        }
        runs.append(figures(per_host, total, ended - started, report))
    return {"sites": n_sites, "articles_per_site": articles, "server_startup_s": startup,
            "server_cpu_s": served["cpu"], "runs": runs}  # fmt: skip


def figures(per_host: dict[str, list[float]], total_cap: int, window: float, report) -> dict:
    counts = sorted(len(ts) for ts in per_host.values())
    gaps = [b - a for ts in per_host.values() for a, b in zip(ts, ts[1:], strict=False)]
    total = sum(counts)
    starts = sorted(t for ts in per_host.values() for t in ts)
    span = (starts[-1] - starts[0]) if len(starts) > 1 else 0.0
    busy = [len(ts) / span for ts in per_host.values() if span]
    return {
        "total_in_flight": total_cap or "default",
        "window_s": window,
        "crawler": report,
        "requests": total,
        "request_span_s": span,
        "total_rate": total / span if span else 0.0,
        "per_host_requests": {
            "min": counts[0],
            "median": statistics.median(counts),
            "max": counts[-1],
            "starved": sum(c == 0 for c in counts),
        },
        "per_host_rate": {"min": min(busy), "median": statistics.median(busy), "max": max(busy)},
        "min_gap_s": min(gaps) if gaps else None,
        "gaps_under_1s": sum(g < 1.0 for g in gaps),
        "gaps_under_0.9s": sum(g < 0.9 for g in gaps),
        "gaps_p50_s": statistics.median(gaps) if gaps else None,
        "cpu_per_request_ms": report["cpu"] / total * 1000 if total else None,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd")
    s = sub.add_parser("serve")
    s.add_argument("--sites", type=int, required=True)
    s.add_argument("--articles", type=int, required=True)
    s.add_argument("--out", required=True)
    c = sub.add_parser("crawl")
    c.add_argument("--sites-file", required=True)
    c.add_argument("--db", required=True)
    c.add_argument("--total", type=int, default=0)
    p.add_argument("--sites", type=int, default=200)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--articles", type=int, default=150)
    p.add_argument(
        "--total", type=int, nargs="+", default=[0, 256],
        help="global in-flight caps to run, one crawl each (0: the default, 8)",
    )  # fmt: skip
    args = p.parse_args()
    if args.cmd == "serve":
        serve(args)
        return
    if args.cmd == "crawl":
        crawl(args)
        return
    m = _common.header(f"{args.sites} sites at once, default politeness")
    out = run(args.sites, args.seconds, args.articles, args.total)
    print(
        f"{out['sites']} sites ({out['articles_per_site']} articles each; servers up in "
        f"{out['server_startup_s']:.1f} s)"
    )
    for r in out["runs"]:
        h, rate = r["per_host_requests"], r["per_host_rate"]
        print(
            f"\n## total in flight: {r['total_in_flight']} (delay 1 s, per_host 2); crawl "
            f"stopped after {r['window_s']:.1f} s ({r['crawler']['status']})\n"
            f"requests {r['requests']:,} over {r['request_span_s']:.1f} s = "
            f"{r['total_rate']:.1f} req/s (target ~ {out['sites']} req/s)\n"
            f"per host: requests min {h['min']} / median {h['median']} / max {h['max']}, "
            f"starved {h['starved']}; rate min {rate['min']:.2f} / median "
            f"{rate['median']:.2f} / max {rate['max']:.2f} req/s (limit 1/s)\n"
            f"gaps between requests to one host: min {r['min_gap_s']:.3f} s, median "
            f"{r['gaps_p50_s']:.3f} s, {r['gaps_under_1s']} under 1 s, "
            f"{r['gaps_under_0.9s']} under 0.9 s\n"
            f"crawler: CPU {r['crawler']['cpu']:.1f} s = {r['cpu_per_request_ms']:.2f} "
            f"ms/request, peak RSS {r['crawler']['maxrss_mb']:.1f} MB"
        )
    _common.save(NAME, out, m)


if __name__ == "__main__":
    main()
