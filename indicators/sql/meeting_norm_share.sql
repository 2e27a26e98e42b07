-- meeting_norm_share: one row per duo and calendar month in the period during which the duo
-- was active the whole month (up to its end or the as-of date); numerator 1 when the duo met
-- at least contacts_per_month times that month.
select
    duo_month_contacts.match_id || '|' || strftime(duo_month_contacts.month_start, '%Y-%m')
        as unit_id,
    duo_month_contacts.participant_id,
    duo_month_contacts.match_id,
    null::varchar as organisation_id,
    case when duo_month_contacts.n_contacts >= norms.norm_contacts then 1 else 0 end as numerator,
    1 as denominator
from duo_month_contacts
cross join norms
