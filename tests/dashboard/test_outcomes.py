"""The outcomes page shows the engine's survey changes with their intervals, and the response."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest

from indicators import catalogue, formatting

CHANGES = ["loneliness_change", "dutch_confidence_change", "feel_at_home_change"]
TILES = ["helpful_for_integration_share", "survey_response_rate"]
NO_FIGURE = {"nl": "n.b.", "en": "n/a"}


def _open(open_page, lang: str):
    at = open_page("outcomes", lang=lang)
    assert at.sidebar.radio[0].value == lang  # the language survives the page switch
    return at


def _overall(frame: pd.DataFrame, indicator_id: str) -> pd.Series:
    return frame[(frame["id"] == indicator_id) & frame["breakdown"].isna()].iloc[0]


def _signed(value: float, lang: str, decimals: int) -> str:
    """Return a change as the page must write it: '+0,59', '−0,94' (a real minus sign)."""
    if pd.isna(value):
        return NO_FIGURE[lang]
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return sign + formatting.number(abs(value), lang, decimals)


def _label(indicator_id: str, lang: str) -> str:
    return catalogue.load().get(indicator_id).label.get(lang)


def _numbers(values: list | dict) -> list[float]:
    """Return a plotly data array as floats (plotly writes numpy arrays as base64)."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return [float(v) for v in values]


def _figure(at) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_page_shows_the_engine_figures(open_page, figures, lang):
    at = _open(open_page, lang)
    frame = figures([*CHANGES, *TILES], "programme")
    rows = [_overall(frame, i) for i in CHANGES]
    assert all(not r["suppressed"] and r["n"] >= 5 for r in rows)

    figure = _figure(at)
    title = figure["layout"]["title"]["text"]
    for row in rows:
        assert f" {_signed(row['value'], lang, 1)}" in title
    dots = figure["data"][0]
    assert _numbers(dots["x"]) == pytest.approx([r["value"] for r in rows])
    whiskers = dots["error_x"]
    assert _numbers(whiskers["array"]) == pytest.approx([r["ci_high"] - r["value"] for r in rows])
    assert _numbers(whiskers["arrayminus"]) == pytest.approx(
        [r["value"] - r["ci_low"] for r in rows]
    )
    # green when the interval lies wholly on the better side of zero (loneliness: below zero)
    better = [-1 if r["direction"] == "lower" else 1 for r in rows]
    expected = [
        "#009E73"
        if min(r["ci_low"] * b, r["ci_high"] * b) > 0
        else "#D55E00"
        if max(r["ci_low"] * b, r["ci_high"] * b) < 0
        else "#999999"
        for r, b in zip(rows, better, strict=True)
    ]
    assert dots["marker"]["color"] == expected
    assert rows[0]["direction"] == "lower" and rows[0]["ci_high"] < 0
    assert expected[0] == "#009E73"
    # colour is not the only carrier: a disc for better, a cross for worse, a ring for unclear
    shapes = {"#009E73": "circle", "#D55E00": "x", "#999999": "circle-open"}
    assert dots["marker"]["symbol"] == [shapes[c] for c in expected]

    table = at.dataframe[0].value
    assert table.iloc[:, 0].tolist() == [_label(i, lang) for i in CHANGES]
    assert table.iloc[:, 1].tolist() == [_signed(r["value"], lang, 2) for r in rows]
    word = "tot" if lang == "nl" else "to"
    assert table.iloc[:, 2].tolist() == [
        f"{_signed(r['ci_low'], lang, 2)} {word} {_signed(r['ci_high'], lang, 2)}" for r in rows
    ]
    assert table.iloc[:, 3].tolist() == [formatting.value(r["n"], "count", lang) for r in rows]

    tiles = {m.label: m.value for m in at.metric}
    for indicator_id in TILES:
        row = _overall(frame, indicator_id)
        assert tiles[_label(indicator_id, lang)] == formatting.value(row["value"], "percent", lang)

    response = _overall(frame, "survey_response_rate")
    sentence = next(
        m.value
        for m in at.markdown
        if formatting.value(response["numerator"], "count", lang) in m.value and "(" in m.value
    )
    assert formatting.value(response["denominator"], "count", lang) in sentence
    assert formatting.value(response["value"], "percent", lang) in sentence


def test_changing_the_period_changes_the_figures(open_page, figures):
    at = _open(open_page, "en")
    before = at.dataframe[0].value.iloc[:, 1].tolist()
    at.sidebar.selectbox[1].set_value("2022").run()
    assert not at.exception
    after = at.dataframe[0].value
    frame = figures([*CHANGES, *TILES], "2022")
    rows = [_overall(frame, i) for i in CHANGES]
    assert after.iloc[:, 1].tolist() == [
        NO_FIGURE["en"] if r["suppressed"] else _signed(r["value"], "en", 2) for r in rows
    ]
    assert after.iloc[:, 1].tolist() != before
    tiles = {m.label: m.value for m in at.metric}
    for indicator_id in TILES:
        row = _overall(frame, indicator_id)
        assert tiles[_label(indicator_id, "en")] == formatting.value(
            row["value"], "percent", "en", bool(row["suppressed"])
        )
