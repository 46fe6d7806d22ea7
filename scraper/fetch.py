"""HTTP fetching: one async httpx client for a whole crawl, polite, retrying, bounded.

This module owns everything between a URL and a decoded `Response`:

- politeness per host (host = scraper.urls.host_of, port kept): at most `per_host`
  requests in flight, a minimum delay between request starts (the larger of
  `Politeness.delay` and robots.txt's Crawl-delay, plus jitter), a "paused until" time set
  by Retry-After; plus a global cap on requests in flight. Every request goes through
  this, retries and robots.txt included.
- robots.txt (scraper.robots), fetched lazily once per host: 2xx parsed; 3xx that cannot
  be followed and 4xx mean allow all; 5xx, 429 or network failure after every retry mean
  disallow all (RFC 9309): the host is unreachable for this run, and every request to it
  raises HostUnreachable, whose message says the host could not be reached and why.
- naming failures: every network failure is classified (`classify_failure`: DNS,
  refused, timeout, TLS, reset) and its FetchError carries the kind (`FetchError.kind`).
- retries (tenacity): connect errors, timeouts, resets, protocol errors (h11 raises on
  a body shorter than its Content-Length or an unfinished chunked body), and statuses
  429/500/502/503/504; exponential backoff with full jitter. An attempt that misses its
  total deadline (`total_timeout`: a trickling server) is retried `deadline_retries`
  times only. Retry-After on 429/503
  pauses the whole host. Other 4xx are answers, never retried.
- redirects, followed by hand, only to allowed hosts (else OffSite, target not requested).
- `FetchConfig.resolve` (like curl's --resolve): a host name served at another address,
  applied to each request as it goes out, so every URL above it keeps the name.
- a size cap on the *decompressed* body: gzip, deflate and br are decoded while streaming
  (not by httpx) with the bounded decoders of scraper.decode, so a compression bomb costs
  at most about one chunk; HTML is decoded to text with scraper.decode's charset choice.

It is also the one place where httpx exceptions become scraper.errors ones.

Long because: one request's path (slot, robots, politeness wait, attempt, retry, redirect)
runs through the per-host state of one Fetcher; split across modules it could not be read
top to bottom. The stateless decoding half already lives in scraper.decode.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import random
import socket
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import httpx
from tenacity import AsyncRetrying, retry_if_exception_type

from scraper import USER_AGENT
from scraper.decode import (
    ACCEPT_ENCODING,
    DECODE_ERRORS,
    Overflow,
    decode_html,
    sniff_html,
    stages,
)
from scraper.errors import (
    FetchError,
    FetchFailed,
    HostUnreachable,
    OffSite,
    RobotsDisallowed,
    TooLarge,
)
from scraper.robots import Robots
from scraper.urls import host_of

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
POOL_SHARD = 4  # connections per httpx pool (see Fetcher.__init__)
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# What can fail when no usable answer comes: the kinds FetchError.kind takes ("http": 5xx
# or 429 after every retry).
FAILURE_KINDS = ("dns", "refused", "timeout", "tls", "reset", "network", "http")


@dataclass(frozen=True)
class Politeness:
    delay: float = 1.0  # min seconds between request starts to one host
    per_host: int = 2  # max requests in flight per host
    total: int = 8  # global cap on requests in flight
    obey_robots: bool = True
    jitter: float = 0.1  # fraction of delay added at random


@dataclass(frozen=True)
class FetchConfig:
    user_agent: str = USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 30.0  # between two reads of one response (httpx read timeout)
    # The deadline of one attempt, from sending to the last body byte: a server that
    # trickles (a byte every few seconds never trips read_timeout) is cut off here...
    total_timeout: float = 60.0
    # ... and such an attempt is retried at most this many times (not `attempts` times), so
    # a trickling URL costs about (1 + deadline_retries) x total_timeout, not 5 x.
    deadline_retries: int = 1
    max_bytes: int = 10 * 1024 * 1024  # applied to decompressed bytes while streaming
    max_redirects: int = 5
    attempts: int = 5  # total tries per request
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    retry_after_cap: float = 600.0  # longest pause a Retry-After header can impose
    politeness: Politeness = Politeness()
    # (name, address) pairs, like curl's --resolve: a request to a URL whose host (as
    # host_of gives it, port included) is name goes to address ('127.0.0.1:8123') with name
    # in its Host header; every URL the caller sees keeps name. `scrape demo` serves its
    # replica as http://sdl.demo.localhost/ this way, so ids never carry a random port.
    resolve: tuple[tuple[str, str], ...] = ()


@dataclass
class Response:
    url: str  # requested URL
    final_url: str  # after in-scope redirects
    method: str  # method of the request that got this answer (POST becomes GET on 303)
    status: int
    headers: dict[str, str]  # lower-case names
    content: bytes  # decompressed body (a BOM, if any, kept)
    content_type: str  # media type, lower-case, no params ('' if none)
    is_html: bool  # text/html or application/xhtml+xml (or sniffed '<html' when no type)
    encoding: str | None  # chosen charset for HTML
    text: str | None  # decoded HTML (None for files)
    elapsed: float  # seconds, all attempts, waits and redirects included
    attempts: int  # tries of the request that got this answer (1 = no retry)


@dataclass
class FetchStats:
    requests: int = 0  # HTTP requests sent: retries, redirect hops and robots.txt included
    retries: int = 0  # of those, repeats after a retryable failure
    bytes: int = 0  # decompressed body bytes received
    redirects: int = 0  # redirects followed
    robots: int = 0  # robots.txt files fetched (one per host)


# ------------------------------------------------------------------ retry plumbing


def classify_failure(exc: BaseException) -> tuple[str, str]:
    """(kind, plain words) of a low-level failure: kind one of FAILURE_KINDS but "http".
    The exception chain is walked outermost first: httpx wraps httpcore, which wraps the
    socket's own error (socket.gaierror for DNS, ConnectionRefusedError, ssl.SSLError)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, socket.gaierror):
            return "dns", f"DNS lookup failed ({current.strerror or current})"
        if isinstance(current, ssl.SSLError):
            return "tls", f"TLS handshake failed ({getattr(current, 'reason', None) or current})"
        if isinstance(current, ConnectionRefusedError):
            return "refused", "connection refused"
        if isinstance(current, httpx.TimeoutException | TimeoutError | socket.timeout):
            return "timeout", f"timed out ({type(current).__name__})"
        if isinstance(current, ConnectionResetError | BrokenPipeError):
            return "reset", "connection reset by the server"
        current = current.__cause__ or current.__context__
    return "network", "network error"


