"""Trajectories: registration to completion, time to 40 hours, meetings and why duos end."""

import pandas as pd
import streamlit as st

from dashboard import charts, data, widgets
from dashboard.i18n import t
from indicators import formatting

FIGURES = (
    "intakes",
    "duos_formed",
    "share_40h",
    "time_to_match_days",
    "time_to_40h_days",
    "newcomer_time_to_40h_days",
    "meeting_norm_share",
    "completion_rate",
    "early_closure_rate",
    "end_reasons",
)
TILES = (
    "time_to_match_days",
    "time_to_40h_days",
    "newcomer_time_to_40h_days",
    "meeting_norm_share",
    "completion_rate",
    "early_closure_rate",
)

sel = widgets.page_start("page_trajectory")
lang = sel.lang
period = sel.period.label
args = (period, sel.as_of, sel.role, sel.snapshot.id)
shown_period = sel.period_text
st.write(t("trajectory_intro", lang, period=shown_period))

now = data.figures(FIGURES, *args)
before = widgets.previous_figures(TILES, sel)


def count(value: float, hidden: bool) -> str:
    """Return a count of a chart view for people ('<5' when hidden)."""
    return formatting.value(value, "count", lang, bool(hidden), data.threshold())


def share(value: float) -> str:
    """Return a share for people (n.b. when it cannot be shown)."""
    return formatting.value(value, "percent", lang)


def unavailable(row: pd.Series, none_key: str) -> str | None:
    """Return why a figure's chart cannot be drawn (hidden, or nothing to count), else None."""
    if row["suppressed"]:
        return t("trajectory_hidden", lang, threshold=data.threshold())
    if not row["n"] > 0:
        return t(none_key, lang)
    return None


def tile(indicator_id: str) -> None:
    """Draw the KPI tile of one indicator against the previous period."""
    widgets.kpi(indicator_id, now, before, sel)


# --- the funnel: one registration cohort followed to the as-of date ---------------------------
st.subheader(t("trajectory_funnel_heading", lang))
funnel = data.trajectory_funnel(*args)
first, last = funnel.iloc[0], funnel.iloc[-1]
funnel_title = t(
    "trajectory_funnel_title",
    lang,
    registered=count(first["n"], first["suppressed"]),
    completed=count(last["n"], last["suppressed"]),
    share=share(last["share_of_first"]),
)
stages = pd.DataFrame(
    {"stage": [t(f"trajectory_stage_{s}", lang) for s in funnel["stage"]], "value": funnel["n"]}
)
widgets.chart(charts.funnel(stages, funnel_title, lang), funnel, "trajectory_funnel", lang)
st.caption(
    t("trajectory_funnel_definition", lang, period=shown_period, as_of=sel.as_of.isoformat())
)
st.dataframe(
    pd.DataFrame(
        {
            t("trajectory_col_stage", lang): stages["stage"],
            t("trajectory_col_n", lang): [
                count(n, h) for n, h in zip(funnel["n"], funnel["suppressed"], strict=True)
            ],
            t("trajectory_col_share_of_first", lang): funnel["share_of_first"].map(share),
            t("trajectory_col_share_of_previous", lang): [
                "" if i == 0 else share(v) for i, v in enumerate(funnel["share_of_previous"])
            ],
        }
    ),
    hide_index=True,
)
ended = data.overall(now, "share_40h")
st.caption(
    t(
        "trajectory_funnel_events",
        lang,
        period=shown_period,
        intakes=widgets.show(data.overall(now, "intakes"), lang),
        duos=widgets.show(data.overall(now, "duos_formed"), lang),
        ended=widgets.show(ended, lang, "denominator"),
        reached=widgets.show(ended, lang, "numerator"),
    )
)

# --- time to match and to 40 hours ----------------------------------------------------------
st.subheader(t("trajectory_time_heading", lang))
left, right = st.columns(2)
with left:
    tile("time_to_match_days")
with right:
    tile("time_to_40h_days")
