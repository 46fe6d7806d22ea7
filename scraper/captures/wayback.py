"""A Wayback Machine as a source of captures: its CDX API lists them, `id_` replay fetches them.

This module owns the two requests a Wayback-style archive (web.archive.org, pywb, or the
test replica) answers, and what their answers may be trusted for:

- `list_captures(...)` pages through `{endpoint}/cdx/search/cdx` (output=json, fl=the five
  CdxRow fields, from/to as whole UTC days, filter on status, collapse=digest, matchType,
  showResumeKey/resumeKey paging, limit per page) and yields CdxRow.
- `fetch_capture(...)` fetches `{endpoint}/web/{timestamp}id_/{original}`: the archived
  bytes as they were, never the rewritten replay page, and returns a Capture whose url
  is the original URL and whose fetched_at is the capture time.

Every request goes through scraper.fetch.Fetcher (politeness, robots, retries of 5xx and
429 with Retry-After). A CDX answer that is HTML or not the JSON it should be is asked for
again a couple of times here; what still fails becomes CaptureSourceError with a one-line
message, never a row or a capture.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from scraper.captures import Capture, iso_from_timestamp14, payload_headers
from scraper.errors import CaptureSourceError, FetchError
from scraper.fetch import Fetcher, Response

FIELDS = ("timestamp", "original", "statuscode", "digest", "mimetype")
MATCH_TYPES = ("exact", "prefix", "host", "domain")
BAD_BODY_RETRIES = 2  # a CDX answer that is not JSON is asked for again this many times
_TIMESTAMP = re.compile(r"\d{14}")
_REPLAY = re.compile(r"/web/(\d{14})id_/")
_HOP_HEADERS = frozenset({"connection", "keep-alive", "date", "server", "set-cookie"})


@dataclass(frozen=True)
class CdxRow:
    timestamp: str  # 14 digits, UTC
    original: str  # the URL as it was captured
    statuscode: str  # '200', '404', ... ('-' for revisits in some indexes)
    digest: str  # sha1 base32 of the payload, as the archive computed it
    mimetype: str


def _cdx_url(endpoint: str) -> str:
    return endpoint.rstrip("/") + "/cdx/search/cdx"


def _status_filter(statuses: tuple[str, ...] | None) -> str | None:
    if not statuses:
        return None
    if len(statuses) == 1:
        return f"statuscode:{statuses[0]}"
    return "statuscode:(" + "|".join(statuses) + ")"


def _short(text: str, n: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _parse_page(resp: Response) -> tuple[list[CdxRow], str | None]:
    """Rows and resume key of one CDX JSON answer; ValueError says what is wrong with it."""
    if resp.is_html or resp.content.lstrip()[:1] == b"<":
        raise ValueError("answered HTML instead of JSON")
    text = resp.content.decode("utf-8", errors="replace").strip()
    if not text:
        return [], None  # no capture at all: some CDX servers send nothing, not []
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"malformed JSON ({exc.msg} at char {exc.pos})") from None
    if not isinstance(data, list) or not all(isinstance(r, list) for r in data):
        raise ValueError("JSON is not a list of rows")
    if not data:
        return [], None
    header, rest = data[0], data[1:]
    missing = [f for f in FIELDS if f not in header]
    if missing:
        raise ValueError(f"header row lacks {', '.join(missing)}")
    resume = None
    if len(rest) >= 2 and rest[-2] == [] and len(rest[-1]) == 1:
        resume = str(rest[-1][0])
        rest = rest[:-2]
    index = [header.index(f) for f in FIELDS]
    rows = []
    for raw in rest:
        if len(raw) != len(header) or not all(isinstance(v, str) for v in raw):
            raise ValueError(f"row does not match the header: {_short(json.dumps(raw))}")
        row = CdxRow(*(raw[i] for i in index))
        if not _TIMESTAMP.fullmatch(row.timestamp) or not row.original:
            raise ValueError(f"row without a 14-digit timestamp or URL: {_short(json.dumps(raw))}")
        rows.append(row)
    return rows, resume


async def _cdx_page(fetcher: Fetcher, url: str, retries: int) -> tuple[list[CdxRow], str | None]:
    tries = 0
    while True:
        tries += 1
        try:
            resp = await fetcher.get(url)
        except FetchError as exc:
            raise CaptureSourceError(f"CDX server failed: {exc}") from exc
        if resp.status != 200:
            raise CaptureSourceError(f"CDX server answered HTTP {resp.status}: {url}")
        try:
            return _parse_page(resp)
        except ValueError as exc:
            if tries > retries:
                why = f"{exc}, {tries} tries"
                raise CaptureSourceError(f"CDX server {why}: {url}") from None
        cfg = fetcher.config
        await asyncio.sleep(min(cfg.backoff_cap, cfg.backoff_base * 2 ** (tries - 1)))


async def list_captures(
    fetcher: Fetcher,
    endpoint: str,
    url_prefix: str,
    since: date | None = None,
    until: date | None = None,
    *,
    statuses: tuple[str, ...] | None = ("200",),
    match_type: str = "prefix",
    collapse_digest: bool = True,
    limit: int = 5000,
    bad_body_retries: int = BAD_BODY_RETRIES,
) -> AsyncIterator[CdxRow]:
    """The captures a Wayback CDX server lists under url_prefix, in its order (by URL key,
    then time), page by page.

    since/until are inclusive UTC days (from=YYYYMMDD000000, to=YYYYMMDD235959).
    statuses keeps rows with these status codes (("404",) lists gone pages; None keeps
    every row). match_type is "prefix" (default), "host", "exact" or "domain".
    collapse_digest drops a row whose payload digest equals the row before it. limit is
    the page size asked for; pages are chained with showResumeKey/resumeKey.
    Raises CaptureSourceError when the server fails or answers something unusable.
    """
    if match_type not in MATCH_TYPES:
        raise ValueError(f"match_type must be one of {', '.join(MATCH_TYPES)}")
    params: list[tuple[str, str]] = [
        ("url", url_prefix),
        ("matchType", match_type),
        ("output", "json"),
        ("fl", ",".join(FIELDS)),
    ]
    if since is not None:
        params.append(("from", since.strftime("%Y%m%d") + "000000"))
    if until is not None:
        params.append(("to", until.strftime("%Y%m%d") + "235959"))
    status_filter = _status_filter(tuple(statuses) if statuses else None)
    if status_filter:
        params.append(("filter", status_filter))
    if collapse_digest:
        params.append(("collapse", "digest"))
    params += [("showResumeKey", "true"), ("limit", str(max(limit, 1)))]
    base = _cdx_url(endpoint)
    resume: str | None = None
    seen_keys: set[str] = set()
    while True:
        query = params + ([("resumeKey", resume)] if resume else [])
        rows, resume = await _cdx_page(fetcher, f"{base}?{urlencode(query)}", bad_body_retries)
        for row in rows:
            yield row
        if not resume:
            return
        if resume in seen_keys:
            raise CaptureSourceError(f"CDX server repeated resume key {resume!r}: {base}")
        seen_keys.add(resume)


def replay_url(endpoint: str, row: CdxRow) -> str:
    """The raw (`id_`) replay URL of a CDX row: the archived bytes, not the replay page."""
    return f"{endpoint.rstrip('/')}/web/{row.timestamp}id_/{row.original}"


def _capture_headers(headers: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """The original response's headers: Wayback prefixes them X-Archive-Orig-; a replay
    that does not (pywb in some modes) sends them as they were."""
    prefix = "x-archive-orig-"
    orig = [(k[len(prefix) :], v) for k, v in headers.items() if k.startswith(prefix)]
    if orig:
        ctype = headers.get("content-type")
        kept = [(k, v) for k, v in orig if k != "content-type"]
        pairs = ([("content-type", ctype)] if ctype else []) + kept
    else:
        pairs = [(k, v) for k, v in headers.items() if k not in _HOP_HEADERS]
    return payload_headers(pairs)


async def fetch_capture(fetcher: Fetcher, endpoint: str, row: CdxRow) -> Capture:
    """The capture a CDX row names, fetched raw from `{endpoint}/web/{timestamp}id_/{original}`.

    Capture.url is row.original; fetched_at is the capture time (the timestamp the replay
    ended on, when the archive redirected to the nearest one); origin is "wayback".
    CaptureSourceError when the replay fails or answers another status than the row's.
    """
    url = replay_url(endpoint, row)
    try:
        resp = await fetcher.get(url)
    except FetchError as exc:
        raise CaptureSourceError(f"Wayback replay failed: {exc}") from exc
    if row.statuscode.isdigit() and resp.status != int(row.statuscode):
        raise CaptureSourceError(
            f"Wayback replay answered HTTP {resp.status} for a capture listed as "
            f"{row.statuscode}: {url}"
        )
    landed = _REPLAY.search(resp.final_url)
    timestamp = landed.group(1) if landed else row.timestamp
    return Capture(
        url=row.original,
        fetched_at=iso_from_timestamp14(timestamp),
        status=resp.status,
        content_type=resp.headers.get("content-type"),
        body=resp.content,
        origin="wayback",
        headers=_capture_headers(resp.headers),
    )
