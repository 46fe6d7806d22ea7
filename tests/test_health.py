"""Run health (scraper.health): measures per site and run, the alarm rules, the archive's
`run_sites` rows, and the crawl as cron meets it (exit 3, one line per alarm, --notify)."""

from __future__ import annotations

import json
import re
import sqlite3
import urllib.error
import urllib.request

import pytest
from click.testing import CliRunner

from scraper import cli
from scraper.errors import FetchFailed, HostUnreachable
from scraper.health import (
    DROP,
    MIN_ARTICLES,
    WINDOW,
    SiteHealth,
    judge_site,
    lower_tail,
    stale_alarm,
)
from scraper.models import Article, Link
from scraper.replica import ReplicaServer, build_site
from scraper.store import Archive
from tests._http import Reply, Server, free_port

FAST = ["--delay", "0", "--concurrency", "4"]
LONG_BODY = "Ủy ban nhân dân tỉnh họp bàn kế hoạch phát triển du lịch bền vững. " * 6
SITE = "sdl.thuathienhue.gov.vn"


def article(n: int, *, body: str = LONG_BODY, captions=("Ảnh minh họa",), source="Sở Du lịch"):
    return Article(
        id=f"{SITE}/{n}",
        url=f"https://{SITE}/?tc={n}",
        site=SITE,
        title=f"Tin số {n}",
        published="2026-11-30",
        body=body,
        source=source,
        captions=list(captions),
        links=[Link("same_group", f"https://{SITE}/?tc={n + 1}", "Tin liên quan")],
        profile="tt",
    )


def row_of(articles, *, site=SITE, new=None, **extra) -> dict:
    health = SiteHealth(site)
    health.answered()
    for item in articles:
        health.article(item, "new")
    row = health.row()
    if new is not None:
        row["new"] = new
    row.update(extra)
    return row


def past(*rows: dict) -> list[dict]:
    """History rows, newest first, numbered as runs 10, 9, ..."""
    return [dict(row, run_id=10 - i) for i, row in enumerate(rows)]


# --------------------------------------------------------------------------- measures


def test_fill_rates_per_profile_count_each_field():
    health = SiteHealth(SITE)
    health.article(article(1), "new")
    health.article(article(2, body="Ngắn.", captions=(), source=None), "changed")
    health.article(article(3), "unchanged")
    health.no_article("tt")
    fill = health.fill()["tt"]
    assert fill["n"] == 4
    assert fill["title"] == 0.75 and fill["body"] == 0.5 and fill["captions"] == 0.5
    assert fill["related"] == 0.75 and fill["source"] == 0.5
    assert fill["body_mean"] == round((2 * len(LONG_BODY) + len("Ngắn.")) / 4)
    assert health.stored == 2 and health.new == 1 and health.articles == 4
    assert health.profile == "tt"


def test_a_site_with_no_answer_is_unreachable_by_its_commonest_failure():
    health = SiteHealth(SITE)
    health.failed(HostUnreachable("https://x/", "host x could not be reached", kind="dns"))
    health.failed(FetchFailed("https://x/1", "timed out", kind="timeout"))
    health.failed(HostUnreachable("https://x/2", "host x could not be reached", kind="dns"))
    assert health.unreachable == "dns"
    health.answered()
    assert health.unreachable is None  # one answer: reachable, whatever else failed


# --------------------------------------------------------------------------- rules


def test_a_new_site_raises_no_alarm_even_with_an_empty_template():
    bad = row_of([article(n, body="") for n in range(10)])
    assert judge_site(bad, []) == []


def test_an_unreachable_site_raises_its_alarm_even_when_new():
    health = SiteHealth(SITE)
    health.failed(HostUnreachable("https://x/", "could not be reached", kind="refused"))
    (alarm,) = judge_site(health.row(), [])
    assert alarm.kind == "unreachable" and alarm.figures["failure"] == "refused"
    assert "connection refused" in alarm.line() and alarm.line().startswith(SITE)


def test_a_fill_rate_that_falls_30_points_raises_an_alarm():
    good = row_of([article(n) for n in range(20)])
    broken = row_of([article(n, body="Xem tệp đính kèm.") for n in range(MIN_ARTICLES)])
    (alarm,) = judge_site(broken, past(good, good))
    assert alarm.kind == "fill_drop" and alarm.figures["field"] == "body"
    assert alarm.figures["rate"] == 0.0 and alarm.figures["baseline"] == 1.0
    assert alarm.figures["runs"] == 2 and alarm.figures["articles"] == MIN_ARTICLES
    assert "0% of 5 tt articles" in alarm.message and "100%" in alarm.message


