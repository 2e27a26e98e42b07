-- anchor_places: one row per organisation that is an anchor place at the end of the period
-- (or at the as-of date when that comes first).
select
    organisation_id as unit_id,
    null::varchar as participant_id,
    null::varchar as match_id,
    organisation_id
from organisations
where anchor_since <= least(getvariable('period_end'), getvariable('as_of'))
