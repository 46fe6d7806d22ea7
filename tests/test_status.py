"""`scrape status`: per-site counts after saves, misses, frontier failures and runs."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from scraper.cli import main
from scraper.models import Article
from scraper.status import archive_status, format_status
from scraper.store import Archive

A = "sdl.thuathienhue.gov.vn"
B = "stp.thuathienhue.gov.vn"
T0 = "2024-05-02T08:00:00Z"
NOW = "2024-05-10T12:00:00Z"


def make(site: str, n: int, body: str = "Nội dung bài viết.") -> Article:
    return Article(
        id=f"{site}/{n}",
        url=f"https://{site}/?gd=1&tc={n}",
        site=site,
        title=f"Tin số {n}",
        published="2024-04-30",
        body=body,
    )


@pytest.fixture
def archive(tmp_path):
    with Archive(tmp_path / "a.db") as arch:
        run1 = arch.start_run({"sites": [f"https://{A}/", f"https://{B}/"]})
        for n in range(1, 5):
            arch.save_article(make(A, n), fetched_at=T0, page_sha=None, run_id=run1)
        for n in range(1, 3):
            arch.save_article(make(B, n), fetched_at=T0, page_sha=None, run_id=run1)
        arch.finish_run(run1, "ok", {"fetched": 6, "new": 6})

        run2 = arch.start_run({"sites": [f"https://{A}/"]})
        arch.save_article(make(A, 1, "Nội dung đã sửa."), fetched_at=T0, page_sha=None, run_id=run2)
        arch.record_missing(f"{A}/2", run_id=run2, fetched_at=T0)
        arch.record_missing(f"{A}/2", run_id=run2, fetched_at=T0)  # once per run
        arch.frontier_add(
            [
                (f"{A}/7", f"https://{A}/?gd=1&tc=7", "article", A),
                (f"{A}/8", f"https://{A}/?gd=1&tc=8", "article", A),
                (f"{A}/9", f"https://{A}/?gd=1&tc=9", "article", A),
            ],
            run2,
        )
        arch.frontier_done(f"{A}/7", state="failed", error="HTTP 500")
        arch.frontier_done(f"{A}/8", state="failed", error="fetch failed")
        arch.finish_run(run2, "failed", {"fetched": 3, "changed": 1, "failed": 2})

        run3 = arch.start_run({"sites": [f"https://{A}/"]})
        arch.record_missing(f"{A}/2", run_id=run3, fetched_at=T0)  # second run: gone
        arch.finish_run(run3, "ok", {"fetched": 1, "gone": 1})

        # schedule: A/1 due now, A/3 due in 3 h, A/4 in 2 days; B/1 due now, B/2 in 23 h
        for article_id, when in [
            (f"{A}/1", "2024-05-10T11:00:00Z"),
            (f"{A}/3", "2024-05-10T15:00:00Z"),
            (f"{A}/4", "2024-05-12T12:00:00Z"),
            (f"{A}/2", "2024-05-10T10:00:00Z"),  # gone: never counted as due
            (f"{B}/1", "2024-05-10T12:00:00Z"),
            (f"{B}/2", "2024-05-11T11:00:00Z"),
        ]:
            arch.db.execute(
                "UPDATE articles SET next_check_at = ? WHERE id = ?", [when, article_id]
            )
        yield arch


def test_counts_per_site(archive):
    data = archive_status(archive, now=NOW)
    sites = {entry["site"]: entry for entry in data["sites"]}
    assert list(sites) == [A, B]
    a, b = sites[A], sites[B]
    assert (a["articles_live"], a["articles_gone"], a["revisions"]) == (3, 1, 5)
    assert (b["articles_live"], b["articles_gone"], b["revisions"]) == (2, 0, 2)
    assert (a["failed_waiting"], a["pending"]) == (2, 1)
    assert (b["failed_waiting"], b["pending"]) == (0, 0)
    assert (a["due_now"], a["due_24h"]) == (1, 1)
    assert (b["due_now"], b["due_24h"]) == (1, 1)
    assert data["totals"]["articles_live"] == 5
    assert data["totals"]["failed_waiting"] == 2


def test_last_run_per_site(archive):
    data = archive_status(archive, now=NOW)
    sites = {entry["site"]: entry for entry in data["sites"]}
    run_a, run_b = sites[A]["last_run"], sites[B]["last_run"]
    assert run_a["id"] == 3 and run_a["status"] == "ok" and run_a["gone"] == 1
    assert run_b["id"] == 1 and run_b["status"] == "ok"
    assert (run_b["new"], run_b["site_new"], run_b["site_changed"]) == (6, 2, 0)
    assert data["last_run"]["id"] == 3
    assert data["last_run"]["fetched"] == 1


def test_site_changed_count_in_its_run(archive):
    archive.db.execute("DELETE FROM runs WHERE id = 3")
    data = archive_status(archive, now=NOW)
    run_a = next(e for e in data["sites"] if e["site"] == A)["last_run"]
    assert run_a["id"] == 2 and run_a["status"] == "failed"
    assert (run_a["site_new"], run_a["site_changed"], run_a["failed"]) == (0, 1, 2)


def test_empty_archive(tmp_path):
    with Archive(tmp_path / "e.db") as arch:
        data = archive_status(arch, now=NOW)
    assert data["sites"] == [] and data["last_run"] is None
    assert "last run: none" in format_status(data)


def test_format_status_table(archive):
    text = format_status(archive_status(archive, now=NOW), "a.db")
    lines = text.splitlines()
    assert lines[0].startswith("archive a.db")
    header = lines[1].split()
    assert header[:4] == ["site", "live", "gone", "revisions"]
    row_a = next(line for line in lines if line.startswith(A))
    assert row_a.split()[1:8] == ["3", "1", "5", "2", "1", "1", "1"]
    assert "#3" in row_a
    assert lines[-1].startswith("last run #3 ok")


def test_cli_status_json_and_table(archive):
    runner = CliRunner()
    result = runner.invoke(main, ["status", "--db", str(archive.path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {entry["site"] for entry in data["sites"]} == {A, B}
    assert data["totals"]["revisions"] == 7
    result = runner.invoke(main, ["status", "--db", str(archive.path)])
    assert result.exit_code == 0
    assert A in result.stdout and B in result.stdout


def test_cli_status_missing_archive(tmp_path):
    result = CliRunner().invoke(main, ["status", "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1
    assert result.stderr.startswith("scrape: no archive")
    assert not (tmp_path / "x.db").exists()
