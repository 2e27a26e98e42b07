"""The dashboard's frame: the shared sidebar drawn once, the navigation, and the page run with
errors in one sentence (a user error as it is, a bug as an apology with a reference)."""

import streamlit as st

from dashboard import data, state
from dashboard.i18n import LANGUAGES, t
from dashboard.navigation import PAGES
from pipelines import api

st.set_page_config(page_title="CoNnect Brussel · impact", layout="wide")


def _language() -> str:
    """Return the language asked for before the sidebar is drawn (empty warehouse, errors)."""
    lang = st.session_state.get("lang") or st.query_params.get("lang", "nl")
    return lang if lang in LANGUAGES else "nl"


def frame() -> None:
    """Draw the sidebar once, build the navigation for the person's role, run the page.

    A page the role may not use is absent from the menu and refused when reached by its
    address: the check is here, before the page's code runs.
    """
    snap = data.current_snapshot()
    lang = state.sidebar(snap).lang if snap is not None else _language()
    role = state.role()
    allowed = {name: api.access.allowed(role, need) for name, _, need in PAGES}
    page = st.navigation(
        [
            st.Page(
                f"screens/{name}.py",
                title=t(title, lang),
                url_path=name,
                default=i == 0,
                visibility="visible" if allowed[name] else "hidden",
            )
            for i, (name, title, _) in enumerate(PAGES)
        ]
    )
    # the default page answers at "/", so its url_path is empty
    if not allowed.get(page.url_path or PAGES[0][0], False):
        st.error(t("page_not_allowed", lang, role=role))
        return
    page.run()


try:
    frame()
except api.UserError as exc:
    st.error(str(exc))
except Exception as exc:  # a bug: logged with its traceback, never shown
    api.configure_logging()
    st.error(t("bug_apology", _language(), reference=api.report_bug(exc)))
