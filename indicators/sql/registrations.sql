-- registrations: one row per participant who registered in the period.
select * exclude (registered_on, intake_on)
from participant_units
where registered_on between getvariable('period_start') and getvariable('period_end')
