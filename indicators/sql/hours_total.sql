-- hours_total: one row per duo and organisation with the hours of its contacts in the period.
select
    asof_contacts.match_id || '|' || coalesce(asof_contacts.organisation_id, '') as unit_id,
    asof_matches.participant_id,
    asof_contacts.match_id,
    asof_contacts.organisation_id,
    sum(asof_contacts.hours) as value
from asof_contacts
inner join asof_matches on asof_matches.match_id = asof_contacts.match_id
where asof_contacts.contact_on between getvariable('period_start') and getvariable('period_end')
group by all
