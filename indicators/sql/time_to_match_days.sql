-- time_to_match_days: one row per participant whose first match started in the period,
-- with the days from intake to that match.
with

first_match as (
    select
        participant_id,
        min(matched_on) as matched_on
    from asof_matches
    group by participant_id
),

final as (
    select
        first_match.participant_id as unit_id,
        first_match.participant_id,
        null::varchar as match_id,
        null::varchar as organisation_id,
        datediff('day', asof_participants.intake_on, first_match.matched_on) as value
    from first_match
    inner join asof_participants on asof_participants.participant_id = first_match.participant_id
    where first_match.matched_on between getvariable('period_start') and getvariable('period_end')
        and asof_participants.intake_on is not null
)

select * from final
