"""Explorer: any indicators by a breakdown and filters, as a table, a chart and a download."""

import pandas as pd
import streamlit as st

from dashboard import charts, data, widgets
from dashboard.i18n import t
from indicators import formatting
from indicators.catalogue import DIMENSIONS
from pipelines import api

# dimensions whose values people pick from; programme and organisation are breakdowns only
FILTER_DIMENSIONS = tuple(d for d in DIMENSIONS if d not in ("programme", "organisation"))
NONE = "none"
DEFAULT_IDS = ("duos_formed", "newcomers_40h_share")
# breakdown values the engine gives to missing or special cases, named in the language
SPECIAL_VALUES = ("unknown", "outside_brussels", "not matched", "none")

sel = widgets.page_start("page_explorer")
lang = sel.lang
cat = data.catalogue()
st.write(t("explorer_intro", lang, period=sel.period.label))

# the URL opens a shared view: it sets the choices once, then the widgets own them
if "explorer_ids" not in st.session_state:
    wanted = str(st.query_params.get("ids", "")).split(",")
    st.session_state["explorer_ids"] = [i for i in wanted if i in cat.ids] or list(DEFAULT_IDS)
if "explorer_breakdown" not in st.session_state:
    st.session_state["explorer_breakdown"] = str(st.query_params.get("breakdown", NONE))

ids = st.multiselect(
    t("explorer_indicators", lang),
    cat.ids,
    key="explorer_ids",
    format_func=lambda i: widgets.label(i, lang),
)
if not ids:
    st.query_params.update({"ids": "", "breakdown": NONE})
    st.info(t("explorer_pick", lang))
    st.stop()

allowed = [d for d in cat.get(ids[0]).breakdowns if all(d in cat.get(i).breakdowns for i in ids)]
if st.session_state["explorer_breakdown"] not in (NONE, *allowed):
    st.session_state["explorer_breakdown"] = NONE
breakdown_choice = st.selectbox(
    t("explorer_breakdown", lang),
    [NONE, *allowed],
    key="explorer_breakdown",
    format_func=lambda d: t(f"explorer_dim_{d}", lang),
)
breakdown = None if breakdown_choice == NONE else breakdown_choice
st.query_params.update({"ids": ",".join(ids), "breakdown": breakdown_choice})

names = data.municipality_names(lang)


def value_name(value: object) -> str:
    """Return a breakdown value as people read it (municipality names, special values)."""
    if value is None or pd.isna(value):
        return t("explorer_overall", lang)
    text = str(value)
    if text in SPECIAL_VALUES:
        return t(f"explorer_value_{text.replace(' ', '_')}", lang)
    return str(names.get(text, text))


def show(row: pd.Series, column: str) -> str:
    """Return one figure for people; a distribution's value is a share whatever its unit."""
    if column == "value" and row["kind"] == "distribution":
        row = row.copy()
        row["unit"] = "percent"
    return widgets.show(row, lang, column)


filters: dict[str, tuple[str, ...]] = {}
with st.expander(t("explorer_filters", lang)):
    st.caption(t("explorer_filter_hint", lang))
    columns = st.columns(3)
    for i, dim in enumerate(d for d in FILTER_DIMENSIONS if d in allowed):
        # the options are the values the engine finds for this period and these indicators
        split = data.figures(
            tuple(ids), sel.period.label, sel.as_of, sel.role, sel.snapshot.id, breakdown=dim
        )
        options = sorted(split["breakdown_value"].dropna().unique().tolist())
        key = f"explorer_filter_{dim}"
        if key in st.session_state:
            st.session_state[key] = [v for v in st.session_state[key] if v in options]
        with columns[i % 3]:
            chosen = st.multiselect(
                t(f"explorer_dim_{dim}", lang), options, key=key, format_func=value_name
            )
        if chosen:
            filters[dim] = tuple(chosen)

frame = data.figures(
    tuple(ids),
    sel.period.label,
    sel.as_of,
    sel.role,
    sel.snapshot.id,
    breakdown=breakdown,
    filters=tuple(sorted(filters.items())),
)

# --- chart: one indicator at a time ----------------------------------------------------------
chart_id = ids[0]
if len(ids) > 1:
    chart_id = st.selectbox(
        t("explorer_chart_indicator", lang),
        ids,
        key="explorer_chart_id",
        format_func=lambda i: widgets.label(i, lang),
    )
