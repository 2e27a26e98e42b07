-- helpful_for_integration_share: one row per participant who answered the end questionnaire
-- in the period with a yes or no on "the programme helped my integration"; numerator 1 for yes.
select
    respondent_id as unit_id,
    respondent_id as participant_id,
    null::varchar as match_id,
    null::varchar as organisation_id,
    case when helpful_for_integration then 1 else 0 end as numerator,
    1 as denominator
from asof_surveys
where respondent_role = 'participant' and wave = 'end'
    and helpful_for_integration is not null
    and answered_on between getvariable('period_start') and getvariable('period_end')
