"""The administration page: local accounts and the audit log, for admins only."""

from __future__ import annotations

from datetime import UTC, datetime

from dashboard.i18n import t
from pipelines import accounts, audit


def test_admins_add_a_user_and_read_the_audit_log(open_page, demo_warehouse, secrets_dir):
    accounts.add_user(
        "ada",
        "admin",
        "a-long-enough-password",
        by="test",
        record=audit.recorder(demo_warehouse),
        now=datetime.now(UTC),
    )
    at = open_page("admin", lang="en", role="admin")
    assert at.title[0].value == t("page_admin", "en")
    [users] = [d.value for d in at.dataframe if t("admin_col_role", "en") in d.value.columns]
    assert users[t("admin_col_name", "en")].tolist() == ["ada"]
    assert all("argon2" not in str(v) for v in users.to_numpy().ravel())
    at.text_input(key="admin_new_name").input("stijn")
    at.selectbox(key="admin_new_role").set_value("steward")
    at.text_input(key="admin_new_password").input("another-long-password")
    at.button[0].click().run()
    assert not at.exception
    assert [(u.name, u.role) for u in accounts.list_users()] == [
        ("ada", "admin"),
        ("stijn", "steward"),
    ]
    added = audit.read(demo_warehouse)[-1]
    assert (added["who"], added["action"], added["what"]) == (
        "demo",
        "user_added",
        "stijn as steward",
    )
    events = [d.value for d in at.dataframe if t("admin_col_action", "en") in d.value.columns][0]
    assert events[t("admin_col_action", "en")].iloc[0] == "user_added"  # newest first


def test_a_too_short_password_is_one_sentence(open_page, secrets_dir):
    at = open_page("admin", lang="en", role="admin")
    at.text_input(key="admin_new_name").input("kim")
    at.text_input(key="admin_new_password").input("short")
    at.button[0].click().run()
    assert not at.exception
    assert len(at.error) == 1 and "12" in at.error[0].value
    assert accounts.list_users() == []
