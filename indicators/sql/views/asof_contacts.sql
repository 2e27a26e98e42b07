-- asof_contacts: the duo contacts that took place by the as-of date.
select *
from contacts
where contact_on <= getvariable('as_of')
