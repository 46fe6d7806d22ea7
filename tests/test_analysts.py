"""What analysts see: the schema documentation against a real archive, Datasette metadata and
canned queries over HTTP, the SVG charts, and the HTML report rendered in headless Chromium.

The archive is a real one: three crawls of a small replica with an edited title, an edited
body then captions, and a deleted article (gone after two runs). Datasette tests skip when
it is not installed (`pip install 'scraper[serve]'`), browser tests when /usr/bin/chromium
is missing (`apt-get install -y chromium`).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import socket
import sqlite3
import struct
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.analysts import charts as ch
from scraper.analysts.metadata import CANNED_QUERIES, build_metadata, canned_queries
from scraper.analysts.report import write_report
from scraper.analysts.schema_doc import SCHEMA, actual, documented
from scraper.analysts.serve import INSTALL_HINT, DatasetteMissing, make_datasette
from scraper.cli import main
from scraper.crawl import run_crawl
from scraper.replica import ReplicaServer, build_site
from scraper.search import fold
from tests.test_crawl import config_for

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)
NEW_TITLE = "Lễ hội đua ghe truyền thống trên dòng sông Hương"


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """Three crawls of a 40-article replica: run 2 sees an edited title and body, run 3 a
    changed caption and a deleted article turned gone. Yields (db path, facts)."""
    site = build_site(seed=11, n_articles=40)
    db = tmp_path_factory.mktemp("analysts") / "archive.db"
    with ReplicaServer(site) as server:
        assert run_crawl(db, config_for(server.base_url)).status == "ok"
        tcs = site.tcs()
        titled, bodied, victim = tcs[1], tcs[2], tcs[3]
        site.edit(titled, title=NEW_TITLE)
        site.edit(bodied, body_paragraphs=["Người dân làng chài đón mùa cá mới bên phá Tam Giang."])
        site.delete(victim)
        run_crawl(db, config_for(server.base_url, full=True))
        site.edit(bodied, captions=["Ảnh: thuyền về bến lúc bình minh"])
        run_crawl(db, config_for(server.base_url, full=True))
        facts = {
            "titled": site.article_id(titled, server.base_url),
            "bodied": site.article_id(bodied, server.base_url),
            "gone": site.article_id(victim, server.base_url),
            "site": site.article_id(titled, server.base_url).split("/")[0],
        }
    yield db, facts


def connect(db) -> sqlite3.Connection:
    return sqlite3.connect(db)


# --------------------------------------------------------------------------- schema_doc


def test_every_table_and_column_of_an_archive_is_documented_and_nothing_more(archive):
    db, _ = archive
    conn = connect(db)
    try:
        have = actual(conn)
    finally:
        conn.close()
    docs = documented()
    undocumented = {t: sorted(cols - docs.get(t, set())) for t, cols in have.items()}
    undocumented = {t: c for t, c in undocumented.items() if c or t not in docs}
    assert not undocumented, f"add these to scraper/analysts/schema_doc.py: {undocumented}"
    stale = {t: sorted(cols - have.get(t, set())) for t, cols in docs.items()}
    stale = {t: c for t, c in stale.items() if c or t not in have}
    assert not stale, f"documented but not in the archive: {stale}"
    assert {"articles", "revisions", "runs", "article_latest", "articles_fts_folded_idx"} <= set(
        have
    )


def test_every_documented_column_has_a_description():
    for table, doc in SCHEMA.items():
        assert doc.description.strip(), table
        assert doc.columns, table
        for name, column in doc.columns.items():
            assert column.description.strip(), f"{table}.{name}"


# --------------------------------------------------------------------------- metadata


def test_metadata_describes_tables_with_facets_search_units_and_hidden_tables(archive):
    db, _ = archive
    conn = connect(db)
    try:
        meta = build_metadata("archive", conn)
    finally:
        conn.close()
    json.dumps(meta)  # what Datasette reads must be plain JSON
    tables = meta["databases"]["archive"]["tables"]
    articles = tables["articles"]
    assert articles["fts_table"] == "articles_fts"
    assert articles["facets"] == ["site", "category", "status"]
    assert "breadcrumb" in articles["columns"]["category"]
    assert "ISO-8601" in articles["columns"]["first_seen"]
    assert tables["fetches"]["units"] == {"elapsed_ms": "ms", "bytes": "B"}
    assert tables["articles_fts_data"]["hidden"] and tables["page_dicts"]["hidden"]
    assert "hidden" not in tables["revisions"]
    assert set(meta["databases"]["archive"]["queries"]) == set(CANNED_QUERIES)


def test_metadata_leaves_out_what_an_older_archive_lacks():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE articles (id TEXT PRIMARY KEY, site TEXT, title TEXT)")
    conn.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY, status TEXT)")
    meta = build_metadata("old", conn)
    tables = meta["databases"]["old"]["tables"]
    assert set(tables) == {"articles", "runs"}
    assert set(tables["articles"]["columns"]) == {"id", "site", "title"}
    assert tables["articles"]["facets"] == ["site"]
    assert canned_queries(conn) == {}  # every canned query needs something missing
    assert set(canned_queries(None)) == set(CANNED_QUERIES)


# --------------------------------------------------------------------------- charts


def test_months_fill_the_gaps_of_a_time_axis():
    assert ch.months("2023-11", "2024-02") == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert ch.months("2024-05", "2024-05") == ["2024-05"]


def test_bar_chart_draws_one_rect_per_nonzero_value_with_its_tooltip():
    svg = ch.bar_chart("T", ["2024-01", "2024-02"], [("a", [3, 0]), ("b", [1, 2])], "n")
    bars = re.findall(r"<rect [^>]*><title>([^<]*)</title></rect>", svg)
    assert bars == ["2024-01 · a: 3", "2024-01 · b: 1", "2024-02 · b: 2"]
    assert svg.startswith("<svg") and svg.endswith("</svg>")


def test_charts_of_the_archive(archive):
    db, facts = archive
    conn = connect(db)
    try:
        items = {c.key: c for c in ch.charts(conn)}
        articles_in_months = conn.execute(
            "SELECT COUNT(*) FROM articles WHERE published IS NOT NULL"
        ).fetchone()[0]
    finally:
        conn.close()
    per_month = items["articles_per_month"].svg
    counted = sum(int(v) for v in re.findall(r"<title>[^<]*: (\d+)</title>", per_month))
    assert counted == articles_in_months
    revisions = items["revisions_per_month"].svg
    assert re.search(r"· first version: 40<", revisions)
    assert re.search(r"· edit: 3<", revisions)
    health = items["field_health"]
    assert health.title == "Field health per run"
    assert re.search(r"run 1 \(40\) · title: 100<", health.svg)
    assert re.search(r"run 3 \(1\) · captions: 100<", health.svg)
    origin = items["revisions_by_origin"]  # every revision here came from a crawl
    assert origin.note is None and re.search(r">crawl</text>", origin.svg)
    assert not re.search(r">(wayback|warc)</text>", origin.svg)


def test_field_health_shows_the_last_runs_only(archive, monkeypatch):
    db, _ = archive
    monkeypatch.setattr(ch, "HEALTH_GROUPS", 2)
    conn = connect(db)
    try:
        svg = ch.field_health(conn).svg
    finally:
        conn.close()
    shown = sorted(set(re.findall(r"<title>run (\d+) ", svg)))
    assert shown == ["2", "3"]


def test_charts_follow_optional_columns_and_fall_back_without_runs(archive, tmp_path):
    db, facts = archive
    copy = tmp_path / "copy.db"
    src = connect(db)
    dst = sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.execute("UPDATE revisions SET run_id = NULL")
    dst.commit()
    items = {c.key: c for c in ch.charts(dst)}
    assert "· crawl: 43<" in items["revisions_by_origin"].svg
    assert items["field_health"].title == "Field health per month"
    assert "<circle" in items["field_health"].svg
    mini = sqlite3.connect(":memory:")  # an archive without revisions at all
    mini.execute("CREATE TABLE articles (id TEXT, site TEXT, published TEXT, status TEXT)")
    notes = {c.key: c.note for c in ch.charts(mini)}
    assert "revisions.fetched_at" in notes["revisions_per_month"]
    assert notes["articles_per_month"] == "No dated article yet."


# --------------------------------------------------------------------------- report


def test_report_is_one_self_contained_file(archive, tmp_path):
    db, facts = archive
    out = write_report(db, tmp_path / "report.html")
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html, re.I)
    assert "@import" not in html and "url(" not in html
    assert html.count("<svg") == 4  # four charts, the origin chart included
    assert facts["gone"] in html and NEW_TITLE in html
    one = write_report(db, tmp_path / "other.html", site="stp.thuathienhue.gov.vn")
    text = one.read_text(encoding="utf-8")
    assert "No dated article yet." in text and text.count("<svg") == 0


def test_report_command_writes_the_file(archive, tmp_path):
    db, _ = archive
    out = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["report", "--db", str(db), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists() and "<svg" in out.read_text(encoding="utf-8")
    missing = CliRunner().invoke(main, ["report", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 1 and "no archive at" in missing.output


@pytest.mark.parametrize("command", ["serve", "report"])
def test_command_help_ends_with_an_example(command):
    # through the group: click caches a command's help option on first use
    help_text = CliRunner().invoke(main, [command, "--help"]).output
    assert re.search(r"Example: scrape (serve|report) --db archive\.db", help_text)


# --------------------------------------------------------------------------- serve


def test_serve_without_datasette_says_how_to_install_it(archive, monkeypatch):
    db, _ = archive
    monkeypatch.setitem(sys.modules, "datasette.app", None)  # import fails
    with pytest.raises(DatasetteMissing) as info:
        make_datasette(db)
    assert str(info.value) == "scrape serve needs Datasette: pip install 'scraper[serve]'"
    result = CliRunner().invoke(main, ["serve", "--db", str(db)])
    assert result.exit_code == 1 and INSTALL_HINT in result.output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str, str]:
    with urllib.request.urlopen(url, timeout=20) as answer:
        return answer.status, answer.headers.get("content-type", ""), answer.read().decode()


@contextlib.contextmanager
def running(db: Path, log: Path):
    """`serve(db)` in a subprocess on a free port until the block ends; yields its URL."""
    port = free_port()
    code = f"from scraper.analysts.serve import serve; serve({str(db)!r}, port={port})"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                get(base + "/-/versions.json")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"datasette did not start: {log.read_text(errors='replace')}")
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


needs_datasette = pytest.mark.skipif(
    importlib.util.find_spec("datasette") is None,
    reason="Datasette not installed: pip install 'scraper[serve]'",
)


@pytest.fixture(scope="module")
def server(archive, tmp_path_factory):
    pytest.importorskip("datasette", reason="Datasette not installed: pip install 'scraper[serve]'")
    db, facts = archive
    with running(db, tmp_path_factory.mktemp("serve") / "serve.log") as base:
        yield base, db, facts


@needs_datasette
def test_served_archive_shows_what_a_writer_commits_to_the_wal(archive, tmp_path):
    db, facts = archive
    copy = tmp_path / "archive.db"
    src, dst = sqlite3.connect(db), sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    assert dst.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
    dst.execute("PRAGMA wal_autocheckpoint = 0")  # what the writer commits stays in the WAL
    with running(copy, tmp_path / "serve.log") as base:
        before = query_rows(base, "gone_articles", db="archive")
        assert [r["id"] for r in before] == [facts["gone"]]
        with dst:
            dst.execute("UPDATE articles SET status = 'gone' WHERE id = ?", [facts["titled"]])
        assert (tmp_path / "archive.db-wal").stat().st_size > 0
        after = query_rows(base, "gone_articles", db="archive")
        assert {r["id"] for r in after} == {facts["gone"], facts["titled"]}
    dst.close()


def query_rows(base: str, name: str, db: str = "archive", **params) -> list[dict]:
    query = urllib.parse.urlencode({**params, "_shape": "array"})
    status, _, body = get(f"{base}/{db}/{name}.json?{query}")
    assert status == 200
    return json.loads(body)


def test_every_canned_query_returns_rows(server):
    base, db, facts = server
    word = NEW_TITLE.split()[-1]  # Hương
    exact = query_rows(base, "search", q=word)
    assert facts["titled"] in {r["id"] for r in exact}
    folded = query_rows(base, "search_folded", q=fold("đua ghe"))  # 'dua ghe', no marks
    assert folded[0]["id"] == facts["titled"]
    assert query_rows(base, "search_folded", q="đua ghe")[0]["id"] == facts["titled"]
    assert query_rows(base, "search", q="") == []
    revisions = query_rows(base, "article_revisions", id=facts["bodied"])
    fields = {r["revision"]: json.loads(r["changed_fields"]) for r in revisions}
    assert set(fields) == {1, 2, 3}
    assert fields[1] == [] and "body" in fields[2] and fields[3] == ["captions"]
    changed = query_rows(base, "changed_since", since="2000-01-01")
    assert {(r["article_id"], r["revision"]) for r in changed} == {
        (facts["titled"], 2),
        (facts["bodied"], 2),
        (facts["bodied"], 3),
    }
    assert [r["id"] for r in query_rows(base, "gone_articles")] == [facts["gone"]]
    runs = query_rows(base, "run_health")
    assert [(r["id"], r["new"], r["changed"], r["gone"]) for r in runs] == [
        (3, 0, 1, 1),
        (2, 0, 2, 0),
        (1, 40, 0, 0),
    ]
    assert all(r["requests"] > 0 and r["failed_requests"] == 0 for r in runs)


def test_metadata_is_served(server):
    base, _, _ = server
    status, _, body = get(base + "/-/metadata.json")
    assert status == 200
    meta = json.loads(body)
    archive_meta = meta["databases"]["archive"]
    assert set(archive_meta["queries"]) == set(CANNED_QUERIES)
    assert archive_meta["tables"]["articles"]["fts_table"] == "articles_fts"
    _, _, page = get(base + "/archive/articles?_size=1")
    assert "the breadcrumb" in page  # column descriptions shown on the table page


def test_archive_is_served_read_only(server):
    base, _, _ = server
    sql = urllib.parse.urlencode({"sql": "DELETE FROM articles", "_shape": "array"})
    with pytest.raises(urllib.error.HTTPError) as info:
        get(f"{base}/archive.json?{sql}")
    assert info.value.code == 400
    rows = query_rows(base, "gone_articles")
    assert rows, "the archive lost rows"


def test_charts_page_answers_with_svg(server):
    base, _, facts = server
    status, ctype, page = get(base + "/-/charts")
    assert status == 200 and ctype.startswith("text/html")
    assert page.count("<svg") == 4 and "<script" not in page
    assert len(re.findall(r"<rect [^>]*><title>", page)) > 10
    _, _, one = get(base + "/-/charts?" + urllib.parse.urlencode({"site": facts["site"]}))
    assert one.count("<svg") == 4
    _, _, none = get(base + "/-/charts?site=nowhere.example")
    assert none.count("<svg") == 0 and "No dated article yet." in none
    _, _, home = get(base + "/")
    assert 'href="/-/charts"' in home  # the menu links to it


# --------------------------------------------------------------------------- browser


def png_pixels(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """(width, height, bytes per pixel, rows) of an 8-bit RGB/RGBA non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, ihdr = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
    width, height, depth, color, _, _, interlace = ihdr
    assert depth == 8 and interlace == 0 and color in (2, 6), ihdr
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif kind == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev, strict=True))
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif kind == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    return subprocess.run(
        [
            CHROMIUM,
            *CHROME_FLAGS,
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


needs_chromium = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} missing: apt-get install -y chromium"
)


