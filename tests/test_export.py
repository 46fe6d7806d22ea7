"""Export to JSON Lines and CSV: round trips, BOM, filters, streaming, CLI."""

from __future__ import annotations

import csv
import json
import tracemalloc

import pytest
from click.testing import CliRunner

from scraper.cli import main
from scraper.export import ExportError, export, read_rows, table_rows
from scraper.models import Article, Image, Link
from scraper.store import Archive

SITE = "127.0.0.1:8123"
T0 = "2024-05-02T08:00:00Z"
T1 = "2024-06-10T08:00:00Z"


def make(n: int, **fields) -> Article:
    fields.setdefault("title", f"Bản tin số {n}")
    fields.setdefault("published", "2024-04-30")
    return Article(id=f"{SITE}/{n}", url=f"http://{SITE}/?gd=1&tc={n}", site=SITE, **fields)


@pytest.fixture
def archive(tmp_path):
    with Archive(tmp_path / "a.db") as arch:
        tricky = make(
            1,
            category="Tin tức >> Tin trong tỉnh",
            title='Hội nghị "chuyển đổi số", năm 2024; tổng kết',
            published_raw="30/04/2024",
            body=(
                "Sáng 30/4, tại Huế, Sở Thông tin và Truyền thông tổ chức hội nghị.\n\n"
                'Ông A phát biểu: "Chúng ta, cùng nhau, làm tốt hơn."\n\n'
                "Dòng cuối có dấu phẩy, và ký tự ' nháy đơn"
            ),
            source="Minh Anh",
            captions=['Quang cảnh "hội nghị", ở Huế', "Đại biểu dự họp"],
            images=[Image(f"http://{SITE}/UploadFiles/a.jpg", "Quang cảnh")],
            links=[Link("attachment", f"http://{SITE}/UploadFiles/ke%20hoach.pdf", "Kế hoạch")],
        )
        arch.save_article(tricky, fetched_at=T0, page_sha="ab" * 32, run_id=None)
        # NULLs: no date, no source, no captions, no category
        bare = make(2, title="Thông báo nghỉ lễ", published=None, body="Nghỉ lễ ba ngày./.")
        arch.save_article(bare, fetched_at=T0, page_sha=None, run_id=None)
        tricky.body += "\n\nĐoạn bổ sung về Đà Nẵng."
        tricky.captions = []
        arch.save_article(tricky, fetched_at=T1, page_sha=None, run_id=None)
        arch.save_article(
            make(3, published="2023-01-05", body="Tin cũ."), fetched_at=T0, page_sha=None, run_id=1
        )
        yield arch


def db_rows(archive: Archive, table: str, order: str) -> list[dict]:
    """SELECT * with the JSON columns decoded: what an export must read back as."""
    cursor = archive.db.execute(f"SELECT * FROM {table} ORDER BY {order}")
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor]
    for row in rows:
        for key in ("captions", "changed_fields", "attachments"):
            if row.get(key) is not None:
                row[key] = json.loads(row[key])
    return rows


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.parametrize("revisions", [False, True])
def test_round_trip(archive, tmp_path, fmt, revisions):
    path = tmp_path / f"out.{fmt}"
    with open(path, "w", encoding="utf-8", newline="") as out:
        count = export(archive, out, fmt=fmt, revisions=revisions)
    with open(path, encoding="utf-8", newline="") as stream:
        back = list(read_rows(stream, fmt=fmt, revisions=revisions))
    table, order = ("revisions", "article_id, revision") if revisions else ("articles", "id")
    expected = db_rows(archive, table, order)
    assert count == len(expected) == (4 if revisions else 3)
    assert back == expected
    assert back == list(table_rows(archive, revisions=revisions))
    # the tricky values really went through
    first = next(row for row in back if row.get("id", row.get("article_id")) == f"{SITE}/1")
    assert "\n\n" in first["body"] and '"Chúng ta, cùng nhau' in first["body"]
    bare = next(row for row in back if row.get("id", row.get("article_id")) == f"{SITE}/2")
    assert bare["published"] is None and bare["source"] is None


