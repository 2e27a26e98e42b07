-- group_activities: one row per group activity held in the period.
select
    activity_id as unit_id,
    null::varchar as participant_id,
    null::varchar as match_id,
    min(organisation_id) as organisation_id
from activities
where activity_on between getvariable('period_start') and least(getvariable('period_end'), getvariable('as_of'))
group by activity_id
