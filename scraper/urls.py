"""Pure URL functions: canonical form, resolution, and which host belongs to which site.

Nothing here knows a CMS; the site profiles (scraper.sites) build on these.
"""

from __future__ import annotations

import html
from functools import lru_cache
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


# The functions below are pure and called for every link of every page. A page's chrome
# repeats the same links and an article's "Các tin khác" names the ten next-older ones, so
# a URL comes back soon after it is first seen: a small memo catches it, and memory stays
# flat however large the crawl (8,192 entries: about 3 MB per function).
MEMO = 1 << 13


@lru_cache(maxsize=MEMO)
def host_of(url: str) -> str:
    """Lower-case host with a non-default port kept: 'sdl.thuathienhue.gov.vn', '127.0.0.1:81'."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    if port and port != DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    return host


def resolve(base: str, href: str | None) -> str | None:
    """Absolute URL of href (as the HTML parser gives it: entities already decoded) on page
    base; None for javascript:, mailto:, fragments, empties and non-HTTP schemes."""
    if not href:
        return None
    href = href.strip()
    if not href or href[0] == "#":
        return None
    # Only the base's scheme, host and path matter for a non-empty href that is not a
    # fragment, so pages of one site share cache entries.
    return _resolve(base.split("#", 1)[0].split("?", 1)[0], href)


@lru_cache(maxsize=MEMO)
def _resolve(base: str, href: str) -> str | None:
    if href.lower().startswith(("javascript:", "mailto:", "tel:", "data:")):
        return None
    absolute = urljoin(base, href)
    if urlsplit(absolute).scheme not in ("http", "https"):
        return None
    return absolute


@lru_cache(maxsize=MEMO)
def canonical(url: str) -> str:
    """One spelling per URL: lower-case scheme and host, no default port, no fragment,
    query parameters sorted by name (stable for repeated names), '&amp;' decoded,
    path percent-encoding normalised, '/' for an empty path."""
    url = url.strip()
    if "&amp;" in url or "&#" in url:  # copied from HTML source
        url = html.unescape(url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = host_of(url)
    # Decode first, then drop dot segments ('%2e' is '.'), then encode every '%' left as
    # '%25': the result must come out the same when canonicalised again.
    path = _remove_dot_segments(unquote(parts.path))
    path = quote(path, safe="/:@!$&'()*+,;=-._~") or "/"
    query = parse_qsl(parts.query, keep_blank_values=True)
    query.sort(key=lambda kv: kv[0].lower())
    return urlunsplit((scheme, host, path, urlencode(query, quote_via=quote), ""))


def _remove_dot_segments(path: str) -> str:
    if "." not in path:
        return path
    out: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(out) > 1:
                out.pop()
        elif segment != ".":
            out.append(segment)
    if path.endswith(("/.", "/..")):
        out.append("")
    return "/".join(out)


def query_params(url: str) -> dict[str, str]:
    """Query parameters with lower-case names (the first value of each). A new dict each
    call: callers may change it."""
    return dict(_query_params(url))


@lru_cache(maxsize=MEMO)
def _query_params(url: str) -> tuple[tuple[str, str], ...]:
    if "&amp;" in url:
        url = html.unescape(url)
    params: dict[str, str] = {}
    for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        params.setdefault(key.lower(), value)
    return tuple(params.items())


def file_key(url: str) -> str:
    """How file URLs compare: percent-decoded and case-insensitive (UploadFiles vs uploadfiles)."""
    parts = urlsplit(url)
    return f"{host_of(url)}{unquote(parts.path)}".lower() + (
        f"?{unquote(parts.query).lower()}" if parts.query else ""
    )
