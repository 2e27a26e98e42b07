"""The marts: one SQL file per model in pipelines/marts/, built in order inside a snapshot,
then checked against the tests models.yaml declares for them (a failing test is a bug)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

MARTS_DIR = Path(__file__).resolve().parent / "marts"
TEST_SQL_DIR = Path(__file__).resolve().parent / "sql"
MODELS: tuple[str, ...] = ("match_facts", "participant_flow")
# an accounting side: an aggregate over a column or * of the model, over table.column, or
# count(table) for the rows of another table
_SIDE = re.compile(r"^\s*(\w+)\(\s*(\*|\w+|\w+\.\w+)\s*\)\s*$")
_NAME = re.compile(r"^\w+$")


class MartTestFailed(Exception):
    """A mart broke a test declared for it in models.yaml: a bug, never a user's error."""


@dataclass(frozen=True)
class Failure:
    """One declared test that failed, with the rows that show it (at most five)."""

    model: str
    test: str
    rows: list[tuple]

    def __str__(self) -> str:
        """Return the failure as one sentence naming the model, the test and the evidence."""
        return f"mart {self.model} fails its test '{self.test}': {self.rows}"


def model_sql(name: str, marts_dir: Path = MARTS_DIR) -> str:
    """Return the select statement of one model."""
    return (marts_dir / f"{name}.sql").read_text()


def describe(marts_dir: Path = MARTS_DIR) -> list[dict]:
    """Return each model's description (grain, key, tests) from models.yaml."""
    return yaml.safe_load((marts_dir / "models.yaml").read_text())["models"]


def _template(kind: str) -> str:
    return (TEST_SQL_DIR / f"mart_test_{kind}.sql").read_text()


def _name(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"'{name}' in models.yaml is not a plain column or table name")
    return name


def _side_sql(con: duckdb.DuckDBPyConnection, model: str, side: str) -> str:
    """Return a scalar query for one side of an accounting identity."""
    match = _SIDE.match(side)
    if not match:
        raise ValueError(
            f"{model}: accounting side '{side}' is not aggregate(column), aggregate(*), "
            "aggregate(table.column) or count(table)"
        )
    func, arg = _name(match.group(1)), match.group(2)
    if arg == "*":
        return f"select {func}(*) from {model}"
    if "." in arg:
        table, column = arg.split(".")
        return f"select {func}({_name(column)}) from {_name(table)}"
    columns = [d[0] for d in con.execute(f"select * from {model} limit 0").description]
    if arg in columns:
        return f"select {func}({arg}) from {model}"
    if func != "count":
        raise ValueError(f"{model}: '{arg}' is no column of it, and only count() takes a table")
    return f"select count(*) from {_name(arg)}"


def failing_rows_sql(con: duckdb.DuckDBPyConnection, model: str, test: dict) -> str:
    """Return the query that lists the rows breaking one declared test (none: it passes)."""
    ((kind, spec),) = test.items()
    if kind == "unique":
        return _template("unique").format(model=_name(model), column=_name(spec))
    if kind == "accounting":
        left, sep, right = spec.partition("=")
        if not sep:
            raise ValueError(f"{model}: accounting test '{spec}' has no '='")
        return _template("accounting").format(
            left=_side_sql(con, model, left), right=_side_sql(con, model, right)
        )
    raise ValueError(f"{model}: unknown test kind '{kind}' (expected unique or accounting)")


def failures(con: duckdb.DuckDBPyConnection, models: list[dict] | None = None) -> list[Failure]:
    """Return every declared test that fails on the built marts (models.yaml unless given)."""
    found = []
    for model in describe() if models is None else models:
        for test in model.get("tests", []):
            rows = con.execute(failing_rows_sql(con, model["name"], test)).fetchmany(5)
            if rows:
                ((kind, spec),) = test.items()
                found.append(Failure(model["name"], f"{kind}: {spec}", rows))
    return found


def check(con: duckdb.DuckDBPyConnection, models: list[dict] | None = None) -> None:
    """Raise MartTestFailed naming each model and declared test that fails; else return."""
    failed = failures(con, models)
    if failed:
        raise MartTestFailed("; ".join(str(f) for f in failed))


def build(con: duckdb.DuckDBPyConnection, marts_dir: Path = MARTS_DIR) -> None:
    """Rebuild every mart from the tables in the connected snapshot, then run its tests."""
    for name in MODELS:
        con.execute(f"create or replace table {name} as {model_sql(name, marts_dir)}")
    check(con, describe(marts_dir))
