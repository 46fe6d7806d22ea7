"""WARC and ARC files in and out: the archive's exchange format with every web archive tool.

This module owns the translation between Capture and WARC records, on top of warcio (the
reference library for the format; it parses and writes the framing, we decide what each
record means):

- `iter_warc(path)` reads WARC 1.0 (what wget writes) and 1.1, and ARC, gzipped record
  by record or not at all. Response records of HTML pages become Captures (capture time
  = WARC-Date, body decoded). Revisit records are resolved to the original they point at
  in the same file (by WARC-Refers-To, by WARC-Refers-To-Target-URI + -Date, or by
  payload digest) and become Captures too. Every other record is counted and skipped. A
  truncated or corrupt file yields every readable record and one Skipped(offset, reason)
  per unreadable one: reading resumes at the next record boundary found after it. The
  reader's `.stats` (ReadStats) counts records read, captures and skips by kind.
- `write_warc(captures, out, ...)` writes WARC/1.1, gzipped record by record: a warcinfo
  record, then per capture a request record and a response record, or a revisit record
  (profile identical-payload-digest) when the payload equals an earlier capture's in the
  same file; payload digests (sha1, base32) are computed on the decoded payload. CDXJ
  index lines can be written beside it.

A Capture holds the decoded payload, so headers that describe the wire form of the body
(Content-Encoding, Transfer-Encoding, Content-Length) are dropped on the way in and the
written records carry the right Content-Length and no encoding.
"""

from __future__ import annotations

import base64
import hashlib
import http
import io
import json
import os
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, TextIO
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scraper.captures import WIRE_HEADERS, Capture, Skipped, payload_headers

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_WARC_DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?Z?$")
_GZIP_MAGIC = b"\x1f\x8b\x08"
_PLAIN_START = re.compile(rb"(?:^|\n)(WARC/1\.[01]\r?\n|(?:https?|dns|filedesc)://\S+ )")
_SCAN = 1 << 20


class _Unreadable(Exception):
    """A record whose framing parsed but whose content cannot be trusted."""


@dataclass
class ReadStats:
    records: int = 0  # records read (readable ones, whatever their type)
    captures: int = 0  # Captures yielded, revisits included
    revisits: int = 0  # of those, revisit records resolved to an earlier response
    skipped: Counter = field(default_factory=Counter)  # kind -> count (record type, ...)


@dataclass
class WriteStats:
    records: int = 0  # WARC records written, warcinfo included
    captures: int = 0
    revisits: int = 0  # captures written as revisit records
    bytes: int = 0  # bytes written to `out`


# ------------------------------------------------------------------------------ helpers


def payload_digest(body: bytes) -> str:
    """'sha1:BASE32' of a payload, as WARC-Payload-Digest and CDX servers write it."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def surt(url: str) -> str:
    """The SURT key CDX indexes sort by: 'vn,gov,thuathienhue)/tin-tuc?a=1&b=2'.
    Lower case, 'www.' dropped, default ports dropped, query arguments sorted."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    key = ",".join(reversed(host.split("."))) if host else ""
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and port != {"http": 80, "https": 443}.get(parts.scheme.lower()):
        key += f":{port}"
    query = "&".join(sorted(parts.query.split("&"))) if parts.query else ""
    return (key + ")" + (parts.path or "/") + (f"?{query}" if query else "")).lower()


def warc_date_to_iso(value: str | None) -> str | None:
    """A WARC-Date (seconds or fractions, 'Z' or not) as 'YYYY-MM-DDTHH:MM:SSZ'."""
    m = _WARC_DATE.match((value or "").strip())
    if not m:
        return None
    y, mo, d, h, mi, s = m.groups()
    return f"{y}-{mo}-{d}T{h}:{mi}:{s}Z"


def _is_html(content_type: str | None, body: bytes) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media:
        return media in HTML_TYPES
    head = body.lstrip(b"\xef\xbb\xbf")[:256].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _uri(value: str | None) -> str:
    return (value or "").strip().strip("<>")


# ------------------------------------------------------------------------------ reading


