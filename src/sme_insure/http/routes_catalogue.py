"""Products and customers."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from sme_insure.catalogue.input_schema import input_schema
from sme_insure.catalogue.product import Product
from sme_insure.customers import mask_mobile
from sme_insure.http.deps import ActorDep, IdempotencyKey, ObjectId, ServicesDep
from sme_insure.http.schemas import CustomerIn, CustomerOut, ProductDetail, ProductSummary
from sme_insure.http.views import customer_out, keyed_write
from sme_insure.privacy import Vault
from sme_insure.services.actor import Action, Actor, authorize
from sme_insure.services.customers import CustomerData, derive, register_customer, shows_record
from sme_insure.services.products import product_for, visible_products
from sme_insure.storage.repos import get_scoped
from sme_insure.storage.schema import Customer

router = APIRouter(prefix="/v1")


def _summary(p: Product) -> ProductSummary:
    return ProductSummary(code=p.code, version=p.version, line=str(p.line), name=p.name.model_dump(),
                          effective_from=p.effective_from, effective_to=p.effective_to,
                          coverages=[c.code for c in p.coverages])


@router.get("/health", tags=["meta"])
async def health() -> dict[str, str]:
    """Liveness probe (no authentication, no database)."""
    return {"status": "ok"}


@router.get("/products", tags=["products"])
def list_products(services: ServicesDep, actor: ActorDep) -> list[ProductSummary]:
    """Products in force today (or their latest versions) that the caller may sell."""
    authorize(actor, Action.READ_PRODUCTS)
    return [_summary(p) for p in visible_products(services.catalogue, actor)]


@router.get("/products/{code}", tags=["products"])
def product_detail(code: str, services: ServicesDep, actor: ActorDep,
                   version: str | None = None) -> ProductDetail:
    """A product definition with the JSON Schema of its quote inputs."""
    authorize(actor, Action.READ_PRODUCTS)
    p = product_for(services.catalogue, actor, code, version)
    return ProductDetail(**_summary(p).model_dump(), definition=p.model_dump(mode="json"),
                         input_schema=input_schema(p))


@router.post("/customers", tags=["customers"], status_code=status.HTTP_201_CREATED,
             response_model=CustomerOut)
def create_customer(body: CustomerIn, request: Request, services: ServicesDep, actor: ActorDep,
                    idempotency_key: IdempotencyKey = None) -> Response:
    """Register a customer, or find the existing one with this identifier (``created: false``).
    A channel is then linked to the customer: it may read it and quote for it. A channel that did
    not register the customer is shown only what it sent and what that derives, never the stored
    name or phone."""
    def operation(session):  # noqa: ANN001
        sent = CustomerData(**body.model_dump())
        customer, created = register_customer(session, services, actor, sent)
        return status.HTTP_201_CREATED, _shown(customer, actor, services.vault, created, sent)

    return keyed_write(request, services, actor, idempotency_key, body, operation)


@router.get("/customers/{customer_id}", tags=["customers"])
def get_customer(customer_id: ObjectId, services: ServicesDep, actor: ActorDep) -> CustomerOut:
    """A customer of this tenant; for a channel key, one linked to its channel (it registered
    the customer or presented its identifier), with the name and phone withheld (null) unless it
    registered the customer."""
    authorize(actor, Action.READ_POLICIES)
    with services.db.reading() as session:
        customer = get_scoped(session, Customer, customer_id, actor.tenant_id, actor.channel_scope)
        return _shown(customer, actor, services.vault)


def _shown(customer: Customer, actor: Actor, vault: Vault, created: bool = False,
           sent: CustomerData | None = None) -> CustomerOut:
    """The customer as ``actor`` may see it (:mod:`sme_insure.services.customers`): the record,
    or, for a channel that did not register it, what it ``sent`` and what that derives, or
    (reading) the record's non-personal fields with the name and phone withheld."""
    out = customer_out(customer, actor, vault, created)
    if shows_record(actor, customer):
        return out
    if sent is None:
        return out.model_copy(update={"name": None, "phone": None})
    derived = derive(sent)
    phone = sent.phone if sent.phone is None or actor.role.sees_personal_data else mask_mobile(sent.phone)
    return out.model_copy(update={
        "kind": str(derived["entity_type"]), "entity_type": str(derived["entity_type"]),
        "province": derived["province"], "name": sent.name, "phone": phone, "industry": sent.industry,
        "size_class": derived.get("size_class"), "flags": list(derived["details"].get("flags", []))})
