"""Pure URL functions: canonical form, resolution, and which host belongs to which site.

Nothing here knows a CMS; the site profiles (scraper.sites) build on these.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


# The functions below are pure and called for every link of every page. A page's chrome
# repeats the same links and an article's "Các tin khác" names the ten next-older ones, so
# a URL comes back soon after it is first seen: a small memo catches it, and memory stays
# flat however large the crawl (8,192 entries: about 3 MB per function).
MEMO = 1 << 13

# Most URLs met are plain: a lower-case http(s) scheme and host, an ASCII path with no
# dot segment and nothing to decode but spaces ('%20' or ' ', as file names have them),
# "name=value" query fields of unreserved characters. For them every function below
# reduces to slicing the string, several times faster than urllib's general parsing
# (what a memo miss costs). Anything else (upper case, other %-escapes, entities,
# userinfo, ';', '+', fragments) takes the general path.
_PLAIN_HOST = r"[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::[1-9][0-9]{0,4})?"
_PLAIN_FIELD = r"[A-Za-z0-9_.~-]+=[A-Za-z0-9_.~-]*"
_PLAIN_QUERY = rf"{_PLAIN_FIELD}(?:&{_PLAIN_FIELD})*"
_PATH_CHAR = r"(?:[A-Za-z0-9/:@!$&'()*,=._~-]|%20)"
_PLAIN_PATH = rf"/(?:(?:{_PATH_CHAR}| )*{_PATH_CHAR})?"  # spaces inside only
_PLAIN_URL = re.compile(rf"(https?)://({_PLAIN_HOST})({_PLAIN_PATH})(?:\?({_PLAIN_QUERY}))?")
_PLAIN_URL_START = re.compile(rf"(https?)://({_PLAIN_HOST})(?:[/?#]|$)")
_PLAIN_RELATIVE = re.compile(rf"{_PLAIN_PATH}(?:\?{_PLAIN_QUERY})?")
_PLAIN_QUERY_ONLY = re.compile(rf"\?{_PLAIN_QUERY}")
_RELATIVE_CHAR = r"(?:[A-Za-z0-9/@!$&'()*,=._~-]|%20)"  # no ':' (it could read as a scheme)
_PLAIN_RELATIVE_PATH = re.compile(rf"(?:{_RELATIVE_CHAR}| )*{_RELATIVE_CHAR}(?:\?{_PLAIN_QUERY})?")


def _plain_netloc(scheme: str, netloc: str) -> str | None:
    """host_of for a plain URL's netloc; None when urllib would reject the port."""
    if ":" not in netloc:
        return netloc
    host, port = netloc.rsplit(":", 1)
    number = int(port)
    if number > 65535:
        return None
    return host if number == DEFAULT_PORTS[scheme] else netloc


def _field_name(field: str) -> str:
    return field.split("=", 1)[0].lower()


@lru_cache(maxsize=MEMO)
def host_of(url: str) -> str:
    """Lower-case host with a non-default port kept: 'sdl.thuathienhue.gov.vn', '127.0.0.1:81'."""
    plain = _PLAIN_URL_START.match(url)
    if plain is not None and (host := _plain_netloc(plain[1], plain[2])) is not None:
        return host
    return _host_of_general(url)


def _host_of_general(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    if port and port != DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    return host


def origin_and_path(url: str) -> tuple[str, str, str]:
    """(scheme, netloc, path) as urlsplit gives them."""
    plain = _PLAIN_URL.fullmatch(url)
    if plain is not None:
        return plain[1], plain[2], plain[3]
    return _origin_and_path_general(url)


def _origin_and_path_general(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc, parts.path


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
    joined = _join_plain(base, href)
    if joined is not None:
        return joined
    return _join_general(base, href)


def _join_general(base: str, href: str) -> str | None:
    absolute = urljoin(base, href)
    if urlsplit(absolute).scheme not in ("http", "https"):
        return None
    return absolute


def _join_plain(base: str, href: str) -> str | None:
    """urljoin(base, href) for a plain base (no query) and a plain href that is absolute,
    an absolute path, a relative path, '?query' or './?query'; else None."""
    base_parts = _PLAIN_URL.fullmatch(base)
    if base_parts is None or base_parts[4] is not None:
        return None
    base_path = base_parts[3]
    if "/." in base_path or "//" in base_path:  # urljoin would rework these segments
        return None
    if href.startswith(("http://", "https://")):
        plain = _PLAIN_URL.fullmatch(href)
        return href if plain is not None and "/." not in plain[3] else None
    root = f"{base_parts[1]}://{base_parts[2]}"
    if href[:1] == "/" and href[:2] != "//":
        plain = _PLAIN_RELATIVE.fullmatch(href)
        return root + href if plain is not None and "/." not in href else None
    if href[:1] == "?" and _PLAIN_QUERY_ONLY.fullmatch(href):
        return root + base_path + href
    if href[:3] == "./?" and _PLAIN_QUERY_ONLY.fullmatch(href, 2):
        return root + base_path[: base_path.rfind("/") + 1] + href[2:]
    if href[:2] == "./":
        href = href[2:]
    if href[:1] != "/" and _PLAIN_RELATIVE_PATH.fullmatch(href):
        segments = href.split("?", 1)[0].split("/")
        # urljoin drops the empty segments of a relative path and resolves dot segments
        if "" not in segments[:-1] and "." not in segments and ".." not in segments:
            return root + base_path[: base_path.rfind("/") + 1] + href
    return None


@lru_cache(maxsize=MEMO)
def canonical(url: str) -> str:
    """One spelling per URL: lower-case scheme and host, no default port, no fragment,
    query parameters sorted by name (stable for repeated names), '&amp;' decoded,
    path percent-encoding normalised, '/' for an empty path."""
    plain = _PLAIN_URL.fullmatch(url)
    if plain is not None and "/." not in plain[3]:
        scheme, netloc, path, query = plain.groups()
        host = _plain_netloc(scheme, netloc)
        if host is not None:
            path = path.replace(" ", "%20")
            if not query:
                return f"{scheme}://{host}{path}"
            fields = query.split("&")
            fields.sort(key=_field_name)  # stable, as the general path's sort
            return f"{scheme}://{host}{path}?{'&'.join(fields)}"
    return _canonical_general(url)


def _canonical_general(url: str) -> str:
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
    plain = _PLAIN_URL.fullmatch(url)
    if plain is not None:
        params: dict[str, str] = {}
        if plain[4]:
            for field in plain[4].split("&"):
                name, _, value = field.partition("=")
                params.setdefault(name.lower(), value)
        return tuple(params.items())
    return _query_params_general(url)


def _query_params_general(url: str) -> tuple[tuple[str, str], ...]:
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
