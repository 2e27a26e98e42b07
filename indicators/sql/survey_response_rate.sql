-- survey_response_rate: one row per participant of a duo that ended in the period;
-- numerator 1 when they answered the end questionnaire (by the as-of date). The unit is the
-- person, not a duo: the match cohort breakdown places them by their first match.
with

ended as (
    select distinct participant_id
    from asof_matches
    where ended_on between getvariable('period_start') and getvariable('period_end')
),

final as (
    select
        ended.participant_id as unit_id,
        ended.participant_id,
        null::varchar as match_id,
        null::varchar as organisation_id,
        case
            when exists (
                select 1
                from asof_surveys
                where asof_surveys.respondent_id = ended.participant_id
                    and asof_surveys.respondent_role = 'participant'
                    and asof_surveys.wave = 'end'
            ) then 1 else 0
        end as numerator,
        1 as denominator
    from ended
)

select * from final
