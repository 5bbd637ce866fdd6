"""The shape of the code that newcomers rely on: the CLI at the top, one error tree, data
flowing one way."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

from click.testing import CliRunner

import policykg
from policykg.cli import cli, main
from policykg.errors import PolicyKGError, UserError

ROOT = Path(__file__).resolve().parents[1]


def test_kg_imports_neither_queries_nor_service():
    offenders = []
    for path in sorted((ROOT / "kg").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                module = "." * node.level + (node.module or "")
            elif isinstance(node, ast.Import):
                module = ",".join(alias.name for alias in node.names)
            else:
                continue
            if any(part in module for part in ("queries", "service")):
                offenders.append(f"{path.name}:{node.lineno} {module}")
    assert offenders == []


def _exception_classes():
    """Every public exception class defined in the policykg packages."""
    for package in ("kg", "queries", "service"):
        names = [f"policykg.{package}"] + [
            f"policykg.{package}.{m.name}"
            for m in pkgutil.iter_modules([str(ROOT / package)])
            if m.name not in ("testing",)
        ]
        for name in names:
            module = importlib.import_module(name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if (
                    issubclass(cls, BaseException)
                    and cls.__module__ == name
                    and not cls.__name__.startswith("_")
                ):
                    yield cls


def test_every_error_of_ours_is_in_the_one_tree():
    classes = list(_exception_classes())
    assert len(classes) >= 15  # the tree of policykg/errors.py, not an empty scan
    assert [c.__qualname__ for c in classes if not issubclass(c, PolicyKGError)] == []
    user = {c.__name__ for c in classes if issubclass(c, UserError)}
    assert {"ReportError", "BuildError", "StoreError", "CatalogueError"} <= user
    assert not issubclass(policykg.service.pool.WorkerLost, UserError)


def test_the_cli_lists_every_command_with_click():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("build", "load", "query", "dump", "stats", "serve"):
        assert f"  {command} " in result.output


def test_a_user_error_is_one_line_and_a_usage_error_is_clicks(tmp_path, capsys):
    missing = tmp_path / "no-store"
    assert main(["query", "--store", str(missing), "SELECT * WHERE { ?s ?p ?o }"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("policykg: ") and len(err.splitlines()) == 1 and str(missing) in err
    assert main(["serve", "--port", "70000"]) == 2
    assert "--port" in capsys.readouterr().err


def _blueprint_modules() -> set[str]:
    """The service modules that define a ``Blueprint`` (one URL area each)."""
    found = set()
    for path in sorted((ROOT / "service").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Blueprint":
                found.add(path.stem)
    return found


def test_no_blueprint_imports_another():
    blueprints = _blueprint_modules()
    assert {"entities", "sparql", "terms", "catalogue"} <= blueprints  # not an empty scan
    offenders = []
    for name in sorted(blueprints):
        path = ROOT / "service" / f"{name}.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                # ``from .x import y`` and ``from . import x, y``
                names = [node.module] if node.module else [a.name for a in node.names]
                offenders += [f"{name}.py:{node.lineno} {m}" for m in names if m in blueprints]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "policykg.service."
            ):
                module = node.module.rsplit(".", 1)[-1]  # type: ignore[union-attr]
                if module in blueprints:
                    offenders.append(f"{name}.py:{node.lineno} {module}")
    assert offenders == []


LONG = 400  # lines past which a module says why it is still one module


def test_a_long_module_says_why_in_the_first_paragraph_of_its_docstring():
    long_modules, unexplained = [], []
    for folder in ("kg", "service", "queries", "ontology", "policykg"):
        for path in sorted((ROOT / folder).glob("*.py")):
            text = path.read_text(encoding="utf-8")
            if text.count("\n") <= LONG:
                continue
            name = path.relative_to(ROOT).as_posix()
            long_modules.append(name)
            first = (ast.get_docstring(ast.parse(text)) or "").split("\n\n", 1)[0]
            if not re.search(r"[\d,]+\s+lines", first):
                unexplained.append(name)
    assert "kg/slogans.py" in long_modules  # the scan reads the tree
    assert unexplained == []
