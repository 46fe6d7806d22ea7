"""Reading untrusted XML files (sitemaps, feeds): bounded gunzip, safe record parsing with
salvage of broken files, and the timestamp forms these files use.

Owns three things, shared by scraper.sites.discovery (sitemaps) and scraper.sites.feeds:

- `unpack(body, max_bytes)`: bytes of the XML text, gunzipped when the body starts with
  the gzip magic (a `.xml.gz` sitemap arrives still compressed: the fetcher only undoes
  Content-Encoding), never more than max_bytes (a gzip bomb costs one bounded chunk).
- `read_records(data, record_tags, max_records)`: the root element's local name and the
  record elements (`url`, `sitemap`, `item`, `entry`) in document order, never raising.
  The standard library's expat parser (2.4+ refuses entity expansion bombs and never
  fetches external entities); a file that declares entities is not given to it at all.
  When the XML is broken (the usual fault: a raw `&` in a URL), the records are salvaged
  with a tolerant scan of the text instead, and `reason` says so.
- `timestamp(text)`: a W3C / ISO 8601, RFC 822 or Vietnamese `dd/mm/yyyy [hh:mm]` date as
  'YYYY-MM-DD' (no time given) or 'YYYY-MM-DDTHH:MM:SSZ' (UTC). A time without a zone is
  local time in Vietnam (UTC+7). Impossible dates, dates before 1990 and dates more than
  a day in the future are None.
"""

from __future__ import annotations

import contextlib
import email.utils
import re
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Generic, TypeVar

from scraper.dates import EARLIEST, VIETNAM
from scraper.urls import resolve

GZIP_MAGIC = b"\x1f\x8b"
# The sitemap protocol's own cap is 50 MB uncompressed; feeds are far smaller.
MAX_XML_BYTES = 50 * 1024 * 1024
_CHUNK = 1 << 16
T = TypeVar("T")


@dataclass
class Records(Generic[T]):
    """What read_records found: the root's local name ('' if none), the converted
    records, and why the reading was not clean (None when it was)."""

    root: str = ""
    items: list[T] = field(default_factory=list)
    reason: str | None = None