rows = frame[frame["id"] == chart_id]
if breakdown is not None and rows["breakdown"].notna().any():
    rows = rows[rows["breakdown"].notna()]
rows = rows.assign(
    bar=[
        value_name(b) if pd.isna(c) else (c if pd.isna(b) else f"{value_name(b)} · {c}")
        for b, c in zip(
            rows["breakdown_value"].where(rows["breakdown"].notna()),
            rows["category"],
            strict=True,
        )
    ],
    shown=[show(r, "value") for _, r in rows.iterrows()],
)
ind = cat.get(chart_id)
chart_label = ind.label.get(lang)
is_share = ind.unit == "percent" or ind.kind == "distribution"
overall_rows = frame[(frame["id"] == chart_id) & frame["breakdown"].isna()]
visible = rows.dropna(subset=["value"])
# the largest bar is named only when it is alone at the top
leaders = visible[visible["value"] == visible["value"].max()]
top = {"label": chart_label, "count": len(leaders)}
if len(leaders):
    top |= {"top": leaders["bar"].iloc[0], "top_value": leaders["shown"].iloc[0]}
tied = "_tied" if len(leaders) > 1 else ""
if ind.kind == "distribution" and len(leaders):
    title = t(f"explorer_title_distribution{tied}", lang, **top)
elif ind.kind != "distribution" and len(overall_rows):
    overall = show(overall_rows.iloc[0], "value")
    if breakdown is not None and len(leaders):
        title = t(f"explorer_title_top{tied}", lang, overall=overall, **top)
    else:
        title = t("explorer_title_overall", lang, label=chart_label, overall=overall)
else:
    title = t("explorer_title_hidden", lang, label=chart_label)
if len(rows) == 1 and ind.kind != "distribution":
    # one figure (no breakdown): a tile with its target says more than a chart of one bar
    widgets.kpi(chart_id, frame, None, sel)
else:
    fig = charts.bars(
        rows,
        "bar",
        "value",
        title,
        lang,
        x_label=t(f"explorer_dim_{breakdown}", lang)
        if breakdown
        else t("explorer_axis_category", lang),
        y_label=t("explorer_unit_percent" if is_share else f"explorer_unit_{ind.unit}", lang),
        percent=is_share,
        text="shown",
    )
    widgets.chart(fig, rows.drop(columns=["bar", "shown"]), f"explorer_{chart_id}", lang)

# --- table of every figure -------------------------------------------------------------------
table = pd.DataFrame(
    {
        t("explorer_col_indicator", lang): [widgets.label(i, lang) for i in frame["id"]],
        t("explorer_col_breakdown_value", lang): [
            value_name(v) if pd.notna(b) else t("explorer_overall", lang)
            for b, v in zip(frame["breakdown"], frame["breakdown_value"], strict=True)
        ],
        t("explorer_col_category", lang): frame["category"].fillna(""),
        t("explorer_col_value", lang): [show(r, "value") for _, r in frame.iterrows()],
        t("explorer_col_n", lang): [show(r, "n") for _, r in frame.iterrows()],
        t("explorer_col_target", lang): [
            "" if pd.isna(r["target"]) else formatting.value(r["target"], r["unit"], lang)
            for _, r in frame.iterrows()
        ],
        t("explorer_col_status", lang): [
            t(f"status_{s}", lang) if isinstance(s, str) else "" for s in frame["status"]
        ],
        t("explorer_col_note", lang): frame["note"].fillna(""),
    }
)
st.dataframe(table, hide_index=True, width="stretch")
st.caption(t("suppressed_note", lang, threshold=data.threshold()))

# --- downloads: the engine's tidy frame with lineage and disclosure ---------------------------
st.caption(t("explorer_download_note", lang, disclosure=frame["disclosure"].iloc[0]))
name = f"indicators_{sel.period.label}".replace("..", "_")
left, right = st.columns(2)
left.download_button(
    t("download_data", lang),
    api.exports.csv_text(frame).encode("utf-8"),
    file_name=f"{name}.csv",
    mime="text/csv",
    key="explorer_download_csv",
    on_click=data.record,
    args=("download", "explorer figures (.csv)", sel.snapshot.id),
)
right.download_button(
    t("download_excel", lang),
    widgets.excel_bytes(frame),
    file_name=f"{name}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="explorer_download_xlsx",
    on_click=data.record,
    args=("download", "explorer figures (.xlsx)", sel.snapshot.id),
)
