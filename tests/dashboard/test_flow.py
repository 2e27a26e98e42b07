"""The flow-through page: the engine's rates, open cohorts as open, a Sankey checked by hand."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from indicators import catalogue, formatting, periods
from pipelines import warehouse

RATES = ["flow_leisure_6m", "flow_volunteering_6m", "flow_any_6m"]
TILES = [*RATES, "flow_at_anchor_share"]
OPEN = {"nl": "lopend", "en": "open"}


def _open(open_page, lang: str, as_of: date | None = None, role: str = "viewer"):
    at = open_page("flow", lang=lang, role=role)
    assert at.sidebar.radio[0].value == lang
    if as_of is not None:
        # the as-of date is set as a person does it, in the sidebar
        at.sidebar.date_input[0].set_value(as_of).run()
    assert not at.exception, at.exception
    return at


def _titles(at) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def _label(indicator_id: str, lang: str) -> str:
    return catalogue.load().get(indicator_id).label.get(lang)


def _tables(wh) -> tuple[pd.DataFrame, pd.DataFrame]:
    con = warehouse.connect_read_only(wh)
    try:
        matches = con.execute(
            "select match_id, participant_id, matched_on, ended_on from matches"
        ).fetchdf()
        starts = con.execute(
            "select participant_id, referred_on from referrals "
            "where coalesce(status, 'referred') <> 'referred'"
        ).fetchdf()
    finally:
        con.close()
    for column in ("matched_on", "ended_on"):
        matches[column] = pd.to_datetime(matches[column])
    starts["referred_on"] = pd.to_datetime(starts["referred_on"])
    return matches, starts


def _next_step_share_by_hand(wh, label: str, as_of: date) -> float:
    """Return the share of the period's ended duos (window closed) with any flow-through start."""
    period, when = periods.parse(label), pd.Timestamp(as_of)
    matches, starts = _tables(wh)
    ended = matches[
        (matches["ended_on"] >= pd.Timestamp(period.start))
        & (matches["ended_on"] <= pd.Timestamp(period.end))
        & (matches["ended_on"] + pd.DateOffset(months=6) <= when)
    ]
    flowed = 0
    for duo in ended.itertuples():
        mine = starts[starts["participant_id"] == duo.participant_id]["referred_on"]
        window_end = duo.ended_on + pd.DateOffset(months=6)
        flowed += bool(((mine >= duo.matched_on) & (mine <= window_end) & (mine <= when)).any())
    return flowed / len(ended)


def _open_cohorts_by_hand(wh, label: str, as_of: date) -> set[str]:
    """Return the match cohorts with a duo ending (or able to end) in the period, window open."""
    period, when = periods.parse(label), pd.Timestamp(as_of)
    matches, _ = _tables(wh)
    known = matches[matches["matched_on"] <= min(when, pd.Timestamp(period.end))].copy()
    known.loc[known["ended_on"] > when, "ended_on"] = pd.NaT
    running = known["ended_on"].isna()
    ended_in = (known["ended_on"] >= pd.Timestamp(period.start)) & (
        known["ended_on"] <= pd.Timestamp(period.end)
    )
    relevant = known[ended_in | (running & (when < pd.Timestamp(period.end)))]
    still_open = relevant["ended_on"].isna() | (
        relevant["ended_on"] + pd.DateOffset(months=6) > when
    )
    cohort = (
        relevant["matched_on"].dt.year.astype(str)
        + "-Q"
        + relevant["matched_on"].dt.quarter.astype(str)
    )
    return set(cohort[still_open])


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_page_shows_the_engine_figures(open_page, figures, demo_warehouse, lang):
    # an analyst's exact figures, to compare with figures worked out by hand
    at = _open(open_page, lang, role="analyst")
    as_of = at.sidebar.date_input[0].value
    frame = figures(TILES, "programme", role="analyst")
    overall = frame[frame["breakdown"].isna()].set_index("id")
    tiles = {m.label: m.value for m in at.metric}
    for indicator_id in TILES:
        row = overall.loc[indicator_id]
        expected = formatting.value(row["value"], row["unit"], lang, row["suppressed"])
        assert tiles[_label(indicator_id, lang)] == expected

    sankey, cohorts = _titles(at)
    share = _next_step_share_by_hand(demo_warehouse, "programme", as_of)
    assert sankey.startswith(formatting.value(share, "percent", lang))
    for indicator_id in RATES:
        assert formatting.value(overall.loc[indicator_id, "value"], "percent", lang) in cohorts

    # every cohort is closed on this as-of date: the table shows the engine's rates
    by_cohort = figures(RATES, "programme", breakdown="match_cohort", role="analyst")
    table = at.dataframe[0].value.set_index(at.dataframe[0].value.columns[0])
    assert OPEN[lang] not in set(table.iloc[:, 0])
    for row in by_cohort[by_cohort["breakdown"].notna()].itertuples():
        cell = table.loc[row.breakdown_value, _label(row.id, lang)]
        assert cell == formatting.value(row.value, "percent", lang, row.suppressed)

    anchor = overall.loc["flow_at_anchor_share"]
    text = next(
        m.value
        for m in at.markdown
        if formatting.value(anchor["value"], "percent", lang) in m.value
    )
    assert formatting.value(anchor["denominator"], "count", lang) in text


def test_cohorts_whose_window_is_open_are_shown_as_open(open_page, figures, demo_warehouse):
    as_of = date(2022, 9, 30)
    at = _open(open_page, "en", as_of=as_of)
    expected_open = _open_cohorts_by_hand(demo_warehouse, "programme", as_of)
    table = at.dataframe[0].value.set_index("Cohort")
    shown_open = set(table.index[table["Status"] == "open"])
    assert shown_open == expected_open
    # cohorts the engine has no row for yet (every window still open) are open, never 0%
    by_cohort = figures(["flow_any_6m"], "programme", breakdown="match_cohort", as_of=as_of)
    without_row = expected_open - set(by_cohort["breakdown_value"].dropna())
    assert without_row
    for cohort in without_row:
        assert (table.loc[cohort].iloc[1:] == "open").all()
    # at this date no cohort has a rate a viewer may see (open, or hidden): no bars, so the
    # chart's sentence stands alone, above the table of the cohorts
    assert len(_titles(at)) == 1
    sentence = [i.value for i in at.info if f"{len(expected_open)} cohorts still open" in i.value]
    assert len(sentence) == 1 and "<br>" not in sentence[0]  # plain text, no chart markup
    # the overall rate is the engine's for this as-of date
    overall = by_cohort[by_cohort["breakdown"].isna()].iloc[0]
    tiles = {m.label: m.value for m in at.metric}
    assert tiles[_label("flow_any_6m", "en")] == formatting.value(
        overall["value"], "percent", "en", overall["suppressed"]
    )


def test_changing_the_period_changes_the_figures(open_page, figures):
    at = _open(open_page, "nl")
    label = _label("flow_any_6m", "nl")
    before = {m.label: m.value for m in at.metric}[label]
    at.sidebar.selectbox[1].set_value("2022").run()
    assert not at.exception
    after = {m.label: m.value for m in at.metric}[label]
    row = figures(["flow_any_6m"], "2022").iloc[0]
    assert after == formatting.value(row["value"], "percent", "nl", row["suppressed"])
    assert after != before
