"""Council answers: split and match, draft every template, export .md and .docx reproducibly."""

from __future__ import annotations

import io
import math
import re
from pathlib import Path

import docx
import pytest
import yaml
from pydantic import ValidationError
from typer.testing import CliRunner

from dashboard.cli import app
from indicators import answers, catalogue, engine, formatting
from indicators import plan as plan_module
from indicators.answers import export
from indicators.answers.library import QUESTIONS_DIR, QuestionTemplate
from pipelines import audit, warehouse
from tests.indicators.test_hand_built import AS_OF, warehouse_dir  # noqa: F401 (fixture)

AS_RECEIVED = (
    "Is het plan Lokaal Integratiebeleid klaar? Zo ja, kunt u het plan toelichten? Wat zijn de "
    "prioriteiten? ... Wat is de exacte inhoud en opzet van CoNnect Brussel? Hoe worden de "
    "buddytrajecten opgezet? ... Welke doelen en doelstellingen worden vooropgesteld? Hoe "
    "zullen deze gemeten worden? Wanneer is het project geslaagd? ... Investeert de VGC ook "
    "eigen middelen in het project?"
)
TEMPLATES = sorted(answers.library())
HEADER = answers.Header("2024/117", "15 maart 2024", "Raadslid X", "Collegelid Y", "CoNnect")


def test_the_four_part_question_is_split_and_matched():
    found = answers.match_all(AS_RECEIVED)
    assert [m.question for m in found] == [
        "Is het plan Lokaal Integratiebeleid klaar? Zo ja, kunt u het plan toelichten? Wat zijn "
        "de prioriteiten?",
        "Wat is de exacte inhoud en opzet van CoNnect Brussel? Hoe worden de buddytrajecten "
        "opgezet?",
        "Welke doelen en doelstellingen worden vooropgesteld? Hoe zullen deze gemeten worden? "
        "Wanneer is het project geslaagd?",
        "Investeert de VGC ook eigen middelen in het project?",
    ]
    assert [m.template_id for m in found] == [
        "plan_priorities",
        "programme_setup",
        "goals_measurement",
        "funding",
    ]
    assert "priorit" in found[0].words and "middel" in found[3].words  # the reason shown


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("1. Hoeveel duo's?\n2. Hoeveel uren?\n3. Wat kost het?", 3),
        ("- Hoeveel duo's?\n- Wat kost het?", 2),
        ("Hoeveel duo's zijn er?\n\nWat kost het project?", 2),
        ("Hoeveel duo's zijn er? Zo ja, hoeveel? Wat kost het project?", 2),
        ("Graag een overzicht van de doorstroom.", 1),
        ("   ", 0),
    ],
)
def test_lists_paragraphs_and_question_marks_split_a_question(text, parts):
    assert len(answers.split(text)) == parts


def _parse_dutch(text: str) -> float:
    """Return the number in a Dutch figure such as '1.234,5 uur', '42,7 %' or '82.882 €'."""
    number = re.search(r"-?[\d.]+(?:,\d+)?", text)[0].replace(".", "").replace(",", ".")
    return float(number) / (100 if "%" in text else 1)


def _tolerance(text: str) -> float:
    decimals = len(text.split(",")[1].split()[0].rstrip("%")) if "," in text else 0
    scale = 0.01 if "%" in text else 1
    return 0.5 * 10**-decimals * scale + 1e-9


def _check_numbers(draft: answers.Draft, wh: Path, as_of: str | None) -> int:
    """Assert each figure in the text is the engine's value written in Dutch; return how many."""
    text = "\n".join(part.text for part in draft.parts)
    checked = 0
    for figure in draft.figures:
        frame = engine.compute([figure.id], "programme", as_of=as_of, warehouse_dir=wh)
        row = frame[
            frame["breakdown"].isna() & (frame["category"].fillna("") == (figure.category or ""))
        ]
        row = row.iloc[0]
        if row["suppressed"]:
            assert figure.text == ("minder dan 5" if row["unit"] == "count" else "niet vermeld")
            continue
        if math.isnan(row["value"]):
            assert figure.text == "nog niet gekend"
            continue
        shown = formatting.value(row["value"], row["unit"], "nl")
        assert figure.text == shown
        assert abs(_parse_dutch(shown) - row["value"]) <= _tolerance(shown)
        if figure.category is None:
            assert shown in text, f"{figure.id} ({shown}) is not in the answer"
        checked += 1
    for word in ("None", "nan", "NaN", "{{", "}}"):
        assert word not in text
    return checked


