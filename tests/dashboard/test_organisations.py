"""The organisations page shows the engine's anchor places, hours per organisation and map."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from indicators import catalogue, formatting
from pipelines import warehouse

TILES = ["anchor_places", "new_anchor_places", "organisations_hosting"]
NIS_CODES = [f"210{i:02d}" for i in range(1, 20)]


def _open(open_page, lang: str):
    at = open_page("organisations", lang=lang)
    assert at.sidebar.radio[0].value == lang  # the language survives the page switch
    return at


def _overall(frame: pd.DataFrame, indicator_id: str) -> pd.Series:
    return frame[(frame["id"] == indicator_id) & frame["breakdown"].isna()].iloc[0]


def _shown(row: pd.Series, unit: str, lang: str) -> str:
    return formatting.value(row["value"], unit, lang, bool(row["suppressed"]))


def _label(indicator_id: str, lang: str) -> str:
    return catalogue.load().get(indicator_id).label.get(lang)


def _titles(at) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def _table(at, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _names(demo_warehouse) -> dict[str, str]:
    snap = warehouse.current(demo_warehouse)
    con = warehouse.connect_read_only(demo_warehouse, snap.id)
    try:
        frame = con.execute("select organisation_id, name from organisations").fetchdf()
    finally:
        con.close()
    return dict(zip(frame["organisation_id"], frame["name"], strict=True))


def _municipalities(frame: pd.DataFrame, indicator_id: str, lang: str) -> list[str]:
    """Return what the page must show per municipality, in NIS order ('0' when no row)."""
    rows = frame[(frame["id"] == indicator_id) & (frame["breakdown"] == "municipality")]
    rows = rows.set_index("breakdown_value")
    return [_shown(rows.loc[nis], "count", lang) if nis in rows.index else "0" for nis in NIS_CODES]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_page_shows_the_engine_figures(open_page, figures, demo_warehouse, lang):
    at = _open(open_page, lang)
    tiles = {m.label: m.value for m in at.metric}
    now = figures(TILES, "programme")
    for indicator_id in TILES:
        assert tiles[_label(indicator_id, lang)] == _shown(
            _overall(now, indicator_id), "count", lang
        )

    anchor_title, top_title, map_title = _titles(at)
    assert _shown(_overall(now, "anchor_places"), "count", lang) in anchor_title
    assert _shown(_overall(now, "new_anchor_places"), "count", lang) in anchor_title

    # the busiest organisation, worked out from the engine's breakdown and the warehouse names
    by_org = figures(["hours_total", "flow_at_anchor_share"], "programme", breakdown="organisation")
    hours = by_org[
        (by_org["id"] == "hours_total")
        & by_org["breakdown"].notna()
        & (by_org["breakdown_value"] != "none")
    ].dropna(subset=["value"])
    hours = hours.sort_values(["value", "breakdown_value"], ascending=[False, True])
    busiest = hours.iloc[0]
    names = _names(demo_warehouse)
    assert names[busiest["breakdown_value"]] in top_title
    assert formatting.value(busiest["value"], "hours", lang) in top_title
    assert _shown(_overall(by_org, "hours_total"), "hours", lang) in top_title

    top = _table(at, "Organisatie-id" if lang == "nl" else "Organisation id")
    assert list(top.iloc[:, 0]) == list(hours["breakdown_value"].head(10))
    starts = by_org[by_org["id"] == "flow_at_anchor_share"].set_index("breakdown_value")
    expected_starts = [
        formatting.value(starts.loc[o, "denominator"], "count", lang, starts.loc[o, "suppressed"])
        if o in starts.index
        else "0"
        for o in top.iloc[:, 0]
    ]
    assert list(top.iloc[:, 4]) == expected_starts

    by_municipality = figures(["registrations"], "programme", breakdown="municipality")
    table = _table(at, _label("registrations", lang))
    assert list(table[_label("registrations", lang)]) == _municipalities(
        by_municipality, "registrations", lang
    )
    assert "<5" in set(table[_label("registrations", lang)])
    assert _shown(_overall(by_municipality, "registrations"), "count", lang) in map_title
    assert any("bmesuere/belgium-topojson, CC0 1.0; Statbel" in c.value for c in at.caption)


def test_switching_to_duos_redraws_the_map(open_page, figures):
    at = _open(open_page, "en")
    before = _titles(at)[-1]
    at.radio(key="organisations_map_measure").set_value("duos_formed").run()
    assert not at.exception
    by_municipality = figures(["duos_formed"], "programme", breakdown="municipality")
    table = _table(at, "Duos formed")
    assert list(table["Duos formed"]) == _municipalities(by_municipality, "duos_formed", "en")
    after = _titles(at)[-1]
    assert after != before
    assert after.startswith("Most duos formed in ")
    assert f"of {_shown(_overall(by_municipality, 'duos_formed'), 'count', 'en')}" in after


def test_changing_the_period_changes_the_figures(open_page, figures):
    at = _open(open_page, "nl")
    before = {m.label: m.value for m in at.metric}
    at.sidebar.selectbox[1].set_value("2021-Q4").run()
    assert not at.exception
    after = {m.label: m.value for m in at.metric}
    quarter = figures(TILES, "2021-Q4")
    for indicator_id in TILES:
        label = _label(indicator_id, "nl")
        assert after[label] == _shown(_overall(quarter, indicator_id), "count", "nl")
    assert after != before
    assert "2021-Q4" in _titles(at)[0]


def test_a_french_page_names_the_municipalities_in_french(open_page, figures):
    import csv

    from pipelines.settings import REFERENCE_DIR

    at = _open(open_page, "fr")
    lang = at.query_params["lang"]
    assert (lang[0] if isinstance(lang, list) else lang) == "fr"  # the URL keeps the language
    assert [h.value for h in at.subheader] == [
        "Où les duos se rencontrent",
        "Où habitent les participants\u00a0?",
    ]
    # the names come straight from the reference table, in NIS order
    with open(REFERENCE_DIR / "brussels_municipalities.csv", encoding="utf-8") as fh:
        french = {row["nis_code"]: row["name_fr"] for row in csv.DictReader(fh)}
    table = _table(at, "Commune")
    assert list(table["Commune"]) == [french[nis] for nis in NIS_CODES]
    assert {"Auderghem", "Woluwe-Saint-Lambert", "Bruxelles"} <= set(table["Commune"])
    assert "Oudergem" not in set(table["Commune"])
    by_municipality = figures(["registrations"], "programme", breakdown="municipality")
    rows = by_municipality[by_municipality["breakdown"] == "municipality"].dropna(subset=["value"])
    rows = rows.set_index("breakdown_value")
    # rounded counts tie more often: the first in NIS order among the largest, as the page does
    in_order = rows.loc[[nis for nis in NIS_CODES if nis in rows.index]]
    top = french[in_order["value"].sort_values(ascending=False, kind="stable").index[0]]
    assert _titles(at)[-1].startswith(f"Le plus à {top}\u00a0: ")
    # hours outside any organisation, written by hand the Belgian French way: 1 234,5 h with
    # narrow no-break spaces (demo data: more than a thousand hours, so the grouping shows)
    by_org = figures(["hours_total"], "programme", breakdown="organisation")
    none = by_org[by_org["breakdown_value"] == "none"]["value"].iloc[0]
    assert none >= 1000
    hours = f"{none:,.1f}".replace(",", "\u202f").replace(".", ",") + "\u202fh"
    assert any(f"{hours} de contact ont eu lieu en dehors" in c.value for c in at.caption)
