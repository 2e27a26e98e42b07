-- group_activity_participants: one row per participant who attended a group activity in
-- the period.
select
    participant_id as unit_id,
    participant_id,
    null::varchar as match_id,
    min(organisation_id) as organisation_id
from activities
where activity_on between getvariable('period_start') and least(getvariable('period_end'), getvariable('as_of'))
group by participant_id
