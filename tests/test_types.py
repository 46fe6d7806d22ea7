"""`mypy` alone, with the project's [tool.mypy] config, checks the whole package clean."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_clean_on_the_whole_package():
    api = pytest.importorskip("mypy.api")
    cwd = os.getcwd()
    os.chdir(ROOT)  # mypy reads pyproject.toml and its `files` from the working directory
    try:
        out, err, status = api.run([])
    finally:
        os.chdir(cwd)
    assert status == 0, out + err
    # Every module of the package was checked, not just a list of the clean ones.
    checked = re.search(r"no issues found in (\d+) source files", out)
    assert checked is not None, out + err
    assert int(checked.group(1)) == len(list((ROOT / "scraper").rglob("*.py"))), out
