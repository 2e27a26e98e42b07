-- asof_finance: the finance bookings booked by the as-of date.
select *
from finance
where booked_on <= getvariable('as_of')
