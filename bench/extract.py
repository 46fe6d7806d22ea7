"""Benchmark: extraction pages/s on one core, ours against trafilatura and a bare parse.

Owns the figure "extraction speed". On the same pages, in one process pinned to one CPU,
rounds of interleaved passes, each page timed (best of N for each contender, page by
page; the best whole pass is reported too):

- ours, cold: `scraper.sites.tt.extract_article` with every lru_cache of scraper.urls and
  scraper.sites.tt cleared before the pass (the memoised URL work starts empty);
- ours, steady: caches cleared, a warm-up pass over OTHER pages of the same site, then the
  measured pages once each (what a crawl sees after its first pages);
- ours, parse_page (steady): what the crawler calls per article page (article + links);
- bare parse: `selectolax.lexbor.LexborHTMLParser(html)` and nothing else;
- trafilatura: `trafilatura.extract(html, url=url)` with its defaults.

Pages: the article pages of the replica (`build_site(seed, articles)` rendered by its
Renderer and decoded as the crawler decodes them; every 5th page is the warm-up set, the
rest are measured) and the saved fixtures tests/fixtures/article_*.html (steady state:
warm up on one half, measure the other, and the other way round).

    python bench/extract.py [--articles 300] [--repeat 5] [--traf-repeat 3] [--profile]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import time
from collections.abc import Callable
from datetime import date

import _common  # first of its section: drops bench/ from sys.path (bench/requests.py)
from selectolax.lexbor import LexborHTMLParser

import scraper.sites.tt as tt
import scraper.urls as urls
from scraper.decode import decode_html
from scraper.replica import Renderer, build_site

NAME = "extract"
BASE = "http://127.0.0.1:8123/"
FIXTURES = _common.ROOT / "tests" / "fixtures"
TARGET_TRAFILATURA = 15.0
TARGET_BARE = 0.5

Page = tuple[str, str, date | None]  # (html, url, today)


def cached_functions() -> list:
    """Every lru_cache-wrapped function reachable from scraper.urls and scraper.sites.tt
    (their own and the ones they import, such as scraper.sites.id_host)."""
    found = {}
    for module in (urls, tt):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                found[id(value)] = value
    return list(found.values())


CACHED = cached_functions()


def clear_caches() -> None:
    for fn in CACHED:
        fn.cache_clear()


def replica_pages(seed: int, articles: int) -> tuple[list[Page], list[Page]]:
    """(warm-up pages, measured pages) of the replica: every 5th article page warms up."""
    site = build_site(seed, articles)
    renderer = Renderer(site, BASE)
    warm, measured = [], []
    for i, tc in enumerate(site.tcs()):
        path = f"?gd=1&cn={site.articles[tc].cat}&tc={tc}"
        response = renderer.handle("GET", "/" + path)
        content_type = dict(response.headers).get("Content-Type")
        _, text = decode_html(response.body, content_type)
        (warm if i % 5 == 0 else measured).append((text, BASE + path, None))
    return warm, measured


def fixture_pages() -> list[Page]:
    pages = []
    for html_path in sorted(FIXTURES.glob("article_*.html")):
        meta = json.loads(html_path.with_suffix(".json").read_text(encoding="utf-8"))
        _, text = decode_html(html_path.read_bytes(), None)
        pages.append((text, meta["url"], date.fromisoformat(meta["today"])))
    return pages


def timed(fn: Callable[[str, str, date | None], object], pages: list[Page]) -> list[float]:
    """Seconds per page, in page order (a timer around each call costs ~0.1 us)."""
    gc.collect()
    clock = time.perf_counter
    out = []
    for html, url, today in pages:
        start = clock()
        fn(html, url, today)
        out.append(clock() - start)
    return out


def ours(html: str, url: str, today: date | None) -> object:
    return tt.extract_article(html, url, today=today)


def ours_page(html: str, url: str, today: date | None) -> object:
    return tt.parse_page(html, url, today=today)


def bare(html: str, url: str, today: date | None) -> object:
    return LexborHTMLParser(html)


def trafilatura_extract(html: str, url: str, today: date | None) -> object:
    import trafilatura

    return trafilatura.extract(html, url=url)


class Contenders:
    """One pass of each contender over a page set; halves = [(warm-up, measured), ...].
    Each returns the seconds of every measured page, in the same order every pass."""

    def __init__(self, halves: list[tuple[list[Page], list[Page]]]):
        self.halves = halves

    def cold(self, fn) -> list[float]:
        out = []
        for _, measured in self.halves:
            clear_caches()
            out += timed(fn, measured)
        return out

    def steady(self, fn) -> list[float]:
        out = []
        for warm, measured in self.halves:
            clear_caches()
            timed(fn, warm)
            out += timed(fn, measured)
        return out

    def plain(self, fn) -> list[float]:
        out = []
        for _, measured in self.halves:
            out += timed(fn, measured)
        return out


def measure(label: str, halves, repeat: int, traf_repeat: int) -> dict:
    """Rounds of one pass per contender (order rotated each round). Two summaries: the
    best pass (least total time), and the sum over pages of each page's least time across
    passes (every pass sees the same cache state page by page, so this only filters out
    the machine's noise, which on this VM reaches 1.5x between passes). Verdicts use the
    second; both are printed and saved."""
    n = sum(len(measured) for _, measured in halves)
    size = sum(len(html) for _, measured in halves for html, _, _ in measured) / n
    c = Contenders(halves)
    runs = {
        "ours_cold": lambda: c.cold(ours),
        "ours_steady": lambda: c.steady(ours),
        "parse_page_steady": lambda: c.steady(ours_page),
        "bare_parse": lambda: c.plain(bare),
        "trafilatura": lambda: c.plain(trafilatura_extract),
    }
    passes: dict[str, list[list[float]]] = {k: [] for k in runs}
    order = list(runs)
    for r in range(repeat):
        for k in order[r % len(order) :] + order[: r % len(order)]:  # rotate the order
            if k == "trafilatura" and r >= traf_repeat:
                continue
            passes[k].append(runs[k]())
    best_pass = {k: min(sum(p) for p in v) for k, v in passes.items()}
    page_min = {k: sum(min(col) for col in zip(*v, strict=True)) for k, v in passes.items()}

    def ratios(best: dict[str, float]) -> dict[str, float]:
        rate = {k: n / v for k, v in best.items()}
        return {
            "ours_steady/trafilatura": round(rate["ours_steady"] / rate["trafilatura"], 2),
            "ours_cold/trafilatura": round(rate["ours_cold"] / rate["trafilatura"], 2),
            "ours_steady/bare_parse": round(rate["ours_steady"] / rate["bare_parse"], 3),
            "ours_cold/bare_parse": round(rate["ours_cold"] / rate["bare_parse"], 3),
            "parse_page_steady/bare_parse": round(
                rate["parse_page_steady"] / rate["bare_parse"], 3
            ),
        }

    out = {
        "pages": n,
        "avg_chars": round(size),
        "passes": {k: len(v) for k, v in passes.items()},
        "pass_seconds": {k: [round(sum(p), 5) for p in v] for k, v in passes.items()},
        "pages_per_s": {k: round(n / v, 1) for k, v in page_min.items()},
        "ms_per_page": {k: round(v / n * 1000, 3) for k, v in page_min.items()},
        "ratios": ratios(page_min),
        "best_pass": {
            "pages_per_s": {k: round(n / v, 1) for k, v in best_pass.items()},
            "ms_per_page": {k: round(v / n * 1000, 3) for k, v in best_pass.items()},
            "ratios": ratios(best_pass),
        },
    }
    print(f"## {label}: {n} pages, {size / 1000:.1f} k characters on average")
    print(
        f"{'contender':<20} {'pages/s':>9} {'ms/page':>9}   {'best pass: pages/s':>18} "
        f"{'ms/page':>9}  passes"
    )
    for k in runs:
        print(
            f"{k:<20} {n / page_min[k]:>9.1f} {page_min[k] / n * 1000:>9.3f}   "
            f"{n / best_pass[k]:>18.1f} {best_pass[k] / n * 1000:>9.3f}  {len(passes[k])}"
        )
    for k, v in out["ratios"].items():
        print(f"ratio {k:<28} {v:<8} (best pass: {out['best_pass']['ratios'][k]})")
    print(flush=True)
    return out


def sanity(pages: list[Page]) -> dict:
    """Both extractors really extract: titles and bodies from ours, text from trafilatura."""
    clear_caches()
    ours_ok = sum(1 for p in pages if (a := ours(*p)).title and a.body)
    traf_ok = sum(1 for p in pages if trafilatura_extract(*p))
    return {"pages": len(pages), "ours_title_and_body": ours_ok, "trafilatura_text": traf_ok}


def profile(seed: int, articles: int) -> None:
    """Where extract_article's time goes on the replica pages (steady state, 3 passes);
    cProfile inflates Python-heavy parts, so read the shares, not the milliseconds."""
    import cProfile
    import pstats

    print(f"command: {_common.command()}")
    warm, measured = replica_pages(seed, articles)
    clear_caches()
    timed(ours, warm)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(3):
        timed(ours, measured)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(r"scraper/(sites/tt|text|urls|dates)", 18)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--articles", type=int, default=300, help="replica size (1 in 5 warms up)")
    p.add_argument("--repeat", type=int, default=5, help="passes of ours and the bare parse")
    p.add_argument("--traf-repeat", type=int, default=3, help="passes of trafilatura")
    p.add_argument("--cpu", type=int, default=None, help="CPU to pin to (default: the last)")
    p.add_argument(
        "--profile",
        action="store_true",
        help="instead: cProfile ours (steady) on the replica pages, print where time goes",
    )
    args = p.parse_args(argv)
    if args.profile:
        profile(args.seed, args.articles)
        return

    m = _common.header("extraction pages/s on one core")  # before pinning: nproc sees all
    allowed = sorted(os.sched_getaffinity(0))
    cpu = args.cpu if args.cpu is not None else allowed[-1]
    os.sched_setaffinity(0, {cpu})
    print(
        f"pinned to CPU {cpu}; caches cleared for cold passes: "
        f"{', '.join(f.__module__ + '.' + f.__name__ for f in CACHED)}\n"
    )

    warm, measured = replica_pages(args.seed, args.articles)
    fixtures = fixture_pages()
    half_a, half_b = fixtures[0::2], fixtures[1::2]
    import trafilatura

    trafilatura.extract(warm[0][0], url=warm[0][1])  # its imports and first-call set-up
    results = {
        "replica": measure(
            f"replica article pages (build_site(seed={args.seed}, n_articles={args.articles}), "
            f"{len(warm)} warm-up pages)",
            [(warm, measured)],
            args.repeat,
            args.traf_repeat,
        ),
        "fixtures": measure(
            "fixtures tests/fixtures/article_*.html (warm up on one half, measure the other)",
            [(half_a, half_b), (half_b, half_a)],
            max(args.repeat, 5) * 4,
            max(args.traf_repeat, 3) * 4,
        ),
    }
    checks = {"replica": sanity(measured), "fixtures": sanity(fixtures)}
    print(f"sanity (pages with a result): {json.dumps(checks)}")
    verdicts = {}
    for label, res in results.items():
        ratios = res["ratios"]
        for mode in ("steady", "cold"):
            traf = ratios[f"ours_{mode}/trafilatura"]
            bare_ratio = ratios[f"ours_{mode}/bare_parse"]
            verdicts[f"{label} {mode}: ours/trafilatura >= {TARGET_TRAFILATURA:g}"] = (
                traf,
                traf >= TARGET_TRAFILATURA,
            )
            verdicts[f"{label} {mode}: ours/bare parse >= {TARGET_BARE:g}"] = (
                bare_ratio,
                bare_ratio >= TARGET_BARE,
            )
    print("\nverdicts:")
    for k, (value, ok) in verdicts.items():
        print(f"  {k}: {value} -> {'met' if ok else 'MISSED'}")
    _common.save(
        NAME,
        {
            "pinned_cpu": cpu,
            "options": vars(args),
            "cleared_caches": [f.__module__ + "." + f.__name__ for f in CACHED],
            "results": results,
            "sanity": checks,
            "verdicts": {k: {"value": v, "met": ok} for k, (v, ok) in verdicts.items()},
        },
        m,
    )


if __name__ == "__main__":
    main()
