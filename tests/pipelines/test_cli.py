"""The status and quarantine commands report what the load stored."""

from __future__ import annotations

import csv
import io
import json

from typer.testing import CliRunner

from dashboard.cli import app
from pipelines import warehouse
from tests.conftest import HAND_BUILT, write_csv
from tests.pipelines.test_load import BAD_CONTACTS, EXPECTED_REASONS

runner = CliRunner()


def _load(folder, wh):
    res = runner.invoke(app, ["load", str(folder), "--warehouse", str(wh)])
    assert res.exit_code == 0, res.output
    return res


def test_load_prints_the_accounting_per_table(hand_built, wh):
    res = _load(hand_built, wh)
    line = next(x for x in res.output.splitlines() if x.strip("│ ").startswith("contacts"))
    assert [c.strip() for c in line.strip("│ ").split("│")] == [
        "contacts",
        "6",
        "6",
        "0",
        "0",
        "0",
        "0",
    ]


def test_status_json_lists_snapshot_batch_quarantine_and_tables(hand_built, wh):
    write_csv(hand_built / "contacts.csv", BAD_CONTACTS)
    _load(hand_built, wh)
    res = runner.invoke(app, ["status", "--json", "--warehouse", str(wh)])
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    cur = warehouse.current(wh)
    assert data["current"]["id"] == cur.id
    assert data["current"]["content_sha256"] == cur.content_sha256
    [batch] = data["batches"]
    assert batch["rows_quarantined"] == 11 and batch["rows_duplicate"] == 1
    assert batch["outcome"] == "loaded_with_quarantine"
    assert data["quarantine"] == [
        {"batch_id": batch["batch_id"], "table_name": "contacts", "n": 11}
    ]
    assert data["tables"]["contacts"] == 1
    assert data["tables"]["participants"] == len(HAND_BUILT["participants"]) - 1


def test_quarantine_csv_lists_every_held_back_row(hand_built, wh):
    write_csv(hand_built / "contacts.csv", BAD_CONTACTS)
    _load(hand_built, wh)
    res = runner.invoke(
        app, ["quarantine", "--table", "contacts", "--format", "csv", "--warehouse", str(wh)]
    )
    assert res.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert sorted(int(r["source_row"]) for r in rows) == sorted(EXPECTED_REASONS)
    assert {r["source"] for r in rows} == {"contacts.csv"}


def test_unknown_table_and_empty_warehouse_get_one_sentence(tmp_path):
    def words(output: str) -> str:
        # the sentence holds tmp_path, so where the console wraps it depends on the path's length
        return " ".join(output.split())

    res = runner.invoke(app, ["quarantine", "--table", "nope", "--warehouse", str(tmp_path)])
    assert res.exit_code == 2 and "Unknown table 'nope'" in words(res.output)
    res = runner.invoke(app, ["status", "--warehouse", str(tmp_path)])
    assert res.exit_code == 0 and "holds no data yet" in words(res.output)
    res = runner.invoke(app, ["quarantine", "--warehouse", str(tmp_path)])
    assert res.exit_code == 2 and "connect-impact load" in words(res.output)
