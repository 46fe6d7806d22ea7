"""The page-level commands of `scrape`: sites (the default sites, with their counts from an
archive when one exists) and extract (one page's extraction as JSON, from a file, a URL
or an archived article's raw page)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from scraper.cli.common import archive_at, open_existing
from scraper.cli.options import db_option


@click.command()
@db_option(
    help="Show each site's article count and last run from this archive when the file "
    "exists (opened read-only, never created)."
)
def sites(db_path) -> None:
    """Print the sites `scrape crawl` visits when no --site is given.

    Example: scrape sites --db archive.db
    """
    from scraper.sites import DEFAULT_SITES

    if not Path(db_path).is_file():
        for url in DEFAULT_SITES:
            click.echo(url)
        return
    with archive_at(db_path) as archive:  # read-only; one line for a file not ours
        lines = _site_lines(archive, DEFAULT_SITES)
    for line in lines:
        click.echo(line)


def _site_lines(connection, urls) -> list[str]:
    """One line per site URL: the URL, its articles in the archive, its last run."""
    from scraper.sites import Site
    from scraper.status import archive_status

    per_site = {entry["site"]: entry for entry in archive_status(connection)["sites"]}
    width = max(len(url) for url in urls)
    lines = []
    for url in urls:
        entry = per_site.get(Site.from_url(url).name)
        articles = (entry["articles_live"] + entry["articles_gone"]) if entry else 0
        run = entry["last_run"] if entry else None
        when = f"last run #{run['id']} {run['status']} {run['started_at']}" if run else "never run"
        lines.append(f"{url:<{width}}  {articles:>6} articles  {when}")
    return lines


@click.command()
@click.argument("target")
@click.option(
    "--url", default=None, help="The page's URL when TARGET is a file (for ids and links)."
)
@db_option(
    help="When TARGET is neither a file nor an http(s) URL: the archive in which TARGET is "
    "an article id or URL, extracted from its stored raw page."
)
def extract(target: str, url: str | None, db_path) -> None:
    """Print one page's extraction as JSON (a file, a URL, or an article of the archive).

    Example: scrape extract saved.html --url "https://sdl.thuathienhue.gov.vn/?gd=1&cn=5&tc=123"
    """
    from scraper.extract import is_url, load_page, load_stored
    from scraper.sites import profile_for

    if not is_url(target) and not Path(target).exists() and Path(db_path).is_file():
        archive = open_existing(db_path)
        try:
            text, page_url = load_stored(archive, target)
        finally:
            archive.close()
    else:
        text, page_url = load_page(target, url)
    article = profile_for(page_url).extract_article(text, page_url)
    click.echo(json.dumps(article.to_dict(), ensure_ascii=False, indent=2))
