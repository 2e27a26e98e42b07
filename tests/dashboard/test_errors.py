"""A page never shows a traceback: a user error is its sentence, a bug an apology."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import streamlit as st

from indicators import engine
from pipelines import settings, warehouse
from pipelines.errors import UserError


def _failing(monkeypatch, error: Exception) -> None:
    def compute(*args, **kwargs):
        raise error

    st.cache_data.clear()  # figures cached by an earlier test would hide the failure
    monkeypatch.setattr(engine, "compute", compute)


def test_a_bug_shows_an_apology_with_a_reference_and_logs_the_traceback(
    open_page, monkeypatch, tmp_path
):
    monkeypatch.setenv(settings.LOG_DIR_ENV, str(tmp_path))
    _failing(monkeypatch, RuntimeError("an internal failure nobody should see"))
    at = open_page("overview", "en")
    assert not at.exception
    [error] = at.error
    reference = re.fullmatch(
        r"Sorry, something went wrong inside connect-impact \(reference ([0-9a-f]{8})\)\. "
        r"This is a bug, not something you did; the details were written to the log\.",
        error.value,
    )
    assert reference, error.value
    log = (tmp_path / settings.LOG_FILE_NAME).read_text(encoding="utf-8")
    assert f"bug {reference[1]}" in log and "an internal failure nobody should see" in log
    st.cache_data.clear()


def test_a_user_error_is_shown_as_its_sentence(open_page, monkeypatch):
    _failing(monkeypatch, UserError("The snapshot 'x' does not exist in this warehouse."))
    at = open_page("trajectory", "nl")
    assert not at.exception
    assert [e.value for e in at.error] == ["The snapshot 'x' does not exist in this warehouse."]
    st.cache_data.clear()


@pytest.mark.parametrize(
    ("page", "params"),
    [
        ("overview", {"period": "0000"}),
        ("overview", {"period": "0001"}),
        ("overview", {"period": "0001-01"}),
        ("trajectory", {"period": "0001"}),
        ("overview", {"as_of": "0001-01-01"}),
    ],
)
def test_an_address_with_an_impossible_period_opens_the_default_instead(
    open_page, demo_warehouse, page, params
):
    # the reproductions of issue 12: each was a traceback
    loaded = date.fromisoformat(warehouse.current(demo_warehouse).created_at[:10])
    whole = settings.programme().programme
    at = open_page(page, "en", role="analyst", **params)
    assert not at.exception and not at.error
    if "period" in params:  # the whole programme instead, written as its dates
        assert at.query_params["period"] == f"{whole.start_on}..{whole.end_on}"
    # the as-of date falls back to the day the snapshot was loaded
    assert at.query_params["as_of"] == loaded.isoformat()
    # a viewer gets the programme preset, as of the last month end before that day
    at = open_page(page, "en", **params)
    assert not at.exception and not at.error
    if "period" in params:
        assert at.query_params["period"] == "programme"
    month_end = loaded.replace(day=1) - timedelta(days=1)
    if loaded.month != (loaded + timedelta(days=1)).month:
        month_end = loaded
    assert at.query_params["as_of"] == month_end.isoformat()
