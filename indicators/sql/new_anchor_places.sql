-- new_anchor_places: one row per organisation that became an anchor place in the period.
select * exclude (anchor_since)
from organisation_units
where anchor_since between getvariable('period_start') and least(getvariable('period_end'), getvariable('as_of'))
