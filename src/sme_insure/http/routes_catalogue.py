"""Products and customers."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from sme_insure.catalogue.input_schema import input_schema
from sme_insure.catalogue.product import Product
from sme_insure.http.deps import ActorDep, IdempotencyKey, ObjectId, ServicesDep
from sme_insure.http.schemas import CustomerIn, CustomerOut, ProductDetail, ProductSummary
from sme_insure.http.views import customer_out, keyed_write
from sme_insure.services.actor import Action, authorize
from sme_insure.services.customers import CustomerData, register_customer
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
    """Register a customer (or find the existing one with this identifier)."""
    def operation(session):  # noqa: ANN001
        customer, created = register_customer(session, services, actor, CustomerData(**body.model_dump()))
        return status.HTTP_201_CREATED, customer_out(customer, actor, services.vault, created)

    return keyed_write(request, services, actor, idempotency_key, body, operation)


@router.get("/customers/{customer_id}", tags=["customers"])
def get_customer(customer_id: ObjectId, services: ServicesDep, actor: ActorDep) -> CustomerOut:
    """A customer of this tenant."""
    authorize(actor, Action.READ_POLICIES)
    with services.db.reading() as session:
        customer = get_scoped(session, Customer, customer_id, actor.tenant_id, actor.channel_scope)
        return customer_out(customer, actor, services.vault)
