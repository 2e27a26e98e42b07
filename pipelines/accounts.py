"""Local accounts of the dashboard: users file, password check with lockout, expiring sessions.

The users file (JSON, mode 0600, replaced atomically under a lock) and the session key live in
`settings.secrets_dir()`. Passwords are kept only as argon2id hashes. Every change of a user and
every login attempt is handed to a `Recorder` (see `pipelines.audit.recorder`), so this module
does not need to know where the audit log lives. Times are passed in (`now`, timezone-aware), so
the lockout and session expiry are testable without a clock.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict, field_validator

from pipelines import settings
from pipelines.access import ROLES, check_role
from pipelines.audit import Recorder
from pipelines.errors import UserError

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=8)
MIN_PASSWORD_LENGTH = 12
MAX_NAME_LENGTH = 64


class AccountError(UserError):
    """A user name, role or password that cannot be used as given."""


class LoginFailed(UserError):
    """A name and password that do not open an account."""


class AccountLocked(LoginFailed):
    """An account locked after too many failed attempts; `until` says when it opens again."""

    def __init__(self, message: str, until: datetime) -> None:
        super().__init__(message)
        self.until = until


@dataclass(frozen=True)
class User:
    """One account as shown to people: never its password hash."""

    name: str
    role: str
    created_at: datetime
    locked_until: datetime | None
    last_login_at: datetime | None


# --- files ---------------------------------------------------------------------------------


def users_file() -> Path:
    """Return the users file (secrets folder / users.json)."""
    return settings.secrets_dir() / settings.USERS_FILE_NAME


def _secrets_folder() -> Path:
    folder = settings.secrets_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _read_users() -> dict[str, dict]:
    path = users_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise AccountError(f"{path}: cannot be read as a users file (JSON).") from None
    if not isinstance(data, dict) or not isinstance(data.get("users"), dict):
        raise AccountError(f"{path}: does not hold a 'users' object.")
    return data["users"]


def _private_temp(path: Path, content: bytes) -> str:
    """Write content to a new file beside `path`, readable by its owner only; return its name."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def _write_private(path: Path, content: bytes) -> None:
    """Replace a file atomically by one readable by its owner only."""
    tmp = _private_temp(path, content)
    try:
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@contextlib.contextmanager
def _changing_users() -> Iterator[dict[str, dict]]:
    """Yield the users for changing, then write them back; one writer at a time."""
    lock = _secrets_folder() / f".{settings.USERS_FILE_NAME}.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        users = _read_users()
        yield users
        body = json.dumps({"version": 1, "users": users}, indent=2, sort_keys=True) + "\n"
        _write_private(users_file(), body.encode("utf-8"))
    finally:
        os.close(fd)


# --- passwords ----------------------------------------------------------------------------


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id with a random salt per hash


@cache
def _decoy_hash() -> str:
    # verified for unknown names, so that a wrong name takes as long as a wrong password
    return _hasher().hash(secrets.token_hex(16))


def _check_now(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return at


def _iso(at: datetime) -> str:
    return _check_now(at).astimezone(UTC).replace(microsecond=0).isoformat()


def _parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _check_name(name: str) -> str:
    if not name or len(name) > MAX_NAME_LENGTH or not name.isprintable() or name.split() != [name]:
        raise AccountError(
            f"The user name '{name}' cannot be used (expected 1 to {MAX_NAME_LENGTH} characters "
            "without spaces)."
        )
    return name


def _check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"The password is too short (expected at least {MIN_PASSWORD_LENGTH} characters)."
        )
    return password


def _existing(users: dict[str, dict], name: str) -> dict:
    if name not in users:
        raise AccountError(f"There is no user '{name}'.")
    return users[name]


def _keeps_an_admin(users: dict[str, dict], name: str, new_role: str | None) -> None:
    admins = {n for n, u in users.items() if u["role"] == "admin"}
    if admins == {name} and new_role != "admin":
        raise AccountError(f"'{name}' is the only admin; add another admin first.")


# --- changing users -----------------------------------------------------------------------


def add_user(
    name: str, role: str, password: str, *, by: str, record: Recorder, now: datetime
) -> User:
    """Create an account with a hashed password; return it (raise AccountError if it exists)."""
    _check_name(name)
    check_role(role)
    _check_password(password)
    with _changing_users() as users:
        if name in users:
            raise AccountError(f"The user '{name}' already exists.")
        users[name] = {
            "role": role,
            "password_hash": _hasher().hash(password),
            "created_at": _iso(now),
            "failed_attempts": 0,
            "locked_until": None,
            "last_login_at": None,
            "session_version": 0,
        }
    record(now, by, "user_added", f"{name} as {role}")
    return _public(name, users[name])


