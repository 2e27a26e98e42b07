"""`connect-impact indicators` on the demo data: every indicator, with targets and lineage."""

from __future__ import annotations

import json
import re

import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

from dashboard.cli import app
from indicators import catalogue, engine
from pipelines import audit, settings, warehouse
from tests.indicators.test_catalogue import REQUIRED_IDS

runner = CliRunner()
PERIOD = "2021-06-01..2022-01-31"


def _run(*args):
    res = runner.invoke(app, ["indicators", *args])
    return res


def test_json_lists_every_indicator_with_values_targets_and_lineage(demo_warehouse):
    res = _run("--period", PERIOD, "--format", "json", "--warehouse", str(demo_warehouse))
    assert res.exit_code == 0, res.output
    records = json.loads(res.stdout)
    overall = {r["id"]: r for r in records if r["breakdown"] is None and r["category"] is None}
    distributions = {r["id"] for r in records if r["category"] is not None}
    assert set(overall) | distributions == set(REQUIRED_IDS)
    snap = warehouse.current(demo_warehouse)
    for record in records:
        assert record["snapshot"] == snap.id
        assert record["snapshot_sha256"] == snap.content_sha256
        assert record["catalogue_version"] == catalogue.load().version
        assert record["period"] == PERIOD
    duos = overall["duos_formed"]
    assert duos["target"] == 150 and duos["target_deadline"] == "2022-01-31"
    assert duos["status"] in ("on_track", "at_risk", "off_track")
    # the same figures as the engine, percentages as fractions
    frame = engine.compute(period=PERIOD, warehouse_dir=demo_warehouse)
    share = frame[(frame["id"] == "match_rate") & frame["breakdown"].isna()].iloc[0]
    assert overall["match_rate"]["value"] == pytest.approx(share["value"])
    assert 0 < overall["match_rate"]["value"] < 1
    assert all(
        r["value"] is not None for r in overall.values() if not r["suppressed"] and not r["note"]
    )


def test_breakdown_csv_and_xlsx_exports_record_disclosure(demo_warehouse, tmp_path):
    res = _run(
        "--ids",
        "duos_formed",
        "--by",
        "gender",
        "--format",
        "csv",
        "--warehouse",
        str(demo_warehouse),
    )
    assert res.exit_code == 0
    lines = res.stdout.strip().splitlines()
    assert lines[0].startswith("id,version,label")
    assert all(
        "applied (threshold 5, counts rounded to multiples of 5)" in line for line in lines[1:]
    )
    target = tmp_path / "figures.xlsx"
    res = _run(
        "--ids",
        "duos_formed,share_40h",
        "--format",
        "xlsx",
        "--output",
        str(target),
        "--role",
        "analyst",
        "--warehouse",
        str(demo_warehouse),
    )
    assert res.exit_code == 0, res.output
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["indicators", "about"]
    about = {row[0]: row[1] for row in book["about"].iter_rows(min_row=2, values_only=True)}
    assert about["disclosure"] == "not applied (analyst role)"
    assert about["snapshot"] == warehouse.current(demo_warehouse).id
    csv_export, xlsx_export = audit.read(demo_warehouse)[-2:]
    assert (xlsx_export["action"], xlsx_export["snapshot"]) == ("export", about["snapshot"])
    assert xlsx_export["what"] == (
        "indicators duos_formed,share_40h, programme, by nothing, as analyst (xlsx)"
    )
    assert csv_export["what"] == "indicators duos_formed, programme, by gender, as viewer (csv)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ids", "happiness"], "Unknown indicator 'happiness'"),
        (["--period", "2022-13"], "'2022-13' is not a period"),
        (["--by", "shoe_size"], "Unknown breakdown 'shoe_size'"),
        (["--as-of", "yesterday"], "'yesterday' is not a valid as-of date"),
        (["--filter", "gender"], "is not of the form DIMENSION=VALUE"),
        (["--format", "xlsx"], "--format xlsx needs --output FILE"),
    ],
)
def test_user_errors_get_one_sentence_and_exit_2(demo_warehouse, args, message):
    res = _run(*args, "--warehouse", str(demo_warehouse))
    assert res.exit_code == 2
    assert message in res.output and "Traceback" not in res.output


def test_table_output_formats_for_people(demo_warehouse):
    res = _run("--ids", "share_40h", "--lang", "en", "--warehouse", str(demo_warehouse))
    assert res.exit_code == 0
    assert "Duos reaching 40 hours" in res.output and "%" in res.output


