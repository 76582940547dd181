"""A small SME property book written through the service layer (quotes, binds, endorsements,
cancellations, reinstatements, claims), for the rate-study-on-the-database tests."""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from dataclasses import dataclass, field

import yaml

from sme_insure.customers import complete_resident_id, complete_uscc
from sme_insure.errors import SmeInsureError
from sme_insure.rating.examples import example_risks
from sme_insure.services import binding, changes
from sme_insure.services.actor import Actor
from sme_insure.services.claims import ClaimReport, report_claim
from sme_insure.services.customers import CustomerData, register_customer
from sme_insure.services.keys import authenticate, create_key
from sme_insure.services.quotes import create_quote
from sme_insure.storage.schema import Policy
from sme_insure.studies.demo import demo_config_text

FIRST = dt.date(2026, 1, 1)
VALUATION = dt.date(2027, 6, 30)
PRODUCT = "SME_PROPERTY"


@dataclass
class OwnBook:
    """Keys of the tenant, its actor objects, and what happened to which policy."""

    tenant: str
    headers: dict[str, dict[str, str]]
    actors: dict[str, Actor]
    policies: list[str] = field(default_factory=list)
    endorsed: dict[str, dt.date] = field(default_factory=dict)
    cancelled: list[str] = field(default_factory=list)
    claims: int = 0


def _at(services, day: dt.date) -> None:
    services.clock["today"] = day


def _customer(session, services, actor, rng: random.Random, i: int):
    body = f"91{rng.choice(['330100', '440300', '350100'])}MA{rng.randrange(10**5, 10**6)}"
    customer, _ = register_customer(session, services, actor, CustomerData(
        kind="enterprise", identifier=complete_uscc(body[:16]), name=f"测试商户 {i:04d}",
        industry="C13", employees=rng.randrange(2, 80), revenue_cny=rng.randrange(300_000, 9_000_000),
        assets_cny=rng.randrange(100_000, 5_000_000)))
    return customer


def _bind(services, actor, rng: random.Random, i: int, start: dt.date) -> int | None:
    """A bound policy from an example risk, or None when underwriting refers or refuses it."""
    _at(services, start)
    product = services.catalogue.get(PRODUCT, as_of=start)
    risk = {k: (v.item() if hasattr(v, "item") else v)
            for k, v in example_risks(product, 1, seed=1000 + i).iloc[0].to_dict().items()}
    try:
        with services.db.transaction() as s:
            customer = _customer(s, services, actor, rng, i)
            quote = create_quote(s, services, actor, product_code=PRODUCT, customer_id=customer.id,
                                 inputs=risk, start_date=start)
            if quote.status != "quoted":
                return None
            policy = binding.bind(s, services, actor, quote.id)
            s.flush()
            return policy.id
    except SmeInsureError:
        return None


def _events(rng: random.Random, start: dt.date) -> list[tuple[dt.date, str]]:
    """Dated events of one policy: an endorsement, a cancellation (maybe reinstated), claims."""
    last = min(start + dt.timedelta(days=364), VALUATION - dt.timedelta(days=10))
    span = (last - start).days
    events: list[tuple[dt.date, str]] = []
    draw = rng.random()
    if draw < 0.2 and span > 60:
        events.append((start + dt.timedelta(days=rng.randrange(20, span - 20)), "endorse"))
    elif draw < 0.32 and span > 60:
        day = start + dt.timedelta(days=rng.randrange(30, span - 10))
        events.append((day, "cancel"))
        if rng.random() < 0.5:
            events.append((day + dt.timedelta(days=3), "reinstate"))
    for _ in range(rng.choice([0, 0, 1, 1, 2])):
        events.append((start + dt.timedelta(days=rng.randrange(0, max(span, 1))), "claim"))
    return sorted(events)