def set_role(name: str, role: str, *, by: str, record: Recorder, now: datetime) -> User:
    """Give a user another role; return the account (sessions pick up the role at once)."""
    check_role(role)
    with _changing_users() as users:
        user = _existing(users, name)
        _keeps_an_admin(users, name, role)
        old = user["role"]
        user["role"] = role
    record(now, by, "role_changed", f"{name} from {old} to {role}")
    return _public(name, user)


def set_password(name: str, password: str, *, by: str, record: Recorder, now: datetime) -> User:
    """Replace a user's password, lift any lockout and end the user's sessions."""
    _check_password(password)
    with _changing_users() as users:
        user = _existing(users, name)
        user.update(password_hash=_hasher().hash(password), failed_attempts=0, locked_until=None)
        user["session_version"] = user.get("session_version", 0) + 1
    record(now, by, "password_changed", name)
    return _public(name, user)


def remove_user(name: str, *, by: str, record: Recorder, now: datetime) -> None:
    """Delete an account; its sessions stop being valid."""
    with _changing_users() as users:
        _existing(users, name)
        _keeps_an_admin(users, name, None)
        del users[name]
    record(now, by, "user_removed", name)


def _public(name: str, user: dict) -> User:
    return User(
        name=name,
        role=user["role"],
        created_at=datetime.fromisoformat(user["created_at"]),
        locked_until=_parse(user.get("locked_until")),
        last_login_at=_parse(user.get("last_login_at")),
    )


def list_users(now: datetime | None = None) -> list[User]:
    """Return every account sorted by name (no hashes); a lock that ended by `now` shows None."""
    users = [_public(name, user) for name, user in sorted(_read_users().items())]
    if now is None:
        return users
    _check_now(now)
    return [
        replace(u, locked_until=None) if u.locked_until and u.locked_until <= now else u
        for u in users
    ]


def get_user(name: str) -> User | None:
    """Return one account, or None when there is no such user."""
    user = _read_users().get(name)
    return _public(name, user) if user else None


# --- logging in ---------------------------------------------------------------------------


def authenticate(name: str, password: str, now: datetime, *, record: Recorder) -> str:
    """Return the user's role if the password is right; raise LoginFailed or AccountLocked."""
    _check_now(now)
    wrong = LoginFailed("The user name or password is wrong.")
    if name not in _read_users():
        _verify(_decoy_hash(), password)
        # the name typed is not recorded: it may be a password typed in the wrong field
        record(now, "(unknown)", "login_failed", "unknown user name")
        raise wrong
    with _changing_users() as users:
        user = users.get(name)
        if user is None:  # removed between the two reads
            raise wrong
        locked_until = _parse(user.get("locked_until"))
        if locked_until is not None and now < locked_until:
            outcome = "locked"
        elif _verify(user["password_hash"], password):
            outcome = "ok"
            user.update(failed_attempts=0, locked_until=None, last_login_at=_iso(now))
            if _hasher().check_needs_rehash(user["password_hash"]):
                user["password_hash"] = _hasher().hash(password)
        elif user.get("failed_attempts", 0) + 1 >= MAX_FAILED_ATTEMPTS:
            outcome = "locked"
            locked_until = now + LOCKOUT
            user.update(failed_attempts=0, locked_until=_iso(locked_until))
        else:
            outcome = "wrong"
            user.update(failed_attempts=user.get("failed_attempts", 0) + 1, locked_until=None)
        role = user["role"]
    if outcome == "ok":
        record(now, name, "login", f"as {role}")
        return role
    if outcome == "locked":
        record(now, name, "login_failed", "account locked")
        raise AccountLocked(
            f"The account '{name}' is locked after {MAX_FAILED_ATTEMPTS} failed attempts until "
            f"{locked_until.astimezone(UTC):%Y-%m-%d %H:%M} UTC.",
            until=locked_until,
        )
    record(now, name, "login_failed", "wrong password")
    raise wrong


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# --- sessions -----------------------------------------------------------------------------


