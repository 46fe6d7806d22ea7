"""The crawling commands of `scrape`: crawl, demo, and the run-and-report helper they share
(live progress on a terminal, one summary at the end, failures and alarms on stderr), the
check of --site values (`site_url`) and --notify (`notify`: a shell command that gets the
alarm summary on stdin)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time

import click

from scraper import USER_AGENT
from scraper.cli.common import Terminated, sigterm_as_interrupt
from scraper.cli.options import (
    DATE,
    db_option,
    log_format_option,
    quiet_option,
    sites_file_option,
)
from scraper.errors import OutputError, ScraperError


def site_url(value: str) -> str:
    """value as a site's start URL (scraper.sites.sitelist.check_url: an http(s) URL with a
    valid host; a bare host gets https://). click.BadParameter (exit 2) for anything else."""
    from scraper.errors import InputError
    from scraper.sites.sitelist import check_url

    try:
        return check_url(value)
    except InputError as exc:
        raise click.BadParameter(str(exc)) from None


def _site_urls(ctx, param, values) -> tuple[str, ...]:
    return tuple(site_url(value) for value in values)


@click.command()
@db_option()
@click.option(
    "--site",
    "site_urls",
    multiple=True,
    metavar="URL",
    callback=_site_urls,
    help="A site to crawl (repeatable): an http(s) URL or a host.",
)
@sites_file_option
@click.option(
    "--since",
    type=DATE,
    default=None,
    help="Also walk the date browse ('Xem tin theo ngày') day by day from this day "
    "(YYYY-MM-DD), on CMSs that have one: one request per day.",
)
@click.option(
    "--until", type=DATE, default=None, help="Last day of the date browse (default: today)."
)
@click.option(
    "--sweep",
    is_flag=True,
    help="Also probe unseen article numbers between known ones (TT CMS), one at a time; a "
    "run of 100 misses ends a gap.",
)
@click.option(
    "--full",
    is_flag=True,
    help="Re-fetch every known live article, not only those due for a re-check "
    "(listing walks still stop on known ground); a run stopped half-way leaves the rest "
    "to the next run.",
)
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
    "--user-agent",
    default=USER_AGENT,
    show_default=True,
    help="User-Agent header (name the tool and a contact URL).",
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
    "--notify",
    metavar="CMD",
    default=None,
    help="When the run raises alarms, run this shell command with the alarm summary on "
    "stdin (e.g. 'mail -s scrape admin@example.org'); its failure is one line on stderr "
    "and never changes the exit code.",
)
@quiet_option
@log_format_option
def crawl(
    db_path,
    site_urls,
    sites_file,
    since,
    until,
    sweep,
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
    notify,
    quiet,
    log_format,
):
    """Crawl the sites into the archive: new articles, and a new revision only when an
    article's own content changed. Each site's health is judged against its own past
    runs; alarms go to stderr, one line each, and end the command with exit code 3.

    Example: scrape crawl --db archive.db --site https://sdl.thuathienhue.gov.vn/
    """
    from scraper.crawl import CrawlConfig
    from scraper.fetch import FetchConfig, Politeness
    from scraper.sites.sitelist import load_site_list

    fetch = FetchConfig(
        politeness=Politeness(
            delay=delay,
            per_host=concurrency,
            total=max(max_in_flight, concurrency),
            obey_robots=not ignore_robots,
        ),
        user_agent=user_agent or USER_AGENT,
    )
    config = CrawlConfig(
        sites=tuple(site_urls)
        or tuple(
            entry.site(merge_aliases=not separate_hosts) for entry in load_site_list(sites_file)
        ),
        full=full,
        max_articles=max_articles,
        known_pages=known_pages,
        merge_aliases=not separate_hosts,
        store_raw=not no_raw,
        fetch=fetch,
        since=since.date() if since else None,
        until=until.date() if until else None,
        sweep=sweep,
    )
    if since and until and until < since:
        raise click.UsageError("--until is before --since")
    result = run_and_report(db_path, config, quiet=quiet, log_format=log_format)
    if notify and result.alarms:
        failure = notify_command(notify, alarm_summary(result, db_path))
        if failure:
            click.echo(f"scrape: {failure}", err=True)
    return result


def alarm_summary(result, db_path) -> str:
    """The text --notify sends: one header line, then one line per alarm."""
    count = len(result.alarms)
    lines = [
        f"scrape crawl: run #{result.run_id} on {db_path} completed with {count} "
        f"alarm{'s' if count != 1 else ''}"
    ]
    lines += [alarm.line() for alarm in result.alarms]
    return "\n".join(lines) + "\n"


