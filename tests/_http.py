"""A tiny scriptable HTTP/1.1 server for the fetcher's tests (127.0.0.1, own thread).

Each request is handed to a function `app(hit) -> Reply`; a Reply can also misbehave on
purpose (reset the connection, cut the body short, answer late). Every request is logged
with its arrival time (time.monotonic() and time.time(), the clocks the fetcher uses), and
a Gauge, which several servers may share, records the most requests in flight at once.
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Hit:
    method: str
    path: str  # path with query, as sent
    headers: dict[str, str]  # lower-case names
    body: bytes
    n: int  # 1 for the first request to this path, 2 for the second, ...
    at: float  # time.monotonic() on arrival (headers read)
    wall: float  # time.time() on arrival
    done: float = 0.0  # time.monotonic() when the answer was written


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    delay: float = 0.0  # seconds to wait before answering
    action: str | None = None  # "reset", "truncate", "truncate_chunked", "chunked", "trickle"
    interval: float = 0.0  # "trickle": seconds between two bytes of the body


class Gauge:
    """Requests in flight, and the most ever seen at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.max = 0

    def enter(self) -> None:
        with self.lock:
            self.now += 1
            self.max = max(self.max, self.now)

    def leave(self) -> None:
        with self.lock:
            self.now -= 1


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        server: Server = self.server.owner  # type: ignore[attr-defined]
        while True:
            line = self.rfile.readline(65537)
            if not line or not line.strip():
                return
            method, target, _ = line.decode("latin-1").split(" ", 2)
            headers: dict[str, str] = {}
            while True:
                h = self.rfile.readline(65537)
                if h in (b"\r\n", b"\n", b""):
                    break
                name, _, value = h.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            body = self.rfile.read(int(headers.get("content-length", "0") or 0))
            hit = server._record(method, target, headers, body)
            server.gauge.enter()
            try:
                reply = server.app(hit)
                if reply.delay:
                    time.sleep(reply.delay)
                keep = self._answer(reply, method)
            finally:
                hit.done = time.monotonic()
                server.gauge.leave()
            if not keep:
                return

    def _answer(self, reply: Reply, method: str) -> bool:
        sock = self.connection
        if reply.action == "reset":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
            return False
        names = {k.lower() for k, _ in reply.headers}
        head = [f"HTTP/1.1 {reply.status} X"]
        head += [f"{k}: {v}" for k, v in reply.headers]
        chunked = reply.action in ("chunked", "truncate_chunked")
        if chunked:
            head.append("Transfer-Encoding: chunked")
        elif "content-length" not in names:
            extra = 100 if reply.action == "truncate" else 0
            head.append(f"Content-Length: {len(reply.body) + extra}")
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        if reply.action == "trickle":  # the body one byte at a time, interval apart
            try:
                sock.sendall(data)
                for i in range(len(reply.body)):
                    time.sleep(reply.interval)
                    sock.sendall(reply.body[i : i + 1])
            except OSError:
                return False
            return True
        if method != "HEAD":
            if chunked:
                step = 4096
                for i in range(0, len(reply.body), step):
                    part = reply.body[i : i + step]
                    data += b"%x\r\n%s\r\n" % (len(part), part)
                if reply.action == "truncate_chunked":
                    data += b"1000\r\nshort"
                else:
                    data += b"0\r\n\r\n"
            else:
                data += reply.body
        try:
            sock.sendall(data)
        except OSError:
            return False
        return reply.action not in ("truncate", "truncate_chunked")


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address) -> None:  # quiet: faults are on purpose
        pass


class Server:
    """`with Server(app) as s:` serves on 127.0.0.1:<free port> until the block ends."""

    def __init__(self, app: Callable[[Hit], Reply], gauge: Gauge | None = None):
        self.app = app
        self.gauge = gauge or Gauge()
        self.hits: list[Hit] = []
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._tcp = _TCPServer(("127.0.0.1", 0), _Handler)
        self._tcp.owner = self  # type: ignore[attr-defined]
        self.port = self._tcp.server_address[1]
        self.host = f"127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._tcp.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}{path}"

    def paths(self) -> list[str]:
        return [h.path for h in self.hits]

    def _record(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Hit:
        with self._lock:
            n = self._counts[path] = self._counts.get(path, 0) + 1
            hit = Hit(method, path, headers, body, n, time.monotonic(), time.time())
            self.hits.append(hit)
        return hit

    def __enter__(self) -> Server:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._tcp.shutdown()
        self._tcp.server_close()
        self._thread.join(timeout=5)


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
