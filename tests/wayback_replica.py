"""A local Wayback Machine for tests: CDX API and `id_` replay over an in-memory list.

`WaybackReplica(snapshots)` serves, on 127.0.0.1 at a random port, from its own thread:

- `/cdx/search/cdx`: url, matchType (exact, prefix, host, domain), output=json (else
  space-separated lines), fl, from/to (14-digit bounds, shorter ones padded as Wayback
  does), filter=[!]field:regex (full match, repeatable), collapse=field (adjacent rows),
  limit, showResumeKey/resumeKey. A page holds at most `page_size` rows (small, so tests
  page), whatever limit asks.
- `/web/{timestamp}id_/{original}`: the snapshot's bytes with its status and
  Content-Type, gzip-encoded when the client accepts it and `gzip` is on; a timestamp
  with no snapshot redirects (302) to the nearest one of that URL; an unknown URL is a
  404 HTML page of the archive's own.
- `/robots.txt`: 404.

Faults: set `fault` to "html", "500", "badjson" or "429" (Retry-After: `retry_after`) and
`fault_count` to how many answers misbehave (-1: all) on paths starting with `fault_path`.
`hits` logs (time.monotonic(), path) of every request.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlsplit

from scraper.captures.warc import surt


@dataclass(frozen=True)
class Snapshot:
    original: str
    timestamp: str  # 14 digits
    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"

    @property
    def digest(self) -> str:
        return base64.b32encode(hashlib.sha1(self.body).digest()).decode("ascii")

    def field(self, name: str) -> str:
        return {
            "urlkey": surt(self.original),
            "timestamp": self.timestamp,
            "original": self.original,
            "mimetype": self.content_type.split(";")[0].strip(),
            "statuscode": str(self.status),
            "digest": self.digest,
            "length": str(len(self.body)),
        }[name]


def _with_scheme(url: str) -> str:
    return url if "://" in url else "http://" + url


def _host_key(url: str) -> str:
    return surt(_with_scheme(url)).split(")", 1)[0]


class WaybackReplica:
    def __init__(self, snapshots: list[Snapshot], page_size: int = 3, gzip: bool = False):
        self.snapshots = sorted(snapshots, key=lambda s: (s.field("urlkey"), s.timestamp))
        self.page_size = page_size
        self.gzip = gzip
        self.fault: str | None = None
        self.fault_count = 0
        self.fault_path = "/cdx"
        self.retry_after = 1
        self.hits: list[tuple[float, str]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle

    def __enter__(self) -> WaybackReplica:
        handler = type("Handler", (_Handler,), {"replica": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def __exit__(self, *exc) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    @property
    def endpoint(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def cdx_hits(self) -> list[tuple[float, dict[str, list[str]]]]:
        return [(t, parse_qs(urlsplit(p).query)) for t, p in self.hits if p.startswith("/cdx/")]

    def _take_fault(self, path: str) -> str | None:
        with self._lock:
            if not self.fault or not path.startswith(self.fault_path) or self.fault_count == 0:
                return None
            if self.fault_count > 0:
                self.fault_count -= 1
            return self.fault

    # -- CDX

    def cdx(self, query: dict[str, list[str]]) -> tuple[str, bytes]:
        one = {k: v[-1] for k, v in query.items()}
        url = one.get("url", "")
        match = one.get("matchType", "exact")
        key = surt(_with_scheme(url))
        rows = []
        for snap in self.snapshots:
            urlkey = snap.field("urlkey")
            if match == "exact":
                ok = urlkey == key
            elif match == "prefix":
                ok = urlkey.startswith(key)
            elif match == "host":
                ok = urlkey.split(")", 1)[0] == _host_key(url)
            else:  # domain
                host = _host_key(url)
                ok = urlkey.split(")", 1)[0] == host or urlkey.startswith(host + ",")
            if not ok:
                continue
            low = one.get("from", "").ljust(14, "0")
            high = one.get("to", "").ljust(14, "9") if one.get("to") else "9" * 14
            if not low <= snap.timestamp <= high:
                continue
            if not all(self._passes(snap, f) for f in query.get("filter", [])):
                continue
            rows.append(snap)
        for field in query.get("collapse", []):
            kept, last = [], None
            for snap in rows:
                value = snap.field(field)
                if value != last:
                    kept.append(snap)
                last = value
            rows = kept
        start = 0
        if one.get("resumeKey"):
            resume = unquote(one["resumeKey"])
            start = next(
                (i for i, s in enumerate(rows) if f"{s.field('urlkey')} {s.timestamp}" >= resume),
                len(rows),
            )
        size = self.page_size
        if one.get("limit", "").isdigit():
            size = min(size, int(one["limit"]))
        page = rows[start : start + size]
        more = start + size < len(rows)
        fields = one.get("fl", "urlkey,timestamp,original,mimetype,statuscode,digest,length")
        names = fields.split(",")
        table = [[s.field(n) for n in names] for s in page]
        resume_key = None
        if more and one.get("showResumeKey") == "true":
            nxt = rows[start + size]
            resume_key = quote(f"{nxt.field('urlkey')} {nxt.timestamp}")
        if one.get("output") == "json":
            if not table:
                return "application/json", b"[]"
            out = [names, *table] + ([[], [resume_key]] if resume_key else [])
            return "application/json", json.dumps(out).encode()
        lines = [" ".join(r) for r in table] + (["", resume_key] if resume_key else [])
        return "text/plain", ("\n".join(lines) + "\n").encode()

    @staticmethod
    def _passes(snap: Snapshot, spec: str) -> bool:
        negate = spec.startswith("!")
        field, _, pattern = spec.lstrip("!").partition(":")
        hit = re.fullmatch(pattern, snap.field(field)) is not None
        return hit != negate

    # -- replay

    def replay(self, timestamp: str, original: str) -> tuple[int, list[tuple[str, str]], bytes]:
        same = [s for s in self.snapshots if s.original == original]
        if not same:
            page = "<html><body>Trang này chưa được lưu trữ.</body></html>".encode()
            return 404, [("Content-Type", "text/html; charset=utf-8")], page
        exact = [s for s in same if s.timestamp == timestamp]
        if not exact:
            nearest = min(same, key=lambda s: abs(int(s.timestamp) - int(timestamp)))
            return 302, [("Location", f"/web/{nearest.timestamp}id_/{original}")], b""
        snap = exact[0]
        return snap.status, [("Content-Type", snap.content_type)], snap.body


_REPLAY = re.compile(r"^/web/(\d{14})id_/(.+)$")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    replica: WaybackReplica

    def log_message(self, *args) -> None:
        pass

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        replica = self.replica
        with replica._lock:
            replica.hits.append((time.monotonic(), self.path))
        fault = replica._take_fault(self.path)
        if fault == "html":
            page = "<!DOCTYPE html><html><body>Kho lưu trữ đang bảo trì.</body></html>"
            return self._send(200, [("Content-Type", "text/html; charset=utf-8")], page.encode())
        if fault == "500":
            return self._send(500, [("Content-Type", "text/plain")], b"internal error")
        if fault == "badjson":
            return self._send(200, [("Content-Type", "application/json")], b'[["timestamp",')
        if fault == "429":
            headers = [("Content-Type", "text/plain"), ("Retry-After", str(replica.retry_after))]
            return self._send(429, headers, b"slow down")
        parts = urlsplit(self.path)
        if parts.path == "/cdx/search/cdx":
            ctype, body = replica.cdx(parse_qs(parts.query, keep_blank_values=True))
            return self._send(200, [("Content-Type", ctype)], body)
        m = _REPLAY.match(self.path)
        if m:
            status, headers, body = replica.replay(m.group(1), m.group(2))
            if body and replica.gzip and "gzip" in self.headers.get("Accept-Encoding", ""):
                body = gzip.compress(body)
                headers = [*headers, ("Content-Encoding", "gzip")]
            return self._send(status, headers, body)
        return self._send(404, [("Content-Type", "text/plain")], b"not found")
