-- registrations: one row per participant who registered in the period.
select
    participant_id as unit_id,
    participant_id,
    null::varchar as match_id,
    null::varchar as organisation_id
from asof_participants
where registered_on between getvariable('period_start') and getvariable('period_end')
