-- end_reasons: one row per duo that ended in the period, with its end reason as category.
select
    match_id as unit_id,
    participant_id,
    match_id,
    null::varchar as organisation_id,
    coalesce(end_reason, 'unknown') as category
from asof_matches
where ended_on between getvariable('period_start') and getvariable('period_end')
