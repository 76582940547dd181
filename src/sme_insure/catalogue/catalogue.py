"""The catalogue: every product version and every rating-table version, chosen by date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sme_insure import clock
from sme_insure.catalogue.loader import load_products
from sme_insure.catalogue.product import Product
from sme_insure.errors import ConfigurationError, Issue, NotFoundError, RatingInputError
from sme_insure.tables import TableStore


@dataclass
class Catalogue:
    """Products by code and version, with the table store they are rated on."""

    products: list[Product]
    tables: TableStore
    source: tuple[Path, Path] | None = None  # (products, tables) folders it was loaded from

    @classmethod
    def load(cls, products_dir: Path, tables_dir: Path) -> Catalogue:
        """Load both folders; errors of products and tables are reported together. A folder that
        is missing or holds nothing is an error: a mistyped ``SME_INSURE_PRODUCTS`` would otherwise
        serve an empty catalogue."""
        issues: list[Issue] = []
        products: list[Product] = []
        tables = TableStore()
        try:
            products = load_products(products_dir)
        except ConfigurationError as exc:
            issues += exc.issues
        try:
            tables = TableStore.load(tables_dir)
        except ConfigurationError as exc:
            issues += exc.issues
        issues += _folder_issues("products", Path(products_dir), bool(products), "**/*.yaml")
        issues += _folder_issues("tables", Path(tables_dir), bool(tables.ids()), "*/*.yaml")
        if issues:
            raise ConfigurationError(issues)
        return cls(products, tables, (Path(products_dir), Path(tables_dir)))

    def codes(self) -> list[str]:
        """Product codes, sorted."""
        return sorted({p.code for p in self.products})

    def versions(self, code: str) -> list[Product]:
        """All versions of a product, by effective date."""
        found = sorted((p for p in self.products if p.code == code), key=lambda p: p.effective_from)
        if not found:
            raise NotFoundError("product", code, self.codes())
        return found

    def get(
        self, code: str, version: str | None = None, *, as_of: dt.date | None = None
    ) -> Product:
        """A product by version, or the version in force on ``as_of`` (default: today)."""
        versions = self.versions(code)
        if version is not None:
            for product in versions:
                if product.version == version:
                    return product
            raise NotFoundError(
                f"version of product {code}", version, [p.version for p in versions]
            )
        on = as_of or clock.today()
        for product in versions:
            if product.in_force(on):
                return product
        spans = [f"{p.version}: {p.effective_from}–{p.effective_to or '∞'}" for p in versions]
        raise RatingInputError(
            [
                Issue(
                    "as_of",
                    on.isoformat(),
                    f"no version of product {code} in force; versions: {spans}",
                )
            ]
        )

    def current(self) -> list[Product]:
        """The version of each product in force today, or its latest version."""
        out = []
        for code in self.codes():
            versions = self.versions(code)
            live = [p for p in versions if p.in_force(clock.today())]
            out.append(live[0] if live else versions[-1])
        return out


def _folder_issues(kind: str, folder: Path, loaded: bool, pattern: str) -> list[Issue]:
    if not folder.is_dir():
        return [Issue(kind, str(folder), f"no such {kind} folder")]
    if not loaded and not any(folder.glob(pattern)):
        return [Issue(kind, str(folder), f"the {kind} folder holds no {kind} ({pattern} files)")]
    return []
