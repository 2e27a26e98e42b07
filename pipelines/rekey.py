"""Re-keying: every pseudonym in every snapshot moves to a new key, in one step.

A pseudonym is an HMAC of a raw id, and raw ids are never stored, so a stored pseudonym cannot
be turned into its new-key pseudonym from the warehouse alone. `rekey` therefore re-reads the
raw exports the warehouse was loaded from, and for every person id in them computes both
pseudonyms, old key and new (with the load's own parsing and `privacy.pseudonymise`, so they
are exactly what a load makes). That translation is applied to every snapshot:

1. under the write lock, the old key must match the fingerprint the warehouse records;
2. every stored pseudonym (each contract table's pseudonymised columns, the same columns in
   quarantined rows' values, pseudonyms named in their reasons) must have a translation: one
   without it means an export is missing or the old key is wrong, and nothing is changed;
3. each snapshot is staged re-keyed beside itself (pseudonyms, the `_row_key` made from
   them when it is a content hash, marts rebuilt, the new fingerprint, compacted so that no old
   pseudonym lingers in a free block), a new current snapshot is staged from the current one,
   and the new key file too when the key lives in the warehouse;
4. `warehouse.commit` puts every staged file in place as one step; then the audit log gets one
   line (fingerprints and counts, never key material).

Afterwards the stored pseudonyms are exactly those a load under the new key makes, so the old
key can be destroyed: it no longer links a raw id to any row of this warehouse. What a rotation
cannot reach: copies made before it (backups, copied snapshots, downloads), and the
pseudonyms named in audit lines written before it.

Rejected designs, for the record: chaining (new pseudonym = HMAC of the old one under the new
key) needs the old key for every later load, forever; a data key wrapped by an operator key
lets the operator key change, but the pseudonyms stay the same under the data key, which is
what a leak exposes.
"""

from __future__ import annotations

import hmac
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from pipelines import audit, marts, privacy, readers, settings, values, warehouse
from pipelines.contract import LOAD_ORDER, TABLES, TABLES_BY_NAME
from pipelines.errors import UserError
from pipelines.load import row_key_sql, row_key_stored_sql
from pipelines.stored_ids import (
    QUARANTINE,
    present_columns,
    pseudonymised,
    quarantine_value,
    row_value,
)

STAGE = "rekey"  # the suffix of every file staged by a re-keying
NOTHING_CHANGED = "Nothing was changed."
# a pseudonym as `privacy.pseudonym` makes it, standing alone in a sentence
_PSEUDONYM = re.compile(r"(?<![0-9A-Za-z])[PB][0-9a-f]{20}(?![0-9A-Za-z])")
_MAP = "rekey_map"


class RekeyError(UserError):
    """A re-keying cannot be done as asked; the message says why in one sentence."""


@dataclass(frozen=True)
class RekeyReport:
    """What a re-keying changed: rows per table of the current snapshot, and where it left it."""

    changed: dict[str, int]  # contract table -> rows whose pseudonyms changed (current snapshot)
    quarantine_changed: int  # quarantined rows re-keyed in the current snapshot
    older_rekeyed: int  # older snapshots re-keyed in place (those kept after pruning)
    snapshot_id: str  # the new current snapshot
    old_fingerprint: str
    new_fingerprint: str
    key_file: Path | None  # where the new key was written; None when it comes from the env


def new_key_from_file(path: Path) -> bytes:
    """Return the new key held in a file only its owner can read."""
    if not path.is_file():
        raise RekeyError(f"The new key file {path} does not exist.")
    return privacy.read_key_file(path)


def new_key_from_text(text: str) -> bytes:
    """Return the new key given as text (standard input), at least as long as a key must be."""
    key = text.strip()
    if len(key) < privacy.MIN_KEY_CHARS:
        raise RekeyError(
            f"The new key is too short: use at least {privacy.MIN_KEY_CHARS} characters."
        )
    return key.encode("utf-8")


# --- the translation, from the raw exports ---------------------------------------------------


def translation(paths: list[Path], old_key: bytes, new_key: bytes) -> dict[str, str]:
    """Return old pseudonym -> new pseudonym of every person id in the exports."""
    files = readers.discover(paths)
    if not files:
        raise RekeyError(
            "No data files found in "
            + ", ".join(str(p) for p in paths)
            + " (expected the exports the warehouse was loaded from)."
        )
    mapping: dict[str, str] = {}
    for path in files:
        for raw in readers.read_file(path):
            columns = [c for c in pseudonymised(raw.table) if c in raw.frame.columns]
            if not columns:
                continue
            # the role decides whether a respondent is a participant or a buddy
            wanted = [*columns, *(["respondent_role"] if "respondent_role" in raw.frame else [])]
            typed = values.parse_frame(raw.frame[wanted].reset_index(drop=True), raw.table).frame
            old = privacy.pseudonymise(typed, raw.table, old_key)
            new = privacy.pseudonymise(typed, raw.table, new_key)
            for col in columns:
                pairs = pd.DataFrame({"old": old[col], "new": new[col]}).dropna()
                mapping.update(zip(pairs["old"], pairs["new"], strict=True))
    return mapping


