"""Benchmark: query-side figures on the big synthetic archives (bench/big_archive.py).

Owns the figures "search latency", "status", "export rows/s" and "no-change incremental
run, archive side" on `bench/out/big-<N>.db`, side by side for every size given, in one
process, each archive opened read-mostly through the library calls the CLI uses:

- search: `scraper.search.search(db, q, fold=..., site=..., since=..., limit=20)` over a
  fixed set of 1-3 word queries drawn (seeded) from the corpus' own words, common and
  rare, exact and accent-folded, alone, with --site (the largest site and a small one)
  and with --since (a recent date and an old one); p50 / p95 / max per group (each query
  run REPEAT times, its best time kept: the figure is the query, not the machine's
  hiccups; the first run of each is reported too, as "cold"); "with count" is what
  `scrape search` calls, `search_counted(...)` (the hits and the count of all matches up
  to RANK_LIMIT: the command's library work, without its start-up); how many of the queries were
  broad enough to come newest first (`Hit.order`); plus a few runs of the `scrape search`
  CLI as a child process (wall time, start-up included);
- status: `scraper.status.archive_status(db)` (best of 3) and `scrape status` (wall);
- export: `scraper.export.export(db, devnull, fmt=...)` rows/s, JSON Lines and CSV;
- incremental run, archive side (what a no-change `scrape crawl` asks the archive per
  site and per listing page): `due_for_check(site, now)` for every site (rows and
  seconds; `now` = the build's END + 1 day), `frontier_pending`, and per listing page
  `known_ids` / `settled_ids` / `alias_targets` over 30 ids (10 listed + 20 linked, half
  held, half not), best of 200 pages.

    python bench/big_queries.py [--articles 10000 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import _common  # first of its section: drops bench/ from sys.path (bench/requests.py)

sys.path.insert(0, str(_common.BENCH_DIR))  # only for the next import
import big_archive  # noqa: E402

sys.path.pop(0)

NAME = "big_queries"
TARGET_SEARCH_P95_MS = 100.0
TARGET_STATUS_S = 1.0


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(q * (len(values) - 1))))
    return values[k]


def query_words(db, seed: int = 7) -> tuple[list[str], list[str]]:
    """(common, rare) words of the corpus, from a sample of bodies."""
    rows = db.execute("SELECT body FROM articles ORDER BY rowid LIMIT 2000").fetchall()
    counts: dict[str, int] = {}
    for (body,) in rows:
        for word in set(re.findall(r"[^\W\d_]{2,}", body.lower())):
            counts[word] = counts.get(word, 0) + 1
    ranked = sorted(counts, key=lambda w: (-counts[w], w))
    common = ranked[: max(10, len(ranked) // 20)]
    rare = [w for w in ranked if 2 <= counts[w] <= max(3, len(rows) // 200)]
    return common, rare or ranked[-50:]


def make_queries(common: list[str], rare: list[str], seed: int = 7, n: int = 40) -> list[str]:
    rng = random.Random(seed)
    out = []
    for k in range(n):
        words = rng.randint(1, 3)
        pool = [rng.choice(common if (k + j) % 2 == 0 else rare) for j in range(words)]
        out.append(" ".join(pool))
    return out


def baseline_search(db, query, *, fold=False, site=None, since=None, limit=20):
    """scraper.search's statement before issue 14 (one SELECT that joins articles and draws
    a snippet for every match, then sorts), written out here so that search() can be timed
    side by side with it on the same archive (--baseline); same rows when search() ranks."""
    from scraper import search as s

    table = s.FOLDED_TABLE if fold else s.FTS_TABLE
    where, params = [f"[{table}] MATCH ?"], [s.prepare_query(query, fold_marks=fold)]
    if site:
        where.append("a.site = ?")
        params.append(site)
    if since:
        where.append("a.published >= ?")
        params.append(since)
    weights = ", ".join(str(w) for w in s.BM25_WEIGHTS)
    sql = (
        f"SELECT a.id, a.url, a.title, a.published, "
        f"snippet([{table}], -1, ?, ?, ?, {s.SNIPPET_TOKENS}) "
        f"FROM [{table}] JOIN articles AS a ON a.rowid = [{table}].rowid "
        f"WHERE {' AND '.join(where)} "
        f"ORDER BY bm25([{table}], {weights}), a.id LIMIT ?"
    )
    return db.conn.execute(sql, ["[", "]", s.ELLIPSIS, *params, limit]).fetchall()


def search_figures(path: Path, repeat: int, n_queries: int, baseline: bool) -> dict:
    from scraper import search as s
    from scraper.store import database

    db = database(path)
    common, rare = query_words(db)
    queries = make_queries(common, rare, n=n_queries)
    sites = [r[0] for r in db.execute("SELECT site FROM articles GROUP BY site ORDER BY COUNT(*)")]
    big, small = sites[-1], sites[len(sites) // 4]
    variants = {
        "plain": {},
        "site_big": {"site": big},
        "site_small": {"site": small},
        "since_recent": {"since": "2026-01-01"},
        "since_old": {"since": "2010-01-01"},
        "site_big_since_recent": {"site": big, "since": "2026-01-01"},
    }
    groups = {}
    for fold in (False, True):
        for vname, extra in variants.items():
            best, cold, hits, base, counted, newest = [], [], [], [], [], 0
            for q in queries:
                times, base_times, with_count = [], [], []
                for _ in range(repeat):  # ours and the baseline in turn
                    t0 = time.perf_counter()
                    found = s.search(db, q, fold=fold, limit=20, **extra)
                    times.append(time.perf_counter() - t0)
                    t0 = time.perf_counter()
                    s.search_counted(db, q, fold=fold, limit=20, **extra)
                    with_count.append(time.perf_counter() - t0)
                    if not baseline:
                        continue
                    t0 = time.perf_counter()
                    old = baseline_search(db, q, fold=fold, **extra)
                    base_times.append(time.perf_counter() - t0)
                # the baseline ranks every match: only a ranked list can equal it
                ranked = not found or found[0].order == s.RELEVANCE
                if baseline and ranked and [h.id for h in found] != [row[0] for row in old]:
                    raise AssertionError(f"search and baseline differ for {q!r} {extra}")
                newest += not ranked
                cold.append(times[0])
                best.append(min(times))
                counted.append(min(with_count))
                base.append(min(base_times) if base_times else float("nan"))
                hits.append(len(found))
            name = f"{'folded' if fold else 'exact'}/{vname}"
            groups[name] = {
                "p50_ms": statistics.median(best) * 1000,
                "p95_ms": pct(best, 0.95) * 1000,
                "max_ms": max(best) * 1000,
                "cold_p95_ms": pct(cold, 0.95) * 1000,
                "with_count_p50_ms": statistics.median(counted) * 1000,
                "with_count_p95_ms": pct(counted, 0.95) * 1000,
                "queries_newest_first": newest,
                "baseline_p50_ms": statistics.median(base) * 1000,
                "baseline_p95_ms": pct(base, 0.95) * 1000,
                "queries_with_20_hits": sum(h == 20 for h in hits),
            }
    # the slowest queries, with how many rows they match (what dominates)
    slow = []
    for q in queries:
        t0 = time.perf_counter()
        found = s.search(db, q, limit=20)
        dt = time.perf_counter() - t0
        matches = db.execute(
            "SELECT COUNT(*) FROM articles_fts WHERE articles_fts MATCH ?", [q]
        ).fetchone()[0]
        slow.append((dt * 1000, matches, q, found[0].order if found else None))
    slow.sort(reverse=True)
    db.conn.close()
    return {
        "queries": queries,
        "sites": {"big": big, "small": small},
        "groups": groups,
        "rank_limit": s.RANK_LIMIT,
        "slowest": [
            {"ms": ms, "matches": m, "query": q, "order": order} for ms, m, q, order in slow[:5]
        ],
    }


def cli(args: list[str], path: Path) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "scraper.cli", *args, "--db", str(path)],
        cwd=_common.ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"scrape {' '.join(args)} failed: {proc.stderr[-500:]}")
    return time.perf_counter() - t0


def status_export(path: Path) -> dict:
    from scraper.export import export
    from scraper.status import archive_status
    from scraper.store import database

    db = database(path)
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        archive_status(db)
        times.append(time.perf_counter() - t0)
    out = {"status_s": min(times), "status_first_s": times[0]}

    class Sink(io.TextIOBase):
        def write(self, s: str) -> int:
            return len(s)

    for fmt in ("jsonl", "csv"):
        t0 = time.perf_counter()
        rows = export(db, Sink(), fmt=fmt)
        dt = time.perf_counter() - t0
        out[f"export_{fmt}_rows_per_s"] = rows / dt
        out[f"export_{fmt}_s"] = dt
    db.conn.close()
    out["status_cli_s"] = min(cli(["status"], path) for _ in range(2))
    out["search_cli_s"] = [
        cli(args, path)
        for args in (
            ["search", "Huế"],
            ["search", "kế hoạch", "--since", "2026-01-01"],
            ["search", "--fold", "ha noi"],
        )
    ]
    return out


def status_index_effect(path: Path) -> dict:
    """archive_status on the archive and on a copy without idx_articles_site_status (the
    covering index added in this round), in turn, best of 3 each: the index's effect."""
    import shutil
    import sqlite3

    from scraper.status import archive_status
    from scraper.store import database

    copy = path.with_name(path.stem + "-noindex.db")
    shutil.copyfile(path, copy)
    try:
        con = sqlite3.connect(copy)
        con.execute("DROP INDEX IF EXISTS idx_articles_site_status")
        con.commit()
        con.close()
        with_db, without_db = database(path), database(copy)
        times: dict[str, list[float]] = {"with": [], "without": []}
        for _ in range(3):
            for name, db in (("with", with_db), ("without", without_db)):
                t0 = time.perf_counter()
                archive_status(db)
                times[name].append(time.perf_counter() - t0)
        with_db.conn.close()
        without_db.conn.close()
        return {f"status_{k}_index_s": min(v) for k, v in times.items()}
    finally:
        copy.unlink(missing_ok=True)


