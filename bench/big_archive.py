"""Benchmark input and figure: a big synthetic archive built through the store's API.

Owns `bench/out/big-<N>.db` (git-ignored, cached: built once per size) and the figure
"archive bytes per article" on it. `build --articles N` writes an archive of N articles
spread over a family of SITES sub-sites (sizes skewed, a few large, many small) with
published dates over twenty years, without crawling:

- templates: the article pages of a replica (`build_site(seed, 300)`, rendered by its
  `Renderer`, ~64 KB each) read by the TT profile (`scraper.sites.tt.extract_article`),
  so every article has the real shape: category path, captions, images, ~15 related links;
- each synthetic article takes a template and gets its own id, URL, title (Vietnamese,
  from the replica's own sentences) and a body of 3-6 KB of Vietnamese sentences (drawn
  from every template body, shuffled, with its own numbers and names), and related links
  that point at its neighbours of the same site;
- its raw page is the template page with the title, the body and the related-link titles
  swapped for the article's own, kept by `Archive.store_page(..., site=...)` (the site's
  zstd dictionary is its first page, as in a crawl), its fetch by `record_fetch`, its
  content by `Archive.save_article` (FTS triggers and all), in runs of 10,000 articles
  finished 'ok'; REVISED of the articles get a second revision (a paragraph added, a
  later capture with its own page), a fifth of those a third.

Writes are grouped 1,000 articles to a transaction (the store's own transactions nest as
savepoints): the crawl commits per page, which costs fsyncs, not different rows.

    python bench/big_archive.py build --articles 10000 [--force]
    python bench/big_archive.py size --articles 10000 100000     # the storage figure
"""

from __future__ import annotations

import argparse
import hashlib
import html as htmlmod
import random
import re
import sqlite3
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import _common  # first of its section: drops bench/ from sys.path (bench/requests.py)

NAME = "big_archive"
OUT = _common.BENCH_DIR / "out"
SITES = 40
REVISED = 0.10
RUN_SIZE = 10_000
BATCH = 1_000
START = datetime(2006, 12, 1, tzinfo=UTC)
END = datetime(2026, 12, 1, tzinfo=UTC)  # the build's "now": captures end here
CAPTURE = timedelta(days=60)  # the captures of the backlog spread over this before END
TARGET_SHARE = 0.20
FTS_SUFFIXES = ("_data", "_idx", "_docsize", "_config", "_content")


def path_for(n: int) -> Path:
    return OUT / f"big-{n}.db"


def site_hosts() -> list[str]:
    return [f"donvi{k:02d}.thuathienhue.gov.vn" for k in range(SITES)]


SITE_URLS = [f"http://{host}/" for host in site_hosts()]


def site_weights() -> list[float]:
    """Zipf-like sizes: the first sites are large, the tail small."""
    return [1.0 / (k + 1) ** 0.8 for k in range(SITES)]


# --------------------------------------------------------------------------- templates
class Templates:
    """Replica article pages and what the TT profile reads from them."""

    def __init__(self, seed: int = 1, count: int = 300):
        from scraper.fetch import decode_html
        from scraper.replica import Renderer, build_site
        from scraper.sites import tt

        base = "http://127.0.0.1:8000/"
        site = build_site(seed, count)
        renderer = Renderer(site, base)
        self.items = []
        sentences: set[str] = set()
        titles: set[str] = set()
        for tc in site.tcs():
            path = f"?gd=1&cn={site.articles[tc].cat}&tc={tc}"
            response = renderer.handle("GET", "/" + path)
            _, text = decode_html(response.body, dict(response.headers).get("Content-Type"))
            article = tt.extract_article(text, base + path)
            if not article.body or not article.title:
                continue
            self.items.append((text, article))
            titles.add(article.title)
            for para in article.body.split("\n\n"):
                for sentence in re.split(r"(?<=[.!?])\s+", para):
                    if len(sentence) > 30:
                        sentences.add(sentence.strip())
        self.sentences = sorted(sentences)
        self.titles = sorted(titles)


def _splice(page: str, article, title: str, body: str, related: dict[str, str]) -> str:
    """The template page with the article's title, body and related-link titles."""
    new_body = "".join(f"<p>{htmlmod.escape(p, quote=False)}</p>\r\n" for p in body.split("\n\n"))
    # the template's body runs from its first words to its last ones (found in the page
    # as text: this module names no markup of the site)
    paras = article.body.split("\n\n")
    head, tail = paras[0][:24], paras[-1][-24:]
    start, end = page.find(head), -1
    if start >= 0:
        end = page.find(tail, start)
    if start >= 0 and end >= 0:
        page = page[:start] + new_body + page[end + len(tail) :]
    else:  # marked up beyond recognition: the new body goes in, the old one stays
        at = page.rfind("</body>")
        page = page[:at] + new_body + page[at:]
    for old, new in ((article.title, title), *related.items()):
        for form in {old, htmlmod.escape(old, quote=False), htmlmod.escape(old)}:
            page = page.replace(form, htmlmod.escape(new, quote=False))
    return page


