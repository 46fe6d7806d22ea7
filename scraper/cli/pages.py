"""The page-level commands of `scrape`: sites (the default sites, with their counts from an
archive when one exists) and extract (one page's extraction as JSON, from a file, a URL
or an archived article's raw page)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from scraper.cli.common import archive_at, open_existing
from scraper.cli.options import db_option, format_option, sites_file_option


@click.command()
@db_option(
    help="Show each site's article count and last run from this archive when the file "
    "exists (opened read-only, never created)."
)
@sites_file_option
@click.option(
    "--check",
    is_flag=True,
    help="Probe each site once (robots.txt, home page, profile detected, sitemap and feed "
    "found) and print a table. Proxies come from HTTP_PROXY / HTTPS_PROXY / NO_PROXY.",
)
@format_option(["text", "json"], help="The output of --check: a table, or JSON.")
def sites(db_path, sites_file, check, fmt) -> None:
    """Print the sites `scrape crawl` visits when no --site is given: the site list
    (--sites-file, else ./sites.toml, else the built-in family).

    Example: scrape sites --check
    """
    from scraper.sites.sitelist import load_site_list

    entries = load_site_list(sites_file)
    urls = [entry.url for entry in entries]
    if check:
        from scraper.sitecheck import check_sites, format_table

        checks = check_sites([entry.site() for entry in entries])
        if fmt == "json":
            click.echo(json.dumps([c.to_dict() for c in checks], ensure_ascii=False, indent=2))
        else:
            for line in format_table(checks):
                click.echo(line)
        return
    if not Path(db_path).is_file():
        for url in urls:
            click.echo(url)
        return
    with archive_at(db_path) as archive:  # read-only; one line for a file not ours
        lines = _site_lines(archive, urls)
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
    Any news page works: the page's profile is chosen by its URL, then its markup, and a
    page of a layout no profile knows is read by the generic extractor.

    Example: scrape extract saved.html --url "https://sdl.hue.gov.vn/tin-trong-tinh/vi-du.html"
    """
    from scraper.extract import is_url, load_page, load_stored
    from scraper.sites import profile_for_page

    if not is_url(target) and not Path(target).exists() and Path(db_path).is_file():
        archive = open_existing(db_path)
        try:
            text, page_url = load_stored(archive, target)
        finally:
            archive.close()
    else:
        text, page_url = load_page(target, url)
    article = profile_for_page(page_url, text).extract_article(text, page_url)
    click.echo(json.dumps(article.to_dict(), ensure_ascii=False, indent=2))
