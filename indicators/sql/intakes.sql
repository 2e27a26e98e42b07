-- intakes: one row per participant whose intake interview fell in the period.
select
    participant_id as unit_id,
    participant_id,
    null::varchar as match_id,
    null::varchar as organisation_id
from asof_participants
where intake_on between getvariable('period_start') and least(getvariable('period_end'), getvariable('as_of'))
