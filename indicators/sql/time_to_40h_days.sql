-- time_to_40h_days: one row per duo that started in the period, with the days until it
-- reached the participation norm (event 1) or, when it has not, until it ended or until the
-- as-of date (event 0: censored), for the Kaplan-Meier median.
select
    match_id as unit_id,
    participant_id,
    match_id,
    null::varchar as organisation_id,
    case
        when reached_40h_on is not null then datediff('day', matched_on, reached_40h_on)
        else datediff('day', matched_on, coalesce(ended_on, getvariable('as_of')))
    end as duration,
    case when reached_40h_on is not null then 1 else 0 end as event
from asof_match_facts
where matched_on between getvariable('period_start') and getvariable('period_end')
