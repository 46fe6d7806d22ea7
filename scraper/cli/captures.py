"""The capture commands of `scrape`: wayback (a site's history from a Wayback Machine),
import (WARC/ARC files), reextract (re-derive from the stored raw captures, offline).

Each holds the archive lock for its run, records a run (`runs`, options.command names the
command) and prints one summary line; the work is done by scraper.captures.importer and
scraper.captures.reextract. `scrape export --format warc` (the way out) is in query.py.
"""

from __future__ import annotations

import asyncio
from contextlib import contextmanager

import click

from scraper.cli.common import iso_day, site_name
from scraper.cli.options import db_option, since_until_options
from scraper.errors import InputError


@contextmanager
def _run(db_path, options: dict, *, create: bool = True):
    """Lock the archive, record a run; yields (archive, run_id, finish(counts))."""
    from pathlib import Path

    from scraper import lock
    from scraper.store import Archive

    if not create and not Path(db_path).exists():
        raise InputError(f"no archive at {db_path} (run `scrape crawl` first)")
    with lock.acquire(db_path):
        archive = Archive(db_path)
        try:
            archive.mark_interrupted_runs()
            run_id = archive.start_run(options)
            counts: dict[str, int] = {}
            status = "failed"
            try:
                yield archive, run_id, counts.update
                status = "ok"
            except KeyboardInterrupt:
                status = "interrupted"
                raise
            finally:
                archive.finish_run(run_id, status, counts)
        finally:
            archive.close()


@click.command("wayback")
@click.option("--site", "site_url", required=True, metavar="URL", help="The site to rebuild.")
@db_option()
@since_until_options(
    "Captures on or after this UTC day (YYYY-MM-DD).",
    "Captures on or before this UTC day (YYYY-MM-DD).",
)
@click.option(
    "--endpoint",
    default="https://web.archive.org",
    show_default=True,
    help="The Wayback Machine (CDX API and id_ replay) to ask.",
)
@click.option(
    "--delay",
    type=click.FloatRange(0),
    default=1.0,
    show_default=True,
    help="Seconds between two requests to the endpoint.",
)
def wayback(site_url, db_path, since, until, endpoint, delay) -> None:
    """Rebuild a site's history from a Wayback Machine: every capture of its articles,
    oldest first, a revision where the content changed, dated by the capture time
    (origin 'wayback'). A rerun skips what is imported (it costs the CDX queries only).

    Example: scrape wayback --site https://sdl.thuathienhue.gov.vn/ --since 2019-01-01
    """
    from scraper.captures.importer import import_wayback
    from scraper.fetch import FetchConfig, Fetcher, Politeness

    config = FetchConfig(politeness=Politeness(delay=delay, per_host=1, total=1))
    options = {
        "command": "wayback",
        "site": site_url,
        "endpoint": endpoint,
        "since": iso_day(since),
        "until": iso_day(until),
        "delay": delay,
    }

    def warn(message: str) -> None:
        click.echo(f"scrape: {message}", err=True)

    async def go(archive, run_id):
        async with Fetcher(config) as fetcher:
            return await import_wayback(
                archive,
                site_url,
                endpoint=endpoint,
                since=since.date() if since else None,
                until=until.date() if until else None,
                fetcher=fetcher,
                run_id=run_id,
                on_error=warn,
            )

    with _run(db_path, options) as (archive, run_id, finish):
        report = asyncio.run(go(archive, run_id))
        finish(report.run_counts())
    click.echo(
        f"wayback: {report.listed} captures listed, {report.fetched} fetched: {report.summary()}"
    )


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@db_option()
def import_(files, db_path) -> None:
    """Import WARC 1.0/1.1 or ARC files (gzipped or not): HTML responses (and revisits of
    them) become captures dated by their WARC-Date (origin 'warc'). Importing a file twice
    adds nothing. Unreadable records are reported on stderr (file, offset, reason) and
    skipped; exit 1 only when nothing at all was readable.

    Example: scrape import crawl-2024.warc.gz old-site.arc.gz
    """
    from pathlib import Path

    from scraper.captures.importer import import_warc

    for name in files:
        if not Path(name).is_file():
            raise InputError(f"no such file: {name}")

    def report_skip(path: str, skipped) -> None:
        click.echo(f"scrape: {path}: offset {skipped.offset}: {skipped.reason}", err=True)

    options = {"command": "import", "files": [str(f) for f in files]}
    with _run(db_path, options) as (archive, run_id, finish):
        report = import_warc(archive, list(files), run_id=run_id, on_skip=report_skip)
        finish(report.run_counts())
    other = sum(report.skipped_records.values())
    click.echo(
        f"import: {report.records} records read, {report.listed} captures: {report.summary()}; "
        f"{other} other records skipped, {report.unreadable} unreadable"
    )
    if report.records == 0:
        raise InputError("no readable WARC/ARC record in " + ", ".join(files))


@click.command("reextract")
@db_option()
@click.option("--site", default=None, help="Only this site (its host or its URL).")
@since_until_options("Revisions and captures fetched on or after (YYYY-MM-DD).", None)
def reextract(db_path, site, since) -> None:
    """Re-derive articles and revisions from the stored raw pages with the current
    extractor, offline. Stored revisions are kept as they are; a differing reading goes to
    `derivations` and becomes the article row's content, never a new revision.

    Example: scrape reextract --site sdl.thuathienhue.gov.vn --since 2024-01-01
    """
    from scraper.captures.reextract import reextract as run_reextract

    options = {"command": "reextract", "site": site, "since": iso_day(since)}
    with _run(db_path, options, create=False) as (archive, run_id, finish):
        counts = run_reextract(archive, site=site_name(site), since=iso_day(since), run_id=run_id)
        finish({"fetched": counts["read"]})  # a re-derivation is never an edit
    found = sum(
        v for k, v in counts.items() if k.startswith("capture_") and k != "capture_not_article"
    )
    click.echo(
        f"reextract: {counts['read']} revisions read, {counts['same']} read the same, "
        f"{counts['derived']} re-derived ({counts['articles_refreshed']} articles refreshed), "
        f"{counts['no_article'] + counts['missing_page']} unreadable, "
        f"{found} articles found in captures read again"
    )
