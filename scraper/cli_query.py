"""The analysts' commands of `scrape`: search, export, status, reindex.

Registered on the `scrape` group by scraper/cli.py: import scraper.cli first, not this
module alone (it needs cli.db_option, and cli imports it at its end). Each command opens
an existing archive (`--db`, default archive.db or $SCRAPE_DB; a missing file is a
one-line error, exit 1), makes one library call (scraper.search, scraper.export,
scraper.status) and prints. Errors are one line on stderr, exit 1, no
traceback; a reader that closes the pipe early (`| head`) ends the command quietly.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import sys
from contextlib import contextmanager, suppress

import click

_main = sys.modules.get("__main__")
if getattr(getattr(_main, "__spec__", None), "name", None) == "scraper.cli":
    # `python -m scraper.cli`: use the running module as scraper.cli instead of importing
    # a second copy (whose own tail import of this module would find it half-initialised).
    sys.modules.setdefault("scraper.cli", _main)

from scraper.cli import EXIT_LOCKED, _fail, _open_existing, db_option  # noqa: E402
from scraper.errors import Locked, ScraperError  # noqa: E402

DATE = click.DateTime(formats=["%Y-%m-%d"])


def _date(value) -> str | None:
    return value.date().isoformat() if value is not None else None


@contextmanager
def _archive(db_path: str):
    archive = _open_existing(db_path)
    try:
        yield archive
    except sqlite3.Error as exc:
        _fail(f"{db_path}: {exc}")
    finally:
        archive.close()


@contextmanager
def _stdout_utf8():
    """stdout as a UTF-8 text stream that leaves line ends alone (CSV writes CRLF)."""
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
    try:
        yield out
        out.flush()
    except BrokenPipeError:
        _quiet_exit()
    finally:
        with suppress(BrokenPipeError, ValueError):
            out.detach()


def _quiet_exit() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    with suppress(OSError, ValueError, io.UnsupportedOperation):
        os.dup2(devnull, sys.stdout.fileno())
    sys.exit(1)


def _site_name(site: str | None) -> str | None:
    if not site:
        return None
    if "://" in site:
        from scraper.sites import Site

        return Site.from_url(site).name
    return site.strip().lower()


@click.command("search")
@db_option
@click.argument("query")
@click.option(
    "--fold",
    is_flag=True,
    help="Accent-folded: 'Hue' finds 'Huế', 'da nang' finds 'Đà Nẵng'. "
    "Default: exact (tone marks count: má is not mà).",
)
@click.option("--site", default=None, help="Only this site (its host or its URL).")
@click.option("--since", type=DATE, default=None, help="Published on or after (YYYY-MM-DD).")
@click.option("--until", type=DATE, default=None, help="Published on or before (YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table: hits with snippets; json: one JSON array of hits.",
)
def search(db_path, query, fold, site, since, until, limit, fmt) -> None:
    """Full-text search of titles, bodies and captions (FTS5 query syntax: words are ANDed,
    "a phrase", OR, NOT, prefix*, title:word). Matches are shown in [brackets].

    Example: scrape search "Đà Nẵng" ; scrape search "da nang" --fold --format json
    """
    from scraper.search import SearchError
    from scraper.search import search as run_search

    with _archive(db_path) as archive:
        try:
            hits = run_search(
                archive,
                query,
                fold=fold,
                site=_site_name(site),
                since=_date(since),
                until=_date(until),
                limit=limit,
            )
        except SearchError as exc:
            _fail(str(exc))
    with _stdout_utf8() as out:
        if fmt == "json":
            out.write(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2))
            out.write("\n")
            return
        if not hits:
            out.write(f"no article matches {query!r}\n")
            return
        for hit in hits:
            out.write(f"{hit.published or '----------'}  {hit.id}  {hit.title or ''}\n")
            out.write(f"    {hit.snippet}\n")
            out.write(f"    {hit.url or ''}\n")
        out.write(f"{len(hits)} hit{'s' if len(hits) != 1 else ''}\n")


@click.command("export")
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    show_default=True,
    help="jsonl: one JSON object per line; csv: header row, UTF-8 with a BOM (for Excel).",
)
@click.option("--revisions", is_flag=True, help="One row per revision instead of per article.")
@click.option(
    "--since",
    type=DATE,
    default=None,
    help="Articles published on or after / revisions fetched on or after (YYYY-MM-DD).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write to this file (default: stdout).",
)
@click.option("--no-bom", is_flag=True, help="CSV without the UTF-8 byte-order mark.")
def export(db_path, fmt, revisions, since, output, no_bom) -> None:
    """Export every article (or revision) as JSON Lines or CSV, streamed.

    Example: scrape export --format csv --since 2024-01-01 --output articles.csv
    """
    from scraper.export import export as run_export

    what = "revisions" if revisions else "articles"
    with _archive(db_path) as archive:
        options = {"fmt": fmt, "revisions": revisions, "since": _date(since), "bom": not no_bom}
        if output in (None, "-"):
            with _stdout_utf8() as out:
                run_export(archive, out, **options)
            return
        try:
            with open(output, "w", encoding="utf-8", newline="") as out:
                count = run_export(archive, out, **options)
        except OSError as exc:
            _fail(f"cannot write {output}: {exc.strerror or exc}")
    click.echo(f"exported {count} {what} to {output}", err=True)


@click.command("status")
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
def status(db_path, fmt) -> None:
    """Per site: articles live / gone, revisions, failed URLs waiting, re-checks due now and
    in the next 24 h, the last run.

    Example: scrape status --db archive.db
    """
    from scraper.status import archive_status, format_status

    with _archive(db_path) as archive:
        data = archive_status(archive)
    with _stdout_utf8() as out:
        if fmt == "json":
            out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        else:
            out.write(format_status(data, db_path) + "\n")


@click.command("reindex")
@db_option
def reindex(db_path) -> None:
    """Rebuild both full-text indexes (exact and accent-folded) from the articles table.

    Use it after writing to the archive without the triggers, instead of FTS5's 'rebuild'
    on articles_fts_folded (which would index unfolded text).

    Example: scrape reindex --db archive.db
    """
    from scraper import lock
    from scraper.search import rebuild_search

    if not os.path.exists(db_path):
        _open_existing(db_path)  # the one-line "no archive" error, before any lock file
    try:
        with lock.acquire(db_path), _archive(db_path) as archive:
            rebuild_search(archive)
            count = archive.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    except Locked as exc:
        _fail(str(exc), EXIT_LOCKED)
    except ScraperError as exc:
        _fail(str(exc))
    click.echo(f"reindexed {count} articles in {db_path}")
