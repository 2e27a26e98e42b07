"""Outcomes: change from intake to end in the surveys, with 95% intervals, and the response."""

import math

import pandas as pd
import streamlit as st

from dashboard import charts, data, widgets
from dashboard.i18n import t
from indicators import formatting

CHANGES = ("loneliness_change", "dutch_confidence_change", "feel_at_home_change")
TILES = ("helpful_for_integration_share", "survey_response_rate")


def _signed(value: float, lang: str, decimals: int) -> str:
    """Return a change with its sign ('+0,6', '−0,9'), or the no-figure text when missing."""
    if value is None or math.isnan(value):
        return t("no_figure", lang)
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return sign + formatting.number(abs(value), lang, decimals)


sel = widgets.page_start("page_outcomes")
lang = sel.lang
period = sel.period.label
st.write(t("outcomes_intro", lang, period=period))

now = data.figures((*CHANGES, *TILES), period, sel.as_of, sel.role, sel.snapshot.id)

# --- change from intake to end ------------------------------------------------------------
changes = pd.DataFrame([data.overall(now, i) for i in CHANGES])[
    ["id", "value", "ci_low", "ci_high", "n", "direction", "suppressed"]
]
changes.insert(1, "label", [t(f"outcomes_short_{i}", lang) for i in CHANGES])
signed = dict(zip(CHANGES, (_signed(v, lang, 1) for v in changes["value"]), strict=True))
if changes["n"].gt(0).any() or changes["suppressed"].any():
    title = t(
        "outcomes_changes_title",
        lang,
        loneliness=signed["loneliness_change"],
        dutch=signed["dutch_confidence_change"],
        home=signed["feel_at_home_change"],
    )
else:
    title = t("outcomes_changes_none", lang, period=period)
fig = charts.intervals(
    changes,
    title,
    lang,
    x_label=t("outcomes_axis_change", lang),
    interval_label=t("outcomes_interval", lang),
)
widgets.chart(fig, changes, "survey_changes", lang)
st.caption(t("outcomes_changes_caption", lang))
st.dataframe(
    pd.DataFrame(
        {
            t("outcomes_col_indicator", lang): [widgets.label(i, lang) for i in CHANGES],
            t("outcomes_col_change", lang): [_signed(v, lang, 2) for v in changes["value"]],
            t("outcomes_col_interval", lang): [
                t(
                    "outcomes_interval_text",
                    lang,
                    low=_signed(low, lang, 2),
                    high=_signed(high, lang, 2),
                )
                for low, high in zip(changes["ci_low"], changes["ci_high"], strict=True)
            ],
            t("outcomes_col_n", lang): [
                widgets.show(data.overall(now, i), lang, "n") for i in CHANGES
            ],
        }
    ),
    hide_index=True,
    key="outcomes_changes_table",
)

# --- the AMIF result indicator and the response -------------------------------------------
st.subheader(t("outcomes_results_heading", lang))
widgets.tiles(TILES, now, sel)
response = data.overall(now, "survey_response_rate")
st.write(
    t(
        "outcomes_nonresponse",
        lang,
        answered=widgets.show(response, lang, "numerator"),
        ended=widgets.show(response, lang, "denominator"),
        rate=widgets.show(response, lang),
    )
)
