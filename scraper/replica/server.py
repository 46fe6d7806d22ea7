"""HTTP server of the replica: a threaded HTTP/1.1 server running in a background thread.

Owns: sockets and keep-alive, the request records tests use to check politeness
(`ReplicaServer.requests`, optionally JSON lines in a log file), the fixed per-request
latency, and the Retry-After bookkeeping: while a 429's Retry-After is pending, requests
from the same client are recorded in `violations` (Retry-After applies to the whole
host). Which fault a request gets and what it does is `scraper.replica.faults`; page
content comes from the layout chosen per server (`scraper.replica.layouts`).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TextIO
from urllib.parse import parse_qsl, urlsplit

from scraper.replica.faults import FAILURES, FaultPlan
from scraper.replica.layouts import Layout, make_layout
from scraper.replica.model import ReplicaSite

__all__ = ["FAILURES", "ReplicaServer"]

_TOLERANCE = 0.05  # seconds of slack before a request counts as too early after a 429


class _Httpd(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, addr, handler, replica: ReplicaServer):
        self.replica = replica
        super().__init__(addr, handler)

    def shutdown_request(self, request):
        if self.replica._take_reset(request):
            # SO_LINGER 0 is set: closing now sends a TCP RST instead of a FIN.
            self.close_request(request)
            return
        super().shutdown_request(request)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Microsoft-IIS/8.5"
    sys_version = ""
    timeout = 120
    server: _Httpd
    rec: dict[str, Any]  # this request's record in ReplicaServer.requests, set by _serve

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without TCP_NODELAY, Nagle plus
        # delayed ACKs cost ~40 ms per keep-alive request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.replica._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.replica._track(self.connection, False)

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:
        self.server.replica._serve(self, "GET")

    def do_POST(self) -> None:
        self.server.replica._serve(self, "POST")

    def do_HEAD(self) -> None:
        self.server.replica._serve(self, "HEAD")


class ReplicaServer:
    """Serves a ReplicaSite on host:port (0: any free port) from a background thread.

    Use as a context manager or call start()/stop(). layout: 'tt' (default), 'dnn' or
    'hue'; moved (hue only): old TT URLs answer 301 to the article's hue URL. After
    start(): base_url ('http://127.0.0.1:PORT/'), port, renderer (the layout instance).
    requests: one dict per request (method, path_qs, status (0 for a reset), start, end
    (time.monotonic()), in_flight_at_start (requests being served at that moment, this
    one included), client (IP), port (client port), fault, early (sent while a 429 was
    pending), wall (time.time())).
    """

    def __init__(
        self,
        site: ReplicaSite,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        latency: float = 0.0,
        faults: int | None = None,
        crawl_delay: float | None = None,
        log_path: str | None = None,
        fault_rate: float = 0.25,
        retry_after: int = 1,
        layout: str = "tt",
        moved: bool = False,
        public_url: str | None = None,
    ):
        self.site = site
        self.host = host
        self.port = port
        self.latency = latency
        self.fault_rate = fault_rate
        self.faults = faults
        self.crawl_delay = crawl_delay
        self.log_path = log_path
        self.retry_after = retry_after
        self.requests: list[dict] = []
        self.violations: list[dict] = []
        self.base_url = ""
        if moved and layout != "hue":
            raise ValueError("moved=True needs layout='hue' (old TT URLs answer 301 there)")
        self.layout = layout
        self.moved = moved
        # The URL the pages' links use when the site is reached under another name than
        # its address (`scrape demo`: http://sdl.demo.localhost/); default base_url.
        self.public_url = public_url
        self.renderer: Layout | None = None
        self._lock = threading.Lock()
        self._in_flight = 0
        self._retry_until: dict[str, float] = {}
        self._conns: set[socket.socket] = set()
        self._resets: set[int] = set()
        self._httpd: _Httpd | None = None
        self._thread: threading.Thread | None = None
        self._log: TextIO | None = None

    @property
    def faults(self) -> int | None:
        """The fault seed (None: no faults). May be set while serving: a new plan starts."""
        return self._plan.seed if self._plan is not None else None

    @faults.setter
    def faults(self, seed: int | None) -> None:
        self._plan = FaultPlan(seed, self.fault_rate) if seed is not None else None

    @property
    def site_violations(self) -> list[dict]:
        return self.violations

    # ---- lifecycle
    def start(self) -> ReplicaServer:
        self._httpd = _Httpd((self.host, self.port), _Handler, self)
        self.port = self._httpd.server_address[1]
        shown = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        self.base_url = f"http://{shown}:{self.port}/"
        options: dict = {"crawl_delay": self.crawl_delay}
        if self.moved:
            options["moved"] = True
        public = self.public_url or self.base_url
        self.renderer = make_layout(self.layout, self.site, public, **options)
        self.renderer.warm()
        if self.log_path:
            self._log = open(self.log_path, "a", encoding="utf-8")  # noqa: SIM115
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)
        deadline = time.monotonic() + 2.0
        while self._in_flight and time.monotonic() < deadline:  # let records and log settle
            time.sleep(0.01)
        self._httpd = None
        if self._log:
            self._log.close()
            self._log = None

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def url(self, path_qs: str = "") -> str:
        return self.base_url + path_qs.lstrip("/")

    # ---- bookkeeping
    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            if add:
                self._conns.add(conn)
            else:
                self._conns.discard(conn)

    def _take_reset(self, conn: socket.socket) -> bool:
        with self._lock:
            if id(conn) in self._resets:
                self._resets.discard(id(conn))
                return True
        return False

    def reset_on_close(self, conn: socket.socket) -> None:
        """Close this connection with a TCP RST once the handler is done (fault 'reset')."""
        with self._lock:
            self._resets.add(id(conn))

    def hold_client(self, client: str, wait: float) -> None:
        """A 429 asked client to wait `wait` seconds: earlier requests are violations."""
        with self._lock:
            self._retry_until[client] = max(
                self._retry_until.get(client, 0.0), time.monotonic() + wait
            )

    def _record(self, rec: dict) -> None:
        with self._lock:
            if self._log:
                self._log.write(json.dumps(rec, ensure_ascii=False) + "\n")
                self._log.flush()

    # ---- one request
    def _serve(self, h: _Handler, method: str) -> None:
        start = time.monotonic()
        client, cport = h.client_address[0], h.client_address[1]
        with self._lock:
            self._in_flight += 1
            in_flight = self._in_flight
            until = self._retry_until.get(client)
        rec = {
            "method": method,
            "path_qs": h.path,
            "status": 0,
            "start": start,
            "end": start,
            "in_flight_at_start": in_flight,
            "client": client,
            "port": cport,
            "fault": None,
            "early": False,
            "wall": time.time(),
        }
        with self._lock:  # listed on arrival: a client that got its answer sees its record
            self.requests.append(rec)
        h.rec = rec
        try:
            if until is not None and start < until - _TOLERANCE:
                rec["early"] = True
                with self._lock:
                    self.violations.append(
                        {"client": client, "path_qs": h.path, "at": start, "until": until}
                    )
            length = int(h.headers.get("Content-Length") or 0)
            raw = h.rfile.read(length) if length > 0 else b""
            form: dict[str, str] | None = None
            if method == "POST":
                form = {}
                for k, v in parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True):
                    form.setdefault(k, v)
            headers = {k.lower(): v for k, v in h.headers.items()}
            fault, r2 = None, 0.0
            path = urlsplit(h.path).path.lower()
            if self._plan is not None and path != "/robots.txt":
                assert self.renderer is not None
                fault, r2 = self._plan.decide(self.renderer.fault_key(method, h.path, form))
            rec["fault"] = fault.name if fault else None
            if self.latency:
                time.sleep(self.latency)
            if fault is not None and fault.answer(self, h, rec, r2, method):
                return
            assert self.renderer is not None
            resp = self.renderer.handle(method, h.path, form, headers)
            rec["status"] = resp.status
            truncate = fault is not None and fault.truncates
            self.write(h, resp.status, resp.headers, resp.body, method, truncate)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            h.close_connection = True
        finally:
            if rec["end"] == start:
                rec["end"] = time.monotonic()
            with self._lock:
                self._in_flight -= 1
            self._record(rec)

    @staticmethod
    def write(h, status, headers, body: bytes, method: str, truncate: bool = False) -> None:
        h.rec["end"] = time.monotonic()
        h.send_response(status)
        for k, v in headers:
            h.send_header(k, v)
        if status != 304:
            h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if method == "HEAD" or status == 304:
            return
        if truncate and body:
            h.wfile.write(body[: max(1, len(body) // 2)])
            h.wfile.flush()
            h.close_connection = True
            return
        h.wfile.write(body)
