"""`connect-impact users ...` and `connect-impact audit` through the root command."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import typer
from typer.testing import CliRunner

from dashboard.cli import app
from pipelines import accounts, audit
from pipelines import cli as pipelines_cli

runner = CliRunner()
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PASSWORD = "correct-horse-42"


def _noop(*_: object) -> None:
    return None


@pytest.fixture
def operator(monkeypatch):
    monkeypatch.setattr(pipelines_cli.getpass, "getuser", lambda: "tester")


def _run(*args: str, stdin: str | None = None):
    return runner.invoke(app, list(args), input=stdin)


def test_users_add_reads_the_password_from_stdin(secrets_dir, wh, operator):
    res = _run(
        "users",
        "add",
        "ana",
        "--role",
        "analyst",
        "--password-stdin",
        "--warehouse",
        str(wh),
        stdin=f"{PASSWORD}\n",
    )
    assert res.exit_code == 0, res.output
    assert res.stdout == "Added 'ana' as analyst.\n"
    assert accounts.authenticate("ana", PASSWORD, T0, record=_noop) == "analyst"
    [event] = audit.read(wh)
    assert (event["who"], event["action"], event["what"]) == (
        "cli:tester",
        "user_added",
        "ana as analyst",
    )


def test_users_add_prompts_twice_and_refuses_two_different_passwords(secrets_dir, wh, operator):
    res = _run(
        "users",
        "add",
        "ana",
        "--role",
        "viewer",
        "--warehouse",
        str(wh),
        stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert res.exit_code == 0, res.output
    assert PASSWORD not in res.output  # hidden input is not echoed
    assert accounts.authenticate("ana", PASSWORD, T0, record=_noop) == "viewer"
    res = _run(
        "users",
        "add",
        "bert",
        "--role",
        "viewer",
        "--warehouse",
        str(wh),
        stdin=f"{PASSWORD}\nsomething-else\n",
    )
    assert res.exit_code == 2
    assert res.stderr == "Error: The two passwords differ; nothing was changed.\n"
    assert [u.name for u in accounts.list_users()] == ["ana"]


def test_a_password_cannot_be_given_as_an_argument(secrets_dir, wh):
    group = typer.main.get_command(app)
    add = group.commands["users"].commands["add"]
    assert sorted(opt for p in add.params for opt in p.opts if "pass" in opt) == [
        "--password-stdin"
    ]
    res = _run("users", "add", "ana", "--role", "viewer", "--password", PASSWORD, stdin="")
    assert res.exit_code == 2
    assert "No such option" in res.stderr
    assert not accounts.users_file().exists()


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ("users", "add", "ana", "--role", "boss", "--password-stdin"),
            f"{PASSWORD}\n",
            "Error: Unknown role 'boss' (expected one of: viewer, analyst, steward, admin).\n",
        ),
        (
            ("users", "add", "ana", "--role", "viewer", "--password-stdin"),
            "too-short\n",
            "Error: The password is too short (expected at least 12 characters).\n",
        ),
        (("users", "set-role", "zoe", "viewer"), None, "Error: There is no user 'zoe'.\n"),
        (("users", "remove", "zoe"), None, "Error: There is no user 'zoe'.\n"),
    ],
)
def test_user_errors_are_one_sentence_and_exit_2(secrets_dir, wh, args, stdin, message):
    res = _run(*args, "--warehouse", str(wh), stdin=stdin)
    assert (res.exit_code, res.stderr) == (2, message)


def test_users_list_set_role_and_remove(secrets_dir, wh, operator):
    accounts.add_user("root", "admin", "admin-password-0", by="t", record=_noop, now=T0)
    accounts.add_user("ana", "analyst", PASSWORD, by="t", record=_noop, now=T0)
    res = _run("users", "list", "--format", "csv")
    assert res.exit_code == 0, res.output
    assert list(csv.reader(io.StringIO(res.stdout))) == [
        ["name", "role", "created", "locked until"],
        ["ana", "analyst", "2026-03-02 09:00 UTC", ""],
        ["root", "admin", "2026-03-02 09:00 UTC", ""],
    ]
    table = _run("users", "list")
    assert "$argon2" not in table.stdout and "ana" in table.stdout and "analyst" in table.stdout
    assert (
        _run("users", "set-role", "ana", "steward", "--warehouse", str(wh)).stdout
        == "'ana' is now steward.\n"
    )
    assert _run("users", "remove", "root", "--warehouse", str(wh)).stderr == (
        "Error: 'root' is the only admin; add another admin first.\n"
    )
    assert _run("users", "remove", "ana", "--warehouse", str(wh)).stdout == "Removed 'ana'.\n"
    assert [u.name for u in accounts.list_users()] == ["root"]
    assert [(e["action"], e["what"]) for e in audit.read(wh)] == [
        ("role_changed", "ana from analyst to steward"),
        ("user_removed", "ana"),
    ]


def test_audit_csv_since_a_date(wh):
    audit.append(wh, "ana", "login", "as analyst", at=datetime(2026, 3, 1, 8, 0, tzinfo=UTC))
    audit.append(
        wh,
        "ana",
        "download",
        "explorer.csv",
        "20260301T120000",
        datetime(2026, 3, 2, 10, 15, tzinfo=UTC),
    )
    audit.append(
        wh, "root", "user_added", "bert as viewer", at=datetime(2026, 3, 3, 7, 5, 9, tzinfo=UTC)
    )
    res = _run("audit", "--since", "2026-03-02", "--format", "csv", "--warehouse", str(wh))
    assert res.exit_code == 0, res.output
    assert res.stdout == (
        "at,who,action,what,snapshot\n"
        "2026-03-02T10:15:00Z,ana,download,explorer.csv,20260301T120000\n"
        "2026-03-03T07:05:09Z,root,user_added,bert as viewer,\n"
    )
    everything = _run("audit", "--format", "csv", "--warehouse", str(wh))
    assert len(everything.stdout.splitlines()) == 4


def test_audit_refuses_a_since_that_is_not_a_date(wh):
    res = _run("audit", "--since", "yesterday", "--warehouse", str(wh))
    assert (res.exit_code, res.stderr) == (
        2,
        "Error: --since 'yesterday' is not a date (expected YYYY-MM-DD).\n",
    )


def test_users_set_password_lifts_a_lockout_and_ends_open_sessions(secrets_dir, wh, operator):
    accounts.add_user("bo", "viewer", PASSWORD, by="test", record=_noop, now=T0)
    token = accounts.issue_session("bo", T0)
    for _ in range(accounts.MAX_FAILED_ATTEMPTS):
        with pytest.raises(accounts.LoginFailed):
            accounts.authenticate("bo", "wrong-password-here", T0, record=_noop)
    new = "another-long-password"
    res = _run(
        "users", "set-password", "bo", "--password-stdin", "--warehouse", str(wh), stdin=f"{new}\n"
    )
    assert res.exit_code == 0, res.output
    assert accounts.session_user(token, T0) is None
    assert accounts.authenticate("bo", new, T0, record=_noop) == "viewer"
    with pytest.raises(accounts.LoginFailed):
        accounts.authenticate("bo", PASSWORD, T0, record=_noop)
    assert [(e["who"], e["action"], e["what"]) for e in audit.read(wh)] == [
        ("cli:tester", "password_changed", "bo")
    ]
