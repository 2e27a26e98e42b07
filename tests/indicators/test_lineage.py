"""Lineage: an indicator's fingerprint covers the shared views and marts below its SQL, found
by scanning the SQL, so a change to shared logic cannot change a figure without a version bump."""

from __future__ import annotations

import graphlib
import shutil

import duckdb
import pytest

from indicators import catalogue, methodology
from indicators.lineage import Sources
from pipelines.settings import PROJECT_ROOT

COPIED = ("indicators/catalogue.yaml", "indicators/sql", "pipelines/marts")


@pytest.fixture
def project_copy(tmp_path):
    """Return a temporary project root holding a copy of the catalogue and every SQL folder."""
    for rel in COPIED:
        source, target = PROJECT_ROOT / rel, tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
    return tmp_path


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should occur once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


# Worked out by reading the SQL files, not with the lineage code: who selects from what.
# asof_flow_starts <- flows <- flow_cohort <- flow_leisure_6m, flow_volunteering_6m, flow_any_6m;
# asof_flow_starts <- flow_at_anchor_share directly (flows itself is a chart view).
# match_facts (mart) <- asof_match_facts <- hours_per_duo, share_40h, time_to_40h_days, and
# <- cost_units <- cost_per_duo, cost_per_duo_40h.
# asof_finance <- period_bookings <- funding_total, funding_by_source, spend_total, cost_units.
# participant_flow (mart): no view or indicator selects from it; only the catalogue version moves.
# Every indicator's query also joins participant_dims (<- asof_matches) and match_facts for its
# breakdowns (indicators/sql/with_dimensions.sql), so a change to match_facts moves them all.
EVERY = [ind.id for ind in catalogue.load().indicators]
CHANGES = {
    "view two levels down": (
        "indicators/sql/views/asof_flow_starts.sql",
        "<> 'referred'",
        "not in ('referred', 'stopped')",
        ["flow_leisure_6m", "flow_volunteering_6m", "flow_any_6m", "flow_at_anchor_share"],
    ),
    "mart below a view": (
        "pipelines/marts/match_facts.sql",
        "hours_cumulative >= norm.norm_hours",
        "hours_cumulative > norm.norm_hours",
        EVERY,
    ),
    "the breakdown join": (
        "indicators/sql/with_dimensions.sql",
        "participant_dims.match_cohort, 'not matched'",
        "participant_dims.match_cohort, 'no duo'",
        EVERY,
    ),
    "as-of view": (
        "indicators/sql/views/asof_finance.sql",
        "booked_on <= getvariable('as_of')",
        "booked_on < getvariable('as_of')",
        ["funding_total", "funding_by_source", "spend_total", "cost_per_duo", "cost_per_duo_40h"],
    ),
    "mart below no indicator": (
        "pipelines/marts/participant_flow.sql",
        "count(*) as n_referrals",
        "count(distinct kind) as n_referrals",
        [],
    ),
}


def test_a_copy_of_the_sources_gives_the_same_fingerprints_and_version(project_copy):
    here, there = catalogue.load(), catalogue.load(project_copy)
    assert there.sources.root == project_copy
    assert {i.id: i.fingerprint() for i in there.indicators} == {
        i.id: i.fingerprint() for i in here.indicators
    }
    assert there.version == here.version
    assert catalogue.stale(there, catalogue.recorded_fingerprints()) == []


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_changing_shared_sql_changes_exactly_the_fingerprints_above_it(project_copy, change):
    rel, old, new, affected = CHANGES[change]
    before = catalogue.load(project_copy)
    prints = {i.id: i.fingerprint() for i in before.indicators}
    _edit(project_copy / rel, old, new)
    after = catalogue.load(project_copy)
    changed = [i.id for i in after.indicators if i.fingerprint() != prints[i.id]]
    assert sorted(changed) == sorted(affected)
    # the recorded fingerprints are those of the unchanged sources: a version bump is due
    stale = catalogue.stale(after, catalogue.recorded_fingerprints())
    assert sorted(stale) == sorted(affected)
    assert after.version != before.version
    assert after.version.split("+")[0] == before.version.split("+")[0]


