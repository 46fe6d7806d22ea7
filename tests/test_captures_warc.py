"""scraper.captures.warc: WARC written, checked by the real warcio CLI, read back; broken
files, ARC files and a WARC 1.0 written by a real wget."""

from __future__ import annotations

import gzip
import io
import json
import re
import shutil
import subprocess
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from warcio.warcwriter import WARCWriter

from scraper.captures import Capture, Skipped
from scraper.captures.warc import iter_warc, payload_digest, surt, write_warc

PAGE_A = "<html><body><p>Lễ hội đường phố ở Huế mở màn tối nay.</p></body></html>".encode()
PAGE_B = "<html><body><p>Sông Hương trong xanh sau mùa lũ.</p></body></html>".encode()
HTML = "text/html; charset=utf-8"


def cap(url: str, when: str, body: bytes, status: int = 200, ctype: str | None = HTML, **kw):
    headers = kw.pop("headers", (("Content-Type", ctype),) if ctype else ())
    return Capture(url, when, status, ctype, body, kw.pop("origin", "crawl"), headers)


CAPTURES = [
    cap("https://thuathienhue.test/tin-tuc/le-hoi?id=1&b=2", "2026-11-30T08:15:00Z", PAGE_A),
    cap("https://thuathienhue.test/tin-tuc/song", "2026-11-30T08:16:40Z", PAGE_B),
    # the same page a day later, unchanged: a revisit record
    cap("https://thuathienhue.test/tin-tuc/le-hoi?id=1&b=2", "2026-12-01T09:00:05Z", PAGE_A),
    cap("https://thuathienhue.test/khong-co", "2026-12-01T09:01:00Z", b"<html>404</html>", 404),
]


def written(tmp_path, captures=CAPTURES, name="out.warc.gz"):
    path = tmp_path / name
    cdx = io.StringIO()
    with open(path, "wb") as f:
        stats = write_warc(captures, f, cdx=cdx, software="scraper-test 0.1")
    return path, stats, cdx.getvalue()


def warcio_cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "warcio.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def read_all(path):
    reader = iter_warc(path)
    items = list(reader)
    return items, reader.stats


def gzip_members(data: bytes) -> list[int]:
    return [m.start() for m in re.finditer(b"\x1f\x8b\x08", data)]


# ------------------------------------------------------------------------------ writing


