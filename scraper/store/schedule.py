"""The re-check schedule and the archive's time helpers.

This module owns when a known article is looked at again (`CHECK_INTERVALS`, `JITTER`,
`MISS_RECHECK`, `check_interval`, `next_check_at`) and the one spelling of times in the
archive (`iso_utc`, `utc_time`, `parse_time`): ISO-8601 UTC strings with a 'Z', seconds precision
("2024-05-01T08:30:00Z"), so they sort as text. No database access.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

__all__ = [
    "CHECK_INTERVALS",
    "JITTER",
    "MISS_RECHECK",
    "check_interval",
    "iso_utc",
    "next_check_at",
    "parse_time",
    "utc_time",
]

# Re-check schedule: (articles younger than this, are re-checked this often). The last row
# has no bound. Age is measured from the last change (revision > 1), else the published date,
# else first_seen. A deterministic jitter of up to JITTER (from the id) is added.
CHECK_INTERVALS: tuple[tuple[timedelta | None, timedelta], ...] = (
    (timedelta(days=2), timedelta(hours=6)),
    (timedelta(days=7), timedelta(days=1)),
    (timedelta(days=30), timedelta(days=3)),
    (timedelta(days=365), timedelta(days=14)),
    (None, timedelta(days=60)),
)
JITTER = 0.10
# After a 404/410 the article is looked at again no sooner than this (a later run confirms).
MISS_RECHECK = timedelta(hours=1)


def iso_utc(value: str | datetime | None = None) -> str:
    """ISO-8601 UTC with 'Z', seconds precision. None = now. Naive values are taken as UTC;
    a date alone ('2020-10-07') is its midnight."""
    return utc_time(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_time(value: str | datetime | None = None) -> datetime:
    """The aware UTC datetime iso_utc(value) spells, seconds precision (None = now); raises
    ValueError on an unreadable string, where parse_time returns None."""
    if value is None:
        dt = datetime.now(UTC)
    elif isinstance(value, datetime):
        dt = value
    else:
        dt = datetime.fromisoformat(value.strip())
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).replace(microsecond=0)


def parse_time(value: str | None) -> datetime | None:
    """An archive time (or date) as an aware datetime (naive = UTC); None when empty or
    unreadable."""
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def check_interval(age: timedelta) -> timedelta:
    """How long until an article of this age is looked at again (no jitter)."""
    for bound, interval in CHECK_INTERVALS:
        if bound is None or age < bound:
            return interval
    raise AssertionError("CHECK_INTERVALS must end with an unbounded row")


def next_check_at(article_id: str, now: str, reference: str | None) -> str:
    """now + interval(now - reference), plus up to JITTER of it chosen by the id's hash."""
    now_dt = utc_time(now)
    ref = parse_time(reference) or now_dt
    age = max(now_dt - ref, timedelta(0))
    interval = check_interval(age)
    spread = int.from_bytes(hashlib.sha256(article_id.encode()).digest()[:4], "big") / 2**32
    return iso_utc(now_dt + interval * (1 + JITTER * spread))
