"""The analysts' commands, `scrape serve` and `scrape report`, as standalone click commands.

This module owns the two `click.Command` objects `serve` and `report`; scraper.cli adds
them to the `scrape` group (`main.add_command(serve)`, `main.add_command(report)`). Like
the other commands they print `scrape: <message>` and exit 1 on a ScraperError (Datasette
missing, no archive), and take the archive from --db or $SCRAPE_DB.
"""

from __future__ import annotations

import os
import sys

import click

from scraper.errors import ScraperError

DEFAULT_DB = "archive.db"


def _db_option(fn):
    return click.option(
        "--db",
        "db_path",
        default=lambda: os.environ.get("SCRAPE_DB", DEFAULT_DB),
        show_default="archive.db or $SCRAPE_DB",
        type=click.Path(dir_okay=False),
        help="The SQLite archive.",
    )(fn)


def _fail(message: str) -> None:
    click.echo(f"scrape: {message}", err=True)
    sys.exit(1)


@click.command()
@_db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
def serve(db_path: str, host: str, port: int) -> None:
    """Browse the archive in Datasette, read-only: tables with descriptions and facets,
    search, canned queries (search, revisions, changes since, gone articles, run health)
    and charts at /-/charts. Needs `pip install 'scraper[serve]'`. Stop with Ctrl-C.

    Example: scrape serve --db archive.db --port 8001
    """
    from scraper.analysts.serve import serve as run_server

    if not os.path.isfile(db_path):
        _fail(f"no archive at {db_path}")
    click.echo(f"Serving {db_path} read-only at http://{host}:{port}/ (charts: /-/charts)")
    try:
        run_server(db_path, host=host, port=port)
    except ScraperError as exc:
        _fail(str(exc))


@click.command()
@_db_option
@click.option(
    "--output",
    "-o",
    default="report.html",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The HTML file to write.",
)
@click.option("--site", help="Only this site's articles (its id host, as in `scrape status`).")
def report(db_path: str, output: str, site: str | None) -> None:
    """Write one self-contained HTML file (inline CSS and SVG, no script, no external
    resource) with the archive's charts and tables: articles and revisions per month,
    field health per run, runs, most revised, recent edits and gone articles.

    Example: scrape report --db archive.db --output report.html
    """
    from scraper.analysts.report import write_report

    if not os.path.isfile(db_path):
        _fail(f"no archive at {db_path}")
    try:
        path = write_report(db_path, output, site=site)
    except ScraperError as exc:
        _fail(str(exc))
    click.echo(f"Wrote {path}")
