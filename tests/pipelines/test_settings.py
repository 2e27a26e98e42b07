"""programme.yaml is validated by its model and read through one function."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from pipelines import settings

SHIPPED = yaml.safe_load(settings.PROGRAMME_FILE.read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "programme.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_the_shipped_programme_file_is_valid_and_typed():
    prog = settings.programme(settings.PROGRAMME_FILE)
    assert prog.programme.start_on == date(2021, 6, 1)
    assert prog.norms.participation_hours == 40
    assert prog.targets["duos_formed"].value == 150
    assert prog.targets["duos_formed"].deadline == date(2022, 1, 31)
    assert prog.targets["newcomers_40h_share"].deadline is None
    assert prog.funding.granted[0].amount_eur == 82882
    assert prog.disclosure.min_count == 5


def test_the_environment_names_another_programme_file(tmp_path, monkeypatch):
    other = _write(tmp_path, {**SHIPPED, "disclosure": {"min_count": 10}})
    monkeypatch.setenv(settings.PROGRAMME_ENV, str(other))
    assert settings.programme_file() == other.resolve()
    assert settings.programme().disclosure.min_count == 10


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"norms": {**SHIPPED["norms"], "participation_hours": "forty"}},
            "norms.participation_hours",
        ),
        ({"disclosure": {"min_count": 1}}, "disclosure.min_count"),
        ({"targets": {"duos_formed": {"value": 150}}}, "targets.duos_formed.source"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_a_wrong_setting_is_one_sentence_naming_it(tmp_path, change, message):
    path = _write(tmp_path, {**SHIPPED, **change})
    with pytest.raises(settings.SettingsError) as caught:
        settings.read_yaml(path, settings.Programme)
    text = str(caught.value)
    assert text.startswith(f"{path}: {message}: ") and text.endswith(".")
    assert "\n" not in text


def test_a_missing_or_unreadable_file_is_one_sentence(tmp_path):
    with pytest.raises(settings.SettingsError, match="does not exist"):
        settings.read_yaml(tmp_path / "nope.yaml", settings.Programme)
    broken = tmp_path / "broken.yaml"
    broken.write_text("programme: [unclosed\n", encoding="utf-8")
    with pytest.raises(settings.SettingsError, match="cannot be read as YAML"):
        settings.read_yaml(broken, settings.Programme)


def test_query_memory_is_scaled_to_the_snapshot_unless_the_environment_says(monkeypatch):
    monkeypatch.delenv(settings.QUERY_MEMORY_ENV, raising=False)
    # 768 MiB for a snapshot up to 1,024 MiB, then three quarters of its size
    assert settings.query_memory_mib(5 * 2**20) == 768
    assert settings.query_memory_mib(208 * 2**20) == 768
    assert settings.query_memory_mib(2000 * 2**20) == 1500
    monkeypatch.setenv(settings.QUERY_MEMORY_ENV, "2048")
    assert settings.query_memory_mib(5 * 2**20) == 2048
    for wrong in ("2GB", "10", "-1"):
        monkeypatch.setenv(settings.QUERY_MEMORY_ENV, wrong)
        with pytest.raises(settings.SettingsError, match="whole number of MiB, 64 or more"):
            settings.query_memory_mib(5 * 2**20)
