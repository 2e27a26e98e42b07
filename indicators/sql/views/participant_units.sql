-- participant_units: one row per participant registered by the as-of date, as a unit, with
-- the days of registration and intake, by which an indicator places them in a period.
select
    participant_id as unit_id,
    participant_id,
    null::varchar as match_id,
    null::varchar as organisation_id,
    registered_on,
    intake_on
from asof_participants
