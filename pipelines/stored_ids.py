"""Where people's pseudonyms are stored in a snapshot: the contract's pseudonymised columns.

A pseudonym sits in a contract table's column marked `pseudonymise` (participant, buddy or
respondent), and in the `row_values` JSON of a quarantined row of such a table, which holds
people's ids as the tables do. Erasure (pipelines/purge.py) and re-keying
(pipelines/rekey.py) both walk these places; the column names always come from the
contract, never from a person.
"""

from __future__ import annotations

import duckdb

from pipelines.contract import Table

QUARANTINE = "quarantine"


def row_value(column: str) -> str:
    """Return the SQL of a contract table's column as text."""
    return f"cast({column} as varchar)"


def quarantine_value(column: str) -> str:
    """Return the SQL of a column of a quarantined row's values, as text."""
    return f"trim(json_extract_string(row_values, '$.{column}'))"


def present_columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """Return table -> its columns, for the tables this snapshot holds (older ones may differ)."""
    rows = con.execute(
        "select table_name, column_name from information_schema.columns where table_schema = 'main'"
    ).fetchall()
    present: dict[str, set[str]] = {}
    for table, column in rows:
        present.setdefault(table, set()).add(column)
    return present


def pseudonymised(table: Table, kinds: frozenset[str] | None = None) -> list[str]:
    """Return the table's pseudonymised columns, in contract order; only of `kinds` if given."""
    return [
        c.name
        for c in table.columns
        if c.pseudonymise is not None and (kinds is None or c.pseudonymise in kinds)
    ]
