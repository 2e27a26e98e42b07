-- anchor_places: one row per organisation that is an anchor place at the end of the period
-- (or at the as-of date when that comes first).
select * exclude (anchor_since)
from organisation_units
where anchor_since <= least(getvariable('period_end'), getvariable('as_of'))
