-- cost_per_duo: expenses in the period (numerator, EUR) over duos formed in the period
-- (denominator): one row per expense booking and one per duo.
select * exclude (matched_on, reached_40h_on)
from cost_units
where denominator = 0
    or matched_on between getvariable('period_start') and getvariable('period_end')