def _stored_ids_sql(present: dict[str, set[str]]) -> tuple[str, list[str]]:
    """Return SQL selecting every stored pseudonym of a snapshot as `id`, and its parameters."""
    parts: list[str] = []
    params: list[str] = []
    for table in TABLES:
        for col in pseudonymised(table):
            if col in present.get(table.name, set()):
                parts.append(f"select {row_value(col)} as id from {table.name}")
            if QUARANTINE in present:
                parts.append(
                    f"select {quarantine_value(col)} as id from {QUARANTINE} where table_name = ?"
                )
                params.append(table.name)
    return " union all ".join(parts), params


def _untranslated(path: Path, mapping: pd.DataFrame) -> set[str]:
    """Return the pseudonyms stored in a snapshot file that the translation does not cover."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        stored, params = _stored_ids_sql(present_columns(con))
        if not stored:
            return set()
        con.register(f"{_MAP}_df", mapping)
        rows = con.execute(
            f"select distinct id from ({stored}) where id is not null "
            f"and id not in (select old from {_MAP}_df)",
            params,
        ).fetchall()
        return {r[0] for r in rows}
    finally:
        con.close()


# --- re-keying one snapshot ------------------------------------------------------------------


def _rekey_tables(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Translate the pseudonyms of every contract table; return rows changed per table."""
    present = present_columns(con)
    changed: dict[str, int] = {}
    for name in LOAD_ORDER:
        table = TABLES_BY_NAME[name]
        columns = [c for c in pseudonymised(table) if c in present.get(name, set())]
        if not columns:
            continue
        sets = ", ".join(f"{c} = (select new from {_MAP} where old = {c})" for c in columns)
        holds = " or ".join(f"{c} is not null" for c in columns)
        n = con.execute(f"update {name} set {sets} where {holds}").fetchone()[0]
        if not n:
            continue
        changed[name] = n
        # a row key made from a content hash is computed from the ids: a later load must find
        # these rows again (and an old pseudonym must not be recoverable from a hash of the row)
        row_key = row_key_stored_sql(table, f"({row_key_sql(table, present[name])})")
        # a snapshot made before row keys equal to the key were left null holds them all
        con.execute(f"alter table {name} alter column _row_key drop not null")
        con.execute(f"update {name} set _row_key = {row_key} where {holds}")
    return changed


def _rekey_quarantine(con: duckdb.DuckDBPyConnection, mapping: dict[str, str]) -> int:
    """Translate the pseudonyms in quarantined rows' values and reasons; return rows changed."""
    person = {t.name: pseudonymised(t) for t in TABLES if pseudonymised(t)}
    if QUARANTINE not in present_columns(con) or not person:
        return 0
    marks = ", ".join("?" for _ in person)
    rows = con.execute(
        f"select rowid, table_name, reasons, row_values from {QUARANTINE} "
        f"where table_name in ({marks})",
        list(person),
    ).fetchall()
    updates = []
    for rowid, table_name, reasons, row_values in rows:
        data = json.loads(row_values)
        for col in person[table_name]:
            value = data.get(col)
            if isinstance(value, str) and value.strip() in mapping:
                data[col] = mapping[value.strip()]
        new_values = json.dumps(data, ensure_ascii=False)
        # a reason may quote a value: "participant_id 'P…' does not match any row of …"
        new_reasons = _PSEUDONYM.sub(lambda m: mapping.get(m.group(0), m.group(0)), reasons)
        if new_values != row_values or new_reasons != reasons:
            updates.append((rowid, new_reasons, new_values))
    if updates:
        frame = pd.DataFrame(updates, columns=["rid", "reasons", "row_values"])
        con.register("rekey_quarantine_df", frame)
        con.execute(
            f"update {QUARANTINE} set reasons = f.reasons, row_values = f.row_values "
            f"from rekey_quarantine_df f where {QUARANTINE}.rowid = f.rid"
        )
        con.unregister("rekey_quarantine_df")
    return len(updates)


def _rekey_snapshot(
    con: duckdb.DuckDBPyConnection, mapping: dict[str, str], frame: pd.DataFrame, key: bytes
) -> dict[str, int]:
    """Re-key a writable snapshot to key; return rows changed per table, quarantine included."""
    con.register(f"{_MAP}_df", frame)
    con.execute(f"create or replace temp table {_MAP} as select * from {_MAP}_df")
    con.unregister(f"{_MAP}_df")
    changed = _rekey_tables(con)
    quarantined = _rekey_quarantine(con, mapping)
    if quarantined:
        changed[QUARANTINE] = quarantined
    con.execute(f"drop table {_MAP}")
    marts.build(con)
    privacy.record_fingerprint(con, key)
    return changed


# --- the re-keying ---------------------------------------------------------------------------


