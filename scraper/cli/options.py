"""The options several `scrape` commands share, as decorators: one declaration each.

db_option(default=None, help=...)  --db PATH (default archive.db or $SCRAPE_DB)
format_option(choices, help=None)  --format, the first choice the default (param `fmt`)
since_until_options(since_help=None, until=True)  --since / --until YYYY-MM-DD
quiet_option, log_format_option    crawl and demo's output controls
sites_file_option                  --sites-file, the editable site list
"""

from __future__ import annotations

import os
from collections.abc import Callable

import click

DEFAULT_DB = "archive.db"
DATE = click.DateTime(formats=["%Y-%m-%d"])


def db_option(default: str | None = None, help: str = "The SQLite archive."):
    """--db PATH (param `db_path`). Without a default: archive.db, or $SCRAPE_DB when set."""
    value: str | Callable[[], str]  # click calls a callable default when --db is not given
    if default is None:
        value, shown = (lambda: os.environ.get("SCRAPE_DB", DEFAULT_DB)), "archive.db or $SCRAPE_DB"
    else:
        value, shown = default, default
    return click.option(
        "--db",
        "db_path",
        default=value,
        show_default=shown,
        type=click.Path(dir_okay=False),
        help=help,
    )


def format_option(choices: list[str] | tuple[str, ...], help: str | None = None):
    """--format (param `fmt`), one of choices, the first the default."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help=help,
    )


def since_until_options(
    since_help: str = "Published on or after (YYYY-MM-DD).",
    until_help: str | None = "Published on or before (YYYY-MM-DD).",
):
    """--since (and --until unless until_help is None) as click DateTimes (params `since`,
    `until`); common.iso_day turns them into YYYY-MM-DD strings."""

    def decorate(fn):
        if until_help is not None:
            fn = click.option("--until", type=DATE, default=None, help=until_help)(fn)
        return click.option("--since", type=DATE, default=None, help=since_help)(fn)

    return decorate


quiet_option = click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="Print nothing on success (for cron); errors still go to stderr.",
)

log_format_option = click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: the summary and each failure as one JSON object per line (for log collectors).",
)


def sites_file_option(fn):
    """--sites-file FILE (param `sites_file`): the site list; ./sites.toml when absent."""
    return click.option(
        "--sites-file",
        type=click.Path(dir_okay=False),
        default=None,
        help="The site list (TOML, [[site]] url/hosts/name); default ./sites.toml if it "
        "exists, else the built-in family.",
    )(fn)