def test_json_columns_are_arrays_in_jsonl_and_text_in_csv(archive, tmp_path):
    jsonl = tmp_path / "r.jsonl"
    with open(jsonl, "w", encoding="utf-8") as out:
        export(archive, out, fmt="jsonl", revisions=True)
    lines = jsonl.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4
    row = json.loads(lines[0])
    assert row["captions"] == ['Quang cảnh "hội nghị", ở Huế', "Đại biểu dự họp"]
    assert row["changed_fields"] == []
    assert isinstance(row["attachments"], list)
    assert json.loads(lines[1])["changed_fields"] == ["captions", "body"]

    path = tmp_path / "r.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        export(archive, out, fmt="csv", revisions=True)
    with open(path, encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert rows[0]["captions"] == '["Quang cảnh \\"hội nghị\\", ở Huế","Đại biểu dự họp"]'
    assert rows[1]["changed_fields"] == '["captions","body"]'


def test_csv_has_a_bom_and_a_header_by_default(archive, tmp_path):
    path = tmp_path / "a.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        export(archive, out, fmt="csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfid,url,site,category,title,")
    assert data.count(b"\xef\xbb\xbf") == 1
    assert "Hội nghị".encode() in data
    with open(path, "w", encoding="utf-8", newline="") as out:
        export(archive, out, fmt="csv", bom=False)
    assert path.read_bytes().startswith(b"id,url,")


def test_since_filters(archive):
    since = [row["id"] for row in table_rows(archive, since="2024-01-01")]
    assert since == [f"{SITE}/1"]  # 2 has no date, 3 is older
    revs = [
        (r["article_id"], r["revision"])
        for r in table_rows(archive, revisions=True, since="2024-06-01")
    ]
    assert revs == [(f"{SITE}/1", 2)]
    with pytest.raises(ExportError):
        list(table_rows(archive, since="June"))
    with pytest.raises(ExportError):
        export(archive, None, fmt="xml")


def test_export_streams_from_a_cursor(tmp_path):
    """Python memory at the peak of an export does not grow with the number of rows (the
    revisions export: same cursor code as articles, and no FTS triggers to slow the setup)."""

    def build(n: int):
        path = tmp_path / f"big{n}.db"
        with Archive(path) as arch:
            arch.save_article(make(1), fetched_at=T0, page_sha=None, run_id=None)
            with arch.db.atomic():
                arch.db.conn.executemany(
                    "INSERT INTO revisions (article_id, revision, fetched_at, title, body, "
                    "captions, changed_fields) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        (
                            f"{SITE}/1",
                            i,
                            T1,
                            f"Bản tin số {i} về Thừa Thiên Huế",
                            'Nội dung bài viết, có dấu phẩy và "ngoặc kép".\n\n' * 8,
                            '["Ảnh minh họa"]',
                            '["body"]',
                        )
                        for i in range(2, n + 1)
                    ),
                )
        return path

    peaks = {}
    for n in (1_000, 10_000):
        path = build(n)
        for fmt in ("jsonl", "csv"):
            target = tmp_path / f"o{n}.{fmt}"
            with Archive(path) as arch, open(target, "w", encoding="utf-8", newline="") as out:
                tracemalloc.start()
                count = export(arch, out, fmt=fmt, revisions=True)
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
            assert count == n
            assert target.stat().st_size > n * 400  # the rows were written
            peaks[n, fmt] = peak
    for fmt in ("jsonl", "csv"):
        # holding 10k rows (~4 MB of text) would be ~10x the 1k peak; a stream stays flat
        assert peaks[10_000, fmt] < 3 * peaks[1_000, fmt], peaks


# --------------------------------------------------------------------------- CLI


def test_cli_export_stdout_and_file(archive, tmp_path):
    runner = CliRunner()
    db = ["--db", str(archive.path)]
    result = runner.invoke(main, ["export", "--format", "jsonl", *db])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["id"] for row in rows] == [f"{SITE}/1", f"{SITE}/2", f"{SITE}/3"]

    out = tmp_path / "rev.csv"
    result = runner.invoke(
        main,
        [
            "export",
            "--format",
            "csv",
            "--revisions",
            "--since",
            "2024-06-01",
            "--output",
            str(out),
            *db,
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "exported 1 revisions" in result.stderr
    with open(out, encoding="utf-8", newline="") as stream:
        back = list(read_rows(stream, fmt="csv", revisions=True))
    assert [(r["article_id"], r["revision"]) for r in back] == [(f"{SITE}/1", 2)]

    result = runner.invoke(main, ["export", "--format", "csv", "--no-bom", *db])
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"id,url,")
    assert result.stdout_bytes.count(b"\r\n") >= 4  # header + 3 rows; bodies keep their own \n


def test_cli_export_missing_archive(tmp_path):
    result = CliRunner().invoke(main, ["export", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert "no archive" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "none.db").exists()
