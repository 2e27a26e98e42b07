-- meeting_norm_share: one row per duo and calendar month in the period during which the duo
-- was active the whole month (up to its end or the as-of date); numerator 1 when the duo met
-- at least contacts_per_month times that month.
with

duo_months as (
    select
        asof_matches.match_id,
        asof_matches.participant_id,
        asof_matches.matched_on,
        coalesce(asof_matches.ended_on, getvariable('as_of')) as active_until,
        cast(unnest(generate_series(
            date_trunc('month', asof_matches.matched_on),
            date_trunc('month', coalesce(asof_matches.ended_on, getvariable('as_of'))),
            interval 1 month
        )) as date) as month_start
    from asof_matches
),

full_months as (
    select
        *,
        cast(month_start + interval 1 month - interval 1 day as date) as month_end
    from duo_months
),

in_period as (
    select *
    from full_months
    where matched_on <= month_start
        and active_until >= month_end
        and month_start >= getvariable('period_start')
        and month_end <= getvariable('period_end')
),

monthly_contacts as (
    select
        in_period.match_id,
        in_period.participant_id,
        in_period.month_start,
        count(asof_contacts.match_id) as n_contacts
    from in_period
    left join asof_contacts
        on asof_contacts.match_id = in_period.match_id
        and asof_contacts.contact_on between in_period.month_start and in_period.month_end
    group by all
),

final as (
    select
        monthly_contacts.match_id || '|' || strftime(monthly_contacts.month_start, '%Y-%m') as unit_id,
        monthly_contacts.participant_id,
        monthly_contacts.match_id,
        null::varchar as organisation_id,
        case when monthly_contacts.n_contacts >= norms.norm_contacts then 1 else 0 end as numerator,
        1 as denominator
    from monthly_contacts
    cross join norms
)

select * from final
