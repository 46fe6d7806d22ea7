"""Captures: the one currency between the ways pages come in and the archive.

A Capture is one HTTP answer as it was seen at one moment: the URL that was asked for,
when, the status, the headers and the decoded payload (no chunking, no content-encoding),
plus where it came from ("crawl", "wayback" or "warc"). This package owns that record and
the ways in and out that are not the live crawl:

    scraper.captures.warc     WARC/ARC files: iter_warc (import), write_warc (export + CDXJ)
    scraper.captures.wayback  a Wayback Machine's CDX API and id_ replay (list_captures,
                              fetch_capture), on top of scraper.fetch.Fetcher
    scraper.captures.importer captures into the archive (Importer, import_wayback,
                              import_warc) and the archive's raw captures out (export_warc)
    scraper.captures.reextract re-deriving articles from the stored raw pages, offline

This module, warc and wayback know nothing of sites, articles or the store; importer and
reextract are the bridge to them (site profiles, scraper.store).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

Origin = Literal["crawl", "wayback", "warc"]
ORIGINS = ("crawl", "wayback", "warc")
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

# Headers that describe the bytes on the wire, not the decoded payload a Capture holds.
WIRE_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})


@dataclass(frozen=True)
class Capture:
    url: str  # the ORIGINAL URL (never a Wayback replay URL)
    fetched_at: str  # ISO 8601 UTC, 'YYYY-MM-DDTHH:MM:SSZ'
    status: int
    content_type: str | None  # the Content-Type header as sent (parameters kept)
    body: bytes  # decoded payload: no chunking, no content-encoding
    origin: Origin
    headers: tuple[tuple[str, str], ...] = ()  # response headers, WIRE_HEADERS left out

    def __post_init__(self) -> None:
        if self.origin not in ORIGINS:
            raise ValueError(f"unknown capture origin {self.origin!r}")
        try:
            datetime.strptime(self.fetched_at, TIME_FORMAT)
        except (TypeError, ValueError):
            msg = f"fetched_at must be YYYY-MM-DDTHH:MM:SSZ: {self.fetched_at!r}"
            raise ValueError(msg) from None

    @property
    def timestamp14(self) -> str:
        """fetched_at as the 14 digits Wayback and CDX use ('20261204175527')."""
        return to_timestamp14(self.fetched_at)


@dataclass(frozen=True)
class Skipped:
    """A record that could not be read: byte offset of its start in the file, and why."""

    offset: int
    reason: str


def iso_from_datetime(dt: datetime) -> str:
    """'YYYY-MM-DDTHH:MM:SSZ' for an aware or naive-UTC datetime (fractions dropped)."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt.strftime(TIME_FORMAT)


def iso_from_timestamp14(ts: str) -> str:
    """'20261204175527' (or a shorter prefix, padded as Wayback does) -> ISO 8601 UTC."""
    if not ts.isdigit() or not 4 <= len(ts) <= 14:
        raise ValueError(f"not a Wayback timestamp: {ts!r}")
    ts = ts + "0101000000"[len(ts) - 4 :] if len(ts) < 14 else ts
    return iso_from_datetime(datetime.strptime(ts, "%Y%m%d%H%M%S"))


def to_timestamp14(iso: str) -> str:
    return datetime.strptime(iso, TIME_FORMAT).strftime("%Y%m%d%H%M%S")


def payload_headers(headers) -> tuple[tuple[str, str], ...]:
    """Response headers without those that describe the wire form of the body."""
    return tuple((k, v) for k, v in headers if k.lower() not in WIRE_HEADERS)
