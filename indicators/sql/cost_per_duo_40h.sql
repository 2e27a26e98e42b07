-- cost_per_duo_40h: expenses in the period (numerator, EUR) over duos that reached the
-- participation norm in the period (denominator): one row per expense booking and one per duo.
select * exclude (matched_on, reached_40h_on)
from cost_units
where denominator = 0
    or reached_40h_on between getvariable('period_start') and getvariable('period_end')
