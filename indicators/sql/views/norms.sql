-- norms: one row with the programme's norms as they were when the snapshot was loaded
-- (programme_settings): participation hours, contacts a month, match window in days, early
-- closure in months and flow-through window in months.
select
    max(value) filter (where name = 'participation_hours') as norm_hours,
    max(value) filter (where name = 'contacts_per_month') as norm_contacts,
    cast(max(value) filter (where name = 'match_within_days') as integer) as match_days,
    cast(max(value) filter (where name = 'early_closure_months') as integer) as early_months,
    cast(max(value) filter (where name = 'flow_window_months') as integer) as flow_months
from programme_settings
