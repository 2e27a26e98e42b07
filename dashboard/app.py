"""The dashboard's frame: the shared sidebar drawn once, the navigation, and the page run with
errors in one sentence (a user error as it is, a bug as an apology with a reference)."""

from datetime import UTC, datetime

import streamlit as st

from dashboard import data, state
from dashboard.i18n import t
from dashboard.navigation import PAGES
from pipelines import api

st.set_page_config(page_title="CoNnect Brussel · impact", layout="wide")


SESSION_KEY = "session_token"


def _login(lang: str) -> None:
    """Draw the login form; a right name and password start a session and rerun the app."""
    st.title(t("login_title", lang))
    with st.form("login"):
        name = st.text_input(t("login_name", lang), key="login_name")
        password = st.text_input(t("login_password", lang), type="password", key="login_password")
        submitted = st.form_submit_button(t("login_button", lang))
    if submitted:
        now = datetime.now(UTC)
        record = api.audit.recorder(api.warehouse_dir())
        try:
            api.accounts.authenticate(name, password, now, record=record)
        except api.accounts.LoginFailed as exc:
            st.error(str(exc))
            return
        st.session_state[SESSION_KEY] = api.accounts.issue_session(name, now)
        st.rerun()


def _person(snap: data.SnapshotInfo | None, lang: str) -> tuple[str, str] | None:
    """Return (name, role) of the person looking, or None when they must log in first.

    Demo mode, and only demo mode, opens without login: the snapshot holds synthetic data only
    (or nothing yet) and the server listens on this machine alone.
    """
    if data.demo_mode(snap):
        st.sidebar.warning(t("demo_mode", lang))
        return "demo", state.role()
    return api.accounts.session_user(st.session_state.get(SESSION_KEY), datetime.now(UTC))


def _logout(name: str, lang: str) -> None:
    """Draw who is logged in and the logout button in the sidebar."""
    st.sidebar.caption(t("logged_in_as", lang, name=name))
    if st.sidebar.button(t("logout_button", lang), key="logout"):
        record = api.audit.recorder(api.warehouse_dir())
        api.accounts.logout(
            st.session_state.pop(SESSION_KEY, None), datetime.now(UTC), record=record
        )
        st.rerun()


def frame() -> None:
    """Check who is looking, draw the sidebar once, build their navigation, run the page.

    A page the role may not use is absent from the menu and refused when reached by its
    address: the check is here, before the page's code runs.
    """
    snap = data.current_snapshot()
    person = _person(snap, state.requested_language())
    if person is None:
        _login(state.requested_language())
        return
    name, role = person
    st.session_state[data.PERSON_KEY], st.session_state[data.ROLE_KEY] = name, role
    lang = state.sidebar(snap, role).lang if snap is not None else state.requested_language()
    if name != "demo":
        _logout(name, lang)
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
        ],
        # Streamlit folds a menu of more than twelve pages behind "View more"; show them all
        expanded=True,
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
    st.error(t("bug_apology", state.requested_language(), reference=api.report_bug(exc)))
