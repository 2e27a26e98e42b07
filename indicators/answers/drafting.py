"""Draft the answer to a council question: each sub-question answered from its template.

The figures come from the engine (`engine.compute`) for the snapshot, period and as-of date
asked for, with disclosure control as for viewers: a hidden count is written as "minder dan 5",
never as its value, and the draft says so once. A figure the data do not hold is said in
words. The draft keeps its lineage (snapshot and checksum, catalogue version, disclosure rule)
for the source notes of the exported document.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from indicators import catalogue, engine, formatting, periods, targets
from indicators import plan as plan_module
from indicators.answers.library import QuestionTemplate, get
from pipelines import settings, warehouse

NO_DATA = {
    "nl": "Hierover zijn nog geen gegevens beschikbaar.",
    "en": "No data are available on this yet.",
}
NOT_KNOWN = {"nl": "nog niet gekend", "en": "not known yet"}
# a hidden count is "fewer than 5"; a hidden share, mean or median may hide a count of 1 to 4
# on either side (those who did and those who did not), so it is only said to be hidden
HIDDEN = {"nl": "minder dan {threshold}", "en": "fewer than {threshold}"}
HIDDEN_OTHER = {"nl": "niet vermeld", "en": "not given"}
HIDDEN_NOTE = {
    "nl": (
        "Om personen te beschermen worden aantallen onder {threshold} niet vermeld; ze staan "
        "in dit antwoord als 'minder dan {threshold}', en aandelen, gemiddelden of medianen die "
        "op zulke aantallen steunen als 'niet vermeld'."
    ),
    "en": (
        "To protect people, counts below {threshold} are not given; this answer writes them as "
        "'fewer than {threshold}', and shares, means or medians that rest on such counts as "
        "'not given'."
    ),
}
STATUS_WORDS = {
    "nl": {"on_track": "op koers", "at_risk": "risico", "off_track": "niet op koers"},
    "en": {"on_track": "on track", "at_risk": "at risk", "off_track": "off track"},
}
PLAN_STATUS_WORDS = {
    "nl": {"draft": "ontwerp", "submitted": "ingediend", "approved": "goedgekeurd"},
    "en": {"draft": "draft", "submitted": "submitted", "approved": "approved"},
}
SOURCE_WORDS = {
    "nl": {
        "flemish_community_amif": "de Vlaamse Gemeenschap en het Europese Fonds voor Asiel, "
        "Migratie en Integratie (AMIF)",
        "vgc_own": "de VGC (eigen middelen)",
        "other": "andere bronnen",
    },
    "en": {
        "flemish_community_amif": "the Flemish Community and the EU Asylum, Migration and "
        "Integration Fund (AMIF)",
        "vgc_own": "the VGC (own means)",
        "other": "other sources",
    },
}
DISCLOSURE_WORDS = {
    "nl": "toegepast (drempel {threshold})",
    "en": "applied (threshold {threshold})",
}
PERIOD_WORDS = {
    "nl": "de periode van {start} tot en met {end}",
    "en": "the period from {start} to {end}",
}


@dataclass(frozen=True)
class Figure:
    """One figure as an answer uses it: its words, and where it comes from."""

    id: str
    label: str
    definition: str
    unit: str
    value: float
    text: str
    target: str
    status: str
    suppressed: bool
    period: str
    category: str | None = None
    amount: str = ""

    @property
    def available(self) -> bool:
        """Return whether the data hold this figure (hidden figures are available, as words)."""
        return self.suppressed or not (isinstance(self.value, float) and math.isnan(self.value))

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Header:
    """The header block of a written answer."""

    number: str = ""
    submitted_on: str = ""
    asked_by: str = ""
    addressed_to: str = ""
    subject: str = ""


@dataclass(frozen=True)
class Part:
    """One sub-question with the template that answers it and the drafted text."""

    question: str
    template_id: str
    text: str
    figure_ids: tuple[str, ...]
    period: str


@dataclass(frozen=True)
class Draft:
    """A drafted answer: header, parts, the figures it used and its lineage."""

    header: Header
    parts: tuple[Part, ...]
    figures: tuple[Figure, ...]
    lang: str
    as_of: date
    snapshot_id: str
    snapshot_sha256: str
    snapshot_created_at: str
    catalogue_version: str
    disclosure: str
    threshold: int
    any_hidden: bool
    illustrative_plan: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    def with_texts(self, texts: Sequence[str]) -> Draft:
        """Return the draft with the answers' texts replaced (edited by a person)."""
        parts = tuple(
            replace(part, text=text) for part, text in zip(self.parts, texts, strict=True)
        )
        return replace(self, parts=parts)


def _period_text(period: periods.Period, lang: str) -> str:
    if period.label == "programme" or ".." in period.label:
        return PERIOD_WORDS[lang].format(
            start=formatting.day(period.start, lang), end=formatting.day(period.end, lang)
        )
    return period.label


def _figures(
    frame: pd.DataFrame, period: periods.Period, lang: str, threshold: int
) -> list[Figure]:
    cat = catalogue.load()
    out = []
    for row in frame[frame["breakdown"].isna()].itertuples():
        ind = cat.get(row.id)
        hidden = bool(row.suppressed)
        if hidden:
            words = HIDDEN if row.unit == "count" else HIDDEN_OTHER
            text = words[lang].format(threshold=threshold)
        else:
            text = formatting.value(row.value, row.unit, lang)
        if not hidden and isinstance(row.value, float) and math.isnan(row.value):
            text = NOT_KNOWN[lang]
        target, status = "", STATUS_WORDS[lang].get(row.status, "") if row.status else ""
        if not (isinstance(row.target, float) and math.isnan(row.target)):
            deadline = row.target_deadline if isinstance(row.target_deadline, date) else None
            target = formatting.target(row.target, row.unit, deadline, lang)
            result = targets.result_at_deadline(row)
            if result is not None:  # a passed target has a result, not a course
                status = targets.describe(result, row.unit, lang)
        amount = ""
        if row.category is not None and not hidden:
            amount = formatting.value(row.numerator, "eur", lang)
        out.append(
            Figure(
                id=row.id,
                label=ind.label.get(lang),
                definition=ind.definition.get(lang),
                unit=row.unit,
                value=float(row.value),
                text=text,
                target=target,
                status=status,
                suppressed=hidden,
                period=_period_text(period, lang),
                category=row.category,
                amount=amount,
            )
        )
    return out


