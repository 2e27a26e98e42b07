-- newcomers_40h_share: one row per newcomer whose last duo ended in the period; numerator 1
-- when their hours with their buddies and in group activities together reached the
-- participation norm (40 hours), as the 4th pillar of Flemish civic integration counts them.
select
    * exclude (with_buddies, in_all),
    in_all as numerator,
    1 as denominator
from newcomer_40h_cohort
