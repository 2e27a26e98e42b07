"""Erasure and retention: participants' rows leave the current snapshot and every older one.

`purge_participants` (the right to erasure) turns raw ids into their pseudonyms with the key
and `purge_ended_before` (retention) picks the participants whose time in the programme ended
before a day (pipelines/sql/retention_due.sql). Either way, under the warehouse's write lock:

1. the rows tied to those participants are found in every snapshot, and the keys of the rows
   others hang on (a match's id: its contacts) are gathered across all of them;
2. a new snapshot is published without them (copy of the current one, rows deleted, marts
   rebuilt, compacted), so CURRENT moves to a snapshot whose figures differ only by them;
3. every older snapshot that holds any of them is rewritten in place (pipelines/warehouse.py:
   erasure is the one exception to immutable snapshots);
4. the audit log gets one line per participant erased (retention: one line in all), naming
   pseudonyms and counts, never a raw id.

A participant's rows, read from the contract rather than from a list of tables: every row
whose participant or respondent column holds their pseudonym (participants, matches, group
activity attendance, referrals, their survey answers), and every row referencing the key of
such a row (the contacts of their matches), in the tables and in the quarantine, whose
`row_values` hold ids as the tables do. Buddies are kept: a buddy is another person.

A purge cannot stop the next export from bringing a person back: they must leave the source
system (and the raw export files) too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from pipelines import audit, marts, parsers, privacy, settings, warehouse
from pipelines.contract import LOAD_ORDER, TABLES_BY_NAME, Table
from pipelines.errors import UserError
from pipelines.stored_ids import QUARANTINE, present_columns, quarantine_value, row_value

SQL_DIR = Path(__file__).resolve().parent / "sql"
# the kinds of pseudonymised column that can hold a participant's pseudonym (a respondent is
# a participant or a buddy, and a buddy's pseudonym never equals a participant's)
PERSON_KINDS = frozenset({"participant", "respondent"})
COMEBACK_WARNING = "Remove them from the source system too, or the next export brings them back."


class PurgeError(UserError):
    """A purge cannot be done as asked; the message says why in one sentence."""


@dataclass(frozen=True)
class PurgeReport:
    """What a purge removed: rows per table of the current snapshot, quarantine, older files."""

    asked: int  # participants named (erasure) or due (retention)
    found: int  # of them, those with any row in any snapshot
    removed: dict[str, int]  # contract table -> rows removed from the current snapshot
    quarantine_removed: int  # quarantined rows removed from the current snapshot
    older_rewritten: int  # older snapshot files rewritten without them
    snapshot_id: str | None  # the snapshot published without them; None when none was needed

    @property
    def found_nothing(self) -> bool:
        """Return whether no snapshot held a row of any participant asked for."""
        return self.found == 0


@dataclass
class _Target:
    """Who is erased: participant pseudonyms, and per table the keys of rows tied to them."""

    people: frozenset[str]
    keys: dict[str, set[str]] = field(default_factory=dict)
    holders: list[str] = field(default_factory=list)  # ids of snapshots holding a row

    def key_count(self) -> int:
        """Return how many keys have been gathered, to tell when gathering is complete."""
        return sum(len(v) for v in self.keys.values())


# --- the rows of a participant, read from the contract --------------------------------------


def _tie(table: Table, present: set[str], value: Callable[[str], str]) -> tuple[str, list[str]]:
    """Return the SQL condition tying a row of table to the people erased, and its parameters.

    The condition is empty when no column of the table can tie a row to them.
    """
    parts: list[str] = []
    params: list[str] = []
    for col in table.columns:
        if col.name not in present:
            continue
        if col.pseudonymise in PERSON_KINDS:
            parts.append(f"{value(col.name)} in (select id from purge_people)")
        for target in table.references.get(col.name, ()):
            parts.append(f"{value(col.name)} in (select id from purge_keys where table_name = ?)")
            params.append(target)
    return " or ".join(parts), params


def _seed(con: duckdb.DuckDBPyConnection, target: _Target) -> None:
    """Put the target's people and keys into temporary tables the conditions read."""
    people = pd.DataFrame({"id": sorted(target.people)}, dtype="string")
    keys = pd.DataFrame(
        [(t, k) for t, values in sorted(target.keys.items()) for k in sorted(values)],
        columns=["table_name", "id"],
        dtype="string",
    )
    for name, frame in (("purge_people", people), ("purge_keys", keys)):
        con.register(f"{name}_df", frame)
        con.execute(f"create or replace temp table {name} as select * from {name}_df")
        con.unregister(f"{name}_df")


def _ties(con: duckdb.DuckDBPyConnection) -> list[tuple[Table, tuple[str, list], tuple[str, list]]]:
    """Return, per contract table in load order, its row and quarantine conditions (may be '')."""
    present = present_columns(con)
    has_quarantine = QUARANTINE in present
    ties = []
    for name in LOAD_ORDER:
        table = TABLES_BY_NAME[name]
        rows = _tie(table, present[name], row_value) if name in present else ("", [])
        quarantined = (
            _tie(table, set(table.column_names), quarantine_value) if has_quarantine else ("", [])
        )
        ties.append((table, rows, quarantined))
    return ties


