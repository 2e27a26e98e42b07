"""The dashboard (placeholder page until the dashboard issue) shows the loaded snapshot."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.cli import APP_FILE
from pipelines import warehouse
from pipelines.load import load
from tests.conftest import HAND_BUILT


@pytest.fixture
def loaded(hand_built, wh, monkeypatch):
    monkeypatch.setenv("CONNECT_WAREHOUSE", str(wh))
    load([hand_built], wh, today=dt.date(2024, 6, 30))
    return wh


def test_overview_lists_every_table_with_its_row_count(loaded):
    at = AppTest.from_file(str(APP_FILE), default_timeout=30).run()
    assert not at.exception
    frame = at.dataframe[0].value
    counts = dict(zip(frame["tabel"], frame["rijen"], strict=True))
    for table, rows in HAND_BUILT.items():
        assert counts[table] == len(rows) - 1
    assert counts["match_facts"] == 2
    assert warehouse.current(loaded).id in at.caption[0].value
    assert "synthetische" not in at.caption[0].value  # hand-built data are not labelled demo


def test_empty_warehouse_says_how_to_load(tmp_path, monkeypatch):
    monkeypatch.setenv("CONNECT_WAREHOUSE", str(tmp_path / "empty"))
    at = AppTest.from_file(str(APP_FILE), default_timeout=30).run()
    assert not at.exception
    assert "connect-impact load" in at.info[0].value