class Maker:
    """Deterministic synthetic articles: article i of the archive, from its own rng."""

    def __init__(self, templates: Templates, n: int, seed: int = 1):
        self.t = templates
        self.n = n
        rng = random.Random(seed)
        hosts = site_hosts()
        self.site_of = rng.choices(range(SITES), weights=site_weights(), k=n)
        self.hosts = hosts
        self.tc_of: list[int] = []
        counts = [0] * SITES
        self.members: list[list[int]] = [[] for _ in range(SITES)]
        for i, s in enumerate(self.site_of):
            counts[s] += 1
            self.tc_of.append(1000 + counts[s])
            self.members[s].append(i)
        self.jitter = [rng.random() for _ in range(n)]
        self._published: dict[int, datetime] = {}
        self.rank = {}
        for s in range(SITES):
            for r, i in enumerate(self.members[s]):
                self.rank[i] = r

    def rng(self, i: int, salt: str = "") -> random.Random:
        return random.Random(int.from_bytes(hashlib.sha256(f"{i}{salt}".encode()).digest()[:8]))

    def url(self, i: int, template) -> str:
        cn = re.search(r"cn=(\d+)", template.url)
        host = self.hosts[self.site_of[i]]
        return f"http://{host}/?gd=1&cn={cn.group(1) if cn else 1}&tc={self.tc_of[i]}"

    def title(self, i: int) -> str:
        r = self.rng(i, "title")
        return f"{r.choice(self.t.titles)} ({r.randint(1, 99)}/{r.randint(2006, 2026)})"

    def body(self, i: int) -> str:
        r = self.rng(i, "body")
        size = r.randint(3000, 6000)
        paras, total = [], 0
        sentences = self.t.sentences
        while total < size:
            para = " ".join(r.choices(sentences, k=r.randint(2, 5)))
            # numbers of its own, so no two articles share every token
            para = f"{para} ({r.randint(1, 9999)}/{r.randint(1, 999)})"
            paras.append(para)
            total += len(para.encode()) + 2
        return "\n\n".join(paras)

    def published(self, i: int) -> datetime:
        cached = self._published.get(i)
        if cached is None:
            s = self.site_of[i]
            frac = (self.rank[i] + self.jitter[i]) / max(1, len(self.members[s]))
            cached = self._published[i] = START + (END - START) * frac
        return cached

    def make(self, i: int, revision: int = 1):
        """(article, page html) of article i at a revision."""
        from scraper.models import Link

        page, tpl = self.t.items[i % len(self.t.items)]
        url = self.url(i, tpl)
        host = self.hosts[self.site_of[i]]
        article_id = f"{host}/{self.tc_of[i]}"
        title = self.title(i)
        body = self.body(i)
        for k in range(1, revision):
            body += "\n\n" + self.rng(i, f"rev{k}").choice(self.t.sentences)
        published = self.published(i)
        members = self.members[self.site_of[i]]
        rank = self.rank[i]
        links, related = [], {}
        for k, link in enumerate(tpl.links):
            if link.kind not in ("same_group", "other") or link.target_id is None:
                links.append(link)
                continue
            j = members[(rank - 1 - k) % len(members)]
            other_title = self.title(j)
            if link.text:
                related[link.text] = other_title
            links.append(
                Link(
                    link.kind,
                    self.url(j, self.t.items[j % len(self.t.items)][1]),
                    other_title,
                    f"{host}/{self.tc_of[j]}",
                    self.published(j).date().isoformat(),
                )
            )
        article = replace(
            tpl,
            id=article_id,
            url=url,
            site=host,
            title=title,
            body=body,
            published=published.date().isoformat(),
            published_raw=published.strftime("%d/%m/%Y"),
            links=links,
        )
        return article, _splice(page, tpl, title, body, related)


