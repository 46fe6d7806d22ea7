"""The `scrape` command line: options in, one library call per command, results out.

Exit codes (documented in README): 0 ok, 1 fatal error, 2 usage error, 75 the archive
is locked by another run (EX_TEMPFAIL, so cron wrappers may simply try again later).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import click

from scraper.errors import Locked, ScraperError

EXIT_FATAL = 1
EXIT_LOCKED = 75
DEFAULT_DB = "archive.db"


def _fail(message: str, code: int = EXIT_FATAL) -> None:
    click.echo(f"scrape: {message}", err=True)
    sys.exit(code)


def db_option(fn):
    return click.option(
        "--db",
        "db_path",
        default=lambda: os.environ.get("SCRAPE_DB", DEFAULT_DB),
        show_default="archive.db or $SCRAPE_DB",
        type=click.Path(dir_okay=False),
        help="The SQLite archive.",
    )(fn)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="scraper")
def main() -> None:
    """Archive the news articles of the Thừa Thiên Huế portals into one SQLite file."""


@main.command()
def sites() -> None:
    """Print the sites `scrape crawl` visits when no --site is given.

    Example: scrape sites
    """
    from scraper.sites import DEFAULT_SITES

    for url in DEFAULT_SITES:
        click.echo(url)


@main.command()
@db_option
@click.option(
    "--site", "site_urls", multiple=True, metavar="URL", help="A site to crawl (repeatable)."
)
@click.option("--full", is_flag=True, help="Re-fetch every known article and walk every listing.")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="Requests in flight per host.",
)
@click.option(
    "--delay",
    type=click.FloatRange(0),
    default=1.0,
    show_default=True,
    help="Minimum seconds between requests to one host (robots.txt Crawl-delay wins if larger).",
)
@click.option(
    "--max-articles",
    type=click.IntRange(1),
    default=None,
    help="Stop after fetching this many article pages (the rest waits for the next run).",
)
@click.option(
    "--known-pages",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="Stop a listing walk after this many pages in a row hold only known articles.",
)
@click.option(
    "--user-agent", default=None, help="User-Agent header (names the tool and a contact URL)."
)
@click.option(
    "--ignore-robots", is_flag=True, help="Do not read robots.txt (only for your own replica)."
)
@click.option(
    "--max-in-flight",
    type=click.IntRange(1, 256),
    default=8,
    show_default=True,
    help="Requests in flight over all hosts together.",
)
@click.option(
    "--separate-hosts",
    is_flag=True,
    help="Do not follow redirects between a site's thuathienhue.gov.vn and hue.gov.vn hosts "
    "(article ids stay the same on both).",
)
@click.option("--no-raw", is_flag=True, help="Do not keep the raw bytes of article pages.")
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="Print nothing on success (for cron); errors still go to stderr.",
)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: the summary and each failure as one JSON object per line (for log collectors).",
)
def crawl(
    db_path,
    site_urls,
    full,
    concurrency,
    delay,
    max_articles,
    known_pages,
    user_agent,
    ignore_robots,
    max_in_flight,
    separate_hosts,
    no_raw,
    quiet,
    log_format,
) -> None:
    """Crawl the sites into the archive: new articles, and a new revision only when an
    article's own content changed.

    Example: scrape crawl --db archive.db --site https://sdl.thuathienhue.gov.vn/
    """
    from scraper.crawl import CrawlConfig
    from scraper.fetch import FetchConfig, Politeness
    from scraper.sites import DEFAULT_SITES

    fetch = FetchConfig(
        politeness=Politeness(
            delay=delay,
            per_host=concurrency,
            total=max(max_in_flight, concurrency),
            obey_robots=not ignore_robots,
        ),
        **({"user_agent": user_agent} if user_agent else {}),
    )
    config = CrawlConfig(
        sites=tuple(site_urls) or DEFAULT_SITES,
        full=full,
        max_articles=max_articles,
        known_pages=known_pages,
        merge_aliases=not separate_hosts,
        store_raw=not no_raw,
        fetch=fetch,
    )
    _run_crawl(db_path, config, quiet=quiet, log_format=log_format)


def _run_crawl(db_path, config, *, quiet: bool, label: str = "crawl", log_format: str = "text"):
    """Run a crawl for the CLI: live progress on a terminal, one summary at the end (or
    nothing with quiet), failures on stderr, every error as one line."""
    import sqlite3

    from scraper.crawl import run_crawl
    from scraper.progress import Progress

    progress = Progress(enabled=not quiet and log_format == "text" and sys.stderr.isatty())
    try:
        result = run_crawl(db_path, config, progress=progress.update)
    except Locked as exc:
        _fail(str(exc), EXIT_LOCKED)
    except ScraperError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail("interrupted; the next run resumes where this one stopped", 130)
    except (OSError, sqlite3.Error) as exc:
        _fail(f"cannot write the archive {db_path}: {getattr(exc, 'strerror', None) or exc}")
    except Exception as exc:  # a bug: one line, the traceback on demand
        if os.environ.get("SCRAPE_DEBUG"):
            raise
        _fail(f"crawl failed: {type(exc).__name__}: {exc} (SCRAPE_DEBUG=1 shows the traceback)")
    finally:
        progress.close()
    stats = result.stats
    if log_format == "json":
        for url, error in result.errors:
            click.echo(
                json.dumps({"event": "error", "url": url, "error": error}, ensure_ascii=False),
                err=True,
            )
        if not quiet:
            summary = {
                "event": label,
                "run_id": result.run_id,
                "status": result.status,
                "seconds": round(result.seconds, 3),
                "db": str(db_path),
                **stats.counts(),
            }
            click.echo(json.dumps(summary))
    else:
        shown = result.errors if not quiet else []
        for url, error in shown[:20]:
            click.echo(f"scrape: {error}" if url in error else f"scrape: {url}: {error}", err=True)
        if len(shown) > 20:
            click.echo(
                f"scrape: ... and {len(shown) - 20} more failures (see the fetches table)", err=True
            )
        if not quiet:
            click.echo(
                f"{label}: {stats.fetched} fetched, {stats.new} new, {stats.changed} changed, "
                f"{stats.unchanged} unchanged, {stats.gone} gone, {stats.failed} failed "
                f"in {result.seconds:.1f}s -> {db_path}"
            )
        elif stats.failed:
            click.echo(
                f"{label}: {stats.failed} pages failed every attempt; they are retried on the next "
                "run (see the fetches table)",
                err=True,
            )
    return result


@main.command()
@click.argument("target")
@click.option(
    "--url", default=None, help="The page's URL when TARGET is a file (for ids and links)."
)
def extract(target: str, url: str | None) -> None:
    """Print one page's extraction as JSON (a file or a URL).

    Example: scrape extract saved.html --url "https://sdl.thuathienhue.gov.vn/?gd=1&cn=5&tc=123"
    """
    from scraper.errors import NotAnArticle
    from scraper.extract import load_page
    from scraper.sites import profile_for

    try:
        text, page_url = load_page(target, url)
    except (OSError, ScraperError) as exc:
        _fail(f"cannot read {target}: {exc}")
    try:
        article = profile_for(page_url).extract_article(text, page_url)
    except NotAnArticle as exc:
        _fail(str(exc))
    click.echo(json.dumps(article.to_dict(), ensure_ascii=False, indent=2))


@main.command()
@db_option
@click.argument("article")
@click.option(
    "--diff",
    "diff_revisions",
    nargs=2,
    type=int,
    default=None,
    metavar="A B",
    help="Word-level diff between revisions A and B.",
)
def history(db_path, article, diff_revisions) -> None:
    """List an article's revisions (id or URL), or diff two of them.

    Example: scrape history "sdl.thuathienhue.gov.vn/123" --diff 1 2
    """
    from scraper.history import format_diff, format_history

    archive = _open_existing(db_path)
    try:
        article_id = archive.find_article(article)
        if article_id is None:
            _fail(f"no article {article!r} in {db_path}")
        if diff_revisions:
            old, new = (archive.revision(article_id, n) for n in diff_revisions)
            if old is None or new is None:
                missing = diff_revisions[0] if old is None else diff_revisions[1]
                _fail(f"{article_id} has no revision {missing}")
            click.echo(format_diff(old, new))
        else:
            click.echo(format_history(article_id, archive.history(article_id)))
    finally:
        archive.close()


def _open_existing(db_path):
    from scraper.store import Archive

    if not Path(db_path).exists():
        _fail(f"no archive at {db_path} (run `scrape crawl` first)")
    return Archive(db_path)


@main.command()
@click.option(
    "--db", "db_path", default="demo.db", show_default=True, type=click.Path(dir_okay=False)
)
@click.option("--articles", type=click.IntRange(10), default=240, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
def demo(db_path, articles, seed) -> None:
    """Start a local replica of a TT site, crawl it into demo.db and summarise (offline).

    Example: scrape demo
    """
    from scraper.crawl import CrawlConfig
    from scraper.fetch import FetchConfig, Politeness
    from scraper.replica import ReplicaServer, build_site

    site = build_site(seed=seed, n_articles=articles)
    with ReplicaServer(site) as server:
        click.echo(f"replica of a TT site with {articles} articles at {server.base_url}")
        config = CrawlConfig(
            sites=(server.base_url,),
            fetch=FetchConfig(politeness=Politeness(delay=0.0, per_host=4, total=8)),
        )
        started = time.monotonic()
        _run_crawl(db_path, config, quiet=False, label="demo")
        seconds = time.monotonic() - started
    from scraper.report import summary

    click.echo(summary(db_path, expected_articles=articles, seconds=seconds))


from scraper import cli_query  # noqa: E402  (the analysts' commands; needs db_option above)

main.add_command(cli_query.search)
main.add_command(cli_query.export)
main.add_command(cli_query.status)
main.add_command(cli_query.reindex)


if __name__ == "__main__":  # pragma: no cover
    main()
