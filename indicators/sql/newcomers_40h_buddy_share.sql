-- newcomers_40h_buddy_share: one row per newcomer whose last duo ended in the period;
-- numerator 1 when their hours of contact with their buddies, over all their duos, reached
-- the participation norm (40 hours).
select
    * exclude (with_buddies, in_all),
    with_buddies as numerator,
    1 as denominator
from newcomer_40h_cohort
