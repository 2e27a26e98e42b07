"""Data quality: the row accounting of the loads, what was quarantined and why, GX checks."""

import json

import pandas as pd
import streamlit as st

from dashboard import charts, data, widgets
from dashboard.i18n import t
from indicators import formatting

# the roles that may see the values of rejected rows (they fix the source exports)
ACCOUNTING = {
    "rows_read": "read",
    "rows_inserted": "inserted",
    "rows_updated": "updated",
    "rows_unchanged": "unchanged",
    "rows_quarantined": "quarantined",
    "rows_duplicate": "duplicates",
}

sel = widgets.page_start("page_data_quality")
lang = sel.lang
st.write(t("data_quality_intro", lang))


def count(value: float) -> str:
    """Return a count written for the language."""
    return formatting.number(value, lang, 0)


def accounting_table(frame: pd.DataFrame, first: dict[str, str]) -> pd.DataFrame:
    """Return load rows with their counts formatted and a check that read adds up."""
    parts = [c for c in ACCOUNTING if c != "rows_read"]
    balanced = frame["rows_read"] == frame[parts].sum(axis=1)
    out = pd.DataFrame(
        {t(f"data_quality_col_{k}", lang): frame[c].fillna("") for c, k in first.items()}
    )
    if "started_at" in first:
        out[t("data_quality_col_started_at", lang)] = frame["started_at"].dt.strftime(
            "%Y-%m-%d %H:%M"
        )
    for column, key in ACCOUNTING.items():
        out[t(f"data_quality_col_{key}", lang)] = frame[column].map(count)
    out[t("data_quality_col_balanced", lang)] = balanced.map({True: "✓", False: "✗"})
    return out


batches, files = data.load_history(sel.snapshot.id)

# --- the picture: quarantined rows per table ---------------------------------------------------
per_table = (
    files.groupby("table_name", sort=True)[["rows_read", "rows_quarantined"]]
    .sum()
    .reset_index()
    .rename(columns={"table_name": "table", "rows_quarantined": "quarantined"})
)
per_table["shown"] = per_table["quarantined"].map(count)
read, quarantined = int(per_table["rows_read"].sum()), int(per_table["quarantined"].sum())
if quarantined:
    title = t(
        "data_quality_title_some",
        lang,
        quarantined=count(quarantined),
        read=count(read),
        tables=count((per_table["quarantined"] > 0).sum()),
        all_tables=count(len(per_table)),
    )
    fig = charts.bars(
        per_table,
        "table",
        "quarantined",
        title,
        lang,
        x_label=t("data_quality_axis_rows", lang),
        y_label=t("data_quality_axis_table", lang),
        horizontal=True,
        text="shown",
    )
    widgets.chart(fig, per_table.drop(columns="shown"), "data_quality_quarantine", lang)
else:  # a chart of zeros says nothing the sentence does not
    st.success(t("data_quality_title_none", lang, read=count(read)))

# --- reasons: counts only, for everyone --------------------------------------------------------
st.subheader(t("data_quality_reasons", lang))
reasons = data.quarantine_reasons(sel.snapshot.id)
if len(reasons):
    st.caption(t("data_quality_reasons_note", lang))
    st.dataframe(
        pd.DataFrame(
            {
                t("data_quality_col_table", lang): reasons["table_name"],
                t("data_quality_col_reason", lang): reasons["reason"],
                t("data_quality_col_rows", lang): reasons["n"].map(count),
            }
        ),
        hide_index=True,
        width="stretch",
        key="data_quality_reasons",
    )
else:
    st.success(t("data_quality_no_reasons", lang))

# --- the rejected rows themselves: only for the roles that fix them ----------------------------
st.subheader(t("data_quality_rows", lang))
if not data.allowed(sel.role, "quarantine_values"):
    st.info(t("data_quality_rows_hidden", lang))
elif len(reasons):
    tables = sorted(reasons["table_name"].unique())
    table = st.selectbox(t("data_quality_rows_table", lang), tables, key="data_quality_table")
    rows = data.quarantine_rows(sel.role, sel.snapshot.id, table)
    values = pd.json_normalize([json.loads(v) for v in rows["row_values"]])
    shown = pd.concat(
        [
            pd.DataFrame(
                {
                    t("data_quality_col_source", lang): rows["source"],
                    t("data_quality_col_source_row", lang): rows["source_row"],
                    t("data_quality_col_reasons", lang): rows["reasons"],
                }
            ),
            values,
        ],
        axis=1,
    )
    st.dataframe(shown, hide_index=True, width="stretch", key="data_quality_values")
else:
    st.success(t("data_quality_no_reasons", lang))

# --- loads and their row accounting -------------------------------------------------------------
st.subheader(t("data_quality_loads", lang))
st.caption(t("data_quality_balanced_note", lang))
st.markdown(f"**{t('data_quality_batches', lang)}**")
st.dataframe(
    accounting_table(
        batches.sort_values("started_at", ascending=False),
        {"started_at": "started_at", "outcome": "outcome", "n_files": "files"},
    ),
    hide_index=True,
    width="stretch",
    key="data_quality_batches",
)
st.markdown(f"**{t('data_quality_files', lang)}**")
st.dataframe(
    accounting_table(
        files.sort_values(["started_at", "file_name"], ascending=[False, True]),
        {"started_at": "started_at", "file_name": "file", "sheet": "sheet", "table_name": "table"},
    ),
    hide_index=True,
    width="stretch",
    key="data_quality_files",
)

# --- Great Expectations results of the latest load ----------------------------------------------
st.subheader(t("data_quality_expectations", lang))
checks = data.expectation_results(sel.snapshot.id)
passed = int(checks["success"].sum())
st.write(
    t(
        "data_quality_expectations_summary",
        lang,
        passed=count(passed),
        total=count(len(checks)),
        failed=count(len(checks) - passed),
    )
)
summary = checks.groupby("table_name", sort=True)["success"].agg(["sum", "size"]).reset_index()
st.dataframe(
    pd.DataFrame(
        {
            t("data_quality_col_table", lang): summary["table_name"],
            t("data_quality_col_passed", lang): summary["sum"].map(count),
            t("data_quality_col_failed", lang): (summary["size"] - summary["sum"]).map(count),
        }
    ),
    hide_index=True,
    width="stretch",
    key="data_quality_checks",
)
failing = checks[~checks["success"]]
if len(failing):
    st.markdown(f"**{t('data_quality_failing', lang)}**")
    st.dataframe(
        pd.DataFrame(
            {
                t("data_quality_col_table", lang): failing["table_name"],
                t("data_quality_col_expectation", lang): failing["expectation"],
                t("data_quality_col_column", lang): failing["column_name"].fillna(""),
                t("data_quality_col_unexpected", lang): failing["unexpected_count"].map(count),
            }
        ),
        hide_index=True,
        width="stretch",
        key="data_quality_failing",
    )
else:
    st.success(t("data_quality_all_passed", lang))

# --- what the snapshot holds --------------------------------------------------------------------
st.subheader(t("data_quality_tables", lang))
overview = data.table_overview(sel.snapshot.id)
st.dataframe(
    pd.DataFrame(
        {
            t("data_quality_col_table", lang): overview["table"],
            t("data_quality_col_rows", lang): overview["rows"].map(count),
        }
    ),
    hide_index=True,
    width="stretch",
    key="data_quality_tables",
)
