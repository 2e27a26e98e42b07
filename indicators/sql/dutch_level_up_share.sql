-- dutch_level_up_share: one row per newcomer with a CEFR level of Dutch at intake (the intake
-- questionnaire's, else the one recorded at registration) and a later one (the follow-up
-- questionnaire's, else the end questionnaire's) answered in the period; numerator 1 when the
-- later level is at least one step above the level at intake (A0 < A1 < A2 < B1 < B2 < C1 < C2).
with

levels as (
    select
        level,
        rank
    from (values ('A0', 0), ('A1', 1), ('A2', 2), ('B1', 3), ('B2', 4), ('C1', 5), ('C2', 6))
        as cefr (level, rank)
),

answers as (
    select
        respondent_id as participant_id,
        wave,
        answered_on,
        dutch_level
    from asof_surveys
    where respondent_role = 'participant' and dutch_level is not null
),

at_intake as (
    select
        asof_participants.participant_id,
        coalesce(answers.dutch_level, asof_participants.dutch_level) as dutch_level
    from asof_participants
    left join answers
        on answers.participant_id = asof_participants.participant_id
        and answers.wave = 'intake'
),

later as (
    select
        participant_id,
        arg_max(dutch_level, wave = 'follow_up') as dutch_level,
        arg_max(answered_on, wave = 'follow_up') as answered_on
    from answers
    where wave in ('end', 'follow_up')
    group by participant_id
),

final as (
    select
        later.participant_id as unit_id,
        later.participant_id,
        null::varchar as match_id,
        null::varchar as organisation_id,
        case when later_level.rank >= intake_level.rank + 1 then 1 else 0 end as numerator,
        1 as denominator
    from later
    inner join at_intake on at_intake.participant_id = later.participant_id
    inner join levels as intake_level on intake_level.level = at_intake.dutch_level
    inner join levels as later_level on later_level.level = later.dutch_level
    where later.answered_on between getvariable('period_start') and getvariable('period_end')
)

select * from final
