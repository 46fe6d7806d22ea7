"""A new user's first hour (issue 12): what `scrape` does with the wrong file, a read-only
archive, a second demo, Ctrl-C and SIGTERM, a trickling server, a closed pipe."""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import scraper
from scraper import cli
from scraper.replica import ReplicaServer, build_site

FAST = ["--delay", "0", "--concurrency", "4"]
ROOT = Path(scraper.__file__).resolve().parent.parent
READ_COMMANDS = {
    "status": [],
    "search": ["Huế"],
    "export": [],
    "history": ["x/1"],
    "reindex": [],
}


def run(*args, env=None):
    return CliRunner().invoke(cli.main, [str(a) for a in args], env=env)


def one_line(text: str) -> bool:
    return len(text.strip().splitlines()) == 1


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def replica():
    site = build_site(seed=12, n_articles=30)
    with ReplicaServer(site) as server:
        yield site, server


@pytest.fixture(scope="module")
def crawled(replica, tmp_path_factory):
    """A real archive of the replica (checkpointed: no -wal beside it)."""
    _, server = replica
    db = tmp_path_factory.mktemp("crawled") / "archive.db"
    result = run("crawl", "--db", db, "--site", server.base_url, *FAST, "--quiet")
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture
def archive_copy(crawled, tmp_path):
    db = tmp_path / "archive.db"
    shutil.copyfile(crawled, db)
    return db


def foreign_sqlite(path: Path) -> Path:
    """Someone else's SQLite file: a table of their own, no schema version."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute("INSERT INTO notes (text) VALUES ('ghi chú của tôi')")
    conn.commit()
    conn.close()
    return path


# ------------------------------------------------------------ 1, 2: the wrong file


@pytest.mark.parametrize("command", sorted(READ_COMMANDS))
def test_a_file_that_is_not_sqlite_is_one_line(command, tmp_path):
    db = tmp_path / "notes.txt"
    db.write_text("đây không phải cơ sở dữ liệu\n" * 20, encoding="utf-8")
    before = sha(db)
    result = run(command, "--db", db, *READ_COMMANDS[command])
    assert result.exit_code == 1, result.output
    assert one_line(result.stderr) and "not an SQLite database" in result.stderr
    assert "Traceback" not in result.output
    assert sha(db) == before and sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("command", sorted(READ_COMMANDS))
def test_an_archive_of_a_newer_scraper_is_one_line(command, archive_copy):
    conn = sqlite3.connect(archive_copy)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    before = sha(archive_copy)
    result = run(command, "--db", archive_copy, *READ_COMMANDS[command])
    assert result.exit_code == 1, result.output
    assert one_line(result.stderr) and "schema version 99" in result.stderr
    assert sha(archive_copy) == before


@pytest.mark.parametrize("command", sorted(READ_COMMANDS))
def test_someone_elses_sqlite_file_is_refused_and_left_byte_identical(command, tmp_path):
    db = foreign_sqlite(tmp_path / "other.db")
    before = sha(db)
    result = run(command, "--db", db, *READ_COMMANDS[command])
    assert result.exit_code == 1, result.output
    assert one_line(result.stderr) and "not a scrape archive" in result.stderr
    assert sha(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]  # no -wal, no .lock


def test_an_sqlite_file_without_a_schema_version_is_not_an_archive(archive_copy):
    conn = sqlite3.connect(archive_copy)
    conn.execute("PRAGMA user_version = 0")
    conn.commit()
    conn.close()
    result = run("status", "--db", archive_copy)
    assert result.exit_code == 1 and "no schema version" in result.stderr


def test_crawl_refuses_someone_elses_sqlite_file(replica, tmp_path):
    _, server = replica
    db = foreign_sqlite(tmp_path / "other.db")
    before = sha(db)
    result = run("crawl", "--db", db, "--site", server.base_url, *FAST)
    assert result.exit_code == 1, result.output
    assert one_line(result.stderr) and "not a scrape archive" in result.stderr
    assert sha(db) == before
    tables = sqlite3.connect(db).execute("SELECT name FROM sqlite_master").fetchall()
    assert tables == [("notes",)]


def test_crawl_of_a_text_file_is_one_line(replica, tmp_path):
    _, server = replica
    db = tmp_path / "notes.txt"
    db.write_text("không phải SQLite", encoding="utf-8")
    result = run("crawl", "--db", db, "--site", server.base_url, *FAST)
    assert result.exit_code == 1 and one_line(result.stderr)
    assert "not an SQLite database" in result.stderr
    assert db.read_text(encoding="utf-8") == "không phải SQLite"


def test_read_commands_create_and_migrate_nothing(archive_copy):
    """A view dropped from an archive stays dropped: reading never runs the migrations."""
    conn = sqlite3.connect(archive_copy)
    conn.execute("DROP VIEW articles_per_month")
    conn.commit()
    conn.close()
    before = sha(archive_copy)
    article = sqlite3.connect(archive_copy).execute("SELECT id FROM articles").fetchone()[0]
    for command, args in {**READ_COMMANDS, "history": [article]}.items():
        if command == "reindex":
            continue
        result = run(command, "--db", archive_copy, *args)
        assert result.exit_code == 0, (command, result.output)
        assert sha(archive_copy) == before, command
    views = sqlite3.connect(archive_copy).execute(
        "SELECT name FROM sqlite_master WHERE type = 'view'"
    )
    assert "articles_per_month" not in {row[0] for row in views}


# ------------------------------------------------------- 1, 2: a read-only directory


def run_as_reader(directory: Path, *args: str) -> subprocess.CompletedProcess:
    """Run `scrape args` in a child that cannot write to directory: the directory made
    read-only by chmod, or when we are root (who writes anyway) bind-mounted read-only in
    a private mount namespace (unshare -m), as on a read-only mount."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCRAPE_DB": ""}
    command = [sys.executable, "-m", "scraper.cli", *args]
    if os.geteuid() == 0:
        mount = f"mount --bind -o ro {shlex.quote(str(directory))} {shlex.quote(str(directory))}"
        script = f"{mount} && exec {shlex.join(command)}"
        command = ["unshare", "-m", "--propagation", "private", "sh", "-c", script]
    else:
        directory.chmod(0o555)
    try:
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    finally:
        directory.chmod(0o755)


