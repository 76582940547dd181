"""UI strings of the pages in Chinese and English (data in ``i18n.yaml``)."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

LANGS = ("zh", "en")


@cache
def strings() -> dict[str, dict[str, str]]:
    """Every UI string by key and language."""
    text = resources.files("sme_insure.web").joinpath("i18n.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def translate(key: str, lang: str) -> str:
    """The string for ``key`` in ``lang``; an unknown key is a programming error, shown loudly."""
    entry = strings().get(key)
    if entry is None:
        raise KeyError(f"no UI string {key!r} in i18n.yaml")
    return entry[lang]