class WarcReader:
    """Iterator over the Captures (and Skipped records) of one WARC or ARC file.
    `stats` fills in as it goes and is complete once the iterator is exhausted."""

    def __init__(self, path: str | os.PathLike):
        self.path = os.fspath(path)
        self.stats = ReadStats()
        self._it = self._iterate()
        # earlier HTML responses of this file, for revisits: key -> record offset
        self._by_id: dict[str, int] = {}
        self._by_target: dict[tuple[str, str], int] = {}
        self._by_digest: dict[str, int] = {}

    def __iter__(self) -> WarcReader:
        return self

    def __next__(self) -> Capture | Skipped:
        return next(self._it)

    def _iterate(self) -> Iterator[Capture | Skipped]:
        with open(self.path, "rb") as fh, open(self.path, "rb") as again:
            size = os.fstat(fh.fileno()).st_size
            gzipped = fh.read(2) == _GZIP_MAGIC[:2]
            start: int | None = 0
            while start is not None and start < size:
                fh.seek(start)
                it = ArchiveIterator(fh, arc2warc=True)
                try:
                    for record in it:
                        at = it.offset
                        out = self._record(record, at, again)
                        it.read_to_end()  # a broken end of record fails here, before yield
                        if out is not None:
                            yield out
                    start = None
                    end = it.offset
                    if end < size and _has_data(fh, end):
                        yield self._skip(end, _trailing_reason(fh, end, gzipped))
                except Exception as exc:  # noqa: BLE001 - warcio, zlib, parsing: all "unreadable"
                    at = it.offset
                    yield self._skip(at, _one_line(exc))
                    start = _resume_point(fh, at + 1, size, gzipped)

    def _skip(self, offset: int, reason: str) -> Skipped:
        self.stats.skipped["unreadable"] += 1
        return Skipped(offset, reason)

    def _record(self, record, offset: int, again: BinaryIO) -> Capture | None:
        stats = self.stats
        rtype = record.rec_type
        if rtype == "response":
            body, ctype, headers, status, digests = _read_response(record)
            stats.records += 1
            head = record.rec_headers
            if head.get_header("WARC-Truncated"):
                stats.skipped["response:truncated"] += 1  # the crawler cut the payload
                return None
            if not _is_html(ctype, body):
                stats.skipped["response:not-html"] += 1
                return None
            url = _uri(head.get_header("WARC-Target-URI"))
            date = warc_date_to_iso(head.get_header("WARC-Date"))
            if not url or date is None:
                stats.skipped["response:no-uri-or-date"] += 1
                return None
            rid = head.get_header("WARC-Record-ID")
            if rid:
                self._by_id.setdefault(rid.strip(), offset)
            self._by_target.setdefault((url, date), offset)
            for digest in digests:
                self._by_digest.setdefault(digest, offset)
            stats.captures += 1
            return Capture(url, date, status, ctype, body, "warc", headers)
        if rtype == "revisit":
            stats.records += 1
            return self._revisit(record, again)
        stats.records += 1
        stats.skipped[rtype or "unknown"] += 1
        return None

    def _revisit(self, record, again: BinaryIO) -> Capture | None:
        head = record.rec_headers
        url = _uri(head.get_header("WARC-Target-URI"))
        date = warc_date_to_iso(head.get_header("WARC-Date"))
        original = None
        refers = (head.get_header("WARC-Refers-To") or "").strip()
        if refers in self._by_id:
            original = self._by_id[refers]
        if original is None:
            target = _uri(head.get_header("WARC-Refers-To-Target-URI"))
            when = warc_date_to_iso(head.get_header("WARC-Refers-To-Date"))
            original = self._by_target.get((target, when or ""))
        if original is None:
            digest = (head.get_header("WARC-Payload-Digest") or "").strip().lower()
            original = self._by_digest.get(digest) if digest else None
        if original is None or not url or date is None:
            self.stats.skipped["revisit:unresolved"] += 1
            return None
        again.seek(original)
        first = next(iter(ArchiveIterator(again, arc2warc=True)))
        body, ctype, headers, status, _ = _read_response(first)
        if record.http_headers is not None and record.http_headers.get_statuscode():
            # an identical-payload revisit carries its own status line and headers
            status = int(record.http_headers.get_statuscode())
            headers = payload_headers(record.http_headers.headers)
            ctype = record.http_headers.get_header("Content-Type") or ctype
        self.stats.captures += 1
        self.stats.revisits += 1
        return Capture(url, date, status, ctype, body, "warc", headers)


