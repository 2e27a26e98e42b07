"""The dashboard's router: builds the navigation and nothing else."""

import streamlit as st

st.set_page_config(page_title="connect-impact", layout="wide")
pages = [st.Page("pages/data_overview.py", title="Gegevens / Data", default=True)]
st.navigation(pages).run()
