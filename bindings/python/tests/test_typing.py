"""The package ships py.typed, so its annotations are part of its interface: ``mypy --strict`` must pass on it
(issue 12, section 5). mypy comes from PyPI (scripts/bootstrap.sh installs it for the tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

import deployhook

PACKAGE = Path(deployhook.__file__).parent


def test_the_package_is_typed() -> None:
    assert (PACKAGE / "py.typed").is_file()


def test_mypy_strict_passes_on_the_package(tmp_path: Path) -> None:
    try:
        from mypy import api
    except ImportError:
        pytest.skip("mypy cannot be imported: install it with `python3 -m pip install mypy`")
    stdout, stderr, status = api.run(["--strict", "--cache-dir", str(tmp_path / "mypy_cache"), str(PACKAGE)])
    assert status == 0, stdout + stderr
