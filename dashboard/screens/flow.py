"""Flow-through: where newcomers go after their duo, by match cohort, and at anchor places."""

import pandas as pd
import streamlit as st

from dashboard import charts, data, widgets
from dashboard.i18n import t
from indicators import formatting

TILES = ("flow_leisure_6m", "flow_volunteering_6m", "flow_any_6m", "flow_at_anchor_share")
OUTCOMES = ("completed", "stopped_early", "stopped_later")
KINDS = ("leisure", "volunteering", "course", "work", "study", "other", "none")

sel = widgets.page_start("page_flow")
lang = sel.lang
period = sel.period.label
args = (period, sel.as_of, sel.role, sel.snapshot.id)
shown_period = sel.period_text
st.write(t("flow_intro", lang, period=shown_period))

now = data.figures(TILES, *args)
before = widgets.previous_figures(TILES, sel)
threshold = data.threshold()
early_months = data.programme().norms.early_closure_months


def share(row: pd.Series) -> str:
    """Return the flow-through share of one outcome row ('<5' when hidden)."""
    return formatting.value(row["share"], "percent", lang, bool(row["suppressed"]), threshold)


# --- the Sankey: outcome of the duo -> kind of next step ------------------------------------
st.subheader(t("flow_sankey_heading", lang))
flows = data.flows(*args)
outcomes = data.flow_outcomes(*args).set_index("outcome")
if "all" in outcomes.index:
    by_outcome = {
        o: share(outcomes.loc[o]) if o in outcomes.index else formatting.value(None, "", lang)
        for o in OUTCOMES
    }
    sankey_title = (
        t("flow_sankey_title_hidden", lang, threshold=threshold)
        if outcomes.loc["all", "suppressed"]
        else t("flow_sankey_title", lang, all=share(outcomes.loc["all"]), **by_outcome)
    )
    labels = {o: t(f"flow_outcome_{o}", lang, months=early_months) for o in OUTCOMES}
    labels |= {k: t(f"flow_kind_{k}", lang) for k in KINDS}
    widgets.chart(charts.sankey(flows, labels, sankey_title, lang), flows, "flow_sankey", lang)
    duos = outcomes.loc["all"]
    st.caption(
        t(
            "flow_sankey_note",
            lang,
            duos=formatting.value(duos["duos"], "count", lang, pd.isna(duos["duos"]), threshold),
            threshold=threshold,
            hidden=formatting.number(int(flows["suppressed"].sum()), lang, 0),
        )
    )
else:
    st.info(t("flow_sankey_empty", lang))

# --- the 6-month rates by match cohort, open cohorts greyed ---------------------------------
st.subheader(t("flow_cohort_heading", lang))
columns = st.columns(3)
for column, indicator_id in zip(columns, TILES[:3], strict=True):
    with column:
        widgets.kpi(indicator_id, now, before, sel)
cohorts = data.flow_by_cohort(*args)
if len(cohorts):
    overall = {i: widgets.show(data.overall(now, i), lang) for i in TILES[:3]}
    open_cohorts = sorted(set(cohorts.loc[cohorts["is_open"], "cohort"]))
    anyone_row = data.overall(now, "flow_any_6m")
    if anyone_row["suppressed"]:
        title_key = "flow_cohort_title_hidden"
    elif not anyone_row["n"] > 0:
        title_key = "flow_cohort_title_none"
    else:
        title_key = "flow_cohort_title_open" if open_cohorts else "flow_cohort_title"
    cohort_title = t(
        title_key,
        lang,
        threshold=threshold,
        any=overall["flow_any_6m"],
        leisure=overall["flow_leisure_6m"],
        volunteering=overall["flow_volunteering_6m"],
        open=len(open_cohorts),
    )
    bars = cohorts.assign(series=[widgets.label(i, lang) for i in cohorts["id"]])
    axis = {
        "x": t("flow_cohort_x", lang),
        "y": t("flow_cohort_y", lang),
        "open": t("flow_cohort_open", lang),
    }
    fig = charts.cohort_rates(bars, cohort_title, lang, axis)
    widgets.chart(fig, cohorts, "flow_by_cohort", lang)
    st.caption(t("flow_cohort_note", lang, as_of=sel.as_of.isoformat()))
    cells = [
        t("flow_status_open", lang) if o else formatting.value(v, "percent", lang, s, threshold)
        for v, s, o in zip(cohorts["value"], cohorts["suppressed"], cohorts["is_open"], strict=True)
    ]
    table = cohorts.assign(cell=cells).pivot(index="cohort", columns="id", values="cell")
    anyone = cohorts[cohorts["id"] == "flow_any_6m"].set_index("cohort")
    status = anyone["is_open"].map(
        {True: t("flow_status_open", lang), False: t("flow_status_closed", lang)}
    )
    participants = [
        t("flow_status_open", lang)
        if r["is_open"]
        else formatting.value(r["denominator"], "count", lang, r["suppressed"], threshold)
        for _, r in anyone.iterrows()
    ]
    st.dataframe(
        pd.DataFrame(
            {
                t("flow_col_cohort", lang): table.index,
                t("flow_col_status", lang): status.to_numpy(),
                **{widgets.label(i, lang): table[i].to_numpy() for i in TILES[:3]},
                t("flow_col_participants", lang): participants,
            }
        ),
        hide_index=True,
    )
else:
    st.info(t("flow_sankey_empty", lang))

# --- flow-through at anchor places ----------------------------------------------------------
st.subheader(t("flow_anchor_heading", lang))
anchor = data.overall(now, "flow_at_anchor_share")
tile_column, text_column = st.columns([1, 2])
with tile_column:
    widgets.kpi("flow_at_anchor_share", now, before, sel)
with text_column:
    if anchor["suppressed"]:
        st.write(t("flow_anchor_hidden", lang, period=shown_period, threshold=threshold))
    else:
        st.write(
            t(
                "flow_anchor_text",
                lang,
                share=widgets.show(anchor, lang),
                starts=widgets.show(anchor, lang, "denominator"),
                anchor=widgets.show(anchor, lang, "numerator"),
                period=shown_period,
            )
        )
st.caption(t("suppressed_note", lang, threshold=threshold))
