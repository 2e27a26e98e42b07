"""The dashboard's strings, Dutch first, then French and English: `t(key, lang, **values)`.

Strings live in i18n/<lang>/<part>.yaml (common.yaml, then one file per page); every
language holds the same keys (a test checks it). French strings are written with plain spaces
before : ; ? ! and inside « »; they become no-break spaces when read, so that no line of a
page starts with one of those signs.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
LANGUAGES = {"nl": "Nederlands", "fr": "Français", "en": "English"}
DEFAULT_LANGUAGE = "nl"
FRENCH_SPACES = re.compile(r" (?=[:;?!»])|(?<=«) ")


def _typeset(text: str, lang: str) -> str:
    """Return a string with the no-break spaces its language's typography wants."""
    return FRENCH_SPACES.sub("\u00a0", text) if lang == "fr" else text


@cache
def strings(lang: str) -> dict[str, str]:
    """Return every string of one language, merged from its files (a key may appear once)."""
    merged: dict[str, str] = {}
    for path in sorted((HERE / lang).glob("*.yaml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        twice = sorted(set(part) & set(merged))
        if twice:
            raise ValueError(f"{path.name} repeats string keys: {', '.join(twice)}")
        merged.update({key: _typeset(text, lang) for key, text in part.items()})
    return merged


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """Return the string for key in the language, with values filled in."""
    table = strings(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)
    text = table.get(key) or strings(DEFAULT_LANGUAGE)[key]
    return text.format(**values) if values else text
