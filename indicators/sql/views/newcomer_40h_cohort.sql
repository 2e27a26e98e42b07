-- newcomer_40h_cohort: one row per newcomer whose last duo ended in the period (none of their
-- duos still running on the as-of date), as a unit of the per-newcomer 40-hour shares, with
-- whether their hours with buddies, and their hours with buddies and in group activities,
-- reached the participation norm.
select
    newcomer_hours.participant_id as unit_id,
    newcomer_hours.participant_id,
    null::varchar as match_id,
    null::varchar as organisation_id,
    case when newcomer_hours.buddy_hours >= norms.norm_hours then 1 else 0 end as with_buddies,
    case when newcomer_hours.all_hours >= norms.norm_hours then 1 else 0 end as in_all
from newcomer_hours
cross join norms
where newcomer_hours.last_ended_on between getvariable('period_start') and getvariable('period_end')
