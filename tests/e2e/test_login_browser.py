"""Logging in for real, in Chromium: single sign-on through a local OpenID Connect provider
started by the test (oidc-provider-mock), and local accounts; the menu each role gets, an
upload by a steward and logging out.

The demo warehouse is copied and served on every address (0.0.0.0), so demo mode is off and
the dashboard asks who is looking, as it does for real data.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from oidc_provider_mock import User, run_server_in_thread
from playwright.sync_api import Page, expect

from dashboard.navigation import PAGES
from pipelines import accounts, audit, settings, warehouse
from tests.conftest import TEST_KEY
from tests.dashboard.test_roles import EXPECTED
from tests.e2e.kit import TIMEOUT_MS, free_port, serving, title, wait_idle

I18N = Path(__file__).resolve().parents[2] / "dashboard" / "i18n"
UPLOAD_INPUT = '[data-testid="stFileUploaderDropzoneInput"]'
PASSWORD = "a-long-enough-password-for-the-browser"
LOCAL = {"vera": "viewer", "stijn": "steward"}
SSO = {"analyst@example.be": "analyst"}  # the allow-list; stranger@example.org is not on it
MENU = '[data-testid="stSidebarNav"] [data-testid="stSidebarNavLink"]'


def _strings(lang: str = "nl", part: str = "common") -> dict[str, str]:
    return yaml.safe_load((I18N / lang / f"{part}.yaml").read_text(encoding="utf-8"))


def menu_for(role: str) -> list[str]:
    """Return the menu a role must see, in menu order (worked out in tests/dashboard)."""
    titles = _strings()
    return [titles[key] for name, key, _ in PAGES if name in EXPECTED[role]]


@dataclass(frozen=True)
class Site:
    url: str
    warehouse: Path


def _copy(demo_warehouse: Path, root: Path) -> Path:
    wh = root / "warehouse"
    shutil.copytree(demo_warehouse, wh)
    return wh


@pytest.fixture(scope="module")
def local_site(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Serve a copy of the demo data publicly with local accounts (no single sign-on)."""
    root = tmp_path_factory.mktemp("local_site")
    wh = _copy(demo_warehouse, root)
    secrets = root / "secrets"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(settings.SECRETS_ENV, str(secrets))
        now = datetime.now(UTC)
        for name, role in LOCAL.items():
            accounts.add_user(name, role, PASSWORD, by="test", record=audit.recorder(wh), now=now)
    # the key the demo data was loaded with: an upload under any other is refused
    env = {settings.SECRETS_ENV: str(secrets), settings.PSEUDONYM_KEY_ENV: TEST_KEY}
    with serving(wh, root / "serve.log", env, address="0.0.0.0") as url:
        yield Site(url, wh)


