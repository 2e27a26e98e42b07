"""The Plan page follows up the policy plan; the Council questions page drafts an answer."""

from __future__ import annotations

import io

import docx
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from indicators import answers, periods
from indicators import plan as plan_module
from tests.indicators.test_answers import AS_RECEIVED


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_plan_page_shows_priorities_actions_and_their_figures(open_page, demo_warehouse, lang):
    at = open_page("plan", lang)
    plan = plan_module.load()
    assert [w.value for w in at.warning][0].startswith("Illustrati")
    headers = [h.value for h in at.subheader]
    assert headers[0] == plan.title.get(lang)
    for number, priority in enumerate(plan.priorities, start=1):
        assert f"{number}. {priority.title.get(lang)}" in headers
    follow = plan_module.follow_up(periods.parse("programme"), None, "viewer", lang, demo_warehouse)
    shown = [table.value for table in at.dataframe]
    assert len(shown) == len({a.id for p in plan.priorities for a in p.actions})
    first = shown[0]
    rows = follow[follow["action_id"] == plan.priorities[0].actions[0].id]
    assert first.iloc[:, 0].tolist() == rows["label"].tolist()
    assert first.iloc[:, 1].tolist() == rows["value_text"].tolist()
    assert first.iloc[:, 2].tolist() == rows["target_text"].tolist()


def test_council_page_splits_matches_drafts_and_exports(open_page, demo_warehouse):
    at = open_page("council", "nl")
    assert at.info[0].value.startswith("Plak een vraag")
    at.text_area(key="council_text").input(AS_RECEIVED).run()
    chosen = [at.selectbox(key=f"council_template_{i}").value for i in range(4)]
    assert chosen == ["plan_priorities", "programme_setup", "goals_measurement", "funding"]
    at.selectbox(key="council_template_3").set_value("funding")
    at.text_input(key="council_number").input("2024/117").run()
    at.button(key="council_draft_button").click().run()
    assert not at.exception
    expected = answers.draft(
        [(m.question, m.template_id) for m in answers.match_all(AS_RECEIVED)],
        "programme",
        warehouse_dir=demo_warehouse,
    )
    edits = [a for a in at.text_area if a.key.startswith("council_edit_")]
    assert [a.value for a in edits] == [part.text for part in expected.parts]
    assert len(at.get("plotly_chart")) == sum(len(p.figure_ids) for p in expected.parts)
    edits[3].input("Ja, de VGC investeert eigen middelen.").run()
    buttons = at.get("download_button")
    assert len(buttons) == 2


def test_council_page_answers_a_template_chosen_without_pasting(open_page):
    at = open_page("council", "en")
    at.multiselect(key="council_pick").set_value(["reach_dose"]).run()
    at.button(key="council_draft_button").click().run()
    assert not at.exception
    [edit] = [a for a in at.text_area if a.key.startswith("council_edit_")]
    assert "newcomers registered for CoNnect Brussel" in edit.value


def test_a_french_council_page_drafts_the_councils_dutch_answer(open_page, monkeypatch):
    files: list[str] = []
    original = MemoryMediaFileStorage.load_and_get_id

    def capture(self, data, mimetype, kind, filename=None):
        files.append(filename)
        return original(self, data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", capture)
    at = open_page("council", "fr")
    assert at.title[0].value == "Questions du Conseil"
    assert at.info[0].value.startswith("La réponse est rédigée en néerlandais")
    at.multiselect(key="council_pick").set_value(["reach_dose"]).run()
    at.button(key="council_draft_button").click().run()
    assert not at.exception
    assert [h.value for h in at.subheader] == [
        "Sous-questions et modèles",
        "Projet de réponse",
        "Exporter",
    ]
    [edit] = [a for a in at.text_area if a.key.startswith("council_edit_")]
    assert "nieuwkomers zich in voor CoNnect Brussel" in edit.value
    assert {"antwoord.md", "antwoord.docx"} <= set(files)  # the document is the Dutch answer


def test_the_docx_of_an_edited_draft_holds_the_edit(demo_warehouse):
    draft = answers.draft([("Kost?", "funding")], warehouse_dir=demo_warehouse)
    edited = draft.with_texts(["Ja, de VGC investeert eigen middelen."])
    from indicators.answers import export

    document = docx.Document(io.BytesIO(export.to_docx(edited)))
    assert "Ja, de VGC investeert eigen middelen." in [p.text for p in document.paragraphs]
