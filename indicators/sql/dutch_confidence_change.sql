-- dutch_confidence_change: one row per participant who answered both the intake and the end questionnaire,
-- the end one in the period, with the change (end minus intake) in confidence in speaking Dutch (1..5).
with

intake as (
    select
        respondent_id,
        dutch_confidence as score
    from asof_surveys
    where respondent_role = 'participant' and wave = 'intake' and dutch_confidence is not null
),

ending as (
    select
        respondent_id,
        dutch_confidence as score
    from asof_surveys
    where respondent_role = 'participant' and wave = 'end' and dutch_confidence is not null
        and answered_on between getvariable('period_start') and getvariable('period_end')
),

final as (
    select
        ending.respondent_id as unit_id,
        ending.respondent_id as participant_id,
        null::varchar as match_id,
        null::varchar as organisation_id,
        ending.score - intake.score as value
    from ending
    inner join intake on intake.respondent_id = ending.respondent_id
)

select * from final
