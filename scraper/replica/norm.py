"""The replica's own text and URL normalisation, independent of the code it checks.

Owns `norm` (one paragraph: invisible characters dropped, whitespace collapsed, NFC),
`slugify` (ASCII slug of a title), `url_path` (a decoded path written the one way the
archive spells it), `origin` and `id_host` (the host an article id is built on). The
ground truth (`scraper.replica.truth`) and the model use these, never `scraper.text` or
`scraper.urls`, so a bug there cannot hide itself by agreeing with its own oracle.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urlsplit

# Zero-width space, ZWNJ, ZWJ, word joiner, BOM, soft hyphen: never part of the text.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
# Hosts that are one site under two domains (the province's 2025 rename).
_ALIASES = (("thuathienhue.gov.vn", "hue.gov.vn"),)
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def norm(text: str | None) -> str:
    """One paragraph as an extractor must give it: no invisible characters, runs of
    whitespace (\\xa0 included) as one space, trimmed, NFC."""
    if not text:
        return ""
    text = " ".join(text.translate(_INVISIBLE).split())
    return unicodedata.normalize("NFC", text)


def slugify(text: str, limit: int = 80) -> str:
    """ASCII slug of a Vietnamese title: 'Hội nghị Đà Nẵng' -> 'hoi-nghi-da-nang'."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug or "tin"


def url_path(path: str) -> str:
    """A decoded path ('/a b/ả.pdf') percent-encoded the archive's way ('/a%20b/%E1%BA%A3.pdf')."""
    return quote(path, safe=_PATH_SAFE) or "/"


def _host(base_url: str) -> str:
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.port and parts.port != {"http": 80, "https": 443}.get(parts.scheme.lower()):
        host = f"{host}:{parts.port}"
    return host


def origin(base_url: str) -> str:
    """'http://127.0.0.1:8000' of 'http://127.0.0.1:8000/': scheme and host lower-cased,
    default port dropped."""
    return f"{urlsplit(base_url).scheme.lower()}://{_host(base_url)}"


def id_host(base_url: str) -> str:
    """The host of an article id: lower case, port kept, 'www.' dropped, alias domain mapped."""
    host = _host(base_url).removeprefix("www.")
    for primary, alias in _ALIASES:
        if host == alias or host.endswith("." + alias):
            return host[: -len(alias)] + primary
    return host
