"""Council answers: from a written question as received to a drafted, sourced answer."""

from indicators.answers.drafting import Draft, Figure, Header, Part, draft
from indicators.answers.library import (
    LANGUAGES,
    QuestionTemplate,
    UnknownQuestion,
    document_language,
    get,
    library,
)
from indicators.answers.matching import Match, match, match_all, split

__all__ = [
    "LANGUAGES",
    "Draft",
    "Figure",
    "Header",
    "Match",
    "Part",
    "QuestionTemplate",
    "UnknownQuestion",
    "document_language",
    "draft",
    "get",
    "library",
    "match",
    "match_all",
    "split",
]
