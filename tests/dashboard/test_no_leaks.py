"""No identifier leaves the load: a scan of every place a person's data could end up.

A dirty generated export (Dutch headers, names and e-mail addresses beside the ids, bad rows)
and the reproduction of issue 12 (a ';' file whose one row uses ',') are loaded, then every
place the product writes is scanned for the raw ids, names and e-mail addresses of the export,
and for the pseudonymisation key: every table of every snapshot (the quarantine included), the
logs, the audit log, the command line's exports (indicators as CSV and Excel, the quarantine as
CSV and as a table), an answer document, and the data-quality page a steward sees.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import docx
import openpyxl
import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from dashboard.cli import APP_FILE, app
from pipelines import warehouse
from pipelines.generate import generate
from tests.conftest import TEST_KEY, write_csv

runner = CliRunner()
ID_COLUMNS = ("deelnemer", "buddy", "respondent")  # the generator's Dutch headers of person ids
PEOPLE_FILES = ("deelnemers", "vrijwilligers")  # the files with names and e-mail addresses
SPLIT_ROW = ["2021-06-02,D99902,Marie D'Hondt,marie.dhondt@example.be,F"]
REPRODUCTION = [
    ["registered_on", "participant_id", "naam", "email", "gender"],
    ["2021-06-01", "D99901", "Jan Peeters", "jan.peeters@example.be", "M"],
    SPLIT_ROW,
]


def _identifiers(raw: Path) -> set[str]:
    """Return the raw ids, names and e-mail addresses in the export's CSV files."""
    found = {"D99901", "D99902", "Jan Peeters", "Marie D'Hondt", "marie.dhondt@example.be"}
    found.add("jan.peeters@example.be")
    for path in raw.glob("*.csv"):
        text = path.read_text(encoding="utf-8-sig", errors="replace")
        reader = csv.DictReader(io.StringIO(text), delimiter=";")
        for row in reader:
            for header, value in row.items():
                if not header or not value:
                    continue
                name = header.strip().lower()
                personal = name in ("naam", "email") and path.stem in PEOPLE_FILES
                if personal or any(name.startswith(i) for i in ID_COLUMNS):
                    if len(value.strip()) >= 5:  # shorter values match by chance
                        found.add(value.strip())
    return found


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> tuple[Path, Path, set[str]]:
    root = tmp_path_factory.mktemp("leaks")
    raw = root / "raw"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CONNECT_PSEUDONYM_KEY", TEST_KEY)
        generate(raw, scale="S", seed=7, dirty=True)
        # beside the generated files, so that the load still counts as synthetic (demo mode)
        write_csv(raw / "participants_extra.csv", REPRODUCTION, delimiter=";")
        wh = root / "wh"
        res = runner.invoke(app, ["load", str(raw), "--warehouse", str(wh)])
        assert res.exit_code == 0, res.output
    return root, wh, _identifiers(raw)


def _leaks(text: str, secrets: set[str]) -> list[str]:
    return sorted(s for s in secrets if s in text)


def _snapshot_text(path: Path) -> str:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        parts = []
        columns = con.execute(
            "select table_name, column_name from information_schema.columns "
            "where data_type in ('VARCHAR', 'JSON')"
        ).fetchall()
        for table, column in columns:
            values = con.execute(f'select "{column}" from "{table}"').fetchall()
            parts += [str(v[0]) for v in values if v[0] is not None]
        return "\n".join(parts)
    finally:
        con.close()


def test_the_identifiers_are_known_to_the_scan(loaded):
    _, _, secrets = loaded
    assert any("@" in s for s in secrets) and any(s.startswith("D") for s in secrets)
    assert len(secrets) > 100


def test_no_snapshot_holds_an_identifier_or_the_key(loaded):
    _, wh, secrets = loaded
    snaps = list((wh / "snapshots").glob("*.duckdb"))
    assert len(snaps) == 1
    for path in snaps:
        assert _leaks(_snapshot_text(path), secrets | {TEST_KEY}) == []


def test_the_split_row_is_quarantined_with_a_reason_and_no_values(loaded):
    _, wh, _ = loaded
    con = warehouse.connect_read_only(wh)
    row = con.execute(
        "select reasons, row_values from quarantine where source = 'participants_extra.csv'"
    ).fetchall()
    con.close()
    assert len(row) == 1
    reasons, values = row[0]
    assert "could not be split into its 5 columns: it is separated by ','" in reasons
    assert values in ("{}", {})


@pytest.fixture(scope="module")
def exported(loaded) -> str:
    """Return the text of every export the command line makes of the loaded warehouse."""
    root, wh, _ = loaded
    outputs = []
    for args in (
        ["quarantine", "--format", "csv"],
        ["quarantine"],
        ["indicators", "--by", "gender", "--role", "analyst", "--format", "csv"],
        ["status"],
    ):
        res = runner.invoke(app, [*args, "--warehouse", str(wh)])
        assert res.exit_code == 0, res.output
        outputs.append(res.output)
    book_path = root / "figures.xlsx"
    args = ["indicators", "--role", "analyst", "--format", "xlsx", "--output", str(book_path)]
    res = runner.invoke(app, [*args, "--warehouse", str(wh)])
    assert res.exit_code == 0, res.output
    book = openpyxl.load_workbook(book_path)
    for sheet in book.worksheets:
        outputs += [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v]
    question = root / "vraag.txt"
    question.write_text("Hoeveel duo's werden gevormd en hoeveel uur?", encoding="utf-8")
    for suffix in ("md", "docx"):
        out = root / f"antwoord.{suffix}"
        args = ["answer", "--from-text", str(question), "--out", str(out), "--warehouse", str(wh)]
        res = runner.invoke(app, args)
        assert res.exit_code == 0, res.output
        if suffix == "md":
            outputs.append(out.read_text(encoding="utf-8"))
        else:
            outputs += [p.text for p in docx.Document(str(out)).paragraphs]
    return "\n".join(outputs)


def test_no_export_holds_an_identifier(loaded, exported):
    _, _, secrets = loaded
    assert "could not be split" in exported  # the quarantine export has the row, not its values
    assert _leaks(exported, secrets | {TEST_KEY}) == []


def test_no_log_or_audit_line_holds_an_identifier_or_the_key(loaded, exported):
    import os

    _, wh, secrets = loaded
    texts = [p.read_text(errors="replace") for p in wh.rglob("*.log") if p.is_file()]
    texts += [p.read_text(errors="replace") for p in wh.rglob("*.jsonl") if p.is_file()]
    log_dir = Path(os.environ["CONNECT_LOG_DIR"])
    texts += [p.read_text(errors="replace") for p in log_dir.rglob("*") if p.is_file()]
    assert texts, "the exports are written to the audit log at least"
    assert _leaks("\n".join(texts), secrets | {TEST_KEY}) == []


def test_the_data_quality_page_shows_no_identifier_to_a_steward(loaded, monkeypatch):
    _, wh, secrets = loaded
    monkeypatch.setenv("CONNECT_WAREHOUSE", str(wh))
    monkeypatch.setenv("CONNECT_ROLE", "steward")
    at = AppTest.from_file(str(APP_FILE), default_timeout=120)
    at.run()
    at.switch_page("screens/data_quality.py").run()
    assert not at.exception
    shown = [str(e.value) for kind in ("markdown", "caption", "text") for e in at.get(kind)]
    shown += [df.value.to_csv() for df in at.dataframe]
    assert _leaks("\n".join(shown), secrets) == []
    assert re.search(r"could not be split", "\n".join(shown))
