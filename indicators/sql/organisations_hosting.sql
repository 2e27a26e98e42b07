-- organisations_hosting: one row per organisation where a duo contact or a group activity
-- took place in the period.
with

hosts as (
    select organisation_id
    from asof_contacts
    where contact_on between getvariable('period_start') and getvariable('period_end')
    union
    select organisation_id
    from activities
    where activity_on between getvariable('period_start') and least(getvariable('period_end'), getvariable('as_of'))
)

select
    organisation_id as unit_id,
    null::varchar as participant_id,
    null::varchar as match_id,
    organisation_id
from hosts
where organisation_id is not null
