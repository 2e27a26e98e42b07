-- funding_by_source: one row per income booking in the period, with its source as category
-- and its amount as weight.
select
    _row_key as unit_id,
    null::varchar as participant_id,
    null::varchar as match_id,
    null::varchar as organisation_id,
    coalesce(source, 'other') as category,
    cast(amount_eur as double) as value
from asof_finance
where direction = 'income' and booked_on between getvariable('period_start') and getvariable('period_end')