def _plan_view(plan: plan_module.Plan | None, lang: str) -> dict[str, Any] | None:
    if plan is None:
        return None
    status = plan.status
    return {
        "title": plan.title.get(lang),
        "status": PLAN_STATUS_WORDS[lang][status.status],
        "due": formatting.day(status.due_on, lang) if status.due_on else "",
        "submitted": formatting.day(status.submitted_on, lang) if status.submitted_on else "",
        "approved": formatting.day(status.approved_on, lang) if status.approved_on else "",
        "summary": plan.summary.get(lang),
        "illustrative": plan.illustrative,
        "priorities": [
            {
                "title": p.title.get(lang),
                "description": p.description.get(lang),
                "actions": [
                    {"title": a.title.get(lang), "description": a.description.get(lang)}
                    for a in p.actions
                ],
            }
            for p in plan.priorities
        ],
    }


_ENV = jinja2.Environment(
    undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, autoescape=False
)


def _tidy(text: str) -> str:
    """Return rendered text as its paragraphs, one per line (list items are paragraphs too)."""
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _render(
    template: QuestionTemplate,
    figures: list[Figure],
    period: periods.Period,
    as_of: date,
    lang: str,
    plan: plan_module.Plan | None,
) -> str:
    first: dict[str, Figure] = {}  # a distribution's first category stands for it
    for f in figures:
        first.setdefault(f.id, f)
    prog = settings.programme()
    own = next((f for f in figures if f.category == "vgc_own"), None)
    context = {
        "fig": lambda indicator_id: first[indicator_id],
        "figures": list(first.values()),
        "own": own
        or Figure("", "", "", "percent", math.nan, NOT_KNOWN[lang], "", "", False, "", None),
        "period": _period_text(period, lang),
        "peildatum": formatting.day(as_of, lang),
        "norms": {
            **{k: formatting.number(v, lang, 0) for k, v in prog.norms.model_dump().items()},
            "trajectory_months": prog.programme.trajectory_months,
        },
        "grants": [
            {
                "amount": formatting.value(g.amount_eur, "eur", lang),
                "source": SOURCE_WORDS[lang].get(g.source, g.source),
            }
            for g in prog.funding.granted
        ],
        "plan": _plan_view(plan, lang),
        "no_data": NO_DATA[lang],
    }
    return _tidy(_ENV.from_string(template.answer.get(lang)).render(context))


def draft(
    questions: Sequence[tuple[str, str]],
    period: str | periods.Period | None = None,
    as_of: str | date | None = None,
    lang: str = "nl",
    header: Header | None = None,
    warehouse_dir: str | Path | None = None,
    snapshot_id: str | None = None,
    plan: plan_module.Plan | None = None,
    use_plan_file: bool = True,
) -> Draft:
    """Return the drafted answer to (sub-question, template id) pairs, figures as for viewers."""
    wh = settings.warehouse_dir(warehouse_dir)
    snap = warehouse.snapshot(wh, snapshot_id)
    chosen = period if isinstance(period, periods.Period) else periods.parse(period)
    when = (
        periods.parse_date(as_of, "as-of date")
        if as_of
        else date.fromisoformat(snap.created_at[:10])
    )
    # the figures are those a viewer gets: on the published grid, as of the last month end
    chosen, when = engine.published_period(chosen, when)
    if plan is None and use_plan_file:
        plan = plan_module.held()
    threshold = settings.programme().disclosure.min_count
    parts, used = [], {}
    catalogue_version = catalogue.load().version
    for question, template_id in questions:
        template = get(template_id)
        span = template.period.resolve(chosen, when)
        figures: list[Figure] = []
        if template.indicators:
            frame = engine.compute(
                template.indicators, span, as_of=when, warehouse_dir=wh, snapshot=snap.id
            )
            catalogue_version = str(frame["catalogue_version"].iloc[0])
            figures = _figures(frame, span, lang, threshold)
        text = _render(template, figures, span, when, lang, plan)
        parts.append(
            Part(
                question=question,
                template_id=template_id,
                text=text,
                figure_ids=tuple(dict.fromkeys(f.id for f in figures)),
                period=_period_text(span, lang),
            )
        )
        for f in figures:
            used.setdefault((f.id, f.category, f.period), f)
    any_hidden = any(f.suppressed for f in used.values())
    notes = (HIDDEN_NOTE[lang].format(threshold=threshold),) if any_hidden else ()
    return Draft(
        header=header or Header(),
        parts=tuple(parts),
        figures=tuple(used.values()),
        lang=lang,
        as_of=when,
        snapshot_id=snap.id,
        snapshot_sha256=snap.content_sha256,
        snapshot_created_at=snap.created_at,
        catalogue_version=catalogue_version,
        disclosure=DISCLOSURE_WORDS[lang].format(threshold=threshold),
        threshold=threshold,
        any_hidden=any_hidden,
        illustrative_plan=bool(plan and plan.illustrative),
        notes=notes,
    )
