"""The policy plan: validated like the catalogue, followed up with the engine's figures."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from indicators import periods
from indicators import plan as plan_module
from tests.indicators.test_hand_built import AS_OF, warehouse_dir  # noqa: F401 (fixture)

DATA = yaml.safe_load(plan_module.PLAN_FILE.read_text(encoding="utf-8"))


def _with_indicators(indicators: list[dict]) -> dict:
    priority = DATA["priorities"][0]
    action = {**priority["actions"][0], "indicators": indicators}
    return {**DATA, "priorities": [{**priority, "actions": [action]}]}


def test_the_shipped_plan_is_valid_and_labelled_illustrative():
    plan = plan_module.load()
    assert plan.illustrative and "Illustrative demo plan" in plan.source
    assert plan.status.due_on.isoformat() == "2021-03-31"
    assert plan.indicator_ids()[0] == "duos_formed"


def test_unknown_indicators_and_deadline_targets_are_refused():
    with pytest.raises(ValidationError, match="unknown indicator.*happiness"):
        plan_module.Plan.model_validate(_with_indicators([{"id": "happiness"}]))
    deadline = {
        "id": "duos_formed",
        "target": {"value": 9, "deadline": "2022-01-01", "source": "x"},
    }
    with pytest.raises(ValidationError, match="belongs in data/programme.yaml"):
        plan_module.Plan.model_validate(_with_indicators([deadline]))


def test_follow_up_puts_value_target_and_status_beside_each_indicator(warehouse_dir):  # noqa: F811
    own = {"id": "flow_leisure_6m", "target": {"value": 0.2, "source": "plan"}}
    plan = plan_module.Plan.model_validate(
        _with_indicators([{"id": "duos_formed"}, {"id": "newcomers_40h_share"}, own])
    )
    period = periods.parse("programme")
    analyst = plan_module.follow_up(period, AS_OF, "analyst", "nl", warehouse_dir, plan=plan)
    rows = analyst.set_index("id")
    # hand-worked (tests/indicators/test_hand_built.py): 5 duos; of the newcomers whose last
    # duo ended (P1, P2, P3, P5; P4's still runs), P1 (42 h + 3 h of group activity) and P3
    # (42 h + 2 h) reached 40 hours of participation, P2 (3.5 + 3) and P5 (6 + 2) did not;
    # P1 of the 4 participants in the flow-through cohort started leisure
    assert rows.loc["duos_formed", ["value", "value_text", "target_text"]].tolist() == [
        5,
        "5",
        "150 tegen 31 januari 2022",
    ]
    assert rows.loc["newcomers_40h_share", ["value_text", "target_text", "status"]].tolist() == [
        "50,0 %",
        "50,0 %",
        "on_track",
    ]
    assert rows.loc["flow_leisure_6m", ["value_text", "target_text", "status"]].tolist() == [
        "25,0 %",
        "20,0 %",
        "on_track",
    ]
    viewer = plan_module.follow_up(period, AS_OF, "viewer", "nl", warehouse_dir, plan=plan)
    hidden = viewer.set_index("id").loc["flow_leisure_6m"]
    assert hidden["suppressed"] and hidden["value_text"] == "<5" and hidden["status"] is None