def _old_key(wh: Path) -> bytes:
    """Return the key the warehouse was built with, checked against its fingerprint."""
    key = privacy.existing_key(wh)
    try:
        privacy.check_key(wh, key)
    except privacy.KeyMismatch as exc:
        raise RekeyError(
            f"The current key (fingerprint {privacy.shown(exc.given)}) is not the one this "
            f"warehouse was built with (fingerprint {privacy.shown(exc.recorded)}); put the "
            f"original key back in {wh / privacy.KEY_FILE_NAME} or "
            f"{settings.PSEUDONYM_KEY_ENV} to re-key it. {NOTHING_CHANGED}"
        ) from None
    return key


def _stage_key_file(wh: Path, key: bytes) -> warehouse.Rename:
    """Stage the new key file (mode 0600) beside the old one; return its rename."""
    final = wh / privacy.KEY_FILE_NAME
    staged = final.with_name(f".{final.name}.{STAGE}")
    staged.unlink(missing_ok=True)
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key.decode("utf-8"))
    return staged, final


def _plural(n: int, word: str) -> str:
    """Return 'n word' with an s when n is not one."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def rekey(
    wh: Path,
    exports: Iterable[Path],
    new_key: bytes,
    who: str,
    now: datetime | None = None,
) -> RekeyReport:
    """Re-key every snapshot of the warehouse to new_key in one step; return the report.

    `exports` are the raw exports the warehouse was loaded from: every pseudonym stored in any
    snapshot must be found among their ids, or nothing changes. The key file is replaced by
    the new key when the key lives there; with $CONNECT_PSEUDONYM_KEY, the operator sets it.
    """
    now = now or datetime.now(UTC)
    stamp = now.astimezone(UTC).isoformat(timespec="seconds")
    with warehouse.write_lock(wh):
        current = warehouse.snapshot(wh)
        old_key = _old_key(wh)
        if hmac.compare_digest(old_key, new_key):
            raise RekeyError(
                f"The new key is the one the warehouse already uses; give another. "
                f"{NOTHING_CHANGED}"
            )
        mapping = translation(list(exports), old_key, new_key)
        frame = pd.DataFrame({"old": list(mapping), "new": list(mapping.values())}, dtype="string")
        snaps = warehouse.list_snapshots(wh)
        missing: set[str] = set()
        for snap in snaps:
            missing |= _untranslated(snap.path, frame)
        if missing:
            raise RekeyError(
                f"The exports given hold no id for {_plural(len(missing), 'pseudonym')} stored "
                f"in the warehouse, so {'it' if len(missing) == 1 else 'they'} cannot be "
                "re-keyed; give every export the warehouse was loaded from, with the key it was "
                f"loaded with. {NOTHING_CHANGED}"
            )
        changed: dict[str, int] = {}
        renames: list[warehouse.Rename] = []
        notes = {"rekeyed_at": stamp}
        try:
            for snap in snaps:

                def change(con: duckdb.DuckDBPyConnection, snap_id: str = snap.id) -> None:
                    counts = _rekey_snapshot(con, mapping, frame, new_key)
                    if snap_id == current.id:
                        changed.update(counts)

                renames += warehouse.stage_rewrite(wh, snap.id, change, notes, STAGE)
            staged_current = next(staged for staged, final in renames if final == current.path)
            new_id, publish = warehouse.stage_new_current(wh, staged_current, notes, STAGE)
            renames += publish[:-1]
            key_file = None
            if not privacy.key_from_environment():
                key_file = wh / privacy.KEY_FILE_NAME
                renames.append(_stage_key_file(wh, new_key))
            renames += publish[-1:]  # CURRENT last: readers switch once everything is in place
        except BaseException:
            warehouse.discard(renames)
            raise
        warehouse.commit(wh, renames)
        warehouse.prune(wh, settings.programme().warehouse.keep_snapshots)
        older = sum(1 for s in warehouse.list_snapshots(wh) if s.id != new_id)
        report = RekeyReport(
            changed={t: n for t, n in changed.items() if t != QUARANTINE},
            quarantine_changed=changed.get(QUARANTINE, 0),
            older_rekeyed=older,
            snapshot_id=new_id,
            old_fingerprint=privacy.fingerprint(old_key),
            new_fingerprint=privacy.fingerprint(new_key),
            key_file=key_file,
        )
        audit.append(wh, who, "rekey", describe(report), snapshot=new_id, at=now)
    return report


def describe(report: RekeyReport) -> str:
    """Return the audit log's words for a re-keying: fingerprints and counts, no key material."""
    rows = sum(report.changed.values())
    return (
        f"key {privacy.shown(report.old_fingerprint)} replaced by "
        f"{privacy.shown(report.new_fingerprint)}: {_plural(rows, 'row')} from "
        f"{_plural(len(report.changed), 'table')}, "
        f"{_plural(report.quarantine_changed, 'quarantined row')}; "
        f"{_plural(report.older_rekeyed, 'older snapshot')} re-keyed"
    )
