"""Immutable DuckDB snapshots with an atomically switched CURRENT pointer.

Layout of a warehouse folder:
    CURRENT                     the id of the published snapshot (replaced atomically)
    snapshots/<id>.duckdb       one immutable database per successful load
    snapshots/<id>.json         its metadata: content hash, time, parent, batch
    pseudonym.key               the pseudonymisation key (mode 0600, never committed)
    .write.lock                 held by the one load that may write at a time
    .commit.journal             present only while a change of several files is put in place

A load copies the current snapshot to a hidden temporary file, writes there, checkpoints,
closes, renames it into place and only then replaces CURRENT. Readers open a published
file read-only, so they never see a half-built database and never block the writer.

Published snapshots are immutable, with two exceptions. The first is erasure
(`connect-impact purge`, pipelines/purge.py): a person's rows must leave every snapshot that
holds them, so `rewrite` replaces an older snapshot's file by a copy without them, records the
new content hash and a `purged_at` note in its metadata, and leaves everything else in it as it
was. Both a purged snapshot and the one a purge publishes are compacted (copied table by table
into a fresh file): a deleted row's bytes would otherwise linger in the file's free blocks.

The second is re-keying (`connect-impact rekey`, pipelines/rekey.py): every pseudonym in every
snapshot moves to a new key, so every snapshot, the key file and CURRENT change together. Each
changed file is first staged under a hidden name; `commit` then writes a journal naming every
rename and only then renames them into place. The journal is the commit point: a crash before
it leaves everything as it was, and a crash after it is finished by the next writer
(`write_lock` replays the journal before anything else).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.errors import UserError

CURRENT_FILE = "CURRENT"
SNAPSHOT_DIR = "snapshots"
LOCK_FILE = ".write.lock"
JOURNAL_FILE = ".commit.journal"
# the table in which a snapshot records the fingerprint of its pseudonym key (privacy.py)
FINGERPRINT_TABLE = "pseudonym_key"

# a staged file and the file it replaces, as `commit` renames them
Rename = tuple[Path, Path]


class WarehouseError(UserError):
    """The warehouse cannot be used as asked; the message says why in one sentence."""


class WarehouseBusy(WarehouseError):
    """Another load holds the write lock; the message says to wait and try again."""


@dataclass(frozen=True)
class Snapshot:
    """A published snapshot: its id, database file and metadata."""

    id: str
    path: Path
    created_at: str
    content_sha256: str
    parent: str | None
    batch_id: str | None

    def as_dict(self) -> dict[str, str | None]:
        """Return the snapshot's metadata as plain values."""
        return {
            "id": self.id,
            "path": str(self.path),
            "created_at": self.created_at,
            "content_sha256": self.content_sha256,
            "parent": self.parent,
            "batch_id": self.batch_id,
        }


def _snapshots_dir(warehouse: Path) -> Path:
    return warehouse / SNAPSHOT_DIR


def _read_meta(warehouse: Path, snapshot_id: str) -> Snapshot:
    path = _snapshots_dir(warehouse) / f"{snapshot_id}.duckdb"
    meta_path = path.with_suffix(".json")
    if not path.exists() or not meta_path.exists():
        raise WarehouseError(f"Snapshot {snapshot_id} does not exist in {warehouse}.")
    meta = json.loads(meta_path.read_text())
    return Snapshot(
        id=snapshot_id,
        path=path,
        created_at=meta["created_at"],
        content_sha256=meta["content_sha256"],
        parent=meta.get("parent"),
        batch_id=meta.get("batch_id"),
    )


def current(warehouse: Path) -> Snapshot | None:
    """Return the published snapshot that CURRENT points at, or None for an empty warehouse."""
    pointer = warehouse / CURRENT_FILE
    if not pointer.exists():
        return None
    return _read_meta(warehouse, pointer.read_text().strip())


def snapshot(warehouse: Path, snapshot_id: str | None = None) -> Snapshot:
    """Return the named snapshot, or the current one; raise WarehouseError when there is none."""
    if snapshot_id:
        return _read_meta(warehouse, snapshot_id)
    snap = current(warehouse)
    if snap is None:
        raise WarehouseError(
            f"The warehouse {warehouse} holds no data yet: run `connect-impact load PATH` first."
        )
    return snap


def list_snapshots(warehouse: Path) -> list[Snapshot]:
    """Return every published snapshot, oldest first."""
    folder = _snapshots_dir(warehouse)
    if not folder.exists():
        return []
    ids = sorted(p.stem for p in folder.glob("*.duckdb") if not p.name.startswith("."))
    return [_read_meta(warehouse, i) for i in ids if (folder / f"{i}.json").exists()]


