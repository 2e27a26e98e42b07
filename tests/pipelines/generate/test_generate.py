"""Tests of generate() as a whole: determinism, the report, scales and streamed programmes.

Expected values are worked out here from the contract, programme.yaml and the files themselves
(read with the csv module and openpyxl), never from the generator's own helpers.
"""

from __future__ import annotations

import csv
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from pipelines.contract import TABLES
from pipelines.generate import SCALES, GenerateError, Scale, generate
from tests.pipelines.generate.files import AMIF_GRANT, read_clean


@pytest.mark.parametrize("dirty_run", [False, True])
def test_same_seed_gives_identical_bytes(tmp_path: Path, dirty_run: bool) -> None:
    first = generate(tmp_path / "a", seed=7, dirty=dirty_run)
    generate(tmp_path / "b", seed=7, dirty=dirty_run)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert len(names) == len(first.files) + 1  # the data files and _generation.json
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_different_seed_gives_different_data(tmp_path: Path, clean) -> None:
    out, _, _ = clean
    generate(tmp_path, seed=2022)
    for table in ("participants", "contacts", "finance"):
        assert (tmp_path / f"{table}.csv").read_bytes() != (out / f"{table}.csv").read_bytes()


def test_report_rows_equal_lines_in_each_file(clean) -> None:
    out, report, _ = clean
    for table, n in report.rows.items():
        with open(out / f"{table}.csv", encoding="utf-8", newline="") as fh:
            assert sum(1 for _ in csv.reader(fh)) - 1 == n, table
    assert all(classes == {} for classes in report.bad_rows.values())


def test_generation_report_is_written_and_labelled_synthetic(clean) -> None:
    out, report, _ = clean
    text = (out / "_generation.json").read_text(encoding="utf-8")
    assert text == report.to_json()
    payload = json.loads(text)
    assert payload["synthetic"] is True
    assert "synthetic" in payload["notice"].lower()
    assert payload["export_on"] == "2024-01-15"
    assert payload["rows"] == report.rows
    assert payload["files"] == [p.name for p in report.files]


def test_xlsx_is_refused_above_scale_s(tmp_path: Path) -> None:
    with pytest.raises(GenerateError, match="1,048,576"):
        generate(tmp_path, scale="M", fmt="xlsx")
    with pytest.raises(GenerateError, match="Unknown scale"):
        generate(tmp_path, scale="XXL")


def test_scales_multiply_the_programme() -> None:
    assert [SCALES[s].programmes for s in ("S", "M", "L", "XL")] == [1, 100, 1_000, 10_000]
    assert SCALES["M"].id_digits["D"] == 7  # ids widen: D0000001


def test_streamed_programmes_reproduce_s_and_keep_ids_apart(tmp_path: Path, clean) -> None:
    """Two programmes side by side: the first is S with wider ids, the second is its own."""
    s_out, s_report, _ = clean
    progress: list[tuple[str, int]] = []
    report = generate(tmp_path, scale=Scale("T", 2), progress=lambda t, n: progress.append((t, n)))
    assert dict(progress[-len(report.rows) :]) == report.rows

    def narrow(cell: str) -> str:
        # D000001 -> D00001: undo the one extra digit of a two-programme data set (ids also
        # appear inside finance descriptions)
        return re.sub(r"\b([DBKCOG])0(\d{3,})\b", r"\1\2", cell)

    for table in TABLES:
        s_rows = [list(r.values()) for r in read_clean(s_out, table.name)]
        t_rows = [list(r.values()) for r in read_clean(tmp_path, table.name)]
        assert s_report.rows[table.name] < len(t_rows) == report.rows[table.name]
        first = [[narrow(c) for c in r] for r in t_rows[: len(s_rows)]]
        assert first == s_rows, table.name
    data = {t.name: read_clean(tmp_path, t.name) for t in TABLES}
    assert len({r["contact_id"] for r in data["contacts"]}) == len(data["contacts"])
    assert len({r["participant_id"] for r in data["participants"]}) == len(data["participants"])
    matches = {r["match_id"] for r in data["matches"]}
    assert all(r["match_id"] in matches for r in data["contacts"])
    amif = [r for r in data["finance"] if r["source"] == "flemish_community_amif"]
    assert sum(Decimal(r["amount_eur"]) for r in amif) == 2 * AMIF_GRANT
