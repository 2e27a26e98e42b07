-- asof_match_flows: one row per duo ended on the as-of date whose flow-through window has
-- closed, and per kind of flow-through its participant started between the match start and
-- the window's end ('none' when nothing started), with the duo's end and outcome. It depends
-- on the as-of date alone, so the engine works it out once per date (flows takes a period's).
with

cohort as (
    select
        asof_matches.match_id,
        asof_matches.participant_id,
        asof_matches.matched_on,
        asof_matches.ended_on,
        asof_matches.ended_on + to_months(norms.flow_months) as window_end,
        case
            when asof_matches.end_reason = 'completed' then 'completed'
            when asof_matches.ended_on < asof_matches.matched_on + to_months(norms.early_months)
                then 'stopped_early'
            else 'stopped_later'
        end as outcome
    from asof_matches
    cross join norms
    where asof_matches.ended_on + to_months(norms.flow_months) <= getvariable('as_of')
),

started as (
    select distinct
        cohort.match_id,
        asof_flow_starts.kind
    from cohort
    inner join asof_flow_starts
        on asof_flow_starts.participant_id = cohort.participant_id
        and asof_flow_starts.started_on between cohort.matched_on and cohort.window_end
),

final as (
    select
        cohort.match_id,
        cohort.participant_id,
        cohort.ended_on,
        cohort.outcome,
        coalesce(started.kind, 'none') as kind
    from cohort
    left join started on started.match_id = cohort.match_id
)

select * from final
