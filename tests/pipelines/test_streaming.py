"""The streamed CSV load gives exactly what the whole-file load gives, and its set checks in SQL
find exactly the rows and sentences Great Expectations finds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines import expectations, load, privacy, readers, values, warehouse
from pipelines.contract import LOAD_ORDER, TABLES, TABLES_BY_NAME
from pipelines.generate import generate

TODAY = date(2024, 6, 1)
MANIFEST = {
    "quarantine": "select table_name, source, source_row, reasons, row_values::varchar "
    "from quarantine order by all",
    "load_files": "select * exclude (batch_id) from load_files order by all",
    "load_expectations": "select * exclude (batch_id) from load_expectations "
    "order by table_name, source, expectation, column_name",
}


def _snapshot_rows(wh: Path) -> dict[str, list[tuple]]:
    con = warehouse.connect_read_only(wh)
    try:
        queries = dict(MANIFEST)
        for table in TABLES:
            queries[table.name] = f"select * exclude (_batch_id) from {table.name} order by all"
        return {name: con.execute(sql).fetchall() for name, sql in queries.items()}
    finally:
        con.close()


@pytest.fixture(scope="module")
def dirty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a folder with the dirty generated export at scale S (cp1252 and UTF-8 files)."""
    folder = tmp_path_factory.mktemp("dirty")
    generate(folder, scale="S", seed=11, dirty=True)
    return folder


def test_streamed_and_whole_file_loads_store_the_same(dirty, tmp_path, monkeypatch):
    monkeypatch.setenv("CONNECT_PSEUDONYM_KEY", "a-fixed-key-for-this-test-only")
    streamed: list[str] = []
    stage = readers.stage_csv

    def recording(raw, con, name, scratch):
        ok = stage(raw, con, name, scratch)
        if ok:
            streamed.append(raw.table.name)
        return ok

    monkeypatch.setattr(readers, "stage_csv", recording)
    monkeypatch.setattr(readers, "STREAM_MIN_BYTES", 10**12)
    whole = load.load([dirty], tmp_path / "whole", today=TODAY)
    assert streamed == []
    monkeypatch.setattr(readers, "STREAM_MIN_BYTES", 0)
    # small batches: a file's rows are checked over several batches, as at scale L
    monkeypatch.setattr(load, "BATCH_ROWS", 700)
    stream = load.load([dirty], tmp_path / "streamed", today=TODAY)
    # every file went through DuckDB, none fell back; a table whose identical rows are records
    # of their own (finance) is read whole, to number them
    assert streamed == [t for t in LOAD_ORDER if not TABLES_BY_NAME[t].repeats]

    assert stream.accounting().to_dict("records") == whole.accounting().to_dict("records")
    assert stream.warnings == whole.warnings
    assert whole.quarantined > 0
    assert _snapshot_rows(tmp_path / "streamed") == _snapshot_rows(tmp_path / "whole")


@pytest.mark.parametrize("content", [b"a,b\r\n1,2\r\n\r\n3,4\r\n", b"\n\na,b\n1,2\n"])
def test_a_file_the_stream_cannot_number_is_read_whole(tmp_path, content):
    # DuckDB skips blank lines, which would shift every later line number
    path = tmp_path / "organisations.csv"
    path.write_bytes(content.replace(b"a,b", b"organisation_id,name"))
    planned = readers._plan_csv(path)
    con = duckdb.connect()
    assert planned is None or not readers.stage_csv(planned, con, "t", tmp_path / "scratch")


