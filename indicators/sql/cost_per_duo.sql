-- cost_per_duo: expenses in the period (numerator, EUR) over duos formed in the period
-- (denominator): one row per expense booking and one per duo.
select
    _row_key as unit_id,
    null::varchar as participant_id,
    null::varchar as match_id,
    null::varchar as organisation_id,
    cast(amount_eur as double) as numerator,
    0 as denominator
from asof_finance
where direction = 'expense' and booked_on between getvariable('period_start') and getvariable('period_end')
union all
select
    match_id as unit_id,
    null::varchar as participant_id,
    match_id,
    null::varchar as organisation_id,
    0 as numerator,
    1 as denominator
from asof_matches
where matched_on between getvariable('period_start') and getvariable('period_end')
