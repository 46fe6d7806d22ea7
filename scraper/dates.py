"""Dates as the portals print them: 'dd/mm/yyyy' (day first), local time UTC+7.

A date is accepted only when it exists, is not before 1990 and not after today in
Vietnam; otherwise the caller keeps the raw text and stores no ISO date.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

VIETNAM = timezone(timedelta(hours=7), "ICT")
EARLIEST = date(1990, 1, 1)

_DMY = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")


def today_in_vietnam() -> date:
    return datetime.now(VIETNAM).date()


def parse_dmy(text: str | None, *, today: date | None = None) -> str | None:
    """ISO 'YYYY-MM-DD' of the first d/m/yyyy date in text, or None when there is none
    or it is impossible (31/02), before 1990 or after today."""
    if not text:
        return None
    match = _DMY.search(text)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        value = date(year, month, day)
    except ValueError:
        return None
    if value < EARLIEST or value > (today or today_in_vietnam()):
        return None
    return value.isoformat()


def find_dmy(text: str | None) -> str | None:
    """The first d/m/yyyy-looking substring, valid or not (for keeping raw text)."""
    if not text:
        return None
    match = _DMY.search(text)
    return match.group(0) if match else None


def iso_date(value: str | date | None) -> str | None:
    """'YYYY-MM-DD' of a date or of an ISO date string (a command's --since/--until);
    raises ValueError for anything else."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()[:10]
    return date.fromisoformat(str(value).strip()).isoformat()


def utc_now() -> str:
    """Now as the archive writes times: ISO-8601 UTC, seconds, 'Z'."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
