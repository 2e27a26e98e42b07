"""Organisations: anchor places over time, where duos meet, and where participants live."""

import pandas as pd
import streamlit as st

from dashboard import charts, data, widgets
from dashboard.i18n import t
from indicators import formatting

TILES = ("anchor_places", "new_anchor_places", "organisations_hosting")
TOP = 10
MAP_MEASURES = ("registrations", "duos_formed")


def _shown(frame: pd.DataFrame, indicator_id: str, value: str, lang: str) -> str:
    """Return the formatted figure of one breakdown value (zero when the engine has no row)."""
    rows = frame[(frame["id"] == indicator_id) & (frame["breakdown_value"] == value)]
    if len(rows):
        return widgets.show(rows.iloc[0], lang)
    return formatting.value(0, data.catalogue().get(indicator_id).unit, lang)


sel = widgets.page_start("page_organisations")
lang = sel.lang
period = sel.period.label
st.write(t("organisations_intro", lang, period=period))

# --- anchor places ------------------------------------------------------------------------
now = data.figures(TILES, period, sel.as_of, sel.role, sel.snapshot.id)
quarters = data.quarters(sel.period)
widgets.tiles(TILES, now, sel)

if quarters:
    history = data.trend(TILES, quarters, sel.as_of, sel.role, sel.snapshot.id)  # cached
    anchors = history[history["id"] == "anchor_places"][["period", "value"]]
    new = history[history["id"] == "new_anchor_places"].set_index("period")["value"]
    anchors = anchors.rename(columns={"value": "anchor_places"}).assign(
        new_anchor_places=anchors["period"].map(new)
    )
    # anchor places never lose the status: those of the quarter before plus the new ones
    anchors["earlier_anchor_places"] = anchors["anchor_places"] - anchors["new_anchor_places"]
    title = t(
        "organisations_anchor_title",
        lang,
        value=widgets.show(data.overall(now, "anchor_places"), lang),
        new=widgets.show(data.overall(now, "new_anchor_places"), lang),
        period=period,
    )
    fig = charts.stacked_bars(
        anchors,
        "period",
        {
            "earlier_anchor_places": t("organisations_earlier", lang),
            "new_anchor_places": t("organisations_new", lang),
        },
        title,
        lang,
        x_label=t("organisations_axis_quarter", lang),
        y_label=t("organisations_axis_anchor_places", lang),
    )
    widgets.chart(fig, anchors, "anchor_places_per_quarter", lang)
    st.caption(t("organisations_anchor_caption", lang))
else:
    st.info(t("organisations_no_quarters", lang))

# --- where the duos meet ------------------------------------------------------------------
st.subheader(t("organisations_top_heading", lang))
by_organisation = data.figures(
    ("hours_total", "flow_at_anchor_share"),
    period,
    sel.as_of,
    sel.role,
    sel.snapshot.id,
    "organisation",
)
organisations = data.organisation_figures(period, sel.as_of, sel.role, sel.snapshot.id)
# an organisation with 0 hours did not host anyone; a hidden (NaN) figure did
top = organisations[organisations["hours_total"] != 0].head(TOP)
hours = data.overall(by_organisation, "hours_total")
if len(top):
    published = top.dropna(subset=["hours_total"])
    if len(published):
        first = published.iloc[0]
        title = t(
            "organisations_top_title",
            lang,
            name=first["name"],
            hours=formatting.value(first["hours_total"], "hours", lang),
            total=widgets.show(hours, lang),
        )
    else:
        title = t("organisations_top_hidden", lang, threshold=data.threshold())
    top = top.assign(shown=top["name"] + " (" + top["organisation_id"] + ")")
    fig = charts.bars(
        top,
        "shown",
        "hours_total",
        title,
        lang,
        x_label=t("organisations_axis_hours", lang),
        y_label=t("organisations_axis_organisation", lang),
        horizontal=True,
    )
    widgets.chart(fig, top.drop(columns="shown"), "organisations_top_hours", lang)
    threshold = data.threshold()
    st.dataframe(
        pd.DataFrame(
            {
                t("organisations_col_id", lang): top["organisation_id"],
                t("organisations_col_name", lang): top["name"],
                t("organisations_col_anchor_since", lang): top["anchor_since"],
                t("organisations_col_hours", lang): [
                    formatting.value(v, "hours", lang, s, threshold)
                    for v, s in zip(top["hours_total"], top["hours_suppressed"], strict=True)
                ],
                t("organisations_col_flow_starts", lang): [
                    formatting.value(v, "count", lang, s, threshold)
                    for v, s in zip(top["flow_starts"], top["flow_suppressed"], strict=True)
                ],
            }
        ),
        hide_index=True,
        key="organisations_top_table",
    )
    at_anchor = data.overall(by_organisation, "flow_at_anchor_share")
    st.caption(
        t(
            "organisations_top_caption",
            lang,
            top=len(top),
            none=_shown(by_organisation, "hours_total", "none", lang),
            share=widgets.show(at_anchor, lang),
            starts=widgets.show(at_anchor, lang, "denominator"),
        )
    )
else:
    st.info(t("organisations_top_none", lang))

# --- where the participants live ----------------------------------------------------------
st.subheader(t("organisations_map_heading", lang))
measure = st.radio(
    t("organisations_map_measure", lang),
    MAP_MEASURES,
    format_func=lambda indicator_id: widgets.label(indicator_id, lang),
    horizontal=True,
    key="organisations_map_measure",
)
what = widgets.label(measure, lang).lower()
places = data.municipality_figures(measure, period, sel.as_of, sel.role, sel.snapshot.id, lang)
by_municipality = data.figures(
    (measure,), period, sel.as_of, sel.role, sel.snapshot.id, "municipality"
)
total = data.overall(by_municipality, measure)
most = places.dropna(subset=["value"]).sort_values("value", ascending=False, kind="stable")
if len(most) and most["value"].iloc[0] > 0:
    title = t(
        "organisations_map_title",
        lang,
        what=what,
        name=most["name"].iloc[0],
        value=formatting.value(most["value"].iloc[0], "count", lang),
        total=widgets.show(total, lang),
    )
elif places["suppressed"].any():
    title = t("organisations_map_hidden", lang, what=what, total=widgets.show(total, lang))
else:
    title = t("organisations_map_empty", lang, what=what)
table = pd.DataFrame(
    {
        t("organisations_col_municipality", lang): places["name"],
        widgets.label(measure, lang): [
            formatting.value(v, "count", lang, s, data.threshold())
            for v, s in zip(places["value"], places["suppressed"], strict=True)
        ],
    }
)
if len(most) and most["value"].iloc[0] > 0:
    map_tab, table_tab = st.tabs(
        [t("organisations_tab_map", lang), t("organisations_tab_table", lang)]
    )
    with map_tab:
        fig = charts.municipality_map(places, data.boundaries(), title, lang, what)
        widgets.chart(fig, places, f"municipalities_{measure}", lang)
        st.caption(t("organisations_map_source", lang))
    with table_tab:
        st.dataframe(table, hide_index=True, key="organisations_municipality_table")
else:  # a map of grey (all hidden) or of nothing says less than the sentence and the table
    st.info(title)
    if places["suppressed"].any():
        st.dataframe(table, hide_index=True, key="organisations_municipality_table")
st.caption(
    t(
        "organisations_map_caption",
        lang,
        threshold=data.threshold(),
        outside=_shown(by_municipality, measure, "outside_brussels", lang),
        unknown=_shown(by_municipality, measure, "unknown", lang),
    )
)
