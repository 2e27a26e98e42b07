"""Placeholder page until the dashboard issue lands: the loaded tables and their row counts."""

import streamlit as st

from dashboard import data
from pipelines import settings

st.title("CoNnect Brussel: geladen gegevens")
snap = data.current_snapshot()
if snap is None:
    st.info("Het datawarehouse is nog leeg. Laad gegevens met `connect-impact load PAD`.")
    st.stop()
caption = f"Snapshot {snap.id}, geladen op {snap.created_at}"
if snap.is_synthetic:
    caption += " · synthetische demogegevens (synthetic demo data)"
st.caption(caption)
overview = data.table_overview(str(settings.warehouse_dir()), snap.id)
st.dataframe(
    overview.rename(columns={"table": "tabel", "rows": "rijen"}),
    hide_index=True,
    width="stretch",
)