def test_written_warc_passes_warcio_check_and_index(tmp_path):
    path, stats, _ = written(tmp_path)
    assert stats.captures == 4 and stats.revisits == 1 and stats.records == 1 + 2 * 4
    assert stats.bytes == path.stat().st_size
    check = warcio_cli("check", "-v", path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("digest pass") == 8  # warcinfo, 4 requests, 3 responses
    index = warcio_cli("index", "-f", "warc-type,warc-target-uri,warc-date", path)
    assert index.returncode == 0, index.stderr
    rows = [json.loads(line) for line in index.stdout.splitlines()]
    assert [r["warc-type"] for r in rows] == ["warcinfo"] + ["request", "response"] * 2 + [
        "request",
        "revisit",
        "request",
        "response",
    ]
    assert rows[6]["warc-date"] == "2026-12-01T09:00:05Z"


def test_written_records_headers(tmp_path):
    path, _, _ = written(tmp_path)
    raw = gzip.decompress(path.read_bytes())  # concatenated members read as one stream
    text = raw.decode("utf-8")
    assert text.startswith("WARC/1.1\r\nWARC-Type: warcinfo\r\n")
    assert "software: scraper-test 0.1" in text
    assert text.count("WARC/1.1\r\n") == 9
    assert "WARC-Profile: http://netpreserve.org/warc/1.1/revisit/identical-payload-digest" in text
    assert "WARC-Refers-To-Target-URI: https://thuathienhue.test/tin-tuc/le-hoi?id=1&b=2" in text
    assert "WARC-Refers-To-Date: 2026-11-30T08:15:00Z" in text
    assert f"WARC-Payload-Digest: {payload_digest(PAGE_A)}" in text
    assert "WARC-Block-Digest: sha1:" in text
    assert "GET /tin-tuc/le-hoi?id=1&b=2 HTTP/1.1\r\nHost: thuathienhue.test" in text
    assert "HTTP/1.1 404 Not Found" in text
    # each record is its own gzip member
    assert len(gzip_members(path.read_bytes())) == 9


def test_cdxj_lines(tmp_path):
    path, _, cdx = written(tmp_path)
    lines = cdx.splitlines()
    assert lines == sorted(lines) and len(lines) == 4
    key, ts, blob = lines[0].split(" ", 2)
    entry = json.loads(blob)
    assert key == "test,thuathienhue)/khong-co" and ts == "20261201090100"
    assert entry["status"] == "404" and entry["filename"] == "out.warc.gz"
    by_ts = {line.split(" ")[1]: json.loads(line.split(" ", 2)[2]) for line in lines}
    first, revisit = by_ts["20261130081500"], by_ts["20261201090005"]
    assert first["mime"] == "text/html" and revisit["mime"] == "warc/revisit"
    assert first["digest"] == revisit["digest"] == payload_digest(PAGE_A).split(":")[1]
    # offset/length point at the response record: warcio extract reads it back there
    data = path.read_bytes()
    off, length = int(first["offset"]), int(first["length"])
    member = gzip.decompress(data[off : off + length])
    assert member.startswith(b"WARC/1.1\r\nWARC-Type: response\r\n") and member.endswith(
        PAGE_A + b"\r\n\r\n"
    )
    extracted = warcio_cli("extract", "--payload", path, off)
    assert extracted.returncode == 0 and extracted.stdout.encode() == PAGE_A


def test_surt():
    assert surt("https://WWW.Hue.gov.vn/Tin?b=2&a=1") == "vn,gov,hue)/tin?a=1&b=2"
    assert surt("http://127.0.0.1:8080/") == "1,0,0,127:8080)/"
    assert surt("http://hue.gov.vn:80") == "vn,gov,hue)/"


# ------------------------------------------------------------------------------ reading


def test_round_trip_resolves_revisits(tmp_path):
    path, _, _ = written(tmp_path)
    items, stats = read_all(path)
    assert all(isinstance(c, Capture) for c in items)
    assert [(c.url, c.fetched_at, c.status, c.body) for c in items] == [
        (c.url, c.fetched_at, c.status, c.body) for c in CAPTURES
    ]
    assert {c.origin for c in items} == {"warc"}
    assert items[2].content_type == HTML and ("Content-Type", HTML) in items[2].headers
    assert not any(k.lower() == "content-length" for k, _ in items[0].headers)
    assert stats.records == 9 and stats.captures == 4 and stats.revisits == 1
    assert stats.skipped == {"warcinfo": 1, "request": 4}


def test_decoded_payload_on_write_even_if_headers_said_gzip(tmp_path):
    c = cap(
        "http://a.test/",
        "2026-12-01T00:00:00Z",
        PAGE_B,
        headers=(("Content-Type", HTML), ("Content-Encoding", "gzip"), ("Content-Length", "3")),
    )
    path, _, _ = written(tmp_path, [c])
    assert warcio_cli("check", path).returncode == 0
    (back,), _ = read_all(path)
    assert back.body == PAGE_B
    assert [k for k, _ in back.headers] == ["Content-Type"]


def test_non_html_responses_are_counted_and_skipped(tmp_path):
    caps = [
        cap("http://a.test/anh.jpg", "2026-12-01T00:00:00Z", b"\xff\xd8\xff", ctype="image/jpeg"),
        cap("http://a.test/", "2026-12-01T00:00:01Z", PAGE_A, ctype=None),  # sniffed as HTML
    ]
    path, _, _ = written(tmp_path, caps)
    items, stats = read_all(path)
    assert [c.url for c in items] == ["http://a.test/"]
    assert stats.skipped["response:not-html"] == 1


def many(n: int = 5) -> list[Capture]:
    return [
        cap(
            f"http://a.test/bai-{i}",
            f"2026-12-01T10:00:0{i}Z",
            PAGE_A.replace(b"nay", f"{i}".encode()) * 20,
        )
        for i in range(n)
    ]


def test_truncated_gzip_file(tmp_path):
    path, _, _ = written(tmp_path, many())
    data = path.read_bytes()
    path.write_bytes(data[:-150])
    items, stats = read_all(path)
    caps = [i for i in items if isinstance(i, Capture)]
    skipped = [i for i in items if isinstance(i, Skipped)]
    assert [c.url for c in caps] == [f"http://a.test/bai-{i}" for i in range(4)]
    assert len(skipped) == 1 and skipped[0].offset == gzip_members(data)[-1]
    assert "truncated" in skipped[0].reason
    assert stats.skipped["unreadable"] == 1 and stats.captures == 4


def test_corrupt_gzip_member_in_the_middle(tmp_path):
    path, _, _ = written(tmp_path, many())
    data = bytearray(path.read_bytes())
    members = gzip_members(bytes(data))
    bad = members[4]  # warcinfo, req 0, resp 0, req 1, resp 1 <- this one
    for k in range(bad + 30, bad + 60):
        data[k] ^= 0x5A
    path.write_bytes(bytes(data))
    items, stats = read_all(path)
    assert [c.url for c in items if isinstance(c, Capture)] == [
        f"http://a.test/bai-{i}" for i in (0, 2, 3, 4)
    ]
    (skipped,) = [i for i in items if isinstance(i, Skipped)]
    assert skipped.offset == bad and skipped.reason
    assert "\n" not in skipped.reason and skipped.reason.isprintable()
    assert stats.skipped["unreadable"] == 1


def plain(data: bytes) -> bytes:
    members = gzip_members(data)
    return b"".join(
        gzip.decompress(data[a:b]) for a, b in zip(members, members[1:] + [len(data)], strict=True)
    )


def test_uncompressed_file_with_a_corrupt_header_and_a_corrupt_payload(tmp_path):
    path, _, _ = written(tmp_path, many())
    data = bytearray(plain(path.read_bytes()))
    # the WARC header line of the response of capture 1 is garbled
    resp1 = [m.start() for m in re.finditer(rb"WARC/1\.1\r\nWARC-Type: response", data)][1]
    data[resp1 : resp1 + 4] = b"XARC"
    # one byte of capture 3's payload changes: its payload digest no longer matches
    body3 = bytes(data).find("Huế mở màn tối 3".encode())
    data[body3] = ord("h")
    resp3 = bytes(data).rfind(b"WARC/1.1\r\nWARC-Type: response", 0, body3)
    path = tmp_path / "plain.warc"
    path.write_bytes(bytes(data))
    items, stats = read_all(path)
    assert [c.url for c in items if isinstance(c, Capture)] == [
        f"http://a.test/bai-{i}" for i in (0, 2, 4)
    ]
    skipped = [i for i in items if isinstance(i, Skipped)]
    assert [s.offset for s in skipped] == [resp1, resp3]
    assert "digest mismatch" in skipped[1].reason
    assert stats.skipped["unreadable"] == 2


def test_truncated_uncompressed_file(tmp_path):
    path, _, _ = written(tmp_path, many(3))
    data = plain(path.read_bytes())
    last = data.rfind(b"WARC/1.1\r\n")
    path = tmp_path / "cut.warc"
    path.write_bytes(data[:-200])
    items, _ = read_all(path)
    assert [c.url for c in items if isinstance(c, Capture)] == [
        "http://a.test/bai-0",
        "http://a.test/bai-1",
    ]
    (skipped,) = [i for i in items if isinstance(i, Skipped)]
    assert skipped.offset == last and "cut short" in skipped.reason


def test_revisit_without_its_original_is_skipped(tmp_path):
    path, _, _ = written(tmp_path)
    data = path.read_bytes()
    members = gzip_members(data)
    # drop the first response (members[2]): the revisit that points at it cannot be resolved
    path.write_bytes(data[: members[2]] + data[members[3] :])
    items, stats = read_all(path)
    assert [c.url for c in items] == [CAPTURES[1].url, CAPTURES[3].url]
    assert stats.skipped["revisit:unresolved"] == 1


# ------------------------------------------------------------------------------ ARC


def arc_file(records: list[tuple[str, str, bytes]]) -> bytes:
    """An ARC v1 file: a filedesc block, then one block per (url, 14-digit date, http bytes)."""
    desc = b"1 0 Scraper test\nURL IP-address Archive-date Content-type Archive-length\n"
    out = b"filedesc://test.arc 0.0.0.0 20261201000000 text/plain %d\n" % len(desc) + desc + b"\n"
    for url, date, resp in records:
        out += f"{url} 127.0.0.1 {date} text/html {len(resp)}\n".encode() + resp + b"\n"
    return out


def http_bytes(body: bytes, ctype: str = HTML, status: str = "200 OK") -> bytes:
    head = f"HTTP/1.0 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


@pytest.mark.parametrize("compressed", [False, True])
def test_arc_file(tmp_path, compressed):
    records = [
        ("http://hue.test/", "20261201101112", http_bytes(PAGE_A)),
        ("http://hue.test/song", "20261201101113", http_bytes(PAGE_B)),
        ("http://hue.test/logo.png", "20261201101114", http_bytes(b"\x89PNG", "image/png")),
    ]
    data = arc_file(records)
    if compressed:  # one gzip member per record, as Heritrix writes .arc.gz
        parts = data.split(b"\nhttp://")
        data = gzip.compress(parts[0] + b"\n") + b"".join(
            gzip.compress(b"http://" + p + (b"" if i == len(parts) - 2 else b"\n"))
            for i, p in enumerate(parts[1:])
        )
    path = tmp_path / ("t.arc.gz" if compressed else "t.arc")
    path.write_bytes(data)
    items, stats = read_all(path)
    assert [(c.url, c.fetched_at, c.body) for c in items] == [
        ("http://hue.test/", "2026-12-01T10:11:12Z", PAGE_A),
        ("http://hue.test/song", "2026-12-01T10:11:13Z", PAGE_B),
    ]
    assert stats.skipped["response:not-html"] == 1


# ------------------------------------------------------------------------------ wget


@pytest.mark.skipif(
    shutil.which("wget") is None, reason="wget is not installed (apt-get install wget)"
)
def test_warc_written_by_wget(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_bytes(
        '<html><body><a href="hai.html">Bài thứ hai</a>'
        "<p>Trang đầu về Huế.</p></body></html>".encode()
    )
    (site / "hai.html").write_bytes(PAGE_B)
    handler = partial(_QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        run = subprocess.run(
            [
                "wget",
                "-q",
                "-e",
                "robots=off",
                "-r",
                "-l1",
                "-P",
                str(tmp_path / "dl"),
                f"--warc-file={tmp_path / 'wget'}",
                base,
            ],
            capture_output=True,
            timeout=60,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert run.returncode == 0, run.stderr
    path = tmp_path / "wget.warc.gz"
    assert gzip.decompress(path.read_bytes()).startswith(b"WARC/1.0\r\n")
    items, stats = read_all(path)
    assert [(c.url, c.status) for c in items] == [(base, 200), (base + "hai.html", 200)]
    assert "Trang đầu về Huế" in items[0].body.decode() and items[1].body == PAGE_B
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", items[0].fetched_at)
    assert stats.skipped["request"] == 2 and stats.skipped["warcinfo"] == 1
    assert not stats.skipped["unreadable"]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


# ------------------------------------------------------------------------------ other writers


def foreign_warc(path, records) -> None:
    """A WARC written with warcio directly (not write_warc), version 1.0, one record per
    (type, url, date, HTTP bytes, extra WARC headers)."""
    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=True, warc_version="1.0")
        for rtype, url, when, http_bytes_, extra in records:
            headers = {"WARC-Date": when, **extra}
            rec = writer.create_warc_record(
                url,
                rtype,
                payload=io.BytesIO(http_bytes_),
                length=len(http_bytes_),
                warc_headers_dict=headers,
            )
            writer.write_record(rec)


def test_revisits_resolved_by_target_and_date_or_by_digest(tmp_path):
    digest = payload_digest(PAGE_A)
    head_only = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
    path = tmp_path / "foreign.warc.gz"
    foreign_warc(
        path,
        [
            ("response", "http://a.test/", "2026-11-01T01:02:03Z", http_bytes(PAGE_A), {}),
            # WARC 1.1 style pointer: target URI and date, no record id
            ("revisit", "http://a.test/", "2026-11-02T00:00:00Z", head_only, {
                "WARC-Refers-To-Target-URI": "http://a.test/",
                "WARC-Refers-To-Date": "2026-11-01T01:02:03.000000Z",
                "WARC-Payload-Digest": "sha1:" + "A" * 32,  # wrong on purpose: not used
            }),
            # WARC 1.0 style: only the payload digest, on another URL
            ("revisit", "http://a.test/ban-sao", "2026-11-03T00:00:00Z", head_only, {
                "WARC-Payload-Digest": digest,
            }),
            # digest of nothing in this file
            ("revisit", "http://a.test/khac", "2026-11-04T00:00:00Z", head_only, {
                "WARC-Payload-Digest": payload_digest(b"x"),
            }),
        ],
    )  # fmt: skip
    items, stats = read_all(path)
    assert [(c.url, c.fetched_at, c.body, c.content_type) for c in items] == [
        ("http://a.test/", "2026-11-01T01:02:03Z", PAGE_A, HTML),
        ("http://a.test/", "2026-11-02T00:00:00Z", PAGE_A, "text/html"),
        ("http://a.test/ban-sao", "2026-11-03T00:00:00Z", PAGE_A, "text/html"),
    ]
    assert stats.revisits == 2 and stats.skipped["revisit:unresolved"] == 1


def test_chunked_gzipped_payload_is_decoded_and_truncated_payload_skipped(tmp_path):
    packed = gzip.compress(PAGE_B)
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(packed), packed)
    wire = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
        b"Transfer-Encoding: chunked\r\nServer: thu\r\n\r\n" + chunked
    )
    path = tmp_path / "wire.warc.gz"
    foreign_warc(
        path,
        [
            ("response", "http://a.test/nen", "2026-11-01T00:00:00Z", wire, {}),
            ("response", "http://a.test/cat", "2026-11-01T00:00:01Z", http_bytes(PAGE_A),
             {"WARC-Truncated": "length"}),
        ],
    )  # fmt: skip
    items, stats = read_all(path)
    (c,) = items
    assert c.body == PAGE_B
    assert c.headers == (("Content-Type", "text/html"), ("Server", "thu"))
    assert stats.skipped["response:truncated"] == 1
