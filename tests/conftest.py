"""Fixtures shared by the test files.

- `archive_path`: where a fresh archive goes (tmp_path / "archive.db"), nothing created.
- `archive`: a fresh scraper.store.Archive at archive_path, closed after the test.
- `mock_site`: a MockSite, an in-memory web site behind `httpx.MockTransport`: a dict of
  url -> (status, headers, body) and a log of every request; unknown URLs answer 404.
  Pass `mock_site.transport` to `scraper.fetch.Fetcher(transport=...)`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx
import pytest

Page = tuple[int, Mapping[str, str], bytes | str]


class MockSite:
    """url -> (status, headers, body); str bodies are sent as UTF-8. Every request is
    appended to `log` (httpx.Request objects, in arrival order)."""

    def __init__(self, pages: Mapping[str, Page] | None = None) -> None:
        self.pages: dict[str, Page] = dict(pages or {})
        self.log: list[httpx.Request] = []
        self.transport = httpx.MockTransport(self._handle)

    def add(self, url: str, body: bytes | str = b"", status: int = 200, **headers: str) -> MockSite:
        """Serve body at url; keyword headers use underscores for dashes
        (content_type="text/html" -> Content-Type)."""
        names = {k.replace("_", "-").title(): v for k, v in headers.items()}
        self.pages[url] = (status, names, body)
        return self

    @property
    def urls(self) -> list[str]:
        """The requested URLs, in order."""
        return [str(request.url) for request in self.log]

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.log.append(request)
        status, headers, body = self.pages.get(str(request.url), (404, {}, b""))
        content = body.encode("utf-8") if isinstance(body, str) else body
        return httpx.Response(status, headers=dict(headers), content=content)


@pytest.fixture
def archive_path(tmp_path: Path) -> Path:
    return tmp_path / "archive.db"


@pytest.fixture
def archive(archive_path: Path) -> Iterator:
    from scraper.store import Archive  # here, so a broken store cannot stop every file loading

    arch = Archive(archive_path)
    try:
        yield arch
    finally:
        arch.close()


@pytest.fixture
def mock_site() -> MockSite:
    return MockSite()
