"""The data quality page accounts for every row read, on a clean and on a dirty export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard.i18n import t
from indicators import formatting
from pipelines.generate import GenerationReport, generate
from pipelines.load import load

KEY = "data-quality-test-key-0123456789"


@pytest.fixture(scope="module")
def dirty(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerationReport]:
    """Return a warehouse loaded from a dirty export (seed 3) and the generator's report."""
    root = tmp_path_factory.mktemp("dirty")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CONNECT_PSEUDONYM_KEY", KEY)
        report = generate(root / "raw", scale="S", seed=3, dirty=True)
        load([root / "raw"], root / "warehouse")
    return root / "warehouse", report


@pytest.fixture
def open_dirty(open_page, dirty, monkeypatch):
    """Return a function that opens the data quality page on the dirty warehouse."""
    monkeypatch.setenv("CONNECT_PSEUDONYM_KEY", KEY)
    monkeypatch.setenv("CONNECT_WAREHOUSE", str(dirty[0]))
    return lambda lang, role="steward": _open(open_page, lang, role)


def _open(open_page, lang: str, role: str = "steward"):
    """Open the page (programme staff's) in a language; it must survive the page switch."""
    at = open_page("data_quality", lang=lang, role=role)
    assert at.sidebar.radio[0].value == lang
    return at


def _chart(at) -> tuple[str, dict[str, str]]:
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    bars = spec["data"][0]
    return spec["layout"]["title"]["text"], dict(zip(bars["y"], bars["text"], strict=True))


def _frame(at, lang: str, *columns: str):
    """Return the first table whose columns start with the given ones (None when absent)."""
    names = [t(f"data_quality_col_{c}", lang) for c in columns]
    for frame in at.dataframe:
        if list(frame.value.columns[: len(names)]) == names:
            return frame.value
    return None


def _pairs(frame, lang: str, key: str, value: str) -> dict[str, str]:
    """Return one column of a table by another (e.g. rows by table)."""
    columns = (frame[t(f"data_quality_col_{c}", lang)] for c in (key, value))
    return dict(zip(*columns, strict=True))


def _quarantined(report: GenerationReport) -> dict[str, int]:
    """Return the bad rows the generator injected per table that must end in quarantine."""
    return {
        table: sum(n for cls, n in classes.items() if cls != "exact_duplicate")
        for table, classes in report.bad_rows.items()
    }


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_dirty_load_shows_the_injected_bad_rows(open_dirty, dirty, lang):
    at = open_dirty(lang)
    report = dirty[1]
    expected = _quarantined(report)
    title, bars = _chart(at)
    assert bars == {table: formatting.number(n, lang, 0) for table, n in expected.items()}
    assert formatting.number(sum(expected.values()), lang, 0) in title
    assert formatting.number(sum(report.rows.values()), lang, 0) in title
    # the per-file accounting: quarantined rows per table, and read adds up everywhere
    files = _frame(at, lang, "started_at", "file")
    shown = _pairs(files, lang, "table", "quarantined")
    assert shown == {table: formatting.number(n, lang, 0) for table, n in expected.items()}
    assert set(files[t("data_quality_col_balanced", lang)]) == {"✓"}
    # reasons are counted per table: every table with bad rows has reasons, at least one a row
    reasons = _frame(at, lang, "table", "reason")
    per_table = reasons.groupby(t("data_quality_col_table", lang))[
        t("data_quality_col_rows", lang)
    ].apply(lambda s: sum(int(v.replace(",", "").replace(".", "")) for v in s))
    assert set(per_table.index) == {table for table, n in expected.items() if n}
    assert all(per_table[table] >= expected[table] for table in per_table.index)
    # GX failed at least one check on every table that had bad values
    checks = _frame(at, lang, "table", "passed")
    failed = _pairs(checks, lang, "table", "failed")
    assert all(int(failed[table]) > 0 for table, n in expected.items() if n)


def test_stewards_see_the_rejected_values_per_table(open_dirty, dirty):
    at = open_dirty("en")
    expected = _quarantined(dirty[1])
    values = _frame(at, "en", "source", "source_row")
    assert at.selectbox(key="data_quality_table").value == "activities"
    assert len(values) == expected["activities"]
    assert {"activity_id", "activity_on", "participant_id"} <= set(values.columns)
    at.selectbox(key="data_quality_table").set_value("participants").run()
    values = _frame(at, "en", "source", "source_row")
    assert len(values) == expected["participants"]
    assert {"registered_on", "birth_year"} <= set(values.columns)
    assert t("data_quality_rows_hidden", "en") not in [i.value for i in at.info]


@pytest.mark.parametrize("role", ["viewer", "analyst", "council"])
def test_the_page_is_refused_below_steward(open_page, dirty, monkeypatch, role):
    monkeypatch.setenv("CONNECT_WAREHOUSE", str(dirty[0]))
    at = open_page("data_quality", lang="nl", role=role)
    shown = "viewer" if role == "council" else role  # an unknown role is a viewer
    assert [e.value for e in at.error] == [t("page_not_allowed", "nl", role=shown)]
    assert not at.dataframe and not at.get("plotly_chart")


def test_the_rows_are_refused_to_roles_below_steward(dirty, monkeypatch):
    from dashboard import data
    from pipelines.access import AccessDenied

    monkeypatch.setenv("CONNECT_WAREHOUSE", str(dirty[0]))
    snapshot = data.current_snapshot().id
    with pytest.raises(AccessDenied):
        data.quarantine_rows("analyst", snapshot, "participants")
    assert len(data.quarantine_rows("steward", snapshot, "participants")) > 0


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_clean_load_has_nothing_quarantined(open_page, demo_warehouse, lang):
    at = _open(open_page, lang)
    generated = json.loads((demo_warehouse.parent / "raw" / "_generation.json").read_text())
    rows = generated["rows"]
    # the sentence alone: a chart of zeros (axis ticks -1, -1, 0, 1, 1) said nothing more
    assert not at.get("plotly_chart")
    assert t(
        "data_quality_title_none", lang, read=formatting.number(sum(rows.values()), lang, 0)
    ) in [s.value for s in at.success]
    assert t("data_quality_no_reasons", lang) in [s.value for s in at.success]
    tables = _frame(at, lang, "table", "rows")
    counts = _pairs(tables, lang, "table", "rows")
    assert {table: counts[table] for table in rows} == {
        table: formatting.number(n, lang, 0) for table, n in rows.items()
    }
    checks = _frame(at, lang, "table", "passed")
    assert set(checks[t("data_quality_col_failed", lang)]) == {"0"}
    assert t("data_quality_all_passed", lang) in [s.value for s in at.success]
