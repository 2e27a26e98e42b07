-- new_anchor_places: one row per organisation that became an anchor place in the period.
select
    organisation_id as unit_id,
    null::varchar as participant_id,
    null::varchar as match_id,
    organisation_id
from organisations
where anchor_since between getvariable('period_start') and least(getvariable('period_end'), getvariable('as_of'))
