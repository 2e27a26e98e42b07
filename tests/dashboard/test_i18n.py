"""The dashboard's strings: every language holds the same keys (dashboard/i18n/__init__.py)."""

from __future__ import annotations

from string import Formatter

import pytest
import yaml

from dashboard.i18n import DEFAULT_LANGUAGE, HERE, LANGUAGES, strings, t


def test_the_interface_speaks_dutch_first_then_french_and_english():
    assert list(LANGUAGES) == ["nl", "fr", "en"]
    assert DEFAULT_LANGUAGE == "nl"


@pytest.mark.parametrize("lang", sorted(set(LANGUAGES) - {DEFAULT_LANGUAGE}))
def test_every_language_holds_the_same_keys_in_the_same_files(lang):
    assert set(strings(lang)) == set(strings(DEFAULT_LANGUAGE))
    files = {path.name for path in (HERE / lang).glob("*.yaml")}
    assert files == {path.name for path in (HERE / DEFAULT_LANGUAGE).glob("*.yaml")}
    for name in files:  # each key in the same file as its Dutch
        keys = set(yaml.safe_load((HERE / lang / name).read_text(encoding="utf-8")) or {})
        dutch = yaml.safe_load((HERE / DEFAULT_LANGUAGE / name).read_text(encoding="utf-8"))
        assert keys == set(dutch or {}), name


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("lang", sorted(set(LANGUAGES) - {DEFAULT_LANGUAGE}))
def test_every_translation_fills_in_the_same_values(lang):
    dutch, other = strings(DEFAULT_LANGUAGE), strings(lang)
    differ = {key for key in dutch if _fields(dutch[key]) != _fields(other[key])}
    assert not differ, f"{lang}: {sorted(differ)} name other {{values}} than Dutch"


def test_french_strings_are_french_with_no_break_spaces_before_high_signs():
    # worked out by hand: the YAML has plain spaces, French typography wants no-break ones
    assert t("page_overview", "fr") == "Vue d'ensemble"
    assert t("status_on_track", "fr") == "en bonne voie"
    assert t("role", "fr", role="viewer : admin") == "Rôle\u00a0: viewer : admin"
    assert t("trajectory_time_heading", "fr") == "À quelle vitesse\u00a0?"
    assert "«\u00a0<5\u00a0»\u00a0;" in t("methodology_disclosure_rule", "fr", below=4, threshold=5)
    assert t("role", "nl", role="x") == "Rol: x" and t("colon", "en") == ":"
