"""One Great Expectations suite per contract table, built in code, run on a typed frame.

The suites check what the contract promises: required values present, numbers and dates in
range, allowed values, keys unique within a file, references resolvable and date order.
Failing rows are found through GX's COMPLETE result format (`unexpected_index_list` on a
`_pos` column) and each failure is put into one sentence for the quarantine.
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from pipelines.coltypes import COLUMN_TYPES
from pipelines.contract import Table

POS = "_pos"
SQL_DIR = Path(__file__).resolve().parent / "sql"

# Date order within a row: (later column, earlier column).
DATE_ORDER: dict[str, tuple[tuple[str, str], ...]] = {
    "matches": (("ended_on", "matched_on"), ("planned_end_on", "matched_on")),
    "referrals": (("status_on", "referred_on"),),
}


class SetCheck(NamedTuple):
    """A check across the rows of a file (a key's uniqueness, a reference): run in SQL.

    It needs every row of the file at once, which batches cannot give, so the load runs it in
    DuckDB (set_check_sql); build_suite adds the same check as a GX expectation.
    """

    expectation: str
    columns: tuple[str, ...]
    targets: tuple[str, ...]  # referenced tables; () for a key's uniqueness

    @property
    def column(self) -> str:
        """Return the column name(s) as the expectation results name them."""
        return ",".join(self.columns)


def set_checks(table: Table) -> list[SetCheck]:
    """Return the contract's checks across rows of a table, in the order the suite holds them."""
    checks = []
    if len(table.key) == 1:
        checks.append(SetCheck("expect_column_values_to_be_unique", table.key, ()))
    elif table.key:
        checks.append(SetCheck("expect_compound_columns_to_be_unique", table.key, ()))
    for column, targets in table.references.items():
        checks.append(SetCheck("expect_column_values_to_be_in_set", (column,), tuple(targets)))
    return checks


def set_check_sql(check: SetCheck, staged: str) -> str:
    """Return the SQL selecting `_source_row` of the rows of `staged` that fail check."""
    from pipelines.contract import TABLES_BY_NAME

    if not check.targets:
        template = "check_unique"
        present = " and ".join(f"{c} is not null" for c in check.columns)
        fills = {"present": present, "key": ", ".join(check.columns)}
    else:
        template = "check_reference"
        (column,) = check.columns
        missing = " and ".join(
            f"not exists (select 1 from {t} as t where t.{TABLES_BY_NAME[t].key[0]} = s.{column})"
            for t in check.targets
        )
        fills = {"column": column, "missing": missing}
    return (SQL_DIR / f"{template}.sql").read_text().format(staged=staged, **fills)


def set_check_sentence(check: SetCheck, values: dict[str, Any], table: Table) -> str:
    """Return the quarantine sentence of a row (its check columns' values) failing check."""
    kwargs = {"column_list": list(check.columns)} if len(check.columns) > 1 else {}
    kwargs["column"] = check.columns[0] if len(check.columns) == 1 else None
    meta = {"references": " or ".join(check.targets)} if check.targets else None
    return _sentence(check.expectation, kwargs, meta, values, table)


class Finding(NamedTuple):
    """One failed expectation on one row: which expectation, on which column, in words."""

    expectation: str
    column: str
    sentence: str


@dataclass
class Validation:
    """What a suite found: findings per failing row position, and a summary per expectation."""

    reasons: dict[int, list[Finding]] = field(default_factory=lambda: defaultdict(list))
    results: list[dict[str, Any]] = field(default_factory=list)


@cache
def _context() -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints every frame it is given (a hash of all its cells, twice per batch) for a
    # batch marker nothing here reads; frames above this many bytes are not fingerprinted
    pandas_execution_engine.HASH_THRESHOLD = 0

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


def _batch_definition(table_name: str) -> Any:
    context = _context()
    try:
        source = context.data_sources.get("staging")
    except (KeyError, ValueError):
        source = context.data_sources.add_pandas("staging")
    try:
        asset = source.get_asset(table_name)
    except LookupError:
        asset = source.add_dataframe_asset(table_name)
    try:
        return asset.get_batch_definition("whole")
    except (KeyError, LookupError):
        return asset.add_batch_definition_whole_dataframe("whole")


def build_suite(
    table: Table,
    references: dict[str, Iterable[str]] | None = None,
    today: date | None = None,
    across_rows: bool = True,
) -> Any:
    """Return the GX expectation suite for a contract table (references: column -> known ids).

    Without `across_rows`, the set checks (set_checks) are left out: the load runs them in SQL.
    """
    import great_expectations as gx
    import great_expectations.expectations as gxe

    _context()  # a suite needs an active data context
    today = today or date.today()
    suite = gx.ExpectationSuite(name=f"{table.name}_suite")
    for col in table.columns:
        suite.add_expectation(gxe.ExpectColumnToExist(column=col.name))
        if col.required:
            suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column=col.name))
        for expectation in COLUMN_TYPES[col.type].expectations(col, today):
            suite.add_expectation(expectation)
    for check in set_checks(table) if across_rows else ():
        if check.expectation == "expect_column_values_to_be_unique":
            suite.add_expectation(gxe.ExpectColumnValuesToBeUnique(column=check.columns[0]))
        elif check.expectation == "expect_compound_columns_to_be_unique":
            suite.add_expectation(
                gxe.ExpectCompoundColumnsToBeUnique(
                    column_list=list(check.columns), ignore_row_if="any_value_is_missing"
                )
            )
        elif check.columns[0] in (references or {}):
            suite.add_expectation(
                gxe.ExpectColumnValuesToBeInSet(
                    column=check.columns[0],
                    value_set=sorted(references[check.columns[0]]),
                    meta={"references": " or ".join(check.targets)},
                )
            )
    for later, earlier in DATE_ORDER.get(table.name, ()):
        suite.add_expectation(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=later,
                column_B=earlier,
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            )
        )
    return suite


