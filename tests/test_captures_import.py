"""Captures in and out, end to end: `scrape wayback` against a local Wayback replica serving
a TT replica site captured at two epochs, `scrape import` of WARC files (ours and wget's),
`scrape export --format warc` round trips, `scrape reextract`, `scrape export --as-of`."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys

import pytest
from click.testing import CliRunner

from scraper import cli
from scraper.store import Archive
from tests.replica_epochs import EPOCH_TIMES, capture_epochs
from tests.wayback_replica import Snapshot, WaybackReplica

T0, T1 = "2026-11-01T08:30:00Z", "2026-12-01T08:30:00Z"


def run(*args):
    return CliRunner().invoke(cli.main, [str(a) for a in args])


@pytest.fixture(scope="module")
def epochs():
    return capture_epochs()


def snapshots(epochs) -> list[Snapshot]:
    snaps = []
    for ts, pages in zip(EPOCH_TIMES, epochs.pages, strict=True):
        for url, (status, ctype, body) in pages.items():
            snaps.append(Snapshot(url, ts, status, body, ctype))
    return snaps


def wayback(replica, epochs, db, *extra):
    return run(
        "wayback", "--site", epochs.base_url, "--db", db, "--endpoint", replica.endpoint,
        "--delay", 0, *extra,
    )  # fmt: skip


def rows(db, sql, params=()):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def revision_counts(db, epochs) -> dict[str, int]:
    found = dict(rows(db, "SELECT article_id, COUNT(*) FROM revisions GROUP BY article_id"))
    return {role: found.get(aid, 0) for role, aid in epochs.ids.items()}


def content(db) -> list[tuple]:
    return rows(
        db,
        "SELECT article_id, revision, fetched_at, content_hash, title, body, changed_fields "
        "FROM revisions ORDER BY article_id, revision",
    )


EXPECTED = {"title": 2, "body": 2, "reencoded": 1, "deleted": 1, "chrome": 1, "chrome2": 1}


@pytest.fixture(scope="module")
def imported(epochs, tmp_path_factory):
    """An archive rebuilt by `scrape wayback`, and the replica's hits of that run."""
    db = tmp_path_factory.mktemp("wb") / "wb.db"
    with WaybackReplica(snapshots(epochs), page_size=4) as replica:
        result = wayback(replica, epochs, db)
        hits = list(replica.hits)
    assert result.exit_code == 0, result.output
    return db, hits, result.output


# ------------------------------------------------------------------------------ wayback


def test_wayback_rebuilds_the_history_from_captures(imported, epochs):
    db, hits, output = imported
    assert revision_counts(db, epochs) == EXPECTED  # chrome and re-encoding: no revision
    assert "wayback: 14 captures listed, 11 fetched: 6 new, 2 changed, 3 unchanged" in output
    ids = epochs.ids
    revs = {
        (aid, n): (at, origin)
        for aid, n, at, origin in rows(
            db, "SELECT article_id, revision, fetched_at, origin FROM revisions"
        )
    }
    assert revs[(ids["title"], 1)] == (T0, "wayback")
    assert revs[(ids["title"], 2)] == (T1, "wayback")  # dated by the capture time
    arts = {r[0]: r[1:] for r in rows(db, "SELECT id, url, status, last_seen FROM articles")}
    assert set(arts) == set(ids.values())  # the home page is no article
    assert arts[ids["chrome"]] == (epochs.urls["chrome"], "live", T1)  # url: the original
    assert arts[ids["deleted"]][1] == "gone"  # the 404 at epoch 1, later than its 200
    title = rows(db, "SELECT title FROM articles WHERE id = ?", [ids["title"]])[0][0]
    assert title == "Tiêu đề đã được sửa lại sau buổi họp báo chiều"
    outcomes = dict(rows(db, "SELECT outcome, COUNT(*) FROM captures GROUP BY outcome"))
    assert outcomes == {"new": 6, "changed": 2, "unchanged": 3, "gone": 1}
    replays = [p for _, p in hits if p.startswith("/web/")]
    assert len(replays) == 11 and not any(epochs.home + " " in p for p in replays)


def test_second_run_costs_cdx_queries_only(imported, epochs, tmp_path):
    db = tmp_path / "again.db"
    shutil.copy(imported[0], db)
    before = content(db)
    with WaybackReplica(snapshots(epochs), page_size=4) as replica:
        result = wayback(replica, epochs, db)
        paths = [p for _, p in replica.hits]
    assert result.exit_code == 0, result.output
    assert paths and all(p.startswith(("/cdx/", "/robots.txt")) for p in paths)
    assert "0 new, 0 changed, 0 unchanged" in result.output
    assert "12 already imported" in result.output
    assert content(db) == before
    assert rows(db, "SELECT COUNT(*) FROM captures")[0][0] == 12