curve = data.survival("time_to_40h_days", *args)
median = data.overall(now, "time_to_40h_days")
if pd.notna(median["value"]):
    km_title = t("trajectory_km_title", lang, days=formatting.number(median["value"], lang, 0))
else:
    km_title = t("trajectory_km_title_none", lang)
why = unavailable(median, "trajectory_km_none")
if why is None and len(curve):
    fig = charts.survival_curve(
        curve, km_title, lang, t("trajectory_km_x", lang), t("trajectory_km_y", lang)
    )
    widgets.chart(fig, curve, "trajectory_time_to_40h", lang)
else:
    st.info(why or t("trajectory_hidden", lang, threshold=data.threshold()))
st.caption(
    t("trajectory_km_note", lang, n=widgets.show(median, lang, "n"), threshold=data.threshold())
)

# --- meetings per month against the norm ----------------------------------------------------
st.subheader(t("trajectory_meetings_heading", lang))
months = data.contacts_per_month(*args)
norm = int(data.programme().norms.contacts_per_month)
norm_row = data.overall(now, "meeting_norm_share")
why = unavailable(norm_row, "trajectory_meetings_none")
if why is None:
    months_text = months.assign(
        text=[count(n, h) for n, h in zip(months["duo_months"], months["suppressed"], strict=True)]
    )
    fig = charts.norm_bars(
        months_text,
        "contacts",
        "duo_months",
        months["contacts"].iloc[min(norm, len(months) - 1)],
        t("trajectory_meetings_title", lang, share=widgets.show(norm_row, lang), norm=norm),
        lang,
        {
            "x": t("trajectory_meetings_x", lang),
            "y": t("trajectory_meetings_y", lang),
            "below": t("trajectory_meetings_below", lang),
            "meets": t("trajectory_meetings_meets", lang),
            "norm": t("trajectory_meetings_norm", lang, norm=norm),
        },
        text="text",
    )
    widgets.chart(fig, months, "trajectory_meetings", lang)
else:
    st.info(why)
tile_column, note_column = st.columns([1, 2])
with tile_column:
    tile("meeting_norm_share")
with note_column:
    st.caption(t("trajectory_meetings_note", lang))

# --- how duos end ---------------------------------------------------------------------------
st.subheader(t("trajectory_end_heading", lang))
completion = data.overall(now, "completion_rate")
why = unavailable(completion, "trajectory_end_none")
if why is None:
    reasons = now[(now["id"] == "end_reasons") & now["breakdown"].isna()]
    reasons = reasons.sort_values("numerator", ascending=False, na_position="last")
    bars = pd.DataFrame(
        {
            # a hidden share draws no bar, so the label says why
            "reason": [
                t(f"trajectory_reason_{r['category']}", lang)
                + (f" ({widgets.show(r, lang)})" if r["suppressed"] else "")
                for _, r in reasons.iterrows()
            ],
            "share": reasons["value"].to_numpy(),
            "text": [
                f"{widgets.show(r, lang)} ({widgets.show(r, lang, 'numerator')})"
                for _, r in reasons.iterrows()
            ],
        }
    )
    end_title = t(
        "trajectory_end_title",
        lang,
        completed=widgets.show(completion, lang),
        early=widgets.show(data.overall(now, "early_closure_rate"), lang),
        months=data.programme().norms.early_closure_months,
    )
    fig = charts.bars(
        bars,
        "reason",
        "share",
        end_title,
        lang,
        t("trajectory_end_x", lang),
        t("trajectory_end_y", lang),
        horizontal=True,
        percent=True,
        text="text",
    )
    download = reasons[["category", "value", "numerator", "denominator", "suppressed"]]
    widgets.chart(fig, download, "trajectory_end_reasons", lang)
    st.caption(
        t(
            "trajectory_end_note",
            lang,
            period=shown_period,
            ended=widgets.show(completion, lang, "n"),
        )
    )
else:
    st.info(why)
left, right = st.columns(2)
with left:
    tile("completion_rate")
with right:
    tile("early_closure_rate")
st.caption(t("suppressed_note", lang, threshold=data.threshold()))
