"""The trajectory page shows the engine's figures and a registration funnel worked out by hand."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest

from indicators import catalogue, formatting, periods
from pipelines import warehouse

TILES = [
    "time_to_match_days",
    "time_to_40h_days",
    "meeting_norm_share",
    "completion_rate",
    "early_closure_rate",
]
OTHERS = ["intakes", "duos_formed", "share_40h", "registrations"]


def _open(open_page, lang: str):
    at = open_page("trajectory", lang=lang)
    assert at.sidebar.radio[0].value == lang
    return at


def _charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _titles(at) -> list[str]:
    return [spec["layout"]["title"]["text"] for spec in _charts(at)]


def _values(data: list | dict) -> list:
    """Return a plotly array from the chart's JSON (numbers may come base64-packed)."""
    if isinstance(data, dict):
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"]).tolist()
    return list(data)


def _overall(frame: pd.DataFrame, indicator_id: str) -> pd.Series:
    return frame[(frame["id"] == indicator_id) & frame["breakdown"].isna()].iloc[0]


def _funnel_by_hand(wh, label: str) -> list[int]:
    """Count registered / intake / matched / 40 h / completed with 40 h straight from the tables."""
    period = periods.parse(label)
    con = warehouse.connect_read_only(wh)
    try:
        people = con.execute("select participant_id, registered_on, intake_on from participants")
        people = people.fetchdf()
        duos = con.execute(
            "select participant_id, end_reason, reached_40h_on from match_facts"
        ).fetchdf()
    finally:
        con.close()
    registered_on = pd.to_datetime(people["registered_on"]).dt.date
    cohort = people[(registered_on >= period.start) & (registered_on <= period.end)]
    intake = cohort[cohort["intake_on"].notna()]
    matched = intake[intake["participant_id"].isin(duos["participant_id"])]
    reached = duos[duos["reached_40h_on"].notna()]
    with_40h = matched[matched["participant_id"].isin(reached["participant_id"])]
    done = reached[reached["end_reason"] == "completed"]
    completed = with_40h[with_40h["participant_id"].isin(done["participant_id"])]
    return [len(cohort), len(intake), len(matched), len(with_40h), len(completed)]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_page_shows_the_engine_figures(open_page, figures, demo_warehouse, lang):
    at = _open(open_page, lang)
    frame = figures(TILES + OTHERS + ["end_reasons"], "programme")
    tiles = {m.label: m.value for m in at.metric}
    for indicator_id in TILES:
        row = _overall(frame, indicator_id)
        label = catalogue.load().get(indicator_id).label.get(lang)
        assert tiles[label] == formatting.value(row["value"], row["unit"], lang, row["suppressed"])

    titles = _titles(at)
    assert len(titles) == 4
    funnel, km, meetings, ends = titles
    # the funnel: the registration cohort, counted by hand from the tables
    counts = _funnel_by_hand(demo_warehouse, "programme")
    assert counts[0] == _overall(frame, "registrations")["value"]
    assert formatting.value(counts[0], "count", lang) in funnel
    assert formatting.value(counts[-1], "count", lang) in funnel
    assert formatting.value(counts[-1] / counts[0], "percent", lang) in funnel
    table = at.dataframe[0].value
    assert table.iloc[:, 1].tolist() == [formatting.value(n, "count", lang) for n in counts]
    # the other charts state the engine's figures in their titles
    median = _overall(frame, "time_to_40h_days")["value"]
    assert f" {formatting.number(median, lang, 0)} " in km
    norm = _overall(frame, "meeting_norm_share")
    assert formatting.value(norm["value"], "percent", lang) in meetings
    for indicator_id in ("completion_rate", "early_closure_rate"):
        assert formatting.value(_overall(frame, indicator_id)["value"], "percent", lang) in ends
    # the events in the period, by their own dates
    ended = _overall(frame, "share_40h")
    events = next(
        c.value for c in at.caption if formatting.value(ended["n"], "count", lang) in c.value
    )
    for value in (
        _overall(frame, "intakes")["value"],
        _overall(frame, "duos_formed")["value"],
        ended["numerator"],
    ):
        assert formatting.value(value, "count", lang) in events


def test_the_charts_agree_with_the_engine(open_page, figures):
    at = _open(open_page, "en")
    frame = figures(["meeting_norm_share", "end_reasons"], "programme")
    _, _, meetings, ends = _charts(at)
    # the duo-months at or above the norm (2, 3, 4+) are the engine's numerator
    below, meets = meetings["data"]
    norm = _overall(frame, "meeting_norm_share")
    assert _values(meets["x"]) == ["2", "3", "4+"]
    assert sum(_values(meets["y"])) == norm["numerator"]
    assert sum(_values(below["y"])) + sum(_values(meets["y"])) == norm["denominator"]
    # one bar per end reason, labelled in English, with the engine's share and count
    reasons = frame[frame["id"] == "end_reasons"].set_index("category")
    bars = dict(zip(_values(ends["data"][0]["y"]), _values(ends["data"][0]["text"]), strict=True))
    assert len(bars) == len(reasons)
    completed = reasons.loc["completed"]
    expected = (
        f"{formatting.value(completed['value'], 'percent', 'en')} ({completed['numerator']:.0f})"
    )
    assert bars["Trajectory completed"] == expected


def test_changing_the_period_changes_the_figures(open_page, figures, demo_warehouse):
    at = _open(open_page, "nl")
    before = _titles(at)[0]
    at.sidebar.selectbox[1].set_value("2021-Q3").run()
    assert not at.exception
    after = _titles(at)[0]
    counts = _funnel_by_hand(demo_warehouse, "2021-Q3")
    assert after != before
    assert formatting.value(counts[0], "count", "nl") in after
    assert formatting.value(counts[-1] / counts[0], "percent", "nl") in after
    frame = figures(["completion_rate"], "2021-Q3")
    label = catalogue.load().get("completion_rate").label.nl
    tiles = {m.label: m.value for m in at.metric}
    assert tiles[label] == formatting.value(_overall(frame, "completion_rate")["value"], "percent")
