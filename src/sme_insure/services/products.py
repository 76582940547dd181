"""Which products a caller may see, quote and bind.

A product version with ``channel`` set is a variant sold by that one channel (the Hangzhou city
scheme's subsidised shop package is sold only through the scheme). Its channel's keys sell it,
and so do the tenant-wide roles (admin, underwriter, customer service, ...), who act for every
channel of the tenant and see all its business (:attr:`.Actor.channel_scope`). Any other channel
key, and the public web pages (channel ``web``), are told it does not exist: the same 404, with
the same list of known codes, as for a code nobody ever filed, and listings leave it out.
"""

from __future__ import annotations

import datetime as dt

from sme_insure.catalogue import Catalogue
from sme_insure.catalogue.product import Product
from sme_insure.errors import NotFoundError
from sme_insure.services.actor import Actor


def sells(actor: Actor, product: Product) -> bool:
    """Whether ``actor`` may see and sell this product version."""
    return product.channel is None or actor.channel_scope in (None, product.channel)


def visible_products(catalogue: Catalogue, actor: Actor) -> list[Product]:
    """The current version of each product (:meth:`.Catalogue.current`) the actor may sell."""
    return [p for p in catalogue.current() if sells(actor, p)]


def _visible_codes(catalogue: Catalogue, actor: Actor) -> list[str]:
    return [c for c in catalogue.codes() if any(sells(actor, p) for p in catalogue.versions(c))]


def product_for(catalogue: Catalogue, actor: Actor, code: str, version: str | None = None, *,
                as_of: dt.date | None = None) -> Product:
    """:meth:`.Catalogue.get` for this actor: a product (or version) it may not sell is not
    found, and the codes the 404 lists are only those it may sell. A hidden code is refused
    before its versions are looked at, so a wrong version does not name the right ones."""
    try:
        hidden = not any(sells(actor, p) for p in catalogue.versions(code))
    except NotFoundError:
        hidden = True
    if not hidden:
        product = catalogue.get(code, version, as_of=as_of)
        if sells(actor, product):
            return product
    raise NotFoundError("product", code, _visible_codes(catalogue, actor))