def _read_response(record) -> tuple[bytes, str | None, tuple[tuple[str, str], ...], int, set]:
    """(decoded body, Content-Type, headers, status, payload digests) of a response record;
    _Unreadable when it is cut short or its payload digest does not match. The digests
    (lower case) are those a revisit of it may name: the declared one, and sha1 of the
    payload as stored."""
    raw = record.raw_stream.read()
    missing = getattr(record.raw_stream, "limit", 0)
    if missing:
        raise _Unreadable(f"record cut short: {missing} bytes of its block missing")
    http_headers = record.http_headers
    if http_headers is None or not (http_headers.get_statuscode() or "").isdigit():
        raise _Unreadable("response record without an HTTP status line")
    declared = (record.rec_headers.get_header("WARC-Payload-Digest") or "").strip().lower()
    record.raw_stream = io.BytesIO(raw)
    body = record.content_stream().read()
    digests = {payload_digest(raw).lower()}
    if declared.startswith("sha1:") and declared not in digests:
        # some writers digest the payload after removing the chunked transfer coding
        chunked = (http_headers.get_header("Transfer-Encoding") or "").lower() == "chunked"
        if not (chunked and declared == payload_digest(_dechunked(raw)).lower()):
            raise _Unreadable(f"payload digest mismatch (declared {declared})")
    if declared:
        digests.add(declared)
    ctype = http_headers.get_header("Content-Type")
    status = int(http_headers.get_statuscode())
    return body, ctype, payload_headers(http_headers.headers), status, digests


def _dechunked(raw: bytes) -> bytes:
    try:
        return ChunkedDataReader(io.BytesIO(raw)).read()
    except Exception:  # noqa: BLE001 - not valid chunked data: no dechunked form
        return raw


