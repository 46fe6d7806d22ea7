"""The editable site list (sites.toml / --sites-file), `scrape sites --check`, and proxies
taken from the environment."""

from __future__ import annotations

import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from scraper.cli import main
from scraper.errors import InputError
from scraper.replica import ReplicaServer, build_site
from scraper.sites import DEFAULT_SITES, id_host
from scraper.sites.sitelist import check_url, load_site_list, read_site_file

SITES_TOML = """
[[site]]
url = "https://sdl.hue.gov.vn/"
name = "Sở Du lịch"

[[site]]
url = "http://tin.example.vn/"
hosts = ["www.tin-cu.example.vn", "tin.example.vn"]
"""


def test_the_built_in_family_is_used_without_a_file(tmp_path):
    entries = load_site_list(cwd=tmp_path)
    assert [entry.url for entry in entries] == list(DEFAULT_SITES)
    assert "https://thuathienhue.gov.vn/" in DEFAULT_SITES  # the DNN portal is crawled too


def test_sites_toml_in_the_working_directory_wins(tmp_path):
    (tmp_path / "sites.toml").write_text(SITES_TOML, encoding="utf-8")
    entries = load_site_list(cwd=tmp_path)
    assert [entry.url for entry in entries] == ["https://sdl.hue.gov.vn/", "http://tin.example.vn/"]
    assert entries[0].name == "Sở Du lịch"


def test_hosts_of_one_entry_are_one_site_with_one_id_host(tmp_path):
    path = tmp_path / "list.toml"
    path.write_text(SITES_TOML, encoding="utf-8")
    entries = load_site_list(path)
    site = entries[1].site()
    assert site.owns("https://tin-cu.example.vn/bai-viet.html")
    assert site.owns("http://www.tin-cu.example.vn/a")
    assert id_host("tin-cu.example.vn") == id_host("tin.example.vn") == "tin.example.vn"
    # the built-in pair stays one site
    assert entries[0].site().owns("https://sdl.thuathienhue.gov.vn/?gd=1&tc=5")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[site]]\nurl = 'ftp://x.vn/'\n", "not an http(s) URL"),
        ("[[site]]\nname = 'x'\n", "needs url"),
        ("[[site]]\nurl = 'https://x.vn/'\nport = 1\n", "unknown key 'port'"),
        ("[[site]]\nurl = 'https://x.vn/'\nhosts = 'y.vn'\n", "hosts must be a list"),
        ("url = 'https://x.vn/'\n", "no [[site]] entries"),
        ("[[site]\n", "not valid TOML"),
    ],
)
def test_a_bad_site_file_is_one_clear_error(tmp_path, text, message):
    path = tmp_path / "sites.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="sites.toml") as info:
        read_site_file(path)
    assert message in str(info.value)


@pytest.mark.parametrize("url", ["not a url", "ftp://example.com/", "http://", "http://h:99999/"])
def test_check_url_refuses_what_cannot_be_crawled(url):
    with pytest.raises(InputError):
        check_url(url)


def test_crawl_refuses_a_bad_site_as_a_usage_error(tmp_path):
    for url in ("not a url", "ftp://example.com/"):
        result = CliRunner().invoke(main, ["crawl", "--db", str(tmp_path / "a.db"), "--site", url])
        assert result.exit_code == 2, result.output
        assert not (tmp_path / "a.db").exists()


def test_sites_lists_the_file_given(tmp_path):
    path = tmp_path / "list.toml"
    path.write_text(SITES_TOML, encoding="utf-8")
    result = CliRunner().invoke(
        main, ["sites", "--sites-file", str(path), "--db", str(tmp_path / "none.db")]
    )
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["https://sdl.hue.gov.vn/", "http://tin.example.vn/"]


def test_sites_check_probes_each_site_once(tmp_path):
    site = build_site(seed=2, n_articles=20, today=date(2026, 11, 20))
    dead = "http://127.0.0.1:9/"
    with ReplicaServer(site, layout="hue") as hue, ReplicaServer(site, layout="tt") as tt:
        path = tmp_path / "sites.toml"
        path.write_text(
            f'[[site]]\nurl = "{hue.base_url}"\n\n[[site]]\nurl = "{tt.base_url}"\n\n'
            f'[[site]]\nurl = "{dead}"\n',
            encoding="utf-8",
        )
        result = CliRunner().invoke(
            main, ["sites", "--check", "--sites-file", str(path), "--format", "json"]
        )
    assert result.exit_code == 0, result.output
    checks = {row["url"]: row for row in json.loads(result.output)}
    assert checks[hue.base_url]["profile"] == "hue"  # its home page links to its articles
    assert checks[hue.base_url]["sitemap"].endswith("/sitemap.xml")
    assert checks[hue.base_url]["feed"].endswith("/rss.xml")
    assert checks[tt.base_url]["profile"] == "tt"
    assert checks[tt.base_url]["sitemap"] is None and checks[tt.base_url]["ok"]
    assert not checks[dead]["ok"] and checks[dead]["profile"] is None


class _Proxy(BaseHTTPRequestHandler):
    """A forward proxy for plain http: answers every absolute-URI request itself."""

    seen: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's naming
        type(self).seen.append(self.path)
        if self.path.endswith("/robots.txt"):
            body = b"User-agent: *\nAllow: /\n"
            kind = "text/plain"
        else:
            body = "<html><head><title>Trang chủ</title></head><body><p>Xin chào</p></body></html>"
            body, kind = body.encode("utf-8"), "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_proxies_come_from_the_environment(tmp_path, monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        proxy = f"http://127.0.0.1:{server.server_address[1]}"
        for name in ("HTTP_PROXY", "http_proxy"):
            monkeypatch.setenv(name, proxy)
        for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.delenv(name, raising=False)
        path = tmp_path / "sites.toml"
        path.write_text('[[site]]\nurl = "http://cong-thong-tin.invalid/"\n', encoding="utf-8")
        _Proxy.seen = []
        result = CliRunner().invoke(main, ["sites", "--check", "--sites-file", str(path)])
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 0, result.output
    assert "http://cong-thong-tin.invalid/robots.txt" in _Proxy.seen
    assert "http://cong-thong-tin.invalid/" in _Proxy.seen
    assert "HTTP 200" in result.output
