"""What a screen-reader user, a colour-blind reader and a reader of an empty period get.

Every chart is named by its title sentence and has its data in a table beside it; a status is
never told by colour alone; a chart with nothing to draw is its sentence instead; a target
whose deadline passed says met or not met. Expected texts are written out by hand.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from indicators import catalogue, formatting

CHART_PAGES = ("overview", "trajectory", "flow", "organisations", "money", "outcomes")
TINY = "2021-06-01..2021-06-03"  # three days at the programme's start: 5 registrations


def _titles(at) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def _spoken(title: str) -> str:
    """Return a chart title as a screen reader gets it: a line break is a space."""
    return title.replace("<br>(", " (").replace("<br>", " ")


@pytest.mark.parametrize("page", CHART_PAGES)
def test_every_chart_is_named_by_its_title_and_has_its_table_beside_it(open_page, page):
    at = open_page(page, lang="nl")
    charts = at.get("plotly_chart")
    assert charts, page
    for chart, title in zip(charts, _titles(at), strict=True):
        assert "<" not in _spoken(title)
        expected = f"Grafiek: {_spoken(title)}. De cijfers staan in de tabel eronder."
        assert chart.proto.alt == expected
    tables = [e for e in at.expander if e.label == "Cijfers van de grafiek als tabel"]
    assert len(tables) == len(charts)
    assert all(len(e.table) == 1 and len(e.table[0].value) > 0 for e in tables)


def test_a_french_chart_is_named_in_french(open_page):
    at = open_page("money", lang="fr")
    chart, title = at.get("plotly_chart")[0], _titles(at)[0]
    expected = f"Graphique\u00a0: {title}. Les chiffres figurent dans le tableau en dessous."
    assert chart.proto.alt == expected


def _contrast(colour: str) -> float:
    """Return the WCAG contrast ratio of a #rrggbb colour against white."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


BADGE = re.compile(
    r"<span style='color:(#[0-9A-Fa-f]{6});font-weight:600'>"
    r"<span aria-hidden='true'>(.)</span> ([^<]+)</span>$"
)


def test_a_status_is_told_in_words_and_by_symbol_not_by_colour_alone(open_page):
    at = open_page("overview", lang="en")
    badges = [BADGE.search(m.value) for m in at.markdown if "aria-hidden" in m.value]
    assert len(badges) == 6  # one per headline tile
    symbols = {"on track": "✓", "at risk": "⚠", "off track": "✗", "no target": "–"}
    seen = set()
    for badge in badges:
        assert badge, [m.value for m in at.markdown]
        colour, symbol, words = badge.groups()
        # a passed deadline says its result: "145 on 31 January 2022: target not met"
        status = "off track" if words.endswith("target not met") else words
        assert symbols[status] == symbol, words
        assert _contrast(colour) >= 4.5, (colour, words)
        seen.add(status)
    assert {"on track", "off track", "no target"} <= seen  # worked out from the demo data


def test_the_outcome_dots_differ_in_shape_as_well_as_colour(open_page):
    at = open_page("outcomes", lang="en")
    marker = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]["marker"]
    pairs = set(zip(marker["color"], marker["symbol"], strict=True))
    # one shape per colour: a reader who cannot tell the colours apart tells the shapes apart
    assert len({c for c, _ in pairs}) == len({s for _, s in pairs}) == len(pairs)


def test_nothing_to_compare_is_a_sentence_not_empty_axes(open_page):
    at = open_page("outcomes", lang="en", role="analyst", period=TINY)  # a range: analysts only
    assert not at.get("plotly_chart")
    assert [i.value for i in at.info] == [
        "No end questionnaires with an intake to compare in 2021-06-01..2021-06-03"
    ]


def test_income_of_nothing_is_a_sentence_and_the_grant_still_a_chart(open_page):
    at = open_page("money", lang="en", role="analyst", period=TINY)
    infos = [i.value for i in at.info]
    assert infos[0] == (
        "The Commission booked none of its own money in 2021-06-01..2021-06-03; "
        "0 € came from Flanders/AMIF"
    )
    assert "No expenses booked in this period." in infos
    # the grant as decided against nothing booked yet: one bar is there, so it is drawn
    [title] = _titles(at)
    assert title.startswith("0 € of the ") and title.endswith("has been booked (0.0%)")


def test_everything_hidden_is_said_once_with_the_table_of_hidden_counts(open_page, figures):
    # August 2022: 5 registrations, at most 2 in any municipality (worked out from the demo data)
    month = "2022-08"
    exact = figures(["registrations"], month, breakdown="municipality", role="analyst")
    assert exact[exact["breakdown"].isna()].iloc[0]["value"] == 5
    assert exact[exact["breakdown"].notna()]["value"].max() == 2
    at = open_page("organisations", lang="en", period=month)
    keys = [c.key for c in at.get("plotly_chart")]
    assert "chart_municipalities_registrations" not in keys  # no grey map
    infos = [i.value for i in at.info]
    assert (
        infos.count("5 registrations in this period; hidden per municipality to protect people")
        == 1
    )
    [table] = [d.value for d in at.dataframe if "Municipality" in d.value.columns]
    shown = set(table["Registrations"])
    assert "<5" in shown and shown <= {"<5", "0"} and len(table) == 19


