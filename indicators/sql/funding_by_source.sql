-- funding_by_source: one row per income booking in the period, with its source as category
-- and its amount as weight.
select
    * exclude (direction, source, category, amount_eur),
    coalesce(source, 'other') as category,
    amount_eur as value
from period_bookings
where direction = 'income'
