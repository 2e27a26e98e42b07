"""The indicator catalogue (catalogue.yaml), validated with pydantic when it is loaded."""

from __future__ import annotations

import hashlib
import json
from functools import cache, cached_property
from pathlib import Path
from typing import Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    model_validator,
)

from indicators.lineage import Sources
from pipelines.errors import UserError

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCES = Sources()
CATALOGUE_FILE = DEFAULT_SOURCES.catalogue_file
SQL_DIR = DEFAULT_SOURCES.sql_dir
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
    """A text in Dutch and English, and in French where it has been translated."""

    model_config = ConfigDict(extra="forbid")
    nl: str
    en: str
    fr: str | None = None

    def get(self, lang: str) -> str:
        """Return the text in the language asked for (Dutch when it has none in that language)."""
        if lang == "en":
            return self.en
        if lang == "fr" and self.fr is not None:
            return self.fr
        return self.nl


class Translated(Text):
    """A text of the catalogue: in every language of the interface (Dutch, French, English)."""

    fr: str


class Requirement(BaseModel):
    """A column an indicator needs values in ('table.column'), and what it means when none."""

    model_config = ConfigDict(extra="forbid")
    column: str = Field(pattern=r"^[a-z_]+\.[a-z0-9_]+$")
    missing: Translated


class Indicator(BaseModel):
    """One indicator: what it measures, how, over which period and against what."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: int = Field(ge=1)
    family: str
    label: Translated
    definition: Translated
    unit: Unit
    kind: Kind
    sql: str
    period_rule: Translated
    breakdowns: list[Dimension]
    direction: Literal["higher", "lower"]
    frameworks: list[str]
    questions: list[str]
    personal: bool = True  # False: counts no people (money, organisations), never suppressed
    # columns without which there is nothing to count: the figure then says "no data" in words
    requires: list[Requirement] = []
    _sources: Sources = PrivateAttr(default=DEFAULT_SOURCES)

    def sql_text(self) -> str:
        """Return the SQL that lists this indicator's units."""
        return (self._sources.sql_dir / self.sql).read_text(encoding="utf-8")

    def query(self) -> str:
        """Return the query the engine runs: its units with every breakdown dimension added."""
        return f"with units as (\n{self.sql_text()}\n)\n{self._sources.dimensions_sql}"

    def dependencies(self) -> list[str]:
        """Return the views and marts ('views/x', 'marts/y') below its query, in creation order."""
        return self._sources.dependencies(self.query())

    def fingerprint(self) -> str:
        """Return a hash of its catalogue entry (but version), its query and all SQL below it."""
        payload = {
            # empty lists are left out, so a field added later moves no existing fingerprint
            "entry": {
                k: v
                for k, v in self.model_dump(mode="json", exclude={"version"}).items()
                if v != []
            },
            "sql": hashlib.sha256(self.query().encode()).hexdigest(),
            "below": self._sources.digest(self.dependencies()),
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


class Catalogue(BaseModel):
    """Every indicator, with the frameworks and council questions they refer to."""

    model_config = ConfigDict(extra="forbid")
    catalogue_version: str
    frameworks: dict[str, Translated]
    questions: dict[str, Translated]
    indicators: list[Indicator]
    _sources: Sources = PrivateAttr(default=DEFAULT_SOURCES)

    @model_validator(mode="after")
    def _check_references(self, info: ValidationInfo) -> Catalogue:
        sources = (info.context or {}).get("sources", DEFAULT_SOURCES)
        self._sources = sources
        for ind in self.indicators:
            ind._sources = sources
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
            if not (sources.sql_dir / ind.sql).is_file():
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

    @property
    def sources(self) -> Sources:
        """Return the SQL sources this catalogue was read with (views, marts, folders)."""
        return self._sources

    @cached_property
    def version(self) -> str:
        """Return the version with a hash of catalogue.yaml and all SQL files (read once)."""
        digest = hashlib.sha256(self._sources.catalogue_file.read_bytes())
        for ind in self.indicators:
            digest.update(ind.query().encode())
        for name, text in sorted(self._sources.texts.items()):
            digest.update(f"\0{name}\0{text}".encode())
        return f"{self.catalogue_version}+{digest.hexdigest()[:8]}"


def _read(sources: Sources) -> Catalogue:
    # libyaml's loader when PyYAML has it: the same data, read ten times faster
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(sources.catalogue_file.read_text(encoding="utf-8"), Loader=loader)
    return Catalogue.model_validate(data, context={"sources": sources})


@cache
def _default() -> Catalogue:
    return _read(DEFAULT_SOURCES)


def load(root: Path | None = None) -> Catalogue:
    """Return the validated catalogue of this project (read once) or of a copy at root."""
    return _default() if root is None else _read(Sources(Path(root)))


def recorded_fingerprints(path: Path = FINGERPRINTS_FILE) -> dict[str, dict]:
    """Return the fingerprints recorded for each indicator version."""
    if not path.exists():
        return {}
    return json.loads(path.read_text())


def stale(cat: Catalogue, recorded: dict[str, dict]) -> list[str]:
    """Return the ids whose fingerprint changed while their version did not (a bump is due)."""
    return [
        ind.id
        for ind in cat.indicators
        if (old := recorded.get(ind.id))
        and old["version"] == ind.version
        and old["fingerprint"] != ind.fingerprint()
    ]


def refresh_fingerprints() -> list[str]:
    """Record the fingerprints of indicators whose version went up; return stale ids.

    A stale id is one whose definition changed while its version did not: it is left
    unrecorded, so the catalogue test keeps failing until the version is bumped.
    """
    recorded = recorded_fingerprints()
    cat = load()
    due = stale(cat, recorded)
    out = {
        ind.id: recorded[ind.id]
        if ind.id in due
        else {"version": ind.version, "fingerprint": ind.fingerprint()}
        for ind in cat.indicators
    }
    FINGERPRINTS_FILE.write_text(json.dumps(out, indent=2, sort_keys=True) + "\n")
    return due
