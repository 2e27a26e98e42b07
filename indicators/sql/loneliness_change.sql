-- loneliness_change: one row per participant who answered both the intake and the end questionnaire,
-- the end one in the period, with the change (end minus intake) in the De Jong Gierveld loneliness score (6 items, 0..6).
with

intake as (
    select
        respondent_id,
        loneliness_score as score
    from asof_surveys
    where respondent_role = 'participant' and wave = 'intake' and loneliness_score is not null
),

ending as (
    select
        respondent_id,
        loneliness_score as score
    from asof_surveys
    where respondent_role = 'participant' and wave = 'end' and loneliness_score is not null
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
