"""Keyed pseudonyms for people's ids: HMAC-SHA256 with a key that never leaves the machine.

The same key must make every pseudonym of a warehouse, or one person would be counted twice.
Every snapshot therefore records the key's fingerprint (an HMAC of a fixed label under the
key, never the key), and `verified_key` refuses a key with another fingerprint; a key file is
made only for a warehouse that holds no data yet. Changing the key is `connect-impact rekey`
(pipelines/rekey.py), which moves every stored pseudonym to the new key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from pipelines import settings
from pipelines import warehouse as snapshots
from pipelines.contract import Table
from pipelines.errors import UserError
from pipelines.warehouse import FINGERPRINT_TABLE, recorded_fingerprint

KEY_FILE_NAME = "pseudonym.key"
PREFIX = {"participant": "P", "buddy": "B"}
_DIGEST_CHARS = 20  # 80 bits: collisions are negligible even at 10 million people
MIN_KEY_CHARS = 16
# Every snapshot records which key made its pseudonyms: an HMAC of this label under the key.
# The label cannot be the message of a pseudonym, which always starts with "participant:" or
# "buddy:", so the fingerprint is never a pseudonym of anyone.
_FINGERPRINT_LABEL = b"connect-impact pseudonym key fingerprint v1"
_SHOWN = 12  # characters of a fingerprint shown in messages


class PseudonymKeyError(UserError):
    """The pseudonymisation key is missing or unusable; the message says what to do."""


class KeyMismatch(PseudonymKeyError):
    """The key given is not the one the warehouse's pseudonyms were made with."""

    def __init__(self, recorded: str, given: str) -> None:
        self.recorded = recorded
        self.given = given
        super().__init__(
            "The pseudonymisation key differs from the one this warehouse was built with "
            f"(fingerprint {shown(recorded)}, this key {shown(given)}); restore the original "
            f"key file or {settings.PSEUDONYM_KEY_ENV}, or re-key the warehouse with "
            "`connect-impact rekey`."
        )


def key_from_environment() -> bool:
    """Return whether the key comes from $CONNECT_PSEUDONYM_KEY rather than the key file."""
    return bool(os.environ.get(settings.PSEUDONYM_KEY_ENV))


def load_key(warehouse: Path) -> bytes:
    """Return the key for a load: $CONNECT_PSEUDONYM_KEY, else the key file.

    The key file is created only for a warehouse that holds no data yet: a new key for data
    already loaded would give everyone a second pseudonym, and count them twice.
    """
    if not key_from_environment():
        path = warehouse / KEY_FILE_NAME
        if not path.exists():
            if snapshots.current(warehouse) is not None:
                raise PseudonymKeyError(
                    f"The key file {path} is missing but {warehouse} holds data pseudonymised "
                    "with it; restore the key file from backup (a new key would count every "
                    "person twice)."
                )
            warehouse.mkdir(parents=True, exist_ok=True)
            # O_EXCL: two loads starting together must not each write a different key
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "w") as fh:
                    fh.write(secrets.token_hex(32))
    return existing_key(warehouse)


def read_key_file(path: Path) -> bytes:
    """Return the key held in a file that only its owner can read; refuse any other."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise PseudonymKeyError(
            f"The key file {path} can be read or changed by other users (mode {mode:04o}); "
            f"make it private with `chmod 600 {path}` and try again."
        )
    key = path.read_text().strip()
    if len(key) < MIN_KEY_CHARS:
        raise PseudonymKeyError(
            f"The key file {path} is empty or too short (expected at least {MIN_KEY_CHARS} "
            "characters)."
        )
    return key.encode("utf-8")


def existing_key(warehouse: Path) -> bytes:
    """Return the pseudonym key: $CONNECT_PSEUDONYM_KEY, else the key file; never create one.

    Erasure turns a raw id into its pseudonym: a new key would give a pseudonym that matches
    nobody, so a missing key is an error here rather than a reason to make one.
    """
    env = os.environ.get(settings.PSEUDONYM_KEY_ENV)
    if env:
        if len(env) < MIN_KEY_CHARS:
            raise PseudonymKeyError(
                f"{settings.PSEUDONYM_KEY_ENV} is too short: use at least {MIN_KEY_CHARS} "
                "characters."
            )
        return env.encode("utf-8")
    path = warehouse / KEY_FILE_NAME
    if not path.exists():
        raise PseudonymKeyError(
            f"There is no pseudonym key ({settings.PSEUDONYM_KEY_ENV} is not set and {path} "
            "does not exist), so no id can be turned into its pseudonym; restore the key "
            "the data was loaded with."
        )
    return read_key_file(path)


def fingerprint(key: bytes) -> str:
    """Return the key's fingerprint: the hex HMAC-SHA256 of a fixed label under the key."""
    return hmac.new(key, _FINGERPRINT_LABEL, hashlib.sha256).hexdigest()


