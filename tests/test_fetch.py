"""Tests of scraper.fetch against small servers on 127.0.0.1 (tests/_http.py)."""

from __future__ import annotations

import asyncio
import email.utils
import gzip
import math
import socket
import ssl
import threading
import time
import unicodedata
import zlib

import brotli
import httpx
import pytest

from scraper.decode import choose_encoding, decode_html, encoding_for_label
from scraper.errors import FetchFailed, HostUnreachable, OffSite, RobotsDisallowed, TooLarge
from scraper.fetch import FetchConfig, Fetcher, Politeness, classify_failure, parse_retry_after
from tests._http import Gauge, Reply, Server, free_port

HTML = "text/html; charset=utf-8"
PAGE = "<html><body><p>Thông tin về lễ hội Huế năm nay.</p></body></html>"
TOL = 0.02  # clock slack for lower bounds measured on the server side


def config(**kw) -> FetchConfig:
    pol = {"delay": 0.0, "per_host": 2, "total": 8, "obey_robots": False, "jitter": 0.0}
    pol.update(kw.pop("politeness", {}))
    base = {
        "attempts": 3,
        "backoff_base": 0.01,
        "backoff_cap": 0.05,
        "politeness": Politeness(**pol),
    }
    base.update(kw)
    return FetchConfig(**base)


def cp1258(text: str) -> bytes:
    """windows-1258 bytes of Vietnamese text: precomposed where the code page has the
    letter (ê, ơ, ư, ...), tone marks as combining characters otherwise."""
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        for i, mark in enumerate(marks):
            letter = unicodedata.normalize("NFC", base + mark)
            rest = "".join(marks[:i] + marks[i + 1 :])
            try:
                out += letter.encode("cp1258") + rest.encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            out += (base + "".join(marks)).encode("cp1258")
    return out


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def run(coro):
    return asyncio.run(coro)


async def get(url: str, cfg: FetchConfig | None = None, **kw):
    async with Fetcher(cfg or config(), **kw) as f:
        return await f.get(url)


def ok(body: str = PAGE, ctype: str = HTML, **kw) -> Reply:
    return Reply(200, body.encode("utf-8"), [("Content-Type", ctype)], **kw)


# ---------------------------------------------------------------- plain answers


def test_get_html_page():
    with Server(lambda hit: ok()) as s:

        async def main():
            async with Fetcher(config()) as f:
                r = await f.get(s.url("/?gd=1&tc=5"))
                return r, f.stats

        r, stats = run(main())
    assert r.status == 200 and r.attempts == 1
    assert r.url == r.final_url == s.url("/?gd=1&tc=5")
    assert r.method == "GET"
    assert r.is_html and r.content_type == "text/html" and r.encoding == "utf-8"
    assert r.text == PAGE and r.content == PAGE.encode()
    assert r.headers["content-type"] == HTML
    assert stats.requests == 1 and stats.retries == 0 and stats.bytes == len(PAGE.encode())
    sent = s.hits[0].headers
    assert sent["user-agent"].startswith("scraper/0.1 (+https://")
    assert {"gzip", "deflate", "br"} <= {c.strip() for c in sent["accept-encoding"].split(",")}


def test_file_is_not_decoded():
    pdf = b"%PDF-1.4\n\xff\xfe binary"
    with Server(lambda hit: Reply(200, pdf, [("Content-Type", "application/pdf")])) as s:
        r = run(get(s.url("/UploadFiles/a%20b.pdf")))
    assert not r.is_html and r.text is None and r.encoding is None
    assert r.content == pdf and r.content_type == "application/pdf"


def test_html_sniffed_without_content_type():
    with Server(lambda hit: Reply(200, b"  <!DOCTYPE html><html>Hu\xe1\xba\xbf</html>")) as s:
        r = run(get(s.url("/")))
    assert r.content_type == "" and r.is_html and r.text.endswith("Huế</html>")


