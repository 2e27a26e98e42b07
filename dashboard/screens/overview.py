"""Overview: is the programme meeting its goals? KPI tiles and the duo target projection."""

import pandas as pd
import streamlit as st

from dashboard import charts, data, widgets
from dashboard.i18n import t
from indicators import formatting, periods, targets

HEADLINE = (
    "duos_formed",
    "newcomers_40h_share",
    "flow_leisure_6m",
    "flow_volunteering_6m",
    "anchor_places",
    "cost_per_duo",
)

sel = widgets.page_start("page_overview")
lang = sel.lang
st.write(t("overview_intro", lang, period=sel.period.label))

now = data.figures(HEADLINE, sel.period.label, sel.as_of, sel.role, sel.snapshot.id)
# the headline trends run over the whole programme, whatever period is chosen
programme = periods.parse("programme")
widgets.tiles(HEADLINE, now, sel, columns=3, trend_periods=data.quarters(programme))
st.caption(t("suppressed_note", lang, threshold=data.threshold()))

target = data.programme().targets.get("duos_formed")
if target is not None and target.deadline is not None:
    deadline = target.deadline
    duos = data.figures(("duos_formed",), sel.period.label, sel.as_of, sel.role, sel.snapshot.id)
    row = data.overall(duos, "duos_formed")
    cumulative = data.cumulative(
        "duos_formed", min(sel.as_of, deadline), sel.as_of, sel.role, sel.snapshot.id
    )
    start = programme.start
    known = cumulative.dropna(subset=["value"])
    reached = float(known["value"].iloc[-1]) if len(known) else 0.0
    projected = row["projection"] if pd.notna(row["projection"]) else reached
    key = {"on_track": "projection_title_on", "at_risk": "projection_title_at_risk"}.get(
        row["status"], "projection_title_off"
    )
    result = targets.result_at_deadline(row)
    if result is not None:  # after the deadline: what the target came to, not a pace
        key = "projection_title_met" if result.met else "projection_title_not_met"
    title = t(
        key,
        lang,
        value=formatting.number(reached, lang, 0),
        target=formatting.number(target.value, lang, 0),
        projected=formatting.number(projected, lang, 0),
        deadline=formatting.day(deadline, lang),
        now=widgets.show(row, lang),
        as_of=formatting.day(sel.as_of, lang),
    )
    labels = {
        "actual": t("projection_actual", lang),
        "projection": t("projection_line", lang),
        "target": t("projection_target", lang),
        "x": t("axis_date", lang),
        "y": t("axis_duos", lang),
    }
    fig = charts.projection(
        cumulative, start, target.value, deadline, float(projected), title, labels, lang
    )
    widgets.chart(fig, cumulative, "duos_projection", lang)