@pytest.fixture
def read_only_archive(crawled):
    """The crawled archive in a directory its reader cannot write (no -wal, no -shm)."""
    directory = Path(tempfile.mkdtemp(prefix="scrape-ro-"))
    directory.chmod(0o755)
    db = directory / "archive.db"
    shutil.copyfile(crawled, db)
    db.chmod(0o644)
    try:
        probe = run_as_reader(directory, "--version")
        if probe.returncode != 0:
            pytest.skip(f"cannot make a read-only directory here: {probe.stderr.strip()}")
        yield db
    finally:
        shutil.rmtree(directory)


def test_read_commands_read_an_archive_in_a_read_only_directory(read_only_archive):
    db = read_only_archive
    before = sha(db)
    article = (
        sqlite3.connect(f"{db.as_uri()}?immutable=1", uri=True)
        .execute("SELECT id FROM articles")
        .fetchone()[0]
    )
    for command, args in {**READ_COMMANDS, "history": [article]}.items():
        if command == "reindex":
            continue
        result = run_as_reader(db.parent, command, "--db", str(db), *args)
        assert result.returncode == 0, (command, result.stderr)
        assert "Traceback" not in result.stderr
    assert sha(db) == before and sorted(p.name for p in db.parent.iterdir()) == ["archive.db"]


def test_reindex_in_a_read_only_directory_is_one_line(read_only_archive):
    result = run_as_reader(read_only_archive.parent, "reindex", "--db", str(read_only_archive))
    assert result.returncode == 1, result.stderr
    assert one_line(result.stderr) and "Traceback" not in result.stderr
    assert "lock file" in result.stderr


# ------------------------------------------------------------ 7: Ctrl-C and SIGTERM


@pytest.fixture(scope="module")
def slow_replica():
    """A replica slow enough (latency per request) to be stopped in the middle of a run."""
    site = build_site(seed=7, n_articles=30)
    with ReplicaServer(site, latency=0.08) as server:
        yield site, server


def _count(db: Path, sql: str) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchone()[0] or 0
    except sqlite3.Error:
        return 0
    finally:
        conn.close()