def incremental(path: Path) -> dict:
    from scraper.store import Archive

    archive = Archive(path)
    try:
        now = big_archive.END.replace(day=2).strftime("%Y-%m-%dT%H:%M:%SZ")
        sites = [r[0] for r in archive.db.execute("SELECT DISTINCT site FROM articles")]
        t0 = time.perf_counter()
        due = 0
        for site in sites:
            due += len(archive.due_for_check(site, now))
        due_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        for site in sites:
            archive.frontier_pending(site=site, kind="article")
        frontier_s = time.perf_counter() - t0
        ids = [r[0] for r in archive.db.execute("SELECT id FROM articles")]
        rng = random.Random(3)
        per_page = {"known_ids": [], "settled_ids": [], "alias_targets": []}
        for _ in range(200):
            held = rng.sample(ids, 15)
            page = held + [f"{h.split('/')[0]}/9{rng.randint(10**6, 10**7)}" for h in held]
            for name in per_page:
                t0 = time.perf_counter()
                getattr(archive, name)(page)
                per_page[name].append(time.perf_counter() - t0)
        return {
            "sites": len(sites),
            "due_rows": due,
            "due_for_check_all_sites_s": due_s,
            "frontier_pending_all_sites_s": frontier_s,
            **{f"{k}_ms_p50": statistics.median(v) * 1000 for k, v in per_page.items()},
            **{f"{k}_ms_p95": pct(v, 0.95) * 1000 for k, v in per_page.items()},
        }
    finally:
        archive.db.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--articles", type=int, nargs="+", default=[10_000, 100_000])
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--queries", type=int, default=24)
    p.add_argument("--status-index", action="store_true", help="also time status without its index")
    p.add_argument(
        "--baseline", action="store_true", help="also time the statement in baseline_search"
    )
    p.add_argument("--skip-search", action="store_true")
    args = p.parse_args()
    m = _common.header("search, status, export, incremental-run queries on big archives")
    runs = []
    for n in args.articles:
        path = big_archive.path_for(n)
        if not path.exists():
            print(f"missing {path}: run `python bench/big_archive.py build --articles {n}`")
            continue
        run: dict = {"articles": n, "file_bytes": path.stat().st_size}
        run["incremental"] = incremental(path)
        run.update(status_export(path))
        if args.status_index:
            run.update(status_index_effect(path))
            print(
                f"status with the covering index {run['status_with_index_s']:.3f} s, "
                f"without {run['status_without_index_s']:.3f} s"
            )
        if not args.skip_search:
            run["search"] = search_figures(path, args.repeat, args.queries, args.baseline)
        runs.append(run)
        report(run)
    _common.save(
        NAME + ("-status" if args.skip_search else ""),
        {
            "targets": {"search_p95_ms": TARGET_SEARCH_P95_MS, "status_s": TARGET_STATUS_S},
            "runs": runs,
        },
        m,
    )