def test_set_checks_in_sql_find_what_gx_finds(dirty, tmp_path, monkeypatch):
    monkeypatch.setenv("CONNECT_PSEUDONYM_KEY", "a-fixed-key-for-this-test-only")
    wh = tmp_path / "wh"
    load.load([dirty], wh, today=TODAY)
    key = privacy.existing_key(wh)
    con = warehouse.connect_read_only(wh)
    compared = 0
    try:
        for path in sorted(dirty.glob("*.csv")):
            raw = readers.read_file(path)[0]
            table = raw.table
            checks = expectations.set_checks(table)
            frame = raw.frame.drop_duplicates(
                subset=[c for c in raw.frame.columns if not c.startswith("_")]
            ).reset_index(drop=True)
            typed = privacy.pseudonymise(values.parse_frame(frame, table).frame, table, key)
            known = {
                column: {
                    r[0]
                    for t in targets
                    for r in con.execute(f"select {TABLES_BY_NAME[t].key[0]} from {t}").fetchall()
                }
                for column, targets in table.references.items()
            }
            checked = expectations.validate(typed, table, known, TODAY)
            by_gx = {
                (pos, f.sentence)
                for pos, findings in checked.reasons.items()
                for f in findings
                # a key's uniqueness, or a reference (an allowed-values check is in-set too)
                if f.expectation.endswith("_unique") or "does not match any row of" in f.sentence
            }
            staged = typed[list(table.column_names)].copy()
            staged["_source_row"] = range(len(staged))
            con.register("staged_frame", staged)
            by_sql = set()
            for check in checks:
                sql = expectations.set_check_sql(check, "staged_frame")
                for (pos,) in con.execute(sql).fetchall():
                    shown = {c: typed.at[pos, c] for c in check.columns}
                    by_sql.add((pos, expectations.set_check_sentence(check, shown, table)))
            con.unregister("staged_frame")
            assert by_sql == by_gx, table.name
            compared += len(by_gx)
    finally:
        con.close()
    assert compared > 0  # the dirty export holds rows that break keys and references


TRICKY = [
    # cp1252: the euro sign and curly quotes are C1 bytes in latin-1; a headerless column with
    # data; a cell of spaces only; a short row; a quoted separator; trailing separators
    (
        "cp1252",
        "deelnemer_id;ingeschreven_op;;geslacht;naam\r\n"
        "D1;01/06/2021;x;V;Zoë\r\n"
        "D2;   ;;M;\u201cJan\u201d\r\n"
        "D3;02/06/2021\r\n"
        '"D;4";03/06/2021;;\u20ac;\r\n'
        ";;;;\r\n"
        "D5;04/06/2021;;V;\r\n",
    ),
    # UTF-8 with a byte order mark, commas, a non-breaking space as a blank cell
    (
        "utf-8-sig",
        "participant_id,registered_on,gender\nP1,2021-06-01,\u00a0\nP2,2021-06-02,F\nP1,2021-06-01,\u00a0\n",
    ),
]


@pytest.mark.parametrize(("encoding", "text"), TRICKY)
def test_a_streamed_file_gives_the_rows_the_whole_file_reader_gives(tmp_path, encoding, text):
    path = tmp_path / "participants.csv"
    path.write_bytes(text.encode(encoding))
    whole = readers.read_file(path)[0]
    planned = readers._plan_csv(path)
    con = duckdb.connect()
    assert readers.stage_csv(planned, con, "t", tmp_path / "scratch")
    assert not (tmp_path / "scratch").exists()
    columns = list(planned.plan.columns.values())
    streamed = con.execute(
        f"select {', '.join(columns)}, {readers.STAGED_LINE} from t "
        f"where {readers.STAGED_ROWS} order by rowid"
    ).fetchall()
    expected = [tuple(None if v is None else v for v in row) for row in whole.frame.values.tolist()]
    assert streamed == expected
    assert planned.rows_read == whole.rows_read
    assert planned.unknown_columns == whole.unknown_columns
    assert planned.dropped_identifiers == whole.dropped_identifiers


def test_progress_counts_the_rows_of_each_table_up_to_its_rows_checked(
    dirty, tmp_path, monkeypatch
):
    monkeypatch.setenv("CONNECT_PSEUDONYM_KEY", "a-fixed-key-for-this-test-only")
    monkeypatch.setattr(readers, "STREAM_MIN_BYTES", 0)
    monkeypatch.setattr(load, "BATCH_ROWS", 1000)
    seen: list[tuple[str, int, int]] = []
    result = load.load(
        [dirty], tmp_path / "wh", today=TODAY, progress=lambda m, d, t: seen.append((m, d, t))
    )
    for table, counts in result.totals().items():
        checked = counts["read"] - counts["duplicates"]
        rows = [(d, t) for m, d, t in seen if m.endswith(f"({table}): rows")]
        # one report per batch of at most 1,000 rows, the last at every row checked
        assert rows[-1] == (checked, checked), table
        assert len(rows) >= max(1, -(-checked // 1000)), table
        assert [d for d, _ in rows] == sorted(d for d, _ in rows), table