def test_hours_hidden_for_every_organisation_are_a_sentence(open_page, figures):
    at = open_page("organisations", lang="en", period="2021-06")
    assert "Hours of contact per organisation are hidden: fewer than 5 duos per organisation" in [
        i.value for i in at.info
    ]
    # 13 of 40 registered in Brussels (21004) that month; a viewer gets 13 rounded to 10 or 15
    viewer = figures(["registrations"], "2021-06", breakdown="municipality")
    shown = viewer.set_index("breakdown_value")["value"]
    assert shown["21004"] in (10, 15) and viewer[viewer["breakdown"].isna()].iloc[0]["value"] == 40
    assert _titles(at) == [f"Most registrations in Brussel / Bruxelles: {shown['21004']:.0f} of 40"]


def test_a_one_row_breakdown_is_a_tile_not_a_chart_of_one_bar(open_page, figures):
    at = open_page("explorer", lang="en", role="analyst", ids="duos_formed")
    at.selectbox(key="explorer_breakdown").set_value("municipality").run()
    at.multiselect(key="explorer_filter_municipality").set_value(["21004"]).run()
    assert not at.exception
    assert not at.get("plotly_chart")
    expected = figures(
        ["duos_formed"],
        "programme",
        breakdown="municipality",
        filters={"municipality": "21004"},
        role="analyst",
    )
    one = expected[expected["breakdown"].notna()]
    assert len(one) == 1 and one.iloc[0]["breakdown_value"] == "21004"
    [tile] = at.metric
    assert tile.label == "Duos formed"
    assert tile.value == formatting.value(one.iloc[0]["value"], "count", "en")


@pytest.fixture
def lower_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lower the duo target to 140, below the 145 formed by its deadline: the target is met."""
    from pipelines import settings

    programme = yaml.safe_load(settings.programme_file().read_text(encoding="utf-8"))
    programme["targets"]["duos_formed"]["value"] = 140
    path = tmp_path / "programme.yaml"
    path.write_text(yaml.safe_dump(programme, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("CONNECT_PROGRAMME", str(path))


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_target_met_by_its_deadline_says_so(open_page, figures, lower_target, lang):
    # an as-of date of its own, so that no figure cached under the real target is reused
    at = open_page("overview", lang=lang, as_of="2023-12-30")
    upto = figures(["duos_formed"], "2021-06-01..2022-01-31", as_of="2022-01-31").iloc[0]
    assert upto["value"] == 145  # worked out from the demo data
    label = catalogue.load().get("duos_formed").label.get(lang)
    expected = {
        "nl": "Doel: 140 tegen 31 januari 2022 · <span style='color:#00755A;font-weight:600'>"
        "<span aria-hidden='true'>✓</span> 145 op 31 januari 2022: doel gehaald</span>",
        "en": "Target: 140 by 31 January 2022 · <span style='color:#00755A;font-weight:600'>"
        "<span aria-hidden='true'>✓</span> 145 on 31 January 2022: target met</span>",
    }[lang]
    assert expected in [m.value for m in at.markdown], label
    [title] = _titles(at)
    assert title.startswith(
        {
            "nl": "145 duo's gevormd tegen 31 januari 2022: het doel van 140 is gehaald",
            "en": "145 duos formed by 31 January 2022: the target of 140 was met",
        }[lang]
    )


def test_a_chart_is_empty_when_every_value_is_hidden_missing_or_zero():
    import numpy as np
    import pandas as pd

    from dashboard import charts

    bars = pd.DataFrame({"what": ["a", "b"], "n": [np.nan, 0.0]})
    assert charts.is_empty(charts.bars(bars, "what", "n", "t", "en"))
    assert not charts.is_empty(charts.bars(bars.assign(n=[np.nan, 3.0]), "what", "n", "t", "en"))
    assert not charts.is_empty(
        charts.bars(bars.assign(n=[2.0, np.nan]), "what", "n", "t", "en", horizontal=True)
    )
    # dots on named rows carry their values along x
    dots = pd.DataFrame(
        {"label": ["x"], "value": [0.4], "ci_low": [0.1], "ci_high": [0.7], "n": [30]}
    ).assign(direction="higher")
    assert not charts.is_empty(charts.intervals(dots, "t", "en"))
    assert charts.is_empty(charts.intervals(dots.iloc[0:0], "t", "en"))
    flows = pd.DataFrame({"outcome": ["completed"], "kind": ["leisure"], "n": [0.0]})
    assert charts.is_empty(charts.sankey(flows, {}, "t", "en"))
    assert not charts.is_empty(charts.sankey(flows.assign(n=[6.0]), {}, "t", "en"))
