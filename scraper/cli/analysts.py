"""The analysts' commands of `scrape`: serve (Datasette on the archive, read-only) and report
(one self-contained HTML file). The work is in scraper.analysts; errors reach the group's
one handler."""

from __future__ import annotations

import os

import click

from scraper.cli.options import db_option
from scraper.errors import InputError


def _existing(db_path: str) -> str:
    if not os.path.isfile(db_path):
        raise InputError(f"no archive at {db_path}")
    return db_path


@click.command()
@db_option()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
def serve(db_path: str, host: str, port: int) -> None:
    """Browse the archive in Datasette, read-only: tables with descriptions and facets,
    search, canned queries (search, revisions, changes since, gone articles, run health)
    and charts at /-/charts. Needs `pip install 'scraper[serve]'`. Stop with Ctrl-C.

    Example: scrape serve --db archive.db --port 8001
    """
    from scraper.analysts.serve import serve as run_server

    _existing(db_path)
    click.echo(f"Serving {db_path} read-only at http://{host}:{port}/ (charts: /-/charts)")
    run_server(db_path, host=host, port=port)


@click.command()
@db_option()
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

    path = write_report(_existing(db_path), output, site=site)
    click.echo(f"Wrote {path}")
