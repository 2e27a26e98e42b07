-- dutch_confidence_change: one row per participant who answered both the intake and the end
-- questionnaire, the end one in the period, with the change (end minus intake) in confidence
-- in speaking Dutch (1..5).
select * exclude (measure)
from survey_changes
where measure = 'dutch_confidence'
