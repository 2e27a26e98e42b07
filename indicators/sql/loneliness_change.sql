-- loneliness_change: one row per participant who answered both the intake and the end
-- questionnaire, the end one in the period, with the change (end minus intake) in the De Jong
-- Gierveld loneliness score (6 items, 0..6).
select * exclude (measure)
from survey_changes
where measure = 'loneliness'
