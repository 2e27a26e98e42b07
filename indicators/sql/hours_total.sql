-- hours_total: one row per duo and organisation with the hours of its contacts in the period.
with

by_duo as (
    select
        asof_matches.participant_id,
        asof_contacts.match_id,
        asof_contacts.organisation_id,
        sum(asof_contacts.hours) as value
    from asof_contacts
    inner join asof_matches on asof_matches.match_id = asof_contacts.match_id
    where asof_contacts.contact_on between getvariable('period_start') and getvariable('period_end')
    group by all
),

-- the unit's id is made once per group, not once per contact
final as (
    select
        match_id || '|' || coalesce(organisation_id, '') as unit_id,
        participant_id,
        match_id,
        organisation_id,
        value
    from by_duo
)

select * from final
