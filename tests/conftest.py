"""Shared fixtures: a small hand-built programme export whose outcomes are worked out by hand."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

TEST_KEY = "test-pseudonym-key-0123456789"

# A tiny programme, canonical headers. Hand-worked facts used by the tests:
# - duo K1 (D1 with B1): four contacts of 10 h -> 40 h, reaching the norm on 2021-10-05.
# - duo K2 (D2 with B2): 1.5 h + 2 h = 3.5 h, stopped early; never reaches 40 h.
# - D3 registered without a match; D1 flows through to leisure at anchor place O1
#   (anchor since 2021-09-01, start 2021-11-01), D2 to a course (no organisation).
HAND_BUILT: dict[str, list[list[str]]] = {
    "participants": [
        [
            "participant_id",
            "registered_on",
            "intake_on",
            "birth_year",
            "gender",
            "country_of_birth",
            "municipality",
            "dutch_level",
            "in_integration_trajectory",
            "referred_by",
        ],
        ["D1", "2021-06-01", "2021-06-10", "1990", "F", "SY", "21015", "A1", "true", "OCMW"],
        ["D2", "2021-06-05", "2021-06-20", "1985", "M", "AF", "21012", "A0", "true", ""],
        ["D3", "2021-07-01", "", "1999", "X", "MA", "21009", "A2", "false", "eigen initiatief"],
    ],
    "buddies": [
        ["buddy_id", "registered_on", "trained_on", "birth_year", "gender", "municipality"],
        ["B1", "2021-05-01", "2021-05-20", "1970", "F", "21009"],
        ["B2", "2021-05-02", "", "1980", "M", "outside_brussels"],
    ],
    "organisations": [
        ["organisation_id", "name", "kind", "municipality", "dutch_network", "anchor_since"],
        ["O1", "Bibliotheek Muntpunt", "library", "21004", "true", "2021-09-01"],
        ["O2", "GC De Kriekelaar", "community_centre", "21015", "true", ""],
    ],
    "matches": [
        [
            "match_id",
            "participant_id",
            "buddy_id",
            "matched_on",
            "planned_end_on",
            "ended_on",
            "end_reason",
        ],
        ["K1", "D1", "B1", "2021-07-01", "2022-01-01", "2021-12-20", "completed"],
        ["K2", "D2", "B2", "2021-07-15", "2022-01-15", "2021-09-01", "participant_stopped"],
    ],
    "contacts": [
        ["contact_id", "match_id", "contact_on", "hours", "activity", "organisation_id"],
        ["C1", "K1", "2021-07-05", "10", "conversation", "O1"],
        ["C2", "K1", "2021-08-05", "10", "culture", ""],
        ["C3", "K1", "2021-09-05", "10", "library", "O1"],
        ["C4", "K1", "2021-10-05", "10", "sport", "O2"],
        ["C5", "K2", "2021-07-20", "1.5", "conversation", ""],
        ["C6", "K2", "2021-08-03", "2", "city_discovery", ""],
    ],
    "activities": [
        ["activity_id", "activity_on", "participant_id", "hours", "kind", "organisation_id"],
        ["G1", "2021-08-10", "D1", "3", "workshop", "O2"],
        ["G1", "2021-08-10", "D2", "3", "workshop", "O2"],
    ],
    "referrals": [
        ["participant_id", "referred_on", "kind", "organisation_id", "status", "status_on"],
        ["D1", "2021-11-01", "leisure", "O1", "started", "2021-11-15"],
        ["D1", "2022-02-01", "volunteering", "O2", "referred", ""],
        ["D2", "2021-10-01", "course", "", "ongoing_3m", "2022-01-01"],
    ],
    "surveys": [
        [
            "respondent_id",
            "respondent_role",
            "wave",
            "answered_on",
            "dj1",
            "dj2",
            "dj3",
            "dj4",
            "dj5",
            "dj6",
            "dutch_confidence",
            "feel_at_home",
            "dutch_speaking_contacts",
            "helpful_for_integration",
            "satisfaction",
        ],
        [
            "D1",
            "participant",
            "intake",
            "2021-06-10",
            "1",
            "1",
            "1",
            "0",
            "1",
            "0",
            "2",
            "3",
            "1",
            "",
            "",
        ],
        [
            "D1",
            "participant",
            "end",
            "2021-12-20",
            "0",
            "1",
            "0",
            "0",
            "1",
            "0",
            "4",
            "4",
            "5",
            "true",
            "5",
        ],
    ],
    "finance": [
        ["booked_on", "direction", "source", "category", "amount_eur", "description"],
        ["2021-06-15", "income", "flemish_community_amif", "", "82882", "grant"],
        ["2021-07-31", "expense", "", "staff", "1000.50", "July salaries"],
    ],
}


def write_csv(
    path: Path, rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8"
) -> Path:
    """Write rows (header first) as a CSV file and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding=encoding) as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def load_export(root: Path, tables: dict[str, list[list[str]]], key: str) -> Path:
    """Write the tables as CSV files in root/export, load them into root/wh; return the warehouse.

    The load must quarantine nothing: these exports are worked out by hand.
    """
    from indicators import engine
    from pipelines.load import load

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CONNECT_PSEUDONYM_KEY", key)
        for table, rows in tables.items():
            write_csv(root / "export" / f"{table}.csv", rows)
        result = load([root / "export"], root / "wh")
    assert result.quarantined == 0
    engine.clear_cache()
    return root / "wh"


def stored_rows(wh: Path, *tables: str) -> dict[str, list[tuple]]:
    """Return the rows of each table, sorted, with only its contract columns (marts: all)."""
    from pipelines import warehouse
    from pipelines.contract import TABLES_BY_NAME

    con = warehouse.connect_read_only(wh)
    try:
        out = {}
        for table in tables:
            spec = TABLES_BY_NAME.get(table)
            columns = ", ".join(spec.column_names) if spec else "*"
            rows = con.execute(f"select {columns} from {table}").fetchall()
            out[table] = sorted(rows, key=repr)
        return out
    finally:
        con.close()


@pytest.fixture(autouse=True, scope="session")
def _log_outside_the_repository(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Send the product's error log to a temporary folder, never into data/logs."""
    os.environ["CONNECT_LOG_DIR"] = str(tmp_path_factory.mktemp("logs"))


@pytest.fixture
def hand_built(tmp_path: Path) -> Path:
    """Return a folder holding the hand-built export, one canonical CSV per table."""
    folder = tmp_path / "export"
    for table, rows in HAND_BUILT.items():
        write_csv(folder / f"{table}.csv", rows)
    return folder


@pytest.fixture
def wh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Return an empty warehouse folder with a fixed pseudonym key."""
    monkeypatch.setenv("CONNECT_PSEUDONYM_KEY", TEST_KEY)
    return tmp_path / "warehouse"


@pytest.fixture
def secrets_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Return an empty secrets folder, with argon2id made cheap so that tests stay quick."""
    from argon2 import PasswordHasher

    from pipelines import accounts

    folder = tmp_path / "secrets"
    monkeypatch.setenv("CONNECT_SECRETS_DIR", str(folder))
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", lambda: cheap)
    monkeypatch.setattr(accounts, "_decoy_hash", lambda: cheap.hash("decoy-password"))
    return folder


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a warehouse loaded with the synthetic demo data set (scale S, seed 2021)."""
    from pipelines.generate import generate
    from pipelines.load import load

    root = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CONNECT_PSEUDONYM_KEY", TEST_KEY)
        generate(root / "raw", scale="S", seed=2021)
        load([root / "raw"], root / "warehouse")
    return root / "warehouse"
