"""The indicator catalogue (catalogue.yaml), validated with pydantic when it is loaded."""

from __future__ import annotations

import hashlib
import json
from functools import cache, cached_property
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipelines.errors import UserError

HERE = Path(__file__).resolve().parent
CATALOGUE_FILE = HERE / "catalogue.yaml"
SQL_DIR = HERE / "sql"
FINGERPRINTS_FILE = HERE / "fingerprints.json"

Dimension = Literal[
    "programme",
    "municipality",
    "gender",
    "age_band",
    "region_of_birth",
    "dutch_level",
    "match_cohort",
    "organisation",
]
DIMENSIONS: tuple[str, ...] = Dimension.__args__  # type: ignore[attr-defined]
Kind = Literal["count", "sum", "ratio", "median", "mean_ci", "km_median", "distribution"]
Unit = Literal["count", "percent", "hours", "days", "eur", "score"]


class UnknownIndicator(UserError):
    """An indicator id that the catalogue does not hold; the message lists the valid ones."""


class Text(BaseModel):
    """A text in Dutch and English."""

    model_config = ConfigDict(extra="forbid")
    nl: str
    en: str

    def get(self, lang: str) -> str:
        """Return the text in the language asked for (Dutch unless English is asked)."""
        return self.en if lang == "en" else self.nl


class Indicator(BaseModel):
    """One indicator: what it measures, how, over which period and against what."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: int = Field(ge=1)
    family: str
    label: Text
    definition: Text
    unit: Unit
    kind: Kind
    sql: str
    period_rule: Text
    breakdowns: list[Dimension]
    direction: Literal["higher", "lower"]
    frameworks: list[str]
    questions: list[str]
    personal: bool = True  # False: counts no people (money, organisations), never suppressed

    def sql_text(self) -> str:
        """Return the SQL that lists this indicator's units."""
        return (SQL_DIR / self.sql).read_text(encoding="utf-8")

    def fingerprint(self) -> str:
        """Return a hash of everything that defines the indicator's value."""
        payload = {
            "definition": self.definition.model_dump(),
            "period_rule": self.period_rule.model_dump(),
            "kind": self.kind,
            "unit": self.unit,
            "sql": self.sql_text(),
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


class Catalogue(BaseModel):
    """Every indicator, with the frameworks and council questions they refer to."""

    model_config = ConfigDict(extra="forbid")
    catalogue_version: str
    frameworks: dict[str, Text]
    questions: dict[str, Text]
    indicators: list[Indicator]

    @model_validator(mode="after")
    def _check_references(self) -> Catalogue:
        ids = [i.id for i in self.indicators]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"indicator ids appear more than once: {', '.join(duplicates)}")
        for ind in self.indicators:
            unknown = set(ind.frameworks) - set(self.frameworks)
            if unknown:
                raise ValueError(f"{ind.id}: unknown framework(s) {', '.join(sorted(unknown))}")
            unknown = set(ind.questions) - set(self.questions)
            if unknown:
                raise ValueError(f"{ind.id}: unknown question(s) {', '.join(sorted(unknown))}")
            if not (SQL_DIR / ind.sql).is_file():
                raise ValueError(f"{ind.id}: SQL file indicators/sql/{ind.sql} does not exist")
            if "programme" not in ind.breakdowns:
                raise ValueError(f"{ind.id}: every indicator can be broken down by programme")
        return self

    @property
    def ids(self) -> list[str]:
        """Return the indicator ids in catalogue order."""
        return [i.id for i in self.indicators]

    def get(self, indicator_id: str) -> Indicator:
        """Return one indicator, or raise UnknownIndicator naming the valid ids."""
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise UnknownIndicator(
            f"Unknown indicator '{indicator_id}' (expected one of: {', '.join(self.ids)})."
        )

    @cached_property
    def version(self) -> str:
        """Return the catalogue version with a hash of its content, for lineage (read once)."""
        digest = hashlib.sha256(CATALOGUE_FILE.read_bytes())
        for ind in self.indicators:
            digest.update(ind.sql_text().encode())
        return f"{self.catalogue_version}+{digest.hexdigest()[:8]}"


@cache
def load() -> Catalogue:
    """Return the validated catalogue."""
    data = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    return Catalogue.model_validate(data)


def recorded_fingerprints() -> dict[str, dict]:
    """Return the fingerprints recorded for each indicator version."""
    if not FINGERPRINTS_FILE.exists():
        return {}
    return json.loads(FINGERPRINTS_FILE.read_text())


def refresh_fingerprints() -> list[str]:
    """Record the fingerprints of indicators whose version went up; return stale ids.

    A stale id is one whose definition changed while its version did not: it is left
    unrecorded, so the catalogue test keeps failing until the version is bumped.
    """
    recorded = recorded_fingerprints()
    stale = []
    out = {}
    for ind in load().indicators:
        old = recorded.get(ind.id)
        fp = ind.fingerprint()
        if old and old["version"] == ind.version and old["fingerprint"] != fp:
            stale.append(ind.id)
            out[ind.id] = old
        else:
            out[ind.id] = {"version": ind.version, "fingerprint": fp}
    FINGERPRINTS_FILE.write_text(json.dumps(out, indent=2, sort_keys=True) + "\n")
    return stale
