"""Site profiles: everything that knows a portal's URLs and markup lives under this package.

A *site* is one set of hosts that the crawler treats as one (a department's host under
thuathienhue.gov.vn and the same department under hue.gov.vn, where the portal moved in
2025). A *profile* knows one CMS: how to tell article URLs, article ids, how to extract
an Article and how to read a listing page. `profile_for(url)` picks one.

The built-in site list is `DEFAULT_SITES`; users edit theirs in a `sites.toml`
(scraper.sites.sitelist), which may also name hosts that are one site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from scraper.urls import host_of

if TYPE_CHECKING:
    from scraper.sites.profile import Profile

# Old and new registrable domains of the same portal family: a host under one is the
# same site as the host with the same first labels under the other (ASSUMED in SITE.md:
# old hosts redirect to new ones). The first domain of a pair is the one ids use.
DOMAIN_ALIASES: tuple[tuple[str, str], ...] = (("thuathienhue.gov.vn", "hue.gov.vn"),)

# The TT-CMS department and commune sub-sites seen in public material (SITE.md section 1).
DEFAULT_SITES: tuple[str, ...] = (
    "https://stttt.thuathienhue.gov.vn/",
    "https://sdl.thuathienhue.gov.vn/",
    "https://snnptnt.thuathienhue.gov.vn/",
    "https://stp.thuathienhue.gov.vn/",
    "https://syt.thuathienhue.gov.vn/",
    "https://ioc.thuathienhue.gov.vn/",
    "https://batdkt.thuathienhue.gov.vn/",
    "https://thuythanh.thuathienhue.gov.vn/",
    "https://vinhha.thuathienhue.gov.vn/",
    "https://vinhxuan.thuathienhue.gov.vn/",
    "https://quangan.thuathienhue.gov.vn/",
    # The provincial portal on DNN (SITE.md 1), at thuathienhue.gov.vn and www.
    "https://thuathienhue.gov.vn/",
)

# Hosts a site list entry names as one site (scraper.sites.sitelist): host -> the host ids
# use (the entry's first). Filled when a site list is loaded.
_HOST_ALIASES: dict[str, str] = {}


def register_host_aliases(hosts) -> None:
    """Make hosts one site for article ids: each maps to the first one's id host."""
    hosts = [h.lower() for h in hosts]
    primary = id_host(hosts[0])
    changed = False
    for host in hosts[1:]:
        bare = host[4:] if host.startswith("www.") else host
        if bare != primary and _HOST_ALIASES.get(bare) != primary:
            _HOST_ALIASES[bare] = primary
            changed = True
    if changed:
        id_host.cache_clear()


@lru_cache(maxsize=4096)
def id_host(host: str) -> str:
    """The host an article id is built on: 'www.' dropped, new domain mapped to the old one,
    so an article keeps its id when its site moves."""
    host = host.lower()
    if host.startswith("www."):
        host = host[4:]
    if host in _HOST_ALIASES:
        return _HOST_ALIASES[host]
    for primary, *aliases in DOMAIN_ALIASES:
        for alias in aliases:
            if host == alias or host.endswith("." + alias):
                return host[: -len(alias)] + primary
    return host


def alias_hosts(host: str, *, merge_aliases: bool = True) -> frozenset[str]:
    """Every host that is the same site as host (www. and the alias domain)."""
    base = id_host(host)
    names = {base}
    if merge_aliases:
        for primary, *aliases in DOMAIN_ALIASES:
            if base == primary or base.endswith("." + primary):
                stem = base[: -len(primary)]
                names.update(stem + alias for alias in aliases)
    names |= {"www." + name for name in names if name.count(".") == 1 or ":" not in name}
    names.add(host.lower())
    return frozenset(names)


@dataclass(frozen=True)
class Site:
    """One crawl target: its start URL and the hosts that belong to it."""

    start_url: str
    hosts: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_url(cls, url: str, *, merge_aliases: bool = True) -> Site:
        if "://" not in url:
            url = "https://" + url
        if url.count("/") < 3:
            url += "/"
        return cls(start_url=url, hosts=alias_hosts(host_of(url), merge_aliases=merge_aliases))

    @property
    def name(self) -> str:
        return id_host(host_of(self.start_url))

    def owns(self, url: str) -> bool:
        return host_of(url) in self.hosts


# The order profiles are tried in (issue: TT, then DNN, then the hue.gov.vn-era CMS, else
# generic). The generic profile claims everything, so it comes last.
PROFILE_NAMES: tuple[str, ...] = ("tt", "dnn", "hue", "generic")
_MODULES = {"tt": "tt", "dnn": "dnn", "hue": "hue", "generic": "anysite"}


@cache
def profile_named(name: str) -> Profile:
    """The profile called name ("tt", "dnn", "hue", "generic"); KeyError for others."""
    from importlib import import_module

    return import_module(f"scraper.sites.{_MODULES[name]}").PROFILE


def profiles() -> list[Profile]:
    """Every profile, in the order they are tried."""
    return [profile_named(name) for name in PROFILE_NAMES]


@lru_cache(maxsize=4096)
def profile_for(url: str) -> Profile:
    """The first profile whose URL rules claim url; the generic profile when none does."""
    for profile in profiles():
        if profile.claims_url(url):
            return profile
    return profile_named("generic")


def profile_for_page(url: str, html: str) -> Profile:
    """The profile of a fetched page: the first that claims its URL, else the first whose
    markup markers the page carries, else the generic profile."""
    claimed = profile_for(url)
    if claimed.name != "generic":
        return claimed
    for profile in profiles():
        if profile.name != "generic" and profile.claims_markup(html):
            return profile
    return _profile_of_links(url, html) or claimed


LINKS_TO_CLAIM = 3  # article links a page needs to be taken for their CMS's page
_HREF = re.compile(r"""href\s*=\s*["']([^"'#]+)""", re.IGNORECASE)


def _profile_of_links(url: str, html: str) -> Profile | None:
    """The profile whose article URLs the page links to most (a home or listing page of a
    CMS whose own URL and markup say nothing), when it links to LINKS_TO_CLAIM or more."""
    from collections import Counter

    from scraper.urls import resolve

    counts: Counter[str] = Counter()
    for href in dict.fromkeys(_HREF.findall(html)):
        target = resolve(url, href)
        if target is None:
            continue
        owner = profile_for(target)
        if owner.name != "generic" and owner.article_id(target) is not None:
            counts[owner.name] += 1
    if not counts:
        return None
    name, count = counts.most_common(1)[0]
    return profile_named(name) if count >= LINKS_TO_CLAIM else None


def article_id(url: str) -> str | None:
    """The article id of url by the rules of the profile that claims it; None when the
    URL is not an article's."""
    return profile_for(url).article_id(url)


def page_id(url: str) -> str:
    """The id of any page whose URL no rule reads an article id from (a page a sitemap or a
    feed lists): the id host plus the path, plus the sorted query when there is one."""
    from urllib.parse import unquote, urlsplit

    from scraper.urls import canonical

    parts = urlsplit(canonical(url))
    key = f"{id_host(host_of(url))}{unquote(parts.path)}"
    return f"{key}?{parts.query}" if parts.query else key
