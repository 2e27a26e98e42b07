"""The catalogue: validated, versioned by fingerprint, documented in docs/methodology.md."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from indicators import catalogue, methodology

REQUIRED_IDS = """registrations intakes duos_formed active_duos match_rate time_to_match_days
buddies_trained_share hours_total hours_per_duo share_40h meeting_norm_share time_to_40h_days
newcomers_40h_buddy_share newcomers_40h_share newcomer_time_to_40h_days completion_rate
early_closure_rate end_reasons flow_leisure_6m flow_volunteering_6m flow_any_6m
flow_at_anchor_share anchor_places new_anchor_places organisations_hosting group_activities
group_activity_participants loneliness_change dutch_confidence_change feel_at_home_change
helpful_for_integration_share dutch_level_up_share survey_response_rate funding_total
funding_by_source spend_total cost_per_duo cost_per_duo_40h""".split()


def test_catalogue_holds_every_required_indicator_in_order():
    assert catalogue.load().ids == REQUIRED_IDS


def test_every_definition_change_bumps_its_version():
    recorded = catalogue.recorded_fingerprints()
    for ind in catalogue.load().indicators:
        entry = recorded.get(ind.id)
        assert entry is not None, f"{ind.id}: run `make docs` to record its fingerprint"
        if entry["fingerprint"] != ind.fingerprint():
            assert ind.version > entry["version"], (
                f"{ind.id}: its definition changed; bump its version, then run `make docs`"
            )
        assert entry["version"] == ind.version, f"{ind.id}: run `make docs`"


def test_invalid_catalogues_are_refused_with_the_reason():
    data = yaml.safe_load(catalogue.CATALOGUE_FILE.read_text(encoding="utf-8"))
    broken = {**data, "indicators": [dict(data["indicators"][0], frameworks=["nope"])]}
    with pytest.raises(ValidationError, match="unknown framework"):
        catalogue.Catalogue.model_validate(broken)
    twice = {**data, "indicators": data["indicators"][:1] * 2}
    with pytest.raises(ValidationError, match="more than once"):
        catalogue.Catalogue.model_validate(twice)
    bad_kind = {**data, "indicators": [dict(data["indicators"][0], kind="guess")]}
    with pytest.raises(ValidationError):
        catalogue.Catalogue.model_validate(bad_kind)


def test_every_catalogue_text_is_in_dutch_french_and_english():
    data = yaml.safe_load(catalogue.CATALOGUE_FILE.read_text(encoding="utf-8"))
    first = data["indicators"][0]
    no_french = {**data, "indicators": [dict(first, label={"nl": "Inschrijvingen", "en": "X"})]}
    with pytest.raises(ValidationError, match=r"indicators\.0\.label\.fr"):
        catalogue.Catalogue.model_validate(no_french)
    registrations = catalogue.load().get("registrations")
    assert [registrations.label.get(lang) for lang in ("nl", "fr", "en")] == [
        "Inschrijvingen",
        "Inscriptions",
        "Registrations",
    ]
    # a text outside the catalogue (a question template) may lack French: it is read in Dutch
    assert catalogue.Text(nl="vraag", en="question").get("fr") == "vraag"


def test_unknown_indicator_names_the_valid_ones():
    with pytest.raises(catalogue.UnknownIndicator, match="expected one of: registrations"):
        catalogue.load().get("happiness")


def test_methodology_document_is_generated_and_up_to_date():
    text = methodology.METHODOLOGY_DOC.read_text(encoding="utf-8")
    assert text == methodology.render(), "run `make docs`"
    for ind in catalogue.load().indicators:
        assert f"(`{ind.id}`, version {ind.version})" in text
    assert "150 by 2022-01-31" in text
