"""The explorer shows the engine's figures for the chosen indicators, breakdown and filters."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from dashboard.i18n import t
from indicators import catalogue, formatting

IDS = ["duos_formed", "newcomers_40h_share"]


def _open(open_page, lang: str, role: str = "analyst", **params: str):
    """Open the explorer (an analyst's page) in a language; it must survive the page switch."""
    at = open_page("explorer", lang=lang, role=role, **params)
    assert at.sidebar.radio[0].value == lang
    return at


def _table(at) -> pd.DataFrame:
    return at.dataframe[0].value


def _title(at) -> str:
    return json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]


def _expected(frame: pd.DataFrame, column: str, lang: str) -> list[str]:
    unit = "count" if column == "n" else None
    return [
        formatting.value(r[column], unit or r["unit"], lang, bool(r["suppressed"]))
        for _, r in frame.iterrows()
    ]


def _param(at, name: str) -> str:
    value = at.query_params[name]
    return value[0] if isinstance(value, list) else value


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_table_and_chart_show_the_engine_values(open_page, figures, lang):
    at = _open(open_page, lang=lang, ids=",".join(IDS), breakdown="gender")
    assert at.multiselect(key="explorer_ids").value == IDS
    assert at.selectbox(key="explorer_breakdown").value == "gender"
    frame = figures(IDS, "programme", breakdown="gender", role="analyst")
    table = _table(at)
    assert len(table) == len(frame)
    assert table[t("explorer_col_value", lang)].tolist() == _expected(frame, "value", lang)
    assert table[t("explorer_col_n", lang)].tolist() == _expected(frame, "n", lang)
    labels = [catalogue.load().get(i).label.get(lang) for i in frame["id"]]
    assert table[t("explorer_col_indicator", lang)].tolist() == labels
    at_target = frame.index[(frame["id"] == "newcomers_40h_share") & frame["breakdown"].isna()][0]
    assert table[t("explorer_col_target", lang)].iloc[at_target] == formatting.value(
        frame.loc[at_target, "target"], "percent", lang
    )
    # the chart: duos formed by gender, its title naming the total and the largest group
    duos = frame[frame["id"] == "duos_formed"]
    total = duos[duos["breakdown"].isna()].iloc[0]
    split = duos[duos["breakdown"].notna()].dropna(subset=["value"])
    top = split.loc[split["value"].idxmax()]
    title = _title(at)
    assert formatting.value(total["value"], "count", lang) in title
    assert f"{top['breakdown_value']} ({formatting.value(top['value'], 'count', lang)})" in title
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert list(bars["text"]) == _expected(duos[duos["breakdown"].notna()], "value", lang)


def test_a_filter_changes_the_figures(open_page, figures):
    at = _open(open_page, lang="en", ids="duos_formed")
    column = t("explorer_col_value", "en")
    before = _table(at)[column].iloc[0]
    assert before == _expected(figures(["duos_formed"], "programme"), "value", "en")[0]  # 268
    at.multiselect(key="explorer_filter_gender").set_value(["F"]).run()
    assert not at.exception
    women = figures(["duos_formed"], "programme", filters={"gender": ["F"]}, role="analyst")
    after = _table(at)[column].iloc[0]
    assert after == _expected(women, "value", "en")[0]
    assert after != before


def test_changing_the_period_and_breakdown_changes_the_figures_and_the_url(open_page, figures):
    at = _open(open_page, lang="nl", ids="duos_formed")
    at.sidebar.selectbox[1].set_value("2021-Q3").run()
    at.selectbox(key="explorer_breakdown").set_value("dutch_level").run()
    assert not at.exception
    frame = figures(["duos_formed"], "2021-Q3", breakdown="dutch_level", role="analyst")
    assert _table(at)[t("explorer_col_value", "nl")].tolist() == _expected(frame, "value", "nl")
    assert _param(at, "breakdown") == "dutch_level"
    assert _param(at, "ids") == "duos_formed"
    # a breakdown not defined for every chosen indicator is not offered
    at.multiselect(key="explorer_ids").set_value(["duos_formed", "cost_per_duo"]).run()
    assert at.selectbox(key="explorer_breakdown").options == ["geen", "programma"]
    assert at.selectbox(key="explorer_breakdown").value == "none"


def test_analysts_see_unsuppressed_values_and_viewers_are_refused(open_page, figures):
    viewer = open_page("explorer", lang="en", role="viewer")
    assert [e.value for e in viewer.error] == [t("page_not_allowed", "en", role="viewer")]
    assert not viewer.dataframe
    analyst = _table(_open(open_page, lang="en", ids="duos_formed", breakdown="municipality"))
    column = t("explorer_col_value", "en")
    assert "<5" not in analyst[column].tolist()
    frame = figures(["duos_formed"], "programme", breakdown="municipality", role="analyst")
    assert analyst[column].tolist() == _expected(frame, "value", "en")


def test_downloads_hold_the_tidy_frame_with_lineage(open_page, figures, monkeypatch):
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def capture(self, data, mimetype, kind, filename=None):
        files[filename] = data
        return original(self, data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", capture)
    _open(open_page, lang="nl", ids="share_40h", breakdown="gender")
    frame = figures(["share_40h"], "programme", breakdown="gender", role="analyst")
    csv = pd.read_csv(io.BytesIO(files["indicators_programme.csv"]))
    excel = pd.read_excel(io.BytesIO(files["indicators_programme.xlsx"]))
    for download in (csv, excel):
        for column in ("snapshot", "snapshot_sha256", "catalogue_version", "disclosure"):
            assert download[column].tolist() == frame[column].tolist()
        assert download["value"].tolist() == pytest.approx(frame["value"].tolist(), nan_ok=True)
    assert frame["disclosure"].iloc[0] == "not applied (analyst role)"


def test_without_a_breakdown_the_figure_is_a_tile_not_a_chart_of_one_bar(open_page, figures):
    at = _open(open_page, "en", ids="duos_formed", breakdown="none")
    assert not at.get("plotly_chart")
    expected = figures(["duos_formed"], "programme", role="analyst")
    row = expected[expected["breakdown"].isna()].iloc[0]
    [tile] = at.metric
    assert tile.value == formatting.value(row["value"], "count", "en", False)
