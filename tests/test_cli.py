"""The `scrape` command as a user meets it: output, cron silence, exit codes, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper import cli
from scraper.replica import ReplicaServer, build_site
from scraper.sites import DEFAULT_SITES

FIXTURES = Path(__file__).parent / "fixtures"
FAST = ["--delay", "0", "--concurrency", "4"]


@pytest.fixture(scope="module")
def replica():
    site = build_site(seed=21, n_articles=40)
    with ReplicaServer(site) as server:
        yield site, server


def run(*args, env=None):
    return CliRunner().invoke(cli.main, [str(a) for a in args], env=env)


def one_line(text: str) -> bool:
    return len(text.strip().splitlines()) == 1


def test_every_command_has_help_with_an_example():
    for name, command in cli.main.commands.items():
        result = run(name, "--help")
        assert result.exit_code == 0, name
        assert "Example:" in command.help, name


def test_sites_prints_the_default_sites(tmp_path):
    result = run("sites", "--db", tmp_path / "none.db")
    assert result.exit_code == 0
    assert result.stdout.split() == list(DEFAULT_SITES)


def test_extract_prints_the_fixture_extraction_as_json():
    case = json.loads((FIXTURES / "article_basic.json").read_text(encoding="utf-8"))
    result = run("extract", FIXTURES / "article_basic.html", "--url", case["url"])
    assert result.exit_code == 0, result.stderr
    printed = json.loads(result.stdout)
    for field in ("id", "title", "category", "body", "source", "captions"):
        assert printed[field] == case["expected"][field], field


def test_extract_of_a_page_without_an_article_is_a_one_line_error():
    result = run("extract", FIXTURES / "notfound_404.html", "--url", "http://a.vn/?tc=1")
    assert result.exit_code == 1
    assert one_line(result.stderr) and "no article" in result.stderr


def test_extract_of_a_missing_file_is_a_one_line_error(tmp_path):
    result = run("extract", tmp_path / "nope.html")
    assert result.exit_code == 1 and one_line(result.stderr)


def test_usage_errors_exit_2():
    assert run("crawl", "--concurrency", "zero").exit_code == 2


def test_quiet_crawl_prints_nothing_and_json_logs_are_json(replica, tmp_path):
    _, server = replica
    db = tmp_path / "a.db"
    quiet = run("crawl", "--db", db, "--site", server.base_url, *FAST, "--quiet")
    assert quiet.exit_code == 0
    assert quiet.stdout == "" and quiet.stderr == ""
    logged = run("crawl", "--db", db, "--site", server.base_url, *FAST, "--log-format", "json")
    assert logged.exit_code == 0
    summary = json.loads(logged.stdout)
    assert summary["status"] == "ok" and summary["new"] == 0


def test_progress_is_drawn_only_on_a_terminal(replica, tmp_path, monkeypatch):
    _, server = replica
    seen = []

    class Recorder(cli_progress_class()):
        def __init__(self, *, enabled, stream=None):
            seen.append(enabled)
            super().__init__(enabled=enabled, stream=stream)

    monkeypatch.setattr("scraper.progress.Progress", Recorder)
    run("crawl", "--db", tmp_path / "a.db", "--site", server.base_url, *FAST)
    assert seen == [False]  # the test runner's stderr is not a terminal


def cli_progress_class():
    from scraper.progress import Progress

    return Progress


def test_history_lists_revisions_and_diffs_them(tmp_path):
    site = build_site(seed=22, n_articles=30)
    db = tmp_path / "a.db"
    with ReplicaServer(site) as server:
        assert run("crawl", "--db", db, "--site", server.base_url, *FAST, "--quiet").exit_code == 0
        tc = site.tcs()[2]
        site.edit(tc, title="Một tiêu đề hoàn toàn mới")
        run("crawl", "--db", db, "--site", server.base_url, *FAST, "--quiet", "--full")
        article = site.article_id(tc, server.base_url)
        url = site.article_url(tc, server.base_url)
    listed = run("history", "--db", db, url)
    assert listed.exit_code == 0, listed.stderr
    assert "2 revision(s)" in listed.stdout and "title" in listed.stdout
    diff = run("history", "--db", db, article, "--diff", "1", "2")
    assert diff.exit_code == 0
    assert "{+Một tiêu đề hoàn toàn mới+}" in diff.stdout
    assert run("history", "--db", db, "no/such").exit_code == 1


def test_commands_on_a_missing_archive_fail_in_one_line(tmp_path):
    result = run("history", "--db", tmp_path / "none.db", "x/1")
    assert result.exit_code == 1 and one_line(result.stderr)


def test_a_dead_server_is_reported_and_the_run_still_completes(tmp_path):
    db = tmp_path / "a.db"
    result = run("crawl", "--db", db, "--site", "http://127.0.0.1:9/", "--delay", "0")
    assert result.exit_code == 3  # completed, with the alarm of an unreachable site
    assert "host 127.0.0.1:9 could not be reached: connection refused" in result.stderr
    assert "0 fetched" in result.stdout and "1 failed" in result.stdout


# --- one-line errors, the handler's exit codes, --db on sites and extract ----------------


def test_extract_of_a_url_with_an_invalid_port_is_a_one_line_error():
    result = run("extract", "http://127.0.0.1:99999/")
    assert result.exit_code == 1
    assert one_line(result.stderr) and "invalid URL" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_the_handler_turns_scraper_errors_and_ctrl_c_into_one_line_and_an_exit_code():
    from scraper.cli import EXIT, ScrapeGroup
    from scraper.errors import InputError, Locked

    group = ScrapeGroup()
    raised = {
        "locked": Locked("another run holds a.db"),
        "input": InputError("cannot read x.html: No such file or directory"),
        "ctrlc": KeyboardInterrupt("the next run resumes where this one stopped"),
    }
    for name, exc in raised.items():

        def boom(exc=exc):
            raise exc

        group.command(name)(boom)
    runner = CliRunner()
    locked = runner.invoke(group, ["locked"])
    assert (locked.exit_code, locked.stderr) == (75, "scrape: another run holds a.db\n")
    bad = runner.invoke(group, ["input"])
    assert bad.exit_code == EXIT["fatal"] == 1
    assert bad.stderr == "scrape: cannot read x.html: No such file or directory\n"
    stopped = runner.invoke(group, ["ctrlc"])
    assert stopped.exit_code == EXIT["interrupted"] == 130
    assert stopped.stderr == "scrape: interrupted; the next run resumes where this one stopped\n"


def test_reindex_of_a_locked_archive_exits_75(replica, tmp_path):
    from scraper import lock

    _, server = replica
    db = tmp_path / "a.db"
    assert run("crawl", "--db", db, "--site", server.base_url, *FAST, "--quiet").exit_code == 0
    with lock.acquire(db):
        result = run("reindex", "--db", db)
    assert result.exit_code == 75 and one_line(result.stderr)


def test_export_errors_are_scraper_errors_and_value_errors():
    from scraper.errors import ScraperError
    from scraper.export import ExportError

    assert issubclass(ExportError, ScraperError) and issubclass(ExportError, ValueError)


@pytest.fixture(scope="module")
def crawled(replica, tmp_path_factory):
    site, server = replica
    db = tmp_path_factory.mktemp("crawled") / "a.db"
    result = run("crawl", "--db", db, "--site", server.base_url, *FAST, "--quiet")
    assert result.exit_code == 0, result.stderr
    return site, server, db


def test_sites_with_an_archive_shows_counts_and_the_last_run(crawled, monkeypatch):
    import sqlite3

    site, server, db = crawled
    monkeypatch.setattr("scraper.sites.DEFAULT_SITES", (server.base_url,))
    stored = sqlite3.connect(db).execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    assert stored > 0
    before = db.stat().st_mtime_ns
    result = run("sites", "--db", db)
    assert result.exit_code == 0, result.stderr
    url, count, word, *last = result.stdout.split()
    assert (url, int(count), word) == (server.base_url, stored, "articles")
    assert last[:3] == ["last", "run", "#1"] and last[3] == "ok"
    assert db.stat().st_mtime_ns == before


def test_sites_never_creates_the_archive(tmp_path):
    db = tmp_path / "missing.db"
    result = run("sites", "--db", db)
    assert result.exit_code == 0 and result.stdout.split() == list(DEFAULT_SITES)
    assert not db.exists()


def test_extract_with_db_reads_an_archived_article_by_id(crawled):
    site, server, db = crawled
    tc = site.tcs()[0]
    article_id = site.article_id(tc, server.base_url)
    by_id = run("extract", article_id, "--db", db)
    assert by_id.exit_code == 0, by_id.stderr
    printed = json.loads(by_id.stdout)
    assert printed["id"] == article_id and printed["title"]
    unknown = run("extract", "127.0.0.1:1/999999", "--db", db)
    assert unknown.exit_code == 1 and one_line(unknown.stderr)
    assert "no article" in unknown.stderr


def test_extract_ignores_db_for_a_file(crawled):
    _, _, db = crawled
    case = json.loads((FIXTURES / "article_basic.json").read_text(encoding="utf-8"))
    result = run("extract", FIXTURES / "article_basic.html", "--url", case["url"], "--db", db)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["id"] == case["expected"]["id"]


@pytest.mark.parametrize("module", ["crawl", "query", "pages", "options", "common", "docs"])
def test_each_cli_module_imports_on_its_own(module):
    import subprocess
    import sys

    code = (
        f"import scraper.cli.{module}; import scraper.cli; print(sorted(scraper.cli.main.commands))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "'sites'" in done.stdout and "'history'" in done.stdout
