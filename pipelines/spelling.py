"""How staff spell things: one accent-folding helper for every comparison of spellings."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Return text stripped, in lower case and without accents ("Beëindigd " -> "beeindigd")."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
