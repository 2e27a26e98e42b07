-- flows: one row per ended duo of the period whose flow-through window has closed, and per
-- kind of flow-through its participant started between the match start and the window's end
-- ('none' when nothing started), with the duo's outcome.
select
    match_id,
    participant_id,
    outcome,
    kind
from asof_match_flows
where ended_on between getvariable('period_start') and getvariable('period_end')