def test_interrupted_import_resumes_where_it_stopped(imported, epochs, tmp_path, monkeypatch):
    from scraper.captures import wayback as wb

    real = wb.fetch_capture
    calls = {"n": 0}

    async def flaky(fetcher, endpoint, row):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return await real(fetcher, endpoint, row)

    db = tmp_path / "resumed.db"
    with WaybackReplica(snapshots(epochs), page_size=4) as replica:
        monkeypatch.setattr(wb, "fetch_capture", flaky)
        first = wayback(replica, epochs, db)
        monkeypatch.setattr(wb, "fetch_capture", real)
        assert first.exit_code == 130, first.output
        assert rows(db, "SELECT COUNT(*) FROM captures")[0][0] == 3
        replica.hits.clear()
        second = wayback(replica, epochs, db)
        replays = [p for _, p in replica.hits if p.startswith("/web/")]
    assert second.exit_code == 0, second.output
    assert len(replays) == 11 - 3  # the three done before the interruption are not fetched
    statuses = [r[0] for r in rows(db, "SELECT status FROM runs ORDER BY id")]
    assert statuses == ["interrupted", "ok"]
    assert content(db) == content(imported[0])  # the same history as an uninterrupted import


def test_older_captures_never_become_the_latest(epochs, tmp_path):
    db = tmp_path / "order.db"
    with WaybackReplica(snapshots(epochs), page_size=4) as replica:
        assert wayback(replica, epochs, db, "--since", "2026-11-15").exit_code == 0
        result = wayback(replica, epochs, db)
    assert result.exit_code == 0, result.output
    counts = revision_counts(db, epochs)
    assert counts == dict.fromkeys(EXPECTED, 1)  # epoch 1 only: the older ones not applied
    status = dict(rows(db, "SELECT id, status FROM articles"))
    assert status[epochs.ids["deleted"]] == "gone"  # its 404, imported first, still applies
    assert status[epochs.ids["chrome"]] == "live"
    latest = dict(rows(db, "SELECT id, last_seen FROM articles"))
    assert latest[epochs.ids["title"]] == T1
    assert rows(
        db, "SELECT fetched_at FROM revisions WHERE article_id = ?", [epochs.ids["title"]]
    ) == [(T1,)]
    older = rows(db, "SELECT COUNT(*) FROM captures WHERE outcome = 'older'")[0][0]
    assert older == 5  # epoch 0 of the five articles live at epoch 1: kept, not applied


# ------------------------------------------------------------------------------ export


