-- spend_total: one row per expense booking in the period, with its amount.
select
    * exclude (direction, source, category, amount_eur),
    amount_eur as value
from period_bookings
where direction = 'expense'
