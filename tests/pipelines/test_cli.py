"""The status and quarantine commands report what the load stored."""

from __future__ import annotations

import csv
import io
import json

from typer.testing import CliRunner

from dashboard.cli import app
from pipelines import audit, warehouse
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
    recorded = audit.read(wh)[-1]
    assert (recorded["action"], recorded["what"]) == ("export", "quarantine rows contacts (csv)")


def _words(text: str) -> str:
    """Return output with every run of white space as one space: wrapping does not matter."""
    return " ".join(text.split())


def test_unknown_table_and_empty_warehouse_get_one_sentence(tmp_path):
    # a deep folder: the sentence must not depend on the path's length or the terminal's width
    deep = tmp_path.joinpath(*(["a-rather-long-folder-name"] * 8))
    res = runner.invoke(app, ["quarantine", "--table", "nope", "--warehouse", str(deep)])
    assert res.exit_code == 2 and "Unknown table 'nope'" in _words(res.output)
    res = runner.invoke(app, ["status", "--warehouse", str(deep)])
    assert res.exit_code == 0 and "holds no data yet" in _words(res.output)
    res = runner.invoke(app, ["quarantine", "--warehouse", str(deep)])
    assert res.exit_code == 2
    assert _words(res.output) == (
        f"Error: The warehouse {deep} holds no data yet: run `connect-impact load PATH` first."
    )
