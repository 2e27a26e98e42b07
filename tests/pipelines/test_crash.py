"""A load that dies (SIGKILL, or a failure at any step of publishing) leaves the current
snapshot current and intact, and the next load or `status` removes what it left behind."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from dashboard.cli import app
from pipelines import warehouse
from pipelines.load import load, table_counts
from tests.conftest import TEST_KEY

runner = CliRunner()


def _files(wh: Path) -> set[str]:
    """Return every file of the warehouse but the lock, the key and the audit log."""
    skip = {warehouse.LOCK_FILE, "pseudonym.key"}
    return {
        str(p.relative_to(wh))
        for p in wh.rglob("*")
        if p.is_file() and p.name not in skip and "audit" not in p.parts
    }


def _published(wh: Path) -> set[str]:
    """Return the files a clean warehouse holds: CURRENT and each snapshot with its metadata."""
    names = {warehouse.CURRENT_FILE}
    for snap in warehouse.list_snapshots(wh):
        names |= {f"snapshots/{snap.id}.duckdb", f"snapshots/{snap.id}.json"}
    return names


def _intact(wh: Path, snap: warehouse.Snapshot, counts: dict[str, int]) -> None:
    """Assert the snapshot is still current, its bytes unchanged and its tables readable."""
    assert warehouse.current(wh) == snap
    assert warehouse.file_sha256(snap.path) == snap.content_sha256
    con = duckdb.connect(str(snap.path), read_only=True)
    try:
        assert table_counts(con) == counts
    finally:
        con.close()


def _next_month(raw: Path, folder: Path) -> Path:
    """Return a copy of an export whose contacts lost their last row (a new file to load)."""
    shutil.copytree(raw, folder)
    contacts = folder / "contacts.csv"
    lines = contacts.read_text(encoding="utf-8").splitlines(keepends=True)
    contacts.write_text("".join(lines[:-1]), encoding="utf-8")
    return folder


@pytest.fixture
def demo_copy(demo_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Return a private copy of the demo warehouse, with the key it was built with."""
    monkeypatch.setenv("CONNECT_PSEUDONYM_KEY", TEST_KEY)
    wh = tmp_path / "warehouse"
    shutil.copytree(demo_warehouse, wh)
    return wh


def _counts(snap: warehouse.Snapshot) -> dict[str, int]:
    con = duckdb.connect(str(snap.path), read_only=True)
    try:
        return table_counts(con)
    finally:
        con.close()


def test_leftovers_of_every_crash_point_are_removed_by_status_and_said(demo_copy):
    cur = warehouse.current(demo_copy)
    folder = demo_copy / "snapshots"
    later = "99990101T000000000000Z-dead"  # sorts after every real id: never published
    # killed while writing: the snapshot under construction and its WAL
    shutil.copyfile(cur.path, folder / f".{later}.duckdb.tmp")
    (folder / f".{later}.duckdb.tmp.wal").write_bytes(b"\0" * 1000)
    # a crash right after the rename, before the metadata was written
    shutil.copyfile(cur.path, folder / f"{later}.duckdb")
    # a crash just before CURRENT switched: a complete snapshot that was never current
    newer = "99990101T000000000001Z-dead"
    shutil.copyfile(cur.path, folder / f"{newer}.duckdb")
    meta = {**json.loads(cur.path.with_suffix(".json").read_text()), "parent": cur.id}
    (folder / f"{newer}.json").write_text(json.dumps(meta))
    (demo_copy / ".CURRENT.tmp").write_text(newer)
    # a re-keying that died before its commit point: its staged pointer
    (demo_copy / ".CURRENT.rekey").write_text(newer)
    pointers = [demo_copy / ".CURRENT.tmp", demo_copy / ".CURRENT.rekey"]
    left = [p for p in [*folder.iterdir(), *pointers] if cur.id not in p.name]
    size = sum(p.stat().st_size for p in left)
    assert len(left) == 7

    res = runner.invoke(app, ["status", "--warehouse", str(demo_copy)])
    assert res.exit_code == 0, res.output
    said = " ".join(res.stderr.split())
    assert said.startswith(
        f"Removed 7 file(s) ({size / 2**20:,.1f} MiB) left by an interrupted load: "
    )
    assert _files(demo_copy) == _published(demo_copy)
    assert [s.id for s in warehouse.list_snapshots(demo_copy)] == [cur.id]
    _intact(demo_copy, cur, _counts(cur))
    res = runner.invoke(app, ["status", "--warehouse", str(demo_copy)])
    assert "Removed" not in res.stderr  # nothing left to say


@pytest.mark.parametrize("failing_call", [1, 2, 3])
def test_a_failure_at_each_step_of_publishing_leaves_the_current_snapshot(
    demo_copy, demo_warehouse, tmp_path, monkeypatch, failing_call
):
    """publish renames three times: the snapshot into place, its metadata, then CURRENT."""
    cur = warehouse.current(demo_copy)
    counts = _counts(cur)
    export = _next_month(demo_warehouse.parent / "raw", tmp_path / "export")
    real_replace = os.replace
    calls = []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == failing_call:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(warehouse.os, "replace", replace)
    with pytest.raises(OSError, match="No space left"):
        load([export], demo_copy)
    monkeypatch.setattr(warehouse.os, "replace", real_replace)
    _intact(demo_copy, cur, counts)
    assert _files(demo_copy) == _published(demo_copy)  # publish removed its own traces

    result = load([export], demo_copy)
    assert result.snapshot_id is not None and warehouse.current(demo_copy).id != cur.id
    assert _files(demo_copy) == _published(demo_copy)


@pytest.mark.slow
def test_loads_killed_at_several_points_leave_the_current_snapshot_and_no_files(
    demo_copy, demo_warehouse, tmp_path
):
    cur = warehouse.current(demo_copy)
    counts = _counts(cur)
    export = _next_month(demo_warehouse.parent / "raw", tmp_path / "export")
    env = {**os.environ, "CONNECT_PSEUDONYM_KEY": TEST_KEY, "GX_ANALYTICS_ENABLED": "False"}
    cmd = [
        sys.executable,
        "-m",
        "dashboard.cli",
        "load",
        str(export),
        "--warehouse",
        str(demo_copy),
    ]
    killed = 0
    for delay in (1.0, 2.5, 4.0, 6.0):
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait(timeout=60)
        if warehouse.current(demo_copy) != cur:
            break  # this load finished before its kill: later delays are too late
        _intact(demo_copy, cur, counts)
    assert killed >= 2, "the load finished too quickly to be killed twice"
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert _files(demo_copy) == _published(demo_copy)
