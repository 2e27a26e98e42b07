"""The dashboard's router: builds the navigation and runs the page, with errors in one sentence."""

import streamlit as st

from dashboard.i18n import LANGUAGES, t
from dashboard.navigation import PAGES
from pipelines import api

st.set_page_config(page_title="CoNnect Brussel · impact", layout="wide")
lang = st.session_state.get("lang") or st.query_params.get("lang", "nl")
lang = lang if lang in LANGUAGES else "nl"
page = st.navigation(
    [
        st.Page(f"screens/{name}.py", title=t(title, lang), url_path=name, default=i == 0)
        for i, (name, title) in enumerate(PAGES)
    ]
)
try:
    page.run()
except api.UserError as exc:
    st.error(str(exc))
except Exception as exc:  # a bug: logged with its traceback, never shown
    api.configure_logging()
    st.error(t("bug_apology", lang, reference=api.report_bug(exc)))