@pytest.mark.parametrize("status", [404, 403])
def test_client_errors_are_answers_not_retried(status):
    page = "<html>không có</html>"
    with Server(lambda hit: Reply(status, page.encode(), [("Content-Type", HTML)])) as s:
        r = run(get(s.url("/?gd=1&tc=999")))
    assert r.status == status and r.attempts == 1
    assert r.text == page
    assert len(s.hits) == 1


def test_post_form_is_urlencoded():
    with Server(lambda hit: ok()) as s:

        async def main():
            async with Fetcher(config()) as f:
                return await f.post(s.url("/?gd=2&cn=5"), [("__EVENTTARGET", "a$b"), ("q", "Huế")])

        r = run(main())
    hit = s.hits[0]
    assert r.method == "POST" and hit.method == "POST"
    assert hit.headers["content-type"] == "application/x-www-form-urlencoded"
    assert hit.body == b"__EVENTTARGET=a%24b&q=Hu%E1%BA%BF"


# ---------------------------------------------------------------------- retries


@pytest.mark.parametrize(
    "fault",
    [
        Reply(500),
        Reply(502),
        Reply(503),
        Reply(504),
        Reply(429),
        Reply(action="reset"),
        Reply(200, b"<html>cut", [("Content-Type", HTML)], action="truncate"),
        Reply(200, b"<html>cut", [("Content-Type", HTML)], action="truncate_chunked"),
    ],
    ids=["500", "502", "503", "504", "429", "reset", "truncated", "truncated-chunked"],
)
def test_transient_fault_is_retried(fault):
    with Server(lambda hit: fault if hit.n == 1 else ok()) as s:

        async def main():
            async with Fetcher(config()) as f:
                return await f.get(s.url("/p")), f.stats

        r, stats = run(main())
    assert r.status == 200 and r.text == PAGE
    assert r.attempts == 2 and len(s.hits) == 2
    assert stats.requests == 2 and stats.retries == 1


def test_slow_answer_hits_read_timeout_and_is_retried():
    with Server(lambda hit: ok(delay=1.0 if hit.n == 1 else 0)) as s:
        r = run(get(s.url("/slow"), config(read_timeout=0.2)))
    assert r.status == 200 and r.attempts == 2


def test_slow_answer_hits_total_timeout_and_is_retried():
    with Server(lambda hit: ok(delay=1.0 if hit.n == 1 else 0)) as s:
        r = run(get(s.url("/slow"), config(read_timeout=5, total_timeout=0.2)))
    assert r.status == 200 and r.attempts == 2


def test_a_trickling_server_is_cut_off_at_the_deadline_and_retried_once():
    """One byte every 50 ms never trips the read timeout; the total deadline cuts each
    attempt, and a trickle is tried twice, not `attempts` (5) times."""
    body = PAGE.encode() * 4
    trickle = Reply(200, body, [("Content-Type", HTML)], action="trickle", interval=0.05)
    with Server(lambda hit: trickle) as s, pytest.raises(FetchFailed) as info:
        started = time.monotonic()
        try:
            run(get(s.url("/slow"), config(attempts=5, read_timeout=5, total_timeout=0.3)))
        finally:
            elapsed = time.monotonic() - started
    assert len(s.hits) == 2 and info.value.attempts == 2
    assert "within 0.3 s" in str(info.value)
    assert elapsed < 0.3 * 2 + 1.0  # two deadlines and a short backoff, not five


def test_deadline_retries_zero_gives_a_trickle_one_attempt_and_defaults_are_bounded():
    trickle = Reply(200, b"x" * 200, [("Content-Type", HTML)], action="trickle", interval=0.05)
    with Server(lambda hit: trickle) as s, pytest.raises(FetchFailed) as info:
        run(get(s.url("/t"), config(attempts=5, total_timeout=0.2, deadline_retries=0)))
    assert len(s.hits) == 1 and info.value.attempts == 1
    default = FetchConfig()
    assert default.total_timeout <= 60 and default.deadline_retries == 1
    worst = default.total_timeout * (1 + default.deadline_retries) + default.backoff_cap
    assert worst < 300