@pytest.fixture(scope="module")
def sso_site(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Serve a copy of the demo data publicly with single sign-on through a local provider."""
    root = tmp_path_factory.mktemp("sso_site")
    wh = _copy(demo_warehouse, root)
    secrets = root / "secrets"
    secrets.mkdir(mode=0o700)
    (secrets / settings.ALLOWED_USERS_FILE_NAME).write_text(yaml.safe_dump({"users": SSO}))
    known = [
        User(sub="subject-analyst", claims={"email": "analyst@example.be"}),
        User(sub="subject-stranger", claims={"email": "stranger@example.org"}),
    ]
    port = free_port()
    with run_server_in_thread(user_claims=known) as provider:
        (secrets / settings.STREAMLIT_SECRETS_FILE_NAME).write_text(
            "[auth]\n"
            f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
            'cookie_secret = "a-cookie-secret-for-this-test-only"\n'
            'client_id = "connect-impact"\n'
            'client_secret = "a-client-secret-for-this-test-only"\n'
            "server_metadata_url = "
            f'"http://localhost:{provider.server_port}/.well-known/openid-configuration"\n'
        )
        env = {settings.SECRETS_ENV: str(secrets)}
        with serving(wh, root / "serve.log", env, port=port, address="0.0.0.0") as url:
            yield Site(url, wh)


def open_app(page: Page, site: Site) -> None:
    page.goto(f"{site.url}/?lang=nl", wait_until="domcontentloaded")
    wait_idle(page)


def menu(page: Page) -> list[str]:
    return page.locator(MENU).all_inner_texts()


def log_in_locally(page: Page, site: Site, name: str) -> None:
    open_app(page, site)
    assert title(page) == _strings()["login_title"] and menu(page) == []
    page.get_by_label(_strings()["login_name"]).fill(name)
    page.get_by_label(_strings()["login_password"]).fill(PASSWORD)
    page.get_by_role("button", name=_strings()["login_button"]).click()
    expect(page.locator(MENU).first).to_be_visible(timeout=TIMEOUT_MS)
    wait_idle(page)


def log_out(page: Page) -> None:
    page.locator('[data-testid="stSidebar"]').get_by_role(
        "button", name=_strings()["logout_button"]
    ).click()


def test_a_viewer_logs_in_with_a_local_account_sees_the_viewer_menu_and_logs_out(page, local_site):
    log_in_locally(page, local_site, "vera")
    assert title(page) == _strings()["page_overview"]
    assert menu(page) == menu_for("viewer")
    log_out(page)
    expect(page.locator('[data-testid="stMain"] h1').first).to_have_text(
        _strings()["login_title"], timeout=TIMEOUT_MS
    )
    wait_idle(page)
    assert menu(page) == []
    actions = [(e["who"], e["action"]) for e in audit.read(local_site.warehouse)]
    assert actions[-2:] == [("vera", "login"), ("vera", "logout")]


def test_a_steward_uploads_an_export_sees_it_published_and_logs_out(
    page, local_site, demo_warehouse, tmp_path
):
    # next month's participants export: the demo's file without its last row (new content)
    with open(
        demo_warehouse.parent / "raw" / "participants.csv", newline="", encoding="utf-8"
    ) as fh:
        rows = list(csv.reader(fh))
    export = tmp_path / "participants.csv"
    with open(export, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows[:-1])
    read = len(rows) - 2  # without the header and the dropped row
    before = warehouse.current(local_site.warehouse).id

    log_in_locally(page, local_site, "stijn")
    assert menu(page) == menu_for("steward")
    page.locator(MENU).filter(has_text=_strings()["page_upload"]).click()
    expect(page.locator('[data-testid="stMain"] h1').first).to_have_text(
        _strings()["page_upload"], timeout=TIMEOUT_MS
    )
    page.locator(UPLOAD_INPUT).set_input_files(str(export))
    go = page.get_by_role("button", name=_strings("nl", "upload")["upload_go"])
    expect(go).to_be_enabled(timeout=TIMEOUT_MS)
    go.click()
    published = page.get_by_text(_strings("nl", "upload")["upload_published"].split("{")[0])
    expect(published).to_be_visible(timeout=TIMEOUT_MS)
    wait_idle(page)

    after = warehouse.current(local_site.warehouse).id
    assert after != before and after in published.inner_text()
    assert page.locator('[data-testid="stDataFrame"]').count() == 1  # the accounting
    last = audit.read(local_site.warehouse)[-1]
    assert (last["who"], last["action"], last["snapshot"]) == ("stijn", "upload", after)
    assert last["what"] == f"{read:,} rows read, 0 quarantined: participants.csv"
    log_out(page)
    expect(page.locator('[data-testid="stMain"] h1').first).to_have_text(
        _strings()["login_title"], timeout=TIMEOUT_MS
    )


def sso_log_in(page: Page, site: Site, subject: str) -> None:
    """Click the single sign-on button and pick a known user on the provider's page."""
    open_app(page, site)
    assert title(page) == _strings()["login_title"] and menu(page) == []
    page.get_by_role("button", name=_strings()["login_sso_button"]).click()
    # the provider's own page: it lists the users it knows
    page.get_by_role("button", name=subject, exact=True).click()
    page.wait_for_url(f"{site.url}/**", timeout=TIMEOUT_MS)
    wait_idle(page)


def test_single_sign_on_gives_an_analyst_the_analyst_menu_and_logs_out(page, sso_site):
    sso_log_in(page, sso_site, "subject-analyst")
    assert title(page) == _strings()["page_overview"]
    assert menu(page) == menu_for("analyst")
    log_out(page)
    # the provider ends its own session too (its page asks to confirm), then sends us back
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{sso_site.url}/**", timeout=TIMEOUT_MS)
    wait_idle(page)
    assert title(page) == _strings()["login_title"] and menu(page) == []
    actions = [(e["who"], e["action"]) for e in audit.read(sso_site.warehouse)]
    assert ("analyst@example.be", "login") in actions
    assert actions[-1] == ("analyst@example.be", "logout")


def test_single_sign_on_of_someone_not_on_the_list_shows_nothing(page, sso_site):
    sso_log_in(page, sso_site, "subject-stranger")
    assert title(page) == _strings()["login_title"] and menu(page) == []
    refusal = _strings()["sso_not_listed"].format(who="stranger@example.org")
    expect(page.get_by_text(refusal)).to_be_visible()
    assert page.locator('[data-testid="stMetric"], [data-testid="stPlotlyChart"]').count() == 0