class _Retryable(Exception):
    """One attempt failed in a way worth another try."""

    def __init__(
        self,
        error: str,
        status: int | None = None,
        wait: float | None = None,
        kind: str = "network",
        *,
        deadline: bool = False,
    ):
        super().__init__(error)
        self.error = error
        self.status = status
        self.wait = wait  # seconds chosen by the attempt (Retry-After), else backoff
        self.kind = kind  # one of FAILURE_KINDS
        self.deadline = deadline  # the attempt ran out of total_timeout (a trickle)


@dataclass
class _Raw:
    status: int
    headers: httpx.Headers
    content: bytes
    attempts: int


@dataclass
class _Host:
    """Politeness state of one host."""

    sem: asyncio.Semaphore
    delay: float
    next_start: float = 0.0  # monotonic time before which no request may start
    paused_until: float = 0.0  # Retry-After: no request before this monotonic time
    # After a 429 the host gets one request at a time for the rest of the run: with several
    # in flight, one sent just before the 429 was read would land inside the pause.
    throttled: bool = False
    serial: asyncio.Lock = field(default_factory=asyncio.Lock)
    robots: Robots | None = None
    robots_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    down: str | None = None  # robots.txt never answered: what failed (a FAILURE_KINDS kind)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def _location(headers: httpx.Headers) -> str | None:
    value = headers.get("location")
    if not value:
        return None
    if not value.isascii():  # httpx decodes header bytes as Latin-1; servers send UTF-8
        with contextlib.suppress(UnicodeError):
            value = value.encode("latin-1").decode("utf-8")
    return value.strip()


