"""Demo data: a tenant with keys for each role and a small book of customers, quotes and policies,
so that the API and pages have something to show on first start. Generated with a fixed seed and
valid identifiers (check characters computed, not invented)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import select

from sme_insure.customers import complete_uscc
from sme_insure.errors import SmeInsureError
from sme_insure.services.actor import Actor
from sme_insure.services.binding import bind
from sme_insure.services.context import Services
from sme_insure.services.customers import CustomerData, register_customer
from sme_insure.services.keys import NewKey, authenticate, create_key
from sme_insure.services.quotes import create_quote
from sme_insure.storage.schema import Tenant

ROLES = {"admin": {}, "channel": {"channel": "web"}, "underwriter": {"authority": {
    "max_sum_insured_fen": 50_000_000_00, "max_loading": 0.5, "max_discount": 0.15}},
    "customer_service": {}, "actuary": {}, "claims_handler": {}}
_RISKS: list[tuple[str, dict[str, Any]]] = [
    ("SME_PROPERTY", {"occupancy_class": "retail", "construction": "class_1", "province": "33",
                      "sum_insured": 800_000, "fire_protection": "extinguishers_only"}),
    ("SME_PROPERTY", {"occupancy_class": "industrial_2", "construction": "class_2", "province": "44",
                      "sum_insured": 3_000_000, "fire_protection": "hydrants"}),
]


def has_demo(services: Services, tenant: str = "demo") -> bool:
    """Whether the demo tenant exists already."""
    with services.db.reading() as s:
        return s.scalars(select(Tenant).where(Tenant.code == tenant)).first() is not None


def create_demo(services: Services, *, tenant: str = "demo", customers: int = 40,
                seed: int = 2026) -> list[NewKey]:
    """Create the demo tenant, one key per role, and a small book; returns the keys."""
    with services.db.transaction() as s:
        keys = [create_key(s, tenant, role, name=f"demo {role}", **extra) for role, extra in ROLES.items()]
    with services.db.reading() as s:
        channel = authenticate(s, keys[1].text)
    rng = random.Random(seed)
    for i in range(customers):
        _one_customer(services, channel, rng, i)
    return keys


def _one_customer(services: Services, actor: Actor, rng: random.Random, i: int) -> None:
    kind = "individual_business" if i % 3 == 0 else "enterprise"
    body = f"9{2 if kind == 'individual_business' else 1}{rng.choice(['330100', '440300', '350100'])}" \
           f"MA{rng.randrange(10**5, 10**6)}"
    start = services.today() + dt.timedelta(days=rng.randrange(1, 20))
    code, risk = rng.choice(_RISKS)
    try:
        with services.db.transaction() as s:
            customer, _ = register_customer(s, services, actor, CustomerData(
                kind=kind, identifier=complete_uscc(body[:16]), name=f"示例商户 {i:03d}",
                industry="F52" if kind == "enterprise" else None, employees=rng.randrange(2, 60),
                revenue_cny=rng.randrange(300_000, 9_000_000), assets_cny=rng.randrange(100_000, 5_000_000)))
            quote = create_quote(s, services, actor, product_code=code, customer_id=customer.id,
                                 inputs=dict(risk), start_date=start)
            if quote.status == "quoted" and rng.random() < 0.8:
                bind(s, services, actor, quote.id)
    except SmeInsureError:
        return  # a demo risk the rules refuse is simply skipped
