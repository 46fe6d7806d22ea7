"""Markup helpers every replica layout shares (no site's classes, labels or URLs here).

Owns `Response`, HTML escaping, the re-encoding noise an article's flags ask for (`Enc`:
NFD, &nbsp;, zero-width characters, character references, whitespace; `SPACERS`), and
`serve_file`: fake file bytes with ETag / Last-Modified and conditional answers (304).
"""

from __future__ import annotations

import email.utils
import html
import random
import re
import unicodedata
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

BOM = b"\xef\xbb\xbf"


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


_NONASCII = re.compile(r"[^\x00-\x7f]")
_NBSPS = ("&nbsp;", "\xa0", "&#160;", "&nbsp; ", " &nbsp;")
_WSS = ("  ", "\n", "\r\n\t\t\t", " \n   ", "\t")
_ZWS = (" \u200b", "\u200b ", " &#8203;", "\u200c ", " \ufeff", "&#x200B; ")
SPACERS = (
    "<p>&nbsp;</p>",
    "<p> </p>",
    "<p><br /></p>",
    "<p>&nbsp;&nbsp;</p>",
    "<div>&nbsp;</div>",
)


class Enc:
    """Escapes text for HTML and adds the re-encoding noise an article's flags ask for."""

    def __init__(self, noise: frozenset[str], rng: random.Random):
        self.rng = rng
        self.nfd = "nfd" in noise
        self.nbsp = "nbsp" in noise
        self.zw = "zero_width" in noise
        self.ref = "charref" in noise
        self.ws = "whitespace" in noise
        self.spacer = "spacer" in noise
        self.plain = not (self.nbsp or self.zw or self.ref or self.ws)

    def attr(self, text: str) -> str:
        if self.nfd:
            text = unicodedata.normalize("NFD", text)
        return html.escape(text, quote=True)

    def _charref(self, m: re.Match) -> str:
        x = self.rng.random()
        if x < 0.08:
            return f"&#{ord(m[0])};"
        if x < 0.15:
            return f"&#x{ord(m[0]):X};"
        return m[0]

    def __call__(self, text: str, edges: bool = True) -> str:
        if self.nfd:
            text = unicodedata.normalize("NFD", text)
        s = html.escape(text, quote=False)
        if self.plain:
            return s
        r = self.rng
        if self.ref:
            s = _NONASCII.sub(self._charref, s)
        parts = s.split(" ")
        out = [parts[0]]
        for part in parts[1:]:
            x = r.random()
            if self.nbsp and x < 0.1:
                out.append(r.choice(_NBSPS))
            elif self.ws and 0.1 <= x < 0.22:
                out.append(r.choice(_WSS))
            elif self.zw and 0.22 <= x < 0.28:
                out.append(r.choice(_ZWS))
            else:
                out.append(" ")
            out.append(part)
        s = "".join(out)
        if edges and self.ws and r.random() < 0.5:
            s = "\r\n\t\t" + s + " \n"
        if edges and self.zw and r.random() < 0.3:
            s = r.choice(("\u200b", "\ufeff", "&#8203;")) + s
        return s


def esc(s: str) -> str:
    return html.escape(s, quote=True)


def http_date(d: date) -> str:
    ts = datetime.combine(d, time(8, 0), tzinfo=UTC).timestamp()
    return email.utils.formatdate(ts, usegmt=True)


FILE_TYPES = {
    "jpg": ("image/jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    "gif": ("image/gif", b"GIF89a"),
    "ico": ("image/x-icon", b"\x00\x00\x01\x00"),
    "pdf": ("application/pdf", b"%PDF-1.4\n"),
    "doc": ("application/msword", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
    ),
    "xls": ("application/vnd.ms-excel", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
}


def not_found_file() -> Response:
    return Response(404, [("Content-Type", "text/html; charset=utf-8")], b"<h1>404 Not Found</h1>")


def serve_file(name: str, day: date, headers: Mapping[str, str]) -> Response:
    """A file's fake bytes (magic number of its type first) with ETag and Last-Modified,
    or 304 when the request's If-None-Match / If-Modified-Since says the client has it."""
    low = name.lower()
    ext = low.rsplit(".", 1)[-1] if "." in low else ""
    ctype, magic = FILE_TYPES.get(ext, ("application/octet-stream", b""))
    body = magic + b"replica file " + name.encode() + b"\n" + bytes(range(64)) * 4
    etag = f'"{zlib.crc32(body):08x}"'
    last_mod = http_date(day)
    common = [
        ("ETag", etag),
        ("Last-Modified", last_mod),
        ("Accept-Ranges", "bytes"),
        ("Cache-Control", "public, max-age=86400"),
    ]
    inm = headers.get("if-none-match")
    ims = headers.get("if-modified-since")
    not_modified = False
    if inm is not None:
        tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
        not_modified = "*" in tags or etag in tags
    elif ims:
        try:
            since = email.utils.parsedate_to_datetime(ims)
            mod = email.utils.parsedate_to_datetime(last_mod)
            not_modified = since >= mod
        except (TypeError, ValueError):
            not_modified = False
    if not_modified:
        return Response(304, common, b"")
    return Response(200, [("Content-Type", ctype), *common], body)
