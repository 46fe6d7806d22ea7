"""README's command reference is the one `python -m scraper.cli.docs` generates."""

from __future__ import annotations

from pathlib import Path

from scraper.cli import EXIT_CODES, docs, main

README = Path(__file__).parent.parent / "README.md"


def readme_block(text: str) -> str:
    return text[text.index(docs.START) : text.index(docs.END) + len(docs.END)]


def test_readme_block_equals_the_generated_one():
    assert readme_block(README.read_text(encoding="utf-8")) == docs.reference()


def test_every_command_and_exit_code_is_in_the_readme_block():
    block = readme_block(README.read_text(encoding="utf-8"))
    assert main.commands
    for name in main.commands:
        assert f"#### `scrape {name}`" in block, name
        assert f"Usage: scrape {name} [OPTIONS]" in block, name
    for code, _, meaning in EXIT_CODES:
        assert f"| {code} | {meaning} |" in block


def test_check_passes_on_the_readme_and_fails_with_a_diff_on_a_stale_copy(tmp_path, capsys):
    assert docs.run(["--check", str(README)]) == 0
    stale = tmp_path / "README.md"
    stale.write_text(
        f"intro\n\n{docs.START}\n| 0 | old table |\n{docs.END}\n\nafter\n", encoding="utf-8"
    )
    assert docs.run(["--check", str(stale)]) == 1
    assert "-| 0 | old table |" in capsys.readouterr().out
    assert docs.run(["--write", str(stale)]) == 0
    rewritten = stale.read_text(encoding="utf-8")
    assert rewritten.startswith("intro\n\n") and rewritten.endswith("\n\nafter\n")
    assert docs.run(["--check", str(stale)]) == 0
