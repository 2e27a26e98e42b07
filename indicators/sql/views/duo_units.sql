-- duo_units: one row per duo (match) known on the as-of date, as a unit, with the days it
-- started and ended, by which an indicator places it in a period.
select
    match_id as unit_id,
    participant_id,
    match_id,
    null::varchar as organisation_id,
    matched_on,
    ended_on
from asof_matches
