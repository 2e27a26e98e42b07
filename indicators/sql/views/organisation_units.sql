-- organisation_units: one row per organisation, as a unit, with the day it became an anchor
-- place (none when it is not one), by which an indicator places it in a period.
select
    organisation_id as unit_id,
    null::varchar as participant_id,
    null::varchar as match_id,
    organisation_id,
    anchor_since
from organisations
