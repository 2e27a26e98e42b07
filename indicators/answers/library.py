"""The question library (data/questions/*.yaml): one answer template per kind of question.

Each file is validated by `QuestionTemplate`: its indicators must exist in the catalogue, and
every `fig('id')` its answer text uses must be one of its indicators, so a template that names
an unknown indicator fails when the library is read, with a sentence that says which.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

import jinja2
from pydantic import BaseModel, ConfigDict, Field, model_validator

from indicators import catalogue, periods
from pipelines import settings
from pipelines.errors import UserError

QUESTIONS_DIR = settings.DATA_DIR / "questions"
# the languages answers are drafted in: a council answer of the VGC is Dutch, English for others
LANGUAGES = ("nl", "en")
_FIG_CALL = re.compile(r"""fig\(\s*['"]([a-z0-9_]+)['"]\s*\)""")


class UnknownQuestion(UserError):
    """A question template id that the library does not hold."""


def document_language(lang: str) -> str:
    """Return the language an answer is drafted in: the one asked for if answers are written
    in it, else Dutch (a French page drafts the council's Dutch answer)."""
    return lang if lang in LANGUAGES else LANGUAGES[0]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PeriodRule(_Strict):
    """Which period a template's figures cover."""

    rule: Literal["programme", "last_full_year", "since", "chosen"]
    since: date | None = None

    @model_validator(mode="after")
    def _since_needs_a_date(self) -> PeriodRule:
        if (self.rule == "since") != (self.since is not None):
            raise ValueError("period rule 'since' needs a date in `since` (and only it does)")
        return self

    def resolve(self, chosen: periods.Period, as_of: date) -> periods.Period:
        """Return the period this rule gives for the chosen period and as-of date."""
        if self.rule == "programme":
            return periods.parse("programme")
        if self.rule == "last_full_year":
            year = as_of.year if as_of.month == 12 and as_of.day == 31 else as_of.year - 1
            return periods.parse(str(year))
        if self.rule == "since":
            return periods.parse(f"{self.since.isoformat()}..{as_of.isoformat()}")
        return chosen

    def describe(self, lang: str) -> str:
        """Return the rule in words."""
        words = {
            "programme": ("de hele looptijd van het programma", "the whole programme"),
            "last_full_year": ("het laatste volledige kalenderjaar", "the last full calendar year"),
            "since": (f"sinds {self.since}", f"since {self.since}"),
            "chosen": ("de gekozen periode", "the chosen period"),
        }[self.rule]
        return words[1] if lang == "en" else words[0]


class QuestionTemplate(_Strict):
    """One kind of council question and the template of its answer."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: catalogue.Text
    question: catalogue.Text
    keywords: catalogue.Text = catalogue.Text(nl="", en="")
    indicators: list[str] = []
    period: PeriodRule = PeriodRule(rule="chosen")
    answer: catalogue.Text

    @model_validator(mode="after")
    def _indicators_exist_and_are_declared(self) -> QuestionTemplate:
        known = set(catalogue.load().ids)
        unknown = sorted(set(self.indicators) - known)
        if unknown:
            raise ValueError(
                f"unknown indicator(s) {', '.join(unknown)} (expected ids from "
                "indicators/catalogue.yaml)"
            )
        for lang in LANGUAGES:
            text = self.answer.get(lang)
            undeclared = sorted(set(_FIG_CALL.findall(text)) - set(self.indicators))
            if undeclared:
                raise ValueError(
                    f"the {lang} answer uses fig() of {', '.join(undeclared)}, which is not "
                    "among the template's indicators"
                )
            try:
                jinja2.Environment().parse(text)
            except jinja2.TemplateSyntaxError as exc:
                raise ValueError(f"the {lang} answer is not a valid template: {exc}") from None
        return self

    def words(self, lang: str) -> str:
        """Return the text the template is matched on: title, question, keywords, indicators."""
        cat = catalogue.load()
        parts = [self.title.get(lang), self.question.get(lang), self.keywords.get(lang)]
        for indicator_id in self.indicators:
            ind = cat.get(indicator_id)
            parts += [ind.label.get(lang), ind.definition.get(lang)]
        return " ".join(parts)


@cache
def _library(folder: Path) -> dict[str, QuestionTemplate]:
    templates = {}
    for path in sorted(folder.glob("*.yaml")):
        template = settings.read_yaml(path, QuestionTemplate)
        if template.id != path.stem:
            raise settings.SettingsError(
                f"{path}: id '{template.id}' differs from the file name (expected '{path.stem}')."
            )
        templates[template.id] = template
    return templates


def library(folder: str | Path | None = None) -> dict[str, QuestionTemplate]:
    """Return every question template by id, in file-name order."""
    return _library(Path(folder) if folder else QUESTIONS_DIR)


def get(template_id: str, folder: str | Path | None = None) -> QuestionTemplate:
    """Return one template, or raise UnknownQuestion naming the valid ids."""
    templates = library(folder)
    if template_id not in templates:
        raise UnknownQuestion(
            f"Unknown question template '{template_id}' (expected one of: {', '.join(templates)})."
        )
    return templates[template_id]
