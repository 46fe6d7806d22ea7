"""The editable site list: which sites `scrape crawl` visits when no --site is given.

Read from `--sites-file FILE`, else `sites.toml` in the working directory, else the
built-in family (`scraper.sites.DEFAULT_SITES`: the TT sub-sites and the DNN portal).
The file is TOML, one `[[site]]` table per site:

    [[site]]
    url = "https://sdl.hue.gov.vn/"                       # where a crawl starts
    hosts = ["sdl.thuathienhue.gov.vn", "sdl.hue.gov.vn"]  # optional: hosts of the same site
    name = "Sở Du lịch"                                    # optional: a label for people

Hosts a site entry names are one site: redirects between them are followed, and an
article keeps one id whichever host serves it (the first host of the entry is the one ids
use, like the built-in thuathienhue.gov.vn / hue.gov.vn pairs, which stay).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from scraper.errors import InputError
from scraper.sites import DEFAULT_SITES, Site, alias_hosts, register_host_aliases
from scraper.urls import host_of

SITES_FILE = "sites.toml"


@dataclass(frozen=True)
class SiteEntry:
    """One entry of the site list."""

    url: str
    hosts: tuple[str, ...] = ()
    name: str | None = None

    def site(self, *, merge_aliases: bool = True) -> Site:
        """The crawl target: the start URL's hosts plus every host the entry names."""
        site = Site.from_url(self.url, merge_aliases=merge_aliases)
        hosts = set(site.hosts)
        for host in self.hosts:
            bare = host.lower().removeprefix("www.")
            hosts |= {bare, "www." + bare} | alias_hosts(bare, merge_aliases=merge_aliases)
        return Site(start_url=site.start_url, hosts=frozenset(hosts))


def check_url(url: str, where: str = "--site") -> str:
    """url when it is an absolute http(s) URL with a host; InputError otherwise."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InputError(f"{where}: not an http(s) URL: {url!r}")
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        raise InputError(f"{where}: bad port in {url!r}") from exc
    return url.strip()


def builtin_sites() -> list[SiteEntry]:
    return [SiteEntry(url) for url in DEFAULT_SITES]


def read_site_file(path: str | Path) -> list[SiteEntry]:
    """The entries of a sites.toml; InputError with the file and entry for any mistake."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from exc
    tables = data.get("site")
    if not isinstance(tables, list) or not tables:
        raise InputError(f"{path}: no [[site]] entries")
    entries = []
    for number, table in enumerate(tables, 1):
        where = f"{path}: site {number}"
        if not isinstance(table, dict) or not isinstance(table.get("url"), str):
            raise InputError(f'{where}: needs url = "https://..."')
        unknown = set(table) - {"url", "hosts", "name"}
        if unknown:
            raise InputError(f"{where}: unknown key {sorted(unknown)[0]!r}")
        hosts = table.get("hosts", [])
        if not isinstance(hosts, list) or not all(isinstance(h, str) and h for h in hosts):
            raise InputError(f"{where}: hosts must be a list of host names")
        name = table.get("name")
        entries.append(
            SiteEntry(
                check_url(table["url"], where),
                tuple(h.strip().lower() for h in hosts),
                name if isinstance(name, str) else None,
            )
        )
    return entries


def load_site_list(path: str | Path | None = None, *, cwd: Path | None = None) -> list[SiteEntry]:
    """The site list in force: path, else ./sites.toml, else the built-in family. The hosts
    each entry names are registered as one site for article ids."""
    if path is None:
        local = (cwd or Path.cwd()) / SITES_FILE
        path = local if local.is_file() else None
    entries = read_site_file(path) if path is not None else builtin_sites()
    for entry in entries:
        if entry.hosts:
            register_host_aliases((host_of(entry.url), *entry.hosts))
    return entries
