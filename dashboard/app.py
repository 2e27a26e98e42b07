"""The dashboard's frame: the shared sidebar drawn once, the navigation, and the page run with
errors in one sentence (a user error as it is, a bug as an apology with a reference)."""

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import data, state
from dashboard.i18n import t
from dashboard.navigation import PAGES
from pipelines import api

st.set_page_config(page_title="CoNnect Brussel · impact", layout="wide")


SESSION_KEY = "session_token"
SSO_SEEN_KEY = "sso_seen"  # the single sign-on identity whose login is already in the audit log


def _sso_configured() -> bool:
    """Return whether single sign-on (OpenID Connect) is set up: an [auth] section in secrets."""
    return st.secrets.load_if_toml_exists() and "auth" in st.secrets


def _sso_provider() -> str | None:
    """Return the named provider of [auth.NAME], or None for settings directly under [auth]."""
    named = [
        key
        for key, value in st.secrets["auth"].items()
        if isinstance(value, Mapping) and "client_id" in value
    ]
    return named[0] if named else None


def _login(lang: str) -> None:
    """Draw the way in: the single sign-on button when configured, else the local login form."""
    st.title(t("login_title", lang))
    if _sso_configured():
        if st.session_state.pop("sso_expired", False):
            st.info(t("session_expired", lang))
        if st.button(t("login_sso_button", lang), key="login_sso", type="primary"):
            st.login(_sso_provider())
        return
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


def _sso_person(lang: str) -> tuple[str, str] | None:
    """Return (identity, role) of someone the provider vouches for and the allow-list names.

    Someone the provider knows but the list does not gets a refusal and nothing else; an
    identity older than a session may last is sent back to log in. The first sight of an
    identity in this browser session goes to the audit log (login, or login_failed).
    """
    if not st.user.is_logged_in:
        return None
    claims = st.user.to_dict()
    if api.accounts.sso_expired(claims, datetime.now(UTC)):
        st.session_state["sso_expired"] = True
        return None
    who, role = api.accounts.sso_person(claims)
    if st.session_state.get(SSO_SEEN_KEY) != who:
        api.audit.append(
            api.warehouse_dir(),
            who,
            "login" if role else "login_failed",
            "single sign-on" if role else "single sign-on: not on the allow-list",
        )
        st.session_state[SSO_SEEN_KEY] = who
    if role is None:

        def refuse() -> None:
            st.title(t("login_title", lang))
            st.error(t("sso_not_listed", lang, who=who))
            if st.button(t("logout_button", lang), key="logout"):
                st.logout()

        _alone(refuse, lang)
        st.stop()
    return who, role


def _alone(draw: Callable[[], None], lang: str) -> None:
    """Run draw as the one page there is: no menu, whatever address was asked for."""

    def page() -> None:
        _declare_language(lang, st.container())  # pages without a sidebar: keep it closed
        draw()

    login = st.Page(page, title=t("login_title", lang), url_path="login", default=True)
    st.navigation([login], position="hidden").run()


def _person(snap: data.SnapshotInfo | None, lang: str) -> tuple[str, str] | None:
    """Return (name, role) of the person looking, or None when they must log in first.

    Demo mode, and only demo mode, opens without login: the snapshot holds synthetic data only
    (or nothing yet) and the server listens on this machine alone.
    """
    if data.demo_mode(snap):
        st.sidebar.warning(t("demo_mode", lang))
        return "demo", state.role()
    if _sso_configured():
        return _sso_person(lang)
    return api.accounts.session_user(st.session_state.get(SESSION_KEY), datetime.now(UTC))


def _logout(name: str, lang: str) -> None:
    """Draw who is logged in and the logout button in the sidebar."""
    st.sidebar.caption(t("logged_in_as", lang, name=name))
    if st.sidebar.button(t("logout_button", lang), key="logout"):
        wh = api.warehouse_dir()
        if _sso_configured():
            api.audit.append(wh, name, "logout", "single sign-on")
            st.logout()  # ends this session and the provider's, and reloads the app
            return
        record = api.audit.recorder(wh)
        api.accounts.logout(
            st.session_state.pop(SESSION_KEY, None), datetime.now(UTC), record=record
        )
        st.rerun()


def _declare_language(lang: str, where: DeltaGenerator) -> None:
    """Set the page's html lang to the interface language, so screen readers speak it right.

    Streamlit's page always says lang="en" (WCAG 3.1.1 wants the page's own language).
    """
    where.html(
        f"<script>document.documentElement.lang = {json.dumps(lang)};</script>",
        unsafe_allow_javascript=True,
    )


def frame() -> None:
    """Check who is looking, draw the sidebar once, build their navigation, run the page.

    A page the role may not use is absent from the menu and refused when reached by its
    address: the check is here, before the page's code runs.
    """
    snap = data.current_snapshot()
    person = _person(snap, state.requested_language())
    if person is None:
        lang = state.requested_language()
        _alone(lambda: _login(lang), lang)
        return
    name, role = person
    st.session_state[data.PERSON_KEY], st.session_state[data.ROLE_KEY] = name, role
    lang = state.sidebar(snap, role).lang if snap is not None else state.requested_language()
    _declare_language(lang, st.sidebar)
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
