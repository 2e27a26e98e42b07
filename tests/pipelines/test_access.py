"""Roles deny by default; accounts hash passwords, lock after 5 failures; sessions expire at 8 h."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from pipelines import access, accounts, settings
from pipelines.errors import UserError

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PASSWORD = "correct-horse-42"  # 16 characters
OTHER = "wrong-password-1"


@pytest.fixture
def events() -> list[tuple]:
    return []


@pytest.fixture
def record(events):
    return lambda at, who, action, what: events.append((at, who, action, what))


@pytest.fixture
def ana(secrets_dir, record) -> str:
    """An analyst account created at T0, next to the admin who created it."""
    accounts.add_user("root", "admin", "admin-password-0", by="setup", record=record, now=T0)
    accounts.add_user("ana", "analyst", PASSWORD, by="root", record=record, now=T0)
    return "ana"


# --- roles --------------------------------------------------------------------------------


def test_viewers_cannot_download_analysts_can_and_unknown_is_denied():
    assert access.allowed("viewer", "downloads") is False
    assert access.allowed("viewer", "unsuppressed") is False
    assert access.allowed("analyst", "downloads") is True
    assert access.allowed("admin", "fly_to_the_moon") is False
    assert access.allowed("superuser", "aggregate_pages") is False
    assert access.allowed(None, "aggregate_pages") is False


def test_what_each_role_may_do_as_written_in_the_issue():
    assert access.capabilities("viewer") == {"aggregate_pages", "answers"}
    assert access.capabilities("analyst") - access.capabilities("viewer") == {
        "explorer",
        "unsuppressed",
        "downloads",
    }
    assert access.capabilities("steward") - access.capabilities("analyst") == {
        "data_quality",
        "quarantine_values",
        "upload",
    }
    assert access.capabilities("admin") - access.capabilities("steward") == {
        "manage_users",
        "read_audit",
        "settings",
        "purge",
    }


def test_a_higher_role_has_everything_a_lower_one_has():
    assert access.ROLES == ("viewer", "analyst", "steward", "admin")
    for lower, higher in zip(access.ROLES, access.ROLES[1:], strict=False):
        assert access.capabilities(lower) < access.capabilities(higher)
    assert access.capabilities("admin") == set(access.CAPABILITIES)


def test_an_unknown_role_is_one_sentence_listing_the_roles():
    with pytest.raises(access.UnknownRole) as caught:
        access.check_role("boss")
    assert str(caught.value) == (
        "Unknown role 'boss' (expected one of: viewer, analyst, steward, admin)."
    )
    with pytest.raises(access.AccessDenied, match="'viewer' may not use 'upload'"):
        access.require("viewer", "upload")


# --- accounts -----------------------------------------------------------------------------


def test_the_secrets_folder_comes_from_the_environment_else_data_secrets(tmp_path, monkeypatch):
    monkeypatch.delenv(settings.SECRETS_ENV, raising=False)
    assert settings.secrets_dir() == settings.PROJECT_ROOT / "data" / "secrets"
    monkeypatch.setenv(settings.SECRETS_ENV, str(tmp_path / "s"))
    assert settings.secrets_dir() == (tmp_path / "s").resolve()
    assert accounts.users_file() == (tmp_path / "s").resolve() / "users.json"


def test_a_new_user_logs_in_with_the_role_given(ana, record, events):
    assert accounts.authenticate("ana", PASSWORD, T0 + timedelta(minutes=1), record=record) == (
        "analyst"
    )
    assert [e[1:] for e in events] == [
        ("setup", "user_added", "root as admin"),
        ("root", "user_added", "ana as analyst"),
        ("ana", "login", "as analyst"),
    ]
    [user, root] = accounts.list_users()  # sorted by name
    assert (user.name, user.role, user.created_at, user.locked_until) == (
        "ana",
        "analyst",
        T0,
        None,
    )
    assert user.last_login_at == T0 + timedelta(minutes=1)
    assert root.name == "root"


def test_the_users_file_holds_an_argon2id_hash_never_the_password(ana):
    path = accounts.users_file()
    text = path.read_text(encoding="utf-8")
    assert PASSWORD not in text
    assert json.loads(text)["users"]["ana"]["password_hash"].startswith("$argon2id$")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "password_hash" not in repr(accounts.list_users())


def test_the_same_password_hashes_differently_for_two_users(ana, record):
    accounts.add_user("bert", "viewer", PASSWORD, by="root", record=record, now=T0)
    users = json.loads(accounts.users_file().read_text(encoding="utf-8"))["users"]
    assert users["ana"]["password_hash"] != users["bert"]["password_hash"]


def test_a_wrong_password_or_name_fails_with_the_same_sentence(ana, record, events):
    for name, password in (("ana", OTHER), ("nobody", PASSWORD)):
        with pytest.raises(accounts.LoginFailed) as caught:
            accounts.authenticate(name, password, T0, record=record)
        assert str(caught.value) == "The user name or password is wrong."
    assert [e[1:] for e in events[2:]] == [
        ("ana", "login_failed", "wrong password"),
        ("(unknown)", "login_failed", "unknown user name"),
    ]


def _fail(name: str, at: datetime, record) -> accounts.LoginFailed:
    with pytest.raises(accounts.LoginFailed) as caught:
        accounts.authenticate(name, OTHER, at, record=record)
    return caught.value


def test_the_fifth_failure_locks_the_account_for_15_minutes(ana, record):
    # failures at 09:00, 09:01, 09:02, 09:03 are plain; the one at 09:04 locks until 09:19
    for minute in range(4):
        assert type(_fail("ana", T0 + timedelta(minutes=minute), record)) is accounts.LoginFailed
    locked = _fail("ana", T0 + timedelta(minutes=4), record)
    assert isinstance(locked, accounts.AccountLocked)
    assert locked.until == datetime(2026, 3, 2, 9, 19, tzinfo=UTC)
    assert str(locked) == (
        "The account 'ana' is locked after 5 failed attempts until 2026-03-02 09:19 UTC."
    )
    # the right password does not open a locked account, a minute before the end
    with pytest.raises(accounts.AccountLocked):
        accounts.authenticate(
            "ana", PASSWORD, datetime(2026, 3, 2, 9, 18, tzinfo=UTC), record=record
        )
    assert accounts.get_user("ana").locked_until == datetime(2026, 3, 2, 9, 19, tzinfo=UTC)
    assert accounts.list_users(now=datetime(2026, 3, 2, 9, 19, tzinfo=UTC))[0].locked_until is None
    # at 09:19 it opens again
    at = datetime(2026, 3, 2, 9, 19, tzinfo=UTC)
    assert accounts.authenticate("ana", PASSWORD, at, record=record) == "analyst"
    assert accounts.get_user("ana").locked_until is None


def test_a_success_resets_the_failure_count(ana, record):
    for minute in range(4):
        _fail("ana", T0 + timedelta(minutes=minute), record)
    assert accounts.authenticate("ana", PASSWORD, T0 + timedelta(minutes=5), record=record)
    for minute in range(6, 10):  # four more failures: 4, not 8, so no lock
        assert type(_fail("ana", T0 + timedelta(minutes=minute), record)) is accounts.LoginFailed
    assert accounts.get_user("ana").locked_until is None


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("an a", PASSWORD, "The user name 'an a' cannot be used"),
        ("", PASSWORD, "The user name '' cannot be used"),
        ("eve", "eleven-char", "The password is too short (expected at least 12 characters)."),
        ("ana", PASSWORD, "The user 'ana' already exists."),
    ],
)
def test_names_and_passwords_that_cannot_be_used(ana, record, name, password, message):
    with pytest.raises(accounts.AccountError) as caught:
        accounts.add_user(name, "viewer", password, by="root", record=record, now=T0)
    assert str(caught.value).startswith(message)


def test_a_password_of_exactly_12_characters_is_accepted(secrets_dir, record):
    accounts.add_user("eve", "viewer", "twelve-chars", by="root", record=record, now=T0)
    assert accounts.authenticate("eve", "twelve-chars", T0, record=record) == "viewer"


def test_an_unknown_role_is_refused_when_adding_or_changing(ana, record):
    with pytest.raises(access.UnknownRole, match="expected one of: viewer, analyst"):
        accounts.add_user("eve", "boss", PASSWORD, by="root", record=record, now=T0)
    with pytest.raises(access.UnknownRole):
        accounts.set_role("ana", "boss", by="root", record=record, now=T0)
    with pytest.raises(accounts.AccountError, match="There is no user 'zoe'."):
        accounts.set_role("zoe", "viewer", by="root", record=record, now=T0)


def test_the_only_admin_can_be_neither_removed_nor_demoted(ana, record):
    with pytest.raises(accounts.AccountError, match="'root' is the only admin"):
        accounts.remove_user("root", by="root", record=record, now=T0)
    with pytest.raises(accounts.AccountError, match="'root' is the only admin"):
        accounts.set_role("root", "viewer", by="root", record=record, now=T0)
    accounts.set_role("ana", "admin", by="root", record=record, now=T0)
    accounts.remove_user("root", by="ana", record=record, now=T0)
    assert [u.name for u in accounts.list_users()] == ["ana"]


# --- sessions -----------------------------------------------------------------------------


def test_a_session_lasts_eight_hours(ana):
    token = accounts.issue_session("ana", T0)
    last_second = datetime(2026, 3, 2, 16, 59, 59, tzinfo=UTC)
    assert accounts.session_user(token, last_second) == ("ana", "analyst")
    assert accounts.session_user(token, datetime(2026, 3, 2, 17, 0, tzinfo=UTC)) is None


def test_the_session_key_is_private_and_kept(ana):
    accounts.issue_session("ana", T0)
    key = settings.secrets_dir() / "session.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(key.read_bytes()) == 32


def test_a_tampered_token_is_refused(ana, record):
    accounts.add_user("bert", "viewer", PASSWORD, by="root", record=record, now=T0)
    token = accounts.issue_session("bert", T0)
    payload, signature = token.split(".")
    forged = accounts._b64(json.dumps(["root", 1893456000, 0]).encode())
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    for bad in (f"{forged}.{signature}", f"{payload}.{flipped}", payload, "", "é.ü", None):
        assert accounts.session_user(bad, T0) is None


def test_a_new_session_key_ends_every_session(ana):
    token = accounts.issue_session("ana", T0)
    (settings.secrets_dir() / "session.key").unlink()
    assert accounts.session_user(token, T0) is None


def test_a_session_follows_role_changes_and_ends_with_removal(ana, record):
    token = accounts.issue_session("ana", T0)
    accounts.set_role("ana", "steward", by="root", record=record, now=T0)
    assert accounts.session_user(token, T0 + timedelta(hours=1)) == ("ana", "steward")
    accounts.remove_user("ana", by="root", record=record, now=T0)
    assert accounts.session_user(token, T0 + timedelta(hours=1)) is None


def test_logout_and_a_new_password_end_the_sessions(ana, record, events):
    first = accounts.issue_session("ana", T0)
    accounts.logout(first, T0 + timedelta(hours=1), record=record)
    assert accounts.session_user(first, T0 + timedelta(hours=1)) is None
    second = accounts.issue_session("ana", T0 + timedelta(hours=2))
    assert accounts.session_user(second, T0 + timedelta(hours=2)) == ("ana", "analyst")
    accounts.set_password("ana", "a-brand-new-one", by="root", record=record, now=T0)
    assert accounts.session_user(second, T0 + timedelta(hours=2)) is None
    assert accounts.authenticate("ana", "a-brand-new-one", T0, record=record) == "analyst"
    assert [e[2] for e in events[2:]] == ["logout", "password_changed", "login"]


# --- single sign-on allow-list ------------------------------------------------------------


def _allow(folder: Path, users: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "allowed_users.yaml").write_text(yaml.safe_dump({"users": users}), encoding="utf-8")


def test_only_people_on_the_allow_list_get_a_role(secrets_dir):
    assert accounts.role_for_identity("analist@example.be") is None  # no list: nobody
    _allow(secrets_dir, {"Analist@Example.be": "analyst", "auth0|12345": "viewer"})
    assert accounts.role_for_identity("analist@example.be") == "analyst"
    assert accounts.role_for_identity("ANALIST@example.be") == "analyst"
    assert accounts.role_for_identity("auth0|12345") == "viewer"
    assert accounts.role_for_identity("AUTH0|12345") is None  # subjects are case-sensitive
    assert accounts.role_for_identity("someone@example.be") is None


def test_an_allow_list_with_an_unknown_role_is_one_sentence(secrets_dir):
    _allow(secrets_dir, {"a@example.be": "boss"})
    with pytest.raises(UserError) as caught:
        accounts.role_for_identity("a@example.be")
    assert str(caught.value) == (
        f"{secrets_dir / 'allowed_users.yaml'}: users: Value error, 'a@example.be' has the unknown "
        "role 'boss' (expected one of: viewer, analyst, steward, admin)."
    )


def test_the_committed_example_allow_list_is_valid():
    example = settings.DATA_DIR / "secrets.example" / "allowed_users.yaml"
    users = settings.read_yaml(example, accounts.AllowList).users
    assert sorted(users.values()) == ["admin", "analyst", "steward", "viewer"]
    assert all(key.endswith("@example.be") for key in users)