def validate(
    frame: pd.DataFrame,
    table: Table,
    references: dict[str, Iterable[str]] | None = None,
    today: date | None = None,
    across_rows: bool = True,
) -> Validation:
    """Return the failing rows (by position in frame) with reasons, and per-expectation results.

    Without `across_rows` (a batch of a file), the set checks are left to set_check_sql.
    """
    today = today or date.today()
    columns = [c for c in table.column_names]
    data = frame[columns]  # a frame of its own: selecting columns copies them
    data.index = pd.RangeIndex(len(data))
    data = _vectorisable(data)
    data[POS] = range(len(data))
    # GX compares in-set values as Python objects; only ids present in the frame matter, so
    # the reference set is cut down to those before the suite is built
    refs = {
        col: set(data[col].dropna().unique()) & set(known)
        for col, known in (references or {}).items()
    }
    suite = (
        build_suite(table, refs, today)
        if across_rows
        else _row_suite(table.name, today)  # the same for every batch: built once
    )
    batch = _batch_definition(table.name).get_batch(batch_parameters={"dataframe": data})
    result = batch.validate(
        suite,
        result_format={
            "result_format": "COMPLETE",
            "unexpected_index_column_names": [POS],
            "return_unexpected_index_query": False,
        },
    )
    outcome = Validation()
    for res in result.results:
        config = res.expectation_config
        kwargs = config.kwargs
        column = kwargs.get("column") or ",".join(
            kwargs.get("column_list") or [kwargs.get("column_A", ""), kwargs.get("column_B", "")]
        )
        unexpected = res.result.get("unexpected_index_list") or []
        if res.exception_info and res.exception_info.get("raised_exception"):
            raise RuntimeError(
                f"Expectation {config.type} on {table.name}.{column} could not run: "
                f"{res.exception_info.get('exception_message')}"
            )
        outcome.results.append(
            {
                "expectation": config.type,
                "column": column,
                "success": bool(res.success),
                "unexpected_count": len(unexpected) or int(res.result.get("unexpected_count") or 0),
            }
        )
        for item in unexpected:
            pos = int(item[POS])
            sentence = _sentence(config.type, kwargs, config.meta, item, table)
            outcome.reasons[pos].append(Finding(config.type, column, sentence))
    return outcome


_NS_BOUNDS = (pd.Timestamp.min, pd.Timestamp.max)


def _vectorisable(data: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of data whose dates and numbers GX's pandas range check can vectorise.

    GX compares nullable numbers and microsecond dates one Python value at a time; as floats
    and nanosecond dates (the same values: ids are text, and no count nears 2**53) it compares
    whole columns. A date beyond the nanosecond range stays as it is.
    """
    out = data.copy(deep=False)  # columns are replaced below, never written into
    for name in out.columns:
        column = out[name]
        if str(column.dtype) in ("Int64", "Float64"):
            out[name] = column.astype("float64")
        elif str(column.dtype) == "datetime64[us]":
            present = column.dropna()
            if present.empty or (present.min() >= _NS_BOUNDS[0] and present.max() <= _NS_BOUNDS[1]):
                out[name] = column.astype("datetime64[ns]")
    return out


@cache
def _row_suite(table_name: str, today: date) -> Any:
    from pipelines.contract import TABLES_BY_NAME

    return build_suite(TABLES_BY_NAME[table_name], None, today, across_rows=False)


def _fmt(value: Any) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return "(empty)"
    if isinstance(value, pd.Timestamp | datetime):
        # isoformat, not strftime: strftime writes the year 1 as "1", not "0001"
        return value.isoformat()[:10]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sentence(kind: str, kwargs: dict, meta: dict | None, item: dict, table: Table) -> str:
    column = kwargs.get("column")
    value = _fmt(item.get(column)) if column else ""
    if kind == "expect_column_values_to_not_be_null":
        return f"{column} is required but empty"
    if kind == "expect_column_values_to_be_between":
        low, high = _fmt(kwargs.get("min_value")), _fmt(kwargs.get("max_value"))
        low_word = "above" if kwargs.get("strict_min") else "from"
        if kwargs.get("min_value") is None:
            return f"{column} {value} is above the maximum {high}"
        return f"{column} {value} is out of range (expected {low_word} {low} to {high})"
    if kind == "expect_column_values_to_be_in_set":
        if meta and meta.get("references"):
            return f"{column} '{value}' does not match any row of {meta['references']}"
        allowed = ", ".join(str(v) for v in kwargs.get("value_set", []))
        return f"{column} '{value}' is not allowed (expected one of: {allowed})"
    if kind in ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"):
        key = ", ".join(table.key)
        shown = ", ".join(_fmt(item.get(k)) for k in table.key)
        return (
            f"the key ({key}) = ({shown}) appears more than once in this file with different values"
        )
    if kind == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = kwargs["column_A"], kwargs["column_B"]
        return f"{a} ({_fmt(item.get(a))}) is before {b} ({_fmt(item.get(b))})"
    return f"{column or 'row'} failed {kind}"
