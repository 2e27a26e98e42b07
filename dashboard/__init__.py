"""connect-impact: the Streamlit dashboard and the console script root."""
