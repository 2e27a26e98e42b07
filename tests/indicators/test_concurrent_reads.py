"""Readers computing figures while another process publishes snapshot after snapshot.

Two reader processes compute the registrations in a loop while this process publishes 20
snapshots, each with one participant more. Every read must succeed and see a complete
snapshot: the figure it reports is the one that snapshot was published with.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from pipelines.load import load
from pipelines.settings import PROJECT_ROOT
from tests.conftest import HAND_BUILT, TEST_KEY, write_csv

PUBLISHES = 20
READERS = 2

READER = """
import json, sys, traceback
from pathlib import Path
from indicators import engine

wh, out, stop = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
with open(out, "w") as fh:
    while not stop.exists():
        try:
            frame = engine.compute(["registrations"], "programme", role="analyst", warehouse_dir=wh)
            row = frame.iloc[0]
            fh.write(json.dumps({"snapshot": row["snapshot"], "value": row["value"]}) + "\\n")
        except Exception:
            fh.write(json.dumps({"error": traceback.format_exc()}) + "\\n")
        fh.flush()
"""


def _participants(extra: int) -> list[list[str]]:
    """Return the hand-built participants plus `extra` more registered in 2022."""
    header, *rows = HAND_BUILT["participants"]
    more = [
        [f"C{i:03d}", "2022-03-01", "", "1990", "F", "SY", "21015", "A1", "true", ""]
        for i in range(extra)
    ]
    return [header, *rows, *more]


def test_readers_always_see_a_complete_snapshot_while_twenty_are_published(
    tmp_path: Path, monkeypatch
):
    monkeypatch.setenv("CONNECT_PSEUDONYM_KEY", TEST_KEY)
    export, wh = tmp_path / "export", tmp_path / "wh"
    expected: dict[str, int] = {}
    write_csv(export / "participants.csv", _participants(0))
    expected[load([export], wh).snapshot_id] = 3

    stop = tmp_path / "stop"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "GX_ANALYTICS_ENABLED": "False"}
    outputs = [tmp_path / f"reader{i}.jsonl" for i in range(READERS)]
    readers = [
        subprocess.Popen([sys.executable, "-c", READER, str(wh), str(out), str(stop)], env=env)
        for out in outputs
    ]
    try:
        # wait until every reader has read once, so that the publishes overlap with reading
        while not all(out.exists() and out.stat().st_size for out in outputs):
            assert all(r.poll() is None for r in readers), "a reader stopped early"
            time.sleep(0.1)
        for extra in range(1, PUBLISHES + 1):
            write_csv(export / "participants.csv", _participants(extra))
            result = load([export], wh)
            expected[result.snapshot_id] = 3 + extra
    finally:
        stop.touch()
        for reader in readers:
            reader.wait(timeout=120)

    reads = [json.loads(line) for out in outputs for line in out.read_text().splitlines()]
    errors = [r["error"] for r in reads if "error" in r]
    assert errors == []
    assert len(reads) > PUBLISHES
    # each read reports a published snapshot and that snapshot's own figure
    assert all(expected[r["snapshot"]] == r["value"] for r in reads)
    assert len({r["snapshot"] for r in reads}) > PUBLISHES // 2  # the readers saw them change
