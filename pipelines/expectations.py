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
from typing import Any, NamedTuple

import pandas as pd

from pipelines.coltypes import COLUMN_TYPES
from pipelines.contract import Table

POS = "_pos"

# Date order within a row: (later column, earlier column).
DATE_ORDER: dict[str, tuple[tuple[str, str], ...]] = {
    "matches": (("ended_on", "matched_on"), ("planned_end_on", "matched_on")),
    "referrals": (("status_on", "referred_on"),),
}


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
    table: Table, references: dict[str, Iterable[str]] | None = None, today: date | None = None
) -> Any:
    """Return the GX expectation suite for a contract table (references: column -> known ids)."""
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
    if table.key:
        if len(table.key) == 1:
            suite.add_expectation(gxe.ExpectColumnValuesToBeUnique(column=table.key[0]))
        else:
            suite.add_expectation(
                gxe.ExpectCompoundColumnsToBeUnique(
                    column_list=list(table.key), ignore_row_if="any_value_is_missing"
                )
            )
    for column, known in (references or {}).items():
        suite.add_expectation(
            gxe.ExpectColumnValuesToBeInSet(
                column=column,
                value_set=sorted(known),
                meta={"references": " or ".join(table.references[column])},
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
) -> Validation:
    """Return the failing rows (by position in frame) with reasons, and per-expectation results."""
    today = today or date.today()
    columns = [c for c in table.column_names]
    data = frame[columns].reset_index(drop=True).copy()
    data[POS] = range(len(data))
    # GX compares in-set values as Python objects; only ids present in the frame matter, so
    # the reference set is cut down to those before the suite is built
    refs = {
        col: set(data[col].dropna().unique()) & set(known)
        for col, known in (references or {}).items()
    }
    suite = build_suite(table, refs, today)
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


def _fmt(value: Any) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return "(empty)"
    if isinstance(value, pd.Timestamp | datetime):
        return value.strftime("%Y-%m-%d")
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