# --------------------------------------------------------------------------- building
def build(n: int, force: bool = False) -> dict:
    from scraper.store import Archive, iso_utc

    path = path_for(n)
    if path.exists() and not force:
        print(f"{path} exists (use --force to rebuild)")
        return {}
    OUT.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    t0 = time.monotonic()
    templates = Templates()
    maker = Maker(templates, n)
    print(f"{len(templates.items)} templates, {len(templates.sentences)} sentences", flush=True)
    revised = {i for i in range(n) if maker.rng(i, "revised").random() < REVISED}
    third = {i for i in revised if maker.rng(i, "third").random() < 0.2}
    archive = Archive(path)
    stats = {"pages": 0, "page_bytes": 0, "saves": 0}
    cpu0 = time.process_time()
    try:
        run_id = None
        for start in range(0, n, BATCH):
            if start % RUN_SIZE == 0:
                if run_id is not None:
                    archive.finish_run(run_id, "ok", {"fetched": RUN_SIZE, "new": RUN_SIZE})
                run_id = archive.start_run({"sites": SITE_URLS, "bench": "big_archive"})
            with archive.db.atomic():
                for i in range(start, min(n, start + BATCH)):
                    revisions = 3 if i in third else 2 if i in revised else 1
                    for rev in range(1, revisions + 1):
                        # the backlog was captured over the last 60 days before END (a
                        # first crawl, then runs); a revision is a capture 3 days later
                        pub = maker.published(i)
                        first = max(pub + timedelta(hours=1), END - CAPTURE * (1 - i / n))
                        when = min(first + timedelta(days=3 * (rev - 1)), END)
                        fetched_at = iso_utc(when)
                        article, page = maker.make(i, rev)
                        content = page.encode("utf-8")
                        sha = archive.store_page(content, "text/html; charset=utf-8", article.site)
                        archive.record_fetch(
                            run_id,
                            article.url,
                            "GET",
                            200,
                            fetched_at,
                            50,
                            len(content),
                            1,
                            None,
                            sha,
                        )
                        archive.save_article(
                            article, fetched_at=fetched_at, page_sha=sha, run_id=run_id
                        )
                        stats["pages"] += 1
                        stats["page_bytes"] += len(content)
                        stats["saves"] += 1
            done = min(n, start + BATCH)
            if done % (10 * BATCH) == 0 or done == n:
                rate = done / (time.monotonic() - t0)
                print(f"  {done:,} articles, {rate:,.0f}/s", flush=True)
        if run_id is not None:
            archive.finish_run(run_id, "ok", {"fetched": n % RUN_SIZE or RUN_SIZE})
        archive.checkpoint()
    finally:
        archive.close()
    seconds = time.monotonic() - t0
    info = {
        "articles": n,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(time.process_time() - cpu0, 1),
        "revisions": n + len(revised) + len(third),
        **stats,
        "file_bytes": path.stat().st_size,
    }
    print(
        f"built {path} in {seconds / 60:.1f} min: {info['revisions']:,} revisions, "
        f"{info['file_bytes'] / 2**20:,.0f} MB"
    )
    return info


# --------------------------------------------------------------------------- the figure
def sizes(path: Path) -> dict:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        fts = {
            row[0]
            for row in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE "
                "'CREATE VIRTUAL TABLE%USING FTS5%'"
            )
        }
        by: dict[str, int] = {}
        for name, size in con.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"):
            owner = name
            for table in fts:
                if any(name == table + s for s in FTS_SUFFIXES):
                    owner = table
            by[owner] = by.get(owner, 0) + size
        articles = con.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        html = con.execute(
            "SELECT SUM(bytes) FROM fetches WHERE method = 'GET' AND status = 200"
        ).fetchone()[0]
        first = con.execute(
            "SELECT SUM(f.bytes) FROM fetches f JOIN revisions r ON r.page_sha = f.page_sha "
            "AND r.revision = 1"
        ).fetchone()[0]
        return {
            "file_bytes": path.stat().st_size,
            "articles": articles,
            "article_html_bytes": html,
            "first_capture_html_bytes": first,
            "tables": dict(sorted(by.items(), key=lambda kv: -kv[1])),
        }
    finally:
        con.close()


def figure(ns: list[int]) -> None:
    m = _common.header("archive bytes per article on the big synthetic archives")
    runs = []
    for n in ns:
        path = path_for(n)
        if not path.exists():
            print(f"missing {path}: run `python bench/big_archive.py build --articles {n}`")
            continue
        s = sizes(path)
        share = s["file_bytes"] / s["article_html_bytes"]
        s["share"] = share
        runs.append(s)
        a = s["articles"]
        print(
            f"{a:>9,} articles: file {s['file_bytes'] / 2**20:,.1f} MB = "
            f"{s['file_bytes'] / a / 1024:.1f} KB/article; article HTML fetched "
            f"{s['article_html_bytes'] / a / 1024:.1f} KB/article; share {share:.1%} "
            f"(target <= {TARGET_SHARE:.0%})"
        )
        for name, size in list(s["tables"].items())[:10]:
            print(f"    {name:32} {size / a / 1024:6.2f} KB/article ({size / s['file_bytes']:.1%})")
    _common.save(NAME, {"target_share": TARGET_SHARE, "runs": runs}, m)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build (or keep) bench/out/big-N.db")
    b.add_argument("--articles", type=int, nargs="+", default=[10_000])
    b.add_argument("--force", action="store_true")
    s = sub.add_parser("size", help="the storage figure on the built archives")
    s.add_argument("--articles", type=int, nargs="+", default=[10_000, 100_000])
    args = p.parse_args()
    if args.cmd == "build":
        for n in args.articles:
            info = build(n, args.force)
            if info:
                path_for(n).with_suffix(".json").write_text(str(info) + "\n")
    else:
        figure(args.articles)


if __name__ == "__main__":
    main()
