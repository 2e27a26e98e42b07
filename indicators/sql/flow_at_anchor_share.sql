-- flow_at_anchor_share: one row per flow-through start in the period; numerator 1 when the
-- organisation was an anchor place on the day of the start.
select
    participant_id || '|' || kind || '|' || strftime(started_on, '%Y-%m-%d') || '|'
    || coalesce(organisation_id, '') as unit_id,
    participant_id,
    null::varchar as match_id,
    organisation_id,
    case when at_anchor_place then 1 else 0 end as numerator,
    1 as denominator
from asof_flow_starts
where started_on between getvariable('period_start') and getvariable('period_end')