@needs_chromium
def test_console_check_sees_a_page_error(tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text("<html><body><script>console.error('boom')</script></body></html>")
    run = chromium(tmp_path, "--dump-dom", bad.as_uri())
    assert any("boom" in line for line in console_messages(run.stderr))


@needs_chromium
def test_report_renders_in_chromium_with_charts_and_no_errors(archive, tmp_path):
    db, _ = archive
    page = write_report(db, tmp_path / "report.html")
    dom = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert console_messages(dom.stderr) == []
    assert dom.stdout.count("<svg") == 4
    bars = re.findall(r"<rect [^>]*><title>[^<]*: [1-9]", dom.stdout)
    points = re.findall(r"<circle [^>]*><title>", dom.stdout)
    lines = re.findall(r'<path d="M[^"]+L', dom.stdout)
    assert len(bars) > 20 and len(points) == 15 and len(lines) == 5
    shot = tmp_path / "report.png"
    run = chromium(tmp_path, "--window-size=900,1100", f"--screenshot={shot}", page.as_uri())
    assert run.returncode == 0 and shot.exists(), run.stderr[-2000:]
    assert console_messages(run.stderr) == []
    width, height, bpp, rows = png_pixels(shot.read_bytes())
    assert (width, height) == (900, 1100)
    grey = [sum(row[i : i + 3]) / 3 for row in rows[::4] for i in range(0, len(row), bpp * 4)]
    mean = sum(grey) / len(grey)
    variance = sum((g - mean) ** 2 for g in grey) / len(grey)
    assert variance > 100, f"blank screenshot (variance {variance:.1f})"
    blue = bytes((0x2B, 0x6C, 0xB0))  # the first series' colour: the bars were painted
    painted = sum(1 for row in rows for i in range(0, len(row), bpp) if row[i : i + 3] == blue)
    assert painted > 500, f"only {painted} pixels of bar colour"