def _one_line(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    name = "" if isinstance(exc, _Unreadable) else f"{type(exc).__name__}: "
    return (name + text)[:160]


def _trailing_reason(fh: BinaryIO, offset: int, gzipped: bool) -> str:
    starts = _starts_record_gz(fh, offset) if gzipped else _PLAIN_START.match(_peek(fh, offset))
    if starts:
        return "the file ends inside this record (truncated)"
    return "bytes after the last record are not a record"


def _peek(fh: BinaryIO, offset: int, n: int = 4096) -> bytes:
    fh.seek(offset)
    return fh.read(n).lstrip(b"\r\n")


def _has_data(fh: BinaryIO, offset: int) -> bool:
    fh.seek(offset)
    return bool(fh.read(_SCAN).strip(b"\r\n\t \x00"))


def _resume_point(fh: BinaryIO, start: int, size: int, gzipped: bool) -> int | None:
    """Offset of the first plausible record start at or after `start`, or None."""
    pos = start
    while pos < size:
        fh.seek(pos)
        chunk = fh.read(_SCAN + 64)
        if not chunk:
            return None
        if gzipped:
            i = chunk.find(_GZIP_MAGIC)
            while i != -1:
                if _starts_record_gz(fh, pos + i):
                    return pos + i
                i = chunk.find(_GZIP_MAGIC, i + 1)
        else:
            m = _PLAIN_START.search(chunk, 0 if pos == 0 else 1)
            if m:
                return pos + m.start(1)
        pos += _SCAN
    return None


def _starts_record_gz(fh: BinaryIO, offset: int) -> bool:
    fh.seek(offset)
    try:
        head = zlib.decompressobj(31).decompress(fh.read(4096), 64)
    except zlib.error:
        return False
    return _PLAIN_START.match(head) is not None


def iter_warc(path: str | os.PathLike) -> WarcReader:
    """Captures and Skipped records of a WARC (1.0 or 1.1) or ARC file, gzipped or not.
    The returned iterator's `.stats` (ReadStats) holds the counts once it is exhausted."""
    return WarcReader(path)


# ------------------------------------------------------------------------------ writing


class _Counting:
    """A write-only wrapper that counts bytes, for record offsets in the CDXJ index."""

    def __init__(self, out: BinaryIO):
        self.out = out
        self.count = 0

    def write(self, data: bytes) -> int:
        self.out.write(data)
        self.count += len(data)
        return len(data)

    def flush(self) -> None:
        self.out.flush()


def _latin1(value: str) -> str:
    """Header values go out as bytes: non-Latin-1 text as its UTF-8 bytes."""
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8").decode("latin-1")
    return value


def _response_headers(cap: Capture) -> StatusAndHeaders:
    headers = [(k, _latin1(v)) for k, v in cap.headers if k.lower() not in WIRE_HEADERS]
    if cap.content_type and not any(k.lower() == "content-type" for k, _ in headers):
        headers.insert(0, ("Content-Type", _latin1(cap.content_type)))
    headers.append(("Content-Length", str(len(cap.body))))
    try:
        reason = http.HTTPStatus(cap.status).phrase
    except ValueError:
        reason = "Unknown"
    return StatusAndHeaders(f"{cap.status} {reason}", headers, protocol="HTTP/1.1")


def _request_headers(url: str) -> StatusAndHeaders:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return StatusAndHeaders(
        f"GET {target} HTTP/1.1", [("Host", parts.netloc)], is_http_request=True
    )


def write_warc(
    captures: Iterable[Capture],
    out: BinaryIO,
    *,
    cdx: TextIO | None = None,
    software: str,
    filename: str | None = None,
) -> WriteStats:
    """Write captures as a WARC/1.1 file, gzipped record by record, to `out`.

    A warcinfo record first (software, format); then per capture a request record and
    either a response record or, when the decoded payload equals an earlier capture's in
    this file, a revisit record (identical-payload-digest) pointing at that capture. Each
    record's WARC-Date is the capture's fetched_at. With `cdx`, CDXJ lines
    (`<surt> <timestamp> {json}`: url, mime, status, digest, length, offset, filename) are
    written there, sorted, once every record is out. `filename` names the WARC in the
    warcinfo record and the index (default: the base name of out.name, if any).
    """
    if filename is None:
        name = getattr(out, "name", None)
        filename = os.path.basename(name) if isinstance(name, str) else ""
    counter = _Counting(out)
    writer = WARCWriter(counter, gzip=True, warc_version="1.1")
    stats = WriteStats()
    info = {
        "software": software,
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
        "warc-format/warc-1.1/",
    }
    writer.write_record(writer.create_warcinfo_record(filename, info))
    stats.records += 1
    first_seen: dict[str, tuple[str, str, str]] = {}  # digest -> (url, WARC-Date, record id)
    lines: list[str] = []
    for cap in captures:
        digest = payload_digest(cap.body)
        date = cap.fetched_at
        http_headers = _response_headers(cap)
        earlier = first_seen.get(digest)
        if earlier is None:
            record = writer.create_warc_record(
                cap.url,
                "response",
                payload=io.BytesIO(cap.body),
                length=len(cap.body),
                http_headers=http_headers,
                warc_headers_dict={"WARC-Type": "response", "WARC-Date": date},
            )
            rid = record.rec_headers.get_header("WARC-Record-ID")
            first_seen[digest] = (cap.url, date, rid)
        else:
            record = writer.create_revisit_record(
                cap.url,
                digest,
                earlier[0],
                earlier[1],
                http_headers=http_headers,
                warc_headers_dict={
                    "WARC-Type": "revisit",
                    "WARC-Date": date,
                    "WARC-Refers-To": earlier[2],
                },
            )
            rid = record.rec_headers.get_header("WARC-Record-ID")
            stats.revisits += 1
        request = writer.create_warc_record(
            cap.url,
            "request",
            http_headers=_request_headers(cap.url),
            warc_headers_dict={
                "WARC-Type": "request",
                "WARC-Date": date,
                "WARC-Concurrent-To": rid,
            },
        )
        writer.write_record(request)
        offset = counter.count
        writer.write_record(record)
        length = counter.count - offset
        stats.records += 2
        stats.captures += 1
        if cdx is not None:
            media = (cap.content_type or "").split(";", 1)[0].strip().lower() or "unk"
            entry = {
                "url": cap.url,
                "mime": "warc/revisit" if earlier is not None else media,
                "status": str(cap.status),
                "digest": digest.split(":", 1)[1],
                "length": str(length),
                "offset": str(offset),
                "filename": filename,
            }
            lines.append(
                f"{surt(cap.url)} {cap.timestamp14} {json.dumps(entry, ensure_ascii=False)}\n"
            )
    if cdx is not None:
        for line in sorted(lines):
            cdx.write(line)
    out.flush()
    stats.bytes = counter.count
    return stats
