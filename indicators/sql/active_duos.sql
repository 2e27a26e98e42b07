-- active_duos: one row per duo active at any time in the period (started by its end, not
-- ended before its start).
select
    match_id as unit_id,
    participant_id,
    match_id,
    null::varchar as organisation_id
from asof_matches
where matched_on <= getvariable('period_end')
    and (ended_on is null or ended_on >= getvariable('period_start'))
