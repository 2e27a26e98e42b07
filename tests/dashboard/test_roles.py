"""Each role gets the pages its capabilities allow: the others are absent from the menu and
refused when reached by their address (pipelines/access.py holds the one table of rights).

The roles are reached the two ways a real person logs in: single sign-on (OpenID Connect,
with `st.user` set as Streamlit's own tests do) and a local account logged in through the
form. The demo data are served as if on a public address, so demo mode is off.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from dashboard.cli import APP_FILE
from dashboard.i18n import t
from dashboard.navigation import PAGES
from pipelines import accounts, audit, settings

# worked out from issue 10: viewers the aggregate pages, plan and council questions; analysts
# add the explorer; stewards add data quality and upload; admins add the administration page
EXPECTED = {
    "viewer": {"overview", "plan", "council", "trajectory", "flow", "organisations", "money"}
    | {"outcomes", "methodology"},
}
EXPECTED["analyst"] = EXPECTED["viewer"] | {"explorer"}
EXPECTED["steward"] = EXPECTED["analyst"] | {"data_quality", "upload"}
EXPECTED["admin"] = EXPECTED["steward"] | {"admin"}
PASSWORD = "a-long-enough-password"
# the [auth] section of .streamlit/secrets.toml; nothing is fetched from it in an AppTest
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "cookie-secret-for-the-test-only",
    "client_id": "connect-impact",
    "client_secret": "client-secret-for-the-test-only",
    "server_metadata_url": "http://localhost:9/.well-known/openid-configuration",
}


def _email(role: str) -> str:
    return f"{role}@example.be"


@pytest.fixture
def public(demo_warehouse: Path, secrets_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Serve the demo warehouse as if on a public address, with an account for every role."""
    monkeypatch.setenv(settings.WAREHOUSE_ENV, str(demo_warehouse))
    monkeypatch.setenv(settings.SERVE_ADDRESS_ENV, "0.0.0.0")
    monkeypatch.delenv("CONNECT_ROLE", raising=False)
    secrets_dir.mkdir(parents=True, exist_ok=True)
    allowed = {"users": {_email(role): role for role in EXPECTED}}
    (secrets_dir / settings.ALLOWED_USERS_FILE_NAME).write_text(yaml.safe_dump(allowed))
    now, record = datetime.now(UTC), audit.recorder(demo_warehouse)
    for role in EXPECTED:
        accounts.add_user(role, role, PASSWORD, by="test", record=record, now=now)
    return demo_warehouse


def _app() -> AppTest:
    at = AppTest.from_file(str(APP_FILE), default_timeout=60)
    at.query_params["lang"] = "en"
    return at


def sso(claims: dict) -> AppTest:
    """Return the app with single sign-on configured and `st.user` holding the claims."""
    at = _app()
    at.secrets["auth"] = dict(AUTH)
    at.user = {"is_logged_in": True, "iat": int(time.time()), **claims}
    return at.run()


def local(name: str, password: str = PASSWORD) -> AppTest:
    """Return the app after logging in through the form with a local account."""
    at = _app().run()
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    return at.button[0].click().run()


LOGINS: dict[str, Callable[[str], AppTest]] = {
    "sso": lambda role: sso({"email": _email(role), "sub": f"subject-of-{role}"}),
    "local": local,
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
@pytest.mark.parametrize("login", sorted(LOGINS))
def test_every_page_renders_for_its_roles_and_is_refused_to_the_others(public, login, role):
    at = LOGINS[login](role)
    assert not at.exception, at.exception
    refusal = t("page_not_allowed", "en", role=role)
    for name, title_key, _ in PAGES:
        at.switch_page(f"screens/{name}.py").run()
        assert not at.exception, (login, role, name, at.exception)
        errors = [e.value for e in at.error]
        if name in EXPECTED[role]:
            assert refusal not in errors, (login, role, name)
            assert at.title[0].value == t(title_key, "en"), (login, role, name)
        else:
            assert errors == [refusal], (login, role, name)
            assert not at.title and not at.dataframe, (login, role, name)


def _sees_nothing(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert [title.value for title in at.title] == [t("login_title", "en")]
    assert not at.dataframe and not at.metric and not at.get("plotly_chart")
    assert not at.sidebar.selectbox  # not even the sidebar's controls


def test_someone_the_provider_knows_but_the_list_does_not_sees_nothing(public):
    at = sso({"email": "stranger@example.org", "sub": "subject-of-a-stranger"})
    _sees_nothing(at)
    assert [e.value for e in at.error] == [t("sso_not_listed", "en", who="stranger@example.org")]
    with pytest.raises(ValueError, match="Known pages: \\['Log in'\\]"):
        at.switch_page("screens/explorer.py")  # no page but the refusal is even registered
    last = audit.read(public)[-1]
    assert (last["who"], last["action"]) == ("stranger@example.org", "login_failed")


def test_the_list_matches_an_e_mail_without_regard_to_case_or_else_the_subject(public):
    at = sso({"email": "Analyst@Example.BE", "sub": "whatever"})
    assert t("role", "en", role="analyst") in [c.value for c in at.sidebar.caption]
    listed = {"users": {"subject-7": "steward"}}
    (settings.secrets_dir() / settings.ALLOWED_USERS_FILE_NAME).write_text(yaml.safe_dump(listed))
    at = sso({"email": "no-mail-match@example.be", "sub": "subject-7"})
    assert t("role", "en", role="steward") in [c.value for c in at.sidebar.caption]
    assert audit.read(public)[-1]["who"] == "subject-7"


def test_a_single_sign_on_older_than_a_session_must_log_in_again(public):
    at = _app()
    at.secrets["auth"] = dict(AUTH)
    nine_hours_ago = int(time.time()) - 9 * 3600
    at.user = {"is_logged_in": True, "iat": nine_hours_ago, "email": _email("admin")}
    at.run()
    _sees_nothing(at)
    assert [i.value for i in at.info] == [t("session_expired", "en")]
    assert at.button(key="login_sso").label == t("login_sso_button", "en")


def test_without_a_login_single_sign_on_shows_its_button_and_nothing_else(public):
    at = _app()
    at.secrets["auth"] = dict(AUTH)
    at.user = {"is_logged_in": False}
    _sees_nothing(at.run())
    assert not at.text_input  # no local password form beside single sign-on
    assert at.button(key="login_sso").label == t("login_sso_button", "en")


def test_an_unknown_local_user_and_a_wrong_password_see_nothing(public):
    for name, password in (("nobody", PASSWORD), ("admin", "wrong-password-1")):
        at = local(name, password)
        _sees_nothing(at)
        assert [e.value for e in at.error] == ["The user name or password is wrong."]


def test_in_demo_mode_an_unknown_role_is_a_viewer(open_page):
    at = open_page("explorer", lang="en", role="superuser")
    assert [e.value for e in at.error] == [t("page_not_allowed", "en", role="viewer")]