def _programme_with_threshold(tmp_path, monkeypatch, threshold: int) -> None:
    data = yaml.safe_load(settings.PROGRAMME_FILE.read_text(encoding="utf-8"))
    path = tmp_path / "programme.yaml"
    path.write_text(yaml.safe_dump({**data, "disclosure": {"min_count": threshold}}))
    monkeypatch.setenv(settings.PROGRAMME_ENV, str(path))


def test_the_table_hides_counts_below_the_programmes_own_threshold(
    demo_warehouse, tmp_path, monkeypatch
):
    args = ("--ids", "duos_formed", "--by", "municipality", "--period", "2022-Q1")
    exact = json.loads(
        _run(
            *args, "--role", "analyst", "--format", "json", "--warehouse", str(demo_warehouse)
        ).stdout
    )
    between = [r for r in exact if r["breakdown"] and 5 <= r["value"] < 10]
    assert between, "the demo data should hold municipalities with 5 to 9 duos that quarter"
    _programme_with_threshold(tmp_path, monkeypatch, 10)
    res = _run(*args, "--warehouse", str(demo_warehouse))
    assert res.exit_code == 0, res.output
    # table lines read │ indicator │ breakdown │ value │ n │ target │ status │
    rows = {
        cells[2]: cells[3]
        for line in res.stdout.splitlines()
        if len(cells := [c.strip() for c in line.split("│")]) > 4 and "=" in cells[2]
    }
    for record in between:
        assert rows[f"municipality={record['breakdown_name']}"] == "<10"
    assert "<5" not in res.stdout
    assert (
        "Disclosure control: applied (threshold 10, counts rounded to multiples of 5)."
        in " ".join(res.stdout.split())
    )


def test_a_bug_is_an_apology_with_a_reference_and_a_logged_traceback(
    demo_warehouse, tmp_path, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("an unexpected internal failure")

    monkeypatch.setattr(engine, "compute", broken)
    monkeypatch.setenv(settings.LOG_DIR_ENV, str(tmp_path / "logs"))
    res = _run("--warehouse", str(demo_warehouse))
    assert res.exit_code == 1
    text = " ".join(res.output.split())
    assert "Traceback" not in text and "unexpected internal failure" not in text
    reference = re.search(r"reference ([0-9a-f]{8})", text)
    assert reference and "this is a bug, not something you did" in text
    log = (tmp_path / "logs" / settings.LOG_FILE_NAME).read_text(encoding="utf-8")
    assert f"bug {reference[1]}" in log
    assert "Traceback" in log and "an unexpected internal failure" in log


def test_a_wrong_settings_file_is_a_user_error(demo_warehouse, tmp_path, monkeypatch):
    path = tmp_path / "programme.yaml"
    path.write_text("programme: {id: x}\n", encoding="utf-8")
    monkeypatch.setenv(settings.PROGRAMME_ENV, str(path))
    res = _run("--ids", "duos_formed", "--warehouse", str(demo_warehouse))
    assert res.exit_code == 2
    assert f"Error: {path}: programme.name: Field required" in " ".join(res.output.split())


def test_municipalities_are_named_in_the_language_with_their_code_kept(demo_warehouse):
    import csv as csv_module
    import io

    from pipelines.settings import REFERENCE_DIR

    with open(REFERENCE_DIR / "brussels_municipalities.csv", encoding="utf-8") as fh:
        places = {r["nis_code"]: r for r in csv_module.DictReader(fh)}
    args = ["--ids", "duos_formed", "--by", "municipality", "--warehouse", str(demo_warehouse)]
    res = _run(*args, "--format", "csv", "--lang", "en")
    assert res.exit_code == 0, res.output
    rows = [r for r in csv_module.DictReader(io.StringIO(res.stdout)) if r["breakdown"]]
    assert sum(r["breakdown_value"] in places for r in rows) >= 10
    for r in rows:
        place = places.get(r["breakdown_value"])
        if place is None:  # a special value (unknown, outside Brussels) keeps its word
            assert r["breakdown_name"] == r["breakdown_value"]
            continue
        nl, fr = place["name_nl"], place["name_fr"]
        assert r["breakdown_name"] == (nl if nl == fr else f"{nl} / {fr}")
    res = _run(*args, "--lang", "nl")
    shown = " ".join(res.stdout.split())
    assert "municipality=Oudergem " in shown and "21002" not in shown
