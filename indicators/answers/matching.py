"""From a written question as received to its sub-questions, each matched to a template.

Splitting follows the question's own structure: numbered or bulleted lines, paragraphs, or
the ellipses that mark its parts; failing those, its question marks, with a follow-up
question ("Zo ja, ...", "Hoe zullen deze ...") kept with the one before. Matching is a plain,
transparent word match over the templates' texts and their indicators' labels and
definitions, weighted by how rare a word is; the words that matched are the reason shown.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from indicators.answers.library import QuestionTemplate, library

_LIST_ITEM = re.compile(r"^\s*(?:\d+[.)]|[a-z][.)]|[-–•*])\s+", re.M | re.I)
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…|\[\.\.\.\]|\(\.\.\.\))\s*")
_SENTENCE_END = re.compile(r"(?<=\?)\s+")
_FOLLOW_UP = re.compile(
    r"^(?:zo ja|zo nee|indien|en |ook |hoe zullen deze|wanneer is|welke daarvan|"
    r"if so|if not|and |how will these|when is)",
    re.I,
)
_STOPWORDS = frozenset(
    """aan als bij dan dat de deze die dit door een en er het hoe hun ik in is kan kunt met
    na naar niet nog of om onder ook op over te tot u uw van voor wat welke wie wordt worden
    zal zijn zo zullen the and are for how what which who will with this that these from does
    can you your into has have was were been being its""".split()
)


@dataclass(frozen=True)
class Match:
    """A sub-question, the template proposed for it and why."""

    question: str
    template_id: str | None
    score: float
    words: tuple[str, ...]


def fold(text: str) -> str:
    """Return text in lower case without accents."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _stem(word: str) -> str:
    # Dutch and English plurals and verb endings, enough for "prioriteiten" ~ "prioriteit"
    for suffix in ("ingen", "eiten", "iteit", "en", "es", "s", "e"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def tokens(text: str) -> list[str]:
    """Return the content words of a text, folded and stemmed."""
    words = re.findall(r"[a-z0-9]+", fold(text))
    return [_stem(w) for w in words if len(w) > 2 and w not in _STOPWORDS]


def _clean(part: str) -> str:
    return " ".join(part.split()).strip(" -–•*;:")


def split(text: str) -> list[str]:
    """Return the sub-questions of a question as received, in order."""
    text = text.strip()
    if not text:
        return []
    if len(_LIST_ITEM.findall(text)) >= 2:
        parts = _LIST_ITEM.split(text)
    elif re.search(r"\n\s*\n", text):
        parts = re.split(r"\n\s*\n", text)
    elif _ELLIPSIS.search(text):
        parts = _ELLIPSIS.split(text)
    else:
        parts = []
        for sentence in (_clean(s) for s in _SENTENCE_END.split(text)):
            if parts and _FOLLOW_UP.match(sentence):
                parts[-1] = f"{parts[-1]} {sentence}"
            else:
                parts.append(sentence)
    return [p for p in (_clean(part) for part in parts) if p]


def _weights(templates: dict[str, QuestionTemplate], lang: str) -> dict[str, dict[str, float]]:
    """Return per template its words with an inverse-document-frequency weight."""
    vocab = {tid: set(tokens(t.words(lang))) for tid, t in templates.items()}
    documents = Counter(word for words in vocab.values() for word in words)
    n = len(vocab)
    return {tid: {w: math.log(1 + n / documents[w]) for w in words} for tid, words in vocab.items()}


def match(
    question: str, lang: str = "nl", templates: dict[str, QuestionTemplate] | None = None
) -> Match:
    """Return the best template for one sub-question (None when no word matches)."""
    templates = templates if templates is not None else library()
    weights = _weights(templates, lang)
    asked = list(dict.fromkeys(tokens(question)))
    best: Match = Match(question, None, 0.0, ())
    for tid in templates:  # file order breaks ties
        hit = tuple(w for w in asked if w in weights[tid])
        score = sum(weights[tid][w] for w in hit)
        if score > best.score:
            best = Match(question, tid, round(score, 3), hit)
    return best


def match_all(text: str, lang: str = "nl") -> list[Match]:
    """Return each sub-question of a question as received with its proposed template."""
    return [match(part, lang) for part in split(text)]
