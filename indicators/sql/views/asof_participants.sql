-- asof_participants: the participants registered by the as-of date.
select *
from participants
where registered_on <= getvariable('as_of')
