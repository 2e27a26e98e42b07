"""The dashboard's strings: every language holds the same keys (dashboard/i18n/__init__.py)."""

from __future__ import annotations

import pytest

from dashboard.i18n import DEFAULT_LANGUAGE, HERE, LANGUAGES, strings


@pytest.mark.parametrize("lang", sorted(set(LANGUAGES) - {DEFAULT_LANGUAGE}))
def test_every_language_holds_the_same_keys_in_the_same_files(lang):
    assert set(strings(lang)) == set(strings(DEFAULT_LANGUAGE))
    files = {path.name for path in (HERE / lang).glob("*.yaml")}
    assert files == {path.name for path in (HERE / DEFAULT_LANGUAGE).glob("*.yaml")}
