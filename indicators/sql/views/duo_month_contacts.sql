-- duo_month_contacts: one row per duo and calendar month of the period during which the duo
-- was active the whole month (up to its end or the as-of date), with its participant and its
-- number of contacts that month (the units of meeting_norm_share, and the contacts chart).
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

in_period as (
    select
        *,
        cast(month_start + interval 1 month - interval 1 day as date) as month_end
    from duo_months
    where matched_on <= month_start
        and month_start >= getvariable('period_start')
),

contacts_by_month as (
    -- only the period's contacts: every month counted lies within the period
    select
        match_id,
        cast(date_trunc('month', contact_on) as date) as month_start,
        count(*) as n_contacts
    from asof_contacts
    where contact_on between getvariable('period_start') and getvariable('period_end')
    group by all
),

final as (
    select
        in_period.match_id,
        in_period.participant_id,
        in_period.month_start,
        coalesce(contacts_by_month.n_contacts, 0) as n_contacts
    from in_period
    left join contacts_by_month
        on contacts_by_month.match_id = in_period.match_id
        and contacts_by_month.month_start = in_period.month_start
    where in_period.active_until >= in_period.month_end
        and in_period.month_end <= getvariable('period_end')
)

select * from final
