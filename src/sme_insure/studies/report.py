"""The HTML report of a study (Jinja2, ``StrictUndefined``; PNG charts embedded as data URIs, so
the file is viewable offline) and the views it is built from."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

import jinja2

from sme_insure.studies import charts
from sme_insure.studies.dislocation import Impact
from sme_insure.studies.presentation import Kind, TableView, key_values, view
from sme_insure.studies.study import StudyResult, today

K = Kind
ONE_WAY = {
    "level": ("level", K.TEXT),
    "base": ("base", K.TEXT),
    "exposure": ("exposure", K.NUMBER),
    "onlevel_premium": ("on-level premium", K.MONEY),
    "claims": ("claims", K.NUMBER),
    "loss": ("ultimate loss", K.MONEY),
    "frequency": ("frequency", K.FACTOR),
    "severity": ("severity", K.MONEY),
    "pure_premium": ("pure premium", K.FACTOR),
    "loss_ratio": ("loss ratio", K.PERCENT),
    "lr_relativity": ("LR relativity", K.RELATIVITY),
    "pp_relativity": ("PP relativity", K.RELATIVITY),
    "current_relativity": ("current", K.RELATIVITY),
}
GLM = {
    "level": ("level", K.TEXT),
    "claims": ("claims", K.NUMBER),
    "indicated": ("indicated", K.RELATIVITY),
    "lower": ("lower", K.RELATIVITY),
    "upper": ("upper", K.RELATIVITY),
    "current_relativity": ("current", K.RELATIVITY),
    "z": ("Z", K.PERCENT),
    "blended": ("blended", K.RELATIVITY),
}
AVE = {
    "level": ("level", K.TEXT),
    "actual": ("actual", K.MONEY),
    "expected_glm": ("GLM expected", K.MONEY),
    "ae_glm": ("A/E GLM", K.RELATIVITY),
    "ae_current": ("A/E current rates", K.RELATIVITY),
}
PERIODS = {
    "period": ("period", K.TEXT),
    "policy_years": ("policy-years", K.NUMBER),
    "exposure": ("exposure", K.NUMBER),
    "earned_premium": ("earned premium", K.MONEY),
    "projected_premium": ("on-level premium", K.MONEY),
    "reported_claims": ("reported", K.COUNT),
    "claims": ("ultimate claims", K.NUMBER),
    "latest_loss": ("reported loss", K.MONEY),
    "loss": ("trended ultimate", K.MONEY),
    "unallocated_loss": ("unallocated", K.MONEY),
    "loss_ratio": ("loss ratio", K.PERCENT),
}
ORIGINS = {
    "origin": ("origin", K.TEXT),
    "latest_fen": ("latest (fen)", K.MONEY),
    "ultimate_fen": ("ultimate (fen)", K.MONEY),
    "loss_factor": ("loss factor", K.FACTOR),
    "reported_count": ("reported", K.COUNT),
    "ultimate_count": ("ultimate", K.NUMBER),
    "count_factor": ("count factor", K.FACTOR),
}
TOTALS = {
    "policies": ("policies", K.COUNT),
    "current_fen": ("current (fen)", K.MONEY),
    "proposed_fen": ("proposed (fen)", K.MONEY),
    "capped_fen": ("capped (fen)", K.MONEY),
    "proposed_change": ("change", K.PERCENT),
    "capped_change": ("capped", K.PERCENT),
}
UNRATED = {
    "unrated_policies": ("unrated policies", K.COUNT),
    "unrated_current_fen": ("unrated current (fen, where rated)", K.MONEY),
    "unrated_proposed_fen": ("unrated proposed (fen, where rated)", K.MONEY),
}
ISSUES = {
    "policy_id": ("policy", K.TEXT),
    "field": ("field", K.TEXT),
    "value": ("value", K.TEXT),
    "reason": ("reason", K.TEXT),
}


@dataclass(frozen=True)
class Figure:
    """A chart (PNG data URI) with the table printed under it."""

    title: str
    png: str
    table: TableView | None = None


def _uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def summary(result: StudyResult) -> TableView:
    """Study identity, data and the indication in one table."""
    c, ind = result.config, result.indication
    return key_values(
        "Study",
        [
            ("product", result.inputs.product.label),
            ("valuation date", str(c.valuation_date)),
            ("experience", f"{c.experience.start} – {c.experience.end} ({c.experience.grain})"),
            ("current rates as of", str(c.current_rates_as_of)),
            ("exposure unit", c.exposure.label),
            ("on-level method", c.on_level.method.value),
            ("GLM", c.glm.model.value),
            ("credibility", c.credibility.method.value),
            ("issues (rejected book rows, policies left out of the impact)",
             f"{len(result.issues):,}"),
            ("loss ratio method change", f"{ind.loss_ratio_change:+.2%}"),
            ("pure premium method change", f"{ind.pure_premium_change:+.2%}"),
            ("credibility Z / complement", f"{ind.credibility:.1%} / {ind.complement:+.2%}"),
            (f"selected change ({ind.method.value}, credibility-weighted)", f"{ind.selected:+.2%}"),
        ],
    )


def _factor_figures(result: StudyResult) -> list[dict[str, object]]:
    label = result.experience.exposure_label
    out = []
    for f in result.inputs.factors:
        ow = result.one_way.loc[result.one_way["factor"] == f.input]
        rel = result.relativities.loc[result.relativities["factor"] == f.input]
        ave = result.actual_vs_expected.loc[result.actual_vs_expected["factor"] == f.input]
        out.append(
            {
                "name": f.input,
                "figures": [
                    Figure("One-way", _uri(charts.one_way_chart(ow, label)), view("", ow, ONE_WAY)),
                    Figure("GLM", _uri(charts.glm_chart(rel)), view("", rel, GLM)),
                    Figure("Actual vs expected", _uri(charts.ave_chart(ave)), view("", ave, AVE)),
                ],
            }
        )
    return out


def _impact(result: StudyResult) -> dict[str, object] | None:
    imp = result.impact
    if imp is None:
        return None
    cap = result.config.impact.cap
    segs = {"segment": ("segment", K.TEXT), "level": ("level", K.TEXT), **TOTALS, **UNRATED}
    return {
        "histogram": _uri(charts.impact_histogram(imp.distribution, cap.up, cap.down)),
        "overall": view("Overall (changes over policies rated at both tables)", imp.overall,
                        {**TOTALS, **UNRATED}),
        "percentiles": view(
            "Percentiles of change per policy",
            imp.percentiles,
            {"percentile": ("percentile", K.TEXT), "change": ("change", K.PERCENT)},
        ),
        "beyond": view(
            "Beyond the capping threshold",
            imp.beyond,
            {
                "threshold": ("threshold", K.TEXT),
                **TOTALS,
                "share_of_policies": ("share of policies", K.PERCENT),
            },
        ),
        "segments": view("By segment", imp.segments, segs),
        "capping": "applied" if cap.apply else "not applied (threshold reported only)",
        "unrated": _unrated_note(imp),
    }


def _unrated_note(imp: Impact) -> str | None:
    """What the impact leaves out of its changes, when it leaves out anything."""
    left = int(imp.overall["unrated_policies"].iloc[0])
    if not left:
        return None
    counts = imp.issues["reason"].value_counts()
    why = "; ".join(f"{n:,} {reason.split(':')[0]}" for reason, n in counts.items())
    return (
        f"{left:,} in-force policies are not rated at both tables and are left out of the "
        f"changes ({why}); they are counted in the 'unrated' columns and listed under data issues."
    )


def _proposal(result: StudyResult) -> dict[str, object] | None:
    p = result.proposal
    if p is None:
        return None
    off = p.off_balance
    return {
        "summary": key_values(
            "Proposal",
            [
                (
                    "version / effective from",
                    f"{result.config.proposal.version} / "  # type: ignore[union-attr]
                    f"{result.config.proposal.effective_from}",
                ),  # type: ignore[union-attr]
                ("selected overall change", f"{p.selected_change:+.2%}"),
                ("change from relativities alone (re-rated)", f"{off.relativity_change:+.2%}"),
                ("base-rate off-balance factor", f"{off.factor:.6f}"),
                ("tables", ", ".join(d.label for d in p.drafts)),
                ("written to", ", ".join(str(x) for x in p.paths) or "not written"),
            ],
        ),
        "diffs": [
            view(t, d.fillna(""), {c: (c, K.TEXT) for c in d.columns}) for t, d in p.diffs.items()
        ],
    }


def render(result: StudyResult) -> str:
    """The report as one self-contained HTML page."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("sme_insure.studies", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
    )
    dev = result.development
    return env.get_template("study.html.j2").render(
        title=f"Rate study {result.config.name}",
        generated=str(today()),
        summary=summary(result),
        indication=view(
            "Indication",
            result.indication.quantities.assign(
                value=result.indication.quantities["value"].map(lambda v: f"{v:,.6g}")
            ),
            {"quantity": ("quantity", K.TEXT), "value": ("value", K.TEXT)},
        ),
        periods=view("Experience by period", result.indication.periods, PERIODS),
        period_chart=_uri(charts.period_chart(result.indication.periods)),
        origins=view("Development by accident period", dev.origins, ORIGINS),
        assumptions=view(
            "Reserving assumptions",
            dev.result.assumptions().fillna(""),
            {c: (c, K.TEXT) for c in dev.result.assumptions().columns},
        ),
        factors=_factor_figures(result),
        proposal=_proposal(result),
        impact=_impact(result),
        issues=view(
            "Rejected rows and policies left out of the impact (first 200)",
            result.issues.head(200),
            ISSUES,
        ),
        notes=result.notes,
    )


def write_html(result: StudyResult, path: Path) -> Path:
    """Render and write the report."""
    path.write_text(render(result), encoding="utf-8")
    return path
