"""Site-independent entry points for extraction: read a saved page, a URL or an archived
article's raw page, decode it the way the crawler does, and hand it to the right site
profile (`scrape extract`)."""

from __future__ import annotations

import asyncio
import gzip
from http import HTTPStatus
from pathlib import Path

from scraper.decode import decode_html
from scraper.errors import FetchError, InputError
from scraper.fetch import FetchConfig, Fetcher


def is_url(target: str) -> bool:
    return target.startswith(("http://", "https://"))


def load_page(target: str, url: str | None = None) -> tuple[str, str]:
    """(decoded HTML, page URL) of a file path or an http(s) URL.

    Raises InputError for a file that cannot be read, FetchError for a URL that cannot be
    fetched, answers 4xx/5xx (its status in the message) or not with an HTML page."""
    if is_url(target):
        return asyncio.run(_download(target))
    try:
        content = Path(target).read_bytes()
        if content[:2] == b"\x1f\x8b":  # a saved page.html.gz
            content = gzip.decompress(content)
    except (OSError, EOFError) as exc:
        raise InputError(f"cannot read {target}: {getattr(exc, 'strerror', None) or exc}") from exc
    _, text = decode_html(content, None)
    return text, url or Path(target).resolve().as_uri()


def load_stored(archive, key: str) -> tuple[str, str]:
    """(decoded HTML, page URL) of the raw page an archive kept for the article named by
    key (its id or a URL). Raises InputError when the article or its raw page is missing."""
    article_id = archive.find_article(key)
    if article_id is None:
        raise InputError(f"no article {key!r} in {archive.path}")
    row = archive.db.execute(
        "SELECT a.url, p.sha256, p.content_type FROM articles AS a "
        "LEFT JOIN pages AS p ON p.sha256 = a.page_sha WHERE a.id = ?",
        [article_id],
    ).fetchone()
    url, sha, content_type = row
    if sha is None:
        raise InputError(
            f"{article_id}: no raw page kept in {archive.path} (crawled with --no-raw?)"
        )
    _, text = decode_html(archive.load_page(sha), content_type)
    return text, url


async def _download(url: str) -> tuple[str, str]:
    async with Fetcher(FetchConfig()) as fetcher:
        response = await fetcher.get(url)
    if response.status >= 400:  # say what the server said, not what its error page holds
        try:
            reason = HTTPStatus(response.status).phrase.lower()
        except ValueError:
            reason = "error"
        raise FetchError(url, f"the server answered {reason}", response.status)
    if response.text is None:
        raise FetchError(
            url,
            f"not an HTML page ({response.content_type or 'no type'})",
            response.status,
        )
    return response.text, response.final_url
