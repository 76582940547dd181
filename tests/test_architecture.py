"""The documented layering: the library never imports the CLI, the HTTP service or the web pages,
and the domain packages do not import the database or the web framework."""

from __future__ import annotations

import ast

from support.paths import ROOT

SRC = ROOT / "src" / "sme_insure"
OUTER = ("sme_insure.cli", "sme_insure.service", "sme_insure.web")
DOMAIN = [
    "catalogue",
    "tables",
    "rating",
    "customers",
    "life",
    "pension",
    "reserving",
    "money.py",
    "errors.py",
    "underwriting",
    "policies",
    "claims",
]


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def _files(part):
    p = SRC / part
    return [p] if p.is_file() else sorted(p.rglob("*.py"))


def test_library_does_not_import_outer_layers():
    for part in DOMAIN:
        for path in _files(part):
            bad = [m for m in _imports(path) if m.startswith(OUTER)]
            assert not bad, f"{path} imports {bad}"


def test_domain_does_not_import_database_or_web():
    for part in DOMAIN:
        for path in _files(part):
            bad = [
                m
                for m in _imports(path)
                if m.split(".")[0] in {"sqlalchemy", "fastapi", "starlette"}
            ]
            assert not bad, f"{path} imports {bad}"


def test_library_and_services_do_not_import_the_http_layer_or_the_cli():
    """Services and job processes (which configure logging through :mod:`sme_insure.logs`) run
    without the web framework: only the outer layers import each other."""
    outer = ("sme_insure.http", "sme_insure.web", "sme_insure.cli")
    for path in sorted(SRC.rglob("*.py")):
        if path.relative_to(SRC).parts[0] in {"http", "web", "cli"}:
            continue
        bad = [m for m in _imports(path) if m.startswith(outer)]
        assert not bad, f"{path} imports {bad}"
