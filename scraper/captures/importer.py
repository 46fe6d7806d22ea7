"""Captures into the archive: the bridge between scraper.captures and the store.

This module owns what a capture means to the archive, whatever its origin:

- `Importer(archive, origin=..., source=..., run_id=...)`: `ingest(capture, digest)` turns
  one Capture into stored state: the raw page kept (`pages`), the article extracted with
  the profile of the capture's ORIGINAL URL (ids and `articles.url` come from it), saved
  as a revision dated by the capture time when its content changed, and one `captures`
  row so a rerun skips it. A capture older than the article's `last_seen` is kept (raw
  page and captures row, outcome 'older') but never applied: the latest revision stays
  the latest. A 404/410 later than the article's last 200 marks it gone as of then.
- `import_wayback(...)`: a site's captures from a Wayback CDX server, all listed first,
  then fetched (`id_`) and ingested in capture-time order; captures already imported are
  skipped before any fetch, so a rerun costs the CDX queries only.
- `import_warc(...)`: WARC/ARC files, each file's captures in capture-time order.
- `export_warc(...)`: every stored raw capture back out as WARC/1.1 (+ CDXJ).

Callers hold the archive lock (scraper.lock) while importing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO, TextIO

from scraper import __version__, sites
from scraper.captures import Capture, Skipped, iso_from_timestamp14, warc
from scraper.decode import choose_encoding, decode_html
from scraper.fetch import HTML_TYPES
from scraper.store.captures import GONE_STATUSES

__all__ = ["ImportReport", "Importer", "export_warc", "import_warc", "import_wayback"]

WAYBACK = "https://web.archive.org"
SOFTWARE = f"scraper/{__version__}"


@dataclass
class ImportReport:
    listed: int = 0  # CDX rows listed (wayback) or captures read (warc)
    done_before: int = 0  # already imported by an earlier run: skipped, nothing fetched
    not_article_url: int = 0  # not an article's URL or not HTML: skipped, nothing fetched
    fetched: int = 0  # captures fetched from the replay (wayback)
    failed: int = 0  # replays that failed (not recorded: retried by the next run)
    outcomes: Counter = field(default_factory=Counter)  # captures-row outcome -> count
    records: int = 0  # WARC records read
    skipped_records: Counter = field(default_factory=Counter)  # kind -> count (warc)
    unreadable: int = 0  # unreadable WARC records (each reported with offset and reason)

    def run_counts(self) -> dict[str, int]:
        o = self.outcomes
        return {
            "fetched": sum(o.values()),  # captures taken in
            "new": o["new"],
            "changed": o["changed"],
            "unchanged": o["unchanged"],
            "gone": o["gone"],
            "failed": self.failed,
        }

    def summary(self) -> str:
        o = self.outcomes
        parts = [
            f"{o['new']} new",
            f"{o['changed']} changed",
            f"{o['unchanged']} unchanged",
            f"{o['older']} older than the archive (kept, not applied)",
            f"{o['gone']} gone",
            f"{o['not_article'] + o['missing'] + o['other']} other",
            f"{self.done_before} already imported",
            f"{self.failed} failed",
        ]
        return ", ".join(parts)


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_html(content_type: str | None, body: bytes) -> bool:
    """An HTML page by its Content-Type, or by its first bytes when it has none."""
    if media_type(content_type):
        return media_type(content_type) in HTML_TYPES
    head = body.lstrip(b"\xef\xbb\xbf")[:64].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _today(fetched_at: str) -> date:
    return date.fromisoformat(fetched_at[:10])


class Importer:
    """Ingests captures of one origin into an Archive (see the module docstring)."""

    def __init__(self, archive, *, origin: str, source: str | None, run_id: int | None):
        self.archive = archive
        self.origin = origin
        self.source = source
        self.run_id = run_id
        self.report = ImportReport()

    def done(self, url: str, fetched_at: str, digest: str | None) -> bool:
        return self.archive.capture_done(url, fetched_at, self.origin, digest)

    def _resolve(self, article_id: str | None) -> str | None:
        if article_id is None:
            return None
        return self.archive.alias_targets([article_id]).get(article_id, article_id)

    def ingest(self, cap: Capture, digest: str | None) -> str:
        """Store one capture; returns the outcome written in its captures row."""
        archive = self.archive
        row = {
            "url": cap.url,
            "fetched_at": cap.fetched_at,
            "origin": self.origin,
            "digest": digest,
            "status": cap.status,
            "source": self.source,
            "run_id": self.run_id,
        }
        with archive.db.atomic():
            if cap.status in GONE_STATUSES:
                aid = self._resolve(sites.article_id(cap.url))
                gone = aid is not None and archive.mark_gone_at(aid, cap.fetched_at)
                outcome = "gone" if gone else "missing"
                archive.record_capture(**row, page_sha=None, article_id=aid, outcome=outcome)
            elif cap.status != 200 or not is_html(cap.content_type, cap.body):
                outcome = "other"
                archive.record_capture(**row, page_sha=None, article_id=None, outcome=outcome)
            else:
                site = sites.Site.from_url(cap.url).name
                sha = archive.store_page(cap.body, cap.content_type or "text/html", site=site)
                outcome, aid = self.apply_page(
                    cap.url, cap.body, cap.content_type, cap.fetched_at, sha
                )
                archive.record_capture(**row, page_sha=sha, article_id=aid, outcome=outcome)
        self.report.outcomes[outcome] += 1
        return outcome

    def apply_page(
        self, url: str, body: bytes, content_type: str | None, fetched_at: str, sha: str
    ) -> tuple[str, str | None]:
        """Extract the stored page of a 200 capture and apply it: (outcome, article id)."""
        archive = self.archive
        _, text = decode_html(body, content_type)
        profile = sites.profile_for_page(url, text)
        page = profile.parse_page(text, url, today=_today(fetched_at))
        article = page.article
        if article is None or not article.id:
            return "not_article", None
        article.id = self._resolve(article.id)
        seen = archive.article_seen(article.id)
        if seen is not None and fetched_at < seen[0]:
            return "older", article.id
        if seen is not None and seen[1] == sha and seen[2] == "live":
            archive.touch_article(article.id, fetched_at=fetched_at, page_sha=sha)
            return "unchanged", article.id
        result = archive.save_article(
            article, fetched_at=fetched_at, page_sha=sha, run_id=self.run_id, origin=self.origin
        )
        if result.outcome == "new":  # a 404 imported before (a later one) now applies
            later = archive.later_gone_capture(article.id, fetched_at)
            if later is not None:
                archive.mark_gone_at(article.id, later)
        return result.outcome, article.id


# ------------------------------------------------------------------------------ wayback


def _digest(cdx_digest: str) -> str:
    return cdx_digest if cdx_digest.startswith("sha1:") else f"sha1:{cdx_digest}"


def _prefixes(site: sites.Site) -> list[str]:
    """One CDX prefix per host of the site ('www.' variants are the same SURT key)."""
    hosts = sorted({h[4:] if h.startswith("www.") else h for h in site.hosts})
    return [f"{host}/" for host in hosts]


async def import_wayback(
    archive,
    site_url: str,
    *,
    endpoint: str = WAYBACK,
    since: date | None = None,
    until: date | None = None,
    fetcher,
    run_id: int | None = None,
    on_error: Callable[[str], None] | None = None,
) -> ImportReport:
    """Import the captures a Wayback Machine holds of a site (see the module docstring).
    `fetcher` is an open scraper.fetch.Fetcher (its politeness applies to the endpoint)."""
    from scraper.captures.wayback import CdxRow, fetch_capture, list_captures
    from scraper.errors import CaptureSourceError

    site = sites.Site.from_url(site_url)
    importer = Importer(archive, origin="wayback", source=endpoint, run_id=run_id)
    report = importer.report
    rows: dict[tuple[str, str, str], CdxRow] = {}  # (timestamp, URL, digest) -> row
    for prefix in _prefixes(site):
        async for row in list_captures(
            fetcher, endpoint, prefix, since, until, statuses=("200", "404", "410")
        ):
            if site.owns(row.original):
                rows.setdefault((row.timestamp, row.original, row.digest), row)
    report.listed = len(rows)
    for key in sorted(rows):
        row = rows[key]
        fetched_at = iso_from_timestamp14(row.timestamp)
        digest = _digest(row.digest)
        if importer.done(row.original, fetched_at, digest):
            report.done_before += 1
            continue
        if sites.article_id(row.original) is None or (
            row.statuscode == "200" and media_type(row.mimetype) not in HTML_TYPES
        ):
            report.not_article_url += 1
            continue
        if row.statuscode in ("404", "410"):  # the status is all a gone capture tells
            cap = Capture(row.original, fetched_at, int(row.statuscode), None, b"", "wayback")
        else:
            try:
                cap = await fetch_capture(fetcher, endpoint, row)
            except CaptureSourceError as exc:
                report.failed += 1
                if on_error is not None:
                    on_error(str(exc))
                continue
            report.fetched += 1
            cap = Capture(cap.url, fetched_at, cap.status, cap.content_type, cap.body, "wayback")
        importer.ingest(cap, digest)
    return report


# --------------------------------------------------------------------------------- warc


def import_warc(
    archive,
    paths: list[str | Path],
    *,
    run_id: int | None = None,
    on_skip: Callable[[str, Skipped], None] | None = None,
) -> ImportReport:
    """Import WARC/ARC files, one after the other, each file's captures in time order.
    A capture already imported (same URL, WARC-Date and payload digest) adds nothing.
    Unreadable records are counted and passed to on_skip(path, Skipped)."""
    report = ImportReport()
    for path in paths:
        importer = Importer(archive, origin="warc", source=Path(path).name, run_id=run_id)
        importer.report = report
        reader = warc.iter_warc(path)
        captures: list[Capture] = []
        for item in reader:
            if isinstance(item, Skipped):
                report.unreadable += 1
                if on_skip is not None:
                    on_skip(str(path), item)
            else:
                captures.append(item)
        report.records += reader.stats.records
        report.skipped_records.update(reader.stats.skipped)
        report.listed += len(captures)
        captures.sort(key=lambda c: c.fetched_at)  # stable: file order within one second
        for cap in captures:
            digest = warc.payload_digest(cap.body)
            if importer.done(cap.url, cap.fetched_at, digest):
                report.done_before += 1
                continue
            importer.ingest(cap, digest)
    return report


# ------------------------------------------------------------------------------- export


def stored_captures(archive) -> Iterator[Capture]:
    """Every raw capture the archive holds (crawl fetches and imports), oldest first."""
    for row in archive.raw_captures():
        body = archive.load_page(row["page_sha"]) if row["page_sha"] else b""
        ctype = row["content_type"] or "text/html"
        if media_type(ctype) in HTML_TYPES and "charset" not in ctype.lower() and body:
            ctype = f"{media_type(ctype)}; charset={choose_encoding(body, ctype)[0]}"
        yield Capture(
            url=row["url"],
            fetched_at=row["fetched_at"],
            status=int(row["status"]),
            content_type=ctype,
            body=body,
            origin=row["origin"],
        )


def export_warc(archive, out: BinaryIO, *, cdx: TextIO | None = None, filename=None):
    """Write every stored raw capture as WARC/1.1 to out (CDXJ to cdx); warc.WriteStats."""
    return warc.write_warc(
        stored_captures(archive), out, cdx=cdx, software=SOFTWARE, filename=filename
    )
