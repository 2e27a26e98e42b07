"""Layout pieces every page uses: the frame around a page, KPI tiles, charts with their data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, data, state
from dashboard.i18n import t
from indicators import formatting, periods, targets
from pipelines import api


def page_start(title_key: str) -> state.Selection:
    """Draw the page title under the frame's sidebar; stop with a hint when nothing is loaded."""
    snap = data.current_snapshot()
    if snap is None:
        lang = state.requested_language()
        st.title(t(title_key, lang))
        st.info(t("empty_warehouse", lang))
        st.stop()
    selection = state.current()
    st.title(t(title_key, selection.lang))
    if snap.is_synthetic:
        st.caption(t("synthetic", selection.lang))
    return selection


def loading_page_start(title_key: str) -> str:
    """Draw the title of a page that loads data and return the page's language.

    Unlike `page_start` it does not stop on an empty warehouse: loading is how it fills.
    """
    if data.current_snapshot() is None:
        lang = state.requested_language()
        st.title(t(title_key, lang))
        return lang
    return page_start(title_key).lang


def show(row: pd.Series, lang: str, column: str = "value") -> str:
    """Return one figure formatted for people ('<5' when hidden)."""
    unit = "count" if column in ("n", "numerator", "denominator") else row["unit"]
    return formatting.value(row[column], unit, lang, bool(row["suppressed"]), data.threshold())


def label(indicator_id: str, lang: str) -> str:
    """Return an indicator's label in the language."""
    return data.catalogue().get(indicator_id).label.get(lang)


def previous_figures(ids: Sequence[str], sel: state.Selection) -> pd.DataFrame | None:
    """Return the figures of the period before the chosen one; None when it precedes the
    programme (there is nothing to compare with then)."""
    if sel.previous.end < periods.parse("programme").start:
        return None
    return data.figures(tuple(ids), sel.previous.label, sel.as_of, sel.role, sel.snapshot.id)


def kpi(
    indicator_id: str,
    now: pd.DataFrame,
    before: pd.DataFrame | None,
    sel: state.Selection,
    trend: Sequence[float] = (),
) -> None:
    """Draw a KPI tile: value, change against the previous period, target and status."""
    lang = sel.lang
    row = data.overall(now, indicator_id)
    previous = data.overall(before, indicator_id) if before is not None else None
    delta = None
    if previous is not None and not row["suppressed"] and not previous["suppressed"]:
        if pd.notna(row["value"]) and pd.notna(previous["value"]):
            change = row["value"] - previous["value"]
            sign = "+" if change >= 0 else "−"
            shown = formatting.value(abs(change), row["unit"], lang)
            delta = f"{sign}{shown} {t('change_vs_previous', lang, period=previous['period'])}"
    status = row["status"]
    st.metric(
        label(row["id"], lang),
        show(row, lang),
        delta=delta,
        delta_color="normal" if row["direction"] == "higher" else "inverse",
        chart_data=list(trend) or None,
        chart_type="line",
        border=True,
    )
    text = status_text(status, lang)
    target = ""
    if pd.notna(row["target"]):
        deadline = row["target_deadline"] if isinstance(row["target_deadline"], date) else None
        target = f"{t('target', lang)}{t('colon', lang)} "
        target += f"{formatting.target(row['target'], row['unit'], deadline, lang)} · "
    result = targets.result_at_deadline(row)
    if result is not None:  # after the deadline, what the target came to
        status = "on_track" if result.met else "off_track"
        text = targets.describe(result, row["unit"], lang)
    st.markdown(f"{target}{status_badge(status, text)}", unsafe_allow_html=True)


def tiles(
    ids: Sequence[str],
    now: pd.DataFrame,
    sel: state.Selection,
    columns: int | None = None,
    trend_periods: Sequence[str] | None = None,
) -> None:
    """Draw KPI tiles for the indicators, each with its trend by quarter.

    The trend covers the quarters of the chosen period unless other periods are given.
    """
    before = previous_figures(ids, sel)
    quarters = tuple(trend_periods if trend_periods is not None else data.quarters(sel.period))
    history = (
        data.trend(tuple(ids), quarters, sel.as_of, sel.role, sel.snapshot.id) if quarters else None
    )
    places = st.columns(columns or len(ids))
    for i, indicator_id in enumerate(ids):
        with places[i % len(places)]:
            series = [] if history is None else history[history["id"] == indicator_id]["value"]
            kpi(indicator_id, now, before, sel, charts.sparkline(series))


def chart(fig: go.Figure, frame: pd.DataFrame, key: str, lang: str) -> None:
    """Draw a figure with its text alternative: the title sentence as the chart's name for
    screen readers, pointing to the table of the data behind it just below, and a download.

    A figure with nothing but zeros or hidden values is its title sentence alone.
    """
    if charts.is_empty(fig):
        st.info(charts.plain_title(fig))
        return
    st.plotly_chart(
        fig, key=f"chart_{key}", config={"displaylogo": False}, alt=chart_alt(fig, lang)
    )
    with st.expander(t("chart_table", lang), key=f"table_{key}"):
        # a plain HTML table: read cell by cell by screen readers, and no data-grid code to
        # load on a page that has no other table
        st.table(frame.reset_index(drop=True))
    st.download_button(
        t("download_data", lang),
        api.exports.csv_text(frame).encode("utf-8"),
        file_name=f"{key}.csv",
        mime="text/csv",
        key=f"download_{key}",
    )


def chart_alt(fig: go.Figure, lang: str) -> str:
    """Return a chart's name for screen readers: its title sentence and where its data are."""
    return t("chart_alt", lang, title=charts.plain_title(fig))


def excel_bytes(frame: pd.DataFrame) -> bytes:
    """Return the frame as an .xlsx workbook (text as text, never a formula)."""
    return api.exports.xlsx_bytes({"data": frame})


def status_badge(status: str | None, text: str) -> str:
    """Return a status as HTML: its symbol and its words, in its colour (never colour alone).

    The symbol repeats the words, so screen readers skip it.
    """
    key = status if status in charts.STATUS_SYMBOLS else None
    colour, symbol = charts.STATUS_TEXT_COLOURS[key], charts.STATUS_SYMBOLS[key]
    return (
        f"<span style='color:{colour};font-weight:600'>"
        f"<span aria-hidden='true'>{symbol}</span> {text}</span>"
    )


def status_text(status: str | None, lang: str) -> str:
    """Return a target status in words ('geen doel' when there is none)."""
    return t(f"status_{status}" if status else "status_none", lang)


def day(when: date, lang: str) -> str:
    """Return a date written out for the language."""
    return formatting.day(when, lang)