def _session_key() -> bytes:
    """Return the HMAC key of sessions, created (0600) on first use."""
    path = _secrets_folder() / settings.SESSION_KEY_FILE_NAME
    with contextlib.suppress(FileNotFoundError):
        return path.read_bytes()
    tmp = _private_temp(path, secrets.token_bytes(32))
    try:
        # link, not replace: when two processes race, the first key wins and both read it
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        os.unlink(tmp)
    return path.read_bytes()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(payload: str) -> bytes:
    mac = hmac.new(_session_key(), payload.encode("utf-8", "replace"), hashlib.sha256)
    return _b64(mac.digest()).encode("ascii")


def issue_session(name: str, now: datetime) -> str:
    """Return a signed token for the user, valid for SESSION_LIFETIME from now."""
    _check_now(now)
    user = _existing(_read_users(), name)
    expires = int((now + SESSION_LIFETIME).timestamp())
    body = json.dumps([name, expires, user.get("session_version", 0)], separators=(",", ":"))
    payload = _b64(body.encode("utf-8"))
    return f"{payload}.{_sign(payload).decode('ascii')}"


def _token_claims(token: str) -> tuple[str, int, int] | None:
    payload, _, signature = token.partition(".")
    if (
        not payload
        or not signature
        or not hmac.compare_digest(signature.encode("utf-8", "replace"), _sign(payload))
    ):
        return None
    try:
        name, expires, version = json.loads(_unb64(payload))
    except (ValueError, TypeError):
        return None
    return str(name), int(expires), int(version)


def session_user(token: str | None, now: datetime) -> tuple[str, str] | None:
    """Return (name, current role) for a valid token; None if tampered, expired or revoked."""
    _check_now(now)
    claims = _token_claims(token or "")
    if claims is None:
        return None
    name, expires, version = claims
    if now.timestamp() >= expires:
        return None
    user = _read_users().get(name)
    if user is None or user.get("session_version", 0) != version:
        return None
    return name, user["role"]


def logout(token: str | None, now: datetime, *, record: Recorder) -> None:
    """End every session of the token's user and record the logout (nothing if invalid)."""
    found = session_user(token, now)
    if found is None:
        return
    name = found[0]
    with _changing_users() as users:
        if name in users:
            users[name]["session_version"] = users[name].get("session_version", 0) + 1
    record(now, name, "logout", "")


# --- single sign-on allow-list ------------------------------------------------------------


class AllowList(BaseModel):
    """allowed_users.yaml: who may log in through single sign-on, and as which role."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    users: dict[str, str] = {}

    @field_validator("users")
    @classmethod
    def _known_roles(cls, users: dict[str, str]) -> dict[str, str]:
        for key, role in users.items():
            if role not in ROLES:
                raise ValueError(
                    f"'{key}' has the unknown role '{role}' (expected one of: {', '.join(ROLES)})"
                )
        return users


def allowed_users_file() -> Path:
    """Return the single sign-on allow-list (secrets folder / allowed_users.yaml)."""
    return settings.secrets_dir() / settings.ALLOWED_USERS_FILE_NAME


def sso_expired(claims: Mapping[str, object], now: datetime) -> bool:
    """Return whether a single sign-on identity token is older than a session may last.

    Streamlit keeps the provider's identity in a cookie for 30 days; this makes single sign-on
    expire after SESSION_LIFETIME, like a local session. A token without `iat` is expired.
    """
    issued = claims.get("iat")
    if not isinstance(issued, int | float) or isinstance(issued, bool):
        return True
    return now.timestamp() - issued >= SESSION_LIFETIME.total_seconds()


def sso_person(claims: Mapping[str, object]) -> tuple[str, str | None]:
    """Return (who, role) for an identity the single sign-on provider vouches for.

    The e-mail address is tried first, then the subject; `who` is the one that matched (the
    e-mail, else the subject, when neither did). The role is None for anyone the allow-list
    does not name: the provider knowing someone gives them nothing here.
    """
    identities = [v for v in (claims.get("email"), claims.get("sub")) if isinstance(v, str) and v]
    for identity in identities:
        role = role_for_identity(identity)
        if role is not None:
            return identity, role
    return (identities[0] if identities else "unknown"), None


def role_for_identity(identity: str) -> str | None:
    """Return the role of an e-mail address or OIDC subject on the allow-list, else None."""
    path = allowed_users_file()
    if not path.exists():
        return None  # no allow-list: nobody logs in through single sign-on
    users = settings.read_yaml(path, AllowList).users
    if identity in users:
        return users[identity]
    if "@" in identity:  # e-mail addresses compare without regard to case
        folded = {key.casefold(): role for key, role in users.items() if "@" in key}
        return folded.get(identity.strip().casefold())
    return None