@pytest.mark.parametrize("template_id", TEMPLATES)
def test_every_template_on_the_demo_data_quotes_the_engines_figures(demo_warehouse, template_id):
    template = answers.get(template_id)
    draft = answers.draft(
        [(template.question.nl, template_id)], "programme", warehouse_dir=demo_warehouse
    )
    [part] = draft.parts
    assert part.text and part.template_id == template_id
    checked = _check_numbers(draft, demo_warehouse, None)
    assert checked >= len(template.indicators) - sum(f.suppressed for f in draft.figures)


@pytest.mark.parametrize("template_id", TEMPLATES)
def test_every_template_on_hand_built_data(warehouse_dir, template_id):  # noqa: F811
    template = answers.get(template_id)
    draft = answers.draft(
        [(template.question.nl, template_id)], "programme", AS_OF, warehouse_dir=warehouse_dir
    )
    _check_numbers(draft, warehouse_dir, AS_OF)
    hidden = [f for f in draft.figures if f.suppressed]
    assert draft.notes == (
        (
            "Om personen te beschermen worden aantallen onder 5 niet vermeld; ze staan in dit "
            "antwoord als 'minder dan 5', en aandelen, gemiddelden of medianen die op zulke "
            "aantallen steunen als 'niet vermeld'.",
        )
        if hidden
        else ()
    )


def test_hidden_figures_never_appear_in_an_answer(warehouse_dir):  # noqa: F811
    # on the hand-built data the flow-through rates rest on 1 of 4 (leisure, volunteering),
    # 2 of 4 (any) and 3 of 5 starts (at an anchor place): every one is hidden from viewers
    draft = answers.draft(
        [("Hoeveel nieuwkomers stromen door?", "flow_through")],
        "programme",
        AS_OF,
        warehouse_dir=warehouse_dir,
    )
    [part] = draft.parts
    assert part.text.count("niet vermeld") == 4
    assert not re.search(r"\d+,\d %", part.text)
    for value in ("25,0 %", "50,0 %", "60,0 %"):  # the analyst's figures
        assert value not in export.to_markdown(draft)
    assert export.to_markdown(draft).count("aantallen onder 5 niet vermeld") == 1


def test_missing_plan_and_missing_data_are_said_in_words(demo_warehouse, tmp_path):
    question = [("Is het plan klaar?", "plan_priorities")]
    without = answers.draft(question, warehouse_dir=demo_warehouse, use_plan_file=False)
    assert without.parts[0].text == (
        "Over het plan Lokaal Integratiebeleid zijn in deze toepassing nog geen gegevens opgenomen."
    )
    data = yaml.safe_load(plan_module.PLAN_FILE.read_text(encoding="utf-8"))
    empty = plan_module.Plan.model_validate({**data, "priorities": []})
    text = answers.draft(question, warehouse_dir=demo_warehouse, plan=empty).parts[0].text
    assert (
        "Het plan bevat nog geen prioriteiten; hierover zijn nog geen gegevens beschikbaar." in text
    )
    # a month before the programme: no income at all, so no own means either
    funding = answers.draft(
        [("Investeert de VGC eigen middelen?", "funding")], "2021-01", warehouse_dir=demo_warehouse
    )
    assert "geen eigen middelen van de VGC geboekt" in funding.parts[0].text
    assert "nog niet gekend per gevormd duo" in funding.parts[0].text


def test_a_template_naming_an_unknown_indicator_is_refused():
    data = yaml.safe_load((QUESTIONS_DIR / "funding.yaml").read_text(encoding="utf-8"))
    with pytest.raises(ValidationError, match="unknown indicator.*happiness"):
        QuestionTemplate.model_validate({**data, "indicators": ["happiness"]})
    with pytest.raises(ValidationError, match="not among the template's indicators"):
        QuestionTemplate.model_validate({**data, "indicators": ["funding_total"]})
    with pytest.raises(answers.UnknownQuestion, match="expected one of: anchor_places"):
        answers.get("weather")


