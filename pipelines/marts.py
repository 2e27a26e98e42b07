"""The marts: one SQL file per model in pipelines/marts/, built in order inside a snapshot."""

from __future__ import annotations

from pathlib import Path

import duckdb
import yaml

MARTS_DIR = Path(__file__).resolve().parent / "marts"
MODELS: tuple[str, ...] = ("match_facts", "participant_flow")


def model_sql(name: str) -> str:
    """Return the select statement of one model."""
    return (MARTS_DIR / f"{name}.sql").read_text()


def describe() -> list[dict]:
    """Return each model's description (grain, key, tests) from models.yaml."""
    return yaml.safe_load((MARTS_DIR / "models.yaml").read_text())["models"]


def build(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild every mart from the tables in the connected snapshot."""
    for name in MODELS:
        con.execute(f"create or replace table {name} as {model_sql(name)}")
