-- match_facts: one row per match (duo), with the participant's attributes at intake and the
-- duo's dose of contact. The participation norm (40 hours) comes from programme_settings.
with

norm as (
    select max(value) filter (where name = 'participation_hours') as norm_hours
    from programme_settings
),

contact_running as (
    select
        match_id,
        contact_on,
        sum(hours) over (
            partition by match_id
            -- the contact's row key as read (pipelines.load.row_key_read_sql)
            order by contact_on, coalesce(_row_key, cast(contact_id as varchar))
            rows between unbounded preceding and current row
        ) as hours_cumulative
    from contacts
),

contact_totals as (
    select
        match_id,
        count(*) as n_contacts,
        sum(hours) as hours_total,
        min(contact_on) as first_contact_on,
        max(contact_on) as last_contact_on
    from contacts
    group by match_id
),

reached_norm as (
    select
        contact_running.match_id,
        min(contact_running.contact_on) as reached_40h_on
    from contact_running
    cross join norm
    where contact_running.hours_cumulative >= norm.norm_hours
    group by contact_running.match_id
),

final as (
    select
        matches.match_id,
        matches.participant_id,
        matches.buddy_id,
        matches.matched_on,
        matches.planned_end_on,
        matches.ended_on,
        matches.end_reason,
        matches.ended_on is not null as is_ended,
        case
            when matches.ended_on is not null
                then datediff('day', matches.matched_on, matches.ended_on)
        end as duration_days,
        year(matches.matched_on) || '-Q' || quarter(matches.matched_on) as match_cohort,
        participants.registered_on as participant_registered_on,
        participants.intake_on,
        participants.birth_year,
        participants.gender,
        participants.country_of_birth,
        participants.municipality as municipality_nis,
        participants.dutch_level,
        participants.in_integration_trajectory,
        buddies.trained_on as buddy_trained_on,
        coalesce(contact_totals.n_contacts, 0) as n_contacts,
        coalesce(contact_totals.hours_total, 0) as hours_total,
        contact_totals.first_contact_on,
        contact_totals.last_contact_on,
        reached_norm.reached_40h_on,
        reached_norm.reached_40h_on is not null as reached_40h
    from matches
    left join participants on participants.participant_id = matches.participant_id
    left join buddies on buddies.buddy_id = matches.buddy_id
    left join contact_totals on contact_totals.match_id = matches.match_id
    left join reached_norm on reached_norm.match_id = matches.match_id
)

select * from final
