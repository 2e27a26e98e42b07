"""Paths and settings, anchored at the project root; nothing is read at import time.

Every YAML file of settings (data/programme.yaml, and the plan and question files) is read by
`read_yaml` and validated by a pydantic model, so a typo is one clear sentence, not a KeyError
three layers down.
"""

from __future__ import annotations

import logging
import os
from datetime import date
from functools import cache
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pipelines.errors import UserError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
REFERENCE_DIR = DATA_DIR / "reference"
PROGRAMME_FILE = DATA_DIR / "programme.yaml"
DEFAULT_WAREHOUSE = DATA_DIR / "warehouse"
DEFAULT_LOG_DIR = DATA_DIR / "logs"
DEFAULT_SECRETS_DIR = DATA_DIR / "secrets"

WAREHOUSE_ENV = "CONNECT_WAREHOUSE"
PSEUDONYM_KEY_ENV = "CONNECT_PSEUDONYM_KEY"
PROGRAMME_ENV = "CONNECT_PROGRAMME"
LOG_DIR_ENV = "CONNECT_LOG_DIR"
SERVE_ADDRESS_ENV = "CONNECT_SERVE_ADDRESS"  # set by `connect-impact serve` for the dashboard
LOG_FILE_NAME = "connect-impact.log"
SECRETS_ENV = "CONNECT_SECRETS_DIR"
# DuckDB's memory for the indicator engine's queries on one snapshot, in MiB (default: scaled to
# the snapshot, see query_memory_mib); beyond it DuckDB spills to temporary files
QUERY_MEMORY_ENV = "CONNECT_QUERY_MEMORY_MIB"
QUERY_MEMORY_FLOOR_MIB = 768
# per MiB of snapshot file: the unit lists and as-of tables grow with the data they list
QUERY_MEMORY_PER_SNAPSHOT_MIB = 0.75
# the files of the secrets folder (git-ignored; data/secrets.example/ shows their shape)
USERS_FILE_NAME = "users.json"
SESSION_KEY_FILE_NAME = "session.key"
ALLOWED_USERS_FILE_NAME = "allowed_users.yaml"
STREAMLIT_SECRETS_FILE_NAME = "secrets.toml"  # Streamlit's [auth] section: single sign-on


class SettingsError(UserError):
    """A settings file is missing or does not say what its model expects."""


def warehouse_dir(explicit: str | Path | None = None) -> Path:
    """Return the warehouse folder: the explicit one, else $CONNECT_WAREHOUSE, else the default."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get(WAREHOUSE_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return DEFAULT_WAREHOUSE


def query_memory_mib(snapshot_bytes: int) -> int:
    """Return the MiB of memory the engine's DuckDB may use for a snapshot of this size.

    $CONNECT_QUERY_MEMORY_MIB when set; else 768 MiB, or three quarters of the snapshot's size
    when that is more (a snapshot of all of Flanders over ten years needs more working memory).
    """
    env = os.environ.get(QUERY_MEMORY_ENV)
    if env:
        if not env.isdigit() or int(env) < 64:
            raise SettingsError(
                f"{QUERY_MEMORY_ENV} is '{env}'; expected a whole number of MiB, 64 or more."
            )
        return int(env)
    scaled = snapshot_bytes / 2**20 * QUERY_MEMORY_PER_SNAPSHOT_MIB
    return max(QUERY_MEMORY_FLOOR_MIB, round(scaled))


def programme_file() -> Path:
    """Return the programme settings file: $CONNECT_PROGRAMME, else data/programme.yaml."""
    env = os.environ.get(PROGRAMME_ENV)
    return Path(env).expanduser().resolve() if env else PROGRAMME_FILE


def secrets_dir() -> Path:
    """Return the folder of accounts and keys: $CONNECT_SECRETS_DIR, else data/secrets."""
    env = os.environ.get(SECRETS_ENV)
    return Path(env).expanduser().resolve() if env else DEFAULT_SECRETS_DIR


def streamlit_secrets_files() -> list[Path]:
    """Return where the dashboard reads Streamlit's secrets (single sign-on), later ones winning.

    The project's .streamlit/secrets.toml (Streamlit's own place), then secrets.toml in the
    secrets folder, so that every secret of a deployment can live in that one folder.
    """
    return [
        PROJECT_ROOT / ".streamlit" / STREAMLIT_SECRETS_FILE_NAME,
        secrets_dir() / STREAMLIT_SECRETS_FILE_NAME,
    ]


def log_file() -> Path:
    """Return the log file of the command line and the dashboard ($CONNECT_LOG_DIR or data/logs)."""
    folder = Path(os.environ.get(LOG_DIR_ENV) or DEFAULT_LOG_DIR).expanduser()
    return folder / LOG_FILE_NAME


def configure_logging() -> None:
    """Send the errors of connect-impact to its log file (once per process)."""
    logger = logging.getLogger("connect_impact")
    path = log_file()
    if any(getattr(h, "baseFilename", None) == str(path.resolve()) for h in logger.handlers):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


# --- the programme's settings --------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProgrammeInfo(_Strict):
    """Who runs the programme and when."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    run_by: str
    start_on: date
    end_on: date
    trajectory_months: int = Field(gt=0)

    @model_validator(mode="after")
    def _ends_after_start(self) -> ProgrammeInfo:
        if self.end_on < self.start_on:
            raise ValueError("end_on lies before start_on")
        return self