def test_other_failures_still_get_every_attempt_after_a_deadline():
    """A deadline miss, then 503s: the 503s use the remaining attempts."""

    def app(hit):
        if hit.n == 1:
            return Reply(200, b"x" * 100, [("Content-Type", HTML)], action="trickle", interval=0.05)
        return Reply(503)

    with Server(app) as s, pytest.raises(FetchFailed) as info:
        run(get(s.url("/mixed"), config(attempts=4, read_timeout=5, total_timeout=0.2)))
    assert len(s.hits) == 4 and info.value.status == 503


def test_resolve_sends_a_named_host_to_an_address_and_keeps_the_name():
    def app(hit):
        if hit.path == "/old":
            return Reply(301, headers=[("Location", "/new?tc=5")])
        return Reply(200, PAGE.encode(), [("Content-Type", HTML)])

    with Server(app) as s:
        address = s.url("/").split("/")[2]
        resolve = (("sdl.demo.localhost", address),)
        r = run(get("http://sdl.demo.localhost/old", config(resolve=resolve)))
    assert r.status == 200 and r.final_url == "http://sdl.demo.localhost/new?tc=5"
    assert [hit.headers["host"] for hit in s.hits] == ["sdl.demo.localhost"] * 2
    assert [hit.path for hit in s.hits] == ["/old", "/new?tc=5"]


def test_attempts_exhausted_raise_fetch_failed():
    with Server(lambda hit: Reply(503)) as s, pytest.raises(FetchFailed) as info:
        run(get(s.url("/down"), config(attempts=3)))
    err = info.value
    assert err.status == 503 and err.attempts == 3 and err.url == s.url("/down")
    assert "503" in str(err)
    assert len(s.hits) == 3


def test_connection_refused_exhausted():
    url = f"http://127.0.0.1:{free_port()}/"
    with pytest.raises(FetchFailed) as info:
        run(get(url, config(attempts=2)))
    assert info.value.status is None and info.value.attempts == 2
    assert "ConnectError" in info.value.error
    assert info.value.kind == "refused" and info.value.error.startswith("connection refused")


def test_failures_are_named_for_what_they_are():
    def chained(outer: BaseException, inner: BaseException) -> BaseException:
        outer.__cause__ = inner
        return outer

    dns = chained(httpx.ConnectError("[Errno -2] Name or service not known"), socket.gaierror(-2))
    tls = chained(httpx.ConnectError("handshake"), ssl.SSLError(1, "WRONG_VERSION_NUMBER"))
    refused = chained(
        httpx.ConnectError("all failed"), chained(OSError("x"), ConnectionRefusedError())
    )
    assert classify_failure(dns)[0] == "dns" and "DNS" in classify_failure(dns)[1]
    assert classify_failure(tls)[0] == "tls" and "TLS" in classify_failure(tls)[1]
    assert classify_failure(refused) == ("refused", "connection refused")
    assert classify_failure(httpx.ConnectTimeout("slow"))[0] == "timeout"
    assert classify_failure(httpx.ReadError("?"))[0] == "network"


