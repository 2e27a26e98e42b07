-- intakes: one row per participant whose intake interview fell in the period.
select * exclude (registered_on, intake_on)
from participant_units
where intake_on between getvariable('period_start') and least(getvariable('period_end'), getvariable('as_of'))