# ------------------------------------------------------------------------- Fetcher


def _invalid(url: str, exc: Exception) -> FetchError:
    """The FetchError for a URL that cannot be requested at all (urllib's ValueError for a
    port out of range or a broken IPv6 host, httpx.InvalidURL): no request was sent."""
    return FetchError(url, f"invalid URL ({exc})")


class Fetcher:
    """One HTTP client for a whole crawl. Use as `async with Fetcher(config) as f:`.

    allowed_hosts(host) -> bool decides which hosts redirects may lead to (host as
    scraper.urls.host_of gives it, port included); None allows every host.
    transport replaces the network (tests, httpx.MockTransport).
    """

    def __init__(
        self,
        config: FetchConfig = FetchConfig(),  # noqa: B008 - frozen, never mutated
        *,
        allowed_hosts: Callable[[str], bool] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self.config = config
        self.allowed_hosts = allowed_hosts
        self.stats = FetchStats()
        pol = config.politeness
        total = max(pol.total, 1)
        # httpcore scans every pooled connection (a poll and a getpeername each) on every
        # request, so one pool of 16 costs 32 syscalls a request; pools of POOL_SHARD do a
        # quarter of that (measured with py-spy at concurrency 16). A request goes to the
        # least busy pool: with at most `total` in flight, that one always has room.
        shards = 1 if transport is not None else -(-total // POOL_SHARD)
        self._clients = [
            httpx.AsyncClient(
                transport=transport,
                follow_redirects=False,
                timeout=httpx.Timeout(
                    connect=config.connect_timeout,
                    read=config.read_timeout,
                    write=config.read_timeout,
                    pool=config.total_timeout,
                ),
                limits=httpx.Limits(
                    max_connections=-(-total // shards),
                    max_keepalive_connections=-(-total // shards),
                ),
                headers={"User-Agent": config.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            )
            for _ in range(shards)
        ]
        self._busy = [0] * shards
        self._resolve = {name.lower(): address for name, address in config.resolve}
        self._global = asyncio.Semaphore(max(pol.total, 1))
        self._hosts: dict[str, _Host] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for client in self._clients:
            await client.aclose()

    # -- public API

    async def get(self, url: str, headers: dict | None = None) -> Response:
        try:
            return await self._fetch("GET", url, headers, None)
        except (ValueError, httpx.InvalidURL) as exc:
            raise _invalid(url, exc) from exc

    async def post(
        self, url: str, data: Sequence[tuple[str, str]], headers: dict | None = None
    ) -> Response:
        hdrs = {"Content-Type": "application/x-www-form-urlencoded"}
        if headers:
            hdrs.update(headers)
        try:
            return await self._fetch("POST", url, hdrs, urlencode(data).encode("ascii"))
        except (ValueError, httpx.InvalidURL) as exc:
            raise _invalid(url, exc) from exc

    def robots_for(self, host: str) -> Robots | None:
        """The robots rules loaded for host (None until its first request)."""
        slot = self._hosts.get(host)
        return slot.robots if slot else None

    # -- redirects

    async def _fetch(
        self,
        method: str,
        url: str,
        headers: dict | None,
        content: bytes | None,
        *,
        check_robots: bool = True,
    ) -> Response:
        started = time.monotonic()
        cfg = self.config
        current = url
        hops = 0
        while True:
            slot = await self._slot(current, check_robots, url)
            raw = await self._send(slot, method, current, headers, content, url)
            location = _location(raw.headers) if raw.status in REDIRECT_STATUSES else None
            target = urljoin(current, location) if location else None
            if target is None or urlsplit(target).scheme not in ("http", "https"):
                break
            if hops >= cfg.max_redirects:
                raise FetchFailed(
                    url, f"more than {cfg.max_redirects} redirects", raw.status, raw.attempts
                )
            if self.allowed_hosts is not None and not self.allowed_hosts(host_of(target)):
                raise OffSite(
                    url, f"redirect to {target} leaves the allowed hosts", raw.status, raw.attempts
                )
            if raw.status == 303 or (raw.status in (301, 302) and method == "POST"):
                if method != "HEAD":
                    method = "GET"
                content = None
                if headers:
                    headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
            hops += 1
            self.stats.redirects += 1
            current = target
        return self._response(url, current, method, raw, time.monotonic() - started)

    def _response(self, url: str, final: str, method: str, raw: _Raw, elapsed: float) -> Response:
        headers = {k.lower(): v for k, v in raw.headers.items()}
        ctype_header = headers.get("content-type", "")
        ctype = ctype_header.split(";", 1)[0].strip().lower()
        is_html = ctype in HTML_TYPES if ctype else sniff_html(raw.content)
        encoding = text = None
        if is_html:
            encoding, text = decode_html(raw.content, ctype_header)
        return Response(
            url=url,
            final_url=final,
            method=method,
            status=raw.status,
            headers=headers,
            content=raw.content,
            content_type=ctype,
            is_html=is_html,
            encoding=encoding,
            text=text,
            elapsed=elapsed,
            attempts=raw.attempts,
        )

    # -- politeness and robots

    async def _slot(self, url: str, check_robots: bool, asked: str) -> _Host:
        host = host_of(url)
        slot = self._hosts.get(host)
        if slot is None:
            pol = self.config.politeness
            slot = self._hosts[host] = _Host(asyncio.Semaphore(max(pol.per_host, 1)), pol.delay)
        if check_robots and self.config.politeness.obey_robots:
            robots = slot.robots
            if robots is None:
                robots = await self._load_robots(slot, url)
            if not robots.allows(url):
                why = robots.reason or "disallowed by robots.txt"
                why = why if url == asked else f"{why} ({url})"
                if slot.down is not None:
                    raise HostUnreachable(asked, why, kind=slot.down)
                raise RobotsDisallowed(asked, why)
        return slot

    async def _load_robots(self, slot: _Host, url: str) -> Robots:
        """The host's robots rules, fetched and parsed the first time they are asked for."""
        async with slot.robots_lock:
            if slot.robots is not None:
                return slot.robots
            parts = urlsplit(url)
            robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
            self.stats.robots += 1
            try:
                resp = await self._fetch("GET", robots_url, None, None, check_robots=False)
            except FetchFailed as exc:
                if exc.status is not None and exc.status not in RETRY_STATUSES:
                    # too many redirects, an undecodable body: unavailable, so no rules
                    robots = Robots.allow_all(f"robots.txt unavailable: {exc.error}")
                else:
                    what = f"HTTP {exc.status}" if exc.status else exc.error
                    tries = f"{exc.attempts} attempt{'s' if exc.attempts != 1 else ''}"
                    rfc = " (RFC 9309)" if exc.status else ""
                    robots = Robots.disallow_all(
                        f"host {parts.netloc} could not be reached: {what} after {tries} "
                        f"at robots.txt; nothing is fetched from it this run{rfc}"
                    )
                    slot.down = exc.kind or ("http" if exc.status else "network")
            except (OffSite, TooLarge) as exc:
                robots = Robots.allow_all(f"robots.txt unavailable: {exc.error}")
            else:
                if 200 <= resp.status < 300:
                    robots = Robots.parse(resp.content.decode("utf-8", errors="replace"))
                else:  # 3xx left unfollowed and 4xx: no rules
                    robots = Robots.allow_all(f"robots.txt: HTTP {resp.status}")
            if robots.crawl_delay is not None:
                slot.delay = max(slot.delay, robots.crawl_delay)
            slot.robots = robots
            return robots

    async def _acquire(self, slot: _Host) -> bool:
        """Take a per-host and a global place, honouring delay and pause; on return the
        request counts as started. Returns whether the host's serial lock was taken too."""
        await slot.sem.acquire()
        serial = False
        try:
            if slot.throttled:
                await slot.serial.acquire()
                serial = True
            jitter = self.config.politeness.jitter
            while True:
                wait = max(slot.next_start, slot.paused_until) - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                    continue
                await self._global.acquire()
                now = time.monotonic()
                if now >= slot.next_start and now >= slot.paused_until:
                    if slot.delay > 0:
                        slot.next_start = now + slot.delay * (1 + jitter * random.random())
                    return serial
                self._global.release()  # the host's clock moved while we queued
        except BaseException:
            if serial:
                slot.serial.release()
            slot.sem.release()
            raise

    def _release(self, slot: _Host, serial: bool) -> None:
        self._global.release()
        if serial:
            slot.serial.release()
        slot.sem.release()

    # -- one request with retries

    def _backoff(self, attempt: int) -> float:
        cfg = self.config
        return random.uniform(0, min(cfg.backoff_cap, cfg.backoff_base * 2 ** (attempt - 1)))

    def _wait(self, state) -> float:
        exc = state.outcome.exception()
        if isinstance(exc, _Retryable) and exc.wait is not None:
            return exc.wait
        return self._backoff(state.attempt_number)

    async def _send(
        self,
        slot: _Host,
        method: str,
        url: str,
        headers: dict | None,
        content: bytes | None,
        asked: str,
    ) -> _Raw:
        # The first try runs bare (tenacity costs ~45 us a call); tenacity drives the rest,
        # its attempt 1 being that first failure replayed, so waits and counts stay its own.
        try:
            return await self._attempt(slot, method, url, headers, content, asked, 1)
        except _Retryable as exc:
            first = exc
        deadlines = 0

        def stop(state) -> bool:
            """After `attempts` tries, or after deadline_retries + 1 attempts that ran out
            of total_timeout: a server that trickles will trickle again."""
            nonlocal deadlines
            exc = state.outcome.exception()
            if isinstance(exc, _Retryable) and exc.deadline:
                deadlines += 1
                if deadlines > max(self.config.deadline_retries, 0):
                    return True
            return state.attempt_number >= max(self.config.attempts, 1)

        retrying = AsyncRetrying(
            stop=stop,
            wait=self._wait,
            retry=retry_if_exception_type(_Retryable),
            reraise=True,
        )
        attempt_no = 1
        try:
            async for attempt in retrying:
                with attempt:
                    attempt_no = attempt.retry_state.attempt_number
                    if attempt_no == 1:
                        raise first
                    raw = await self._attempt(
                        slot, method, url, headers, content, asked, attempt_no
                    )
        except _Retryable as exc:
            raise FetchFailed(
                asked, exc.error, exc.status, attempt_no, kind=exc.kind
            ) from exc.__cause__
        return raw

    async def _attempt(
        self,
        slot: _Host,
        method: str,
        url: str,
        headers: dict | None,
        content: bytes | None,
        asked: str,
        attempt_no: int,
    ) -> _Raw:
        serial = await self._acquire(slot)
        stats = self.stats
        stats.requests += 1
        if attempt_no > 1:
            stats.retries += 1
        shard = self._busy.index(min(self._busy))
        self._busy[shard] += 1
        client = self._clients[shard]
        try:
            try:
                async with asyncio.timeout(self.config.total_timeout):
                    target, headers = self._route(url, headers)
                    request = client.build_request(method, target, headers=headers, content=content)
                    response = await client.send(request, stream=True)
                    try:
                        status = response.status_code
                        if status in RETRY_STATUSES:
                            # pause the host on the status line, before anything else awaits
                            retry = self._retry_status(slot, response, attempt_no)
                            # read the error page so the connection can be reused
                            with contextlib.suppress(Exception):
                                await self._read(response, asked, attempt_no)
                            raise retry
                        body = await self._read(response, asked, attempt_no)
                    finally:
                        await response.aclose()
            except TimeoutError as exc:
                raise _Retryable(
                    f"timed out: no complete answer within {self.config.total_timeout:g} s",
                    kind="timeout",
                    deadline=True,
                ) from exc
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                kind, words = classify_failure(exc)
                raise _Retryable(f"{words} ({type(exc).__name__}: {exc})", kind=kind) from exc
            except httpx.HTTPError as exc:
                kind, words = classify_failure(exc)
                raise FetchFailed(
                    asked, f"{words} ({type(exc).__name__}: {exc})", None, attempt_no, kind=kind
                ) from exc
        finally:
            self._busy[shard] -= 1
            self._release(slot, serial)
        return _Raw(status, response.headers, body, attempt_no)

    def _route(self, url: str, headers: dict | None) -> tuple[str, dict | None]:
        """(the URL to connect to, the headers) of a request: config.resolve applied, the
        name kept in the Host header. Nothing changes for a host that is not mapped."""
        if not self._resolve:
            return url, headers
        address = self._resolve.get(host_of(url))
        if address is None:
            return url, headers
        parts = urlsplit(url)
        target = urlunsplit((parts.scheme, address, parts.path or "/", parts.query, ""))
        return target, {**(headers or {}), "Host": parts.netloc}

    def _retry_status(self, slot: _Host, response: httpx.Response, attempt_no: int) -> _Retryable:
        status = response.status_code
        wait = self._backoff(attempt_no)
        after = (
            parse_retry_after(response.headers.get("retry-after")) if status in (429, 503) else None
        )
        if after is not None or status == 429:
            if after is not None:
                wait = max(wait, min(after, self.config.retry_after_cap))
            # the whole host waits, not just this task, and gets one request at a time
            slot.paused_until = max(slot.paused_until, time.monotonic() + wait)
            slot.throttled = True
        reason = f"HTTP {status}" + (f", Retry-After {after:g} s" if after is not None else "")
        return _Retryable(reason, status, wait, kind="http")

    async def _read(self, response: httpx.Response, asked: str, attempt_no: int) -> bytes:
        limit = self.config.max_bytes
        length = response.headers.get("content-length")
        if length and length.isdigit() and int(length) > limit:
            raise TooLarge(
                asked,
                f"Content-Length {length} exceeds {limit} bytes",
                response.status_code,
                attempt_no,
            )
        if response.is_stream_consumed:  # built in memory (httpx.MockTransport): read already
            body = response.content
            if len(body) > limit:
                raise TooLarge(
                    asked, f"body exceeds {limit} bytes", response.status_code, attempt_no
                )
            self.stats.bytes += len(body)
            return body
        coding = response.headers.get("content-encoding")
        decoders = stages(coding, limit) if coding else []
        chunks: list[bytes] = []
        total = wire = 0
        try:
            async for data in response.aiter_raw():
                wire += len(data)
                if wire > limit:  # compressed bytes past the cap: the body is too large anyway
                    raise Overflow
                for stage in decoders:
                    data = stage.decode(data)
                total += len(data)
                if total > limit:
                    raise Overflow
                if data:
                    chunks.append(data)
            for i, stage in enumerate(decoders):
                tail = stage.flush()
                for later in decoders[i + 1 :]:
                    tail = later.decode(tail)
                total += len(tail)
                if total > limit:
                    raise Overflow
                if tail:
                    chunks.append(tail)
        except Overflow:
            raise TooLarge(
                asked, f"body exceeds {limit} bytes", response.status_code, attempt_no
            ) from None
        except DECODE_ERRORS as exc:
            raise FetchFailed(
                asked, f"cannot decode {coding} body: {exc}", response.status_code, attempt_no
            ) from exc
        self.stats.bytes += total
        return b"".join(chunks) if len(chunks) != 1 else chunks[0]
