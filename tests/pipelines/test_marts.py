"""The marts, dbt-style: given a few source rows, expect exactly the hand-worked mart rows;
and the tests models.yaml declares run after every build and catch a broken mart."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from pipelines import marts
from pipelines.load import create_schema

CASES = Path(__file__).resolve().parent / "mart_cases"
LINEAGE = ("_row_key", "_batch_id", "_source", "_source_row")


def _case(name: str) -> dict:
    return yaml.safe_load((CASES / f"{name}.yaml").read_text(encoding="utf-8"))


def _given(given: dict) -> duckdb.DuckDBPyConnection:
    """Return an in-memory warehouse with the contract schema holding the given rows."""
    con = duckdb.connect()
    create_schema(con)
    for table, rows in given.items():
        for i, row in enumerate(rows, start=1):
            if table != "programme_settings":
                row = {
                    "_row_key": f"{table}-{i}",
                    "_batch_id": "given",
                    "_source": "given",
                    "_source_row": i,
                    **row,
                }
            columns = ", ".join(row)
            marks = ", ".join("?" for _ in row)
            con.execute(f"insert into {table} ({columns}) values ({marks})", list(row.values()))
    return con


def _rows(con: duckdb.DuckDBPyConnection, model: str, key: str) -> list[dict]:
    cursor = con.execute(f"select * from {model} order by {key}")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@pytest.mark.parametrize("case", sorted(p.stem for p in CASES.glob("*.yaml")))
def test_marts_turn_the_given_rows_into_exactly_the_expected_rows(case):
    spec = _case(case)
    con = _given(spec["given"])
    marts.build(con)
    keys = {m["name"]: m["key"] for m in marts.describe()}
    assert sorted(spec["expect"]) == sorted(marts.MODELS)
    for model, expected in spec["expect"].items():
        assert _rows(con, model, keys[model]) == sorted(expected, key=lambda r: r[keys[model]])


def test_the_declared_tests_pass_on_correct_marts():
    con = _given(_case("two_people_three_duos")["given"])
    marts.build(con)
    declared = [
        (m["name"], f"{kind}: {spec}")
        for m in marts.describe()
        for t in m["tests"]
        for kind, spec in t.items()
    ]
    assert declared == [
        ("match_facts", "unique: match_id"),
        ("match_facts", "accounting: sum(hours_total) = sum(contacts.hours)"),
        ("match_facts", "accounting: count(*) = count(matches)"),
        ("participant_flow", "unique: participant_id"),
        ("participant_flow", "accounting: count(*) = count(participants)"),
        ("participant_flow", "accounting: sum(n_referrals) = count(referrals)"),
    ]
    assert marts.failures(con) == []


def test_a_duplicated_mart_row_breaks_the_unique_test():
    con = _given(_case("two_people_three_duos")["given"])
    marts.build(con)
    con.execute("insert into match_facts select * from match_facts where match_id = 'M2'")
    assert marts.failures(con) == [
        marts.Failure("match_facts", "unique: match_id", [("M2", 2)]),
        marts.Failure(
            "match_facts", "accounting: sum(hours_total) = sum(contacts.hours)", [(49.5, 46.0)]
        ),
        marts.Failure("match_facts", "accounting: count(*) = count(matches)", [(4, 3)]),
    ]
    with pytest.raises(marts.MartTestFailed, match=r"mart match_facts fails its test 'unique"):
        marts.check(con)


def test_a_broken_mart_fails_the_build_naming_the_model_and_the_test(tmp_path):
    broken = tmp_path / "marts"
    shutil.copytree(marts.MARTS_DIR, broken)
    sql = (broken / "match_facts.sql").read_text(encoding="utf-8")
    good = "coalesce(contact_totals.hours_total, 0) as hours_total"
    assert good in sql
    (broken / "match_facts.sql").write_text(sql.replace(good, good.replace(", 0)", ", 0) + 1")))
    con = _given(_case("two_people_three_duos")["given"])
    # three duos one hour each too many: 42.5 + 3.5 + 0 + 3 against 46 hours of contacts
    expected = (
        "mart match_facts fails its test 'accounting: sum(hours_total) = sum(contacts.hours)': "
        "[(49.0, 46.0)]"
    )
    with pytest.raises(marts.MartTestFailed) as raised:
        marts.build(con, broken)
    assert str(raised.value) == expected


def test_a_declared_test_that_does_not_hold_is_reported_with_both_sides():
    con = _given(_case("two_people_three_duos")["given"])
    marts.build(con)
    wrong = [{"name": "participant_flow", "tests": [{"accounting": "count(*) = count(referrals)"}]}]
    assert marts.failures(con, wrong) == [
        marts.Failure("participant_flow", "accounting: count(*) = count(referrals)", [(3, 6)])
    ]


def test_a_test_of_an_unknown_kind_is_refused_by_name():
    con = _given(_case("no_rows")["given"])
    marts.build(con)
    with pytest.raises(ValueError, match="unknown test kind 'not_null'"):
        marts.failures(con, [{"name": "match_facts", "tests": [{"not_null": "match_id"}]}])
