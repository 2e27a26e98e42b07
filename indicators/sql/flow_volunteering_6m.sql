-- flow_volunteering_6m: one row per participant of the period's flow-through cohort (a duo
-- that ended in the period, whose window of flow_window_months after the end has closed by the
-- as-of date); numerator 1 when they started volunteering between the match start and the
-- window's end.
select
    * exclude (started_leisure, started_volunteering),
    case when started_volunteering then 1 else 0 end as numerator,
    1 as denominator
from flow_cohort
