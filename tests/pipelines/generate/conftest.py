"""Generated data sets shared by the generator tests: S at seed 2021, clean and dirty."""

from __future__ import annotations

import pytest

from pipelines.contract import TABLES
from pipelines.generate import generate
from tests.pipelines.generate.files import read_clean


@pytest.fixture(scope="package")
def clean(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("clean")
    report = generate(out, scale="S", seed=2021)
    return out, report, {t.name: read_clean(out, t.name) for t in TABLES}


@pytest.fixture(scope="package")
def dirty(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("dirty")
    return out, generate(out, scale="S", seed=2021, dirty=True)