def _gather(con: duckdb.DuckDBPyConnection, target: _Target) -> bool:
    """Add the keys of rows tied to the target in this snapshot; return whether it holds any."""
    _seed(con, target)
    holds = False
    # load order: a table's references are complete before the rows that reference it
    for table, (row_cond, row_params), (q_cond, q_params) in _ties(con):
        key = table.key[0] if len(table.key) == 1 else None
        if row_cond:
            n = con.execute(f"select count(*) from {table.name} where {row_cond}", row_params)
            holds = holds or n.fetchone()[0] > 0
            if key:
                con.execute(
                    f"insert into purge_keys select distinct ?, {row_value(key)} "
                    f"from {table.name} where ({row_cond}) and {key} is not null",
                    [table.name, *row_params],
                )
        if q_cond:
            where = f"table_name = ? and ({q_cond})"
            n = con.execute(
                f"select count(*) from {QUARANTINE} where {where}", [table.name, *q_params]
            )
            holds = holds or n.fetchone()[0] > 0
            if key:
                con.execute(
                    f"insert into purge_keys select distinct ?, {quarantine_value(key)} "
                    f"from {QUARANTINE} where {where} and {quarantine_value(key)} is not null",
                    [table.name, table.name, *q_params],
                )
    for table_name, key_value in con.execute(
        "select distinct table_name, id from purge_keys"
    ).fetchall():
        target.keys.setdefault(table_name, set()).add(key_value)
    return holds


def _erase(con: duckdb.DuckDBPyConnection, target: _Target) -> dict[str, int]:
    """Delete the target's rows from a writable snapshot; return rows removed per table."""
    _seed(con, target)
    removed: dict[str, int] = {}
    for table, (row_cond, row_params), (q_cond, q_params) in _ties(con):
        if row_cond:
            n = con.execute(f"delete from {table.name} where {row_cond}", row_params).fetchone()[0]
            if n:
                removed[table.name] = n
        if q_cond:
            n = con.execute(
                f"delete from {QUARANTINE} where table_name = ? and ({q_cond})",
                [table.name, *q_params],
            ).fetchone()[0]
            if n:
                removed[QUARANTINE] = removed.get(QUARANTINE, 0) + n
    return removed


def _scan(snaps: list[warehouse.Snapshot], target: _Target) -> None:
    """Gather the target's keys over every snapshot until complete; note which hold any row."""
    while True:
        before = target.key_count()
        holders = []
        for snap in snaps:
            con = duckdb.connect(str(snap.path), read_only=True)
            try:
                if _gather(con, target):
                    holders.append(snap.id)
            finally:
                con.close()
        target.holders = holders
        # a match found in one snapshot ties contacts quarantined in another: go round again
        if target.key_count() == before:
            return


def _union(targets: Iterable[_Target]) -> _Target:
    """Return one target covering every given one."""
    union = _Target(frozenset())
    for t in targets:
        union.people |= t.people
        for table, keys in t.keys.items():
            union.keys.setdefault(table, set()).update(keys)
        union.holders = sorted(set(union.holders) | set(t.holders))
    return union


# --- the purge ------------------------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    """Return 'n word' with an s when n is not one."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _counts_text(removed: dict[str, int], older: int) -> str:
    """Return what was removed, for the audit log: rows, tables, quarantine, older snapshots."""
    rows = {t: n for t, n in removed.items() if t != QUARANTINE}
    return (
        f"{_plural(sum(rows.values()), 'row')} from {_plural(len(rows), 'table')}, "
        f"{_plural(removed.get(QUARANTINE, 0), 'quarantined row')}; "
        f"{_plural(older, 'older snapshot')} rewritten"
    )


def _publish_without(
    wh: Path, targets: list[_Target], stamp: str
) -> tuple[warehouse.Snapshot, list[dict[str, int]]]:
    """Publish a copy of the current snapshot without the targets; return it and their counts."""
    writer = warehouse.SnapshotWriter(wh)
    try:
        counts = [_erase(writer.connection, t) for t in targets]
        marts.build(writer.connection)
        snap = writer.publish(compact=True, notes={"purged_at": stamp})
    except BaseException:
        writer.abandon()
        raise
    return snap, counts


def _rewrite_older(wh: Path, target: _Target, skip: str | None, stamp: str) -> int:
    """Rewrite every snapshot that holds the target, except `skip`; return how many."""

    def change(con: duckdb.DuckDBPyConnection) -> None:
        _erase(con, target)
        marts.build(con)

    rewritten = 0
    for snap in warehouse.list_snapshots(wh):  # after pruning: only those still there
        if snap.id in target.holders and snap.id != skip:
            warehouse.rewrite(wh, snap.id, change, {"purged_at": stamp})
            rewritten += 1
    return rewritten


