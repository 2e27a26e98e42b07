-- early_closure_rate: one row per duo that ended in the period; numerator 1 when it ended
-- within early_closure_months of its start for a reason other than completion.
select
    asof_matches.match_id as unit_id,
    asof_matches.participant_id,
    asof_matches.match_id,
    null::varchar as organisation_id,
    case
        when asof_matches.ended_on < asof_matches.matched_on + to_months(norms.early_months)
            and coalesce(asof_matches.end_reason, 'other') <> 'completed'
            then 1
        else 0
    end as numerator,
    1 as denominator
from asof_matches
cross join norms
where asof_matches.ended_on between getvariable('period_start') and getvariable('period_end')
