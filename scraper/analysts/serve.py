"""`scrape serve`: the archive in Datasette, read-only, with its metadata and a charts page.

This module owns `serve(db_path, host, port)` and the Datasette plugin it registers (this
module itself, through `pm.register`): a `/-/charts` route that serves the SVG charts of
scraper.analysts.charts as one HTML page (no script; `?site=` narrows it to one site), and
a "Charts" entry in Datasette's menu.

Read-only, not immutable: the archive is opened as a normal (mutable) Datasette database,
which Datasette connects to with `mode=ro`. SQLite then refuses every write, and a reader
in WAL mode sees each transaction a running crawl commits. `-i` / immutable would tell
SQLite the file never changes: it skips locking and the WAL, so a crawl's commits still in
the WAL would be invisible (or a page read mid-checkpoint inconsistent), and Datasette
would cache the table counts it computed at startup. Datasette's own writes (the
`execute_write` API) are never used.

Datasette is an optional dependency (`pip install 'scraper[serve]'`): without it,
`serve` raises `DatasetteMissing`.
"""

from __future__ import annotations

import asyncio
import sys
from html import escape
from pathlib import Path
from urllib.parse import quote

from scraper.analysts import charts as ch
from scraper.analysts.metadata import TITLE, metadata_for
from scraper.errors import ScraperError

INSTALL_HINT = "scrape serve needs Datasette: pip install 'scraper[serve]'"
CHARTS_PATH = "/-/charts"

try:  # the plugin hooks below only mean something when Datasette is installed
    from datasette import hookimpl
except ImportError:  # pragma: no cover - exercised when datasette is missing

    def hookimpl(func):
        return func


class DatasetteMissing(ScraperError):
    """`scrape serve` needs Datasette, which is not installed."""


# --------------------------------------------------------------------------- plugin


def charts_page_html(items: list[ch.Chart], sites: list[str], site: str | None) -> str:
    """The /-/charts page: the charts, and one link per site to narrow them (no script)."""
    links = ['<a href="?">all sites</a>'] + [
        f'<a href="?site={escape(quote(s))}">{escape(s)}</a>' for s in sites
    ]
    scope = escape(site) if site else "all sites"
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="vi"><head><meta charset="utf-8">',
            f"<title>Charts — {escape(TITLE)}</title>",
            f"<style>{ch.CSS}</style></head><body>",
            f'<p><a href="/">{escape(TITLE)}</a> › charts</p>',
            f"<h1>Charts: {scope}</h1>",
            "<p>" + " · ".join(links) + "</p>",
            ch.charts_html(items),
            "</body></html>",
        ]
    )


async def charts_view(datasette, request):
    from datasette.utils.asgi import Response

    db = datasette.get_database()
    site = request.args.get("site") or None

    def build(conn):
        sites = [row[0] for row in conn.execute("SELECT DISTINCT site FROM articles ORDER BY 1")]
        return ch.charts(conn, site), sites

    items, sites = await db.execute_fn(build)
    return Response.html(charts_page_html(items, sites, site))


@hookimpl
def register_routes():
    return [(r"^/-/charts$", charts_view)]


@hookimpl
def menu_links(datasette):
    return [{"href": datasette.urls.path(CHARTS_PATH), "label": "Charts"}]


# --------------------------------------------------------------------------- server


def make_datasette(db_path: str | Path):
    """A Datasette instance for the archive (read-only, metadata, the charts plugin)."""
    try:
        from datasette.app import Datasette
        from datasette.plugins import pm
    except ImportError:
        raise DatasetteMissing(INSTALL_HINT) from None
    path = Path(db_path)
    if not path.is_file():
        raise ScraperError(f"no archive at {path}")
    plugin = sys.modules[__name__]
    if not pm.is_registered(plugin):
        pm.register(plugin, name="scraper-analysts")
    return Datasette(
        [str(path)],
        metadata=metadata_for(path),
        settings={"sql_time_limit_ms": 5000, "default_page_size": 50},
    )


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Serve the archive with Datasette until interrupted (blocks)."""
    ds = make_datasette(db_path)
    try:
        import uvicorn
    except ImportError:  # pragma: no cover - uvicorn comes with datasette
        raise DatasetteMissing(INSTALL_HINT) from None
    asyncio.run(ds.invoke_startup())
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on")
