"""The contract documented for people (data/README.md) is the contract the code uses."""

from __future__ import annotations

from pipelines import docs
from pipelines.contract import TABLES, header_map, normalise_header, table_for_name


def test_data_readme_contract_block_is_up_to_date():
    text = docs.CONTRACT_README.read_text(encoding="utf-8")
    assert docs.contract_readme(text) == text, "run `make docs` to regenerate data/README.md"


def test_every_column_and_alias_is_in_the_data_readme():
    text = docs.CONTRACT_README.read_text(encoding="utf-8")
    for table in TABLES:
        assert f"### `{table.name}`" in text
        for col in table.columns:
            for name in (col.name, *col.aliases):
                assert f"`{name}`" in text, f"{table.name}.{name} is undocumented"


def test_aliases_are_unambiguous_within_a_table():
    for table in TABLES:
        seen: dict[str, str] = {}
        for col in table.columns:
            for alias in (col.name, *col.aliases):
                key = normalise_header(alias)
                assert seen.setdefault(key, col.name) == col.name, (table.name, alias)
        assert set(header_map(table).values()) == set(table.column_names)


def test_tables_are_recognised_by_canonical_and_dutch_names():
    assert table_for_name("deelnemers").name == "participants"
    assert table_for_name("Koppelingen").name == "matches"
    assert table_for_name("2023-06_contactmomenten_export").name == "contacts"
    assert table_for_name("financiën").name == "finance"
    assert table_for_name("notes") is None
