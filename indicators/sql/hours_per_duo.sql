-- hours_per_duo: one row per duo that ended in the period, with its total hours of contact.
select
    match_id as unit_id,
    participant_id,
    match_id,
    null::varchar as organisation_id,
    hours_total as value
from asof_match_facts
where ended_on between getvariable('period_start') and getvariable('period_end')
