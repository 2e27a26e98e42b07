"""Keyed pseudonyms for people's ids: HMAC-SHA256 with a key that never leaves the machine."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import pandas as pd

from pipelines import settings
from pipelines.contract import Table
from pipelines.errors import UserError

KEY_FILE_NAME = "pseudonym.key"
PREFIX = {"participant": "P", "buddy": "B"}
_DIGEST_CHARS = 20  # 80 bits: collisions are negligible even at 10 million people


class PseudonymKeyError(UserError):
    """The pseudonymisation key is missing or unusable; the message says what to do."""


def load_key(warehouse: Path) -> bytes:
    """Return the pseudonym key: $CONNECT_PSEUDONYM_KEY, else the key file, created on first use."""
    if not os.environ.get(settings.PSEUDONYM_KEY_ENV):
        path = warehouse / KEY_FILE_NAME
        if not path.exists():
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


def existing_key(warehouse: Path) -> bytes:
    """Return the pseudonym key: $CONNECT_PSEUDONYM_KEY, else the key file; never create one.

    Erasure turns a raw id into its pseudonym: a new key would give a pseudonym that matches
    nobody, so a missing key is an error here rather than a reason to make one.
    """
    env = os.environ.get(settings.PSEUDONYM_KEY_ENV)
    if env:
        if len(env) < 16:
            raise PseudonymKeyError(
                f"{settings.PSEUDONYM_KEY_ENV} is too short: use at least 16 characters."
            )
        return env.encode("utf-8")
    path = warehouse / KEY_FILE_NAME
    if not path.exists():
        raise PseudonymKeyError(
            f"There is no pseudonym key ({settings.PSEUDONYM_KEY_ENV} is not set and {path} "
            "does not exist), so no id can be turned into its pseudonym; restore the key "
            "the data was loaded with."
        )
    key = path.read_text().strip()
    if len(key) < 16:
        raise PseudonymKeyError(
            f"The key file {path} is empty or too short; restore it from backup."
        )
    return key.encode("utf-8")


def pseudonym(key: bytes, kind: str, raw_id: str) -> str:
    """Return the stable pseudonym of one raw id of a participant or buddy."""
    digest = hmac.new(key, f"{kind}:{raw_id}".encode(), hashlib.sha256).hexdigest()
    return PREFIX[kind] + digest[:_DIGEST_CHARS]


def _pseudonymise_series(key: bytes, kind: str, values: pd.Series) -> pd.Series:
    # each distinct id is hashed once; big contact tables repeat the same ids many times
    uniques = values.dropna().unique()
    mapping = {raw: pseudonym(key, kind, str(raw)) for raw in uniques}
    return values.map(mapping).astype("string")


def pseudonymise(frame: pd.DataFrame, table: Table, key: bytes) -> pd.DataFrame:
    """Return a copy of frame with every person id column replaced by its keyed pseudonym."""
    out = frame.copy()
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