def notify_command(cmd: str, text: str, timeout: float = 120.0) -> str | None:
    """Run cmd through the shell with text on stdin; None when it succeeded, else one line
    saying how it failed (never raises)."""
    try:
        done = subprocess.run(
            cmd, shell=True, input=text.encode("utf-8"), timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return f"--notify command did not finish within {timeout:g} s: {cmd}"
    except OSError as exc:
        return f"--notify command could not start ({exc.strerror or exc}): {cmd}"
    if done.returncode != 0:
        return f"--notify command failed (exit {done.returncode}): {cmd}"
    return None


# The demo's three replicas, one per layout, and the names they are crawled under.
DEMO_SITES = (
    ("tt", "http://sdl.demo.localhost/"),  # a department site on the TT CMS
    ("dnn", "http://portal.demo.localhost/"),  # the provincial portal on DNN
    ("hue", "http://svhttdl.demo.localhost/"),  # a department site on the hue.gov.vn-era CMS
)


@click.command()
@db_option(
    default="demo.db",
    help="The SQLite archive the demo writes ($SCRAPE_DB is not used: the demo never "
    "writes into your archive).",
)
@click.option(
    "--articles",
    type=click.IntRange(10),
    default=240,
    show_default=True,
    help="Articles in each of the three replicas.",
)
@click.option(
    "--seed", type=int, default=1, show_default=True, help="Seed of the replica's generator."
)
def demo(db_path, articles, seed) -> None:
    """Start local replicas of the three layouts of the family (a TT department site, the
    DNN portal, a hue.gov.vn-era site), crawl them from their home pages into demo.db and
    summarise (offline).

    The replicas listen on free ports of 127.0.0.1 and are crawled under names
    (sdl.demo.localhost, portal.demo.localhost, svhttdl.demo.localhost) mapped to those
    ports, like curl --resolve, so article ids do not depend on the ports: run it again and
    the archive gains only what changed.

    Example: scrape demo
    """
    from contextlib import ExitStack

    from scraper.crawl import CrawlConfig
    from scraper.fetch import FetchConfig, Politeness
    from scraper.replica import ReplicaServer, build_site
    from scraper.report import summary
    from scraper.urls import host_of

    resolve = []
    with ExitStack() as stack:
        for offset, (layout, url) in enumerate(DEMO_SITES):
            site = build_site(seed=seed + offset, n_articles=articles)
            server = stack.enter_context(ReplicaServer(site, public_url=url, layout=layout))
            resolve.append((host_of(url), host_of(server.base_url)))
            click.echo(
                f"replica of a {layout} site with {articles} articles at {url} "
                f"(served on {host_of(server.base_url)})"
            )
        click.echo(f"crawling the three into {db_path}")
        config = CrawlConfig(
            sites=tuple(url for _, url in DEMO_SITES),
            fetch=FetchConfig(
                politeness=Politeness(delay=0.0, per_host=4, total=12), resolve=tuple(resolve)
            ),
        )
        started = time.monotonic()
        run_and_report(db_path, config, quiet=False, label="demo")
        seconds = time.monotonic() - started
    click.echo(summary(db_path, expected_articles=articles * len(DEMO_SITES), seconds=seconds))


def run_and_report(db_path, config, *, quiet: bool, label: str = "crawl", log_format: str = "text"):
    """Run a crawl for the CLI: live progress on a terminal, one summary at the end (or
    nothing with quiet), failures on stderr. Errors are raised as ScraperErrors (Locked
    included) for the group's handler; Ctrl-C as a KeyboardInterrupt with a resume note,
    SIGTERM as a Terminated one (the run is recorded 'interrupted' either way)."""
    from scraper.crawl import run_crawl
    from scraper.progress import Progress

    progress = Progress(enabled=not quiet and log_format == "text" and sys.stderr.isatty())
    try:
        with sigterm_as_interrupt():
            result = run_crawl(db_path, config, progress=progress.update)
    except ScraperError:
        raise
    except KeyboardInterrupt as exc:
        stopped = Terminated if isinstance(exc, Terminated) else KeyboardInterrupt
        raise stopped("the next run resumes where this one stopped") from exc
    except (OSError, sqlite3.Error) as exc:
        why = getattr(exc, "strerror", None) or exc
        raise OutputError(f"cannot write the archive {db_path}: {why}") from exc
    except Exception as exc:  # a bug: one line, the traceback on demand
        if os.environ.get("SCRAPE_DEBUG"):
            raise
        raise ScraperError(
            f"{label} failed: {type(exc).__name__}: {exc} (SCRAPE_DEBUG=1 shows the traceback)"
        ) from exc
    finally:
        progress.close()
    _report(result, db_path, quiet=quiet, label=label, log_format=log_format)
    return result


def _report(result, db_path, *, quiet: bool, label: str, log_format: str) -> None:
    stats = result.stats
    if log_format == "json":
        for url, error in result.errors:
            click.echo(
                json.dumps({"event": "error", "url": url, "error": error}, ensure_ascii=False),
                err=True,
            )
        for alarm in result.alarms:
            event = {"event": "alarm", **alarm.to_dict()}
            click.echo(json.dumps(event, ensure_ascii=False), err=True)
        if not quiet:
            summary = {
                "event": label,
                "run_id": result.run_id,
                "status": result.status,
                "seconds": round(result.seconds, 3),
                "db": str(db_path),
                **stats.counts(),
                "alarms": len(result.alarms),
            }
            click.echo(json.dumps(summary))
        return
    shown = result.errors if not quiet else []
    for url, error in shown[:20]:
        click.echo(f"scrape: {error}" if url in error else f"scrape: {url}: {error}", err=True)
    if len(shown) > 20:
        more = len(shown) - 20
        click.echo(
            f"scrape: ... and {more} more failure{'s' if more != 1 else ''} "
            "(see the fetches table)",
            err=True,
        )
    if not quiet:
        click.echo(
            f"{label}: {stats.fetched} fetched, {stats.new} new, {stats.changed} changed, "
            f"{stats.unchanged} unchanged, {stats.gone} gone, {stats.failed} failed "
            f"in {result.seconds:.1f}s -> {db_path}"
        )
    else:
        # failures of an unreachable site are said by its alarm line
        failed = stats.failed - sum(row["failures"] for row in result.health if row["unreachable"])
        if failed > 0:
            pages = "1 page" if failed == 1 else f"{failed} pages"
            they = "it is" if failed == 1 else "they are"
            click.echo(
                f"{label}: {pages} failed every attempt; {they} retried on the next run "
                "(see the fetches table)",
                err=True,
            )
    for alarm in result.alarms:
        click.echo(f"scrape: alarm: {alarm.line()}", err=True)
