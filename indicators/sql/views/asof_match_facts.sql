-- asof_match_facts: one row per match of asof_matches with its dose of contact as known on
-- the as-of date (contacts, hours, the day it reached the participation norm) and its cohort.
with

contact_totals as (
    select
        match_id,
        count(*) as n_contacts,
        sum(hours) as hours_total
    from asof_contacts
    group by match_id
),

final as (
    select
        asof_matches.*,
        coalesce(contact_totals.n_contacts, 0) as n_contacts,
        coalesce(contact_totals.hours_total, 0) as hours_total,
        case
            when match_facts.reached_40h_on <= getvariable('as_of') then match_facts.reached_40h_on
        end as reached_40h_on,
        match_facts.match_cohort
    from asof_matches
    left join contact_totals on contact_totals.match_id = asof_matches.match_id
    left join match_facts on match_facts.match_id = asof_matches.match_id
)

select * from final
