"""The methodology page is generated from the catalogue, in Dutch and English."""

from __future__ import annotations

import pytest

from dashboard.i18n import t
from indicators import catalogue, formatting
from pipelines import settings


def _open(open_page, lang: str):
    """Open the page in a language (it must survive the switch from the first page)."""
    at = open_page("methodology", lang=lang)
    assert at.sidebar.radio[0].value == lang
    return at


def _details(at) -> dict[str, str]:
    """Return each indicator's expander label with the text inside it."""
    return {e.label: "\n".join(m.value for m in e.markdown) for e in at.expander}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_indicator_is_described_in_the_language(open_page, lang):
    at = _open(open_page, lang)
    cat = catalogue.load()
    details = _details(at)
    summary = at.dataframe[0].value
    assert summary[t("methodology_col_indicator", lang)].tolist() == [
        i.label.get(lang) for i in cat.indicators
    ]
    assert list(details) == [f"{i.label.get(lang)} · `{i.id}`" for i in cat.indicators]
    families = [t(f"methodology_family_{i.family}", lang) for i in cat.indicators]
    assert [h.value for h in at.subheader][1:] == list(dict.fromkeys(families))
    for ind in cat.indicators:
        text = details[f"{ind.label.get(lang)} · `{ind.id}`"]
        assert ind.definition.get(lang) in text
        assert ind.period_rule.get(lang) in text
        assert t(f"methodology_kind_{ind.kind}", lang) in text
        assert f"{t('methodology_version', lang)}:** {ind.version}" in text
        for framework in ind.frameworks:
            assert cat.frameworks[framework].get(lang) in text
        for question in ind.questions:
            assert cat.questions[question].get(lang) in text


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_targets_come_from_the_programme_file(open_page, lang):
    details = _details(_open(open_page, lang))
    targets = settings.programme().targets
    cat = catalogue.load()
    for ind in cat.indicators:
        text = details[f"{ind.label.get(lang)} · `{ind.id}`"]
        target = targets.get(ind.id)
        if target is None:
            assert t("methodology_no_target", lang) in text
            continue
        assert formatting.value(target.value, ind.unit, lang) in text
        assert target.source in text
    duos = details[f"{cat.get('duos_formed').label.get(lang)} · `duos_formed`"]
    assert t("methodology_target_by", lang, value="150", deadline="2022-01-31") in duos


def test_the_intro_states_the_disclosure_and_as_of_rules(open_page):
    pages = {lang: _open(open_page, lang) for lang in ("nl", "en")}
    nl, en = (" ".join(m.value for m in pages[lang].markdown) for lang in ("nl", "en"))
    assert '"<5"' in nl and "1 tot 4" in nl and "peildatum" in nl.lower()
    assert '"<5"' in en and "1 to 4" in en and "as-of date" in en.lower()
    for at in pages.values():
        assert "docs/methodology.md" in " ".join(i.value for i in at.info)
