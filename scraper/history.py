"""`scrape history`: an article's revisions as text, and a word-level diff between two."""

from __future__ import annotations

import difflib
import json

DIFF_FIELDS = ("title", "published", "category", "source", "captions", "body")


def format_history(article_id: str, revisions: list[dict]) -> str:
    lines = [f"{article_id}: {len(revisions)} revision(s)"]
    for rev in revisions:
        changed = rev.get("changed_fields")
        if isinstance(changed, str):
            changed = json.loads(changed or "[]")
        what = ", ".join(changed) if changed else "first seen"
        delta = ""
        if rev.get("revision", 1) > 1:
            delta = f" (+{rev.get('chars_added') or 0} / -{rev.get('chars_removed') or 0} chars)"
        lines.append(f"  r{rev['revision']}  {rev['fetched_at']}  {what}{delta}")
    return "\n".join(lines)


def _field_text(revision: dict, name: str) -> str:
    value = revision.get(name)
    if name == "captions":
        items = json.loads(value) if isinstance(value, str) else (value or [])
        return "\n".join(items)
    return value or ""


def word_diff(old: str, new: str) -> str:
    """Words removed as [-word-], added as {+word+}; paragraphs kept on their own lines."""
    out: list[str] = []
    old_words, new_words = old.split(" "), new.split(" ")
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out.append(" ".join(old_words[a1:a2]))
            continue
        if a2 > a1:
            out.append("[-" + " ".join(old_words[a1:a2]) + "-]")
        if b2 > b1:
            out.append("{+" + " ".join(new_words[b1:b2]) + "+}")
    return " ".join(part for part in out if part)


def format_diff(old: dict, new: dict) -> str:
    lines = [f"r{old['revision']} -> r{new['revision']}"]
    for name in DIFF_FIELDS:
        before, after = _field_text(old, name), _field_text(new, name)
        if before == after:
            continue
        lines.append(f"--- {name}")
        if name == "body":
            before_paragraphs, after_paragraphs = before.split("\n\n"), after.split("\n\n")
            matcher = difflib.SequenceMatcher(
                None, before_paragraphs, after_paragraphs, autojunk=False
            )
            for op, a1, a2, b1, b2 in matcher.get_opcodes():
                if op == "equal":
                    continue
                lines.append(
                    word_diff(
                        "\n\n".join(before_paragraphs[a1:a2]), "\n\n".join(after_paragraphs[b1:b2])
                    )
                )
        else:
            lines.append(word_diff(before, after))
    if len(lines) == 1:
        lines.append("(no difference in content)")
    return "\n".join(lines)
