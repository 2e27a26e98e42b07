-- completion_rate: one row per duo that ended in the period; numerator 1 when it ended
-- because the trajectory was completed.
select
    match_id as unit_id,
    participant_id,
    match_id,
    null::varchar as organisation_id,
    case when end_reason = 'completed' then 1 else 0 end as numerator,
    1 as denominator
from asof_matches
where ended_on between getvariable('period_start') and getvariable('period_end')
