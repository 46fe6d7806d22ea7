"""Benchmark: the generic extractor against trafilatura on the aeb-dev benchmark pages.

Owns the figure "generic extraction speed". The 88 real pages of shared/data/aeb-dev
(decompressed and decoded once, outside the timing), in one process pinned to one CPU:

- ours: `scraper.sites.generic.extract_article(html, url)` (parse included: it parses
  the str itself), NotAnArticle counted as a result;
- trafilatura: `trafilatura.extract(html, url=url)` with its defaults (parse included);
- bare parse: `LexborHTMLParser(html)` alone (the floor under ours).

Each pass runs every page once; passes of the contenders are interleaved and the median
pass is reported (pages/s, ms/page), with the ratio ours/trafilatura; the sum over pages
of each page's least time is reported beside it (the same work with a shared machine's
noise filtered out). The body F1 of both
on the same pages (score.py's metric) is printed and saved beside the speed.

    python bench/generic_extract.py [--passes 5] [--traf-passes 3] [--data DIR]
"""

from __future__ import annotations

import argparse
import gc
import gzip
import importlib.util
import json
import os
import statistics
import time
from pathlib import Path

import _common  # first of its section: drops bench/ from sys.path (bench/requests.py)
from selectolax.lexbor import LexborHTMLParser

from scraper.errors import NotAnArticle
from scraper.fetch import decode_html
from scraper.sites.generic import extract_article

NAME = "generic_extract"
TARGET_RATIO = 5.0
DEFAULT_DATA = _common.ROOT.parent / "shared" / "data" / "aeb-dev"


def load_pages(data: Path) -> tuple[list[tuple[str, str, str]], dict]:
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(truth):
        content = gzip.decompress((data / "html" / f"{key}.html.gz").read_bytes())
        _, html = decode_html(content, None)
        pages.append((key, html, truth[key]["url"]))
    return pages, truth


def ours(html: str, url: str) -> str:
    try:
        return extract_article(html, url).body or ""
    except NotAnArticle:
        return ""


def trafilatura_extract(html: str, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url) or ""


def bare(html: str, url: str) -> str:
    LexborHTMLParser(html)
    return ""


def one_pass(fn, pages) -> list[float]:
    """Seconds of each page, in page order."""
    gc.collect()
    clock = time.perf_counter
    out = []
    for _, html, url in pages:
        start = clock()
        fn(html, url)
        out.append(clock() - start)
    return out


def f1_of(fn, pages, truth: dict, data: Path) -> dict:
    spec = importlib.util.spec_from_file_location("aeb_score", data / "score.py")
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    predictions = {key: fn(html, url) for key, html, url in pages}
    result = scorer.score(truth, predictions)
    return {k: round(result[k], 4) for k in ("f1", "precision", "recall")}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--passes", type=int, default=5, help="passes of ours and the bare parse")
    p.add_argument("--traf-passes", type=int, default=3, help="passes of trafilatura")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the aeb-dev directory")
    p.add_argument("--cpu", type=int, default=None, help="CPU to pin to (default: the last)")
    args = p.parse_args(argv)

    m = _common.header("generic extraction: ours vs trafilatura on the aeb-dev pages")
    allowed = sorted(os.sched_getaffinity(0))
    cpu = args.cpu if args.cpu is not None else allowed[-1]
    os.sched_setaffinity(0, {cpu})
    pages, truth = load_pages(args.data)
    size = sum(len(html) for _, html, _ in pages) / len(pages)
    print(f"pinned to CPU {cpu}; {len(pages)} pages, {size / 1000:.1f} k characters on average\n")

    contenders = {"ours": ours, "trafilatura": trafilatura_extract, "bare_parse": bare}
    for fn in contenders.values():  # imports, regex compilation, first-call set-up
        fn(pages[0][1], pages[0][2])
    passes: dict[str, list[list[float]]] = {k: [] for k in contenders}
    order = list(contenders)
    for r in range(max(args.passes, args.traf_passes)):
        for k in order[r % len(order) :] + order[: r % len(order)]:
            limit = args.traf_passes if k == "trafilatura" else args.passes
            if r < limit:
                passes[k].append(one_pass(contenders[k], pages))
    n = len(pages)
    totals = {k: [sum(p) for p in v] for k, v in passes.items()}
    median = {k: statistics.median(v) for k, v in totals.items()}
    # Each page's least time over the passes: filters out the noise of a shared machine.
    page_min = {k: sum(min(col) for col in zip(*v, strict=True)) for k, v in passes.items()}
    figures = {
        k: {
            "passes": len(passes[k]),
            "pass_seconds": [round(s, 4) for s in totals[k]],
            "median_pass_seconds": round(median[k], 4),
            "pages_per_s": round(n / median[k], 1),
            "ms_per_page": round(median[k] / n * 1000, 3),
            "page_min_ms_per_page": round(page_min[k] / n * 1000, 3),
        }
        for k in contenders
    }
    ratio = round(median["trafilatura"] / median["ours"], 2)
    ratio_min = round(page_min["trafilatura"] / page_min["ours"], 2)
    print(f"{'contender':<12} {'pages/s':>9} {'ms/page':>9} {'page-min ms':>12}  passes")
    for k, f in figures.items():
        print(
            f"{k:<12} {f['pages_per_s']:>9.1f} {f['ms_per_page']:>9.3f} "
            f"{f['page_min_ms_per_page']:>12.3f}  {f['passes']}"
        )
    print(f"ratio ours/trafilatura (pages/s, median pass): {ratio}  (target >= {TARGET_RATIO:g})")
    print(f"ratio ours/trafilatura (sum of per-page minimum times): {ratio_min}")

    quality = {
        "ours": f1_of(ours, pages, truth, args.data),
        "trafilatura": f1_of(trafilatura_extract, pages, truth, args.data),
    }
    print(f"body F1 on the same pages: {json.dumps(quality)}")
    _common.save(
        NAME,
        {
            "pinned_cpu": cpu,
            "options": {k: str(v) for k, v in vars(args).items()},
            "pages": n,
            "avg_chars": round(size),
            "results": figures,
            "ratio_ours_over_trafilatura": ratio,
            "ratio_page_min": ratio_min,
            "quality": quality,
            "verdict": {"target": TARGET_RATIO, "value": ratio, "met": ratio >= TARGET_RATIO},
        },
        m,
    )


if __name__ == "__main__":
    main()
