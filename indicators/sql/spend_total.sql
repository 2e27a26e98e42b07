-- spend_total: one row per expense booking in the period, with its amount.
select
    _row_key as unit_id,
    null::varchar as participant_id,
    null::varchar as match_id,
    null::varchar as organisation_id,
    cast(amount_eur as double) as value
from asof_finance
where direction = 'expense' and booked_on between getvariable('period_start') and getvariable('period_end')
