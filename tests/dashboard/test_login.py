"""Login: real data need an account (local, argon2), demo data on this machine do not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.cli import APP_FILE
from dashboard.i18n import t
from pipelines import accounts, audit, settings
from tests.conftest import load_export
from tests.indicators.test_hand_built import DATA

PASSWORD = "a-long-enough-password"


@pytest.fixture
def real(tmp_path, secrets_dir, monkeypatch) -> Path:
    """Return a warehouse of real (not generated) data with three local accounts."""
    wh = load_export(tmp_path, DATA, "login-test-pseudonym-key")
    monkeypatch.setenv(settings.WAREHOUSE_ENV, str(wh))
    monkeypatch.delenv("CONNECT_ROLE", raising=False)
    now = datetime.now(UTC)
    for name, role in (("vera", "viewer"), ("stijn", "steward"), ("ada", "admin")):
        accounts.add_user(name, role, PASSWORD, by="test", record=audit.recorder(wh), now=now)
    return wh


def _app() -> AppTest:
    at = AppTest.from_file(str(APP_FILE), default_timeout=60)
    at.query_params["lang"] = "en"
    return at.run()


def _log_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    return at.button[0].click().run()


def test_real_data_show_nothing_but_the_login_form(real):
    at = _app()
    assert [title.value for title in at.title] == [t("login_title", "en")]
    assert not at.dataframe and not at.metric and not at.get("plotly_chart")


def test_a_wrong_password_is_one_sentence_and_the_right_one_opens_the_role_s_pages(real):
    at = _log_in(_app(), "vera", "not-the-password")
    assert [e.value for e in at.error] == ["The user name or password is wrong."]
    at = _log_in(at, "vera", PASSWORD)
    assert not at.exception
    assert at.title[0].value == t("page_overview", "en")
    assert t("role", "en", role="viewer") in [c.value for c in at.sidebar.caption]
    at.switch_page("screens/explorer.py").run()
    assert [e.value for e in at.error] == [t("page_not_allowed", "en", role="viewer")]
    events = [(e["who"], e["action"]) for e in audit.read(real)]
    assert events[-2:] == [("vera", "login_failed"), ("vera", "login")]


def test_a_steward_sees_data_quality_and_logs_out(real):
    at = _log_in(_app(), "stijn", PASSWORD)
    at.switch_page("screens/data_quality.py").run()
    assert at.title[0].value == t("page_data_quality", "en") and not at.error
    at.sidebar.button(key="logout").click().run()
    assert [title.value for title in at.title] == [t("login_title", "en")]
    assert audit.read(real)[-1]["action"] == "logout"


def test_a_locked_account_cannot_log_in_with_the_right_password(real):
    at = _app()
    for _ in range(5):
        at = _log_in(at, "ada", "wrong-password-again")
    at = _log_in(at, "ada", PASSWORD)
    assert [title.value for title in at.title] == [t("login_title", "en")]
    [error] = at.error
    assert "locked" in error.value.lower()
    later = datetime.now(UTC) + timedelta(minutes=16)
    assert accounts.authenticate("ada", PASSWORD, later, record=audit.recorder(real)) == "admin"


def test_demo_data_open_without_login_only_on_this_machine(demo_warehouse, monkeypatch):
    monkeypatch.setenv(settings.WAREHOUSE_ENV, str(demo_warehouse))
    at = _app()
    assert at.title[0].value == t("page_overview", "en")
    assert t("demo_mode", "en") in [w.value for w in at.sidebar.warning]
    monkeypatch.setenv(settings.SERVE_ADDRESS_ENV, "0.0.0.0")
    at = _app()
    assert [title.value for title in at.title] == [t("login_title", "en")]