def _apply(services, actor, rng, policy_id: int, day: dt.date, kind: str, book: OwnBook) -> None:
    _at(services, day + dt.timedelta(days=rng.randrange(0, 8)) if kind == "claim" else day)
    with services.db.transaction() as s:
        policy = s.get(Policy, policy_id)
        if kind == "endorse":
            changes.endorse(s, services, actor, policy_id, effective=day, reason="test: sprinklers",
                            changes={"fire_protection": "sprinklered",
                                     "sum_insured": float(policy.inputs["sum_insured"]) * 1.5})
            book.endorsed[policy.number] = day
        elif kind == "cancel":
            changes.cancel(s, services, actor, policy_id, effective=day, reason="test: sold")
            book.cancelled.append(policy.number)
        elif kind == "reinstate":
            changes.reinstate(s, services, actor, policy_id, reason="test: not sold after all")
        elif policy.status == "issued":
            report_claim(s, services, actor, ClaimReport(
                loss_date=day, place="测试地址", peril="fire", description="test loss",
                estimated_fen=rng.choice([300_000, 800_000, 2_500_000, 9_000_000]),
                contact_name="联系人", policy_number=policy.number))
            book.claims += 1


def build_book(services, policies: int, seed: int) -> OwnBook:
    """A fresh tenant with ``policies`` attempts at SME property business written over 2026."""
    tenant = f"s{uuid.uuid4().hex[:8]}"
    with services.db.transaction() as s:
        keys = {role: create_key(s, tenant, role, **extra).text for role, extra in
                (("admin", {}), ("actuary", {}), ("channel", {"channel": "web"}))}
    with services.db.reading() as s:
        actors = {role: authenticate(s, text) for role, text in keys.items()}
    book = OwnBook(tenant, {r: {"X-API-Key": t} for r, t in keys.items()}, actors)
    rng = random.Random(seed)
    saved = services.clock["today"]
    for i in range(policies):
        start = FIRST + dt.timedelta(days=rng.randrange(0, 365))
        policy_id = _bind(services, actors["admin"], rng, i, start)
        if policy_id is None:
            continue
        for day, kind in _events(rng, start):
            try:
                _apply(services, actors["admin"], rng, policy_id, day, kind, book)
            except SmeInsureError:
                continue
        with services.db.reading() as s:
            book.policies.append(s.get(Policy, policy_id).number)
    _at(services, saved)
    return book


def bind_group_accident(services, book: OwnBook) -> str:
    """One group accident policy (a schedule of persons) in the book's tenant; its number."""
    saved, start = services.clock["today"], dt.date(2026, 4, 1)
    _at(services, start)
    persons = [{"id_number": complete_resident_id(f"33010619{80 + k}0101{k:03d}"),
                "name": f"员工{k}", "occupational_class": 1} for k in range(3)]
    inputs = {"sum_insured": 200000, "cover_accident_medical": False, "persons": persons}
    try:
        with services.db.transaction() as s:
            customer = _customer(s, services, book.actors["admin"], random.Random(9), 9999)
            quote = create_quote(s, services, book.actors["admin"], product_code="GROUP_ACCIDENT",
                                 customer_id=customer.id, inputs=inputs, start_date=start)
            return binding.bind(s, services, book.actors["admin"], quote.id).number
    finally:
        _at(services, saved)


def study_raw(**changes: object) -> dict:
    """The demo study's configuration adapted to the built book (as JSON-able data)."""
    raw = yaml.safe_load(demo_config_text())
    raw.update({"name": "own-book", "valuation_date": VALUATION.isoformat(),
                "current_rates_as_of": "2026-06-01",
                "experience": {"start": FIRST.isoformat(), "end": VALUATION.isoformat(),
                               "grain": "quarterly"}})
    raw["data"] = {"source": "database", "strict": True}
    raw["indication"] = {**raw["indication"], "effective_from": "2027-10-01"}
    raw["proposal"] = {"version": "2027.own1", "effective_from": "2027-10-01"}
    raw.pop("on_level", None)
    raw.update(changes)
    return json.loads(json.dumps(raw, default=str))
