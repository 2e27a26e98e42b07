-- duos_formed: one row per match (duo) that started in the period.
select
    match_id as unit_id,
    participant_id,
    match_id,
    null::varchar as organisation_id
from asof_matches
where matched_on between getvariable('period_start') and getvariable('period_end')
