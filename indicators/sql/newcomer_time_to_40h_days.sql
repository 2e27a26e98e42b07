-- newcomer_time_to_40h_days: one row per newcomer first matched in the period, with the days
-- from that first match until their hours with buddies and in group activities reached the
-- participation norm (event 1) or, when they have not, until their last duo ended or, while
-- one still runs, until the as-of date (event 0: censored), for the Kaplan-Meier median.
-- Hours before the first match (a group activity) count from the first match on.
select
    participant_id as unit_id,
    participant_id,
    null::varchar as match_id,
    null::varchar as organisation_id,
    case
        when all_reached_on is not null
            then datediff('day', first_matched_on, greatest(all_reached_on, first_matched_on))
        else datediff('day', first_matched_on, coalesce(last_ended_on, getvariable('as_of')))
    end as duration,
    case when all_reached_on is not null then 1 else 0 end as event
from newcomer_hours
where first_matched_on between getvariable('period_start') and getvariable('period_end')
