"""Keyed pseudonyms: stable for a key, different from the raw id, secret without the key."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat

import pandas as pd
import pytest

from pipelines import privacy
from pipelines.contract import TABLES_BY_NAME


def test_key_file_is_created_once_with_mode_0600(tmp_path, monkeypatch):
    monkeypatch.delenv("CONNECT_PSEUDONYM_KEY", raising=False)
    key = privacy.load_key(tmp_path)
    path = tmp_path / privacy.KEY_FILE_NAME
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert privacy.load_key(tmp_path) == key
    assert len(key) == 64


def test_environment_key_wins_and_must_be_long_enough(tmp_path, monkeypatch):
    monkeypatch.setenv("CONNECT_PSEUDONYM_KEY", "a-long-enough-test-key")
    assert privacy.load_key(tmp_path) == b"a-long-enough-test-key"
    assert not (tmp_path / privacy.KEY_FILE_NAME).exists()
    monkeypatch.setenv("CONNECT_PSEUDONYM_KEY", "short")
    with pytest.raises(privacy.PseudonymKeyError, match="at least 16"):
        privacy.load_key(tmp_path)


def test_pseudonym_is_the_keyed_hmac_of_kind_and_id():
    key = b"k" * 32
    expected = "P" + hmac.new(key, b"participant:D00001", hashlib.sha256).hexdigest()[:20]
    assert privacy.pseudonym(key, "participant", "D00001") == expected
    assert privacy.pseudonym(key, "buddy", "D00001").startswith("B")
    assert privacy.pseudonym(b"x" * 32, "participant", "D00001") != expected


def test_respondents_get_the_pseudonym_of_their_role():
    key = b"k" * 32
    frame = pd.DataFrame(
        {
            "respondent_id": pd.array(["D1", "B7", None], dtype="string"),
            "respondent_role": pd.array(["participant", "buddy", "participant"], dtype="string"),
        }
    )
    out = privacy.pseudonymise(frame, TABLES_BY_NAME["surveys"], key)
    assert out["respondent_id"].tolist()[:2] == [
        privacy.pseudonym(key, "participant", "D1"),
        privacy.pseudonym(key, "buddy", "B7"),
    ]
    assert pd.isna(out["respondent_id"].iloc[2])
    assert frame["respondent_id"].iloc[0] == "D1"  # the input frame is not modified


def test_existing_key_never_creates_one(tmp_path, monkeypatch):
    monkeypatch.delenv("CONNECT_PSEUDONYM_KEY", raising=False)
    with pytest.raises(privacy.PseudonymKeyError, match="There is no pseudonym key"):
        privacy.existing_key(tmp_path)
    assert list(tmp_path.iterdir()) == []
    key = privacy.load_key(tmp_path)  # the load makes one; erasure then reads the same
    assert privacy.existing_key(tmp_path) == key
    monkeypatch.setenv("CONNECT_PSEUDONYM_KEY", "a-long-enough-test-key")
    assert privacy.existing_key(tmp_path) == b"a-long-enough-test-key"
