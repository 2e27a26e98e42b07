-- duos_formed: one row per match (duo) that started in the period.
select * exclude (matched_on, ended_on)
from duo_units
where matched_on between getvariable('period_start') and getvariable('period_end')
