"""The `scrape` command line: the click group `main`, the exit codes, the one error handler.

This module owns `main` (the console script `scrape = "scraper.cli:main"`), `EXIT_CODES`
(the one table of exit codes; README's table is generated from it by scraper.cli.docs)
and `ScrapeGroup`, whose `invoke` turns every ScraperError a command raises into one
line on stderr (`scrape: <message>`) and its exit code, so no command catches errors to
print them, and a command's result that carries alarms (a crawl's CrawlResult) into
exit code 3. The commands live in one module per family: crawl.py (crawl, demo),
query.py (search, export, status, reindex, history), pages.py (sites, extract),
captures.py (wayback, import, reextract), analysts.py (serve, report), replica.py
(replica: the local replica and its epochs); their
shared options are in options.py and their shared helpers in common.py. Those modules
never import this one, so there is no import cycle.
"""

from __future__ import annotations

import click

from scraper.cli.common import Terminated
from scraper.errors import BadArgument, Locked, ScraperError

# (code, name, meaning): the one table of exit codes.
EXIT_CODES: tuple[tuple[int, str, str], ...] = (
    (
        0,
        "ok",
        "done, no alarm (a crawl's pages that failed every retry are counted and retried next run)",
    ),
    (1, "fatal", "fatal error, one line on stderr (no archive, unreadable input, bad query, ...)"),
    (
        2,
        "usage",
        "usage error (bad option or argument, a --site that is not an http(s) URL, --since "
        "after --until, unknown --site)",
    ),
    (
        3,
        "alarm",
        "crawl completed, but with alarms: a site unreachable the whole run (DNS, refused, "
        "timeout, TLS), a field's fill rate fallen, another profile, or no new article for "
        "longer than the site's rhythm; one line per alarm on stderr (`scrape status`)",
    ),
    (75, "locked", "another run holds this archive; nothing was done (try again later)"),
    (
        130,
        "interrupted",
        "interrupted by Ctrl-C (run recorded 'interrupted'); the next crawl resumes its work",
    ),
    (
        143,
        "terminated",
        "stopped by SIGTERM (run recorded 'interrupted'); the next crawl resumes its work",
    ),
)
EXIT: dict[str, int] = {name: code for code, name, _ in EXIT_CODES}


def exit_code(exc: ScraperError) -> int:
    """The exit code of an error: locked for Locked, usage for BadArgument, fatal for every
    other ScraperError."""
    if isinstance(exc, Locked):
        return EXIT["locked"]
    return EXIT["usage"] if isinstance(exc, BadArgument) else EXIT["fatal"]


class ScrapeGroup(click.Group):
    """A click group whose commands' ScraperErrors end as one line on stderr and an exit
    code, whose Ctrl-C ends as exit 130 and SIGTERM (a Terminated, see
    common.sigterm_as_interrupt) as exit 143, with the note the error carries, if any, and
    whose commands that return a result with alarms (the crawl's) end with exit 3."""

    def invoke(self, ctx: click.Context):
        try:
            result = super().invoke(ctx)
        except ScraperError as exc:
            click.echo(f"scrape: {exc}", err=True)
            ctx.exit(exit_code(exc))
        except KeyboardInterrupt as exc:
            note = f"; {exc}" if str(exc) else ""
            if isinstance(exc, Terminated):
                click.echo(f"scrape: terminated by SIGTERM{note}", err=True)
                ctx.exit(EXIT["terminated"])
            click.echo(f"scrape: interrupted{note}", err=True)
            ctx.exit(EXIT["interrupted"])
        if getattr(result, "alarms", None):
            ctx.exit(EXIT["alarm"])
        return result


@click.group(cls=ScrapeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="scraper")
def main() -> None:
    """Archive the news articles of the Thừa Thiên Huế portals into one SQLite file."""


def _register() -> None:
    from scraper.cli import analysts, captures, crawl, pages, query, replica

    for command in (
        pages.sites,
        crawl.crawl,
        crawl.demo,
        pages.extract,
        query.history,
        query.search,
        query.export,
        query.status,
        query.reindex,
        analysts.serve,
        analysts.report,
        captures.wayback,
        captures.import_,
        captures.reextract,
        replica.replica,
    ):
        main.add_command(command)


_register()
