"""Decoding a response body: bounded decompression and the charset of HTML pages.

This module owns the bytes-to-text half of fetching, with no I/O:

- gzip, deflate and br decoders (`stages`) whose output is capped at a limit, so a
  compression bomb costs at most about one chunk (`Overflow` is raised past the limit);
  deflate falls back to raw deflate as browsers do, concatenated gzip members are read.
- choosing the charset of HTML pages in HTML5 order (`choose_encoding`, `decode_html`),
  and sniffing HTML when there is no Content-Type (`sniff_html`).

scraper.fetch streams bodies through these and turns their errors into scraper.errors ones.
"""

from __future__ import annotations

import codecs
import functools
import re
import zlib

try:
    import brotli
except ImportError:  # pragma: no cover - httpx[brotli] installs it
    brotli = None

ACCEPT_ENCODING = "gzip, deflate, br" if brotli is not None else "gzip, deflate"
DECODE_ERRORS = (zlib.error, brotli.error) if brotli is not None else (zlib.error,)
FALLBACK_ENCODING = "windows-1258"  # the HTML5 locale default for Vietnamese


# --------------------------------------------------------------------------- charsets

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xfe\xff", "utf-16be"), (b"\xff\xfe", "utf-16le"))
# Python codec name -> WHATWG name; ASCII and Latin-1 labels mean windows-1252 in HTML5.
_WHATWG = {
    "utf-8": "utf-8",
    "ascii": "windows-1252",
    "iso8859-1": "windows-1252",
    "cp1252": "windows-1252",
    "cp1258": "windows-1258",
    "iso8859-9": "windows-1254",
    "tis-620": "windows-874",
    "iso8859-11": "windows-874",
    "utf-16": "utf-16le",
    "utf-16-le": "utf-16le",
    "utf-16-be": "utf-16be",
    "gb2312": "gbk",
}
_META = re.compile(rb"<meta[\s/][^>]*>", re.I)
_ATTR = re.compile(rb"""([^\s=/>]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
_CHARSET_IN = re.compile(rb"""charset\s*=\s*["']?\s*([^\s"';]+)""", re.I)
_COMMENT = re.compile(rb"<!--.*?(?:-->|\Z)", re.S)


@functools.lru_cache(maxsize=256)
def encoding_for_label(label: str) -> str | None:
    """The encoding a charset label names, HTML5-style ('latin1' -> 'windows-1252'), or
    None when Python has no text codec for it."""
    label = label.strip().strip("\"'").strip().lower()
    if not label:
        return None
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True):  # 'base64', 'rot13', 'zlib', ...
        return None
    return _WHATWG.get(info.name, info.name)


def _meta_charset(head: bytes) -> str | None:
    """HTML5 prescan, simplified: the first <meta charset> or <meta http-equiv=content-type
    content="...charset=..."> in the first 1024 bytes that names a known encoding."""
    if b"<!--" in head:
        head = _COMMENT.sub(b"", head)
    for tag in _META.finditer(head):
        attrs: dict[bytes, bytes] = {}
        for m in _ATTR.finditer(tag.group(0), 5):
            name = m.group(1).lower()
            if name not in attrs:
                attrs[name] = (m.group(2) or b"").strip(b"\"'")
        label = attrs.get(b"charset")
        if label is None and attrs.get(b"http-equiv", b"").lower() == b"content-type":
            found = _CHARSET_IN.search(attrs.get(b"content", b""))
            label = found.group(1) if found else None
        if label:
            enc = encoding_for_label(label.decode("ascii", "replace"))
            if enc:
                # HTML5: a UTF-16 label in <meta> means UTF-8; x-user-defined is unknown here.
                return "utf-8" if enc.startswith("utf-16") else enc
    return None


def _param(value: str, name: str) -> str | None:
    for part in value.split(";")[1:]:
        key, _, val = part.partition("=")
        if key.strip().lower() == name:
            return val.strip().strip("\"'")
    return None


def choose_encoding(content: bytes, content_type: str | None) -> tuple[str, int]:
    """(encoding, BOM length) for an HTML body, in HTML5 order: BOM, the Content-Type
    charset, a <meta> prescan of the first 1024 bytes, then UTF-8 if the bytes are valid
    UTF-8, else windows-1258."""
    for bom, bom_enc in _BOMS:
        if content.startswith(bom):
            return bom_enc, len(bom)
    enc: str | None = None
    if content_type and ";" in content_type:
        label = _param(content_type, "charset")
        enc = encoding_for_label(label) if label else None
        if enc:
            return enc, 0
    enc = _meta_charset(content[:1024])
    if enc:
        return enc, 0
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return FALLBACK_ENCODING, 0
    return "utf-8", 0


def decode_html(content: bytes, content_type: str | None) -> tuple[str, str]:
    """(encoding, text) of an HTML body; the BOM is stripped, bad bytes become U+FFFD."""
    enc, skip = choose_encoding(content, content_type)
    return enc, content[skip:].decode(enc, errors="replace")


def sniff_html(content: bytes) -> bool:
    for bom, _ in _BOMS:
        if content.startswith(bom):
            content = content[len(bom) :]
            break
    head = content[:256].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


# ----------------------------------------------------------------- bounded decoding


class Overflow(Exception):
    """A decoder produced more than the cap."""


class _ZlibStage:
    """gzip (wbits 16+) or deflate; deflate falls back to raw deflate as browsers do.
    Concatenated gzip members are decoded; bytes after the end of the data are ignored."""

    def __init__(self, limit: int, wbits: int):
        self.limit = limit
        self.total = 0
        self.wbits = wbits
        self.d: zlib._Decompress | None = zlib.decompressobj(wbits)
        self.started = False
        self.members = 0

    def decode(self, data: bytes) -> bytes:
        if not data:
            return b""
        if not self.started:
            self.started = True
            if self.wbits == zlib.MAX_WBITS:
                try:
                    return self._run(data)
                except zlib.error:
                    self.wbits = -zlib.MAX_WBITS
                    self.d = zlib.decompressobj(self.wbits)
        return self._run(data)

    def _run(self, data: bytes) -> bytes:
        outs = []
        while data and self.d is not None:
            if self.d.eof:
                if self.wbits <= zlib.MAX_WBITS:
                    break  # deflate: nothing follows the end of the stream
                self.d = zlib.decompressobj(self.wbits)  # the next gzip member
                self.members += 1
            try:
                out = self.d.decompress(data, self.limit - self.total + 1)
            except zlib.error:
                if not self.members:
                    raise
                self.d = None  # garbage after a complete gzip member: ignore it, like httpx
                break
            self.total += len(out)
            if self.total > self.limit:
                raise Overflow
            outs.append(out)
            # output below the limit means all input was used, up to the end of a member
            data = self.d.unused_data if self.d.eof else b""
        return b"".join(outs)

    def flush(self) -> bytes:
        out = self.d.flush() if self.d is not None else b""
        self.total += len(out)
        if self.total > self.limit:
            raise Overflow
        return out


class _BrotliStage:
    def __init__(self, limit: int):
        self.limit = limit
        self.total = 0
        self.d = brotli.Decompressor()

    def decode(self, data: bytes) -> bytes:
        if not data:
            return b""
        out = self.d.process(data, output_buffer_limit=self.limit - self.total + 1)
        self.total += len(out)
        if self.total > self.limit:
            raise Overflow
        while not self.d.can_accept_more_data():
            more = self.d.process(b"", output_buffer_limit=self.limit - self.total + 1)
            self.total += len(more)
            if self.total > self.limit:
                raise Overflow
            if not more:
                break
            out += more
        return out

    def flush(self) -> bytes:
        return b""


def stages(content_encoding: str, limit: int) -> list:
    stages: list = []
    for coding in reversed(content_encoding.lower().split(",")):
        coding = coding.strip()
        if coding in ("gzip", "x-gzip"):
            stages.append(_ZlibStage(limit, zlib.MAX_WBITS | 16))
        elif coding == "deflate":
            stages.append(_ZlibStage(limit, zlib.MAX_WBITS))
        elif coding == "br" and brotli is not None:
            stages.append(_BrotliStage(limit))
        # identity and unknown codings: bytes pass through unchanged (as httpx does)
    return stages