def test_a_drop_under_the_threshold_or_by_chance_raises_none():
    half = [article(n, captions=() if n % 2 else ("Ảnh",)) for n in range(20)]  # 50 %
    base = row_of(half)
    # 25 points lower: under the 30-point threshold
    slight = row_of([article(n, captions=() if n % 4 else ("Ảnh",)) for n in range(20)])
    assert DROP == 0.30 and judge_site(slight, past(base)) == []
    # 1 of 6 against 50 %: 33 points, but that happens by chance (11 %)
    few = row_of([article(n, captions=("Ảnh",) if n == 0 else ()) for n in range(6)])
    assert lower_tail(1, 6, 0.5) > 0.01 and judge_site(few, past(base)) == []
    # below MIN_ARTICLES this run: no judgement at all
    tiny = row_of([article(n, body="") for n in range(MIN_ARTICLES - 1)])
    assert judge_site(tiny, past(base)) == []


def test_the_baseline_is_the_last_runs_with_enough_articles():
    good = row_of([article(n) for n in range(20)])
    small = row_of([article(1, body="")])  # too few articles to count
    broken = row_of([article(n, body="") for n in range(10)])
    older = [small] * 3 + [good]
    assert judge_site(broken, past(*older))[0].figures["runs"] == 1
    many = [good] * (WINDOW + 3)
    assert judge_site(broken, past(*many))[0].figures["runs"] == WINDOW


def test_another_profile_than_before_raises_an_alarm():
    before = row_of([article(n) for n in range(10)])
    now = row_of([Article(**{**article(n).__dict__, "profile": "dnn"}) for n in range(10)])
    alarms = judge_site(now, past(before))
    assert [alarm.kind for alarm in alarms] == ["profile_changed"]
    assert alarms[0].figures == {"profile": "dnn", "was": "tt", "run_id": 10}


def test_nothing_new_for_longer_than_the_sites_rhythm_is_stale():
    daily = [f"2026-11-{day:02d}" for day in range(30, 20, -1)]  # a gap of 1 day
    last_new = "2026-11-30T06:00:00Z"
    alarm = stale_alarm(SITE, daily, last_new, now="2026-12-09T06:00:00Z")  # 9 days
    assert alarm is not None and alarm.kind == "stale" and alarm.figures["allowed"] == 7
    assert stale_alarm(SITE, daily, last_new, now="2026-12-05T06:00:00Z") is None  # 5 < 7
    weekly = ["2026-11-30", "2026-11-23", "2026-11-16", "2026-11-09", "2026-11-02"]
    assert stale_alarm(SITE, weekly, last_new, now="2026-12-16T06:00:00Z") is None  # 16 < 21
    assert stale_alarm(SITE, weekly, last_new, now="2026-12-23T06:00:00Z") is not None
    assert stale_alarm(SITE, daily[:3], last_new, now="2027-06-01T00:00:00Z") is None  # no rhythm


def test_stale_is_judged_only_for_a_run_that_found_nothing_new():
    good = row_of([article(n) for n in range(10)])
    days = [f"2026-10-{day:02d}" for day in range(30, 20, -1)]
    rhythm = (days, "2026-10-30T06:00:00Z")
    nothing = row_of([], new=0)
    alarms = judge_site(nothing, past(good), rhythm, now="2026-12-01T00:00:00Z")
    assert [alarm.kind for alarm in alarms] == ["stale"]
    fresh = row_of([article(n) for n in range(10)])
    assert judge_site(fresh, past(good), rhythm, now="2026-12-01T00:00:00Z") == []


# --------------------------------------------------------------------------- archive


def test_run_sites_rows_and_run_alarms_round_trip(tmp_path):
    with Archive(tmp_path / "a.db") as archive:
        first = archive.start_run({"sites": [f"https://{SITE}/"]})
        archive.record_run_sites(first, [dict(row_of([article(1)]), alarms=[])])
        archive.finish_run(first, "ok", {"fetched": 1}, alarms=[])
        second = archive.start_run({"sites": [f"https://{SITE}/"]})
        alarm = {"site": SITE, "kind": "stale", "message": "m", "figures": {}}
        archive.record_run_sites(second, [dict(row_of([]), alarms=[alarm])])
        archive.finish_run(second, "failed", {"fetched": 0}, alarms=[alarm])
        assert [row["run_id"] for row in archive.site_runs(SITE)] == [first]  # 'ok' only
        both = archive.site_runs(SITE, completed=False)
        assert [row["run_id"] for row in both] == [second, first]
        assert both[0]["alarms"] == [alarm] and both[1]["fill"]["tt"]["n"] == 1
        assert archive.site_runs(SITE, before_run=first) == []
        stored = archive.db.execute("SELECT alarms FROM runs ORDER BY id").fetchall()
        assert [json.loads(text) for (text,) in stored] == [[], [alarm]]


