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


def test_every_scrape_example_in_the_readme_uses_real_options():
    """The hand-written examples outside the generated block (`scrape crawl --full`, ...)
    name commands and options that exist, so they cannot drift from --help."""
    import re
    import shlex

    text = README.read_text(encoding="utf-8")
    text = text.replace(readme_block(text), "")
    examples = []
    for block in re.findall(r"```(?:sh|cron)\n(.*?)```", text, re.S):
        for line in block.splitlines():
            at = line.find("scrape ")
            if at < 0 or (at > 0 and not line[at - 1].isspace() and line[at - 1] != "/"):
                continue
            words = shlex.split(line[at:], comments=True)
            for stop in ("|", ">", "2>>", "&&"):
                words = words[: words.index(stop)] if stop in words else words
            examples.append(words)
    assert len(examples) > 15
    for words in examples:
        name = words[1]
        assert name in main.commands, words
        params = main.commands[name].params
        opts = {opt for p in params for opt in (*p.opts, *p.secondary_opts)} | {"-h", "--help"}
        for word in words[2:]:
            if word.startswith("-") and word != "-":
                assert word.split("=")[0] in opts, (name, word)


def test_the_exit_code_table_covers_interruption_and_sigterm():
    codes = {code: name for code, name, _ in EXIT_CODES}
    assert codes[130] == "interrupted" and codes[143] == "terminated"
    block = readme_block(README.read_text(encoding="utf-8"))
    assert "| 130 |" in block and "| 143 |" in block and "--full" in block