def connect_read_only(warehouse: Path, snapshot_id: str | None = None) -> duckdb.DuckDBPyConnection:
    """Return a read-only connection to the named or current snapshot."""
    snap = snapshot(warehouse, snapshot_id)
    return duckdb.connect(str(snap.path), read_only=True)


def recorded_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    """Return the key fingerprint a snapshot records, or None for one made before they were kept."""
    tables = con.execute(
        "select count(*) from information_schema.tables where table_name = ?", [FINGERPRINT_TABLE]
    ).fetchone()[0]
    if not tables:
        return None
    row = con.execute(f"select fingerprint from {FINGERPRINT_TABLE}").fetchone()
    return row[0] if row else None


def new_snapshot_id() -> str:
    """Return a new snapshot id that sorts by creation time."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(2)


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file's bytes, as hex."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _fsync(path: Path) -> None:
    """Flush a file, or a folder's entries, to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sql_path(path: Path) -> str:
    """Return a path as a quoted SQL string literal (ATTACH takes no bound parameters)."""
    return "'" + str(path).replace("'", "''") + "'"


def compact_copy(source: Path, target: Path) -> None:
    """Copy a closed database into a new file holding only its live rows, schema included."""
    target.unlink(missing_ok=True)
    con = duckdb.connect()
    try:
        con.execute(f"attach {_sql_path(source)} as compact_source (read_only)")
        con.execute(f"attach {_sql_path(target)} as compact_target")
        con.execute("copy from database compact_source to compact_target")
        con.execute("checkpoint compact_target")
        con.execute("detach compact_target")
        con.execute("detach compact_source")
    finally:
        con.close()


def _new_meta(
    path: Path,
    parent: Snapshot | None,
    batch_id: str | None,
    notes: Mapping[str, str] | None,
) -> dict[str, object]:
    """Return the metadata of a new snapshot whose database file is at path."""
    return {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "content_sha256": file_sha256(path),
        "parent": parent.id if parent else None,
        "batch_id": batch_id,
        **(notes or {}),
    }


def _write_json(path: Path, data: Mapping[str, object]) -> None:
    """Write a metadata file through a hidden temporary file and an atomic rename."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2))
    try:
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def write_lock(warehouse: Path) -> Iterator[Leftovers]:
    """Hold the warehouse's single-writer lock; fail at once if another load holds it.

    Holding it, nobody else is writing: a change interrupted after its commit point is
    finished, and whatever a writer that died left behind is removed (and yielded, so that
    the caller can say so).
    """
    warehouse.mkdir(parents=True, exist_ok=True)
    with open(warehouse / LOCK_FILE, "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WarehouseBusy(
                f"Another load is writing to {warehouse}; wait for it to finish and try again."
            ) from None
        try:
            finish_commit(warehouse)  # a change interrupted after its commit point
            yield clean_up(warehouse)
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@dataclass(frozen=True)
class Leftovers:
    """The files a writer that died left behind, removed by the next one."""

    names: tuple[str, ...] = ()
    size: int = 0

    def sentence(self) -> str:
        """Return what was removed, in one sentence (empty when nothing was)."""
        if not self.names:
            return ""
        shown = ", ".join(self.names[:5]) + (", ..." if len(self.names) > 5 else "")
        return (
            f"Removed {len(self.names)} file(s) ({self.size / 2**20:,.1f} MiB) left by an "
            f"interrupted load: {shown}."
        )


def _leftover_paths(warehouse: Path) -> list[Path]:
    """Return the files no live writer can own: call only while holding the write lock.

    They are a writer's hidden working files (a snapshot under construction, its WAL, a
    staged copy, a temporary or staged pointer, a temporary journal) and snapshots that were
    never published: a database without its metadata (a crash between the two renames), a
    snapshot newer than CURRENT whose parent is CURRENT (a crash before CURRENT switched; the
    parent check keeps a published snapshot should the clock ever run backwards), or any
    snapshot when there is no CURRENT.
    """
    found = [*warehouse.glob(f".{CURRENT_FILE}.*"), warehouse / f"{JOURNAL_FILE}.tmp"]
    folder = _snapshots_dir(warehouse)
    cur = current(warehouse)
    for path in sorted(folder.iterdir()) if folder.exists() else []:
        if path.name.startswith("."):
            found.append(path)
            continue
        stem = path.name.split(".", 1)[0]
        published = (folder / f"{stem}.duckdb").exists() and (folder / f"{stem}.json").exists()
        if not published or cur is None or (stem > cur.id and _parent(folder, stem) == cur.id):
            found.append(path)
    return [p for p in found if p.exists()]


def _parent(folder: Path, snapshot_id: str) -> str | None:
    """Return the parent a snapshot's metadata names (None when unreadable)."""
    try:
        return json.loads((folder / f"{snapshot_id}.json").read_text()).get("parent")
    except (OSError, ValueError, AttributeError):
        return None


