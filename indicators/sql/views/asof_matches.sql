-- asof_matches: the matches started by the as-of date; an end after it is not known yet, so
-- such a duo is still running.
select
    match_id,
    participant_id,
    buddy_id,
    matched_on,
    planned_end_on,
    case when ended_on <= getvariable('as_of') then ended_on end as ended_on,
    case when ended_on <= getvariable('as_of') then end_reason end as end_reason
from matches
where matched_on <= getvariable('as_of')
