"""HTML rendering of a benefit illustration (Jinja2, autoescaped, StrictUndefined).

The template is package data (``templates/illustration.html.j2``), self-contained (inline CSS,
no scripts or remote resources) so the page is viewable offline; headings are Chinese/English.
A variable missing from the context is an error, never an empty cell.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from sme_insure.money import format_cny
from sme_insure.pension.illustration import Illustration
from sme_insure.pension.projection import SCENARIOS

TEMPLATE = "illustration.html.j2"


def _percent(rate: float) -> str:
    """0.035 → '3.50%'."""
    return f"{rate * 100:.2f}%"


@cache
def environment() -> Environment:
    """The Jinja2 environment: package loader, autoescape on, StrictUndefined."""
    env = Environment(
        loader=PackageLoader("sme_insure.pension", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cny"] = format_cny
    env.filters["pct"] = _percent
    return env


def render_html(illustration: Illustration) -> str:
    """The illustration as a standalone HTML page."""
    template = environment().get_template(TEMPLATE)
    return template.render(
        ill=illustration,
        terms=illustration.terms,
        scenarios=[s.value for s in SCENARIOS],
    )
