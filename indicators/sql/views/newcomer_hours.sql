-- newcomer_hours: one row per newcomer with a duo known on the as-of date, with their first
-- match, the end of their last duo (empty while one of their duos still runs), their hours of
-- contact with their buddies over all their duos and with group activities added (the 4th
-- pillar of civic integration counts both), and the day each reached the participation norm.
with

hours_by_day as (
    select
        asof_matches.participant_id,
        asof_contacts.contact_on as on_day,
        asof_contacts.hours as buddy_hours,
        asof_contacts.hours as all_hours
    from asof_contacts
    inner join asof_matches on asof_matches.match_id = asof_contacts.match_id
    union all
    select
        participant_id,
        activity_on,
        0,
        coalesce(hours, 0)
    from activities
    where activity_on <= getvariable('as_of')
),

-- the hours up to and including each day: the window's default frame takes in the rows of
-- the same day (its peers), so no grouping by day is needed first
running as (
    select
        participant_id,
        on_day,
        sum(buddy_hours) over by_day as buddy_cumulative,
        sum(all_hours) over by_day as all_cumulative
    from hours_by_day
    window by_day as (partition by participant_id order by on_day)
),

reached as (
    select
        running.participant_id,
        max(running.buddy_cumulative) as buddy_hours,
        max(running.all_cumulative) as all_hours,
        min(running.on_day) filter (where running.buddy_cumulative >= norms.norm_hours)
            as buddy_reached_on,
        min(running.on_day) filter (where running.all_cumulative >= norms.norm_hours)
            as all_reached_on
    from running
    cross join norms
    group by running.participant_id
),

duos as (
    select
        participant_id,
        min(matched_on) as first_matched_on,
        case when bool_and(ended_on is not null) then max(ended_on) end as last_ended_on
    from asof_matches
    group by participant_id
),

final as (
    select
        duos.participant_id,
        duos.first_matched_on,
        duos.last_ended_on,
        coalesce(reached.buddy_hours, 0) as buddy_hours,
        coalesce(reached.all_hours, 0) as all_hours,
        reached.buddy_reached_on,
        reached.all_reached_on
    from duos
    left join reached on reached.participant_id = duos.participant_id
)

select * from final
