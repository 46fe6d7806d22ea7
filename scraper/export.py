"""Export of the archive to JSON Lines or CSV, streamed, and reading such exports back.

This module owns the export formats:

- One row per article (every column of `articles`, in table order, including columns a
  newer scraper added) or, with revisions=True, one row per revision (every column of
  `revisions`). Rows come from one cursor and are written as they come, so memory stays
  flat however many rows there are.
- JSON Lines: one JSON object per line, UTF-8, no BOM; NULL is null; the JSON columns
  (`JSON_COLUMNS`: captions, changed_fields, attachments) are JSON arrays, not text.
  U+2028/U+2029 are written escaped so line-splitting tools never split a row.
- CSV: a header row, then RFC 4180 rows (comma, double quotes, CRLF between rows; a body's
  own newlines stay inside its quoted cell). The JSON columns are their JSON text. An
  empty cell is NULL (the archive never stores empty strings: the store writes NULL).
  UTF-8 with a byte-order mark by default, because Excel reads a BOM-less CSV in the
  machine's legacy code page and turns Vietnamese into mojibake; Python (`utf-8-sig`),
  pandas, LibreOffice and Google Sheets all accept the BOM. `bom=False` drops it for
  tools that do not.
- `since`: published >= since for articles (articles without a date are left out),
  fetched_at >= since for revisions.
- `as_of` (YYYY-MM-DD): the archive as it stood at the end of that UTC day: one row per
  article, its latest revision fetched (captured) on or before that day (revision rows;
  articles first captured later are left out).

`read_rows()` reads an export back into rows equal to `SELECT *` of the table with the JSON
columns decoded (`table_rows()` gives those): the round trip the tests check.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any, TextIO

from scraper.dates import iso_date
from scraper.errors import ScraperError
from scraper.store import database

FORMATS = ("jsonl", "csv")
JSON_COLUMNS: dict[str, tuple[str, ...]] = {
    "articles": ("captions",),
    "revisions": ("captions", "changed_fields", "attachments"),
}
ORDER: dict[str, str] = {"articles": "id", "revisions": "article_id, revision"}
SINCE_COLUMN: dict[str, str] = {"articles": "published", "revisions": "fetched_at"}
BOM = "\ufeff"


class ExportError(ScraperError, ValueError):
    """Bad export arguments (unknown format, bad date); a ValueError too, as before."""


def _table(revisions: bool) -> str:
    return "revisions" if revisions else "articles"


def _since(value: str | date | None) -> str | None:
    try:
        return iso_date(value)
    except ValueError:
        raise ExportError(f"bad since date {value!r} (expected YYYY-MM-DD)") from None


def _cursor(db: Any, table: str, since: str | None, as_of: str | None = None):
    sql = f"SELECT * FROM [{table}] WHERE 1 = 1"
    params: list[Any] = []
    if since:
        sql += f" AND [{SINCE_COLUMN[table]}] >= ?"
        params.append(since)
    if as_of:  # table is revisions: each article's latest revision by the end of that day
        end = f"{as_of}T23:59:59Z"
        sql += (
            " AND revision = (SELECT MAX(r2.revision) FROM revisions r2 WHERE "
            "r2.article_id = revisions.article_id AND r2.fetched_at <= ?)"
        )
        params.append(end)
    return database(db).conn.execute(f"{sql} ORDER BY {ORDER[table]}", params)


def _decode_json(value: Any) -> Any:
    if value is None:
        return None
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value  # not JSON (hand-edited row): keep the text


def table_rows(
    db: Any,
    *,
    revisions: bool = False,
    since: str | date | None = None,
    as_of: str | date | None = None,
) -> Iterator[dict]:
    """The rows an export holds, as dicts (JSON columns decoded), streamed from a cursor."""
    table = _table(revisions or as_of is not None)
    cursor = _cursor(db, table, _since(since), _since(as_of))
    names = [d[0] for d in cursor.description]
    json_cols = set(JSON_COLUMNS[table]) & set(names)
    for values in cursor:
        row = dict(zip(names, values, strict=True))
        for name in json_cols:
            row[name] = _decode_json(row[name])
        yield row


def export(
    db: Any,
    out: TextIO,
    *,
    fmt: str = "jsonl",
    revisions: bool = False,
    since: str | date | None = None,
    bom: bool = True,
    as_of: str | date | None = None,
) -> int:
    """Write every article (or revision) to the text stream `out`; returns the row count.
    Open a file for it with encoding="utf-8", newline="" (the CSV writer chooses line ends)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")
    table = _table(revisions or as_of is not None)
    cursor = _cursor(db, table, _since(since), _since(as_of))
    names = [d[0] for d in cursor.description]
    count = 0
    if fmt == "jsonl":
        json_idx = [i for i, name in enumerate(names) if name in JSON_COLUMNS[table]]
        for values in cursor:
            values = list(values)
            for i in json_idx:
                values[i] = _decode_json(values[i])
            line = json.dumps(dict(zip(names, values, strict=True)), ensure_ascii=False)
            out.write(line.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n")
            count += 1
    else:
        if bom:
            out.write(BOM)
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(names)
        for values in cursor:
            writer.writerow(values)  # None -> empty cell; ints as digits
            count += 1
    return count


def _column_types(table: str) -> dict[str, str]:
    from scraper.store import TABLES

    columns, _ = TABLES.get(table, ([], []))
    return {name: decl.split()[0].upper() for name, decl in columns}


def read_rows(
    stream: TextIO | Iterable[str], *, fmt: str, revisions: bool = False
) -> Iterator[dict]:
    """Read an export back: rows equal to table_rows() of the exported archive. For CSV an
    empty cell is None, INTEGER columns become ints and the JSON columns are decoded; a
    leading BOM is skipped."""
    table = _table(revisions)
    if fmt == "jsonl":
        for line in stream:
            line = line.lstrip(BOM)
            if line.strip():
                yield json.loads(line)
        return
    if fmt != "csv":
        raise ExportError(f"unknown export format {fmt!r}")
    types = _column_types(table)
    json_cols = set(JSON_COLUMNS[table])
    reader = csv.reader(stream)
    header = next(reader, None)
    if header is None:
        return
    header = [name.lstrip(BOM) for name in header]
    for cells in reader:
        row: dict[str, Any] = {}
        for name, cell in zip(header, cells, strict=True):
            if cell == "":
                row[name] = None
            elif name in json_cols:
                row[name] = _decode_json(cell)
            elif types.get(name) == "INTEGER":
                row[name] = int(cell)
            else:
                row[name] = cell
        yield row
