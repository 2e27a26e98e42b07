-- flow_cohorts_open: one row per match cohort (quarter of the match start) with a duo that
-- ended in the period or, while the period is still running on the as-of date, may still end
-- in it; is_open when one of those duos' flow-through windows (flow_window_months after its
-- end) has not closed by the as-of date, so the cohort's flow-through rates are not final.
with

relevant as (
    select
        asof_match_facts.match_cohort,
        case
            when asof_match_facts.ended_on is null then true
            else asof_match_facts.ended_on + to_months(norms.flow_months) > getvariable('as_of')
        end as window_open
    from asof_match_facts
    cross join norms
    where asof_match_facts.matched_on <= getvariable('period_end')
        and (
            asof_match_facts.ended_on between getvariable('period_start') and getvariable('period_end')
            or (asof_match_facts.ended_on is null and getvariable('as_of') < getvariable('period_end'))
        )
),

final as (
    select
        match_cohort,
        bool_or(window_open) as is_open
    from relevant
    group by match_cohort
)

select * from final