def report(run: dict) -> None:
    inc = run["incremental"]
    print(f"\n## {run['articles']:,} articles ({run['file_bytes'] / 2**20:,.0f} MB)")
    print(
        f"incremental, archive side: due_for_check over {inc['sites']} sites "
        f"{inc['due_for_check_all_sites_s'] * 1000:.1f} ms ({inc['due_rows']:,} due), "
        f"frontier_pending {inc['frontier_pending_all_sites_s'] * 1000:.1f} ms; per listing "
        f"page: known_ids {inc['known_ids_ms_p50']:.3f} ms, settled_ids "
        f"{inc['settled_ids_ms_p50']:.3f} ms, alias_targets {inc['alias_targets_ms_p50']:.3f} ms"
    )
    print(
        f"status {run['status_s']:.3f} s (first {run['status_first_s']:.3f} s, CLI "
        f"{run['status_cli_s']:.2f} s; target <= {TARGET_STATUS_S} s); export JSONL "
        f"{run['export_jsonl_rows_per_s']:,.0f} rows/s, CSV {run['export_csv_rows_per_s']:,.0f}"
        f" rows/s; CLI search {', '.join(f'{x:.2f}' for x in run['search_cli_s'])} s"
    )
    if "search" in run:
        print(f"search (ms; target p95 <= {TARGET_SEARCH_P95_MS:.0f}):")
        for name, g in run["search"]["groups"].items():
            print(
                f"  {name:30} p50 {g['p50_ms']:7.1f}  p95 {g['p95_ms']:7.1f}  "
                f"max {g['max_ms']:7.1f}  cold p95 {g['cold_p95_ms']:7.1f}  with count: p50 "
                f"{g['with_count_p50_ms']:7.1f}  p95 {g['with_count_p95_ms']:7.1f}  newest first "
                f"{g['queries_newest_first']:2}  | baseline: "
                f"p50 {g['baseline_p50_ms']:7.1f}  p95 {g['baseline_p95_ms']:7.1f}"
            )
        for s in run["search"]["slowest"]:
            print(
                f"  slowest: {s['ms']:.1f} ms, {s['matches']:,} matches ({s['order']}): "
                f"{s['query']!r}"
            )


if __name__ == "__main__":
    main()
