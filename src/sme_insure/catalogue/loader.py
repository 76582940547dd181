"""Reading product files: YAML → layered merge (``extends``) → validated :class:`Product`.

A product file may start with ``extends: CODE@VERSION`` to take another product version as its
base: mappings are merged key by key, anything else (lists included) is replaced whole. The base is
the resolved file, so variants of variants work; cycles are reported. Every error of every file is
collected, each with the file, the path inside it and the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sme_insure.catalogue.product import Product
from sme_insure.errors import ConfigurationError, Issue


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into a copy of ``base``: nested mappings merge, other values replace."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _read(path: Path, issues: list[Issue]) -> dict[str, Any] | None:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        issues.append(Issue("", None, f"not valid YAML: {exc}", source=str(path)))
        return None
    if not isinstance(raw, dict):
        issues.append(
            Issue("", type(raw).__name__, "a product file is a mapping", source=str(path))
        )
        return None
    return raw


def _label(raw: dict[str, Any]) -> str:
    return f"{raw.get('code')}@{raw.get('version')}"


def _resolve(
    label: str,
    raws: dict[str, tuple[Path, dict[str, Any]]],
    issues: list[Issue],
    seen: tuple[str, ...] = (),
) -> dict[str, Any] | None:
    path, raw = raws[label]
    parent = raw.get("extends")
    if parent is None:
        return raw
    if parent in seen or parent == label:
        issues.append(
            Issue("extends", parent, f"cycle: {' → '.join((*seen, label))}", source=str(path))
        )
        return None
    if parent not in raws:
        issues.append(
            Issue(
                "extends",
                parent,
                f"no such product version; known: {sorted(raws)}",
                source=str(path),
            )
        )
        return None
    base = _resolve(parent, raws, issues, (*seen, label))
    if base is None:
        return None
    merged = deep_merge({k: v for k, v in base.items() if k != "extends"}, raw)
    merged.pop("extends")
    return merged


def validation_issues(exc: ValidationError, source: str) -> list[Issue]:
    """pydantic errors as issues: path inside the file, the value and the reason."""
    return [
        Issue(
            ".".join(map(str, e["loc"])) or "(file)",
            e.get("input") if e["loc"] else None,
            e["msg"],
            source=source,
        )
        for e in exc.errors()
    ]


def load_products(folder: Path) -> list[Product]:
    """Load every ``*.yaml`` under ``folder`` (recursively) as a product version."""
    issues: list[Issue] = []
    raws: dict[str, tuple[Path, dict[str, Any]]] = {}
    for path in sorted(Path(folder).rglob("*.yaml")):
        raw = _read(path, issues)
        if raw is None:
            continue
        if _label(raw) in raws:
            issues.append(
                Issue(
                    "code/version",
                    _label(raw),
                    f"also defined in {raws[_label(raw)][0]}",
                    source=str(path),
                )
            )
            continue
        raws[_label(raw)] = (path, raw)
    products: list[Product] = []
    for label, (path, _) in raws.items():
        merged = _resolve(label, raws, issues)
        if merged is None:
            continue
        try:
            products.append(Product.model_validate(merged))
        except ValidationError as exc:
            issues.extend(validation_issues(exc, str(path)))
    if issues:
        raise ConfigurationError(issues)
    return products
