"""The local integration policy plan (data/plan.yaml): priorities, actions and their indicators.

Validated with pydantic like the catalogue: every indicator an action names must exist in the
catalogue. An action's target is its own (a level) or, when it names none, the target that
data/programme.yaml sets for that indicator. `follow_up` puts the current value, target and
status beside each, so the plan can be followed up, not only filed.
"""

from __future__ import annotations

import math
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from indicators import catalogue, engine, formatting, periods
from pipelines import settings
from pipelines.settings import Target

PLAN_FILE = settings.DATA_DIR / "plan.yaml"
Status = Literal["draft", "submitted", "approved"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlanStatus(_Strict):
    """Where the plan stands, with the dates that are known (and where they come from)."""

    status: Status
    due_on: date | None = None
    due_source: str | None = None
    submitted_on: date | None = None
    approved_on: date | None = None


class PlanIndicator(_Strict):
    """An indicator an action is measured by, with its own target or programme.yaml's."""

    id: str
    target: Target | None = None

    @model_validator(mode="after")
    def _level_targets_only(self) -> PlanIndicator:
        if self.target is not None and self.target.deadline is not None:
            raise ValueError(
                f"{self.id}: a target with a deadline belongs in data/programme.yaml, "
                "where its projection is computed"
            )
        return self


class Action(_Strict):
    """One action under a priority."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: catalogue.Translated
    description: catalogue.Translated
    indicators: list[PlanIndicator] = []


class Priority(_Strict):
    """One priority of the plan with its actions."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: catalogue.Translated
    description: catalogue.Translated
    actions: list[Action]


class Plan(_Strict):
    """data/plan.yaml: the plan Lokaal Integratiebeleid as the product holds it."""

    title: catalogue.Translated
    illustrative: bool
    source: str
    status: PlanStatus
    summary: catalogue.Translated
    priorities: list[Priority]

    @model_validator(mode="after")
    def _known_and_unique(self) -> Plan:
        ids = [p.id for p in self.priorities] + [a.id for p in self.priorities for a in p.actions]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"ids appear more than once: {', '.join(twice)}")
        known = set(catalogue.load().ids)
        for priority in self.priorities:
            for action in priority.actions:
                unknown = sorted({i.id for i in action.indicators} - known)
                if unknown:
                    raise ValueError(
                        f"action {action.id} names unknown indicator(s) {', '.join(unknown)} "
                        "(expected ids from indicators/catalogue.yaml)"
                    )
        return self

    def indicator_ids(self) -> list[str]:
        """Return every indicator the plan names, in plan order, once."""
        ids = [i.id for p in self.priorities for a in p.actions for i in a.indicators]
        return list(dict.fromkeys(ids))


@cache
def _load(path: Path) -> Plan:
    return settings.read_yaml(path, Plan)


def load(path: str | Path | None = None) -> Plan:
    """Return the validated policy plan (data/plan.yaml unless told otherwise)."""
    return _load(Path(path) if path else PLAN_FILE)


def held() -> Plan | None:
    """Return the policy plan, or None when the product holds none (no data/plan.yaml)."""
    return load() if PLAN_FILE.exists() else None


FOLLOW_UP_COLUMNS = [
    "priority_id",
    "priority",
    "action_id",
    "action",
    "id",
    "label",
    "unit",
    "value",
    "value_text",
    "target",
    "target_text",
    "target_source",
    "status",
    "suppressed",
]


def follow_up(
    period: periods.Period,
    as_of: date | None = None,
    role: str = "viewer",
    lang: str = "nl",
    warehouse_dir: str | Path | None = None,
    snapshot_id: str | None = None,
    plan: Plan | None = None,
) -> pd.DataFrame:
    """Return one row per priority, action and indicator with its value, target and status."""
    plan = plan or load()
    ids = plan.indicator_ids()
    columns = FOLLOW_UP_COLUMNS
    if not ids:
        return pd.DataFrame(columns=columns)
    figures = engine.compute(
        ids, period, as_of=as_of, role=role, warehouse_dir=warehouse_dir, snapshot=snapshot_id
    )
    overall = figures[figures["breakdown"].isna()].drop_duplicates("id").set_index("id")
    programme_targets = settings.programme().targets
    rows = []
    for priority in plan.priorities:
        for action in priority.actions:
            for item in action.indicators:
                row = overall.loc[item.id]
                target = item.target or programme_targets.get(item.id)
                status = row["status"] if item.target is None else None
                if item.target is not None and not row["suppressed"]:
                    status = engine.level_status(row["value"], item.target.value, row["direction"])
                rows.append(
                    {
                        "priority_id": priority.id,
                        "priority": priority.title.get(lang),
                        "action_id": action.id,
                        "action": action.title.get(lang),
                        "id": item.id,
                        "label": catalogue.load().get(item.id).label.get(lang),
                        "unit": row["unit"],
                        "value": row["value"],
                        "value_text": formatting.value(
                            row["value"], row["unit"], lang, bool(row["suppressed"])
                        ),
                        "target": math.nan if target is None else target.value,
                        "target_text": ""
                        if target is None
                        else formatting.target(target.value, row["unit"], target.deadline, lang),
                        "target_source": "" if target is None else target.source,
                        "status": status,
                        "suppressed": bool(row["suppressed"]),
                    }
                )
    return pd.DataFrame(rows, columns=columns)
