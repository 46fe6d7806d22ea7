"""The scraper's exceptions: one tree, so callers catch what they mean and nothing else.

    ScraperError
    ├── FetchError            a URL could not be fetched (.url, .error, .status, .attempts)
    │   ├── FetchFailed       every attempt failed: transient errors, 5xx or 429 exhausted,
    │   │                     too many redirects, a body that cannot be decoded
    │   ├── OffSite           a redirect pointed outside the allowed hosts (not requested)
    │   ├── RobotsDisallowed  robots.txt forbids the URL
    │   │   └── HostUnreachable  the host could not be reached (robots.txt never answered:
    │   │                        DNS, refused, timeout, TLS, 5xx), so nothing is fetched
    │   │                        from it this run (RFC 9309); a failure, not a policy
    │   └── TooLarge          the body (decompressed) exceeded the size cap
    ├── ExtractError          a page could not be read as what it was expected to be
    │   └── NotAnArticle      the page holds no article (404 page, listing page, ...)
    ├── InputError            a file or argument given by the user cannot be read (a missing
    │   │                     file or archive, an unknown article or revision)
    │   └── BadArgument       options that cannot go together or name nothing (--since
    │                         after --until, a --site the archive does not hold): exit 2
    ├── OutputError           a file the command writes cannot be written (the archive,
    │                         an export's --output)
    ├── ExportError           bad export arguments (scraper.export; also a ValueError)
    ├── SearchError           a search cannot run: bad FTS5 syntax, no index (scraper.search)
    ├── Locked                another run holds the archive database
    ├── ArchiveError          the archive file cannot be opened or used
    │   └── SchemaError       written by a newer scraper (schema version too high)
    └── CaptureSourceError    a capture source (Wayback CDX / replay) answered unusably

Low-level httpx / h11 / socket errors, and the ValueError or httpx.InvalidURL of a URL
that cannot be requested (a port out of range, a broken IPv6 host), never leave
scraper.fetch: that module is the one boundary where they become FetchError (subclasses).
A 4xx answer other than 429 is not an error at all: it comes back as a normal Response
(404 is an answer for the crawler). Every other boundary translates too: scraper.extract
turns an unreadable file into InputError, the `scrape` commands an unwritable archive or
output file into OutputError, and the `scrape` group (scraper.cli) turns every
ScraperError into one line on stderr and an exit code (Locked: 75, BadArgument: 2, any
other: 1).
"""

from __future__ import annotations


class ScraperError(Exception):
    """Base of every error this package raises on purpose."""


class FetchError(ScraperError):
    """A URL could not be fetched.

    url: the URL the caller asked for; error: human-readable cause; status: the last HTTP
    status seen (None when no answer came); attempts: requests sent for the failing hop;
    kind: what failed, for a failure of the network or the server (scraper.fetch.FAILURE_KINDS:
    "dns", "refused", "timeout", "tls", "reset", "network", "http"), else None.
    """

    def __init__(
        self,
        url: str,
        error: str,
        status: int | None = None,
        attempts: int = 0,
        *,
        kind: str | None = None,
    ):
        super().__init__(url, error, status, attempts)
        self.url = url
        self.error = error
        self.status = status
        self.attempts = attempts
        self.kind = kind

    def __str__(self) -> str:
        extra = []
        if self.status is not None:
            extra.append(f"HTTP {self.status}")
        if self.attempts:
            extra.append(f"{self.attempts} attempt{'s' if self.attempts != 1 else ''}")
        suffix = f" ({', '.join(extra)})" if extra else ""
        return f"{self.error}{suffix}: {self.url}"


class FetchFailed(FetchError):
    """Every attempt failed (connection errors, timeouts, 5xx, 429), or the answer was unusable."""


class OffSite(FetchError):
    """A redirect led outside the allowed hosts; the target was not requested."""


class RobotsDisallowed(FetchError):
    """robots.txt forbids the URL (or could not be fetched, which disallows the whole host)."""


class HostUnreachable(RobotsDisallowed):
    """The host could not be reached: its robots.txt never answered (DNS, refused, timeout,
    TLS, reset, or 5xx / 429 after every retry; `kind` says which), so the whole host is
    off limits for this run (RFC 9309). A failure of the host, not a robots.txt ban: the
    message says the host could not be reached and why."""


class TooLarge(FetchError):
    """The response body, decompressed, is larger than the configured cap."""


class ExtractError(ScraperError):
    """A page could not be read as the kind of page it should be."""


class NotAnArticle(ExtractError):
    """The page holds no article (a 404 page with the site chrome, a listing, ...)."""


class InputError(ScraperError):
    """A file or argument given by the user cannot be read: a missing file or archive, an
    article id or URL the archive does not hold, a revision it does not have."""


class BadArgument(InputError):
    """Options that cannot be right together or name nothing the archive holds (--since
    later than --until, an unknown --site): a usage error, exit 2, one line."""


class OutputError(ScraperError):
    """A file the command writes cannot be written: the archive (disk full, read-only, not
    a database), an export's --output."""


class Locked(ScraperError):
    """Another run holds the archive database."""


class ArchiveError(ScraperError):
    """The archive file cannot be opened or used."""


class SchemaError(ArchiveError):
    """The archive was written by a newer version of the scraper (user_version too high)."""


class CaptureSourceError(ScraperError):
    """A source of captures (a Wayback CDX server or its replay) answered with something
    that is not what it should be (5xx after every retry, HTML or malformed JSON where JSON
    was due, an unexpected status): never turned into a capture. One-line message."""