# --------------------------------------------------------------------------- the crawl


def run(*args):
    return CliRunner().invoke(cli.main, [str(a) for a in args])


def run_rows(db) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT id, status, alarms FROM runs ORDER BY id").fetchall()


def test_a_template_switch_mid_life_raises_an_alarm_and_exit_3(tmp_path):
    site = build_site(seed=31, n_articles=40)
    db = tmp_path / "a.db"
    with ReplicaServer(site) as server:
        crawl = ("crawl", "--db", db, "--site", server.base_url, *FAST, "--quiet")
        first = run(*crawl)  # a new site: no history, no alarm
        assert first.exit_code == 0, first.stderr
        assert first.stdout == "" and first.stderr == ""
        site.add_articles(6)
        second = run(*crawl)  # a normal incremental run
        assert (second.exit_code, second.stdout, second.stderr) == (0, "", "")
        nothing = run(*crawl)  # nothing new at all: still no alarm
        assert (nothing.exit_code, nothing.stdout, nothing.stderr) == (0, "", "")
        # the template changes: the new articles come with their body emptied
        for tc in site.add_articles(6):
            site.edit(tc, body_paragraphs=["Xem chi tiết trong tệp đính kèm."])
        switched = run(*crawl)
        host = server.base_url.split("//", 1)[1].rstrip("/")
    assert switched.exit_code == 3, switched.stderr
    assert switched.stdout == ""
    lines = switched.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"scrape: alarm: {host}: body of 200+ chars filled in 0% of 6 tt")
    assert [alarms for _, _, alarms in run_rows(db)][:3] == ["[]", "[]", "[]"]
    (stored,) = json.loads(run_rows(db)[-1][2])
    assert stored["kind"] == "fill_drop" and stored["figures"]["field"] == "body"
    status = run("status", "--db", db, "--format", "json")
    (entry,) = json.loads(status.stdout)["sites"]
    assert entry["health"]["alarms"][0]["kind"] == "fill_drop"
    assert [step["run_id"] for step in entry["health"]["trend"]] == [1, 2, 3, 4]
    assert entry["health"]["trend"][-1]["body"] == 0.0
    assert json.loads(status.stdout)["last_run"]["alarms"][0]["kind"] == "fill_drop"
    table = run("status", "--db", db).stdout
    assert f"{host}: run #4 ok" in table and "alarm: body of 200+ chars" in table


def test_all_hosts_unreachable_exit_3_with_one_line_per_site(tmp_path):
    db = tmp_path / "a.db"
    ports = sorted(free_port() for _ in range(2))
    sites = [f"http://127.0.0.1:{port}/" for port in ports]
    result = run("crawl", "--db", db, "--site", sites[0], "--site", sites[1], *FAST, "--quiet")
    assert result.exit_code == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, lines
    for port, line in zip(ports, lines, strict=True):
        assert line.startswith(f"scrape: alarm: 127.0.0.1:{port}: unreachable the whole run")
        assert "connection refused" in line
    (alarms,) = [json.loads(text) for _, _, text in run_rows(db)]
    assert {alarm["figures"]["failure"] for alarm in alarms} == {"refused"}


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/", "http://", "http:/x", "not a url", "http://a b/", "javascript:x()",
     "http://host:99999/", "mailto:a@b.vn", "http://-bad-.vn/"],
)  # fmt: skip
def test_a_bad_site_url_is_a_usage_error(tmp_path, url):
    result = run("crawl", "--db", tmp_path / "a.db", "--site", url)
    assert result.exit_code == 2 and "--site" in result.stderr
    assert not (tmp_path / "a.db").exists()


def test_notify_gets_the_alarms_and_its_failure_is_one_line(tmp_path):
    db = tmp_path / "a.db"
    dead = f"http://127.0.0.1:{free_port()}/"
    sent = tmp_path / "mail.txt"
    result = run("crawl", "--db", db, "--site", dead, *FAST, "--quiet", "--notify", f"cat > {sent}")
    assert result.exit_code == 3
    text = sent.read_text(encoding="utf-8").splitlines()
    assert text[0].startswith("scrape crawl: run #1") and "1 alarm" in text[0]
    assert "unreachable the whole run" in text[1] and len(text) == 2
    failing = run("crawl", "--db", db, "--site", dead, *FAST, "--quiet", "--notify", "exit 7")
    assert failing.exit_code == 3  # the notifier's failure never changes the outcome
    assert (
        failing.stderr.strip().splitlines()[-1]
        == "scrape: --notify command failed (exit 7): exit 7"
    )


