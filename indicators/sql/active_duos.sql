-- active_duos: one row per duo active at any time in the period (started by its end, not
-- ended before its start).
select * exclude (matched_on, ended_on)
from duo_units
where matched_on <= getvariable('period_end')
    and (ended_on is null or ended_on >= getvariable('period_start'))
