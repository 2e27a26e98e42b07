-- share_40h: one row per duo that ended in the period; numerator 1 when its hours of contact
-- reached the participation norm (40 hours).
select
    asof_match_facts.match_id as unit_id,
    asof_match_facts.participant_id,
    asof_match_facts.match_id,
    null::varchar as organisation_id,
    case when asof_match_facts.hours_total >= norms.norm_hours then 1 else 0 end as numerator,
    1 as denominator
from asof_match_facts
cross join norms
where asof_match_facts.ended_on between getvariable('period_start') and getvariable('period_end')
