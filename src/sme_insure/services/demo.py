"""Demo data: a tenant with a key per role and a synthetic book across the lines — customers,
policies written over the past eighteen months, endorsements, cancellations and claims (some
fast-tracked and paid, some with a handler) — so that every page, report and statistic has
something to show. Fixed seed; identifiers carry valid check characters."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from sme_insure.customers import complete_resident_id, complete_uscc
from sme_insure.errors import SmeInsureError
from sme_insure.rating.examples import example_risks
from sme_insure.services import binding, changes
from sme_insure.services.actor import Actor
from sme_insure.services.claims import ClaimReport, report_claim
from sme_insure.services.claims_documents import Upload, upload_document
from sme_insure.services.context import Services
from sme_insure.services.customers import CustomerData, register_customer
from sme_insure.services.keys import NewKey, authenticate, create_key
from sme_insure.services.quotes import create_quote
from sme_insure.services.schedule_sealing import unseal_person
from sme_insure.storage.schema import Policy, Tenant

ROLES: dict[str, dict[str, Any]] = {
    "admin": {}, "channel": {"channel": "web"},
    "underwriter": {"authority": {"max_sum_insured_fen": 50_000_000_00, "max_loading": 0.5,
                                  "max_discount": 0.15}},
    "customer_service": {}, "actuary": {}, "claims_handler": {}}
PRODUCTS = {"SME_PROPERTY": 5, "SHOP_PACKAGE": 4, "PUBLIC_LIABILITY": 2, "EMPLOYERS_LIABILITY": 2,
            "GROUP_ACCIDENT": 2, "PRODUCT_LIABILITY": 1, "CARGO": 1}
DOCS = {".pdf": b"%PDF-1.4\n% demo document\n", ".jpg": b"\xff\xd8\xff\xe0" + b"\0" * 64}


def has_demo(services: Services, tenant: str = "demo") -> bool:
    """Whether the demo tenant exists already."""
    from sqlalchemy import select

    with services.db.reading() as s:
        return s.scalars(select(Tenant).where(Tenant.code == tenant)).first() is not None


def create_demo(services: Services, *, tenant: str = "demo", customers: int = 300,
                seed: int = 2026, progress: Callable[[int], None] | None = None) -> list[NewKey]:
    """Create the demo tenant, one key per role and the book; returns the keys (shown once)."""
    with services.db.transaction() as s:
        keys = [create_key(s, tenant, role, name=f"demo {role}", **extra) for role, extra in ROLES.items()]
    with services.db.reading() as s:
        channel = authenticate(s, keys[1].text)
    rng = random.Random(seed)
    real_today = services.today
    try:
        for i in range(customers):
            _one_customer(services, channel, rng, i, real_today())
            if progress:
                progress(1)
    finally:
        services.today = real_today
    return keys


def _at(services: Services, day: dt.date) -> None:
    services.today = lambda: day


def _risk(product_code: str, services: Services, rng: random.Random, i: int) -> dict[str, Any]:
    if product_code == "GROUP_ACCIDENT":
        n = rng.randrange(3, 12)
        persons = [{"id_number": complete_resident_id(f"3301061{rng.randrange(970, 999)}0101{k:03d}"),
                    "name": f"员工{k}", "occupational_class": rng.choice([1, 1, 2, 3, 4])} for k in range(n)]
        return {"sum_insured": rng.choice([100000, 200000, 400000]), "cover_accident_medical": False,
                "persons": persons}
    product = services.catalogue.get(product_code)
    row = example_risks(product, 1, seed=i).iloc[0].to_dict()
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}


def _one_customer(services: Services, actor: Actor, rng: random.Random, i: int, today: dt.date) -> None:
    code = rng.choices(list(PRODUCTS), weights=list(PRODUCTS.values()))[0]
    kind = "individual_business" if code == "SHOP_PACKAGE" or rng.random() < 0.3 else "enterprise"
    body = f"9{2 if kind == 'individual_business' else 1}{rng.choice(['330100', '440300', '350100', '510100'])}" \
           f"MA{rng.randrange(10**5, 10**6)}"
    first = services.catalogue.versions(code)[0].effective_from  # nothing can start before it
    earliest = max(today - dt.timedelta(days=540), first)
    start = today - dt.timedelta(days=rng.randrange(0, max((today - earliest).days, 0) + 1))
    _at(services, start)
    try:
        with services.db.transaction() as s:
            customer, _ = register_customer(s, services, actor, CustomerData(
                kind=kind, identifier=complete_uscc(body[:16]), name=f"示例商户 {i:04d}",
                phone=f"139{rng.randrange(10**7, 10**8)}",
                industry=rng.choice(["F52", "H62", "C13", "I65"]) if kind == "enterprise" else None,
                employees=rng.randrange(2, 80), revenue_cny=rng.randrange(300_000, 9_000_000),
                assets_cny=rng.randrange(100_000, 5_000_000)))
            quote = create_quote(s, services, actor, product_code=code, customer_id=customer.id,
                                 inputs=_risk(code, services, rng, i), start_date=start)
            if quote.status != "quoted" or rng.random() > 0.85:
                return
            policy = binding.bind(s, services, actor, quote.id)
            s.flush()
            policy_id = policy.id
    except SmeInsureError:
        return  # an example risk the rules refuse is skipped, as a real customer would be
    _life_events(services, actor, rng, policy_id, start, today)


def _life_events(services: Services, actor: Actor, rng: random.Random, policy_id: int,
                 start: dt.date, today: dt.date) -> None:
    """A mid-term change, a cancellation or a claim on some policies, each on its own date."""
    event = rng.random()
    day = start + dt.timedelta(days=rng.randrange(30, 330))
    if day >= today:
        return
    _at(services, day)
    try:
        with services.db.transaction() as s:
            policy = s.get(Policy, policy_id)
            assert policy is not None
            if event < 0.12 and "sum_insured" in policy.inputs and "persons" not in policy.inputs:
                changes.endorse(s, services, actor, policy_id, effective=day, reason="demo: more stock",
                                changes={"sum_insured": float(policy.inputs["sum_insured"]) * 1.2})
            elif event < 0.18:
                changes.cancel(s, services, actor, policy_id, effective=day, reason="demo: business sold")
            elif event < 0.55:
                _claim(s, services, actor, rng, policy, day)
    except SmeInsureError:
        return  # e.g. a claim for a peril this product does not cover: nothing recorded


def _claim(session, services: Services, actor: Actor, rng: random.Random, policy: Policy,  # noqa: ANN001
           day: dt.date) -> None:
    product = services.catalogue.get(policy.product_code, policy.product_version)
    peril = rng.choice(product.coverages[0].perils)
    persons = policy.inputs.get("persons")
    person = unseal_person(services.vault, persons[0])["id_number"] if persons else None
    claim = report_claim(session, services, actor, ClaimReport(
        loss_date=day - dt.timedelta(days=rng.randrange(0, 5)), place="示例地址", peril=peril,
        estimated_fen=rng.choice([300_000, 500_000, 800_000, 6_000_000]), description="demo loss",
        contact_name="联系人", policy_number=policy.number,
        bank_account=f"62220202{rng.randrange(10**10, 10**11)}",
        insured_person=person))
    documents = list(claim.documents_required)
    for code in documents if rng.random() < 0.6 else documents[:1]:
        ext = ".jpg" if "photo" in code else ".pdf"
        upload_document(session, services, actor, claim.id,
                        Upload(code, f"{code}{ext}", DOCS[ext] + code.encode()))