def clean_up(warehouse: Path) -> Leftovers:
    """Remove what a writer that died left behind; the caller holds the write lock."""
    paths = _leftover_paths(warehouse)
    size = 0
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            size += path.stat().st_size
            if path.is_dir():  # DuckDB's spill folder beside a snapshot under construction
                shutil.rmtree(path)
            else:
                path.unlink()
    if paths:
        _fsync(warehouse)
    return Leftovers(tuple(p.name for p in paths), size)


def tidy(warehouse: Path) -> Leftovers | None:
    """Clean up after a dead writer if nobody is writing now; None when a writer is busy."""
    if not warehouse.exists():
        return Leftovers()
    try:
        with write_lock(warehouse) as leftovers:
            return leftovers
    except WarehouseBusy:
        return None


class SnapshotWriter:
    """A snapshot under construction: a private copy of the current one, published on success."""

    def __init__(self, warehouse: Path, snapshot_id: str | None = None) -> None:
        self.warehouse = warehouse
        self.id = snapshot_id or new_snapshot_id()
        self.parent = current(warehouse)
        folder = _snapshots_dir(warehouse)
        folder.mkdir(parents=True, exist_ok=True)
        self.tmp_path = folder / f".{self.id}.duckdb.tmp"
        self.final_path = folder / f"{self.id}.duckdb"
        if self.parent is not None:
            shutil.copyfile(self.parent.path, self.tmp_path)
        self.con: duckdb.DuckDBPyConnection | None = duckdb.connect(str(self.tmp_path))

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """Return the writable connection to the snapshot under construction."""
        if self.con is None:
            raise WarehouseError("This snapshot has already been published or abandoned.")
        return self.con

    def publish(
        self,
        batch_id: str | None = None,
        compact: bool = False,
        notes: Mapping[str, str] | None = None,
    ) -> Snapshot:
        """Checkpoint, close and rename the snapshot into place, then switch CURRENT to it.

        With `compact`, the file is first copied into a fresh one without the bytes of deleted
        rows (a purge needs that); `notes` are added to the snapshot's metadata.
        """
        con = self.connection
        con.execute("checkpoint")
        con.close()
        self.con = None
        meta_path = self.final_path.with_suffix(".json")
        compacted = self.tmp_path.with_name(self.tmp_path.name + ".compact")
        pointer_tmp = self.warehouse / f".{CURRENT_FILE}.tmp"
        try:
            if compact:
                compact_copy(self.tmp_path, compacted)
                os.replace(compacted, self.tmp_path)
            os.replace(self.tmp_path, self.final_path)
            _write_json(meta_path, _new_meta(self.final_path, self.parent, batch_id, notes))
            _fsync(self.final_path.parent)
            # the switch: readers see either the old id or the new one, never a partial file
            with open(pointer_tmp, "w") as fh:
                fh.write(self.id + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(pointer_tmp, self.warehouse / CURRENT_FILE)
        except BaseException:
            # CURRENT was not switched: remove every trace of the unpublished snapshot
            for path in (self.final_path, meta_path, self.tmp_path, compacted, pointer_tmp):
                path.unlink(missing_ok=True)
            raise
        _fsync(self.warehouse)
        return _read_meta(self.warehouse, self.id)

    def abandon(self) -> None:
        """Close and delete the unpublished snapshot; CURRENT is left as it was."""
        if self.con is not None:
            with contextlib.suppress(duckdb.Error):
                self.con.close()
            self.con = None
        for path in (self.tmp_path, self.tmp_path.with_name(self.tmp_path.name + ".wal")):
            path.unlink(missing_ok=True)


def stage_rewrite(
    warehouse: Path,
    snapshot_id: str,
    change: Callable[[duckdb.DuckDBPyConnection], None],
    notes: Mapping[str, str],
    suffix: str,
) -> list[Rename]:
    """Stage a changed, compacted copy of a published snapshot; return the renames to apply.

    The copy and its metadata (new content hash, the notes) are written beside the snapshot
    under hidden names ending in `suffix`; nothing published changes until they are renamed.
    A failure removes whatever was staged.
    """
    snap = _read_meta(warehouse, snapshot_id)
    meta_path = snap.path.with_suffix(".json")
    work = snap.path.with_name(f".{snap.id}.duckdb.{suffix}.work")
    staged = snap.path.with_name(f".{snap.id}.duckdb.{suffix}")
    staged_meta = meta_path.with_name(f".{snap.id}.json.{suffix}")
    try:
        shutil.copyfile(snap.path, work)
        con = duckdb.connect(str(work))
        try:
            change(con)
            con.execute("checkpoint")
        finally:
            con.close()
        compact_copy(work, staged)
        meta = {**json.loads(meta_path.read_text()), **notes}
        meta["content_sha256"] = file_sha256(staged)
        staged_meta.write_text(json.dumps(meta, indent=2))
    except BaseException:
        discard([(staged, snap.path), (staged_meta, meta_path)])
        raise
    finally:
        for path in (work, work.with_name(work.name + ".wal")):
            path.unlink(missing_ok=True)
    return [(staged, snap.path), (staged_meta, meta_path)]


def stage_new_current(
    warehouse: Path, source: Path, notes: Mapping[str, str], suffix: str
) -> tuple[str, list[Rename]]:
    """Stage a new snapshot holding a copy of the file source, and CURRENT pointing at it.

    Return the new snapshot's id and the renames that publish it; its parent is the current
    snapshot.
    """
    parent = current(warehouse)
    new_id = new_snapshot_id()
    final = _snapshots_dir(warehouse) / f"{new_id}.duckdb"
    renames = [
        (final.with_name(f".{final.name}.{suffix}"), final),
        (final.with_name(f".{new_id}.json.{suffix}"), final.with_suffix(".json")),
        (warehouse / f".{CURRENT_FILE}.{suffix}", warehouse / CURRENT_FILE),
    ]
    try:
        shutil.copyfile(source, renames[0][0])
        meta = _new_meta(renames[0][0], parent, None, notes)
        renames[1][0].write_text(json.dumps(meta, indent=2))
        renames[2][0].write_text(new_id + "\n")
    except BaseException:
        discard(renames)
        raise
    return new_id, renames


def discard(renames: list[Rename]) -> None:
    """Delete the staged files of renames that will not be committed."""
    for staged, _ in renames:
        staged.unlink(missing_ok=True)


def commit(warehouse: Path, renames: list[Rename]) -> None:
    """Rename every staged file into place, as one step that a crash cannot leave half done.

    The caller holds `write_lock`; renames are applied in the order given (put CURRENT last).
    """
    for staged, _ in renames:
        _fsync(staged)
    for folder in {staged.parent for staged, _ in renames}:
        _fsync(folder)
    journal = warehouse / JOURNAL_FILE
    tmp = journal.with_name(journal.name + ".tmp")
    entries = [[str(a.relative_to(warehouse)), str(b.relative_to(warehouse))] for a, b in renames]
    with open(tmp, "w") as fh:
        json.dump({"renames": entries}, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, journal)  # the commit point
    _fsync(warehouse)
    finish_commit(warehouse)


def finish_commit(warehouse: Path) -> bool:
    """Apply the renames of a committed journal, if one is left; return whether there was one.

    Renaming is idempotent here: a staged file already renamed is simply gone.
    """
    journal = warehouse / JOURNAL_FILE
    if not journal.exists():
        return False
    entries = json.loads(journal.read_text())["renames"]
    folders = set()
    for staged, final in entries:
        source = warehouse / staged
        if source.exists():
            os.replace(source, warehouse / final)
        folders.add((warehouse / final).parent)
    for folder in folders:
        _fsync(folder)
    journal.unlink()
    _fsync(warehouse)
    return True


def rewrite(
    warehouse: Path,
    snapshot_id: str,
    change: Callable[[duckdb.DuckDBPyConnection], None],
    notes: Mapping[str, str],
) -> Snapshot:
    """Replace a published snapshot's file by a changed, compacted copy; return its new metadata.

    Only erasure does this (see the module docstring); the caller holds `write_lock`. The copy
    is changed and compacted beside the original under hidden names, so a failure before the
    rename leaves the snapshot as it was; its metadata gets the new hash and the notes.
    """
    renames = stage_rewrite(warehouse, snapshot_id, change, notes, "rewrite")
    # an open reader keeps the old file's handle; new readers open the rewritten one
    for staged, final in renames:
        os.replace(staged, final)
    _fsync(renames[0][1].parent)
    return _read_meta(warehouse, snapshot_id)


def prune(warehouse: Path, keep: int) -> list[str]:
    """Delete all but the newest `keep` snapshots (never the current); return the deleted ids."""
    snaps = list_snapshots(warehouse)
    cur = current(warehouse)
    keep_ids = {s.id for s in snaps[-keep:]} if keep > 0 else set()
    if cur is not None:
        keep_ids.add(cur.id)
    deleted = []
    for snap in snaps:
        if snap.id in keep_ids:
            continue
        # an open reader keeps its file handle; unlinking does not disturb it on POSIX
        snap.path.unlink(missing_ok=True)
        snap.path.with_suffix(".json").unlink(missing_ok=True)
        deleted.append(snap.id)
    return deleted
