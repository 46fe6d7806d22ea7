"""scraper.captures.wayback against a local Wayback replica (tests/wayback_replica.py)."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from scraper.captures import Capture
from scraper.captures.wayback import CdxRow, fetch_capture, list_captures, replay_url
from scraper.errors import CaptureSourceError, ScraperError
from scraper.fetch import FetchConfig, Fetcher, Politeness
from tests.wayback_replica import Snapshot, WaybackReplica

SITE = "http://thuathienhue.test"
BODY_1 = "<html><body><p>Hội nghị bàn về quy hoạch đô thị Huế.</p></body></html>".encode()
BODY_2 = "<html><body><p>Hội nghị bàn về quy hoạch đô thị Huế, bản sửa.</p></body></html>".encode()
OTHER = "<html><body><p>Cầu Trường Tiền sáng đèn.</p></body></html>".encode()


def config(**kw) -> FetchConfig:
    pol = {"delay": 0.0, "per_host": 2, "total": 4, "obey_robots": False, "jitter": 0.0}
    pol.update(kw.pop("politeness", {}))
    base = {
        "attempts": 3,
        "backoff_base": 0.01,
        "backoff_cap": 0.05,
        "politeness": Politeness(**pol),
    }
    base.update(kw)
    return FetchConfig(**base)


def listing(replica: WaybackReplica, prefix: str, since=None, until=None, cfg=None, **kw):
    async def main():
        async with Fetcher(cfg or config()) as f:
            return [r async for r in list_captures(f, replica.endpoint, prefix, since, until, **kw)]

    return asyncio.run(main())


def fetched(replica: WaybackReplica, row: CdxRow, cfg=None) -> Capture:
    async def main():
        async with Fetcher(cfg or config()) as f:
            return await fetch_capture(f, replica.endpoint, row)

    return asyncio.run(main())


def article(n: int, ts: str, body: bytes = BODY_1, status: int = 200) -> Snapshot:
    return Snapshot(f"{SITE}/tin-tuc/bai-{n}.html", ts, status, body)


# ------------------------------------------------------------------------------ listing


def test_paging_with_resume_keys():
    snaps = [article(n, f"2026110{n}120000", OTHER + bytes([n])) for n in range(1, 8)]
    with WaybackReplica(snaps, page_size=3) as wb:
        rows = listing(wb, "thuathienhue.test/tin-tuc/")
        hits = wb.cdx_hits()
    assert [r.original for r in rows] == [s.original for s in snaps]
    assert [r.timestamp for r in rows] == [s.timestamp for s in snaps]
    assert {r.statuscode for r in rows} == {"200"} and {r.mimetype for r in rows} == {"text/html"}
    assert rows[0].digest == snaps[0].digest
    assert len(hits) == 3  # 3 + 3 + 1
    first = hits[0][1]
    assert first["output"] == ["json"] and first["showResumeKey"] == ["true"]
    assert first["matchType"] == ["prefix"] and first["collapse"] == ["digest"]
    assert first["filter"] == ["statuscode:200"]
    assert first["fl"] == ["timestamp,original,statuscode,digest,mimetype"]
    assert "resumeKey" not in first and all("resumeKey" in q for _, q in hits[1:])


def test_from_and_to_are_inclusive_utc_days():
    stamps = ["20261130235959", "20261201000000", "20261202120000", "20261203235959",
              "20261204000000"]  # fmt: skip
    snaps = [article(1, ts, BODY_1 + ts.encode()) for ts in stamps]
    with WaybackReplica(snaps, page_size=10) as wb:
        rows = listing(wb, f"{SITE}/tin-tuc/", date(2026, 12, 1), date(2026, 12, 3))
        ((_, query),) = wb.cdx_hits()
    assert [r.timestamp for r in rows] == stamps[1:4]
    assert query["from"] == ["20261201000000"] and query["to"] == ["20261203235959"]


def test_open_ended_range_sends_no_bound():
    with WaybackReplica([article(1, "20200101000000")]) as wb:
        rows = listing(wb, SITE)
        ((_, query),) = wb.cdx_hits()
    assert len(rows) == 1 and "from" not in query and "to" not in query


def test_collapse_digest_and_a_separate_listing_of_gone_pages():
    snaps = [
        article(1, "20261101000000", BODY_1),
        article(1, "20261102000000", BODY_1),  # unchanged: collapsed
        article(1, "20261103000000", BODY_2),
        article(1, "20261104000000", BODY_1),  # changed back: kept (only adjacent collapse)
        article(2, "20261105000000", b"<html>gone</html>", 404),
        article(2, "20261106000000", b"<html>gone</html>", 404),
    ]
    with WaybackReplica(snaps, page_size=2) as wb:
        ok = listing(wb, f"{SITE}/tin-tuc/")
        gone = listing(wb, f"{SITE}/tin-tuc/", statuses=("404",))
        everything = listing(wb, f"{SITE}/tin-tuc/", statuses=None, collapse_digest=False)
    assert [r.timestamp for r in ok] == ["20261101000000", "20261103000000", "20261104000000"]
    assert [(r.original, r.timestamp, r.statuscode) for r in gone] == [
        (f"{SITE}/tin-tuc/bai-2.html", "20261105000000", "404")
    ]
    assert len(everything) == 6


def test_two_statuses_in_one_listing():
    snaps = [article(1, "20261101000000"), article(2, "20261102000000", OTHER, 404)]
    with WaybackReplica(snaps) as wb:
        rows = listing(wb, SITE, statuses=("200", "404"))
    assert [r.statuscode for r in rows] == ["200", "404"]


def test_match_type_host_and_prefix():
    snaps = [
        article(1, "20261101000000"),
        Snapshot(f"{SITE}/gioi-thieu.html", "20261101000000", 200, OTHER),
        Snapshot("http://hue.test/tin-tuc/bai-9.html", "20261101000000", 200, OTHER),
    ]
    with WaybackReplica(snaps) as wb:
        host = listing(wb, "thuathienhue.test", match_type="host")
        prefix = listing(wb, "thuathienhue.test/tin-tuc/")
    assert sorted(r.original for r in host) == sorted(s.original for s in snaps[:2])
    assert [r.original for r in prefix] == [snaps[0].original]
    with pytest.raises(ValueError):
        listing(wb, SITE, match_type="everything")


def test_no_captures_is_an_empty_listing():
    with WaybackReplica([article(1, "20261101000000")]) as wb:
        assert listing(wb, "nowhere.test/") == []


# ------------------------------------------------------------------------------ bad endpoints


def test_server_errors_are_retried_by_the_fetcher_then_raise():
    with WaybackReplica([article(1, "20261101000000")]) as wb:
        wb.fault, wb.fault_count = "500", -1
        with pytest.raises(CaptureSourceError) as info:
            listing(wb, SITE)
        assert len(wb.cdx_hits()) == 3  # config(attempts=3)
    message = str(info.value)
    assert "\n" not in message and "HTTP 500" in message
    assert isinstance(info.value, ScraperError)


@pytest.mark.parametrize("fault,why", [("html", "HTML"), ("badjson", "malformed JSON")])
def test_bad_bodies_are_asked_again_then_raise(fault, why):
    with WaybackReplica([article(1, "20261101000000")]) as wb:
        wb.fault, wb.fault_count = fault, -1
        with pytest.raises(CaptureSourceError) as info:
            listing(wb, SITE, bad_body_retries=2)
        assert len(wb.cdx_hits()) == 3
    assert why in str(info.value) and "\n" not in str(info.value)


def test_a_passing_bad_body_is_retried_away():
    with WaybackReplica([article(1, "20261101000000")]) as wb:
        wb.fault, wb.fault_count = "html", 1
        rows = listing(wb, SITE)
        assert len(wb.cdx_hits()) == 2
    assert [r.timestamp for r in rows] == ["20261101000000"]


def test_unreachable_endpoint_raises_capture_source_error():
    from tests._http import free_port

    async def main():
        async with Fetcher(config(attempts=2)) as f:
            return [r async for r in list_captures(f, f"http://127.0.0.1:{free_port()}", SITE)]

    with pytest.raises(CaptureSourceError, match="CDX server failed"):
        asyncio.run(main())


def test_429_retry_after_is_honoured():
    with WaybackReplica([article(1, "20261101000000")]) as wb:
        wb.fault, wb.fault_count, wb.retry_after = "429", 1, 1
        rows = listing(wb, SITE)
        (t1, _), (t2, _) = wb.cdx_hits()
    assert len(rows) == 1
    assert t2 - t1 >= 1.0 - 0.02


# ------------------------------------------------------------------------------ replay


def test_fetch_capture_gets_raw_bytes_decoded():
    snap = article(1, "20261102030405", BODY_1)
    with WaybackReplica([snap], gzip=True) as wb:
        (row,) = listing(wb, SITE)
        cap = fetched(wb, row)
        replay_path = wb.hits[-1][1]
    assert replay_path == f"/web/20261102030405id_/{snap.original}"
    assert replay_url(wb.endpoint, row) == wb.endpoint + replay_path
    assert cap == Capture(
        url=snap.original,
        fetched_at="2026-11-02T03:04:05Z",
        status=200,
        content_type="text/html; charset=utf-8",
        body=BODY_1,
        origin="wayback",
        headers=cap.headers,
    )
    names = {k.lower() for k, _ in cap.headers}
    assert "content-type" in names and not names & {"content-encoding", "content-length"}


def test_fetch_capture_of_a_404_row():
    snap = article(2, "20261105000000", b"<html>Kh\xc3\xb4ng c\xc3\xb3</html>", 404)
    with WaybackReplica([snap]) as wb:
        (row,) = listing(wb, SITE, statuses=("404",))
        cap = fetched(wb, row)
    assert cap.status == 404 and cap.body == snap.body


def test_fetch_capture_follows_redirect_to_nearest_timestamp():
    snap = article(1, "20261102030405")
    row = CdxRow("20261102030000", snap.original, "200", snap.digest, "text/html")
    with WaybackReplica([snap]) as wb:
        cap = fetched(wb, row, config(politeness={"obey_robots": True}))
    assert cap.fetched_at == "2026-11-02T03:04:05Z" and cap.body == snap.body


def test_fetch_capture_errors_never_become_captures():
    snap = article(1, "20261102030405")
    missing = CdxRow("20261102030405", f"{SITE}/khong-co.html", "200", "X", "text/html")
    with WaybackReplica([snap]) as wb:
        with pytest.raises(CaptureSourceError, match="HTTP 404"):
            fetched(wb, missing)  # the archive's own 404 page is not the capture
        wb.fault, wb.fault_count, wb.fault_path = "500", -1, "/web/"
        row = CdxRow(snap.timestamp, snap.original, "200", snap.digest, "text/html")
        with pytest.raises(CaptureSourceError, match="replay failed") as info:
            fetched(wb, row)
    assert "\n" not in str(info.value)


def test_capture_record_checks_its_time_and_origin():
    from scraper.captures import iso_from_timestamp14

    assert iso_from_timestamp14("20261102030405") == "2026-11-02T03:04:05Z"
    assert iso_from_timestamp14("202611") == "2026-11-01T00:00:00Z"
    with pytest.raises(ValueError):
        iso_from_timestamp14("2026-11-02")
    with pytest.raises(ValueError, match="fetched_at"):
        Capture("http://a.test/", "2026-11-02 03:04:05", 200, None, b"", "wayback")
    with pytest.raises(ValueError, match="origin"):
        Capture("http://a.test/", "2026-11-02T03:04:05Z", 200, None, b"", "ftp")
    assert Capture(
        "http://a.test/", "2026-11-02T03:04:05Z", 200, None, b"", "crawl"
    ).timestamp14 == ("20261102030405")
