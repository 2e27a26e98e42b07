-- survey_changes: one row per participant and measure (loneliness, dutch_confidence,
-- feel_at_home) for an end questionnaire answered in the period with a score on it and an
-- intake questionnaire with a score on it, as a unit with the change (end minus intake).
with

scores as (
    unpivot (
        select
            respondent_id,
            wave,
            answered_on,
            loneliness_score as loneliness,
            dutch_confidence,
            feel_at_home
        from asof_surveys
        where respondent_role = 'participant'
    )
    on loneliness, dutch_confidence, feel_at_home
    into name measure value score
),

intake as (
    select *
    from scores
    where wave = 'intake'
),

ending as (
    select *
    from scores
    where wave = 'end'
        and answered_on between getvariable('period_start') and getvariable('period_end')
),

final as (
    select
        ending.respondent_id as unit_id,
        ending.respondent_id as participant_id,
        null::varchar as match_id,
        null::varchar as organisation_id,
        ending.measure,
        ending.score - intake.score as value
    from ending
    inner join intake
        on intake.respondent_id = ending.respondent_id
        and intake.measure = ending.measure
)

select * from final