def test_tls_to_a_plain_http_server_is_named_tls():
    """A plain HTTP server answers a ClientHello with an HTTP 400 at once (as IIS and nginx
    do); the handshake fails on it. The socket server below answers whatever it reads, so
    the outcome does not depend on a newline happening to be in the ClientHello's bytes."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def answer_in_plain_http():
        conn, _ = listener.accept()
        with conn:
            conn.recv(4096)
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    thread = threading.Thread(target=answer_in_plain_http, daemon=True)
    thread.start()
    try:
        with pytest.raises(FetchFailed) as info:
            run(get(f"https://127.0.0.1:{port}/", config(attempts=1)))
    finally:
        thread.join(timeout=5)
        listener.close()
    assert info.value.kind == "tls" and "TLS handshake failed" in info.value.error


def test_a_read_timeout_is_named_timeout():
    slow = Server(lambda hit: Reply(200, PAGE.encode(), delay=1.0))
    with slow as s, pytest.raises(FetchFailed) as info:
        run(get(s.url("/"), config(attempts=1, read_timeout=0.2)))
    assert info.value.kind == "timeout" and info.value.error.startswith("timed out")


def test_retry_after_seconds_pauses_whole_host():
    first = {}

    def app(hit):
        if not first:
            first["hit"] = hit
            return Reply(429, b"slow down", [("Retry-After", "1")])
        return ok()

    with Server(app) as s:

        async def main():
            async with Fetcher(config(politeness={"per_host": 1})) as f:
                return await asyncio.gather(*(f.get(s.url(f"/{c}")) for c in "abc"))

        responses = run(main())
    assert [r.status for r in responses] == [200, 200, 200]
    assert sum(r.attempts for r in responses) == 4 and len(s.hits) == 4
    limited = first["hit"]
    later = [h for h in s.hits if h is not limited]
    # no request from any task reached the host before the pause ended
    assert all(h.at >= limited.done + 1.0 - TOL for h in later), [
        h.at - limited.done for h in later
    ]


def test_retry_after_http_date_pauses_whole_host():
    first = {}

    def app(hit):
        if not first:
            until = math.ceil(time.time()) + 1.0
            first["until"] = until
            first["hit"] = hit
            return Reply(503, b"", [("Retry-After", email.utils.formatdate(until, usegmt=True))])
        return ok()

    with Server(app) as s:

        async def main():
            async with Fetcher(config(politeness={"per_host": 1})) as f:
                return await asyncio.gather(*(f.get(s.url(f"/{c}")) for c in "ab"))

        responses = run(main())
    assert [r.status for r in responses] == [200, 200]
    later = [h for h in s.hits if h is not first["hit"]]
    assert len(later) == 2
    assert all(h.wall >= first["until"] - TOL for h in later), [
        h.wall - first["until"] for h in later
    ]


def test_parse_retry_after():
    now = 1_700_000_000.0
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after(email.utils.formatdate(now + 30, usegmt=True), now) == 30
    assert parse_retry_after(email.utils.formatdate(now - 30, usegmt=True), now) == 0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


# ------------------------------------------------------------------ politeness


def test_per_host_in_flight_cap():
    with Server(lambda hit: ok(delay=0.15)) as s:

        async def main():
            async with Fetcher(config(politeness={"per_host": 2, "total": 8})) as f:
                return await asyncio.gather(*(f.get(s.url(f"/{i}")) for i in range(6)))

        responses = run(main())
    assert all(r.status == 200 for r in responses)
    assert s.gauge.max == 2  # at most the cap, and the cap is used


def test_global_in_flight_cap_across_hosts():
    gauge = Gauge()
    with (
        Server(lambda hit: ok(delay=0.15), gauge) as a,
        Server(lambda hit: ok(delay=0.15), gauge) as b,
    ):

        async def main():
            async with Fetcher(config(politeness={"per_host": 2, "total": 3})) as f:
                urls = [srv.url(f"/{i}") for i in range(4) for srv in (a, b)]
                return await asyncio.gather(*(f.get(u) for u in urls))

        responses = run(main())
    assert len(responses) == 8 and all(r.status == 200 for r in responses)
    assert gauge.max == 3
    assert max(a.gauge.max, b.gauge.max) == 3  # shared gauge: the total across both hosts


def test_minimum_delay_between_request_starts():
    with Server(lambda hit: ok()) as s:

        async def main():
            cfg = config(politeness={"delay": 0.25, "per_host": 2})
            async with Fetcher(cfg) as f:
                return await asyncio.gather(*(f.get(s.url(f"/{i}")) for i in range(4)))

        run(main())
    times = sorted(h.at for h in s.hits)
    assert len(times) == 4
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert all(g >= 0.25 - TOL for g in gaps), gaps


def test_delay_is_per_host():
    with Server(lambda hit: ok(delay=0.3)) as a, Server(lambda hit: ok()) as b:

        async def main():
            async with Fetcher(config(politeness={"delay": 5.0, "per_host": 1})) as f:
                return await asyncio.gather(f.get(a.url("/")), f.get(b.url("/")))

        responses = run(main())
    assert [r.status for r in responses] == [200, 200]
    # b did not wait for a's delay (nor for a's slow answer)
    assert b.hits[0].at < a.hits[0].done


# ----------------------------------------------------------------------- robots


def robots_app(robots: Reply):
    def app(hit):
        return robots if hit.path == "/robots.txt" else ok()

    return app


def test_robots_disallow_prefix_on_path_and_query():
    txt = b"User-agent: *\nDisallow: /?gd=99\nDisallow: /private\n"
    with Server(robots_app(Reply(200, txt, [("Content-Type", "text/plain")]))) as s:

        async def main():
            cfg = config(politeness={"obey_robots": True})
            async with Fetcher(cfg) as f:
                results = []
                for path in ("/?gd=99&cn=1", "/?gd=990", "/private/x", "/?gd=1&cn=99", "/"):
                    try:
                        results.append((await f.get(s.url(path))).status)
                    except RobotsDisallowed as exc:
                        results.append(exc)
                return results, f.stats

        results, stats = run(main())
    assert isinstance(results[0], RobotsDisallowed) and isinstance(results[1], RobotsDisallowed)
    assert isinstance(results[2], RobotsDisallowed)
    assert results[3:] == [200, 200]
    assert "robots.txt" in str(results[0])
    # robots.txt once, then only the allowed pages: nothing disallowed was requested
    assert s.paths() == ["/robots.txt", "/?gd=1&cn=99", "/"]
    assert stats.robots == 1 and stats.requests == 3


def test_robots_fetched_once_for_concurrent_first_requests():
    with Server(robots_app(Reply(200, b"User-agent: *\nAllow: /\n"))) as s:

        async def main():
            async with Fetcher(config(politeness={"obey_robots": True})) as f:
                return await asyncio.gather(*(f.get(s.url(f"/{i}")) for i in range(5)))

        run(main())
    assert s.paths().count("/robots.txt") == 1
    assert s.paths()[0] == "/robots.txt" and len(s.hits) == 6


def test_robots_group_for_our_token_wins():
    txt = b"User-agent: *\nDisallow: /\n\nUser-agent: Scraper\nDisallow: /?gd=99\n"
    with Server(robots_app(Reply(200, txt))) as s:

        async def main():
            async with Fetcher(config(politeness={"obey_robots": True})) as f:
                r = await f.get(s.url("/?gd=1&tc=3"))
                with pytest.raises(RobotsDisallowed):
                    await f.get(s.url("/?gd=99"))
                return r

        r = run(main())
    assert r.status == 200
    assert s.paths() == ["/robots.txt", "/?gd=1&tc=3"]


def test_robots_crawl_delay_honoured():
    txt = b"User-agent: *\nCrawl-delay: 0.25\nDisallow: /x\n"
    with Server(robots_app(Reply(200, txt))) as s:

        async def main():
            cfg = config(politeness={"obey_robots": True, "delay": 0.0})
            async with Fetcher(cfg) as f:
                await asyncio.gather(*(f.get(s.url(f"/{i}")) for i in range(3)))
                return f.robots_for(s.host)

        robots = run(main())
    assert robots is not None and robots.crawl_delay == 0.25
    times = [h.at for h in s.hits]  # robots.txt included: it is a request to the host too
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert len(gaps) == 3 and all(g >= 0.25 - TOL for g in gaps[1:]), gaps


def test_robots_404_allows_everything():
    with Server(robots_app(Reply(404, b"not here"))) as s:
        r = run(get(s.url("/?gd=99"), config(politeness={"obey_robots": True})))
    assert r.status == 200 and s.paths() == ["/robots.txt", "/?gd=99"]


def test_robots_5xx_disallows_whole_host():
    with Server(robots_app(Reply(500))) as s, pytest.raises(RobotsDisallowed) as info:
        run(get(s.url("/"), config(attempts=2, politeness={"obey_robots": True})))
    assert isinstance(info.value, HostUnreachable) and info.value.kind == "http"
    assert "could not be reached: HTTP 500" in str(info.value) and "RFC 9309" in str(info.value)
    assert s.paths() == ["/robots.txt", "/robots.txt"]  # retried, then no page request


def test_robots_unreachable_host_disallows():
    url = f"http://127.0.0.1:{free_port()}/"
    with pytest.raises(HostUnreachable) as info:
        run(get(url, config(attempts=1, politeness={"obey_robots": True})))
    assert info.value.kind == "refused"
    assert "could not be reached: connection refused" in info.value.error


def test_obey_robots_false_never_asks():
    with Server(robots_app(Reply(200, b"User-agent: *\nDisallow: /\n"))) as s:
        r = run(get(s.url("/"), config(politeness={"obey_robots": False})))
    assert r.status == 200 and s.paths() == ["/"]


# -------------------------------------------------------------------- redirects


def test_redirect_inside_scope_followed():
    b = Server(lambda hit: ok(body="<html>mới</html>"))
    a = Server(lambda hit: Reply(301, b"", [("Location", b.url("/new?tc=1"))]))
    with a, b:
        allowed = {a.host, b.host}

        async def main():
            async with Fetcher(config(), allowed_hosts=allowed.__contains__) as f:
                return await f.get(a.url("/old")), f.stats

        r, stats = run(main())
    assert r.url == a.url("/old") and r.final_url == b.url("/new?tc=1")
    assert r.status == 200 and r.text == "<html>mới</html>"
    assert stats.redirects == 1 and stats.requests == 2


def test_relative_redirect_same_host():
    def app(hit):
        if hit.path == "/a":
            return Reply(302, b"", [("Location", "./b?x=1")])
        return ok()

    with Server(app) as s:
        r = run(get(s.url("/a")))
    assert r.final_url == s.url("/b?x=1") and s.paths() == ["/a", "/b?x=1"]


def test_redirect_off_site_not_followed():
    b = Server(lambda hit: ok())
    a = Server(lambda hit: Reply(302, b"", [("Location", b.url("/elsewhere"))]))
    with a, b, pytest.raises(OffSite) as info:
        run(get(a.url("/old"), allowed_hosts=lambda host: host == a.host))
    assert info.value.url == a.url("/old") and info.value.status == 302
    assert b.url("/elsewhere") in str(info.value)
    assert b.hits == []  # the other host was never asked


def test_too_many_redirects():
    s = Server(lambda hit: Reply(302, b"", [("Location", f"/r{hit.n}")]))
    with s, pytest.raises(FetchFailed) as info:
        run(get(s.url("/r"), config(max_redirects=3)))
    assert "redirects" in info.value.error and len(s.hits) == 4


def test_post_303_becomes_get_307_keeps_post():
    def app(hit):
        if hit.path == "/form303":
            return Reply(303, b"", [("Location", "/result")])
        if hit.path == "/form307":
            return Reply(307, b"", [("Location", "/again")])
        return ok()

    with Server(app) as s:

        async def main():
            async with Fetcher(config()) as f:
                r1 = await f.post(s.url("/form303"), [("a", "1")])
                r2 = await f.post(s.url("/form307"), [("a", "2")])
                return r1, r2

        r1, r2 = run(main())
    by_path = {h.path: h for h in s.hits}
    assert r1.method == "GET" and by_path["/result"].method == "GET"
    assert by_path["/result"].body == b"" and "content-type" not in by_path["/result"].headers
    assert r2.method == "POST" and by_path["/again"].method == "POST"
    assert by_path["/again"].body == b"a=2"


# ------------------------------------------------------------------------- size


def test_content_length_over_cap_rejected_early():
    s = Server(lambda hit: Reply(200, b"x" * 5000, [("Content-Type", "text/plain")]))
    with s, pytest.raises(TooLarge) as info:
        run(get(s.url("/big"), config(max_bytes=1000)))
    assert "Content-Length 5000" in info.value.error and len(s.hits) == 1  # not retried


def test_streamed_body_over_cap():
    reply = Reply(200, b"x" * 50_000, [("Content-Type", "text/plain")], action="chunked")
    with Server(lambda hit: reply) as s, pytest.raises(TooLarge):
        run(get(s.url("/big"), config(max_bytes=10_000)))


def test_body_at_cap_is_fine():
    reply = Reply(200, b"x" * 10_000, [("Content-Type", "text/plain")], action="chunked")
    with Server(lambda hit: reply) as s:
        r = run(get(s.url("/big"), config(max_bytes=10_000)))
    assert len(r.content) == 10_000


@pytest.mark.parametrize("coding", ["gzip", "br"])
def test_compression_bomb_over_cap(coding):
    zeros = b"\0" * (20 * 1024 * 1024)
    body = gzip.compress(zeros) if coding == "gzip" else brotli.compress(zeros, quality=1)
    assert len(body) < 1024 * 1024  # small on the wire
    reply = Reply(200, body, [("Content-Type", HTML), ("Content-Encoding", coding)])
    with Server(lambda hit: reply) as s, pytest.raises(TooLarge) as info:
        run(get(s.url("/bomb"), config(max_bytes=1024 * 1024)))
    assert "exceeds" in info.value.error


# ---------------------------------------------------------------- content codings


@pytest.mark.parametrize("coding", ["gzip", "br", "deflate", "raw-deflate"])
def test_compressed_bodies_decoded(coding):
    raw = PAGE.encode("utf-8") * 50
    if coding == "gzip":
        body = gzip.compress(raw)
    elif coding == "br":
        body = brotli.compress(raw)
    elif coding == "deflate":
        body = zlib.compress(raw)
    else:  # some servers send raw deflate under the name "deflate"
        c = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        body = c.compress(raw) + c.flush()
    name = "deflate" if coding == "raw-deflate" else coding
    reply = Reply(200, body, [("Content-Type", HTML), ("Content-Encoding", name)], action="chunked")
    with Server(lambda hit: reply) as s:
        r = run(get(s.url("/z")))
    assert r.content == raw and r.text == raw.decode("utf-8")


def test_concatenated_gzip_members():
    body = gzip.compress(b"<html>Th") + gzip.compress("ừa Thiên</html>".encode())
    reply = Reply(200, body, [("Content-Type", HTML), ("Content-Encoding", "gzip")])
    with Server(lambda hit: reply) as s:
        r = run(get(s.url("/")))
    assert r.text == "<html>Thừa Thiên</html>"


def test_corrupt_gzip_fails_without_retry():
    reply = Reply(200, b"\x1f\x8b\x08\x00garbage-garbage", [("Content-Encoding", "gzip")])
    with Server(lambda hit: reply) as s, pytest.raises(FetchFailed) as info:
        run(get(s.url("/")))
    assert "decode" in info.value.error and len(s.hits) == 1


# ------------------------------------------------------------------------ charsets

VI = "Thừa Thiên Huế: lễ hội, người dân"


def test_bom_beats_header_and_meta():
    body = b"\xef\xbb\xbf<meta charset=windows-1252>" + VI.encode("utf-8")
    enc, text = decode_html(body, "text/html; charset=iso-8859-2")
    assert enc == "utf-8" and text == "<meta charset=windows-1252>" + VI


def test_utf16_bom():
    body = "\ufeff<p>".encode("utf-16-le") + VI.encode("utf-16-le")
    enc, text = decode_html(body, "text/html; charset=utf-8")
    assert enc == "utf-16le" and text == "<p>" + VI


def test_header_beats_meta():
    body = b'<meta charset="utf-8"><p>' + cp1258(VI)
    enc, text = decode_html(body, 'text/html; Charset="windows-1258"')
    assert enc == "windows-1258" and nfc(text) == '<meta charset="utf-8"><p>' + VI


def test_header_charset_alone():
    enc, text = decode_html(VI.encode("utf-8"), "text/html;charset=UTF-8")
    assert (enc, text) == ("utf-8", VI)


@pytest.mark.parametrize(
    "meta",
    [
        b'<meta charset="utf-8">',
        b"<META CHARSET=UTF-8/>",
        b'<meta http-equiv="Content-Type" content="text/html; charset=utf-8">',
        b"<meta content='text/html;charset=utf-8' http-equiv='content-type'>",
    ],
)
def test_meta_only(meta):
    body = b"<html><head><title>x</title>" + meta + b"</head>" + VI.encode("utf-8")
    enc, text = decode_html(body, "text/html")
    assert enc == "utf-8" and text.endswith(VI)


def test_meta_names_windows_1258():
    body = b'<meta charset="windows-1258">' + cp1258("Huế")
    enc, text = decode_html(body, None)
    assert enc == "windows-1258" and nfc(text) == '<meta charset="windows-1258">Huế'


def test_meta_in_comment_or_past_1024_bytes_ignored():
    commented = b"<!-- <meta charset=koi8-r> -->" + VI.encode("utf-8")
    assert choose_encoding(commented, "text/html") == ("utf-8", 0)
    late = b"<p>" + b" " * 1100 + b'<meta charset="koi8-r">' + VI.encode("utf-8")
    assert choose_encoding(late, "text/html") == ("utf-8", 0)


def test_meta_utf16_label_means_utf8():
    body = b'<meta charset="utf-16">' + VI.encode("utf-8")
    assert decode_html(body, None) == ("utf-8", '<meta charset="utf-16">' + VI)


def test_no_declaration_valid_utf8():
    assert decode_html(VI.encode("utf-8"), "text/html") == ("utf-8", VI)


def test_no_declaration_invalid_utf8_is_windows_1258():
    body = cp1258(VI)
    enc, text = decode_html(body, "text/html")
    assert enc == "windows-1258" and nfc(text) == VI


@pytest.mark.parametrize("label", ["iso-8859-1", "latin1", "ISO_8859-1", "us-ascii", "ascii"])
def test_latin1_and_ascii_labels_mean_cp1252(label):
    body = b"\x93tin\x94 \x80"  # curly quotes and the euro sign: C1 controls in Latin-1
    enc, text = decode_html(body, f"text/html; charset={label}")
    assert enc == "windows-1252" and text == "\u201ctin\u201d \u20ac"


def test_unknown_label_falls_through():
    assert encoding_for_label("no-such-charset") is None
    assert encoding_for_label("base64") is None  # a Python codec, but not a text encoding
    assert encoding_for_label("rot13") is None
    assert encoding_for_label("utf-16") == "utf-16le"  # WHATWG: the label means UTF-16LE
    enc, _ = decode_html(VI.encode("utf-8"), "text/html; charset=no-such-charset")
    assert enc == "utf-8"


def test_bad_bytes_replaced_after_choice():
    enc, text = decode_html(b"<p>ok \xff</p>", "text/html; charset=utf-8")
    assert enc == "utf-8" and text == "<p>ok \ufffd</p>"


def test_charset_through_the_server():
    body = b'<html><head><meta charset="windows-1258"></head><p>' + cp1258("Huế")
    with Server(lambda hit: Reply(200, body, [("Content-Type", "text/html")])) as s:
        r = run(get(s.url("/")))
    assert r.encoding == "windows-1258" and nfc(r.text).endswith("<p>Huế")
    assert r.content == body


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:99999/", "http://[::1/", "http://exa mple.vn:x/"]
)
def test_a_url_that_cannot_be_requested_is_a_fetch_error_not_a_value_error(url):
    from scraper.errors import FetchError

    async def go(method):
        async with Fetcher(config(politeness={"obey_robots": True})) as fetcher:
            if method == "get":
                await fetcher.get(url)
            else:
                await fetcher.post(url, [("a", "b")])

    for method in ("get", "post"):
        with pytest.raises(FetchError, match="invalid URL") as caught:
            asyncio.run(go(method))
        assert type(caught.value) is FetchError and caught.value.url == url
        assert isinstance(caught.value.__cause__, ValueError | httpx.InvalidURL)
