-- flow_leisure_6m: one row per participant of a duo that ended in the period and whose
-- flow-through window (flow_window_months after the end) has closed by the as-of date;
-- numerator 1 when they started leisure between the match start and the window's end.
with

cohort as (
    select
        asof_matches.participant_id,
        asof_matches.match_id,
        asof_matches.matched_on,
        asof_matches.ended_on + to_months(norms.flow_months) as window_end
    from asof_matches
    cross join norms
    where asof_matches.ended_on between getvariable('period_start') and getvariable('period_end')
        and asof_matches.ended_on + to_months(norms.flow_months) <= getvariable('as_of')
),

flowed as (
    select
        cohort.participant_id,
        max(
            case
                when exists (
                    select 1
                    from asof_flow_starts as flow
                    where flow.participant_id = cohort.participant_id
                        and flow.kind = 'leisure'
                        and flow.started_on between cohort.matched_on and cohort.window_end
                ) then 1 else 0
            end
        ) as numerator,
        min(cohort.match_id) as match_id
    from cohort
    group by cohort.participant_id
),

final as (
    select
        participant_id as unit_id,
        participant_id,
        match_id,
        null::varchar as organisation_id,
        numerator,
        1 as denominator
    from flowed
)

select * from final
