"""Runs that cron can trust: real edits make revisions, re-encoding and chrome do not,
deleted articles become 'gone', killed runs resume, and two runs never share an archive."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date

import pytest

from scraper.crawl import run_crawl
from scraper.replica import ReplicaServer, build_site
from tests._helpers import config_for, rows, scalar
from tests.archive_snapshot import snapshot


def revisions_of(db, article_id):
    return rows(db, "select * from revisions where article_id = ? order by revision", (article_id,))


@pytest.fixture
def replica():
    site = build_site(seed=11, n_articles=50)
    with ReplicaServer(site) as server:
        yield site, server


def test_real_edits_make_one_revision_with_the_changed_fields(replica, tmp_path):
    site, server = replica
    db = tmp_path / "archive.db"
    run_crawl(db, config_for(server.base_url))
    tcs = site.tcs()
    with_caption = next(tc for tc in tcs if site.expected(tc, server.base_url)["captions"])
    edited = {
        tcs[1]: ({"title": "Tiêu đề đã được sửa lại"}, ["title"]),
        tcs[2]: ({"body_paragraphs": ["Nội dung mới hoàn toàn.", "Đoạn thứ hai."]}, ["body"]),
        tcs[3]: ({"date": date(2020, 5, 17)}, ["published"]),
        with_caption: ({"captions": ["Chú thích đã thay đổi"]}, ["captions"]),
    }
    for tc, (change, _) in edited.items():
        site.edit(tc, **change)
    result = run_crawl(db, config_for(server.base_url, full=True))
    assert result.stats.changed == len(edited)
    for tc, (_, fields) in edited.items():
        revisions = revisions_of(db, site.article_id(tc, server.base_url))
        assert [r["revision"] for r in revisions] == [1, 2]
        changed = json.loads(revisions[1]["changed_fields"])
        assert set(fields) <= set(changed), (tc, changed)
        assert revisions[1]["chars_added"] + revisions[1]["chars_removed"] > 0 or fields == [
            "published"
        ]
        truth = site.expected(tc, server.base_url)
        stored = rows(
            db, "select title, published, body from articles where id = ?", (truth["id"],)
        )
        assert stored[0]["title"] == truth["title"]
        assert stored[0]["published"] == truth["published"]
    # everything else is untouched
    assert scalar(db, "select count(*) from revisions") == len(tcs) + len(edited)


def test_reencoded_pages_and_chrome_make_no_revision(replica, tmp_path):
    site, server = replica
    db = tmp_path / "archive.db"
    run_crawl(db, config_for(server.base_url))
    for tc in site.tcs()[::3]:
        site.reencode(tc)  # NFD, &nbsp;, extra whitespace, zero-width characters, spacers
    result = run_crawl(db, config_for(server.base_url, full=True))
    assert result.stats.changed == 0
    assert result.stats.unchanged == len(site.tcs())
    assert scalar(db, "select max(revision) from articles") == 1


def test_new_articles_are_found_by_a_cheap_incremental_run(replica, tmp_path):
    site, server = replica
    db = tmp_path / "archive.db"
    first = run_crawl(db, config_for(server.base_url))
    added = site.add_articles(3)
    again = run_crawl(db, config_for(server.base_url))
    assert again.stats.new == 3
    for tc in added:
        assert (
            scalar(
                db,
                "select count(*) from articles where id = ?",
                (site.article_id(tc, server.base_url),),
            )
            == 1
        )
    first_requests = scalar(db, "select count(*) from fetches where run_id = ?", (first.run_id,))
    again_requests = scalar(db, "select count(*) from fetches where run_id = ?", (again.run_id,))
    assert again_requests < first_requests / 2


def test_deleted_articles_become_gone_after_two_runs_and_keep_their_rows(replica, tmp_path):
    site, server = replica
    db = tmp_path / "archive.db"
    run_crawl(db, config_for(server.base_url))
    victim = site.tcs()[5]
    victim_id = site.article_id(victim, server.base_url)
    site.delete(victim)
    second = run_crawl(db, config_for(server.base_url, full=True))
    assert second.stats.gone == 0
    assert rows(db, "select status from articles where id = ?", (victim_id,))[0]["status"] == "live"
    third = run_crawl(db, config_for(server.base_url, full=True))
    assert third.stats.gone == 1
    row = rows(db, "select status, body from articles where id = ?", (victim_id,))[0]
    assert row["status"] == "gone" and row["body"]
    assert len(revisions_of(db, victim_id)) == 1


# --- killed runs and concurrent runs -----------------------------------------------------


def crawl_command(db, base_url, *extra):
    return [
        sys.executable,
        "-m",
        "scraper.cli",
        "crawl",
        "--db",
        str(db),
        "--site",
        base_url,
        "--delay",
        "0",
        "--concurrency",
        "4",
        "--quiet",
        *extra,
    ]


def fetch_count(db) -> int:
    try:
        conn = sqlite3.connect(db, timeout=5)
        try:
            return conn.execute("select count(*) from fetches").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0


def kill_after(db, command, fetches: int) -> None:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        if fetch_count(db) >= fetches:
            os.kill(process.pid, signal.SIGKILL)
            break
        time.sleep(0.005)
    process.wait(timeout=30)


def test_a_killed_crawl_resumes_to_the_same_archive(tmp_path):
    site = build_site(seed=5, n_articles=70)
    with ReplicaServer(site, latency=0.01) as server:
        reference = tmp_path / "reference.db"
        run_crawl(reference, config_for(server.base_url))
        for kill_point in (3, 25, 60):
            db = tmp_path / f"killed-{kill_point}.db"
            kill_after(db, crawl_command(db, server.base_url), kill_point)
            finished = subprocess.run(
                crawl_command(db, server.base_url), capture_output=True, text=True, timeout=120
            )
            assert finished.returncode == 0, finished.stderr
            assert snapshot(db) == snapshot(reference), f"killed after {kill_point} fetches"
            assert scalar(db, "pragma integrity_check") == "ok"
            statuses = [r["status"] for r in rows(db, "select status from runs order by id")]
            assert statuses[-1] == "ok"


def test_a_second_crawl_on_the_same_archive_exits_75(tmp_path):
    site = build_site(seed=2, n_articles=40)
    db = tmp_path / "archive.db"
    with ReplicaServer(site, latency=0.05) as server:
        first = subprocess.Popen(
            crawl_command(db, server.base_url, "--concurrency", "1"),
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 30
            while fetch_count(db) == 0 and time.monotonic() < deadline:
                time.sleep(0.01)
            second = subprocess.run(
                crawl_command(db, server.base_url), capture_output=True, text=True, timeout=30
            )
        finally:
            first.kill()
            first.wait()
    assert second.returncode == 75
    assert len(second.stderr.strip().splitlines()) == 1
    assert "another" in second.stderr
