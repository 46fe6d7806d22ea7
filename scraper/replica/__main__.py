"""Command line of the replica: `python -m scraper.replica --port 8000 --seed 1 --layout tt`.

Owns only argument parsing; serves until Ctrl-C and prints the base URL first.
"""

from __future__ import annotations

import argparse
import time

from scraper.replica.generate import build_site
from scraper.replica.layouts import LAYOUTS
from scraper.replica.server import ReplicaServer


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m scraper.replica", description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--articles", type=int, default=240)
    p.add_argument("--faults", type=int, default=None, metavar="SEED")
    p.add_argument("--fault-rate", type=float, default=0.25)
    p.add_argument("--latency", type=float, default=0.0, metavar="S")
    p.add_argument("--crawl-delay", type=float, default=None, metavar="S")
    p.add_argument("--log", default=None, metavar="FILE")
    p.add_argument("--layout", choices=LAYOUTS, default="tt")
    p.add_argument("--moved", action="store_true", help="hue: old TT URLs answer 301")
    args = p.parse_args(argv)
    site = build_site(args.seed, args.articles)
    server = ReplicaServer(
        site,
        args.host,
        args.port,
        latency=args.latency,
        faults=args.faults,
        crawl_delay=args.crawl_delay,
        log_path=args.log,
        fault_rate=args.fault_rate,
        layout=args.layout,
        moved=args.moved,
    )
    server.start()
    print(server.base_url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