def _purge(
    wh: Path,
    choose: Callable[[], list[_Target]],
    describe: Callable[[list[_Target], list[dict[str, int]], int], list[str]],
    who: str,
    now: datetime,
) -> PurgeReport:
    """Erase the chosen targets from every snapshot under the write lock, audit it; report."""
    stamp = now.astimezone(UTC).isoformat(timespec="seconds")
    with warehouse.write_lock(wh):
        current = warehouse.snapshot(wh)
        targets = choose()  # under the lock: who is due cannot change before the erasure
        snaps = warehouse.list_snapshots(wh)
        for target in targets:
            _scan(snaps, target)
        found = [t for t in targets if t.holders]
        union = _union(found)
        new_id = None
        counts: list[dict[str, int]] = [{} for _ in found]
        if current.id in union.holders:
            snap, counts = _publish_without(wh, found, stamp)
            new_id = snap.id
            warehouse.prune(wh, settings.programme().warehouse.keep_snapshots)
        older = _rewrite_older(wh, union, new_id, stamp)
        for what in describe(found, counts, older):
            audit.append(wh, who, "purge", what, snapshot=new_id or current.id, at=now)
    removed: dict[str, int] = {}
    for c in counts:
        for table, n in c.items():
            removed[table] = removed.get(table, 0) + n
    return PurgeReport(
        asked=sum(len(t.people) for t in targets),
        found=sum(len(t.people) for t in found),
        removed={t: n for t, n in removed.items() if t != QUARANTINE},
        quarantine_removed=removed.get(QUARANTINE, 0),
        older_rewritten=older,
        snapshot_id=new_id,
    )


def participant_pseudonyms(wh: Path, raw_ids: Iterable[str]) -> list[str]:
    """Return the pseudonyms of raw participant ids, with the key the data was loaded with."""
    key = privacy.verified_key(wh)  # the key the data was loaded with, never a new one
    pseudonyms: list[str] = []
    for raw in raw_ids:
        clean = parsers.parse_text(raw)  # as the load reads an id: stripped
        if not clean:
            raise PurgeError("A participant id is empty; give each id as the export has it.")
        p = privacy.pseudonym(key, "participant", clean)
        if p not in pseudonyms:
            pseudonyms.append(p)
    if not pseudonyms:
        raise PurgeError("No participant id was given; name at least one.")
    return pseudonyms


def purge_participants(
    wh: Path, raw_ids: Iterable[str], who: str, now: datetime | None = None
) -> PurgeReport:
    """Erase participants, named by their raw ids, from every snapshot; return the report.

    The raw ids are turned into pseudonyms with the existing key (a missing key is an error:
    a new one would match nobody) and appear nowhere: not in the report, the log or the audit
    line. Each participant asked for gets one audit line, "no rows found" included.
    """
    pseudonyms = participant_pseudonyms(wh, raw_ids)
    targets = [_Target(frozenset({p})) for p in pseudonyms]

    def describe(found: list[_Target], counts: list[dict[str, int]], older: int) -> list[str]:
        done = {next(iter(t.people)): c for t, c in zip(found, counts, strict=True)}
        return [
            f"participant {p}: " + (_counts_text(done[p], older) if p in done else "no rows found")
            for p in pseudonyms
        ]

    return _purge(wh, lambda: targets, describe, who, now or datetime.now(UTC))


def due(wh: Path, day: date) -> list[str]:
    """Return the pseudonyms of the participants whose time in the programme ended before day.

    Due: none of their matches is still open, and every date of theirs lies before day
    (registration, intake, match start and end, the contacts of their matches, group
    activities, referrals and their status, survey answers); pipelines/sql/retention_due.sql.
    """
    con = warehouse.connect_read_only(wh)
    try:
        sql = (SQL_DIR / "retention_due.sql").read_text()
        return [r[0] for r in con.execute(sql, {"day": day}).fetchall()]
    finally:
        con.close()


def purge_ended_before(wh: Path, day: date, who: str, now: datetime | None = None) -> PurgeReport:
    """Erase every participant whose time in the programme ended before day; return the report.

    Who is due is decided on the current snapshot (see `due`), then erased from every
    snapshot. One audit line records the run, with its counts.
    """
    now = now or datetime.now(UTC)
    if day > now.astimezone(UTC).date():
        raise PurgeError(
            f"The retention day {day.isoformat()} lies in the future; give a day before today."
        )

    def choose() -> list[_Target]:
        people = due(wh, day)
        return [_Target(frozenset(people))] if people else []

    def describe(found: list[_Target], counts: list[dict[str, int]], older: int) -> list[str]:
        text = f"ended before {day.isoformat()}: "
        if not found:
            return [text + "no participant due"]
        people = _plural(len(found[0].people), "participant")
        return [f"{text}{people}, {_counts_text(counts[0], older)}"]

    return _purge(wh, choose, describe, who, now)
