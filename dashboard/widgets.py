"""Layout pieces every page uses: the frame around a page, KPI tiles, charts with their data."""

from __future__ import annotations

import io
import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, data, state
from dashboard.i18n import t
from indicators import formatting


def page_start(title_key: str) -> state.Selection:
    """Draw the sidebar and the page title; stop with a hint when the warehouse is empty."""
    snap = data.current_snapshot()
    if snap is None:
        st.title(t(title_key))
        st.info(t("empty_warehouse"))
        st.stop()
    selection = state.sidebar(snap, title_key)
    st.title(t(title_key, selection.lang))
    if snap.is_synthetic:
        st.caption(t("synthetic", selection.lang))
    return selection


def show(row: pd.Series, lang: str, column: str = "value") -> str:
    """Return one figure formatted for people ('<5' when hidden)."""
    unit = "count" if column in ("n", "numerator", "denominator") else row["unit"]
    return formatting.value(row[column], unit, lang, bool(row["suppressed"]), data.threshold())


def label(indicator_id: str, lang: str) -> str:
    """Return an indicator's label in the language."""
    return data.catalogue().get(indicator_id).label.get(lang)


def kpi(
    row: pd.Series, previous: pd.Series | None, trend: list[float], sel: state.Selection
) -> None:
    """Draw a KPI tile: value, change against the previous period, target and status."""
    lang = sel.lang
    delta = None
    if previous is not None and not row["suppressed"] and not previous["suppressed"]:
        if pd.notna(row["value"]) and pd.notna(previous["value"]):
            change = row["value"] - previous["value"]
            unit = "count" if row["unit"] == "count" else row["unit"]
            sign = "+" if change >= 0 else "−"
            shown = formatting.value(abs(change), unit, lang)
            delta = f"{sign}{shown} {t('change_vs_previous', lang, period=previous['period'])}"
    status = row["status"]
    st.metric(
        label(row["id"], lang),
        show(row, lang),
        delta=delta,
        delta_color="normal" if row["direction"] == "higher" else "inverse",
        chart_data=trend or None,
        chart_type="line",
        border=True,
    )
    colour = charts.STATUS_COLOURS.get(status, charts.STATUS_COLOURS[None])
    text = t(f"status_{status}" if status else "status_none", lang)
    target = ""
    if pd.notna(row["target"]):
        target = f"{t('target', lang)}: {formatting.value(row['target'], row['unit'], lang)} · "
    st.markdown(
        f"{target}<span style='color:{colour};font-weight:600'>● {text}</span>",
        unsafe_allow_html=True,
    )


def chart(fig: go.Figure, frame: pd.DataFrame, key: str, lang: str) -> None:
    """Draw a figure with a download of the data behind it."""
    st.plotly_chart(fig, key=f"chart_{key}", config={"displaylogo": False})
    st.download_button(
        t("download_data", lang),
        frame.to_csv(index=False).encode("utf-8"),
        file_name=f"{key}.csv",
        mime="text/csv",
        key=f"download_{key}",
    )


def excel_bytes(frame: pd.DataFrame) -> bytes:
    """Return the frame as an .xlsx workbook."""
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False, engine="openpyxl")
    return buffer.getvalue()


def is_missing(value: object) -> bool:
    """Return whether a figure is missing or hidden."""
    return value is None or (isinstance(value, float) and math.isnan(value))
