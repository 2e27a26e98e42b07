-- match_rate: one row per intake in the period whose matching window (match_within_days)
-- has closed by the as-of date; numerator 1 when matched within that window.
with

intake_cohort as (
    select
        asof_participants.participant_id,
        asof_participants.intake_on,
        asof_participants.intake_on + norms.match_days as window_end
    from asof_participants
    cross join norms
    where asof_participants.intake_on between getvariable('period_start') and getvariable('period_end')
        and asof_participants.intake_on + norms.match_days <= getvariable('as_of')
),

final as (
    select
        intake_cohort.participant_id as unit_id,
        intake_cohort.participant_id,
        null::varchar as match_id,
        null::varchar as organisation_id,
        case
            when exists (
                select 1
                from asof_matches
                where asof_matches.participant_id = intake_cohort.participant_id
                    and asof_matches.matched_on <= intake_cohort.window_end
            ) then 1 else 0
        end as numerator,
        1 as denominator
    from intake_cohort
)

select * from final
