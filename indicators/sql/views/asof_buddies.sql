-- asof_buddies: the buddies registered by the as-of date.
select *
from buddies
where registered_on <= getvariable('as_of')
