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


# --- Any page's dates (the generic profile): Vietnamese forms, ISO 8601, English ---------
# Every form SITE.md section 8 lists: '17/07/2020', '17/7/2020', '17-07-2020', with a time
# before or after, a weekday before ('Thứ Sáu, 17/07/2020'), 'ngày 17 tháng 7 năm 2020',
# 'Cập nhật lúc 15:54 ngày 17/07/2020' and the posted / updated / published labels of
# section 8 (the d/m/y search finds the date after any of them).
_VN_WORDS = re.compile(
    r"ngày\s+(\d{1,2})\s*(?:tháng|/)\s*(\d{1,2})\s*(?:năm|/)\s*(\d{4})", re.IGNORECASE
)
_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?",
    re.IGNORECASE,
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "jan january",
            "feb february",
            "mar march",
            "apr april",
            "may",
            "jun june",
            "jul july",
            "aug august",
            "sep sept september",
            "oct october",
            "nov november",
            "dec december",
        ),
        start=1,
    )
    for name in names.split()
}
_MONTH = r"(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ENGLISH = re.compile(
    rf"\b(?:{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})"
    rf"|(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+(\d{{4}}))\b",
    re.IGNORECASE,
)


def _checked(year: int, month: int, day: int, today: date | None) -> str | None:
    try:
        value = date(year, month, day)
    except ValueError:
        return None
    if value < EARLIEST or value > (today or today_in_vietnam()):
        return None
    return value.isoformat()


def parse_iso_local(text: str | None, *, today: date | None = None) -> str | None:
    """ISO 'YYYY-MM-DD' in Vietnam (UTC+7) of the first ISO 8601 date or date-time in text
    ('2020-07-17T08:54:00Z' is 17/07 15:54 there; an offset is converted, a time without
    one is taken as local), or None when there is none or it is out of range."""
    if not text:
        return None
    match = _ISO.search(text)
    if not match:
        return None
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        value = date(int(year), int(month), int(day))
    except ValueError:
        return None
    if hour is not None and offset:
        if offset.upper() == "Z":
            zone = UTC
        else:
            sign = -1 if offset[0] == "-" else 1
            digits = offset[1:].replace(":", "")
            minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) >= 4 else 0)
            zone = timezone(sign * timedelta(minutes=minutes))
        try:
            moment = datetime(
                value.year,
                value.month,
                value.day,
                int(hour),
                int(minute),
                int(second or 0),
                tzinfo=zone,
            )
        except ValueError:
            return None
        value = moment.astimezone(VIETNAM).date()
    return _checked(value.year, value.month, value.day, today)


def parse_english_date(text: str | None, *, today: date | None = None) -> str | None:
    """ISO date of the first English month-name date ('July 17, 2020', '17 Jul 2020')."""
    if not text:
        return None
    match = _ENGLISH.search(text)
    if not match:
        return None
    g = match.groups()
    if g[0]:
        month, day, year = _MONTHS[g[0].lower()], int(g[1]), int(g[2])
    else:
        day, month, year = int(g[3]), _MONTHS[g[4].lower()], int(g[5])
    return _checked(year, month, day, today)


def find_date_text(text: str | None) -> str | None:
    """The first date-looking substring of text (any form parse_date reads), valid or not:
    what is kept as the raw date when the date itself is rejected."""
    if not text:
        return None
    found = [
        m for m in (_VN_WORDS.search(text), _ISO.search(text), _DMY.search(text)) if m is not None
    ]
    english = _ENGLISH.search(text)
    if english:
        found.append(english)
    if not found:
        return None
    return min(found, key=lambda m: m.start()).group(0)


def parse_date(text: str | None, *, today: date | None = None) -> str | None:
    """ISO 'YYYY-MM-DD' (local date, UTC+7) of the first date in text, in any form a news
    page prints or declares: every Vietnamese form (d/m/yyyy with '/', '-' or '.', with
    a time or weekday around it, 'ngày 17 tháng 7 năm 2020', after a label), ISO 8601
    (an offset converted to UTC+7) or an English month-name date. None when there is no
    date, or it is impossible, before 1990 or after today."""
    if not text:
        return None
    candidates = []
    for pattern, kind in ((_VN_WORDS, "vn"), (_ISO, "iso"), (_DMY, "dmy"), (_ENGLISH, "en")):
        match = pattern.search(text)
        if match:
            candidates.append((match.start(), kind, match))
    if not candidates:
        return None
    # The earliest match wins; at the same place the more specific form does.
    _, kind, match = min(candidates, key=lambda c: c[0])
    if kind == "vn":
        day, month, year = (int(g) for g in match.groups())
        return _checked(year, month, day, today)
    if kind == "iso":
        return parse_iso_local(match.group(0), today=today)
    if kind == "dmy":
        day, month, year = (int(g) for g in match.groups())
        return _checked(year, month, day, today)
    return parse_english_date(match.group(0), today=today)
