-- asof_surveys: the questionnaires answered by the as-of date, with the De Jong Gierveld
-- loneliness score (the sum of its six items, only when all six were answered).
select
    *,
    case
        when dj1 is not null and dj2 is not null and dj3 is not null
            and dj4 is not null and dj5 is not null and dj6 is not null
            then dj1 + dj2 + dj3 + dj4 + dj5 + dj6
    end as loneliness_score
from surveys
where answered_on <= getvariable('as_of')
