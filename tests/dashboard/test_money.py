"""The money page answers "does the Commission put in its own money?" with the engine's figures."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from indicators import catalogue, formatting, periods, views
from pipelines import warehouse

TILES = ["funding_total", "spend_total", "cost_per_duo", "cost_per_duo_40h"]


def _open(open_page, lang: str):
    at = open_page("money", lang=lang)
    assert at.sidebar.radio[0].value == lang  # the language survives the page switch
    return at


def _overall(frame: pd.DataFrame, indicator_id: str) -> pd.Series:
    return frame[(frame["id"] == indicator_id) & frame["breakdown"].isna()].iloc[0]


def _eur(amount: float, lang: str) -> str:
    return formatting.value(amount, "eur", lang)


def _titles(at) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def _tiles(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _expenses(demo_warehouse, period: periods.Period, as_of: date) -> pd.DataFrame:
    """Return the expenses per category straight from the snapshot's finance table."""
    snap = warehouse.current(demo_warehouse)
    con = warehouse.connect_read_only(demo_warehouse, snap.id)
    try:
        return con.execute(
            "select coalesce(category, 'unknown') as category, sum(amount_eur)::double as eur "
            "from finance where direction = 'expense' and booked_on between ? and ? "
            "and booked_on <= ? group by all order by eur desc",
            [period.start, period.end, as_of],
        ).fetchdf()
    finally:
        con.close()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_page_shows_the_engine_figures(open_page, figures, demo_warehouse, lang):
    at = _open(open_page, lang)
    frame = figures([*TILES, "funding_by_source"], "programme")
    tiles = _tiles(at)
    for indicator_id in TILES:
        row = _overall(frame, indicator_id)
        label = catalogue.load().get(indicator_id).label.get(lang)
        assert tiles[label] == _eur(row["value"], lang), indicator_id

    income, grant, spend = _titles(at)
    by_source = frame[frame["id"] == "funding_by_source"].set_index("category")["numerator"]
    own, amif = by_source["vgc_own"], by_source["flemish_community_amif"]
    assert own > 0
    if lang == "nl":
        assert income == (
            f"De VGC legde {_eur(own, 'nl')} eigen middelen in, "
            f"naast {_eur(amif, 'nl')} van Vlaanderen/AMIF"
        )
    else:
        assert _eur(own, "en") in income and _eur(amif, "en") in income

    # the grant as decided in programme.yaml against the booked AMIF income
    assert grant.startswith(f"{_eur(amif, lang)} ")
    assert _eur(82882, lang) in grant

    as_of = date.fromisoformat(str(frame["as_of"].iloc[0]))
    expenses = _expenses(demo_warehouse, periods.parse("programme"), as_of)
    assert _eur(expenses["eur"].iloc[0], lang) in spend
    assert _eur(_overall(frame, "spend_total")["value"], lang) in spend


def test_expenses_by_category_add_up_to_the_total_spend(demo_warehouse, figures):
    for label in ("programme", "2022", "2021-Q3"):
        period = periods.parse(label)
        total = _overall(figures(["spend_total"], label), "spend_total")["value"]
        as_of = date(2024, 6, 30)
        by_category = views.spend_by_category(period, as_of, warehouse_dir=demo_warehouse)
        expected = _expenses(demo_warehouse, period, as_of)
        assert by_category["amount_eur"].sum() == pytest.approx(total)
        assert by_category["category"].tolist() == expected["category"].tolist()
        assert by_category["amount_eur"].tolist() == pytest.approx(expected["eur"].tolist())


def test_changing_the_period_changes_the_figures(open_page, figures):
    at = _open(open_page, "en")
    before = _tiles(at)
    at.sidebar.selectbox[1].set_value("2022").run()
    assert not at.exception
    after = _tiles(at)
    year = figures(TILES, "2022")
    for indicator_id in TILES:
        label = catalogue.load().get(indicator_id).label.get("en")
        assert after[label] == _eur(_overall(year, indicator_id)["value"], "en")
    assert after != before
