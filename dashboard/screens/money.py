"""Money: does the Commission put in its own money, how the grant is used, what a duo costs."""

import pandas as pd
import streamlit as st

from dashboard import charts, data, widgets
from dashboard.i18n import t
from indicators import formatting

SOURCES = ("flemish_community_amif", "vgc_own", "other")
GRANT_SOURCE = "flemish_community_amif"
TILES = ("funding_total", "spend_total", "cost_per_duo", "cost_per_duo_40h")


def _eur(amount: float, lang: str) -> str:
    """Return an amount in euro written for the language."""
    return formatting.value(amount, "eur", lang)


def _share(part: float, whole: float, lang: str) -> str:
    """Return part / whole as a percentage written for the language ('n.b.' without a whole)."""
    return formatting.value(part / whole if whole else None, "percent", lang)


sel = widgets.page_start("page_money")
lang = sel.lang
period = sel.period.label
st.write(t("money_intro", lang, period=period))

now = data.figures(("funding_by_source", *TILES), period, sel.as_of, sel.role, sel.snapshot.id)

# --- income by source: the council member's question --------------------------------------
rows = now[now["id"] == "funding_by_source"].set_index("category")
# a distribution's numerator is the euro amount of the source; a source without bookings is 0
amounts = rows["numerator"].reindex(list(SOURCES), fill_value=0.0).astype(float)
income_total = data.overall(now, "funding_total")["value"]
income = pd.DataFrame(
    {
        "source": list(SOURCES),
        "label": [t(f"money_source_{s}", lang) for s in SOURCES],
        "amount_eur": amounts.to_numpy(),
    }
)
income["text"] = [
    f"{_eur(a, lang)} ({_share(a, income_total, lang)})" for a in income["amount_eur"]
]
own, grant = amounts["vgc_own"], amounts[GRANT_SOURCE]
if own > 0:
    title = t("money_income_title_own", lang, own=_eur(own, lang), grant=_eur(grant, lang))
else:
    title = t("money_income_title_none", lang, period=period, grant=_eur(grant, lang))
fig = charts.bars(
    income,
    "label",
    "amount_eur",
    title,
    lang,
    x_label=t("money_axis_eur", lang),
    y_label=t("money_axis_source", lang),
    horizontal=True,
    text="text",
)
widgets.chart(fig, income.drop(columns=["label", "text"]), "income_by_source", lang)
st.caption(
    t(
        "money_income_caption",
        lang,
        total=_eur(income_total, lang),
        share=_share(own, income_total, lang),
    )
)

# --- totals and cost per duo --------------------------------------------------------------
st.subheader(t("money_cost_heading", lang))
# two tiles a row, so that amounts in euro are not cut off on narrow screens
widgets.tiles(TILES, now, sel, columns=2)
definitions = data.catalogue()
st.caption(
    t(
        "money_cost_caption",
        lang,
        per_duo=widgets.label("cost_per_duo", lang),
        per_duo_definition=definitions.get("cost_per_duo").definition.get(lang),
        per_40h=widgets.label("cost_per_duo_40h", lang),
        per_40h_definition=definitions.get("cost_per_duo_40h").definition.get(lang),
    )
)

# --- the grant as decided against what was booked -----------------------------------------
st.subheader(t("money_grant_heading", lang))
granted_rows = data.granted_funding()
granted = float(granted_rows.loc[granted_rows["source"] == GRANT_SOURCE, "amount_eur"].sum())
grant_frame = pd.DataFrame(
    {
        "what": [t("money_granted", lang), t("money_booked", lang)],
        "amount_eur": [granted, grant],
    }
)
grant_frame["text"] = [_eur(a, lang) for a in grant_frame["amount_eur"]]
fig = charts.bars(
    grant_frame,
    "what",
    "amount_eur",
    t(
        "money_grant_title",
        lang,
        booked=_eur(grant, lang),
        granted=_eur(granted, lang),
        share=_share(grant, granted, lang),
    ),
    lang,
    x_label=t("money_axis_eur", lang),
    horizontal=True,
    text="text",
)
widgets.chart(fig, grant_frame.drop(columns="text"), "grant_granted_booked", lang)
st.caption(t("money_grant_caption", lang, period=period))

# --- expenses by category -----------------------------------------------------------------
st.subheader(t("money_spend_heading", lang))
spend = data.spend_by_category(period, sel.as_of, sel.snapshot.id)
spend_total = data.overall(now, "spend_total")["value"]
if len(spend):
    spend = spend.assign(label=[t(f"money_category_{c}", lang) for c in spend["category"]])
    largest = spend.iloc[0]
    title = t(
        "money_spend_title",
        lang,
        category=largest["label"],
        amount=_eur(largest["amount_eur"], lang),
        total=_eur(spend_total, lang),
        share=_share(largest["amount_eur"], spend_total, lang),
    )
    fig = charts.bars(
        spend,
        "label",
        "amount_eur",
        title,
        lang,
        x_label=t("money_axis_eur", lang),
        y_label=t("money_axis_category", lang),
        horizontal=True,
        colour=charts.PALETTE[1],
    )
    widgets.chart(fig, spend.drop(columns="label"), "spend_by_category", lang)
else:
    st.info(t("money_spend_none", lang))