def _four_part_draft(wh: Path) -> answers.Draft:
    pairs = [(m.question, m.template_id) for m in answers.match_all(AS_RECEIVED)]
    return answers.draft(pairs, "programme", "2023-12-31", header=HEADER, warehouse_dir=wh)


def test_markdown_is_reproducible_and_holds_header_parts_figures_and_sources(demo_warehouse):
    first = export.to_markdown(_four_part_draft(demo_warehouse), "answer_files")
    engine.clear_cache()
    again = export.to_markdown(_four_part_draft(demo_warehouse), "answer_files")
    assert first == again
    assert first.startswith("# Antwoord op schriftelijke vraag 2024/117\n")
    assert "| Vraagsteller | Raadslid X |" in first
    assert first.count("\n## Vraag ") == 4
    assert "![Gevormde duo's](answer_files/chart_duos_formed.png)" in first
    snapshot = answers.draft([], warehouse_dir=demo_warehouse).snapshot_id
    assert f"Snapshot {snapshot}" in first and catalogue.load().version in first


def test_docx_opens_and_holds_the_written_answer(demo_warehouse):
    draft = _four_part_draft(demo_warehouse)
    images = {export.chart_key(f): _tiny_png() for f in draft.figures}
    data = export.to_docx(draft, images)
    assert data == export.to_docx(draft, images)  # byte-identical
    document = docx.Document(io.BytesIO(data))
    header = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert header == {
        "Nummer": "2024/117",
        "Datum van indiening": "15 maart 2024",
        "Vraagsteller": "Raadslid X",
        "Gericht aan": "Collegelid Y",
        "Onderwerp": "CoNnect",
    }
    quotes = [p.text for p in document.paragraphs if p.style.name == "Intense Quote"]
    assert quotes == [part.question for part in draft.parts]
    figures = document.tables[1]
    assert [c.text for c in figures.rows[0].cells][:2] == ["Indicator", "Waarde"]
    assert len(figures.rows) == 1 + len(draft.figures)
    notes = [p.text for p in document.paragraphs if p.text.startswith("Gevormde duo's: ")]
    assert "Peildatum: 31 december 2023" in notes[-1]
    assert "Afscherming: toegepast (drempel 5)." in notes[-1]
    assert len(document.inline_shapes) == len({f.id for f in draft.figures})
    assert document.core_properties.created.isoformat()[:10] == draft.snapshot_created_at[:10]


def _tiny_png() -> bytes:
    import base64

    return base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
    )


def test_cli_drafts_from_text_to_markdown_with_charts(demo_warehouse, tmp_path):
    question = tmp_path / "vraag.txt"
    question.write_text(AS_RECEIVED, encoding="utf-8")
    target = tmp_path / "antwoord.md"
    res = CliRunner().invoke(
        app,
        [
            "answer",
            "--from-text",
            str(question),
            "--question",
            "reach_dose",
            "--number",
            "2024/117",
            "--warehouse",
            str(demo_warehouse),
            "--out",
            str(target),
        ],
    )
    assert res.exit_code == 0, res.output
    text = target.read_text(encoding="utf-8")
    assert text.count("\n## Vraag ") == 5
    charts = sorted((tmp_path / "antwoord_files").glob("*.png"))
    assert charts and all(p.read_bytes().startswith(b"\x89PNG") for p in charts)
    for chart in charts:
        assert f"antwoord_files/{chart.name}" in text
    recorded = audit.read(demo_warehouse)[-1]
    assert (recorded["action"], recorded["snapshot"]) == (
        "answer_document",
        warehouse.current(demo_warehouse).id,
    )
    assert recorded["what"].endswith(", reach_dose (md)")  # the matched templates, then this one


def test_the_readme_example_is_what_the_demo_data_give(demo_warehouse):
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("starts like this (the `.md` version):", 1)[1].split("    ...", 1)[0]
    lines = [line.removeprefix("    ") for line in example.strip("\n").splitlines()]
    pairs = [(m.question, m.template_id) for m in answers.match_all(AS_RECEIVED)]
    drafted = export.to_markdown(
        answers.draft(pairs, "programme", "2023-12-31", warehouse_dir=demo_warehouse)
    )
    assert "\n".join(lines).strip() in drafted
