"""Site-independent entry points for extraction: read a saved page or a URL, decode it
the way the crawler does, and hand it to the right site profile (`scrape extract`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from scraper.decode import decode_html
from scraper.fetch import FetchConfig, Fetcher


def load_page(target: str, url: str | None = None) -> tuple[str, str]:
    """(decoded HTML, page URL) of a file path or an http(s) URL."""
    if target.startswith(("http://", "https://")):
        return asyncio.run(_download(target))
    content = Path(target).read_bytes()
    _, text = decode_html(content, None)
    return text, url or Path(target).resolve().as_uri()


async def _download(url: str) -> tuple[str, str]:
    async with Fetcher(FetchConfig()) as fetcher:
        response = await fetcher.get(url)
    if response.text is None:
        raise OSError(
            f"not an HTML page (HTTP {response.status}, {response.content_type or 'no type'})"
        )
    return response.text, response.final_url
