"""mypy stays clean on the modules pyproject.toml's [tool.mypy] `files` lists."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_clean_on_typed_modules():
    api = pytest.importorskip("mypy.api")
    cwd = os.getcwd()
    os.chdir(ROOT)  # mypy reads pyproject.toml and the `files` list from the working dir
    try:
        out, err, status = api.run([])
    finally:
        os.chdir(cwd)
    assert "checked" in out or "Success" in out, out + err
    assert status == 0, out + err
