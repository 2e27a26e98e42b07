"""Snapshots: atomic publish, intact previous snapshot on failure, readers never blocked."""

from __future__ import annotations

import hashlib
import json

import duckdb
import pytest

from pipelines import warehouse


def _publish(wh, value: int) -> warehouse.Snapshot:
    writer = warehouse.SnapshotWriter(wh)
    con = writer.connection
    con.execute("create table if not exists t (v integer)")
    con.execute("delete from t")
    con.execute("insert into t values (?)", [value])
    return writer.publish(batch_id=f"b{value}")


def test_empty_warehouse_has_no_current_and_says_how_to_fill_it(tmp_path):
    assert warehouse.current(tmp_path) is None
    with pytest.raises(warehouse.WarehouseError, match="connect-impact load"):
        warehouse.connect_read_only(tmp_path)


def test_publish_switches_current_and_records_the_content_hash(tmp_path):
    first = _publish(tmp_path, 1)
    second = _publish(tmp_path, 2)
    assert (tmp_path / "CURRENT").read_text().strip() == second.id
    assert second.parent == first.id
    assert second.content_sha256 == hashlib.sha256(second.path.read_bytes()).hexdigest()
    meta = json.loads(second.path.with_suffix(".json").read_text())
    assert meta["batch_id"] == "b2"
    con = warehouse.connect_read_only(tmp_path)
    assert con.execute("select v from t").fetchall() == [(2,)]
    con.close()
    # the first snapshot is immutable and still holds its own value
    con = warehouse.connect_read_only(tmp_path, first.id)
    assert con.execute("select v from t").fetchall() == [(1,)]
    con.close()


def test_failure_mid_publish_leaves_previous_snapshot_current_and_intact(tmp_path, monkeypatch):
    first = _publish(tmp_path, 1)
    before = first.path.read_bytes()

    def boom(_path):
        raise OSError("disk full (injected)")

    monkeypatch.setattr(warehouse, "file_sha256", boom)
    with pytest.raises(OSError, match="injected"):
        _publish(tmp_path, 2)
    assert warehouse.current(tmp_path).id == first.id
    assert first.path.read_bytes() == before
    assert [s.id for s in warehouse.list_snapshots(tmp_path)] == [first.id]
    leftovers = sorted(p.name for p in (tmp_path / "snapshots").iterdir())
    assert leftovers == [f"{first.id}.duckdb", f"{first.id}.json"]


def test_reader_keeps_its_snapshot_while_a_new_one_publishes(tmp_path):
    first = _publish(tmp_path, 1)
    reader = warehouse.connect_read_only(tmp_path)
    assert reader.execute("select v from t").fetchall() == [(1,)]
    second = _publish(tmp_path, 2)  # not blocked by the open reader
    assert reader.execute("select v from t").fetchall() == [(1,)]
    reader.close()
    assert warehouse.current(tmp_path).id == second.id != first.id


def test_prune_keeps_the_newest_and_the_current(tmp_path):
    ids = [_publish(tmp_path, i).id for i in range(4)]
    deleted = warehouse.prune(tmp_path, keep=2)
    assert deleted == ids[:2]
    assert [s.id for s in warehouse.list_snapshots(tmp_path)] == ids[2:]


def test_only_one_writer_at_a_time(tmp_path):
    with warehouse.write_lock(tmp_path):
        with pytest.raises(warehouse.WarehouseError, match="Another load"):
            with warehouse.write_lock(tmp_path):
                pass


def test_abandon_removes_the_unpublished_file(tmp_path):
    _publish(tmp_path, 1)
    writer = warehouse.SnapshotWriter(tmp_path)
    writer.connection.execute("insert into t values (9)")
    writer.abandon()
    assert not writer.tmp_path.exists()
    con = duckdb.connect(str(warehouse.current(tmp_path).path), read_only=True)
    assert con.execute("select v from t").fetchall() == [(1,)]
    con.close()


def _schema(path) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        columns = con.execute(
            "select table_name, column_name, data_type, is_nullable "
            "from information_schema.columns order by all"
        ).fetchall()
        constraints = con.execute(
            "select table_name, constraint_type, constraint_column_names "
            "from duckdb_constraints() order by all"
        ).fetchall()
        return columns + constraints
    finally:
        con.close()


def test_compact_copy_keeps_the_schema_and_only_the_live_rows(tmp_path):
    source, target = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    con = duckdb.connect(str(source))
    con.execute("create table t (id varchar primary key, n integer not null, j json)")
    con.execute(
        "insert into t select 'id-' || md5(i::varchar), i, json_object('k', md5(i::varchar)) "
        "from range(3000) r(i)"
    )
    con.execute("checkpoint")
    gone = "id-" + hashlib.md5(b"17").hexdigest()
    con.execute("delete from t where id = ?", [gone])
    con.execute("checkpoint")
    con.close()
    # a deleted row's bytes stay behind in the file it was deleted from
    assert gone.encode() in source.read_bytes()
    warehouse.compact_copy(source, target)
    assert gone.encode() not in target.read_bytes()
    assert _schema(target) == _schema(source)
    con = duckdb.connect(str(target), read_only=True)
    assert con.execute("select count(*), sum(n) from t").fetchone() == (2999, 3000 * 2999 // 2 - 17)
    con.close()


def test_rewrite_replaces_a_published_snapshot_and_its_hash_only(tmp_path):
    first = _publish(tmp_path, 1)
    second = _publish(tmp_path, 2)
    meta_before = json.loads(first.path.with_suffix(".json").read_text())
    rewritten = warehouse.rewrite(
        tmp_path,
        first.id,
        lambda con: con.execute("update t set v = 10"),
        {"purged_at": "2026-03-02T09:00:00+00:00"},
    )
    con = warehouse.connect_read_only(tmp_path, first.id)
    assert con.execute("select v from t").fetchall() == [(10,)]
    con.close()
    meta = json.loads(first.path.with_suffix(".json").read_text())
    assert meta == {
        **meta_before,
        "content_sha256": hashlib.sha256(first.path.read_bytes()).hexdigest(),
        "purged_at": "2026-03-02T09:00:00+00:00",
    }
    assert rewritten.content_sha256 == meta["content_sha256"] != first.content_sha256
    assert warehouse.current(tmp_path).id == second.id
    assert sorted(p.name for p in (tmp_path / "snapshots").iterdir()) == sorted(
        f"{s.id}.{ext}" for s in (first, second) for ext in ("duckdb", "json")
    )


def test_a_rewrite_that_fails_leaves_the_snapshot_as_it_was(tmp_path):
    first = _publish(tmp_path, 1)
    files = {p.name: p.read_bytes() for p in (tmp_path / "snapshots").iterdir()}

    def boom(con):
        con.execute("delete from t")
        raise OSError("disk full (injected)")

    with pytest.raises(OSError, match="injected"):
        warehouse.rewrite(tmp_path, first.id, boom, {"purged_at": "now"})
    assert {p.name: p.read_bytes() for p in (tmp_path / "snapshots").iterdir()} == files
