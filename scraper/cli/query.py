"""The analysts' commands of `scrape`: search, export, status, reindex, history.

Each opens an existing archive (`--db`, default archive.db or $SCRAPE_DB) read-only (reindex
alone writes): a missing file, a file that is not one of our archives or one written by a
newer scraper is a one-line error, exit 1, and nothing is created. Then one library call
(scraper.search, scraper.export, scraper.status, scraper.history) and prints. Errors are
raised as ScraperErrors and printed by the group's handler as one line; a reader that closes
the pipe early (`| head`) ends the command quietly.
"""

from __future__ import annotations

import json
import os

import click

from scraper.cli.common import (
    archive_at,
    iso_day,
    open_existing,
    quiet_exit,
    site_name,
    stdout_utf8,
)
from scraper.cli.options import DATE, db_option, format_option, since_until_options
from scraper.errors import BadArgument, InputError, OutputError


@click.command("search")
@db_option()
@click.argument("query")
@click.option(
    "--fold",
    is_flag=True,
    help="Accent-folded: 'Hue' finds 'Huế', 'da nang' finds 'Đà Nẵng'. "
    "Default: exact (tone marks count: má is not mà).",
)
@click.option(
    "--site",
    default=None,
    help="Only this site (its host or its URL; one the archive does not hold is an error).",
)
@since_until_options()
@click.option(
    "--limit",
    type=click.IntRange(1),
    default=20,
    show_default=True,
    help="Show at most this many hits (the last line says how many match in all, or "
    "'more than 5,000').",
)
@format_option(["table", "json"], "table: hits with snippets; json: one JSON array of hits.")
def search(db_path, query, fold, site, since, until, limit, fmt) -> None:
    """Full-text search of titles, bodies and captions (FTS5 query syntax: words are ANDed,
    "a phrase", OR, NOT, prefix*, title:word). Matches are shown in [brackets].

    Best first: articles where plain words stand together as a phrase come before those
    that hold them apart ('da nang' --fold: every Đà Nẵng before 'đã ... nâng'), then by
    relevance (a title match weighs most). A query that matches more than 5,000 articles
    (after --site, --since, --until) is not ranked: its hits come newest published first,
    with a note saying so.

    Example: scrape search "Đà Nẵng" ; scrape search "da nang" --fold --format json
    """
    from scraper.search import NEWEST, RANK_LIMIT, search_counted, sites

    if since is not None and until is not None and since > until:
        raise BadArgument(
            f"--since {iso_day(since)} is later than --until {iso_day(until)}: no date fits"
        )
    with archive_at(db_path) as archive:
        name = site_name(site)
        if name is not None and name not in (known := sites(archive)):
            shown = ", ".join(known) if known else "none"
            raise BadArgument(f"no site {name!r} in {db_path} (its sites: {shown})")
        options = {
            "fold": fold,
            "site": name,
            "since": iso_day(since),
            "until": iso_day(until),
        }
        hits, total = search_counted(archive, query, limit=limit, **options)
        at_most = max(RANK_LIMIT, limit)
    with stdout_utf8() as out:
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
        if hits[0].order == NEWEST:
            out.write(
                f"newest first: more than {RANK_LIMIT:,} articles match, too many to rank "
                "by relevance (add words, --site, --since or --until to narrow)\n"
            )
        shown = f"{len(hits)}"
        if total > at_most:
            shown += f" of more than {at_most:,}"
        elif total > len(hits):
            shown += f" of {total}"
        out.write(f"{shown} hit{'s' if total != 1 else ''}\n")


