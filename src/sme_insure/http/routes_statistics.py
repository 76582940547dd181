"""SME insurance statistics over HTTP (a channel key sees its own channel's figures)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from sme_insure.http.deps import ActorDep, ServicesDep
from sme_insure.services.statistics import sme_statistics
from sme_insure.statistics import parse_period
from sme_insure.statistics.report import definitions, render_html

router = APIRouter(prefix="/v1", tags=["statistics"])


_FORMATS = {200: {"description": "The statistics table (json, csv or html by ``format``)",
                  "content": {"application/json": {"schema": {"type": "object"}},
                              "text/csv": {"schema": {"type": "string"}},
                              "text/html": {"schema": {"type": "string"}}}}}


@router.get("/statistics", response_model=None, responses=_FORMATS)
def get_statistics(services: ServicesDep, actor: ActorDep,
                   period: Annotated[str, Query(examples=["2026Q3"])],
                   by: Annotated[str, Query(description="Comma-separated dimensions")] = "line",
                   format: Annotated[str, Query(pattern="^(json|csv|html)$")] = "json",
                   ) -> dict[str, Any] | Response:
    """Statistics for a period by dimensions, with their definitions (json, csv or html)."""
    parsed = parse_period(period)
    dims = [d for d in by.split(",") if d]
    with services.db.reading() as session:
        table = sme_statistics(session, actor, parsed, dims)
    scope = actor.channel_scope or "tenant"
    if format == "csv":
        return PlainTextResponse(table.to_csv(), media_type="text/csv")
    if format == "html":
        return HTMLResponse(render_html(table, parsed, dims, scope))
    rows = table.reset_index().astype(object).where(table.reset_index().notna(), None)
    return {"period": parsed.label, "start": parsed.start, "end": parsed.last_day, "by": dims,
            "scope": scope, "definitions": definitions(), "rows": rows.to_dict(orient="records")}