class Norms(_Strict):
    """The norms the indicators measure against; copied into each snapshot at load."""

    participation_hours: float = Field(gt=0)
    contacts_per_month: float = Field(gt=0)
    match_within_days: int = Field(gt=0)
    early_closure_months: int = Field(gt=0)
    flow_window_months: int = Field(gt=0)


class Target(_Strict):
    """A target for one indicator: a level, or a cumulative value to reach by a deadline."""

    value: float
    deadline: date | None = None
    source: str


class Grant(_Strict):
    """Money granted to the programme, as decided (not as booked)."""

    source: str
    amount_eur: float = Field(ge=0)
    note: str = ""


class Funding(_Strict):
    """The grants of the programme."""

    granted: list[Grant] = []


class Disclosure(_Strict):
    """Disclosure control for viewers: counts below min_count hidden, the rest rounded."""

    min_count: int = Field(default=5, ge=2)
    # published counts of people are randomly rounded to multiples of this (1: exact counts)
    rounding_base: int = Field(default=5, ge=1)


class WarehouseSettings(_Strict):
    """How the warehouse is kept."""

    keep_snapshots: int = Field(default=10, ge=1)


class Programme(_Strict):
    """data/programme.yaml: the programme, its norms, targets, funding and disclosure rule."""

    programme: ProgrammeInfo
    norms: Norms
    targets: dict[str, Target] = {}
    funding: Funding = Funding()
    disclosure: Disclosure = Disclosure()
    warehouse: WarehouseSettings = WarehouseSettings()


Model = TypeVar("Model", bound=BaseModel)


def _show_location(loc: tuple) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def read_yaml(path: Path, model: type[Model]) -> Model:
    """Return a YAML settings file validated by its model; raise SettingsError in one sentence."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"{path}: does not exist (expected a YAML settings file).") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SettingsError(f"{path}: cannot be read as YAML ({detail}).") from None
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        first = exc.errors()[0]
        more = f" (and {exc.error_count() - 1} more problem(s))" if exc.error_count() > 1 else ""
        raise SettingsError(
            f"{path}: {_show_location(first['loc'])}: {first['msg']}{more}."
        ) from None


@cache
def _programme(path: Path) -> Programme:
    return read_yaml(path, Programme)


def programme(path: str | Path | None = None) -> Programme:
    """Return the validated programme settings (data/programme.yaml unless told otherwise)."""
    return _programme(Path(path) if path else programme_file())