def shown(fingerprint_hex: str) -> str:
    """Return the short form of a fingerprint that messages show."""
    return fingerprint_hex[:_SHOWN]


def record_fingerprint(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    """Record in a writable snapshot that its pseudonyms are made with key."""
    con.execute(f"create or replace table {FINGERPRINT_TABLE} (fingerprint varchar not null)")
    con.execute(f"insert into {FINGERPRINT_TABLE} values (?)", [fingerprint(key)])


def check_key(warehouse: Path, key: bytes) -> None:
    """Raise KeyMismatch unless key made the pseudonyms of the current snapshot.

    A warehouse that holds no data, or whose current snapshot was made before fingerprints
    were kept, accepts the key: the next load records its fingerprint.
    """
    snap = snapshots.current(warehouse)
    if snap is None:
        return
    con = duckdb.connect(str(snap.path), read_only=True)
    try:
        recorded = recorded_fingerprint(con)
    finally:
        con.close()
    given = fingerprint(key)
    if recorded is not None and not hmac.compare_digest(recorded, given):
        raise KeyMismatch(recorded, given)


def verified_key(warehouse: Path, create: bool = False) -> bytes:
    """Return the key, checked against the fingerprint of the warehouse's pseudonyms.

    With `create` (a load), the key file is made for a warehouse that holds no data yet.
    """
    key = load_key(warehouse) if create else existing_key(warehouse)
    check_key(warehouse, key)
    return key


def pseudonym(key: bytes, kind: str, raw_id: str) -> str:
    """Return the stable pseudonym of one raw id of a participant or buddy."""
    # hmac.digest is the one-shot C HMAC: the same bytes as hmac.new(...), a third of the time
    digest = hmac.digest(key, f"{kind}:{raw_id}".encode(), "sha256").hex()
    return PREFIX[kind] + digest[:_DIGEST_CHARS]


def _pseudonymise_series(key: bytes, kind: str, values: pd.Series) -> pd.Series:
    # each distinct id is hashed once; big contact tables repeat the same ids many times
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    hashed = [pseudonym(key, kind, str(raw)) for raw in uniques.tolist()]
    # code -1 (missing) picks the trailing None
    pseudonyms = np.array([*hashed, None], dtype=object)[codes]
    return pd.Series(pd.array(pseudonyms, dtype="string"), index=values.index, name=values.name)


def pseudonymise(frame: pd.DataFrame, table: Table, key: bytes) -> pd.DataFrame:
    """Return a copy of frame with every person id column replaced by its keyed pseudonym."""
    out = frame.copy(deep=False)  # its person id columns are replaced, never written into
    for col in table.columns:
        if col.pseudonymise is None or col.name not in out.columns:
            continue
        if col.pseudonymise == "respondent":
            # a survey respondent is a participant or a buddy: the same person gets the same
            # pseudonym as in the participants or buddies table, so answers can be joined
            role = out.get("respondent_role")
            is_buddy = (role == "buddy").fillna(False) if role is not None else None
            parts = _pseudonymise_series(key, "participant", out[col.name])
            if is_buddy is not None and bool(is_buddy.any()):
                buddies = _pseudonymise_series(key, "buddy", out[col.name])
                parts = parts.where(~is_buddy, buddies)
            out[col.name] = parts
        else:
            out[col.name] = _pseudonymise_series(key, col.pseudonymise, out[col.name])
    return out
