"""Upload: programme staff drop the exports here; the load is the command line's own."""

import pandas as pd
import streamlit as st

from dashboard import data, widgets
from dashboard.i18n import t
from indicators import formatting

RESULT_KEY = "upload_outcome"

lang = widgets.loading_page_start("page_upload")
st.write(t("upload_intro", lang))


def count(value: float) -> str:
    """Return a count written for the language."""
    return formatting.number(value, lang, 0)


def accounting_table(result: data.LoadResult) -> pd.DataFrame:
    """Return the load's accounting per table with the Data quality page's column names."""
    frame = result.accounting()
    return pd.DataFrame(
        {
            t(f"data_quality_col_{column}", lang): frame[column]
            if column == "table"
            else frame[column].map(count)
            for column in frame.columns
        }
    )


def report(outcome: data.Upload, demo_ended: bool) -> None:
    """Draw what an upload did: the refusal, or the accounting of the new snapshot."""
    if outcome.busy:
        st.warning(t("upload_busy", lang))
        return
    if outcome.refusal is not None:
        st.error(outcome.refusal)
        return
    result = outcome.result
    for warning in result.warnings:
        st.warning(warning)
    for name in result.skipped_files:
        st.info(t("upload_skipped", lang, name=name))
    if outcome.snapshot_id is None:
        st.info(t("upload_nothing_new", lang))
        return
    st.success(
        t(
            "upload_published",
            lang,
            snapshot=outcome.snapshot_id,
            read=count(result.rows_read),
            files=count(len(outcome.names)),
        )
    )
    st.dataframe(
        accounting_table(result), hide_index=True, width="stretch", key="upload_accounting"
    )
    st.caption(t("upload_note", lang))
    if result.quarantined:
        st.warning(t("upload_quarantined", lang, n=count(result.quarantined)))
        st.page_link("screens/data_quality.py", label=t("page_data_quality", lang), icon="🔎")
    else:
        st.success(t("upload_none_quarantined", lang))
    if demo_ended:
        st.warning(t("upload_demo_ended", lang))


files = st.file_uploader(
    t("upload_files", lang),
    type=list(data.UPLOAD_TYPES),
    accept_multiple_files=True,
    key="upload_files",
)
demo_ended = False
if st.button(t("upload_go", lang), key="upload_go", type="primary", disabled=not files):
    before = data.current_snapshot()
    bar = st.progress(0.0, text=t("upload_progress_start", lang))

    def show(step: str, done: int, total: int) -> None:
        """Move the bar: the load reports (what it does now, steps done, steps in all)."""
        text = t("upload_progress", lang, step=step, done=done + 1, total=total)
        bar.progress(min(done / total, 1.0) if total else 0.0, text=text)

    outcome = data.upload([(f.name, f.getbuffer()) for f in files], progress=show)
    bar.empty()
    st.session_state[RESULT_KEY] = outcome
    # real data end demo mode: the next run asks for a login, so say so now, in this run;
    # otherwise run again, so that the sidebar and every page show the new snapshot
    published = outcome.snapshot_id is not None
    demo_ended = (
        published and data.demo_mode(before) and not data.demo_mode(data.current_snapshot())
    )
    if published and not demo_ended:
        st.rerun()

if RESULT_KEY in st.session_state:
    report(st.session_state[RESULT_KEY], demo_ended)
