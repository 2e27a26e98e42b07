-- asof_referrals: the referrals made by the as-of date.
select *
from referrals
where referred_on <= getvariable('as_of')