def test_notify_is_not_run_without_alarms(tmp_path):
    site = build_site(seed=32, n_articles=12)
    sent = tmp_path / "mail.txt"
    with ReplicaServer(site) as server:
        result = run(
            "crawl", "--db", tmp_path / "a.db", "--site", server.base_url, *FAST, "--quiet",
            "--notify", f"cat > {sent}",
        )  # fmt: skip
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert not sent.exists()


def test_json_log_carries_each_alarm_as_an_event(tmp_path):
    dead = f"http://127.0.0.1:{free_port()}/"
    result = run("crawl", "--db", tmp_path / "a.db", "--site", dead, *FAST, "--log-format", "json")
    assert result.exit_code == 3
    events = [json.loads(line) for line in result.stderr.strip().splitlines()]
    (alarm,) = [event for event in events if event["event"] == "alarm"]
    assert alarm["kind"] == "unreachable" and alarm["figures"]["failure"] == "refused"
    assert json.loads(result.stdout)["alarms"] == 1


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # the crawler follows redirects itself
        return None


PARAGRAPH = re.compile(rb"<p\b[^>]*>.*?</p>", re.S | re.I)


def relay(upstream: str, state: dict):
    """A front server's app: pass every request to the replica at upstream, its own address
    written in place of the replica's; once state["switched"], the pages come in another
    layout (every paragraph element gone: the text moved where the profile does not look)."""
    opener = urllib.request.build_opener(_NoRedirect)
    up = upstream.split("//", 1)[1].rstrip("/")

    def app(hit):
        data = hit.body if hit.method == "POST" else None
        request = urllib.request.Request(upstream.rstrip("/") + hit.path, data, method=hit.method)
        if "content-type" in hit.headers:
            request.add_header("Content-Type", hit.headers["content-type"])
        try:
            with opener.open(request, timeout=10) as response:
                status, body, headers = response.status, response.read(), response.headers
        except urllib.error.HTTPError as answer:
            status, body, headers = answer.code, answer.read(), answer.headers
        body = body.replace(up.encode(), state["me"].encode())
        if state["switched"]:
            body = PARAGRAPH.sub(b"", body)
        kept = [
            (name, value.replace(up, state["me"]))
            for name, value in headers.items()
            if name.lower() in ("content-type", "location")
        ]
        return Reply(status, body, kept)

    return app


def test_another_layout_mid_life_raises_alarms_and_exit_3(tmp_path):
    site = build_site(seed=33, n_articles=30)
    db = tmp_path / "a.db"
    state = {"switched": False}
    with ReplicaServer(site) as replica, Server(relay(replica.base_url, state)) as front:
        state["me"] = front.host
        crawl = ("crawl", "--db", db, "--site", front.url("/"), *FAST, "--quiet")
        for _ in range(2):  # the usual layout: no alarm
            ok = run(*crawl)
            assert (ok.exit_code, ok.stdout, ok.stderr) == (0, "", "")
        state["switched"] = True
        switched = run(*crawl, "--full")  # every known article fetched again
    assert switched.exit_code == 3 and switched.stdout == ""
    lines = switched.stderr.strip().splitlines()
    assert lines and all(line.startswith(f"scrape: alarm: {front.host}: ") for line in lines)
    assert any("body of 200+ chars filled in" in line for line in lines)
    (_, _, alarms), *_ = reversed(run_rows(db))
    assert {alarm["kind"] for alarm in json.loads(alarms)} == {"fill_drop"}


def test_status_of_an_archive_from_before_run_health(tmp_path):
    from scraper.status import archive_status, format_status

    path = tmp_path / "old.db"
    with Archive(path) as archive:
        run_id = archive.start_run({"sites": [f"https://{SITE}/"]})
        archive.save_article(
            article(1), fetched_at="2026-12-01T00:00:00Z", page_sha=None, run_id=run_id
        )
        archive.finish_run(run_id, "ok", {"new": 1})
        archive.db.execute("DROP TABLE run_sites")
        archive.db.execute("ALTER TABLE runs DROP COLUMN alarms")
    conn = sqlite3.connect(path)
    try:
        data = archive_status(conn)
    finally:
        conn.close()
    (entry,) = data["sites"]
    assert entry["health"] is None and data["last_run"]["alarms"] is None
    text = format_status(data)
    assert "health" not in text and "alarm" not in text