def stop_a_crawl(db: Path, url: str, signum: int, *extra: str) -> subprocess.CompletedProcess:
    """Start `scrape crawl` in a child, wait until it has fetched a few articles in this
    run, send it signum, and return what it printed and its exit code."""
    import time

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = ["crawl", "--db", str(db), "--site", url, "--delay", "0", "--concurrency", "1"]
    before = _count(db, "SELECT COUNT(*) FROM fetches")
    child = subprocess.Popen(
        [sys.executable, "-m", "scraper.cli", *args, "--quiet", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while _count(db, "SELECT COUNT(*) FROM fetches") < before + 8:
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the crawl fetched nothing"
            time.sleep(0.05)
        child.send_signal(signum)
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert _count(db, "SELECT COUNT(*) FROM frontier WHERE state = 'pending'") > 0
    return subprocess.CompletedProcess(args, child.returncode, out, err)


def last_run_status(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT status FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("signame", "code", "said"), [("SIGINT", 130, "interrupted"), ("SIGTERM", 143, "SIGTERM")]
)
def test_a_stopped_crawl_is_interrupted_and_the_next_run_finishes_it(
    slow_replica, tmp_path, signame, code, said
):
    import signal

    site, server = slow_replica
    db = tmp_path / "archive.db"
    stopped = stop_a_crawl(db, server.base_url, getattr(signal, signame))
    assert stopped.returncode == code, stopped.stderr
    assert one_line(stopped.stderr) and said in stopped.stderr
    assert "next" in stopped.stderr and "Traceback" not in stopped.stderr
    assert last_run_status(db) == "interrupted"
    assert not Path(f"{db}.lock").exists()
    result = run("crawl", "--db", db, "--site", server.base_url, *FAST, "--quiet")
    assert result.exit_code == 0, result.output
    assert last_run_status(db) == "ok"
    assert _count(db, "SELECT COUNT(*) FROM frontier WHERE state = 'pending'") == 0
    assert _count(db, "SELECT COUNT(*) FROM articles") == len(site.tcs())


def test_full_rechecks_left_by_a_stopped_run_are_done_by_the_next_one(slow_replica, tmp_path):
    """--full re-fetches every known article; stopped half-way, the rest waits in the
    frontier and the next run (even without --full) re-fetches exactly those."""
    import signal

    site, server = slow_replica
    db = tmp_path / "archive.db"
    assert run("crawl", "--db", db, "--site", server.base_url, *FAST, "--quiet").exit_code == 0
    stopped = stop_a_crawl(db, server.base_url, signal.SIGTERM, "--full")
    assert stopped.returncode == 143, stopped.stderr
    left = {
        row[0]
        for row in sqlite3.connect(db).execute(
            "SELECT url FROM frontier WHERE state = 'pending' AND kind = 'article'"
        )
    }
    assert 0 < len(left) < len(site.tcs())
    fetches_before = _count(db, "SELECT MAX(id) FROM fetches")
    assert run("crawl", "--db", db, "--site", server.base_url, *FAST, "--quiet").exit_code == 0
    refetched = {
        row[0]
        for row in sqlite3.connect(db).execute(
            "SELECT url FROM fetches WHERE id > ?", [fetches_before]
        )
    }
    assert left <= refetched
    assert _count(db, "SELECT COUNT(*) FROM frontier WHERE state = 'pending'") == 0


# ------------------------------------------------------------ 3: a second demo


def test_a_second_demo_adds_nothing_and_ids_carry_no_port(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"SCRAPE_DB": str(tmp_path / "mine.db")}
    first = run("demo", "--articles", 12, env=env)
    assert first.exit_code == 0, first.output
    second = run("demo", "--articles", 12, env=env)
    assert second.exit_code == 0, second.output
    assert " 0 new, 0 changed" in second.stdout
    db = tmp_path / "demo.db"
    conn = sqlite3.connect(db)
    ids = [row[0] for row in conn.execute("SELECT id FROM articles")]
    urls = [row[0] for row in conn.execute("SELECT url FROM articles")]
    hosts = ("sdl.demo.localhost/", "portal.demo.localhost/", "svhttdl.demo.localhost/")
    assert len(ids) == 3 * 12 and all(i.startswith(hosts) for i in ids)
    assert {i.split("/", 1)[0] + "/" for i in ids} == set(hosts)  # all three layouts
    assert all(u.startswith(tuple("http://" + h for h in hosts)) for u in urls)
    assert conn.execute("SELECT COUNT(*) FROM revisions").fetchone()[0] == 3 * 12
    conn.close()
    assert not (tmp_path / "mine.db").exists()  # $SCRAPE_DB is not the demo's archive
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.db"]  # no .lock left
    assert "$SCRAPE_DB is not used" in " ".join(run("demo", "--help").stdout.split())


# ------------------------------------------------------------ 9: small ones


@pytest.mark.parametrize("command", [["export"], ["export", "--format", "csv"], ["status"]])
def test_a_reader_that_closes_the_pipe_is_not_an_error(crawled, command):
    """`scrape export | head -1`: the reader goes away before the writer is done."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before a byte is written
    try:
        child = subprocess.run(
            [sys.executable, "-m", "scraper.cli", *command, "--db", str(crawled)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert child.returncode == 0 and child.stderr == ""


def test_extract_of_a_404_says_404():
    from tests._http import Reply, Server

    page = "<html><body><h1>Không tìm thấy trang</h1></body></html>".encode()
    with Server(lambda hit: Reply(404, page, [("Content-Type", "text/html; charset=utf-8")])) as s:
        result = run("extract", s.url("/?gd=1&cn=5&tc=404"))
    assert result.exit_code == 1
    assert one_line(result.stderr) and "404" in result.stderr and "not found" in result.stderr


def test_user_agent_shows_its_default():
    from scraper.fetch import FetchConfig

    shown = " ".join(run("crawl", "--help").stdout.split())
    assert "[default: scraper/0.1" in shown
    assert FetchConfig().user_agent.startswith("scraper/0.1 (+https://")
    assert "".join(FetchConfig().user_agent.split()) in "".join(shown.split())


@pytest.mark.parametrize(("failed", "said"), [(1, "1 page failed"), (3, "3 pages failed")])
def test_a_quiet_run_counts_failed_pages_in_good_english(failed, said, capsys):
    from scraper.cli.crawl import _report
    from scraper.crawl import CrawlResult, CrawlStats

    result = CrawlResult(1, "ok", CrawlStats(failed=failed), 1.0, [])
    _report(result, "a.db", quiet=True, label="crawl", log_format="text")
    err = capsys.readouterr().err
    assert said in err and ("it is retried" if failed == 1 else "they are retried") in err


# ------------------------------------------------------------ 4: scrape replica


def test_advance_is_deterministic_and_changes_the_site():
    from scraper.cli.replica import advance

    one, two = build_site(seed=3, n_articles=20), build_site(seed=3, n_articles=20)
    before = {tc: (one.articles[tc].title, one.articles[tc].paragraphs()) for tc in one.tcs()}
    first, second = advance(one, 3, 1), advance(two, 3, 1)
    assert (first.added, first.edited, first.deleted) == (
        second.added,
        second.edited,
        second.deleted,
    )
    assert len(first.added) == 3 and len(first.edited) == 3 and len(first.deleted) == 1
    for tc in first.edited:
        after = (one.articles[tc].title, one.articles[tc].paragraphs())
        assert after != before[tc]
    assert first.deleted[0] not in one.tcs() and set(first.added) <= set(one.tcs())
    assert str(first).startswith("epoch 1: 3 new, 3 edited")


def test_scrape_replica_serves_until_ctrl_c_and_sigusr1_moves_it_on(tmp_path):
    import signal

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-m", "scraper.cli", "replica", "--port", "0", "--articles", "20"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        started = [child.stdout.readline() for _ in range(4)]
        url = started[0].split(" at ")[-1].strip()
        assert url.startswith("http://127.0.0.1:") and "--delay 0" in started[1]
        assert f"kill -USR1 {child.pid}" in started[2]
        db = tmp_path / "a.db"
        first = run("crawl", "--db", db, "--site", url, *FAST, "--quiet")
        assert first.exit_code == 0, first.output
        child.send_signal(signal.SIGUSR1)
        epoch = child.stdout.readline()
        assert epoch.startswith("epoch 1: 3 new, 3 edited"), epoch
        second = run("crawl", "--db", db, "--site", url, *FAST, "--full")
        assert second.exit_code == 0, second.output
        assert " 3 new, 3 changed" in second.stdout, second.stdout
        changed = (
            sqlite3.connect(db)
            .execute("SELECT article_id FROM revisions WHERE revision = 2")
            .fetchone()[0]
        )
        diff = run("history", changed, "--db", db, "--diff", 1, 2)
        assert diff.exit_code == 0 and diff.stdout.strip()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0, err
    assert "replica stopped at epoch 1" in out


def test_sites_refuses_someone_elses_sqlite_file_and_reads_a_real_archive(crawled, tmp_path):
    db = foreign_sqlite(tmp_path / "other.db")
    before = sha(db)
    result = run("sites", "--db", db)
    assert result.exit_code == 1 and one_line(result.stderr)
    assert "not a scrape archive" in result.stderr and sha(db) == before
    real = run("sites", "--db", crawled)
    assert real.exit_code == 0 and "articles" in real.stdout


def test_an_archive_older_than_the_scraper_is_read_and_says_how_to_upgrade(archive_copy):
    """Read commands do not migrate: a table a newer scraper added is missing until a
    writer (reindex, crawl) upgrades the archive, and the one-line error says so."""
    conn = sqlite3.connect(archive_copy)
    article, url = conn.execute("SELECT id, url FROM articles").fetchone()
    conn.execute("DROP TABLE aliases")
    conn.commit()
    conn.close()
    assert run("status", "--db", archive_copy).exit_code == 0
    old = run("history", url + "&x=1", "--db", archive_copy)
    assert old.exit_code == 1 and one_line(old.stderr) and "scrape reindex" in old.stderr
    assert run("reindex", "--db", archive_copy).exit_code == 0
    assert run("history", url + "&x=1", "--db", archive_copy).exit_code == 0
