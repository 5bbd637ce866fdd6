"""The examples in every module's docstrings run, and say what they show."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = ["policykg.cli", "policykg.errors"] + [
    f"policykg.{package}.{m.name}"
    for package in ("kg", "queries", "service")
    for m in pkgutil.iter_modules([str(ROOT / package)])
] + ["policykg.queries"]  # fmt: skip


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_the_examples_are_many():
    attempted = sum(doctest.testmod(importlib.import_module(n)).attempted for n in MODULES)
    assert attempted > 100
