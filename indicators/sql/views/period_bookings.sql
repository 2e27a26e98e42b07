-- period_bookings: one row per finance booking in the period, as a unit (money counts no
-- people), with its direction (income or expense), source, category and amount in EUR.
select
    -- the booking's row key as read (pipelines.load.row_key_read_sql)
    coalesce(_row_key, cast(booking_id as varchar)) as unit_id,
    null::varchar as participant_id,
    null::varchar as match_id,
    null::varchar as organisation_id,
    direction,
    source,
    category,
    cast(amount_eur as double) as amount_eur
from asof_finance
where booked_on between getvariable('period_start') and getvariable('period_end')
