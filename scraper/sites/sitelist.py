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

import ipaddress
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from scraper.errors import InputError
from scraper.sites import Site, alias_hosts, register_host_aliases
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


def check_url(value: str, where: str | None = None) -> str:
    """value as a site's start URL: an http(s) URL with a valid host (a bare host gets
    https://). InputError, saying why, for anything else."""
    text = value.strip()

    def bad(why: str) -> InputError:
        prefix = f"{where}: " if where else ""
        return InputError(f"{prefix}{value!r} is not an http(s) URL: {why}")

    if not text or any(ch.isspace() for ch in text):
        raise bad("it is empty or holds spaces")
    if "://" not in text:
        scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):(?!\d)", text)
        if scheme:
            raise bad(f"the scheme {scheme.group(1)!r} without '//'")
        if "@" in text or text.startswith(("/", ":")):
            raise bad("no host")
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        raise bad(f"the scheme is {parts.scheme!r}")
    try:
        host, _ = parts.hostname, parts.port
    except ValueError as exc:
        raise bad(str(exc)) from None
    if not host or parts.username is not None:
        raise bad("no host")
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise bad(f"{host!r} is not a host") from None
    elif not re.fullmatch(r"[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)*\.?", host):
        raise bad(f"{host!r} is not a host name")
    return text


def builtin_sites() -> list[SiteEntry]:
    from scraper import sites  # read at call time: the list is editable in place

    return [SiteEntry(url) for url in sites.DEFAULT_SITES]


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