@click.command("export")
@db_option()
@format_option(
    ["jsonl", "csv", "warc"],
    "jsonl: one JSON object per line; csv: header row, UTF-8 with a BOM (for Excel); "
    "warc: every stored raw capture as WARC/1.1 (gzipped records).",
)
@click.option("--revisions", is_flag=True, help="One row per revision instead of per article.")
@since_until_options(
    "Articles published on or after / revisions fetched on or after (YYYY-MM-DD).",
    until_help=None,
)
@click.option(
    "--as-of",
    "as_of",
    type=DATE,
    default=None,
    help="The archive as it stood at the end of this UTC day: each article's latest "
    "revision captured on or before it (one revision row per article).",
)
@click.option(
    "--cdx",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="With --format warc: also write a CDXJ index of the WARC to this file.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write to this file (default: stdout).",
)
@click.option("--no-bom", is_flag=True, help="CSV without the UTF-8 byte-order mark.")
def export(db_path, fmt, revisions, since, as_of, cdx, output, no_bom) -> None:
    """Export every article (or revision) as JSON Lines or CSV, streamed; or every stored
    raw capture as WARC (--format warc > out.warc.gz).

    Example: scrape export --format csv --since 2024-01-01 --output articles.csv
    """
    from scraper.export import export as run_export

    if fmt == "warc":
        if revisions or since or as_of:
            raise InputError("--format warc exports every capture: no --revisions/--since/--as-of")
        return _export_warc(db_path, output, cdx)
    if cdx:
        raise InputError("--cdx goes with --format warc")
    what = "revisions" if revisions or as_of else "articles"
    with archive_at(db_path) as archive:
        options = {
            "fmt": fmt,
            "revisions": revisions,
            "since": iso_day(since),
            "as_of": iso_day(as_of),
            "bom": not no_bom,
        }
        if output in (None, "-"):
            with stdout_utf8() as out:
                run_export(archive, out, **options)
            return
        try:
            with open(output, "w", encoding="utf-8", newline="") as out:
                count = run_export(archive, out, **options)
        except OSError as exc:
            raise OutputError(f"cannot write {output}: {exc.strerror or exc}") from exc
    click.echo(f"exported {count} {what} to {output}", err=True)


def _export_warc(db_path, output, cdx) -> None:
    """WARC to output (or stdout's bytes), CDXJ to cdx."""
    import sys
    from contextlib import ExitStack

    from scraper.captures.importer import export_warc

    with archive_at(db_path) as archive, ExitStack() as stack:
        try:
            if output in (None, "-"):
                out = sys.stdout.buffer
            else:
                out = stack.enter_context(open(output, "wb"))  # noqa: SIM115
            index = stack.enter_context(open(cdx, "w", encoding="utf-8")) if cdx else None
            name = os.path.basename(output) if output not in (None, "-") else "export.warc.gz"
            stats = export_warc(archive, out, cdx=index, filename=name)
        except BrokenPipeError:
            quiet_exit()
        except OSError as exc:
            raise OutputError(f"cannot write the WARC: {exc.strerror or exc}") from exc
    click.echo(
        f"exported {stats.captures} captures ({stats.revisits} as revisits), "
        f"{stats.records} WARC records, {stats.bytes} bytes",
        err=True,
    )


@click.command("status")
@db_option()
@format_option(["table", "json"])
def status(db_path, fmt) -> None:
    """Per site: articles live / gone, revisions, failed URLs waiting, re-checks due now and
    in the next 24 h, the last run.

    Example: scrape status --db archive.db
    """
    from scraper.status import archive_status, format_status

    with archive_at(db_path) as archive:
        data = archive_status(archive)
    with stdout_utf8() as out:
        if fmt == "json":
            out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        else:
            out.write(format_status(data, db_path) + "\n")


@click.command("reindex")
@db_option()
def reindex(db_path) -> None:
    """Rebuild both full-text indexes (exact and accent-folded) from the articles table.

    Use it after writing to the archive without the triggers, instead of FTS5's 'rebuild'
    on articles_fts_folded (which would index unfolded text).

    Example: scrape reindex --db archive.db
    """
    from scraper import lock
    from scraper.search import rebuild_search

    open_existing(db_path).close()  # one line for a missing, foreign or newer file, no lock
    with lock.acquire(db_path), archive_at(db_path, write=True) as archive:
        rebuild_search(archive)
        count = archive.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    click.echo(f"reindexed {count} articles in {db_path}")


@click.command("history")
@db_option()
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

    with archive_at(db_path) as archive:
        article_id = archive.find_article(article)
        if article_id is None:
            raise InputError(f"no article {article!r} in {db_path}")
        if diff_revisions:
            old, new = (archive.revision(article_id, n) for n in diff_revisions)
            if old is None or new is None:
                missing = diff_revisions[0] if old is None else diff_revisions[1]
                raise InputError(f"{article_id} has no revision {missing}")
            click.echo(format_diff(old, new))
        else:
            click.echo(format_history(article_id, archive.history(article_id)))