def test_changing_a_label_in_the_catalogue_changes_only_that_fingerprint(project_copy):
    before = {i.id: i.fingerprint() for i in catalogue.load(project_copy).indicators}
    cat_file = project_copy / "indicators" / "catalogue.yaml"
    _edit(cat_file, "nl: Redenen van beëindiging", "nl: Redenen van stopzetting")
    after = catalogue.load(project_copy)
    assert [i.id for i in after.indicators if i.fingerprint() != before[i.id]] == ["end_reasons"]


def test_dependencies_are_found_in_the_sql_transitively_in_creation_order():
    # flow_any_6m selects from flow_cohort, which selects from flows, which selects from
    # asof_match_flows, which selects from asof_matches, norms and asof_flow_starts, which
    # selects from asof_referrals; its breakdowns join participant_dims (which selects from
    # asof_matches) and the mart match_facts
    deps = catalogue.load().get("flow_any_6m").dependencies()
    assert sorted(deps) == [
        "marts/match_facts",
        "views/asof_flow_starts",
        "views/asof_match_flows",
        "views/asof_matches",
        "views/asof_referrals",
        "views/flow_cohort",
        "views/flows",
        "views/norms",
        "views/participant_dims",
    ]
    assert deps.index("views/asof_referrals") < deps.index("views/asof_flow_starts")
    assert deps.index("views/asof_match_flows") < deps.index("views/flows")
    assert deps.index("views/flows") < deps.index("views/flow_cohort")
    # group_activities reads the warehouse table itself; only its breakdowns need views
    assert catalogue.load().get("group_activities").dependencies() == [
        "marts/match_facts",
        "views/asof_matches",
        "views/participant_dims",
    ]


def test_names_in_comments_strings_and_after_a_dot_are_no_dependencies():
    sql = (
        "-- the duo's norms\nselect x.flows, flows.kind, 'it''s -- norms' as note\n"
        "from flows -- not asof_matches\nwhere kind = 'asof_matches' or kind in (select kind "
        "from duo_units)"
    )
    assert Sources().direct(sql) == {"views/flows", "views/duo_units"}


def test_the_methodology_names_the_views_and_marts_below_each_indicator():
    text = methodology.render()
    assert (
        "- Computed from: views (indicators/sql/views/) `asof_contacts`, `asof_match_facts`, "
        "`asof_matches`, `participant_dims`; marts (pipelines/marts/) `match_facts`\n"
    ) in text.split("(`hours_per_duo`", 1)[1]
    assert (
        "- Computed from: views (indicators/sql/views/) `asof_matches`, `participant_dims`; "
        "marts (pipelines/marts/) `match_facts`\n"
    ) in text.split("(`group_activities`")[1]


def _views_root(tmp_path, views: dict[str, str]):
    (tmp_path / "pipelines" / "marts").mkdir(parents=True)
    folder = tmp_path / "indicators" / "sql" / "views"
    folder.mkdir(parents=True)
    for name, sql in views.items():
        (folder / f"{name}.sql").write_text(sql, encoding="utf-8")
    return Sources(tmp_path)


def test_views_are_created_after_the_views_they_select_from(tmp_path):
    # by name, a_top would come first and fail: it selects from m_middle, which selects z_base
    sources = _views_root(
        tmp_path,
        {
            "a_top": "select n * 2 as n from m_middle",
            "m_middle": "-- from z_base\nselect n + 1 as n from z_base",
            "z_base": "select 20 as n",
        },
    )
    assert sources.order == ["views/z_base", "views/m_middle", "views/a_top"]
    con = duckdb.connect()
    sources.create_views(con)
    assert con.execute("select n from a_top").fetchall() == [(42,)]


def test_views_that_select_from_each_other_are_refused(tmp_path):
    sources = _views_root(tmp_path, {"a": "select * from b", "b": "select * from a"})
    with pytest.raises(graphlib.CycleError):
        sources.create_views(duckdb.connect())