def unpack(body: bytes | str, max_bytes: int = MAX_XML_BYTES) -> tuple[bytes, str | None]:
    """(XML bytes, reason): gunzipped if gzip, cut at max_bytes (reason then says so)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    if not body.startswith(GZIP_MAGIC):
        if len(body) > max_bytes:
            return body[:max_bytes], f"truncated at {max_bytes} bytes"
        return body, None
    out = bytearray()
    data = body
    try:
        while data.startswith(GZIP_MAGIC):  # concatenated gzip members are one file
            inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
            # One byte more than the room left tells "cut" from "fits exactly".
            out += inflater.decompress(data, max_bytes - len(out) + 1)
            if len(out) > max_bytes:
                return bytes(out[:max_bytes]), f"truncated at {max_bytes} bytes (gzip)"
            if not inflater.eof:
                return bytes(out), "gzip stream ends early"
            data = inflater.unused_data
    except zlib.error as exc:
        return bytes(out), f"bad gzip data ({exc})"
    return bytes(out), None


@lru_cache(maxsize=512)
def local(tag: str) -> str:
    """Local name of an element tag: '{ns}loc' and 'news:title' give 'loc', 'title'."""
    if tag[:1] == "{":
        tag = tag.rsplit("}", 1)[-1]
    return tag.rsplit(":", 1)[-1]


def read_records(
    data: bytes,
    record_tags: frozenset[str],
    convert: Callable[[ET.Element], T | None],
    max_records: int,
) -> Records[T]:
    """Root local name and convert(record) of each record element (None results
    dropped), in document order; never raises (see module docstring)."""
    result: Records[T] = Records()
    if b"<!ENTITY" in data:
        result.reason = "declares XML entities: read without an XML parser"
        return _salvage(data, record_tags, convert, max_records, result)
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    depth = 0
    try:
        for start in range(0, len(data), _CHUNK):
            parser.feed(data[start : start + _CHUNK])
            for pair in parser.read_events():
                # Only "start" and "end" were asked for, so each is (event, Element); the
                # stubs' union also has the namespace events' payloads, which never come.
                if len(pair) != 2 or not isinstance(pair[1], ET.Element):
                    continue
                event, elem = pair
                if event == "start":
                    if not result.root:
                        result.root = local(elem.tag)
                    depth += 1
                    continue
                depth -= 1
                if depth >= 1 and local(elem.tag) in record_tags:
                    if len(result.items) >= max_records:
                        result.reason = f"more than {max_records} records: the rest ignored"
                        return result
                    item = convert(elem)
                    if item is not None:
                        result.items.append(item)
                    elem.clear()  # memory stays flat on a 50,000-URL sitemap
        parser.close()
    except ET.ParseError as exc:
        read = len(result.items)
        salvaged = _salvage(data, record_tags, convert, max_records, Records(root=result.root))
        if len(salvaged.items) > read:
            salvaged.reason = f"broken XML ({exc}): records salvaged from the text"
            return salvaged
        result.reason = f"broken XML ({exc}): {read} records read before it"
    return result


# --------------------------------------------------------------------------- salvage

_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s/>]")
_PROLOG = re.compile(rb"<[?!]")
_ATTR = re.compile(r"([\w.:-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_REF = re.compile(r"&(amp|lt|gt|quot|apos|#\d{1,7}|#[xX][0-9a-fA-F]{1,6});")
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
# A leaf element: open tag, text holding no other open tag, its close tag; or self-closed.
_LEAF = re.compile(
    r"<((?:[\w.-]+:)?[\w.-]+)(\s[^<>]*?)?(/>|>((?:(?!<[\w.:-]+[\s/>]).)*?)</\1\s*>)", re.S
)
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _unref(match: re.Match[str]) -> str:
    name = match.group(1)
    if name[0] != "#":
        return _NAMED[name]
    try:
        return chr(int(name[2:], 16) if name[1] in "xX" else int(name[1:]))
    except (ValueError, OverflowError):
        return match.group(0)


def xml_text(raw: str) -> str:
    """Text of a salvaged element: CDATA unwrapped, the five XML entities and numeric
    references decoded; a raw '&' (the usual fault) kept as it is."""
    parts = []
    last = 0
    for match in _CDATA.finditer(raw):
        parts.append(_REF.sub(_unref, re.sub(r"<[^>]*>", "", raw[last : match.start()])))
        parts.append(match.group(1))
        last = match.end()
    parts.append(_REF.sub(_unref, re.sub(r"<[^>]*>", "", raw[last:])))
    return "".join(parts)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        declared = re.search(rb"encoding=[\"']([\w.-]+)", data[:200])
        for name in ((declared.group(1).decode("ascii"),) if declared else ()) + ("cp1258",):
            try:
                return data.decode(name, errors="replace")
            except LookupError:
                continue
        return data.decode("utf-8", errors="replace")


def _root_name(data: bytes) -> str:
    pos = 0
    while True:
        match = _ROOT.search(data, pos)
        if not match:
            return ""
        prolog = _PROLOG.search(data, pos, match.start() + 1)
        if prolog is not None and prolog.start() < match.start():
            pos = prolog.end()
            end = data.find(b">", pos)
            if end < 0:
                return ""
            pos = end + 1
            continue
        return match.group(2).decode("ascii", "replace")


def _salvage(
    data: bytes,
    tags: frozenset[str],
    convert: Callable[[ET.Element], T | None],
    max_records: int,
    result: Records[T],
) -> Records[T]:
    """Records found by scanning the text: each record's leaf elements become flat
    children of one element (the readers look up descendants by local name only)."""
    text = _decode(data)
    result.root = result.root or _root_name(data)
    names = "|".join(re.escape(t) for t in sorted(tags))
    opening = re.compile(rf"<((?:[\w.-]+:)?(?:{names}))(\s[^<>]*)?>", re.I)
    # A record runs to its close tag, else to the next record: linear in the text even
    # when no record is ever closed.
    starts = list(opening.finditer(text))
    for i, match in enumerate(starts):
        if len(result.items) >= max_records:
            result.reason = f"more than {max_records} records: the rest ignored"
            break
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        body = text[match.end() : end]
        close = body.find("</" + match.group(1))
        elem = ET.Element(match.group(1), _attrs(match.group(2)))
        for child in _LEAF.finditer(body if close < 0 else body[:close]):
            sub = ET.SubElement(elem, child.group(1), _attrs(child.group(2)))
            sub.text = xml_text(child.group(4)) if child.group(4) is not None else None
        item = convert(elem)
        if item is not None:
            result.items.append(item)
    return result


def _attrs(raw: str | None) -> dict[str, str]:
    if not raw:
        return {}
    return {m.group(1): xml_text(m.group(2) or m.group(3) or "") for m in _ATTR.finditer(raw)}


def find_text(elem: ET.Element, name: str) -> str | None:
    """Stripped text of the first non-empty element named name (local name): a direct
    child first (`<loc>` before an `<image:loc>` nested deeper), then any descendant; an
    empty one (`<atom:link href=".."/>` beside `<link>`) is passed over. None if none.
    Works on parsed trees and on salvaged flat records alike."""
    for sub in elem:
        if local(sub.tag) == name and sub.text and not len(sub):
            text = sub.text.strip()
            if text:
                return text
    for sub in elem.iter():
        if sub is not elem and local(sub.tag) == name:
            text = "".join(sub.itertext()).strip()
            if text:
                return text
    return None


_PLAIN_URL = re.compile(r"https?://[^\s\x00-\x1f\\]+$", re.IGNORECASE)


def absolute_url(base: str, href: str | None) -> str | None:
    """href made absolute against base (scraper.urls.resolve); an absolute http(s) URL
    with nothing to clean is taken as it is (a 50,000-URL sitemap skips 50,000 urljoins)."""
    if href and _PLAIN_URL.match(href):
        return href
    return resolve(base, href)


# --------------------------------------------------------------------------- timestamps

_ISO = re.compile(
    r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$",
    re.IGNORECASE,
)
_DMY = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")
_HM = re.compile(r"(?<![\d/])(\d{1,2}):(\d{2})(?::(\d{2}))?")


def timestamp(text: str | None, *, now: datetime | None = None) -> str | None:
    """'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM:SSZ' of a date as sitemaps and feeds write it
    (see module docstring), or None."""
    if not text:
        return None
    value, written = _parse_time(text)
    if value is None:
        return None
    latest = (now or datetime.now(UTC)) + timedelta(days=1)
    if isinstance(value, datetime):
        return None if value.date() < EARLIEST or value > latest else written
    return None if value < EARLIEST or value > latest.date() else written


@lru_cache(maxsize=4096)
def _parse_time(text: str) -> tuple[date | datetime | None, str | None]:
    """(value, timestamp string) of text; memoised: a sitemap repeats its dates."""
    value = _read_time(" ".join(text.split()))
    if value is None:
        return None, None
    if isinstance(value, datetime):
        return value, value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value, value.isoformat()


def _read_time(text: str) -> date | datetime | None:
    if not text:
        return None
    if len(text) == 10 and text[4] == "-":
        with contextlib.suppress(ValueError):
            return date.fromisoformat(text)
    if len(text) >= 19 and text[4] == "-" and text[10] in "Tt ":
        with contextlib.suppress(ValueError):
            value = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
            return value if value.tzinfo else value.replace(tzinfo=VIETNAM)
    return _iso(text) or _rfc822(text) or _dmy(text)


def timestamp_key(value: str) -> datetime | None:
    """A comparable instant for a timestamp() string (or any form timestamp() reads):
    a date alone is the start of that day in Vietnam."""
    parsed = _parse_time(value)[0]
    if parsed is None:
        return None
    if isinstance(parsed, datetime):
        return parsed
    return datetime(parsed.year, parsed.month, parsed.day, tzinfo=VIETNAM)


@lru_cache(maxsize=64)
def _zone(raw: str | None):
    if not raw:
        return VIETNAM
    if raw.upper() == "Z":
        return UTC
    sign = -1 if raw[0] == "-" else 1
    digits = raw[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 14 or minutes > 59:
        raise ValueError(raw)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _iso(text: str) -> date | datetime | None:
    match = _ISO.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        if hour is None:
            return date(int(year), int(month or 1), int(day or 1))
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            tzinfo=_zone(zone),
        )
    except ValueError:
        return None


def _rfc822(text: str) -> datetime | None:
    if not re.search(r"[A-Za-z]{3}", text) or not re.search(r"\d{1,2}:\d{2}", text):
        return None
    try:
        value = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _dmy(text: str) -> date | datetime | None:
    match = _DMY.search(text)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    rest = text[: match.start()] + " " + text[match.end() :]
    clock = _HM.search(rest)
    try:
        if clock is None:
            return date(year, month, day)
        hour, minute, second = int(clock.group(1)), int(clock.group(2)), int(clock.group(3) or 0)
        return datetime(year, month, day, hour, minute, second, tzinfo=VIETNAM)
    except ValueError:
        return None