def warcio(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "warcio.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_export_warc_passes_warcio_and_imports_back_to_the_same_history(imported, tmp_path):
    db = imported[0]
    out, cdx = tmp_path / "out.warc.gz", tmp_path / "out.cdxj"
    result = run("export", "--db", db, "--format", "warc", "--cdx", cdx, "--output", out)
    assert result.exit_code == 0, result.output
    check = warcio("check", "-v", out)
    assert check.returncode == 0, check.stdout + check.stderr
    index = warcio("index", "-f", "warc-type,warc-target-uri,warc-date", out)
    assert index.returncode == 0, index.stderr
    types = [json.loads(line)["warc-type"] for line in index.stdout.splitlines()]
    assert types.count("request") == 12 and types.count("response") == 12
    lines = cdx.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 12 and lines == sorted(lines)

    fresh = tmp_path / "fresh.db"
    result = run("import", out, "--db", fresh)
    assert result.exit_code == 0, result.output
    assert content(fresh) == content(db)
    arts = "SELECT id, url, status, revision, content_hash FROM articles ORDER BY id"
    assert rows(fresh, arts) == rows(db, arts)
    origins = rows(fresh, "SELECT DISTINCT origin FROM revisions")
    assert origins == [("warc",)]

    again = run("import", out, "--db", fresh)
    assert again.exit_code == 0, again.output
    assert "0 new, 0 changed, 0 unchanged" in again.output
    assert "12 already imported" in again.output
    assert rows(fresh, "SELECT COUNT(*) FROM captures")[0][0] == 12


def test_export_warc_to_stdout(imported):
    result = CliRunner().invoke(cli.main, ["export", "--db", str(imported[0]), "--format", "warc"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes[:3] == b"\x1f\x8b\x08"


def test_export_as_of_gives_each_articles_latest_revision_then(imported, epochs, tmp_path):
    db = imported[0]
    for day, title_rev in (("2026-11-15", 1), ("2026-12-01", 2)):
        out = tmp_path / f"{day}.jsonl"
        result = run("export", "--db", db, "--as-of", day, "--output", out)
        assert result.exit_code == 0, result.output
        got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert len(got) == 6
        by_id = {row["article_id"]: row for row in got}
        assert by_id[epochs.ids["title"]]["revision"] == title_rev
    early = run("export", "--db", db, "--as-of", "2026-10-31", "--output", tmp_path / "x.jsonl")
    assert early.exit_code == 0
    assert (tmp_path / "x.jsonl").read_text(encoding="utf-8") == ""


# ------------------------------------------------------------------------------ import


def test_import_of_a_damaged_warc_keeps_every_readable_record(imported, tmp_path):
    out = tmp_path / "all.warc"
    assert run("export", "--db", imported[0], "--format", "warc", "--output", out).exit_code == 0
    data = bytearray(out.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 200] = b"\x00" * 200  # one gzip member broken
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(bytes(data))
    fresh = tmp_path / "fresh.db"
    result = CliRunner().invoke(cli.main, ["import", str(broken), "--db", str(fresh)])
    assert result.exit_code == 0, result.output
    assert "offset " in result.stderr and "broken.warc.gz" in result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    assert "unreadable" in summary and not summary.endswith(" 0 unreadable")
    assert 0 < rows(fresh, "SELECT COUNT(*) FROM captures")[0][0] < 12

    junk = tmp_path / "junk.warc"
    junk.write_bytes(b"this is not a web archive at all\n" * 20)
    nothing = CliRunner().invoke(cli.main, ["import", str(junk), "--db", str(fresh)])
    assert nothing.exit_code == 1
    assert "no readable WARC/ARC record" in nothing.stderr


@pytest.mark.skipif(shutil.which("wget") is None, reason="wget is not installed")
def test_import_of_a_wget_warc_of_the_replica(tmp_path):
    from scraper.replica import ReplicaServer, build_site

    site = build_site(seed=4, n_articles=10)
    with ReplicaServer(site) as server:
        urls = [site.article_url(tc, server.base_url) for tc in site.tcs()[:3]]
        done = subprocess.run(
            ["wget", "-q", "--warc-file", str(tmp_path / "crawl"), "-O", str(tmp_path / "x"),
             server.base_url, *urls],
            capture_output=True,
            timeout=120,
        )  # fmt: skip
        ids = {site.article_id(tc, server.base_url) for tc in site.tcs()[:3]}
    assert (tmp_path / "crawl.warc.gz").exists(), done.stderr
    db = tmp_path / "w.db"
    result = run("import", tmp_path / "crawl.warc.gz", "--db", db)
    assert result.exit_code == 0, result.output
    assert {r[0] for r in rows(db, "SELECT id FROM articles")} == ids
    assert rows(db, "SELECT COUNT(*) FROM revisions")[0][0] == 3
    assert {r[0] for r in rows(db, "SELECT origin FROM revisions")} == {"warc"}
    again = run("import", tmp_path / "crawl.warc.gz", "--db", db)
    assert again.exit_code == 0 and "0 new, 0 changed, 0 unchanged" in again.output
    assert rows(db, "SELECT COUNT(*) FROM revisions")[0][0] == 3


# ------------------------------------------------------------------------------ reextract


def test_reextract_keeps_old_rows_and_never_counts_an_extractor_change_as_an_edit(
    imported, epochs, tmp_path
):
    db = tmp_path / "re.db"
    shutil.copy(imported[0], db)
    aid = epochs.ids["chrome"]
    real_title = rows(db, "SELECT title FROM articles WHERE id = ?", [aid])[0][0]
    stale = real_title + " (bản trích cũ)"  # what an older extractor made of the page
    conn = sqlite3.connect(db)
    conn.execute("UPDATE revisions SET title = ? WHERE article_id = ?", [stale, aid])
    conn.execute("UPDATE articles SET title = ?, content_hash = 'old' WHERE id = ?", [stale, aid])
    conn.commit()
    conn.close()
    before = rows(db, "SELECT COUNT(*) FROM revisions")[0][0]

    result = run("reextract", "--db", db)
    assert result.exit_code == 0, result.output
    assert "1 re-derived (1 articles refreshed)" in result.output
    assert rows(db, "SELECT COUNT(*) FROM revisions")[0][0] == before  # no new revision
    assert rows(db, "SELECT title FROM revisions WHERE article_id = ?", [aid]) == [(stale,)]
    derived = rows(db, "SELECT article_id, revision, title, changed_fields FROM derivations")
    assert derived == [(aid, 1, real_title, '["title"]')]
    assert rows(db, "SELECT title FROM articles WHERE id = ?", [aid]) == [(real_title,)]

    # the next capture of the same content is unchanged, not an edit
    status, ctype, body = epochs.pages[1][epochs.urls["chrome"]]
    from scraper.captures import Capture
    from scraper.captures.importer import Importer

    with Archive(db) as archive:
        importer = Importer(archive, origin="warc", source="t", run_id=None)
        later = Capture(epochs.urls["chrome"], "2026-12-20T00:00:00Z", 200, ctype,
                        body + b"\n", "warc")  # fmt: skip
        assert importer.ingest(later, "sha1:X") == "unchanged"
    again = run("reextract", "--db", db)
    assert again.exit_code == 0
    assert rows(db, "SELECT COUNT(*) FROM derivations")[0][0] == 1  # same version: replaced


def test_reextract_needs_an_archive(tmp_path):
    result = run("reextract", "--db", tmp_path / "none.db")
    assert result.exit_code == 1
    assert not (tmp_path / "none.db").exists()


def test_a_crawled_archive_exports_and_imports_back_to_its_articles(tmp_path):
    from scraper.crawl import run_crawl
    from scraper.replica import ReplicaServer, build_site
    from tests.test_crawl import config_for

    site = build_site(seed=11, n_articles=20)
    db = tmp_path / "crawl.db"
    with ReplicaServer(site) as server:
        run_crawl(db, config_for(server.base_url))
        tc = site.tcs()[1]
        site.edit(tc, title="Tiêu đề mới của bài viết sau khi biên tập")
        run_crawl(db, config_for(server.base_url, full=True))
        edited = site.article_id(tc, server.base_url)
    out = tmp_path / "crawl.warc.gz"
    assert run("export", "--db", db, "--format", "warc", "--output", out).exit_code == 0
    assert warcio("check", out).returncode == 0
    fresh = tmp_path / "fresh.db"
    result = run("import", out, "--db", fresh)
    assert result.exit_code == 0, result.output
    same = "SELECT article_id, revision, content_hash, title FROM revisions ORDER BY 1, 2"
    assert rows(fresh, same) == rows(db, same)
    assert len(rows(db, same)) == 20 + 1
    assert [r[1] for r in rows(fresh, same) if r[0] == edited] == [1, 2]
    arts = "SELECT id, url, revision, content_hash FROM articles ORDER BY id"
    assert rows(fresh, arts) == rows(db, arts)


def test_wayback_is_polite_delay_and_retry_after(epochs, tmp_path):
    db = tmp_path / "polite.db"
    with WaybackReplica(snapshots(epochs), page_size=20) as replica:
        replica.fault, replica.fault_path, replica.fault_count = "429", "/web/", 1
        replica.retry_after = 1
        result = run(
            "wayback", "--site", epochs.base_url, "--db", db, "--endpoint", replica.endpoint,
            "--delay", 0.2,
        )  # fmt: skip
        times = [t for t, _ in replica.hits]
        replays = [(t, p) for t, p in replica.hits if p.startswith("/web/")]
    assert result.exit_code == 0, result.output
    assert revision_counts(db, epochs) == EXPECTED
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.19  # --delay between two requests to the endpoint
    assert replays[1][1] == replays[0][1]  # the 429 was retried ...
    assert replays[1][0] - replays[0][0] >= 0.95  # ... after its Retry-After


def test_killed_wayback_import_continues_on_rerun(imported, epochs, tmp_path):
    import os
    import signal
    import time

    db = tmp_path / "killed.db"
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    with WaybackReplica(snapshots(epochs), page_size=4) as replica:
        args = [sys.executable, "-m", "scraper.cli", "wayback", "--site", epochs.base_url,
                "--db", str(db), "--endpoint", replica.endpoint, "--delay", "0.3"]  # fmt: skip
        proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if sum(p.startswith("/web/") for _, p in replica.hits) >= 5:
                break
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        done = rows(db, "SELECT COUNT(*) FROM captures")[0][0]
        assert 3 <= done < 12
        replica.hits.clear()
        result = wayback(replica, epochs, db)
        replays = [p for _, p in replica.hits if p.startswith("/web/")]
    assert result.exit_code == 0, result.output
    assert len(replays) <= 11 - 3
    assert content(db) == content(imported[0])
    statuses = [r[0] for r in rows(db, "SELECT status FROM runs ORDER BY id")]
    assert statuses == ["interrupted", "ok"]  # the killed run, marked by the next one
