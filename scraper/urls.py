"""Pure URL functions: canonical form, resolution, and which host belongs to which site.

Nothing here knows a CMS; the site profiles (scraper.sites) build on these.
"""

from __future__ import annotations

import html
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def host_of(url: str) -> str:
    """Lower-case host with a non-default port kept: 'sdl.thuathienhue.gov.vn', '127.0.0.1:81'."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    if port and port != DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    return host


def resolve(base: str, href: str | None) -> str | None:
    """Absolute URL of href on page base; None for javascript:, mailto:, fragments, empties."""
    if not href:
        return None
    href = html.unescape(href.strip())
    lowered = href.lower()
    if not href or lowered.startswith(("javascript:", "mailto:", "tel:", "#", "data:")):
        return None
    absolute = urljoin(base, href)
    if urlsplit(absolute).scheme not in ("http", "https"):
        return None
    return absolute


def canonical(url: str) -> str:
    """One spelling per URL: lower-case scheme and host, no default port, no fragment,
    query parameters sorted by name (stable for repeated names), '&amp;' decoded,
    path percent-encoding normalised, '/' for an empty path."""
    url = html.unescape(url.strip())
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = host_of(url)
    path = _remove_dot_segments(parts.path)
    path = quote(unquote(path), safe="/%:@!$&'()*+,;=-._~") or "/"
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
    """Query parameters with lower-case names (the first value of each)."""
    params: dict[str, str] = {}
    for key, value in parse_qsl(urlsplit(html.unescape(url)).query, keep_blank_values=True):
        params.setdefault(key.lower(), value)
    return params


def file_key(url: str) -> str:
    """How file URLs compare: percent-decoded and case-insensitive (UploadFiles vs uploadfiles)."""
    parts = urlsplit(url)
    return f"{host_of(url)}{unquote(parts.path)}".lower() + (
        f"?{unquote(parts.query).lower()}" if parts.query else ""
    )
