"""The dashboard's router: builds the navigation and nothing else."""

import streamlit as st

from dashboard.i18n import LANGUAGES, t
from dashboard.navigation import PAGES

st.set_page_config(page_title="CoNnect Brussel · impact", layout="wide")
lang = st.session_state.get("lang") or st.query_params.get("lang", "nl")
lang = lang if lang in LANGUAGES else "nl"
st.navigation(
    [
        st.Page(f"screens/{name}.py", title=t(title, lang), url_path=name, default=i == 0)
        for i, (name, title) in enumerate(PAGES)
    ]
).run()
